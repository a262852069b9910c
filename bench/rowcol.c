/* SPDX-License-Identifier: MIT */
/*
 * rowcol.c — row-major vs column-major vs tiled traversal of an N×N matrix.
 *
 * The classic demonstration that the order in which memory is walked matters as much as
 * how much of it there is: the same N×N sum costs one sequential stream in row-major
 * order, one cache line (and, once a row is larger than a page, one TLB entry) per
 * element in column-major order, and tiled order shows that blocking the column walk
 * into cache-sized tiles wins the locality back.  N is swept from a matrix that fits in
 * half of L1 to several times the last-level cache, with sizes derived from the
 * topology so the staircase lines up with this machine's caches.
 *
 * Elements are uint64_t, not double: integer addition is associative, so every order
 * must produce bit-for-bit the same checksum, which is checked against a closed form on
 * every sample (a traversal that skips or repeats elements fails with -EPROTO).  All
 * three kernels run the same scalar load+add per element, with an empty asm on the
 * accumulator so that no compiler vectorizes, unrolls into different shapes or
 * interchanges one order's loops and not another's: the comparison is of the memory
 * system, not of code generation.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "log.h"
#include "parse.h"
#include "timer.h"

/* Elements per timed sample: small matrices are summed several times per sample so a
 * sample lasts a millisecond or more, well above the timer's resolution. */
#define RC_TARGET_ELEMS (1u << 22)

enum rc_order { RC_ROW, RC_COL, RC_TILED, RC_NR_ORDERS };
static const char *const rc_order_names[RC_NR_ORDERS] = { "row", "col", "tiled" };

static const char *const rc_events[] = {
	"PAPI_L1_DCM", "PAPI_L2_TCM", "PAPI_L3_TCM", "PAPI_TLB_DM", NULL
};

/* The accumulator goes through an empty asm after every add: one scalar add per element
 * in every order, no vectorization, no loop interchange. */
#define RC_KEEP(x) __asm__("" : "+r"(x))

static __attribute__((noinline)) uint64_t rc_sum_row(const uint64_t *a, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++) {
		const uint64_t *row = a + i * n;
		for (size_t j = 0; j < n; j++) {
			s += row[j];
			RC_KEEP(s);
		}
	}
	return s;
}

static __attribute__((noinline)) uint64_t rc_sum_col(const uint64_t *a, size_t n)
{
	uint64_t s = 0;

	for (size_t j = 0; j < n; j++) {
		const uint64_t *col = a + j;
		for (size_t i = 0; i < n; i++) {
			s += col[i * n];
			RC_KEEP(s);
		}
	}
	return s;
}

/*
 * Tiles of b×b visited in row-major order; inside a tile the walk is column-major, so
 * this is the column traversal blocked for the cache: the b lines of a tile column stay
 * in L1 while the following columns of the tile reuse them, and b rows touch only b
 * pages at a time.
 */
static __attribute__((noinline)) uint64_t rc_sum_tiled(const uint64_t *a, size_t n, size_t b)
{
	uint64_t s = 0;

	for (size_t ii = 0; ii < n; ii += b) {
		size_t ie = ii + b < n ? ii + b : n;
		for (size_t jj = 0; jj < n; jj += b) {
			size_t je = jj + b < n ? jj + b : n;
			for (size_t j = jj; j < je; j++) {
				const uint64_t *col = a + j;
				for (size_t i = ii; i < ie; i++) {
					s += col[i * n];
					RC_KEEP(s);
				}
			}
		}
	}
	return s;
}

/* Element k (row-major index) holds (k+1)·G with G odd: all values distinct and the
 * total has a closed form, independent of any traversal. */
#define RC_G 0x9E3779B97F4A7C15ull

static uint64_t rc_expected(uint64_t m)
{
	/* sum_{k=1..m} k·G mod 2^64 = G·m(m+1)/2; halve the even factor first. */
	uint64_t t = (m % 2 == 0) ? (m / 2) * (m + 1) : m * ((m + 1) / 2);

	return t * RC_G;
}

static void rc_fill(uint64_t *a, uint64_t m)
{
	for (uint64_t k = 0; k < m; k++)
		a[k] = (k + 1) * RC_G;
}

struct rc_job {
	enum rc_order order;
	const uint64_t *a;
	size_t n, tile;
	unsigned passes;
	uint64_t expected, got;
};

static uint64_t rc_traverse(const struct rc_job *j)
{
	switch (j->order) {
	case RC_ROW:
		return rc_sum_row(j->a, j->n);
	case RC_COL:
		return rc_sum_col(j->a, j->n);
	default:
		return rc_sum_tiled(j->a, j->n, j->tile);
	}
}

