/* SPDX-License-Identifier: MIT */
/*
 * markdown.c — DIR/report.md: the same report as index.html in Markdown.
 *
 * For places that render Markdown but not arbitrary HTML (a wiki page, a pull-request
 * comment, a repository's docs): the machine summary, one section per benchmark with
 * its explanation, its figure linked as figures/NAME.svg, its table, and its skips and
 * warnings.  Table cells have '|' escaped and newlines flattened so a label value
 * cannot break the table.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "history.h"
#include "report.h"

/* Text for a Markdown table cell, heading or list item: every character Markdown
 * gives a meaning to inside a line is backslash-escaped (no links, images, emphasis,
 * code spans, HTML or entities from a result file), control characters become spaces
 * so nothing can start a new line or block. */
void report_md_escape(FILE *o, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("|\\<>*_`[]!&~#", *s))
			fputc('\\', o);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, o);
	}
}

#define md report_md_escape

static void md_line(void *ctx, const char *key, const char *value)
{
	FILE *o = ctx;

	fputs("| ", o);
	md(o, key);
	fputs(" | ", o);
	md(o, value);
	fputs(" |\n", o);
}

static void md_cap(void *ctx, const char *key, const char *value)
{
	FILE *o = ctx;

	fputs("- ", o);
	if (strcmp(key, "Observation")) {
		fputs("**", o);
		md(o, key);
		fputs(":** ", o);
	}
	md(o, value);
	fputc('\n', o);
}

static void md_item(void *ctx, const char *key, const char *value)
{
	FILE *o = ctx;

	fputs("- **", o);
	md(o, key);
	fputs("**: ", o);
	md(o, value);
	fputc('\n', o);
}

/* The same pairs, numbers and words as `locus compare` (ab.c, compare engine). */
static void md_ab(FILE *o, const struct report *r)
{
	const struct compare_result *c = &r->cmp;
	char n1[48], n2[48], n3[64], n5[32], ch[32], *sum = report_ab_summary(r);

	fputs("\n## Before / after\n\nBefore: ", o);
	md(o, r->files[0].path);
	fputs("; after: ", o);
	md(o, r->files[1].path);
	fputs(".\n\nWhat changed:\n\n", o);
	report_ab_change(r, md_item, o);
	fputs("\nHeadline metrics:\n\n", o);
	report_ab_headlines(r, md_item, o);
	fputc('\n', o);
	md(o, sum ? sum : "");
	free(sum);
	fputs(". Change is after/before - 1 of the medians; the verdict says whether that is "
	      "better or worse for the metric (as `locus compare BEFORE AFTER`).\n\n", o);
	fputs("| Measurement | Before | After | Change | 95% CI of the change | p | Verdict |\n"
	      "|---|---:|---:|---:|---:|---:|---|\n", o);
	for (size_t i = 0; i < c->n_pairs; i++) {
		const struct compare_pair *p = &c->pairs[i];

		fputs("| ", o);
		md(o, p->key);
		if (p->settings) {
			fputs(" (", o);
			md(o, p->settings);
			fputc(')', o);
		}
		fputs(" | ", o);
		md(o, report_value(p->median_base, p->unit, n1, sizeof(n1)));
		fputs(" | ", o);
		md(o, report_value(p->median_cur, p->unit, n2, sizeof(n2)));
		fprintf(o, " | %s | %s | %s | %s |\n", report_change(p, ch, sizeof(ch)),
			compare_fmt_ci(n3, sizeof(n3), p), report_num(p->p_adj, n5, sizeof(n5)),
			compare_verdict_name(p->verdict));
	}
}

