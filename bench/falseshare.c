/* SPDX-License-Identifier: MIT */
/*
 * falseshare.c — false sharing: T pinned threads each increment their own counter.
 *
 * Four memory layouts of the counters show what a cache line costs when threads write
 * to it: `packed` (all counters in one line, which a core must own to write to it, so
 * it travels between the writers), `padded` (one line per counter, line size from the topology), `padded2`
 * (two lines per counter, so the adjacent-line prefetcher, which fetches lines in
 * 128-byte pairs, cannot drag a neighbour's line along) and `shared` (all threads on
 * one atomic counter: true sharing, the contrast).  Placement decides which caches the
 * line travels through: `smt` (hardware threads of one core), `core` (different cores
 * under the smallest shared cache), `package` and `node` (threads spread round-robin
 * over packages / NUMA nodes); a placement the topology cannot offer is recorded as a
 * skip with the reason.  The CPUs come from hwloc, restricted to the bench's CPU set.
 *
 * One sample: the pinned workers (bench/team.c) meet at its spinning start barrier, each runs increments for a
 * fixed duration (each checks its own deadline every batch, so no shared stop flag
 * disturbs the lines), and reports its operation count and elapsed ticks.  Two kinds
 * of increment, label `increment`: `plain` (through a volatile pointer: load, add,
 * store, so the compiler cannot keep the counter in a register, which would hide the
 * sharing) and `atomic` (a relaxed fetch_add: x86's lock add, which must own the line
 * for every operation).  They answer different questions: a core that forwards its
 * own pending stores to its loads and drains its store buffer in bursts whenever the
 * line comes back absorbs much of the cost of a plain store stream, but not of locked
 * read-modify-writes (counters, reference counts, locks).  `shared` is always atomic
 * (plain increments of one counter would lose updates).  Every sample is checked:
 * each counter must hold exactly the count its thread reports (the shared one, the
 * sum).
 *
 * Metric `ops_per_sec` with the label `scope`: `aggregate` (all increments of a sample
 * over the span from the first start to the last stop: the machine's throughput) and
 * `thread` (each thread's own rate; T values per sample, all kept, so unfairness
 * between the threads shows in the distribution).  Labels: layout, increment, threads,
 * placement, scope.
 * The framework's counters would count the (sleeping) calling thread only, so the
 * workers count perf::CONTEXT-SWITCHES and perf::CPU-MIGRATIONS themselves; they go
 * under verified.worker_counters with the sched_getcpu() checks that show the threads
 * stayed where they were put, and verified.worker_on_cpu_fraction says how much of each
 * sample the threads really ran (thread CPU time over wall time; a busy machine that
 * switches them out hides the sharing, and then a warning says so).
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "bench.h"
#include "log.h"
#include "team.h"
#include "timer.h"

/* Increments between deadline checks: large enough that reading the clock costs a few
 * percent at most, small enough to stop within a microsecond or so of the deadline. */
#define FS_BATCH 256

enum fs_layout { FS_PACKED, FS_PADDED, FS_PADDED2, FS_SHARED, FS_NR_LAYOUTS };
static const char *const fs_layout_names[FS_NR_LAYOUTS] = {
	"packed", "padded", "padded2", "shared",
};

enum fs_placement { FS_SMT, FS_CORE, FS_PACKAGE, FS_NODE, FS_NR_PLACEMENTS };
static const char *const fs_placement_names[FS_NR_PLACEMENTS] = {
	"smt", "core", "package", "node",
};

static const char *const fs_worker_events[] = {
	"perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS",
};
#define FS_NR_EVENTS 2

struct fs_pool;

/* One worker.  Written by its thread only between the barriers; aligned so that two
 * workers' results never share a line either. */
struct fs_worker {
	int cpu_end;
	uint64_t ops, t0, t1;
	uint64_t cpu_ns;        /* thread CPU time over the sample */
	struct counters *ctr;
	long long ev[FS_NR_EVENTS];
} __attribute__((aligned(128)));

