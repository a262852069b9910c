/* SPDX-License-Identifier: MIT */
/*
 * bandwidth.c — STREAM-style memory bandwidth: read, write, copy, scale, add, triad.
 *
 * The kernels are STREAM's four (copy c = a, scale b = s·c, add c = a + b, triad
 * a = b + s·c) plus a pure read (sum of a) and a pure write (fill c), each with
 * regular stores and with non-temporal stores, for each instruction set asked for
 * (--isa; the kernel table of bench/stream.h, chosen at run time, the widest the CPU
 * has by default; label `isa`; where an ISA has no non-temporal stores `nt` is skipped
 * with the reason).  Threads
 * 1..N of the bench's CPU set are swept; each worker is pinned and first-touches its
 * own contiguous part of the three arrays, so with a local policy every thread reads
 * memory of its own node.  The arrays are re-allocated for every thread count for that
 * reason.  STREAM's rules: each array at least 4× the last-level cache by default
 * (--size overrides; the memory budget is checked first), results validated (every
 * element of the array a kernel wrote is compared with the value the sequence of
 * kernels must have left there, and the read kernel's sum with n·a), best and
 * distribution reported (the framework keeps every sample).
 *
 * Bytes are counted STREAM's way in metric `bandwidth` (GB/s, 10^9 bytes): the arrays
 * read plus the arrays written (read 1, write 1, copy and scale 2, add and triad 3),
 * without write-allocate traffic.  A regular store first reads the destination line
 * into the cache (read-for-ownership), so the memory actually moves one more array per
 * written array: metric `bandwidth_rfo` counts that (for nt stores, which bypass the
 * cache, and for read, it equals `bandwidth`); the arrays each kernel reads and writes
 * come from its table entry.  Labels: kernel, threads, stores (regular | nt), isa,
 * array_bytes.  One sample is one pass of all threads over the arrays,
 * timed from the first thread's start to the last thread's end.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "bench.h"
#include "log.h"
#include "memsize.h"
#include "parse.h"
#include "stream.h"
#include "team.h"
#include "timer.h"

/* Work is handed out in blocks of 512 doubles (4 KiB): every page belongs to one
 * thread, which first-touches it, and every part is 64-byte aligned. */
#define BW_BLOCK 512
#define BW_TOL 1e-13     /* STREAM's relative tolerance for doubles */

enum bw_cmd { BW_CMD_INIT, BW_CMD_RUN, BW_CMD_CHECK };

/* One worker's part and results; aligned so that two workers never share a line. */
struct bw_worker {
	int cpu_end;
	size_t lo, hi;          /* element range [lo, hi) of every array */
	uint64_t t0, t1;
	double sum;             /* read: partial sum */
	uint64_t bad;           /* check: elements off the expected value */
} __attribute__((aligned(128)));

struct bw_pool {
	struct bench_ctx *ctx;
	int nthreads;
	struct team team;
	struct bw_worker *w;
	enum bw_cmd cmd;
	const struct stream_impl *impl;   /* the kernel being measured */
	double *a, *b, *c;
	size_t n;
	double ea, eb, ec;      /* what every element of a, b, c must hold now */
	char check;             /* BW_CMD_CHECK: which array */
	struct samples ns;      /* per call: elapsed ns of the pass */
	struct samples skew;    /* per call: last worker's start - first worker's start, ns */
	struct samples slowest; /* per call: the slowest worker's own interval / the pass */
	unsigned calls, bad_sums, moved;
};

/* ---- workers --------------------------------------------------------------------- */

static uint64_t bw_count_bad(const double *x, size_t lo, size_t hi, double want)
{
	uint64_t bad = 0;

	for (size_t i = lo; i < hi; i++)
		if (x[i] != want && !(fabs(x[i] - want) <= BW_TOL * fabs(want)))
			bad++;
	return bad;
}