/* One sample: `passes` full traversals, each checked against the closed form. */
static int rc_sample(void *arg, double *sample)
{
	struct rc_job *j = arg;
	uint64_t t0, t1, s = 0;

	t0 = timer_now();
	for (unsigned p = 0; p < j->passes; p++) {
		/* The kernels read memory only; without this clobber the compiler may treat
		 * them as pure and fold repeated passes into one call. */
		__asm__ __volatile__("" ::: "memory");
		s = rc_traverse(j);
		if (s != j->expected)
			break;
	}
	t1 = timer_now();
	j->got = s;
	if (s != j->expected)
		return locus_fail(EPROTO, "bench rowcol: %s order, n=%zu: checksum 0x%016llx, expected 0x%016llx",
					  rc_order_names[j->order], j->n, (unsigned long long)s,
					  (unsigned long long)j->expected);
	*sample = timer_ticks_to_ns(t1 - t0) / ((double)j->passes * (double)j->n * (double)j->n);
	return 0;
}

/* N for a footprint: floor(sqrt(bytes/8)) rounded down to whole cache lines per row, and
 * never a power of two (≥ 64), whose row stride would map a column onto a handful of
 * cache sets and measure associativity conflicts instead of capacity. */
static size_t rc_n_for_footprint(uint64_t bytes)
{
	size_t n = (size_t)sqrt((double)bytes / sizeof(uint64_t));

	while ((uint64_t)(n + 1) * (n + 1) * sizeof(uint64_t) <= bytes)
		n++;
	while (n && (uint64_t)n * n * sizeof(uint64_t) > bytes)
		n--;
	n -= n % 8;
	if (n < 8)
		n = 8;
	if (n >= 64 && (n & (n - 1)) == 0)
		n -= 8;
	return n;
}

static int rc_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted, without duplicates; returns the new count. */
static size_t rc_sort_unique(size_t *v, size_t k)
{
	size_t o = 0;

	qsort(v, k, sizeof(*v), rc_cmp_size);
	for (size_t i = 0; i < k; i++)
		if (o == 0 || v[o - 1] != v[i])
			v[o++] = v[i];
	return o;
}

/* The default sweep from the topology: L1/2, L2/2, LLC/2, 4×LLC (quick: L1/2, L2/2,
 * 16×L2, which stays out of DRAM-sized matrices so the quick suite stays short). */
static size_t rc_default_ns(struct bench_ctx *c, size_t *ns)
{
	uint64_t l1 = topo_cache_size(c->topo, 1), l2 = topo_cache_size(c->topo, 2);
	uint64_t llc = topo_llc_size(c->topo), fp[4];
	size_t k = 0;

	if (!l1 || !l2 || !llc) {
		bench_warn(c, "cache sizes unknown (L1 %llu, L2 %llu, LLC %llu bytes); assuming 32K, 1M and 32M",
			   (unsigned long long)l1, (unsigned long long)l2, (unsigned long long)llc);
		l1 = l1 ? l1 : 32 << 10;
		l2 = l2 ? l2 : 1 << 20;
		llc = llc ? llc : 32 << 20;
	}
	fp[k++] = l1 / 2;
	fp[k++] = l2 / 2;
	if (c->quick) {
		fp[k++] = 16 * l2;
	} else {
		fp[k++] = llc / 2;
		fp[k++] = 4 * llc;
	}
	for (size_t i = 0; i < k; i++)
		ns[i] = rc_n_for_footprint(fp[i]);
	return rc_sort_unique(ns, k);
}

/* Tile side in elements: the largest multiple of a cache line's worth of elements whose
 * b×b tile fills at most half of L1. */
static size_t rc_default_tile(struct bench_ctx *c)
{
	uint64_t l1 = topo_cache_size(c->topo, 1);
	size_t per_line = topo_line_size(c->topo) / sizeof(uint64_t), b;

	if (!l1)
		l1 = 32 << 10;
	if (!per_line)
		per_line = 8;
	b = (size_t)sqrt((double)l1 / 2 / sizeof(uint64_t));
	b -= b % per_line;
	return b ? b : per_line;
}

static json_t *rc_hex(uint64_t x)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)x);
	return json_string(buf);
}

struct rc_setup {
	bool orders[RC_NR_ORDERS];
	size_t tile;
	enum mem_page page;
	int cpu;
};

