/* SPDX-License-Identifier: MIT */
/*
 * numa-latency.c — the NUMA latency matrix: load-to-use latency from the CPUs of node
 * i to memory on node j, for every pair (Intel MLC's --latency_matrix, verified).
 *
 * For each row (a node with CPUs; a memoryless node is a row only) the thread is
 * pinned to the node's first CPU, and for each column (a node with memory; a CPU-less
 * node is a column only) a buffer is mapped with MPOL_BIND to that node, first-touched,
 * and its placement checked with move_pages (bench/numa-matrix.c): a cell whose pages are not
 * all on node j is left out with a skip giving the fraction found, never reported as
 * that pair.  The latency is a chain of dependent loads over a random single-cycle
 * permutation (bench/chase.h, the latency bench's core: one element per cache line,
 * verified by walking, randomised inside TLB-locality windows as --window says), over a
 * footprint well beyond the last-level cache.
 *
 * What the matrix is for is the ratio remote/local, so it is recorded next to what
 * the machine claims: metric latency_ratio, per cell, is the cell's median latency over
 * its row's reference (the local node, or for a memoryless node the nearest memory node
 * by SLIT), with the SLIT distances, their ratio, and hwloc's memory attributes
 * (latency, bandwidth from the row's CPUs, where the firmware gives HMAT) under
 * verified.
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
#include "numa-matrix.h"
#include "parse.h"

#define NL_BASE_PAGE 4096u     /* --window counts pages of this size */
#define NL_MAX_WINDOWS 16

static const char *const nl_events[] = {
	"PAPI_L3_TCM", "PAPI_TLB_DM", "perf::PAGE-FAULTS", NULL
};

struct nl_run {
	struct bench_ctx *c;
	struct numa_matrix m;
	enum mem_page page;
	uint64_t size;
	size_t line;
	double sample_ns;
	uint64_t seed;
	size_t nwin;
	char windows[NL_MAX_WINDOWS][16];
	/* Median latency per window, row, column; NaN where the cell was left out. */
	double *lat;
	const char *page_label[NUMA_MAX_NODES][NUMA_MAX_NODES];
};

static double *nl_cell(struct nl_run *r, size_t w, int i, int j)
{
	return &r->lat[(w * NUMA_MAX_NODES + (size_t)i) * NUMA_MAX_NODES + (size_t)j];
}

static json_t *nl_labels(const struct nl_run *r, unsigned cpu_node, unsigned mem_node,
			 const char *page, const char *window)
{
	return json_pack("{s:i, s:i, s:s, s:s, s:I}", "cpu_node", (int)cpu_node, "mem_node",
			 (int)mem_node, "page_size", page, "window", window, "footprint_bytes",
			 (json_int_t)r->size);
}

/* One cell: memory of node m.col_node[j] measured from a CPU of m.row_node[i]. */
static int nl_run_cell(struct nl_run *r, int i, int j, int cpu)
{
	struct bench_ctx *c = r->c;
	unsigned rn = r->m.row_node[i], cn = r->m.col_node[j];
	struct mem_policy pol = { 0 };
	struct mem_region reg;
	struct mem_verified mv;
	json_t *memj;
	const char *page;
	int rc;

	numa_policy_node(&pol, MEM_POL_BIND, cn);
	rc = mem_alloc(&reg, r->size, r->page, &pol);
	if (rc < 0) {
		bench_skip(c, json_pack("{s:i, s:i, s:s}", "cpu_node", (int)rn, "mem_node", (int)cn,
					"page_size", mem_page_name(r->page)),
			   "cannot allocate %llu bytes of %s pages bound to node %u: %s",
			   (unsigned long long)r->size, mem_page_name(r->page), cn, strerror(-rc));
		numa_policy_free(&pol);
		return 0;
	}
	mem_touch(&reg);
	rc = numa_check_placement(c, &reg, &pol,
				  json_pack("{s:i, s:i, s:s}", "cpu_node", (int)rn, "mem_node", (int)cn,
					    "page_size", mem_page_name(r->page)),
				  &memj, &mv);
	if (rc <= 0)
		goto out;
	page = chase_page_label(c, &reg, &mv);
	r->page_label[i][j] = page;
	for (size_t w = 0; w < r->nwin && rc >= 0; w++) {
		size_t gp = strcasecmp(r->windows[w], "full") == 0 ? 0 : strtoul(r->windows[w], NULL, 10);
		size_t group = gp ? gp * NL_BASE_PAGE / r->line : 0;
		struct chase_point pt = {
			.metric = "latency",
			.labels = nl_labels(r, rn, cn, page, r->windows[w]),
			.layout = { .nelem = r->size / r->line, .stride = r->line, .line = r->line,
				    .group = group ? group : (gp ? 1 : 0), .chains = 1,
				    .seed = r->seed + (uint64_t)w },
			.buf = reg.p,
			.sample_ns = r->sample_ns,
			.events = nl_events,
			.cpu = cpu,
		};
		pt.verified = json_deep_copy(memj);
		json_object_set_new(pt.verified, "cpu_node", json_integer(rn));
		json_object_set_new(pt.verified, "mem_node", json_integer(cn));
		json_object_set_new(pt.verified, "cpu_asked", json_integer(cpu));
		json_object_set_new(pt.verified, "footprint_bytes", json_integer((json_int_t)r->size));
		json_object_set_new(pt.verified, "window_pages", gp ? json_integer((json_int_t)gp) : json_null());
		json_object_set_new(pt.verified, "window_bytes",
				    gp ? json_integer((json_int_t)(gp * NL_BASE_PAGE)) : json_null());
		rc = chase_measure(c, &pt, nl_cell(r, w, i, j));
	}
	json_decref(memj);
out:
	mem_free(&reg);
	numa_policy_free(&pol);
	return rc < 0 ? rc : 0;
}