static void bw_work(void *arg, int idx)
{
	struct bw_pool *p = arg;
	struct bw_worker *w = &p->w[idx];

	switch (p->cmd) {
	case BW_CMD_INIT:
		/* First touch: this thread's pages of every array land on its node. */
		for (size_t i = w->lo; i < w->hi; i++) {
			p->a[i] = 1.0;
			p->b[i] = 2.0;
			p->c[i] = 0.0;
		}
		break;
	case BW_CMD_RUN:
		team_sync(&p->team);    /* spinning: every worker starts hot */
		w->t0 = timer_now();
		w->sum = p->impl->fn(p->a, p->b, p->c, w->lo, w->hi);
		w->t1 = timer_now();
		w->cpu_end = sched_getcpu();
		break;
	case BW_CMD_CHECK:
		w->bad = bw_count_bad(p->check == 'a' ? p->a : p->check == 'b' ? p->b : p->c,
				      w->lo, w->hi,
				      p->check == 'a' ? p->ea : p->check == 'b' ? p->eb : p->ec);
		break;
	}
}

/* Run one command on all workers and wait for them. */
static void bw_do(struct bw_pool *p, enum bw_cmd cmd)
{
	p->cmd = cmd;
	team_run(&p->team, bw_work, p);
}

/* Start the workers, pinned to the first nthreads CPUs of the set, with their parts
 * of the arrays.  Returns 0 or a negative errno (nothing left running). */
static int bw_pool_start(struct bw_pool *p)
{
	size_t blocks = p->n / BW_BLOCK;
	int *cpus = calloc((size_t)p->nthreads, sizeof(int)), rc;

	if (!cpus)
		return -ENOMEM;
	for (int i = 0; i < p->nthreads; i++) {
		p->w[i] = (struct bw_worker){
			.lo = blocks * (size_t)i / (size_t)p->nthreads * BW_BLOCK,
			.hi = blocks * (size_t)(i + 1) / (size_t)p->nthreads * BW_BLOCK,
		};
		cpus[i] = bench_cpu_at(p->ctx, i);
	}
	rc = team_init(&p->team, p->ctx, cpus, p->nthreads, NULL);
	free(cpus);
	return rc;
}

/* One sample: one pass of all threads; GB/s counted STREAM's way. */
static int bw_sample(void *arg, double *sample)
{
	struct bw_pool *p = arg;
	uint64_t first = UINT64_MAX, last = 0, last_start = 0, longest = 0;
	double ns, sum = 0, want;
	int rc;

	bw_do(p, BW_CMD_RUN);
	p->calls++;
	for (int i = 0; i < p->nthreads; i++) {
		if (p->w[i].t0 < first)
			first = p->w[i].t0;
		if (p->w[i].t1 > last)
			last = p->w[i].t1;
		if (p->w[i].t0 > last_start)
			last_start = p->w[i].t0;
		if (p->w[i].t1 - p->w[i].t0 > longest)
			longest = p->w[i].t1 - p->w[i].t0;
		sum += p->w[i].sum;
		if (!p->ctx->topo->fake && p->w[i].cpu_end != p->team.cpu_got[i])
			p->moved++;
	}
	if (p->impl->kernel == STREAM_READ) {
		want = (double)p->n * p->ea;
		if (sum != want && !(fabs(sum - want) <= BW_TOL * fabs(want)))
			p->bad_sums++;
	}
	ns = timer_ticks_to_ns(last - first);
	if (ns <= 0)
		return -EIO;
	if ((rc = samples_push(&p->ns, ns)) < 0 ||
	    (rc = samples_push(&p->skew, timer_ticks_to_ns(last_start - first))) < 0 ||
	    (rc = samples_push(&p->slowest, timer_ticks_to_ns(longest) / ns)) < 0)
		return rc;
	*sample = (double)(p->impl->reads + p->impl->writes) * (double)p->n * sizeof(double) / ns;
	return 0;
}

/* ---- the run --------------------------------------------------------------------- */

