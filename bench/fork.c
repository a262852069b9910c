/* SPDX-License-Identifier: MIT */
/*
 * fork.c — fork() latency against the parent's resident memory, per page size.
 *
 * fork() copies the parent's page tables (copy-on-write: the data is not copied, its
 * mappings are), so its cost grows with resident memory, and the page size sets how
 * many entries there are to copy: 512 PTEs per 2 MiB with 4 KiB pages, one PMD entry
 * with a transparent or hugetlb huge page.  This is why large in-memory stores that
 * fork for snapshots (Redis BGSAVE) fork faster on huge pages.  A sample is one
 * fork() whose child calls _exit(0) at once, timed in the parent until waitpid()
 * returns: creation plus the child's teardown of the copied tables.
 *
 * The parent's region is allocated through lib/mem.h with the page size asked,
 * touched, and verified (page size and resident bytes from /proc/self/smaps) before
 * the samples; a region that is not resident is not a measurement of resident memory.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"
#include "chase.h"
#include "log.h"
#include "parse.h"
#include "timer.h"

#define FORK_MAX_SIZES 32

static const char *const fork_events[] = {
	"perf::PAGE-FAULTS", "perf::CONTEXT-SWITCHES", "perf::TASK-CLOCK", NULL
};

struct fork_sampler {
	unsigned failed_children;   /* children that did not exit 0 */
};

static int fork_sample(void *arg, double *sample)
{
	struct fork_sampler *s = arg;
	uint64_t t0, t1;
	int status;
	pid_t pid;

	t0 = timer_now();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(0);   /* no atexit handlers: those belong to the parent (hugepage pools) */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	t1 = timer_now();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		s->failed_children++;
	*sample = timer_ticks_to_ns(t1 - t0);
	return 0;
}

static int fork_page_run(struct bench_ctx *c, enum mem_page page, const uint64_t *sizes, size_t n,
			 bool reserve)
{
	const char *asked = mem_page_name(page);
	uint64_t psz = mem_page_bytes(page), maxsz = 0;
	bool reserved = false;
	int64_t have;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if ((sizes[i] + psz - 1) / psz * psz > maxsz)
			maxsz = (sizes[i] + psz - 1) / psz * psz;
	have = chase_hugetlb_ready(c, page, maxsz, reserve, json_pack("{s:s}", "page_size", asked),
				   &reserved);
	if (have <= 0)
		return (int)have;

	for (size_t i = 0; i < n && rc == 0; i++) {
		uint64_t size = page == MEM_PAGE_4K ? sizes[i] : (sizes[i] + psz - 1) / psz * psz;
		struct mem_region r;
		struct mem_verified v = { 0 };
		struct fork_sampler s = { 0 };
		const char *label;
		json_t *labels, *ver;
		bool have_v;

		if (size > (uint64_t)have) {
			char b[32];
			bench_skip(c, json_pack("{s:s, s:I}", "page_size", asked, "resident_bytes",
						(json_int_t)size),
				   "%s pages: the pool cannot back %s resident", asked,
				   format_size(size, b, sizeof(b)));
			continue;
		}
		rc = bench_alloc_or_skip(c, &r, size, page,
					 json_pack("{s:s, s:I}", "page_size", asked, "resident_bytes",
						   (json_int_t)size));
		if (rc != 0) {
			rc = rc > 0 ? 0 : rc;
			continue;
		}
		mem_touch(&r);
		have_v = mem_verify(&r, 0, &v) == 0;
		ver = have_v ? mem_verified_json(&r, &v) : json_object();
		label = chase_page_label(c, &r, have_v ? &v : NULL);
		json_object_set_new(ver, "resident_ok", json_boolean(have_v && v.rss_bytes >= size / 10 * 9));
		json_object_set_new(ver, "child", json_string("_exit(0) at once; the parent waits (waitpid) before the clock stops"));
		if (have_v && v.rss_bytes < size / 10 * 9)
			bench_warn(c, "%s pages: only %llu of %llu bytes resident before forking",
				   asked, (unsigned long long)v.rss_bytes, (unsigned long long)size);
		labels = json_pack("{s:s, s:I}", "page_size", label, "resident_bytes", (json_int_t)size);
		if (strcmp(label, asked) != 0)
			json_object_set_new(labels, "page_size_asked", json_string(asked));
		json_incref(ver);
		struct bench_measure bm = {
			.metric = "fork_latency", .labels = labels, .verified = ver,
			.fn = fork_sample, .arg = &s, .events = fork_events,
			.ops_per_sample = 1, .counters_per = "fork",
		};
		rc = bench_measure(c, &bm);
		json_object_set_new(ver, "children_failed", json_integer(s.failed_children));
		if (s.failed_children)
			bench_warn(c, "%u forked children did not exit 0", s.failed_children);
		json_decref(ver);
		mem_free(&r);
		if (rc < 0)
			locus_error("bench fork: %s pages, %llu bytes: fork failed: %s", asked,
				    (unsigned long long)size, strerror(-rc));
	}
	if (reserved)
		mem_hugepages_release();
	return rc;
}

