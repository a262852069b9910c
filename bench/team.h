/* SPDX-License-Identifier: MIT */
/*
 * team.h — one team of pinned worker threads for every bench that runs threads in
 * parallel (bandwidth, falseshare, the NUMA matrix benches), so they all start, pin,
 * synchronise and fail the same way instead of each carrying its own pool.
 *
 * team_init() creates n workers, each pinned to its CPU (checked with sched_getcpu
 * through bench_pin) and then running the optional per-worker init callback on its own
 * thread (per-thread counters must be opened there); it returns only when every worker
 * is ready, or fails with nothing left running (a worker that could not be created
 * makes the others leave without touching the barriers: join-on-failure).  Between
 * commands the workers are parked in a barrier (no CPU burnt while the main thread
 * computes statistics on a small machine).  team_run(fn, arg) releases them into
 * fn(arg, idx) and waits for all; team_start()/team_wait() split that so the caller can
 * work meanwhile.  Inside fn, team_sync() is the spinning start barrier before a timed
 * region: waking a parked thread on a VM can take longer than a bandwidth pass, so
 * workers meet spinning and then each times its own interval (DESIGN §4).
 * team_destroy() runs the fini callback on every worker and joins them.
 */
#ifndef LOCUS_TEAM_H
#define LOCUS_TEAM_H

#include <pthread.h>
#include <stdbool.h>
#include "bench.h"

struct team_ops {
	/* On each worker after pinning, before team_init returns; 0 or a negative errno
	 * (which fails team_init).  May be NULL. */
	int (*init)(void *arg, int idx);
	/* On each worker whose init succeeded, before it exits.  May be NULL. */
	void (*fini)(void *arg, int idx);
	void *arg;
};

struct team {
	struct bench_ctx *ctx;
	int n;
	int *cpu_asked, *cpu_got;     /* per worker: CPU asked, CPU it runs on */
	pthread_t *th;
	struct team_ops ops;
	pthread_barrier_t go, done;
	void (*fn)(void *arg, int idx);
	void *arg;
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int gate;                     /* 0 closed, 1 go, -1 abort */
	bool quit;
	bool live;                    /* threads running (team_destroy joins them) */
	int err;
	/* Alone in its line: the spinning start barrier's counter. */
	unsigned arrived __attribute__((aligned(128)));
	char pad_[124];
};

/* Start n workers pinned to cpus[0..n) (ops may be NULL).  Returns 0, or a negative
 * errno with one message naming the bench (nothing left running). */
int team_init(struct team *t, struct bench_ctx *c, const int *cpus, int n,
	      const struct team_ops *ops);
/* Release every worker into fn(arg, idx); team_wait() waits until all returned. */
void team_start(struct team *t, void (*fn)(void *arg, int idx), void *arg);
void team_wait(struct team *t);
/* team_start + team_wait. */
void team_run(struct team *t, void (*fn)(void *arg, int idx), void *arg);
/* Worker side, inside fn: return once all n workers have arrived, spinning. */
void team_sync(struct team *t);
/* Run fini on every worker, join them, free the team (no-op if not running). */
void team_destroy(struct team *t);

#endif
