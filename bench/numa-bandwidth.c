/* SPDX-License-Identifier: MIT */
/*
 * numa-bandwidth.c — the NUMA bandwidth matrix: read, copy and triad bandwidth of the
 * CPUs of node i on memory of node j, and of the same CPUs under the policies
 * interleave, weighted-interleave and preferred.
 *
 * A row is a node with CPUs: a team of threads pinned to its own CPUs (all of them, or
 * the first --threads).  A column is a node with memory: three arrays bound to it
 * (MPOL_BIND), first-touched by the team in the parts each thread will stream, and
 * verified with move_pages (bench/numa-matrix.c): a cell whose pages are not all on the
 * node is left out with a skip, never reported as that pair.  Besides the bound
 * columns, each row measures memory interleaved over all the columns' nodes,
 * weighted-interleaved over them (Linux >= 6.9; skipped with the reason on older
 * kernels), and preferred on each column's node — the policies a user would choose
 * between, measured from the same CPUs.
 *
 * The kernels are STREAM's, from the kernel table bench `bandwidth` uses (bench/stream.h,
 * the widest instruction set the CPU has, label `isa`): read (sum of a), copy (c = a),
 * triad (a = b + 3c), regular stores, bytes counted STREAM's way from the kernel's
 * entry (arrays read + arrays written, 10^9 bytes/s).  One sample is one pass of the whole team over
 * the arrays, timed from the first thread's start to the last one's end; the arrays
 * are checked afterwards against the values the kernel sequence must leave.
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
#include "numa-matrix.h"
#include "parse.h"
#include "stream.h"
#include "timer.h"

#define NB_BLOCK 512            /* doubles: work is split in 4 KiB pages */
#define NB_TOL 1e-13

enum nb_kernel { NB_READ, NB_COPY, NB_TRIAD, NB_NR_KERNELS };
static const enum stream_kernel nb_kernels[NB_NR_KERNELS] = {
	[NB_READ] = STREAM_READ, [NB_COPY] = STREAM_COPY, [NB_TRIAD] = STREAM_TRIAD,
};

enum nb_cmd { NB_INIT, NB_RUN };

struct nb_slot {
	size_t lo, hi;
	uint64_t t0, t1;
	double sum;
	int cpu_end;
} __attribute__((aligned(128)));

struct nb_cell {
	struct team *team;
	struct nb_slot *slot;
	double *a, *b, *c;
	size_t n;
	enum nb_cmd cmd;
	enum nb_kernel kernel;
	const struct stream_impl *impl;   /* the table entry of kernel */
	unsigned moved;
	unsigned bad_sums;
};

static void nb_work(void *arg, int idx)
{
	struct nb_cell *p = arg;
	struct nb_slot *s = &p->slot[idx];

	if (p->cmd == NB_INIT) {
		/* First touch by the thread that will stream this part. */
		for (size_t i = s->lo; i < s->hi; i++) {
			p->a[i] = 1.0;
			p->b[i] = 2.0;
			p->c[i] = 0.0;
		}
		return;
	}
	s->t0 = timer_now();
	s->sum = p->impl->fn(p->a, p->b, p->c, s->lo, s->hi);
	s->t1 = timer_now();
	s->cpu_end = sched_getcpu();
}

static int nb_sample(void *arg, double *sample)
{
	struct nb_cell *p = arg;
	uint64_t first = UINT64_MAX, last = 0;
	double sum = 0, ns;

	p->cmd = NB_RUN;
	team_run(p->team, nb_work, p);
	for (int i = 0; i < p->team->n; i++) {
		if (p->slot[i].t0 < first)
			first = p->slot[i].t0;
		if (p->slot[i].t1 > last)
			last = p->slot[i].t1;
		sum += p->slot[i].sum;
		if (!p->team->ctx->topo->fake && p->slot[i].cpu_end != p->team->cpu_got[i])
			p->moved++;
	}
	if (p->kernel == NB_READ && fabs(sum - (double)p->n) > NB_TOL * (double)p->n)
		p->bad_sums++;
	ns = timer_ticks_to_ns(last - first);
	if (ns <= 0)
		return -EIO;
	*sample = (double)(p->impl->reads + p->impl->writes) * (double)p->n * sizeof(double) / ns;
	return 0;
}

