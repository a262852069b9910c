/*
 * report.c — loading result files into the report model, and the figures.
 *
 * What each benchmark's figure shows is data, not code: the `views` table below says,
 * per benchmark, which metric is plotted, against which label (x for lines, the
 * category for bars), which measurements are kept, and the words around it (title,
 * axis labels, caption, the two-sentence explanation).  Every label that varies among
 * the plotted measurements and is not the x label becomes part of the series name, so
 * page sizes, kernels, placements or result files (label "source") each get their own
 * line or bar without a special case.  A benchmark missing from the table gets a
 * generic figure; any measurement labelled cpu_node and mem_node (NUMA matrices) gets
 * an annotated heatmap.
 */
#include "config.h"
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "env.h"
#include "log.h"
#include "report.h"
#include "result.h"
#include "stats.h"

static const struct report_view views[] = {
	{
		.bench = "latency", .metric = "latency", .kind = PLOT_LINES,
		.x = "footprint_bytes", .xbytes = true, .logy = true, .cache_markers = true,
		.knee_metric = "cache_size", .knee_label = "level",
		.title = "Memory latency staircase",
		.xlabel = "footprint (working set, bytes, log scale)",
		.ylabel = "latency per dependent load",
		.caption = "Median latency of a dependent random walk against its footprint, with "
			   "95% CI; grey lines are the cache sizes the topology reports, red lines "
			   "the knees found in the curve. Look for one plateau per cache level and "
			   "the jump to DRAM after the last-level cache.",
		.explain = "A chain of dependent loads over a random cyclic permutation measures "
			   "the true latency of each level of the memory hierarchy, because no "
			   "load can start before the previous one finished. As the footprint "
			   "outgrows each cache the latency steps up, and the steps reveal the "
			   "effective cache sizes and DRAM latency.",
	},
	{
		.bench = "tlb", .metric = "latency", .kind = PLOT_LINES,
		.x = "footprint_bytes", .xbytes = true, .logy = true,
		.knee_metric = "tlb_reach", .knee_label = "page_size",
		.title = "TLB reach per page size",
		.xlabel = "footprint (bytes, log scale)",
		.ylabel = "latency per dependent load",
		.caption = "Latency against footprint, one curve per page size and chain; red "
			   "lines mark the detected TLB reach. Larger pages push the knee to the "
			   "right: the same number of TLB entries covers more memory.",
		.explain = "The same random walks run over memory backed by 4 KiB pages, "
			   "transparent huge pages and hugetlb pages, once touching one line per "
			   "page and once every line of each page. Where the page-stride chain "
			   "slows down while the all-lines chain does not, the TLB has run out of "
			   "entries: that footprint is the TLB reach for the page size.",
	},
	{
		.bench = "rowcol", .metric = "time_per_element", .kind = PLOT_LINES,
		.x = "n",
		.title = "Row-major vs column-major traversal",
		.xlabel = "matrix side N (elements)",
		.ylabel = "time per element",
		.caption = "Median time per element for each traversal order against the matrix "
			   "side, with 95% CI. Column order falls behind once a column of cache "
			   "lines no longer fits in the cache; tiling recovers row-order speed.",
		.explain = "The same N x N matrix is summed in row order (sequential addresses), "
			   "column order (a stride of one row per access) and in tiles. The gap "
			   "between the curves is the cost of using one element per cache line "
			   "fetched instead of all of them.",
	},
	{
		.bench = "branch", .metric = "time_per_element", .kind = PLOT_BARS,
		.x = "data", .bar_note = "mispredict_rate",
		.title = "Branch prediction: data pattern x code variant",
		.xlabel = "input data",
		.ylabel = "time per element",
		.caption = "Median time per element for branchy and branchless code on sorted, "
			   "random and periodic data, with 95% CI (and the branch mispredict rate "
			   "above each bar when counters were available). Only the branchy code on "
			   "unpredictable (random) data should stand out.",
		.explain = "A loop sums the elements above a threshold, once with a real "
			   "conditional branch and once without one. On random data the branch "
			   "predictor guesses wrong half of the time and the branchy loop pays a "
			   "pipeline flush for each miss, while the branchless loop does not care "
			   "about the data.",
	},
	{
		.bench = "falseshare", .metric = "ops_per_sec", .kind = PLOT_BARS,
		.x = "layout", .filter = "scope=aggregate",
		.title = "False sharing: counter layout x thread placement",
		.xlabel = "counter layout",
		.ylabel = "increments per second, all threads",
		.caption = "Aggregate throughput of threads incrementing their own counters, per "
			   "memory layout and placement, with 95% CI. Packed counters share a "
			   "cache line and lose to padded ones; the shared layout is the "
			   "true-sharing reference.",
		.explain = "Each thread increments its own counter; packed counters sit in one "
			   "cache line, padded ones in separate lines. When the line is shared the "
			   "cores pass it back and forth on every write, so throughput collapses "
			   "even though no data is actually shared.",
	},
	{
		.bench = "bandwidth", .metric = "bandwidth", .kind = PLOT_LINES,
		.x = "threads",
		.title = "Memory bandwidth vs threads (STREAM kernels)",
		.xlabel = "threads",
		.ylabel = "bandwidth",
		.caption = "Median sustained bandwidth per kernel and store type against the "
			   "number of threads, with 95% CI; bytes are counted without the "
			   "write-allocate traffic. Look for where adding threads stops helping: "
			   "that is the memory system's limit, not the cores'.",
		.explain = "STREAM-style kernels (read, write, copy, scale, add, triad) sweep "
			   "arrays much larger than the last-level cache with pinned threads that "
			   "first-touch their own part. Bandwidth grows with threads until the "
			   "memory controllers saturate; non-temporal stores avoid the "
			   "read-for-ownership traffic of regular stores.",
	},
};
#define NR_VIEWS (sizeof(views) / sizeof(views[0]))

