/* SPDX-License-Identifier: MIT */
/*
 * counters-perf.h — the perf_event_open(2) fallback of counters.c (counters-perf.c).
 * Internal to lib/counters*.c; not part of the lib/ interface (that is counters.h).
 */
#ifndef LOCUS_COUNTERS_PERF_H
#define LOCUS_COUNTERS_PERF_H

#include <stdbool.h>
#include <stdint.h>

/* One of the kernel's generic events under a name PAPI accepts after "perf::". */
struct perf_generic {
	const char *name;
	uint32_t type;
	uint64_t config;
};

/* The generic event named "perf::NAME" (case-insensitive), or NULL. */
const struct perf_generic *counters_perf_lookup(const char *name);
/* Events that only ever happen in the kernel (context switches, migrations). */
bool counters_perf_kernel_side(uint32_t type, uint64_t config);
/* Open the event for the calling thread (user space only when the kernel is not
 * allowed), in group group_fd (-1: a new, disabled leader).  The fd or -errno. */
int counters_perf_open(uint32_t type, uint64_t config, int group_fd);
/* Open, enable, disable and close once: 0 when it can be counted here, or -errno. */
int counters_perf_trial(uint32_t type, uint64_t config);

#endif
