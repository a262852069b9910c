/* SPDX-License-Identifier: MIT */
/*
 * html.c — DIR/index.html: the report as one self-contained file.
 *
 * One file that can be mailed, attached to a ticket or archived with the results and
 * still opens years later: the CSS is inline, the figures are gnuplot's SVG pasted
 * inline (ids prefixed per figure, since every gnuplot SVG defines the same ones),
 * there are no scripts and no external URLs.  Everything taken from a result file is
 * HTML-escaped: a result file is input, and input can contain '<'.
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

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;"
	"max-width:1100px;padding:1em 2em;color:#222;background:#fff;line-height:1.45}\n"
	"h1{border-bottom:2px solid #444;padding-bottom:.2em}\n"
	"h2{border-bottom:1px solid #bbb;margin-top:2em}\n"
	"table{border-collapse:collapse;margin:.6em 0;font-size:.9em}\n"
	"th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\n"
	"th{background:#f0f0f0}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"table.kv th{width:12em}\n"
	"figure{margin:1em 0;padding:.5em;border:1px solid #ddd;background:#fff}\n"
	"figure svg{max-width:100%;height:auto;display:block}\n"
	"figcaption{font-size:.9em;color:#444;margin-top:.4em}\n"
	".explain{font-size:1.02em}\n"
	".note{color:#8a5a00}\n.skip{color:#555}\n.missing{color:#a00}\n"
	".fignote{border-left:3px solid #bbb;padding-left:.6em;color:#333}\n"
	".v-worse{color:#b00;font-weight:bold}\n.v-better{color:#070;font-weight:bold}\n"
	".v-unsure{color:#8a5a00}\n"
	"code{background:#f4f4f4;padding:0 .2em;overflow-wrap:anywhere}\n"
	/* a measurement key has no spaces: let it break anywhere rather than push the
	 * table's numbers off the page */
	"td.key{overflow-wrap:anywhere;min-width:16em}\n"
	"nav ul{columns:3}\n";

void report_html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* Control characters other than tab/newline are not valid in HTML. */
			if (((unsigned char)*s >= 0x20 && *s != 0x7f) || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

#define E(s) report_html_escape(o, (s))

static void kv_line(void *ctx, const char *key, const char *value)
{
	FILE *o = ctx;

	fputs("<tr><th>", o);
	E(key);
	fputs("</th><td>", o);
	E(value);
	fputs("</td></tr>\n", o);
}

static void li_line(void *ctx, const char *key, const char *value)
{
	FILE *o = ctx;

	fputs("<li><b>", o);
	E(key);
	fputs("</b>: ", o);
	E(value);
	fputs("</li>\n", o);
}

/*
 * Paste an SVG file inline: from "<svg" on (no XML declaration or doctype inside
 * HTML), with every id and reference to an id prefixed so that figures do not capture
 * each other's definitions.  Returns 0, or -errno when the file cannot be read.
 */
static int inline_svg(FILE *o, const char *path, const char *prefix)
{
	FILE *in = fopen(path, "r");
	char *buf = NULL, *p;
	size_t len = 0, cap = 0;
	static const char *const pats[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };

	if (!in)
		return -errno;
	for (;;) {
		size_t r;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				free(buf);
				fclose(in);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len - 1, in);
		if (r == 0)
			break;
		len += r;
	}
	fclose(in);
	if (!buf)
		return -EINVAL;
	buf[len] = '\0';
	p = strstr(buf, "<svg");
	if (!p) {
		free(buf);
		return -EINVAL;
	}
	while (*p) {
		bool hit = false;

		for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
			size_t pl = strlen(pats[i]);

			if (strncmp(p, pats[i], pl) == 0) {
				fwrite(p, 1, pl, o);
				fprintf(o, "%s-", prefix);
				p += pl;
				hit = true;
				break;
			}
		}
		if (!hit)
			fputc(*p++, o);
	}
	fputc('\n', o);
	free(buf);
	return 0;
}

