/* SPDX-License-Identifier: MIT */
/*
 * compare-verdict.c — the verdict rules (compare-verdict.h): rules 1-6 on the pooled
 * samples of a pair, and rules 7-9 at the run level (the run-level t test with three
 * or more baseline runs, the range rule with two).
 *
 * A gate that fails builds on noise is switched off within a week, and a gate that
 * only reports is not a gate; so a verdict needs both significance and an effect of at
 * least the threshold, and it says "inconclusive" instead of guessing when the data
 * cannot decide.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "compare-verdict.h"
#include "stats.h"
#include "stattest.h"

const char *compare_verdict_name(enum compare_verdict v)
{
	switch (v) {
	case VERDICT_REGRESSED:
		return "regressed";
	case VERDICT_INCONCLUSIVE:
		return "inconclusive";
	case VERDICT_UNCHANGED:
		return "unchanged";
	case VERDICT_IMPROVED:
		return "improved";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ the verdict */

/* The reasons of rules 3 and 5: the ones rule 7 can settle (compared by address). */
static const char ci_no_change_reason[] =
	"too noisy to tell: significant, but the CI of the ratio includes no change";
static const char ci_straddles_reason[] =
	"too noisy to tell: the CI straddles the threshold, a regression can be neither "
	"confirmed nor ruled out";
/* rule 5 when the whole CI is past the threshold: the rank test (after the correction
 * for multiple comparisons) is what falls short, not the interval */
static const char ci_beyond_reason[] =
	"too noisy to tell: the CI lies beyond the threshold, but the rank test is not "
	"significant (after the correction for multiple comparisons)";
static const char improvement_unconfirmed_reason[] =
	"too noisy to tell: an improvement beyond the threshold that the test cannot confirm";
const char compare_unconfirmed_reason[] =
	"too noisy to tell: a change beyond the threshold that the test cannot confirm";

/* Rule 3 or 5: the pooled test could not decide, the run level may settle it. */
static bool undecided_reason(const char *r)
{
	return r == ci_no_change_reason || r == ci_straddles_reason || r == ci_beyond_reason;
}

enum compare_verdict compare_decide(size_t n_base, size_t n_cur, double p, double ratio,
				    double ci_low, double ci_high, double alpha,
				    double threshold, const char **reason)
{
	double up = 1.0 + threshold, down = 1.0 / (1.0 + threshold);
	enum compare_verdict v;
	const char *why;

	if (n_base < COMPARE_MIN_SAMPLES || n_cur < COMPARE_MIN_SAMPLES) {
		v = VERDICT_INCONCLUSIVE;
		why = "too few samples (at least 3 per side are needed)";
	} else if (stat_mw_min_p(n_base, n_cur) >= alpha) {
		v = VERDICT_INCONCLUSIVE;
		why = "too few samples to ever be significant at this alpha";
	} else if (!isfinite(ratio) || isnan(p)) {
		v = VERDICT_INCONCLUSIVE;
		why = "ratio undefined (a median is zero or negative)";
	} else if (p < alpha && ratio >= up) {
		if (ci_low > 1.0) {
			v = VERDICT_REGRESSED;
			why = "significant and at least the threshold";
		} else {
			v = VERDICT_INCONCLUSIVE;
			why = ci_no_change_reason;
		}
	} else if (p < alpha && ratio <= down && ci_high < 1.0) {
		v = VERDICT_IMPROVED;
		why = "significant and at least the threshold";
	} else if (ci_high >= up) {
		v = VERDICT_INCONCLUSIVE;
		why = ci_low >= up ? ci_beyond_reason : ci_straddles_reason;
	} else if (ratio <= down) {
		v = VERDICT_INCONCLUSIVE;
		why = improvement_unconfirmed_reason;
	} else {
		v = VERDICT_UNCHANGED;
		why = p < alpha ? "significant but smaller than the threshold" : "not significant";
	}
	if (reason)
		*reason = why;
	return v;
}

/* ------------------------------------------------------------------ run level */

int compare_run_test(const double *medians, size_t k, double cur, bool higher_is_better,
		     double threshold, struct compare_run_test *out)
{
	double m = 0.0, ss = 0.0, s, floor_s, se, t, *v;

	out->t = out->p_worse = out->p_better = out->ratio_mid = out->sd = NAN;
	if (!medians || k == 0)
		return -EINVAL;
	if (!(cur > 0.0))
		return -EDOM;
	for (size_t i = 0; i < k; i++)
		if (!(medians[i] > 0.0))
			return -EDOM;
	v = stats_sorted_copy(medians, k);
	if (!v)
		return -ENOMEM;
	out->ratio_mid = stat_bad_ratio(stats_quantile_sorted(v, k, 0.5), cur, higher_is_better);
	free(v);
	if (k < COMPARE_RUN_TEST_MIN_RUNS)
		return 0;
	for (size_t i = 0; i < k; i++)
		m += log(medians[i]);
	m /= (double)k;
	for (size_t i = 0; i < k; i++)
		ss += (log(medians[i]) - m) * (log(medians[i]) - m);
	s = sqrt(ss / (double)(k - 1));
	/* identical (or nearly identical) run medians must not make every tiny change
	 * significant: the spread is never taken as less than a quarter of the threshold */
	floor_s = log1p(fmax(threshold, 0.01) * COMPARE_RUN_SD_FLOOR);
	if (floor_s > 0.0 && !(s >= floor_s))
		s = floor_s;
	out->sd = s;
	se = s * sqrt(1.0 + 1.0 / (double)k);
	if (!(se > 0.0))
		return 0;
	/* oriented so that t > 0 is worse */
	t = (log(cur) - m) / se;
	if (higher_is_better)
		t = -t;
	out->t = t;
	out->p_worse = stat_t_sf(t, (double)(k - 1));
	out->p_better = stat_t_sf(-t, (double)(k - 1));
	return 0;
}

