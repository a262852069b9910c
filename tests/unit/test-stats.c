/* SPDX-License-Identifier: MIT */
/*
 * test-stats.c — unit tests for lib/stats.c: quantiles, summaries, the bootstrap CI of
 * the median, the sample array and the repetition driver.
 *
 * Every expected value below was computed outside locus, so a shared mistake in the C
 * code and the test cannot cancel out.  Unless a comment says otherwise the values come
 * from Python 3.11's statistics module (no numpy on the build machine), with
 *
 *   import statistics as st
 *   m = st.median(x); st.mean(x); st.stdev(x)              # stdev: sample, n-1
 *   st.median([abs(v - m) for v in x])                     # unscaled MAD
 *   st.quantiles(x, n=20, method='inclusive')[0], [18]     # p05, p95 (R type 7)
 *   st.quantiles(x, n=4, method='inclusive')[0], [2]       # p25, p75 (R type 7)
 *
 * and printed with repr().  method='inclusive' is the (n-1)p linear interpolation,
 * i.e. R's type 7 and numpy's default.  The repetition driver is tested with
 * deterministic callbacks only; nothing here depends on how fast the machine is.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include "rng.h"
#include "stats.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TOL 1e-9

struct ref {
	const char *name;
	const double *x;
	size_t n;
	double median, min, max, mean, stddev, mad, p05, p25, p75, p95;
};

/* odd n, unsorted */
static const double set_a[] = { 3.1, 1.2, 9.7, 4.4, 2.0, 7.5, 5.3 };
/* even n, unsorted, with ties (2, 2 and 8, 8) */
static const double set_b[] = { 10, 2, 8, 2, 6, 4, 8, 12 };
/* n = 30: x = [(i*i) % 97 + 0.5 for i in range(1, 31)], so p05/p95 interpolate */
static const double set_d[] = {
	1.5, 4.5, 9.5, 16.5, 25.5, 36.5, 49.5, 64.5, 81.5, 3.5, 24.5, 47.5, 72.5, 2.5, 31.5,
	62.5, 95.5, 33.5, 70.5, 12.5, 53.5, 96.5, 44.5, 91.5, 43.5, 94.5, 50.5, 8.5, 65.5, 27.5,
};
/* negative values and a zero, odd n */
static const double set_e[] = { -5, -1.5, 0, 2.25, -3 };

static const struct ref refs[] = {
	{ "odd n=7", set_a, N(set_a), .median = 4.4, .min = 1.2, .max = 9.7,
	  .mean = 4.742857142857143, .stddev = 3.0380131351796043, .mad = 2.4000000000000004,
	  .p05 = 1.44, .p25 = 2.55, .p75 = 6.4, .p95 = 9.04 },
	{ "even n=8 ties", set_b, N(set_b), .median = 7.0, .min = 2, .max = 12,
	  .mean = 6.5, .stddev = 3.6645015252516173, .mad = 3.0,
	  .p05 = 2.0, .p25 = 3.5, .p75 = 8.5, .p95 = 11.3 },
	{ "n=30", set_d, N(set_d), .median = 44.0, .min = 1.5, .max = 96.5,
	  .mean = 44.06666666666667, .stddev = 30.389067150849673, .mad = 24.0,
	  .p05 = 2.95, .p25 = 18.5, .p75 = 65.25, .p95 = 95.05 },
	{ "negative n=5", set_e, N(set_e), .median = -1.5, .min = -5, .max = 2.25,
	  .mean = -1.45, .stddev = 2.7748873851023217, .mad = 1.5,
	  .p05 = -4.6, .p25 = -3.0, .p75 = 0.0, .p95 = 1.8 },
};

static void check_ref(const struct ref *r)
{
	struct stats_summary s;
	char name[96];
	int ret = stats_summarize(r->x, r->n, 0, 0, &s);

	is_int(ret, 0, "summarize succeeds");
	if (ret)
		return;
	is_int(s.n, r->n, "n");
#define CHECK(field) do { \
	snprintf(name, sizeof(name), "%s: " #field, r->name); \
	is_near(s.field, r->field, TOL, name); \
} while (0)
	CHECK(median);
	CHECK(min);
	CHECK(max);
	CHECK(mean);
	CHECK(stddev);
	CHECK(mad);
	CHECK(p05);
	CHECK(p25);
	CHECK(p75);
	CHECK(p95);
#undef CHECK
	is_near(s.ci_level, 0.95, 0, "default CI level is 0.95");
	ok(s.ci_low <= s.median && s.median <= s.ci_high,
	   "%s: CI [%g, %g] contains the median %g", r->name, s.ci_low, s.ci_high, s.median);
	ok(s.min <= s.ci_low && s.ci_high <= s.max, "%s: CI within [min, max]", r->name);
}

