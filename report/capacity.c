/* SPDX-License-Identifier: MIT */
/*
 * capacity.c — the capacity summary at the top of every report.
 *
 * A reader planning where to put a service wants a handful of numbers they can trust:
 * memory per node, the latency of each cache level and of DRAM, TLB reach, peak and
 * typical bandwidth and how it scales, local against remote memory.  Each line names
 * the level the way people do (L1, L2, L3, DRAM) by placing the latency curve against
 * the cache sizes hwloc reported for the machine, and ends with where it comes from
 * (which bench, which points, which statistic), so a number can be checked.  What the
 * data cannot support is said, with the reason, instead of guessed: no DRAM latency
 * without a footprint of at least twice the last-level cache, an L3 that is no faster
 * than DRAM called out as such.  Only capacity facts are here; what each bench
 * demonstrates belongs to its section.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

typedef void (*line_fn)(void *ctx, const char *key, const char *value);

#define FOREACH_M(f, i, m) json_array_foreach(json_object_get((f)->res, "measurements"), i, m)

static const char *mstr(const json_t *m, const char *key)
{
	const char *s = json_string_value(json_object_get(m, key));

	return s ? s : "";
}

static const json_t *lab(const json_t *m, const char *key)
{
	return json_object_get(json_object_get(m, "labels"), key);
}

static const char *lstr(const json_t *m, const char *key)
{
	const char *s = json_string_value(lab(m, key));

	return s ? s : "";
}

static double lnum(const json_t *m, const char *key)
{
	const json_t *v = lab(m, key);

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v))
		return atof(json_string_value(v));
	return NAN;
}

static bool is(const json_t *m, const char *bench, const char *metric)
{
	return !strcmp(mstr(m, "bench"), bench) && !strcmp(mstr(m, "metric"), metric) &&
	       isfinite(report_summary(m, "median"));
}

/* The best sample by the metric's direction: summary.peak, else max/min. */
static double peak(const json_t *m)
{
	double p = report_summary(m, "peak");

	if (isfinite(p))
		return p;
	return json_is_true(json_object_get(m, "higher_is_better")) ? report_summary(m, "max")
								     : report_summary(m, "min");
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------ memory */

static void memory(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *nodes = json_object_get(json_object_get(f->res, "topology"), "numa_nodes"), *nd;
	json_t *tot = json_object_get(json_object_get(json_object_get(f->res, "env"), "memory"),
				      "total_bytes");
	char buf[1024], b1[32], b2[32], b3[32];
	size_t i, off = 0;
	double sum = 0;

	json_array_foreach(nodes, i, nd)
		sum += (double)json_integer_value(json_object_get(nd, "memory_bytes"));
	if (json_is_number(tot))
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s in all (MemTotal)",
					report_bytes(json_number_value(tot), b1, sizeof(b1)));
	if (json_array_size(nodes)) {
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%zu NUMA node%s:",
					off ? "; " : "", json_array_size(nodes),
					json_array_size(nodes) == 1 ? "" : "s");
		json_array_foreach(nodes, i, nd)
			if (off < sizeof(buf))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s node %lld %s",
					i ? "," : "",
					(long long)json_integer_value(json_object_get(nd, "os_index")),
					report_bytes((double)json_integer_value(json_object_get(nd, "memory_bytes")),
						     b2, sizeof(b2)));
	}
	if (!off)
		return;
	if (json_is_number(tot) && sum > 0 &&
	    fabs(json_number_value(tot) - sum) > 0.05 * json_number_value(tot) && off < sizeof(buf))
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, ". The nodes hold %s less than "
			"MemTotal: the kernel's per-node counts (node*/meminfo, which hwloc reads) "
			"do not include all of it here, as happens with memory a hypervisor adds "
			"or balloons after boot; MemTotal is what the system can use",
			report_bytes(json_number_value(tot) - sum, b3, sizeof(b3)));
	if (off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, " (%s%s)",
			 json_is_number(tot) ? "env: /proc/meminfo; " : "", "topology: hwloc");
	line(ctx, "Memory", buf);
}

