/*
 * capacity.c — the capacity-planning summary at the top of every report.
 *
 * A reader planning where to put a service wants a handful of numbers and what they
 * mean, not forty tables: memory per node, cache and DRAM latency, local vs remote
 * access, peak bandwidth and how it scales with threads, measured vs advertised cache
 * sizes, TLB reach per page size, and sentences such as "remote memory is 1.7x slower
 * than local: bind memory-heavy services to their node".  Every line is derived from
 * measurements present in the file; when the data for a line is absent the line is
 * left out rather than guessed.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

typedef void (*line_fn)(void *ctx, const char *key, const char *value);

static const char *mstr(const json_t *m, const char *key)
{
	const char *s = json_string_value(json_object_get(m, key));

	return s ? s : "";
}

static const char *lstr(const json_t *m, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(m, "labels"), key));

	return s ? s : "";
}

static double lnum(const json_t *m, const char *key)
{
	json_t *v = json_object_get(json_object_get(m, "labels"), key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static bool is(const json_t *m, const char *bench, const char *metric)
{
	return !strcmp(mstr(m, "bench"), bench) && !strcmp(mstr(m, "metric"), metric) &&
	       isfinite(report_summary(m, "median"));
}

#define FOREACH_M(f, i, m) json_array_foreach(json_object_get((f)->res, "measurements"), i, m)

static void memory(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *nodes = json_object_get(json_object_get(f->res, "topology"), "numa_nodes"), *nd;
	char buf[1024], b[32];
	size_t i, off;
	double total = 0;

	if (!json_array_size(nodes))
		return;
	json_array_foreach(nodes, i, nd)
		total += (double)json_integer_value(json_object_get(nd, "memory_bytes"));
	off = (size_t)snprintf(buf, sizeof(buf), "%zu NUMA node%s, %s in total",
			       json_array_size(nodes), json_array_size(nodes) == 1 ? "" : "s",
			       plot_bytes(total, b, sizeof(b)));
	if (json_array_size(nodes) > 1)
		json_array_foreach(nodes, i, nd)
			if (off < sizeof(buf))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s node %lld: %s",
					i ? "," : ";",
					(long long)json_integer_value(json_object_get(nd, "os_index")),
					plot_bytes((double)json_integer_value(json_object_get(nd, "memory_bytes")),
						   b, sizeof(b)));
	line(ctx, "Memory", buf);
}

/* Cache levels: measured latency per level and advertised vs detected size. */
static void caches(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m, *c;
	size_t i, off = 0;
	char buf[1024], b1[32], b2[32], n1[32];
	bool seen[8] = { false };

	buf[0] = '\0';
	FOREACH_M(f, i, m)
		if (is(m, "latency", "level_latency") && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s %s ns",
						off ? ", " : "", lstr(m, "level"),
						report_num(report_summary(m, "median"), n1, sizeof(n1)));
	if (off)
		line(ctx, "Latency per level", buf);

	off = 0;
	buf[0] = '\0';
	json_array_foreach(json_object_get(json_object_get(f->res, "topology"), "caches"), i, c) {
		long long lvl = json_integer_value(json_object_get(c, "level"));
		const char *ty = json_string_value(json_object_get(c, "type"));
		double adv = (double)json_integer_value(json_object_get(c, "size_bytes")), meas = NAN;
		char want[8];
		json_t *k;
		size_t j;

		if (lvl < 1 || lvl > 7 || seen[lvl] || (ty && !strcmp(ty, "instruction")))
			continue;
		seen[lvl] = true;
		snprintf(want, sizeof(want), "L%lld", lvl);
		FOREACH_M(f, j, k)
			if (is(k, "latency", "cache_size") && !strcmp(lstr(k, "level"), want))
				meas = report_summary(k, "median");
		if (off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s %s advertised, %s",
				off ? "; " : "", want, plot_bytes(adv, b1, sizeof(b1)),
				isfinite(meas) ? plot_bytes(meas, b2, sizeof(b2)) : "no knee found");
		if (isfinite(meas) && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " measured");
	}
	if (off)
		line(ctx, "Cache sizes", buf);
}

