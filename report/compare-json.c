/* SPDX-License-Identifier: MIT */
/*
 * compare-json.c — a comparison as JSON ("schema": "locus-compare/1"), for scripts and
 * dashboards: every number of every pair, with non-finite values as null.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <jansson.h>
#include "compare-internal.h"
#include "compare-output.h"
#include "result.h"

static json_t *pair_json(const struct compare_pair *q)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", json_string(q->key));
	json_object_set_new(o, "bench", json_string(q->bench ? q->bench : ""));
	json_object_set_new(o, "metric", json_string(q->metric ? q->metric : ""));
	/* the labels of the key; the baseline's too when a setting label differs */
	json_object_set(o, "labels", json_object_get(q->settings ? q->cur : q->base, "labels"));
	json_object_set_new(o, "unit", json_string(q->unit));
	json_object_set_new(o, "higher_is_better", json_boolean(q->higher_is_better));
	json_object_set_new(o, "verdict", json_string(compare_verdict_name(q->verdict)));
	json_object_set_new(o, "reason", json_string(q->reason ? q->reason : ""));
	if (q->note)
		json_object_set_new(o, "note", json_string(q->note));
	if (q->settings) {
		json_object_set_new(o, "settings", json_string(q->settings));
		json_object_set(o, "labels_baseline", json_object_get(q->base, "labels"));
	}
	json_object_set_new(o, "n_baseline", json_integer((json_int_t)q->n_base));
	json_object_set_new(o, "n_current", json_integer((json_int_t)q->n_cur));
	json_object_set_new(o, "median_baseline", json_num(q->median_base));
	json_object_set_new(o, "median_current", json_num(q->median_cur));
	json_object_set_new(o, "ratio", json_num(q->ratio));
	json_object_set_new(o, "change", json_num(compare_change(q)));
	{
		double lo, hi;

		compare_change_ci(q, &lo, &hi);
		json_object_set_new(o, "change_ci_low", json_num(lo));
		json_object_set_new(o, "change_ci_high", json_num(hi));
		json_object_set_new(o, "direction", json_string(compare_better_worse(q)));
	}
	json_object_set_new(o, "ci_low", json_num(q->ci_low));
	json_object_set_new(o, "ci_high", json_num(q->ci_high));
	json_object_set_new(o, "ci_level", json_num(q->ci_level));
	json_object_set_new(o, "hl_shift", json_num(q->hl_shift));
	json_object_set_new(o, "p_value", json_num(q->mw.p));
	json_object_set_new(o, "p_adjusted", json_num(q->p_adj));
	json_object_set_new(o, "family_size", json_integer((json_int_t)q->family));
	json_object_set_new(o, "u", json_num(q->mw.u));
	json_object_set_new(o, "test", isnan(q->mw.p) ? json_null() :
				json_string(q->mw.exact ? "exact" : "normal"));
	json_object_set_new(o, "alpha", json_num(q->alpha));
	json_object_set_new(o, "threshold", json_num(q->threshold));
	json_object_set_new(o, "baseline_runs", json_integer((json_int_t)q->base_runs));
	json_object_set_new(o, "current_runs", json_integer((json_int_t)q->cur_runs));
	json_object_set_new(o, "run_current", json_num(q->run_current));
	json_object_set_new(o, "run_detectable", json_num(q->run_detectable));
	json_object_set_new(o, "detectable", json_num(q->detectable));
	json_object_set_new(o, "blind", json_boolean(compare_pair_blind(q)));
	json_object_set_new(o, "peak_baseline", json_num(compare_peak_of(q->base)));
	json_object_set_new(o, "peak_current", json_num(compare_peak_of(q->cur)));
	json_object_set_new(o, "run_median_best", json_num(q->run_median_best));
	json_object_set_new(o, "run_median_worst", json_num(q->run_median_worst));
	json_object_set_new(o, "run_spread", json_num(q->run_spread));
	json_object_set_new(o, "run_ratio_worst", json_num(q->run_ratio_worst));
	json_object_set_new(o, "run_ratio_best", json_num(q->run_ratio_best));
	json_object_set_new(o, "run_ratio_median", json_num(q->run_test.ratio_mid));
	json_object_set_new(o, "run_t", json_num(q->run_test.t));
	json_object_set_new(o, "run_p_worse", json_num(q->run_test.p_worse));
	json_object_set_new(o, "run_p_better", json_num(q->run_test.p_better));
	json_object_set_new(o, "run_p_adjusted", json_num(q->run_p_adj));
	json_object_set_new(o, "run_family_size", json_integer((json_int_t)q->run_family));
	return o;
}

