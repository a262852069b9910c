/*
 * compare.c — statistically sound comparison of two locus-result/1 files: the
 * statistics (Mann-Whitney U, Hodges-Lehmann, bootstrap CI of the ratio of medians),
 * the verdict rule, per-bench overrides, fingerprints, the outputs of `locus compare`
 * (table, JSON, JUnit, Markdown, GitHub annotations) and the gate's calibration.
 *
 * A gate that fails builds on noise is switched off within a week, and a gate that
 * only reports is not a gate; so a verdict needs both significance (a rank test that
 * makes no normality assumption, since benchmark samples are skewed and multi-modal)
 * and an effect of at least the threshold, and it says "inconclusive" instead of
 * guessing when the data cannot decide.  The verdict rule is spelled out in compare.h.
 * Everything here is deterministic: the bootstrap's generator is seeded from the data,
 * so the same two files always give the same report.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compare.h"
#include "env.h"
#include "log.h"
#include "parse.h"
#include "result.h"
#include "runs.h"
#include "rng.h"
#include "stats.h"

/* ------------------------------------------------------------------ PRNG */

static inline size_t rng_index(struct rng *r, size_t n)
{
	return (size_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static uint64_t hash_doubles(uint64_t h, const double *v, size_t n)
{
	h ^= (uint64_t)n;
	for (size_t i = 0; i < n; i++) {
		double d = v[i] == 0.0 ? 0.0 : v[i]; /* -0.0 and 0.0 are the same sample */
		uint64_t bits;

		memcpy(&bits, &d, sizeof(bits));
		h ^= bits;
		h = rng_splitmix64(&h);
	}
	return h;
}

/* ------------------------------------------------------------------ small helpers */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

static bool all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

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

/* ------------------------------------------------------------------ Mann-Whitney U */

struct tagged {
	double v;
	int side; /* 0 = x, 1 = y */
};

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
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

int compare_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
			 struct compare_mw *out)
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

	if (!ties && N <= COMPARE_EXACT_MAX_N) {
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

double compare_mw_min_p(size_t n1, size_t n2)
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
	qsort(cand, (size_t)m, sizeof(*cand), cmp_double);
	v = k - c_lo < m ? cand[k - c_lo] : hi;
	free(cand);
	return v;
}

double compare_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2)
{
	double *sx, *sy, r;
	uint64_t N;

	if (!x || !y || n1 == 0 || n2 == 0 || !all_finite(x, n1) || !all_finite(y, n2))
		return NAN;
	sx = sorted_copy(x, n1);
	sy = sorted_copy(y, n2);
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
	size_t k1 = (n - 1) / 2, k2 = n / 2, cum = 0, i = 0;
	double v1, v2;

	memset(counts, 0, n * sizeof(*counts));
	for (size_t j = 0; j < n; j++)
		counts[rng_index(r, n)]++;
	while (cum + counts[i] <= k1)
		cum += counts[i++];
	v1 = sorted[i];
	while (cum + counts[i] <= k2)
		cum += counts[i++];
	v2 = sorted[i];
	return v1 + 0.5 * (v2 - v1);
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
static double bad_ratio(double med_base, double med_cur, bool higher_is_better)
{
	if (!(med_base > 0.0) || !(med_cur > 0.0))
		return INFINITY;
	return higher_is_better ? med_base / med_cur : med_cur / med_base;
}

/* The bootstrap on already sorted inputs; both medians must be positive. */
static int boot_ratio_sorted(const double *sb, size_t nb, const double *sc, size_t nc,
			     bool hib, double level, unsigned reps, double *lo, double *hi)
{
	size_t nmax = nb > nc ? nb : nc;
	uint32_t *counts = malloc(nmax * sizeof(*counts));
	double *ratios = malloc((size_t)reps * sizeof(*ratios));
	double r0 = bad_ratio(stats_quantile_sorted(sb, nb, 0.5),
			      stats_quantile_sorted(sc, nc, 0.5), hib);
	double tail = (1.0 - level) / 2.0;
	struct rng rng;

	if (!counts || !ratios) {
		free(counts);
		free(ratios);
		return -ENOMEM;
	}
	rng_seed(&rng, hash_doubles(hash_doubles(0x6c6f637573ull, sb, nb), sc, nc) ^ hib);
	for (unsigned b = 0; b < reps; b++) {
		double mb = boot_median(sb, nb, counts, &rng);
		double mc = boot_median(sc, nc, counts, &rng);

		ratios[b] = bad_ratio(mb, mc, hib);
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

int compare_boot_ratio_ci(const double *base, size_t nb, const double *cur, size_t nc,
			  bool higher_is_better, double level, unsigned reps,
			  double *lo, double *hi)
{
	double *sb, *sc;
	int rc;

	if (!base || !cur || !lo || !hi || nb == 0 || nc == 0 || !all_finite(base, nb) ||
	    !all_finite(cur, nc))
		return -EINVAL;
	if (level == 0.0)
		level = COMPARE_DEFAULT_CI_LEVEL;
	if (!(level > 0.0 && level < 1.0))
		return -EINVAL;
	if (reps == 0)
		reps = COMPARE_DEFAULT_BOOT_REPS;
	sb = sorted_copy(base, nb);
	sc = sorted_copy(cur, nc);
	if (!sb || !sc) {
		free(sb);
		free(sc);
		return -ENOMEM;
	}
	if (!(stats_quantile_sorted(sb, nb, 0.5) > 0.0) ||
	    !(stats_quantile_sorted(sc, nc, 0.5) > 0.0))
		rc = -EINVAL;
	else
		rc = boot_ratio_sorted(sb, nb, sc, nc, higher_is_better, level, reps, lo, hi);
	free(sb);
	free(sc);
	return rc;
}

/* ------------------------------------------------------------------ the verdict */

/* The reasons of rules 3 and 5: the ones rule 7 can settle (compared by address). */
static const char ci_no_change_reason[] =
	"significant, but the CI of the ratio includes no change";
static const char ci_straddles_reason[] =
	"CI straddles the threshold: a regression can be neither confirmed nor ruled out";

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
	} else if (compare_mw_min_p(n_base, n_cur) >= alpha) {
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
		why = ci_straddles_reason;
	} else {
		v = VERDICT_UNCHANGED;
		why = p < alpha ? "significant but smaller than the threshold" : "not significant";
	}
	if (reason)
		*reason = why;
	return v;
}

/* ------------------------------------------------------------------ Student's t */

/*
 * The continued fraction of the regularized incomplete beta function (modified Lentz,
 * as Numerical Recipes' betacf): converges quickly for x < (a + 1) / (a + b + 2), the
 * caller uses the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
 */
static double betacf(double a, double b, double x)
{
	const double eps = 1e-16, tiny = 1e-300;
	double qab = a + b, qap = a + 1.0, qam = a - 1.0;
	double c = 1.0, d = 1.0 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
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

double compare_t_sf(double t, double df)
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
	v = sorted_copy(medians, k);
	if (!v)
		return -ENOMEM;
	out->ratio_mid = bad_ratio(stats_quantile_sorted(v, k, 0.5), cur, higher_is_better);
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
	out->p_worse = compare_t_sf(t, (double)(k - 1));
	out->p_better = compare_t_sf(-t, (double)(k - 1));
	return 0;
}

double compare_t_quantile(double p, double df)
{
	double lo = 0.0, hi = 1.0;

	if (!(p > 0.0 && p <= 0.5) || !(df > 0.0))
		return NAN;
	/* P(T > t) falls from 0.5 at t = 0: bracket, then bisect to double precision */
	while (compare_t_sf(hi, df) > p && hi < 1e12)
		hi *= 2.0;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (compare_t_sf(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

static const char run_test_not_significant_reason[] =
	"significant against the pooled runs, but not against the baseline's run-to-run "
	"variation (run-level t test)";
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
	if (pooled == VERDICT_INCONCLUSIVE && reason &&
	    (*reason == ci_no_change_reason || *reason == ci_straddles_reason)) {
		if (!isnan(run_p) && !isnan(mid_ratio) && (!(run_p < alpha) || !(mid_ratio >= up))) {
			v = VERDICT_UNCHANGED;
			why = run_test_undecided_reason;
		}
	} else if (pooled == VERDICT_REGRESSED || pooled == VERDICT_IMPROVED) {
		bool reg = pooled == VERDICT_REGRESSED;

		if (isnan(run_p) || isnan(mid_ratio)) {
			v = VERDICT_INCONCLUSIVE;
			why = "a baseline run's median is zero or negative: the run-level test is undefined";
		} else if (!(run_p < alpha)) {
			v = VERDICT_UNCHANGED;
			why = run_test_not_significant_reason;
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
	if (pooled == VERDICT_INCONCLUSIVE && reason &&
	    (*reason == ci_no_change_reason || *reason == ci_straddles_reason)) {
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

/* ------------------------------------------------------------------ per-bench overrides */

struct cfg_rule {
	char *pattern;
	bool full_key;              /* match the whole key, not just bench/metric */
	bool has_alpha, has_threshold;
	double alpha, threshold;
};

struct compare_config {
	struct cfg_rule *rules;
	size_t n;
};

void compare_config_free(struct compare_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->rules[i].pattern);
	free(c->rules);
	free(c);
}

static int cfg_line(const char *path, unsigned line, char *s, struct cfg_rule *r)
{
	char what[512], *tok, *save = NULL, *eq;
	bool any = false;

	tok = strtok_r(s, " \t", &save);
	if (strchr(tok, '=') && !strchr(tok, '{'))
		return locus_error("%s:%u: the line must start with a pattern (bench/metric), not '%s'",
				   path, line, tok);
	if (!strchr(tok, '/') && !strchr(tok, '{')) {
		r->pattern = malloc(strlen(tok) + 3);
		if (r->pattern)
			sprintf(r->pattern, "%s/*", tok);
	} else {
		r->pattern = strdup(tok);
	}
	if (!r->pattern)
		return -ENOMEM;
	r->full_key = strchr(tok, '{') != NULL;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1])
			return locus_error("%s:%u: '%s' is not KEY=VALUE (keys: threshold, alpha)",
					   path, line, tok);
		*eq++ = '\0';
		snprintf(what, sizeof(what), "%s:%u: %s", path, line, tok);
		if (strcmp(tok, "threshold") == 0) {
			size_t len = strlen(eq);

			if (len > 1 && eq[len - 1] == '%')
				eq[len - 1] = '\0';
			if (parse_double(what, eq, 0.0, 1000.0, &r->threshold) < 0)
				return -EINVAL;
			r->threshold /= 100.0;
			r->has_threshold = true;
		} else if (strcmp(tok, "alpha") == 0) {
			if (parse_double(what, eq, 1e-12, 0.5, &r->alpha) < 0)
				return -EINVAL;
			r->has_alpha = true;
		} else {
			return locus_error("%s:%u: unknown setting '%s' (allowed: threshold, alpha)",
					   path, line, tok);
		}
		any = true;
	}
	if (!any)
		return locus_error("%s:%u: pattern '%s' has no settings (threshold=PCT, alpha=A)",
				   path, line, r->pattern);
	return 0;
}

int compare_config_load(const char *path, struct compare_config **out)
{
	struct compare_config *c;
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	int rc = 0;

	*out = NULL;
	if (!f) {
		rc = -errno;
		locus_error("%s: cannot read: %s", path, strerror(errno));
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fclose(f);
		return -ENOMEM;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *s = buf, *hash = strchr(buf, '#'), *end;
		struct cfg_rule *rules;

		line++;
		if (hash)
			*hash = '\0';
		s += strspn(s, " \t\r\n");
		end = s + strlen(s);
		while (end > s && strchr(" \t\r\n", end[-1]))
			*--end = '\0';
		if (!*s)
			continue;
		rules = realloc(c->rules, (c->n + 1) * sizeof(*rules));
		if (!rules) {
			rc = -ENOMEM;
			break;
		}
		c->rules = rules;
		memset(&c->rules[c->n], 0, sizeof(c->rules[0]));
		rc = cfg_line(path, line, s, &c->rules[c->n]);
		c->n++;
		if (rc < 0) {
			rc = rc == -ENOMEM ? rc : -EINVAL;
			break;
		}
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		locus_error("%s: read error", path);
	}
	free(buf);
	fclose(f);
	if (rc < 0) {
		compare_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void compare_config_apply(const struct compare_config *c, const json_t *m,
			  double *alpha, double *threshold)
{
	char *key = NULL, *bm = NULL;

	if (!c || !c->n)
		return;
	key = result_key(m);
	if (asprintf(&bm, "%s/%s", json_string_value(json_object_get(m, "bench")),
		     json_string_value(json_object_get(m, "metric"))) < 0)
		bm = NULL;
	if (!key || !bm)
		goto out;
	for (size_t i = 0; i < c->n; i++) {
		const struct cfg_rule *r = &c->rules[i];

		if (fnmatch(r->pattern, r->full_key ? key : bm, 0) != 0)
			continue;
		if (r->has_alpha)
			*alpha = r->alpha;
		if (r->has_threshold)
			*threshold = r->threshold;
	}
out:
	free(key);
	free(bm);
}

/* ------------------------------------------------------------------ one pair */

/* The samples of a measurement as a malloc'd array (never NULL unless ENOMEM). */
static double *samples_of(const json_t *m, size_t *n)
{
	const json_t *arr = json_object_get(m, "samples");
	size_t i, len = json_array_size(arr);
	double *v = malloc((len ? len : 1) * sizeof(*v));
	json_t *x;

	*n = 0;
	if (!v)
		return NULL;
	json_array_foreach(arr, i, x)
		if (json_is_number(x))
			v[(*n)++] = json_number_value(x);
	return v;
}

/* Scale samples by (1 + s) in the bad direction: slower for lower-is-better metrics,
 * lower throughput for higher-is-better ones. */
static void inject_slowdown(double *v, size_t n, double s, bool hib)
{
	for (size_t i = 0; i < n; i++)
		v[i] = hib ? v[i] / (1.0 + s) : v[i] * (1.0 + s);
}

/* Rules 1-6 on the pooled samples. */
static void pair_decide_pooled(struct compare_pair *p)
{
	if (p->n_base == 0 || p->n_cur == 0) {
		p->verdict = VERDICT_INCONCLUSIVE;
		p->reason = "no samples";
	} else if (p->incomparable) {
		/* different units or directions make the numbers incomparable, whatever
		 * they say */
		p->verdict = VERDICT_INCONCLUSIVE;
		p->reason = "unit or direction differs between the two files";
	} else {
		p->verdict = compare_decide(p->n_base, p->n_cur, p->p_adj, p->ratio, p->ci_low,
					    p->ci_high, p->alpha, p->threshold, &p->reason);
	}
}

/* Does the run-level test (K >= 3) apply to this pair's pooled verdict, and which of
 * its one-sided p-values?  NAN when not. */
static double run_p_raw(const struct compare_pair *p)
{
	if (p->incomparable || p->base_runs < COMPARE_RUN_TEST_MIN_RUNS)
		return NAN;
	if (p->verdict == VERDICT_IMPROVED)
		return p->run_test.p_better;
	return p->run_test.p_worse;
}

/* The run-level family: pooled regressions and improvements with K >= 3. */
static bool run_testable(const struct compare_pair *p)
{
	return p->base_runs >= COMPARE_RUN_TEST_MIN_RUNS && !p->incomparable &&
	       (p->verdict == VERDICT_REGRESSED || p->verdict == VERDICT_IMPROVED) &&
	       !isnan(run_p_raw(p));
}

/* Rules 7-9 on a pooled verdict, p->run_p_adj already set for K >= 3. */
static void pair_decide_runs(struct compare_pair *p)
{
	if (p->n_base == 0 || p->n_cur == 0 || p->incomparable)
		return;
	if (p->base_runs >= COMPARE_RUN_TEST_MIN_RUNS)
		p->verdict = compare_decide_run_test(p->verdict, p->base_runs, p->run_p_adj,
						     p->run_test.ratio_mid, p->alpha,
						     p->threshold, &p->reason);
	else
		p->verdict = compare_decide_runs(p->verdict, p->base_runs, p->run_ratio_worst,
						 p->run_ratio_best, p->threshold, &p->reason);
}

/* A family of one. */
static void pair_decide(struct compare_pair *p)
{
	pair_decide_pooled(p);
	p->run_p_adj = run_p_raw(p);
	p->run_family = run_testable(p) ? 1 : 0;
	pair_decide_runs(p);
}

/* Can this pair be significant at all?  Those that cannot are no part of the family
 * the p-values are adjusted over (Tarone). */
static bool pair_testable(const struct compare_pair *p)
{
	return !p->incomparable && p->n_base >= COMPARE_MIN_SAMPLES &&
	       p->n_cur >= COMPARE_MIN_SAMPLES && isfinite(p->ratio) && !isnan(p->mw.p) &&
	       compare_mw_min_p(p->n_base, p->n_cur) < p->alpha;
}

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Holm's step-down on the m p-values of v (each with its pair's index): sorts v and
 * replaces every p by its adjusted value, the r-th smallest (0-based) times m - r, made
 * non-decreasing, at most 1. */
static void holm_adjust(struct pidx *v, size_t m)
{
	double run = 0.0;

	qsort(v, m, sizeof(*v), cmp_pidx);
	for (size_t r = 0; r < m; r++) {
		run = fmax(run, fmin(1.0, (double)(m - r) * v[r].p));
		v[r].p = run;
	}
}

void compare_adjust(struct compare_pair *pairs, size_t n, enum compare_correction c)
{
	struct pidx *v = c == COMPARE_HOLM ? malloc((n ? n : 1) * sizeof(*v)) : NULL;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		pairs[i].p_adj = pairs[i].mw.p;
		if (c == COMPARE_HOLM && pair_testable(&pairs[i])) {
			if (v)
				v[m] = (struct pidx){ pairs[i].mw.p, i };
			m++;
		}
	}
	if (c == COMPARE_HOLM && v) {
		holm_adjust(v, m);
		for (size_t r = 0; r < m; r++)
			pairs[v[r].i].p_adj = v[r].p;
	} else if (c == COMPARE_HOLM) {
		/* no memory for sorting: Bonferroni, never less strict than Holm */
		for (size_t i = 0; i < n; i++)
			if (pair_testable(&pairs[i]))
				pairs[i].p_adj = fmin(1.0, (double)m * pairs[i].mw.p);
	}
	for (size_t i = 0; i < n; i++) {
		pairs[i].family = c == COMPARE_HOLM ? m : 1;
		pair_decide_pooled(&pairs[i]);
		pairs[i].run_p_adj = run_p_raw(&pairs[i]);
		pairs[i].run_family = 0;
	}
	/* The run-level p-values of the pairs that reach rules 7-8 (pooled regressions and
	 * improvements, K >= 3) are a second family, Holm-adjusted the same way. */
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!run_testable(&pairs[i]))
			continue;
		if (v)
			v[m] = (struct pidx){ pairs[i].run_p_adj, i };
		m++;
	}
	if (c == COMPARE_HOLM && v) {
		holm_adjust(v, m);
		for (size_t r = 0; r < m; r++)
			pairs[v[r].i].run_p_adj = v[r].p;
	} else if (c == COMPARE_HOLM) {
		for (size_t i = 0; i < n; i++)
			if (run_testable(&pairs[i]))
				pairs[i].run_p_adj = fmin(1.0, (double)m * pairs[i].run_p_adj);
	}
	for (size_t i = 0; i < n; i++) {
		if (run_testable(&pairs[i]))
			pairs[i].run_family = c == COMPARE_HOLM ? m : 1;
		pair_decide_runs(&pairs[i]);
	}
	free(v);
}

/* The statistics of one pair on arrays; fills the numeric fields and the verdict of
 * p (which must already hold alpha, threshold, higher_is_better).  full = false skips
 * what no verdict can depend on (calibration): the Hodges-Lehmann estimate, and the
 * bootstrap when rule 1 (too few samples) decides anyway. */
static int pair_stats(struct compare_pair *p, const double *b, size_t nb, const double *c,
		      size_t nc, const struct compare_opts *o, bool full)
{
	double *sb = NULL, *sc = NULL;
	int rc = 0;

	p->n_base = nb;
	p->n_cur = nc;
	p->median_base = p->median_cur = p->ratio = p->hl_shift = NAN;
	p->ci_low = p->ci_high = NAN;
	p->ci_level = o->ci_level ? o->ci_level : COMPARE_DEFAULT_CI_LEVEL;
	p->mw = (struct compare_mw){ .u = NAN, .p = NAN };
	if (nb && nc) {
		sb = sorted_copy(b, nb);
		sc = sorted_copy(c, nc);
		if (!sb || !sc) {
			rc = -ENOMEM;
			goto out;
		}
		p->median_base = stats_quantile_sorted(sb, nb, 0.5);
		p->median_cur = stats_quantile_sorted(sc, nc, 0.5);
		if (p->median_base > 0.0 && p->median_cur > 0.0)
			p->ratio = bad_ratio(p->median_base, p->median_cur, p->higher_is_better);
		else if (p->median_base == p->median_cur)
			p->ratio = 1.0;
		rc = compare_mann_whitney(sb, nb, sc, nc, &p->mw);
		if (rc < 0)
			goto out;
		if (full)
			p->hl_shift = compare_hodges_lehmann(sb, nb, sc, nc);
		if (!full && (nb < COMPARE_MIN_SAMPLES || nc < COMPARE_MIN_SAMPLES ||
			      compare_mw_min_p(nb, nc) >= p->alpha)) {
			/* inconclusive whatever the interval says */
		} else if (p->median_base > 0.0 && p->median_cur > 0.0) {
			rc = boot_ratio_sorted(sb, nb, sc, nc, p->higher_is_better, p->ci_level,
					       o->boot_reps ? o->boot_reps : COMPARE_DEFAULT_BOOT_REPS,
					       &p->ci_low, &p->ci_high);
			if (rc < 0)
				goto out;
		} else if (p->ratio == 1.0) {
			p->ci_low = p->ci_high = 1.0;
		}
	}
	p->p_adj = p->mw.p;
	p->family = 1;
	pair_decide(p);
out:
	free(sb);
	free(sc);
	return rc;
}

void compare_pair_clear(struct compare_pair *p)
{
	if (!p)
		return;
	free(p->key);
	free(p->note);
	free(p->settings);
	free(p->base_set);
	p->key = p->note = p->settings = NULL;
	p->base_set = NULL;
	p->n_base_set = 0;
}

int compare_measurements(const json_t *base, const json_t *cur,
			 const struct compare_opts *o, struct compare_pair *out)
{
	return compare_measurements_set(&base, 1, cur, o, out);
}

static double median_of(const double *v, size_t n)
{
	double *s = sorted_copy(v, n), m;

	if (!s)
		return NAN;
	m = stats_quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

/* The current side's value for the run level: its median, or, when it holds several
 * merged runs (`locus gate --runs M`, lib/runs.h), the median of their medians — one
 * disturbed run out of three cannot move it.  That value is then tested as ONE draw of
 * the run distribution (rules 7-8 unchanged): conservative, since a median of M runs
 * varies no more than one run does. */
static double current_run_value(struct compare_pair *p, const json_t *cur, double inject)
{
	size_t k = json_array_size(json_object_get(cur, "run_sizes")), got;
	double *meds, v;

	p->cur_runs = 1;
	if (k < 2)
		return p->median_cur;   /* already injected, when calibrating */
	meds = malloc(k * sizeof(*meds));
	if (!meds)
		return p->median_cur;
	got = runs_medians(cur, meds, k);
	if (got)
		inject_slowdown(meds, got, inject, p->higher_is_better);
	v = got ? median_of(meds, got) : p->median_cur;
	p->cur_runs = got ? got : 1;
	free(meds);
	return v;
}

/* The baseline runs' medians of one measurement: best and worst in the bad direction,
 * and from them the spread and the current value's ratios to them (rules 7-8). */
static int run_level(struct compare_pair *p, const json_t *const *base, size_t n,
		     const json_t *cur, double inject)
{
	bool hib = p->higher_is_better, bad = false;
	double best = NAN, worst = NAN, *meds = malloc((n ? n : 1) * sizeof(*meds));
	double x = current_run_value(p, cur, inject);
	int rc;

	p->base_runs = 0;
	p->run_test = (struct compare_run_test){ NAN, NAN, NAN, NAN, NAN };
	p->run_p_adj = NAN;
	p->run_family = 0;
	if (!meds)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		double *v = samples_of(base[i], &k), med;

		if (!v) {
			free(meds);
			return -ENOMEM;
		}
		med = k ? median_of(v, k) : NAN;
		free(v);
		if (!k)
			continue;
		meds[p->base_runs++] = med;
		if (!(med > 0.0))
			bad = true;
		/* worst = highest for lower-is-better, lowest for higher-is-better */
		if (isnan(worst) || (hib ? med < worst : med > worst))
			worst = med;
		if (isnan(best) || (hib ? med > best : med < best))
			best = med;
	}
	p->run_median_best = best;
	p->run_median_worst = worst;
	p->run_current = x;
	if (bad || !(x > 0.0) || p->base_runs == 0) {
		p->run_spread = p->run_ratio_worst = p->run_ratio_best = NAN;
	} else {
		p->run_spread = bad_ratio(best, worst, hib) - 1.0;
		p->run_ratio_worst = bad_ratio(worst, x, hib);
		p->run_ratio_best = bad_ratio(best, x, hib);
	}
	rc = p->base_runs ? compare_run_test(meds, p->base_runs, x, hib,
					     p->threshold, &p->run_test) : 0;
	/* The smallest regression the run-level test can call for a lone suspect: what
	 * this baseline's run-to-run spread lets the gate see at all. */
	p->run_detectable = NAN;
	if (p->base_runs >= COMPARE_RUN_TEST_MIN_RUNS && isfinite(p->run_test.sd)) {
		double k = (double)p->base_runs, tq = compare_t_quantile(p->alpha, k - 1.0);

		p->run_detectable = fmax(expm1(tq * p->run_test.sd * sqrt(1.0 + 1.0 / k)),
					 p->threshold);
	}
	free(meds);
	return rc == -ENOMEM ? rc : 0;
}

static bool label_equal(const json_t *a, const json_t *b)
{
	return (!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b));
}