struct fs_pool {
	struct bench_ctx *ctx;
	int nthreads;
	struct fs_worker *w;
	struct team team;
	/* This sample: what to run and where. */
	enum fs_layout layout;
	bool atomic;
	uint64_t dur_ticks;
	volatile uint64_t *counter[64];     /* per thread (shared: all the same) */
	/* Per call of the sample function (warm-up included; the tail is what was kept). */
	struct samples thread_rates, ctx_sw, migr, on_cpu;
	unsigned calls, bad_counts, moved;
};

/* ---- placement ------------------------------------------------------------------- */

/* The first allowed PU of every core inside `within` (in topology order), up to max;
 * returns how many.  Without Core objects every PU counts as a core. */
static int cores_in(hwloc_topology_t t, hwloc_const_bitmap_t within,
		    hwloc_const_bitmap_t allowed, int *out, int max)
{
	hwloc_obj_type_t type = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE) > 0
				? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	hwloc_obj_t o = NULL;
	int n = 0;

	while (n < max && (o = hwloc_get_next_obj_by_type(t, type, o))) {
		hwloc_bitmap_and(s, o->cpuset, allowed);
		hwloc_bitmap_and(s, s, within);
		if (!hwloc_bitmap_iszero(s))
			out[n++] = hwloc_bitmap_first(s);
	}
	hwloc_bitmap_free(s);
	return n;
}

/* smt: T hardware threads of one core. */
static int pick_smt(hwloc_topology_t t, hwloc_const_bitmap_t allowed, int nt, int *cpus,
		    char *why, size_t len)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	hwloc_obj_t core = NULL;
	int most = 0;

	while ((core = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_CORE, core))) {
		hwloc_bitmap_and(s, core->cpuset, allowed);
		int w = hwloc_bitmap_weight(s);
		if (w >= nt) {
			int k = 0, cpu;
			hwloc_bitmap_foreach_begin(cpu, s)
				if (k < nt)
					cpus[k++] = cpu;
			hwloc_bitmap_foreach_end();
			hwloc_bitmap_free(s);
			return 0;
		}
		if (w > most)
			most = w;
	}
	hwloc_bitmap_free(s);
	if (most <= 1)
		snprintf(why, len, "no SMT: every core has one hardware thread among the CPUs used");
	else
		snprintf(why, len, "no core has %d hardware threads among the CPUs used (at most %d)",
			 nt, most);
	return 1;
}

/*
 * core: T different cores under the smallest cache they can share (L2 clusters first,
 * then L3, then a package, then the machine).  *shared gets the cache's name, or NULL
 * when the cores share no cache.
 */
static int pick_core(hwloc_topology_t t, hwloc_const_bitmap_t allowed, int nt, int *cpus,
		     const char **shared, char *why, size_t len)
{
	static const struct { hwloc_obj_type_t type; const char *name; } levels[] = {
		{ HWLOC_OBJ_L2CACHE, "L2" }, { HWLOC_OBJ_L3CACHE, "L3" },
		{ HWLOC_OBJ_L4CACHE, "L4" }, { HWLOC_OBJ_PACKAGE, NULL },
		{ HWLOC_OBJ_MACHINE, NULL },
	};
	int total = 0;

	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		hwloc_obj_t o = NULL;
		while ((o = hwloc_get_next_obj_by_type(t, levels[l].type, o))) {
			int n = cores_in(t, o->cpuset, allowed, cpus, nt);
			if (levels[l].type == HWLOC_OBJ_MACHINE && n > total)
				total = n;
			if (n >= nt) {
				*shared = levels[l].name;
				return 0;
			}
		}
	}
	snprintf(why, len, "%d threads need %d cores; the CPUs used cover %d", nt, nt, total);
	return 1;
}

/* package / node: threads round-robin over the containers of `type` that have allowed
 * CPUs, one core each. */
