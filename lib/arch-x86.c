/* SPDX-License-Identifier: MIT */
/*
 * arch-x86.c — lib/arch.h for x86: the TSC's invariance from CPUID, the cache line
 * size from CPUID leaf 1.  (The TSC read itself is inline in arch.h.)
 */
#include "config.h"
#include "arch.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <stdio.h>

const char *arch_name(void)
{
#if defined(__x86_64__)
	return "x86_64";
#else
	return "i386";
#endif
}

bool arch_counter_constant(char *why, size_t len)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007 ||
	    !__get_cpuid(0x80000007, &a, &b, &c, &d) || !(d & (1u << 8))) {
		if (why && len)
			snprintf(why, len, "CPUID 0x80000007 reports no invariant TSC");
		return false;
	}
	return true;
}

double arch_counter_nominal_hz(void)
{
	return 0;
}

unsigned arch_cache_line(void)
{
	unsigned a, b, c, d;

	/* CPUID 1 EBX[15:8]: CLFLUSH line size in 8-byte units. */
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return ((b >> 8) & 0xff) * 8;
}
#endif
