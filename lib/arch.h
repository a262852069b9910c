/* SPDX-License-Identifier: MIT */
/*
 * arch.h — the few things locus needs from the processor architecture, in one place so
 * the rest of the code is architecture-free: the cycle counter the timer reads (x86's
 * TSC, aarch64's architected generic timer CNTVCT_EL0), the spin-wait hint, the data
 * cache line size the CPU reports, and the CPU's own identity register where
 * /proc/cpuinfo does not name it.
 *
 * The counter read is inline (it sits inside timed regions); the rest lives in one
 * file per architecture: lib/arch-x86.c, lib/arch-aarch64.c, and lib/arch-other.c for
 * anything else (no counter: the timer uses clock_gettime and says so).
 */
#ifndef LOCUS_ARCH_H
#define LOCUS_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define ARCH_HAS_COUNTER 1
#define ARCH_COUNTER "tsc"
/* lfence keeps earlier loads from drifting past the read. */
static inline uint64_t arch_counter_now(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}
static inline void arch_relax(void)
{
	__builtin_ia32_pause();
}
#elif defined(__aarch64__)
#define ARCH_HAS_COUNTER 1
#define ARCH_COUNTER "cntvct"
/* isb: the counter read is not speculated ahead of earlier instructions (the
 * architecture allows CNTVCT_EL0 to be read out of order otherwise). */
static inline uint64_t arch_counter_now(void)
{
	uint64_t v;

	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
}
static inline void arch_relax(void)
{
	__asm__ __volatile__("yield" ::: "memory");
}
#else
#define ARCH_HAS_COUNTER 0
#define ARCH_COUNTER "none"
static inline uint64_t arch_counter_now(void)
{
	return 0;
}
static inline void arch_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}
#endif

/* The architecture this binary was built for: "x86_64", "aarch64", ... */
const char *arch_name(void);

/* Whether the counter ticks at a constant rate whatever the core's frequency and sleep
 * states: x86 only with an invariant TSC (CPUID 0x80000007 EDX[8]); aarch64 always (the
 * generic timer is constant-rate by definition).  When false, why says why. */
bool arch_counter_constant(char *why, size_t len);

/* The frequency the architecture states for the counter (CNTFRQ_EL0 on aarch64), 0
 * where it states none (x86: CPUID 0x15 is zero in many VMs; the timer calibrates). */
double arch_counter_nominal_hz(void);

/* The smallest data cache line the CPU reports (CPUID leaf 1 on x86, CTR_EL0 DminLine on
 * aarch64), in bytes; 0 when unknown. */
unsigned arch_cache_line(void);

/* The CPU's identity register on aarch64, MIDR_EL1 (Linux emulates the read at EL0):
 * implementer, part number, variant, revision.  0, or -ENOTSUP on other architectures. */
int arch_midr(unsigned *implementer, unsigned *part, unsigned *variant, unsigned *revision);

#endif