/* Measure the selected orders on one N×N matrix. */
static int rc_one_size(struct bench_ctx *c, const struct rc_setup *st, size_t n)
{
	uint64_t m = (uint64_t)n * n, bytes = m * sizeof(uint64_t);
	struct mem_region r;
	struct mem_verified mv;
	json_t *memj = NULL;
	int rc;

	rc = bench_alloc(c, &r, bytes, st->page);
	if (rc < 0) {
		if (rc == -ENOMEM && (st->page == MEM_PAGE_2M || st->page == MEM_PAGE_1G)) {
			uint64_t pb = mem_page_bytes(st->page), pages = (bytes + pb - 1) / pb;
			bench_skip(c, json_pack("{s:I, s:I}", "n", (json_int_t)n,
						"footprint_bytes", (json_int_t)bytes),
				   "the hugetlb pool does not have %llu free %s pages for the matrix; reserve them as root "
				   "with 'echo %llu > /sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages'",
				   (unsigned long long)pages, mem_page_name(st->page), (unsigned long long)pages,
				   (unsigned long long)(mem_page_bytes(st->page) >> 10));
			return 0;
		}
		return rc;
	}
	/* First touch from the pinned thread. */
	rc_fill(r.p, m);
	if (mem_verify(&r, 0, &mv) == 0) {
		memj = mem_verified_json(&r, &mv);
		if (!mv.page_ok)
			bench_warn(c, "n=%zu: asked for %s pages, got %s", n, mem_page_name(st->page),
				   mv.page_name ? mv.page_name : "unknown");
	} else {
		bench_warn(c, "n=%zu: could not verify the matrix's pages", n);
	}

	for (int o = 0; o < RC_NR_ORDERS && rc == 0; o++) {
		struct rc_job j = {
			.order = o, .a = r.p, .n = n, .expected = rc_expected(m),
			.tile = st->tile < n ? st->tile : n,
		};
		uint64_t per = (RC_TARGET_ELEMS + m - 1) / m;
		json_t *ver;
		int now;

		if (!st->orders[o])
			continue;
		j.passes = per > 1 ? (unsigned)per : 1;
		ver = json_pack("{s:o, s:o, s:b, s:I, s:I, s:i}",
				"checksum", json_null(), "expected", rc_hex(j.expected),
				"checksum_ok", 0, "passes_per_sample", (json_int_t)j.passes,
				"elements_per_sample", (json_int_t)(j.passes * m), "cpu_asked", st->cpu);
		if (o == RC_TILED)
			json_object_set_new(ver, "tile", json_integer((json_int_t)j.tile));
		if (memj)
			json_object_update(ver, memj);
		/* Keep a reference: the checksum is known only after the samples ran. */
		json_incref(ver);
		struct bench_measure bm = {
			.metric = "time_per_element",
			.labels = json_pack("{s:s, s:I, s:I}", "order", rc_order_names[o],
					    "n", (json_int_t)n, "footprint_bytes", (json_int_t)bytes),
			.verified = ver,
			.fn = rc_sample,
			.arg = &j,
			.events = rc_events,
			.ops_per_sample = (double)j.passes * (double)m,
			.counters_per = "element",
		};
		rc = bench_measure(c, &bm);
		now = sched_getcpu();
		json_object_set_new(ver, "checksum", rc_hex(j.got));
		json_object_set_new(ver, "checksum_ok", json_boolean(rc == 0 && j.got == j.expected));
		json_object_set_new(ver, "cpu", json_integer(now));
		json_object_set_new(ver, "cpu_ok", json_boolean(now == st->cpu || c->topo->fake));
		json_decref(ver);
	}
	json_decref(memj);
	mem_free(&r);
	return rc;
}

