/* SPDX-License-Identifier: MIT */
/*
 * text-tables.c — the shaped tables of `locus report --text`: the forms people already
 * read in a terminal.
 *
 * - node x node (or CPU x CPU) matrices as Intel MLC and `numactl -H` print them,
 *   node 0 top left, one matrix per metric and per other parameter (one per file when
 *   several are given);
 * - bandwidth as STREAM prints it: per kernel the best rate, average, min and max, with
 *   the write-allocate (RFO) figure beside it only where it differs;
 * - a metric drawn against another (a bench whose figure is a curve: loaded latency)
 *   as one small table per series.
 * Which measurements take which form follows their labels and the bench's own figure
 * description, never a list of bench names.  Measurements shown here are marked in
 * `used`; text.c prints the rest in the plain table.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

static const char *mstr(const json_t *m, const char *key)
{
	const char *s = json_string_value(json_object_get(m, key));

	return s ? s : "";
}

static const json_t *lab(const json_t *m, const char *key)
{
	return json_object_get(json_object_get(m, "labels"), key);
}

/* The labels of m other than the skipped ones, in words ("page size 4K"); "" when
 * none.  Labels equal in every measurement of b are left out (said once above). */
static char *others(const struct report_bench *b, const json_t *m, const char *const *skip)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	const char *k;
	json_t *v;
	bool first = true;

	if (!o)
		return NULL;
	json_object_foreach(json_object_get(m, "labels"), k, v) {
		bool s = false, same = true;

		for (size_t i = 0; skip[i]; i++)
			s |= !strcmp(skip[i], k);
		for (size_t i = 0; i < b->n && same; i++) {
			const json_t *w = lab(b->meas[i], k);

			same = w && json_equal((json_t *)w, v);
		}
		if (s || (same && b->n > 1))
			continue;
		{
			char *t = report_label_words(k, v);

			fprintf(o, "%s%s", first ? "" : ", ", t ? t : "?");
			free(t);
		}
		first = false;
	}
	fclose(o);
	return buf;
}

/* ------------------------------------------------------------ matrices */

static const char *const axes[][5] = {
	{ "cpu_node", "mem_node", "CPU node", "memory node", "CPU\\mem" },
	{ "src_node", "dst_node", "source node", "destination node", "src\\dst" },
	{ "cpu_a", "cpu_b", "CPU", "CPU", "CPU\\CPU" },
};

#define MATRIX_COLS 6

static long idx_of(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return (long)i;
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = strdup(s);
	return (long)(*n)++;
}

static int cmp_num(const void *a, const void *b)
{
	double x = atof(*(char *const *)a), y = atof(*(char *const *)b);

	return (x > y) - (x < y);
}

