/* SPDX-License-Identifier: MIT */
/*
 * chase.h — dependent-load chains (pointer chasing) and staircase detection, shared by
 * the latency and tlb benchmarks.
 *
 * A load whose address comes from the previous load cannot start before that load
 * finishes, so the time per step of a chain is the load-to-use latency of wherever the
 * chain's elements live.  Both benches need the same three pieces, kept here once:
 * building random single-cycle chains with a stated locality window, verifying by
 * walking them that each really is one cycle over its elements (a broken chain would
 * silently measure a smaller footprint), and finding the knees of a latency-versus-
 * footprint curve.  Nothing here allocates benchmark memory or knows about results:
 * the caller passes a buffer from lib/mem.h and records what it gets back.
 */
#ifndef LOCUS_CHASE_H
#define LOCUS_CHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Up to 12 chains: with more, x86-64 runs out of registers and the loop would
 * spill pointers to the stack, adding store-forwarding delay to the chains. */
#define CHASE_MAX_CHAINS 12
/* Loads per chain per loop iteration of chase_run(): the loop overhead is amortised
 * and the timed region is nothing but dependent loads. */
#define CHASE_UNROLL 16
#define CHASE_CKPTS 8

/*
 * Geometry of the chains.  Element k occupies slot k: the `stride` bytes at
 * base + k*stride; inside its slot it sits at a line boundary chosen at random (always
 * offset 0 when stride == line), so one-line-per-page chains do not pile into a few
 * cache sets.  An element uses 16 bytes: the pointer to the next element, and a word of
 * scratch for the construction.
 *
 * Locality window: the elements are cut into groups of `group` consecutive slots; the
 * chain visits every element of a group, in random order, before it moves on to the
 * next group, and the groups are visited in random order (multichase's TLB-locality
 * window).  group 0 (or >= nelem) means one group: a fully random cycle.
 *
 * chains > 1 splits the visiting order into that many equal consecutive parts, each
 * closed into its own cycle: independent chains that the CPU can follow in parallel.
 */
struct chase_layout {
	size_t nelem;      /* elements, >= chains */
	size_t stride;     /* bytes per slot: a multiple of line */
	size_t line;       /* cache line size, >= 16, a power of two */
	size_t group;      /* elements per locality window; 0 = fully random */
	unsigned chains;   /* 1..CHASE_MAX_CHAINS */
	uint64_t seed;     /* same seed, same chains */
};

struct chase {
	struct chase_layout l;
	char *base;
	size_t ngroups;
	void *start[CHASE_MAX_CHAINS];  /* first element of each chain */
	size_t len[CHASE_MAX_CHAINS];   /* elements in each chain */
	void *cur[CHASE_MAX_CHAINS];    /* where the next chase_run() continues */
	/* Checkpoints recorded while linking: up to CHASE_CKPTS elements spread along each
	 * chain (the first is its start) and their positions, so that verification can
	 * walk the segments between them in parallel. */
	unsigned nckpt[CHASE_MAX_CHAINS];
	void *ckpt[CHASE_MAX_CHAINS][CHASE_CKPTS];
	size_t ckpt_pos[CHASE_MAX_CHAINS][CHASE_CKPTS];
};

/* Bytes of buffer a layout needs (nelem × stride). */
size_t chase_bytes(const struct chase_layout *l);

/*
 * Build the chains in buf (chase_bytes() bytes, aligned to at least `line`).  Each chain
 * is a single cycle by construction: the visiting order is a uniformly random
 * permutation inside each group (Durstenfeld's shuffle, which for one group is
 * distributed exactly like Sattolo's algorithm: every cyclic order equally likely), the
 * group order is a random cycle from Sattolo's algorithm, and consecutive elements are
 * linked.  Returns 0, or -EINVAL for a bad layout, -ENOMEM when the group order does not
 * fit in memory.
 */
int chase_build(struct chase *c, void *buf, const struct chase_layout *l);

/*
 * Walk every chain once and check that it is a single cycle of len[k] elements, that
 * every pointer lands on an element of this buffer, and that the chains are disjoint.
 * The walk runs the segments between consecutive checkpoints in parallel (a dependent
 * walk of a DRAM-sized chain would take seconds): each segment must reach the next
 * checkpoint of its chain after exactly its length in steps, without meeting any
 * checkpoint on the way.  Since every chain's first element is a checkpoint, the first
 * return to it is after exactly len[k] steps — one cycle of len[k] distinct elements —
 * and a chain meeting another would meet that chain's checkpoints.  Also a warm-up
 * pass; resets cur[] to start[].  *steps (may be NULL) receives the steps walked.
 * Returns 0 when all holds, -EPROTO otherwise (-ENOMEM if out of memory).
 */
int chase_verify(struct chase *c, uint64_t *steps);

/* Follow each chain for iters × CHASE_UNROLL steps, all chains interleaved in one loop,
 * continuing from cur[].  Returns the number of loads done (chains × iters × UNROLL). */
uint64_t chase_run(struct chase *c, uint64_t iters);

/* The address of element k (slot k plus its line offset); for tests. */
void *chase_elem(const struct chase *c, size_t k);

/*
 * The core clock, measured: a chain of dependent one-cycle integer adds timed with the
 * timer (lib/timer.h, which must be initialised), best of several runs.  Returns Hz, or
 * 0 where no such loop is available (not x86).  This is the clock the core ran at while
 * measuring, which with turbo or a VM is not the TSC frequency.
 */
