/* SPDX-License-Identifier: MIT */
/*
 * timer.c — choosing and calibrating the clock every benchmark measures with.
 *
 * timer_now() (inline, in timer.h) reads the TSC when timer_init() found it usable and
 * clock_gettime(CLOCK_MONOTONIC_RAW) otherwise.  The TSC is only trusted when CPUID
 * says it is invariant (constant rate across P-states and C-states); its frequency is
 * measured against CLOCK_MONOTONIC_RAW over several short rounds rather than read from
 * CPUID 0x15/0x16, which are zero in many VMs (including the one locus is developed on).
 * The spread between rounds, the cost of a timer_now() pair and the smallest step seen
 * are recorded in struct timer_info, which goes into every result's fingerprint, so a
 * reader can judge whether a 5 ns difference means anything.
 *
 * timer_init() is meant to be called once at start-up, before any thread measures.  It
 * re-initialises only when the requested source changes (force_clock or LOCUS_TIMER),
 * which keeps the fallback path testable in the same process.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "timer.h"
#include "stats.h"

#define CLOCK_SOURCE "clock_gettime(CLOCK_MONOTONIC_RAW)"
#define CAL_ROUNDS 5
#define CAL_ROUND_NS 10000000L		/* 10 ms per round: 50 ms in all */
#define CAL_MAX_SPREAD 0.05		/* rounds disagreeing by more: do not trust the TSC */
#define OVERHEAD_PAIRS 2001

bool timer_use_tsc_;
double timer_inject_;

/*
 * A real, calibrated slowdown for measuring what the gate catches (scripts/
 * gate-calibration): with LOCUS_INJECT_SLOWDOWN=10 every timer_now() first spins for
 * 10% of the time since this thread's previous timer_now().  A timed region is
 * bracketed by two reads, so the second one lengthens the region by 10% with real
 * work on the CPU (the noise of the spin is real noise, the sentinel is not slowed:
 * it is code that got slower, not the host); loops that read the clock to stop after
 * a duration do 10% less work in it.  Scaling the samples afterwards would model none
 * of that.
 */
uint64_t timer_inject_wait_(uint64_t now)
{
	static __thread uint64_t last;
	uint64_t t = now;

	if (last && now > last) {
		uint64_t until = now + (uint64_t)((double)(now - last) * timer_inject_);

		while ((t = timer_raw_()) < until)
			__asm__ __volatile__("" ::: "memory");
	}
	last = t;
	return t;
}

double timer_injected(void)
{
	return timer_inject_;
}

static double ticks_hz = 1e9;
static double ns_per_tick = 1.0;
static char calibration[320] = "not initialised: clock_gettime returns nanoseconds";
static struct timer_info info = {
	.source = CLOCK_SOURCE,
	.tsc_hz = 1e9,
	.calibration = calibration,
};
static bool initialised;
static bool initialised_clock;	/* which source the last timer_init() was asked for */

#if ARCH_HAS_COUNTER
/*
 * One TSC reading paired with the CLOCK_MONOTONIC_RAW instant it was taken at: the TSC
 * is read between two clock reads and the midpoint used, and of a few tries the one with
 * the narrowest bracket wins, so an interrupt between the reads does not skew the pair.
 */
static void paired_read(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t c0 = timer_clock_ns_();
		uint64_t t = arch_counter_now();
		uint64_t c1 = timer_clock_ns_();

		if (c1 - c0 < best) {
			best = c1 - c0;
			*tsc = t;
			*ns = c0 + (c1 - c0) / 2;
		}
	}
}

/* Median TSC frequency over CAL_ROUNDS rounds; *spread is (max - min) / median. */
static double calibrate_tsc(double *spread)
{
	double hz[CAL_ROUNDS], lo = INFINITY, hi = 0.0, med;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = CAL_ROUND_NS };

	for (int r = 0; r < CAL_ROUNDS; r++) {
		uint64_t t0, t1, n0, n1;

		paired_read(&t0, &n0);
		/* Sleeping is as accurate as spinning (only the paired reads matter) and
		 * leaves the other CPUs' benchmarks alone. */
		while (nanosleep(&nap, &nap) && errno == EINTR)
			;
		nap.tv_nsec = CAL_ROUND_NS;
		paired_read(&t1, &n1);
		hz[r] = n1 > n0 && t1 > t0 ? (double)(t1 - t0) * 1e9 / (double)(n1 - n0) : 0.0;
		lo = fmin(lo, hz[r]);
		hi = fmax(hi, hz[r]);
	}
	med = stats_median(hz, CAL_ROUNDS);
	*spread = med > 0.0 ? (hi - lo) / med : INFINITY;
	return med;
}
#endif

