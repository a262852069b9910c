/* SPDX-License-Identifier: MIT */
/*
 * reclaim-undo.c — the give-back state of the reclaim bench: everything locus makes
 * for a run (the cgroup, a zram device or swap file, the data file, the running child)
 * is recorded here as it is made, and removed at the end, on errors, at exit and on
 * SIGINT, SIGTERM and SIGHUP.
 *
 * The signal handler uses only async-signal-safe calls (as lib/mem-pool.c does for
 * hugetlb pools) and then re-raises the signal under the previous disposition, so the
 * process still dies of it.  Kept apart from the bench because its rules (what may
 * run in a handler, who owns the state after a fork) are of their own.
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>
#include "cgroup.h"
#include "reclaim.h"
#include "swap.h"

struct reclaim_undo reclaim_undo;
const int reclaim_signals[RECLAIM_NSIG] = { SIGINT, SIGTERM, SIGHUP };

/* Async-signal-safe. */
static void reclaim_undo_all(struct reclaim_gone *g)
{
	pid_t pid = reclaim_undo.child;
	struct reclaim_gone r = { 0, 0, 0 };

	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		reclaim_undo.child = 0;
	}
	r.cgroup = cgroup2_remove(&reclaim_undo.cg);
	r.swap = swap_release(&reclaim_undo.swap);
	if (reclaim_undo.have_file) {
		if (unlink(reclaim_undo.file) == 0 || errno == ENOENT)
			reclaim_undo.have_file = 0;
		else
			r.file = -errno;
	}
	if (g)
		*g = r;
}

static void reclaim_signal(int sig)
{
	int saved = errno;

	if (getpid() == reclaim_undo.owner)
		reclaim_undo_all(NULL);
	for (unsigned i = 0; i < RECLAIM_NSIG; i++)
		if (reclaim_signals[i] == sig)
			sigaction(sig, &reclaim_undo.old[i], NULL);
	errno = saved;
	/* Blocked while this handler runs: delivered under the previous disposition (the
	 * default, or lib/mem-pool.c's pool handler) as soon as it returns. */
	raise(sig);
}

static void reclaim_atexit(void)
{
	if (getpid() == reclaim_undo.owner)
		reclaim_undo_all(NULL);
}

void reclaim_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (unsigned i = 0; i < RECLAIM_NSIG; i++)
		sigaddset(&set, reclaim_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void reclaim_hook(void)
{
	static bool at;
	struct sigaction sa;

	memset(&reclaim_undo, 0, sizeof(reclaim_undo));
	reclaim_undo.owner = getpid();
	if (!at) {
		atexit(reclaim_atexit);
		at = true;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reclaim_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < RECLAIM_NSIG; i++)
		sigaddset(&sa.sa_mask, reclaim_signals[i]);
	for (unsigned i = 0; i < RECLAIM_NSIG; i++) {
		sigaction(reclaim_signals[i], NULL, &reclaim_undo.old[i]);
		/* An ignored signal stays ignored (nohup): nothing to clean up for it. */
		if (reclaim_undo.old[i].sa_handler != SIG_IGN || (reclaim_undo.old[i].sa_flags & SA_SIGINFO))
			sigaction(reclaim_signals[i], &sa, NULL);
	}
	reclaim_undo.hooked = true;
}

/* Give everything back and restore the signal dispositions. */
void reclaim_unhook(struct reclaim_gone *g)
{
	sigset_t old;

	reclaim_block(&old);
	reclaim_undo_all(g);
	if (reclaim_undo.hooked) {
		for (unsigned i = 0; i < RECLAIM_NSIG; i++)
			sigaction(reclaim_signals[i], &reclaim_undo.old[i], NULL);
		reclaim_undo.hooked = false;
	}
	reclaim_undo.owner = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