static uint64_t nb_count_bad(const double *x, size_t n, double want)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < n; i++)
		if (fabs(x[i] - want) > NB_TOL * fabs(want))
			bad++;
	return bad;
}

struct nb_run {
	struct bench_ctx *c;
	const struct stream_isa *isa;
	struct numa_matrix m;
	bool kernels[NB_NR_KERNELS];
	uint64_t array_bytes;
	int threads;          /* asked; 0 = all CPUs of the row */
	bool failed;
};

/* One memory configuration of one row: allocate, place, verify, measure each kernel.
 * labels describe the configuration (stolen). */
static int nb_cell_run(struct nb_run *r, struct team *team, int row,
		       const struct mem_policy *pol, json_t *labels)
{
	struct bench_ctx *c = r->c;
	struct mem_region reg[3] = { { 0 } };
	struct nb_cell p = { .team = team };
	json_t *memj = NULL, *cpus, *asked;
	size_t blocks;
	int rc = 0;

	p.n = r->array_bytes / sizeof(double);
	blocks = p.n / NB_BLOCK;
	for (int k = 0; k < 3; k++) {
		rc = mem_alloc(&reg[k], r->array_bytes, MEM_PAGE_DEFAULT, pol);
		if (rc < 0) {
			json_t *l = json_deep_copy(labels);
			bench_skip(c, l, "cannot allocate 3 arrays of %llu bytes under policy %s: %s",
				   (unsigned long long)r->array_bytes, mem_policy_name(pol->mode),
				   strerror(-rc));
			rc = 0;
			goto out;
		}
	}
	p.a = reg[0].p;
	p.b = reg[1].p;
	p.c = reg[2].p;
	p.slot = aligned_alloc(128, sizeof(*p.slot) * (size_t)team->n);
	if (!p.slot) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < team->n; i++)
		p.slot[i] = (struct nb_slot){
			.lo = blocks * (size_t)i / (size_t)team->n * NB_BLOCK,
			.hi = blocks * (size_t)(i + 1) / (size_t)team->n * NB_BLOCK,
		};
	p.cmd = NB_INIT;
	team_run(team, nb_work, &p);
	for (int k = 0; k < 3; k++) {
		json_t *mj = NULL;
		rc = numa_check_placement(c, &reg[k], pol, json_deep_copy(labels), &mj, NULL);
		if (rc <= 0)
			goto out;
		if (!memj)
			memj = mj;
		else
			json_decref(mj);
	}
	cpus = json_array();
	asked = json_array();
	for (int i = 0; i < team->n; i++) {
		json_array_append_new(asked, json_integer(team->cpu_asked[i]));
		json_array_append_new(cpus, json_integer(team->cpu_got[i]));
	}
	json_object_set_new(memj, "cpus_asked", asked);
	json_object_set_new(memj, "cpus", cpus);
	json_object_set_new(memj, "cpu_node", json_integer(r->m.row_node[row]));
	json_object_set_new(memj, "array_bytes", json_integer((json_int_t)r->array_bytes));
	json_object_set_new(memj, "arrays_verified", json_integer(3));

	for (int k = 0; k < NB_NR_KERNELS && rc >= 0; k++) {
		json_t *ver, *l;
		uint64_t bad = 0;
		unsigned moved0 = p.moved, bad0 = p.bad_sums;
		if (!r->kernels[k])
			continue;
		p.kernel = (enum nb_kernel)k;
		p.impl = stream_impl_find(r->isa, nb_kernels[k], false);
		ver = json_deep_copy(memj);
		json_object_set_new(ver, "bytes_per_pass",
				    json_real((double)(p.impl->reads + p.impl->writes) *
					      (double)r->array_bytes));
		json_incref(ver);       /* completed with the check below */
		l = json_deep_copy(labels);
		json_object_set_new(l, "kernel", json_string(stream_kernel_name(nb_kernels[k])));
		json_object_set_new(l, "threads", json_integer(team->n));
		json_object_set_new(l, "isa", json_string(r->isa->name));
		json_object_set_new(l, "array_bytes", json_integer((json_int_t)r->array_bytes));
		struct bench_measure bm = {
			.metric = "bandwidth", .labels = l, .verified = ver,
			.fn = nb_sample, .arg = &p,
		};
		rc = bench_measure(c, &bm);
		if (rc < 0) {
			json_decref(ver);
			break;
		}
		/* read: sum of a (all 1.0); copy: c = a = 1; triad: a = b + 3c = 2 + 3 = 5
		 * (copy, when run, has made c = 1 before triad; else c = 0 and a = 2). */
		if (k == NB_READ) {
			bad = p.bad_sums - bad0;
			json_object_set_new(ver, "check", json_pack("{s:s, s:f, s:I}", "array", "a",
				"expected_sum", (double)p.n, "bad_sums", (json_int_t)bad));
		} else {
			double want = k == NB_COPY ? 1.0 : 2.0 + STREAM_SCALAR * (r->kernels[NB_COPY] ? 1.0 : 0.0);
			bad = nb_count_bad(k == NB_COPY ? p.c : p.a, p.n, want);
			json_object_set_new(ver, "check", json_pack("{s:s, s:f, s:I}",
				"array", k == NB_COPY ? "c" : "a", "expected", want,
				"bad_elements", (json_int_t)bad));
		}
		json_object_set_new(ver, "moved_threads", json_integer(p.moved - moved0));
		json_object_set_new(ver, "ok", json_boolean(bad == 0));
		if (bad) {
			bench_warn(c, "%s on node %u: validation failed: %llu wrong values",
				   stream_kernel_name(nb_kernels[k]), r->m.row_node[row], (unsigned long long)bad);
			r->failed = true;
		}
		json_decref(ver);
	}