int report_write_markdown(const struct report *r, const char *path, const char *figrel)
{
	FILE *o = fopen(path, "w");
	char n1[32], n2[32], n3[32];
	int err;

	if (!o) {
		err = errno;
		locus_error("%s: cannot write: %s", path, strerror(err));
		return -err;
	}
	fprintf(o, "# locus report\n\n%zu result file%s:", r->nfiles, r->nfiles == 1 ? "" : "s");
	for (size_t i = 0; i < r->nfiles; i++) {
		fputs(i ? ", " : " ", o);
		md(o, r->files[i].name);
	}
	fputs(". Medians with bootstrap confidence intervals.\n\n", o);
	if (r->have_fleet)
		fleet_write_markdown(&r->fleet, o);
	fputs("## Capacity planning summary\n", o);
	for (size_t i = 0; i < r->nfiles; i++) {
		fputc('\n', o);
		if (r->nfiles > 1) {
			fputs("### ", o);
			md(o, r->files[i].name);
			fputs("\n\n", o);
		}
		report_capacity(&r->files[i], md_cap, o);
	}
	if (r->ab)
		md_ab(o, r);
	if (r->hist) {
		char *head = report_history_headline(r);

		fputs("\n## History\n\n", o);
		md(o, head ? head : "");
		fputs(".\n\n", o);
		free(head);
		for (size_t k = 0; k < r->nhist_figs; k++) {
			const struct plot_figure *f = r->hist_figs[k].fig;
			size_t si = r->hist_series[k];

			fputs("![", o);
			md(o, f->title);
			fprintf(o, "](%s/%s.svg)\n\n", figrel, f->name);
			for (size_t c = 0; c < r->hist->s[si].ncp; c++) {
				char *t = report_history_change(r, si, c);

				fputs("- ", o);
				md(o, t ? t : "");
				fputc('\n', o);
				free(t);
			}
			fputc('\n', o);
		}
	}
	fputs("\n## Machine\n", o);
	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->nfiles > 1) {
			fputs("\n### ", o);
			md(o, r->files[i].name);
			fputc('\n', o);
		}
		fputs("\n| Item | Value |\n|---|---|\n", o);
		report_machine(&r->files[i], md_line, o);
		fputs("\nFingerprint (the settings that make results comparable):\n\n"
		      "| Key | Value |\n|---|---|\n", o);
		report_fingerprint(&r->files[i], md_line, o);
	}
	if (r->nwarnings) {
		fputs("\n### Warnings\n\n", o);
		for (size_t i = 0; i < r->nwarnings; i++) {
			fputs("- ", o);
			md(o, r->warnings[i]);
			fputc('\n', o);
		}
	}
	for (size_t i = 0; i < r->nbenches; i++) {
		const struct report_bench *b = &r->benches[i];
		char *common = report_common_labels(b);

		fputs("\n## ", o);
		md(o, b->name);
		fputs("\n\n", o);
		md(o, report_explain(b));
		fputs("\n\n", o);
		for (size_t k = 0; k < b->nfigs; k++) {
			const struct plot_figure *f = b->figs[k].fig;

			fputs("![", o);
			md(o, f->title);
			fprintf(o, "](%s/%s.svg)\n\n*", figrel, f->name);
			md(o, f->caption);
			if (!(b->figs[k].made & PLOT_SVG))
				fprintf(o, " (not drawn: the gnuplot script is %s/%s.gp)", figrel, f->name);
			fputs("*\n\n", o);
		}
		for (size_t k = 0; k < b->nfig_notes; k++) {
			md(o, b->fig_notes[k]);
			fputs("\n\n", o);
		}
		if (common && *common) {
			fputs("Same for every row: ", o);
			md(o, common);
			fputs("\n\n", o);
		}
		free(common);
		if (r->nfiles > 1) {
			struct report_row *rows;
			size_t nr;

			if (report_side_by_side(r, b, &rows, &nr) == 0) {
				fputs("Side by side (median per file):\n\n| Metric | Parameters |", o);
				for (size_t f = 0; f < r->nfiles; f++) {
					fputc(' ', o);
					md(o, r->files[f].name);
					fputs(" |", o);
				}
				fputs(" Unit |\n|---|---|", o);
				for (size_t f = 0; f < r->nfiles; f++)
					fputs("---:|", o);
				fputs("---|\n", o);
				for (size_t k = 0; k < nr; k++) {
					char u[32];
					double div;

					report_row_unit(r, &rows[k], &div, u, sizeof(u));
					fputs("| ", o);
					md(o, rows[k].metric);
					fputs(" | ", o);
					md(o, rows[k].params);
					fputs(" |", o);
					for (size_t f = 0; f < r->nfiles; f++)
						fprintf(o, " %s |", report_fmt(rows[k].median[f] / div,
										n1, sizeof(n1)));
					fputc(' ', o);
					md(o, u);
					fputs(" |\n", o);
				}
				fputs("\nAll measurements:\n\n", o);
				report_rows_free(rows, nr);
			}
		}
		if (b->n)
			fputs("| Metric | Parameters | Median | Peak | 95% CI | n | Unit | Counters |\n"
			      "|---|---|---:|---:|---:|---:|---|---|\n", o);
		for (size_t k = 0; k < b->n; k++) {
			const json_t *m = b->meas[k];
			char *lt, *ct;
			char u[32], n4[32];
			double div;

			if (report_meas_repeats(b, m))
				continue;   /* bandwidth_rfo equal to bandwidth */
			lt = report_labels_text(b, m, NULL);
			ct = report_counters_text(m);

			/* One unit per row, scaled to its median (as in the HTML). */
			report_scale_unit(json_string_value(json_object_get(m, "unit")) ?: "",
					  fabs(report_summary(m, "median")), &div, u, sizeof(u));
			fputs("| ", o);
			md(o, json_string_value(json_object_get(m, "metric")));
			fputs(" | ", o);
			md(o, lt);
			fprintf(o, " | %s | %s | [%s, %s] | ",
				report_fmt(report_summary(m, "median") / div, n1, sizeof(n1)),
				report_fmt(report_summary(m, "peak") / div, n4, sizeof(n4)),
				report_fmt(report_summary(m, "ci_low") / div, n2, sizeof(n2)),
				report_fmt(report_summary(m, "ci_high") / div, n3, sizeof(n3)));
			fprintf(o, "%s | ", report_num(report_summary(m, "n"), n1, sizeof(n1)));
			md(o, u);
			fputs(" | ", o);
			md(o, ct && *ct ? ct : "-");
			fputs(" |\n", o);
			free(lt);
			free(ct);
		}
		if (b->nskips || b->nnotes)
			fputs("\n### Skips and warnings\n\n", o);
		for (size_t k = 0; k < b->nskips; k++) {
			char *lt = report_labels_text(NULL, b->skips[k], NULL);

			fputs("- skipped", o);
			if (lt && *lt) {
				fputs(" (", o);
				md(o, lt);
				fputs(")", o);
			}
			fputs(": ", o);
			md(o, json_string_value(json_object_get(b->skips[k], "reason")));
			fputc('\n', o);
			free(lt);
		}
		for (size_t k = 0; k < b->nnotes; k++) {
			fputs("- ", o);
			md(o, b->notes[k]);
			fputc('\n', o);
		}
	}
	if (ferror(o) | (fclose(o) != 0)) {
		err = errno ? errno : EIO;
		locus_error("%s: write failed: %s", path, strerror(err));
		return -err;
	}
	return 0;
}
