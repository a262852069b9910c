/* SPDX-License-Identifier: MIT */
/*
 * test-team.c — bench/team.c's guarantees (team.h): a team whose worker cannot be
 * prepared fails cleanly — team_init returns the worker's error, every thread it
 * started is joined (the process has no more threads than before), fini runs on
 * exactly the workers whose init succeeded, and nothing leaks (valgrind: make
 * check-valgrind) — whether the worker's init fails or its CPU cannot be bound; and a
 * working team runs commands, its workers meeting at the spinning start barrier.
 *
 * Init failures and the spinning start use a synthetic topology (nothing is bound for
 * real, so the test runs the same on any machine); the binding failure needs this
 * machine's topology, where a CPU number far beyond the last one cannot be bound.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "team.h"
#include "tap.h"

#define MAXW 8

static struct counts {
	int init_calls, init_ok, fini_calls, fn_calls[MAXW], synced[MAXW];
	int fini_idx[MAXW];     /* fini ran on worker i */
	int init_ok_idx[MAXW];  /* init succeeded on worker i */
	int fail_idx;           /* this worker's init fails (-1: none; MAXW: every one) */
	pthread_mutex_t lock;
} cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void reset(int fail_idx)
{
	pthread_mutex_lock(&cnt.lock);
	cnt.init_calls = cnt.init_ok = cnt.fini_calls = 0;
	memset(cnt.fn_calls, 0, sizeof(cnt.fn_calls));
	memset(cnt.synced, 0, sizeof(cnt.synced));
	memset(cnt.fini_idx, 0, sizeof(cnt.fini_idx));
	memset(cnt.init_ok_idx, 0, sizeof(cnt.init_ok_idx));
	cnt.fail_idx = fail_idx;
	pthread_mutex_unlock(&cnt.lock);
}

static int w_init(void *arg, int idx)
{
	int rc = 0;

	(void)arg;
	pthread_mutex_lock(&cnt.lock);
	cnt.init_calls++;
	if (cnt.fail_idx == idx || cnt.fail_idx == MAXW) {
		rc = -ENOSPC;
	} else {
		cnt.init_ok++;
		cnt.init_ok_idx[idx] = 1;
	}
	pthread_mutex_unlock(&cnt.lock);
	return rc;
}

static void w_fini(void *arg, int idx)
{
	(void)arg;
	pthread_mutex_lock(&cnt.lock);
	cnt.fini_calls++;
	cnt.fini_idx[idx]++;
	pthread_mutex_unlock(&cnt.lock);
}

/* The threads of this process, from /proc/self/task. */
static int nr_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The thread count once it has come down to want (a joined thread leaves
 * /proc/self/task as it exits; allow the kernel a moment), or what it stays at. */
static int threads_settle(int want)
{
	struct timespec ts = { 0, 1000000 };
	int n = nr_threads();

	for (int i = 0; i < 1000 && n != want; i++) {
		nanosleep(&ts, NULL);
		n = nr_threads();
	}
	return n;
}

/* fini ran exactly on the workers whose init succeeded, once each. */
static bool fini_matches_init(int n)
{
	for (int i = 0; i < n; i++)
		if (cnt.fini_idx[i] != cnt.init_ok_idx[i])
			return false;
	return true;
}

static struct team *spin_team;

static void w_spin(void *arg, int idx)
{
	(void)arg;
	team_sync(spin_team);
	/* Past the barrier: every worker has arrived. */
	cnt.synced[idx] += __atomic_load_n(&spin_team->arrived, __ATOMIC_ACQUIRE) >=
			   (unsigned)spin_team->n;
	cnt.fn_calls[idx]++;
}

static const struct bench_info test_info = { .name = "team-test" };

