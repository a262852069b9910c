/* SPDX-License-Identifier: MIT */
/*
 * compare-table.c — the human table of `locus compare` (worst first, fingerprint
 * warnings on top, one-side-only keys at the bottom) and compare_emit(), which writes
 * every output a comparison asks for.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare-internal.h"
#include "compare-output.h"
#include "log.h"
#include "output.h"

void compare_print_table(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out)
{
	char ch[32], ci[64], p[32], vb[48], vc[48], sh[48], n[48], cil[16], sp[40];
	bool multi = r->n_base_runs > 1;

	fprintf(f, "locus compare: baseline %s, current %s\n", compare_base_name(out), compare_cur_name(out));
	if (r->n_env_diffs) {
		fprintf(f, "WARNING: the environment fingerprints differ; these results are not "
			"comparable like-for-like:\n");
		for (size_t i = 0; i < r->n_env_diffs; i++)
			fprintf(f, "  %s: %s -> %s\n", r->env_diffs[i].key, r->env_diffs[i].base,
				r->env_diffs[i].cur);
	}
	for (size_t i = 0; i < r->n_duplicates; i++)
		fprintf(f, "WARNING: %s appears more than once in a file; the first one is compared\n",
			r->duplicates[i]);
	if (r->n_base_runs == 1)
		fprintf(f, "NOTE: %s.\n", compare_single_run_note);
	else if (r->n_base_runs > 1)
		fprintf(f, "Baseline: %zu runs, samples pooled; RUN SPREAD is the range of the runs' "
			"medians (worst/best - 1); %s\n", r->n_base_runs,
			r->n_base_runs >= COMPARE_RUN_TEST_MIN_RUNS ?
			"a regression must also be significant against the runs' medians "
			"(run-level t test, Holm-adjusted) and worse than their median by the "
			"threshold." :
			"a regression must also be worse than every run's median by the threshold.");
	if (r->n_cur_runs > 1)
		fprintf(f, "Current: %zu runs, samples pooled; %s\n", r->n_cur_runs, compare_cur_runs_note);
	compare_print_detectable(f, r, out, "", "\n");
	compare_print_blind(f, r, "", "\n");
	fputc('\n', f);
	snprintf(cil, sizeof(cil), "%d%% CI", compare_ci_percent(r));
	fprintf(f, "%-12s %8s %-17s %-8s %-6s %12s %12s %13s %7s  ", "VERDICT", "CHANGE",
		cil, "P", "TEST", "BASELINE", "CURRENT", "SHIFT", "N");
	if (multi)
		fprintf(f, "%-14s ", "RUN SPREAD");
	fprintf(f, "MEASUREMENT\n");
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];
		bool custom;

		snprintf(n, sizeof(n), "%zu/%zu", q->n_base, q->n_cur);
		fprintf(f, "%-12s %8s %-17s %-8s %-6s %12s %12s %13s %7s  ",
			compare_verdict_name(q->verdict), compare_fmt_pair_change(ch, sizeof(ch), q),
			compare_fmt_ci(ci, sizeof(ci), q), compare_fmt_p(p, sizeof(p), q->p_adj),
			isnan(q->mw.p) ? "-" : q->mw.exact ? "exact" : "normal",
			compare_fmt_val(vb, sizeof(vb), q->median_base, q->unit),
			compare_fmt_val(vc, sizeof(vc), q->median_cur, q->unit),
			compare_fmt_shift(sh, sizeof(sh), q->hl_shift, q->unit), n);
		if (multi)
			fprintf(f, "%-14s ", compare_fmt_spread(sp, sizeof(sp), q));
		fprintf(f, "%s", q->key);
		custom = q->alpha != out->alpha || q->threshold != out->threshold;
		bool why = q->verdict == VERDICT_INCONCLUSIVE || compare_reason_is_run_level(q->reason);

		if (why || custom) {

			fprintf(f, "  [%s%s", why ? q->reason : "", why && custom ? "; " : "");
			if (custom)
				fprintf(f, "config: alpha %g, threshold %g%%", q->alpha,
					q->threshold * 100.0);
			fputc(']', f);
		}
		if (q->settings)
			fprintf(f, "  [setting %s]", q->settings);
		if (q->note)
			fprintf(f, "  [%s]", q->note);
		fputc('\n', f);
	}
	if (!r->n_pairs)
		fprintf(f, "(no measurement appears in both files)\n");
	if (r->n_only_base) {
		fprintf(f, "\nOnly in the baseline (missing from the current run%s):\n",
			out->fail_on_missing ? "; failing" : "");
		for (size_t i = 0; i < r->n_only_base; i++)
			fprintf(f, "  %s\n", r->only_base[i]);
	}
	if (r->n_only_cur) {
		fprintf(f, "\nOnly in the current run (new, no baseline):\n");
		for (size_t i = 0; i < r->n_only_cur; i++)
			fprintf(f, "  %s\n", r->only_cur[i]);
	}
	fputc('\n', f);
	compare_print_summary(f, r, out);
	fprintf(f, ".\nCHANGE is current/baseline - 1 of the medians (+ = larger; the "
		"VERDICT says whether that is better for the metric), CI its bootstrap interval, P the two-sided Mann-Whitney U p-value%s, SHIFT the "
		"Hodges-Lehmann estimate of current - baseline%s.\n",
		out->no_correction ? "" : " (Holm-adjusted over the measurements that could be "
		"significant)", multi ? " (over the pooled baseline runs)" : "");
}

/* ------------------------------------------------------------------ emit */

typedef void (*compare_writer)(FILE *, const struct compare_result *,
			       const struct compare_outputs *);

/* One output: `fn` writes it to path ("-" = stdout).  0 or -1 (the message printed). */
static int write_to(const char *path, compare_writer fn, const struct compare_result *r,
		    const struct compare_outputs *out)
{
	FILE *f = output_open(path);

	if (!f)
		return -EIO;
	fn(f, r, out);
	return output_close(f, path);
}

/* The JSON document (compare_to_json()) to the main output. */
static int write_json(const char *path, const struct compare_result *r,
		      const struct compare_outputs *out)
{
	json_t *j = compare_to_json(r, out);
	FILE *f;

	if (!j)
		return locus_fail(ENOMEM, "compare: out of memory");
	f = output_open(path);
	if (!f) {
		json_decref(j);
		return -EIO;
	}
	json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	fputc('\n', f);
	json_decref(j);
	return output_close(f, path);
}

int compare_emit(const struct compare_result *r, const struct compare_outputs *out)
{
	int rc;

	if (out->json)
		rc = write_json(out->output, r, out);
	else
		rc = write_to(out->output, compare_print_table, r, out);
	if (out->junit && write_to(out->junit, compare_write_junit, r, out) < 0)
		rc = -EIO;
	if (out->markdown && write_to(out->markdown, compare_write_markdown, r, out) < 0)
		rc = -EIO;
	if (out->github && write_to("-", compare_print_github, r, out) < 0)
		rc = -EIO;
	return rc;
}
