/* SPDX-License-Identifier: MIT */
/*
 * stats.h — descriptive statistics over benchmark samples and the repetition driver.
 *
 * Every benchmark hands its raw samples to this file; nothing else computes a median or
 * a confidence interval, so every number in a result file means the same thing.
 * Quantiles use the linear-interpolation definition (R's type 7, numpy's default), and
 * the confidence interval of the median is a percentile bootstrap with a fixed seed so
 * that the same samples always give the same interval.
 */
#ifndef LOCUS_STATS_H
#define LOCUS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>

struct stats_summary {
	size_t n;
	double median, min, max, mean, stddev; /* stddev: sample (n-1) standard deviation */
	double mad;                            /* median absolute deviation (unscaled) */
	double p05, p25, p75, p95;
	double ci_low, ci_high;                /* bootstrap CI of the median */
	double ci_level;                       /* e.g. 0.95 */
};

/* Quantile q in [0,1] of an ascending-sorted array, linear interpolation (R type 7).
 * n must be >= 1. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

/* qsort() comparator of doubles, ascending (NaN compares equal to everything: keep
 * NaN out). */
int stats_cmp_double(const void *a, const void *b);

/* An ascending copy of x[0..n) (malloc'd, room for at least one element), or NULL. */
double *stats_sorted_copy(const double *x, size_t n);

/* The median of x[0..n) (R type 7, input not modified): the one median of locus.
 * NAN when n == 0 or on ENOMEM. */
double stats_median(const double *x, size_t n);

/* Fold x[0..n) into the 64-bit hash h (splitmix64 per value, -0.0 hashes as 0.0): the
 * seed of every bootstrap, so the same samples always give the same interval. */
uint64_t stats_hash_doubles(uint64_t h, const double *x, size_t n);

/* Above this many samples a bootstrap resample's median is drawn directly (below). */
#define STATS_BOOT_DIRECT_MIN 20000

/*
 * The median of one bootstrap resample of sorted[0..n) in O(1), for large n: the
 * resample's k-th smallest index is floor(n U(k)) where U(k), the k-th order statistic
 * of n uniforms, is Beta(k, n + 1 - k) distributed (and the next one follows from it
 * by the minimum of the n - k uniforms above).  The same distribution as drawing n
 * indices and counting (O(n) per resample: 4 M samples x 2,000 resamples took
 * minutes), a different random stream.  r is a struct rng (lib/rng.h).
 */
struct rng;
double stats_boot_median_direct(const double *sorted, size_t n, struct rng *r);
/* The median of a resample of sorted[0..n) (n >= 1) given how often each order
 * statistic was drawn (counts[0..n), summing to n): O(n), no sort.  The bootstrap's
 * way for smaller n. */
double stats_median_of_counts(const double *sorted, size_t n, const uint32_t *counts);
/* The initial value of that hash ("locus"). */
#define STATS_SEED 0x6c6f637573ull

/* Summarise n >= 1 samples (input not modified).  The median's CI is a percentile
 * bootstrap with `boot_reps` resamples (0 = default 2000) at level ci_level (0 = 0.95),
 * seeded deterministically from the data.  With n == 1 the CI is [x, x].
 * Non-finite samples are an error.  Returns 0, or -EINVAL / -ENOMEM. */
int stats_summarize(const double *x, size_t n, double ci_level, unsigned boot_reps,
		    struct stats_summary *out);

/* The summary as a JSON object {n, median, min, max, mean, stddev, mad, p05, p25, p75,
 * p95, ci_low, ci_high, ci_level}; non-finite values become null. */
json_t *stats_summary_json(const struct stats_summary *s);

/* A growable array of samples. */
struct samples {
	double *v;
	size_t n, cap;
};
int samples_push(struct samples *s, double x);   /* 0 or -ENOMEM */
void samples_free(struct samples *s);

/*
 * The repetition driver: warm-up runs (discarded), then repeat until the bootstrap CI
 * half-width of the median is at most target_ci × median (relative), or max_time_s of
 * wall time is spent, or max_reps samples exist, never fewer than min_reps.  With
 * reps > 0 exactly that many samples are taken (the CI target and the time limit are
 * ignored).  All samples are kept in `out`.
 */
/* Whether kept sample i (0-based, in the order taken) was quiet — not disturbed by the
 * host (lib/sentinel.h).  Called once per sample, right after it was taken. */
typedef bool (*repeat_quiet_fn)(void *ctx, size_t i);

struct repeat_opts {
	unsigned warmup;      /* default 1 */
	unsigned reps;        /* 0 = adaptive */
	unsigned min_reps;    /* default 5 */
	unsigned max_reps;    /* default 1000 */
	double target_ci;     /* relative half-width, default 0.01 */
	double max_time_s;    /* default 10 */
	/* Optional (NULL = every sample counts).  With it the driver counts only quiet
	 * samples: the adaptive stop needs min_reps quiet samples and a tight CI over the
	 * quiet ones; a fixed --reps N run takes more samples until N are quiet, at most
	 * 2N in all and, beyond the first N, only while max_time_s lasts.  Disturbed
	 * samples are kept in `out` all the same (the caller marks them). */
	repeat_quiet_fn quiet;
	void *quiet_ctx;
};
#define REPEAT_OPTS_DEFAULT { .warmup = 1, .reps = 0, .min_reps = 5, .max_reps = 1000, \
			      .target_ci = 0.01, .max_time_s = 10.0, .quiet = NULL, \
			      .quiet_ctx = NULL }

/* One measurement: store one sample (e.g. ns per access) in *sample; return 0 or a
 * negative errno to abort the repetition. */
typedef int (*repeat_fn)(void *ctx, double *sample);

/* Why the driver stopped, recorded in results so a reader knows whether the CI target
 * was met. */
enum repeat_stop { REPEAT_FIXED, REPEAT_CI_MET, REPEAT_TIME, REPEAT_MAX_REPS };
const char *repeat_stop_name(enum repeat_stop s); /* "fixed", "ci_met", "time_limit", "max_reps" */

/* Run the driver.  Returns 0 (with *why set), or the callback's negative errno. */
int repeat_run(const struct repeat_opts *o, repeat_fn fn, void *ctx, struct samples *out,
	       enum repeat_stop *why);

#endif