/* One setting label's change: "NAME B → C", the baseline runs' distinct values
 * comma-separated; nothing when every run has the current value. */
static void setting_change(FILE *f, bool *any, const char *name, const json_t *const *base,
			   size_t n, const json_t *cur)
{
	const json_t *cv = json_object_get(json_object_get(cur, "labels"), name);
	bool differs = false, first = true;

	for (size_t i = 0; i < n; i++)
		differs |= !label_equal(json_object_get(json_object_get(base[i], "labels"), name), cv);
	if (!differs)
		return;
	fprintf(f, "%s%s ", *any ? ", " : "", name);
	for (size_t i = 0; i < n; i++) {
		const json_t *bv = json_object_get(json_object_get(base[i], "labels"), name);
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = label_equal(json_object_get(json_object_get(base[j], "labels"), name), bv);
		if (seen)
			continue;
		if (!first)
			fputc(',', f);
		result_label_text(f, bv);
		first = false;
	}
	fputs(" → ", f);
	result_label_text(f, cv);
	*any = true;
}

/* "mode 0 → 2" over the setting labels of cur and base[0] whose values differ, or
 * NULL (nothing differs, or ENOMEM: the note is informative only). */
static char *settings_text(const json_t *const *base, size_t n, const json_t *cur)
{
	const json_t *lists[2] = { json_object_get(cur, "setting_labels"),
				   json_object_get(base[0], "setting_labels") };
	bool any = false;
	size_t len, i;
	char *buf;
	json_t *x;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (int l = 0; l < 2; l++) {
		json_array_foreach(lists[l], i, x) {
			const char *name = json_string_value(x);

			if (!name || (l == 1 && result_is_setting_label(cur, name)))
				continue;
			setting_change(f, &any, name, base, n, cur);
		}
	}
	fclose(f);
	if (!any) {
		free(buf);
		return NULL;
	}
	return buf;
}

