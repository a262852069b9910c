/* SPDX-License-Identifier: MIT */
/*
 * timer.h — the cycle-accurate clock every benchmark measures with.
 *
 * On x86 with an invariant TSC (CPUID 0x80000007 EDX bit 8) we read the TSC directly, on
 * aarch64 the architected counter CNTVCT_EL0 (lib/arch.h), and convert ticks to
 * nanoseconds with a frequency calibrated against CLOCK_MONOTONIC_RAW (CPUID leaves
 * 0x15/0x16 are often zero in VMs, and CNTFRQ_EL0 is firmware's word, so neither is
 * relied on alone; CNTFRQ_EL0 is recorded beside the calibration).  When no counter is
 * usable we fall back to clock_gettime(CLOCK_MONOTONIC_RAW) and say so in timer_info,
 * which goes into every result's fingerprint.  The JSON keeps the names tsc_invariant
 * and tsc_hz for whichever counter "source" names.
 */
#ifndef LOCUS_TIMER_H
#define LOCUS_TIMER_H

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <jansson.h>
#include "arch.h"

struct timer_info {
	const char *source;       /* "tsc", "cntvct" or "clock_gettime(CLOCK_MONOTONIC_RAW)" */
	bool tsc_invariant;       /* the counter is constant-rate (arch_counter_constant) */
	double nominal_hz;        /* the frequency the CPU states (CNTFRQ_EL0), 0 if none */
	double tsc_hz;            /* ticks per second (1e9 for the clock_gettime fallback) */
	const char *calibration;  /* how tsc_hz was obtained, e.g. "calibrated against CLOCK_MONOTONIC_RAW over 50 ms, 5 rounds, spread 0.002%" */
	double overhead_ns;       /* median cost of one timer_now() pair, in ns */
	double resolution_ns;     /* smallest non-zero difference seen */
};

/* Calibrate once (about 50-100 ms); later calls return at once.  force_clock = true
 * selects the clock_gettime fallback (for testing and LOCUS_TIMER=clock).
 * Returns 0 or a negative errno. */
int timer_init(bool force_clock);

extern bool timer_use_tsc_;
/* Calibration only (LOCUS_INJECT_SLOWDOWN=PCT, read by timer_init): a real slowdown of
 * every timed region, see timer_inject_wait_(). 0 = off. */
extern double timer_inject_;
uint64_t timer_inject_wait_(uint64_t now);

static inline uint64_t timer_clock_ns_(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The counter itself (lfence; rdtsc on x86, isb; mrs cntvct_el0 on aarch64: lib/arch.h). */
static inline uint64_t timer_raw_(void)
{
#if ARCH_HAS_COUNTER
	if (timer_use_tsc_)
		return arch_counter_now();
#endif
	return timer_clock_ns_();
}

/* Current time in ticks.  Serialising enough for benchmark boundaries (lfence; rdtsc). */
static inline uint64_t timer_now(void)
{
	uint64_t t = timer_raw_();

	if (__builtin_expect(timer_inject_ > 0, 0))
		t = timer_inject_wait_(t);
	return t;
}

/* The slowdown injected (LOCUS_INJECT_SLOWDOWN, as a fraction), 0 when none. */
double timer_injected(void);

double timer_ticks_to_ns(uint64_t ticks);
/* Ticks per second (the TSC frequency, or 1e9). */
double timer_hz(void);
/* Wall-clock seconds since an arbitrary point (CLOCK_MONOTONIC), for time budgets. */
double timer_wall_s(void);

const struct timer_info *timer_get_info(void);
/* {source, tsc_invariant, tsc_hz, nominal_hz, calibration, overhead_ns, resolution_ns} */
json_t *timer_json(void);

#endif
