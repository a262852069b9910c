/* SPDX-License-Identifier: MIT */
/*
 * numa-loaded.c — loaded latency: how the latency from node i to memory of node j
 * grows with the bandwidth other threads draw from that memory (Intel MLC's
 * --loaded_latency idea: latency-versus-bandwidth curves per node pair).
 *
 * In every cell of the matrix (rows: nodes with CPUs; columns: nodes with memory; see
 * bench/numa-matrix.h) one thread, pinned to the row's first CPU, chases pointers
 * through a buffer bound to node j (bench/chase.h: a verified random single cycle in
 * TLB-locality windows), while the row's other CPUs run traffic threads that read
 * their own parts of a second buffer, also bound to node j, one 64-byte line at a time
 * with --delays empty-loop iterations (about a core cycle each) after each line (0 =
 * reading at full speed with the STREAM read kernel).  Sweeping the delay from 0 upwards traces the curve from the
 * saturated end to nearly idle.  Both buffers' placement is verified with move_pages;
 * a cell that is not where asked is skipped with the fraction found, never reported.
 *
 * Each latency sample is paired with the traffic measured over the same interval
 * (bytes read by the traffic threads over the sample's wall time): metric latency (ns
 * per load) and metric bandwidth (GB/s, the traffic threads' reads; the chasing
 * thread's own lines are recorded under verified.chase_gb_s).  A row with no CPU left
 * for traffic measures only the first delay, unloaded, and says so.
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
#include "chase.h"
#include "log.h"
#include "memsize.h"
#include "numa-matrix.h"
#include "parse.h"
#include "stream.h"
#include "timer.h"

/* One step of the injection delay: an empty loop iteration the compiler must keep,
 * about one core cycle.  Not `pause`, whose length varies from ~10 to ~140 cycles
 * between CPU generations and which can trap to the hypervisor in a VM. */
#define LD_DELAY_STEP(d) __asm__ __volatile__("" : : "r"(d))

#define LD_BASE_PAGE 4096u
#define LD_BLOCK 512            /* doubles per 4 KiB block */
#define LD_MAX_DELAYS 32

static const char *const ld_events[] = { "perf::PAGE-FAULTS", NULL };

struct ld_slot {
	size_t lo, hi;
	uint64_t bytes;          /* read so far, published for the sampler */
	double sum;
} __attribute__((aligned(128)));

struct ld_traffic {
	double *buf;
	struct ld_slot *slot;
	int n;
	unsigned delay;
	bool init;
	stream_fn read;         /* the kernel table's read (widest ISA) at delay 0 */
	int stop __attribute__((aligned(128)));
};

static void ld_traffic_fn(void *arg, int idx)
{
	struct ld_traffic *t = arg;
	struct ld_slot *s = &t->slot[idx];
	const double *a = t->buf;
	size_t i = s->lo, line = 64 / sizeof(double);
	uint64_t bytes = 0;
	double sum = 0;

	if (t->init) {
		for (size_t k = s->lo; k < s->hi; k++)
			t->buf[k] = 1.0;
		return;
	}
	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		if (t->delay == 0) {
			sum += t->read(t->buf, NULL, NULL, i, i + LD_BLOCK);
		} else {
			for (size_t k = i; k < i + LD_BLOCK; k += line) {
				sum += a[k];
				for (unsigned d = 0; d < t->delay; d++)
					LD_DELAY_STEP(d);
				bytes += line * sizeof(double);
				__atomic_store_n(&s->bytes, bytes, __ATOMIC_RELAXED);
			}
			i += LD_BLOCK;
			if (i >= s->hi)
				i = s->lo;
			continue;
		}
		bytes += LD_BLOCK * sizeof(double);
		i += LD_BLOCK;
		if (i >= s->hi)
			i = s->lo;
		__atomic_store_n(&s->bytes, bytes, __ATOMIC_RELAXED);
	}
	s->sum = sum;
}

static uint64_t ld_bytes(const struct ld_traffic *t)
{
	uint64_t b = 0;

	for (int i = 0; i < t->n; i++)
		b += __atomic_load_n(&t->slot[i].bytes, __ATOMIC_RELAXED);
	return b;
}

/* A latency sample, with the traffic over the same interval recorded on the side. */
struct ld_sampler {
	struct chase_sampler cs;
	struct ld_traffic *t;
	struct samples gbs;
};

