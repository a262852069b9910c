/* SPDX-License-Identifier: MIT */
/*
 * overcommit.c — how much anonymous memory the kernel lets this process commit.
 *
 * An anonymous private writable mapping without MAP_NORESERVE is charged to the
 * commit accounting at mmap() time, and the kernel refuses it there (ENOMEM) by the
 * rule vm.overcommit_memory selects: 0 (heuristic) refuses one mapping larger than
 * RAM + swap but does not limit the total; 1 (always) refuses nothing (only the
 * address space is a limit); 2 (never) refuses once the committed total would pass
 * CommitLimit (overcommit_ratio% of RAM, or overcommit_kbytes, plus swap).  This bench
 * finds both figures without touching a byte (so it can never cause an OOM): `single`
 * binary-searches the largest one mapping that succeeds, `total` keeps mapping chunks
 * (halving the chunk on each failure) until nothing more fits, then unmaps them all.
 * Each mapping is released at once.  The results sit next to the tunables and
 * CommitLimit/Committed_AS, with what the kernel's rule predicts, so a before/after
 * report of `locus tune ab` shows exactly what the tunables changed.
 *
 * Under mode 2 the search claims the machine's remaining commit for a moment (a few
 * system calls): another process allocating in that instant may be refused.  With
 * mode 0 or 1 nothing is limited but the address space, so the searches stop at
 * --upper-bound and say so.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include "bench.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"

#define OC_PAGE 4096ull
/* Mappings the total search may hold: under mode 0 each is at most RAM + swap, so
 * filling the address space takes bound / (RAM + swap) of them (adjacent ones merge
 * into one VMA, so vm.max_map_count is not the limit). */
#define OC_MIN_MAPS 65536
#define OC_MAX_MAPS (1u << 22)

struct oc_state {
	long mode, ratio, kbytes;
	long long commit_limit, committed_as, mem_total, swap_total;
	bool have_meminfo;
};

/*
 * The running kernel's tunables and meminfo.  This bench measures the running kernel,
 * so they are read under the real root even when --sysroot points at a fixture: a
 * fixture's overcommit_memory would label results with a rule the kernel never applied.
 */
static int oc_read_state(struct oc_state *st)
{
	char saved[PATH_MAX];
	int rc;

	snprintf(saved, sizeof(saved), "%s", sysfs_root());
	sysfs_set_root("/");
	st->ratio = st->kbytes = -1;
	rc = sysfs_read_long("proc/sys/vm/overcommit_memory", &st->mode);
	sysfs_read_long("proc/sys/vm/overcommit_ratio", &st->ratio);
	sysfs_read_long("proc/sys/vm/overcommit_kbytes", &st->kbytes);
	st->have_meminfo =
		sysfs_meminfo("proc/meminfo", "CommitLimit", &st->commit_limit) == 0 &&
		sysfs_meminfo("proc/meminfo", "Committed_AS", &st->committed_as) == 0 &&
		sysfs_meminfo("proc/meminfo", "MemTotal", &st->mem_total) == 0 &&
		sysfs_meminfo("proc/meminfo", "SwapTotal", &st->swap_total) == 0;
	sysfs_set_root(saved);
	return rc;
}

static bool oc_try(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, len);
	return true;
}

