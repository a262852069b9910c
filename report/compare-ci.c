/* SPDX-License-Identifier: MIT */
/*
 * compare-ci.c — the outputs of a comparison made for CI systems: JUnit XML (one test
 * case per measurement), Markdown for a pull-request comment, and GitHub Actions
 * workflow commands.  Each is an interpreter boundary: bench names, labels and notes
 * from a result file are escaped for XML, for Markdown table cells and for workflow
 * commands here.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare-internal.h"
#include "compare-output.h"
#include "report.h"

/* ------------------------------------------------------------------ JUnit */

/* JUnit is XML: the HTML escaper's entities (&#39; for the apostrophe) and its dropping
 * of control characters are what XML 1.0 needs too, so one function serves both. */
#define xml_text report_html_escape

static void xml_pair_line(FILE *f, const struct compare_pair *q)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	compare_pair_line(m, q);
	fclose(m);
	xml_text(f, buf);
	free(buf);
}

void compare_write_junit(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out)
{
	size_t tests = r->n_pairs + r->n_only_base + r->n_only_cur, failures = 0, skipped = 0;

	for (size_t i = 0; i < r->n_pairs; i++) {
		if (compare_pair_fails(&r->pairs[i], out))
			failures++;
		else if (r->pairs[i].verdict == VERDICT_INCONCLUSIVE)
			skipped++;
	}
	if (out->fail_on_missing)
		failures += r->n_only_base;
	else
		skipped += r->n_only_base;
	skipped += r->n_only_cur;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"locus compare\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n", tests, failures, skipped);
	fprintf(f, " <testsuite name=\"locus compare\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n", tests, failures, skipped);
	fprintf(f, "  <properties>\n   <property name=\"baseline\" value=\"");
	xml_text(f, compare_base_name(out));
	fprintf(f, "\"/>\n   <property name=\"current\" value=\"");
	xml_text(f, compare_cur_name(out));
	fprintf(f, "\"/>\n   <property name=\"alpha\" value=\"%g\"/>\n"
		"   <property name=\"threshold\" value=\"%g%%\"/>\n", out->alpha,
		out->threshold * 100.0);
	for (size_t i = 0; i < r->n_env_diffs; i++) {
		fprintf(f, "   <property name=\"env-differs:");
		xml_text(f, r->env_diffs[i].key);
		fprintf(f, "\" value=\"");
		xml_text(f, r->env_diffs[i].base);
		fprintf(f, " -&gt; ");
		xml_text(f, r->env_diffs[i].cur);
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "  </properties>\n");
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];
		char ch[32];

		fprintf(f, "  <testcase classname=\"locus.");
		xml_text(f, q->bench);
		fprintf(f, "\" name=\"");
		xml_text(f, q->key);
		fprintf(f, "\" time=\"0\">\n");
		if (compare_pair_fails(q, out)) {
			fprintf(f, "   <failure type=\"%s\" message=\"%s %s\">",
				compare_verdict_name(q->verdict), compare_verdict_name(q->verdict),
				compare_fmt_pair_change(ch, sizeof(ch), q));
			xml_pair_line(f, q);
			fprintf(f, "</failure>\n");
		} else if (q->verdict == VERDICT_INCONCLUSIVE) {
			fprintf(f, "   <skipped message=\"");
			xml_pair_line(f, q);
			fprintf(f, "\"/>\n");
		} else {
			fprintf(f, "   <system-out>");
			xml_pair_line(f, q);
			fprintf(f, "</system-out>\n");
		}
		fprintf(f, "  </testcase>\n");
	}
	for (size_t i = 0; i < r->n_only_base + r->n_only_cur; i++) {
		bool in_base = i < r->n_only_base;
		const char *key = in_base ? r->only_base[i] : r->only_cur[i - r->n_only_base];

		fprintf(f, "  <testcase classname=\"locus.missing\" name=\"");
		xml_text(f, key);
		fprintf(f, "\" time=\"0\">\n");
		if (in_base && out->fail_on_missing)
			fprintf(f, "   <failure type=\"missing\" message=\"missing from the current run\"/>\n");
		else
			fprintf(f, "   <skipped message=\"%s\"/>\n", in_base ?
				"missing from the current run" : "new measurement, no baseline");
		fprintf(f, "  </testcase>\n");
	}
	fprintf(f, " </testsuite>\n</testsuites>\n");
}

