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
#include "history.h"
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
		int w = 0;

		while (*e && *e != ' ')
			w += ((unsigned char)*e++ & 0xc0) != 0x80;
		/* A word longer than a whole line (a path, a key) is cut after its last
		 * '/' or ',' that fits (anywhere, when none does). */
		if (w > width - indent) {
			int room = (col > start ? width - col - 1 : width - col), k = 0, cut = 0;
			const char *q = p;

			if (room < 8) {
				fprintf(o, "\n%*s", indent, "");
				col = start = indent;
				room = width - indent;
			} else if (col > start) {
				fputc(' ', o);
				col++;
			}
			for (; q < e && k < room; q++) {
				k += ((unsigned char)*q & 0xc0) != 0x80;
				if (*q == '/' || *q == ',')
					cut = (int)(q - p) + 1;
			}
			if (!cut)
				cut = (int)(q - p);
			while (cut < e - p && ((unsigned char)p[cut] & 0xc0) == 0x80)
				cut--;   /* never inside a UTF-8 character */
			for (int i = 0; i < cut; i++)
				fputc((unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i], o);
			fprintf(o, "\n%*s", indent, "");
			col = start = indent;
			p += cut;
			continue;
		}
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

/* "  skipped (...): reason" / "  note: ..." word-wrapped to 80 columns; the
 * continuation lines are indented two more (column 4), so a reader (and a test) can
 * tell them from the next item and from a table row. */
static void text_item(FILE *o, const char *head, const char *s)
{
	char *line = NULL;

	if (asprintf(&line, "%s%s", head, s ? s : "") < 0) {
		fprintf(o, "  %s%s\n", head, s ? s : "");
		return;
	}
	fputs("  ", o);
	report_text_wrap(o, line, 2, 4, 80);
	free(line);
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
		cap = w[1] < (total - 80) + 24 ? 24 : w[1] - (total - 80);
	total -= w[1] - cap;
	w[1] = cap;
	/* Still too wide (the long keys of the before/after table): every first-column
	 * cell goes on a line of its own and its row's cells on the next, indented. */
	if (total > 80 && w[0] > 16)
		w[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rest = rows[i].c[1] ? rows[i].c[1] : "";
		bool first = true, alone = rows[i].c[0] && columns(rows[i].c[0]) > w[0];

		/* The cell alone, broken after a ',' (a key's labels) or a ' ' where it
		 * passes 80 columns, the rest indented 6 (the row's cells then follow at
		 * 4). */
		for (const char *k = alone ? rows[i].c[0] : ""; *k;) {
			size_t room = k == rows[i].c[0] ? 78 : 74, len = strlen(k), cut = 0;

			if (columns(k) > room) {
				for (size_t j = 0; k[j] && columns(k) - columns(k + j) < room; j++)
					if (k[j] == ',' || k[j] == ' ')
						cut = j + 1;
				if (cut)
					len = cut;
			}
			fprintf(f, "%s%.*s\n", k == rows[i].c[0] ? "  " : "      ", (int)len, k);
			k += len;
			while (*k == ' ')
				k++;
		}
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
				/* A continuation: two columns right of the parameters column (so
				 * it cannot be read as a row of its own), nothing after it. */
				fprintf(f, "%*s%s\n", (int)(w[0] ? w[0] + 4 : 4), "", part);
				continue;
			}
			for (int pass = 0; pass < 2; pass++) {
				char line[1024];
				size_t ll = 0;

				/* Aligned; or, in the rare row whose cells pass 80 columns even
				 * so, the cells two spaces apart. */
				for (int c = 0; c < NCOL && ll < sizeof(line); c++) {
					const char *s = c == 1 ? part : (c == 0 && alone) ? ""
							: first && rows[i].c[c] ? rows[i].c[c] : "";
					int pad = pass ? 0 : (int)(w[c] + strlen(s) - columns(s));
					int k;

					if (pass && !*s)
						continue;
					if (pad < 0)
						pad = 0;
					if (c == NCOL - 1 && right[c])
						k = snprintf(line + ll, sizeof(line) - ll, "%*s", pad, s);
					else if (c == NCOL - 1)
						k = snprintf(line + ll, sizeof(line) - ll, "%s", s);
					else
						k = snprintf(line + ll, sizeof(line) - ll,
							     right[c] ? "%*s  " : "%-*s  ", pad, s);
					ll += k > 0 ? (size_t)k : 0;
				}
				if (ll >= sizeof(line))
					ll = sizeof(line) - 1;
				line[ll] = '\0';
				while (ll && line[ll - 1] == ' ')
					line[--ll] = '\0';
				if (pass == 1 || columns(line) + 2 <= 80) {
					fprintf(f, "%s%s\n", pass ? "  " : "", line);
					break;
				}
			}
			first = false;
		} while (*rest);
	}
}

/* Several files: a column per file, at most three at a time so a table keeps to 80
 * columns (the files named once above as [1], [2], ...); one table per metric, each
 * row's values scaled to one unit that fits them all. */
#define SBS_FILES 3

