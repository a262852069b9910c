/* SPDX-License-Identifier: MIT */
/*
 * compare-verdict.h — the verdict rules of `locus compare` and `locus gate`: from the
 * statistics of one baseline/current pair (lib/stattest.h) to regressed, improved,
 * unchanged or inconclusive.  Pure functions, so the rules can be tested and
 * calibrated apart from result files.
 *
 * THE VERDICT RULE (evaluated in this order; t = threshold, e.g. 0.05; the "ratio" r is
 * the ratio of medians oriented so that r > 1 is worse: current/baseline when lower is
 * better, baseline/current when higher is better; [lo, hi] is its bootstrap CI; p is
 * the Mann-Whitney p-value adjusted for multiple comparisons, see below):
 *
 *   1. inconclusive  fewer than min_samples (3) samples on either side, or so few that
 *                    even a perfect separation could not reach p < alpha
 *                    (2 / C(n1+n2, n1) >= alpha), or a median is zero or negative so
 *                    the ratio is undefined;
 *   2. regressed     p < alpha  AND  r >= 1 + t  AND  lo > 1
 *                    (significant, big enough, and the CI agrees it is worse at all);
 *   3. inconclusive  p < alpha  AND  r >= 1 + t  but  lo <= 1
 *                    (the rank test and the CI of the medians disagree);
 *   4. improved      p < alpha  AND  r <= 1/(1 + t)  AND  hi < 1;
 *   5. inconclusive  hi >= 1 + t
 *                    (a regression of at least the threshold can be neither confirmed
 *                    nor ruled out: the CI straddles the threshold — or, when lo >= 1 + t
 *                    too, the CI lies beyond it but p >= alpha: the reason says which);
 *   5b. inconclusive r <= 1/(1 + t) without rule 4 (an improvement the test cannot
 *                    confirm);
 *   6. unchanged     everything else.
 *
 * Every inconclusive reason of rules 3, 5, 5b and of the run level starts "too noisy to
 * tell".  And whatever the rules below decide, a pair whose shown change r is beyond
 * the threshold (r >= 1 + t or r <= 1/(1 + t)) is never "unchanged":
 * compare_guard_change() makes it inconclusive — a change the test cannot confirm is
 * not evidence of no change.
 *
 * Improvement uses 1/(1+t) so that the two thresholds are symmetric on a log scale
 * (a 5% threshold means x1.05 worse or x1/1.05 better).
 *
 * MULTI-RUN BASELINES (the run-level component).  Samples within one run agree far
 * more closely than the medians of separate runs of the same code (page placement,
 * frequency, neighbours move a whole run), so a within-run test against ONE baseline
 * run calls run-to-run drift "significant".  When the baseline holds K >= 2 runs of a
 * measurement (a run counts when it has at least one sample of it), the rule above is
 * applied to the POOLED baseline samples (every run's samples together: n_base = their
 * total), and then the run level decides whether the change is larger than the runs
 * themselves vary.
 *
 * With K >= 3 runs (COMPARE_RUN_TEST_MIN_RUNS), a run-level test with a real p-value:
 * the K run medians are taken as a sample of the run-to-run distribution on a log scale
 * (ratios are what matter): m = mean of their logs, s = their sd (K - 1 divisor),
 * floored at s0 = log(1 + t/4) (COMPARE_RUN_SD_FLOOR; t taken as at least 1% for the
 * floor) so that identical run medians do not make every tiny change significant;
 * x = log of the current median.  T = (x - m) / (s sqrt(1 + 1/K)) is Student t with
 * K - 1 degrees of freedom when the current run is one more draw of the same
 * distribution (the prediction interval of a normal sample); p_worse = P(T' >= T) with
 * T oriented so that > 0 is worse (negated when higher is better), p_better the other
 * tail.  The ratio R = current median / median of the K run medians, bad direction.
 *
 *   7. a pooled "regressed" stays regressed only when  p_run < alpha  AND  R >= 1 + t,
 *      where p_run is p_worse Holm-adjusted over the run-level family: the pairs of the
 *      comparison whose pooled verdict is regressed or improved and that have K >= 3
 *      (each with its own one-sided p); otherwise unchanged.  A pooled "inconclusive"
 *      of rule 3 or 5 (the within-run CI cannot decide) becomes unchanged when the
 *      RAW p_worse >= alpha or R < 1 + t (even unadjusted, the run level rules the
 *      regression out); other inconclusives (rule 1) stay;
 *   8. a pooled "improved" stays improved only when its Holm-adjusted p_better < alpha
 *      AND  R <= 1/(1 + t);  otherwise unchanged;
 *   9. every other verdict is kept.  A run median <= 0 makes the test undefined: a
 *      pooled regression or improvement becomes inconclusive.
 *
 * So a gate failure needs the within-run pooled test (Holm over all measurements) AND
 * the run-level test (Holm over the measurements that reach it) at the same alpha, and
 * an effect of the threshold against the baseline's typical run.  Caveats: the t test
 * assumes log run medians roughly normal; a bimodal measurement (two placements) has a
 * large s, so only changes well beyond both modes are called (as they should be with
 * few runs); the family of the run-level step is chosen by the pooled test, which
 * keeps it small: that is what the gate needs, but it is not a formal family-wise
 * guarantee over all measurements.  Calibrate (scripts/gate-calibration).
 *
 * With K = 2 the t test has one degree of freedom and is nearly powerless, so the
 * older range rule stays: with w = the bad-direction ratio of the current median to
 * the WORST of the two runs' medians and b = the same to the BEST (w <= b):
 *
 *   7'. a pooled "regressed" stays regressed only when  w >= 1 + t  (worse than both
 *       runs by the threshold); otherwise unchanged, and a pooled inconclusive of rule 3
 *       or 5 becomes unchanged when w < 1 + t;
 *   8'. a pooled "improved" stays improved only when  b <= 1/(1 + t);  else unchanged.
 *
 * (Without a p-value that rule cannot be corrected for multiplicity: under no change
 * the current run is the worst of K + 1 with probability 1/(K + 1).)  With one
 * baseline run (K = 1) rules 7-9 do not apply and the output warns that run-to-run
 * noise is not accounted for.
 *
 * MULTIPLE COMPARISONS.  A gate fails when any of its m measurements regresses, so
 * alpha must bound the chance of a false alarm in the whole comparison, not in each
 * measurement: with 150 measurements at a per-test 1% a clean run would fail most of
 * the time.  The p-values of the measurements compared together are therefore adjusted
 * by Holm's step-down method (the i-th smallest of m is multiplied by m - i + 1, then
 * made monotone), which controls the family-wise error rate at alpha whatever the
 * dependence between measurements.  Measurements that cannot be significant at all
 * (rule 1) are left out of m (Tarone's refinement; it keeps the guarantee).
 * --correction none uses the raw p-values.  A measurement present on one
 * side only gets no verdict; it is listed.  Fingerprints (env_critical_keys, lib/env.h)
 * are compared first and differences reported as warnings.
 */
