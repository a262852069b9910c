/* SPDX-License-Identifier: MIT */
/*
 * result.c — build, write, load and validate locus-result/1 files.
 *
 * The result file is the contract between the halves of locus: benches write it, report
 * and compare read it, and users archive it for years.  So writing is deterministic
 * (insertion order, C locale, NaN/Inf as null) and loading validates every field that
 * readers rely on, naming the file and the field when something is wrong.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "log.h"
#include "output.h"
#include "result.h"
#include "stats.h"

json_t *json_num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *utc_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *result_new(json_t *env, json_t *topology)
{
	json_t *r = json_object();

	json_object_set_new(r, "schema", json_string(LOCUS_SCHEMA));
	json_object_set_new(r, "locus", json_pack("{s:s, s:s}", "version", PACKAGE_VERSION,
						  "git", LOCUS_GIT));
	json_object_set_new(r, "created", utc_now());
	json_object_set_new(r, "env", env ? env : json_null());
	json_object_set_new(r, "topology", topology ? topology : json_null());
	json_object_set_new(r, "measurements", json_array());
	json_object_set_new(r, "skipped", json_array());
	json_object_set_new(r, "warnings", json_array());
	return r;
}

json_t *result_measurement(const char *bench, const char *metric, const char *unit,
			   bool higher_is_better, json_t *labels, const double *samples,
			   size_t n)
{
	struct stats_summary s;
	json_t *m, *arr;

	if (!labels)
		labels = json_object();
	if (n == 0 || stats_summarize(samples, n, 0, 0, &s) < 0) {
		json_decref(labels);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_real(samples[i]));
	m = json_object();
	json_object_set_new(m, "bench", json_string(bench));
	json_object_set_new(m, "metric", json_string(metric));
	json_object_set_new(m, "unit", json_string(unit));
	json_object_set_new(m, "higher_is_better", json_boolean(higher_is_better));
	json_object_set_new(m, "labels", labels);
	json_object_set_new(m, "samples", arr);
	json_object_set_new(m, "summary", stats_summary_json(&s));
	/* The best sample by the metric's direction: STREAM's "best rate", multichase's
	 * "best latency" — the statistic peers publish, next to our median. */
	json_object_set_new(json_object_get(m, "summary"), "peak",
			    json_num(higher_is_better ? s.max : s.min));
	return m;
}

void result_quality_summary(json_t *m)
{
	json_t *d = json_object_get(m, "disturbed"), *sum = json_object_get(m, "summary");
	size_t n = json_array_size(json_object_get(m, "samples"));

	if (!json_is_object(sum))
		return;
	if (!json_is_array(d) || !n) {
		json_object_del(sum, "disturbed_fraction");
		return;
	}
	json_object_set_new(sum, "disturbed_fraction",
			    json_real((double)json_array_size(d) / (double)n));
}

void result_copy_quality(json_t *dst, const json_t *src, size_t off, size_t len)
{
	static const char *const par[] = { "sentinel", "steal_ms" };
	json_t *d = json_object_get(src, "disturbed"), *x;
	size_t i;

	for (size_t k = 0; k < 2; k++) {
		json_t *a = json_object_get(src, par[k]), *na;

		json_object_del(dst, par[k]);
		if (!json_is_array(a) || json_array_size(a) < off + len)
			continue;
		na = json_array();
		for (i = off; i < off + len; i++)
			json_array_append(na, json_array_get(a, i));
		json_object_set_new(dst, par[k], na);
	}
	json_object_del(dst, "disturbed");
	if (json_is_array(d)) {
		json_t *nd = json_array();

		json_array_foreach(d, i, x) {
			json_int_t k = json_integer_value(x);

			if (k >= (json_int_t)off && k < (json_int_t)(off + len))
				json_array_append_new(nd, json_integer(k - (json_int_t)off));
		}
		json_object_set_new(dst, "disturbed", nd);
	}
	result_quality_summary(dst);
}

void result_spread_quality(json_t *dst, const json_t *src, size_t per)
{
	static const char *const par[] = { "sentinel", "steal_ms" };
	json_t *d = json_object_get(src, "disturbed"), *x;
	size_t i, j;

	for (size_t k = 0; k < 2; k++) {
		json_t *a = json_object_get(src, par[k]), *na;

		json_object_del(dst, par[k]);
		if (!json_is_array(a))
			continue;
		na = json_array();
		json_array_foreach(a, i, x)
			for (j = 0; j < per; j++)
				json_array_append(na, x);
		json_object_set_new(dst, par[k], na);
	}
	json_object_del(dst, "disturbed");
	if (json_is_array(d)) {
		json_t *nd = json_array();

		json_array_foreach(d, i, x)
			for (j = 0; j < per; j++)
				json_array_append_new(nd, json_integer(json_integer_value(x) *
									(json_int_t)per + (json_int_t)j));
		json_object_set_new(dst, "disturbed", nd);
	}
	result_quality_summary(dst);
}