/* The reference column of row i: the row's own node when it has memory and was
 * measured, else the measured node nearest by SLIT, else the fastest measured. */
static int nl_reference(struct nl_run *r, size_t w, int i, const char **why)
{
	int best = -1;
	long bestd = -1;

	for (int j = 0; j < r->m.ncols; j++)
		if (r->m.col_node[j] == r->m.row_node[i] && isfinite(*nl_cell(r, w, i, j))) {
			*why = "local";
			return j;
		}
	for (int j = 0; j < r->m.ncols; j++) {
		long d = numa_slit(&r->m, r->m.row_node[i], r->m.col_node[j]);
		if (d >= 0 && isfinite(*nl_cell(r, w, i, j)) && (bestd < 0 || d < bestd)) {
			bestd = d;
			best = j;
		}
	}
	if (best >= 0) {
		*why = "nearest memory node by SLIT distance (the row's node has no memory)";
		return best;
	}
	for (int j = 0; j < r->m.ncols; j++)
		if (isfinite(*nl_cell(r, w, i, j)) &&
		    (best < 0 || *nl_cell(r, w, i, j) < *nl_cell(r, w, i, best)))
			best = j;
	*why = "fastest measured memory node (no local memory, no SLIT distances)";
	return best;
}

static json_t *ratio_or_null(json_t *a, json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b) && json_integer_value(b) > 0)
		return json_real((double)json_integer_value(a) / (double)json_integer_value(b));
	return json_null();
}

static int nl_ratios(struct nl_run *r)
{
	struct bench_ctx *c = r->c;

	for (size_t w = 0; w < r->nwin; w++)
		for (int i = 0; i < r->m.nrows; i++) {
			const char *why = NULL;
			int ref = nl_reference(r, w, i, &why);
			unsigned rn = r->m.row_node[i];
			if (ref < 0)
				continue;
			for (int j = 0; j < r->m.ncols; j++) {
				double lat = *nl_cell(r, w, i, j), rl = *nl_cell(r, w, i, ref), ratio;
				unsigned cn = r->m.col_node[j], refn = r->m.col_node[ref];
				long d = numa_slit(&r->m, rn, cn), dref = numa_slit(&r->m, rn, refn);
				json_t *hl, *hlref, *ver;
				int rc;
				if (!isfinite(lat) || !(rl > 0))
					continue;
				ratio = lat / rl;
				hl = numa_memattr(c, r->m.row_cpus[i], cn, HWLOC_MEMATTR_ID_LATENCY);
				hlref = numa_memattr(c, r->m.row_cpus[i], refn, HWLOC_MEMATTR_ID_LATENCY);
				ver = json_pack("{s:i, s:s, s:f, s:f, s:o, s:o, s:o}",
					"reference_mem_node", (int)refn, "reference", why,
					"latency_ns", lat, "reference_latency_ns", rl,
					"slit_distance", d >= 0 ? json_integer(d) : json_null(),
					"slit_reference_distance", dref >= 0 ? json_integer(dref) : json_null(),
					"slit_ratio", d >= 0 && dref > 0 ? json_real((double)d / (double)dref)
									: json_null());
				json_object_set_new(ver, "hwloc_latency_ratio", ratio_or_null(hl, hlref));
				json_object_set_new(ver, "hwloc_latency_ns", hl);
				json_object_set_new(ver, "hwloc_reference_latency_ns", hlref);
				json_object_set_new(ver, "hwloc_bandwidth_mib_s",
						    numa_memattr(c, r->m.row_cpus[i], cn,
								 HWLOC_MEMATTR_ID_BANDWIDTH));
				json_object_set_new(ver, "computed_from",
					json_string("median latency of this cell / median latency of the row's reference cell"));
				rc = bench_record(c, "latency_ratio",
						  nl_labels(r, rn, cn, r->page_label[i][j], r->windows[w]),
						  &ratio, 1, ver);
				if (rc < 0)
					return rc;
			}
		}
	return 0;
}