static void test_quantile(void)
{
	/* sorted(set_a) */
	static const double a[] = { 1.2, 2.0, 3.1, 4.4, 5.3, 7.5, 9.7 };
	static const double one[] = { 42.5 };

	is_near(stats_quantile_sorted(a, N(a), 0.0), 1.2, 0, "q=0 is the minimum");
	is_near(stats_quantile_sorted(a, N(a), 1.0), 9.7, 0, "q=1 is the maximum");
	/* by hand: h = 6*0.5 = 3 -> a[3] exactly */
	is_near(stats_quantile_sorted(a, N(a), 0.5), 4.4, 0, "q=0.5 hits an order statistic");
	/* python3: st.quantiles(a, n=10, method='inclusive')[8] == 8.379999999999999
	 * (by hand: h = 5.4 -> 7.5 + 0.4*2.2 = 8.38) */
	is_near(stats_quantile_sorted(a, N(a), 0.9), 8.38, TOL, "q=0.9 interpolates");
	/* python3: st.quantiles(a, n=10, method='inclusive')[2] == 2.88
	 * (by hand: h = (7-1)*0.3 = 1.8 -> 2.0 + 0.8*(3.1-2.0) = 2.88) */
	is_near(stats_quantile_sorted(a, N(a), 0.3), 2.88, TOL, "q=0.3 interpolates (type 7)");
	is_near(stats_quantile_sorted(one, 1, 0.25), 42.5, 0, "n=1: every quantile is x");
	is_near(stats_quantile_sorted(one, 1, 1.0), 42.5, 0, "n=1: q=1 is x");
}

static void test_single_and_equal(void)
{
	static const double one[] = { 42.5 };
	static const double same[] = { 5, 5, 5, 5 };
	struct stats_summary s;

	is_int(stats_summarize(one, 1, 0, 0, &s), 0, "n=1 summarises");
	is_near(s.median, 42.5, 0, "n=1: median");
	is_near(s.mean, 42.5, 0, "n=1: mean");
	is_near(s.mad, 0, 0, "n=1: mad");
	is_near(s.p05, 42.5, 0, "n=1: p05");
	is_near(s.p95, 42.5, 0, "n=1: p95");
	ok(isnan(s.stddev), "n=1: sample stddev is undefined (NaN)");
	ok(s.ci_low == 42.5 && s.ci_high == 42.5, "n=1: CI is [x, x]");

	json_t *j = stats_summary_json(&s);
	ok(j && json_is_object(j), "summary JSON is an object");
	ok(json_is_integer(json_object_get(j, "n")) &&
	   json_integer_value(json_object_get(j, "n")) == 1, "JSON n is the integer 1");
	ok(json_is_null(json_object_get(j, "stddev")), "JSON: NaN stddev becomes null");
	ok(json_is_real(json_object_get(j, "median")) &&
	   json_real_value(json_object_get(j, "median")) == 42.5, "JSON median");
	{
		static const char *const keys[] = { "n", "median", "min", "max", "mean",
			"stddev", "mad", "p05", "p25", "p75", "p95", "ci_low", "ci_high",
			"ci_level" };
		size_t found = 0;

		for (size_t i = 0; i < N(keys); i++)
			found += json_object_get(j, keys[i]) != NULL;
		is_int(found, N(keys), "JSON has every documented key");
		is_int(json_object_size(j), N(keys), "JSON has no other keys");
	}
	json_decref(j);

	is_int(stats_summarize(same, N(same), 0, 0, &s), 0, "all-equal summarises");
	ok(s.stddev == 0 && s.mad == 0 && s.mean == 5, "all equal: stddev 0, mad 0, mean 5");
	ok(s.ci_low == 5 && s.ci_high == 5, "all equal: CI [5, 5]");
}