static json_t *bw_labels(const struct stream_isa *isa, const struct stream_impl *e, int nt,
			 uint64_t array_bytes)
{
	return json_pack("{s:s, s:i, s:s, s:s, s:I}", "kernel", stream_kernel_name(e->kernel),
			 "threads", nt, "stores", e->nt ? "nt" : "regular", "isa", isa->name,
			 "array_bytes", (json_int_t)array_bytes);
}

/* What the sequence of kernels leaves in the arrays (STREAM's check, by scalars). */
static void bw_expect(struct bw_pool *p, enum stream_kernel k)
{
	switch (k) {
	case STREAM_WRITE: p->ec = STREAM_SCALAR; break;
	case STREAM_COPY: p->ec = p->ea; break;
	case STREAM_SCALE: p->eb = STREAM_SCALAR * p->ec; break;
	case STREAM_ADD: p->ec = p->ea + p->eb; break;
	case STREAM_TRIAD: p->ea = p->eb + STREAM_SCALAR * p->ec; break;
	default: break;
	}
}

static int bw_measure(struct bench_ctx *ctx, struct bw_pool *p, const struct stream_isa *isa,
		      const struct stream_impl *e, const json_t *common, bool *failed)
{
	enum stream_kernel k = e->kernel;
	bool nt = e->nt;
	uint64_t abytes = (uint64_t)p->n * sizeof(double);
	double bytes = (double)(e->reads + e->writes) * (double)abytes;
	double rfo = bytes + (nt ? 0 : (double)e->writes * (double)abytes);
	unsigned bad_sums_before = p->bad_sums, moved_before = p->moved, moved;
	uint64_t bad = 0;
	json_t *verified = json_deep_copy(common);
	size_t keep;
	int rc;

	p->impl = e;
	p->calls = 0;
	p->ns.n = 0;
	p->skew.n = 0;
	p->slowest.n = 0;
	json_object_set_new(verified, "bytes_per_pass", json_real(bytes));
	json_object_set_new(verified, "bytes_per_pass_rfo", json_real(rfo));
	json_incref(verified);    /* completed below with the validation */
	struct bench_measure m = {
		.metric = "bandwidth",
		.labels = bw_labels(isa, e, p->nthreads, abytes),
		.verified = verified,
		.fn = bw_sample,
		.arg = p,
	};
	rc = bench_measure(ctx, &m);
	if (rc < 0) {
		json_decref(verified);
		return rc;
	}
	bw_expect(p, k);
	moved = p->moved - moved_before;
	if (e->dst) {
		p->check = e->dst;
		bw_do(p, BW_CMD_CHECK);
		for (int i = 0; i < p->nthreads; i++)
			bad += p->w[i].bad;
		json_object_set_new(verified, "check", json_pack("{s:s, s:f, s:I}",
			"array", (char[]){ e->dst, 0 },
			"expected", e->dst == 'a' ? p->ea : e->dst == 'b' ? p->eb : p->ec,
			"bad_elements", (json_int_t)bad));
	} else {
		unsigned bs = p->bad_sums - bad_sums_before;
		json_object_set_new(verified, "check", json_pack("{s:s, s:f, s:I, s:i}",
			"array", "a", "expected_sum", (double)p->n * p->ea,
			"samples_checked", (json_int_t)p->calls, "bad_sums", (int)bs));
		bad = bs;
	}
	/* sched_getcpu() at the end of every pass, every thread. */
	json_object_set_new(verified, "moved_threads", json_integer((json_int_t)moved));
	/* How the pass was timed (first start to last end) against the workers' own
	 * intervals: the start skew left after the spinning barrier, and the share of the
	 * pass the slowest worker was busy (1.0: per-pass and per-worker timing agree). */
	json_object_set_new(verified, "start_skew_ns_median",
			    json_real(stats_median(p->skew.v, p->skew.n)));
	json_object_set_new(verified, "slowest_worker_share_median",
			    json_real(stats_median(p->slowest.v, p->slowest.n)));
	json_object_set_new(verified, "ok", json_boolean(bad == 0));
	if (bad) {
		bench_warn(ctx, "%s (%s, %s stores, %d threads): validation failed: %llu wrong %s",
			   stream_kernel_name(k), isa->name, nt ? "nt" : "regular", p->nthreads,
			   (unsigned long long)bad, e->dst ? "elements" : "sums");
		*failed = true;
	}
	if (moved)
		bench_warn(ctx, "%s (%d threads): %u times a worker was not on its CPU at the end "
			   "of a pass", stream_kernel_name(k), p->nthreads, moved);

	/* The write-allocate-inclusive figure, from the same passes (the kept tail). */
	keep = p->calls > ctx->rep.warmup ? ctx->rep.warmup : 0;
	double *gbs = calloc(p->ns.n - keep + 1, sizeof(double));
	if (!gbs) {
		json_decref(verified);
		return -ENOMEM;
	}
	for (size_t i = keep; i < p->ns.n; i++)
		gbs[i - keep] = rfo / p->ns.v[i];
	rc = bench_record(ctx, "bandwidth_rfo", bw_labels(isa, e, p->nthreads, abytes), gbs,
			  p->ns.n - keep, json_deep_copy(verified));
	free(gbs);
	json_decref(verified);
	return rc;
}

