/* SPDX-License-Identifier: MIT */
/*
 * changepoint.c — E-Divisive means over a series of run medians (changepoint.h).
 *
 * The energy statistic of every split of a segment is computed in O(L²) in all, by
 * moving the split one value at a time and updating three sums (within the left part,
 * within the right part, between them) with the distances of the value that crosses.
 * The significance of the best split is a permutation test: the segment's values are
 * shuffled (xoshiro256** from a fixed seed, so results are reproducible), the best q
 * of each shuffle is computed the same way, and p = (shuffles with q >= observed + 1) /
 * (shuffles + 1).  Change points are added one at a time, the most pronounced first,
 * until the next one is not significant (Matteson & James's hierarchical procedure).
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "changepoint.h"
#include "rng.h"

/* The best split of v[0..L): its position (1..L-1) in *at, its q returned; -1 when
 * no split leaves min_size values on both sides. */
static double best_split(const double *v, size_t L, size_t min_size, size_t *at)
{
	double wl = 0, wr = 0, b = 0, best = -1;

	if (min_size < 2)
		min_size = 2;
	if (L < 2 * min_size)
		return -1;
	for (size_t i = 0; i < L; i++)
		for (size_t j = i + 1; j < L; j++)
			wr += fabs(v[i] - v[j]);
	/* split at t: left v[0..t), right v[t..L); move t from 0 to L-1 */
	for (size_t t = 0; t + 1 < L; t++) {
		double to_left = 0, to_right = 0;

		/* value t crosses from the right part to the left */
		for (size_t i = 0; i < t; i++)
			to_left += fabs(v[i] - v[t]);
		for (size_t j = t + 1; j < L; j++)
			to_right += fabs(v[t] - v[j]);
		wl += to_left;
		wr -= to_right;
		b += to_right - to_left;
		{
			size_t m = t + 1, k = L - m;
			double dm = (double)m, dk = (double)k, q;

			if (m < min_size || k < min_size)
				continue;
			q = dm * dk / (dm + dk) * (2.0 * b / (dm * dk) - wl / (dm * (dm - 1) / 2) -
						   wr / (dk * (dk - 1) / 2));
			if (q > best) {
				best = q;
				*at = m;
			}
		}
	}
	return best;
}

/* Permutation p-value of the best split of v[0..L) having q >= q_obs. */
static double perm_p(const double *v, size_t L, double q_obs, const struct changepoint_opts *o,
		     struct rng *r, double *work)
{
	unsigned ge = 0;
	size_t at;

	memcpy(work, v, L * sizeof(*work));
	for (unsigned p = 0; p < o->permutations; p++) {
		for (size_t i = L - 1; i > 0; i--) {
			size_t j = (size_t)(((rng_next(r) >> 32) * (uint64_t)(i + 1)) >> 32);
			double t = work[i];

			work[i] = work[j];
			work[j] = t;
		}
		if (best_split(work, L, o->min_size, &at) >= q_obs * (1 - 1e-12))
			ge++;
	}
	return (ge + 1.0) / (o->permutations + 1.0);
}

int changepoint_find(const double *x, size_t n, const struct changepoint_opts *opts,
		     size_t *cp, double *pv, size_t cap)
{
	static const struct changepoint_opts defaults = CHANGEPOINT_OPTS_DEFAULT;
	struct changepoint_opts o = opts ? *opts : defaults;
	size_t *cuts = NULL, *bounds = NULL, ncut = 0, min2;
	double *v = NULL, *work = NULL, *cut_p = NULL;
	struct rng r;
	int rc = 0;

	if (!x)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return -EINVAL;
	if (!(o.alpha > 0) || o.alpha >= 1)
		o.alpha = defaults.alpha;
	if (!o.permutations)
		o.permutations = defaults.permutations;
	if (o.min_size < 2)
		o.min_size = 2;
	min2 = 2 * o.min_size;
	if (n < min2 || !cap)
		return 0;
	v = malloc(n * sizeof(*v));
	work = malloc(n * sizeof(*work));
	cuts = malloc((n + 2) * sizeof(*cuts));
	cut_p = malloc((n + 2) * sizeof(*cut_p));
	bounds = malloc((n + 2) * sizeof(*bounds));
	if (!v || !work || !cuts || !cut_p || !bounds) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = log(x[i]);
	rng_seed(&r, (uint64_t)o.seed);
	/* segment boundaries: 0, the accepted cuts (sorted), n */
	for (;;) {
		size_t nb = 0, best_a = 0, best_L = 0, best_at = 0;
		double best_q = -1, p;

		bounds[nb++] = 0;
		for (size_t i = 0; i < ncut; i++)
			bounds[nb++] = cuts[i];
		bounds[nb++] = n;
		for (size_t s = 0; s + 1 < nb; s++) {
			size_t a = bounds[s], L = bounds[s + 1] - a, at;
			double q = best_split(v + a, L, o.min_size, &at);

			if (q > best_q) {
				best_q = q;
				best_a = a;
				best_L = L;
				best_at = a + at;
			}
		}
		if (!(best_q > 0))
			break;
		p = perm_p(v + best_a, best_L, best_q, &o, &r, work);
		if (p > o.alpha)
			break;
		cut_p[ncut] = p;
		cuts[ncut++] = best_at;
		/* keep cuts sorted, with their p-values */
		for (size_t i = ncut - 1; i > 0 && cuts[i - 1] > cuts[i]; i--) {
			size_t t = cuts[i];
			double tp = cut_p[i];

			cuts[i] = cuts[i - 1];
			cuts[i - 1] = t;
			cut_p[i] = cut_p[i - 1];
			cut_p[i - 1] = tp;
		}
	}
	for (size_t i = 0; i < ncut && i < cap; i++) {
		cp[i] = cuts[i];
		if (pv)
			pv[i] = cut_p[i];
	}
	rc = (int)(ncut < cap ? ncut : cap);
out:
	free(v);
	free(work);
	free(cuts);
	free(cut_p);
	free(bounds);
	return rc;
}
