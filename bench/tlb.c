/* SPDX-License-Identifier: MIT */
/*
 * tlb.c — TLB reach: dependent-load latency against working set, per page size.
 *
 * The same random walks run over memory backed by 4 KiB pages (MADV_NOHUGEPAGE),
 * transparent huge pages (MADV_HUGEPAGE on a 2 MiB-aligned region), and hugetlb 2 MiB
 * and 1 GiB pages; the page size actually obtained is read back from /proc/self/smaps
 * and a run that did not get what it asked for is labelled with what it got.
 *
 * Cache capacity and TLB reach both make latency rise with footprint; lmbench's two
 * chains of equal footprint tell them apart.  `page-stride` touches one line in every
 * 4 KiB page, pages in random order: every load needs a new translation while the data
 * touched is only footprint/64.  `all-lines` touches every line of a 4 KiB page (in
 * random order) before moving to another random page: the data touched is the whole
 * footprint while a translation serves 64 loads.  The chains are the same for every
 * backing page size — only the backing differs — so the curves compare directly.
 *
 * The TLB knees are found on the ratio of the page-stride latency at footprint F to the
 * all-lines latency at F×line/4096, the footprint at which all-lines touches as many
 * lines as page-stride does at F: the caches see the same amount of data, so what is
 * left of the ratio is translation cost.  Each knee is reported as metric tlb_reach
 * (bytes) with the number of entries it implies for the page size obtained.
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
#include "parse.h"
#include "timer.h"

#define TLB_UNIT 4096u        /* the chains' page: the base page, for every backing */
#define TLB_MAX_POINTS 256

static const char *const tlb_events[] = {
	"PAPI_TLB_DM", "PAPI_L1_DCM", "PAPI_L2_TCM", "PAPI_L3_TCM", "perf::PAGE-FAULTS", NULL
};

enum tlb_chain { TLB_PAGE_STRIDE, TLB_ALL_LINES, TLB_NR_CHAINS };
static const char *const tlb_chain_names[TLB_NR_CHAINS] = { "page-stride", "all-lines" };

static uint64_t pow2_floor(uint64_t v)
{
	uint64_t p = 1;

	while (p <= v / 2)
		p <<= 1;
	return p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct tlb_setup {
	bool chain[TLB_NR_CHAINS];
	size_t line;
	uint64_t seed;
	double sample_ns;
	int cpu;
	bool reserve;
};

/* Latency of the all-lines chain at footprint g, interpolated in log-log between
 * measured points; NaN where it would be an extrapolation, except below the smallest
 * point when that point still fits in L1 (then the latency below is the same). */
static double tlb_ref_at(struct bench_ctx *c, const uint64_t *fp, const double *al, size_t n,
			 double g)
{
	uint64_t l1 = topo_cache_size(c->topo, 1);

	if (!n)
		return NAN;
	if (g <= (double)fp[0])
		return g == (double)fp[0] || (l1 && fp[0] <= l1) ? al[0] : NAN;
	for (size_t i = 1; i < n; i++) {
		if (g <= (double)fp[i]) {
			double f = log2(g / (double)fp[i - 1]) / log2((double)fp[i] / (double)fp[i - 1]);
			return exp2(log2(al[i - 1]) + f * (log2(al[i]) - log2(al[i - 1])));
		}
	}
	return NAN;
}

/* Knees of one page size's curves, as tlb_reach measurements. */
static int tlb_report_reach(struct bench_ctx *c, const struct tlb_setup *st, const char *label,
			    const char *asked_label, uint64_t page_bytes, const uint64_t *fp,
			    const double *ps, const double *al, size_t n)
{
	double x[TLB_MAX_POINTS], y[TLB_MAX_POINTS];
	struct chase_stairs s;
	bool ref = st->chain[TLB_ALL_LINES];
	size_t m = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		double r = ps[i];
		if (ref) {
			double a = tlb_ref_at(c, fp, al, n, (double)fp[i] * (double)st->line / TLB_UNIT);
			if (!isfinite(a) || a <= 0)
				continue;
			r = ps[i] / a;
		}
		if (!isfinite(r) || r <= 0)
			continue;
		x[m] = (double)fp[i];
		y[m++] = r;
	}
	if (m < 3 || chase_staircase(x, y, m, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s) < 0) {
		locus_info("bench tlb: %s pages: %zu points are too few to find TLB knees", label, m);
		return 0;
	}
	if (!s.nknees) {
		char b[32];
		json_t *l = json_pack("{s:s, s:s}", "page_size", label, "metric", "tlb_reach");
		if (asked_label)
			json_object_set_new(l, "page_size_asked", json_string(asked_label));
		bench_skip(c, l, "%s pages: no TLB knee up to %s (the page-stride latency %s)", label,
			   format_size(fp[n - 1], b, sizeof(b)),
			   ref ? "stays level relative to the all-lines chain" : "stays level");
		return 0;
	}
	for (size_t k = 0; k < s.nknees; k++) {
		const struct chase_knee *kn = &s.knee[k];
		char knee[8];
		json_t *labels, *ver;

		snprintf(knee, sizeof(knee), "%zu", k + 1);
		labels = json_pack("{s:s, s:s}", "page_size", label, "knee", knee);
		if (asked_label)
			json_object_set_new(labels, "page_size_asked", json_string(asked_label));
		if (page_bytes > TLB_UNIT && kn->size < (double)page_bytes)
			bench_warn(c, "%s pages: a TLB knee at %.0f KiB, less than one %s page: translations are cached at a smaller granularity (a hypervisor backing guest memory with 4 KiB pages?)",
				   label, kn->size / 1024, label);
		ver = json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:I}",
				"inferred_from", ref
				? "knee of page-stride latency at F divided by all-lines latency at F*line/4096 (same lines touched, so the ratio is translation cost); size where 10% of the step is covered"
				: "knee of the page-stride latency alone (no all-lines reference: cache knees are not separated)",
				"reference", ref ? "all-lines" : "none",
				"last_footprint_below", kn->last_below,
				"first_footprint_above", kn->first_above,
				ref ? "ratio_below" : "latency_below_ns", kn->below,
				ref ? "ratio_above" : "latency_above_ns", kn->above,
				"entries", kn->size / (double)page_bytes,
				"entries_at_4k", kn->size / TLB_UNIT,
				"page_size_bytes", (json_int_t)page_bytes);
		rc = bench_record(c, "tlb_reach", labels, &kn->size, 1, ver);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Every footprint and chain on one page size. */
