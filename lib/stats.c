/* SPDX-License-Identifier: MIT */
/*
 * stats.c — descriptive statistics over benchmark samples and the repetition driver.
 *
 * Every number locus reports about a distribution of samples comes from here, so that a
 * "median" or a "95% CI" means the same thing in every result file.  Quantiles are R's
 * type 7 (linear interpolation between order statistics, numpy's default); the spread
 * is the sample (n-1) standard deviation and the unscaled median absolute deviation;
 * the uncertainty of the median is a percentile bootstrap.  The bootstrap's random
 * numbers come from a private xoshiro256** generator seeded from a hash of the sorted
 * samples, so the same samples always give the same interval, independent of the
 * order they were taken in, of the C library's rand() and of anything else the
 * program does.
 *
 * The repetition driver (repeat_run) owns the "how many repetitions" decision for every
 * benchmark: warm-up runs are discarded, then samples are taken until the median is
 * known well enough (relative CI half-width), the time budget is spent, or the sample
 * cap is reached.  Why it stopped is reported so results can say whether the target
 * was met.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "rng.h"
#include "stats.h"

#define DEFAULT_BOOT_REPS 2000u
#define DEFAULT_CI_LEVEL 0.95
/* The stopping rule re-runs the bootstrap many times; fewer resamples are plenty to
 * decide "tight enough", and the final summary uses the full count anyway. */
#define STOP_BOOT_REPS 500u

/* ------------------------------------------------------------------ PRNG */

/* Uniform index in [0, n), n <= 2^32, by Lemire's multiply-shift on the top 32 bits
 * (portable: no 128-bit type); its bias, below n / 2^32, is far below anything a
 * bootstrap can notice. */
static inline size_t rand_index(struct rng *r, size_t n)
{
	return (size_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

uint64_t stats_hash_doubles(uint64_t h, const double *x, size_t n)
{
	h ^= (uint64_t)n;
	for (size_t i = 0; i < n; i++) {
		double v = x[i] == 0.0 ? 0.0 : x[i]; /* -0.0 and 0.0 are the same sample */
		uint64_t bits;

		memcpy(&bits, &v, sizeof(bits));
		h ^= bits;
		h = rng_splitmix64(&h);
	}
	return h;
}

/* Seed from the sorted data, so the interval depends only on the multiset of samples. */
static uint64_t data_seed(const double *sorted, size_t n)
{
	return stats_hash_doubles(STATS_SEED, sorted, n);
}

/* ------------------------------------------------------------------ basic statistics */

int stats_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double *stats_sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	if (n)
		memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), stats_cmp_double);
	return s;
}