static void test_bootstrap(void)
{
	struct stats_summary s1, s2, s3, s4;
	double rev[N(set_d)], d31[N(set_d) + 1];

	/* determinism, and independence from sample order */
	for (size_t i = 0; i < N(set_d); i++)
		rev[i] = set_d[N(set_d) - 1 - i];
	stats_summarize(set_d, N(set_d), 0, 0, &s1);
	stats_summarize(set_d, N(set_d), 0, 0, &s2);
	stats_summarize(rev, N(rev), 0, 0, &s3);
	ok(s1.ci_low == s2.ci_low && s1.ci_high == s2.ci_high, "same input, same CI");
	ok(s1.ci_low == s3.ci_low && s1.ci_high == s3.ci_high, "reordered input, same CI");
	ok(s1.ci_low < s1.ci_high, "n=30: CI has positive width [%g, %g]", s1.ci_low,
	   s1.ci_high);

	/* a lower level gives an interval no wider than the default one */
	is_int(stats_summarize(set_d, N(set_d), 0.5, 0, &s4), 0, "level 0.5 accepted");
	is_near(s4.ci_level, 0.5, 0, "level recorded");
	ok(s4.ci_low >= s1.ci_low && s4.ci_high <= s1.ci_high,
	   "50%% CI [%g, %g] inside 95%% CI", s4.ci_low, s4.ci_high);
	is_int(stats_summarize(set_d, N(set_d), 0.95, 300, &s4), 0, "explicit boot_reps");
	ok(s4.ci_low <= s4.median && s4.median <= s4.ci_high, "300 resamples: CI ok");

	/*
	 * Against the exact bootstrap distribution.  For odd n the resampled median is
	 * x_(j) with P(med <= x_(j)) = P(Binomial(n, (j+1)/n) >= (n+1)/2); computed in
	 * python3 with math.comb for x = sorted(set_d + [100.5]) (n = 31), the 2.5% and
	 * 97.5% points are x_(10) = 27.5 (CDF 0.0197 -> 0.0479) and x_(20) = 62.5 (CDF
	 * 0.952 -> 0.980).  2000 Monte Carlo resamples may land on a neighbouring order
	 * statistic or between, so allow x_(9)..x_(11) = 25.5..31.5 and
	 * x_(19)..x_(21) = 53.5..64.5.
	 */
	memcpy(d31, set_d, sizeof(set_d));
	d31[N(set_d)] = 100.5;
	is_int(stats_summarize(d31, N(d31), 0.95, 2000, &s4), 0, "n=31 summarises");
	is_near(s4.median, 44.5, 0, "n=31 median (python3 st.median)");
	ok(s4.ci_low >= 25.5 && s4.ci_low <= 31.5, "n=31: ci_low %g near exact 27.5",
	   s4.ci_low);
	ok(s4.ci_high >= 53.5 && s4.ci_high <= 64.5, "n=31: ci_high %g near exact 62.5",
	   s4.ci_high);
}

static void test_errors(void)
{
	double bad[] = { 1, 2, NAN, 4 };
	struct stats_summary s;

	fprintf(stderr, "# the following error messages are expected\n");
	is_int(stats_summarize(bad, N(bad), 0, 0, &s), -EINVAL, "NaN sample is -EINVAL");
	bad[2] = INFINITY;
	is_int(stats_summarize(bad, N(bad), 0, 0, &s), -EINVAL, "Inf sample is -EINVAL");
	bad[2] = -INFINITY;
	is_int(stats_summarize(bad, N(bad), 0, 0, &s), -EINVAL, "-Inf sample is -EINVAL");
	is_int(stats_summarize(set_a, 0, 0, 0, &s), -EINVAL, "n=0 is -EINVAL");
	is_int(stats_summarize(set_a, N(set_a), 1.5, 0, &s), -EINVAL, "level 1.5 is -EINVAL");
	is_int(stats_summarize(set_a, N(set_a), -0.1, 0, &s), -EINVAL, "level -0.1 is -EINVAL");
}

static void test_samples(void)
{
	struct samples s = { 0 };
	int bad = 0;

	for (int i = 0; i < 1000; i++)
		bad |= samples_push(&s, i * 0.5);
	is_int(bad, 0, "1000 pushes succeed");
	is_int(s.n, 1000, "n is 1000");
	ok(s.cap >= s.n, "cap >= n");
	bad = 0;
	for (int i = 0; i < 1000; i++)
		bad |= s.v[i] != i * 0.5;
	is_int(bad, 0, "values survive growth");
	samples_free(&s);
	ok(s.v == NULL && s.n == 0 && s.cap == 0, "samples_free resets");
	samples_free(&s); /* twice is harmless */
}

/* ------------------------------------------------------------------ repetition driver */

struct cb {
	unsigned calls;
	unsigned fail_at;	/* 1-based call that fails, 0 = never */
	int fail_ret;
	int kind;		/* see cb_fn */
	uint64_t lcg;
};