static int tlb_page_run(struct bench_ctx *c, const struct tlb_setup *st, enum mem_page page,
			const uint64_t *fp_all, size_t n)
{
	const char *asked = mem_page_name(page), *label, *asked_label = NULL;
	double ps[TLB_MAX_POINTS], al[TLB_MAX_POINTS];
	uint64_t fp[TLB_MAX_POINTS];
	struct mem_region r;
	struct mem_verified mv = { 0 };
	json_t *memj;
	bool reserved = false;
	int64_t have;
	size_t nn = 0;
	int rc;

	have = chase_hugetlb_ready(c, page, fp_all[n - 1], st->reserve,
				   json_pack("{s:s}", "page_size", asked), &reserved);
	if (have <= 0)
		return (int)have;
	while (n && fp_all[n - 1] > (uint64_t)have)
		n--;
	if (!n) {
		bench_skip(c, json_pack("{s:s}", "page_size", asked),
			   "%s pages: the pool holds less than the smallest footprint", asked);
		rc = 0;
		goto out_pool;
	}
	rc = bench_alloc_or_skip(c, &r, fp_all[n - 1], page, json_pack("{s:s}", "page_size", asked));
	if (rc != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out_pool;
	}
	mem_touch(&r);
	if (mem_verify(&r, 0, &mv) == 0) {
		memj = mem_verified_json(&r, &mv);
		label = chase_page_label(c, &r, &mv);
	} else {
		memj = json_object();
		label = chase_page_label(c, &r, NULL);
	}
	if (strcmp(label, asked) != 0)
		asked_label = asked;

	for (size_t i = 0; i < n && rc == 0; i++) {
		ps[nn] = al[nn] = NAN;
		for (int ch = 0; ch < TLB_NR_CHAINS && rc == 0; ch++) {
			bool stride = ch == TLB_PAGE_STRIDE;
			double med;
			if (!st->chain[ch])
				continue;
			struct chase_point pt = {
				.metric = "latency",
				.layout = { .nelem = fp_all[i] / (stride ? TLB_UNIT : st->line),
					    .stride = stride ? TLB_UNIT : st->line, .line = st->line,
					    .group = stride ? 0 : TLB_UNIT / st->line, .chains = 1,
					    .seed = st->seed + i * 2 + (unsigned)ch },
				.buf = r.p,
				.sample_ns = st->sample_ns,
				.events = tlb_events,
				.cpu = st->cpu,
			};
			pt.labels = json_pack("{s:s, s:I, s:s}", "page_size", label,
					      "footprint_bytes", (json_int_t)fp_all[i],
					      "chain", tlb_chain_names[ch]);
			if (asked_label)
				json_object_set_new(pt.labels, "page_size_asked", json_string(asked_label));
			pt.verified = json_pack("{s:I, s:I, s:I}",
						"pages_4k_touched", (json_int_t)(fp_all[i] / TLB_UNIT),
						"lines_touched", (json_int_t)pt.layout.nelem,
						"lines_per_4k_page", (json_int_t)(stride ? 1 : TLB_UNIT / st->line));
			json_object_update(pt.verified, memj);
			rc = chase_measure(c, &pt, &med);
			if (stride)
				ps[nn] = med;
			else
				al[nn] = med;
		}
		fp[nn++] = fp_all[i];
	}
	if (rc == 0 && st->chain[TLB_PAGE_STRIDE])
		rc = tlb_report_reach(c, st, label, asked_label, mv.page_size ? mv.page_size : TLB_UNIT,
				      fp, ps, al, nn);
	json_decref(memj);
	mem_free(&r);
out_pool:
	if (reserved)
		mem_hugepages_release();
	return rc;
}