int compare_measurements_set(const json_t *const *base, size_t n, const json_t *cur,
			     const struct compare_opts *o, struct compare_pair *out)
{
	const char *ub, *uc = json_string_value(json_object_get(cur, "unit"));
	double *b = NULL, *c = NULL;
	size_t nb = 0, nc, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!base || n == 0)
		return -EINVAL;
	ub = json_string_value(json_object_get(base[0], "unit"));
	/* the current's key: with a setting changed it is the one a rerun (gate) has */
	out->key = result_key(cur);
	out->settings = settings_text(base, n, cur);
	out->base_set = malloc(n * sizeof(*out->base_set));
	if (!out->key || !out->base_set) {
		compare_pair_clear(out);
		return -ENOMEM;
	}
	memcpy(out->base_set, base, n * sizeof(*base));
	out->n_base_set = n;
	out->base = base[0];
	out->cur = cur;
	out->bench = json_string_value(json_object_get(base[0], "bench"));
	out->metric = json_string_value(json_object_get(base[0], "metric"));
	out->unit = ub ? ub : "";
	out->higher_is_better = json_is_true(json_object_get(base[0], "higher_is_better"));
	out->alpha = o->alpha;
	out->threshold = o->threshold;
	compare_config_apply(o->config, base[0], &out->alpha, &out->threshold);

	/* the baseline's samples, pooled over its runs */
	for (size_t i = 0; i < n; i++)
		cap += json_array_size(json_object_get(base[i], "samples"));
	b = malloc((cap ? cap : 1) * sizeof(*b));
	c = samples_of(cur, &nc);
	if (!b || !c) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *u = json_string_value(json_object_get(base[i], "unit"));
		size_t k;
		double *v = samples_of(base[i], &k);

		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(b + nb, v, k * sizeof(*v));
		nb += k;
		free(v);
		if ((u && uc && strcmp(u, uc) != 0) ||
		    json_is_true(json_object_get(base[i], "higher_is_better")) != out->higher_is_better)
			out->incomparable = true;
	}
	if (o->inject)
		inject_slowdown(c, nc, o->inject, out->higher_is_better);
	if ((ub && uc && strcmp(ub, uc) != 0) ||
	    out->higher_is_better != json_is_true(json_object_get(cur, "higher_is_better")))
		out->incomparable = true;
	out->median_cur = nc ? median_of(c, nc) : NAN;
	rc = run_level(out, base, n, cur, o->inject);
	if (rc == 0)
		rc = pair_stats(out, b, nb, c, nc, o, true);
out:
	free(b);
	free(c);
	if (rc < 0)
		compare_pair_clear(out);
	return rc;
}

/* ------------------------------------------------------------------ two results */