/* DRAM latency: the largest single-chain footprint per page size. */
static void dram(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m, *best[8] = { NULL };
	const char *ps[8];
	size_t i, n = 0, off = 0;
	char buf[1024], b[32], n1[32];

	FOREACH_M(f, i, m) {
		size_t k;

		if (!is(m, "latency", "latency") || lnum(m, "chains") > 1)
			continue;
		for (k = 0; k < n && strcmp(ps[k], lstr(m, "page_size")); k++)
			;
		if (k == n) {
			if (n == 8)
				continue;
			ps[n++] = lstr(m, "page_size");
		}
		if (!best[k] || lnum(m, "footprint_bytes") > lnum(best[k], "footprint_bytes"))
			best[k] = m;
	}
	buf[0] = '\0';
	for (size_t k = 0; k < n && off < sizeof(buf); k++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s ns at %s (%s pages)",
			k ? "; " : "", report_num(report_summary(best[k], "median"), n1, sizeof(n1)),
			plot_bytes(lnum(best[k], "footprint_bytes"), b, sizeof(b)), ps[k]);
	if (off)
		line(ctx, "Memory latency (largest footprint)", buf);
}

static void tlb(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m;
	size_t i, off = 0;
	char buf[1024], b[32];

	buf[0] = '\0';
	FOREACH_M(f, i, m)
		if (is(m, "tlb", "tlb_reach") && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s pages: %s",
				off ? ", " : "", lstr(m, "page_size"),
				plot_bytes(report_summary(m, "median"), b, sizeof(b)));
	if (off)
		line(ctx, "TLB reach", buf);
}

/* Peak bandwidth, and how it scales from 1 thread to the most threads measured. */
static void bandwidth(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m, *peak = NULL, *one = NULL;
	size_t i;
	char buf[512], n1[32], n2[32];

	FOREACH_M(f, i, m) {
		if (!is(m, "bandwidth", "bandwidth"))
			continue;
		if (!peak || report_summary(m, "median") > report_summary(peak, "median"))
			peak = m;
		if (lnum(m, "threads") == 1 &&
		    (!one || report_summary(m, "median") > report_summary(one, "median")))
			one = m;
	}
	if (!peak)
		return;
	{
		char *lt = report_labels_text(NULL, peak, "source");

		snprintf(buf, sizeof(buf), "%s GB/s (%s)",
			 report_num(report_summary(peak, "median"), n1, sizeof(n1)), lt ? lt : "");
		free(lt);
	}
	line(ctx, "Peak bandwidth", buf);
	if (one && one != peak) {
		double s = report_summary(peak, "median") / report_summary(one, "median");

		snprintf(buf, sizeof(buf), "%s GB/s from one thread (%s kernel); the peak is "
			 "%.1fx that", report_num(report_summary(one, "median"), n2, sizeof(n2)),
			 lstr(one, "kernel"), s);
		line(ctx, "Single-thread bandwidth", buf);
		if (s < 1.3) {
			snprintf(buf, sizeof(buf), "one thread already reaches %.0f%% of the peak "
				 "bandwidth: more threads will not speed up memory-bound work here",
				 100 / s);
			line(ctx, "Observation", buf);
		}
	}
}

/* NUMA matrices: any measurement labelled cpu_node/mem_node. */
static void numa(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m;
	size_t i;
	double loc[2] = { 0 }, rem[2] = { 0 };
	size_t nl[2] = { 0 }, nr[2] = { 0 };
	char buf[512], n1[32], n2[32];

	FOREACH_M(f, i, m) {
		double cn = lnum(m, "cpu_node"), mn = lnum(m, "mem_node");
		int k;

		if (!isfinite(cn) || !isfinite(mn) || !isfinite(report_summary(m, "median")))
			continue;
		if (!strcmp(mstr(m, "unit"), "ns"))
			k = 0;
		else if (strstr(mstr(m, "unit"), "B/s"))
			k = 1;
		else
			continue;
		if (cn == mn) {
			loc[k] += report_summary(m, "median");
			nl[k]++;
		} else {
			rem[k] += report_summary(m, "median");
			nr[k]++;
		}
	}
	for (int k = 0; k < 2; k++) {
		double l, r;

		if (!nl[k] || !nr[k])
			continue;
		l = loc[k] / (double)nl[k];
		r = rem[k] / (double)nr[k];
		snprintf(buf, sizeof(buf), "%s / %s %s (mean of %zu local and %zu remote pairs)",
			 report_num(l, n1, sizeof(n1)), report_num(r, n2, sizeof(n2)),
			 k ? "GB/s" : "ns", nl[k], nr[k]);
		line(ctx, k ? "Local / remote bandwidth" : "Local / remote latency", buf);
		if (k == 0 && l > 0 && r / l >= 1.1) {
			snprintf(buf, sizeof(buf), "remote memory is %.1fx slower than local: bind "
				 "memory-heavy services to their node (numactl --cpunodebind=N "
				 "--membind=N)", r / l);
			line(ctx, "Observation", buf);
		}
		if (k == 1 && r > 0 && l / r >= 1.1) {
			snprintf(buf, sizeof(buf), "remote bandwidth is %.0f%% of local: keep "
				 "bandwidth-bound threads next to their memory", 100 * r / l);
			line(ctx, "Observation", buf);
		}
	}
}