static void figure(FILE *o, const struct report *r, const struct report_fig *rf,
		   const char *figdir, int idx)
{
	const struct plot_figure *f = rf->fig;
	char path[4096], prefix[64];

	fputs("<figure>\n", o);
	snprintf(path, sizeof(path), "%s/%s.svg", figdir, f->name);
	snprintf(prefix, sizeof(prefix), "f%d", idx);
	if (!(rf->made & PLOT_SVG) || inline_svg(o, path, prefix) < 0) {
		fputs("<p class=\"missing\">Figure not drawn: ", o);
		if (!r->have_caps)
			fputs("figures were not requested (--no-plots).", o);
		else if (!r->caps.found)
			fputs("gnuplot is not installed (install the gnuplot-nox package).", o);
		else
			fputs("gnuplot failed (see the messages of locus report).", o);
		fputs(" Its gnuplot script and data are in <code>figures/", o);
		E(f->name);
		fputs(".gp</code> and <code>figures/", o);
		E(f->name);
		fputs(".dat</code>.</p>\n", o);
	}
	fputs("<figcaption><b>", o);
	E(f->title);
	fputs(".</b> ", o);
	E(f->caption);
	for (unsigned fm = PLOT_PNG; fm <= PLOT_PDF; fm <<= 1)
		if (rf->made & fm) {
			fprintf(o, " <a href=\"figures/");
			E(f->name);
			fprintf(o, ".%s\">%s</a>", plot_format_name(fm), plot_format_name(fm));
		}
	fputs("</figcaption>\n</figure>\n", o);
}

static void bench_table(FILE *o, const struct report_bench *b)
{
	char *common = report_common_labels(b);
	char n1[32], n2[32], n3[32];
	size_t repeats = 0;

	if (common && *common) {
		fputs("<p>Same for every row: <code>", o);
		E(common);
		fputs("</code></p>\n", o);
	}
	free(common);
	/* Median and peak (the best sample: STREAM's best rate) side by side, each row in
	 * one unit scaled to its median ("25.47 ms", never "2.547e+07 ns"). */
	fputs("<table>\n<tr><th>Metric</th><th>Parameters</th><th>Median</th><th>Peak</th>"
	      "<th>95% CI</th><th>n</th><th>Unit</th><th>Counters</th></tr>\n", o);
	for (size_t i = 0; i < b->n; i++) {
		const json_t *m = b->meas[i];
		char *lt, *ct;
		double lvl = report_summary(m, "ci_level"), div;
		char u[32];

		if (report_meas_repeats(b, m)) {
			repeats++;
			continue;
		}
		lt = report_labels_text(b, m, NULL);
		ct = report_counters_text(m);

		report_scale_unit(json_string_value(json_object_get(m, "unit")) ?: "",
				  fabs(report_summary(m, "median")), &div, u, sizeof(u));
		fputs("<tr><td>", o);
		E(json_string_value(json_object_get(m, "metric")));
		fputs("</td><td>", o);
		E(lt);
		fputs("</td><td class=\"num\">", o);
		E(report_fmt(report_summary(m, "median") / div, n1, sizeof(n1)));
		fputs("</td><td class=\"num\">", o);
		E(report_fmt(report_summary(m, "peak") / div, n1, sizeof(n1)));
		fputs("</td><td class=\"num\">", o);
		report_fmt(report_summary(m, "ci_low") / div, n2, sizeof(n2));
		report_fmt(report_summary(m, "ci_high") / div, n3, sizeof(n3));
		fprintf(o, "[%s, %s]", n2, n3);
		if (isfinite(lvl) && fabs(lvl - 0.95) > 1e-9)
			fprintf(o, " (%.0f%%)", lvl * 100);
		fputs("</td><td class=\"num\">", o);
		E(report_num(report_summary(m, "n"), n1, sizeof(n1)));
		fputs("</td><td>", o);
		E(u);
		fputs("</td><td>", o);
		E(ct && *ct ? ct : "-");
		fputs("</td></tr>\n", o);
		free(lt);
		free(ct);
	}
	fputs("</table>\n", o);
	if (repeats)
		fprintf(o, "<p class=\"fignote\">%zu row%s left out: %s only repeated another "
			"metric's row with the same parameters and numbers (e.g. bandwidth_rfo "
			"where a kernel causes no write-allocate traffic).</p>\n", repeats,
			repeats == 1 ? "" : "s", repeats == 1 ? "it" : "each");
}