/* ------------------------------------------------------------------ Markdown */

static void md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '`')
			fputc('\'', f);
		else if (*s != '\n' && *s != '\r')
			fputc(*s, f);
	}
}

void compare_write_markdown(FILE *f, const struct compare_result *r,
			    const struct compare_outputs *out)
{
	static const char *const mark[COMPARE_NR_VERDICTS] = {
		[VERDICT_REGRESSED] = ":red_circle:", [VERDICT_INCONCLUSIVE] = ":grey_question:",
		[VERDICT_UNCHANGED] = ":white_circle:", [VERDICT_IMPROVED] = ":green_circle:",
	};
	char ch[32], ci[64], p[32], vb[48], vc[48];
	bool failed = compare_exit_code(r, out) != 0;

	fprintf(f, "### locus performance comparison: %s\n\n", failed ? "**failed**" : "passed");
	fprintf(f, "Baseline `");
	md_cell(f, compare_base_name(out));
	fprintf(f, "`, current `");
	md_cell(f, compare_cur_name(out));
	fprintf(f, "`: ");
	compare_print_summary(f, r, out);
	fprintf(f, ".\n\n");
	if (r->n_env_diffs) {
		fprintf(f, "> :warning: **The environment fingerprints differ**; these results are "
			"not comparable like-for-like:\n");
		for (size_t i = 0; i < r->n_env_diffs; i++) {
			fprintf(f, "> - `");
			md_cell(f, r->env_diffs[i].key);
			fprintf(f, "`: `");
			md_cell(f, r->env_diffs[i].base);
			fprintf(f, "` → `");
			md_cell(f, r->env_diffs[i].cur);
			fprintf(f, "`\n");
		}
		fprintf(f, "\n");
	}
	if (r->n_base_runs == 1)
		fprintf(f, "> :information_source: %s.\n\n", compare_single_run_note);
	else if (r->n_base_runs > 1)
		fprintf(f, "Baseline: %zu runs (samples pooled; a regression must also be %s).\n\n",
			r->n_base_runs, r->n_base_runs >= COMPARE_RUN_TEST_MIN_RUNS ?
			"significant against the runs' medians (run-level t test) and worse than "
			"their median by the threshold" :
			"worse than every run's median by the threshold");
	if (r->n_cur_runs > 1)
		fprintf(f, "Current: %zu runs (samples pooled; %s)\n\n", r->n_cur_runs, compare_cur_runs_note);
	compare_print_detectable(f, r, out, "", "\n\n");
	compare_print_blind(f, r, "> ", "\n\n");
	if (r->n_pairs) {
		fprintf(f, "| | Measurement | Change | %d%% CI | p | Baseline | Current |%s Verdict |\n",
			compare_ci_percent(r), r->n_base_runs > 1 ? " Run spread |" : "");
		fprintf(f, "|---|---|---:|---:|---:|---:|---:|%s---|\n",
			r->n_base_runs > 1 ? "---:|" : "");
	}
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];

		fprintf(f, "| %s | `", mark[q->verdict]);
		md_cell(f, q->key);
		fputc('`', f);
		if (q->settings) {
			fputs(" (", f);
			md_cell(f, q->settings);
			fputc(')', f);
		}
		fprintf(f, " | %s | %s | %s | %s | %s | ",
			compare_fmt_pair_change(ch, sizeof(ch), q), compare_fmt_ci(ci, sizeof(ci), q),
			compare_fmt_p(p, sizeof(p), q->p_adj), compare_fmt_val(vb, sizeof(vb), q->median_base, q->unit),
			compare_fmt_val(vc, sizeof(vc), q->median_cur, q->unit));
		if (r->n_base_runs > 1) {
			char sp[40];

			fprintf(f, "%s | ", compare_fmt_spread(sp, sizeof(sp), q));
		}
		fprintf(f, "%s", compare_verdict_name(q->verdict));
		if (q->verdict == VERDICT_INCONCLUSIVE) {
			fprintf(f, " (");
			md_cell(f, q->reason);
			fprintf(f, ")");
		}
		if (q->note) {
			fprintf(f, " (");
			md_cell(f, q->note);
			fprintf(f, ")");
		}
		fprintf(f, " |\n");
	}
	for (int side = 0; side < 2; side++) {
		char *const *keys = side ? r->only_cur : r->only_base;
		size_t n = side ? r->n_only_cur : r->n_only_base;

		if (!n)
			continue;
		fprintf(f, "\n**%s** (%zu):\n", side ? "Only in the current run (new)" :
			"Missing from the current run", n);
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "- `");
			md_cell(f, keys[i]);
			fprintf(f, "`\n");
		}
	}
	fprintf(f, "\n<sub>Change: current/baseline - 1 of the medians (+ = larger; the verdict says "
		"whether that is better for the metric). A regression "
		"needs p < alpha (two-sided Mann-Whitney U) and a change of at least the "
		"threshold.</sub>\n");
}