static void matrices(const struct report_bench *b, FILE *f, bool *used)
{
	for (size_t ax = 0; ax < sizeof(axes) / sizeof(axes[0]); ax++) {
		const char *const skip[] = { axes[ax][0], axes[ax][1], NULL };

		for (size_t i = 0; i < b->n; i++) {
			const json_t *m0 = b->meas[i];
			char *group, **rows = NULL, **cols = NULL, u[32], num[32];
			size_t nr = 0, nc = 0, nm = 0;
			double max = 0, div;
			const json_t **cell;

			if (used[i] || !lab(m0, axes[ax][0]) || !lab(m0, axes[ax][1]))
				continue;
			group = others(b, m0, skip);
			/* One matrix: same metric, same other labels. */
			for (size_t k = i; k < b->n; k++) {
				char *g;

				if (used[k] || strcmp(mstr(b->meas[k], "metric"), mstr(m0, "metric")) ||
				    !lab(b->meas[k], axes[ax][0]) || !lab(b->meas[k], axes[ax][1]))
					continue;
				g = others(b, b->meas[k], skip);
				if (g && group && !strcmp(g, group)) {
					char *rt = report_json_text(lab(b->meas[k], axes[ax][0]));
					char *ct = report_json_text(lab(b->meas[k], axes[ax][1]));

					idx_of(&rows, &nr, rt ? rt : "?");
					idx_of(&cols, &nc, ct ? ct : "?");
					free(rt);
					free(ct);
					max = fmax(max, fabs(report_summary(b->meas[k], "median")));
					nm++;
				}
				free(g);
			}
			qsort(rows, nr, sizeof(*rows), cmp_num);
			qsort(cols, nc, sizeof(*cols), cmp_num);
			cell = calloc(nr * nc + 1, sizeof(*cell));
			for (size_t k = i; cell && k < b->n; k++) {
				char *g;

				if (used[k] || strcmp(mstr(b->meas[k], "metric"), mstr(m0, "metric")) ||
				    !lab(b->meas[k], axes[ax][0]) || !lab(b->meas[k], axes[ax][1]))
					continue;
				g = others(b, b->meas[k], skip);
				if (g && group && !strcmp(g, group)) {
					char *rt = report_json_text(lab(b->meas[k], axes[ax][0]));
					char *ct = report_json_text(lab(b->meas[k], axes[ax][1]));

					cell[(size_t)idx_of(&rows, &nr, rt) * nc + (size_t)idx_of(&cols, &nc, ct)] =
						b->meas[k];
					used[k] = true;
					free(rt);
					free(ct);
				}
				free(g);
			}
			report_scale_unit(mstr(m0, "unit"), max, &div, u, sizeof(u));
			{
				char *head = NULL;

				if (asprintf(&head, "%s (%s%smedian)%s%s", mstr(m0, "metric"), u,
					     *u ? ", " : "", group && *group ? ", " : "",
					     group ? group : "") >= 0) {
					fputs("  ", f);
					report_text_wrap(f, head, 2, 4, 80);
				}
				free(head);
			}
			/* Six columns at a time: 12 + 6 x 10 keeps a big matrix to 80. */
			for (size_t c0 = 0; c0 < nc; c0 += MATRIX_COLS) {
				size_t c1 = c0 + MATRIX_COLS < nc ? c0 + MATRIX_COLS : nc;

				fprintf(f, "  %-10s", axes[ax][4]);
				for (size_t c = c0; c < c1; c++)
					fprintf(f, " %9s", cols[c]);
				fputc('\n', f);
				for (size_t r = 0; cell && r < nr; r++) {
					fprintf(f, "  %10s", rows[r]);
					for (size_t c = c0; c < c1; c++) {
						const json_t *m = cell[r * nc + c];

						fprintf(f, " %9s",
							m ? report_fmt(report_summary(m, "median") / div,
								       num, sizeof(num)) : "-");
					}
					fputc('\n', f);
				}
			}
			(void)nm;
			for (size_t k = 0; k < nr; k++)
				free(rows[k]);
			for (size_t k = 0; k < nc; k++)
				free(cols[k]);
			free(rows);
			free(cols);
			free(cell);
			free(group);
		}
	}
}

/* ------------------------------------------------------------ STREAM */

/* The STREAM table's fixed part: "  " function "  " params "  " 4 x "%7s " "  " RFO;
 * the parameters column gets what is left of 80 columns and wraps at ", ". */
#define STREAM_FIXED (2 + 2 + 2 + 4 * 8 - 1 + 2 + 7)

/* The length of the longest prefix of s ending before a ", " that fits cap (all of s
 * when it fits, or when there is no such break). */
static size_t fit_at_comma(const char *s, size_t cap)
{
	size_t cut = 0;

	if (strlen(s) <= cap)
		return strlen(s);
	for (size_t k = 0; s[k] && k <= cap; k++)
		if (s[k] == ',' && s[k + 1] == ' ')
			cut = k + 1;
	return cut ? cut : strlen(s);
}

static double sample_mean(const json_t *m)
{
	double v = report_summary(m, "mean");

	return v;
}