/* ------------------------------------------------------------ cache levels, DRAM */

struct point {
	double x, y;
};

/* The latency curve of the latency bench: one chain, the page size with most points
 * (4K when tied). */
static size_t curve(const struct report_file *f, struct point *p, size_t max, const char **ps)
{
	json_t *m;
	size_t i, n = 0, best = 0;
	const char *sizes[8];
	size_t count[8] = { 0 }, ns = 0;

	*ps = NULL;
	FOREACH_M(f, i, m) {
		size_t k;

		if (!is(m, "latency", "latency") || lnum(m, "chains") > 1 ||
		    !isfinite(lnum(m, "footprint_bytes")))
			continue;
		for (k = 0; k < ns && strcmp(sizes[k], lstr(m, "page_size")); k++)
			;
		if (k == ns && ns < 8)
			sizes[ns++] = lstr(m, "page_size");
		if (k < 8)
			count[k]++;
	}
	for (size_t k = 0; k < ns; k++)
		if (count[k] > count[best] || (count[k] == count[best] && !strcmp(sizes[k], "4K")))
			best = k;
	if (!ns)
		return 0;
	*ps = sizes[best];
	FOREACH_M(f, i, m)
		if (is(m, "latency", "latency") && lnum(m, "chains") <= 1 && n < max &&
		    !strcmp(lstr(m, "page_size"), *ps) && isfinite(lnum(m, "footprint_bytes")))
			p[n++] = (struct point){ lnum(m, "footprint_bytes"), report_summary(m, "median") };
	return n;
}

/* Core cycles per ns, from the bench's own level_latency_cycles / level_latency. */
static double ghz(const struct report_file *f)
{
	json_t *m, *k;
	size_t i, j;

	FOREACH_M(f, i, m) {
		if (!is(m, "latency", "level_latency_cycles"))
			continue;
		FOREACH_M(f, j, k)
			if (is(k, "latency", "level_latency") &&
			    json_equal(json_object_get(m, "labels"), json_object_get(k, "labels")) &&
			    report_summary(k, "median") > 0)
				return report_summary(m, "median") / report_summary(k, "median");
	}
	return NAN;
}

/* Data/unified cache sizes per level from the topology (hwloc); 0 = none. */
static int cache_sizes(const struct report_file *f, double size[8])
{
	json_t *c;
	size_t i;
	int top = 0;

	memset(size, 0, 8 * sizeof(*size));
	json_array_foreach(json_object_get(json_object_get(f->res, "topology"), "caches"), i, c) {
		long long lvl = json_integer_value(json_object_get(c, "level"));
		const char *ty = json_string_value(json_object_get(c, "type"));

		if (lvl < 1 || lvl > 7 || size[lvl] || (ty && !strcmp(ty, "instruction")))
			continue;
		size[lvl] = (double)json_integer_value(json_object_get(c, "size_bytes"));
		if (lvl > top)
			top = (int)lvl;
	}
	return top;
}

static void lat_text(char *buf, size_t len, double ns, double g)
{
	char n1[32];

	if (isfinite(g))
		snprintf(buf, len, "%s, %.0f core cycles", report_value(ns, "ns", n1, sizeof(n1)),
			 ns * g);
	else
		snprintf(buf, len, "%s", report_value(ns, "ns", n1, sizeof(n1)));
}