static int ld_sample(void *arg, double *sample)
{
	struct ld_sampler *s = arg;
	uint64_t b0 = ld_bytes(s->t), t0 = timer_now(), b1, t1;
	int rc = chase_sample(&s->cs, sample);

	t1 = timer_now();
	b1 = ld_bytes(s->t);
	if (rc < 0)
		return rc;
	return samples_push(&s->gbs, t1 > t0 ? (double)(b1 - b0) / timer_ticks_to_ns(t1 - t0) : 0);
}

struct ld_run {
	struct bench_ctx *c;
	struct numa_matrix m;
	uint64_t size, traffic_size;
	size_t line, group;
	const char *window;
	size_t window_pages;
	double sample_ns;
	uint64_t seed;
	size_t ndelays;
	unsigned delays[LD_MAX_DELAYS];
	int traffic_threads;     /* asked; -1 = all the row's other CPUs */
};

static json_t *ld_labels(const struct ld_run *r, unsigned rn, unsigned cn, unsigned delay)
{
	return json_pack("{s:i, s:i, s:i, s:I, s:I}", "cpu_node", (int)rn, "mem_node", (int)cn,
			 "delay", (int)delay, "footprint_bytes", (json_int_t)r->size,
			 "traffic_bytes", (json_int_t)r->traffic_size);
}

/* The number of samples of the measurement just added. */
static size_t last_nsamples(const struct bench_ctx *c)
{
	json_t *ms = json_object_get(c->result, "measurements");

	return json_array_size(json_object_get(json_array_get(ms, json_array_size(ms) - 1), "samples"));
}