static int pick_spread(hwloc_topology_t t, hwloc_const_bitmap_t allowed, hwloc_obj_type_t type,
		       const char *what, int nt, int *cpus, char *why, size_t len)
{
	int nobj = hwloc_get_nbobjs_by_type(t, type), ncont = 0, rc = 0;
	int *cores = calloc((size_t)(nobj > 0 ? nobj : 1) * (size_t)nt, sizeof(int));
	int *ncores = calloc((size_t)(nobj > 0 ? nobj : 1), sizeof(int));
	hwloc_obj_t o = NULL;

	if (!cores || !ncores) {
		free(cores);
		free(ncores);
		return -ENOMEM;
	}
	while ((o = hwloc_get_next_obj_by_type(t, type, o))) {
		if (!o->cpuset || !hwloc_bitmap_intersects(o->cpuset, allowed))
			continue;
		ncores[ncont] = cores_in(t, o->cpuset, allowed, cores + (size_t)ncont * nt, nt);
		ncont++;
	}
	if (ncont < 2) {
		snprintf(why, len, "only %d %s%s among the CPUs used", ncont, what,
			 ncont == 1 ? "" : "s");
		rc = 1;
		goto out;
	}
	for (int i = 0; i < nt; i++) {
		int c = i % ncont, k = i / ncont;
		if (k >= ncores[c]) {
			snprintf(why, len, "%d threads spread over %d %ss need %d cores in each",
				 nt, ncont, what, (nt + ncont - 1) / ncont);
			rc = 1;
			goto out;
		}
		cpus[i] = cores[(size_t)c * nt + k];
	}
out:
	free(cores);
	free(ncores);
	return rc;
}

/* Returns 0 with cpus[] filled, 1 with `why` when the topology cannot offer it, or a
 * negative errno. */
static int pick_cpus(struct bench_ctx *ctx, enum fs_placement pl, int nt, int *cpus,
		     const char **shared, char *why, size_t len)
{
	hwloc_topology_t t = ctx->topo->t;

	*shared = NULL;
	switch (pl) {
	case FS_SMT:
		if (pick_smt(t, ctx->cpus, nt, cpus, why, len))
			return 1;
		*shared = "L1";
		return 0;
	case FS_CORE:
		return pick_core(t, ctx->cpus, nt, cpus, shared, why, len);
	case FS_PACKAGE:
		return pick_spread(t, ctx->cpus, HWLOC_OBJ_PACKAGE, "package", nt, cpus, why, len);
	case FS_NODE:
		return pick_spread(t, ctx->cpus, HWLOC_OBJ_NUMANODE, "NUMA node", nt, cpus, why,
				   len);
	default:
		return -EINVAL;
	}
}

/* ---- workers --------------------------------------------------------------------- */

/* The private-counter loop: volatile, so every increment is a load and a store to the
 * line (an optimiser keeping the counter in a register would hide the sharing). */
static uint64_t fs_loop_private(volatile uint64_t *c, uint64_t deadline)
{
	uint64_t n = 0;

	do {
		for (int i = 0; i < FS_BATCH; i++)
			*c = *c + 1;
		n += FS_BATCH;
	} while (timer_now() < deadline);
	return n;
}

