/* SPDX-License-Identifier: MIT */
/*
 * text.c — `locus report --text`: the report's summary tables for a terminal.
 *
 * The same per-benchmark tables as the HTML report, aligned in columns, with the
 * machine summary first and every skip and warning after its table, so a user on an
 * ssh session can read a result file without a browser.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

#define NCOL 6

struct row {
	char *c[NCOL];
};

void report_text_escape(FILE *o, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, o);
}

void report_text_wrap(FILE *o, const char *s, int col, int indent, int width)
{
	int start = col;

	for (const char *p = s; p && *p;) {
		const char *e = p;
		int w;

		while (*e && *e != ' ')
			e++;
		w = (int)(e - p);
		if (col > start && col + 1 + w > width) {
			fprintf(o, "\n%*s", indent, "");
			col = start = indent;
		} else if (col > start) {
			fputc(' ', o);
			col++;
		}
		for (const char *q = p; q < e; q++)
			fputc((unsigned char)*q < 0x20 || *q == 0x7f ? '?' : *q, o);
		col += w;
		p = e;
		while (*p == ' ')
			p++;
	}
	fputc('\n', o);
}

/* "  Key              value..." with the value word-wrapped to 80 columns under
 * itself, so a long line of the summary stays readable in a terminal. */
static void text_line(void *ctx, const char *key, const char *value)
{
	FILE *o = ctx;

	fprintf(o, "  %-16s ", key);
	report_text_wrap(o, value, strlen(key) > 16 ? 3 + (int)strlen(key) : 19, 19, 80);
}

/* Columns on a terminal: UTF-8 continuation bytes take none (the "→" of a setting
 * change, e.g. "mode 0 → 2"). */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The rows as aligned columns (text left, numbers right), kept to 80 columns by
 * wrapping the parameters column (1) at ", " onto continuation lines. */
static void print_table(FILE *f, struct row *rows, size_t n, const bool *right)
{
	size_t w[NCOL] = { 0 }, total = 2, cap;

	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < NCOL; c++)
			if (rows[i].c[c] && columns(rows[i].c[c]) > w[c])
				w[c] = columns(rows[i].c[c]);
	for (int c = 0; c < NCOL; c++)
		total += w[c] + (c < NCOL - 1 ? 2 : 0);
	cap = w[1];
	if (total > 80 && w[1] > 24)
		cap = w[1] - (total - 80) < 24 ? 24 : w[1] - (total - 80);
	w[1] = cap;
	for (size_t i = 0; i < n; i++) {
		const char *rest = rows[i].c[1] ? rows[i].c[1] : "";
		bool first = true;

		do {
			char part[512];
			size_t len = strlen(rest);

			/* The longest prefix ending before a ", " that fits the column. */
			if (columns(rest) > cap) {
				size_t cut = 0;

				for (size_t k = 0; rest[k] && columns(rest) - columns(rest + k) <= cap; k++)
					if (rest[k] == ',' && rest[k + 1] == ' ')
						cut = k + 1;
				len = cut ? cut : len;
			}
			snprintf(part, sizeof(part), "%.*s", (int)len, rest);
			rest += len;
			while (*rest == ' ')
				rest++;
			fputs("  ", f);
			if (!first) {
				/* A continuation: under the parameters column, nothing after it. */
				fprintf(f, "%*s%s\n", (int)(w[0] ? w[0] + 2 : 2), "", part);
				continue;
			}
			for (int c = 0; c < NCOL; c++) {
				const char *s = c == 1 ? part : first && rows[i].c[c] ? rows[i].c[c] : "";
				int pad = (int)(w[c] + strlen(s) - columns(s));

				if (pad < 0)
					pad = 0;
				if (c == NCOL - 1 && right[c])
					fprintf(f, "%*s", pad, s);
				else if (c == NCOL - 1)
					fputs(s, f);
				else
					fprintf(f, right[c] ? "%*s  " : "%-*s  ", pad, s);
			}
			fputc('\n', f);
			first = false;
		} while (*rest);
	}
}

