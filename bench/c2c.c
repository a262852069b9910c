/* SPDX-License-Identifier: MIT */
/*
 * c2c.c — core-to-core cache-line transfer latency, over pairs of CPUs.
 *
 * Two threads pinned to CPUs a and b bounce one modified cache line: a stores an odd
 * sequence number, b spins until it sees it and stores the next (even) one, a spins
 * until it sees that.  Each store needs the line in the writer's cache in Modified
 * state, so every round trip moves the line a -> b -> a.  The metric is
 *
 *	latency = (time of N round trips) / (2 N)
 *
 * i.e. the one-way time from a store on one CPU until a load on the other sees it,
 * including the transfer of the modified line (the definition is also recorded in
 * each measurement's "verified").  It depends on what the two CPUs share, so every
 * pair is labelled with its relation from the hwloc topology: `smt` (hardware threads
 * of one core), `l2` (cores sharing an L2), `l3` (sharing an L3), `node` (same NUMA
 * node, no shared cache), `remote` (different nodes).  Small machines measure every
 * pair (up to --max-pairs); larger ones a sample spread evenly over each relation's
 * pairs.  Relations with no pair among the allowed CPUs are recorded as skips.
 *
 * The calling thread is side a (its affinity is restored afterwards), so the
 * framework's counters (context switches, migrations) describe it; b is a helper
 * thread.  The line lives in its own page, first touched by a after pinning (on
 * multi-socket machines the home node matters; it is recorded).  Verified: both CPUs
 * from sched_getcpu() before and after each sample, and that b answered every round
 * trip (the sequence number at the end is exactly twice the round trips).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "log.h"
#include "timer.h"

enum c2c_rel { C2C_SMT, C2C_L2, C2C_L3, C2C_NODE, C2C_REMOTE, C2C_NR_REL };
static const char *const c2c_rel_names[C2C_NR_REL] = { "smt", "l2", "l3", "node", "remote" };
static const char *const c2c_rel_what[C2C_NR_REL] = {
	"hardware threads of one core", "cores sharing an L2 but not a core",
	"cores sharing an L3 but not an L2", "CPUs of one NUMA node sharing no cache",
	"CPUs of different NUMA nodes",
};

#define C2C_STOP UINT64_MAX
#define C2C_DEFINITION "half the time of a round trip of one modified cache line " \
	"between cpu_a and cpu_b (a stores, b sees it and stores, a sees that)"

static const char *const c2c_events[] = {
	"perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS", NULL,
};

struct c2c_line {
	_Atomic uint64_t seq;
};

struct c2c_pair {
	struct bench_ctx *ctx;
	struct c2c_line *line;
	int cpu_a, cpu_b;             /* asked */
	int got_a;                    /* obtained (sched_getcpu after pinning) */
	_Atomic int got_b;            /* -errno while pinning fails; INT_MIN until known */
	uint64_t seq;                 /* a's last value */
	uint64_t answered;            /* b's answers (written by b, read after join) */
	long round_trips;
	unsigned moved;               /* samples where a or b was not on its CPU */
	_Atomic unsigned b_moved;
	pthread_t th;
};

static void *c2c_responder(void *arg)
{
	struct c2c_pair *p = arg;
	uint64_t expect = 1, answered = 0;
	int cpu = bench_pin(p->ctx, p->cpu_b);

	atomic_store(&p->got_b, cpu);
	if (cpu < 0)
		return NULL;
	for (;;) {
		uint64_t v;
		/* Plain spinning, no pause: the pause instruction's delay would be
		 * counted in the latency. */
		while ((v = atomic_load_explicit(&p->line->seq, memory_order_acquire)) != expect)
			if (v == C2C_STOP)
				goto out;
		atomic_store_explicit(&p->line->seq, expect + 1, memory_order_release);
		expect += 2;
		if (++answered % 4096 == 0 && sched_getcpu() != cpu)
			atomic_fetch_add(&p->b_moved, 1);
	}
out:
	p->answered = answered;
	return NULL;
}