static int ld_cell(struct ld_run *r, int row, int col, int cpu, struct team *team,
		   int nt)
{
	struct bench_ctx *c = r->c;
	unsigned rn = r->m.row_node[row], cn = r->m.col_node[col];
	struct mem_region cr = { 0 }, tr = { 0 };
	struct mem_policy pol = { 0 };
	struct ld_traffic t = { .n = nt,
				.read = stream_impl_find(stream_isa_default(), STREAM_READ, false)->fn };
	struct chase ch;
	json_t *cmem = NULL, *tmem = NULL, *base = NULL, *cpus;
	uint64_t steps = 0;
	size_t blocks = 0;
	int rc;

	numa_policy_node(&pol, MEM_POL_BIND, cn);
	rc = mem_alloc(&cr, r->size, MEM_PAGE_4K, &pol);
	if (rc == 0 && nt)
		rc = mem_alloc(&tr, r->traffic_size, MEM_PAGE_4K, &pol);
	if (rc < 0) {
		bench_skip(c, json_pack("{s:i, s:i}", "cpu_node", (int)rn, "mem_node", (int)cn),
			   "cannot allocate the buffers bound to node %u: %s", cn, strerror(-rc));
		rc = 0;
		goto out;
	}
	mem_touch(&cr);
	rc = numa_check_placement(c, &cr, &pol, json_pack("{s:i, s:i, s:s}", "cpu_node", (int)rn,
				  "mem_node", (int)cn, "buffer", "chase"), &cmem, NULL);
	if (rc <= 0)
		goto out;
	if (nt) {
		blocks = r->traffic_size / sizeof(double) / LD_BLOCK;
		t.buf = tr.p;
		t.slot = aligned_alloc(128, sizeof(*t.slot) * (size_t)nt);
		if (!t.slot) {
			rc = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < nt; i++)
			t.slot[i] = (struct ld_slot){
				.lo = blocks * (size_t)i / (size_t)nt * LD_BLOCK,
				.hi = blocks * (size_t)(i + 1) / (size_t)nt * LD_BLOCK,
			};
		t.init = true;
		team_run(team, ld_traffic_fn, &t);
		t.init = false;
		rc = numa_check_placement(c, &tr, &pol, json_pack("{s:i, s:i, s:s}", "cpu_node", (int)rn,
					  "mem_node", (int)cn, "buffer", "traffic"), &tmem, NULL);
		if (rc <= 0)
			goto out;
	}

	struct chase_layout lay = { .nelem = r->size / r->line, .stride = r->line, .line = r->line,
				    .group = r->group, .chains = 1, .seed = r->seed };
	rc = chase_build(&ch, cr.p, &lay);
	if (rc == 0)
		rc = chase_verify(&ch, &steps);
	if (rc < 0) {
		locus_error("bench numa-loaded: the chain of %zu elements is not one cycle: verification failed",
			    lay.nelem);
		rc = rc == -ENOMEM ? rc : -EPROTO;
		goto out;
	}
	base = cmem;
	cmem = NULL;
	json_object_set_new(base, "single_cycle", json_true());
	json_object_set_new(base, "elements", json_integer((json_int_t)lay.nelem));
	json_object_set_new(base, "verify_steps", json_integer((json_int_t)steps));
	json_object_set_new(base, "window", json_string(r->window));
	json_object_set_new(base, "window_pages", r->window_pages ? json_integer((json_int_t)r->window_pages) : json_null());
	json_object_set_new(base, "footprint_bytes", json_integer((json_int_t)r->size));
	json_object_set_new(base, "cpu_node", json_integer(rn));
	json_object_set_new(base, "mem_node", json_integer(cn));
	json_object_set_new(base, "traffic_threads", json_integer(nt));
	cpus = json_array();
	for (int i = 0; i < nt; i++)
		json_array_append_new(cpus, json_integer(team->cpu_got[i]));
	json_object_set_new(base, "traffic_cpus", cpus);
	json_object_set_new(base, "traffic_bytes", json_integer((json_int_t)(nt ? r->traffic_size : 0)));
	json_object_set_new(base, "traffic_memory", tmem ? tmem : json_null());
	tmem = NULL;
	/* The data shape a loaded-latency curve needs (MLC's): per delay, one latency and
	 * one bandwidth measurement with equal labels, sample i of each from one interval. */
	json_object_set_new(base, "pairing", json_string("sample i of metric latency and sample i of metric bandwidth with the same labels (cpu_node, mem_node, delay) were measured over the same interval"));
	json_object_set_new(base, "delay_unit", json_string("iterations of an empty loop (about one core cycle each) after each 64-byte line read by a traffic thread (0: the STREAM read kernel at full speed)"));

	for (size_t d = 0; d < r->ndelays && rc >= 0; d++) {
		struct ld_sampler s = { .cs = { .ch = &ch, .max_retries = 10 }, .t = &t };
		json_t *ver = json_deep_copy(base);
		size_t n, keep;
		double lat_med;
		int now;

		if (!nt && d > 0)
			break;
		chase_calibrate(&s.cs, r->sample_ns);
		t.delay = r->delays[d];
		t.stop = 0;
		for (int i = 0; i < nt; i++)
			t.slot[i].bytes = 0;
		if (nt)
			team_start(team, ld_traffic_fn, &t);
		json_object_set_new(ver, "loads_per_sample", json_integer((json_int_t)s.cs.loads));
		json_incref(ver);
		struct bench_measure bm = {
			.metric = "latency", .labels = ld_labels(r, rn, cn, r->delays[d]), .verified = ver,
			.fn = ld_sample, .arg = &s, .events = ld_events,
			.ops_per_sample = (double)s.cs.loads, .counters_per = "load",
		};
		rc = bench_measure(c, &bm);
		if (nt) {
			__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
			team_wait(team);
		}
		now = sched_getcpu();
		json_object_set_new(ver, "cpu", json_integer(now));
		json_object_set_new(ver, "cpu_ok", json_boolean(now == cpu || c->topo->fake));
		json_object_set_new(ver, "samples_retaken_after_switch", json_integer((json_int_t)s.cs.retried));
		if (rc < 0) {
			json_decref(ver);
			samples_free(&s.gbs);
			break;
		}
		/* The bandwidth of the kept samples: the last n pushed (warm-up ones first). */
		n = last_nsamples(c);
		keep = s.gbs.n >= n ? s.gbs.n - n : 0;
		lat_med = json_number_value(json_object_get(json_object_get(json_array_get(
			json_object_get(c->result, "measurements"),
			json_array_size(json_object_get(c->result, "measurements")) - 1), "summary"), "median"));
		if (lat_med > 0)
			json_object_set_new(ver, "chase_gb_s", json_real((double)r->line / lat_med));
		if (nt) {
			json_t *bv = json_deep_copy(ver);
			json_object_set_new(bv, "computed_from", json_string("bytes read by the traffic threads during each latency sample / the sample's wall time"));
			rc = bench_record(c, "bandwidth", ld_labels(r, rn, cn, r->delays[d]),
					  s.gbs.v + keep, s.gbs.n - keep, bv);
		} else {
			bench_skip(c, ld_labels(r, rn, cn, r->delays[d]),
				   "bandwidth: node %u has no CPU in the set besides the chasing one (CPU %d): no traffic threads, the latency is unloaded",
				   rn, cpu);
		}
		json_decref(ver);
		samples_free(&s.gbs);
	}
out:
	json_decref(base);
	json_decref(cmem);
	json_decref(tmem);
	free(t.slot);
	mem_free(&cr);
	mem_free(&tr);
	numa_policy_free(&pol);
	return rc < 0 ? rc : 0;
}

