/* SPDX-License-Identifier: MIT */
/*
 * pagefault.c — first-touch cost: what a page fault costs with 4K, THP, 2M and 1G pages.
 *
 * Anonymous memory costs nothing until it is touched; the first write to each page
 * faults, and the kernel allocates, zeroes and maps a page of whatever size backs the
 * region.  Bigger pages mean fewer faults but more zeroing per fault, so the cost per
 * GiB is what compares across page sizes, and the cost per page shows what one fault
 * costs.  Each first-touch sample maps a fresh region (untimed), writes one byte per
 * 4 KiB (timed: the same writes for every page size, only the faults differ), and
 * unmaps it.  The second touch repeats the same writes on a region already touched:
 * no fault at all, the contrast that shows what the faults cost.
 *
 * The page size obtained is verified from /proc/self/smaps (as in the tlb bench) on a
 * region touched before the samples and again on every first-touch sample; minor
 * faults are counted twice: getrusage(ru_minflt) around the timed writes only, and
 * perf::PAGE-FAULTS through the counters around the whole sample.  The placement of
 * the pages (move_pages) is recorded with the touching CPU's node: with no memory
 * policy the pages land on the node of the CPU that touched them first, with a policy
 * (--membind, --interleave...) where the policy says — the first touch decides, not
 * the mmap.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "bench.h"
#include "chase.h"
#include "log.h"
#include "parse.h"
#include "timer.h"
#include "stats.h"

#define PF_UNIT 4096u          /* one write per base page */
#define PF_GIB (1024.0 * 1024 * 1024)

static const char *const pf_events[] = { "perf::PAGE-FAULTS", "perf::TASK-CLOCK", NULL };

/* What one page size's samples need and what they saw. */
struct pf_sampler {
	struct bench_ctx *c;
	enum mem_page page;
	size_t len;                /* region bytes */
	bool first;                /* first touch (fresh region per sample) or second */
	struct mem_region *r;      /* second touch: the region touched once before */
	double pages;              /* pages of the obtained size in the region */
	/* per sample, in call order (warm-up samples first) */
	double *flt, *ns;
	size_t n, cap;
	/* worst verification seen over first-touch samples */
	double min_huge_fraction;
	bool page_always_ok;
	unsigned verified_samples;
	int err;
};

static long minflt_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* The timed writes: one byte per 4 KiB, whatever backs the region. */
static double pf_touch(struct mem_region *r, long *faults)
{
	volatile char *p = r->p;
	long f0 = minflt_now();
	uint64_t t0 = timer_now(), t1;

	for (size_t off = 0; off < r->len; off += PF_UNIT)
		p[off] = 1;
	t1 = timer_now();
	*faults = minflt_now() - f0;
	return timer_ticks_to_ns(t1 - t0);
}

static int pf_sample(void *arg, double *sample)
{
	struct pf_sampler *s = arg;
	struct mem_region fresh, *r = s->r;
	long faults;
	double ns;
	int rc;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *a = realloc(s->flt, cap * sizeof(*a)), *b;
		if (!a)
			return -ENOMEM;
		s->flt = a;
		b = realloc(s->ns, cap * sizeof(*b));
		if (!b)
			return -ENOMEM;
		s->ns = b;
		s->cap = cap;
	}
	if (s->first) {
		rc = mem_alloc(&fresh, s->len, s->page, &s->c->policy);
		if (rc < 0) {
			s->err = rc;
			return rc;
		}
		r = &fresh;
	}
	ns = pf_touch(r, &faults);
	if (s->first) {
		struct mem_verified v = { 0 };
		/* Every sample's region is checked: a later one may not get huge pages
		 * (fragmentation) although the first did. */
		if (mem_verify(r, 16, &v) == 0) {
			s->verified_samples++;
			if (v.huge_fraction < s->min_huge_fraction)
				s->min_huge_fraction = v.huge_fraction;
			s->page_always_ok &= v.page_ok;
		} else {
			s->page_always_ok = false;
		}
		mem_free(&fresh);
	}
	s->flt[s->n] = (double)faults;
	s->ns[s->n++] = ns;
	*sample = ns / s->pages;
	return 0;
}

/* The measurement bench_measure() just appended. */
static json_t *last_measurement(const struct bench_ctx *c)
{
	json_t *ms = json_object_get(c->result, "measurements");

	return json_array_get(ms, json_array_size(ms) - 1);
}

/* Placement facts for the verified object: the touching CPU's node and the share of
 * the sampled pages found there. */