static int c2c_sample(void *arg, double *sample)
{
	struct c2c_pair *p = arg;
	uint64_t v = p->seq, t0, t1;
	int before = sched_getcpu();

	t0 = timer_now();
	for (long i = 0; i < p->round_trips; i++) {
		atomic_store_explicit(&p->line->seq, ++v, memory_order_release);
		while (atomic_load_explicit(&p->line->seq, memory_order_acquire) != v + 1)
			;
		v++;
	}
	t1 = timer_now();
	p->seq = v;
	if (before != p->got_a || sched_getcpu() != p->got_a)
		p->moved++;
	*sample = timer_ticks_to_ns(t1 - t0) / (2.0 * (double)p->round_trips);
	return 0;
}

/* The NUMA node whose own CPUs include cpu, or -1. */
static int c2c_node_of(const struct locus_topo *tp, int cpu)
{
	int max = topo_max_node_index(tp);

	for (int n = 0; n <= max; n++) {
		hwloc_bitmap_t own = topo_node_cpus(tp, (unsigned)n);
		bool in = own && hwloc_bitmap_isset(own, (unsigned)cpu);
		hwloc_bitmap_free(own);
		if (in)
			return n;
	}
	return -1;
}

/* What a and b share: the lowest common core or cache, else their nodes. */
static enum c2c_rel c2c_relation(const struct locus_topo *tp, int a, int b)
{
	hwloc_obj_t pa = hwloc_get_pu_obj_by_os_index(tp->t, (unsigned)a);

	for (hwloc_obj_t o = pa ? pa->parent : NULL; o; o = o->parent) {
		if (!o->cpuset || !hwloc_bitmap_isset(o->cpuset, (unsigned)b))
			continue;
		if (o->type == HWLOC_OBJ_CORE || o->type == HWLOC_OBJ_L1CACHE)
			return C2C_SMT;
		if (o->type == HWLOC_OBJ_L2CACHE)
			return C2C_L2;
		if (o->type == HWLOC_OBJ_L3CACHE)
			return C2C_L3;
	}
	return c2c_node_of(tp, a) == c2c_node_of(tp, b) ? C2C_NODE : C2C_REMOTE;
}

static int c2c_measure_pair(struct bench_ctx *ctx, int a, int b, enum c2c_rel rel,
			    long round_trips, bool *failed)
{
	struct c2c_pair p = { .ctx = ctx, .cpu_a = a, .cpu_b = b, .round_trips = round_trips };
	struct mem_region r;
	struct mem_verified mv;
	json_t *labels, *verified, *mem = json_null();
	int rc, gb;

	atomic_init(&p.got_b, -1000000);
	atomic_init(&p.b_moved, 0);
	labels = json_pack("{s:i, s:i, s:s}", "cpu_a", a, "cpu_b", b, "relation", c2c_rel_names[rel]);
	p.got_a = bench_pin(ctx, a);
	if (p.got_a < 0 || p.got_a != a) {
		bench_skip(ctx, labels, "cannot run on CPU %d (%s)", a,
			   p.got_a < 0 ? strerror(-p.got_a) : "sched_getcpu disagrees");
		return 0;
	}
	rc = bench_alloc(ctx, &r, 4096, MEM_PAGE_DEFAULT);
	if (rc < 0) {
		json_decref(labels);
		return rc;
	}
	memset(r.p, 0, 4096);
	p.line = r.p;
	if (mem_verify(&r, 1, &mv) == 0)
		mem = mem_verified_json(&r, &mv);
	rc = pthread_create(&p.th, NULL, c2c_responder, &p);
	if (rc) {
		mem_free(&r);
		json_decref(labels);
		json_decref(mem);
		return -rc;
	}
	while ((gb = atomic_load(&p.got_b)) == -1000000)
		sched_yield();
	if (gb < 0 || gb != b) {
		atomic_store(&p.line->seq, C2C_STOP);
		pthread_join(p.th, NULL);
		mem_free(&r);
		json_decref(mem);
		bench_skip(ctx, labels, "cannot run on CPU %d (%s)", b,
			   gb < 0 ? strerror(-gb) : "sched_getcpu disagrees");
		return 0;
	}
	verified = json_pack("{s:s, s:i, s:i, s:i, s:i, s:s, s:I, s:o}",
		"definition", C2C_DEFINITION, "cpu_a_asked", a, "cpu_b_asked", b,
		"cpu_a", p.got_a, "cpu_b", gb, "relation", c2c_rel_names[rel],
		"round_trips_per_sample", (json_int_t)round_trips, "memory", mem);
	json_incref(verified);   /* completed after the samples */
	struct bench_measure m = {
		.metric = "latency", .labels = labels, .verified = verified,
		.fn = c2c_sample, .arg = &p, .events = c2c_events,
		.ops_per_sample = 2.0 * (double)round_trips, .counters_per = "transfer",
	};
	rc = bench_measure(ctx, &m);
	atomic_store(&p.line->seq, C2C_STOP);
	pthread_join(p.th, NULL);
	bool all_answered = p.answered * 2 == p.seq;
	unsigned moved = p.moved + atomic_load(&p.b_moved);
	json_object_set_new(verified, "round_trips_answered", json_boolean(all_answered));
	json_object_set_new(verified, "moved_samples", json_integer(moved));
	json_object_set_new(verified, "ok", json_boolean(all_answered && moved == 0));
	json_decref(verified);
	mem_free(&r);
	if (rc == 0 && !all_answered) {
		bench_warn(ctx, "c2c %d-%d: the responder answered %llu of %llu round trips", a, b,
			   (unsigned long long)p.answered, (unsigned long long)(p.seq / 2));
		*failed = true;
	}
	if (rc == 0 && moved)
		bench_warn(ctx, "c2c %d-%d: a thread was found off its CPU in %u checks", a, b, moved);
	return rc;
}