static json_t *section(json_t *result, const char *name)
{
	json_t *a = json_object_get(result, name);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(result, name, a);
	}
	return a;
}

int result_add(json_t *result, json_t *measurement)
{
	if (!measurement)
		return -EINVAL;
	return json_array_append_new(section(result, "measurements"), measurement) ? -ENOMEM : 0;
}

int result_skip(json_t *result, const char *bench, json_t *labels, const char *reason)
{
	json_t *s = json_pack("{s:s, s:o, s:s}", "bench", bench, "labels",
			      labels ? labels : json_object(), "reason", reason);

	return json_array_append_new(section(result, "skipped"), s) ? -ENOMEM : 0;
}

static int vwarn(json_t *result, const char *bench, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int vwarn(json_t *result, const char *bench, const char *fmt, va_list ap)
{
	char buf[1024];
	json_t *w;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	w = bench ? json_pack("{s:s, s:s}", "bench", bench, "message", buf)
		  : json_pack("{s:s}", "message", buf);
	return json_array_append_new(section(result, "warnings"), w) ? -ENOMEM : 0;
}

int result_warn(json_t *result, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vwarn(result, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int result_warn_bench(json_t *result, const char *bench, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vwarn(result, bench, fmt, ap);
	va_end(ap);
	return rc;
}

const char *result_warning(const json_t *w, const char **bench)
{
	json_t *b = json_object_get(w, "bench");

	if (bench)
		*bench = json_is_string(b) ? json_string_value(b) : NULL;
	if (json_is_string(w))
		return json_string_value(w);
	return json_string_value(json_object_get(w, "message"));
}

int result_write(const json_t *result, const char *path)
{
	FILE *f = output_open(path);
	bool dumped;

	if (!f)
		return -errno;
	/* JSON_REAL_PRECISION(17) round-trips doubles exactly; jansson formats numbers
	 * itself with '.' whatever the locale. */
	dumped = json_dumpf(result, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
			    JSON_REAL_PRECISION(17)) == 0 && fputc('\n', f) != EOF;
	if (output_close(f, path) < 0)
		return -EIO;
	if (!dumped) /* not the stream's fault: jansson refused the value */
		return locus_fail(EIO, "%s: cannot encode the result as JSON", path ? path : "stdout");
	return 0;
}

/* ---- loading and validation ---------------------------------------------------- */

static int bad(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const char *path, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return locus_fail(EINVAL, "%s: %s", path, buf);
}

/* The optional per-sample host fields (sentinel.h) and the summary's peak: NULL when
 * absent or well-formed, else "field: problem" (static). */
static const char *check_quality(const json_t *m)
{
	size_t n = json_array_size(json_object_get(m, "samples")), j;
	const json_t *v, *x, *sum = json_object_get(m, "summary");
	json_int_t last = -1;

	v = json_object_get(m, "sentinel");
	if (v) {
		if (!json_is_array(v) || json_array_size(v) != n)
			return "sentinel: must be an array parallel to samples (one value per sample)";
		json_array_foreach(v, j, x)
			if (!json_is_number(x) || json_number_value(x) < 0 || json_number_value(x) > 1)
				return "sentinel: values are probe speeds relative to the best, 0..1";
	}
	v = json_object_get(m, "steal_ms");
	if (v) {
		if (!json_is_array(v) || json_array_size(v) != n)
			return "steal_ms: must be an array parallel to samples (one value per sample)";
		json_array_foreach(v, j, x)
			if (!json_is_number(x) || json_number_value(x) < 0)
				return "steal_ms: values are stolen milliseconds, >= 0";
	}
	v = json_object_get(m, "disturbed");
	if (v) {
		if (!json_is_array(v))
			return "disturbed: must be an array of sample indices";
		json_array_foreach(v, j, x) {
			if (!json_is_integer(x) || json_integer_value(x) <= last ||
			    json_integer_value(x) >= (json_int_t)n)
				return "disturbed: sample indices must be increasing and below the number of samples";
			last = json_integer_value(x);
		}
	}
	if (json_is_object(sum)) {
		x = json_object_get(sum, "peak");
		if (x && !json_is_number(x) && !json_is_null(x))
			return "summary.peak: must be a number";
		x = json_object_get(sum, "disturbed_fraction");
		if (x && (!json_is_number(x) || json_number_value(x) < 0 || json_number_value(x) > 1))
			return "summary.disturbed_fraction: must be a share 0..1";
	}
	return NULL;
}

static int check_measurement(const char *path, size_t i, json_t *m)
{
	static const struct { const char *key; json_type type; } req[] = {
		{ "bench", JSON_STRING }, { "metric", JSON_STRING }, { "unit", JSON_STRING },
		{ "labels", JSON_OBJECT }, { "samples", JSON_ARRAY },
	};
	const char *key, *why;
	json_t *v, *x;
	size_t j;

	if (!json_is_object(m))
		return bad(path, "measurements[%zu] is not an object", i);
	for (j = 0; j < sizeof(req) / sizeof(req[0]); j++) {
		v = json_object_get(m, req[j].key);
		if (!v)
			return bad(path, "measurements[%zu]: missing field '%s'", i, req[j].key);
		if (json_typeof(v) != req[j].type)
			return bad(path, "measurements[%zu].%s has the wrong type", i, req[j].key);
	}
	if (!json_is_boolean(json_object_get(m, "higher_is_better")))
		return bad(path, "measurements[%zu]: missing or non-boolean field 'higher_is_better'", i);
	json_array_foreach(json_object_get(m, "samples"), j, x)
		if (!json_is_number(x))
			return bad(path, "measurements[%zu].samples[%zu] is not a number", i, j);
	json_object_foreach(json_object_get(m, "labels"), key, x) {
		if (!json_is_string(x) && !json_is_number(x) && !json_is_boolean(x))
			return bad(path, "measurements[%zu].labels.%s: values must be strings, numbers or booleans", i, key);
	}
	if ((why = check_quality(m)))
		return bad(path, "measurements[%zu].%s", i, why);
	v = json_object_get(m, "setting_labels");
	if (v && !json_is_array(v))
		return bad(path, "measurements[%zu].setting_labels must be an array of label names", i);
	json_array_foreach(v, j, x) {
		if (!json_is_string(x))
			return bad(path, "measurements[%zu].setting_labels[%zu] is not a string (label names are allowed)", i, j);
		if (!json_object_get(json_object_get(m, "labels"), json_string_value(x)))
			return bad(path, "measurements[%zu].setting_labels[%zu]: '%s' is not one of its labels", i, j,
				   json_string_value(x));
	}
	return 0;
}

/* The optional "benches" object: what each bench is and how a report shows it
 * (bench_describe() in bench/registry.c).  Readers rely on the types below; keys they
 * do not know (a newer locus) are allowed and ignored. */
static int check_benches(const char *path, json_t *bs)
{
	static const char *const str_keys[] = { "summary", "description", "explain", "headline",
						 NULL };
	static const char *const fig_str[] = {
		"metric", "x", "rows", "series", "panel", "filter", "knee_metric", "knee_label",
		"bar_note", "title", "xlabel", "ylabel", "caption", NULL
	};
	static const char *const kinds[] = { "lines", "bars", "matrix", "curve", NULL };
	const char *name, *k;
	json_t *d, *f, *v, *b;
	size_t i;

	if (!bs)
		return 0;
	if (!json_is_object(bs))
		return bad(path, "field 'benches' is not an object (bench name -> description)");
	json_object_foreach(bs, name, d) {
		if (!json_is_object(d))
			return bad(path, "benches.%s is not an object", name);
		for (i = 0; str_keys[i]; i++) {
			v = json_object_get(d, str_keys[i]);
			if (v && !json_is_string(v))
				return bad(path, "benches.%s.%s is not a string", name, str_keys[i]);
		}
		v = json_object_get(d, "metrics");
		if (v && !json_is_array(v))
			return bad(path, "benches.%s.metrics is not an array", name);
		v = json_object_get(d, "figures");
		if (v && !json_is_array(v))
			return bad(path, "benches.%s.figures is not an array", name);
		json_array_foreach(v, i, f) {
			const char *kind = json_string_value(json_object_get(f, "kind"));
			bool known = false;

			if (!json_is_object(f))
				return bad(path, "benches.%s.figures[%zu] is not an object", name, i);
			for (size_t j = 0; kind && kinds[j]; j++)
				known |= strcmp(kind, kinds[j]) == 0;
			if (!known)
				return bad(path, "benches.%s.figures[%zu].kind: '%s' is not one of "
					   "lines, bars, matrix, curve", name, i, kind ? kind : "(absent)");
			for (size_t j = 0; fig_str[j]; j++) {
				json_t *s = json_object_get(f, fig_str[j]);

				if (s && !json_is_string(s))
					return bad(path, "benches.%s.figures[%zu].%s is not a string",
						   name, i, fig_str[j]);
			}
			json_object_foreach(f, k, b)
				if ((!strcmp(k, "logy") || !strcmp(k, "cache_markers")) &&
				    !json_is_boolean(b))
					return bad(path, "benches.%s.figures[%zu].%s is not a boolean",
						   name, i, k);
			if (!json_is_string(json_object_get(f, "metric")))
				return bad(path, "benches.%s.figures[%zu]: missing field 'metric'",
					   name, i);
		}
	}
	return 0;
}

/* A string without control bytes, at most max bytes (it reaches reports and terminals). */
static bool plain_string(json_t *v, size_t max, bool may_be_empty)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) > max || (!*s && !may_be_empty))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/*
 * The "tune" object `locus tune ab` writes into A.json and B.json (docs/tune.md): which
 * side, the profile (name, file, description), the rounds, and every setting the
 * profile changed, {name, from, to[, by_kernel]}.  And the older "ab" object beside it.
 */
static int check_tune(const char *path, json_t *r)
{
	static const char *const keys[] = { "side", "applied", "profile", "file", "description",
					    "rounds", "settings", NULL };
	json_t *t = json_object_get(r, "tune"), *ab = json_object_get(r, "ab"), *v, *x;
	const char *key, *side;
	size_t i;

	if (ab && (!json_is_object(ab) || !plain_string(json_object_get(ab, "profile"), 255, false)))
		return bad(path, "field 'ab' is not an object with a 'profile' name");
	if (!t)
		return 0;
	if (!json_is_object(t))
		return bad(path, "field 'tune' is not an object");
	json_object_foreach(t, key, v) {
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			known |= strcmp(*k, key) == 0;
		if (!known)
			return bad(path, "tune: unknown field '%.40s'; allowed side, applied, profile, "
				   "file, description, rounds, settings", key);
	}
	side = json_string_value(json_object_get(t, "side"));
	if (!side || (strcmp(side, "A") && strcmp(side, "B")))
		return bad(path, "tune.side is not \"A\" or \"B\"");
	v = json_object_get(t, "applied");
	if (!json_is_boolean(v) || json_is_true(v) != (side[0] == 'B'))
		return bad(path, "tune.applied is not a boolean matching the side (B: true)");
	if (!plain_string(json_object_get(t, "profile"), 255, false))
		return bad(path, "tune.profile is not a profile name");
	if (!plain_string(json_object_get(t, "file"), 4095, false))
		return bad(path, "tune.file is not a file name");
	v = json_object_get(t, "description");
	if (v && !plain_string(v, 1023, true))
		return bad(path, "tune.description is not a line of text");
	v = json_object_get(t, "rounds");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000)
		return bad(path, "tune.rounds is not a round count (1..1000)");
	v = json_object_get(t, "settings");
	if (!json_is_array(v))
		return bad(path, "tune.settings is not an array");
	json_array_foreach(v, i, x) {
		json_t *bk = json_object_get(x, "by_kernel");
		if (!json_is_object(x) || !plain_string(json_object_get(x, "name"), 63, false) ||
		    !plain_string(json_object_get(x, "from"), 63, true) ||
		    !plain_string(json_object_get(x, "to"), 63, true) || (bk && !json_is_boolean(bk)) ||
		    json_object_size(x) != 3u + (bk != NULL))
			return bad(path, "tune.settings[%zu] is not {\"name\", \"from\", \"to\"[, "
				   "\"by_kernel\"]} with short strings", i);
	}
	return 0;
}

