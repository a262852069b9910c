/* SPDX-License-Identifier: MIT */
/*
 * fleet-write.c — the fleet analysis (fleet.c) as a person reads it: one headline that
 * fits a screen ("12 hosts; 1 outlier: node07 bandwidth -23%, ..."), then per odd host
 * the measurements that make it differ and the fingerprint keys set differently on
 * it; as terminal text, HTML, Markdown and JSON.  Every string from a result file is
 * escaped for the interpreter it goes to (HTML, Markdown) or stripped of control
 * characters (terminal).
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fleet.h"
#include "report.h"

/* Most flags listed per host in the tables. */
#define TABLE_FLAGS 10

#define term report_text_escape

/* A host's value and the fleet's in one unit scaled to the larger ("23.62 s vs
 * fleet 0.1894 s"), so the two read alike whatever their size. */
static void pair_text(const struct fleet_meas *m, double v, char *a, char *b, size_t len)
{
	char u[32], n1[32], n2[32];
	double div;

	report_scale_unit(m->unit, fmax(fabs(v), fabs(m->median)), &div, u, sizeof(u));
	snprintf(a, len, "%s%s%s", report_fmt(v / div, n1, sizeof(n1)), *u ? " " : "", u);
	snprintf(b, len, "%s%s%s", report_fmt(m->median / div, n2, sizeof(n2)), *u ? " " : "", u);
}

static void headline_to(FILE *o, const struct fleet *f, void (*esc)(FILE *, const char *))
{
	size_t shown = 0;

	fprintf(o, "%zu hosts, %zu measurements compared (each on 3 or more hosts); ",
		f->nhosts, f->nmeas);
	if (!f->noutliers) {
		fprintf(o, "no host differs from the fleet median by %.0f%% or more with a "
			"robust z of %.1f or more, and the fingerprints agree",
			100 * f->min_effect, f->z_threshold);
		return;
	}
	fprintf(o, "%zu outlier%s: ", f->noutliers, f->noutliers == 1 ? "" : "s");
	for (size_t i = 0; i < f->nhosts && shown < 3; i++) {
		const struct fleet_host *h = &f->hosts[i];

		if (!h->nflags && !h->nenv)
			continue;
		fputs(shown++ ? "; " : "", o);
		esc(o, h->name);
		if (h->nflags) {
			/* The headline names the bench and metric; the tables below have
			 * the labels. */
			const struct fleet_flag *fl = &h->flags[0];

			fputs(" ", o);
			esc(o, f->meas[fl->meas].bench);
			if (strcmp(f->meas[fl->meas].metric, f->meas[fl->meas].bench)) {
				fputs(" ", o);
				esc(o, f->meas[fl->meas].metric);
			}
			fprintf(o, " %+.1f%% (%s", 100 * fl->change, fl->worse ? "worse" : "better");
			if (h->nflags > 1)
				fprintf(o, "; %zu measurements flagged", h->nflags);
			fputs(")", o);
		}
		if (h->nenv) {
			fputs(h->nflags ? ", fingerprint differs in " : " fingerprint differs in ", o);
			for (size_t k = 0; k < h->nenv && k < 3; k++) {
				fputs(k ? ", " : "", o);
				esc(o, h->env[k].key);
				fputs(" (", o);
				esc(o, h->env[k].value);
				fputs(" vs ", o);
				esc(o, h->env[k].fleet_value);
				fputs(")", o);
			}
			if (h->nenv > 3)
				fprintf(o, " and %zu more keys", h->nenv - 3);
		} else if (h->nflags) {
			fputs(", same fingerprint", o);
		}
	}
	if (f->noutliers > shown)
		fprintf(o, "; %zu more", f->noutliers - shown);
}

/* Why the knee positions are not in the comparison (fleet.c is_knee()). */
static void knees_to(FILE *o, const struct fleet *f, void (*esc)(FILE *, const char *))
{
	fprintf(o, "Not compared host by host: %zu knee position%s (", f->nknees,
		f->nknees == 1 ? "" : "s");
	esc(o, f->knee_metrics ? f->knee_metrics : "");
	fputs("), numbered as each host finds them, so knee 1 of one host need not be knee 1 "
	      "of another; the figures overlay every host's knees", o);
}

char *fleet_headline(const struct fleet *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	if (!o)
		return NULL;
	headline_to(o, f, term);
	if (fclose(o)) {
		free(buf);
		return NULL;
	}
	return buf;
}