static int c2c_run(struct bench_ctx *ctx)
{
	int ncpu = bench_nr_cpus(ctx), rc = 0;
	long max_pairs = bench_opt_int(ctx, "max-pairs");
	long round_trips = bench_opt_int(ctx, "round-trips");
	bool want[C2C_NR_REL] = { false }, failed = false;
	size_t npairs = (size_t)ncpu * (size_t)(ncpu - 1) / 2, count[C2C_NR_REL] = { 0 };
	int (*pairs)[2];
	enum c2c_rel *rel;
	cpu_set_t saved;
	char buf[32];

	for (size_t i = 0; i < bench_opt_count(ctx, "relations"); i++) {
		bench_opt_choice_at(ctx, "relations", i, buf, sizeof(buf));
		for (int k = 0; k < C2C_NR_REL; k++)
			if (strcmp(buf, c2c_rel_names[k]) == 0)
				want[k] = true;
	}
	pairs = calloc(npairs ? npairs : 1, sizeof(*pairs));
	rel = calloc(npairs ? npairs : 1, sizeof(*rel));
	if (!pairs || !rel) {
		free(pairs);
		free(rel);
		return -ENOMEM;
	}
	npairs = 0;
	for (int i = 0; i < ncpu; i++)
		for (int j = i + 1; j < ncpu; j++) {
			int a = bench_cpu_at(ctx, i), b = bench_cpu_at(ctx, j);
			enum c2c_rel r = c2c_relation(ctx->topo, a, b);
			if (!want[r])
				continue;
			pairs[npairs][0] = a;
			pairs[npairs][1] = b;
			rel[npairs++] = r;
			count[r]++;
		}

	int present = 0;
	for (int k = 0; k < C2C_NR_REL; k++) {
		if (!want[k])
			continue;
		if (count[k])
			present++;
		else {
			char cl[128];
			topo_list_str(ctx->cpus, cl, sizeof(cl));
			bench_skip(ctx, json_pack("{s:s}", "relation", c2c_rel_names[k]),
				   "no pair of CPUs %s is %s: %s", cl, c2c_rel_names[k],
				   c2c_rel_what[k]);
		}
	}
	/* All pairs when they fit in --max-pairs, else an even spread within each
	 * relation (each gets an equal share, at least one pair). */
	size_t quota = npairs <= (size_t)max_pairs ? SIZE_MAX
		       : (size_t)(max_pairs / (present ? present : 1) > 0 ? max_pairs / (present ? present : 1) : 1);
	sched_getaffinity(0, sizeof(saved), &saved);
	for (int k = 0; k < C2C_NR_REL && rc == 0; k++) {
		size_t take = count[k] < quota ? count[k] : quota, seen = 0, next = 0, taken = 0;
		for (size_t i = 0; i < npairs && rc == 0 && taken < take; i++) {
			if (rel[i] != (enum c2c_rel)k)
				continue;
			if (seen++ != next * count[k] / take)
				continue;
			next++;
			taken++;
			rc = c2c_measure_pair(ctx, pairs[i][0], pairs[i][1], (enum c2c_rel)k,
					      round_trips, &failed);
		}
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	free(pairs);
	free(rel);
	if (rc == 0 && failed)
		rc = -EPROTO;
	return rc;
}

static const char *c2c_supported(struct bench_ctx *ctx)
{
	return bench_nr_cpus(ctx) < 2 ? "core-to-core transfers need at least 2 CPUs" : NULL;
}

static const struct bench_opt c2c_opts[] = {
	{ .name = "relations", .type = BOPT_CHOICES, .def = "smt,l2,l3,node,remote",
	  .choices = "smt,l2,l3,node,remote",
	  .help = "which CPU relations to measure (those the topology lacks are skipped)" },
	{ .name = "max-pairs", .type = BOPT_INT, .def = "32", .quick = "4", .min = 1, .max = 1000000,
	  .help = "measure every pair when there are at most this many, else an even sample "
		  "of each relation's pairs" },
	{ .name = "round-trips", .type = BOPT_INT, .def = "20000", .quick = "5000", .min = 10,
	  .max = 100000000, .help = "round trips of the line per sample" },
	{ .name = NULL },
};

static const struct bench_metric c2c_metrics[] = {
	{ .name = "latency", .unit = "ns", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure c2c_figures[] = {
	{ .kind = BFIG_MATRIX, .metric = "latency", .rows = "cpu_a", .x = "cpu_b",
	  .title = "Core-to-core latency", .xlabel = "CPU", .ylabel = "one-way latency",
	  .caption = "Median one-way hand-off latency of a modified cache line between two "
		"CPUs (rows and columns); CPU 0 is top left." },
	{ .kind = BFIG_BARS, .metric = "latency", .x = "relation",
	  .title = "Core-to-core latency by what the CPUs share", .xlabel = "what the two CPUs share",
	  .ylabel = "one-way latency",
	  .caption = "Median one-way hand-off latency per relation of the two CPUs, with 95% "
		"CI." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_c2c_info = {
	.name = "c2c",
	.summary = "core-to-core latency: a modified cache line bounced between two CPUs",
	.description =
		"Two threads pinned to CPUs a and b bounce one modified cache line (ping-pong on\n"
		"an atomic sequence number).  latency = round-trip time / 2: the one-way time from\n"
		"a store on one CPU until a load on the other sees it, including the transfer of\n"
		"the line.  Pairs are labelled by what they share in the hwloc topology: smt,\n"
		"l2, l3, node (same NUMA node, no shared cache) or remote (different nodes).\n"
		"Every pair is measured when there are at most --max-pairs, else an even sample\n"
		"of each relation.  Labels cpu_a, cpu_b, relation; both CPUs are verified with\n"
		"sched_getcpu() and every round trip is checked to have been answered.",
	.opts = c2c_opts,
	.metrics = c2c_metrics,
	.headline = "latency",
	.figures = c2c_figures,
	.explain = "Two threads pass a modified cache line back and forth, so each hand-off "
		"is a cache-to-cache transfer between their cores. The latency depends on "
		"what the two CPUs share: a core (SMT), an L2, an L3, a NUMA node, or "
		"nothing but the interconnect.",
	.supported = c2c_supported,
	.run = c2c_run,
};