double stats_median(const double *x, size_t n)
{
	double *s, m;

	if (!x || n == 0)
		return NAN;
	s = stats_sorted_copy(x, n);
	if (!s)
		return NAN;
	m = stats_quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (!sorted || n == 0)
		return NAN;
	if (!(q > 0.0))		/* also catches NaN: the minimum is the safe answer */
		return sorted[0];
	if (q >= 1.0)
		return sorted[n - 1];
	h = (double)(n - 1) * q;
	lo = (size_t)h;
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	/* Written so that equal neighbours give exactly that value (no rounding drift). */
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

static double median_sorted(const double *sorted, size_t n)
{
	return stats_quantile_sorted(sorted, n, 0.5);
}

/*
 * Percentile bootstrap of the median of `sorted` (ascending, n >= 1).
 *
 * A resample's median depends only on which order statistics of the original data were
 * drawn, so instead of sorting each resample of values we count how often each index was
 * drawn (O(n) per resample) and walk the counts to the middle position(s).
 * `counts` must hold n entries and `meds` boot_reps entries.
 */
/* A uniform double in (0, 1), never 0 (logs are taken of it). */
static double rng_open01(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* Gamma(a), a >= 1: Marsaglia and Tsang (2000), normals by Box-Muller. */
static double rng_gamma(struct rng *r, double a)
{
	double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);

	for (;;) {
		double x = sqrt(-2.0 * log(rng_open01(r))) * cos(2.0 * M_PI * rng_open01(r));
		double v = 1.0 + c * x, u;

		if (v <= 0.0)
			continue;
		v = v * v * v;
		u = rng_open01(r);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

double stats_boot_median_direct(const double *sorted, size_t n, struct rng *r)
{
	size_t k1 = (n - 1) / 2, k2 = n / 2, i1, i2; /* 0-based middle ranks */
	double g1 = rng_gamma(r, (double)(k1 + 1)), g2 = rng_gamma(r, (double)(n - k1));
	double u = g1 / (g1 + g2);

	i1 = (size_t)((double)n * u);
	if (i1 >= n)
		i1 = n - 1;
	i2 = i1;
	if (k2 != k1) {
		/* the next order statistic: u plus the minimum of the n - k2 uniforms above */
		u += (1.0 - u) * -expm1(log(rng_open01(r)) / (double)(n - k2));
		i2 = (size_t)((double)n * u);
		if (i2 >= n)
			i2 = n - 1;
		if (i2 < i1)
			i2 = i1;
	}
	return sorted[i1] + 0.5 * (sorted[i2] - sorted[i1]);
}

double stats_median_of_counts(const double *sorted, size_t n, const uint32_t *counts)
{
	size_t k1 = (n - 1) / 2, k2 = n / 2; /* 0-based middle ranks (equal when n is odd) */
	size_t cum = 0, i = 0;
	double v1, v2;

	while (cum + counts[i] <= k1)
		cum += counts[i++];
	v1 = sorted[i];
	while (cum + counts[i] <= k2)
		cum += counts[i++];
	v2 = sorted[i];
	return v1 + 0.5 * (v2 - v1);
}

static void boot_median_ci(const double *sorted, size_t n, double level,
			   unsigned boot_reps, uint32_t *counts, double *meds,
			   double *lo, double *hi)
{
	struct rng rng;
	double alpha = (1.0 - level) / 2.0, med;

	if (n == 1) {
		*lo = *hi = sorted[0];
		return;
	}
	rng_seed(&rng, data_seed(sorted, n));
	for (unsigned b = 0; b < boot_reps; b++) {
		if (n >= STATS_BOOT_DIRECT_MIN) {
			meds[b] = stats_boot_median_direct(sorted, n, &rng);
			continue;
		}
		memset(counts, 0, n * sizeof(*counts));
		for (size_t j = 0; j < n; j++)
			counts[rand_index(&rng, n)]++;
		meds[b] = stats_median_of_counts(sorted, n, counts);
	}
	qsort(meds, boot_reps, sizeof(*meds), stats_cmp_double);
	*lo = stats_quantile_sorted(meds, boot_reps, alpha);
	*hi = stats_quantile_sorted(meds, boot_reps, 1.0 - alpha);
	med = median_sorted(sorted, n);
	/*
	 * The percentile interval of a discrete statistic can, for tiny or very skewed
	 * samples, miss the point estimate by a hair; an interval that excludes the median
	 * it is reported with only confuses readers, so widen it to include it.
	 */
	if (*lo > med)
		*lo = med;
	if (*hi < med)
		*hi = med;
}

int stats_summarize(const double *x, size_t n, double ci_level, unsigned boot_reps,
		    struct stats_summary *out)
{
	double *s, *dev, *meds;
	uint32_t *counts;
	double sum = 0.0, comp = 0.0, mean, ss = 0.0;

	if (!x || !out || n == 0) {
		locus_error("stats: no samples to summarise");
		return -EINVAL;
	}
	if (n > UINT32_MAX) {
		locus_error("stats: %zu samples is more than the %u supported", n, UINT32_MAX);
		return -EINVAL;
	}
	if (ci_level == 0.0)
		ci_level = DEFAULT_CI_LEVEL;
	if (!(ci_level > 0.0 && ci_level < 1.0)) {
		locus_error("stats: confidence level %g is not between 0 and 1", ci_level);
		return -EINVAL;
	}
	if (boot_reps == 0)
		boot_reps = DEFAULT_BOOT_REPS;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i])) {
			locus_error("stats: sample %zu is %g; only finite samples can be summarised",
				    i, x[i]);
			return -EINVAL;
		}
	}

	s = malloc(n * sizeof(*s));
	dev = malloc(n * sizeof(*dev));
	counts = malloc(n * sizeof(*counts));
	meds = malloc((size_t)boot_reps * sizeof(*meds));
	if (!s || !dev || !counts || !meds) {
		free(s);
		free(dev);
		free(counts);
		free(meds);
		locus_error("stats: out of memory summarising %zu samples", n);
		return -ENOMEM;
	}
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), stats_cmp_double);

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = median_sorted(s, n);
	out->p05 = stats_quantile_sorted(s, n, 0.05);
	out->p25 = stats_quantile_sorted(s, n, 0.25);
	out->p75 = stats_quantile_sorted(s, n, 0.75);
	out->p95 = stats_quantile_sorted(s, n, 0.95);

	/* Neumaier-compensated sum: samples can span many magnitudes (ns vs s). */
	for (size_t i = 0; i < n; i++) {
		double t = sum + s[i];

		if (fabs(sum) >= fabs(s[i]))
			comp += (sum - t) + s[i];
		else
			comp += (s[i] - t) + sum;
		sum = t;
	}
	mean = (sum + comp) / (double)n;
	if (s[0] == s[n - 1])
		mean = s[0];	/* all equal: no rounding noise in mean or stddev */
	/* Clamp: rounding must never put the mean outside the data. */
	out->mean = fmin(fmax(mean, s[0]), s[n - 1]);
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	/* The sample standard deviation of one sample is undefined: NaN (null in JSON). */
	out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;

	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - out->median);
	qsort(dev, n, sizeof(*dev), stats_cmp_double);
	out->mad = median_sorted(dev, n);

	out->ci_level = ci_level;
	boot_median_ci(s, n, ci_level, boot_reps, counts, meds, &out->ci_low, &out->ci_high);

	free(s);
	free(dev);
	free(counts);
	free(meds);
	return 0;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *stats_summary_json(const struct stats_summary *s)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "median", offsetof(struct stats_summary, median) },
		{ "min", offsetof(struct stats_summary, min) },
		{ "max", offsetof(struct stats_summary, max) },
		{ "mean", offsetof(struct stats_summary, mean) },
		{ "stddev", offsetof(struct stats_summary, stddev) },
		{ "mad", offsetof(struct stats_summary, mad) },
		{ "p05", offsetof(struct stats_summary, p05) },
		{ "p25", offsetof(struct stats_summary, p25) },
		{ "p75", offsetof(struct stats_summary, p75) },
		{ "p95", offsetof(struct stats_summary, p95) },
		{ "ci_low", offsetof(struct stats_summary, ci_low) },
		{ "ci_high", offsetof(struct stats_summary, ci_high) },
		{ "ci_level", offsetof(struct stats_summary, ci_level) },
	};
	json_t *o;

	if (!s)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	if (json_object_set_new(o, "n", json_integer((json_int_t)s->n)))
		goto fail;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		double v;

		memcpy(&v, (const char *)s + fields[i].off, sizeof(v));
		if (json_object_set_new(o, fields[i].name, num_or_null(v)))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* ------------------------------------------------------------------ samples */