struct keyed {
	char *key;
	size_t index;
	const json_t *m;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static struct keyed *index_measurements(const json_t *result, size_t *n)
{
	const json_t *arr = json_object_get(result, "measurements");
	struct keyed *k;
	json_t *m;
	size_t i;

	*n = json_array_size(arr);
	k = calloc(*n ? *n : 1, sizeof(*k));
	if (!k)
		return NULL;
	json_array_foreach(arr, i, m) {
		k[i].key = result_key(m);
		k[i].index = i;
		k[i].m = m;
		if (!k[i].key) {
			for (size_t j = 0; j < i; j++)
				free(k[j].key);
			free(k);
			return NULL;
		}
	}
	qsort(k, *n, sizeof(*k), cmp_keyed);
	return k;
}

static void free_keyed(struct keyed *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
}

static int push_str(char ***arr, size_t *n, const char *s)
{
	char **a = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!a)
		return -ENOMEM;
	*arr = a;
	a[*n] = strdup(s);
	if (!a[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Skip over the later duplicates of k[*i]'s key, recording the key once. */
static int skip_duplicates(const struct keyed *k, size_t n, size_t *i,
			   struct compare_result *r)
{
	size_t j = *i + 1;

	if (j < n && strcmp(k[j].key, k[*i].key) == 0) {
		bool seen = false;

		for (size_t d = 0; d < r->n_duplicates; d++)
			seen |= strcmp(r->duplicates[d], k[*i].key) == 0;
		if (!seen && push_str(&r->duplicates, &r->n_duplicates, k[*i].key) < 0)
			return -ENOMEM;
		while (j < n && strcmp(k[j].key, k[*i].key) == 0)
			j++;
	}
	*i = j;
	return 0;
}

/* Record the keys listed more than once in one file (each key once). */
static int note_duplicates(const struct keyed *k, size_t n, struct compare_result *r)
{
	for (size_t i = 0; i < n; ) {
		size_t j = i;
		int rc = skip_duplicates(k, n, &j, r);

		if (rc < 0)
			return rc;
		i = j;
	}
	return 0;
}

/* The first entry of key-sorted k[0..n) with this key, or NULL. */
static const struct keyed *find_keyed(const struct keyed *k, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(k[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(k[lo].key, key) == 0 ? &k[lo] : NULL;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strs(char **s, size_t n);
static char *compact(const json_t *v);

/* Add "BENCH.LABEL (label)" env differences for the setting labels a pair changed
 * (each key once), so that they are warned about like fingerprint differences. */
static int note_setting_diffs(const struct compare_pair *p, struct compare_result *r)
{
	const json_t *lists[2] = { json_object_get(p->cur, "setting_labels"),
				   json_object_get(p->base, "setting_labels") };
	size_t i;
	json_t *x;

	for (int l = 0; l < 2; l++) {
		json_array_foreach(lists[l], i, x) {
			const char *name = json_string_value(x);
			const json_t *bv = json_object_get(json_object_get(p->base, "labels"), name);
			const json_t *cv = json_object_get(json_object_get(p->cur, "labels"), name);
			struct compare_env_diff d = { NULL, NULL, NULL }, *nn;
			bool seen = false;

			if (label_equal(bv, cv))
				continue;
			if (asprintf(&d.key, "%s.%s (label)", p->bench ? p->bench : "?", name) < 0)
				return -ENOMEM;
			for (size_t q = 0; q < r->n_env_diffs && !seen; q++)
				seen = strcmp(r->env_diffs[q].key, d.key) == 0;
			if (seen) {
				free(d.key);
				continue;
			}
			d.base = compact(bv);
			d.cur = compact(cv);
			nn = realloc(r->env_diffs, (r->n_env_diffs + 1) * sizeof(*nn));
			if (!d.base || !d.cur || !nn) {
				if (nn)
					r->env_diffs = nn;
				free(d.key);
				free(d.base);
				free(d.cur);
				return -ENOMEM;
			}
			r->env_diffs = nn;
			nn[r->n_env_diffs++] = d;
		}
	}
	return 0;
}

/*
 * The second matching pass: each still unmatched current measurement that has setting
 * labels is paired with the baseline measurements (one per run at most) that no key
 * matched either and have its result_match_key() -- when that is unambiguous: exactly
 * one such current measurement, and one distinct key in a run (a run with several is
 * left out).  The rest are "only in current".  The baseline keys used are returned in
 * *paired (not "only in baseline" then).
 */
static int pair_settings(size_t n, struct keyed *const *kb,
			 const size_t *nb, const struct keyed *kc, size_t nc,
			 const size_t *unmatched, size_t n_unmatched, const json_t **ms,
			 const struct compare_opts *o, struct compare_result *out,
			 char ***paired, size_t *n_paired)
{
	char **mkc = calloc(n_unmatched ? n_unmatched : 1, sizeof(*mkc));
	char ***mkb = calloc(n, sizeof(*mkb));
	bool any = false;
	int rc = 0;

	if (!mkc || !mkb) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t u = 0; u < n_unmatched; u++) {
		const json_t *m = kc[unmatched[u]].m;

		if (!json_array_size(json_object_get(m, "setting_labels")))
			continue;
		if (!(mkc[u] = result_match_key(m))) {
			rc = -ENOMEM;
			goto out;
		}
		any = true;
	}
	/* match keys of the baseline measurements no current key matched */
	for (size_t i = 0; any && i < n; i++) {
		if (!(mkb[i] = calloc(nb[i] ? nb[i] : 1, sizeof(**mkb)))) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t a = 0; a < nb[i]; a++) {
			if (find_keyed(kc, nc, kb[i][a].key) ||
			    !json_array_size(json_object_get(kb[i][a].m, "setting_labels")))
				continue;
			if (!(mkb[i][a] = result_match_key(kb[i][a].m))) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	for (size_t u = 0; u < n_unmatched; u++) {
		const struct keyed *c = &kc[unmatched[u]];
		bool unique = mkc[u] != NULL;
		size_t k = 0;

		for (size_t v = 0; v < n_unmatched && unique; v++)
			unique = v == u || !mkc[v] || strcmp(mkc[v], mkc[u]) != 0;
		for (size_t i = 0; unique && i < n; i++) {
			const struct keyed *f = NULL;
			bool ambiguous = false;

			for (size_t a = 0; a < nb[i]; a++) {
				if (!mkb[i][a] || strcmp(mkb[i][a], mkc[u]) != 0)
					continue;
				if (f && strcmp(f->key, kb[i][a].key) != 0)
					ambiguous = true;
				else if (!f)
					f = &kb[i][a];
			}
			if (f && !ambiguous) {
				ms[k++] = f->m;
				if ((rc = push_str(paired, n_paired, f->key)) < 0)
					goto out;
			}
		}
		if (!k) {
			rc = push_str(&out->only_cur, &out->n_only_cur, c->key);
		} else {
			rc = compare_measurements_set(ms, k, c->m, o, &out->pairs[out->n_pairs]);
			if (!rc)
				rc = note_setting_diffs(&out->pairs[out->n_pairs++], out);
		}
		if (rc < 0)
			goto out;
	}
out:
	for (size_t i = 0; mkb && i < n; i++)
		free_strs(mkb[i], mkb[i] ? nb[i] : 0);
	free(mkb);
	free_strs(mkc, n_unmatched);
	return rc;
}

int compare_results(const json_t *base, const json_t *cur, const struct compare_opts *o,
		    struct compare_result *out)
{
	return compare_results_set(&base, 1, cur, o, out);
}

int compare_results_set(const json_t *const *base, size_t n, const json_t *cur,
			const struct compare_opts *o, struct compare_result *out)
{
	struct keyed **kb = NULL, *kc = NULL;
	size_t *nb = NULL, nc = 0, j = 0, *unmatched = NULL, n_unmatched = 0, n_paired = 0;
	const json_t **ms = NULL;
	char **paired = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!base || n == 0)
		return -EINVAL;
	out->n_base_runs = n;
	out->n_cur_runs = runs_count(cur);
	kb = calloc(n, sizeof(*kb));
	nb = calloc(n, sizeof(*nb));
	ms = calloc(n, sizeof(*ms));
	kc = index_measurements(cur, &nc);
	if (!kb || !nb || !ms || !kc) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		kb[i] = index_measurements(base[i], &nb[i]);
		if (!kb[i]) {
			rc = -ENOMEM;
			goto out;
		}
		rc = note_duplicates(kb[i], nb[i], out);
		if (rc < 0)
			goto out;
	}
	out->pairs = calloc(nc ? nc : 1, sizeof(*out->pairs));
	if (!out->pairs) {
		rc = -ENOMEM;
		goto out;
	}
	/* every key of the current run against the runs that have it (first of duplicates) */
	unmatched = calloc(nc ? nc : 1, sizeof(*unmatched));
	if (!unmatched) {
		rc = -ENOMEM;
		goto out;
	}
	while (j < nc) {
		size_t jj = j, k = 0;

		for (size_t i = 0; i < n; i++) {
			const struct keyed *f = find_keyed(kb[i], nb[i], kc[jj].key);

			if (f)
				ms[k++] = f->m;
		}
		if (!k) {
			unmatched[n_unmatched++] = jj;
		} else {
			rc = compare_measurements_set(ms, k, kc[jj].m, o, &out->pairs[out->n_pairs]);
			if (!rc)
				out->n_pairs++;
		}
		if (!rc)
			rc = skip_duplicates(kc, nc, &j, out);
		if (rc < 0)
			goto out;
	}
	/* then across setting labels: what is left on both sides, by result_match_key() */
	rc = pair_settings(n, kb, nb, kc, nc, unmatched, n_unmatched, ms, o, out,
			   &paired, &n_paired);
	if (rc < 0)
		goto out;
	/* keys of any baseline run missing from the current one, each once, sorted */
	for (size_t i = 0; i < n; i++) {
		for (size_t a = 0; a < nb[i]; a++) {
			bool seen = find_keyed(kc, nc, kb[i][a].key) != NULL;

			if (a && strcmp(kb[i][a].key, kb[i][a - 1].key) == 0)
				continue;
			for (size_t q = 0; q < n_paired && !seen; q++)
				seen = strcmp(paired[q], kb[i][a].key) == 0;
			for (size_t q = 0; q < i && !seen; q++)
				seen = find_keyed(kb[q], nb[q], kb[i][a].key) != NULL;
			if (!seen && (rc = push_str(&out->only_base, &out->n_only_base,
						    kb[i][a].key)) < 0)
				goto out;
		}
	}
	if (out->n_only_base > 1)
		qsort(out->only_base, out->n_only_base, sizeof(char *), cmp_strp);
	compare_adjust(out->pairs, out->n_pairs, o->correction);
	/* fingerprint differences against any run, each key once */
	for (size_t i = 0; i < n; i++) {
		struct compare_env_diff *d = NULL;
		size_t nd = 0;

		rc = compare_env(json_object_get(base[i], "env"), json_object_get(cur, "env"),
				 &d, &nd);
		if (rc < 0)
			goto out;
		for (size_t a = 0; a < nd && rc == 0; a++) {
			bool seen = false;
			struct compare_env_diff *nn;

			for (size_t q = 0; q < out->n_env_diffs && !seen; q++)
				seen = strcmp(out->env_diffs[q].key, d[a].key) == 0;
			if (seen)
				continue;
			nn = realloc(out->env_diffs, (out->n_env_diffs + 1) * sizeof(*nn));
			if (!nn) {
				rc = -ENOMEM;
				break;
			}
			out->env_diffs = nn;
			nn[out->n_env_diffs++] = d[a];
			d[a] = (struct compare_env_diff){ NULL, NULL, NULL };
		}
		compare_env_diffs_free(d, nd);
		if (rc < 0)
			goto out;
	}
	compare_sort(out);
out:
	for (size_t i = 0; kb && i < n; i++)
		free_keyed(kb[i], nb[i]);
	free(kb);
	free(nb);
	free(ms);
	free(unmatched);
	free_strs(paired, n_paired);
	free_keyed(kc, nc);
	if (rc < 0) {
		if (rc == -ENOMEM)
			locus_error("compare: out of memory");
		compare_result_free(out);
	}
	return rc;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct compare_pair *x = a, *y = b;
	double rx = isnan(x->ratio) ? -INFINITY : x->ratio;
	double ry = isnan(y->ratio) ? -INFINITY : y->ratio;

	if (x->verdict != y->verdict)
		return (int)x->verdict - (int)y->verdict;
	if (rx != ry)
		return rx < ry ? 1 : -1;
	return strcmp(x->key, y->key);
}

void compare_sort(struct compare_result *r)
{
	qsort(r->pairs, r->n_pairs, sizeof(*r->pairs), cmp_pair);
	memset(r->count, 0, sizeof(r->count));
	for (size_t i = 0; i < r->n_pairs; i++)
		r->count[r->pairs[i].verdict]++;
}

static void free_strs(char **s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

void compare_result_free(struct compare_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_pairs; i++)
		compare_pair_clear(&r->pairs[i]);
	free(r->pairs);
	free_strs(r->only_base, r->n_only_base);
	free_strs(r->only_cur, r->n_only_cur);
	free_strs(r->duplicates, r->n_duplicates);
	compare_env_diffs_free(r->env_diffs, r->n_env_diffs);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ fingerprints */

static char *compact(const json_t *v)
{
	if (!v)
		return strdup("(absent)");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

void compare_env_diffs_free(struct compare_env_diff *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++) {
		free(d[i].key);
		free(d[i].base);
		free(d[i].cur);
	}
	free(d);
}

static int add_diff(struct compare_env_diff **d, size_t *n, const char *key,
		    const json_t *a, const json_t *b)
{
	struct compare_env_diff *nd = realloc(*d, (*n + 1) * sizeof(**d));

	if (!nd)
		return -ENOMEM;
	*d = nd;
	nd[*n].key = strdup(key);
	nd[*n].base = compact(a);
	nd[*n].cur = compact(b);
	(*n)++;
	if (!nd[*n - 1].key || !nd[*n - 1].base || !nd[*n - 1].cur)
		return -ENOMEM;
	return 0;
}

int compare_env(const json_t *env_base, const json_t *env_cur,
		struct compare_env_diff **out, size_t *n)
{
	int rc = 0;

	*out = NULL;
	*n = 0;
	/* Without a fingerprint on one side nothing can be vouched for: say that once
	 * rather than listing every key as absent. */
	if (json_is_object(env_base) != json_is_object(env_cur)) {
		json_t *present = json_string("recorded");

		rc = add_diff(out, n, "env", json_is_object(env_base) ? present : NULL,
			      json_is_object(env_cur) ? present : NULL);
		json_decref(present);
		goto out;
	}
	if (!json_is_object(env_base))
		return 0;
	for (const char *const *k = env_critical_keys; *k; k++) {
		const json_t *a = env_get(env_base, *k), *b = env_get(env_cur, *k);

		if (!a && !b)
			continue;
		if (a && b && json_equal((json_t *)a, (json_t *)b))
			continue;
		rc = add_diff(out, n, *k, a, b);
		if (rc < 0)
			break;
	}
out:
	if (rc < 0) {
		compare_env_diffs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

char *compare_fingerprint_id(const json_t *env, char *buf)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */

	for (const char *const *k = env_critical_keys; *k; k++) {
		const json_t *v = json_is_object(env) ? env_get(env, *k) : NULL;
		char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
		const char *parts[] = { *k, "=", s ? s : "null", "\n" };

		for (size_t p = 0; p < 4; p++)
			for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++) {
				h ^= *c;
				h *= 0x100000001b3ull;
			}
		free(s);
	}
	snprintf(buf, 17, "%016llx", (unsigned long long)h);
	return buf;
}

char *compare_fingerprint_text(const json_t *env)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	for (const char *const *k = env_critical_keys; *k; k++) {
		const json_t *v = json_is_object(env) ? env_get(env, *k) : NULL;

		if (!v || json_is_null(v))
			continue;
		fprintf(f, "%s%s=", first ? "" : " ", *k);
		first = false;
		if (json_is_string(v)) {
			fputs(json_string_value(v), f);
		} else {
			char *s = compact(v);

			fputs(s ? s : "?", f);
			free(s);
		}
	}
	if (first)
		fputs("(no fingerprint)", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ------------------------------------------------------------------ options */

const char compare_options_help[] =
	"  --alpha A           significance level of the Mann-Whitney test, 0 < A <= 0.5\n"
	"                      (default 0.01)\n"
	"  --threshold PCT     smallest change that counts, in percent (default 5)\n"
	"  --correction C      multiple comparisons: holm (default: alpha is the false-alarm\n"
	"                      rate of the whole comparison) or none (per measurement)\n"
	"  --config FILE       per-bench/metric overrides of alpha and threshold\n"
	"  --fail-on LIST      also exit 6 on: inconclusive, missing (comma-separated)\n"
	"  --strict-env        a fingerprint difference (CPU model, kernel, THP mode,\n"
	"                      governor, ...) is an error: exit 2\n"
	"  --json              write the comparison as JSON instead of the table\n"
	"  --junit FILE        also write JUnit XML, one test case per measurement\n"
	"  --markdown FILE     also write Markdown (for a pull-request comment)\n"
	"  --github            also print GitHub Actions annotations on stdout\n"
	"  -o, --output FILE   write the table (or the JSON) to FILE instead of stdout\n";

static int set_fail_on(const char *value, struct compare_outputs *out)
{
	char *copy = strdup(value), *tok, *save = NULL;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "inconclusive") == 0) {
			out->fail_on_inconclusive = true;
		} else if (strcmp(tok, "missing") == 0) {
			out->fail_on_missing = true;
		} else {
			locus_error("--fail-on: '%s' is not a failure class; allowed: inconclusive, missing",
				    tok);
			rc = -EINVAL;
			break;
		}
	}
	if (!rc && !out->fail_on_inconclusive && !out->fail_on_missing) {
		locus_error("--fail-on: '%s' names nothing; allowed: inconclusive, missing", value);
		rc = -EINVAL;
	}
	free(copy);
	return rc;
}

int compare_set_option(const char *name, const char *value, struct compare_opts *o,
		       struct compare_outputs *out)
{
	if (strcmp(name, "alpha") == 0) {
		if (parse_double("--alpha", value, 1e-12, 0.5, &o->alpha) < 0)
			return -EINVAL;
		out->alpha = o->alpha;
	} else if (strcmp(name, "threshold") == 0) {
		char buf[64];
		size_t len = strlen(value);
		double pct;

		/* "5", "5%" and "0.5%" all mean percent, as in the config file. */
		snprintf(buf, sizeof(buf), "%s", value);
		if (len > 1 && len < sizeof(buf) && buf[len - 1] == '%')
			buf[len - 1] = '\0';
		if (parse_double("--threshold", buf, 0.0, 1000.0, &pct) < 0)
			return -EINVAL;
		o->threshold = pct / 100.0;
		out->threshold = o->threshold;
	} else if (strcmp(name, "correction") == 0) {
		if (strcmp(value, "holm") == 0) {
			o->correction = COMPARE_HOLM;
			out->no_correction = false;
		} else if (strcmp(value, "none") == 0) {
			o->correction = COMPARE_NO_CORRECTION;
			out->no_correction = true;
		} else {
			return locus_error("--correction: '%s' is not a correction; allowed: holm, none",
					   value), -EINVAL;
		}
	} else if (strcmp(name, "fail-on") == 0) {
		return set_fail_on(value, out);
	} else if (strcmp(name, "strict-env") == 0) {
		out->strict_env = true;
	} else if (strcmp(name, "json") == 0) {
		out->json = true;
	} else if (strcmp(name, "github") == 0) {
		out->github = true;
	} else if (strcmp(name, "config") == 0 || strcmp(name, "junit") == 0 ||
		   strcmp(name, "markdown") == 0 || strcmp(name, "output") == 0) {
		if (!value || !*value)
			return locus_error("--%s: empty file name", name), -EINVAL;
		if (name[0] == 'c')
			out->config_path = value;
		else if (name[0] == 'j')
			out->junit = value;
		else if (name[0] == 'm')
			out->markdown = value;
		else
			out->output = value;
	} else {
		return -ENOENT;
	}
	return 0;
}

bool compare_pair_fails(const struct compare_pair *p, const struct compare_outputs *out)
{
	return p->verdict == VERDICT_REGRESSED ||
	       (p->verdict == VERDICT_INCONCLUSIVE && out->fail_on_inconclusive);
}

int compare_exit_code(const struct compare_result *r, const struct compare_outputs *out)
{
	for (size_t i = 0; i < r->n_pairs; i++)
		if (compare_pair_fails(&r->pairs[i], out))
			return 6; /* LOCUS_EXIT_REGRESSED */
	if (out->fail_on_missing && r->n_only_base)
		return 6;
	return 0;
}

/* ------------------------------------------------------------------ formatting */

static const char *fmt_change(char *buf, size_t len, double ratio)
{
	if (isnan(ratio))
		snprintf(buf, len, "n/a");
	else if (isinf(ratio))
		snprintf(buf, len, "%sinf", ratio > 0 ? "+" : "-");
	else
		snprintf(buf, len, "%+.1f%%", (ratio - 1.0) * 100.0);
	return buf;
}

static const char *fmt_ci(char *buf, size_t len, const struct compare_pair *p)
{
	char a[32], b[32];

	if (isnan(p->ci_low) || isnan(p->ci_high))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%s..%s", fmt_change(a, sizeof(a), p->ci_low),
			 fmt_change(b, sizeof(b), p->ci_high));
	return buf;
}

static const char *fmt_val(char *buf, size_t len, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.4g%s%s", v, *unit ? " " : "", unit);
	return buf;
}

static const char *fmt_shift(char *buf, size_t len, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.3g%s%s", v, *unit ? " " : "", unit);
	return buf;
}

static const char *fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.2g", p);
	return buf;
}

/* "42.0% of 5" — the baseline's run-to-run spread of a pair; "-" with one run. */
static const char *fmt_spread(char *buf, size_t len, const struct compare_pair *p)
{
	if (p->base_runs < 2)
		snprintf(buf, len, "-");
	else if (isnan(p->run_spread))
		snprintf(buf, len, "n/a of %zu", p->base_runs);
	else
		snprintf(buf, len, "%.1f%% of %zu", p->run_spread * 100.0, p->base_runs);
	return buf;
}

static const char single_run_note[] =
	"the baseline is a single run: run-to-run noise is not accounted for (a run's samples "
	"agree more closely than separate runs do); save several runs with `locus baseline "
	"save DIR RESULT.json` and compare with the set";

/* The run-level detectability over the pairs that have it: best, median and worst
 * run_detectable, and how many are at most twice the comparison's threshold.  Returns
 * the number of pairs that have it (0: nothing is set). */
static size_t detectable_summary(const struct compare_result *r, double threshold,
				 double *best, double *med, double *worst, size_t *n_ok)
{
	double *v = malloc((r->n_pairs ? r->n_pairs : 1) * sizeof(*v));
	size_t n = 0;

	*n_ok = 0;
	if (!v)
		return 0;
	for (size_t i = 0; i < r->n_pairs; i++)
		if (isfinite(r->pairs[i].run_detectable)) {
			v[n++] = r->pairs[i].run_detectable;
			*n_ok += r->pairs[i].run_detectable <= 2.0 * threshold + 1e-12;
		}
	if (n) {
		double *sv = sorted_copy(v, n);

		if (!sv) {
			free(v);
			return 0;
		}
		*best = sv[0];
		*worst = sv[n - 1];
		*med = stats_quantile_sorted(sv, n, 0.5);
		free(sv);
	}
	free(v);
	return n;
}

static void print_detectable(FILE *f, const struct compare_result *r,
			     const struct compare_outputs *out, const char *pre, const char *post)
{
	double best, med, worst;
	size_t ok, n = detectable_summary(r, out->threshold, &best, &med, &worst, &ok);

	if (!n)
		return;
	fprintf(f, "%sWhat the baseline's run-to-run spread lets the run-level test see (one "
		"suspect, alpha %g): regressions from %.1f%% (best measurement), %.1f%% "
		"(median), %.1f%% (worst) on; %zu of %zu measurements can see %.0f%%.%s",
		pre, out->alpha, best * 100.0, med * 100.0, worst * 100.0, ok, n,
		200.0 * out->threshold, post);
}

/* What a current side of several runs means (`locus gate --runs`). */
static const char cur_runs_note[] =
	"at the run level the median of their medians is tested as one run (one "
	"disturbed run cannot move it)";

static const char *base_name(const struct compare_outputs *out)
{
	return out->baseline_name ? out->baseline_name : "baseline";
}

static const char *cur_name(const struct compare_outputs *out)
{
	return out->current_name ? out->current_name : "current";
}

static int ci_percent(const struct compare_result *r)
{
	return (int)lround((r->n_pairs ? r->pairs[0].ci_level : COMPARE_DEFAULT_CI_LEVEL) * 100.0);
}

static void print_summary(FILE *f, const struct compare_result *r,
			  const struct compare_outputs *out)
{
	fprintf(f, "%zu regressed, %zu improved, %zu unchanged, %zu inconclusive",
		r->count[VERDICT_REGRESSED], r->count[VERDICT_IMPROVED],
		r->count[VERDICT_UNCHANGED], r->count[VERDICT_INCONCLUSIVE]);
	if (r->n_only_base || r->n_only_cur)
		fprintf(f, "; %zu only in baseline, %zu only in current", r->n_only_base,
			r->n_only_cur);
	fprintf(f, " (alpha %g %s, threshold %g%%)", out->alpha,
		out->no_correction ? "per measurement" : "for the whole comparison",
		out->threshold * 100.0);
}

void compare_print_table(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out)
{
	char ch[32], ci[64], p[32], vb[48], vc[48], sh[48], n[48], cil[16], sp[40];
	bool multi = r->n_base_runs > 1;

	fprintf(f, "locus compare: baseline %s, current %s\n", base_name(out), cur_name(out));
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
		fprintf(f, "NOTE: %s.\n", single_run_note);
	else if (r->n_base_runs > 1)
		fprintf(f, "Baseline: %zu runs, samples pooled; RUN SPREAD is the range of the runs' "
			"medians (worst/best - 1); %s\n", r->n_base_runs,
			r->n_base_runs >= COMPARE_RUN_TEST_MIN_RUNS ?
			"a regression must also be significant against the runs' medians "
			"(run-level t test, Holm-adjusted) and worse than their median by the "
			"threshold." :
			"a regression must also be worse than every run's median by the threshold.");
	if (r->n_cur_runs > 1)
		fprintf(f, "Current: %zu runs, samples pooled; %s\n", r->n_cur_runs, cur_runs_note);
	print_detectable(f, r, out, "", "\n");
	fputc('\n', f);
	snprintf(cil, sizeof(cil), "%d%% CI", ci_percent(r));
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
			compare_verdict_name(q->verdict), fmt_change(ch, sizeof(ch), q->ratio),
			fmt_ci(ci, sizeof(ci), q), fmt_p(p, sizeof(p), q->p_adj),
			isnan(q->mw.p) ? "-" : q->mw.exact ? "exact" : "normal",
			fmt_val(vb, sizeof(vb), q->median_base, q->unit),
			fmt_val(vc, sizeof(vc), q->median_cur, q->unit),
			fmt_shift(sh, sizeof(sh), q->hl_shift, q->unit), n);
		if (multi)
			fprintf(f, "%-14s ", fmt_spread(sp, sizeof(sp), q));
		fprintf(f, "%s", q->key);
		custom = q->alpha != out->alpha || q->threshold != out->threshold;
		bool why = q->verdict == VERDICT_INCONCLUSIVE || q->reason == within_runs_reason ||
			   q->reason == within_runs_undecided_reason ||
			   q->reason == run_test_not_significant_reason ||
			   q->reason == run_test_small_reason ||
			   q->reason == run_test_undecided_reason;

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
	print_summary(f, r, out);
	fprintf(f, ".\nCHANGE is the ratio of medians in the bad direction (+ = worse), CI its "
		"bootstrap interval, P the two-sided Mann-Whitney U p-value%s, SHIFT the "
		"Hodges-Lehmann estimate of current - baseline%s.\n",
		out->no_correction ? "" : " (Holm-adjusted over the measurements that could be "
		"significant)", multi ? " (over the pooled baseline runs)" : "");
}