/* Locked increments, of the thread's own counter or of the shared one. */
static uint64_t fs_loop_atomic(volatile uint64_t *c, uint64_t deadline)
{
	uint64_t n = 0;

	do {
		for (int i = 0; i < FS_BATCH; i++)
			__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
		n += FS_BATCH;
	} while (timer_now() < deadline);
	return n;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Per-thread counters: PAPI and perf_event count the thread that opened them, so each
 * worker opens its own (NULL when unavailable: the events are then reported as -1). */
static int fs_worker_init(void *arg, int idx)
{
	struct fs_pool *p = arg;

	p->w[idx].ctr = counters_open(fs_worker_events, FS_NR_EVENTS);
	return 0;
}

static void fs_worker_fini(void *arg, int idx)
{
	struct fs_pool *p = arg;

	if (p->w[idx].ctr)
		counters_close(p->w[idx].ctr);
}

static void fs_work(void *arg, int idx)
{
	struct fs_pool *p = arg;
	struct fs_worker *w = &p->w[idx];
	volatile uint64_t *c = p->counter[idx];

	if (w->ctr)
		counters_start(w->ctr);
	team_sync(&p->team);
	uint64_t cpu0 = thread_cpu_ns();
	w->t0 = timer_now();
	uint64_t deadline = w->t0 + p->dur_ticks;
	w->ops = p->atomic ? fs_loop_atomic(c, deadline) : fs_loop_private(c, deadline);
	w->t1 = timer_now();
	w->cpu_ns = thread_cpu_ns() - cpu0;
	w->cpu_end = sched_getcpu();
	if (!w->ctr || counters_stop(w->ctr, w->ev) < 0)
		for (int i = 0; i < FS_NR_EVENTS; i++)
			w->ev[i] = -1;
}

/* Start nt workers pinned to cpus[]; returns 0 or a negative errno (nothing left
 * running). */
static int fs_pool_start(struct fs_pool *p, const int *cpus)
{
	const struct team_ops ops = { .init = fs_worker_init, .fini = fs_worker_fini, .arg = p };

	memset(p->w, 0, (size_t)p->nthreads * sizeof(*p->w));
	return team_init(&p->team, p->ctx, cpus, p->nthreads, &ops);
}

/* One sample: ops per second over all threads; per-thread rates kept on the side. */
static int fs_sample(void *arg, double *sample)
{
	struct fs_pool *p = arg;
	uint64_t first = UINT64_MAX, last = 0, total = 0;
	long long sw = 0, mg = 0;
	double on_cpu = 1;
	bool have_ev = true;
	int rc;

	for (int i = 0; i < p->nthreads; i++)
		*p->counter[i] = 0;
	team_run(&p->team, fs_work, p);
	p->calls++;

	for (int i = 0; i < p->nthreads; i++) {
		struct fs_worker *w = &p->w[i];
		double secs = timer_ticks_to_ns(w->t1 - w->t0) * 1e-9;

		/* The share of the sample this thread really ran (threads switched out do
		 * not contend for the line meanwhile). */
		if (secs > 0 && (double)w->cpu_ns * 1e-9 / secs < on_cpu)
			on_cpu = (double)w->cpu_ns * 1e-9 / secs;
		if (p->layout != FS_SHARED && *p->counter[i] != w->ops)
			p->bad_counts++;
		total += w->ops;
		if (w->t0 < first)
			first = w->t0;
		if (w->t1 > last)
			last = w->t1;
		if (!p->ctx->topo->fake && w->cpu_end != p->team.cpu_got[i])
			p->moved++;
		if ((rc = samples_push(&p->thread_rates, secs > 0 ? (double)w->ops / secs : 0)) < 0)
			return rc;
		if (w->ev[0] < 0 || w->ev[1] < 0)
			have_ev = false;
		sw += w->ev[0];
		mg += w->ev[1];
	}
	if (p->layout == FS_SHARED && *p->counter[0] != total)
		p->bad_counts++;
	*sample = (double)total / (timer_ticks_to_ns(last - first) * 1e-9);
	if ((rc = samples_push(&p->on_cpu, on_cpu)) < 0 ||
	    (rc = samples_push(&p->ctx_sw, have_ev ? (double)sw : -1)) < 0 ||
	    (rc = samples_push(&p->migr, have_ev ? (double)mg : -1)) < 0)
		return rc;
	return 0;
}

/* ---- the run --------------------------------------------------------------------- */

static json_t *int_array(const int *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *fs_labels(enum fs_layout l, bool atomic, int nt, enum fs_placement pl,
			 const char *scope)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:s}", "layout", fs_layout_names[l],
			 "increment", atomic ? "atomic" : "plain", "threads", nt,
			 "placement", fs_placement_names[pl], "scope", scope);
}

/* Mean over the kept samples of a per-sample event total (-1 = not counted). */
static json_t *fs_event_mean(const struct samples *s, size_t from)
{
	double sum = 0;

	if (from >= s->n)
		return json_null();
	for (size_t i = from; i < s->n; i++) {
		if (s->v[i] < 0)
			return json_null();
		sum += s->v[i];
	}
	return json_real(sum / (double)(s->n - from));
}