/* The median of the first measurement of bench/metric whose labels contain every
 * key=value pair given (NULL-terminated list of pairs). */
static double find(const struct report_file *f, const char *bench, const char *metric,
		   const char *const *kv)
{
	json_t *m;
	size_t i;

	FOREACH_M(f, i, m) {
		bool okay = is(m, bench, metric);

		for (size_t k = 0; okay && kv[k]; k += 2) {
			char *t = report_json_text(json_object_get(json_object_get(m, "labels"), kv[k]));

			okay = t && !strcmp(t, kv[k + 1]);
			free(t);
		}
		if (okay)
			return report_summary(m, "median");
	}
	return NAN;
}

static void lessons(const struct report_file *f, line_fn line, void *ctx)
{
	char buf[512];
	double a, b;
	json_t *m;
	size_t i;
	double nmax = 0;

	a = find(f, "branch", "time_per_element",
		 (const char *const[]){ "data", "random", "variant", "branchy", NULL });
	b = find(f, "branch", "time_per_element",
		 (const char *const[]){ "data", "random", "variant", "branchless", NULL });
	if (a > 0 && b > 0 && a / b >= 1.2) {
		snprintf(buf, sizeof(buf), "unpredictable branches make the loop %.1fx slower than "
			 "branchless code: sort data or remove branches in hot loops over random data",
			 a / b);
		line(ctx, "Observation", buf);
	}
	a = find(f, "falseshare", "ops_per_sec",
		 (const char *const[]){ "layout", "padded", "scope", "aggregate", NULL });
	b = find(f, "falseshare", "ops_per_sec",
		 (const char *const[]){ "layout", "packed", "scope", "aggregate", NULL });
	if (a > 0 && b > 0 && a / b >= 1.2) {
		snprintf(buf, sizeof(buf), "padding per-thread counters to their own cache line "
			 "gives %.1fx the throughput of packed counters (false sharing)", a / b);
		line(ctx, "Observation", buf);
	}
	FOREACH_M(f, i, m)
		if (is(m, "rowcol", "time_per_element") && lnum(m, "n") > nmax)
			nmax = lnum(m, "n");
	if (nmax > 0) {
		char nb[32];

		snprintf(nb, sizeof(nb), "%.0f", nmax);
		a = find(f, "rowcol", "time_per_element",
			 (const char *const[]){ "order", "col", "n", nb, NULL });
		b = find(f, "rowcol", "time_per_element",
			 (const char *const[]){ "order", "row", "n", nb, NULL });
		if (a > 0 && b > 0 && a / b >= 1.2) {
			snprintf(buf, sizeof(buf), "column-order traversal is %.1fx slower than row "
				 "order at N=%s: walk arrays in memory order, or tile", a / b, nb);
			line(ctx, "Observation", buf);
		}
	}
}

void report_capacity(const struct report_file *f, line_fn line, void *ctx)
{
	memory(f, line, ctx);
	caches(f, line, ctx);
	dram(f, line, ctx);
	tlb(f, line, ctx);
	numa(f, line, ctx);
	bandwidth(f, line, ctx);
	lessons(f, line, ctx);
}