static int ld_row(struct ld_run *r, int row)
{
	struct bench_ctx *c = r->c;
	struct team team = { 0 };
	int n, *cpus = numa_row_cpus(&r->m, row, &n), nt, got, rc = 0;

	if (!cpus)
		return -ENOMEM;
	nt = n - 1;
	if (r->traffic_threads >= 0 && r->traffic_threads < nt)
		nt = r->traffic_threads;
	if (r->traffic_threads > nt)
		bench_warn(c, "node %u: %d traffic threads instead of %d (CPUs of the node in the set, besides the chasing one)",
			   r->m.row_node[row], nt, r->traffic_threads);
	if (!nt && r->traffic_threads != 0)
		bench_warn(c, "node %u has one CPU in the set: no traffic threads; only the unloaded latency (delay %u) is measured",
			   r->m.row_node[row], r->delays[0]);
	got = bench_pin(c, cpus[0]);
	if (got < 0) {
		locus_error("bench numa-loaded: cannot pin to CPU %d of node %u: %s", cpus[0],
			    r->m.row_node[row], strerror(-got));
		free(cpus);
		return got;
	}
	if (nt)
		rc = team_init(&team, c, cpus + 1, nt, NULL);
	for (int j = 0; j < r->m.ncols && rc == 0; j++)
		rc = ld_cell(r, row, j, cpus[0], &team, nt);
	if (nt)
		team_destroy(&team);
	free(cpus);
	return rc;
}

static int ld_run(struct bench_ctx *c)
{
	struct ld_run r = { .c = c, .traffic_threads = -1 };
	uint64_t llc = topo_llc_size(c->topo), budget = mem_budget(), def;
	char a[32], b[32];
	int rc;

	r.line = topo_line_size(c->topo);
	if (r.line < 16 || (r.line & (r.line - 1)))
		r.line = 64;
	r.window = bench_opt_str(c, "window");
	r.window_pages = strcasecmp(r.window, "full") == 0 ? 0 : strtoul(r.window, NULL, 10);
	r.group = r.window_pages ? r.window_pages * LD_BASE_PAGE / r.line : 0;
	if (r.window_pages && !r.group)
		r.group = 1;
	r.sample_ns = (double)bench_opt_int(c, "sample-ms") * 1e6;
	r.seed = (uint64_t)bench_opt_int(c, "seed");
	if (bench_opt_str(c, "traffic-threads"))
		r.traffic_threads = (int)bench_opt_int(c, "traffic-threads");
	r.ndelays = bench_opt_count(c, "delays");
	if (r.ndelays > LD_MAX_DELAYS)
		return locus_fail(EINVAL, "bench numa-loaded: --delays: at most %d values", LD_MAX_DELAYS);
	for (size_t i = 0; i < r.ndelays; i++) {
		char buf[32];
		long v;
		if (parse_long("bench numa-loaded: --delays", bench_opt_choice_at(c, "delays", i, buf, sizeof(buf)),
			       0, 1000000, &v) < 0)
			return -EINVAL;
		r.delays[i] = (unsigned)v;
	}

	if (!llc) {
		bench_warn(c, "last-level cache size unknown; assuming 32 MiB");
		llc = 32 << 20;
	}
	def = memsize_default(llc, MEMSIZE_BANDWIDTH_FACTOR, true);   /* both rules */
	if (budget && def > budget / 4)
		def = budget / 4;
	r.size = bench_opt_str(c, "size") ? bench_opt_size(c, "size") : def;
	r.traffic_size = bench_opt_str(c, "traffic-size") ? bench_opt_size(c, "traffic-size") : def;
	r.size -= r.size % LD_BASE_PAGE;
	r.traffic_size -= r.traffic_size % LD_BASE_PAGE;
	if (!r.size || !r.traffic_size)
		return locus_fail(EINVAL, "bench numa-loaded: --size and --traffic-size: at least 4 KiB");
	if ((rc = bench_check_memory(c, r.size + r.traffic_size)) < 0)
		return rc;
	if (!memsize_ok(r.size, llc, MEMSIZE_LATENCY_FACTOR))
		bench_warn(c, "chase footprint %s is less than twice the last-level cache (%s): the latencies include cache hits",
			   format_size(r.size, a, sizeof(a)), format_size(llc, b, sizeof(b)));
	if (!memsize_ok(r.traffic_size, llc, MEMSIZE_BANDWIDTH_FACTOR))
		bench_warn(c, "traffic buffer %s is less than 4x the last-level cache (%s): the bandwidth includes cache hits",
			   format_size(r.traffic_size, a, sizeof(a)), format_size(llc, b, sizeof(b)));

	rc = numa_matrix_init(c, &r.m);
	if (rc < 0)
		return rc;
	/* Every traffic thread gets at least one 4 KiB block. */
	for (int i = 0; i < r.m.nrows; i++)
		if ((uint64_t)hwloc_bitmap_weight(r.m.row_cpus[i]) * LD_BASE_PAGE > r.traffic_size) {
			numa_matrix_free(&r.m);
			return locus_fail(EINVAL, "bench numa-loaded: --traffic-size %s is less than 4 KiB per traffic thread",
						  format_size(r.traffic_size, a, sizeof(a)));
		}
	for (int i = 0; i < r.m.nrows && rc == 0; i++)
		rc = ld_row(&r, i);
	numa_matrix_free(&r.m);
	return rc;
}