static int fs_measure_layout(struct bench_ctx *ctx, struct fs_pool *p, enum fs_layout l,
			     bool atomic, enum fs_placement pl, const int *cpus,
			     const char *shared, unsigned line, bool *failed)
{
	size_t stride = l == FS_PACKED ? sizeof(uint64_t) : l == FS_PADDED ? line
			: l == FS_PADDED2 ? 2u * line : 0;
	int nt = p->nthreads, rc;
	unsigned bad_before = p->bad_counts, moved_before = p->moved;
	char *base = (char *)p->counter[0];
	json_t *verified, *wc, *wu, *cpus_got;
	size_t keep_from, tkeep_from;
	char what[64];

	snprintf(what, sizeof(what), "%s/%s/%s", fs_placement_names[pl], fs_layout_names[l],
		 atomic ? "atomic" : "plain");
	for (int i = 0; i < nt; i++)
		p->counter[i] = (volatile uint64_t *)(base + (size_t)i * stride);
	p->layout = l;
	p->atomic = atomic;
	p->calls = 0;
	p->thread_rates.n = p->ctx_sw.n = p->migr.n = p->on_cpu.n = 0;

	cpus_got = json_array();
	for (int i = 0; i < nt; i++)
		json_array_append_new(cpus_got, json_integer(p->team.cpu_got[i]));
	verified = json_pack("{s:o, s:o, s:b, s:o, s:i, s:I, s:I}",
		"cpus_asked", int_array(cpus, nt), "cpus", cpus_got,
		"bound", !ctx->topo->fake,
		"shared_cache", shared ? json_string(shared) : json_null(),
		"line_size", (int)line, "counter_stride_bytes", (json_int_t)stride,
		"lines_written", (json_int_t)(l == FS_SHARED ? 1 : l == FS_PACKED
			? (nt * sizeof(uint64_t) + line - 1) / line : (size_t)nt));
	json_incref(verified);    /* completed below, once the samples are in */
	struct bench_measure m = {
		.metric = "ops_per_sec",
		.labels = fs_labels(l, atomic, nt, pl, "aggregate"),
		.verified = verified,
		.fn = fs_sample,
		.arg = p,
	};
	rc = bench_measure(ctx, &m);
	if (rc < 0) {
		json_decref(verified);
		return rc;
	}
	/* The framework runs the warm-up samples first: what it kept is the tail. */
	keep_from = p->calls > ctx->rep.warmup ? ctx->rep.warmup : 0;
	tkeep_from = keep_from * (size_t)nt;

	unsigned bad = p->bad_counts - bad_before, moved = p->moved - moved_before;
	wc = json_object();
	json_object_set_new(wc, fs_worker_events[0], fs_event_mean(&p->ctx_sw, keep_from));
	json_object_set_new(wc, fs_worker_events[1], fs_event_mean(&p->migr, keep_from));
	wu = json_object();
	if (p->w[0].ctr)
		for (int i = 0; i < FS_NR_EVENTS; i++)
			if (counters_reason(p->w[0].ctr, i))
				json_object_set_new(wu, fs_worker_events[i],
						    json_string(counters_reason(p->w[0].ctr, i)));
	json_t *med = json_array();
	for (int i = 0; i < nt; i++) {
		struct samples one = { 0 };
		struct stats_summary s;
		for (size_t k = tkeep_from + (size_t)i; k < p->thread_rates.n; k += (size_t)nt)
			samples_push(&one, p->thread_rates.v[k]);
		json_array_append_new(med, one.n && stats_summarize(one.v, one.n, 0, 200, &s) == 0
					   ? json_real(s.median) : json_null());
		samples_free(&one);
	}
	json_object_set_new(verified, "counts_ok", json_boolean(bad == 0));
	json_object_set_new(verified, "counts_checked", json_integer((json_int_t)p->calls));
	json_object_set_new(verified, "moved_samples", json_integer(moved));
	/* A worker switched out for part of a sample leaves the line to the others
	 * meanwhile, which hides false sharing: say how much of the time they ran (a
	 * context-switch count cannot tell: some kernels switch a spinning thread out
	 * for a moment at every tick). */
	struct stats_summary oc;
	double on_cpu = 1;
	if (p->on_cpu.n > keep_from &&
	    stats_summarize(p->on_cpu.v + keep_from, p->on_cpu.n - keep_from, 0, 200, &oc) == 0)
		on_cpu = oc.median;
	json_object_set_new(verified, "worker_on_cpu_fraction", json_real(on_cpu));
	if (on_cpu < 0.9)
		bench_warn(ctx, "%s: the workers ran only %.0f%% of each sample (median of the "
			   "least-running thread): the machine is busy and the threads did not "
			   "always run at the same time", what, on_cpu * 100);
	json_object_set_new(verified, "worker_counters", wc);
	json_object_set_new(verified, "worker_counters_unavailable", wu);
	json_object_set_new(verified, "worker_counters_per",
			    json_string("sample, summed over the worker threads"));
	json_object_set_new(verified, "thread_median_ops_per_sec", med);
	json_object_set_new(verified, "ok", json_boolean(bad == 0 && moved == 0));
	if (bad) {
		bench_warn(ctx, "%s: %u samples where a counter did not hold the count its "
			   "thread reported", what, bad);
		*failed = true;
	}
	if (moved)
		bench_warn(ctx, "%s: in %u samples a worker was not on its CPU at the end", what,
			   moved);

	rc = bench_record(ctx, "ops_per_sec", fs_labels(l, atomic, nt, pl, "thread"),
			  p->thread_rates.v + tkeep_from, p->thread_rates.n - tkeep_from,
			  json_deep_copy(verified));
	json_decref(verified);
	return rc;
}