out:
	json_decref(memj);
	json_decref(labels);
	free(p.slot);
	for (int k = 0; k < 3; k++)
		mem_free(&reg[k]);
	return rc < 0 ? rc : 0;
}

static json_t *nb_labels(unsigned cpu_node, const char *policy)
{
	return json_pack("{s:i, s:s}", "cpu_node", (int)cpu_node, "policy", policy);
}

static int nb_row(struct nb_run *r, int row, const bool *policies, int wi_probe)
{
	struct bench_ctx *c = r->c;
	unsigned rn = r->m.row_node[row];
	struct team team;
	struct mem_policy pol = { 0 };
	int n, *cpus = numa_row_cpus(&r->m, row, &n), rc;
	char nodes[64];

	if (!cpus)
		return -ENOMEM;
	if (r->threads) {
		if (r->threads > n)
			bench_warn(c, "node %u has %d CPUs in the set: %d threads instead of %d",
				   rn, n, n, r->threads);
		else
			n = r->threads;
	}
	rc = team_init(&team, c, cpus, n, NULL);
	free(cpus);
	if (rc < 0)
		return rc;
	/* bind, then preferred, to each column's node */
	for (int pi = 0; pi < 2 && rc == 0; pi++) {
		enum mem_policy_mode mode = pi == 0 ? MEM_POL_BIND : MEM_POL_PREFERRED;
		if (!policies[pi == 0 ? 0 : 3])
			continue;
		for (int j = 0; j < r->m.ncols && rc == 0; j++) {
			json_t *l = nb_labels(rn, mem_policy_name(mode));
			json_object_set_new(l, "mem_node", json_integer(r->m.col_node[j]));
			numa_policy_node(&pol, mode, r->m.col_node[j]);
			rc = nb_cell_run(r, &team, row, &pol, l);
			numa_policy_free(&pol);
		}
	}
	/* interleave and weighted-interleave over all the columns' nodes */
	for (int pi = 1; pi <= 2 && rc == 0; pi++) {
		enum mem_policy_mode mode = pi == 1 ? MEM_POL_INTERLEAVE : MEM_POL_WEIGHTED_INTERLEAVE;
		json_t *l;
		if (!policies[pi])
			continue;
		pol.mode = mode;
		pol.nodes = hwloc_bitmap_alloc();
		for (int j = 0; j < r->m.ncols; j++)
			hwloc_bitmap_set(pol.nodes, r->m.col_node[j]);
		l = nb_labels(rn, mem_policy_name(mode));
		json_object_set_new(l, "nodes", json_string(numa_nodes_str(pol.nodes, nodes, sizeof(nodes))));
		if (mode == MEM_POL_WEIGHTED_INTERLEAVE && wi_probe == -EINVAL)
			bench_skip(c, l, "weighted-interleave: not supported by this kernel (MPOL_WEIGHTED_INTERLEAVE needs Linux >= 6.9)");
		else if (mode == MEM_POL_WEIGHTED_INTERLEAVE && wi_probe < 0)
			bench_skip(c, l, "weighted-interleave: cannot probe the kernel for it: mbind: %s",
				   strerror(-wi_probe));
		else
			rc = nb_cell_run(r, &team, row, &pol, l);
		numa_policy_free(&pol);
	}
	team_destroy(&team);
	return rc;
}