static json_t *bw_memory_json(struct mem_region *r, int nregions, bool *ok)
{
	json_t *j = NULL;

	*ok = true;
	for (int i = 0; i < nregions; i++) {
		struct mem_verified v;
		if (mem_verify(&r[i], 0, &v) < 0) {
			*ok = false;
			continue;
		}
		if (!v.page_ok || v.placement_ok < 1.0)
			*ok = false;
		if (!j)
			j = mem_verified_json(&r[i], &v);
	}
	return j ? j : json_null();
}

static int bw_run_threads(struct bench_ctx *ctx, int nt, uint64_t array_bytes,
			  const struct stream_isa *const *isas, const bool *kernels,
			  const bool *stores, bool *failed)
{
	struct mem_region r[3] = { { 0 } };
	struct bw_pool *p = NULL;
	json_t *common = NULL, *cpus, *asked;
	uint64_t llc = topo_llc_size(ctx->topo);
	bool mem_ok;
	int rc = 0;

	for (int i = 0; i < 3 && rc == 0; i++)
		rc = bench_alloc(ctx, &r[i], array_bytes, MEM_PAGE_DEFAULT);
	if (rc < 0)
		goto out;
	if (posix_memalign((void **)&p, 128, sizeof(*p))) {
		rc = -ENOMEM;
		goto out;
	}
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->nthreads = nt;
	p->a = r[0].p;
	p->b = r[1].p;
	p->c = r[2].p;
	p->n = array_bytes / sizeof(double);
	p->ea = 1.0;
	p->eb = 2.0;
	p->ec = 0.0;
	if (posix_memalign((void **)&p->w, 128, (size_t)nt * sizeof(*p->w))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = bw_pool_start(p);
	if (rc < 0)
		goto out;
	bw_do(p, BW_CMD_INIT);

	cpus = json_array();
	asked = json_array();
	for (int i = 0; i < nt; i++) {
		json_array_append_new(asked, json_integer(p->team.cpu_asked[i]));
		json_array_append_new(cpus, json_integer(p->team.cpu_got[i]));
	}
	common = json_pack("{s:o, s:o, s:b, s:I, s:I, s:o, s:b}",
		"cpus_asked", asked, "cpus", cpus, "bound", !ctx->topo->fake,
		"array_bytes", (json_int_t)array_bytes, "llc_bytes", (json_int_t)llc,
		"arrays_per_llc", llc ? json_real((double)array_bytes / (double)llc) : json_null(),
		"stream_rule_4x_llc", llc == 0 || array_bytes >= 4 * llc);
	json_object_set_new(common, "memory", bw_memory_json(r, 3, &mem_ok));
	json_object_set_new(common, "memory_ok", json_boolean(mem_ok));

	for (int i = 0; isas[i] && rc == 0; i++) {
		for (int k = 0; k < STREAM_NR_KERNELS && rc == 0; k++) {
			if (!kernels[k])
				continue;
			for (int s = 0; s < 2 && rc == 0; s++) {
				const struct stream_impl *e;
				if (!stores[s])
					continue;
				e = stream_impl_find(isas[i], (enum stream_kernel)k, s == 1);
				if (!e)
					continue;       /* skip recorded once, in bw_run */
				rc = bw_measure(ctx, p, isas[i], e, common, failed);
			}
		}
	}
	team_destroy(&p->team);
out:
	json_decref(common);
	if (p) {
		samples_free(&p->ns);
		samples_free(&p->skew);
		samples_free(&p->slowest);
		free(p->w);
		free(p);
	}
	for (int i = 0; i < 3; i++)
		if (r[i].map)
			mem_free(&r[i]);
	return rc;
}

/* --isa: a comma-separated list of this build's ISA names, or "all"; default the
 * widest the CPU has.  Fills isas (NULL-ended, those this CPU runs) and records a skip
 * for each asked-for ISA the CPU lacks.  Returns 0 or -EINVAL (message printed). */
static int bw_isas(struct bench_ctx *ctx, const struct stream_isa **isas, size_t max)
{
	const char *arg = bench_opt_str(ctx, "isa");
	const struct stream_isa *isa;
	char names[128], *copy, *tok, *save = NULL;
	size_t n = 0;

	if (!arg) {
		isas[0] = stream_isa_default();
		isas[1] = NULL;
		return 0;
	}
	if (!(copy = strdup(arg)))
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool all = strcasecmp(tok, "all") == 0;
		if (!all && !stream_isa_find(tok)) {
			locus_error("bench bandwidth: --isa: unknown instruction set '%s'; allowed: "
				    "%s, all", tok, stream_isa_names(names, sizeof(names)));
			free(copy);
			return -EINVAL;
		}
		for (size_t i = 0; (isa = stream_isa_at(i)); i++) {
			bool dup = false;
			if (!all && strcasecmp(isa->name, tok) != 0)
				continue;
			for (size_t j = 0; j < n; j++)
				dup |= isas[j] == isa;
			if (dup)
				continue;
			if (!isa->supported()) {
				if (!all)
					bench_skip(ctx, json_pack("{s:s}", "isa", isa->name),
						   "isa %s unsupported: this CPU does not report it",
						   isa->name);
				continue;
			}
			if (n + 1 < max)
				isas[n++] = isa;
		}
	}
	free(copy);
	isas[n] = NULL;
	return 0;
}