/* ------------------------------------------------------------------ JSON */

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
	json_object_set_new(o, "change", json_num(q->ratio - 1.0));
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
	json_object_set_new(o, "baseline", json_string(base_name(out)));
	json_object_set_new(o, "current", json_string(cur_name(out)));
	json_object_set_new(o, "alpha", json_num(out->alpha));
	json_object_set_new(o, "threshold", json_num(out->threshold));
	json_object_set_new(o, "correction", json_string(out->no_correction ? "none" : "holm"));
	json_object_set_new(o, "baseline_runs", json_integer((json_int_t)r->n_base_runs));
	json_object_set_new(o, "current_runs", json_integer((json_int_t)r->n_cur_runs));
	{
		double best, med, worst;
		size_t ok, n = detectable_summary(r, out->threshold, &best, &med, &worst, &ok);

		if (n)
			json_object_set_new(o, "run_detectable", json_pack(
				"{s:o, s:o, s:o, s:I, s:I}", "best", json_num(best), "median",
				json_num(med), "worst", json_num(worst), "measurements", (json_int_t)n,
				"within_twice_threshold", (json_int_t)ok));
	}
	if (r->n_base_runs == 1)
		json_object_set_new(o, "warning", json_string(single_run_note));
	json_object_set_new(o, "method", json_string(
		"ratio of medians in the bad direction with a percentile-bootstrap CI; two-sided "
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

/* ------------------------------------------------------------------ JUnit */

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* XML 1.0 allows no other control characters, even escaped */
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void pair_line(FILE *f, const struct compare_pair *q)
{
	char ch[32], ci[64], p[32], vb[48], vc[48];

	char praw[32];

	fprintf(f, "%s: change %s (%d%% CI %s), p = %s (%s%s%s), median %s -> %s, n %zu/%zu",
		compare_verdict_name(q->verdict), fmt_change(ch, sizeof(ch), q->ratio),
		(int)lround(q->ci_level * 100), fmt_ci(ci, sizeof(ci), q),
		fmt_p(p, sizeof(p), q->p_adj),
		q->family > 1 ? "Holm-adjusted, raw " : "",
		q->family > 1 ? fmt_p(praw, sizeof(praw), q->mw.p) : "",
		q->mw.exact ? (q->family > 1 ? ", exact" : "exact") :
			(q->family > 1 ? ", normal approximation" : "normal approximation"),
		fmt_val(vb, sizeof(vb), q->median_base, q->unit),
		fmt_val(vc, sizeof(vc), q->median_cur, q->unit), q->n_base, q->n_cur);
	if (q->base_runs > 1) {
		char sp[40];

		fprintf(f, ", baseline run-to-run spread %s runs", fmt_spread(sp, sizeof(sp), q));
		if (!isnan(q->run_p_adj)) {
			char rp[32];

			fprintf(f, ", run-level p = %s%s", fmt_p(rp, sizeof(rp), q->run_p_adj),
				q->run_family > 1 ? " (Holm-adjusted)" : "");
		}
	}
	if (q->reason)
		fprintf(f, "; %s", q->reason);
	if (q->note)
		fprintf(f, "; %s", q->note);
}

static void xml_pair_line(FILE *f, const struct compare_pair *q)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	pair_line(m, q);
	fclose(m);
	xml_text(f, buf);
	free(buf);
}

void compare_write_junit(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out)
{
	size_t tests = r->n_pairs + r->n_only_base + r->n_only_cur, failures = 0, skipped = 0;

	for (size_t i = 0; i < r->n_pairs; i++) {
		if (compare_pair_fails(&r->pairs[i], out))
			failures++;
		else if (r->pairs[i].verdict == VERDICT_INCONCLUSIVE)
			skipped++;
	}
	if (out->fail_on_missing)
		failures += r->n_only_base;
	else
		skipped += r->n_only_base;
	skipped += r->n_only_cur;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"locus compare\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n", tests, failures, skipped);
	fprintf(f, " <testsuite name=\"locus compare\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n", tests, failures, skipped);
	fprintf(f, "  <properties>\n   <property name=\"baseline\" value=\"");
	xml_text(f, base_name(out));
	fprintf(f, "\"/>\n   <property name=\"current\" value=\"");
	xml_text(f, cur_name(out));
	fprintf(f, "\"/>\n   <property name=\"alpha\" value=\"%g\"/>\n"
		"   <property name=\"threshold\" value=\"%g%%\"/>\n", out->alpha,
		out->threshold * 100.0);
	for (size_t i = 0; i < r->n_env_diffs; i++) {
		fprintf(f, "   <property name=\"env-differs:");
		xml_text(f, r->env_diffs[i].key);
		fprintf(f, "\" value=\"");
		xml_text(f, r->env_diffs[i].base);
		fprintf(f, " -&gt; ");
		xml_text(f, r->env_diffs[i].cur);
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "  </properties>\n");
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];
		char ch[32];

		fprintf(f, "  <testcase classname=\"locus.");
		xml_text(f, q->bench);
		fprintf(f, "\" name=\"");
		xml_text(f, q->key);
		fprintf(f, "\" time=\"0\">\n");
		if (compare_pair_fails(q, out)) {
			fprintf(f, "   <failure type=\"%s\" message=\"%s %s\">",
				compare_verdict_name(q->verdict), compare_verdict_name(q->verdict),
				fmt_change(ch, sizeof(ch), q->ratio));
			xml_pair_line(f, q);
			fprintf(f, "</failure>\n");
		} else if (q->verdict == VERDICT_INCONCLUSIVE) {
			fprintf(f, "   <skipped message=\"");
			xml_pair_line(f, q);
			fprintf(f, "\"/>\n");
		} else {
			fprintf(f, "   <system-out>");
			xml_pair_line(f, q);
			fprintf(f, "</system-out>\n");
		}
		fprintf(f, "  </testcase>\n");
	}
	for (size_t i = 0; i < r->n_only_base + r->n_only_cur; i++) {
		bool in_base = i < r->n_only_base;
		const char *key = in_base ? r->only_base[i] : r->only_cur[i - r->n_only_base];

		fprintf(f, "  <testcase classname=\"locus.missing\" name=\"");
		xml_text(f, key);
		fprintf(f, "\" time=\"0\">\n");
		if (in_base && out->fail_on_missing)
			fprintf(f, "   <failure type=\"missing\" message=\"missing from the current run\"/>\n");
		else
			fprintf(f, "   <skipped message=\"%s\"/>\n", in_base ?
				"missing from the current run" : "new measurement, no baseline");
		fprintf(f, "  </testcase>\n");
	}
	fprintf(f, " </testsuite>\n</testsuites>\n");
}

