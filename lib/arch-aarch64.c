/* SPDX-License-Identifier: MIT */
/*
 * arch-aarch64.c — lib/arch.h for aarch64 (Graviton, Ampere, Grace, any Armv8-A):
 * the generic timer's stated frequency (CNTFRQ_EL0), the cache line from CTR_EL0 and
 * the CPU's identity from MIDR_EL1.  Linux lets user space read all three: CNTFRQ_EL0
 * and CTR_EL0 directly, MIDR_EL1 through its MRS emulation (since 4.11), which is also
 * what qemu-user answers with the emulated CPU's identity.
 */
#include "config.h"
#include "arch.h"

#if defined(__aarch64__)
#include <errno.h>
#include <stdio.h>

const char *arch_name(void)
{
	return "aarch64";
}

bool arch_counter_constant(char *why, size_t len)
{
	/* The architected counter is constant-rate by definition (Arm ARM D11.1); what
	 * can be wrong is a bad CNTFRQ_EL0, which the calibration catches. */
	(void)why;
	(void)len;
	return true;
}

double arch_counter_nominal_hz(void)
{
	uint64_t f;

	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(f));
	return (double)f;
}

unsigned arch_cache_line(void)
{
	uint64_t ctr;

	/* CTR_EL0.DminLine, bits [19:16]: log2 of the smallest D-cache line in words. */
	__asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
	return 4u << ((ctr >> 16) & 0xf);
}

int arch_midr(unsigned *implementer, unsigned *part, unsigned *variant, unsigned *revision)
{
	uint64_t m;

	__asm__ __volatile__("mrs %0, midr_el1" : "=r"(m));
	*implementer = (unsigned)(m >> 24) & 0xff;
	*variant = (unsigned)(m >> 20) & 0xf;
	*part = (unsigned)(m >> 4) & 0xfff;
	*revision = (unsigned)m & 0xf;
	return 0;
}
#endif