static void pf_placement(json_t *ver, int cpu, const struct mem_verified *v,
			 const struct bench_ctx *c)
{
	int node = -1;

	/* Through the topology, not libnuma: <numa.h> is shadowed by bench/numa.h here. */
	for (int n = 0; n <= topo_max_node_index(c->topo) && node < 0; n++) {
		hwloc_bitmap_t set = topo_node_cpus(c->topo, (unsigned)n);
		if (set && hwloc_bitmap_isset(set, (unsigned)cpu))
			node = n;
		hwloc_bitmap_free(set);
	}

	json_object_set_new(ver, "first_touch_cpu", json_integer(cpu));
	json_object_set_new(ver, "first_touch_node", node >= 0 ? json_integer(node) : json_null());
	json_object_set_new(ver, "local_fraction",
			    node >= 0 && node < 64 && v && v->pages_sampled
			    ? json_real(v->node_fraction[node]) : json_null());
	json_object_set_new(ver, "placement_decided_by", json_string(
		c->policy.mode == MEM_POL_DEFAULT || c->policy.mode == MEM_POL_LOCAL
		? "first touch: no policy, pages on the node of the CPU that touched them first"
		: "first touch under the memory policy set by mbind before it (pages where the policy says)"));
}

static int pf_page_run(struct bench_ctx *c, enum mem_page page, uint64_t size, bool want_first,
		       bool want_second, bool reserve, int cpu)
{
	const char *asked = mem_page_name(page), *label;
	uint64_t psz = mem_page_bytes(page);
	struct mem_region r;
	struct mem_verified v = { 0 };
	bool reserved = false, have_v;
	json_t *memj;
	int64_t have;
	int rc;

	/* Hugetlb and THP regions are whole pages; a region under one page is one page. */
	if (page != MEM_PAGE_4K)
		size = (size + psz - 1) / psz * psz;
	have = chase_hugetlb_ready(c, page, size, reserve,
				   json_pack("{s:s}", "page_size", asked), &reserved);
	if (have <= 0)
		return (int)have;
	size = (uint64_t)have / psz * psz;
	if (!size) {
		bench_skip(c, json_pack("{s:s}", "page_size", asked),
			   "%s pages: the pool holds less than one page", asked);
		rc = 0;
		goto out_pool;
	}
	if ((rc = bench_check_memory(c, size)) < 0)
		goto out_pool;
	/* A region touched before the samples: it tells the page size obtained (the label
	 * and the unit of ns per page), and serves the second-touch samples. */
	rc = bench_alloc_or_skip(c, &r, size, page, json_pack("{s:s}", "page_size", asked));
	if (rc != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out_pool;
	}
	mem_touch(&r);
	have_v = mem_verify(&r, 0, &v) == 0;
	memj = have_v ? mem_verified_json(&r, &v) : json_object();
	label = chase_page_label(c, &r, have_v ? &v : NULL);
	if (have_v && v.page_size)
		psz = v.page_size;
	pf_placement(memj, cpu, have_v ? &v : NULL, c);
	json_object_set_new(memj, "region_bytes", json_integer((json_int_t)size));
	json_object_set_new(memj, "touch_stride_bytes", json_integer(PF_UNIT));

	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		bool first = pass == 0;
		struct pf_sampler s = {
			.c = c, .page = page, .len = size, .first = first, .r = &r,
			.pages = (double)size / (double)psz,
			.min_huge_fraction = 1.0, .page_always_ok = true,
		};
		json_t *labels, *ver, *meas, *samples;
		double *flt = NULL, *gib = NULL, fmed = NAN;
		size_t n, off;

		if ((first && !want_first) || (!first && !want_second))
			continue;
		/* Never two regions at once: the first-touch samples map their own, which
		 * under hugetlb must come from the same pool (and from the same budget). */
		if (first) {
			mem_free(&r);
		} else if (!r.map) {
			rc = bench_alloc(c, &r, size, page);
			if (rc < 0)
				break;
			mem_touch(&r);
		}
		labels = json_pack("{s:s, s:s}", "page_size", label, "touch", first ? "first" : "second");
		if (strcmp(label, asked) != 0)
			json_object_set_new(labels, "page_size_asked", json_string(asked));
		ver = json_deep_copy(memj);
		json_object_set_new(ver, "pages", json_real(s.pages));
		json_object_set_new(ver, "page_bytes", json_integer((json_int_t)psz));
		json_incref(ver);   /* completed after the samples ran */
		struct bench_measure bm = {
			.metric = "page_time", .labels = labels, .verified = ver,
			.fn = pf_sample, .arg = &s, .events = pf_events,
			.ops_per_sample = s.pages, .counters_per = "page",
		};
		rc = bench_measure(c, &bm);
		if (rc < 0) {
			if (s.err == -ENOMEM)
				locus_error("bench pagefault: %s pages: a sample's region could not be mapped: %s",
					    asked, strerror(-s.err));
			json_decref(ver);
			goto next;
		}
		/* The kept samples are the last n the sampler saw (warm-up ones come first). */
		meas = last_measurement(c);
		samples = json_object_get(meas, "samples");
		n = json_array_size(samples);
		off = s.n >= n ? s.n - n : 0;
		flt = malloc((n ? n : 1) * sizeof(*flt));
		gib = malloc((n ? n : 1) * sizeof(*gib));
		if (!flt || !gib) {
			rc = -ENOMEM;
			json_decref(ver);
			goto next;
		}
		for (size_t i = 0; i < n && off + i < s.n; i++) {
			flt[i] = s.flt[off + i] * PF_GIB / (double)size;
			gib[i] = s.ns[off + i] * PF_GIB / (double)size / 1e6;
		}
		if (n) {
			double *tmp = malloc(n * sizeof(*tmp));
			if (tmp) {
				for (size_t i = 0; i < n; i++)
					tmp[i] = s.flt[off + i];
				qsort(tmp, n, sizeof(*tmp), stats_cmp_double);
				fmed = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
				free(tmp);
			}
		}
		json_object_set_new(ver, "minor_faults_per_sample", json_real(fmed));
		json_object_set_new(ver, "minor_faults_per_page", json_real(fmed / s.pages));
		json_object_set_new(ver, "faults_counted_by",
				    json_string("getrusage ru_minflt around the timed writes (counters: perf::PAGE-FAULTS around the whole sample, mapping and verification included)"));
		if (first) {
			json_object_set_new(ver, "samples_verified", json_integer(s.verified_samples));
			json_object_set_new(ver, "min_huge_fraction", json_real(s.min_huge_fraction));
			json_object_set_new(ver, "page_size_ok_every_sample", json_boolean(s.page_always_ok));
			if (!s.page_always_ok && v.page_ok)
				bench_warn(c, "%s pages: some first-touch samples did not get the page size (least huge fraction %.2f)",
					   asked, s.min_huge_fraction);
		}
		labels = json_pack("{s:s, s:s}", "page_size", label, "touch", first ? "first" : "second");
		if (strcmp(label, asked) != 0)
			json_object_set_new(labels, "page_size_asked", json_string(asked));
		rc = bench_record(c, "gib_time", labels, gib, n, json_deep_copy(ver));
		if (rc == 0) {
			labels = json_pack("{s:s, s:s}", "page_size", label, "touch", first ? "first" : "second");
			if (strcmp(label, asked) != 0)
				json_object_set_new(labels, "page_size_asked", json_string(asked));
			rc = bench_record(c, "minor_faults", labels, flt, n, json_deep_copy(ver));
		}
		json_decref(ver);   /* the measurement keeps its own reference */
next:
		free(flt);
		free(gib);
		free(s.flt);
		free(s.ns);
	}
	json_decref(memj);
	mem_free(&r);
