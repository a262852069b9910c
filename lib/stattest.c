/* SPDX-License-Identifier: MIT */
/*
 * stattest.c — two-sample statistics for comparing runs: Mann-Whitney U (exact
 * distribution without ties for small samples, normal approximation otherwise), the
 * Hodges-Lehmann shift, the bootstrap CI of the ratio of medians, Student's t
 * distribution and Holm's step-down adjustment.
 *
 * A rank test because benchmark samples are skewed and multi-modal (no normality
 * assumption); a bootstrap of the ratio because the effect that matters is relative.
 * Everything is deterministic: the bootstrap's generator is seeded from the data, so
 * the same samples always give the same interval.  The contracts are in stattest.h.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rng.h"
#include "stats.h"
#include "stattest.h"

static bool all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

/* ------------------------------------------------------------------ Mann-Whitney U */

struct tagged {
	double v;
	int side; /* 0 = x, 1 = y */
};

static int cmp_tagged(const void *a, const void *b)
{
	return stats_cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

/*
 * Counts of U = 0 .. m*n over all C(m+n, m) arrangements without ties: the coefficients
 * of the Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
 * built one factor at a time.  Every intermediate polynomial is a Gaussian binomial
 * times one (1 - q^k), so |coefficients| <= C(m+n, m) and int64 is exact for
 * m + n <= 60.  Returns a malloc'd array of m*n + 1 counts, or NULL.
 */
static int64_t *mw_exact_counts(size_t m, size_t n)
{
	size_t cap = m * n + m + n + 1, deg = 0;
	int64_t *c = calloc(cap, sizeof(*c));

	if (!c)
		return NULL;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		size_t s = n + i;

		/* multiply by (1 - q^s): descending, so c[k - s] is still the old value */
		for (size_t k = deg + s; k >= s; k--) {
			c[k] -= c[k - s];
			if (k == s)
				break;
		}
		deg += s;
		/* divide by (1 - q^i): d[k] = c[k] + d[k - i], ascending */
		for (size_t k = i; k <= deg; k++)
			c[k] += c[k - i];
		deg -= i;
	}
	return c;
}

int stat_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
			 struct stat_mw *out)
{
	size_t N = n1 + n2, i, j;
	double r2 = 0.0, tie_sum = 0.0, u, mu;
	bool ties = false;
	struct tagged *a;