/* ------------------------------------------------------------------ GitHub */

/* Workflow-command escaping: data escapes %, CR, LF; properties also ':' and ','. */
static void gh_escape(FILE *f, const char *s, bool property)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':': fputs(property ? "%3A" : ":", f); break;
		case ',': fputs(property ? "%2C" : ",", f); break;
		default: fputc(*s, f);
		}
	}
}

static void gh_command(FILE *f, const char *level, const char *title, const char *msg)
{
	fprintf(f, "::%s title=", level);
	gh_escape(f, title, true);
	fputs("::", f);
	gh_escape(f, msg, false);
	fputc('\n', f);
}

void compare_print_github(FILE *f, const struct compare_result *r,
			  const struct compare_outputs *out)
{
	char *buf = NULL;
	size_t len = 0;

	for (size_t i = 0; i < r->n_env_diffs; i++) {
		if (asprintf(&buf, "%s differs: %s (baseline) vs %s (current)", r->env_diffs[i].key,
			     r->env_diffs[i].base, r->env_diffs[i].cur) < 0)
			return;
		gh_command(f, out->strict_env ? "error" : "warning", "locus: environment differs", buf);
		free(buf);
	}
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];
		const char *level;
		FILE *m;

		/* blind pairs are said once below, not as one warning each */
		if (q->verdict == VERDICT_UNCHANGED || (compare_pair_only_blind(q) && !compare_pair_fails(q, out)))
			continue;
		level = compare_pair_fails(q, out) ? "error" :
			q->verdict == VERDICT_INCONCLUSIVE ? "warning" : "notice";
		m = open_memstream(&buf, &len);
		if (!m)
			return;
		fprintf(m, "%s ", q->key);
		if (q->settings)
			fprintf(m, "(setting %s) ", q->settings);
		compare_pair_line(m, q);
		fclose(m);
		gh_command(f, level, q->verdict == VERDICT_REGRESSED ? "locus: performance regression" :
			   q->verdict == VERDICT_IMPROVED ? "locus: performance improvement" :
			   "locus: inconclusive comparison", buf);
		free(buf);
	}
	{
		size_t len2;
		FILE *m = open_memstream(&buf, &len2);

		if (!m)
			return;
		compare_print_blind(m, r, "", "");
		fclose(m);
		if (*buf)
			gh_command(f, out->fail_on_blind ? "error" : "warning",
				   "locus: measurements too noisy for the threshold", buf);
		free(buf);
	}
	for (size_t i = 0; i < r->n_only_base; i++) {
		if (asprintf(&buf, "%s is in the baseline but missing from the current run",
			     r->only_base[i]) < 0)
			return;
		gh_command(f, out->fail_on_missing ? "error" : "warning", "locus: missing measurement",
			   buf);
		free(buf);
	}
}