void fleet_print_text(const struct fleet *f, FILE *o)
{
	char *head = fleet_headline(f);

	fputs("Fleet\n", o);
	if (head) {
		fputs("  ", o);
		report_text_wrap(o, head, 2, 2, 78);
		free(head);
	}
	if (f->nknees) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			knees_to(m, f, term);
			if (fclose(m) == 0) {
				fputs("  ", o);
				report_text_wrap(o, buf, 2, 2, 78);
			}
			free(buf);
		}
	}
	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *h = &f->hosts[i];

		if (!h->nflags && !h->nenv)
			continue;
		fputs("\n  ", o);
		term(o, h->name);
		fprintf(o, " (%s):\n", h->file);
		for (size_t k = 0; k < h->nflags && k < TABLE_FLAGS; k++) {
			const struct fleet_flag *fl = &h->flags[k];
			const struct fleet_meas *m = &f->meas[fl->meas];

			/* bench/metric and its labels in words, wrapped to 80 columns. */
			char *kt = NULL, a[64], b[64], *line = NULL;

			if (asprintf(&kt, "%s/%s%s%s", m->bench, m->metric, *m->words ? ": " : "",
				     m->words) >= 0) {
				fputs("    ", o);
				report_text_wrap(o, kt, 4, 6, 80);
			}
			free(kt);
			pair_text(m, fl->value, a, b, sizeof(a));
			if (asprintf(&line, "%s vs fleet %s: %+.1f%% (%s), robust z %+.1f", a, b,
				     100 * fl->change, fl->worse ? "worse" : "better", fl->z) >= 0) {
				fputs("      ", o);
				report_text_wrap(o, line, 6, 8, 80);
			}
			free(line);
		}
		if (h->nflags > TABLE_FLAGS)
			fprintf(o, "    ... and %zu more measurements\n", h->nflags - TABLE_FLAGS);
		for (size_t k = 0; k < h->nenv; k++) {
			char *line = NULL;

			/* Wrapped; the continuation two columns in. */
			if (asprintf(&line, "fingerprint %s = %s (fleet: %s)", h->env[k].key,
				     h->env[k].value, h->env[k].fleet_value) < 0)
				continue;
			fputs("    ", o);
			report_text_wrap(o, line, 4, 6, 80);
			free(line);
		}
	}
}

void fleet_write_html(const struct fleet *f, FILE *o)
{
	fputs("<section id=\"fleet\">\n<h2>Fleet</h2>\n<p><strong>", o);
	headline_to(o, f, report_html_escape);
	fprintf(o, ".</strong></p>\n<p>Each host's median is compared with the median of "
		"all hosts; a host is flagged on a measurement when it differs by at least "
		"%.0f%%, its robust z-score (from the median absolute deviation) is at least "
		"%.1f, and its own confidence interval of the median does not reach the fleet "
		"median.  Fingerprints are compared key by key against the value most hosts "
		"share.</p>\n",
		100 * f->min_effect, f->z_threshold);
	if (f->nknees) {
		fputs("<p>", o);
		knees_to(o, f, report_html_escape);
		fputs(".</p>\n", o);
	}
	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *h = &f->hosts[i];

		if (!h->nflags && !h->nenv)
			continue;
		fputs("<h3>", o);
		report_html_escape(o, h->name);
		fputs("</h3>\n", o);
		if (h->nflags) {
			fputs("<table>\n<tr><th>measurement</th><th>this host</th><th>fleet "
			      "median</th><th>change</th><th>robust z</th></tr>\n", o);
			for (size_t k = 0; k < h->nflags && k < TABLE_FLAGS; k++) {
				const struct fleet_flag *fl = &h->flags[k];
				const struct fleet_meas *m = &f->meas[fl->meas];
				char a[64], b[64];

				pair_text(m, fl->value, a, b, sizeof(a));
				fputs("<tr><td>", o);
				report_html_escape(o, m->bench);
				fputs("/", o);
				report_html_escape(o, m->metric);
				if (*m->words)
					fputs(": ", o);
				report_html_escape(o, m->words);
				fputs("</td><td class=\"num\">", o);
				report_html_escape(o, a);
				fputs("</td><td class=\"num\">", o);
				report_html_escape(o, b);
				fprintf(o, "</td><td class=\"num %s\">%+.1f%%</td><td class=\"num\">"
					"%+.1f</td></tr>\n", fl->worse ? "v-worse" : "v-better",
					100 * fl->change, fl->z);
			}
			fputs("</table>\n", o);
			if (h->nflags > TABLE_FLAGS)
				fprintf(o, "<p>... and %zu more measurements.</p>\n",
					h->nflags - TABLE_FLAGS);
		}
		if (h->nenv) {
			fputs("<table class=\"kv\">\n<tr><th>fingerprint key</th><th>this host</th>"
			      "<th>most hosts</th></tr>\n", o);
			for (size_t k = 0; k < h->nenv; k++) {
				fputs("<tr><td><code>", o);
				report_html_escape(o, h->env[k].key);
				fputs("</code></td><td>", o);
				report_html_escape(o, h->env[k].value);
				fputs("</td><td>", o);
				report_html_escape(o, h->env[k].fleet_value);
				fputs("</td></tr>\n", o);
			}
			fputs("</table>\n", o);
		}
	}
	fputs("</section>\n", o);
}

