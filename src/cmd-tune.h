/* SPDX-License-Identifier: MIT */
/*
 * cmd-tune.h — what the files of `locus tune` share (src/cmd-tune.c parses the command
 * line and runs the journal commands; src/cmd-tune-ab.c runs A/B rounds).  Not a
 * library interface: the CLI's options and helpers that print and return exit codes.
 */
#ifndef LOCUS_CMD_TUNE_H
#define LOCUS_CMD_TUNE_H

#include "cmd.h"
#include "tune.h"

enum {
	O_JSON = 1 << 0, O_DRY = 1 << 1, O_PARTIAL = 1 << 2, O_ALL = 1 << 3,
	O_TO = 1 << 4, O_FORCE = 1 << 5, O_PROFILE = 1 << 6, O_ROUNDS = 1 << 7,
	O_OUTPUT = 1 << 8, O_NOPTS = 9,
};

struct opts {
	unsigned set;
	long to;
	const char *state_dir;
	const char *profile;   /* ab --profile */
	const char *outdir;    /* ab -o */
	long rounds;           /* ab --rounds */
	const char *typed[O_NOPTS]; /* each option as the user typed it (for messages) */
};

/* Load the journal to read it.  Returns 0 or the exit code (2: corrupt). */
int tune_cli_load_journal(struct tune_journal *j, const struct opts *o);
/* For every command that writes settings or the journal: take the state directory's
 * lock, then load.  Returns 0, or the exit code (2 when another locus holds it or the
 * journal is corrupt). */
int tune_cli_lock_journal(struct tune_journal *j, const struct opts *o);
/* Find and parse a profile (name or file); warns about tunables absent here.  Returns 0
 * or the exit code. */
int tune_cli_load_profile(const char *arg, struct tune_profile *p);
/* A journal time (seconds since the epoch) as "YYYY-MM-DD HH:MM:SSZ" (UTC) in buf. */
const char *tune_cli_tstamp(long long t, char *buf, size_t len);
/* `tune active`, `tune recommend` (src/cmd-tune-info.c). */
int tune_cli_active(const struct opts *o);
int tune_cli_recommend(const struct opts *o);
/* `tune ab --profile P ... -- bench ARGS`. */
int tune_cli_ab(int argc, char **argv, const struct opts *o, const struct cmd_ctx *ctx);

#endif