enum { CB_COUNT, CB_CONST, CB_ZERO, CB_ALTERNATE, CB_UNIFORM, CB_NAN, CB_SLEEPY };

static int cb_fn(void *ctx, double *sample)
{
	struct cb *c = ctx;

	c->calls++;
	if (c->fail_at && c->calls == c->fail_at)
		return c->fail_ret;
	switch (c->kind) {
	case CB_COUNT:
		*sample = c->calls;
		break;
	case CB_CONST:
		*sample = 123.0;
		break;
	case CB_ZERO:
		*sample = 0.0;
		break;
	case CB_ALTERNATE:	/* median 500.5, CI as wide as the data: never "tight" */
		*sample = c->calls % 2 ? 1.0 : 1000.0;
		break;
	case CB_UNIFORM:	/* deterministic LCG, uniform in [100, 101) */
		c->lcg = c->lcg * 6364136223846793005ull + 1442695040888963407ull;
		*sample = 100.0 + (double)(c->lcg >> 11) / 9007199254740992.0;
		break;
	case CB_NAN:
		*sample = NAN;
		break;
	case CB_SLEEPY: {	/* guarantees wall time passes between samples */
		struct timespec ts = { 0, 1000 };

		nanosleep(&ts, NULL);
		*sample = c->calls % 2 ? 1.0 : 1000.0;
		break;
	}
	}
	return 0;
}

