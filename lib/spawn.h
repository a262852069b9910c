/* SPDX-License-Identifier: MIT */
/*
 * spawn.h — start a program, wait for it, and say what it got.
 *
 * The one implementation behind `locus run` and `locus bench command`: fork, in the
 * child apply what the caller asks (placement, through a callback so that this file
 * knows nothing of options), redirect, exec without a shell; in the parent wait with
 * an optional timeout and optional interrupting signals, and collect what the kernel
 * says about the run: wait4's rusage, the wall time from start to exit, and — when
 * asked — the child's pages per node (/proc/PID/numa_maps), its anonymous huge pages
 * (smaps_rollup) and its CPUs, sampled at exit while its memory still exists.
 *
 * Why ptrace: a process's memory is gone once it has exited — a zombie has no mm, so
 * waitid(WNOWAIT) is too late for numa_maps (it still gives /proc/PID/stat).  With
 * sample_exit the child is PTRACE_SEIZEd with PTRACE_O_TRACEEXIT, which stops it at
 * exit before its memory is released; the files are read then and the child is
 * detached.  Where ptrace is refused (seccomp, yama scope 3) the pages are reported
 * unavailable with the reason.  /proc/PID is read directly, not through the sysroot:
 * it describes our own child.
 *
 * Nothing here prints: errors come back as values for the caller to word.
 */
#ifndef LOCUS_SPAWN_H
#define LOCUS_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <jansson.h>

struct spawn_opts {
	char *const *argv;        /* argv[0] is looked up in PATH (execvp) unless: */
	const char *path;         /* set: the file to execute (execv), argv[0] its name */
	/* Called in the child just before exec (e.g. CPU affinity, memory policy).  Must
	 * be async-signal-safe in spirit: no stdio.  Returns 0 or a negative errno and
	 * names the failed step in *step. */
	int (*before_exec)(void *arg, const char **step);
	void *arg;
	bool new_pgrp;            /* the child leads its own process group, so a timeout
				   * or an interrupt kills everything it started */
	bool sample_exit;         /* ptrace to stop it at exit and read its pages and CPUs */
	int stdin_fd, stdout_fd, stderr_fd;  /* dup2'd onto 0/1/2; -1 = inherited */
	double timeout_s;         /* > 0: kill the child (group) after this long */
	/* Signals (e.g. SIGINT, SIGTERM) that end the wait while the child runs: the
	 * child (group) gets SIGKILL, is reaped, and *interrupted says which one came.
	 * NULL: the caller's dispositions apply (`locus run` ignores ^C like a shell).
	 * The child starts with them unblocked and at their default action. */
	const sigset_t *interrupt;
	/* Instead of SIGKILL, pass the first interrupting signal on to the child (group)
	 * and wait for it to end, so that it can clean up (a benchmark restoring what it
	 * changed); a second one kills.  A signal the kernel sent (a terminal's ^C or
	 * hangup) is not passed on: it went to the whole foreground process group, the
	 * child included, already. */
	bool forward_interrupt;
};
#define SPAWN_OPTS_INIT { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 }

struct spawn_result {
	pid_t pid;
	int status;               /* wait status (WIFEXITED ...) when started */
	bool started;             /* false: the child could not exec or before_exec failed */
	int err;                  /* then the errno, and */
	const char *step;         /* "exec" or the failed before_exec step */
	struct rusage ru;         /* wait4 of the child (and its waited-for descendants) */
	double wall_s;            /* from release to the exit (its exit stop when traced) */
	bool timed_out;
	int interrupted;          /* the signal from opts.interrupt that ended the wait, or 0 */
	/* sample_exit: */
	bool have_maps;           /* numa_maps read while its memory still existed */
	const char *maps_why;     /* else: why not (static string) */
	json_t *pages;            /* {"nodeN": {pages, bytes, anon_bytes}} or NULL */
	long long total_pages;
	long long anon_huge_bytes; /* AnonHugePages of smaps_rollup at exit, -1 unknown */
	int last_cpu;             /* -1 unknown */
	char allowed[256], mems_allowed[256];
};

/*
 * Run the program to its end.  Returns 0 when it was waited for (r->started says
 * whether it ran at all; r->status holds its wait status), or a negative errno when
 * the machinery failed (pipe, fork, wait) — then nothing is left running.
 * Free r with spawn_result_free().
 */
int spawn_run(const struct spawn_opts *o, struct spawn_result *r);
void spawn_result_free(struct spawn_result *r);

/* The exit status as a shell shows it: the code, or 128 + the signal. */
int spawn_exit_code(int status);

/* Sum numa_maps' "N<node>=<pages>" per node, with each mapping's kernelpagesize_kB:
 * {"nodeN": {pages, bytes, anon_bytes}}; total pages in *total. */
json_t *spawn_parse_numa_maps(FILE *f, long long *total);

#endif