/* Several files: a column per file, columns sized to their widest cell. */
static void print_side_by_side(const struct report *r, const struct report_bench *b, FILE *f)
{
	struct report_row *rows;
	size_t n, wm = strlen("metric"), wp = strlen("parameters"), *wf;
	char num[32];

	if (report_side_by_side(r, b, &rows, &n) < 0)
		return;
	wf = calloc(r->nfiles, sizeof(*wf));
	if (!wf) {
		report_rows_free(rows, n);
		return;
	}
	for (size_t k = 0; k < r->nfiles; k++)
		wf[k] = strlen(r->files[k].name) > 8 ? strlen(r->files[k].name) : 8;
	for (size_t i = 0; i < n; i++) {
		if (strlen(rows[i].metric) > wm)
			wm = strlen(rows[i].metric);
		if (strlen(rows[i].params) > wp)
			wp = strlen(rows[i].params);
	}
	fprintf(f, "  side by side (median per file):\n  %-*s  %-*s", (int)wm, "metric", (int)wp,
		"parameters");
	for (size_t k = 0; k < r->nfiles; k++)
		fprintf(f, "  %*s", (int)wf[k], r->files[k].name);
	fputs("  unit\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "  %-*s  %-*s", (int)wm, rows[i].metric, (int)wp, rows[i].params);
		for (size_t k = 0; k < r->nfiles; k++)
			fprintf(f, "  %*s", (int)wf[k], report_num(rows[i].median[k], num, sizeof(num)));
		fprintf(f, "  %s\n", rows[i].unit);
	}
	fputs("  all measurements:\n", f);
	free(wf);
	report_rows_free(rows, n);
}

/* Before/after: what changed first, the engine's summary, one hyperfine-style line
 * per headline metric, then every pair exactly as `locus compare` computes it. */
static void print_ab(const struct report *r, FILE *f)
{
	const struct compare_result *c = &r->cmp;
	struct row *rows = calloc(c->n_pairs + 1, sizeof(*rows));
	char *sum = report_ab_summary(r);

	fprintf(f, "Before / after (%s -> %s)\n", r->files[0].path, r->files[1].path);
	report_ab_change(r, text_line, f);
	text_line(f, "Verdicts", sum ? sum : "");
	free(sum);
	report_ab_headlines(r, text_line, f);
	if (!rows)
		return;
	rows[0] = (struct row){ { strdup("measurement"), strdup("verdict"), strdup("before"),
				  strdup("after"), strdup("change"), strdup("95% CI") } };
	for (size_t i = 0; i < c->n_pairs; i++) {
		const struct compare_pair *p = &c->pairs[i];
		char n1[48];

		if (!p->settings || asprintf(&rows[i + 1].c[0], "%s (%s)", p->key, p->settings) < 0)
			rows[i + 1].c[0] = strdup(p->key);
		rows[i + 1].c[1] = strdup(compare_verdict_name(p->verdict));
		rows[i + 1].c[2] = strdup(report_value(p->median_base, p->unit, n1, sizeof(n1)));
		rows[i + 1].c[3] = strdup(report_value(p->median_cur, p->unit, n1, sizeof(n1)));
		rows[i + 1].c[4] = strdup(report_change(p, n1, sizeof(n1)));
		rows[i + 1].c[5] = strdup(compare_fmt_ci(n1, sizeof(n1), p));
	}
	fputs("  Change is after/before - 1 of the medians; the verdict says whether it is\n"
	      "  better or worse for the metric (the same pairs, numbers and words as\n"
	      "  `locus compare BEFORE AFTER`).\n", f);
	print_table(f, rows, c->n_pairs + 1,
		    (const bool[NCOL]){ false, false, true, true, true, false });
	for (size_t k = 0; k <= c->n_pairs; k++)
		for (int col = 0; col < NCOL; col++)
			free(rows[k].c[col]);
	free(rows);
	for (size_t i = 0; i < c->n_only_base; i++)
		fprintf(f, "  only before: %s\n", c->only_base[i]);
	for (size_t i = 0; i < c->n_only_cur; i++)
		fprintf(f, "  only after: %s\n", c->only_cur[i]);
	fputc('\n', f);
}