/* ------------------------------------------------------------------ Markdown */

static void md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '`')
			fputc('\'', f);
		else if (*s != '\n' && *s != '\r')
			fputc(*s, f);
	}
}

void compare_write_markdown(FILE *f, const struct compare_result *r,
			    const struct compare_outputs *out)
{
	static const char *const mark[COMPARE_NR_VERDICTS] = {
		[VERDICT_REGRESSED] = ":red_circle:", [VERDICT_INCONCLUSIVE] = ":grey_question:",
		[VERDICT_UNCHANGED] = ":white_circle:", [VERDICT_IMPROVED] = ":green_circle:",
	};
	char ch[32], ci[64], p[32], vb[48], vc[48];
	bool failed = compare_exit_code(r, out) != 0;

	fprintf(f, "### locus performance comparison: %s\n\n", failed ? "**failed**" : "passed");
	fprintf(f, "Baseline `");
	md_cell(f, base_name(out));
	fprintf(f, "`, current `");
	md_cell(f, cur_name(out));
	fprintf(f, "`: ");
	print_summary(f, r, out);
	fprintf(f, ".\n\n");
	if (r->n_env_diffs) {
		fprintf(f, "> :warning: **The environment fingerprints differ**; these results are "
			"not comparable like-for-like:\n");
		for (size_t i = 0; i < r->n_env_diffs; i++) {
			fprintf(f, "> - `");
			md_cell(f, r->env_diffs[i].key);
			fprintf(f, "`: `");
			md_cell(f, r->env_diffs[i].base);
			fprintf(f, "` → `");
			md_cell(f, r->env_diffs[i].cur);
			fprintf(f, "`\n");
		}
		fprintf(f, "\n");
	}
	if (r->n_base_runs == 1)
		fprintf(f, "> :information_source: %s.\n\n", single_run_note);
	else if (r->n_base_runs > 1)
		fprintf(f, "Baseline: %zu runs (samples pooled; a regression must also be %s).\n\n",
			r->n_base_runs, r->n_base_runs >= COMPARE_RUN_TEST_MIN_RUNS ?
			"significant against the runs' medians (run-level t test) and worse than "
			"their median by the threshold" :
			"worse than every run's median by the threshold");
	if (r->n_cur_runs > 1)
		fprintf(f, "Current: %zu runs (samples pooled; %s)\n\n", r->n_cur_runs, cur_runs_note);
	print_detectable(f, r, out, "", "\n\n");
	if (r->n_pairs) {
		fprintf(f, "| | Measurement | Change | %d%% CI | p | Baseline | Current |%s Verdict |\n",
			ci_percent(r), r->n_base_runs > 1 ? " Run spread |" : "");
		fprintf(f, "|---|---|---:|---:|---:|---:|---:|%s---|\n",
			r->n_base_runs > 1 ? "---:|" : "");
	}
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];

		fprintf(f, "| %s | `", mark[q->verdict]);
		md_cell(f, q->key);
		fputc('`', f);
		if (q->settings) {
			fputs(" (", f);
			md_cell(f, q->settings);
			fputc(')', f);
		}
		fprintf(f, " | %s | %s | %s | %s | %s | ",
			fmt_change(ch, sizeof(ch), q->ratio), fmt_ci(ci, sizeof(ci), q),
			fmt_p(p, sizeof(p), q->p_adj), fmt_val(vb, sizeof(vb), q->median_base, q->unit),
			fmt_val(vc, sizeof(vc), q->median_cur, q->unit));
		if (r->n_base_runs > 1) {
			char sp[40];

			fprintf(f, "%s | ", fmt_spread(sp, sizeof(sp), q));
		}
		fprintf(f, "%s", compare_verdict_name(q->verdict));
		if (q->verdict == VERDICT_INCONCLUSIVE) {
			fprintf(f, " (");
			md_cell(f, q->reason);
			fprintf(f, ")");
		}
		if (q->note) {
			fprintf(f, " (");
			md_cell(f, q->note);
			fprintf(f, ")");
		}
		fprintf(f, " |\n");
	}
	for (int side = 0; side < 2; side++) {
		char *const *keys = side ? r->only_cur : r->only_base;
		size_t n = side ? r->n_only_cur : r->n_only_base;

		if (!n)
			continue;
		fprintf(f, "\n**%s** (%zu):\n", side ? "Only in the current run (new)" :
			"Missing from the current run", n);
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "- `");
			md_cell(f, keys[i]);
			fprintf(f, "`\n");
		}
	}
	fprintf(f, "\n<sub>Change: ratio of medians in the bad direction (+ = worse). A regression "
		"needs p < alpha (two-sided Mann-Whitney U) and a change of at least the "
		"threshold.</sub>\n");
}

