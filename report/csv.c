/* SPDX-License-Identifier: MIT */
/*
 * csv.c — DIR/data/BENCH.csv: one row per measurement, for spreadsheets and pandas.
 *
 * Columns: file, bench, metric, unit, higher_is_better, then one column per label
 * (the union over the benchmark's measurements, in first-seen order, prefixed
 * "label:" so that a label named like a statistic cannot collide), the summary
 * statistics, and one "counter:NAME" column per counter.  Quoting follows RFC 4180:
 * a field with a comma, quote, CR or LF is quoted and its quotes doubled.  A text
 * field a spreadsheet would read as a formula (=, +, -, @ first and not a number) gets
 * a leading apostrophe.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "report.h"

static const char *const stat_cols[] = {
	"n", "median", "ci_low", "ci_high", "ci_level", "min", "max", "mean", "stddev",
	"p05", "p25", "p75", "p95", NULL
};

/* Would a spreadsheet take s as a formula: it starts with = + - @ (or a tab or CR
 * before one) and is not simply a number. */
static bool formula(const char *s)
{
	char *end;

	if (!strchr("=+-@\t\r", *s) || !*s)
		return false;
	strtod(s, &end);
	return end == s || *end;
}

static void field(FILE *o, const char *s, bool first)
{
	if (!first)
		fputc(',', o);
	if (!s)
		return;
	/* A result file is input: a label value "=HYPERLINK(...)" must stay text when the
	 * CSV is opened in a spreadsheet, so it gets the quote prefix OWASP recommends. */
	if (formula(s)) {
		char *t = malloc(strlen(s) + 2);

		if (t) {
			t[0] = '\'';
			strcpy(t + 1, s);
			field(o, t, true);
			free(t);
		}
		return;
	}
	if (strpbrk(s, ",\"\r\n") || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' '))) {
		fputc('"', o);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', o);
			fputc(*s, o);
		}
		fputc('"', o);
	} else {
		fputs(s, o);
	}
}

static void numfield(FILE *o, const json_t *v)
{
	fputc(',', o);
	if (json_is_number(v) && isfinite(json_number_value(v))) {
		double x = json_number_value(v);
		char buf[40];

		/* The shortest of 15 or 17 digits that reads back as the same double. */
		snprintf(buf, sizeof(buf), "%.15g", x);
		if (strtod(buf, NULL) != x)
			snprintf(buf, sizeof(buf), "%.17g", x);
		fputs(buf, o);
	}
}

/* Keys of member `obj` over all measurements, first-seen order; malloc'd array of
 * borrowed strings. */
static const char **union_keys(const struct report_bench *b, const char *obj, size_t *n)
{
	const char **k = NULL;

	*n = 0;
	for (size_t i = 0; i < b->n; i++) {
		const char *key;
		json_t *v;

		json_object_foreach(json_object_get(b->meas[i], obj), key, v) {
			bool seen = false;
			const char **nk;

			for (size_t j = 0; j < *n; j++)
				seen |= strcmp(k[j], key) == 0;
			if (seen)
				continue;
			nk = realloc(k, (*n + 1) * sizeof(*nk));
			if (!nk)
				return k;
			k = nk;
			k[(*n)++] = key;
		}
	}
	return k;
}

static int write_bench(const struct report *r, const struct report_bench *b, const char *dir)
{
	char path[4096], name[256];
	size_t nl, nc;
	const char **lk, **ck;
	FILE *o;
	int err = 0;

	snprintf(name, sizeof(name), "%s", b->name);
	for (char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			*c = '_';
	snprintf(path, sizeof(path), "%s/%s.csv", dir, name);
	o = fopen(path, "w");
	if (!o) {
		err = errno;
		locus_error("%s: cannot write: %s", path, strerror(err));
		return -err;
	}
	lk = union_keys(b, "labels", &nl);
	ck = union_keys(b, "counters", &nc);
	field(o, "file", true);
	field(o, "bench", false);
	field(o, "metric", false);
	field(o, "unit", false);
	field(o, "higher_is_better", false);
	for (size_t i = 0; i < nl; i++) {
		char h[512];

		snprintf(h, sizeof(h), "label:%s", lk[i]);
		field(o, h, false);
	}
	for (size_t i = 0; stat_cols[i]; i++)
		field(o, stat_cols[i], false);
	for (size_t i = 0; i < nc; i++) {
		char h[512];

		snprintf(h, sizeof(h), "counter:%s", ck[i]);
		field(o, h, false);
	}
	fputs("\r\n", o);
	for (size_t i = 0; i < b->n; i++) {
		const json_t *m = b->meas[i], *labels = json_object_get(m, "labels");
		const char *file = "";

		for (size_t f = 0; f < r->nfiles; f++) {
			json_t *ms = json_object_get(r->files[f].res, "measurements"), *x;
			size_t k;

			json_array_foreach(ms, k, x)
				if (x == m)
					file = r->files[f].name;
		}
		field(o, file, true);
		field(o, json_string_value(json_object_get(m, "bench")), false);
		field(o, json_string_value(json_object_get(m, "metric")), false);
		field(o, json_string_value(json_object_get(m, "unit")), false);
		field(o, json_is_true(json_object_get(m, "higher_is_better")) ? "true" : "false",
		      false);
		for (size_t k = 0; k < nl; k++) {
			json_t *v = json_object_get(labels, lk[k]);
			char *t = v ? report_json_text(v) : NULL;

			field(o, t, false);
			free(t);
		}
		for (size_t k = 0; stat_cols[k]; k++)
			numfield(o, json_object_get(json_object_get(m, "summary"), stat_cols[k]));
		for (size_t k = 0; k < nc; k++)
			numfield(o, json_object_get(json_object_get(m, "counters"), ck[k]));
		fputs("\r\n", o);
	}
	free(lk);
	free(ck);
	if (ferror(o) | (fclose(o) != 0)) {
		err = errno ? errno : EIO;
		locus_error("%s: write failed: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

int report_write_csv(const struct report *r, const char *datadir)
{
	for (size_t i = 0; i < r->nbenches; i++) {
		int rc;

		if (!r->benches[i].n)
			continue;
		rc = write_bench(r, &r->benches[i], datadir);
		if (rc < 0)
			return rc;
	}
	return 0;
}