static void levels(const struct report_file *f, line_fn line, void *ctx)
{
	struct point p[256];
	const char *ps;
	size_t n = curve(f, p, 256, &ps);
	double size[8], g = ghz(f), lat[8], v[256], dram = NAN, maxfp = 0;
	int top = cache_sizes(f, size);
	char buf[1024], key[16], lt[96], b1[32], b2[32], b3[32];

	if (!n || !top)
		return;
	for (size_t k = 0; k < n; k++)
		maxfp = fmax(maxfp, p[k].x);
	/* Each level: the points that fit in it but not in the level below, away from
	 * both edges where a level is part hit, part miss (2 x below .. size / 2); when
	 * the sweep has none there, anything between the two sizes. */
	for (int l = 1; l <= top; l++) {
		double lo = l > 1 ? size[l - 1] : 0, hi = size[l], a = NAN, b = NAN;
		size_t m = 0;

		lat[l] = NAN;
		if (!hi)
			continue;
		for (int pass = 0; pass < 2 && !m; pass++)
			for (size_t k = 0; k < n; k++) {
				bool in = pass == 0 ? p[k].x >= 2 * lo && p[k].x <= hi / 2
						    : p[k].x > lo && p[k].x <= hi;

				if (!in)
					continue;
				v[m++] = p[k].y;
				a = isfinite(a) ? fmin(a, p[k].x) : p[k].x;
				b = isfinite(b) ? fmax(b, p[k].x) : p[k].x;
			}
		snprintf(key, sizeof(key), "L%d", l);
		if (!m) {
			snprintf(buf, sizeof(buf), "not measured: no footprint between %s and %s "
				 "(%s per hwloc)", report_bytes(lo, b1, sizeof(b1)),
				 report_bytes(hi, b2, sizeof(b2)), report_bytes(hi, b3, sizeof(b3)));
			line(ctx, key, buf);
			continue;
		}
		lat[l] = median_of(v, m);
		lat_text(lt, sizeof(lt), lat[l], g);
		if (a == b)
			snprintf(buf, sizeof(buf), "%s (%s per hwloc; latency bench, %s pages, the "
				 "footprint %s)", lt, report_bytes(hi, b1, sizeof(b1)), ps,
				 report_bytes(a, b2, sizeof(b2)));
		else
			snprintf(buf, sizeof(buf), "%s (%s per hwloc; latency bench, %s pages, median "
				 "of the footprints %s to %s)", lt, report_bytes(hi, b1, sizeof(b1)), ps,
				 report_bytes(a, b2, sizeof(b2)), report_bytes(b, b3, sizeof(b3)));
		line(ctx, key, buf);
	}
	/* DRAM only where no cache can hold the footprint: >= 2x the last level. */
	{
		size_t m = 0;
		double a = NAN;

		for (size_t k = 0; k < n; k++)
			if (p[k].x >= 2 * size[top]) {
				v[m++] = p[k].y;
				a = isfinite(a) ? fmin(a, p[k].x) : p[k].x;
			}
		if (m) {
			dram = median_of(v, m);
			lat_text(lt, sizeof(lt), dram, g);
			snprintf(buf, sizeof(buf), "%s (latency bench, %s pages, median of the "
				 "footprints from %s, at least 2x the %s L%d)", lt, ps,
				 report_bytes(a, b1, sizeof(b1)), report_bytes(size[top], b2, sizeof(b2)),
				 top);
		} else {
			snprintf(buf, sizeof(buf), "not measured: the largest footprint, %s, is less "
				 "than twice the last-level cache (2 x %s), so every point may still "
				 "hit in L%d; run `locus bench latency` with --sizes reaching %s",
				 report_bytes(maxfp, b1, sizeof(b1)), report_bytes(size[top], b2, sizeof(b2)),
				 top, report_bytes(2 * size[top], b3, sizeof(b3)));
		}
		line(ctx, "DRAM", buf);
	}
	/* A level no faster than DRAM (or than the level above it) was not seen. */
	for (int l = 1; l <= top; l++) {
		double next = l < top ? lat[l + 1] : dram;

		if (isfinite(lat[l]) && isfinite(next) && lat[l] >= 0.8 * next) {
			snprintf(buf, sizeof(buf), "L%d measured no faster than %s (%s against %s): "
				 "this run saw no L%d plateau; on a VM the guest may get less of the "
				 "cache than hwloc reports", l, l < top ? "the next level" : "DRAM",
				 report_value(lat[l], "ns", b1, sizeof(b1)),
				 report_value(next, "ns", b2, sizeof(b2)), l);
			line(ctx, "Caution", buf);
		}
	}
}

/* ------------------------------------------------------------ TLB */

