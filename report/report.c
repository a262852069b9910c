/* SPDX-License-Identifier: MIT */
/*
 * report.c — loading result files into the report model.
 *
 * Every file given is validated and merged; measurements, skips and warnings are
 * grouped per benchmark, and each benchmark takes what it is and how it is shown (its
 * description, headline metric and figures) from the result file's "benches" object,
 * which the bench's own descriptor wrote (bench/bench.h).  A file from before that
 * object existed gets the description this locus knows (report_fill_descriptions(),
 * called by the CLI with the bench registry), else generic words: report/ holds no
 * table of bench names.  Figures are built in figures.c.
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
	json_t *first = NULL, *known;
	bool seen = false;
	/* Asked once per label and table row: cached per bench, else every table of a
	 * report is quadratic in its measurements. */
	json_t **cache = &((struct report_bench *)b)->label_constant;

	if (!*cache)
		*cache = json_object();
	known = json_object_get(*cache, key);
	if (known)
		return json_is_true(known);
	for (size_t i = 0; i < b->n; i++) {
		json_t *v = json_object_get(json_object_get(b->meas[i], "labels"), key);

		if (!seen) {
			first = v;
			seen = true;
		} else if (!v != !first || (v && !json_equal(v, first))) {
			json_object_set_new(*cache, key, json_false());
			return false;
		}
	}
	json_object_set_new(*cache, key, json_true());
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
		t = report_label_words(k, v);
		fprintf(o, "%s%s", first ? "" : ", ", t ? t : "?");
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
		t = report_label_words(k, v);
		fprintf(o, "%s%s", first ? "" : ", ", t ? t : "?");
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
	static const char *const keys[] = { "explain", "description", "summary", NULL };

	for (size_t i = 0; keys[i]; i++) {
		const char *t = json_string_value(json_object_get(b->desc, keys[i]));

		if (t && *t)
			return t;
	}
	return "This result file does not say what the benchmark is (it predates "
	       "descriptions in result files, and this locus does not know the benchmark). "
	       "Its measurements are shown as recorded: medians with their confidence "
	       "intervals, one series per combination of parameters.";
}

void report_fill_descriptions(struct report *r, json_t *(*describe)(const char *name))
{
	for (size_t i = 0; i < r->nbenches; i++) {
		struct report_bench *b = &r->benches[i];

		if (b->desc || !describe)
			continue;
		b->own_desc = describe(b->name);
		b->desc = b->own_desc;
	}
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
	line_json(line, ctx, "Architecture", env_get(env, "cpu.arch"));
	/* An Arm CPU is named from its MIDR fields (lib/arm-cores.c): show the numbers and
	 * where they were read, so an unknown or emulated part can be told apart. */
	if (json_is_integer(env_get(env, "cpu.implementer")) && json_is_integer(env_get(env, "cpu.part"))) {
		const char *v = json_string_value(env_get(env, "cpu.vendor"));
		const char *from = json_string_value(env_get(env, "cpu.identity"));

		snprintf(buf, sizeof(buf), "%s%sMIDR implementer 0x%02llx, part 0x%03llx, variant %lld, revision %lld%s%s",
			 v ? v : "", v ? ": " : "",
			 (unsigned long long)json_integer_value(env_get(env, "cpu.implementer")),
			 (unsigned long long)json_integer_value(env_get(env, "cpu.part")),
			 (long long)json_integer_value(env_get(env, "cpu.variant")),
			 (long long)json_integer_value(env_get(env, "cpu.revision")),
			 from ? "; read from " : "", from ? from : "");
		line(ctx, "CPU identity", buf);
	}
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
						report_bytes(mem, b1, sizeof(b1)));
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
					report_bytes((double)json_integer_value(json_object_get(c, "size_bytes")),
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
	compare_fmt_pair_change(buf, len, p);
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
		/* What each bench is and how to show it: the first file that says so. */
		{
			const char *bn;
			json_t *d;

			json_object_foreach(json_object_get(f->res, "benches"), bn, d) {
				struct report_bench *b = bench_get(r, bn);

				if (!b)
					return -ENOMEM;
				if (!b->desc)
					b->desc = d;
			}
		}
		json_array_foreach(json_object_get(f->res, "skipped"), k, s) {
			const char *bn = json_string_value(json_object_get(s, "bench"));
			struct report_bench *b = bench_get(r, bn ? bn : "(unknown)");

			if (!b || ptrv_push(&b->skips, &b->nskips, s) < 0)
				return -ENOMEM;
		}
		json_array_foreach(json_object_get(f->res, "warnings"), k, w) {
			const char *wb, *t = result_warning(w, &wb);
			struct report_bench *to = NULL;
			char buf[2048];

			if (!t)
				continue;
			/* {bench, message}; older files prefix the message with the bench's
			 * name ("tlb: ...") instead. */
			for (size_t j = 0; j < r->nbenches; j++) {
				size_t l = strlen(r->benches[j].name);

				if (wb ? strcmp(wb, r->benches[j].name) == 0 :
					 strncmp(t, r->benches[j].name, l) == 0 && t[l] == ':')
					to = &r->benches[j];
			}
			snprintf(buf, sizeof(buf), "%s%s%s%s%s", n > 1 ? f->name : "", n > 1 ? ": " : "",
				 wb ? wb : "", wb ? ": " : "", t);
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
	report_history_free(r);
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
		for (size_t k = 0; k < b->nfig_notes; k++)
			free(b->fig_notes[k]);
		free(b->fig_notes);
		json_decref(b->own_desc);
		json_decref(b->label_constant);
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

bool report_meas_repeats(const struct report_bench *b, const json_t *m)
{
	const char *mm = mstr(m, "metric");

	for (size_t k = 0; k < b->n; k++) {
		const json_t *o = b->meas[k];
		const char *om = mstr(o, "metric");
		size_t l = strlen(om);
		bool same = true;

		if (o == m || strncmp(mm, om, l) || mm[l] != '_' ||
		    !json_equal(json_object_get(m, "labels"), json_object_get(o, "labels")))
			continue;
		for (const char *const *key = (const char *const[]){ "median", "ci_low", "ci_high",
								      "peak", NULL }; *key; key++) {
			double x = report_summary(m, *key), y = report_summary(o, *key);

			same &= (isnan(x) && isnan(y)) || fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
		}
		if (same)
			return true;
	}
	return false;
}

const char *report_row_unit(const struct report *r, const struct report_row *row, double *div,
			    char *buf, size_t len)
{
	double max = 0;

	for (size_t k = 0; k < r->nfiles; k++)
		if (isfinite(row->median[k]))
			max = fmax(max, fabs(row->median[k]));
	return report_scale_unit(row->unit, max, div, buf, len);
}

void report_rows_free(struct report_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].params);
		free(rows[i].median);
	}
	free(rows);
}

const char *report_ab_profile(const struct report *r)
{
	if (!r->ab || r->nfiles < 2)
		return NULL;
	return json_string_value(json_object_get(json_object_get(r->files[1].res, "ab"),
						 "profile"));
}