out_pool:
	if (reserved)
		mem_hugepages_release();
	return rc;
}

static int pf_run(struct bench_ctx *c)
{
	bool reserve = bench_opt_flag(c, "reserve-hugepages"), first = false, second = false;
	enum mem_page pages[4];
	size_t npages = 0;
	uint64_t size;
	char buf[32];
	int rc, cpu, measured = 0;

	for (size_t i = 0; i < bench_opt_count(c, "touch"); i++) {
		bench_opt_choice_at(c, "touch", i, buf, sizeof(buf));
		if (strcasecmp(buf, "first") == 0)
			first = true;
		else
			second = true;
	}
	rc = bench_opt_pages(c, "page-size", pages, 4);
	if (rc < 0)
		return rc;
	npages = (size_t)rc;
	if (bench_opt_given(c, "size")) {
		size = bench_opt_size(c, "size") / PF_UNIT * PF_UNIT;
		if ((rc = bench_check_memory(c, size)) < 0)
			return rc;
	} else {
		uint64_t budget = mem_budget();
		size = bench_opt_size(c, "size");
		if (budget && size > budget / 2) {
			size = budget / 2 / (2u << 20) * (2u << 20);
			bench_warn(c, "region limited to %s by available memory",
				   format_size(size, buf, sizeof(buf)));
		}
	}

	cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, cpu);
	if (rc < 0)
		return locus_fail(-rc, "bench pagefault: cannot pin to CPU %d: %s", cpu, strerror(-rc));
	if (rc != cpu)
		bench_warn(c, "asked for CPU %d, running on %d", cpu, rc);
	cpu = rc;

	for (size_t i = 0; i < npages; i++) {
		json_t *ms = json_object_get(c->result, "measurements");
		size_t before = json_array_size(ms);
		rc = pf_page_run(c, pages[i], size, first, second, reserve, cpu);
		if (rc < 0)
			return rc;
		measured += json_array_size(ms) > before;
	}
	return measured ? 0 : 1;   /* 1: everything asked was skipped */
}