#ifndef LOCUS_COMPARE_VERDICT_H
#define LOCUS_COMPARE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#define COMPARE_MIN_SAMPLES 3u

/* Ordered from worst to best: the human table lists in this order. */
enum compare_verdict {
	VERDICT_REGRESSED,
	VERDICT_INCONCLUSIVE,
	VERDICT_UNCHANGED,
	VERDICT_IMPROVED,
};
#define COMPARE_NR_VERDICTS 4

/* "regressed", "inconclusive", "unchanged", "improved". */
const char *compare_verdict_name(enum compare_verdict v);

/* The verdict rule above, as a pure function of the (adjusted) p-value.  *reason (may
 * be NULL) receives a short static explanation ("too few samples", "CI straddles the
 * threshold", ...). */
enum compare_verdict compare_decide(size_t n_base, size_t n_cur, double p, double ratio,
				    double ci_low, double ci_high, double alpha,
				    double threshold, const char **reason);

/* Rules 7'-8' (two-run baselines; compare_decide_run_test() for three or more) as a
 * pure function: the final verdict given the
 * pooled one, the number of baseline runs, and w / b (ratios of the current median to
 * the worst / best baseline run's median, bad direction).  runs < 2 returns `pooled`
 * and leaves *reason alone; a NAN w or b (a run median <= 0) demotes a regression or
 * improvement to inconclusive.  *reason (may be NULL) holds the pooled verdict's reason
 * from compare_decide() on entry (it tells rules 3 and 5 from rule 1) and is replaced
 * when the verdict changes. */