static void test_repeat(void)
{
	struct repeat_opts o;
	struct samples s = { 0 };
	enum repeat_stop why;
	struct cb c;
	int ret, bad;

	is_str(repeat_stop_name(REPEAT_FIXED), "fixed", "stop name fixed");
	is_str(repeat_stop_name(REPEAT_CI_MET), "ci_met", "stop name ci_met");
	is_str(repeat_stop_name(REPEAT_TIME), "time_limit", "stop name time_limit");
	is_str(repeat_stop_name(REPEAT_MAX_REPS), "max_reps", "stop name max_reps");

	/* fixed reps: warm-up discarded, exactly reps samples, CI target ignored */
	o = (struct repeat_opts)REPEAT_OPTS_DEFAULT;
	o.warmup = 2;
	o.reps = 7;
	c = (struct cb){ .kind = CB_COUNT };
	why = REPEAT_CI_MET;
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	is_int(ret, 0, "fixed: returns 0");
	is_int(s.n, 7, "fixed: 7 samples");
	is_int(c.calls, 9, "fixed: 2 warm-up + 7 calls");
	ok(why == REPEAT_FIXED, "fixed: why is fixed");
	bad = 0;
	for (size_t i = 0; i < s.n; i++)
		bad |= s.v[i] != (double)(i + 3);
	is_int(bad, 0, "fixed: warm-up samples were discarded, order kept");

	/* adaptive, constant: CI has zero width at once, stops at min_reps */
	o = (struct repeat_opts)REPEAT_OPTS_DEFAULT;
	c = (struct cb){ .kind = CB_CONST };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	is_int(ret, 0, "constant: returns 0");
	is_int(s.n, 5, "constant: stops at min_reps (5), previous samples dropped");
	is_int(c.calls, 6, "constant: 1 warm-up + 5");
	ok(why == REPEAT_CI_MET, "constant: why is ci_met (%s)", repeat_stop_name(why));

	/* NULL options mean the defaults */
	c = (struct cb){ .kind = CB_CONST };
	ret = repeat_run(NULL, cb_fn, &c, &s, &why);
	ok(ret == 0 && s.n == 5 && why == REPEAT_CI_MET, "NULL opts: defaults");

	/* a zero median is "known" only when the interval has zero width */
	c = (struct cb){ .kind = CB_ZERO };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	ok(ret == 0 && s.n == 5 && why == REPEAT_CI_MET, "all-zero samples: ci_met at 5");

	/* min_reps larger: still never fewer */
	o.min_reps = 12;
	c = (struct cb){ .kind = CB_CONST };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	ok(ret == 0 && s.n == 12 && why == REPEAT_CI_MET, "min_reps 12 honoured (n=%zu)", s.n);

	/* max_reps: a target that cannot be met, time not limiting */
	o = (struct repeat_opts)REPEAT_OPTS_DEFAULT;
	o.max_reps = 20;
	o.target_ci = 1e-9;
	o.max_time_s = 1e6;
	c = (struct cb){ .kind = CB_ALTERNATE };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	is_int(ret, 0, "max_reps: returns 0");
	is_int(s.n, 20, "max_reps: exactly 20 samples");
	ok(why == REPEAT_MAX_REPS, "max_reps: why is max_reps (%s)", repeat_stop_name(why));

	/* max_reps below min_reps: min_reps wins */
	o.min_reps = 8;
	o.max_reps = 3;
	c = (struct cb){ .kind = CB_ALTERNATE };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	ok(ret == 0 && s.n == 8 && why == REPEAT_MAX_REPS, "max_reps < min_reps: 8 samples");

	/* time limit: any elapsed time exceeds 1 ns, so it stops at min_reps */
	o = (struct repeat_opts)REPEAT_OPTS_DEFAULT;
	o.max_time_s = 1e-9;
	c = (struct cb){ .kind = CB_SLEEPY };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	ok(ret == 0 && s.n == 5, "time limit: still min_reps samples (n=%zu)", s.n);
	ok(why == REPEAT_TIME, "time limit: why is time_limit (%s)", repeat_stop_name(why));

	/* a noisy but well-behaved source converges: the stopping CI is really met */
	o = (struct repeat_opts)REPEAT_OPTS_DEFAULT;
	o.target_ci = 0.0005;	/* half-width 0.05 at median ~100.5 */
	o.max_time_s = 1e6;
	c = (struct cb){ .kind = CB_UNIFORM, .lcg = 1 };
	ret = repeat_run(&o, cb_fn, &c, &s, &why);
	ok(ret == 0 && why == REPEAT_CI_MET, "uniform: ci_met (%s)", repeat_stop_name(why));
	ok(s.n > 5 && s.n < 1000, "uniform: needed more than min_reps (n=%zu)", s.n);
	{
		struct stats_summary ss;

		/* same data, level and resample count as the stopping rule */
		stats_summarize(s.v, s.n, 0.95, 500, &ss);
		ok((ss.ci_high - ss.ci_low) / 2 <= 0.0005 * ss.median,
		   "uniform: final CI half-width %g within target", (ss.ci_high - ss.ci_low) / 2);
	}

	/* errors propagate, from warm-up, fixed and adaptive runs */
	o = (struct repeat_opts)REPEAT_OPTS_DEFAULT;
	c = (struct cb){ .kind = CB_CONST, .fail_at = 1, .fail_ret = -EIO };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), -EIO, "error in warm-up propagates");
	c = (struct cb){ .kind = CB_CONST, .fail_at = 4, .fail_ret = -EIO };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), -EIO, "adaptive: error propagates");
	is_int(c.calls, 4, "adaptive: no call after the error");
	is_int(s.n, 2, "adaptive: samples before the error are kept");
	o.reps = 10;
	c = (struct cb){ .kind = CB_CONST, .fail_at = 6, .fail_ret = -ENOSPC };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), -ENOSPC, "fixed: error propagates");
	is_int(c.calls, 6, "fixed: no call after the error");
	c = (struct cb){ .kind = CB_CONST, .fail_at = 3, .fail_ret = 1 };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), -EINVAL, "positive return is -EINVAL");
	fprintf(stderr, "# the following error messages are expected\n");
	o.reps = 0;
	c = (struct cb){ .kind = CB_NAN };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), -EINVAL, "NaN sample is -EINVAL");
	is_int(repeat_run(&o, NULL, &c, &s, &why), -EINVAL, "NULL callback is -EINVAL");
	o.target_ci = -1;
	c = (struct cb){ .kind = CB_CONST };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), -EINVAL, "negative target is -EINVAL");

	samples_free(&s);
}

/* Quiet callback for the sentinel-driven driver: samples listed in `bad` are disturbed. */
struct quiet_map {
	const size_t *bad;
	size_t nbad;
	size_t calls;
};

static bool quiet_cb(void *ctx, size_t i)
{
	struct quiet_map *q = ctx;

	q->calls++;
	for (size_t k = 0; k < q->nbad; k++)
		if (q->bad[k] == i)
			return false;
	return true;
}

