/* SPDX-License-Identifier: MIT */
/*
 * test-changepoint.c — E-Divisive means on synthetic series (lib/changepoint.h): a step
 * of +20% in a noisy series is found at the right index, two steps at both, a flat
 * noisy series gives none, and the result is deterministic (same series, same points).
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include "changepoint.h"
#include "rng.h"
#include "tap.h"

/* 100 * (1 + noise) with noise uniform in [-amp, amp], from a fixed seed. */
static void noisy(double *x, size_t n, double amp, uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		x[i] = 100.0 * (1.0 + amp * (2.0 * (double)(rng_next(&r) >> 11) / 9007199254740992.0 - 1.0));
}

int main(void)
{
	double x[120], p[8];
	size_t cp[8], cp2[8];
	int n;

	/* a step of +20% at index 30 of 60, noise +-3% */
	noisy(x, 60, 0.03, 1);
	for (size_t i = 30; i < 60; i++)
		x[i] *= 1.2;
	n = changepoint_find(x, 60, NULL, cp, p, 8);
	is_int(n, 1, "+20% step: one change point");
	is_int(n >= 1 ? (long)cp[0] : -1, 30, "+20% step: found at index 30");
	ok(n >= 1 && p[0] <= 0.01, "+20%% step: significant (p %.4f)", n >= 1 ? p[0] : NAN);

	/* the same with noise +-8% (larger than a third of the step) */
	noisy(x, 60, 0.08, 2);
	for (size_t i = 25; i < 60; i++)
		x[i] *= 1.2;
	n = changepoint_find(x, 60, NULL, cp, NULL, 8);
	ok(n == 1 && cp[0] >= 24 && cp[0] <= 26, "+20%% step in +-8%% noise: found at 25 (+-1): %d at %ld",
	   n, n >= 1 ? (long)cp[0] : -1L);

	/* a flat noisy series: none, for several seeds */
	for (uint64_t s = 10; s < 15; s++) {
		noisy(x, 80, 0.10, s);
		n = changepoint_find(x, 80, NULL, cp, NULL, 8);
		ok(n == 0, "flat series +-10%% noise (seed %d): no change point (%d)", (int)s, n);
	}

	/* two steps: +20% at 20, back -30% at 50 */
	noisy(x, 80, 0.03, 3);
	for (size_t i = 20; i < 50; i++)
		x[i] *= 1.2;
	for (size_t i = 50; i < 80; i++)
		x[i] *= 0.7;
	n = changepoint_find(x, 80, NULL, cp, NULL, 8);
	ok(n == 2 && cp[0] == 20 && cp[1] == 50, "two steps: found at 20 and 50 (%d: %ld %ld)", n,
	   n >= 1 ? (long)cp[0] : -1L, n >= 2 ? (long)cp[1] : -1L);
	is_int(changepoint_find(x, 80, NULL, cp2, NULL, 8), n, "deterministic: same count again");
	ok(n == 2 && cp2[0] == cp[0] && cp2[1] == cp[1], "deterministic: same points again");

	/* short and bad input */
	is_int(changepoint_find(x, 5, NULL, cp, NULL, 8), 0, "5 values: too few to split");
	x[3] = -1;
	is_int(changepoint_find(x, 80, NULL, cp, NULL, 8), -EINVAL, "a value <= 0 is refused");
	x[3] = NAN;
	is_int(changepoint_find(x, 80, NULL, cp, NULL, 8), -EINVAL, "NaN is refused");
	return done_testing();
}