enum compare_verdict compare_decide_runs(enum compare_verdict pooled, size_t runs,
					 double worst_ratio, double best_ratio,
					 double threshold, const char **reason);

/* The run-level test (rules 7-8 with K >= COMPARE_RUN_TEST_MIN_RUNS baseline runs). */
#define COMPARE_RUN_TEST_MIN_RUNS 3u
/* The floor of the run-to-run sd on the log scale, as a fraction of the threshold:
 * s >= log(1 + COMPARE_RUN_SD_FLOOR * threshold). */
#define COMPARE_RUN_SD_FLOOR 0.25

struct compare_run_test {
	double ratio_mid;             /* current median / median of the runs' medians, bad
				       * direction (> 1 is worse) */
	double sd;                    /* s after the floor (log scale); NAN when k < 3 */
	double t;                     /* (x - m) / (s sqrt(1 + 1/k)), > 0 is worse */
	double p_worse, p_better;     /* one-sided p-values (k - 1 degrees of freedom) */
};

/* The run-level test of rules 7-8 on the medians of k baseline runs and the current
 * median: ratio_mid always, t and the p-values when k >= COMPARE_RUN_TEST_MIN_RUNS
 * (NAN otherwise).  Returns 0, -EINVAL (k = 0), -EDOM (a median <= 0: everything
 * NAN) or -ENOMEM. */
int compare_run_test(const double *medians, size_t k, double cur, bool higher_is_better,
		     double threshold, struct compare_run_test *out);

/* Rules 7-8 for K >= 3 runs as a pure function: the final verdict given the pooled
 * one, the number of runs, run_p (for a pooled regression the Holm-adjusted p_worse,
 * for an improvement the adjusted p_better, for an inconclusive of rule 3 or 5 the raw
 * p_worse) and ratio_mid.  runs < 3 returns `pooled` and leaves *reason alone (use
 * compare_decide_runs()); a NAN run_p or ratio_mid demotes a regression or
 * improvement to inconclusive.  *reason as for compare_decide_runs(). */
enum compare_verdict compare_decide_run_test(enum compare_verdict pooled, size_t runs,
					     double run_p, double mid_ratio, double alpha,
					     double threshold, const char **reason);

/* The final guard: UNCHANGED with a ratio beyond the threshold becomes INCONCLUSIVE
 * ("too noisy to tell: a change beyond the threshold that the test cannot confirm",
 * compare_unconfirmed_reason); any other verdict is returned as is. */
enum compare_verdict compare_guard_change(enum compare_verdict v, double ratio,
					  double threshold, const char **reason);
extern const char compare_unconfirmed_reason[];

/* The smallest regression (relative, >= threshold) this pair could confirm: the
 * pooled CI's half-width on the log scale (sqrt(hi/lo) - 1), or the run-level
 * run_detectable when that is larger; INFINITY when the pair cannot be significant at
 * all (too few samples for alpha after the correction) or has no CI.  A pair whose
 * detectable change is above the threshold is "blind" to it (--fail-on blind). */
double compare_detectable(double ratio, double ci_low, double ci_high, double run_detectable,
			  bool can_be_significant, double threshold);

/* True when `reason` is one a run-level rule (7-9) gave: the table shows those, since
 * they explain why a significant pooled result did not become the verdict. */
bool compare_reason_is_run_level(const char *reason);

#endif