/* Cost of a back-to-back timer_now() pair and the smallest non-zero step, in ns. */
static void measure_overhead(void)
{
	static double d[OVERHEAD_PAIRS];
	uint64_t min_step = UINT64_MAX, start, end;
	double med;

	start = timer_now();
	for (int i = 0; i < OVERHEAD_PAIRS; i++) {
		uint64_t a = timer_now();
		uint64_t b = timer_now();

		d[i] = (double)(b - a);
		if (b > a && b - a < min_step)
			min_step = b - a;
	}
	end = timer_now();
	med = stats_median(d, OVERHEAD_PAIRS);
	/* A coarse clock makes most pairs read 0; the batch average is then the honest
	 * cost (two calls per pair, plus loop overhead that is negligible next to them). */
	if (med <= 0.0 && end > start)
		med = (double)(end - start) / OVERHEAD_PAIRS;
	info.overhead_ns = med * ns_per_tick;
	info.resolution_ns = min_step == UINT64_MAX ? NAN : (double)min_step * ns_per_tick;
}

static void use_clock(const char *reason)
{
	timer_use_tsc_ = false;
	ticks_hz = 1e9;
	ns_per_tick = 1.0;
	info.source = CLOCK_SOURCE;
	info.tsc_hz = 1e9;
	snprintf(calibration, sizeof(calibration),
		 "none: no cycle counter used (%s); clock_gettime(CLOCK_MONOTONIC_RAW) counts "
		 "nanoseconds", reason);
}

int timer_init(bool force_clock)
{
	const char *env = getenv("LOCUS_TIMER");
	bool want_clock = force_clock;
	char why[128] = "";

	if (env && *env && strcmp(env, "auto") != 0) {
		if (strcmp(env, "clock") == 0) {
			want_clock = true;
		} else {
			locus_error("timer: LOCUS_TIMER=%s: expected 'auto' or 'clock'", env);
			return -EINVAL;
		}
	}
	if (initialised && initialised_clock == want_clock)
		return 0;

	info.tsc_invariant = arch_counter_constant(why, sizeof(why));
	info.nominal_hz = arch_counter_nominal_hz();
#if ARCH_HAS_COUNTER
	if (force_clock) {
		use_clock("fallback forced by the caller");
	} else if (want_clock) {
		use_clock("fallback forced by LOCUS_TIMER=clock");
	} else if (!info.tsc_invariant) {
		char fb[160];

		snprintf(fb, sizeof(fb), "fallback: %s", why);
		use_clock(fb);
	} else {
		double spread, hz = calibrate_tsc(&spread);

		if (!(hz > 1e6 && hz < 1e11) || !(spread <= CAL_MAX_SPREAD)) {
			locus_warn("timer: %s calibration unstable (%.6g Hz, rounds differ by %.3g%%); "
				   "using clock_gettime", ARCH_COUNTER, hz, spread * 100.0);
			use_clock("fallback: counter calibration unstable");
		} else {
			timer_use_tsc_ = true;
			ticks_hz = hz;
			ns_per_tick = 1e9 / hz;
			info.source = ARCH_COUNTER;
			info.tsc_hz = hz;
			snprintf(calibration, sizeof(calibration),
				 "calibrated against CLOCK_MONOTONIC_RAW over %ld ms, %d rounds, spread %.4f%%",
				 CAL_ROUND_NS * CAL_ROUNDS / 1000000L, CAL_ROUNDS, spread * 100.0);
		}
	}
#else
	use_clock(want_clock ? "fallback forced" : why);
#endif
	measure_overhead();
	initialised = true;
	initialised_clock = want_clock;
	env = getenv("LOCUS_INJECT_SLOWDOWN");
	if (env && *env) {
		char *end;
		double pct = strtod(env, &end);

		if (*end || !(pct >= 0 && pct <= 1000)) {
			locus_error("timer: LOCUS_INJECT_SLOWDOWN=%s: expected a percentage 0..1000", env);
			return -EINVAL;
		}
		timer_inject_ = pct / 100.0;
	}
	return 0;
}

double timer_ticks_to_ns(uint64_t ticks)
{
	return (double)ticks * ns_per_tick;
}

double timer_hz(void)
{
	return ticks_hz;
}

double timer_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const struct timer_info *timer_get_info(void)
{
	/* A caller that never initialised still gets a truthful description. */
	if (!initialised)
		timer_init(false);
	return &info;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *timer_json(void)
{
	const struct timer_info *ti = timer_get_info();
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "source", json_string(ti->source)) ||
	    json_object_set_new(o, "tsc_invariant", json_boolean(ti->tsc_invariant)) ||
	    json_object_set_new(o, "tsc_hz", num_or_null(ti->tsc_hz)) ||
	    json_object_set_new(o, "nominal_hz", ti->nominal_hz > 0 ? json_real(ti->nominal_hz) :
						 json_null()) ||
	    json_object_set_new(o, "calibration", json_string(ti->calibration)) ||
	    json_object_set_new(o, "overhead_ns", num_or_null(ti->overhead_ns)) ||
	    json_object_set_new(o, "resolution_ns", num_or_null(ti->resolution_ns))) {
		json_decref(o);
		return NULL;
	}
	return o;
}