static void test_repeat_quiet(void)
{
	static const size_t bad[] = { 1, 3, 4 };
	struct quiet_map q = { .bad = bad, .nbad = 3 };
	struct repeat_opts o = REPEAT_OPTS_DEFAULT;
	struct samples s = { 0 };
	enum repeat_stop why;
	struct cb c = { .kind = CB_CONST };
	static const size_t all[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				      16, 17, 18, 19 };

	/* --reps 5 with three disturbed: three more samples make five quiet ones */
	o.warmup = 0;
	o.reps = 5;
	o.quiet = quiet_cb;
	o.quiet_ctx = &q;
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), 0, "fixed with sentinel runs");
	is_int((long)s.n, 8, "fixed: disturbed samples replaced (5 quiet of 8)");
	is_int((long)q.calls, 8, "quiet asked once per sample");
	ok(why == REPEAT_FIXED, "fixed: stop is fixed");

	/* every sample disturbed: at most 2 x reps */
	q = (struct quiet_map){ .bad = all, .nbad = 20 };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), 0, "fixed, all disturbed, runs");
	is_int((long)s.n, 10, "fixed: never more than twice the samples asked for");

	/* adaptive: min_reps counts quiet samples; constant samples meet the CI at once */
	o.reps = 0;
	o.min_reps = 5;
	q = (struct quiet_map){ .bad = bad, .nbad = 3 };
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), 0, "adaptive with sentinel runs");
	is_int((long)s.n, 8, "adaptive: stops at five quiet samples, not five samples");
	ok(why == REPEAT_CI_MET, "adaptive: CI met over the quiet samples");

	/* adaptive, all disturbed: the time or sample limit ends it, never "ci_met" */
	q = (struct quiet_map){ .bad = all, .nbad = 20 };
	o.max_reps = 20;
	is_int(repeat_run(&o, cb_fn, &c, &s, &why), 0, "adaptive, all disturbed, runs");
	ok(why == REPEAT_MAX_REPS && s.n == 20, "adaptive, all disturbed: stops at max_reps "
	   "(%zu samples, %s)", s.n, repeat_stop_name(why));
	samples_free(&s);
}

/*
 * The O(1) resample median for large n has the distribution of the counting
 * method it replaces.  Both drawn 1,000 times from the same sorted sample (odd and
 * even n); their means and spreads of the resample median must agree within a few
 * standard errors (a wrong Beta parameter shifts the mean by whole ranks, a missing
 * second order statistic halves nothing but skews the even case).
 */
static void test_boot_direct(size_t n)
{
	enum { R = 1000 };
	double *x = malloc(n * sizeof(*x)), md = 0, mc = 0, sd = 0, sc = 0;
	uint32_t *counts = calloc(n, sizeof(*counts));
	struct rng r1, r2;

	if (!x || !counts) {
		ok(0, "boot direct n=%zu: out of memory", n);
		free(x);
		free(counts);
		return;
	}
	for (size_t i = 0; i < n; i++) /* sorted, skewed: quadratic spacing */
		x[i] = (double)i * (double)i / (double)n;
	rng_seed(&r1, 1);
	rng_seed(&r2, 2);
	for (int b = 0; b < R; b++) {
		size_t k1 = (n - 1) / 2, k2 = n / 2, cum = 0, i = 0;
		double d = stats_boot_median_direct(x, n, &r1), v1, v2, c;

		memset(counts, 0, n * sizeof(*counts));
		for (size_t j = 0; j < n; j++)
			counts[rng_index(&r2, n)]++;
		while (cum + counts[i] <= k1)
			cum += counts[i++];
		v1 = x[i];
		while (cum + counts[i] <= k2)
			cum += counts[i++];
		v2 = x[i];
		c = v1 + 0.5 * (v2 - v1);
		md += d;
		mc += c;
		sd += d * d;
		sc += c * c;
	}
	md /= R;
	mc /= R;
	sd = sqrt(sd / R - md * md);
	sc = sqrt(sc / R - mc * mc);
	/* standard error of a mean of R draws: sd / sqrt(R); allow 5 of them (two means) */
	ok(fabs(md - mc) < 5 * sqrt(2.0) * sc / sqrt((double)R),
	   "boot direct n=%zu: mean of resample medians %.6g vs counting %.6g", n, md, mc);
	ok(fabs(sd / sc - 1) < 0.15, "boot direct n=%zu: spread %.6g vs counting %.6g", n, sd, sc);
	free(x);
	free(counts);
}

int main(void)
{
	test_boot_direct(20001);
	test_boot_direct(20000);
	test_quantile();
	for (size_t i = 0; i < N(refs); i++)
		check_ref(&refs[i]);
	test_single_and_equal();
	test_bootstrap();
	test_errors();
	test_samples();
	test_repeat();
	test_repeat_quiet();
	return done_testing();
}