static json_t *str_array(char *const *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

json_t *compare_to_json(const struct compare_result *r, const struct compare_outputs *out)
{
	json_t *o = json_object(), *a = json_array(), *env = json_array(), *cnt = json_object();

	json_object_set_new(o, "schema", json_string("locus-compare/1"));
	json_object_set_new(o, "baseline", json_string(compare_base_name(out)));
	json_object_set_new(o, "current", json_string(compare_cur_name(out)));
	json_object_set_new(o, "alpha", json_num(out->alpha));
	json_object_set_new(o, "threshold", json_num(out->threshold));
	json_object_set_new(o, "correction", json_string(out->no_correction ? "none" : "holm"));
	json_object_set_new(o, "baseline_runs", json_integer((json_int_t)r->n_base_runs));
	json_object_set_new(o, "current_runs", json_integer((json_int_t)r->n_cur_runs));
	{
		double best, med, worst;
		size_t ok, n = compare_detectable_summary(r, out->threshold, &best, &med, &worst, &ok);

		if (n)
			json_object_set_new(o, "run_detectable", json_pack(
				"{s:o, s:o, s:o, s:I, s:I}", "best", json_num(best), "median",
				json_num(med), "worst", json_num(worst), "measurements", (json_int_t)n,
				"within_twice_threshold", (json_int_t)ok));
	}
	{
		double med, worst;
		size_t blind, n = compare_blind_summary(r, &blind, &med, &worst);

		json_object_set_new(o, "sensitivity", json_pack("{s:I, s:I, s:o}",
			"measurements", (json_int_t)n, "blind", (json_int_t)blind,
			"blind_detectable_median", json_num(med)));
	}
	if (r->n_base_runs == 1)
		json_object_set_new(o, "warning", json_string(compare_single_run_note));
	json_object_set_new(o, "method", json_string(
		"change = current/baseline - 1 of the medians (ratio: the same in the bad direction, > 1 worse) with a percentile-bootstrap CI; two-sided "
		"Mann-Whitney U (exact without ties for small samples, else normal approximation "
		"with tie and continuity correction); Hodges-Lehmann shift; with 2 or more "
		"baseline runs, samples pooled and a regression must also pass the run-level "
		"rule: with 3 or more runs a one-sided Student t prediction test of the current "
		"log median against the runs' log medians (Holm-adjusted) and a ratio to the "
		"median of the runs' medians of at least 1 + threshold; with 2 runs, worse than "
		"every run's median by the threshold"));
	for (size_t i = 0; i < r->n_env_diffs; i++)
		json_array_append_new(env, json_pack("{s:s, s:s, s:s}", "key", r->env_diffs[i].key,
						     "baseline", r->env_diffs[i].base,
						     "current", r->env_diffs[i].cur));
	json_object_set_new(o, "env_differences", env);
	for (size_t i = 0; i < r->n_pairs; i++)
		json_array_append_new(a, pair_json(&r->pairs[i]));
	json_object_set_new(o, "comparisons", a);
	json_object_set_new(o, "only_in_baseline", str_array(r->only_base, r->n_only_base));
	json_object_set_new(o, "only_in_current", str_array(r->only_cur, r->n_only_cur));
	json_object_set_new(o, "duplicates", str_array(r->duplicates, r->n_duplicates));
	for (int v = 0; v < COMPARE_NR_VERDICTS; v++)
		json_object_set_new(cnt, compare_verdict_name(v), json_integer((json_int_t)r->count[v]));
	json_object_set_new(o, "counts", cnt);
	json_object_set_new(o, "failed", json_boolean(compare_exit_code(r, out) != 0));
	return o;
}