/* Per-array bytes: --size, else 4× the LLC (STREAM's rule) within the memory budget. */
static int bw_array_bytes(struct bench_ctx *ctx, uint64_t *out)
{
	uint64_t llc = topo_llc_size(ctx->topo), size, budget;
	char a[32], b[32];
	int rc;

	if (bench_opt_str(ctx, "size")) {
		size = bench_opt_size(ctx, "size");
		size -= size % (BW_BLOCK * sizeof(double));
		if ((rc = bench_check_memory(ctx, 3 * size)) < 0)
			return rc;
		if (!memsize_ok(size, llc, MEMSIZE_BANDWIDTH_FACTOR))
			bench_warn(ctx, "arrays of %s are smaller than 4x the last-level cache (%s): "
				   "the figures include cache hits", format_size(size, a, sizeof(a)),
				   format_size(llc, b, sizeof(b)));
		*out = size;
		return 0;
	}
	size = llc ? memsize_default(llc, MEMSIZE_BANDWIDTH_FACTOR, false) : 256ull << 20;
	budget = mem_available() / 10 * 8 / 3;
	if (budget && size > budget) {
		bench_warn(ctx, "arrays of 4x the last-level cache (%s each) do not fit in the memory "
			   "budget; using %s each", format_size(size, a, sizeof(a)),
			   format_size(budget, b, sizeof(b)));
		size = budget;
	}
	size -= size % (BW_BLOCK * sizeof(double));
	*out = size;
	return 0;
}