static int nl_run(struct bench_ctx *c)
{
	struct nl_run r = { .c = c, .page = MEM_PAGE_4K };
	uint64_t llc = topo_llc_size(c->topo);
	bool reserved = false;
	char a[32], b[32];
	int64_t have;
	int rc;

	r.line = topo_line_size(c->topo);
	if (r.line < 16 || (r.line & (r.line - 1)))
		r.line = 64;
	if (mem_page_parse("bench numa-latency: --page-size", bench_opt_str(c, "page-size"), &r.page) < 0)
		return -EINVAL;
	r.sample_ns = (double)bench_opt_int(c, "sample-ms") * 1e6;
	r.seed = (uint64_t)bench_opt_int(c, "seed");
	r.nwin = bench_opt_count(c, "window");
	if (r.nwin > NL_MAX_WINDOWS)
		return locus_fail(EINVAL, "bench numa-latency: --window: at most %d windows per run",
					  NL_MAX_WINDOWS);
	for (size_t w = 0; w < r.nwin; w++)
		bench_opt_choice_at(c, "window", w, r.windows[w], sizeof(r.windows[w]));

	if (bench_opt_str(c, "size")) {
		r.size = bench_opt_size(c, "size");
		if ((rc = bench_check_memory(c, r.size)) < 0)
			return rc;
	} else {
		uint64_t budget = mem_budget();
		if (!llc) {
			bench_warn(c, "last-level cache size unknown; assuming 32 MiB");
			llc = 32 << 20;
		}
		/* 4x the LLC (twice the rule): mostly misses even for victim-friendly
		 * replacement. */
		r.size = memsize_default(llc, 2 * MEMSIZE_LATENCY_FACTOR, true);
		if (budget && r.size > budget / 2) {
			r.size = budget / 2;
			bench_warn(c, "footprint limited to %s by available memory",
				   format_size(r.size, a, sizeof(a)));
		}
	}
	r.size -= r.size % NL_BASE_PAGE;
	if (r.size < NL_BASE_PAGE)
		return locus_fail(EINVAL, "bench numa-latency: --size: at least one page (4 KiB)");
	if (!memsize_ok(r.size, llc, MEMSIZE_LATENCY_FACTOR))
		bench_warn(c, "footprint %s is less than twice the last-level cache (%s): the matrix includes cache hits, not only memory latency",
			   format_size(r.size, a, sizeof(a)), format_size(llc, b, sizeof(b)));

	have = chase_hugetlb_ready(c, r.page, r.size, bench_opt_flag(c, "reserve-hugepages"),
				   json_pack("{s:s}", "page_size", mem_page_name(r.page)), &reserved);
	if (have <= 0)
		return have < 0 ? (int)have : 0;
	if ((uint64_t)have < r.size)
		r.size = (uint64_t)have;

	rc = numa_matrix_init(c, &r.m);
	if (rc < 0)
		goto out_pool;
	r.lat = malloc(r.nwin * NUMA_MAX_NODES * NUMA_MAX_NODES * sizeof(double));
	if (!r.lat) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < r.nwin * NUMA_MAX_NODES * NUMA_MAX_NODES; k++)
		r.lat[k] = NAN;

	for (int i = 0; i < r.m.nrows && rc == 0; i++) {
		int cpu = hwloc_bitmap_first(r.m.row_cpus[i]), got;
		got = bench_pin(c, cpu);
		if (got < 0) {
			locus_error("bench numa-latency: cannot pin to CPU %d of node %u: %s", cpu,
				    r.m.row_node[i], strerror(-got));
			rc = got;
			break;
		}
		if (got != cpu)
			bench_warn(c, "asked for CPU %d (node %u), running on %d", cpu, r.m.row_node[i], got);
		for (int j = 0; j < r.m.ncols && rc == 0; j++)
			rc = nl_run_cell(&r, i, j, cpu);
	}
	if (rc == 0)
		rc = nl_ratios(&r);