static const struct report_view generic_view = {
	.bench = NULL, .kind = PLOT_LINES,
	.caption = "Median with 95% CI for each measurement of this benchmark.",
	.explain = "This benchmark has no dedicated description in this version of locus. "
		   "Its measurements are shown as recorded: medians with their confidence "
		   "intervals, one series per combination of parameters.",
};

/* Labels tried, in order, as the x axis of a benchmark without a view. */
static const char *const generic_x[] = {
	"footprint_bytes", "size_bytes", "size", "bytes", "n", "threads", "stride_bytes", NULL
};

/* ------------------------------------------------------------ small helpers */

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int ptrv_push(json_t ***v, size_t *n, json_t *p)
{
	json_t **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = p;
	return 0;
}

char *report_json_text(const json_t *v)
{
	if (!v)
		return strdup("");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

char *report_num(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (v != 0 && (fabs(v) >= 1e7 || fabs(v) < 1e-3))
		snprintf(buf, len, "%.4g", v);
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}

double report_summary(const json_t *m, const char *key)
{
	json_t *v = json_object_get(json_object_get(m, "summary"), key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *mstr(const json_t *m, const char *key)
{
	const char *s = json_string_value(json_object_get(m, key));

	return s ? s : "";
}

/* Does label key have the same value in every measurement of b?  A label missing from
 * some measurements varies. */
static bool label_constant(const struct report_bench *b, const char *key)
{
	json_t *first = NULL;
	bool seen = false;

	for (size_t i = 0; i < b->n; i++) {
		json_t *v = json_object_get(json_object_get(b->meas[i], "labels"), key);

		if (!seen) {
			first = v;
			seen = true;
		} else if (!v != !first || (v && !json_equal(v, first))) {
			return false;
		}
	}
	return true;
}

char *report_labels_text(const struct report_bench *b, const json_t *m, const char *skip_key)
{
	json_t *labels = json_object_get(m, "labels"), *v;
	const char *k;
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	bool first = true;

	if (!o)
		return NULL;
	json_object_foreach(labels, k, v) {
		char *t;

		if (skip_key && strcmp(k, skip_key) == 0)
			continue;
		if (b && b->n > 1 && label_constant(b, k))
			continue;
		t = report_json_text(v);
		fprintf(o, "%s%s=%s", first ? "" : ", ", k, t ? t : "?");
		free(t);
		first = false;
	}
	fclose(o);
	return buf;
}

char *report_common_labels(const struct report_bench *b)
{
	json_t *v;
	const char *k;
	char *buf = NULL;
	size_t len = 0;
	FILE *o;
	bool first = true;

	if (b->n < 2)
		return strdup("");
	o = open_memstream(&buf, &len);
	if (!o)
		return NULL;
	json_object_foreach(json_object_get(b->meas[0], "labels"), k, v) {
		char *t;

		if (!label_constant(b, k))
			continue;
		t = report_json_text(v);
		fprintf(o, "%s%s=%s", first ? "" : ", ", k, t ? t : "?");
		free(t);
		first = false;
	}
	fclose(o);
	return buf;
}

char *report_counters_text(const json_t *m)
{
	json_t *c = json_object_get(m, "counters"), *v;
	const char *k, *per = json_string_value(json_object_get(m, "counters_per"));
	char *buf = NULL, num[32];
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	bool any = false;

	if (!o)
		return NULL;
	json_object_foreach(c, k, v) {
		if (!json_is_number(v))
			continue;
		fprintf(o, "%s%s=%s", any ? ", " : "", k,
			report_num(json_number_value(v), num, sizeof(num)));
		any = true;
	}
	if (any && per)
		fprintf(o, " per %s", per);
	fclose(o);
	return buf;
}

const char *report_explain(const struct report_bench *b)
{
	return b->view && b->view->explain ? b->view->explain : generic_view.explain;
}

/* ------------------------------------------------------------ machine summary */

static void line_json(void (*line)(void *, const char *, const char *), void *ctx,
		      const char *key, const json_t *v)
{
	char *t;

	if (!v || json_is_null(v))
		return;
	t = report_json_text(v);
	if (t)
		line(ctx, key, t);
	free(t);
}

void report_machine(const struct report_file *f,
		    void (*line)(void *ctx, const char *key, const char *value), void *ctx)
{
	json_t *env = json_object_get(f->res, "env"), *topo = json_object_get(f->res, "topology");
	json_t *caches = json_object_get(topo, "caches"), *c, *nodes;
	char buf[512], b1[32];
	size_t i;

	line(ctx, "File", f->path);
	line_json(line, ctx, "Created", json_object_get(f->res, "created"));
	line_json(line, ctx, "Host", env_get(env, "host"));
	line_json(line, ctx, "CPU", env_get(env, "cpu.model"));
	if (json_is_object(topo)) {
		snprintf(buf, sizeof(buf), "%lld packages, %lld cores, %lld hardware threads",
			 (long long)json_integer_value(json_object_get(topo, "packages")),
			 (long long)json_integer_value(json_object_get(topo, "cores")),
			 (long long)json_integer_value(json_object_get(topo, "pus")));
		line(ctx, "Topology", buf);
		nodes = json_object_get(topo, "numa_nodes");
		{
			FILE *o;
			char *t = NULL;
			size_t tl = 0;
			json_t *nd;

			o = open_memstream(&t, &tl);
			if (o) {
				fprintf(o, "%zu", json_array_size(nodes));
				json_array_foreach(nodes, i, nd) {
					double mem = (double)json_integer_value(json_object_get(nd, "memory_bytes"));

					fprintf(o, "%s node %lld: CPUs %s, %s", i ? ";" : ":",
						(long long)json_integer_value(json_object_get(nd, "os_index")),
						json_string_value(json_object_get(nd, "cpus")) ?: "-",
						plot_bytes(mem, b1, sizeof(b1)));
				}
				fclose(o);
				line(ctx, "NUMA nodes", t);
			}
			free(t);
		}
		/* One entry per level and type: the topology lists every instance. */
		{
			char seen[16][24];
			size_t nseen = 0, off = 0;

			buf[0] = '\0';
			json_array_foreach(caches, i, c) {
				char key[24];
				const char *ty = json_string_value(json_object_get(c, "type"));
				bool dup = false;

				snprintf(key, sizeof(key), "L%lld%s",
					 (long long)json_integer_value(json_object_get(c, "level")),
					 ty && !strcmp(ty, "data") ? "d" :
					 ty && !strcmp(ty, "instruction") ? "i" : "");
				for (size_t k = 0; k < nseen; k++)
					dup |= strcmp(seen[k], key) == 0;
				if (dup || nseen == 16)
					continue;
				snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
				off += (size_t)snprintf(buf + off, off < sizeof(buf) ? sizeof(buf) - off : 0,
					"%s%s %s", off ? ", " : "", key,
					plot_bytes((double)json_integer_value(json_object_get(c, "size_bytes")),
						   b1, sizeof(b1)));
				if (off >= sizeof(buf))
					break;
			}
			if (nseen)
				line(ctx, "Caches", buf);
		}
	}
	line_json(line, ctx, "Kernel", env_get(env, "kernel.release"));
	line_json(line, ctx, "Hypervisor", env_get(env, "cpu.hypervisor_vendor"));
	line_json(line, ctx, "SMT active", env_get(env, "cpu.smt_active"));
	line_json(line, ctx, "THP", env_get(env, "memory.thp_enabled"));
	line_json(line, ctx, "NUMA balancing", env_get(env, "memory.numa_balancing"));
	line_json(line, ctx, "Counters", env_get(env, "counters.backend"));
	{
		json_t *l = json_object_get(f->res, "locus");
		snprintf(buf, sizeof(buf), "%s (git %s)",
			 json_string_value(json_object_get(l, "version")) ?: "?",
			 json_string_value(json_object_get(l, "git")) ?: "?");
		line(ctx, "locus", buf);
	}
}

void report_fingerprint(const struct report_file *f,
			void (*line)(void *ctx, const char *key, const char *value), void *ctx)
{
	json_t *env = json_object_get(f->res, "env");

	for (size_t i = 0; env_critical_keys[i]; i++) {
		json_t *v = env_get(env, env_critical_keys[i]);
		char *t = v ? report_json_text(v) : strdup("(absent)");

		if (t)
			line(ctx, env_critical_keys[i], t);
		free(t);
	}
}

/* ------------------------------------------------------------ loading */

static struct report_bench *bench_get(struct report *r, const char *name)
{
	struct report_bench *nb;

	for (size_t i = 0; i < r->nbenches; i++)
		if (strcmp(r->benches[i].name, name) == 0)
			return &r->benches[i];
	nb = realloc(r->benches, (r->nbenches + 1) * sizeof(*nb));
	if (!nb)
		return NULL;
	r->benches = nb;
	nb = &nb[r->nbenches];
	memset(nb, 0, sizeof(*nb));
	nb->name = strdup(name);
	if (!nb->name)
		return NULL;
	for (size_t i = 0; i < NR_VIEWS; i++)
		if (strcmp(views[i].bench, name) == 0)
			nb->view = &views[i];
	r->nbenches++;
	return nb;
}

/* Notes for a measurement: counters that could not be read, checks that failed. */
static int measurement_notes(struct report_bench *b, const json_t *m)
{
	json_t *un = json_object_get(m, "counters_unavailable"), *v, *ver;
	const char *k;
	char buf[1024];
	int rc = 0;

	json_object_foreach(un, k, v) {
		const char *why = json_string_value(v);

		if (!why || strncmp(why, "derived from", 12) == 0)
			continue;
		snprintf(buf, sizeof(buf), "hardware counters unavailable: %s", why);
		rc |= strv_push(&b->notes, &b->nnotes, buf);
	}
	ver = json_object_get(m, "verified");
	json_object_foreach(ver, k, v) {
		size_t kl = strlen(k);

		if (json_is_false(v) && (strcmp(k, "ok") == 0 ||
					 (kl > 3 && strcmp(k + kl - 3, "_ok") == 0))) {
			char *lt = report_labels_text(NULL, m, NULL);

			snprintf(buf, sizeof(buf), "check failed: %s/%s {%s}: verified.%s is false",
				 mstr(m, "bench"), mstr(m, "metric"), lt ? lt : "", k);
			free(lt);
			rc |= strv_push(&b->notes, &b->nnotes, buf);
		}
	}
	return rc ? -ENOMEM : 0;
}

/* A hand-made or foreign file may carry samples without a summary: compute it here with
 * the same statistics as the benches (stats.h), so every number means the same. */
static int ensure_summary(json_t *m)
{
	json_t *samples = json_object_get(m, "samples"), *x;
	struct stats_summary st;
	double *v;
	size_t n = json_array_size(samples), i;
	int rc;

	if (json_is_number(json_object_get(json_object_get(m, "summary"), "median")) || n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	json_array_foreach(samples, i, x)
		v[i] = json_number_value(x);
	rc = stats_summarize(v, n, 0, 0, &st);
	free(v);
	if (rc == 0)
		json_object_set_new(m, "summary", stats_summary_json(&st));
	return rc == -ENOMEM ? rc : 0;
}

static int load_files(struct report *r, char *const *paths, size_t n,
		      const char *const *names);

int report_load(struct report *r, char *const *paths, size_t n)
{
	memset(r, 0, sizeof(*r));
	return load_files(r, paths, n, NULL);
}

/* A copy of a result without the "source" label, so keys match across the files. */
static json_t *strip_source(const json_t *res)
{
	json_t *c = json_deep_copy(res), *m;
	size_t i;

	json_array_foreach(json_object_get(c, "measurements"), i, m)
		json_object_del(json_object_get(m, "labels"), "source");
	return c;
}

int report_load_ab(struct report *r, const char *before, const char *after)
{
	static const char *const names[] = { "before", "after" };
	char *paths[] = { (char *)before, (char *)after };
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = load_files(r, paths, 2, names);
	if (rc < 0)
		return rc;
	r->cmp_base = strip_source(r->files[0].res);
	r->cmp_cur = strip_source(r->files[1].res);
	if (!r->cmp_base || !r->cmp_cur)
		return -ENOMEM;
	rc = compare_results(r->cmp_base, r->cmp_cur, &o, &r->cmp);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EINVAL;
	r->ab = true;
	return 0;
}

char *report_change(const struct compare_pair *p, char *buf, size_t len)
{
	if (p->median_base != 0 && isfinite(p->median_base) && isfinite(p->median_cur))
		snprintf(buf, len, "%+.1f%%", (p->median_cur - p->median_base) / p->median_base * 100);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *report_mark(const struct compare_pair *p)
{
	switch (p->verdict) {
	case VERDICT_REGRESSED: return "worse";
	case VERDICT_IMPROVED: return "better";
	case VERDICT_UNCHANGED: return "same";
	case VERDICT_INCONCLUSIVE: return "unsure";
	}
	return "?";
}

/* Three or more files are a fleet: which hosts differ (fleet.c). */
static int fleet_of(struct report *r)
{
	const json_t **res;
	const char **names;
	int rc;

	if (r->nfiles < 3 || r->ab)
		return 0;
	res = calloc(r->nfiles, sizeof(*res));
	names = calloc(r->nfiles, sizeof(*names));
	if (!res || !names) {
		free(res);
		free(names);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		res[i] = r->files[i].res;
		names[i] = r->files[i].name;
	}
	rc = fleet_analyze(&r->fleet, res, names, r->nfiles, 0, -1);
	r->have_fleet = rc == 0;
	free(res);
	free(names);
	return rc;
}

static int load_files(struct report *r, char *const *paths, size_t n,
		      const char *const *names)
{
	r->files = calloc(n ? n : 1, sizeof(*r->files));
	if (!r->files)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct report_file *f = &r->files[i];
		char *tmp;

		f->res = result_load(paths[i]);
		if (!f->res)
			return -EINVAL;
		r->nfiles++;
		f->path = strdup(paths[i]);
		tmp = strdup(paths[i]);
		if (!f->path || !tmp) {
			free(tmp);
			return -ENOMEM;
		}
		f->name = strdup(names ? names[i] : basename(tmp));
		free(tmp);
		if (!f->name)
			return -ENOMEM;
	}
	/* Same base name twice (host1/run.json, host2/run.json): the paths tell them apart. */
	for (size_t i = 0; i < r->nfiles && !names; i++)
		for (size_t j = 0; j < r->nfiles; j++)
			if (i != j && !strcmp(r->files[i].name, r->files[j].name)) {
				for (size_t k = 0; k < r->nfiles; k++) {
					free(r->files[k].name);
					r->files[k].name = strdup(r->files[k].path);
					if (!r->files[k].name)
						return -ENOMEM;
				}
				i = r->nfiles;
				break;
			}
	for (size_t i = 0; i < r->nfiles; i++) {
		struct report_file *f = &r->files[i];
		json_t *m, *s, *w;
		size_t k;

		json_array_foreach(json_object_get(f->res, "measurements"), k, m) {
			struct report_bench *b = bench_get(r, mstr(m, "bench"));

			if (!b)
				return -ENOMEM;
			if (n > 1 && json_is_object(json_object_get(m, "labels")))
				json_object_set_new(json_object_get(m, "labels"), "source",
						    json_string(f->name));
			if (ensure_summary(m) < 0 || ptrv_push(&b->meas, &b->n, m) < 0 ||
			    measurement_notes(b, m) < 0)
				return -ENOMEM;
		}
		json_array_foreach(json_object_get(f->res, "skipped"), k, s) {
			const char *bn = json_string_value(json_object_get(s, "bench"));
			struct report_bench *b = bench_get(r, bn ? bn : "(unknown)");

			if (!b || ptrv_push(&b->skips, &b->nskips, s) < 0)
				return -ENOMEM;
		}
		json_array_foreach(json_object_get(f->res, "warnings"), k, w) {
			const char *t = json_string_value(w);
			struct report_bench *to = NULL;
			char buf[2048];

			if (!t)
				continue;
			/* Benches prefix their warnings with their name ("tlb: ..."). */
			for (size_t j = 0; j < r->nbenches; j++) {
				size_t l = strlen(r->benches[j].name);

				if (strncmp(t, r->benches[j].name, l) == 0 && t[l] == ':')
					to = &r->benches[j];
			}
			if (n > 1)
				snprintf(buf, sizeof(buf), "%s: %s", f->name, t);
			else
				snprintf(buf, sizeof(buf), "%s", t);
			if (to ? strv_push(&to->notes, &to->nnotes, buf) :
				 strv_push(&r->warnings, &r->nwarnings, buf))
				return -ENOMEM;
		}
	}
	return fleet_of(r);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		json_decref(r->files[i].res);
		free(r->files[i].path);
		free(r->files[i].name);
	}
	free(r->files);
	for (size_t i = 0; i < r->nbenches; i++) {
		struct report_bench *b = &r->benches[i];

		free(b->name);
		free(b->meas);
		free(b->skips);
		for (size_t k = 0; k < b->nnotes; k++)
			free(b->notes[k]);
		free(b->notes);
		for (size_t k = 0; k < b->nfigs; k++)
			plot_figure_free(b->figs[k].fig);
	}
	free(r->benches);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	if (r->ab)
		compare_result_free(&r->cmp);
	json_decref(r->cmp_base);
	json_decref(r->cmp_cur);
	if (r->have_fleet)
		fleet_free(&r->fleet);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ figures */

/* A measurement passes "key=value" when its label has that text. */
static bool passes(const json_t *m, const char *filter)
{
	char key[64];
	const char *eq;
	char *t;
	bool ok;

	if (!filter)
		return true;
	eq = strchr(filter, '=');
	snprintf(key, sizeof(key), "%.*s", (int)(eq - filter), filter);
	t = report_json_text(json_object_get(json_object_get(m, "labels"), key));
	ok = t && strcmp(t, eq + 1) == 0;
	free(t);
	return ok;
}

/* The measurements of b that the figure plots. */
static size_t select_meas(const struct report_bench *b, const char *metric, const char *filter,
			  json_t ***out)
{
	size_t n = 0;

	*out = calloc(b->n ? b->n : 1, sizeof(**out));
	if (!*out)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(mstr(b->meas[i], "metric"), metric) == 0 && passes(b->meas[i], filter) &&
		    isfinite(report_summary(b->meas[i], "median")))
			(*out)[n++] = b->meas[i];
	return n;
}

static bool varies(json_t **ms, size_t n, const char *key)
{
	json_t *first = json_object_get(json_object_get(ms[0], "labels"), key);

	for (size_t i = 1; i < n; i++) {
		json_t *v = json_object_get(json_object_get(ms[i], "labels"), key);

		if (!v != !first || (v && !json_equal(v, first)))
			return true;
	}
	return false;
}

/* Is label key a function of label x among ms (equal x, equal key)?  Such a label
 * (rowcol's footprint_bytes for a given n) describes the point, not the series. */
static bool determined_by(json_t **ms, size_t n, const char *key, const char *x)
{
	for (size_t i = 0; i < n; i++) {
		json_t *li = json_object_get(ms[i], "labels");
		json_t *xi = json_object_get(li, x), *ki = json_object_get(li, key);

		for (size_t j = i + 1; j < n; j++) {
			json_t *lj = json_object_get(ms[j], "labels");
			json_t *kj = json_object_get(lj, key);

			if (!json_equal(xi, json_object_get(lj, x)))
				continue;
			if (!ki != !kj || (ki && !json_equal(ki, kj)))
				return false;
		}
	}
	return true;
}

/* Series name: the labels that vary among ms, except x and what x determines (or, for
 * heatmaps, except both axes x and x2). */
static char *series_name(json_t **ms, size_t n, const json_t *m, const char *x,
			 const char *x2, const char *fallback)
{
	json_t *v;
	const char *k;
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	bool first = true;

	if (!o)
		return NULL;
	json_object_foreach(json_object_get(m, "labels"), k, v) {
		char *t;

		if ((x && !strcmp(k, x)) || (x2 && !strcmp(k, x2)) || !varies(ms, n, k))
			continue;
		if (x && !x2 && determined_by(ms, n, k, x))
			continue;
		t = report_json_text(v);
		fprintf(o, "%s%s=%s", first ? "" : " ", k, t ? t : "?");
		free(t);
		first = false;
	}
	if (first)
		fputs(fallback, o);
	fclose(o);
	/* One varying label: its value alone reads better ("branchy", not "variant=branchy"). */
	if (buf && !first && !strchr(buf, ' ') && strchr(buf, '='))
		memmove(buf, strchr(buf, '=') + 1, strlen(strchr(buf, '=') + 1) + 1);
	return buf;
}

static int series_index(struct plot_figure *f, const char *title)
{
	for (size_t i = 0; i < f->ns; i++)
		if (strcmp(f->s[i].title, title) == 0)
			return (int)i;
	return plot_series_add(f, title);
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct plot_point *)a)->x, y = ((const struct plot_point *)b)->x;

	return (x > y) - (x < y);
}

/* Values in k/M/G units when they are large: "ops/s" becomes "Gops/s". */
static void choose_scale(struct plot_figure *f, const char *unit, const char *ylabel)
{
	double max = 0;
	const char *pfx = "";
	char buf[512];

	for (size_t i = 0; i < f->ns; i++)
		for (size_t k = 0; k < f->s[i].n; k++)
			if (fabs(f->s[i].p[k].y) > max)
				max = fabs(f->s[i].p[k].y);
	for (size_t k = 0; k < f->ncells; k++)
		if (fabs(f->cells[k].z) > max)
			max = fabs(f->cells[k].z);
	if (strstr(unit, "bytes")) {
		max = 0;
	}
	if (max >= 1e10) {
		f->yscale = 1e9;
		pfx = "G";
	} else if (max >= 1e7) {
		f->yscale = 1e6;
		pfx = "M";
	} else if (max >= 1e4) {
		f->yscale = 1e3;
		pfx = "k";
	}
	snprintf(buf, sizeof(buf), "%s (%s%s)", ylabel, pfx, unit);
	free(f->ylabel);
	f->ylabel = strdup(buf);
}

static double label_num(const json_t *m, const char *key)
{
	json_t *v = json_object_get(json_object_get(m, "labels"), key);

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v)) {
		char *end;
		double d = strtod(json_string_value(v), &end);

		if (end != json_string_value(v) && *end == '\0')
			return d;
	}
	return NAN;
}