static const char run_test_not_significant_reason[] =
	"significant against the pooled runs, but not against the baseline's run-to-run "
	"variation (run-level t test)";
static const char run_test_noisy_reason[] =
	"too noisy to tell: beyond the threshold, but not significant against the "
	"baseline's run-to-run variation (run-level t test)";
static const char run_test_small_reason[] =
	"significant, but smaller than the threshold against the median of the baseline "
	"runs' medians";
static const char run_test_undecided_reason[] =
	"the pooled CI cannot decide, but the run-level test rules a regression of the "
	"threshold out";

enum compare_verdict compare_decide_run_test(enum compare_verdict pooled, size_t runs,
					     double run_p, double mid_ratio, double alpha,
					     double threshold, const char **reason)
{
	double up = 1.0 + threshold, down = 1.0 / (1.0 + threshold);
	const char *why = NULL;
	enum compare_verdict v = pooled;

	if (runs < COMPARE_RUN_TEST_MIN_RUNS)
		return pooled;
	if (pooled == VERDICT_INCONCLUSIVE && reason && undecided_reason(*reason)) {
		/* unchanged only when the change itself is within the threshold: a p-value
		 * above alpha does not rule a regression out */
		if (!isnan(run_p) && !isnan(mid_ratio) && mid_ratio < up && mid_ratio > down) {
			v = VERDICT_UNCHANGED;
			why = run_test_undecided_reason;
		}
	} else if (pooled == VERDICT_REGRESSED || pooled == VERDICT_IMPROVED) {
		bool reg = pooled == VERDICT_REGRESSED;

		if (isnan(run_p) || isnan(mid_ratio)) {
			v = VERDICT_INCONCLUSIVE;
			why = "a baseline run's median is zero or negative: the run-level test is undefined";
		} else if (!(run_p < alpha)) {
			/* a change beyond the threshold that the runs cannot confirm is too noisy
			 * to tell, never "unchanged" */
			if (reg ? mid_ratio >= up : mid_ratio <= down) {
				v = VERDICT_INCONCLUSIVE;
				why = run_test_noisy_reason;
			} else {
				v = VERDICT_UNCHANGED;
				why = run_test_not_significant_reason;
			}
		} else if (reg ? !(mid_ratio >= up) : !(mid_ratio <= down)) {
			v = VERDICT_UNCHANGED;
			why = run_test_small_reason;
		}
	}
	if (why && reason)
		*reason = why;
	return v;
}

static const char within_runs_reason[] =
	"significant against the pooled runs, but within the baseline's run-to-run range "
	"widened by the threshold";

static const char within_runs_undecided_reason[] =
	"the pooled CI cannot decide, but the current median is within the baseline's "
	"run-to-run range widened by the threshold";

enum compare_verdict compare_decide_runs(enum compare_verdict pooled, size_t runs,
					 double worst_ratio, double best_ratio,
					 double threshold, const char **reason)
{
	double up = 1.0 + threshold, down = 1.0 / (1.0 + threshold);
	const char *why = NULL;
	enum compare_verdict v = pooled;

	if (runs < 2)
		return pooled;
	if (pooled == VERDICT_INCONCLUSIVE && reason && undecided_reason(*reason)) {
		/* the within-run CI cannot decide, but rule 7 can rule a regression out */
		if (!isnan(worst_ratio) && !(worst_ratio >= up)) {
			v = VERDICT_UNCHANGED;
			why = within_runs_undecided_reason;
		}
	} else if (pooled == VERDICT_REGRESSED || pooled == VERDICT_IMPROVED) {
		double w = pooled == VERDICT_REGRESSED ? worst_ratio : best_ratio;

		if (isnan(w)) {
			v = VERDICT_INCONCLUSIVE;
			why = "a baseline run's median is zero or negative: its run-to-run range is undefined";
		} else if (pooled == VERDICT_REGRESSED ? !(w >= up) : !(w <= down)) {
			v = VERDICT_UNCHANGED;
			why = within_runs_reason;
		}
	}
	if (why && reason)
		*reason = why;
	return v;
}

bool compare_reason_is_run_level(const char *reason)
{
	return reason == within_runs_reason || reason == within_runs_undecided_reason ||
	       reason == run_test_not_significant_reason || reason == run_test_small_reason ||
	       reason == run_test_undecided_reason || reason == run_test_noisy_reason;
}

enum compare_verdict compare_guard_change(enum compare_verdict v, double ratio,
					  double threshold, const char **reason)
{
	double up = 1.0 + threshold, down = 1.0 / (1.0 + threshold);

	if (v != VERDICT_UNCHANGED || !isfinite(ratio) || (ratio < up && ratio > down))
		return v;
	if (reason)
		*reason = compare_unconfirmed_reason;
	return VERDICT_INCONCLUSIVE;
}

double compare_detectable(double ratio, double ci_low, double ci_high, double run_detectable,
			  bool can_be_significant, double threshold)
{
	double d;

	if (!can_be_significant || !(ci_low > 0.0) || !isfinite(ci_high) || !isfinite(ratio))
		return INFINITY;
	/* Shifting the current side by a factor x moves the ratio and its CI by x: a
	 * regression is confirmed once the CI's low end clears 1 and the ratio the
	 * threshold.  For a pair with no change (ratio 1, CI about symmetric on the log
	 * scale) that is x = 1/lo = sqrt(hi/lo); the half-width is used for every pair so
	 * the figure describes the noise, not the change. */
	d = sqrt(ci_high / ci_low) - 1.0;
	if (d < threshold)
		d = threshold;
	if (isfinite(run_detectable) && run_detectable > d)
		d = run_detectable;
	return d;
}
