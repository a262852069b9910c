/* SPDX-License-Identifier: MIT */
/*
 * latency.c — the cache-hierarchy staircase: load-to-use latency against footprint.
 *
 * A chain of dependent loads over a random single-cycle permutation, one element per
 * cache line, is walked at footprints from 1 KiB to several times the last-level
 * cache; each step's time is the latency of wherever the footprint fits, so the curve
 * is a staircase whose knees are the cache capacities.  The permutation is verified to
 * be one cycle before anything is timed (a chain that closes early measures a smaller
 * footprint than it claims).
 *
 * How random the walk is must be stated, because it changes the answer: with 4 KiB
 * pages a fully random walk over a large footprint pays a TLB miss and page walk on
 * almost every load, while randomizing inside windows of 64 pages (multichase's
 * default, and ours) keeps the TLB mostly warm and measures the caches and DRAM.  Both
 * are right for different questions; --window chooses, and the label says which.
 * --chains K walks K independent chains in one loop: the time per load then falls as
 * far as the memory system overlaps misses (memory-level parallelism).
 *
 * From the single-chain curve the knees are detected (chase.c) and reported as extra
 * measurements: the inferred capacity of each level next to hwloc's advertised size,
 * and each level's latency in ns and in core cycles — core cycles at a clock measured
 * with a dependent-add loop, because the TSC ticks at a fixed rate that is not the
 * core's (turbo, VMs); the TSC-cycle figure is recorded too, under that name.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "bench.h"
#include "chase.h"
#include "log.h"
#include "memsize.h"
#include "parse.h"
#include "timer.h"

#define LAT_BASE_PAGE 4096u  /* --window counts pages of this size */
#define LAT_MAX_POINTS 1024

static const char *const lat_events[] = {
	"PAPI_L1_DCM", "PAPI_L2_TCM", "PAPI_L3_TCM", "PAPI_TLB_DM", "perf::PAGE-FAULTS", NULL
};

static uint64_t pow2_floor(uint64_t v)
{
	uint64_t p = 1;

	while (p <= v / 2)
		p <<= 1;
	return p;
}

/* Footprints from min to max, `ppo` per doubling, each a whole number of strides. */
static size_t lat_sweep(uint64_t min, uint64_t max, double ppo, size_t stride, uint64_t *out,
			size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; n < cap; i++) {
		double f = (double)min * exp2((double)i / ppo);
		uint64_t s;
		if (f > (double)max * 1.0001)
			break;
		s = (uint64_t)llround(f / (double)stride) * stride;
		if (s < stride)
			s = stride;
		if (!n || s > out[n - 1])
			out[n++] = s;
	}
	if (n < cap && max / stride * stride > out[n - 1])
		out[n++] = max / stride * stride;
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct lat_setup {
	enum mem_page page;
	const char *page_label;
	json_t *memj;              /* the region's verification */
	size_t stride, line;
	uint64_t seed;
	double sample_ns;
	int cpu;
	double core_hz;            /* measured core clock, 0 if unknown */
	void *buf;
};

/* Name the knees after hwloc's cache levels: each knee takes the advertised level
 * nearest in size (within a factor 3), each level at most once. */
static void lat_name_knees(struct bench_ctx *c, const struct chase_stairs *st, int *level)
{
	bool used[4] = { false };

	for (size_t k = 0; k < st->nknees; k++) {
		double best = log2(3.0);
		level[k] = 0;
		for (int l = 1; l <= 3; l++) {
			uint64_t adv = topo_cache_size(c->topo, l);
			double d;
			if (!adv || used[l])
				continue;
			d = fabs(log2(st->knee[k].size / (double)adv));
			if (d <= best) {
				best = d;
				level[k] = l;
			}
		}
		if (level[k])
			used[level[k]] = true;
	}
}

static json_t *lat_base_labels(const struct lat_setup *st, const char *window, unsigned chains)
{
	return json_pack("{s:s, s:I, s:s, s:I}", "window", window, "chains", (json_int_t)chains,
			 "page_size", st->page_label, "stride_bytes", (json_int_t)st->stride);
}