/* Cache sizes of the first file's topology, one per level (data/unified). */
static void add_cache_markers(struct plot_figure *f, const json_t *topo)
{
	json_t *c;
	size_t i;
	bool seen[8] = { false };

	json_array_foreach(json_object_get(topo, "caches"), i, c) {
		long long lvl = json_integer_value(json_object_get(c, "level"));
		const char *ty = json_string_value(json_object_get(c, "type"));
		char lab[64], b[32];

		if (lvl < 1 || lvl > 7 || seen[lvl] || (ty && !strcmp(ty, "instruction")))
			continue;
		seen[lvl] = true;
		snprintf(lab, sizeof(lab), "L%lld%s %s", lvl, lvl == 1 ? "d" : "",
			 plot_bytes((double)json_integer_value(json_object_get(c, "size_bytes")),
				    b, sizeof(b)));
		plot_marker_add(f, (double)json_integer_value(json_object_get(c, "size_bytes")),
				lab, false);
	}
}

static void add_knee_markers(struct plot_figure *f, const struct report_bench *b,
			     const struct report_view *v)
{
	for (size_t i = 0; i < b->n; i++) {
		const json_t *m = b->meas[i];
		double x = report_summary(m, "median");
		char lab[128], bb[32], *name;

		if (strcmp(mstr(m, "metric"), v->knee_metric) || !(x > 0))
			continue;
		name = report_json_text(json_object_get(json_object_get(m, "labels"), v->knee_label));
		snprintf(lab, sizeof(lab), "knee %s %s", name ? name : "", plot_bytes(x, bb, sizeof(bb)));
		free(name);
		plot_marker_add(f, x, lab, true);
	}
}