int main(void)
{
	struct team_ops ops = { .init = w_init, .fini = w_fini };
	struct locus_topo fake, real;
	struct bench_ctx c = { .info = &test_info };
	struct team t;
	int cpus[MAXW], base, rc;

	if (topo_load(&fake, "pack:1 numa:1 core:4 pu:1") < 0)
		tap_skip_all("hwloc cannot build the synthetic topology");
	base = nr_threads();
	if (base < 1) {
		topo_free(&fake);
		tap_skip_all("no /proc/self/task to count threads with");
	}
	c.topo = &fake;
	for (int i = 0; i < MAXW; i++)
		cpus[i] = i % 4;

	/* ---- a working team: commands, the spinning start, fini on every worker */
	reset(-1);
	rc = team_init(&t, &c, cpus, 4, &ops);
	is_int(rc, 0, "4 workers start");
	if (rc == 0) {
		is_int(cnt.init_ok, 4, "init ran on every worker before team_init returned");
		is_int(nr_threads(), base + 4, "4 threads running");
		spin_team = &t;
		for (int r = 0; r < 5; r++)
			team_run(&t, w_spin, NULL);
		{
			bool all = true;
			for (int i = 0; i < 4; i++)
				all &= cnt.fn_calls[i] == 5 && cnt.synced[i] == 5;
			ok(all, "5 commands: every worker ran each once, after all 4 met at team_sync");
		}
		team_start(&t, w_spin, NULL);
		team_wait(&t);
		is_int(cnt.fn_calls[3], 6, "team_start + team_wait run a command too");
		team_destroy(&t);
		is_int(cnt.fini_calls, 4, "team_destroy ran fini on every worker");
		is_int(threads_settle(base), base, "team_destroy joined every worker");
		ok(t.th == NULL && !t.live, "team_destroy freed the team");
		team_destroy(&t);   /* a second one is a no-op (it must not touch the freed team) */
	}

	/* ---- one worker's init fails */
	for (int fail = 0; fail < 4; fail += 3) {
		reset(fail);
		rc = team_init(&t, &c, cpus, 4, &ops);
		is_int(rc, -ENOSPC, fail == 0 ? "first worker's init fails: team_init returns its error"
					   : "last worker's init fails: team_init returns its error");
		is_int(cnt.init_calls, 4, "every worker was prepared (init ran on all 4)");
		is_int(cnt.fini_calls, 3, "fini ran on the 3 whose init succeeded");
		ok(fini_matches_init(4) && cnt.fini_idx[fail] == 0, "and not on the failed one");
		is_int(threads_settle(base), base, "every started thread was joined");
		ok(t.th == NULL && t.cpu_asked == NULL && t.cpu_got == NULL && !t.live,
		   "the team's memory was freed");
	}

	/* ---- every worker's init fails */
	reset(MAXW);
	rc = team_init(&t, &c, cpus, 3, &ops);
	is_int(rc, -ENOSPC, "every init fails: team_init fails");
	is_int(cnt.fini_calls, 0, "no fini without a successful init");
	is_int(threads_settle(base), base, "every started thread was joined");

	/* ---- no ops at all */
	reset(-1);
	rc = team_init(&t, &c, cpus, 2, NULL);
	is_int(rc, 0, "a team without init/fini starts");
	if (rc == 0) {
		spin_team = &t;
		team_run(&t, w_spin, NULL);
		ok(cnt.fn_calls[0] == 1 && cnt.fn_calls[1] == 1, "and runs a command");
		team_destroy(&t);
	}
	is_int(threads_settle(base), base, "and is joined by team_destroy");

	/* ---- a CPU that cannot be bound (this machine's topology) */
	if (topo_load(&real, NULL) < 0) {
		ok(1, "unbindable CPU # SKIP this machine's topology cannot be loaded");
	} else {
		hwloc_bitmap_t allowed = topo_allowed_cpus(&real);
		int first = allowed ? hwloc_bitmap_first(allowed) : -1;

		hwloc_bitmap_free(allowed);
		c.topo = &real;
		if (first < 0 || real.fake) {
			ok(1, "unbindable CPU # SKIP no allowed CPU of this machine to bind to");
		} else {
			int bad[2] = { first, 1 << 20 };

			reset(-1);
			rc = team_init(&t, &c, bad, 2, &ops);
			ok(rc < 0, "a worker pinned to CPU %d (not a CPU here) fails the team (%d: %s)",
			   bad[1], rc, strerror(rc < 0 ? -rc : 0));
			is_int(cnt.init_calls, 1, "init ran only on the worker that could be bound");
			ok(cnt.fini_calls == 1 && cnt.fini_idx[0] == 1,
			   "fini ran on that worker (its init had succeeded)");
			is_int(threads_settle(base), base, "both threads were joined");

			reset(-1);
			bad[0] = 1 << 20;
			rc = team_init(&t, &c, bad, 1, &ops);
			ok(rc < 0 && cnt.init_calls == 0 && cnt.fini_calls == 0,
			   "a lone unbindable worker: the team fails, no init, no fini");
			is_int(threads_settle(base), base, "and its thread was joined");
		}
		topo_free(&real);
	}
	topo_free(&fake);
	return done_testing();
}