json_t *result_load(const char *path)
{
	json_error_t err;
	json_t *r, *v, *m, *x;
	size_t i;

	/* A FIFO or a device would block or never end: a result is a regular file. */
	{
		struct stat st;

		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			bad(path, "not a regular file (a result is a JSON file)");
			return NULL;
		}
	}
	r = json_load_file(path, 0, &err);
	if (!r) {
		if (err.line < 0) /* jansson: "unable to open PATH: strerror" */
			bad(path, "cannot read: %s", strrchr(err.text, ':') ? strrchr(err.text, ':') + 2 : err.text);
		else
			bad(path, "not valid JSON (line %d column %d: %s)", err.line, err.column, err.text);
		return NULL;
	}
	if (!json_is_object(r)) {
		bad(path, "not a locus result (top level is not an object)");
		goto fail;
	}
	v = json_object_get(r, "schema");
	if (!json_is_string(v)) {
		bad(path, "missing field 'schema' (expected \"%s\")", LOCUS_SCHEMA);
		goto fail;
	}
	if (strcmp(json_string_value(v), LOCUS_SCHEMA) != 0) {
		bad(path, "schema '%s' is not supported (expected \"%s\")", json_string_value(v),
		    LOCUS_SCHEMA);
		goto fail;
	}
	v = json_object_get(r, "measurements");
	if (!json_is_array(v)) {
		bad(path, "missing or non-array field 'measurements'");
		goto fail;
	}
	json_array_foreach(v, i, m)
		if (check_measurement(path, i, m) < 0)
			goto fail;
	/* several runs merged into one file (lib/runs.h) */
	x = json_object_get(r, "merged_runs");
	if (x && (!json_is_integer(x) || json_integer_value(x) < 1 ||
		  json_integer_value(x) > 100000)) {
		bad(path, "field 'merged_runs' is not a run count (1..100000)");
		goto fail;
	}
	json_array_foreach(v, i, m) {
		const char *why = result_check_run_sizes(m, x ? (size_t)json_integer_value(x) : 0);

		if (why) {
			bad(path, "measurements[%zu]: %s", i, why);
			goto fail;
		}
	}
	if (check_benches(path, json_object_get(r, "benches")) < 0)
		goto fail;
	if (check_tune(path, r) < 0)
		goto fail;
	for (const char *const *k = (const char *const[]){ "skipped", "warnings", NULL }; *k; k++) {
		v = json_object_get(r, *k);
		if (v && !json_is_array(v)) {
			bad(path, "field '%s' is not an array", *k);
			goto fail;
		}
	}
	/* A warning: a string (older files) or {bench (optional), message}. */
	json_array_foreach(json_object_get(r, "warnings"), i, m) {
		json_t *b = json_object_get(m, "bench");
		if (!result_warning(m, NULL) || (b && !json_is_string(b))) {
			bad(path, "warnings[%zu]: not a string nor {\"bench\": string, \"message\": string}", i);
			goto fail;
		}
	}
	return r;