/* ------------------------------------------------------------------ GitHub */

/* Workflow-command escaping: data escapes %, CR, LF; properties also ':' and ','. */
static void gh_escape(FILE *f, const char *s, bool property)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':': fputs(property ? "%3A" : ":", f); break;
		case ',': fputs(property ? "%2C" : ",", f); break;
		default: fputc(*s, f);
		}
	}
}

static void gh_command(FILE *f, const char *level, const char *title, const char *msg)
{
	fprintf(f, "::%s title=", level);
	gh_escape(f, title, true);
	fputs("::", f);
	gh_escape(f, msg, false);
	fputc('\n', f);
}

void compare_print_github(FILE *f, const struct compare_result *r,
			  const struct compare_outputs *out)
{
	char *buf = NULL;
	size_t len = 0;

	for (size_t i = 0; i < r->n_env_diffs; i++) {
		if (asprintf(&buf, "%s differs: %s (baseline) vs %s (current)", r->env_diffs[i].key,
			     r->env_diffs[i].base, r->env_diffs[i].cur) < 0)
			return;
		gh_command(f, out->strict_env ? "error" : "warning", "locus: environment differs", buf);
		free(buf);
	}
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *q = &r->pairs[i];
		const char *level;
		FILE *m;

		if (q->verdict == VERDICT_UNCHANGED)
			continue;
		level = compare_pair_fails(q, out) ? "error" :
			q->verdict == VERDICT_INCONCLUSIVE ? "warning" : "notice";
		m = open_memstream(&buf, &len);
		if (!m)
			return;
		fprintf(m, "%s ", q->key);
		if (q->settings)
			fprintf(m, "(setting %s) ", q->settings);
		pair_line(m, q);
		fclose(m);
		gh_command(f, level, q->verdict == VERDICT_REGRESSED ? "locus: performance regression" :
			   q->verdict == VERDICT_IMPROVED ? "locus: performance improvement" :
			   "locus: inconclusive comparison", buf);
		free(buf);
	}
	for (size_t i = 0; i < r->n_only_base; i++) {
		if (asprintf(&buf, "%s is in the baseline but missing from the current run",
			     r->only_base[i]) < 0)
			return;
		gh_command(f, out->fail_on_missing ? "error" : "warning", "locus: missing measurement",
			   buf);
		free(buf);
	}
}

/* ------------------------------------------------------------------ emit */

static int write_to(const char *path, void (*fn)(FILE *, const struct compare_result *,
						  const struct compare_outputs *),
		    const struct compare_result *r, const struct compare_outputs *out)
{
	bool std = !path || strcmp(path, "-") == 0;
	FILE *f = std ? stdout : fopen(path, "w");
	int bad;

	if (!f)
		return locus_error("%s: cannot write: %s", path, strerror(errno));
	fn(f, r, out);
	bad = std ? (fflush(f) != 0 || ferror(f)) : (ferror(f) | (fclose(f) != 0));
	if (bad)
		return locus_error("%s: write failed: %s", std ? "stdout" : path, strerror(errno));
	return 0;
}

static json_t *emit_json;

