/* SPDX-License-Identifier: MIT */
/*
 * test-timer.c — unit tests for lib/timer.c: source selection, TSC calibration, tick
 * conversion, the clock_gettime fallback (forced by the caller and by LOCUS_TIMER) and
 * timer_json().
 *
 * These are correctness checks, not performance checks: the only timed assertion
 * converts a ~20 ms nanosleep to nanoseconds and accepts anything from 10 ms to 2 s, a
 * window no scheduler hiccup or VM steal can break but a wrong frequency (off by 10x,
 * or ticks mistaken for ns) cannot pass.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "timer.h"
#include "tap.h"

/* ns of a 20 ms nanosleep as measured by timer_now() and timer_ticks_to_ns(). */
static double sleep_20ms_ns(void)
{
	struct timespec ts = { 0, 20000000 };
	uint64_t t0, t1;

	t0 = timer_now();
	while (nanosleep(&ts, &ts))
		;
	t1 = timer_now();
	return timer_ticks_to_ns(t1 - t0);
}

static int monotonic(int n)
{
	uint64_t prev = timer_now();

	for (int i = 0; i < n; i++) {
		uint64_t t = timer_now();

		if (t < prev)
			return 0;
		prev = t;
	}
	return 1;
}

static void check_common(const char *what)
{
	const struct timer_info *ti = timer_get_info();
	double ns;

	ok(ti && ti->source && ti->calibration, "%s: info filled in", what);
	ok(monotonic(100000), "%s: 100000 readings never go backwards", what);
	ns = sleep_20ms_ns();
	ok(ns >= 10e6 && ns <= 2e9, "%s: 20 ms sleep measures %.3f ms (allowed 10..2000)",
	   what, ns / 1e6);
	ok(ti->overhead_ns > 0, "%s: overhead_ns %g > 0", what, ti->overhead_ns);
	ok(isfinite(ti->overhead_ns) && ti->overhead_ns < 1e9, "%s: overhead is finite", what);
	ok(!(ti->resolution_ns <= 0), "%s: resolution_ns %g not <= 0", what,
	   ti->resolution_ns);
	is_near(timer_hz(), ti->tsc_hz, 0, "timer_hz() matches info");
	/* Within one tick: the cast drops the fraction of a tick, which is a large share
	 * of a nanosecond at aarch64's tens of MHz. */
	is_near(timer_ticks_to_ns((uint64_t)ti->tsc_hz), 1e9, 1e9 / ti->tsc_hz + 1e-9 * 1e9,
		"one second of ticks is 1e9 ns");
	diag("%s: source %s, %.6g Hz, %s, overhead %.1f ns, resolution %.1f ns", what,
	     ti->source, ti->tsc_hz, ti->calibration, ti->overhead_ns, ti->resolution_ns);
}

static void check_clock(const char *what)
{
	const struct timer_info *ti = timer_get_info();

	is_str(ti->source, "clock_gettime(CLOCK_MONOTONIC_RAW)", "fallback source named");
	ok(!timer_use_tsc_, "%s: TSC not used", what);
	is_near(ti->tsc_hz, 1e9, 0, "fallback: 1e9 ticks per second");
	is_near(timer_ticks_to_ns(12345), 12345, 0, "fallback: ticks are ns");
	ok(strstr(ti->calibration, "no cycle counter used") != NULL,
	   "%s: calibration says no cycle counter is used: %s", what, ti->calibration);
	check_common(what);
}