static const struct bench_opt ld_opts[] = {
	{ .name = "delays", .type = BOPT_CHOICES, .def = "0,20,50,100,200,500,1000,5000", .quick = "0,50,200,1000,5000",
	  .choices = "0,5,10,20,50,100,200,500,1000,2000,5000,10000,20000,50000",
	  .help = "injection delays to sweep: empty-loop iterations (about a core cycle each) after each 64-byte line a traffic thread reads (0 = full speed)" },
	{ .name = "traffic-threads", .type = BOPT_INT, .min = 0, .max = 4096,
	  .help = "traffic threads per row (default: every other CPU of the node in the set)" },
	/* No --quick sizes: quick saves time with fewer samples, never by chasing or
	 * streaming through a cache. */
	{ .name = "size", .type = BOPT_SIZE, .min = 4096,
	  .help = "footprint of the pointer chase; default 4x the last-level cache rounded up to a power of two, within available memory" },
	{ .name = "traffic-size", .type = BOPT_SIZE, .min = 4096,
	  .help = "bytes the traffic threads read, split between them; default as --size" },
	{ .name = "window", .type = BOPT_CHOICE, .def = "64",
	  .choices = "full,1,2,4,8,16,32,64,128,256,512,1024,4096,16384",
	  .help = "TLB-locality window of the chase in 4 KiB pages (as bench latency)" },
	{ .name = "sample-ms", .type = BOPT_INT, .def = "2", .quick = "1", .min = 1, .max = 10000,
	  .help = "length of one timed latency sample in milliseconds" },
	{ .name = "seed", .type = BOPT_INT, .def = "1", .min = 0, .max = 1000000000,
	  .help = "seed of the random permutation" },
	{ .name = NULL },
};

static const struct bench_metric ld_metrics[] = {
	{ .name = "latency", .unit = "ns", .higher_is_better = false },
	{ .name = "bandwidth", .unit = "GB/s", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure nld_figures[] = {
	{ .kind = BFIG_CURVE, .metric = "latency", .x = "bandwidth", .series = "cpu_node,mem_node",
	  .title = "Loaded latency: latency against bandwidth", .xlabel = "traffic bandwidth",
	  .ylabel = "latency under load",
	  .caption = "Median chase latency against the traffic bandwidth achieved at each "
		"injection delay, one curve per (CPU node, memory node) pair. Where the "
		"curve turns up, the memory system is near saturation: latency-sensitive "
		"work should stay below that bandwidth." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_numa_loaded_info = {
	.name = "numa-loaded",
	.summary = "loaded latency: pointer-chase latency vs traffic bandwidth per NUMA node pair, over an injection-delay sweep",
	.description =
		"For every pair of a node with CPUs and a node with memory, one thread pinned to\n"
		"the node's first CPU chases pointers (verified random single cycle) through a\n"
		"buffer bound to the memory node while the node's other CPUs read a second buffer\n"
		"on the same memory node, waiting --delays loop iterations after each line.\n"
		"Each delay gives a point of the latency-vs-bandwidth curve: metric latency (ns\n"
		"per load) and metric bandwidth (GB/s read by the traffic threads during the same\n"
		"samples).  Both buffers' placement is verified with move_pages; a cell not where\n"
		"asked is skipped, never reported.  A node with a single CPU gets only the\n"
		"unloaded latency.  Labels cpu_node, mem_node, delay.",
	.opts = ld_opts,
	.metrics = ld_metrics,
	.headline = "latency",
	.figures = nld_figures,
	.explain = "A pointer chase measures latency while other threads generate memory "
		"traffic at a rate set by an injection delay, for each pair of CPU node "
		"and memory node. Plotting latency against the bandwidth achieved gives "
		"Intel MLC's loaded-latency curve: flat while the memory system has "
		"headroom, then a steep climb near its limit.",
	.run = ld_run,
};
