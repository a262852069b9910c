/* SPDX-License-Identifier: MIT */
/*
 * memsize.h — how big a buffer must be to measure memory and not a cache, in one place
 * for every bench that reports a memory figure (bandwidth, numa-bandwidth, numa-loaded:
 * at least 4x the last-level cache, STREAM's rule; latency's DRAM level, numa-latency,
 * numa-loaded's chase: at least 2x).  The defaults follow from the LLC with or without
 * --quick: quick saves time with fewer samples, never with smaller buffers.  Each bench
 * records the bytes in its labels and warns when a user's --size breaks the rule.
 */
#ifndef LOCUS_MEMSIZE_H
#define LOCUS_MEMSIZE_H

#include <stdbool.h>
#include <stdint.h>

#define MEMSIZE_BANDWIDTH_FACTOR 4   /* STREAM: each array >= 4x the LLC */
#define MEMSIZE_LATENCY_FACTOR 2     /* a chase: most loads miss at >= 2x */
#define MEMSIZE_ASSUMED_LLC (32ull << 20)   /* when the topology does not say */

/* The smallest power of two >= v (v > 0). */
static inline uint64_t memsize_pow2_ceil(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* factor x llc (llc 0 = unknown: MEMSIZE_ASSUMED_LLC), rounded up to a power of two
 * when pow2, never below 16 MiB. */
static inline uint64_t memsize_default(uint64_t llc, unsigned factor, bool pow2)
{
	uint64_t v = (llc ? llc : MEMSIZE_ASSUMED_LLC) * factor;

	if (v < (16ull << 20))
		v = 16ull << 20;
	return pow2 ? memsize_pow2_ceil(v) : v;
}

/* Whether bytes follow the rule factor x llc (always true when llc is unknown). */
static inline bool memsize_ok(uint64_t bytes, uint64_t llc, unsigned factor)
{
	return llc == 0 || bytes >= (uint64_t)factor * llc;
}

#endif