int main(void)
{
	const struct timer_info *ti;
	const char *default_source;
	double w0, w1;
	json_t *j;

	unsetenv("LOCUS_TIMER");
	is_int(timer_init(false), 0, "timer_init(false) succeeds");
	is_int(timer_init(false), 0, "second timer_init(false) succeeds");
	ti = timer_get_info();
	default_source = ti->source;
	if (strcmp(ti->source, "tsc") == 0) {
		ok(ti->tsc_invariant, "tsc source implies invariant TSC");
		ok(timer_use_tsc_, "timer_now reads the TSC");
		ok(ti->tsc_hz >= 1e8 && ti->tsc_hz <= 1e10, "tsc_hz %.6g in 100 MHz..10 GHz",
		   ti->tsc_hz);
		ok(strstr(ti->calibration, "CLOCK_MONOTONIC_RAW") != NULL,
		   "calibration described: %s", ti->calibration);
		check_common("tsc");
	} else if (strcmp(ti->source, "cntvct") == 0) {
		/* aarch64's generic timer: 1 MHz..1 GHz by the architecture's rules (Armv8.6
		 * fixes 1 GHz; earlier parts run 25-100 MHz), calibrated like the TSC, and the
		 * rate the CPU states (CNTFRQ_EL0) close to the calibrated one. */
		ok(ti->tsc_invariant, "cntvct source is constant-rate");
		ok(timer_use_tsc_, "timer_now reads the counter");
		ok(ti->tsc_hz >= 1e6 && ti->tsc_hz <= 1.01e9, "counter %.6g Hz in 1 MHz..1 GHz",
		   ti->tsc_hz);
		ok(ti->nominal_hz > 0 && fabs(ti->tsc_hz / ti->nominal_hz - 1) < 0.01,
		   "calibrated %.6g Hz within 1%% of CNTFRQ_EL0's %.6g Hz", ti->tsc_hz,
		   ti->nominal_hz);
		check_common("cntvct");
	} else {
		diag("TSC not usable here (%s); default source is the fallback", ti->calibration);
		check_clock("default");
	}

	j = timer_json();
	ok(j && json_is_object(j), "timer_json is an object");
	ok(json_is_string(json_object_get(j, "source")) &&
	   strcmp(json_string_value(json_object_get(j, "source")), ti->source) == 0,
	   "json source");
	ok(json_is_boolean(json_object_get(j, "tsc_invariant")), "json tsc_invariant");
	ok(json_is_real(json_object_get(j, "tsc_hz")) &&
	   json_real_value(json_object_get(j, "tsc_hz")) == ti->tsc_hz, "json tsc_hz");
	ok(json_is_string(json_object_get(j, "calibration")), "json calibration");
	ok(json_is_real(json_object_get(j, "overhead_ns")), "json overhead_ns");
	ok(json_object_get(j, "resolution_ns") != NULL, "json resolution_ns");
	ok(json_is_null(json_object_get(j, "nominal_hz")) ||
	   json_real_value(json_object_get(j, "nominal_hz")) > 0,
	   "json nominal_hz: the stated counter frequency, or null where none is stated");
	is_int(json_object_size(j), 7, "json has exactly the seven fields");
	json_decref(j);

	/* forcing the fallback re-initialises */
	is_int(timer_init(true), 0, "timer_init(true) succeeds");
	check_clock("forced");
	ok(strstr(timer_get_info()->calibration, "caller") != NULL, "forced by the caller");

	/* LOCUS_TIMER=clock forces it too */
	is_int(timer_init(false), 0, "back to the default");
	is_str(timer_get_info()->source, default_source, "default source restored");
	setenv("LOCUS_TIMER", "clock", 1);
	is_int(timer_init(false), 0, "timer_init with LOCUS_TIMER=clock succeeds");
	check_clock("LOCUS_TIMER=clock");
	ok(strstr(timer_get_info()->calibration, "LOCUS_TIMER") != NULL,
	   "calibration names LOCUS_TIMER");
	j = timer_json();
	ok(j && strcmp(json_string_value(json_object_get(j, "source")),
		       "clock_gettime(CLOCK_MONOTONIC_RAW)") == 0, "json reports the fallback");
	json_decref(j);

	fprintf(stderr, "# the following error message is expected\n");
	setenv("LOCUS_TIMER", "bogus", 1);
	ok(timer_init(false) < 0, "LOCUS_TIMER=bogus is an error");
	unsetenv("LOCUS_TIMER");

	w0 = timer_wall_s();
	sleep_20ms_ns();
	w1 = timer_wall_s();
	ok(w1 - w0 >= 0.010 && w1 - w0 <= 2.0, "timer_wall_s advances (%.4f s)", w1 - w0);

	{
		/* LOCUS_INJECT_SLOWDOWN's mechanism: with 100% injected, a region timed with
		 * timer_now() really takes twice its work (the spin is inside it) */
		uint64_t t0, t1, r0, r1;

		timer_inject_ = 1.0;
		t0 = timer_now();
		r0 = timer_raw_();
		while (timer_raw_() - r0 < (uint64_t)(timer_hz() * 1e-3))
			;
		r1 = timer_raw_();
		t1 = timer_now();
		timer_inject_ = 0;
		ok((double)(t1 - t0) >= 1.9 * (double)(r1 - r0),
		   "injected 100%%: the timed region took %.2fx its work",
		   (double)(t1 - t0) / (double)(r1 - r0));
		ok(timer_injected() == 0, "injection off again");
	}
	return done_testing();
}