static const char *first_metric(const struct report_bench *b)
{
	return b->n ? mstr(b->meas[0], "metric") : "";
}

/* The main figure of b, or NULL when there is nothing to plot. */
static struct plot_figure *main_figure(struct report *r, struct report_bench *b)
{
	const struct report_view *v = b->view ? b->view : &generic_view;
	const char *metric = v->metric ? v->metric : first_metric(b);
	const char *x = v->x, *unit;
	enum plot_kind kind = v->kind;
	struct plot_figure *f;
	json_t **ms;
	size_t n = select_meas(b, metric, v->filter, &ms);
	char title[256], xl[256];
	bool logx = false;

	if (n == 0) {
		free(ms);
		return NULL;
	}
	unit = mstr(ms[0], "unit");
	if (!b->view) {
		/* Generic: the first numeric label that varies is x; else bars. */
		x = NULL;
		for (size_t i = 0; generic_x[i] && !x; i++)
			if (varies(ms, n, generic_x[i]) && isfinite(label_num(ms[0], generic_x[i])))
				x = generic_x[i];
		kind = x ? PLOT_LINES : PLOT_BARS;
		if (!x) {
			json_t *lv;
			const char *k;

			json_object_foreach(json_object_get(ms[0], "labels"), k, lv)
				if (!x && strcmp(k, "source") && varies(ms, n, k))
					x = k;
		}
		snprintf(title, sizeof(title), "%s: %s", b->name, metric);
		snprintf(xl, sizeof(xl), "%s", x ? x : "");
	}
	f = plot_figure_new(kind, b->name, b->view ? v->title : title,
			    b->view ? v->xlabel : xl, b->view ? v->ylabel : metric, v->caption);
	if (!f) {
		free(ms);
		return NULL;
	}
	if (kind == PLOT_LINES) {
		double lo = INFINITY, hi = 0;

		for (size_t i = 0; i < n; i++) {
			double xv = label_num(ms[i], x);

			if (isfinite(xv)) {
				lo = fmin(lo, xv);
				hi = fmax(hi, xv);
			}
		}
		logx = lo > 0 && hi / lo >= 16;
		f->logx = logx;
		f->logy = v->logy;
		f->xbytes = v->xbytes || (x && strstr(x, "bytes"));
	}
	for (size_t i = 0; i < n; i++) {
		char *sn = series_name(ms, n, ms[i], x, NULL, "median (95% CI)");
		int si = sn ? series_index(f, sn) : -ENOMEM;
		double y = report_summary(ms[i], "median");
		double lo = report_summary(ms[i], "ci_low"), hi = report_summary(ms[i], "ci_high");

		if (si >= 0) {
			if (kind == PLOT_LINES) {
				double xv = label_num(ms[i], x);

				if (isfinite(xv))
					plot_point_add(f, (size_t)si, xv, y, lo, hi);
			} else {
				char *cat = x ? report_json_text(json_object_get(
							json_object_get(ms[i], "labels"), x))
					      : strdup(metric);

				json_t *nv = v->bar_note ? json_object_get(json_object_get(ms[i],
						"counters"), v->bar_note) : NULL;

				if (cat && plot_bar_add(f, (size_t)si, cat, y, lo, hi) == 0 &&
				    json_is_number(nv)) {
					char note[64];

					if (strstr(v->bar_note, "rate"))
						snprintf(note, sizeof(note), "%.1f%%",
							 100 * json_number_value(nv));
					else
						snprintf(note, sizeof(note), "%.3g", json_number_value(nv));
					plot_bar_note(f, (size_t)si, cat, note);
				}
				free(cat);
			}
		}
		free(sn);
	}
	for (size_t i = 0; i < f->ns; i++)
		if (kind == PLOT_LINES)
			qsort(f->s[i].p, f->s[i].n, sizeof(*f->s[i].p), cmp_point);
	if (v->cache_markers && r->nfiles)
		add_cache_markers(f, json_object_get(r->files[0].res, "topology"));
	if (v->knee_metric)
		add_knee_markers(f, b, v);
	choose_scale(f, unit, f->ylabel);
	free(ms);
	if (plot_figure_size(f) == 0) {
		plot_figure_free(f);
		return NULL;
	}
	return f;
}