static int rowcol_run(struct bench_ctx *c)
{
	struct rc_setup st = { .page = MEM_PAGE_DEFAULT };
	size_t ns[64], k = 0;
	bool derived = false;
	char buf[32];
	int rc;

	if (bench_opt_given(c, "sizes") && bench_opt_given(c, "n"))
		return locus_fail(EINVAL, "bench rowcol: --sizes and --n exclude each other; give footprints or N, not both");
	if (bench_opt_count(c, "n") > 0) {
		k = bench_opt_count(c, "n");
		if (k > sizeof(ns) / sizeof(ns[0]))
			return locus_fail(EINVAL, "bench rowcol: --n: %zu values; at most %zu allowed", k,
						  sizeof(ns) / sizeof(ns[0]));
		for (size_t i = 0; i < k; i++)
			ns[i] = (size_t)bench_opt_size_at(c, "n", i);
		k = rc_sort_unique(ns, k);
	} else if (bench_opt_count(c, "sizes") > 0) {
		k = bench_opt_count(c, "sizes");
		if (k > sizeof(ns) / sizeof(ns[0]))
			return locus_fail(EINVAL, "bench rowcol: --sizes: %zu values; at most %zu allowed", k,
						  sizeof(ns) / sizeof(ns[0]));
		for (size_t i = 0; i < k; i++)
			ns[i] = rc_n_for_footprint(bench_opt_size_at(c, "sizes", i));
		k = rc_sort_unique(ns, k);
	} else {
		k = rc_default_ns(c, ns);
		derived = true;
	}

	for (size_t i = 0; i < bench_opt_count(c, "order"); i++) {
		bench_opt_choice_at(c, "order", i, buf, sizeof(buf));
		for (int o = 0; o < RC_NR_ORDERS; o++)
			if (strcasecmp(buf, rc_order_names[o]) == 0)
				st.orders[o] = true;
	}
	st.tile = bench_opt_given(c, "tile") ? (size_t)bench_opt_int(c, "tile") : rc_default_tile(c);
	if (bench_opt_str(c, "page") &&
	    mem_page_parse("bench rowcol: --page", bench_opt_str(c, "page"), &st.page) < 0)
		return -EINVAL;

	/* Memory guard before anything runs: an explicit size that does not fit is bad
	 * input; a derived one is skipped with the reason. */
	if (!derived) {
		rc = bench_check_memory(c, (uint64_t)ns[k - 1] * ns[k - 1] * sizeof(uint64_t));
		if (rc < 0)
			return rc;
	} else {
		uint64_t budget = mem_budget();
		size_t keep = 0;
		for (size_t i = 0; i < k; i++) {
			uint64_t bytes = (uint64_t)ns[i] * ns[i] * sizeof(uint64_t);
			if (budget && bytes > budget) {
				bench_skip(c, json_pack("{s:I, s:I}", "n", (json_int_t)ns[i],
							"footprint_bytes", (json_int_t)bytes),
					   "%s is more than 80%% of available memory",
					   format_size(bytes, buf, sizeof(buf)));
				continue;
			}
			ns[keep++] = ns[i];
		}
		k = keep;
	}

	st.cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, st.cpu);
	if (rc < 0)
		return locus_fail(-rc, "bench rowcol: cannot pin to CPU %d: %s", st.cpu, strerror(-rc));
	if (rc != st.cpu)
		bench_warn(c, "asked for CPU %d, running on %d", st.cpu, rc);

	for (size_t i = 0; i < k; i++) {
		rc = rc_one_size(c, &st, ns[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const struct bench_opt rowcol_opts[] = {
	{ .name = "sizes", .type = BOPT_SIZES, .min = 512,
	  .help = "matrix footprints to sweep (N×N×8 bytes; N rounded down to whole cache lines); "
		  "default L1/2,L2/2,LLC/2,4×LLC from the topology (--quick: L1/2,L2/2,16×L2)" },
	{ .name = "n", .type = BOPT_SIZES, .min = 1, .max = 1 << 24,
	  .help = "matrix orders N to sweep instead of --sizes, used exactly as given" },
	{ .name = "order", .type = BOPT_CHOICES, .def = "row,col,tiled", .choices = "row,col,tiled",
	  .help = "traversal orders to measure" },
	{ .name = "tile", .type = BOPT_INT, .min = 1, .max = 1 << 16,
	  .help = "tile side in elements for the tiled order; default: a tile fills half of L1" },
	{ .name = "page", .type = BOPT_CHOICE, .def = "default", .choices = "default,4K,THP,2M,1G",
	  .help = "page size of the matrix (verified from /proc/self/smaps)" },
	{ .name = NULL },
};

static const struct bench_metric rowcol_metrics[] = {
	{ .name = "time_per_element", .unit = "ns", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure rc_figures[] = {
	{ .kind = BFIG_LINES, .metric = "time_per_element", .x = "n", .series = "order",
	  .title = "Row-major vs column-major traversal", .xlabel = "matrix side N (elements)",
	  .ylabel = "time per element",
	  .caption = "Median time per element for each traversal order against the matrix "
		"side, with 95% CI. Column order falls behind once a column of cache "
		"lines no longer fits in the cache; tiling recovers row-order speed." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_rowcol_info = {
	.name = "rowcol",
	.summary = "sum an N×N matrix in row-major, column-major and tiled order, N from L1 to ≫ LLC",
	.description =
		"Sums an N×N matrix of uint64 in row-major order (one sequential stream),\n"
		"column-major order (a new cache line, and past 4 KiB rows a new page, for\n"
		"every element) and tiled order (column-major inside L1-sized tiles), and\n"
		"reports the time per element.  N is swept from a matrix that fits in half of\n"
		"L1 to several times the last-level cache.  Every order must give the same\n"
		"checksum (checked against a closed form on every sample; a mismatch exits 5).\n"
		"Counters: L1/L2/L3 and data-TLB misses per element.",
	.opts = rowcol_opts,
	.metrics = rowcol_metrics,
	.headline = "time_per_element",
	.figures = rc_figures,
	.explain = "The same N x N matrix is summed in row order (sequential addresses), "
		"column order (a stride of one row per access) and in tiles. The gap "
		"between the curves is the cost of using one element per cache line "
		"fetched instead of all of them.",
	.supported = NULL,
	.run = rowcol_run,
};