/* Several files: one column per file (run or host), one row per measurement key. */
static void side_by_side(FILE *o, const struct report *r, const struct report_bench *b)
{
	struct report_row *rows;
	size_t n;
	char num[32];

	if (r->nfiles < 2 || report_side_by_side(r, b, &rows, &n) < 0)
		return;
	fputs("<h3>Side by side (median per file)</h3>\n<table>\n<tr><th>Metric</th>"
	      "<th>Parameters</th>", o);
	for (size_t f = 0; f < r->nfiles; f++) {
		fputs("<th>", o);
		E(r->files[f].name);
		fputs("</th>", o);
	}
	fputs("<th>Unit</th></tr>\n", o);
	for (size_t i = 0; i < n; i++) {
		char u[32];
		double div;

		report_row_unit(r, &rows[i], &div, u, sizeof(u));
		fputs("<tr><td>", o);
		E(rows[i].metric);
		fputs("</td><td>", o);
		E(rows[i].params);
		fputs("</td>", o);
		for (size_t f = 0; f < r->nfiles; f++)
			fprintf(o, "<td class=\"num\">%s</td>",
				report_fmt(rows[i].median[f] / div, num, sizeof(num)));
		fputs("<td>", o);
		E(u);
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n<h3>All measurements</h3>\n", o);
	report_rows_free(rows, n);
}

static void bench_notes(FILE *o, const struct report_bench *b)
{
	if (!b->nskips && !b->nnotes)
		return;
	fputs("<h3>Skips and warnings</h3>\n<ul>\n", o);
	for (size_t i = 0; i < b->nskips; i++) {
		json_t *s = b->skips[i];
		char *lt = report_labels_text(NULL, s, NULL);

		fputs("<li class=\"skip\">skipped", o);
		if (lt && *lt) {
			fputs(" (", o);
			E(lt);
			fputs(")", o);
		}
		fputs(": ", o);
		E(json_string_value(json_object_get(s, "reason")));
		fputs("</li>\n", o);
		free(lt);
	}
	for (size_t i = 0; i < b->nnotes; i++) {
		fputs("<li class=\"note\">", o);
		E(b->notes[i]);
		fputs("</li>\n", o);
	}
	fputs("</ul>\n", o);
}

struct cap_ctx {
	FILE *o;
	char **obs;      /* observations, printed as a list after the facts */
	size_t nobs;
};

static void cap_line(void *ctx, const char *key, const char *value)
{
	struct cap_ctx *c = ctx;
	char **n;

	if (strcmp(key, "Observation")) {
		kv_line(c->o, key, value);
		return;
	}
	n = realloc(c->obs, (c->nobs + 1) * sizeof(*n));
	if (!n)
		return;
	c->obs = n;
	if ((n[c->nobs] = strdup(value)))
		c->nobs++;
}

static void summary(FILE *o, const struct report *r)
{
	fputs("<section id=\"summary\">\n<h2>Capacity planning summary</h2>\n", o);
	for (size_t i = 0; i < r->nfiles; i++) {
		struct cap_ctx c = { .o = o };

		if (r->nfiles > 1) {
			fputs("<h3>", o);
			E(r->files[i].name);
			fputs("</h3>\n", o);
		}
		fputs("<table class=\"kv\">\n", o);
		report_capacity(&r->files[i], cap_line, &c);
		fputs("</table>\n", o);
		if (c.nobs) {
			fputs("<ul>\n", o);
			for (size_t k = 0; k < c.nobs; k++) {
				fputs("<li>", o);
				E(c.obs[k]);
				fputs("</li>\n", o);
				free(c.obs[k]);
			}
			fputs("</ul>\n", o);
		}
		free(c.obs);
	}
	fputs("</section>\n", o);
}

static void before_after(FILE *o, const struct report *r)
{
	const struct compare_result *c = &r->cmp;
	char n1[48], n2[48], n3[64], ch[32], *sum = report_ab_summary(r);

	fputs("<section id=\"before-after\">\n<h2>Before / after</h2>\n<p>Before: <code>", o);
	E(r->files[0].path);
	fputs("</code>; after: <code>", o);
	E(r->files[1].path);
	fputs("</code>.</p>\n<h3>What changed</h3>\n<table class=\"kv\">\n", o);
	report_ab_change(r, kv_line, o);
	fputs("</table>\n<h3>Headline metrics</h3>\n<ul>\n", o);
	report_ab_headlines(r, li_line, o);
	fputs("</ul>\n<p>", o);
	E(sum ? sum : "");
	free(sum);
	fputs(". Change is after/before &minus; 1 of the medians; the verdict says whether "
	      "that is better or worse for the metric. These are the pairs, numbers and words "
	      "of <code>locus compare BEFORE AFTER</code>. Figures below overlay the two runs "
	      "(series before / after).</p>\n", o);
	fputs("<table>\n<tr><th>Measurement</th><th>Before</th><th>After</th><th>Change</th>"
	      "<th>95% CI of the change</th><th>p</th><th>Verdict</th></tr>\n", o);
	for (size_t i = 0; i < c->n_pairs; i++) {
		const struct compare_pair *p = &c->pairs[i];

		fputs("<tr><td class=\"key\">", o);
		E(p->key);
		if (p->settings) {
			fputs(" <span class=\"setting\">(", o);
			E(p->settings);
			fputs(")</span>", o);
		}
		fputs("</td><td class=\"num\">", o);
		E(report_value(p->median_base, p->unit, n1, sizeof(n1)));
		fputs("</td><td class=\"num\">", o);
		E(report_value(p->median_cur, p->unit, n2, sizeof(n2)));
		fprintf(o, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
			"<td class=\"num\">", report_change(p, ch, sizeof(ch)),
			compare_fmt_ci(n3, sizeof(n3), p));
		E(report_num(p->p_adj, n1, sizeof(n1)));
		fprintf(o, "</td><td class=\"v-%s\">%s</td></tr>\n", report_mark(p),
			compare_verdict_name(p->verdict));
	}
	fputs("</table>\n", o);
	for (size_t i = 0; i < c->n_only_base; i++) {
		fputs("<p class=\"skip\">only before: <code>", o);
		E(c->only_base[i]);
		fputs("</code></p>\n", o);
	}
	for (size_t i = 0; i < c->n_only_cur; i++) {
		fputs("<p class=\"skip\">only after: <code>", o);
		E(c->only_cur[i]);
		fputs("</code></p>\n", o);
	}
	fputs("</section>\n", o);
}

/* --history: the machine's saved runs, each measurement with a change point drawn over
 * them (report-history.c), and what changed at each change point. */
static void history_section(FILE *o, const struct report *r, const char *figdir, int *idx)
{
	char *head = report_history_headline(r);

	fputs("<section id=\"history\">\n<h2>History</h2>\n<p>", o);
	E(head ? head : "");
	fputs(".</p>\n", o);
	free(head);
	for (size_t k = 0; k < r->nhist_figs; k++) {
		size_t si = r->hist_series[k];

		figure(o, r, &r->hist_figs[k], figdir, (*idx)++);
		fputs("<ul>\n", o);
		for (size_t c = 0; c < r->hist->s[si].ncp; c++) {
			char *t = report_history_change(r, si, c);

			fputs("<li>", o);
			E(t ? t : "");
			fputs("</li>\n", o);
			free(t);
		}
		fputs("</ul>\n", o);
	}
	fputs("</section>\n", o);
}

int report_write_html(const struct report *r, const char *path, const char *figdir)
{
	FILE *o = fopen(path, "w");
	int idx = 0, err;

	if (!o) {
		err = errno;
		locus_error("%s: cannot write: %s", path, strerror(err));
		return -err;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>locus report</title>\n<style>\n", o);
	fputs(css, o);
	fputs("</style>\n</head>\n<body>\n<h1>locus report</h1>\n<p>", o);
	fprintf(o, "%zu result file%s:", r->nfiles, r->nfiles == 1 ? "" : "s");
	for (size_t i = 0; i < r->nfiles; i++) {
		fputs(i ? ", <code>" : " <code>", o);
		E(r->files[i].name);
		fputs("</code>", o);
	}
	fputs(". Medians with bootstrap confidence intervals; every number comes from the "
	      "files, nothing was re-measured.</p>\n", o);

	fputs("<nav>\n<ul>\n", o);
	if (r->have_fleet)
		fputs("<li><a href=\"#fleet\">Fleet</a></li>\n", o);
	fputs("<li><a href=\"#summary\">Summary</a></li>\n", o);
	if (r->ab)
		fputs("<li><a href=\"#before-after\">Before / after</a></li>\n", o);
	if (r->hist)
		fputs("<li><a href=\"#history\">History</a></li>\n", o);
	fputs("<li><a href=\"#machine\">Machine</a></li>\n", o);
	for (size_t i = 0; i < r->nbenches; i++) {
		fputs("<li><a href=\"#bench-", o);
		E(r->benches[i].name);
		fputs("\">", o);
		E(r->benches[i].name);
		fputs("</a></li>\n", o);
	}
	fputs("</ul>\n</nav>\n", o);
	if (r->have_fleet)
		fleet_write_html(&r->fleet, o);
	summary(o, r);
	if (r->ab)
		before_after(o, r);
	if (r->hist)
		history_section(o, r, figdir, &idx);

	fputs("<section id=\"machine\">\n<h2>Machine</h2>\n", o);
	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->nfiles > 1) {
			fputs("<h3>", o);
			E(r->files[i].name);
			fputs("</h3>\n", o);
		}
		fputs("<table class=\"kv\">\n", o);
		report_machine(&r->files[i], kv_line, o);
		fputs("</table>\n<details>\n<summary>Fingerprint (the settings that make results "
		      "comparable)</summary>\n<table class=\"kv\">\n", o);
		report_fingerprint(&r->files[i], kv_line, o);
		fputs("</table>\n</details>\n", o);
	}
	if (r->nwarnings) {
		fputs("<h3>Warnings</h3>\n<ul>\n", o);
		for (size_t i = 0; i < r->nwarnings; i++) {
			fputs("<li class=\"note\">", o);
			E(r->warnings[i]);
			fputs("</li>\n", o);
		}
		fputs("</ul>\n", o);
	}
	fputs("</section>\n", o);

	for (size_t i = 0; i < r->nbenches; i++) {
		const struct report_bench *b = &r->benches[i];

		fputs("<section id=\"bench-", o);
		E(b->name);
		fputs("\">\n<h2>", o);
		E(b->name);
		fputs("</h2>\n<p class=\"explain\">", o);
		E(report_explain(b));
		fputs("</p>\n", o);
		for (size_t k = 0; k < b->nfigs; k++)
			figure(o, r, &b->figs[k], figdir, idx++);
		for (size_t k = 0; k < b->nfig_notes; k++) {
			fputs("<p class=\"fignote\">", o);
			E(b->fig_notes[k]);
			fputs("</p>\n", o);
		}
		side_by_side(o, r, b);
		if (b->n)
			bench_table(o, b);
		else
			fputs("<p class=\"skip\">No measurements.</p>\n", o);
		bench_notes(o, b);
		fputs("</section>\n", o);
	}
	fputs("<hr>\n<p><small>Generated by <code>locus report</code>. Each figure's gnuplot "
	      "script and data are in <code>figures/</code>, one CSV per benchmark in "
	      "<code>data/</code>.</small></p>\n</body>\n</html>\n", o);
	if (ferror(o) | (fclose(o) != 0)) {
		err = errno ? errno : EIO;
		locus_error("%s: write failed: %s", path, strerror(err));
		return -err;
	}
	return 0;
}