void fleet_write_markdown(const struct fleet *f, FILE *o)
{
	fputs("## Fleet\n\n**", o);
	headline_to(o, f, report_md_escape);
	fputs(".**\n\n", o);
	if (f->nknees) {
		knees_to(o, f, report_md_escape);
		fputs(".\n\n", o);
	}
	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *h = &f->hosts[i];

		if (!h->nflags && !h->nenv)
			continue;
		fputs("### ", o);
		report_md_escape(o, h->name);
		fputs("\n\n", o);
		if (h->nflags) {
			fputs("| measurement | this host | fleet median | change | robust z |\n"
			      "|---|---:|---:|---:|---:|\n", o);
			for (size_t k = 0; k < h->nflags && k < TABLE_FLAGS; k++) {
				const struct fleet_flag *fl = &h->flags[k];
				const struct fleet_meas *m = &f->meas[fl->meas];
				char a[64], b[64];

				pair_text(m, fl->value, a, b, sizeof(a));
				fputs("| ", o);
				report_md_escape(o, m->bench);
				fputs("/", o);
				report_md_escape(o, m->metric);
				if (*m->words)
					fputs(": ", o);
				report_md_escape(o, m->words);
				fputs(" | ", o);
				report_md_escape(o, a);
				fputs(" | ", o);
				report_md_escape(o, b);
				fprintf(o, " | %+.1f%% (%s) | %+.1f |\n", 100 * fl->change,
					fl->worse ? "worse" : "better", fl->z);
			}
			fputs("\n", o);
		}
		for (size_t k = 0; k < h->nenv; k++) {
			fputs("- fingerprint `", o);
			/* Inside a code span only the backtick matters. */
			for (const char *s = h->env[k].key; *s; s++)
				fputc(*s == '`' ? '\'' : *s, o);
			fputs("`: ", o);
			report_md_escape(o, h->env[k].value);
			fputs(" (most hosts: ", o);
			report_md_escape(o, h->env[k].fleet_value);
			fputs(")\n", o);
		}
		fputs("\n", o);
	}
}

json_t *fleet_json(const struct fleet *f)
{
	json_t *hosts = json_array(), *outliers = json_array();
	char *head = fleet_headline(f);
	json_t *root = json_pack("{s:s?, s:I, s:I, s:I, s:f, s:f}", "headline", head,
				 "hosts_compared", (json_int_t)f->nhosts,
				 "measurements_compared", (json_int_t)f->nmeas,
				 "knees_not_compared", (json_int_t)f->nknees,
				 "z_threshold", f->z_threshold, "min_effect", f->min_effect);

	free(head);
	if (!root || !hosts || !outliers)
		goto nomem;
	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		json_t *flags = json_array(), *env = json_array();
		json_t *jh = json_pack("{s:s, s:s, s:I, s:o, s:o}", "name", h->name, "file",
				       h->file, "measurements", (json_int_t)h->nmeas,
				       "flags", flags, "env", env);

		if (!jh)
			goto nomem;
		json_array_append_new(hosts, jh);
		if (h->nflags || h->nenv)
			json_array_append_new(outliers, json_string(h->name));
		for (size_t k = 0; k < h->nflags; k++) {
			const struct fleet_flag *fl = &h->flags[k];
			const struct fleet_meas *m = &f->meas[fl->meas];

			json_array_append_new(flags, json_pack(
				"{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:b}", "key", m->key,
				"bench", m->bench, "metric", m->metric, "value", fl->value,
				"fleet_median", m->median, "change", fl->change, "z", fl->z,
				"worse", fl->worse));
		}
		for (size_t k = 0; k < h->nenv; k++)
			json_array_append_new(env, json_pack("{s:s, s:s, s:s}", "key",
				h->env[k].key, "value", h->env[k].value, "fleet_value",
				h->env[k].fleet_value));
	}
	json_object_set_new(root, "hosts", hosts);
	json_object_set_new(root, "outliers", outliers);
	return root;
nomem:
	json_decref(root);
	json_decref(hosts);
	json_decref(outliers);
	return NULL;
}