fail:
	json_decref(r);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool result_is_setting_label(const json_t *m, const char *label)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(m, "setting_labels"), i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), label) == 0)
			return true;
	return false;
}

/* "bench/metric{k=v,...}", labels sorted by name, setting labels left out when asked. */
static char *key_of(const json_t *m, bool skip_settings)
{
	json_t *labels = json_object_get(m, "labels");
	size_t n = json_object_size(labels), i = 0, len, out = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	const char *k;
	json_t *v;
	char *buf;
	FILE *f;

	if (!keys)
		return NULL;
	json_object_foreach(labels, k, v)
		if (!skip_settings || !result_is_setting_label(m, k))
			keys[i++] = k;
	n = i;
	qsort(keys, n, sizeof(*keys), cmp_str);
	f = open_memstream(&buf, &len);
	if (!f) {
		free(keys);
		return NULL;
	}
	fprintf(f, "%s/%s{", json_string_value(json_object_get(m, "bench")),
		json_string_value(json_object_get(m, "metric")));
	for (i = 0; i < n; i++) {
		v = json_object_get(labels, keys[i]);
		fprintf(f, "%s%s=", out++ ? "," : "", keys[i]);
		result_label_text(f, v);
	}
	fputc('}', f);
	fclose(f);
	free(keys);
	return buf;
}

void result_label_text(FILE *f, const json_t *v)
{
	if (!v)
		fputs("(absent)", f);
	else if (json_is_string(v))
		fputs(json_string_value(v), f);
	else if (json_is_integer(v))
		fprintf(f, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "true" : "false", f);
}

char *result_key(const json_t *m)
{
	return key_of(m, false);
}

char *result_match_key(const json_t *m)
{
	return key_of(m, true);
}

const char *result_check_run_sizes(const json_t *m, size_t n_runs)
{
	const json_t *rs = json_object_get(m, "run_sizes"), *x;
	size_t i, sum = 0;

	if (!rs)
		return NULL;    /* a measurement without run_sizes counts as run 1's */
	if (!n_runs)
		return "has run_sizes but the result has no merged_runs";
	if (!json_is_array(rs) || json_array_size(rs) != n_runs)
		return "run_sizes is not an array of merged_runs counts";
	json_array_foreach(rs, i, x) {
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return "run_sizes holds something other than counts >= 0";
		sum += (size_t)json_integer_value(x);
	}
	if (sum != json_array_size(json_object_get(m, "samples")))
		return "run_sizes does not add up to the number of samples";
	return NULL;
}