/* The largest single mapping that succeeds, to a page; *hit when the bound did. */
static uint64_t oc_single(uint64_t bound, bool *hit)
{
	uint64_t lo = 0, hi;

	*hit = false;
	if (oc_try(bound)) {
		*hit = true;
		return bound;
	}
	hi = bound;   /* smallest size known to fail */
	while (hi - lo > OC_PAGE) {
		uint64_t mid = (lo + (hi - lo) / 2) / OC_PAGE * OC_PAGE;
		if (mid <= lo)
			mid = lo + OC_PAGE;
		if (oc_try(mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The total that can be mapped at once: chunks from `chunk` down to one page. */
static uint64_t oc_total(uint64_t bound, uint64_t chunk, void **maps, uint64_t *lens,
			 size_t cap, size_t *nmaps, bool *hit, bool *table_full)
{
	uint64_t total = 0;
	size_t n = 0;

	*hit = *table_full = false;
	chunk = chunk / OC_PAGE * OC_PAGE;
	if (!chunk)
		chunk = OC_PAGE;
	while (chunk >= OC_PAGE && total < bound) {
		uint64_t len = chunk < bound - total ? chunk : (bound - total) / OC_PAGE * OC_PAGE;
		void *p;
		if (!len)
			break;
		if (n == cap) {
			*table_full = true;
			break;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			chunk = chunk / 2 / OC_PAGE * OC_PAGE;   /* mmap lengths stay whole pages */
			continue;
		}
		maps[n] = p;
		lens[n++] = len;
		total += len;
	}
	for (size_t i = 0; i < n; i++)
		munmap(maps[i], lens[i]);
	*hit = total >= bound;
	*nmaps = n;
	return total;
}

/* What the kernel's rule predicts for a kind, or -1 when the rule sets no limit. */
static long long oc_predict(const struct oc_state *st, bool single)
{
	if (!st->have_meminfo)
		return -1;
	switch (st->mode) {
	case 0:
		return single ? st->mem_total + st->swap_total : -1;
	case 2:
		return st->commit_limit > st->committed_as ? st->commit_limit - st->committed_as : 0;
	default:
		return -1;
	}
}

static const char *oc_rule(long mode, bool single)
{
	switch (mode) {
	case 0:
		return single ? "heuristic: one mapping may not exceed RAM + swap (MemTotal + SwapTotal)"
			      : "heuristic: no limit on the total (each mapping is checked alone); only the address space and --upper-bound stop it";
	case 1:
		return "always: no limit; only the address space and --upper-bound stop it";
	case 2:
		return "never: the committed total may not pass CommitLimit, so CommitLimit - Committed_AS remains (less up to vm.user_reserve_kbytes for this process)";
	default:
		return "unknown overcommit_memory value";
	}
}

static int oc_run(struct bench_ctx *c)
{
	uint64_t bound = bench_opt_size(c, "upper-bound") / OC_PAGE * OC_PAGE;
	unsigned reps = c->rep.reps ? c->rep.reps : c->rep.min_reps ? c->rep.min_reps : 3;
	bool want[2] = { false, false };
	struct oc_state st;
	uint64_t single_found = 0;
	size_t cap = 0;
	void **maps = NULL;
	uint64_t *lens = NULL;
	char buf[32], mode[16];
	int rc = 0;

	for (size_t i = 0; i < bench_opt_count(c, "kind"); i++) {
		bench_opt_choice_at(c, "kind", i, buf, sizeof(buf));
		want[strcasecmp(buf, "total") == 0] = true;
	}
	if (oc_read_state(&st) < 0) {
		bench_skip(c, NULL, "cannot read /proc/sys/vm/overcommit_memory of the running kernel");
		return 1;
	}
	if (!st.have_meminfo)
		bench_warn(c, "CommitLimit/Committed_AS/MemTotal/SwapTotal not found in /proc/meminfo: no prediction");
	snprintf(mode, sizeof(mode), "%ld", st.mode);
	if (want[1]) {
		bool hit;
		single_found = oc_single(bound, &hit);
		cap = single_found ? bound / single_found + 64 * 64 : OC_MIN_MAPS;
		if (cap < OC_MIN_MAPS)
			cap = OC_MIN_MAPS;
		if (cap > OC_MAX_MAPS)
			cap = OC_MAX_MAPS;
		maps = calloc(cap, sizeof(*maps));
		lens = calloc(cap, sizeof(*lens));
		if (!maps || !lens) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (int k = 0; k < 2 && rc == 0; k++) {
		bool single = k == 0, hit = false, full = false, any_hit = false, any_full = false;
		double *samples;
		size_t nmaps = 0, max_maps = 0;
		long long pred;
		json_t *ver, *labels;

		if (!want[k])
			continue;
		samples = calloc(reps, sizeof(*samples));
		if (!samples) {
			rc = -ENOMEM;
			break;
		}
		oc_read_state(&st);   /* Committed_AS moves with the machine: the latest */
		for (unsigned i = 0; i < reps; i++) {
			uint64_t got;
			if (single) {
				got = oc_single(bound, &hit);
				if (got > single_found)
					single_found = got;
			} else {
				if (!single_found)
					single_found = oc_single(bound, &hit);
				got = oc_total(bound, single_found ? single_found : bound, maps, lens,
					       cap, &nmaps, &hit, &full);
				if (nmaps > max_maps)
					max_maps = nmaps;
			}
			any_hit |= hit;
			any_full |= full;
			samples[i] = (double)got;
		}
		pred = oc_predict(&st, single);
		ver = json_pack("{s:i, s:i, s:i, s:b, s:s, s:s, s:I, s:b}",
				"overcommit_memory", (int)st.mode, "overcommit_ratio", (int)st.ratio,
				"overcommit_kbytes", (int)st.kbytes,
				"touched", 0,
				"map_flags", "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS (no MAP_NORESERVE), unmapped at once",
				"predicted_rule", oc_rule(st.mode, single),
				"upper_bound_bytes", (json_int_t)bound,
				"hit_upper_bound", any_hit);
		json_object_set_new(ver, "commit_limit_bytes",
				    st.have_meminfo ? json_integer(st.commit_limit) : json_null());
		json_object_set_new(ver, "committed_as_bytes",
				    st.have_meminfo ? json_integer(st.committed_as) : json_null());
		json_object_set_new(ver, "mem_total_bytes",
				    st.have_meminfo ? json_integer(st.mem_total) : json_null());
		json_object_set_new(ver, "swap_total_bytes",
				    st.have_meminfo ? json_integer(st.swap_total) : json_null());
		json_object_set_new(ver, "first_sample_bytes", json_integer((json_int_t)samples[0]));
		json_object_set_new(ver, "predicted_bytes", pred >= 0 ? json_integer(pred) : json_null());
		json_object_set_new(ver, "found_over_predicted",
				    pred > 0 ? json_real(samples[0] / (double)pred) : json_null());
		json_object_set_new(ver, "tunables_from", json_string(sysfs_is_fake()
				    ? "the running kernel (not the --sysroot: the kernel decides the mappings)"
				    : "the running kernel"));
		if (!single) {
			json_object_set_new(ver, "mappings", json_integer((json_int_t)max_maps));
			json_object_set_new(ver, "mapping_table_full", json_boolean(any_full));
			json_object_set_new(ver, "first_chunk_bytes", json_integer((json_int_t)single_found));
		}
		json_object_set_new(ver, "limited_by", json_string(
			any_hit ? "--upper-bound (the kernel refused nothing below it)"
			: any_full ? "locus's table of mappings filled up (the total is at least this)"
			: st.mode == 2 ? "the commit limit"
			: single && st.mode == 0 ? "the heuristic (RAM + swap per mapping)"
			: "the address space"));
		if (any_hit)
			bench_warn(c, "%s: every mapping up to the upper bound %s succeeded (overcommit_memory=%ld): the figure is the bound, not a kernel limit",
				   single ? "single" : "total", format_size(bound, buf, sizeof(buf)), st.mode);
		labels = json_pack("{s:s, s:s}", "mode", mode, "kind", single ? "single" : "total");
		rc = bench_record(c, "bytes", labels, samples, reps, ver);
		free(samples);
	}
out:
	free(maps);
	free(lens);
	return rc;
}

static const struct bench_opt oc_opts[] = {
	{ .name = "kind", .type = BOPT_CHOICES, .def = "single,total", .choices = "single,total",
	  .help = "single: the largest one mapping; total: everything that can be mapped at once" },
	{ .name = "upper-bound", .type = BOPT_SIZE, .def = "128T", .min = 1 << 20, .max = 1ll << 56,
	  .help = "stop searching here (x86-64 user space is 128 TiB): with overcommit_memory 1 (and 0 for the total) nothing else stops the search" },
	{ .name = NULL },
};

/* "mode" is vm.overcommit_memory as the kernel had it: a setting, so a before/after
 * report pairs mode 0 with mode 2 rather than listing each on one side only. */
static const char *const oc_setting_labels[] = { "mode", NULL };

static const struct bench_metric oc_metrics[] = {
	{ .name = "bytes", .unit = "bytes", .higher_is_better = true },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure oc_figures[] = {
	{ .kind = BFIG_BARS, .metric = "bytes", .x = "kind", .series = "mode", .logy = true,
	  .title = "Largest mapping and total commit allowed", .xlabel = "what was measured",
	  .ylabel = "bytes allowed",
	  .caption = "The largest single anonymous mapping and the total commit the kernel "
		"allowed under each vm.overcommit_memory mode, on a log scale." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_overcommit_info = {
	.name = "overcommit",
	.summary = "largest anonymous mapping and total commit allowed under vm.overcommit_*",
	.description =
		"Without touching memory (never an OOM): the largest single private anonymous\n"
		"writable mapping mmap accepts (binary search, each mapping unmapped at once)\n"
		"and the total that can be mapped at once (chunks until failure, then all\n"
		"unmapped), labelled with vm.overcommit_memory, next to overcommit_ratio,\n"
		"overcommit_kbytes, CommitLimit, Committed_AS and what the kernel's rule\n"
		"predicts.  Mode 0 limits one mapping to RAM + swap; mode 1 nothing; mode 2 the\n"
		"total to CommitLimit.  Searches stop at --upper-bound and say so.  Always the\n"
		"running kernel's settings, also under --sysroot.  Under mode 2 the search takes\n"
		"the remaining commit for an instant.",
	.opts = oc_opts,
	.metrics = oc_metrics,
	.headline = "bytes",
	.figures = oc_figures,
	.explain = "The kernel decides how much anonymous memory a process may map from "
		"vm.overcommit_memory and its ratio or byte limit. The bench finds the "
		"largest single mapping and the total commit allowed, which is what a "
		"service's memory reservation can count on.",
	.setting_labels = oc_setting_labels,
	.supported = NULL,
	.run = oc_run,
};