static void stream(const struct report_bench *b, FILE *f, bool *used)
{
	static const char *const skip[] = { "kernel", NULL };
	bool any = false;
	char **lines = NULL;
	size_t nl = 0, w0 = strlen("function"), w1 = 0;

	for (size_t i = 0; i < b->n; i++)
		if (!used[i] && lab(b->meas[i], "kernel") && !strcmp(mstr(b->meas[i], "unit"), "GB/s") &&
		    !strstr(mstr(b->meas[i], "metric"), "_rfo"))
			any = true;
	if (!any)
		return;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && w0 + w1 + STREAM_FIXED > 80)
			w1 = 80 - STREAM_FIXED - w0 < 16 ? 16 : 80 - STREAM_FIXED - w0;
		if (pass == 1) {
			fprintf(f, "  GB/s as STREAM prints it: best rate (the fastest pass), "
				"average, min, max;\n  RFO: the median counting write-allocate "
				"traffic, where that differs\n");
			fprintf(f, "  %-*s  %-*s  %7s %7s %7s %7s  %s\n", (int)w0, "function", (int)w1,
				"", "best", "avg", "min", "max", "RFO");
		}
		for (size_t i = 0; i < b->n; i++) {
			const json_t *m = b->meas[i], *rfo = NULL;
			char *p;
			char n[4][32], rf[48] = "", rfon[32];
			double pk;

			if (used[i] || !lab(m, "kernel") || strcmp(mstr(m, "unit"), "GB/s") ||
			    strstr(mstr(m, "metric"), "_rfo"))
				continue;
			p = others(b, m, skip);
			if (pass == 0) {
				w0 = strlen(mstr(lab(m, "kernel") ? m : m, "")) > w0 ? w0 : w0;
				if (json_string_value(lab(m, "kernel")) &&
				    strlen(json_string_value(lab(m, "kernel"))) > w0)
					w0 = strlen(json_string_value(lab(m, "kernel")));
				if (p && strlen(p) > w1)
					w1 = strlen(p);
				free(p);
				continue;
			}
			/* The write-allocate figure of the same run, where it differs. */
			for (size_t k = 0; k < b->n; k++) {
				const json_t *q = b->meas[k];
				char mm[128];

				snprintf(mm, sizeof(mm), "%s_rfo", mstr(m, "metric"));
				if (!strcmp(mstr(q, "metric"), mm) &&
				    json_equal(json_object_get(q, "labels"), json_object_get(m, "labels"))) {
					rfo = q;
					used[k] = true;
				}
			}
			if (rfo && fabs(report_summary(rfo, "median") - report_summary(m, "median")) >
					   1e-9 * fabs(report_summary(m, "median")))
				snprintf(rf, sizeof(rf), "%s", report_fmt(report_summary(rfo, "median"),
									 rfon, sizeof(rfon)));
			pk = report_summary(m, "peak");
			if (!isfinite(pk))
				pk = report_summary(m, "max");
			{
				const char *rest = p ? p : "";
				size_t len = fit_at_comma(rest, w1);

				fprintf(f, "  %-*s  %-*.*s  %7s %7s %7s %7s  %s\n", (int)w0,
					json_string_value(lab(m, "kernel")) ?: "?", (int)w1, (int)len,
					rest, report_fmt(pk, n[0], 32),
					report_fmt(sample_mean(m), n[1], 32),
					report_fmt(report_summary(m, "min"), n[2], 32),
					report_fmt(report_summary(m, "max"), n[3], 32), rf);
				/* The rest of the parameters under them, two columns in. */
				for (rest += len; *rest;) {
					while (*rest == ' ')
						rest++;
					len = fit_at_comma(rest, w1 - 2);
					fprintf(f, "  %*s    %.*s\n", (int)w0, "", (int)len, rest);
					rest += len;
				}
			}
			used[i] = true;
			free(p);
		}
	}
	free(lines);
	(void)nl;
}

/* ------------------------------------------------------------ curves */

static void curves(const struct report_bench *b, FILE *f, bool *used)
{
	const json_t *figs = json_object_get(b->desc, "figures"), *fg;
	size_t fi;
	bool head = false;

	json_array_foreach(figs, fi, fg) {
		const char *kind = json_string_value(json_object_get(fg, "kind"));
		const char *ym = json_string_value(json_object_get(fg, "metric"));
		const char *xm = json_string_value(json_object_get(fg, "x"));

		if (!kind || strcmp(kind, "curve") || !ym || !xm)
			continue;
		for (size_t i = 0; i < b->n; i++) {
			const json_t *m = b->meas[i], *xmeas = NULL;
			char xu[32], yu[32], a[32], c[32], *w;
			double xd, yd;
			static const char *const none[] = { NULL };

			if (used[i] || strcmp(mstr(m, "metric"), ym))
				continue;
			for (size_t k = 0; k < b->n; k++)
				if (!strcmp(mstr(b->meas[k], "metric"), xm) &&
				    json_equal(json_object_get(b->meas[k], "labels"), json_object_get(m, "labels"))) {
					xmeas = b->meas[k];
					used[k] = true;
				}
			if (!xmeas)
				continue;
			if (!head) {
				fprintf(f, "  %s against %s, medians, per point:\n", ym, xm);
				head = true;
			}
			report_scale_unit(mstr(xmeas, "unit"), report_summary(xmeas, "median"), &xd, xu, sizeof(xu));
			report_scale_unit(mstr(m, "unit"), report_summary(m, "median"), &yd, yu, sizeof(yu));
			w = others(b, m, none);
			if (w && strlen(w) > 36) {
				/* A long point name on a line of its own, its values under it. */
				fputs("    ", f);
				report_text_wrap(f, w, 4, 6, 80);
				w[0] = '\0';
			}
			fprintf(f, "    %-36s  %8s %-5s  %8s %s\n", w ? w : "",
				report_fmt(report_summary(xmeas, "median") / xd, a, sizeof(a)), xu,
				report_fmt(report_summary(m, "median") / yd, c, sizeof(c)), yu);
			free(w);
			used[i] = true;
		}
	}
}

void report_text_shaped(const struct report_bench *b, FILE *f, bool *used)
{
	curves(b, f, used);
	matrices(b, f, used);
	stream(b, f, used);
}