static int fs_run_placement(struct bench_ctx *ctx, enum fs_placement pl, int nt,
			    const bool *layouts, const bool *incs, bool *failed)
{
	unsigned line = topo_line_size(ctx->topo);
	struct fs_pool *p = NULL;
	struct mem_region r = { 0 };
	const char *shared;
	char why[256];
	int cpus[64], rc;

	rc = pick_cpus(ctx, pl, nt, cpus, &shared, why, sizeof(why));
	if (rc < 0)
		return rc;
	if (rc > 0) {
		bench_skip(ctx, json_pack("{s:s, s:i}", "placement", fs_placement_names[pl],
					  "threads", nt), "placement %s: %s",
			   fs_placement_names[pl], why);
		return 0;
	}
	/* Room for padded2: two lines per thread. */
	rc = bench_alloc(ctx, &r, (size_t)nt * 2 * line, MEM_PAGE_DEFAULT);
	if (rc < 0)
		return rc;
	if (posix_memalign((void **)&p, 128, sizeof(*p))) {
		mem_free(&r);
		return -ENOMEM;
	}
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->nthreads = nt;
	p->dur_ticks = (uint64_t)((double)bench_opt_int(ctx, "duration") * 1e-3 * timer_hz());
	p->counter[0] = (volatile uint64_t *)r.p;
	if (posix_memalign((void **)&p->w, 128, (size_t)nt * sizeof(*p->w))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = fs_pool_start(p, cpus);
	if (rc < 0)
		goto out;
	for (int l = 0; l < FS_NR_LAYOUTS && rc == 0; l++)
		for (int a = 0; a < 2 && rc == 0; a++)
			if (layouts[l] && incs[a] && (l != FS_SHARED || a == 1))
				rc = fs_measure_layout(ctx, p, (enum fs_layout)l, a == 1, pl, cpus,
						       shared, line, failed);
	team_destroy(&p->team);
out:
	samples_free(&p->thread_rates);
	samples_free(&p->ctx_sw);
	samples_free(&p->migr);
	samples_free(&p->on_cpu);
	free(p->w);
	free(p);
	mem_free(&r);
	return rc;
}

/* Index of `name` in names[], or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return i;
	return -1;
}

static int fs_run(struct bench_ctx *ctx)
{
	bool layouts[FS_NR_LAYOUTS] = { false }, placements[FS_NR_PLACEMENTS] = { false };
	bool incs[2] = { false };       /* plain, atomic */
	int nt = (int)bench_opt_int(ctx, "threads"), ncpu = bench_nr_cpus(ctx), rc = 0;
	bool failed = false;
	char buf[32];

	if (nt > ncpu) {
		char list[128];
		locus_error("bench falseshare: --threads %d is more than the %d CPUs available (%s)",
			    nt, ncpu, topo_list_str(ctx->cpus, list, sizeof(list)));
		return -EINVAL;
	}
	for (size_t i = 0; i < bench_opt_count(ctx, "layouts"); i++) {
		int k = name_index(fs_layout_names, FS_NR_LAYOUTS,
				   bench_opt_choice_at(ctx, "layouts", i, buf, sizeof(buf)));
		if (k >= 0)
			layouts[k] = true;
	}
	for (size_t i = 0; i < bench_opt_count(ctx, "placements"); i++) {
		int k = name_index(fs_placement_names, FS_NR_PLACEMENTS,
				   bench_opt_choice_at(ctx, "placements", i, buf, sizeof(buf)));
		if (k >= 0)
			placements[k] = true;
	}
	for (size_t i = 0; i < bench_opt_count(ctx, "increment"); i++)
		incs[strcasecmp(bench_opt_choice_at(ctx, "increment", i, buf, sizeof(buf)),
				"atomic") == 0] = true;
	if (layouts[FS_SHARED] && !incs[1])
		bench_skip(ctx, json_pack("{s:s, s:s}", "layout", "shared", "increment", "plain"),
			   "layout shared: one counter needs atomic increments (plain ones would "
			   "lose updates)");
	for (int pl = 0; pl < FS_NR_PLACEMENTS && rc == 0; pl++)
		if (placements[pl])
			rc = fs_run_placement(ctx, (enum fs_placement)pl, nt, layouts, incs,
					      &failed);
	if (rc == 0 && failed)
		rc = -EPROTO;
	return rc;
}

