/* SPDX-License-Identifier: MIT */
/*
 * stattest.h — the two-sample tests and intervals behind `locus compare` and `locus
 * gate`: Mann-Whitney U, the Hodges-Lehmann shift, a bootstrap CI of the ratio of
 * medians, Student's t distribution and Holm's step-down adjustment.
 *
 * They live in lib/ beside stats.h (which describes one sample) because they are plain
 * statistics with no knowledge of result files, verdicts or the command line; the
 * verdict rules that use them are in report/compare-verdict.h.  Everything is
 * deterministic: the bootstrap's generator is seeded from the data.
 *
 * Library rules apply: functions return 0 or a negative errno and never print.
 */
#ifndef LOCUS_STATTEST_H
#define LOCUS_STATTEST_H

#include <stdbool.h>
#include <stddef.h>

#define STAT_DEFAULT_CI_LEVEL 0.95
#define STAT_DEFAULT_BOOT_REPS 2000u
/* The exact Mann-Whitney distribution is used without ties up to this many samples in
 * total (the counts fit in 64 bits up to C(60,30)); beyond it, or with ties, the normal
 * approximation with tie and continuity correction. */
#define STAT_EXACT_MAX_N 50u

struct stat_mw {
	double u;       /* U of the second sample: #(y > x) + #(y == x)/2 over all pairs */
	double p;       /* two-sided p-value */
	bool exact;     /* exact distribution (no ties, n1+n2 <= STAT_EXACT_MAX_N) or
			 * normal approximation with tie and continuity correction */
};

/* Two-sided Mann-Whitney U test of x (n1) against y (n2), both >= 1 and finite; the
 * inputs are not modified.  All values equal gives p = 1.  Returns 0, -EINVAL or
 * -ENOMEM. */
int stat_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
		      struct stat_mw *out);

/* The smallest two-sided p-value the exact test can give for these sizes:
 * min(1, 2 / C(n1+n2, n1)). */
double stat_mw_min_p(size_t n1, size_t n2);

/* Hodges-Lehmann estimate of the shift of y relative to x: the median of all n1*n2
 * differences y_j - x_i (found by selection, without materialising the differences when
 * there are many).  Returns NAN on bad input or ENOMEM. */
double stat_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2);

/* The ratio of medians in the bad direction (med_cur/med_base, or med_base/med_cur when
 * higher_is_better), so that > 1 is worse; +Inf when a median is not positive. */
double stat_bad_ratio(double med_base, double med_cur, bool higher_is_better);

/* Percentile bootstrap CI at `level` (0 = 0.95) of the ratio of medians in the bad
 * direction (stat_bad_ratio), base and cur resampled independently `reps` times
 * (0 = STAT_DEFAULT_BOOT_REPS).  The generator is seeded from the sorted data, so the
 * same samples always give the same interval.  The interval is widened to contain the
 * ratio of the full-sample medians.  Returns 0, -EINVAL (empty input, non-positive
 * median) or -ENOMEM. */
int stat_boot_ratio_ci(const double *base, size_t nb, const double *cur, size_t nc,
		       bool higher_is_better, double level, unsigned reps,
		       double *lo, double *hi);
/* The same on already sorted (ascending) inputs whose medians are positive, with
 * level and reps given (no defaults).  Returns 0 or -ENOMEM. */
int stat_boot_ratio_ci_sorted(const double *sb, size_t nb, const double *sc, size_t nc,
			      bool higher_is_better, double level, unsigned reps,
			      double *lo, double *hi);

/* Upper tail of Student's t distribution with df > 0 degrees of freedom: P(T > t),
 * from the regularized incomplete beta function (continued fraction).  NAN for a NAN
 * t or df <= 0; 0 / 1 for t = +inf / -inf. */
double stat_t_sf(double t, double df);
/* Its inverse: t with P(T > t) = p, for 0 < p <= 0.5 (bisection on stat_t_sf, to
 * about 1e-12 relative); NAN otherwise. */
double stat_t_quantile(double p, double df);

/* One p-value of a family and the index of what it belongs to. */
struct stat_pidx {
	double p;
	size_t i;
};

/* Holm's step-down on the m p-values of v: sorts v by p (ties by index) and replaces
 * every p by its adjusted value, the r-th smallest (0-based) times m - r, made
 * non-decreasing, at most 1.  It controls the family-wise error rate whatever the
 * dependence between the tests. */
void stat_holm(struct stat_pidx *v, size_t m);

#endif