static void tlb(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m;
	size_t i, off = 0, nps = 0;
	char buf[1024], b[32];
	const char *done[8];

	buf[0] = '\0';
	FOREACH_M(f, i, m) {
		const char *ps = lstr(m, "page_size");
		bool seen = false;
		json_t *k;
		size_t j, nk = 0;

		if (!is(m, "tlb", "tlb_reach"))
			continue;
		for (size_t d = 0; d < nps; d++)
			seen |= !strcmp(done[d], ps);
		if (seen || nps == 8 || off >= sizeof(buf))
			continue;
		done[nps++] = ps;
		/* One entry per page size, its knees (one per TLB level found) in order. */
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s pages ",
					off ? "; " : "", ps);
		FOREACH_M(f, j, k)
			if (is(k, "tlb", "tlb_reach") && !strcmp(lstr(k, "page_size"), ps) &&
			    off < sizeof(buf))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
					nk++ ? " and " : "",
					report_bytes(report_summary(k, "median"), b, sizeof(b)));
		if (nk > 1 && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " (%zu knees)", nk);
	}
	if (off && off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, " (tlb bench: the footprint where the "
			 "one-line-per-page chain slows down)");
	if (off)
		line(ctx, "TLB reach", buf);
}

/* ------------------------------------------------------------ bandwidth */

static const char *stores_words(const char *s)
{
	return !strcmp(s, "nt") ? "non-temporal stores" :
	       !strcmp(s, "regular") ? "regular stores" : s;
}

static void bandwidth(const struct report_file *f, line_fn line, void *ctx)
{
	json_t *m, *best = NULL, *one = NULL, *many = NULL;
	size_t i;
	char buf[1024], n1[32], n2[32], n3[32], b1[32];

	/* The configuration with the best typical rate (a single lucky pass of a noisy
	 * configuration does not pick it), shown with its best pass beside. */
	FOREACH_M(f, i, m) {
		if (!is(m, "bandwidth", "bandwidth"))
			continue;
		if (!best || report_summary(m, "median") > report_summary(best, "median"))
			best = m;
		if (lnum(m, "threads") == 1 &&
		    (!one || report_summary(m, "median") > report_summary(one, "median")))
			one = m;
	}
	if (!best)
		return;
	/* Scaling: the same kernel and stores with the most threads. */
	FOREACH_M(f, i, m)
		if (one && is(m, "bandwidth", "bandwidth") &&
		    !strcmp(lstr(m, "kernel"), lstr(one, "kernel")) &&
		    !strcmp(lstr(m, "stores"), lstr(one, "stores")) &&
		    (!many || lnum(m, "threads") > lnum(many, "threads")))
			many = m;
	/* Store kind and array size only where the file says (an older file may not:
	 * never ", , - arrays"). */
	{
		char st[64] = "", ar[64] = "";

		if (*lstr(best, "stores"))
			snprintf(st, sizeof(st), ", %s", stores_words(lstr(best, "stores")));
		if (isfinite(lnum(best, "array_bytes")))
			snprintf(ar, sizeof(ar), ", %s arrays",
				 report_bytes(lnum(best, "array_bytes"), b1, sizeof(b1)));
		snprintf(buf, sizeof(buf), "%s best, %s typical (bandwidth bench, %s kernel, %.0f "
			 "thread%s%s%s; best = STREAM's best rate, the fastest pass; typical = "
			 "the median of %.0f passes)",
			 report_value(peak(best), "GB/s", n1, sizeof(n1)),
			 report_value(report_summary(best, "median"), "GB/s", n2, sizeof(n2)),
			 lstr(best, "kernel"), lnum(best, "threads"),
			 lnum(best, "threads") == 1 ? "" : "s", st, ar, report_summary(best, "n"));
	}
	line(ctx, "Peak bandwidth", buf);
	if (one) {
		snprintf(buf, sizeof(buf), "%s typical from one thread (%s kernel%s%s)",
			 report_value(report_summary(one, "median"), "GB/s", n1, sizeof(n1)),
			 lstr(one, "kernel"), *lstr(one, "stores") ? ", " : "",
			 stores_words(lstr(one, "stores")));
		if (many && lnum(many, "threads") > 1) {
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof(buf) - l, "; %.0f threads reach %.2fx that, %s "
				 "(bandwidth bench, medians)", lnum(many, "threads"),
				 report_summary(many, "median") / report_summary(one, "median"),
				 report_value(report_summary(many, "median"), "GB/s", n3, sizeof(n3)));
		}
		line(ctx, "Single thread", buf);
	}
}