static const struct bench_opt pf_opts[] = {
	{ .name = "page-size", .type = BOPT_CHOICES, .def = "4K,THP,2M,1G", .choices = "4K,THP,2M,1G",
	  .help = "backing page sizes to measure (verified from /proc/self/smaps; hugetlb sizes need a reserved pool)" },
	{ .name = "size", .type = BOPT_SIZE, .def = "256M", .quick = "64M", .min = 4096,
	  .help = "bytes of the region touched (rounded up to whole huge pages); the default is limited by available memory" },
	{ .name = "touch", .type = BOPT_CHOICES, .def = "first,second", .choices = "first,second",
	  .help = "first: a fresh region per sample (every page faults); second: a region touched before (no fault)" },
	{ .name = "reserve-hugepages", .type = BOPT_FLAG,
	  .help = "as root, reserve the 2M/1G hugetlb pages the run needs and give every page back afterwards (also on errors and signals)" },
	{ .name = NULL },
};

static const struct bench_metric pf_metrics[] = {
	{ .name = "page_time", .unit = "ns", .higher_is_better = false },
	{ .name = "gib_time", .unit = "ms", .higher_is_better = false },
	{ .name = "minor_faults", .unit = "faults/GiB", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure pf_figures[] = {
	{ .kind = BFIG_BARS, .metric = "gib_time", .x = "page_size", .series = "touch", .logy = true,
	  .title = "Cost of touching 1 GiB, per page size", .xlabel = "page size",
	  .ylabel = "time per GiB touched",
	  .caption = "Median time to touch one GiB for the first time (page faults: allocate "
		"and zero) and a second time (no faults), per page size, with 95% CI, on "
		"a log scale. Per GiB, fewer and larger pages win: this is the figure to "
		"compare page sizes on." },
	{ .kind = BFIG_BARS, .metric = "minor_faults", .x = "page_size", .series = "touch",
	  .filter = "touch=first", .logy = true,
	  .title = "Page faults per GiB touched", .xlabel = "page size",
	  .ylabel = "minor faults per GiB",
	  .caption = "Minor faults taken to touch one GiB for the first time, per page size, "
		"on a log scale: 262144 with 4 KiB pages, 512 with 2 MiB pages." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_pagefault_info = {
	.name = "pagefault",
	.summary = "first-touch cost (page faults) with 4K, THP, 2M and 1G pages; second touch for contrast",
	.description =
		"Time to first-touch a region (one write per 4 KiB) backed by 4 KiB pages,\n"
		"transparent huge pages, and hugetlb 2 MiB and 1 GiB pages: page_time is ns\n"
		"per page of the size obtained (one fault each), gib_time ms per GiB (which\n"
		"compares across page sizes), minor_faults the faults per GiB counted with\n"
		"getrusage around the timed writes (and perf::PAGE-FAULTS as a counter).  Each\n"
		"first-touch sample maps a fresh region; the second touch repeats the writes on\n"
		"a touched region, without faults.  The page size is verified from smaps; the\n"
		"placement (move_pages) is recorded with the touching CPU's node, so a run with\n"
		"--membind/--interleave shows the policy deciding at first touch, and one\n"
		"without shows the pages local to the CPU that touched them.  hugetlb sizes\n"
		"with an empty pool are skipped with the command that reserves pages.",
	.opts = pf_opts,
	.metrics = pf_metrics,
	.headline = "gib_time",
	.figures = pf_figures,
	.explain = "Touching freshly mapped memory makes the kernel allocate and zero a page "
		"at each first touch: the cost depends on how many faults it takes, so "
		"huge pages (one fault per 2 MiB) are far cheaper per GiB than 4 KiB "
		"pages. The second touch of the same memory shows what access costs once "
		"no fault is left.",
	.supported = NULL,
	.run = pf_run,
};