	if (!x || !y || !out || n1 == 0 || n2 == 0 || !all_finite(x, n1) || !all_finite(y, n2))
		return -EINVAL;
	a = malloc(N * sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (i = 0; i < n1; i++)
		a[i] = (struct tagged){ x[i], 0 };
	for (i = 0; i < n2; i++)
		a[n1 + i] = (struct tagged){ y[i], 1 };
	qsort(a, N, sizeof(*a), cmp_tagged);
	/* Mid-ranks for ties; the tie term sum(t^3 - t) corrects the variance. */
	for (i = 0; i < N; i = j) {
		double t, mid;

		for (j = i; j < N && a[j].v == a[i].v; j++)
			;
		t = (double)(j - i);
		mid = ((double)(i + 1) + (double)j) / 2.0;
		for (size_t k = i; k < j; k++)
			if (a[k].side)
				r2 += mid;
		if (j - i > 1) {
			ties = true;
			tie_sum += t * t * t - t;
		}
	}
	free(a);

	u = r2 - (double)n2 * ((double)n2 + 1.0) / 2.0;
	mu = (double)n1 * (double)n2 / 2.0;
	out->u = u;

	if (!ties && N <= STAT_EXACT_MAX_N) {
		size_t m = n1 < n2 ? n1 : n2, n = N - m, uu = (size_t)llround(u), top = m * n;
		int64_t *c = mw_exact_counts(m, n);
		double total = 0.0, le = 0.0, ge = 0.0;

		if (!c)
			return -ENOMEM;
		/* The distribution is symmetric, so U of either sample gives the same p. */
		for (size_t k = 0; k <= top; k++) {
			total += (double)c[k];
			if (k <= uu)
				le += (double)c[k];
			if (k >= uu)
				ge += (double)c[k];
		}
		free(c);
		out->p = fmin(1.0, 2.0 * fmin(le, ge) / total);
		out->exact = true;
	} else {
		double Nd = (double)N;
		double var = (double)n1 * (double)n2 / 12.0 *
			     ((Nd + 1.0) - tie_sum / (Nd * (Nd - 1.0)));
		double z;

		out->exact = false;
		if (!(var > 0.0)) { /* every value equal: no evidence of any difference */
			out->p = 1.0;
			return 0;
		}
		z = (fabs(u - mu) - 0.5) / sqrt(var);
		if (z < 0.0)
			z = 0.0;
		out->p = fmin(1.0, erfc(z / M_SQRT2));
	}
	return 0;
}

double stat_mw_min_p(size_t n1, size_t n2)
{
	size_t m = n1 < n2 ? n1 : n2, n = n1 + n2 - m;
	double c = 1.0;

	for (size_t i = 1; i <= m; i++)
		c = c * (double)(n + i) / (double)i;
	return fmin(1.0, 2.0 / c);
}

/* ------------------------------------------------------------------ Hodges-Lehmann */

/* An order-preserving map from doubles to unsigned integers, so that bisection over
 * the integers converges in at most 64 steps whatever the magnitudes. */
static uint64_t dkey(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return (b >> 63) ? ~b : b | (1ull << 63);
}

static double dunkey(uint64_t k)
{
	uint64_t b = (k >> 63) ? k & ~(1ull << 63) : ~k;
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

/* Number of differences y[j] - x[i] <= d; x and y ascending.  For a fixed j the
 * difference falls as i grows, so the qualifying i form a suffix whose start only
 * moves right as j grows: O(n1 + n2).  The differences are computed exactly as the
 * enumeration below computes them, so counts and values agree bit for bit. */
static uint64_t count_le(const double *x, size_t n1, const double *y, size_t n2, double d)
{
	uint64_t c = 0;
	size_t s = 0;

	for (size_t j = 0; j < n2; j++) {
		while (s < n1 && !(y[j] - x[s] <= d))
			s++;
		c += n1 - s;
	}
	return c;
}

/* The k-th smallest (0-based) of the n1*n2 differences y[j] - x[i], or NAN on ENOMEM. */
static double kth_difference(const double *x, size_t n1, const double *y, size_t n2,
			     uint64_t k)
{
	/* Few enough candidates to list: then sort them.  Otherwise bisect on value. */
	const uint64_t limit = 4 * (uint64_t)(n1 + n2) > 4096 ? 4 * (uint64_t)(n1 + n2) : 4096;
	double lo = nextafter(y[0] - x[n1 - 1], -INFINITY), hi = y[n2 - 1] - x[0], v;
	uint64_t c_lo = 0, c_hi = (uint64_t)n1 * n2, m = 0;
	double *cand;
	size_t a, b;

	/* invariant: count_le(lo) = c_lo <= k < c_hi = count_le(hi) */
	while (c_hi - c_lo > limit) {
		uint64_t kl = dkey(lo), kh = dkey(hi), c;
		double mid = dunkey(kl + (kh - kl) / 2);

		if (kh - kl < 2 || !(mid > lo && mid < hi))
			return hi; /* nothing lies strictly between: every candidate is hi */
		c = count_le(x, n1, y, n2, mid);
		if (c > k) {
			hi = mid;
			c_hi = c;
		} else {
			lo = mid;
			c_lo = c;
		}
	}
	cand = malloc((size_t)(c_hi - c_lo) * sizeof(*cand) + sizeof(*cand));
	if (!cand)
		return NAN;
	/* For each j, the i with lo < y[j] - x[i] <= hi form the range [a, b). */
	a = b = 0;
	for (size_t j = 0; j < n2; j++) {
		while (a < n1 && !(y[j] - x[a] <= hi))
			a++;
		if (b < a)
			b = a;
		while (b < n1 && !(y[j] - x[b] <= lo))
			b++;
		for (size_t i = a; i < b && m < c_hi - c_lo; i++)
			cand[m++] = y[j] - x[i];
	}
	qsort(cand, (size_t)m, sizeof(*cand), stats_cmp_double);
	v = k - c_lo < m ? cand[k - c_lo] : hi;
	free(cand);
	return v;
}

double stat_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2)
{
	double *sx, *sy, r;
	uint64_t N;

	if (!x || !y || n1 == 0 || n2 == 0 || !all_finite(x, n1) || !all_finite(y, n2))
		return NAN;
	sx = stats_sorted_copy(x, n1);
	sy = stats_sorted_copy(y, n2);
	if (!sx || !sy) {
		free(sx);
		free(sy);
		return NAN;
	}
	N = (uint64_t)n1 * n2;
	if (N % 2)
		r = kth_difference(sx, n1, sy, n2, N / 2);
	else
		r = (kth_difference(sx, n1, sy, n2, N / 2 - 1) +
		     kth_difference(sx, n1, sy, n2, N / 2)) / 2.0;
	free(sx);
	free(sy);
	return r;
}

/* ------------------------------------------------------------------ bootstrap CI */

/* The median of one resample of sorted[0..n), by counting how often each order
 * statistic was drawn (O(n), no sort).  counts holds n entries. */
static double boot_median(const double *sorted, size_t n, uint32_t *counts, struct rng *r)
{
	if (n >= STATS_BOOT_DIRECT_MIN)
		return stats_boot_median_direct(sorted, n, r);
	memset(counts, 0, n * sizeof(*counts));
	for (size_t j = 0; j < n; j++)
		counts[rng_index(r, n)]++;
	return stats_median_of_counts(sorted, n, counts);
}

/* The k-th smallest (0-based) of v[0..n), n >= 1, by quickselect (Hoare partition,
 * median-of-three pivot); v is reordered.  The bootstrap needs two quantiles of a few
 * thousand ratios per comparison, and the calibration makes tens of thousands of
 * comparisons: selection instead of a full sort. */
static double select_kth(double *v, size_t n, size_t k)
{
	long l = 0, r = (long)n - 1, kk = (long)k;

#define SWAP(a, b) do { double t_ = v[a]; v[a] = v[b]; v[b] = t_; } while (0)
	while (r > l) {
		long mid = l + (r - l) / 2, i = l, j = r;
		double pivot;

		if (v[mid] < v[l])
			SWAP(mid, l);
		if (v[r] < v[l])
			SWAP(r, l);
		if (v[r] < v[mid])
			SWAP(r, mid);
		pivot = v[mid];
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				SWAP(i, j);
				i++;
				j--;
			}
		}
		/* now v[l..j] <= pivot, v[i..r] >= pivot, and anything between equals it */
		if (kk <= j)
			r = j;
		else if (kk >= i)
			l = i;
		else
			break;
	}
