/* SPDX-License-Identifier: MIT */
/*
 * chase-bench.c — the framework side shared by the pointer-chasing benches (latency,
 * tlb): hugetlb pool readiness, honest page-size labels, and one verified, calibrated
 * measurement of a chain.
 *
 * Kept apart from chase.c so that the chains and the staircase detection stay free of
 * the bench framework and can be unit-tested alone; kept out of the two bench files so
 * both record the same verification fields, the same skip reasons and the same
 * page-size labels.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "chase.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"

static const char *pool_name(enum mem_page page)
{
	return page == MEM_PAGE_1G ? "hugepages-1048576kB" : "hugepages-2048kB";
}

int64_t chase_hugetlb_ready(struct bench_ctx *c, enum mem_page page, uint64_t bytes,
			    bool reserve, json_t *labels, bool *reserved)
{
	uint64_t psz = mem_page_bytes(page), need, have;
	char rel[128], sz[32];
	unsigned long freep;
	long nr = 0;

	*reserved = false;
	if (page != MEM_PAGE_2M && page != MEM_PAGE_1G) {
		json_decref(labels);
		return (int64_t)bytes;
	}
	need = (bytes + psz - 1) / psz;
	format_size(bytes, sz, sizeof(sz));
	snprintf(rel, sizeof(rel), "sys/kernel/mm/hugepages/%s/nr_hugepages", pool_name(page));
	if (!sysfs_exists(rel)) {
		bench_skip(c, labels, "%s pages: this machine has no %s hugetlb pool (/%s is missing)",
			   mem_page_name(page), mem_page_name(page), rel);
		return 0;
	}
	sysfs_read_long(rel, &nr);
	freep = mem_hugepages_free(page);
	if (freep < need && reserve) {
		long got = mem_hugepages_reserve(page, (unsigned long)need);
		if (got < 0) {
			bench_skip(c, labels, "%s pages: --reserve-hugepages could not reserve %llu pages for %s: %s",
				   mem_page_name(page), (unsigned long long)need, sz, strerror((int)-got));
			return 0;
		}
		*reserved = true;
		freep = (unsigned long)got;
	}
	if (freep == 0) {
		if (*reserved) {
			mem_hugepages_release();
			*reserved = false;
		}
		bench_skip(c, labels,
			   "%s pages: the hugetlb pool has no free page (nr_hugepages=%ld, %llu needed for %s); reserve them as root with 'echo %llu > /%s' or run with --reserve-hugepages",
			   mem_page_name(page), nr, (unsigned long long)need, sz,
			   (unsigned long long)(need + (nr > 0 ? (uint64_t)nr : 0)), rel);
		return 0;
	}
	json_decref(labels);
	have = freep >= need ? bytes : (uint64_t)freep * psz;
	if (have < bytes) {
		char hs[32];
		bench_warn(c, "%s pages: only %lu free of %llu needed (nr_hugepages=%ld); footprints above %s are left out (reserve more with 'echo N > /%s' or --reserve-hugepages)",
			   mem_page_name(page), freep, (unsigned long long)need, nr,
			   format_size(have, hs, sizeof(hs)), rel);
	}
	return (int64_t)have;
}

const char *chase_page_label(struct bench_ctx *c, const struct mem_region *r,
			     const struct mem_verified *v)
{
	const char *asked = mem_page_name(r->asked), *got;

	if (!v) {
		bench_warn(c, "asked for %s pages; the page size could not be verified, results are labelled 'unverified'",
			   asked);
		return "unverified";
	}
	if (v->page_ok)
		return r->asked == MEM_PAGE_DEFAULT ? v->page_name : asked;
	got = v->page_name && strcmp(v->page_name, asked) != 0 ? v->page_name : "mixed";
	bench_warn(c, "asked for %s pages, got %s (%.0f%% of %llu resident bytes in huge pages); results are labelled page_size=%s, not %s",
		   asked, v->page_name ? v->page_name : "?", 100 * v->huge_fraction,
		   (unsigned long long)v->rss_bytes, got, asked);
	return got;
}

/* The median of the measurement bench_measure() just appended. */
static double last_median(const struct bench_ctx *c)
{
	json_t *ms = json_object_get(c->result, "measurements");
	json_t *m = json_array_get(ms, json_array_size(ms) - 1);
	json_t *med = json_object_get(json_object_get(m, "summary"), "median");

	return json_is_number(med) ? json_number_value(med) : NAN;
}

int chase_measure(struct bench_ctx *c, struct chase_point *pt, double *median)
{
	struct chase ch;
	struct chase_sampler s = { .ch = &ch, .max_retries = 10 };
	uint64_t steps = 0;
	json_t *ver = pt->verified ? pt->verified : json_object(), *lens;
	int rc, now;

	*median = NAN;
	pt->verified = NULL;
	rc = chase_build(&ch, pt->buf, &pt->layout);
	if (rc < 0) {
		locus_error("bench %s: cannot build a chain of %zu elements: %s", c->info->name,
			    pt->layout.nelem, strerror(-rc));
		goto fail;
	}
	rc = chase_verify(&ch, &steps);
	lens = json_array();
	for (unsigned k = 0; k < ch.l.chains; k++)
		json_array_append_new(lens, json_integer((json_int_t)ch.len[k]));
	json_object_set_new(ver, "single_cycle", json_boolean(rc == 0));
	json_object_set_new(ver, "chains", json_integer(ch.l.chains));
	json_object_set_new(ver, "elements", json_integer((json_int_t)ch.l.nelem));
	json_object_set_new(ver, "cycle_lengths", lens);
	json_object_set_new(ver, "verify_steps", json_integer((json_int_t)steps));
	json_object_set_new(ver, "stride_bytes", json_integer((json_int_t)ch.l.stride));
	json_object_set_new(ver, "line_bytes", json_integer((json_int_t)ch.l.line));
	json_object_set_new(ver, "group_elements",
			    json_integer((json_int_t)(ch.l.group && ch.l.group < ch.l.nelem
						      ? ch.l.group : ch.l.nelem)));
	if (rc < 0) {
		locus_error("bench %s: the chain of %zu elements is not %s single cycle (walked %llu steps): verification failed",
			    c->info->name, ch.l.nelem, ch.l.chains > 1 ? "a set of disjoint" : "one",
			    (unsigned long long)steps);
		rc = -EPROTO;
		goto fail;
	}
	chase_calibrate(&s, pt->sample_ns);
	json_object_set_new(ver, "loads_per_sample", json_integer((json_int_t)s.loads));
	json_incref(ver);   /* the CPU is known only after the samples ran */
	struct bench_measure bm = {
		.metric = pt->metric,
		.labels = pt->labels,
		.verified = ver,
		.fn = chase_sample,
		.arg = &s,
		.events = pt->events,
		.ops_per_sample = (double)s.loads,
		.counters_per = "load",
	};
	pt->labels = NULL;
	rc = bench_measure(c, &bm);
	now = sched_getcpu();
	json_object_set_new(ver, "samples_retaken_after_switch", json_integer((json_int_t)s.retried));
	json_object_set_new(ver, "samples_kept_despite_switch", json_integer((json_int_t)s.kept_switched));
	json_object_set_new(ver, "cpu", json_integer(now));
	json_object_set_new(ver, "cpu_ok", json_boolean(now == pt->cpu || c->topo->fake));
	json_decref(ver);
	if (rc == 0)
		*median = last_median(c);
	return rc;
fail:
	json_decref(ver);
	json_decref(pt->labels);
	pt->labels = NULL;
	return rc;
}
