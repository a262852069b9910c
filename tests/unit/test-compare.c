/* SPDX-License-Identifier: MIT */
/*
 * test-compare.c — the statistics and rules behind `locus compare` and `locus gate`:
 * Mann-Whitney p-values (exact and normal), Hodges-Lehmann, the bootstrap CI of the
 * ratio of medians, the verdict rule, the config file, fingerprints, the matching of
 * two results, and the calibration on resampled pseudo-runs; multi-run baselines (rules
 * 7-9 of compare.h: pooled samples plus the run-level t test, or the run-to-run range
 * with two runs; Student's t upper tail against independent reference values [T]) and
 * the baseline store (save with --keep, the old single-file layout, loading a set).
 *
 * Where the reference values come from (scipy is not installed here, so nothing was
 * taken from the code under test):
 *  - [R]  R's ?wilcox.test example (Hollander & Wolfe 1973, p. 69): W = 35, one-sided
 *         exact p = 0.1272, so two-sided p = 0.2544; "difference in location" 0.305.
 *  - [H]  Holm's step-down adjustment worked by hand (as R's p.adjust(p, "holm")).
 *  - [E]  tests/unit/test-compare-ref.py: exact p-values by brute-force enumeration of
 *         all C(n1+n2, n2) assignments (or, for 25 v 25, by the recursion
 *         N(m,n,u) = N(m,n-1,u-m) + N(m-1,n,u)), normal-approximation p-values from the
 *         textbook formula with mid-ranks, tie correction and continuity correction,
 *         Hodges-Lehmann from the sorted list of all differences, and the bootstrap CI
 *         from a line-by-line Python re-implementation of the generator (splitmix64 +
 *         xoshiro256**), the resampling and the R type-7 quantiles.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "baseline.h"
#include "calibrate.h"
#include "compare.h"
#include "compare-config.h"
#include "compare-options.h"
#include "compare-output.h"
#include "env.h"
#include "result.h"
#include "runs.h"
#include "tap.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_mann_whitney(void)
{
	/* [R] */
	const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	const double a[] = { 1.1, 2.3, 3.5, 4.2, 5.0 }, b[] = { 2.0, 6.1, 7.3, 8.4 };
	const double s3a[] = { 5, 6, 7 }, s3b[] = { 1, 2, 3 };
	const double s7[] = { 1, 2, 3, 4, 5, 6, 7 }, s8[] = { 8, 9, 10, 11, 12, 13, 14, 15 };
	const double ta[] = { 1, 2, 2, 3, 3, 3, 4, 5, 5, 6 };
	const double tb[] = { 3, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9 };
	const double same[] = { 4, 4, 4, 4 };
	double la[30], lb[31], ea[25], eb[25];
	struct stat_mw mw;

	ok(stat_mann_whitney(rx, N_OF(rx), ry, N_OF(ry), &mw) == 0, "MW: R example runs");
	is_near(mw.u, 15.0, 1e-12, "MW: R example U of y = 50 - W = 15 [R]");
	is_near(mw.p, 0.2544122544122544, 1e-12, "MW: R example two-sided exact p = 0.2544 [R][E]");
	ok(mw.exact, "MW: no ties and 15 samples: exact");

	stat_mann_whitney(a, 5, b, 4, &mw);
	is_near(mw.u, 16.0, 1e-12, "MW: 5 v 4 U [E]");
	is_near(mw.p, 0.19047619047619047, 1e-12, "MW: 5 v 4 exact p = 24/126 [E]");

	stat_mann_whitney(s3a, 3, s3b, 3, &mw);
	is_near(mw.p, 0.1, 1e-12, "MW: 3 v 3 completely separated: p = 2/20 [E]");
	is_near(mw.u, 0.0, 0, "MW: U = 0 when every y is below every x");

	stat_mann_whitney(s7, 7, s8, 8, &mw);
	is_near(mw.p, 0.0003108003108003108, 1e-15, "MW: 7 v 8 separated: p = 2/6435 [E]");
	is_near(mw.u, 56.0, 0, "MW: 7 v 8 U = n1*n2");

	stat_mann_whitney(ta, N_OF(ta), tb, N_OF(tb), &mw);
	ok(!mw.exact, "MW: ties: normal approximation");
	is_near(mw.u, 92.5, 1e-12, "MW: ties: U with mid-ranks [E]");
	is_near(mw.p, 0.008507986774119175, 1e-12, "MW: ties: tie- and continuity-corrected p [E]");

	for (int i = 0; i < 30; i++)
		la[i] = ((i * 7919) % 1000) / 7.0 + i * 0.001;
	for (int j = 0; j < 31; j++)
		lb[j] = ((j * 104729) % 997) / 7.0 + 3.0;
	stat_mann_whitney(la, 30, lb, 31, &mw);
	ok(!mw.exact, "MW: 61 samples: normal approximation");
	is_near(mw.u, 374.0, 1e-12, "MW: 30 v 31 U [E]");
	is_near(mw.p, 0.19169706744178538, 1e-12, "MW: 30 v 31 normal p [E]");

	for (int i = 0; i < 25; i++) {
		ea[i] = 2.0 * i;
		eb[i] = 2.0 * i + 10.5;
	}
	stat_mann_whitney(ea, 25, eb, 25, &mw);
	ok(mw.exact, "MW: 25 v 25 without ties: exact (64-bit counts)");
	is_near(mw.u, 435.0, 0, "MW: 25 v 25 U [E]");
	is_near(mw.p, 0.016982216353507558, 1e-12, "MW: 25 v 25 exact p by recursion [E]");

	stat_mann_whitney(same, 4, same, 4, &mw);
	is_near(mw.p, 1.0, 0, "MW: all values equal: p = 1");
	ok(stat_mann_whitney(same, 0, same, 4, &mw) < 0, "MW: an empty sample is rejected");

	is_near(stat_mw_min_p(5, 5), 0.007936507936507936, 1e-15, "min p 5 v 5 = 2/252 [E]");
	is_near(stat_mw_min_p(4, 4), 0.02857142857142857, 1e-15, "min p 4 v 4 = 2/70 [E]");
	is_near(stat_mw_min_p(3, 20), 0.001129305477131564, 1e-15, "min p 3 v 20 = 2/1771 [E]");
}

/* Brute force: the median of all differences, for cross-checking the selection. */
static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double hl_brute(const double *x, size_t n1, const double *y, size_t n2)
{
	double *d = malloc(n1 * n2 * sizeof(*d)), r;
	size_t k = 0, n = n1 * n2;

	for (size_t i = 0; i < n1; i++)
		for (size_t j = 0; j < n2; j++)
			d[k++] = y[j] - x[i];
	qsort(d, n, sizeof(*d), cmp_d);
	r = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2.0;
	free(d);
	return r;
}