static const char *fs_supported(struct bench_ctx *ctx)
{
	return bench_nr_cpus(ctx) < 2 ? "false sharing needs at least 2 CPUs" : NULL;
}

static const struct bench_opt fs_opts[] = {
	{ .name = "threads", .type = BOPT_INT, .def = "2", .min = 2, .max = 64,
	  .help = "threads, each with its own counter (at most the CPUs available)" },
	{ .name = "layouts", .type = BOPT_CHOICES, .def = "packed,padded,padded2,shared",
	  .choices = "packed,padded,padded2,shared",
	  .help = "counter layouts: one line, one line each, two lines each, one atomic counter" },
	{ .name = "increment", .type = BOPT_CHOICES, .def = "plain,atomic",
	  .choices = "plain,atomic",
	  .help = "increments: volatile load-add-store, or atomic fetch_add (lock add)" },
	{ .name = "placements", .type = BOPT_CHOICES, .def = "smt,core,package,node",
	  .choices = "smt,core,package,node",
	  .help = "thread placements (those the topology lacks are skipped with the reason)" },
	{ .name = "duration", .type = BOPT_INT, .def = "20", .quick = "5", .min = 1, .max = 10000,
	  .help = "milliseconds each thread increments per sample" },
	{ .name = NULL },
};

static const struct bench_metric fs_metrics[] = {
	{ .name = "ops_per_sec", .unit = "ops/s", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure fs_figures[] = {
	{ .kind = BFIG_BARS, .metric = "ops_per_sec", .x = "layout", .filter = "scope=aggregate",
	  .title = "False sharing: counter layout x thread placement", .xlabel = "counter layout",
	  .ylabel = "increments per second, all threads",
	  .caption = "Aggregate throughput of threads incrementing their own counters, per "
		"memory layout and placement, with 95% CI. Packed counters share a cache "
		"line and lose to padded ones; the shared layout is the true-sharing "
		"reference." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_falseshare_info = {
	.name = "falseshare",
	.summary = "false sharing: per-thread counters packed in one line vs padded, by placement",
	.description =
		"T pinned threads each increment their own counter for a fixed time per sample.\n"
		"Layouts: packed (all counters in one cache line), padded (one line each),\n"
		"padded2 (two lines each, defeating the adjacent-line prefetcher), shared (one\n"
		"atomic counter for all: true sharing).  Placements from the topology: smt\n"
		"(hardware threads of one core), core (cores under the smallest shared cache),\n"
		"package, node (spread round-robin); missing ones are skipped with the reason.\n"
		"Increments: plain (volatile load, add, store) and atomic (lock add); the\n"
		"store buffer absorbs much of the sharing cost of the first, not of the second.\n"
		"Metric ops_per_sec, label scope=aggregate (all increments over the sample's\n"
		"span) or scope=thread (each thread's own rate).  Every counter is checked against\n"
		"its thread's count; the workers' context switches and migrations are recorded.",
	.opts = fs_opts,
	.metrics = fs_metrics,
	.headline = "ops_per_sec",
	.figures = fs_figures,
	.explain = "Each thread increments its own counter; packed counters sit in one cache "
		"line, padded ones in separate lines. When the line is shared the cores "
		"pass it back and forth on every write, so throughput collapses even "
		"though no data is actually shared.",
	.supported = fs_supported,
	.run = fs_run,
};