/* The sweep: 1, 2, ..., N; above 16 CPUs powers of two and N, to keep it short.
 * Returns 0 after N. */
static int bw_next_threads(int t, int maxt)
{
	if (t >= maxt)
		return 0;
	if (maxt <= 16)
		return t + 1;
	return t * 2 < maxt ? t * 2 : maxt;
}

static int bw_run(struct bench_ctx *ctx)
{
	bool kernels[STREAM_NR_KERNELS] = { false }, stores[2] = { false }, failed = false;
	const struct stream_isa *isas[16];
	int ncpu = bench_nr_cpus(ctx), maxt = ncpu, rc;
	uint64_t array_bytes;
	char buf[32];
	/* --threads LIST (1,2,4,8 or 1-4,8): exactly these counts; --threads N: the sweep
	 * 1..N; neither: the sweep over all CPUs of the set. */
	hwloc_bitmap_t counts = NULL;
	const char *tl = bench_opt_str(ctx, "threads");

	if (tl) {
		long v;
		if (strpbrk(tl, ",-:")) {
			counts = hwloc_bitmap_alloc();
			if (!counts || parse_idlist("bench bandwidth: --threads", tl, 4096, counts) < 0) {
				hwloc_bitmap_free(counts);
				return -EINVAL;
			}
			if (hwloc_bitmap_isset(counts, 0)) {
				hwloc_bitmap_free(counts);
				return locus_fail(EINVAL, "bench bandwidth: --threads: '%s': 0 threads; counts "
							  "start at 1", tl);
			}
			v = hwloc_bitmap_last(counts);
		} else if (parse_long("bench bandwidth: --threads", tl, 1, 4096, &v) < 0) {
			return -EINVAL;
		}
		maxt = (int)v;
		if (maxt > ncpu) {
			char list[128];
			locus_error("bench bandwidth: --threads %d is more than the %d CPUs available "
				    "(%s)", maxt, ncpu, topo_list_str(ctx->cpus, list, sizeof(list)));
			hwloc_bitmap_free(counts);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < bench_opt_count(ctx, "kernels"); i++) {
		int k = stream_kernel_index(bench_opt_choice_at(ctx, "kernels", i, buf, sizeof(buf)));
		if (k >= 0)
			kernels[k] = true;
	}
	for (size_t i = 0; i < bench_opt_count(ctx, "stores"); i++) {
		const char *s = bench_opt_choice_at(ctx, "stores", i, buf, sizeof(buf));
		stores[strcasecmp(s, "nt") == 0] = true;
	}
	if ((rc = bw_isas(ctx, isas, sizeof(isas) / sizeof(isas[0]))) < 0 || !isas[0] ||
	    (rc = bw_array_bytes(ctx, &array_bytes)) < 0) {
		hwloc_bitmap_free(counts);
		return rc < 0 ? rc : 1; /* 1: every ISA asked for was skipped */
	}

	for (int i = 0; isas[i]; i++)
		if (stores[1] && !stream_impl_find(isas[i], STREAM_COPY, true))
			bench_skip(ctx, json_pack("{s:s, s:s}", "isa", isas[i]->name, "stores", "nt"),
				   "stores nt unsupported: isa %s has no non-temporal stores",
				   isas[i]->name);
	if (stores[1] && kernels[STREAM_READ])
		bench_skip(ctx, json_pack("{s:s, s:s}", "kernel", "read", "stores", "nt"),
			   "the read kernel stores nothing: only stores=regular applies");

	for (int t = counts ? hwloc_bitmap_first(counts) : 1; t > 0;
	     t = counts ? hwloc_bitmap_next(counts, t) : bw_next_threads(t, maxt)) {
		rc = bw_run_threads(ctx, t, array_bytes, isas, kernels, stores, &failed);
		if (rc < 0) {
			hwloc_bitmap_free(counts);
			return rc;
		}
	}
	hwloc_bitmap_free(counts);
	return failed ? -EPROTO : 0;
}

static const struct bench_opt bw_opts[] = {
	{ .name = "kernels", .type = BOPT_CHOICES, .def = "read,write,copy,scale,add,triad",
	  .choices = "read,write,copy,scale,add,triad",
	  .help = "kernels: sum of a, fill c, c=a, b=s*c, c=a+b, a=b+s*c" },
	{ .name = "stores", .type = BOPT_CHOICES, .def = "regular,nt", .choices = "regular,nt",
	  .help = "store kinds: regular (write-allocate) and non-temporal" },
	{ .name = "isa", .type = BOPT_STR, .def = NULL,
	  .help = "instruction sets to sweep, comma-separated, or all (x86-64: avx512, avx2, "
		  "sse2) [default: the widest this CPU has]" },
	{ .name = "threads", .type = BOPT_STR, .def = NULL,
	  .help = "N: sweep 1..N threads (above 16, powers of two); a list: exactly these "
		  "counts, e.g. 1,2,4,8 or 1-4,8 [default: the sweep to all CPUs of the set]" },
	/* No smaller --quick default: quick saves time with fewer samples, never by
	 * measuring a cache as memory. */
	{ .name = "size", .type = BOPT_SIZE, .def = NULL, .min = 1 << 20,
	  .help = "bytes per array (three arrays) [default 4x the last-level cache, also with --quick]" },
	{ .name = NULL },
};

static const struct bench_metric bw_metrics[] = {
	{ .name = "bandwidth", .unit = "GB/s", .higher_is_better = true },
	{ .name = "bandwidth_rfo", .unit = "GB/s", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure bw_figures[] = {
	{ .kind = BFIG_BARS, .metric = "bandwidth", .x = "kernel", .series = "threads",
	  .panel = "stores",
	  .title = "Memory bandwidth per kernel and thread count", .xlabel = "kernel",
	  .ylabel = "bandwidth",
	  .caption = "Median sustained bandwidth per kernel (bars grouped by thread count), "
		"with 95% CI; bytes are counted without the write-allocate traffic. One "
		"figure per store kind. Where more threads stop helping, the memory "
		"system is the limit, not the cores." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_bandwidth_info = {
	.name = "bandwidth",
	.summary = "STREAM-style memory bandwidth: read, write, copy, scale, add, triad; regular and nt stores",
	.description =
		"STREAM's copy, scale, add and triad plus a pure read (sum) and a pure write\n"
		"(fill), with regular and non-temporal stores, for 1..N pinned threads that\n"
		"each first-touch their own part of the three arrays (each 4x the last-level\n"
		"cache by default, also with --quick).  Kernels per instruction set (avx512,\n"
		"avx2, sse2), chosen at run time; the widest the CPU has by default.  Every\n"
		"kernel's result is validated.  Metric bandwidth counts bytes STREAM's way\n"
		"(arrays read + arrays written, 10^9 bytes/s); bandwidth_rfo adds the\n"
		"read-for-ownership of each destination line that regular stores cause.",
	.opts = bw_opts,
	.metrics = bw_metrics,
	.headline = "bandwidth",
	.figures = bw_figures,
	.explain = "STREAM-style kernels (read, write, copy, scale, add, triad) sweep arrays "
		"much larger than the last-level cache with pinned threads that "
		"first-touch their own part. Bandwidth grows with threads until the "
		"memory controllers saturate; non-temporal stores avoid the "
		"read-for-ownership traffic of regular stores.",
	.run = bw_run,
};
