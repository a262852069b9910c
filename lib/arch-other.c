/* SPDX-License-Identifier: MIT */
/*
 * arch-other.c — lib/arch.h for architectures locus has no file for: no cycle counter
 * (the timer uses clock_gettime and says so in every result); and for every
 * architecture but aarch64, arch_midr(): no identity register.
 */
#include "config.h"
#include "arch.h"

#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__)
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

const char *arch_name(void)
{
	static char m[65];
	struct utsname u;

	if (!m[0])
		snprintf(m, sizeof(m), "%s", uname(&u) == 0 ? u.machine : "unknown");
	return m;
}

bool arch_counter_constant(char *why, size_t len)
{
	if (why && len)
		snprintf(why, len, "no cycle counter is read on %s", arch_name());
	return false;
}

double arch_counter_nominal_hz(void)
{
	return 0;
}

unsigned arch_cache_line(void)
{
	return 0;
}
#endif

#if !defined(__aarch64__)
#include <errno.h>

/* The identity register (MIDR) is aarch64's alone: x86 and the rest have none. */
int arch_midr(unsigned *implementer, unsigned *part, unsigned *variant, unsigned *revision)
{
	(void)implementer;
	(void)part;
	(void)variant;
	(void)revision;
	return -ENOTSUP;
}
#endif