/* Label pairs that make a matrix: (row, column) and their axis names. */
static const struct {
	const char *row, *col, *row_name, *col_name;
} matrix_axes[] = {
	{ "cpu_node", "mem_node", "CPU node", "memory node" },
	{ "src_node", "dst_node", "source node", "destination node" },
	{ "cpu_a", "cpu_b", "CPU", "CPU" },
	{ "core_a", "core_b", "core", "core" },
};

/* Annotated heatmaps for every metric of b measured per (cpu_node, mem_node) or another
 * pair of matrix_axes (c2c: cpu_a x cpu_b). */
static void matrix_figures(struct report_bench *b)
{
	for (size_t i = 0; i < b->n && b->nfigs < 3; i++) {
		const char *metric = mstr(b->meas[i], "metric");
		json_t *l = json_object_get(b->meas[i], "labels"), **ms;
		struct plot_figure *f;
		char name[256], title[256], cap[512];
		size_t n, done = 0, ax;
		const char *rowk, *colk;

		for (ax = 0; ax < sizeof(matrix_axes) / sizeof(matrix_axes[0]); ax++)
			if (json_object_get(l, matrix_axes[ax].row) &&
			    json_object_get(l, matrix_axes[ax].col))
				break;
		if (ax == sizeof(matrix_axes) / sizeof(matrix_axes[0]))
			continue;
		rowk = matrix_axes[ax].row;
		colk = matrix_axes[ax].col;
		for (size_t k = 0; k < b->nfigs; k++)
			if (b->figs[k].fig->kind == PLOT_HEATMAP &&
			    strstr(b->figs[k].fig->title, metric))
				done = 1;
		if (done)
			continue;
		n = select_meas(b, metric, NULL, &ms);
		snprintf(name, sizeof(name), "%s-%s-matrix", b->name, metric);
		snprintf(title, sizeof(title), "%s: %s by %s and %s", b->name, metric,
			 matrix_axes[ax].row_name, matrix_axes[ax].col_name);
		snprintf(cap, sizeof(cap), "Median %s for each %s (rows) and %s (columns); the "
			 "diagonal is local. Look for how much worse the off-diagonal (remote) "
			 "cells are, and for groups of cells that are alike.", metric,
			 matrix_axes[ax].row_name, matrix_axes[ax].col_name);
		f = plot_figure_new(PLOT_HEATMAP, name, title, matrix_axes[ax].col_name, metric, cap);
		if (f) {
			f->rowlabel = strdup(matrix_axes[ax].row_name);
			if (!f->rowlabel) {
				plot_figure_free(f);
				f = NULL;
			}
		}
		for (size_t k = 0; f && k < n; k++) {
			json_t *lk = json_object_get(ms[k], "labels");
			char *c, *rw, *s0, *sk;
			bool same;

			/* Other labels varying (e.g. several sizes): keep the first combination. */
			s0 = series_name(ms, n, ms[0], rowk, colk, "");
			sk = series_name(ms, n, ms[k], rowk, colk, "");
			same = s0 && sk && !strcmp(s0, sk);
			free(s0);
			free(sk);
			if (!same)
				continue;
			c = report_json_text(json_object_get(lk, colk));
			rw = report_json_text(json_object_get(lk, rowk));
			if (c && rw)
				plot_cell_add(f, c, rw, report_summary(ms[k], "median"));
			free(c);
			free(rw);
		}
		if (f && n) {
			plot_heatmap_sort(f);
			choose_scale(f, mstr(ms[0], "unit"), metric);
			b->figs[b->nfigs++].fig = f;
		} else {
			plot_figure_free(f);
		}
		free(ms);
	}
}