static int tlb_run(struct bench_ctx *c)
{
	struct tlb_setup st = { .reserve = bench_opt_flag(c, "reserve-hugepages") };
	enum mem_page pages[4];
	uint64_t fp[TLB_MAX_POINTS], min, max;
	size_t npages = 0, n = 0;
	bool derived = false;
	/* --quick: a point every other doubling still puts two points on each plateau. */
	double ppo = c->quick && !bench_opt_given(c, "points-per-octave")
		     ? 0.5 : (double)bench_opt_int(c, "points-per-octave");
	char buf[32];
	int rc, measured = 0;

	st.line = topo_line_size(c->topo);
	if (st.line < 16 || st.line > TLB_UNIT || (st.line & (st.line - 1)))
		st.line = 64;
	st.seed = (uint64_t)bench_opt_int(c, "seed");
	st.sample_ns = (double)bench_opt_int(c, "sample-ms") * 1e6;
	for (size_t i = 0; i < bench_opt_count(c, "chain"); i++) {
		bench_opt_choice_at(c, "chain", i, buf, sizeof(buf));
		for (int ch = 0; ch < TLB_NR_CHAINS; ch++)
			if (strcasecmp(buf, tlb_chain_names[ch]) == 0)
				st.chain[ch] = true;
	}
	rc = bench_opt_pages(c, "page-size", pages, 4);
	if (rc < 0)
		return rc;
	npages = (size_t)rc;

	if (bench_opt_count(c, "sizes")) {
		if (bench_opt_given(c, "min-size") || bench_opt_given(c, "max-size"))
			return locus_fail(EINVAL, "bench tlb: --sizes excludes --min-size/--max-size");
		for (size_t i = 0; i < bench_opt_count(c, "sizes") && n < TLB_MAX_POINTS; i++) {
			uint64_t s = bench_opt_size_at(c, "sizes", i);
			if (s < TLB_UNIT)
				return locus_fail(EINVAL, "bench tlb: --sizes: %llu is smaller than one 4 KiB page",
							  (unsigned long long)s);
			fp[n++] = s / TLB_UNIT * TLB_UNIT;
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
			uint64_t budget = mem_budget();
			max = c->quick ? 256ull << 20 : 4ull << 30;
			if (budget && max > budget / 2) {
				max = pow2_floor(budget / 2);
				bench_warn(c, "largest footprint limited to %s by available memory",
					   format_size(max, buf, sizeof(buf)));
			}
			derived = true;
		}
		if (max < min)
			return locus_fail(EINVAL, "bench tlb: --max-size %s is below --min-size",
						  format_size(max, buf, sizeof(buf)));
		for (unsigned i = 0; n < TLB_MAX_POINTS; i++) {
			double f = (double)min * exp2((double)i / ppo);
			uint64_t s;
			if (f > (double)max * 1.0001)
				break;
			s = (uint64_t)llround(f / TLB_UNIT) * TLB_UNIT;
			if (s && (!n || s > fp[n - 1]))
				fp[n++] = s;
		}
	}
	if (!n)
		return locus_fail(EINVAL, "bench tlb: no footprint to measure");
	if (!derived && (rc = bench_check_memory(c, fp[n - 1])) < 0)
		return rc;

	st.cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, st.cpu);
	if (rc < 0)
		return locus_fail(-rc, "bench tlb: cannot pin to CPU %d: %s", st.cpu, strerror(-rc));
	if (rc != st.cpu)
		bench_warn(c, "asked for CPU %d, running on %d", st.cpu, rc);

	for (size_t i = 0; i < npages; i++) {
		json_t *ms = json_object_get(c->result, "measurements");
		size_t before = json_array_size(ms);
		rc = tlb_page_run(c, &st, pages[i], fp, n);
		if (rc < 0)
			return rc;
		measured += json_array_size(ms) > before;
	}
	return measured ? 0 : 1;   /* 1: everything asked was skipped */
}