#undef SWAP
	return v[k];
}

/* The R type-7 quantile q of v[0..n) (reordered), exactly as stats_quantile_sorted()
 * computes it on the sorted array. */
static double quantile_select(double *v, size_t n, double q)
{
	double h, a, b;
	size_t lo;

	if (!(q > 0.0))
		return select_kth(v, n, 0);
	if (q >= 1.0)
		return select_kth(v, n, n - 1);
	h = (double)(n - 1) * q;
	lo = (size_t)h;
	if (lo >= n - 1)
		return select_kth(v, n, n - 1);
	a = select_kth(v, n, lo);
	b = v[lo + 1];
	for (size_t i = lo + 2; i < n; i++)
		if (v[i] < b)
			b = v[i];
	/* equal neighbours (including two infinities) give exactly that value */
	return a == b ? a : a + (h - (double)lo) * (b - a);
}

/* The ratio of medians in the bad direction; +Inf when it is undefined, which makes a
 * resample count as "possibly much worse" rather than silently vanish. */
double stat_bad_ratio(double med_base, double med_cur, bool higher_is_better)
{
	if (!(med_base > 0.0) || !(med_cur > 0.0))
		return INFINITY;
	return higher_is_better ? med_base / med_cur : med_cur / med_base;
}

/* The bootstrap on already sorted inputs; both medians must be positive. */
int stat_boot_ratio_ci_sorted(const double *sb, size_t nb, const double *sc, size_t nc,
			     bool hib, double level, unsigned reps, double *lo, double *hi)
{
	size_t nmax = nb > nc ? nb : nc;
	uint32_t *counts = malloc(nmax * sizeof(*counts));
	double *ratios = malloc((size_t)reps * sizeof(*ratios));
	double r0 = stat_bad_ratio(stats_quantile_sorted(sb, nb, 0.5),
			      stats_quantile_sorted(sc, nc, 0.5), hib);
	double tail = (1.0 - level) / 2.0;
	struct rng rng;

	if (!counts || !ratios) {
		free(counts);
		free(ratios);
		return -ENOMEM;
	}
	rng_seed(&rng, stats_hash_doubles(stats_hash_doubles(STATS_SEED, sb, nb), sc, nc) ^ hib);
	for (unsigned b = 0; b < reps; b++) {
		double mb = boot_median(sb, nb, counts, &rng);
		double mc = boot_median(sc, nc, counts, &rng);

		ratios[b] = stat_bad_ratio(mb, mc, hib);
	}
	*lo = quantile_select(ratios, reps, tail);
	*hi = quantile_select(ratios, reps, 1.0 - tail);
	/* A percentile interval of a discrete statistic can miss the point estimate by a
	 * hair on tiny samples; an interval excluding the ratio it is shown with only
	 * confuses, so widen it (as stats.c does for the median). */
	if (*lo > r0)
		*lo = r0;
	if (*hi < r0)
		*hi = r0;
	free(counts);
	free(ratios);
	return 0;
}