int report_figures(struct report *r, const char *figdir, unsigned formats, bool plots)
{
	int rc = 0;

	for (size_t i = 0; i < r->nbenches; i++) {
		struct report_bench *b = &r->benches[i];
		struct plot_figure *f = main_figure(r, b);

		/* A benchmark without a view whose data is a matrix: the heatmap says it all. */
		matrix_figures(b);
		if (f && b->nfigs && !b->view) {
			plot_figure_free(f);
			f = NULL;
		}
		if (f) {
			memmove(&b->figs[1], &b->figs[0], b->nfigs * sizeof(b->figs[0]));
			b->figs[0].fig = f;
			b->figs[0].made = 0;
			b->nfigs++;
		}
	}
	formats |= PLOT_SVG;
	{
		size_t nf = 0;

		for (size_t i = 0; i < r->nbenches; i++)
			nf += r->benches[i].nfigs;
		if (nf == 0)
			return 0; /* nothing to draw: gnuplot is not needed */
	}
	if (!plots) {
		/* No gnuplot run, but the scripts and data are still worth having. */
		for (size_t i = 0; i < r->nbenches; i++)
			for (size_t k = 0; k < r->benches[i].nfigs; k++) {
				struct report_fig *rf = &r->benches[i].figs[k];
				int e = plot_render(rf->fig, figdir, formats, NULL, &rf->made);

				if (e < 0 && e != -ENOENT && rc == 0)
					rc = e;
			}
		return rc;
	}
	if (plot_probe(&r->caps) == 0) {
		for (unsigned fm = PLOT_SVG; fm <= PLOT_PDF; fm <<= 1) {
			const char *why = (formats & fm) ? plot_format_missing(&r->caps, fm) : NULL;

			if (why) {
				locus_error("report: %s figures cannot be produced: %s",
					    plot_format_name(fm), why);
				rc = -EIO;
			}
		}
	} else {
		rc = -ENOENT;
	}
	r->have_caps = true;
	for (size_t i = 0; i < r->nbenches; i++) {
		struct report_bench *b = &r->benches[i];

		for (size_t k = 0; k < b->nfigs; k++) {
			int e = plot_render(b->figs[k].fig, figdir, formats, &r->caps, &b->figs[k].made);

			if (e < 0 && e != -ENOENT && rc == 0)
				rc = e;
		}
	}
	return rc;
}