static const char *const nb_policy_names[] = { "bind", "interleave", "weighted-interleave", "preferred" };

static int nb_run(struct bench_ctx *c)
{
	struct nb_run r = { .c = c, .isa = stream_isa_default() };
	bool policies[4] = { false };
	uint64_t llc = topo_llc_size(c->topo);
	char buf[32], a[32], b[32];
	int rc;

	for (size_t i = 0; i < bench_opt_count(c, "kernels"); i++) {
		const char *k = bench_opt_choice_at(c, "kernels", i, buf, sizeof(buf));
		for (int j = 0; j < NB_NR_KERNELS; j++)
			if (strcasecmp(k, stream_kernel_name(nb_kernels[j])) == 0)
				r.kernels[j] = true;
	}
	for (size_t i = 0; i < bench_opt_count(c, "policies"); i++) {
		const char *k = bench_opt_choice_at(c, "policies", i, buf, sizeof(buf));
		for (int j = 0; j < 4; j++)
			if (strcasecmp(k, nb_policy_names[j]) == 0)
				policies[j] = true;
	}
	if (bench_opt_str(c, "threads"))
		r.threads = (int)bench_opt_int(c, "threads");
	if (bench_opt_str(c, "size")) {
		r.array_bytes = bench_opt_size(c, "size");
	} else {
		uint64_t budget = mem_available() / 10 * 8 / 3;
		r.array_bytes = llc ? memsize_default(llc, MEMSIZE_BANDWIDTH_FACTOR, false)
				    : 256ull << 20;
		if (budget && r.array_bytes > budget) {
			bench_warn(c, "arrays of 4x the last-level cache do not fit in the memory budget; using %s each",
				   format_size(budget, a, sizeof(a)));
			r.array_bytes = budget;
		}
	}
	r.array_bytes -= r.array_bytes % (NB_BLOCK * sizeof(double));
	if (!r.array_bytes)
		return locus_fail(EINVAL, "bench numa-bandwidth: --size: at least 4 KiB per array");
	if ((rc = bench_check_memory(c, 3 * r.array_bytes)) < 0)
		return rc;
	if (!memsize_ok(r.array_bytes, llc, MEMSIZE_BANDWIDTH_FACTOR))
		bench_warn(c, "arrays of %s are smaller than 4x the last-level cache (%s): the figures include cache hits",
			   format_size(r.array_bytes, a, sizeof(a)), format_size(llc, b, sizeof(b)));
	rc = numa_matrix_init(c, &r.m);
	if (rc < 0)
		return rc;
	if (r.threads) {
		int most = 0;
		for (int i = 0; i < r.m.nrows; i++)
			if (hwloc_bitmap_weight(r.m.row_cpus[i]) > most)
				most = hwloc_bitmap_weight(r.m.row_cpus[i]);
		if (r.threads > most) {
			numa_matrix_free(&r.m);
			return locus_fail(EINVAL, "bench numa-bandwidth: --threads %d is more than the %d CPUs of any node in the set",
						  r.threads, most);
		}
	}
	int wi_probe = numa_weighted_interleave_probe();
	for (int i = 0; i < r.m.nrows && rc == 0; i++)
		rc = nb_row(&r, i, policies, wi_probe);
	numa_matrix_free(&r.m);
	if (rc == 0 && r.failed)
		rc = -EPROTO;
	return rc;
}