static void print_side_by_side(const struct report *r, const struct report_bench *b, FILE *f)
{
	struct report_row *rows;
	struct row *t;
	size_t n;

	if (report_side_by_side(r, b, &rows, &n) < 0)
		return;
	t = calloc(n + 1, sizeof(*t));
	if (!t) {
		report_rows_free(rows, n);
		return;
	}
	fputs("  side by side, median per file:\n", f);
	for (size_t k = 0; k < r->nfiles; k++) {
		fprintf(f, "    [%zu] ", k + 1);
		report_text_wrap(f, r->files[k].name, 8, 8, 80);
	}
	for (size_t g = 0; g < n; g++) {
		bool seen = false;

		for (size_t k = 0; k < g && !seen; k++)
			seen = !strcmp(rows[k].metric, rows[g].metric);
		if (seen)
			continue;
		for (size_t f0 = 0; f0 < r->nfiles; f0 += SBS_FILES) {
			size_t nt = 1;

			t[0] = (struct row){ { strdup(""), strdup("parameters") } };
			for (int c = 0; c < SBS_FILES; c++)
				if (f0 + c < r->nfiles &&
				    asprintf(&t[0].c[2 + c], "[%zu]", f0 + c + 1) < 0)
					t[0].c[2 + c] = NULL;
			t[0].c[NCOL - 1] = strdup("unit");
			for (size_t i = g; i < n; i++) {
				double div;
				char u[32], num[32];

				if (strcmp(rows[i].metric, rows[g].metric))
					continue;
				report_row_unit(r, &rows[i], &div, u, sizeof(u));
				t[nt].c[0] = strdup("");
				t[nt].c[1] = strdup(rows[i].params);
				for (int c = 0; c < SBS_FILES && f0 + c < r->nfiles; c++)
					t[nt].c[2 + c] = strdup(report_fmt(rows[i].median[f0 + c] / div,
									   num, sizeof(num)));
				t[nt].c[NCOL - 1] = strdup(u);
				nt++;
			}
			fprintf(f, "  %s:\n", rows[g].metric);
			print_table(f, t, nt,
				    (const bool[NCOL]){ false, false, true, true, true, false });
			for (size_t k = 0; k < nt; k++)
				for (int c = 0; c < NCOL; c++) {
					free(t[k].c[c]);
					t[k].c[c] = NULL;
				}
		}
	}
	fputs("  all measurements:\n", f);
	free(t);
	report_rows_free(rows, n);
}

/* Before/after: what changed first, the engine's summary, one hyperfine-style line
 * per headline metric, then every pair exactly as `locus compare` computes it. */
static void print_ab(const struct report *r, FILE *f)
{
	const struct compare_result *c = &r->cmp;
	struct row *rows = calloc(c->n_pairs + 1, sizeof(*rows));
	char *sum = report_ab_summary(r);

	{
		char *head = NULL;

		if (asprintf(&head, "Before / after (%s -> %s)", r->files[0].path,
			     r->files[1].path) >= 0)
			report_text_wrap(f, head, 0, 2, 80);
		free(head);
	}
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
		text_item(f, "only before: ", c->only_base[i]);
	for (size_t i = 0; i < c->n_only_cur; i++)
		text_item(f, "only after: ", c->only_cur[i]);
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
	if (r->hist) {
		char *head = report_history_headline(r);

		fputs("History\n  ", f);
		report_text_wrap(f, head ? head : "", 2, 2, 80);
		free(head);
		for (size_t k = 0; k < r->nhist_figs; k++) {
			size_t si = r->hist_series[k];
			char *t = report_history_title(r, si);

			fputs("  ", f);
			report_text_wrap(f, t ? t : r->hist->s[si].key, 2, 4, 80);
			free(t);
			for (size_t c = 0; c < r->hist->s[si].ncp; c++) {
				char *ct = report_history_change(r, si, c);

				fputs("    ", f);
				report_text_wrap(f, ct ? ct : "", 4, 6, 80);
				free(ct);
			}
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		fprintf(f, "Machine (%s)\n", r->files[i].name);
		report_machine(&r->files[i], text_line, f);
		fputc('\n', f);
	}
	for (size_t i = 0; i < r->nwarnings; i++) {
		fputs("warning: ", f);
		report_text_wrap(f, r->warnings[i], 9, 2, 80);
	}
	if (r->nwarnings)
		fputc('\n', f);
	for (size_t i = 0; i < r->nbenches; i++) {
		const struct report_bench *b = &r->benches[i];
		struct row *rows = calloc(b->n + 1, sizeof(*rows));
		char *common = report_common_labels(b);
		bool *used;
		size_t nrow;

		fprintf(f, "== %s ==\n", b->name);
		if (common && *common) {
			char *line = NULL;

			if (asprintf(&line, "(same for every row: %s)", common) >= 0) {
				fputs("  ", f);
				report_text_wrap(f, line, 2, 4, 80);
			}
			free(line);
		}
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
			char *lt = report_labels_text(NULL, b->skips[k], NULL), *head = NULL;

			if (asprintf(&head, "skipped%s%s%s: ", lt && *lt ? " (" : "", lt ? lt : "",
				     lt && *lt ? ")" : "") < 0)
				head = NULL;
			text_item(f, head ? head : "skipped: ",
				  json_string_value(json_object_get(b->skips[k], "reason")) ?: "");
			free(head);
			free(lt);
		}
		for (size_t k = 0; k < b->nnotes; k++)
			text_item(f, "note: ", b->notes[k]);
		fputc('\n', f);
	}
}