/* ------------------------------------------------------------ side by side */

static long file_of(const struct report *r, const json_t *m)
{
	const char *src = json_string_value(json_object_get(json_object_get(m, "labels"), "source"));

	for (size_t i = 0; i < r->nfiles; i++)
		if (src && !strcmp(src, r->files[i].name))
			return (long)i;
	return r->nfiles == 1 ? 0 : -1;
}

int report_side_by_side(const struct report *r, const struct report_bench *b,
			struct report_row **out, size_t *n)
{
	struct report_row *rows = NULL;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < b->n; i++) {
		const json_t *m = b->meas[i];
		char *params = report_labels_text(NULL, m, "source");
		const char *metric = mstr(m, "metric");
		long fi = file_of(r, m);
		size_t k;

		if (!params)
			goto nomem;
		for (k = 0; k < *n; k++)
			if (!strcmp(rows[k].metric, metric) && !strcmp(rows[k].params, params))
				break;
		if (k == *n) {
			struct report_row *nr = realloc(rows, (*n + 1) * sizeof(*nr));

			if (!nr) {
				free(params);
				goto nomem;
			}
			rows = nr;
			rows[k].metric = metric;
			rows[k].unit = mstr(m, "unit");
			rows[k].params = params;
			rows[k].median = malloc((r->nfiles ? r->nfiles : 1) * sizeof(double));
			if (!rows[k].median)
				goto nomem_row;
			for (size_t f = 0; f < r->nfiles; f++)
				rows[k].median[f] = NAN;
			(*n)++;
		} else {
			free(params);
		}
		if (fi >= 0)
			rows[k].median[fi] = report_summary(m, "median");
	}
	*out = rows;
	return 0;
nomem_row:
	free(rows[*n].params);
nomem:
	report_rows_free(rows, *n);
	*n = 0;
	return -ENOMEM;
}

void report_rows_free(struct report_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].params);
		free(rows[i].median);
	}
	free(rows);
}