int samples_push(struct samples *s, double x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *v;

		if (cap < s->cap || cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

void samples_free(struct samples *s)
{
	if (!s)
		return;
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ------------------------------------------------------------------ repetition driver */

const char *repeat_stop_name(enum repeat_stop s)
{
	switch (s) {
	case REPEAT_FIXED:
		return "fixed";
	case REPEAT_CI_MET:
		return "ci_met";
	case REPEAT_TIME:
		return "time_limit";
	case REPEAT_MAX_REPS:
		return "max_reps";
	}
	return "unknown";
}

/* CLOCK_MONOTONIC directly rather than timer.c: the driver must work (and be testable)
 * whether or not the benchmark timer has been initialised. */
static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Scratch space for the stopping rule, grown as samples arrive. */
struct ci_scratch {
	double *sorted;
	uint32_t *counts;
	size_t cap;
	double meds[STOP_BOOT_REPS];
};

/* Is the relative half-width of the median's CI at most target?  0, 1, or -ENOMEM. */
static int ci_target_met(const struct samples *s, double target, struct ci_scratch *w)
{
	double lo, hi, med, half;

	if (s->n > w->cap) {
		size_t cap = s->cap;
		double *d;
		uint32_t *c;

		d = realloc(w->sorted, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		w->sorted = d;
		c = realloc(w->counts, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		w->counts = c;
		w->cap = cap;
	}
	memcpy(w->sorted, s->v, s->n * sizeof(*w->sorted));
	qsort(w->sorted, s->n, sizeof(*w->sorted), stats_cmp_double);
	boot_median_ci(w->sorted, s->n, DEFAULT_CI_LEVEL, STOP_BOOT_REPS, w->counts, w->meds,
		       &lo, &hi);
	med = fabs(median_sorted(w->sorted, s->n));
	half = (hi - lo) / 2.0;
	/*
	 * A zero median (e.g. a count that is usually 0) has no relative precision; only
	 * a zero-width interval counts as "known".  Otherwise compare without dividing so
	 * tiny medians cannot overflow the ratio.
	 */
	if (med == 0.0)
		return half == 0.0;
	return half <= target * med;
}

/* One kept measurement, appended to out.  0 or a negative errno. */
static int take_sample(repeat_fn fn, void *ctx, struct samples *out)
{
	double sample = NAN;
	int ret = fn(ctx, &sample);

	if (ret)
		return ret < 0 ? ret : -EINVAL; /* a positive return is a callback bug */
	if (!isfinite(sample)) {
		locus_error("stats: repetition %zu gave a non-finite sample (%g)",
			    out->n + 1, sample);
		return -EINVAL;
	}
	if (samples_push(out, sample)) {
		locus_error("stats: out of memory after %zu samples", out->n);
		return -ENOMEM;
	}
	return 0;
}

/* Take one sample and ask whether it was quiet; *nq counts the quiet ones and `quiet`
 * (when the caller gave a quiet callback) holds their values. */
static int take_counted(const struct repeat_opts *o, repeat_fn fn, void *ctx,
			struct samples *out, struct samples *quiet, size_t *nq)
{
	int ret = take_sample(fn, ctx, out);

	if (ret)
		return ret;
	if (o->quiet && !o->quiet(o->quiet_ctx, out->n - 1))
		return 0;
	(*nq)++;
	if (o->quiet && samples_push(quiet, out->v[out->n - 1])) {
		locus_error("stats: out of memory after %zu samples", out->n);
		return -ENOMEM;
	}
	return 0;
}

int repeat_run(const struct repeat_opts *o, repeat_fn fn, void *ctx, struct samples *out,
	       enum repeat_stop *why)
{
	static const struct repeat_opts defaults = REPEAT_OPTS_DEFAULT;
	struct repeat_opts opt = o ? *o : defaults;
	struct ci_scratch *w = NULL;
	struct samples quiet = { 0 };
	enum repeat_stop stop = REPEAT_MAX_REPS;
	double t0, sample;
	size_t next_check, nq = 0;
	int ret = 0;

	if (!fn || !out) {
		locus_error("stats: repeat_run needs a callback and a sample array");
		return -EINVAL;
	}
	/*
	 * Zero means "default" for the limits, where zero would be meaningless (a struct
	 * filled in with only some fields still behaves); warmup = 0 really means none.
	 */
	if (opt.min_reps == 0)
		opt.min_reps = defaults.min_reps;
	if (opt.max_reps == 0)
		opt.max_reps = defaults.max_reps;
	if (opt.target_ci == 0.0)
		opt.target_ci = defaults.target_ci;
	if (opt.max_time_s == 0.0)
		opt.max_time_s = defaults.max_time_s;
	if (!(opt.target_ci > 0.0) || !(opt.max_time_s > 0.0)) {
		locus_error("stats: CI target %g and time limit %g s must be positive",
			    opt.target_ci, opt.max_time_s);
		return -EINVAL;
	}
	if (opt.max_reps < opt.min_reps)	/* "never fewer than min_reps" wins */
		opt.max_reps = opt.min_reps;

	out->n = 0;	/* this run's samples only; the buffer is reused */
	t0 = wall_s();
	for (unsigned i = 0; i < opt.warmup; i++) {
		ret = fn(ctx, &sample);
		if (ret)
			return ret < 0 ? ret : -EINVAL;
	}

	if (opt.reps > 0) {
		for (unsigned i = 0; i < opt.reps && !ret; i++)
			ret = take_counted(&opt, fn, ctx, out, &quiet, &nq);
		/* Replace disturbed samples while the budget lasts, at most reps more. */
		while (!ret && nq < opt.reps && out->n < 2 * (size_t)opt.reps &&
		       wall_s() - t0 < opt.max_time_s)
			ret = take_counted(&opt, fn, ctx, out, &quiet, &nq);
		samples_free(&quiet);
		if (!ret && why)
			*why = REPEAT_FIXED;
		return ret;
	}

	w = calloc(1, sizeof(*w));
	if (!w) {
		locus_error("stats: out of memory");
		return -ENOMEM;
	}
	next_check = opt.min_reps;
	for (;;) {
		bool at_max, out_of_time;
		size_t step;

		ret = take_counted(&opt, fn, ctx, out, &quiet, &nq);
		if (ret)
			break;
		if (out->n < opt.min_reps)
			continue;
		at_max = out->n >= opt.max_reps;
		out_of_time = wall_s() - t0 >= opt.max_time_s;
		/*
		 * The bootstrap costs O(n × resamples), so between limits it is re-run only
		 * when n has grown by 10% (at least 5 samples); at a limit it is always run, so
		 * a run that met its target is reported as such.  Only quiet samples count:
		 * a CI that is tight because the host was uniformly disturbed is not met.
		 */
		if (nq >= opt.min_reps && (at_max || out_of_time || nq >= next_check)) {
			int met = ci_target_met(opt.quiet ? &quiet : out, opt.target_ci, w);

			if (met < 0) {
				locus_error("stats: out of memory after %zu samples", out->n);
				ret = met;
				break;
			}
			if (met) {
				stop = REPEAT_CI_MET;
				break;
			}
			step = nq / 10;
			next_check = nq + (step < 5 ? 5 : step);
		}
		if (at_max) {
			stop = REPEAT_MAX_REPS;
			break;
		}
		if (out_of_time) {
			stop = REPEAT_TIME;
			break;
		}
	}
	free(w->sorted);
	free(w->counts);
	free(w);
	samples_free(&quiet);
	if (ret == 0 && why)
		*why = stop;
	return ret;
}
