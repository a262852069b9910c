/* SPDX-License-Identifier: MIT */
/*
 * reclaim.h — what the files of the reclaim bench share among themselves: the run's
 * configuration, the memory shared with the workload child, one round's figures, and
 * the record of what locus made (for giving it back).  Internal to bench/reclaim*.c:
 * reclaim.c (options, setup, record, cleanup, descriptor), reclaim-round.c (one round:
 * the child workload and the parent's accounting), reclaim-undo.c (the give-back state
 * and its signal handling).
 */
#ifndef LOCUS_BENCH_RECLAIM_H
#define LOCUS_BENCH_RECLAIM_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "cgroup.h"
#include "swap.h"

#define RECLAIM_PAGE 4096ull

struct reclaim_cfg {
	uint64_t ws, ws_asked, limit, file_bytes, anon_bytes, chunk;
	unsigned passes, rounds;
	const char *dir, *swap_asked;
	long fs_type;
	long swappiness;
};

/* Shared with the child (MAP_SHARED, touched by the parent first so it is charged to
 * the parent's cgroup, not the one under test). */
struct reclaim_shared {
	int failed;              /* the child's errno when it gave up */
	int step;                /* what it was doing */
	long majflt, minflt;
	uint64_t alloc_n, access_n;
	uint64_t sink;
};

/* The latency arrays follow the header, 8-byte aligned. */
#define RECLAIM_SHARED_HDR ((sizeof(struct reclaim_shared) + 63) / 64 * 64)

struct reclaim_job {
	uint64_t file_bytes, anon_bytes, chunk, limit;
	unsigned passes;
	const char *file;
	int go_fd;               /* read end: one byte once the child is in the cgroup */
	int current_fd;          /* memory.current, opened by the parent */
	struct reclaim_shared *sh;
	double *alloc_ns;        /* [anon_bytes / chunk] */
	unsigned char *at_limit; /* [anon_bytes / chunk] */
	double *access_ns;       /* [passes * (file + anon) / chunk] */
};

struct reclaim_round {
	double alloc[3], access[3];
	long majflt;
	size_t at_limit, alloc_n, access_n;
	double cached_before;
	json_t *vm_before, *vm_after;
};

/* ---- reclaim-undo.c */

/*
 * What the signal handler must undo, filled in as things are made.  One instance: a
 * process runs one reclaim bench at a time.
 */
struct reclaim_undo {
	pid_t owner;
	volatile sig_atomic_t child;
	struct cgroup2 cg;
	struct swap_area swap;
	char file[PATH_MAX];
	volatile sig_atomic_t have_file;
	bool hooked;
	struct sigaction old[3];
};
extern struct reclaim_undo reclaim_undo;
/* The signals whose arrival gives everything back: SIGINT, SIGTERM, SIGHUP. */
#define RECLAIM_NSIG 3
extern const int reclaim_signals[RECLAIM_NSIG];

struct reclaim_gone {
	int cgroup, swap, file;   /* 0 or the negative errno of the removal */
};

/* Block the give-back signals in this thread; *old gets the previous mask. */
void reclaim_block(sigset_t *old);
/* Start recording (reclaim_undo cleared, owned by this process) and install the
 * signal handlers and, once per process, the atexit handler. */
void reclaim_hook(void);
/* Give everything back (the results in *g) and restore the signal dispositions. */
void reclaim_unhook(struct reclaim_gone *g);

/* ---- reclaim-round.c */

/* acc[key] += after[key] - before[key] for every integer key of after. */
void reclaim_add_delta(json_t *acc, json_t *before, json_t *after);
/* after[key] - before[key] (0 for an absent key). */
json_int_t reclaim_delta(json_t *before, json_t *after, const char *key);
/* One round: a fresh child in the cgroup through the whole workload; fills *r and adds
 * the cgroup's memory.stat and memory.events deltas to the accumulators.  *oom is set
 * when the cgroup OOM-killed it.  0 or a negative errno (message printed). */
int reclaim_one_round(const struct reclaim_cfg *cf, struct reclaim_job *j,
		      struct reclaim_round *r, json_t *stat_acc, json_t *events_acc, bool *oom);

#endif