static int fork_run(struct bench_ctx *c)
{
	bool reserve = bench_opt_flag(c, "reserve-hugepages");
	enum mem_page pages[4];
	uint64_t sizes[FORK_MAX_SIZES], max = 0, maxr = 0;
	size_t npages = 0, n = 0;
	int rc, cpu, measured = 0;

	rc = bench_opt_pages(c, "page-size", pages, 4);
	if (rc < 0)
		return rc;
	npages = (size_t)rc;
	for (size_t i = 0; i < bench_opt_count(c, "resident") && n < FORK_MAX_SIZES; i++) {
		uint64_t s = bench_opt_size_at(c, "resident", i) / 4096 * 4096;
		if (!s)
			return locus_fail(EINVAL, "bench fork: --resident: %llu is smaller than one 4 KiB page",
						  (unsigned long long)bench_opt_size_at(c, "resident", i));
		sizes[n++] = s;
		if (s > max)
			max = s;
	}
	/* The largest region, rounded up to whole pages of the largest kind asked, is the
	 * most any run maps. */
	for (size_t i = 0; i < npages; i++) {
		uint64_t psz = mem_page_bytes(pages[i]);
		uint64_t m = (max + psz - 1) / psz * psz;
		if (m > maxr)
			maxr = m;
	}
	if ((rc = bench_check_memory(c, maxr)) < 0)
		return rc;

	cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, cpu);
	if (rc < 0)
		return locus_fail(-rc, "bench fork: cannot pin to CPU %d: %s", cpu, strerror(-rc));
	if (rc != cpu)
		bench_warn(c, "asked for CPU %d, running on %d", cpu, rc);

	for (size_t i = 0; i < npages; i++) {
		json_t *ms = json_object_get(c->result, "measurements");
		size_t before = json_array_size(ms);
		rc = fork_page_run(c, pages[i], sizes, n, reserve);
		if (rc < 0)
			return rc;
		measured += json_array_size(ms) > before;
	}
	return measured ? 0 : 1;   /* 1: everything asked was skipped */
}

static const struct bench_opt fork_opts[] = {
	{ .name = "page-size", .type = BOPT_CHOICES, .def = "4K,THP,2M", .choices = "4K,THP,2M,1G",
	  .help = "page sizes backing the parent's resident memory (verified from /proc/self/smaps; hugetlb sizes need a reserved pool)" },
	{ .name = "resident", .type = BOPT_SIZES, .def = "16M,256M,1G", .quick = "16M,128M", .min = 4096,
	  .help = "bytes the parent has resident (touched) when it forks, one measurement each" },
	{ .name = "reserve-hugepages", .type = BOPT_FLAG,
	  .help = "as root, reserve the 2M/1G hugetlb pages the run needs and give every page back afterwards (also on errors and signals)" },
	{ .name = NULL },
};

static const struct bench_metric fork_metrics[] = {
	{ .name = "fork_latency", .unit = "ns", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure fork_figures[] = {
	{ .kind = BFIG_BARS, .metric = "fork_latency", .x = "page_size", .series = "resident_bytes",
	  .logy = true,
	  .title = "fork() latency by page size and resident memory", .xlabel = "page size of the parent's memory",
	  .ylabel = "fork + exit + wait",
	  .caption = "Median time of fork() and the child's exit, per page size of the "
		"parent's resident memory and its size, with 95% CI, on a log scale." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_fork_info = {
	.name = "fork",
	.summary = "fork()+exit latency against resident memory with 4K, THP and hugetlb pages",
	.description =
		"Time from fork() to waitpid() returning, the child calling _exit(0) at once,\n"
		"for a parent with --resident bytes touched and resident, backed by 4 KiB pages,\n"
		"transparent huge pages or hugetlb pages.  fork copies page tables, not data:\n"
		"with 4 KiB pages 512 entries per 2 MiB, with huge pages one, so the latency\n"
		"grows with resident memory far faster on 4 KiB pages.  The page size and the\n"
		"resident bytes are verified from /proc/self/smaps; hugetlb sizes with an empty\n"
		"pool are skipped with the command that reserves pages.",
	.opts = fork_opts,
	.metrics = fork_metrics,
	.headline = "fork_latency",
	.figures = fork_figures,
	.explain = "fork() copies the parent's page tables, so its cost grows with the "
		"memory the parent has resident, and shrinks with larger pages: one "
		"huge-page entry maps 512 times what a 4 KiB entry maps. The figure shows "
		"what a fork from a large process costs with each page size.",
	.supported = NULL,
	.run = fork_run,
};
