/* SPDX-License-Identifier: MIT */
/*
 * spawn-self.c — run `locus bench ARGS... -o OUT` as a child of this very binary.
 *
 * `locus gate` and `locus tune ab` measure by running the bench as a fresh process (its
 * page placement and its neighbours are part of what a run measures, and the bench's
 * exit code stays its own).  Both go through spawn_self(), so both:
 *  - execute this binary resolved through /proc/self/exe: an execv of the link itself
 *    would start valgrind's loader under valgrind, not locus;
 *  - put -o OUT after the bench's own options, so it wins over an -o among them, but
 *    before a "--", after which come the arguments of the program `bench command` runs;
 *  - pass SIGINT, SIGTERM and SIGHUP sent to them on to the bench and wait for it
 *    (lib/spawn.h, forward_interrupt), so that no bench is left running behind them and
 *    a bench that changed a setting can put it back.
 * The fork, exec and wait are lib/spawn.c's, like those of `locus run`.
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "spawn.h"

/* In the child, before exec (a single-threaded process: setenv's malloc is safe). */
static int child_setup(void *arg, const char **step)
{
	const struct spawn_self_opts *s = arg;

	for (size_t i = 0; s->env && s->env[i]; i += 2)
		if (setenv(s->env[i], s->env[i + 1], 1) < 0) {
			*step = "setenv";
			return -errno;
		}
	if (s->test_signal)
		kill(getppid(), s->test_signal);
	return 0;
}

/* The interrupting signals: SIGINT, SIGTERM, SIGHUP, but not one the caller ignores
 * (nohup): that one stays ignored, for us and for the bench. */
static void interrupt_set(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;

		if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
			sigaddset(set, sigs[i]);
	}
}

/* locus [--quiet] [--sysroot R] bench ARGS-BEFORE-"--" -o OUT ["--" ...]: malloc'd. */
static char **bench_argv(const struct spawn_self_opts *s)
{
	char **argv = calloc((size_t)s->nargs + 8, sizeof(*argv));
	int n = 0, dd = 0;

	if (!argv)
		return NULL;
	argv[n++] = (char *)(s->prog ? s->prog : "locus");
	if (locus_quiet())
		argv[n++] = (char *)"--quiet";
	if (s->sysroot) {
		argv[n++] = (char *)"--sysroot";
		argv[n++] = (char *)s->sysroot;
	}
	argv[n++] = (char *)"bench";
	while (dd < s->nargs && strcmp(s->args[dd], "--"))
		dd++;
	for (int i = 0; i < dd; i++)
		argv[n++] = s->args[i];
	argv[n++] = (char *)"-o";
	argv[n++] = (char *)s->out;
	for (int i = dd; i < s->nargs; i++)
		argv[n++] = s->args[i];
	argv[n] = NULL;
	return argv;
}

int spawn_self(const struct spawn_self_opts *s, int *interrupted)
{
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct spawn_result r;
	char self[4096];
	sigset_t interrupt;
	int rc;

	*interrupted = 0;
	so.path = s->prog;
	if (!so.path) {
		ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (len <= 0) {
			rc = errno ? -errno : -ENOENT;
			locus_error("%s: /proc/self/exe: cannot find the locus binary: %s", s->cmd,
				    strerror(-rc));
			return rc;
		}
		self[len] = '\0';
		so.path = self;
	}
	so.argv = bench_argv(s);
	if (!so.argv)
		return locus_fail(ENOMEM, "%s: out of memory", s->cmd);
	so.before_exec = child_setup;
	so.arg = (void *)s;
	if (s->stdout_to_stderr)
		so.stdout_fd = STDERR_FILENO;
	interrupt_set(&interrupt);
	so.interrupt = &interrupt;
	so.forward_interrupt = true;
	rc = spawn_run(&so, &r);
	free((void *)so.argv);
	if (rc < 0) {
		locus_error("%s: cannot start the benchmark: %s", s->cmd, strerror(-rc));
		return rc;
	}
	*interrupted = r.interrupted;
	if (!r.started) {
		rc = r.err ? -r.err : -ENOEXEC;
		if (strcmp(r.step, "exec") == 0)
			locus_error("%s: cannot run %s: %s", s->cmd, so.path, strerror(-rc));
		else
			locus_error("%s: starting the benchmark: %s: %s", s->cmd, r.step, strerror(-rc));
	} else {
		rc = r.status;
	}
	spawn_result_free(&r);
	return rc;
}