void report_print_text(const struct report *r, FILE *f)
{
	if (r->have_fleet) {
		fleet_print_text(&r->fleet, f);
		fputc('\n', f);
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		fprintf(f, "Capacity planning summary (%s)\n", r->files[i].name);
		report_capacity(&r->files[i], text_line, f);
		fputc('\n', f);
	}
	if (r->ab)
		print_ab(r, f);
	for (size_t i = 0; i < r->nfiles; i++) {
		fprintf(f, "Machine (%s)\n", r->files[i].name);
		report_machine(&r->files[i], text_line, f);
		fputc('\n', f);
	}
	for (size_t i = 0; i < r->nwarnings; i++)
		fprintf(f, "warning: %s\n", r->warnings[i]);
	if (r->nwarnings)
		fputc('\n', f);
	for (size_t i = 0; i < r->nbenches; i++) {
		const struct report_bench *b = &r->benches[i];
		struct row *rows = calloc(b->n + 1, sizeof(*rows));
		char *common = report_common_labels(b);
		bool *used;
		size_t nrow;

		fprintf(f, "== %s ==\n", b->name);
		if (common && *common)
			fprintf(f, "  (same for every row: %s)\n", common);
		free(common);
		if (!rows)
			continue;
		/* Matrices, STREAM-style bandwidth and curves first; the rest in one table
		 * with each row's values scaled to a unit that fits. */
		used = calloc(b->n + 1, sizeof(*used));
		if (r->nfiles > 1)
			print_side_by_side(r, b, f);
		if (used)
			report_text_shaped(b, f, used);
		/* One table per metric (its name above it), so the rows keep to 80 columns. */
		for (size_t g = 0; g < b->n; g++) {
		const char *metric = json_string_value(json_object_get(b->meas[g], "metric")) ?: "";
		bool seen = false;

		for (size_t k = 0; k < g && !seen; k++)
			seen = !strcmp(metric, json_string_value(json_object_get(b->meas[k], "metric")) ?: "");
		if (seen || (used && used[g]))
			continue;
		rows[0] = (struct row){ { strdup(metric), strdup("parameters"), strdup("median"),
					  strdup("95% CI"), strdup("unit"), strdup("n") } };
		nrow = 1;
		for (size_t k = g; k < b->n; k++) {
			const json_t *m = b->meas[k];
			char n1[32], n2[32], n3[40], ci[80], u[32];
			double div;

			if ((used && used[k]) ||
			    strcmp(metric, json_string_value(json_object_get(m, "metric")) ?: ""))
				continue;
			report_scale_unit(json_string_value(json_object_get(m, "unit")) ?: "",
					  report_summary(m, "median"), &div, u, sizeof(u));
			snprintf(ci, sizeof(ci), "%s–%s",
				 report_fmt(report_summary(m, "ci_low") / div, n2, sizeof(n2)),
				 report_fmt(report_summary(m, "ci_high") / div, n3, sizeof(n3)));
			rows[nrow].c[0] = strdup("");
			rows[nrow].c[1] = report_labels_text(b, m, NULL);
			rows[nrow].c[2] = strdup(report_fmt(report_summary(m, "median") / div, n1, sizeof(n1)));
			rows[nrow].c[3] = strdup(ci);
			rows[nrow].c[4] = strdup(u);
			rows[nrow].c[5] = strdup(report_fmt(report_summary(m, "n"), n1, sizeof(n1)));
			nrow++;
		}
		if (nrow > 1) {
			/* The metric's name heads the table; its rows start under it. */
			fprintf(f, "  %s:\n", rows[0].c[0]);
			rows[0].c[0][0] = '\0';
			print_table(f, rows, nrow,
				    (const bool[NCOL]){ false, false, true, true, false, true });
		}
		for (size_t k = 0; k <= b->n; k++)
			for (int c = 0; c < NCOL; c++) {
				free(rows[k].c[c]);
				rows[k].c[c] = NULL;
			}
		}
		free(rows);
		free(used);
		for (size_t k = 0; k < b->nskips; k++) {
			char *lt = report_labels_text(NULL, b->skips[k], NULL);

			fprintf(f, "  skipped%s%s%s: %s\n", lt && *lt ? " (" : "", lt ? lt : "",
				lt && *lt ? ")" : "",
				json_string_value(json_object_get(b->skips[k], "reason")) ?: "");
			free(lt);
		}
		for (size_t k = 0; k < b->nnotes; k++)
			fprintf(f, "  note: %s\n", b->notes[k]);
		fputc('\n', f);
	}
}