static const struct bench_opt nb_opts[] = {
	{ .name = "kernels", .type = BOPT_CHOICES, .def = "read,copy,triad", .choices = "read,copy,triad",
	  .help = "kernels: sum of a, c=a, a=b+3c" },
	{ .name = "policies", .type = BOPT_CHOICES, .def = "bind,interleave,weighted-interleave,preferred", .quick = "bind,interleave",
	  .choices = "bind,interleave,weighted-interleave,preferred",
	  .help = "memory configurations per row: bound to each node (the matrix), interleaved over all nodes, weighted-interleaved (Linux >= 6.9), preferred on each node" },
	{ .name = "threads", .type = BOPT_INT, .min = 1, .max = 4096,
	  .help = "threads per row: the first N CPUs of the node (default: all of them)" },
	{ .name = "size", .type = BOPT_SIZE, .min = 4096,   /* no --quick size: see bandwidth */
	  .help = "bytes per array (three arrays per cell) [default 4x the last-level cache, at least 16M]" },
	{ .name = NULL },
};

static const struct bench_metric nb_metrics[] = {
	{ .name = "bandwidth", .unit = "GB/s", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure nb_figures[] = {
	{ .kind = BFIG_MATRIX, .metric = "bandwidth", .rows = "cpu_node", .x = "mem_node",
	  .filter = "policy=bind", .panel = "kernel",
	  .title = "NUMA bandwidth matrix", .xlabel = "memory node", .ylabel = "bandwidth",
	  .caption = "Median bandwidth for each CPU node (rows) and memory node (columns), one "
		"matrix per kernel; node 0 is top left and the diagonal is local memory." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_numa_bandwidth_info = {
	.name = "numa-bandwidth",
	.summary = "NUMA bandwidth matrix: read/copy/triad from the CPUs of node i on memory of node j, and under interleave/preferred",
	.description =
		"For every node with CPUs (row), a team of threads pinned to its own CPUs runs\n"
		"STREAM's read, copy and triad over three arrays bound (MPOL_BIND) to each node\n"
		"with memory (column), first-touched in the parts each thread streams; plus the\n"
		"same CPUs on memory interleaved over all the nodes, weighted-interleaved (Linux\n"
		">= 6.9, skipped with the reason otherwise) and preferred on each node.  Every\n"
		"array's placement is verified with move_pages: a cell whose pages are not where\n"
		"asked is skipped, never reported as that pair; every kernel's result is checked.\n"
		"Metric bandwidth (GB/s, STREAM's byte count).  Labels cpu_node, policy, mem_node\n"
		"(bind/preferred) or nodes (interleave), kernel, threads.",
	.opts = nb_opts,
	.metrics = nb_metrics,
	.headline = "bandwidth",
	.figures = nb_figures,
	.explain = "Threads on the CPUs of each NUMA node stream through memory bound to "
		"each node, and through memory interleaved over the nodes. The matrix "
		"shows how much of the local bandwidth survives across the interconnect, "
		"and whether interleaving helps a bandwidth-bound job.",
	.run = nb_run,
};
