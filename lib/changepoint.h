/* SPDX-License-Identifier: MIT */
/*
 * changepoint.h — change points in a series of run medians (E-Divisive means).
 *
 * A gate that compares each run with "the last run" or a fixed window drowns in noise
 * and forgets a step as soon as the window slides past it.  History is better judged
 * as segments: find the points where the distribution of a measurement's run medians
 * changed, and compare a new run with the segment since the last one.  This file finds
 * them with E-Divisive means (Matteson & James 2014, the method MongoDB and
 * Hunter/Otava build on): within a segment, the split that maximises the energy
 * distance between the left and the right part is the candidate
 *
 *	q(τ) = (m k / (m + k)) · ( 2/(m k) Σ|x_i − y_j| − 1/C(m,2) Σ|x_i − x_j|
 *	                                                 − 1/C(k,2) Σ|y_i − y_j| )
 *
 * (x the m values left of τ, y the k values from τ on, exponent α = 1), and it is
 * accepted when a permutation test finds so large a q in fewer than `alpha` of
 * `permutations` shuffles of the segment.  Segments are split again until no split is
 * significant.  The shuffles come from a fixed seed (lib/rng.h), so the same series
 * always gives the same change points.  Values are compared on a log scale (ratios are
 * what matter for timings).  O(n²) per candidate search, O(P n²) per test.
 *
 * Library rules: 0 or a negative errno, never exit, never print.
 */
#ifndef LOCUS_CHANGEPOINT_H
#define LOCUS_CHANGEPOINT_H

#include <stddef.h>

struct changepoint_opts {
	double alpha;          /* significance of each split, default 0.01 */
	unsigned permutations; /* default 499 */
	size_t min_size;       /* fewest values on either side of a split, default 3 */
	unsigned long seed;    /* default 1 */
};
#define CHANGEPOINT_OPTS_DEFAULT { .alpha = 0.01, .permutations = 499, .min_size = 3, .seed = 1 }

/*
 * Change points of x[0..n) (all > 0: log-scale; NULL opts = defaults).  cp receives
 * the indices (ascending) where a new segment starts — 0 < cp[i] < n — at most cap of
 * them; p (may be NULL) the permutation p-value of each.  Returns how many, or -EINVAL
 * (a value <= 0 or not finite), -ENOMEM.  Fewer than 2 * min_size values: 0.
 */
int changepoint_find(const double *x, size_t n, const struct changepoint_opts *opts,
		     size_t *cp, double *p, size_t cap);

#endif