static const struct bench_opt tlb_opts[] = {
	{ .name = "page-size", .type = BOPT_CHOICES, .def = "4K,THP,2M,1G", .choices = "4K,THP,2M,1G",
	  .help = "backing page sizes to measure (verified from /proc/self/smaps; hugetlb sizes need a reserved pool)" },
	{ .name = "chain", .type = BOPT_CHOICES, .def = "page-stride,all-lines",
	  .choices = "page-stride,all-lines",
	  .help = "page-stride: one line per 4 KiB page; all-lines: every line of each 4 KiB page" },
	{ .name = "sizes", .type = BOPT_SIZES, .min = 4096,
	  .help = "footprints to measure, instead of the --min-size..--max-size sweep" },
	{ .name = "min-size", .type = BOPT_SIZE, .def = "16K", .min = 4096,
	  .help = "smallest footprint of the sweep" },
	{ .name = "max-size", .type = BOPT_SIZE, .min = 4096,
	  .help = "largest footprint of the sweep; default 4G (--quick: 256M), within available memory" },
	{ .name = "points-per-octave", .type = BOPT_INT, .def = "2", .min = 1, .max = 8,
	  .help = "footprints per doubling in the sweep (--quick: one every two doublings)" },
	{ .name = "reserve-hugepages", .type = BOPT_FLAG,
	  .help = "as root, reserve the 2M/1G hugetlb pages the run needs and give every page back afterwards (also on errors and signals)" },
	{ .name = "sample-ms", .type = BOPT_INT, .def = "2", .quick = "1", .min = 1, .max = 10000,
	  .help = "length of one timed sample in milliseconds (short samples fit between the scheduler's preemptions; a sample during which the thread was switched out is taken again)" },
	{ .name = "seed", .type = BOPT_INT, .def = "1", .min = 0, .max = 1000000000,
	  .help = "seed of the random permutations" },
	{ .name = NULL },
};

static const struct bench_metric tlb_metrics[] = {
	{ .name = "latency", .unit = "ns", .higher_is_better = false },
	{ .name = "tlb_reach", .unit = "bytes", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure tlb_figures[] = {
	{ .kind = BFIG_LINES, .metric = "latency", .x = "footprint_bytes", .series = "page_size,chain",
	  .logy = true, .knee_metric = "tlb_reach", .knee_label = "page_size",
	  .title = "TLB reach per page size", .xlabel = "footprint (working set)",
	  .ylabel = "latency per dependent load",
	  .caption = "Latency against footprint, one curve per page size and chain; red lines "
		"mark the detected TLB reach. Larger pages push the knee to the right: "
		"the same number of TLB entries covers more memory." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_tlb_info = {
	.name = "tlb",
	.summary = "TLB reach: access latency vs working set for 4K, THP, 2M and 1G pages",
	.description =
		"Dependent-load latency against footprint on memory backed by 4 KiB pages\n"
		"(MADV_NOHUGEPAGE), transparent huge pages (MADV_HUGEPAGE), and hugetlb 2 MiB\n"
		"and 1 GiB pages.  Two chains of equal footprint (lmbench's method):\n"
		"page-stride touches one line per 4 KiB page, pages in random order (one\n"
		"translation per load, little data); all-lines touches every line of each\n"
		"4 KiB page before the next random page (all the data, one translation per\n"
		"page).  Knees of page-stride relative to all-lines are reported as tlb_reach.\n"
		"The page size obtained is verified from /proc/self/smaps and used as the\n"
		"label; a run that did not get its page size is labelled with what it got.\n"
		"hugetlb sizes with an empty pool are skipped with the command that reserves\n"
		"pages; --reserve-hugepages (root) reserves them and gives them back.",
	.opts = tlb_opts,
	.metrics = tlb_metrics,
	.headline = "latency",
	.figures = tlb_figures,
	.explain = "The same random walks run over memory backed by 4 KiB pages, transparent "
		"huge pages and hugetlb pages, once touching one line per page and once "
		"every line of each page. Where the page-stride chain slows down while "
		"the all-lines chain does not, the TLB has run out of entries: that "
		"footprint is the TLB reach for the page size.",
	.supported = NULL,
	.run = tlb_run,
};