static void json_writer(FILE *f, const struct compare_result *r,
			const struct compare_outputs *out)
{
	(void)r;
	(void)out;
	json_dumpf(emit_json, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	fputc('\n', f);
}

int compare_emit(const struct compare_result *r, const struct compare_outputs *out)
{
	int rc = 0;

	if (out->json) {
		emit_json = compare_to_json(r, out);
		if (!emit_json)
			return locus_error("compare: out of memory");
		rc = write_to(out->output, json_writer, r, out);
		json_decref(emit_json);
		emit_json = NULL;
	} else {
		rc = write_to(out->output, compare_print_table, r, out);
	}
	if (out->junit && write_to(out->junit, compare_write_junit, r, out) < 0)
		rc = -1;
	if (out->markdown && write_to(out->markdown, compare_write_markdown, r, out) < 0)
		rc = -1;
	if (out->github && write_to("-", compare_print_github, r, out) < 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ baseline sets */

static bool is_fp_id(const char *s, size_t len)
{
	return len == 16 && strspn(s, "0123456789abcdef") >= 16;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The names in dir that `want` accepts, sorted; -errno when dir cannot be read. */
static int list_dir(const char *dir, bool (*want)(const char *dir, const char *name),
		    char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char **nn;

		if (!want(dir, e->d_name))
			continue;
		nn = realloc(*names, (*n + 1) * sizeof(**names));
		if (!nn || !(nn[*n] = strdup(e->d_name))) {
			if (nn)
				*names = nn;
			rc = -ENOMEM;
			break;
		}
		*names = nn;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_strp);
	return rc;
}

static void free_names(char **names, size_t n)
{
	free_strs(names, n);
}

/* A run of a set: NAME.json, not hidden (temporary files start with '.'). */
static bool want_run(const char *dir, const char *name)
{
	size_t len = strlen(name);

	(void)dir;
	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

/* An entry of a store: ID (a set directory) or ID.json (the old layout). */
static bool want_store_entry(const char *dir, const char *name)
{
	size_t len = strlen(name);

	(void)dir;
	return is_fp_id(name, len) ||
	       (len == 21 && strcmp(name + 16, ".json") == 0 && is_fp_id(name, 16));
}

/* A file of several merged runs (lib/runs.h: `locus gate --runs`, `tune ab`) is that
 * many baseline runs: each gets its own entry (the path repeated), so the run-level
 * rule sees every run.  Takes r. */
static int baseline_push_merged(struct compare_baseline *b, const char *path, json_t *r)
{
	json_t **parts = NULL;
	size_t np = 0, i;
	int rc = runs_split(r, &parts, &np);

	json_decref(r);
	if (rc < 0)
		return rc;
	for (i = 0; i < np; i++) {
		json_t **runs = realloc(b->runs, (b->n + 1) * sizeof(*runs));
		char **paths = runs ? realloc(b->paths, (b->n + 1) * sizeof(*paths)) : NULL;

		if (runs)
			b->runs = runs;
		if (paths)
			b->paths = paths;
		if (!runs || !paths || !(b->paths[b->n] = strdup(path)))
			break;
		b->runs[b->n++] = parts[i];
	}
	rc = i == np ? 0 : -ENOMEM;
	for (; i < np; i++)
		json_decref(parts[i]);
	free(parts);
	return rc;
}

static int baseline_push(struct compare_baseline *b, const char *path)
{
	json_t **runs = realloc(b->runs, (b->n + 1) * sizeof(*runs));
	char **paths;
	json_t *r;

	if (!runs)
		return -ENOMEM;
	b->runs = runs;
	paths = realloc(b->paths, (b->n + 1) * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	b->paths = paths;
	r = result_load(path);
	if (!r)
		return -EINVAL;
	if (runs_count(r) > 1)
		return baseline_push_merged(b, path, r);
	b->paths[b->n] = strdup(path);
	if (!b->paths[b->n]) {
		json_decref(r);
		return -ENOMEM;
	}
	b->runs[b->n++] = r;
	return 0;
}

/* Every run of set directory dir, in name order. */
static int load_set_dir(const char *dir, struct compare_baseline *b, size_t *added)
{
	char **names, *path;
	size_t n;
	int rc = list_dir(dir, want_run, &names, &n);

	*added = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			return free_names(names, n), -ENOMEM;
		rc = baseline_push(b, path);
		free(path);
		*added += rc == 0;
	}
	free_names(names, n);
	return rc;
}

int compare_baseline_load(const char *path, const json_t *env, struct compare_baseline *b)
{
	char **names = NULL, id[17], *legacy = NULL, *set = NULL;
	size_t n = 0, added = 0;
	int rc;

	if (!is_dir(path)) {
		if (access(path, R_OK) != 0) {
			rc = -errno;
			locus_error("%s: cannot read the baseline: %s", path, strerror(errno));
			return rc == -ENOMEM ? rc : -EINVAL;
		}
		rc = baseline_push(b, path);
		if (rc == 0 && !b->name)
			b->name = strdup(path);
		return rc;
	}
	rc = list_dir(path, want_store_entry, &names, &n);
	if (rc < 0) {
		if (rc != -ENOMEM)
			locus_error("%s: cannot read the baseline directory: %s", path, strerror(-rc));
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	if (n == 0) {
		/* not a store: a set by itself */
		rc = load_set_dir(path, b, &added);
		if (rc == 0 && !added) {
			locus_error("%s: no baseline run (*.json) in this directory", path);
			rc = -ENOENT;
		}
		if (rc == 0 && !b->name)
			b->name = strdup(path);
		return rc;
	}
	free_names(names, n);
	compare_fingerprint_id(env, id);
	if (asprintf(&legacy, "%s/%s.json", path, id) < 0 || asprintf(&set, "%s/%s", path, id) < 0) {
		free(legacy);
		return -ENOMEM;
	}
	/* the old single-file layout is the oldest run of the set */
	if (access(legacy, F_OK) == 0) {
		rc = baseline_push(b, legacy);
		added += rc == 0;
	}
	if (rc == 0 && is_dir(set)) {
		size_t k;

		rc = load_set_dir(set, b, &k);
		added += k;
	}
	if (rc == 0 && !added) {
		char *text = compare_fingerprint_text(env);
		size_t others = 0;

		if (compare_baseline_ids(path, &names, NULL, &n) == 0) {
			others = n;
			free_names(names, n);
		}
		locus_error("%s has no baseline for this machine (fingerprint %s: %s); it holds "
			    "%zu other%s; save one with 'locus baseline save %s RESULT.json'",
			    path, id, text ? text : "", others, others == 1 ? "" : "s", path);
		free(text);
		rc = -ENOENT;
	}
	if (rc == 0 && !b->name)
		b->name = strdup(is_dir(set) ? set : legacy);
	free(legacy);
	free(set);
	return rc;
}

void compare_baseline_free(struct compare_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->runs[i]);
		free(b->paths[i]);
	}
	free(b->runs);
	free(b->paths);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

/* mkdir -p: 0, or prints the error and returns -errno. */
static int make_dirs(const char *path)
{
	char *p = strdup(path);
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = -errno;
			locus_error("%s: cannot create directory: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!rc && !is_dir(path)) {
		locus_error("%s: not a directory", path);
		rc = -ENOTDIR;
	}
	return rc;
}

/* A run's sequence number from its name "NNNNNN.json"; 0 for other names. */
static unsigned long run_seq(const char *name)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);

	return end != name && strcmp(end, ".json") == 0 ? v : 0;
}

/* A result of several merged runs (lib/runs.h) is saved as its runs, one file each, in
 * run order: the store holds runs, and the run-level rule counts them. */
static int baseline_save_merged(const char *dir, const json_t *result, unsigned keep,
				char **stored, size_t *n_runs, size_t *dropped)
{
	json_t **parts = NULL;
	size_t np = 0, gone = 0;
	int rc = runs_split(result, &parts, &np);

	for (size_t i = 0; i < np; i++) {
		size_t d = 0;

		if (rc == 0) {
			if (stored) {
				free(*stored);
				*stored = NULL;
			}
			rc = compare_baseline_save(dir, parts[i], keep, stored, n_runs, &d);
			gone += d;
		}
		json_decref(parts[i]);
	}
	free(parts);
	if (dropped)
		*dropped = gone;
	return rc;
}

int compare_baseline_save(const char *dir, const json_t *result, unsigned keep,
			  char **stored, size_t *n_runs, size_t *dropped)
{
	char id[17], *set = NULL, *legacy = NULL, *path = NULL, *tmp = NULL, **names = NULL;
	unsigned long seq = 0;
	size_t n = 0, gone = 0;
	int rc;

	if (stored)
		*stored = NULL;
	if (runs_count(result) > 1)
		return baseline_save_merged(dir, result, keep, stored, n_runs, dropped);
	if (keep < 1)
		keep = 1;
	compare_fingerprint_id(json_object_get(result, "env"), id);
	if (asprintf(&set, "%s/%s", dir, id) < 0) {
		set = NULL;
		rc = -ENOMEM;
		goto out;
	}
	if (asprintf(&legacy, "%s/%s.json", dir, id) < 0) {
		legacy = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = make_dirs(set);
	if (rc < 0)
		goto out;
	rc = list_dir(set, want_run, &names, &n);
	if (rc < 0) {
		if (rc != -ENOMEM)
			locus_error("%s: cannot read: %s", set, strerror(-rc));
		goto out;
	}
	/* the old layout's file becomes the set's oldest run */
	if (access(legacy, F_OK) == 0) {
		char *to = NULL;

		if (asprintf(&to, "%s/000000.json", set) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		if (access(to, F_OK) != 0 && rename(legacy, to) < 0) {
			rc = -errno;
			locus_error("%s: cannot move it into %s: %s", legacy, set, strerror(errno));
			free(to);
			goto out;
		}
		free(to);
		free_names(names, n);
		rc = list_dir(set, want_run, &names, &n);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (run_seq(names[i]) > seq)
			seq = run_seq(names[i]);
	if (asprintf(&path, "%s/%06lu.json", set, seq + 1) < 0 ||
	    asprintf(&tmp, "%s/.%06lu.json.tmp%ld", set, seq + 1, (long)getpid()) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	/* Write aside and rename, so a reader (a concurrent gate) never sees half a file. */
	if (result_write(result, tmp) < 0) {
		unlink(tmp);
		rc = -EIO;
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		locus_error("%s: cannot store the baseline: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* keep the newest `keep`: names sort oldest first, the new run is not in names */
	for (size_t i = 0; n + 1 - gone > keep && i < n; i++) {
		char *old = NULL;

		if (asprintf(&old, "%s/%s", set, names[i]) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		if (unlink(old) < 0)
			locus_warn("%s: cannot remove an old baseline run: %s", old, strerror(errno));
		else
			gone++;
		free(old);
	}
	if (n_runs)
		*n_runs = n + 1 - gone;
	if (dropped)
		*dropped = gone;
	if (stored) {
		*stored = path;
		path = NULL;
	}
out:
	if (rc == -ENOMEM)
		locus_error("baseline: out of memory");
	free_names(names, n);
	free(set);
	free(legacy);
	free(path);
	free(tmp);
	return rc;
}

/* The number of runs stored for fingerprint id in store dir. */
static size_t count_runs(const char *dir, const char *id)
{
	char *p = NULL, **rn;
	size_t runs = 0, nr;

	if (asprintf(&p, "%s/%s.json", dir, id) < 0)
		return 0;
	runs += access(p, F_OK) == 0;
	p[strlen(p) - 5] = '\0';
	if (is_dir(p) && list_dir(p, want_run, &rn, &nr) == 0) {
		runs += nr;
		free_names(rn, nr);
	}
	free(p);
	return runs;
}

int compare_baseline_ids(const char *dir, char ***ids, size_t **counts, size_t *n)
{
	char **names;
	size_t k, m = 0;
	int rc = list_dir(dir, want_store_entry, &names, &k);

	*ids = NULL;
	*n = 0;
	if (counts)
		*counts = NULL;
	if (rc < 0)
		return rc;
	if (counts && !(*counts = calloc(k ? k : 1, sizeof(**counts)))) {
		free_names(names, k);
		return -ENOMEM;
	}
	/* sorted, so ID comes right before ID.json: keep one name per id */
	for (size_t i = 0; i < k; i++) {
		names[i][16] = '\0';
		if (m && strcmp(names[m - 1], names[i]) == 0) {
			free(names[i]);
			continue;
		}
		names[m++] = names[i];
	}
	for (size_t i = 0; counts && i < m; i++)
		(*counts)[i] = count_runs(dir, names[i]);
	*ids = names;
	*n = m;
	if (!m) {
		free(names);
		*ids = NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ calibration */

struct calib_m {
	double *v;
	size_t n;
	bool hib;
	double alpha, threshold;
};

static void resample(struct rng *g, const double *src, size_t n, double *dst)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[rng_index(g, n)];
}

/* Stage one measurement of a calibration trial: the pair's statistics, unadjusted. */
static int calib_pair(struct compare_pair *p, const struct calib_m *m, const double *a,
		      const double *b, const struct compare_opts *o)
{
	*p = (struct compare_pair){ .alpha = m->alpha, .threshold = m->threshold,
				    .higher_is_better = m->hib };
	return pair_stats(p, a, m->n, b, m->n, o, false);
}

int compare_calibrate(const json_t *result, const struct compare_opts *o, unsigned trials,
		      uint64_t seed, struct compare_calib_row *rows, size_t n_rows)
{
	const json_t *arr = json_object_get(result, "measurements");
	size_t nm = 0, maxn = 0, i;
	struct calib_m *ms = calloc(json_array_size(arr) + 1, sizeof(*ms));
	struct compare_pair *pairs = NULL, *conf = NULL;
	double *a = NULL, *b = NULL;
	size_t *sus = NULL;
	struct rng g;
	json_t *m;
	int rc = 0;

	if (!ms)
		return -ENOMEM;
	json_array_foreach(arr, i, m) {
		struct calib_m *x = &ms[nm];
		double *s;

		x->v = samples_of(m, &x->n);
		if (!x->v) {
			rc = -ENOMEM;
			goto out;
		}
		s = sorted_copy(x->v, x->n);
		if (!s) {
			rc = -ENOMEM;
			goto out;
		}
		if (x->n < 2 || !(stats_quantile_sorted(s, x->n, 0.5) > 0.0)) {
			free(s);
			free(x->v);
			x->v = NULL;
			continue;
		}
		free(s);
		x->hib = json_is_true(json_object_get(m, "higher_is_better"));
		x->alpha = o->alpha;
		x->threshold = o->threshold;
		compare_config_apply(o->config, m, &x->alpha, &x->threshold);
		if (x->n > maxn)
			maxn = x->n;
		nm++;
	}
	if (!nm) {
		rc = locus_error("calibrate: no measurement with 2 or more samples and a positive "
				 "median to resample");
		rc = -EINVAL;
		goto out;
	}
	/* every measurement's first pseudo-run is kept: the confirmation compares with it */
	a = malloc(nm * maxn * sizeof(*a));
	b = malloc(maxn * sizeof(*b));
	pairs = calloc(nm, sizeof(*pairs));
	conf = calloc(nm, sizeof(*conf));
	sus = calloc(nm, sizeof(*sus));
	if (!a || !b || !pairs || !conf || !sus) {
		rc = -ENOMEM;
		goto out;
	}
	rng_seed(&g, seed);
	for (size_t r = 0; r < n_rows; r++) {
		struct compare_calib_row *row = &rows[r];
		double s = row->slowdown;

		memset(row, 0, sizeof(*row));
		row->slowdown = s;
		row->runs = trials;
		for (unsigned t = 0; t < trials; t++) {
			size_t ns = 0, nc = 0;

			for (size_t k = 0; k < nm; k++) {
				const struct calib_m *x = &ms[k];

				resample(&g, x->v, x->n, a + k * maxn);
				resample(&g, x->v, x->n, b);
				inject_slowdown(b, x->n, s, x->hib);
				rc = calib_pair(&pairs[k], x, a + k * maxn, b, o);
				if (rc < 0)
					goto out;
			}
			/* one trial is one comparison of two runs: one family */
			compare_adjust(pairs, nm, o->correction);
			for (size_t k = 0; k < nm; k++) {
				row->comparisons++;
				row->count[pairs[k].verdict]++;
				if (pairs[k].verdict == VERDICT_REGRESSED)
					sus[ns++] = k;
			}
			if (!ns)
				continue;
			row->runs_flagged++;
			/* the gate's confirmation: fresh runs of the suspects against the same
			 * baseline, the suspects adjusted as their own family */
			for (size_t j = 0; j < ns; j++) {
				const struct calib_m *x = &ms[sus[j]];

				resample(&g, x->v, x->n, b);
				inject_slowdown(b, x->n, s, x->hib);
				rc = calib_pair(&conf[j], x, a + sus[j] * maxn, b, o);
				if (rc < 0)
					goto out;
			}
			compare_adjust(conf, ns, o->correction);
			for (size_t j = 0; j < ns; j++)
				nc += conf[j].verdict == VERDICT_REGRESSED;
			row->confirmed += nc;
			row->runs_flagged_confirmed += nc > 0;
		}
	}
out:
	if (rc == -ENOMEM)
		locus_error("calibrate: out of memory");
	for (i = 0; i < nm + 1 && ms; i++)
		free(ms[i].v);
	free(ms);
	free(a);
	free(b);
	free(pairs);
	free(conf);
	free(sus);
	return rc;
}