out:
	free(r.lat);
	numa_matrix_free(&r.m);
out_pool:
	if (reserved)
		mem_hugepages_release();
	return rc;
}

static const struct bench_opt nl_opts[] = {
	{ .name = "size", .type = BOPT_SIZE, .min = 4096,   /* no --quick size: never a cache */
	  .help = "footprint of each cell's chain; default 4x the last-level cache rounded up to a power of two, within available memory" },
	{ .name = "window", .type = BOPT_CHOICES, .def = "64",
	  .choices = "full,1,2,4,8,16,32,64,128,256,512,1024,4096,16384",
	  .help = "TLB-locality window in 4 KiB pages (as bench latency); 'full' = one fully random cycle; a list measures each" },
	{ .name = "page-size", .type = BOPT_CHOICE, .def = "4K", .choices = "4K,THP,2M,1G",
	  .help = "page size of each cell's buffer, verified from /proc/self/smaps" },
	{ .name = "reserve-hugepages", .type = BOPT_FLAG,
	  .help = "as root, reserve the 2M/1G hugetlb pages the run needs and give them back afterwards" },
	{ .name = "sample-ms", .type = BOPT_INT, .def = "2", .quick = "1", .min = 1, .max = 10000,
	  .help = "length of one timed sample in milliseconds" },
	{ .name = "seed", .type = BOPT_INT, .def = "1", .min = 0, .max = 1000000000,
	  .help = "seed of the random permutations" },
	{ .name = NULL },
};

static const struct bench_metric nl_metrics[] = {
	{ .name = "latency", .unit = "ns", .higher_is_better = false },
	{ .name = "latency_ratio", .unit = "ratio", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure nl_figures[] = {
	{ .kind = BFIG_MATRIX, .metric = "latency", .rows = "cpu_node", .x = "mem_node",
	  .title = "NUMA latency matrix", .xlabel = "memory node", .ylabel = "latency",
	  .caption = "Median dependent-load latency for each CPU node (rows) and memory node "
		"(columns); node 0 is top left and the diagonal is local memory. The "
		"off-diagonal cells are the cost of remote memory." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_numa_latency_info = {
	.name = "numa-latency",
	.summary = "NUMA latency matrix: CPUs of node i chasing pointers in memory bound to node j",
	.description =
		"For every pair of a node with CPUs (row) and a node with memory (column), a\n"
		"thread pinned to the row's first CPU walks a chain of dependent loads (random\n"
		"single cycle, one element per cache line, verified) through a buffer bound\n"
		"(MPOL_BIND) to the column's node.  Each cell's placement is verified with\n"
		"move_pages: a cell whose pages are not all on its node is skipped with the\n"
		"fraction found, never reported as that pair.  Memoryless nodes are rows only,\n"
		"CPU-less nodes columns only.  Metric latency (ns) per cell; latency_ratio is\n"
		"each cell over its row's local (or nearest) node, recorded next to the SLIT\n"
		"distances and hwloc's memory attributes.  --window and --page-size as in bench\n"
		"latency; --cpunodebind / --membind restrict the rows / columns.",
	.opts = nl_opts,
	.metrics = nl_metrics,
	.headline = "latency",
	.figures = nl_figures,
	.explain = "A pointer chase runs on the CPUs of each NUMA node over memory bound to "
		"each node, so every cell of the matrix is one (CPU node, memory node) "
		"pair. The diagonal is local memory; the off-diagonal cells show what a "
		"remote access costs, which SLIT distances only estimate.",
	.run = nl_run,
};