double chase_core_clock_hz(void);

/*
 * Staircase: the plateaus and knees of y (a latency, > 0) against x (footprints,
 * ascending, > 0).  A transition is a run of intervals rising by more than `steep` per
 * doubling of x (and by more than 3% per interval); runs separated by one interval that
 * still rises are merged; a transition whose total rise is below `min_rise` is ignored
 * (noise, slow creep).  The plateaus are the stretches between transitions, and their
 * levels the medians of their points; a transition whose upper plateau is not min_rise
 * above its lower one (a spike that comes back down) is dropped, plateaus merged.  A knee's size is where the curve, interpolated
 * linearly in log2(x), has covered 10% of the step from the lower plateau's level to the
 * upper one: for a cache of capacity C walked by a random cycle, about C (LRU-like
 * replacement collapses right after C; random replacement reaches 10% at C/0.9).
 */
#define CHASE_MAX_KNEES 15
struct chase_knee {
	double size;          /* inferred capacity (x units) */
	double last_below;    /* x of the plateau's last point before the rise */
	double first_above;   /* x of the first point of the next plateau */
	double below, above;  /* the two plateau levels */
};
struct chase_stairs {
	size_t nknees;
	struct chase_knee knee[CHASE_MAX_KNEES];
	size_t nplateaus;                        /* nknees + 1 */
	size_t first[CHASE_MAX_KNEES + 1];       /* plateau p covers points first..last */
	size_t last[CHASE_MAX_KNEES + 1];
	double level[CHASE_MAX_KNEES + 1];
};
#define CHASE_STEEP_DEFAULT 1.3     /* +30% per doubling */
#define CHASE_MIN_RISE_DEFAULT 1.25 /* a step of at least +25% */
/* Returns 0 (possibly with no knees), or -EINVAL for n < 2 or bad values. */
int chase_staircase(const double *x, const double *y, size_t n, double steep, double min_rise,
		    struct chase_stairs *out);

/* ---- timing (framework-free) --------------------------------------------------- */

/*
 * One timed sample for the repetition driver (a repeat_fn): `arg` is a struct
 * chase_sampler; follows iters rounds on every chain, continuing where the previous
 * sample stopped, and stores nanoseconds per load.  A sample during which the thread
 * was switched out (getrusage context-switch counts moved) timed someone else's work
 * too: it is taken again, up to max_retries times, and then kept as it is; both are
 * counted, so the result can say how disturbed the machine was.
 */
struct chase_sampler {
	struct chase *ch;
	uint64_t iters;   /* rounds per sample (each round: CHASE_UNROLL loads per chain) */
	uint64_t loads;   /* loads per sample: iters × CHASE_UNROLL × chains */
	unsigned max_retries;
	uint64_t retried;          /* samples taken again after a context switch */
	uint64_t kept_switched;    /* samples kept although switched out (retries exhausted) */
};
int chase_sample(void *arg, double *sample);

/* Choose iters so that one sample lasts about sample_ns (timed on a short run of the
 * chain itself; at least one round).  Fills s->iters and s->loads. */
void chase_calibrate(struct chase_sampler *s, double sample_ns);

/* ---- framework side (chase-bench.c) -------------------------------------------- */

#include <jansson.h>
#include "mem.h"

struct bench_ctx;

/*
 * Before allocating `bytes` of hugetlb `page` pages (2M, 1G; other kinds: nothing to
 * do): count the pool's free pages and, with `reserve`, raise the pool through
 * mem_hugepages_reserve() (*reserved is set; the caller gives the pages back with
 * mem_hugepages_release() when done, which also happens at exit and on signals).
 * Returns the bytes the pool can back, at most `bytes` (0 after recording a skip with
 * `labels`, the reason and the command that reserves pages), or a negative errno.
 * labels are stolen.
 */
int64_t chase_hugetlb_ready(struct bench_ctx *c, enum mem_page page, uint64_t bytes,
			    bool reserve, json_t *labels, bool *reserved);

/*
 * The page_size label of a verified region: what it got.  The asked kind when the
 * verification says so; otherwise the kind that backs it ("4K", "THP", "2M", "1G"), or
 * "mixed" when the asked kind backs only part of it (e.g. THP under 90%) — with a
 * warning naming both.  v may be NULL (verification failed): "unverified".
 */
const char *chase_page_label(struct bench_ctx *c, const struct mem_region *r,
			     const struct mem_verified *v);

/*
 * Build the chains of `layout` in buf, verify them by walking (-EPROTO with a message
 * when they are not disjoint single cycles), calibrate a sample to sample_ns, and
 * measure `metric` through bench_measure() with `events`.  labels and verified are
 * stolen; verified receives single_cycle, chains, elements, cycle_lengths, stride_bytes,
 * group_elements, loads_per_sample, cpu, cpu_ok.  *median receives the measurement's
 * median (NaN when unknown).  Returns 0 or a negative errno.
 */
struct chase_point {
	const char *metric;
	json_t *labels, *verified;
	struct chase_layout layout;
	void *buf;
	double sample_ns;
	const char *const *events;
	int cpu;                 /* the CPU the thread was pinned to (for cpu_ok) */
};
int chase_measure(struct bench_ctx *c, struct chase_point *pt, double *median);

#endif