static void test_hodges_lehmann(void)
{
	const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	const double a[] = { 1.1, 2.3, 3.5, 4.2, 5.0 }, b[] = { 2.0, 6.1, 7.3, 8.4 };
	const double ta[] = { 1, 2, 2, 3, 3, 3, 4, 5, 5, 6 };
	const double tb[] = { 3, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9 };
	double *x = malloc(300 * sizeof(*x)), *y = malloc(201 * sizeof(*y));
	double *c1 = malloc(3000 * sizeof(*c1)), *c2 = malloc(3000 * sizeof(*c2));
	bool agree = true;
	unsigned seed = 12345;

	is_near(stat_hodges_lehmann(rx, N_OF(rx), ry, N_OF(ry)), -0.305, 1e-12,
		"HL: R example, y - x = -0.305 [R][E]");
	is_near(stat_hodges_lehmann(a, 5, b, 4), 3.25, 1e-12, "HL: 5 v 4 (even count) [E]");
	is_near(stat_hodges_lehmann(ta, N_OF(ta), tb, N_OF(tb)), 2.5, 1e-12,
		"HL: with ties [E]");
	for (int i = 0; i < 300; i++)
		x[i] = ((i * 7919) % 1000) / 7.0 + i * 0.001;
	for (int j = 0; j < 201; j++)
		y[j] = ((j * 104729) % 997) / 7.0 + 3.0;
	/* 60300 differences: the bisection path, not the direct listing */
	is_near(stat_hodges_lehmann(x, 300, y, 201), 0.8521428571428586, 1e-12,
		"HL: 300 x 201 by selection [E]");
	/* 9 million equal differences: bisection cannot split them */
	for (int i = 0; i < 3000; i++) {
		c1[i] = 1.5;
		c2[i] = 4.0;
	}
	is_near(stat_hodges_lehmann(c1, 3000, c2, 3000), 2.5, 0, "HL: all differences equal");
	/* agreement with brute force on pseudo-random data with some ties */
	for (int t = 0; t < 20 && agree; t++) {
		size_t n1 = 40 + t * 7, n2 = 90 - t * 3;

		for (size_t i = 0; i < n1; i++) {
			seed = seed * 1103515245u + 12345u;
			x[i] = (double)((seed >> 16) % 200) / 8.0;
		}
		for (size_t j = 0; j < n2; j++) {
			seed = seed * 1103515245u + 12345u;
			y[j] = (double)((seed >> 16) % 230) / 8.0 - 1.0;
		}
		agree = stat_hodges_lehmann(x, n1, y, n2) == hl_brute(x, n1, y, n2);
	}
	ok(agree, "HL: selection equals brute force on 20 random data sets with ties");
	ok(isnan(stat_hodges_lehmann(a, 0, b, 4)), "HL: empty input is NaN");
	free(x);
	free(y);
	free(c1);
	free(c2);
}

static void test_bootstrap(void)
{
	const double base[] = { 10.0, 10.4, 9.8, 10.1, 10.3, 9.9, 10.2 };
	const double cur[] = { 11.0, 11.5, 10.9, 11.2, 11.1, 11.4 };
	const double shuffled[] = { 10.2, 9.8, 10.4, 10.0, 9.9, 10.3, 10.1 };
	const double cst[] = { 5, 5, 5, 5 }, cst2[] = { 6, 6, 6, 6 }, zero[] = { 0, 0, 0 };
	double lo, hi, lo2, hi2;

	ok(stat_boot_ratio_ci(base, 7, cur, 6, false, 0.95, 2000, &lo, &hi) == 0,
	   "bootstrap: runs");
	is_near(lo, 1.0728155339805825, 1e-12, "bootstrap: lower bound, lower is better [E]");
	is_near(hi, 1.1414141414141414, 1e-12, "bootstrap: upper bound, lower is better [E]");
	stat_boot_ratio_ci(base, 7, cur, 6, true, 0.95, 2000, &lo, &hi);
	is_near(lo, 0.8761061946902655, 1e-12, "bootstrap: lower bound, higher is better [E]");
	is_near(hi, 0.9315223455030062, 1e-12, "bootstrap: upper bound, higher is better [E]");
	stat_boot_ratio_ci(base, 7, cur, 6, false, 0.90, 500, &lo, &hi);
	is_near(lo, 1.0776699029126213, 1e-12, "bootstrap: 90%, 500 resamples, lower [E]");
	is_near(hi, 1.1400000000000001, 1e-12, "bootstrap: 90%, 500 resamples, upper [E]");
	stat_boot_ratio_ci(base, 7, cur, 6, false, 0, 0, &lo, &hi);
	stat_boot_ratio_ci(shuffled, 7, cur, 6, false, 0, 0, &lo2, &hi2);
	ok(lo == lo2 && hi == hi2, "bootstrap: depends on the samples, not their order");
	stat_boot_ratio_ci(cst, 4, cst2, 4, false, 0, 0, &lo, &hi);
	ok(lo == 1.2 && hi == 1.2, "bootstrap: constant samples give a zero-width CI at 6/5");
	ok(stat_boot_ratio_ci(zero, 3, cst, 4, false, 0, 0, &lo, &hi) < 0,
	   "bootstrap: a zero median is rejected (ratio undefined)");
}