int stat_boot_ratio_ci(const double *base, size_t nb, const double *cur, size_t nc,
			  bool higher_is_better, double level, unsigned reps,
			  double *lo, double *hi)
{
	double *sb, *sc;
	int rc;

	if (!base || !cur || !lo || !hi || nb == 0 || nc == 0 || !all_finite(base, nb) ||
	    !all_finite(cur, nc))
		return -EINVAL;
	if (level == 0.0)
		level = STAT_DEFAULT_CI_LEVEL;
	if (!(level > 0.0 && level < 1.0))
		return -EINVAL;
	if (reps == 0)
		reps = STAT_DEFAULT_BOOT_REPS;
	sb = stats_sorted_copy(base, nb);
	sc = stats_sorted_copy(cur, nc);
	if (!sb || !sc) {
		free(sb);
		free(sc);
		return -ENOMEM;
	}
	if (!(stats_quantile_sorted(sb, nb, 0.5) > 0.0) ||
	    !(stats_quantile_sorted(sc, nc, 0.5) > 0.0))
		rc = -EINVAL;
	else
		rc = stat_boot_ratio_ci_sorted(sb, nb, sc, nc, higher_is_better, level, reps, lo, hi);
	free(sb);
	free(sc);
	return rc;
}


/* ------------------------------------------------------------------ Student's t */

/*
 * The continued fraction of the regularized incomplete beta function (modified Lentz,
 * as Numerical Recipes' betacf): converges quickly for x < (a + 1) / (a + b + 2), the
 * caller uses the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
 */
#define LENTZ_TINY 1e-300

/* One term aa of the fraction: updates Lentz's c and d and returns the factor d * c
 * by which it changes the value. */
static double lentz_step(double aa, double *c, double *d)
{
	*d = 1.0 + aa * *d;
	if (fabs(*d) < LENTZ_TINY)
		*d = LENTZ_TINY;
	*c = 1.0 + aa / *c;
	if (fabs(*c) < LENTZ_TINY)
		*c = LENTZ_TINY;
	*d = 1.0 / *d;
	return *d * *c;
}

static double betacf(double a, double b, double x)
{
	const double eps = 1e-16;
	double qab = a + b, qap = a + 1.0, qam = a - 1.0;
	double c = 1.0, d = 1.0 - qab * x / qap, h;

	if (fabs(d) < LENTZ_TINY)
		d = LENTZ_TINY;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, del;

		/* the even term, then the odd one */
		h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
		del = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
		h *= del;
		if (fabs(del - 1.0) < eps)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
static double betai(double a, double b, double x)
{
	double lbt;

	if (!(x > 0.0))
		return 0.0;
	if (!(x < 1.0))
		return 1.0;
	lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1.0 - exp(lbt) * betacf(b, a, 1.0 - x) / b;
}

double stat_t_sf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return t > 0.0 ? 0.0 : 1.0;
	/* P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2); half of it on each side */
	tail = 0.5 * betai(0.5 * df, 0.5, df / (df + t * t));
	return t >= 0.0 ? tail : 1.0 - tail;
}

double stat_t_quantile(double p, double df)
{
	double lo = 0.0, hi = 1.0;

	if (!(p > 0.0 && p <= 0.5) || !(df > 0.0))
		return NAN;
	/* P(T > t) falls from 0.5 at t = 0: bracket, then bisect to double precision */
	while (stat_t_sf(hi, df) > p && hi < 1e12)
		hi *= 2.0;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (stat_t_sf(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* ------------------------------------------------------------------ Holm */

static int cmp_pidx(const void *a, const void *b)
{
	const struct stat_pidx *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Holm's step-down on the m p-values of v (each with its pair's index): sorts v and
 * replaces every p by its adjusted value, the r-th smallest (0-based) times m - r, made
 * non-decreasing, at most 1. */
void stat_holm(struct stat_pidx *v, size_t m)
{
	double run = 0.0;

	qsort(v, m, sizeof(*v), cmp_pidx);
	for (size_t r = 0; r < m; r++) {
		run = fmax(run, fmin(1.0, (double)(m - r) * v[r].p));
		v[r].p = run;
	}
}
