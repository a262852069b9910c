/* SPDX-License-Identifier: MIT */
/*
 * log.h — error and warning messages, exit codes, progress.
 *
 * One place decides how locus talks to the user on stderr, so every message has the
 * same shape ("locus: OBJECT: problem") and every command exits with a code from the
 * one table below (documented in man/locus.1 and README.md).  Library code reports
 * through these helpers and returns a negative errno; it never calls exit().
 */
#ifndef LOCUS_LOG_H
#define LOCUS_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* The exit-code table.  Keep in sync with man/locus.1 and README.md. */
enum locus_exit {
	LOCUS_EXIT_OK = 0,        /* success */
	LOCUS_EXIT_FAIL = 1,      /* runtime failure (I/O, system call, ...) */
	LOCUS_EXIT_USAGE = 2,     /* usage error or bad input; nothing was changed */
	LOCUS_EXIT_SKIP = 3,      /* skipped: the resource needed is not here */
	LOCUS_EXIT_NOTBUILT = 4,  /* the feature was not built in */
	LOCUS_EXIT_VERIFY = 5,    /* a verification failed (checksum, placement, page size) */
	LOCUS_EXIT_REGRESSED = 6, /* compare/gate found a regression */
};

/* Print "locus: <formatted>\n" on stderr (always, also with --quiet). */
void locus_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The error convention of locus (git's `return error(...)`): print like locus_error()
 * and return -err, so that a function failing for a reason reads
 *
 *	return locus_fail(EINVAL, "%s: '%s' is not a number", what, s);
 *
 * err is a positive errno (errno itself may be passed: it is read before anything is
 * printed); err <= 0 gives -EIO, so that a failure never reads as success.
 */
int locus_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The one errno -> exit code mapping of every command (the table above): 0 -> OK;
 * EINVAL, ERANGE, E2BIG (bad input) -> USAGE; EOPNOTSUPP (the resource needed is not
 * here) -> SKIP; EPROTO (a verification failed) -> VERIFY; anything else -> FAIL.
 * err may be a return value (negative) or an errno (positive).  A command with a
 * meaning of its own for an errno (gate: no baseline is a skip) says so before
 * calling this.
 */
int locus_exit_code(int err);

/* Print "locus: warning: <formatted>\n" on stderr (unless quiet). */
void locus_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Informational message on stderr, suppressed by --quiet. */
void locus_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How many errors locus_error() has printed so far (the CLI adds its "Try ... --help"
 * pointer only when no error line said what was wrong). */
unsigned long locus_errors(void);

/* --quiet: silences warnings and info (errors are always printed). */
void locus_set_quiet(bool quiet);
bool locus_quiet(void);

/*
 * Progress on stderr, never with --quiet.  PROGRESS_AUTO: on a terminal, once the
 * operation has run for about two seconds (short commands stay silent), one line
 * redrawn in place and cut to the terminal's width; PROGRESS_ALWAYS: from the start,
 * and off a terminal too, as plain lines (the first of each step, then one every
 * ~10 s: CI logs); PROGRESS_NEVER: none.  Every other message (error, warning, info)
 * clears the line first.
 *
 * progress_steps(i, n) before progress_begin() says this is step i of n (bench all):
 * the line then starts "[i/n]" and, once a step has finished, ends with an estimate of
 * the time left (the mean of the finished steps).  progress_begin() starts the clock;
 * progress_update() redraws "[i/n] WHAT: TEXT (7 s, ~40 s left)"; progress_end()
 * clears it.
 */
enum progress_mode { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };
void progress_set_mode(enum progress_mode mode);
void progress_steps(unsigned step, unsigned nsteps);
void progress_begin(const char *what);
void progress_update(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_end(void);

#endif