static void test_verdict(void)
{
	const char *why = NULL;

	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 1.20, 1.15, 1.25, 0.01, 0.05, &why)),
	       "regressed", "verdict: significant and 20% > 5%");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 1.04, 1.02, 1.049, 0.01, 0.05, NULL)),
	       "unchanged", "verdict: significant but 4% < 5% and CI below the threshold");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 1.04, 1.02, 1.06, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: significant 4% but CI straddles 5%");
	ok(why && strstr(why, "straddles"), "verdict: the reason says the CI straddles");
	is_str(compare_verdict_name(compare_decide(20, 20, 0.2, 1.10, 0.95, 1.30, 0.01, 0.05, NULL)),
	       "inconclusive", "verdict: not significant, CI reaches a 30% regression");
	is_str(compare_verdict_name(compare_decide(20, 20, 0.02, 1.10, 1.02, 1.15, 0.01, 0.05, NULL)),
	       "inconclusive", "verdict: p just above alpha with a large effect");
	is_str(compare_verdict_name(compare_decide(20, 20, 0.5, 1.00, 0.98, 1.02, 0.01, 0.05, NULL)),
	       "unchanged", "verdict: noise");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 1.20, 0.99, 1.40, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: significant rank test but the ratio CI includes 1");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 0.80, 0.78, 0.82, 0.01, 0.05, NULL)),
	       "improved", "verdict: 20% better");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 0.96, 0.95, 0.97, 0.01, 0.05, NULL)),
	       "unchanged", "verdict: 4% better is below the (log-symmetric) threshold 1/1.05");
	is_str(compare_verdict_name(compare_decide(2, 20, 1e-6, 1.5, 1.4, 1.6, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: 2 samples are too few");
	ok(why && strstr(why, "too few"), "verdict: the reason says too few samples");
	is_str(compare_verdict_name(compare_decide(4, 4, 0.0286, 1.5, 1.4, 1.6, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: 4 v 4 can never reach p < 0.01");
	is_str(compare_verdict_name(compare_decide(5, 5, 0.0079, 1.5, 1.4, 1.6, 0.01, 0.05, NULL)),
	       "regressed", "verdict: 5 v 5 fully separated reaches p = 0.0079 < 0.01");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, NAN, NAN, NAN, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: undefined ratio");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 1.20, 1.15, 1.24, 0.01, 0.25, NULL)),
	       "unchanged", "verdict: a 25% threshold tolerates 20% (CI below 1.25)");
	is_str(compare_verdict_name(compare_decide(20, 20, 1e-6, 1.20, 1.15, 1.25, 0.01, 0.25, NULL)),
	       "inconclusive", "verdict: a CI touching the threshold is inconclusive");
	is_str(compare_verdict_name(compare_decide(20, 20, 0.02, 1.20, 1.15, 1.25, 0.05, 0.05, NULL)),
	       "regressed", "verdict: alpha 0.05 accepts p = 0.02");

	/* "CI straddles the threshold" was printed for +110.4% [+94.1..+119.2%] */
	why = NULL;
	is_str(compare_verdict_name(compare_decide(12, 12, 0.2, 2.104, 1.941, 2.192, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: +110% with p above alpha (after Holm) is inconclusive");
	ok(why && !strstr(why, "straddles") && strstr(why, "beyond the threshold") &&
	   strstr(why, "not significant"), "verdict: ... and the reason says the CI lies beyond "
	   "the threshold and the test is not significant (%s)", why ? why : "null");
	ok(why && strncmp(why, "too noisy to tell", 17) == 0, "verdict: ... too noisy to tell");
	/* an improvement beyond the threshold the test cannot confirm is not "unchanged" */
	is_str(compare_verdict_name(compare_decide(20, 20, 0.3, 0.80, 0.70, 1.02, 0.01, 0.05, &why)),
	       "inconclusive", "verdict: -20% not confirmed is inconclusive, never unchanged");
	/* the final guard: no "unchanged" beside +313.9% or +117% (the gate table) */
	why = NULL;
	is_int(compare_guard_change(VERDICT_UNCHANGED, 4.139, 0.05, &why), VERDICT_INCONCLUSIVE,
	       "guard: unchanged beside +313.9% becomes inconclusive");
	ok(why == compare_unconfirmed_reason, "guard: ... too noisy to tell");
	is_int(compare_guard_change(VERDICT_UNCHANGED, 2.17, 0.05, NULL), VERDICT_INCONCLUSIVE,
	       "guard: unchanged beside +117% becomes inconclusive");
	is_int(compare_guard_change(VERDICT_UNCHANGED, 0.5, 0.05, NULL), VERDICT_INCONCLUSIVE,
	       "guard: unchanged beside -50% becomes inconclusive");
	is_int(compare_guard_change(VERDICT_UNCHANGED, 1.03, 0.05, NULL), VERDICT_UNCHANGED,
	       "guard: +3% within a 5% threshold stays unchanged");
	is_int(compare_guard_change(VERDICT_REGRESSED, 1.5, 0.05, NULL), VERDICT_REGRESSED,
	       "guard: other verdicts pass through");
	/* what a pair could see */
	ok(isinf(compare_detectable(1.0, 0.9, 1.1, NAN, false, 0.05)),
	   "detectable: a pair that cannot be significant sees nothing");
	is_near(compare_detectable(1.0, 0.8, 1.25, NAN, true, 0.05), 0.25, 1e-12,
		"detectable: the CI's half-width on the log scale (x0.8..x1.25: 25%)");
	is_near(compare_detectable(1.0, 0.99, 1.01, NAN, true, 0.05), 0.05, 1e-12,
		"detectable: never below the threshold");
	is_near(compare_detectable(1.0, 0.99, 1.01, 0.4, true, 0.05), 0.4, 1e-12,
		"detectable: the run level's figure when it is larger");
}

static void test_holm(void)
{
	/* p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") in R = 0.03 0.06 0.06 0.02
	 * (by hand: sorted 0.005*4, 0.01*3, 0.03*2, max(0.04*1, 0.06)) */
	const double raw[] = { 0.01, 0.04, 0.03, 0.005 }, want[] = { 0.03, 0.06, 0.06, 0.02 };
	struct compare_pair p[5];
	bool good = true;

	for (int i = 0; i < 5; i++)
		p[i] = (struct compare_pair){ .n_base = 20, .n_cur = 20, .ratio = 1.2,
					      .ci_low = 1.1, .ci_high = 1.3, .alpha = 0.05,
					      .threshold = 0.05, .mw = { .p = i < 4 ? raw[i] : 0.001 } };
	p[4].n_cur = 2; /* cannot be significant: not part of the family */
	compare_adjust(p, 5, COMPARE_HOLM);
	for (int i = 0; i < 4; i++)
		good &= fabs(p[i].p_adj - want[i]) < 1e-15;
	ok(good, "Holm: adjusted p-values equal R's p.adjust(..., \"holm\")");
	is_int(p[0].family, 4, "Holm: the family leaves out the pair with 2 samples");
	is_str(compare_verdict_name(p[0].verdict), "regressed", "Holm: adjusted 0.03 < 0.05 regresses");
	is_str(compare_verdict_name(p[1].verdict), "inconclusive",
	       "Holm: adjusted 0.06 is not significant (and the CI reaches the threshold)");
	is_str(compare_verdict_name(p[4].verdict), "inconclusive", "Holm: the 2-sample pair stays inconclusive");
	compare_adjust(p, 5, COMPARE_NO_CORRECTION);
	ok(p[1].p_adj == 0.04 && p[1].verdict == VERDICT_REGRESSED && p[1].family == 1,
	   "no correction: raw p-values decide");
}

static char tmpdir[] = "/tmp/locus-test-compare.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static json_t *meas(const char *bench, const char *metric, bool hib, const char *label,
		    double med, double noise, size_t n, unsigned seed)
{
	double *s = malloc(n * sizeof(*s));
	json_t *m;

	for (size_t i = 0; i < n; i++) {
		/* a deterministic spread around med: sum of uniforms, roughly normal */
		double u = 0;

		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			u += (double)((seed >> 8) & 0xffff) / 65536.0 - 0.5;
		}
		s[i] = med * (1.0 + noise * u);
	}
	m = result_measurement(bench, metric, "ns", hib,
			       label ? json_pack("{s:s}", "case", label) : NULL, s, n);
	free(s);
	return m;
}

static void test_config(void)
{
	struct compare_config *c = NULL;
	json_t *m1 = meas("tlb", "latency", false, "4K", 100, 0.02, 5, 1);
	json_t *m2 = meas("tlb", "bandwidth", true, "2M", 100, 0.02, 5, 2);
	json_t *m3 = meas("branch", "time", false, NULL, 100, 0.02, 5, 3);
	double alpha, thr;

	ok(compare_config_load(write_file("ok.conf",
		"# overrides\n"
		"*  alpha=0.02\n"
		"tlb/latency   threshold=10%   # comment\n"
		"tlb           alpha=0.005\n"
		"\n"
		"tlb/*{case=4K}  threshold=15\n"
		"branch/t?me   threshold=2.5%\n"), &c) == 0, "config: a valid file loads");
	alpha = 0.01, thr = 0.05;
	compare_config_apply(c, m1, &alpha, &thr);
	is_near(alpha, 0.005, 0, "config: bench line overrides the '*' line (later wins)");
	is_near(thr, 0.15, 1e-15, "config: a whole-key pattern with labels wins last");
	alpha = 0.01, thr = 0.05;
	compare_config_apply(c, m2, &alpha, &thr);
	is_near(thr, 0.05, 0, "config: tlb/bandwidth keeps the command-line threshold");
	is_near(alpha, 0.005, 0, "config: a bare bench name covers all its metrics");
	alpha = 0.01, thr = 0.05;
	compare_config_apply(c, m3, &alpha, &thr);
	is_near(thr, 0.025, 1e-15, "config: glob on bench/metric");
	is_near(alpha, 0.02, 0, "config: '*' matches everything");
	compare_config_free(c);

	ok(compare_config_load(write_file("bad1.conf", "tlb/latency threshold=abc\n"), &c) < 0,
	   "config: a bad number is rejected");
	ok(compare_config_load(write_file("bad2.conf", "# x\n\ntlb/latency speed=3\n"), &c) < 0,
	   "config: an unknown key is rejected");
	ok(compare_config_load(write_file("bad3.conf", "tlb/latency\n"), &c) < 0,
	   "config: a pattern without settings is rejected");
	ok(compare_config_load(write_file("bad4.conf", "tlb/latency alpha=0.9\n"), &c) < 0,
	   "config: alpha above 0.5 is rejected");
	ok(compare_config_load(write_file("bad5.conf", "threshold=5\n"), &c) < 0,
	   "config: a line without a pattern is rejected");
	ok(compare_config_load("/nonexistent/locus.conf", &c) < 0, "config: a missing file fails");
	json_decref(m1);
	json_decref(m2);
	json_decref(m3);
}

static void test_options(void)
{
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_outputs out = { 0 };

	ok(compare_set_option("threshold", "7.5%", &o, &out) == 0 && fabs(o.threshold - 0.075) < 1e-15,
	   "option: --threshold 7.5%% is 0.075");
	ok(compare_set_option("threshold", "10", &o, &out) == 0 && fabs(o.threshold - 0.10) < 1e-15,
	   "option: --threshold 10 is 0.10");
	ok(compare_set_option("threshold", "-1", &o, &out) < 0, "option: negative threshold rejected");
	ok(compare_set_option("alpha", "0", &o, &out) < 0, "option: alpha 0 rejected");
	ok(compare_set_option("alpha", "0.05", &o, &out) == 0 && o.alpha == 0.05, "option: alpha 0.05");
	ok(compare_set_option("fail-on", "inconclusive,missing", &o, &out) == 0 &&
	   out.fail_on_inconclusive && out.fail_on_missing, "option: --fail-on list");
	ok(compare_set_option("fail-on", "slow", &o, &out) < 0, "option: unknown --fail-on class");
	ok(compare_set_option("frobnicate", "1", &o, &out) == -ENOENT, "option: unknown name");
}

static void test_results(void)
{
	json_t *env1 = json_pack("{s:{s:s, s:i}, s:{s:s}, s:s}", "cpu", "model", "A", "pus", 2,
				 "kernel", "release", "6.1", "host", "ci-1");
	json_t *env2 = json_deep_copy(env1), *env3 = json_deep_copy(env1);
	json_t *base, *cur;
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_result r;
	char id1[17], id2[17], id3[17], *text;

	json_object_set_new(env2, "host", json_string("ci-2"));
	json_object_set_new(json_object_get(env3, "cpu"), "model", json_string("B"));
	compare_fingerprint_id(env1, id1);
	compare_fingerprint_id(env2, id2);
	compare_fingerprint_id(env3, id3);
	ok(strlen(id1) == 16 && strspn(id1, "0123456789abcdef") == 16, "fingerprint id: 16 hex digits");
	is_str(id1, id2, "fingerprint id: the host name does not count");
	ok(strcmp(id1, id3) != 0, "fingerprint id: the CPU model counts");
	json_decref(env2);
	text = compare_fingerprint_text(env1);
	ok(text && strstr(text, "cpu.model=A") && strstr(text, "kernel.release=6.1"),
	   "fingerprint text names the critical keys");
	free(text);

	base = result_new(env1, NULL);
	cur = result_new(env3, NULL);
	result_add(base, meas("tlb", "latency", false, "4K", 100, 0.02, 20, 1));
	result_add(base, meas("tlb", "latency", false, "2M", 60, 0.02, 20, 2));
	result_add(base, meas("bw", "read", true, NULL, 10, 0.02, 20, 3));
	result_add(base, meas("gone", "x", false, NULL, 10, 0.02, 20, 4));
	result_add(cur, meas("tlb", "latency", false, "4K", 120, 0.02, 20, 5)); /* +20% */
	result_add(cur, meas("tlb", "latency", false, "2M", 60, 0.02, 20, 6));  /* same */
	result_add(cur, meas("bw", "read", true, NULL, 8, 0.02, 20, 7));       /* -20% bw */
	result_add(cur, meas("new", "y", false, NULL, 10, 0.02, 20, 8));
	ok(compare_results(base, cur, &o, &r) == 0, "results: compared");
	is_int(r.n_pairs, 3, "results: 3 matched pairs");
	is_int(r.count[VERDICT_REGRESSED], 2, "results: latency +20% and bandwidth -20% regressed");
	is_str(r.pairs[0].verdict == VERDICT_REGRESSED ? "r" : "?", "r", "results: worst first");
	is_near(r.pairs[0].ratio, 1.25, 0.03, "results: bandwidth 10 -> 8 is a bad-direction ratio 1.25, listed first");
	is_int(r.n_only_base, 1, "results: one measurement only in the baseline");
	is_str(r.n_only_base ? r.only_base[0] : NULL, "gone/x{}", "results: it is named");
	is_int(r.n_only_cur, 1, "results: one only in the current result");
	is_int(r.n_env_diffs, 1, "results: one critical fingerprint difference");
	is_str(r.n_env_diffs ? r.env_diffs[0].key : NULL, "cpu.model", "results: it is cpu.model");
	is_int(compare_exit_code(&r, &(struct compare_outputs){ 0 }), 6, "results: exit code 6");
	compare_result_free(&r);

	o.inject = 0.0;
	ok(compare_results(base, base, &o, &r) == 0 && r.count[VERDICT_UNCHANGED] == 4,
	   "results: a file against itself is all unchanged");
	is_int(compare_exit_code(&r, &(struct compare_outputs){ .fail_on_missing = true }), 0,
	       "results: exit code 0");
	compare_result_free(&r);
	o.inject = 0.20;
	ok(compare_results(base, base, &o, &r) == 0 && r.count[VERDICT_REGRESSED] == 4,
	   "results: an injected 20%% slowdown regresses every measurement");
	compare_result_free(&r);
	json_decref(base);
	json_decref(cur);
}

/* Rules 7-9 as a pure function. */
static void test_decide_runs(void)
{
	const char *why = "untouched";

	is_int(compare_decide_runs(VERDICT_REGRESSED, 1, 1.0, 1.0, 0.05, &why),
	       VERDICT_REGRESSED, "runs: one baseline run keeps the pooled verdict");
	is_str(why, "untouched", "runs: ... and its reason");
	is_int(compare_decide_runs(VERDICT_REGRESSED, 5, 1.049, 1.30, 0.05, &why),
	       VERDICT_UNCHANGED, "runs: regressed but < threshold beyond the worst run: unchanged");
	ok(strstr(why, "run-to-run range") != NULL, "runs: ... saying why");
	is_int(compare_decide_runs(VERDICT_REGRESSED, 5, 1.05, 1.30, 0.05, NULL),
	       VERDICT_REGRESSED, "runs: exactly the threshold beyond the worst run: regressed");
	is_int(compare_decide_runs(VERDICT_IMPROVED, 3, 0.80, 0.96, 0.05, NULL),
	       VERDICT_UNCHANGED, "runs: improved but within the best run's reach: unchanged");
	is_int(compare_decide_runs(VERDICT_IMPROVED, 3, 0.80, 0.95, 0.05, NULL),
	       VERDICT_IMPROVED, "runs: better than every run by 1/1.05: improved");
	is_int(compare_decide_runs(VERDICT_REGRESSED, 2, NAN, NAN, 0.05, NULL),
	       VERDICT_INCONCLUSIVE, "runs: undefined run medians: inconclusive");
	is_int(compare_decide_runs(VERDICT_INCONCLUSIVE, 4, 2.0, 2.0, 0.05, NULL),
	       VERDICT_INCONCLUSIVE, "runs: other verdicts are kept");
	is_int(compare_decide_runs(VERDICT_UNCHANGED, 4, 2.0, 2.0, 0.05, NULL),
	       VERDICT_UNCHANGED, "runs: unchanged stays unchanged (rule 7 only demotes)");
}

/*
 * [T] Student's t upper tail and the run-level test (rules 7-8 with K >= 3 runs).
 * The references were computed independently by Simpson integration of the t density
 * in double precision (200000 intervals; 0.5 - integral from 0 to t for t <= 1, the
 * tail through x = 1/u beyond), nothing taken from the code under test:
 *
 *	python3 - <<'PY'
 *	import math
 *	def dens(x, v):
 *	    c = math.exp(math.lgamma((v+1)/2) - math.lgamma(v/2)) / math.sqrt(v*math.pi)
 *	    return c * (1 + x*x/v) ** (-(v+1)/2)
 *	def simpson(f, a, b, n=200000):
 *	    h = (b-a)/n; s = f(a) + f(b)
 *	    for i in range(1, n): s += (4 if i % 2 else 2) * f(a + i*h)
 *	    return s*h/3
 *	def sf(t, v):
 *	    if t < 0: return 1 - sf(-t, v)
 *	    if t <= 1: return 0.5 - simpson(lambda x: dens(x, v), 0.0, t)
 *	    return simpson(lambda u: dens(1/u, v)/(u*u) if u > 0 else
 *	                   (dens(0, v)*v**((v+1)/2) if v == 1 else 0.0), 0.0, 1/t)
 *	def rt(meds, cur, hib, thr):
 *	    k = len(meds); l = [math.log(x) for x in meds]; m = sum(l)/k
 *	    s = math.sqrt(sum((x-m)**2 for x in l)/(k-1))
 *	    s = max(s, math.log1p(max(thr, 0.01)*0.25))
 *	    t = (math.log(cur)-m)/(s*math.sqrt(1+1/k)); t = -t if hib else t
 *	    return t, sf(t, k-1), sf(-t, k-1)
 *	for v, t in [(1,1.0),(1,3.0),(2,0.5),(2,2.0),(3,1.0),(3,4.5407),(4,2.132),
 *	             (4,-1.0),(5,3.0),(10,2.228),(2,9.925),(4,0.0),(6,8.0)]:
 *	    print(v, t, "%.15g" % sf(t, v))
 *	for a in [([100,102,98,101,99],110,False,.05), ([100,102,98,101,99],104,False,.05),
 *	          ([100]*5,101,False,.05), ([100]*5,110,False,.05),
 *	          ([10,10.5,9.5,10.2],8,True,.05)]:
 *	    print(a, "%.15g %.15g %.15g" % rt(*a))
 *	PY
 *
 * (Closed forms agree where they exist: df 1 is 1/2 - atan(t)/pi, df 2 is
 * 1/2 - t/(2 sqrt(2 + t^2)).)
 */
static void test_t_dist(void)
{
	static const struct { double df, t, p; } ref[] = {
		{ 1, 1.0, 0.25 },
		{ 1, 3.0, 0.102416382349569 },
		{ 2, 0.5, 0.333333333333334 },
		{ 2, 2.0, 0.0917517095361377 },
		{ 3, 1.0, 0.195501109477886 },
		{ 3, 4.5407, 0.0100000169521753 },
		{ 4, 2.132, 0.0499913863695705 },
		{ 4, -1.0, 0.813049516849969 },
		{ 5, 3.0, 0.0150496239487313 },
		{ 10, 2.228, 0.0250058859085557 },
		{ 2, 9.925, 0.00499984437905478 },
		{ 4, 0.0, 0.5 },
		{ 6, 8.0, 0.000101732251039526 },
	};
	static const struct {
		double meds[5];
		size_t k;
		double cur;
		bool hib;
		double t, pw, pb;
	} rref[] = {
		{ { 100, 102, 98, 101, 99 }, 5, 110, false,
		  5.50778950005248, 0.00265049100521252, 0.997349508994787 },
		{ { 100, 102, 98, 101, 99 }, 5, 104, false,
		  2.26988636372726, 0.0428692020474871, 0.957130797952513 },
		{ { 100, 100, 100, 100, 100 }, 5, 101, false,
		  0.731201702439424, 0.252592185221538, 0.747407814778462 },
		{ { 100, 100, 100, 100, 100 }, 5, 110, false,
		  7.00388426888765, 0.00109378852700148, 0.998906211472999 },
		{ { 10, 10.5, 9.5, 10.2 }, 4, 8, true,
		  4.82738240842178, 0.00847180941218176, 0.991528190587818 },
	};
	struct compare_run_test rt;
	const char *why;

	for (size_t i = 0; i < N_OF(ref); i++)
		ok(fabs(stat_t_sf(ref[i].t, ref[i].df) - ref[i].p) <= 1e-10 + 1e-8 * ref[i].p,
		   "t: P(T > %g), %g df = %.12g [T]", ref[i].t, ref[i].df, ref[i].p);
	is_near(stat_t_sf(INFINITY, 3), 0.0, 0, "t: P(T > inf) = 0");
	is_near(stat_t_sf(-INFINITY, 3), 1.0, 0, "t: P(T > -inf) = 1");
	ok(isnan(stat_t_sf(NAN, 3)) && isnan(stat_t_sf(1.0, 0)), "t: NAN on bad input");
	is_near(stat_t_sf(1.7, 7) + stat_t_sf(-1.7, 7), 1.0, 1e-14, "t: symmetric");
	/* quantiles: reference values from scipy.stats.t.isf (SciPy 1.10) [T] */
	is_near(stat_t_quantile(0.01, 9), 2.8214379233005498, 1e-8, "t quantile: 0.99, 9 df [T]");
	is_near(stat_t_quantile(0.01, 4), 3.7469473879811375, 1e-8, "t quantile: 0.99, 4 df [T]");
	is_near(stat_t_quantile(0.025, 10), 2.2281388519649385, 1e-8,
		"t quantile: 0.975, 10 df [T]");
	is_near(stat_t_quantile(0.001, 2), 22.32712476997543, 1e-6, "t quantile: 0.999, 2 df [T]");
	is_near(stat_t_quantile(0.5, 3), 0.0, 1e-9, "t quantile: the median is 0");
	ok(isnan(stat_t_quantile(0.7, 3)) && isnan(stat_t_quantile(0.0, 3)) &&
	   isnan(stat_t_quantile(0.01, 0)), "t quantile: NAN outside 0 < p <= 0.5, df > 0");

	for (size_t i = 0; i < N_OF(rref); i++) {
		ok(compare_run_test(rref[i].meds, rref[i].k, rref[i].cur, rref[i].hib, 0.05,
				    &rt) == 0, "run test %zu: computed", i);
		ok(fabs(rt.t - rref[i].t) <= 1e-9, "run test %zu: t [T]", i);
		ok(fabs(rt.p_worse - rref[i].pw) <= 1e-10 + 1e-8 * rref[i].pw,
		   "run test %zu: one-sided p, worse [T]", i);
		ok(fabs(rt.p_better - rref[i].pb) <= 1e-9, "run test %zu: one-sided p, better [T]", i);
	}
	ok(compare_run_test(rref[0].meds, 5, 110, false, 0.05, &rt) == 0 &&
	   fabs(rt.ratio_mid - 1.1) < 1e-12, "run test: ratio to the median of the medians");
	/* python3: statistics.stdev(map(math.log, [100, 102, 98, 101, 99])) */
	is_near(rt.sd, 0.0158134574701315, 1e-12, "run test: the sd of the log medians");
	/* identical medians: the floor log(1 + t/4) stands in for the sd */
	compare_run_test(rref[2].meds, 5, 101, false, 0.05, &rt);
	is_near(rt.sd, log1p(0.0125), 1e-15, "run test: zero spread floored at log(1 + t/4)");
	ok(rt.p_worse > 0.2, "run test: a 1%% change against identical runs is not significant");
	is_int(compare_run_test(rref[0].meds, 2, 110, false, 0.05, &rt), 0,
	       "run test: two runs");
	ok(isnan(rt.p_worse) && isnan(rt.t) && fabs(rt.ratio_mid - 110.0 / 101.0) < 1e-12,
	   "run test: no p with K = 2, but the ratio to the median");
	is_int(compare_run_test((const double[]){ 100, 0, 100 }, 3, 110, false, 0.05, &rt),
	       -EDOM, "run test: a zero median is -EDOM");

	/* the rule, on those numbers */
	why = "untouched";
	is_int(compare_decide_run_test(VERDICT_REGRESSED, 2, 0.0, 2.0, 0.01, 0.05, &why),
	       VERDICT_REGRESSED, "run rule: K = 2 is left to compare_decide_runs");
	is_str(why, "untouched", "run rule: ... and its reason");
	is_int(compare_decide_run_test(VERDICT_REGRESSED, 5, 0.00265, 1.10, 0.01, 0.05, &why),
	       VERDICT_REGRESSED, "run rule: significant and x1.10: regressed");
	is_int(compare_decide_run_test(VERDICT_REGRESSED, 5, 0.0429, 1.04, 0.01, 0.05, &why),
	       VERDICT_UNCHANGED, "run rule: p 0.043 against the runs: unchanged");
	ok(strstr(why, "run-to-run variation") != NULL, "run rule: ... saying why");
	is_int(compare_decide_run_test(VERDICT_REGRESSED, 5, 0.001, 1.04, 0.01, 0.05, &why),
	       VERDICT_UNCHANGED, "run rule: significant but x1.04 < 1 + t: unchanged");
	ok(strstr(why, "smaller than the threshold") != NULL, "run rule: ... saying why");
	is_int(compare_decide_run_test(VERDICT_IMPROVED, 4, 0.001, 1 / 1.06, 0.01, 0.05, NULL),
	       VERDICT_IMPROVED, "run rule: improvements the same way");
	is_int(compare_decide_run_test(VERDICT_IMPROVED, 4, 0.001, 1 / 1.04, 0.01, 0.05, NULL),
	       VERDICT_UNCHANGED, "run rule: a small improvement: unchanged");
	is_int(compare_decide_run_test(VERDICT_REGRESSED, 4, NAN, NAN, 0.01, 0.05, NULL),
	       VERDICT_INCONCLUSIVE, "run rule: undefined: inconclusive");
	is_int(compare_decide_run_test(VERDICT_UNCHANGED, 4, 0.0, 3.0, 0.01, 0.05, NULL),
	       VERDICT_UNCHANGED, "run rule: only demotes");
}

/* A synthetic 5-run set: medians 100, 102, 98, 101, 99 (20 samples each, 2% noise);
 * two measurements so that the run-level p-values are Holm-adjusted over two. */
static void test_run_rule_set(void)
{
	json_t *env = json_pack("{s:{s:s}}", "cpu", "model", "A");
	const double med[5] = { 100, 102, 98, 101, 99 };
	json_t *runs[5], *cur10, *cur4;
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_result r;

	for (int i = 0; i < 5; i++) {
		runs[i] = result_new(json_incref(env), NULL);
		result_add(runs[i], meas("a", "lat", false, NULL, med[i], 0.005, 20, 500 + i));
		result_add(runs[i], meas("b", "lat", false, NULL, med[i], 0.005, 20, 510 + i));
	}
	cur10 = result_new(json_incref(env), NULL);
	result_add(cur10, meas("a", "lat", false, NULL, 110, 0.005, 20, 520));
	result_add(cur10, meas("b", "lat", false, NULL, 110, 0.005, 20, 521));
	cur4 = result_new(json_incref(env), NULL);
	result_add(cur4, meas("a", "lat", false, NULL, 104, 0.005, 20, 522));
	result_add(cur4, meas("b", "lat", false, NULL, 104, 0.005, 20, 523));

	ok(compare_results_set((const json_t *const *)runs, 5, cur10, &o, &r) == 0,
	   "run set: 10%% worse compared");
	is_int(r.count[VERDICT_REGRESSED], 2, "run set: 10%% worse than a tight set: regressed");
	is_int(r.pairs[0].run_family, 2, "run set: run-level family of 2");
	ok(r.pairs[0].run_p_adj < 0.01 && r.pairs[0].run_p_adj >= r.pairs[0].run_test.p_worse,
	   "run set: the adjusted run-level p is below alpha and not below the raw one");
	diag("run set: t %.3f raw %.3g adj %.3g mid %.4f", r.pairs[0].run_test.t,
	     r.pairs[0].run_test.p_worse, r.pairs[0].run_p_adj, r.pairs[0].run_test.ratio_mid);
	/* medians 100, 102, 98, 101, 99: s = 0.01581 on the log scale, so the smallest
	 * callable regression is exp(t_{0.99,4} s sqrt(1.2)) - 1 = 6.71% (scipy; the samples'
	 * noise moves the run medians a little) */
	is_near(r.pairs[0].run_detectable, 0.0671, 0.01,
		"run set: detectable at the run level about 6.7%");
	is_int((long)r.pairs[0].cur_runs, 1, "run set: a plain current result is one run");
	compare_result_free(&r);

	/* a current side of three merged runs: the median of their medians counts */
	{
		json_t *c3[3], *merged, *at100 = result_new(json_incref(env), NULL);

		result_add(at100, meas("a", "lat", false, NULL, 100, 0.005, 20, 530));
		result_add(at100, meas("b", "lat", false, NULL, 100, 0.005, 20, 531));
		c3[0] = cur10;
		c3[1] = at100;
		c3[2] = at100;
		merged = runs_merge(c3, 3);
		ok(compare_results_set((const json_t *const *)runs, 5, merged, &o, &r) == 0,
		   "run set: one run of three 10%% worse, compared");
		is_int(r.count[VERDICT_REGRESSED], 0,
		       "run set: ... one disturbed run of three does not regress");
		is_int((long)r.n_cur_runs, 3, "run set: ... three current runs");
		is_near(r.pairs[0].run_current, 100, 1.0, "run set: ... the run level sees ~100");
		compare_result_free(&r);
		json_decref(merged);
		c3[1] = cur10;
		c3[2] = cur10;
		c3[0] = cur4;
		merged = runs_merge(c3, 3);
		ok(compare_results_set((const json_t *const *)runs, 5, merged, &o, &r) == 0,
		   "run set: two runs of three 10%% worse, compared");
		is_int(r.count[VERDICT_REGRESSED], 2, "run set: ... regressed");
		compare_result_free(&r);
		json_decref(merged);
		json_decref(at100);
	}

	ok(compare_results_set((const json_t *const *)runs, 5, cur4, &o, &r) == 0,
	   "run set: 4%% worse compared");
	is_int(r.count[VERDICT_REGRESSED], 0, "run set: 4%% worse, within the run-to-run spread: "
	       "not regressed");
	is_int(r.count[VERDICT_UNCHANGED], 2, "run set: ... unchanged");
	compare_result_free(&r);

	for (int i = 0; i < 5; i++)
		json_decref(runs[i]);
	json_decref(cur10);
	json_decref(cur4);
	json_decref(env);
}

/* A baseline of runs in two modes (latency medians 100 and 130: where the memory
 * happened to be placed), against a current run in one of the modes and one 20%% worse
 * than both. */
static void test_multi_run(void)
{
	json_t *env = json_pack("{s:{s:s}}", "cpu", "model", "A");
	json_t *runs[4], *cur_b, *worse, *faster;
	const double mode[4] = { 100, 100, 130, 130 };
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_result r;
	const struct compare_pair *q;

	for (int i = 0; i < 4; i++) {
		runs[i] = result_new(json_incref(env), NULL);
		result_add(runs[i], meas("lat", "dram", false, NULL, mode[i], 0.02, 20, 100 + i));
		result_add(runs[i], meas("bw", "read", true, NULL, 10, 0.02, 20, 200 + i));
	}
	cur_b = result_new(json_incref(env), NULL);
	result_add(cur_b, meas("lat", "dram", false, NULL, 130, 0.02, 20, 300));
	result_add(cur_b, meas("bw", "read", true, NULL, 10, 0.02, 20, 301));
	worse = result_new(json_incref(env), NULL);
	result_add(worse, meas("lat", "dram", false, NULL, 130 * 1.2, 0.02, 20, 302));
	result_add(worse, meas("bw", "read", true, NULL, 10 / 1.2, 0.02, 20, 303));
	faster = result_new(json_incref(env), NULL);
	result_add(faster, meas("lat", "dram", false, NULL, 100 / 3.0, 0.02, 20, 304));
	result_add(faster, meas("bw", "read", true, NULL, 10, 0.02, 20, 305));

	/* today's single-run comparison calls the mode change a regression */
	ok(compare_results(runs[0], cur_b, &o, &r) == 0, "multi: single-run comparison runs");
	is_int(r.n_base_runs, 1, "multi: a single run is a set of one");
	is_int(r.count[VERDICT_REGRESSED], 1, "multi: against mode A alone, mode B 'regressed'");
	is_int(r.pairs[0].base_runs, 1, "multi: one run behind the pair");
	is_near(r.pairs[0].run_spread, 0.0, 0, "multi: no spread with one run");
	compare_result_free(&r);

	ok(compare_results_set((const json_t *const *)runs, 4, cur_b, &o, &r) == 0,
	   "multi: set comparison runs");
	is_int(r.n_base_runs, 4, "multi: 4 baseline runs");
	is_int(r.count[VERDICT_REGRESSED], 0, "multi: a current run in mode B is not a regression");
	is_int(r.count[VERDICT_IMPROVED], 0, "multi: nor an improvement");
	q = strcmp(r.pairs[0].bench, "lat") == 0 ? &r.pairs[0] : &r.pairs[1];
	diag("mode B vs set: %s (%s), ratio %.3f, p %.3g, CI %.3f..%.3f, w %.3f",
	     compare_verdict_name(q->verdict), q->reason, q->ratio, q->p_adj, q->ci_low,
	     q->ci_high, q->run_ratio_worst);
	is_int(q->n_base, 80, "multi: the baseline samples are pooled (4 x 20)");
	is_int(q->base_runs, 4, "multi: the pair knows its 4 runs");
	is_near(q->run_spread, 0.30, 0.03, "multi: run-to-run spread about 30%%");
	ok(q->run_median_worst > 125 && q->run_median_best < 105,
	   "multi: worst and best run medians are the two modes");
	ok(q->run_ratio_worst < 1.05, "multi: current is within the worst run + threshold");
	/* the table shows the change against the pooled median (+13%: the baseline is
	 * bimodal); beside a change beyond the threshold "unchanged" would be a lie */
	ok(q->ratio > 1.05 && q->verdict == VERDICT_INCONCLUSIVE && q->reason &&
	   strncmp(q->reason, "too noisy to tell", 17) == 0,
	   "multi: a change beyond the threshold the runs cannot confirm is too noisy to tell");
	compare_result_free(&r);

	ok(compare_results_set((const json_t *const *)runs, 4, worse, &o, &r) == 0,
	   "multi: a 20%%-worse run compared");
	/* bw's runs agree (the sd floor applies): 20% worse is significant against them;
	 * lat's runs are in two modes 30% apart, and with 4 runs a point 20% beyond the
	 * worse mode is not significant at 1% under the run-level t test (p about 0.08) */
	is_int(r.count[VERDICT_REGRESSED], 1, "multi: 20%% worse than every run: bw regressed");
	q = strcmp(r.pairs[0].bench, "lat") == 0 ? &r.pairs[0] : &r.pairs[1];
	is_near(q->run_ratio_worst, 1.2, 0.04, "multi: about x1.2 the worst run's median");
	is_int(q->verdict, VERDICT_INCONCLUSIVE,
	       "multi: lat, +20%% against a bimodal set of 4: inconclusive, never unchanged");
	ok(q->reason && strstr(q->reason, "run-to-run variation"), "multi: ... by the run-level test");
	is_near(q->run_test.p_worse, 0.08, 0.02, "multi: run-level p about 0.08");
	is_int(compare_exit_code(&r, &(struct compare_outputs){ 0 }), 6, "multi: exit code 6");
	compare_result_free(&r);

	ok(compare_results_set((const json_t *const *)runs, 4, faster, &o, &r) == 0,
	   "multi: a faster run compared");
	q = strcmp(r.pairs[0].bench, "lat") == 0 ? &r.pairs[0] : &r.pairs[1];
	is_int(q->verdict, VERDICT_IMPROVED, "multi: 3x better than every run: improved");
	compare_result_free(&r);

	/* a measurement missing from some runs is compared against the runs that have it */
	json_array_remove(json_object_get(runs[3], "measurements"), 1);
	ok(compare_results_set((const json_t *const *)runs, 4, cur_b, &o, &r) == 0,
	   "multi: a set where one run lacks a measurement");
	q = strcmp(r.pairs[0].bench, "bw") == 0 ? &r.pairs[0] : &r.pairs[1];
	is_int(q->base_runs, 3, "multi: that measurement has 3 runs");
	is_int(r.n_only_base, 0, "multi: and is not 'only in the baseline'");
	compare_result_free(&r);

	for (int i = 0; i < 4; i++)
		json_decref(runs[i]);
	json_decref(cur_b);
	json_decref(worse);
	json_decref(faster);
	json_decref(env);
}

/* The store: save keeps the newest K, the old single-file layout reads and migrates. */
static void test_store(void)
{
	json_t *env = json_pack("{s:{s:s}}", "cpu", "model", "A"), *r[4];
	struct compare_baseline b = { 0 };
	char store[600], id[17], legacy[700], *stored = NULL, **ids = NULL;
	size_t n = 0, dropped = 0, *counts = NULL;
	int rc;

	snprintf(store, sizeof(store), "%s/store", tmpdir);
	compare_fingerprint_id(env, id);
	for (int i = 0; i < 4; i++) {
		r[i] = result_new(json_incref(env), NULL);
		result_add(r[i], meas("lat", "dram", false, NULL, 100 + i, 0.02, 5, 400 + i));
	}
	/* the old layout: DIR/ID.json */
	mkdir(store, 0777);
	snprintf(legacy, sizeof(legacy), "%s/%s.json", store, id);
	ok(result_write(r[0], legacy) == 0, "store: an old single-file baseline");
	ok(compare_baseline_load(store, env, &b) == 0 && b.n == 1,
	   "store: the old layout reads as a set of one");
	compare_baseline_free(&b);
	ok(compare_baseline_ids(store, &ids, &counts, &n) == 0 && n == 1 && counts[0] == 1,
	   "store: listed with 1 run");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(counts);

	rc = compare_baseline_save(store, r[1], 3, &stored, &n, &dropped);
	ok(rc == 0 && n == 2 && dropped == 0, "store: save appends (the old file becomes run 0)");
	ok(stored && strstr(stored, "/000001.json"), "store: ... as ID/000001.json");
	free(stored);
	ok(access(legacy, F_OK) != 0, "store: the old file was moved into the set");
	compare_baseline_save(store, r[2], 3, NULL, &n, &dropped);
	is_int(n, 3, "store: 3 runs");
	compare_baseline_save(store, r[3], 3, NULL, &n, &dropped);
	ok(n == 3 && dropped == 1, "store: --keep 3 drops the oldest");
	ok(compare_baseline_load(store, env, &b) == 0 && b.n == 3, "store: loads 3 runs");
	ok(b.n == 3 && json_equal(b.runs[0], r[1]) && json_equal(b.runs[2], r[3]),
	   "store: oldest first, the first run gone");
	compare_baseline_free(&b);
	ok(compare_baseline_ids(store, &ids, &counts, &n) == 0 && n == 1 && counts[0] == 3,
	   "store: listed once, with 3 runs");
	is_str(n ? ids[0] : NULL, id, "store: under the fingerprint id");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(counts);

	/* another fingerprint: no baseline */
	{
		json_t *env2 = json_pack("{s:{s:s}}", "cpu", "model", "B");

		fprintf(stderr, "# (an error message is expected next)\n");
		is_int(compare_baseline_load(store, env2, &b), -ENOENT,
		       "store: no baseline for another fingerprint: -ENOENT");
		compare_baseline_free(&b);
		json_decref(env2);
	}
	for (int i = 0; i < 4; i++)
		json_decref(r[i]);
	json_decref(env);
	{
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", store);
		ok(system(cmd) == 0, "store: cleaned up");
	}
}

static void test_calibration(void)
{
	json_t *r = result_new(NULL, NULL);
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_calib_row rows[3] = { { .slowdown = 0 }, { .slowdown = 0.10 },
					     { .slowdown = 0.20 } };
	struct compare_calib_row again[3] = { { .slowdown = 0 }, { .slowdown = 0.10 },
					      { .slowdown = 0.20 } };

	/* 2% noise, 30 samples: the kind of measurement the gate is meant for */
	result_add(r, meas("a", "latency", false, NULL, 100, 0.04, 30, 11));
	result_add(r, meas("b", "bandwidth", true, NULL, 10, 0.04, 30, 12));
	ok(compare_calibrate(r, &o, 100, 7, rows, 3) == 0, "calibration runs");
	is_int(rows[0].comparisons, 200, "calibration: 100 trials x 2 measurements");
	diag("A/A: %zu regressed, %zu inconclusive; +10%%: %zu regressed; +20%%: %zu regressed",
	     rows[0].count[VERDICT_REGRESSED], rows[0].count[VERDICT_INCONCLUSIVE],
	     rows[1].count[VERDICT_REGRESSED], rows[2].count[VERDICT_REGRESSED]);
	ok(rows[0].count[VERDICT_REGRESSED] <= 2, "calibration: A/A false alarms <= 1%%");
	ok(rows[1].count[VERDICT_REGRESSED] >= 190, "calibration: +10%% caught in >= 95%%");
	ok(rows[2].count[VERDICT_REGRESSED] == 200, "calibration: +20%% always caught");
	ok(rows[1].confirmed <= rows[1].count[VERDICT_REGRESSED], "calibration: confirmed <= regressed");
	compare_calibrate(r, &o, 100, 7, again, 3);
	ok(memcmp(rows, again, sizeof(rows)) == 0, "calibration: deterministic for a seed");
	json_decref(r);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		tap_skip_all("cannot create a temporary directory");
	test_mann_whitney();
	test_hodges_lehmann();
	test_bootstrap();
	test_verdict();
	test_holm();
	test_config();
	test_options();
	test_results();
	test_decide_runs();
	test_t_dist();
	test_run_rule_set();
	test_multi_run();
	test_store();
	test_calibration();
	for (const char *const *f = (const char *const[]){ "ok.conf", "bad1.conf", "bad2.conf",
			"bad3.conf", "bad4.conf", "bad5.conf", NULL }; *f; f++) {
		char p[512];

		snprintf(p, sizeof(p), "%s/%s", tmpdir, *f);
		unlink(p);
	}
	rmdir(tmpdir);
	return done_testing();
}