/* ------------------------------------------------------------ NUMA */

/* Mean SLIT distance of remote pairs over the local distance, from the topology. */
static double slit_ratio(const struct report_file *f, size_t *nodes)
{
	json_t *nd, *d;
	size_t i, j;
	double loc = 0, rem = 0;
	size_t nl = 0, nr = 0;

	json_t *ns = json_object_get(json_object_get(f->res, "topology"), "numa_nodes");

	*nodes = json_array_size(ns);
	json_array_foreach(ns, i, nd)
		json_array_foreach(json_object_get(nd, "distances"), j, d) {
			if (!json_is_number(d))
				continue;
			if (i == j) {
				loc += json_number_value(d);
				nl++;
			} else {
				rem += json_number_value(d);
				nr++;
			}
		}
	return nl && nr && loc > 0 ? (rem / (double)nr) / (loc / (double)nl) : NAN;
}

static void numa(const struct report_file *f, line_fn line, void *ctx)
{
	/* Any matrix of CPU node x memory node in ns (latency) or GB/s (bandwidth), bound
	 * memory only, and not under injected traffic (a "delay" label: loaded latency). */
	static const struct {
		const char *unit, *key, *what;
		bool higher;
	} src[] = {
		{ "ns", "NUMA latency", "latency", false },
		{ "GB/s", "NUMA bandwidth", "bandwidth", true },
	};
	size_t nodes;
	double slit = slit_ratio(f, &nodes);
	char buf[1024], n1[32], n2[32], st[80];

	for (size_t s = 0; s < sizeof(src) / sizeof(src[0]); s++) {
		double loc = 0, rem = 0;
		size_t nl = 0, nr = 0, i;
		const char *unit = src[s].unit, *bench = "";
		json_t *m;

		FOREACH_M(f, i, m) {
			double cn = lnum(m, "cpu_node"), mn = lnum(m, "mem_node");

			if (!isfinite(cn) || !isfinite(mn) || strcmp(mstr(m, "unit"), unit) ||
			    !isfinite(report_summary(m, "median")) || lab(m, "delay"))
				continue;
			if (json_is_string(lab(m, "policy")) && strcmp(lstr(m, "policy"), "bind"))
				continue;
			bench = mstr(m, "bench");
			if (cn == mn) {
				loc += report_summary(m, "median");
				nl++;
			} else {
				rem += report_summary(m, "median");
				nr++;
			}
		}
		if (!nl)
			continue;
		if (!nr) {
			if (nodes < 2 && s == 0)
				line(ctx, "NUMA", "one node: no remote memory to compare (topology: "
				     "hwloc)");
			continue;
		}
		loc /= (double)nl;
		rem /= (double)nr;
		if (isfinite(slit))
			snprintf(st, sizeof(st), "; SLIT distance ratio %.2f", slit);
		else
			snprintf(st, sizeof(st), "; no SLIT distances in the topology");
		snprintf(buf, sizeof(buf), "local %s, remote %s: remote %s %.2fx the local %s%s "
			 "(%s bench, mean of %zu local and %zu remote node pairs%s)",
			 report_value(loc, unit, n1, sizeof(n1)), report_value(rem, unit, n2, sizeof(n2)),
			 src[s].higher ? "gives" : "takes", rem / loc, src[s].what, st, bench, nl, nr,
			 isfinite(slit) ? "; SLIT from hwloc" : "");
		line(ctx, src[s].key, buf);
	}
}

void report_capacity(const struct report_file *f, line_fn line, void *ctx)
{
	memory(f, line, ctx);
	levels(f, line, ctx);
	tlb(f, line, ctx);
	bandwidth(f, line, ctx);
	numa(f, line, ctx);
}