/* The knees of one single-chain sweep, as measurements. */
static int lat_report_levels(struct bench_ctx *c, const struct lat_setup *st, const char *window,
			     const uint64_t *fp, const double *lat, size_t n)
{
	double x[LAT_MAX_POINTS], tsc_ghz = timer_hz() / 1e9;
	bool tsc = strcmp(timer_get_info()->source, "tsc") == 0;
	struct chase_stairs s;
	int level[CHASE_MAX_KNEES];
	uint64_t llc = topo_llc_size(c->topo);
	int rc;

	for (size_t i = 0; i < n; i++)
		x[i] = (double)fp[i];
	if (n < 3 || chase_staircase(x, lat, n, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s) < 0) {
		locus_info("bench latency: window %s: %zu points are too few to find knees", window, n);
		return 0;
	}
	if (s.nknees == 0) {
		bench_warn(c, "window %s: no knee found in the latency curve (%zu points)", window, n);
		return 0;
	}
	lat_name_knees(c, &s, level);
	for (size_t p = 0; p < s.nplateaus; p++) {
		char name[32];
		double samples[LAT_MAX_POINTS], cyc[LAT_MAX_POINTS];
		size_t m = 0;
		uint64_t adv = 0;
		json_t *ver, *labels;

		if (p < s.nknees && level[p]) {
			snprintf(name, sizeof(name), "L%d", level[p]);
			adv = topo_cache_size(c->topo, level[p]);
		} else if (p == s.nknees && (!llc || x[s.first[p]] >= (double)llc)) {
			snprintf(name, sizeof(name), "memory");
		} else {
			snprintf(name, sizeof(name), "plateau-%zu", p + 1);
		}
		for (size_t i = s.first[p]; i <= s.last[p]; i++)
			samples[m++] = lat[i];
		ver = json_pack("{s:s, s:I, s:I, s:i}",
				"inferred_from", "median latency of the points on this plateau of the staircase",
				"footprint_first_bytes", (json_int_t)fp[s.first[p]],
				"footprint_last_bytes", (json_int_t)fp[s.last[p]],
				"points", (int)m);
		if (tsc) {   /* TSC ticks, which run at a fixed rate, not the core's */
			json_object_set_new(ver, "tsc_cycles", json_real(s.level[p] * tsc_ghz));
			json_object_set_new(ver, "tsc_hz", json_real(timer_hz()));
		}
		if (p < s.nknees) {
			json_object_set_new(ver, "inferred_size_bytes",
					    json_integer((json_int_t)llround(s.knee[p].size)));
			json_object_set_new(ver, "advertised_size_bytes",
					    adv ? json_integer((json_int_t)adv) : json_null());
		}
		if (st->core_hz > 0) {
			json_object_set_new(ver, "core_cycles", json_real(s.level[p] * st->core_hz / 1e9));
			json_object_set_new(ver, "core_clock_hz", json_real(st->core_hz));
		}
		labels = lat_base_labels(st, window, 1);
		json_object_set_new(labels, "level", json_string(name));
		rc = bench_record(c, "level_latency", labels, samples, m, ver);
		if (rc < 0)
			return rc;
		if (st->core_hz > 0) {
			for (size_t i = 0; i < m; i++)
				cyc[i] = samples[i] * st->core_hz / 1e9;
			labels = lat_base_labels(st, window, 1);
			json_object_set_new(labels, "level", json_string(name));
			ver = json_pack("{s:f, s:s}", "core_clock_hz", st->core_hz,
					"clock", "core clock measured with a chain of dependent 1-cycle register adds just before the sweep; not the TSC");
			rc = bench_record(c, "level_latency_cycles", labels, cyc, m, ver);
			if (rc < 0)
				return rc;
		}
		if (p < s.nknees) {
			double size = s.knee[p].size;
			labels = lat_base_labels(st, window, 1);
			json_object_set_new(labels, "level", json_string(name));
			ver = json_pack("{s:s, s:o, s:f, s:f, s:f, s:f}",
					"inferred_from", "footprint where the latency has covered 10% of the step to the next plateau (log-interpolated)",
					"advertised_size_bytes", adv ? json_integer((json_int_t)adv) : json_null(),
					"last_footprint_below", s.knee[p].last_below,
					"first_footprint_above", s.knee[p].first_above,
					"latency_below_ns", s.knee[p].below,
					"latency_above_ns", s.knee[p].above);
			if (adv)
				json_object_set_new(ver, "ratio_to_advertised", json_real(size / (double)adv));
			rc = bench_record(c, "cache_size", labels, &size, 1, ver);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* One sweep: every footprint for one window and chain count. */
static int lat_sweep_run(struct bench_ctx *c, const struct lat_setup *st, const char *window,
			 unsigned chains, const uint64_t *fp, size_t n)
{
	double lat[LAT_MAX_POINTS];
	uint64_t mfp[LAT_MAX_POINTS];
	size_t group_pages = strcasecmp(window, "full") == 0 ? 0 : strtoul(window, NULL, 10);
	size_t group = 0;
	size_t done = 0;
	int rc;

	if (group_pages) {
		group = group_pages * LAT_BASE_PAGE / st->stride;
		if (!group)
			group = 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct chase_point pt = {
			.metric = "latency",
			.layout = { .nelem = fp[i] / st->stride, .stride = st->stride,
				    .line = st->line, .group = group, .chains = chains,
				    .seed = st->seed + i },
			.buf = st->buf,
			.sample_ns = st->sample_ns,
			.events = lat_events,
			.cpu = st->cpu,
		};
		if (pt.layout.nelem < chains) {
			bench_skip(c, json_pack("{s:I, s:s, s:I}", "footprint_bytes", (json_int_t)fp[i],
						"window", window, "chains", (json_int_t)chains),
				   "%llu bytes hold fewer than %u elements of %zu bytes",
				   (unsigned long long)fp[i], chains, st->stride);
			continue;
		}
		pt.labels = lat_base_labels(st, window, chains);
		json_object_set_new(pt.labels, "footprint_bytes", json_integer((json_int_t)fp[i]));
		pt.verified = json_pack("{s:s, s:o, s:o}",
					"window", window,
					"window_pages", group_pages ? json_integer((json_int_t)group_pages) : json_null(),
					"window_bytes", group_pages ? json_integer((json_int_t)(group_pages * LAT_BASE_PAGE)) : json_null());
		json_object_update(pt.verified, st->memj);
		rc = chase_measure(c, &pt, &lat[done]);
		if (rc < 0)
			return rc;
		if (isfinite(lat[done]) && lat[done] > 0)
			mfp[done++] = fp[i];
	}
	if (chains == 1)
		return lat_report_levels(c, st, window, mfp, lat, done);
	return 0;
}

static int latency_run(struct bench_ctx *c)
{
	struct lat_setup st = { .page = MEM_PAGE_4K };
	struct mem_region r;
	struct mem_verified mv;
	uint64_t *fp = NULL, max, min, region;
	size_t n = 0;
	bool derived = false, reserved = false;
	char buf[64], windows[16][16], chains_s[16][8];
	size_t nwin, nch;
	/* --quick: a point every other doubling still puts two points on each plateau. */
	double ppo = c->quick && !bench_opt_given(c, "points-per-octave")
		     ? 0.5 : (double)bench_opt_int(c, "points-per-octave");
	int64_t have;
	int rc;

	st.line = topo_line_size(c->topo);
	if (st.line < 16 || (st.line & (st.line - 1)))
		st.line = 64;
	st.stride = bench_opt_given(c, "stride") ? (size_t)bench_opt_size(c, "stride") : st.line;
	if (st.stride % st.line)
		return locus_fail(EINVAL, "bench latency: --stride: %zu is not a multiple of the cache line (%zu bytes)",
					  st.stride, st.line);
	if (mem_page_parse("bench latency: --page-size", bench_opt_str(c, "page-size"), &st.page) < 0)
		return -EINVAL;
	st.seed = (uint64_t)bench_opt_int(c, "seed");
	st.sample_ns = (double)bench_opt_int(c, "sample-ms") * 1e6;
	nwin = bench_opt_count(c, "window");
	nch = bench_opt_count(c, "chains");
	if (nwin > 16 || nch > 16)
		return locus_fail(EINVAL, "bench latency: at most 16 windows and 16 chain counts per run");
	for (size_t i = 0; i < nwin; i++)
		bench_opt_choice_at(c, "window", i, windows[i], sizeof(windows[i]));
	for (size_t i = 0; i < nch; i++)
		bench_opt_choice_at(c, "chains", i, chains_s[i], sizeof(chains_s[i]));

	fp = calloc(LAT_MAX_POINTS, sizeof(*fp));
	if (!fp)
		return -ENOMEM;
	if (bench_opt_count(c, "sizes")) {
		if (bench_opt_given(c, "min-size") || bench_opt_given(c, "max-size")) {
			free(fp);
			return locus_fail(EINVAL, "bench latency: --sizes excludes --min-size/--max-size");
		}
		n = bench_opt_count(c, "sizes");
		if (n > LAT_MAX_POINTS)
			n = LAT_MAX_POINTS;
		for (size_t i = 0; i < n; i++) {
			fp[i] = bench_opt_size_at(c, "sizes", i) / st.stride * st.stride;
			if (!fp[i]) {
				free(fp);
				return locus_fail(EINVAL, "bench latency: --sizes: %llu is smaller than one element (%zu bytes)",
							  (unsigned long long)bench_opt_size_at(c, "sizes", i), st.stride);
			}
		}
		qsort(fp, n, sizeof(*fp), cmp_u64);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!k || fp[i] != fp[k - 1])
				fp[k++] = fp[i];
		n = k;
	} else {
		min = bench_opt_size(c, "min-size");
		if (bench_opt_given(c, "max-size")) {
			max = bench_opt_size(c, "max-size");
		} else {
			uint64_t llc = topo_llc_size(c->topo), budget = mem_budget();
			if (!llc) {
				bench_warn(c, "last-level cache size unknown; assuming 32 MiB");
				llc = 32 << 20;
			}
			/* DRAM plateau: 4x the LLC is mostly misses even for a victim-friendly
			 * replacement policy; --quick stops at 2x, the rule's minimum. */
			max = memsize_default(llc, (c->quick ? 1 : 2) * MEMSIZE_LATENCY_FACTOR, true);
			if (budget && max > budget / 2) {
				max = pow2_floor(budget / 2);
				bench_warn(c, "largest footprint limited to %s by available memory",
					   format_size(max, buf, sizeof(buf)));
			}
			derived = true;
		}
		if (max < min) {
			free(fp);
			return locus_fail(EINVAL, "bench latency: --max-size %s is below --min-size",
						  format_size(max, buf, sizeof(buf)));
		}
		n = lat_sweep(min, max, ppo, st.stride, fp, LAT_MAX_POINTS);
	}
	region = fp[n - 1];
	if (!derived && (rc = bench_check_memory(c, region)) < 0) {
		free(fp);
		return rc;
	}

	have = chase_hugetlb_ready(c, st.page, region, bench_opt_flag(c, "reserve-hugepages"),
				   json_pack("{s:s}", "page_size", mem_page_name(st.page)), &reserved);
	if (have <= 0) {
		free(fp);
		return have < 0 ? (int)have : 1;
	}
	while (n && fp[n - 1] > (uint64_t)have)
		n--;
	if (!n) {
		rc = 1;
		goto out_pool;
	}
	region = fp[n - 1];

	st.cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, st.cpu);
	if (rc < 0) {
		locus_error("bench latency: cannot pin to CPU %d: %s", st.cpu, strerror(-rc));
		goto out_pool;
	}
	if (rc != st.cpu)
		bench_warn(c, "asked for CPU %d, running on %d", st.cpu, rc);

	rc = bench_alloc(c, &r, region, st.page);
	if (rc < 0)
		goto out_pool;
	mem_touch(&r);
	if (mem_verify(&r, 0, &mv) == 0) {
		st.memj = mem_verified_json(&r, &mv);
		st.page_label = chase_page_label(c, &r, &mv);
	} else {
		st.memj = json_object();
		st.page_label = chase_page_label(c, &r, NULL);
	}
	st.buf = r.p;
	st.core_hz = chase_core_clock_hz();

	rc = 0;
	for (size_t w = 0; w < nwin && rc == 0; w++)
		for (size_t k = 0; k < nch && rc == 0; k++)
			rc = lat_sweep_run(c, &st, windows[w], (unsigned)atoi(chains_s[k]), fp, n);

	json_decref(st.memj);
	mem_free(&r);
out_pool:
	if (reserved)
		mem_hugepages_release();
	free(fp);
	return rc;
}

static const struct bench_opt latency_opts[] = {
	{ .name = "sizes", .type = BOPT_SIZES, .min = 16,
	  .help = "footprints to measure, instead of the --min-size..--max-size sweep" },
	{ .name = "min-size", .type = BOPT_SIZE, .def = "1K", .min = 16,
	  .help = "smallest footprint of the sweep" },
	{ .name = "max-size", .type = BOPT_SIZE, .min = 16,
	  .help = "largest footprint of the sweep; default 4x the last-level cache rounded up to a power of two (--quick: 2x), within available memory" },
	{ .name = "points-per-octave", .type = BOPT_INT, .def = "4", .min = 1, .max = 16,
	  .help = "footprints per doubling in the sweep (--quick: one every two doublings)" },
	{ .name = "window", .type = BOPT_CHOICES, .def = "64",
	  .choices = "full,1,2,4,8,16,32,64,128,256,512,1024,4096,16384",
	  .help = "TLB-locality window in 4 KiB pages: the walk is random inside each window and the windows are chained in random order; 'full' = one fully random cycle; a list sweeps each" },
	{ .name = "chains", .type = BOPT_CHOICES, .def = "1", .choices = "1,2,3,4,5,6,7,8,9,10,11,12",
	  .help = "independent chains walked in one loop (memory-level parallelism); a list sweeps each" },
	{ .name = "page-size", .type = BOPT_CHOICE, .def = "4K", .choices = "4K,THP,2M,1G",
	  .help = "page size of the buffer, verified from /proc/self/smaps" },
	{ .name = "reserve-hugepages", .type = BOPT_FLAG,
	  .help = "as root, reserve the 2M/1G hugetlb pages the run needs and give them back afterwards" },
	{ .name = "stride", .type = BOPT_SIZE, .min = 16, .max = 1 << 30,
	  .help = "bytes between elements, a multiple of the cache line; default one cache line" },
	{ .name = "sample-ms", .type = BOPT_INT, .def = "2", .quick = "1", .min = 1, .max = 10000,
	  .help = "length of one timed sample in milliseconds (short samples fit between the scheduler's preemptions; a sample during which the thread was switched out is taken again)" },
	{ .name = "seed", .type = BOPT_INT, .def = "1", .min = 0, .max = 1000000000,
	  .help = "seed of the random permutations" },
	{ .name = NULL },
};

static const struct bench_metric latency_metrics[] = {
	{ .name = "latency", .unit = "ns", .higher_is_better = false },
	{ .name = "level_latency", .unit = "ns", .higher_is_better = false },
	{ .name = "level_latency_cycles", .unit = "cycles", .higher_is_better = false },
	{ .name = "cache_size", .unit = "bytes", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure latency_figures[] = {
	{ .kind = BFIG_LINES, .metric = "latency", .x = "footprint_bytes", .logy = true,
	  .cache_markers = true, .knee_metric = "cache_size", .knee_label = "level",
	  .title = "Memory latency staircase", .xlabel = "footprint (working set)",
	  .ylabel = "latency per dependent load",
	  .caption = "Median latency of a dependent random walk against its footprint, with "
		"95% CI; grey lines are the cache sizes the topology reports, red lines "
		"the knees found in the curve. Look for one plateau per cache level and "
		"the jump to DRAM after the last-level cache. A level whose knee lies near "
		"no cache size hwloc reports is named plateau-N (the one past the "
		"last-level cache, memory); the capacity summary names L1, L2, L3 and "
		"DRAM from the footprints against hwloc's sizes instead." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_latency_info = {
	.name = "latency",
	.summary = "load-to-use latency vs footprint: the cache staircase, inferred cache sizes",
	.description =
		"Walks a chain of dependent loads over a random single-cycle permutation (one\n"
		"element per cache line, verified to be one cycle by walking it) at footprints\n"
		"from 1 KiB to several times the last-level cache, and reports ns per load.\n"
		"The walk is random inside windows of --window 4 KiB pages chained in random\n"
		"order (default 64 pages, as multichase: measures caches and DRAM with a warm\n"
		"TLB); --window full is one fully random cycle (adds TLB misses and page walks\n"
		"at large footprints).  --chains K walks K independent chains at once.  From the\n"
		"single-chain curve the knees are detected: metric cache_size (inferred, next to\n"
		"hwloc's advertised size), level_latency (ns) and level_latency_cycles (core\n"
		"cycles at a clock measured with a dependent-add loop; TSC cycles are recorded\n"
		"under verified.tsc_cycles).  Page size (--page-size) is verified from\n"
		"/proc/self/smaps; results carry the page size obtained.",
	.opts = latency_opts,
	.metrics = latency_metrics,
	.headline = "latency",
	.figures = latency_figures,
	.explain = "A chain of dependent loads over a random cyclic permutation measures the "
		"true latency of each level of the memory hierarchy, because no load can "
		"start before the previous one finished. As the footprint outgrows each "
		"cache the latency steps up, and the steps reveal the effective cache "
		"sizes and the DRAM latency.",
	.supported = NULL,
	.run = latency_run,
};
