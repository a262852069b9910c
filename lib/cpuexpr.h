/* SPDX-License-Identifier: MIT */
/*
 * cpuexpr.h — CPU sets written the way likwid writes them, besides numactl's lists.
 *
 * likwid users address CPUs through affinity domains: N (the whole node), S<i>
 * (socket/package i), M<i> (NUMA memory domain i), C<i> (last-level cache group i),
 * D<i> (die i), with CPUs numbered inside a domain "physical cores first" (the first
 * hardware thread of every core, then the second ones).  Accepted here:
 *
 *   S0            every CPU of domain S0
 *   S0:0-3        CPUs 0..3 of S0 in that logical numbering (numactl list syntax)
 *   N:0-7@M1:0,1  several expressions joined by '@'
 *   E:N:8         the first 8 hardware threads of N in core order (siblings together)
 *   E:N:8:1:2     8 threads, 1 taken per chunk, chunks 2 threads apart (one per core
 *                 on a 2-way SMT machine)
 *
 * A CPU set has no order, so likwid's scatter expressions (S:scatter) are refused.
 */
#ifndef LOCUS_CPUEXPR_H
#define LOCUS_CPUEXPR_H

#include <hwloc.h>
#include "topo.h"

/*
 * Parse `s` into `out` (OS indices).  Returns 0; 1 when `s` is not a likwid expression
 * (a numactl list: the caller parses it, `out` untouched); or -EINVAL after one line
 * "locus: WHAT: 'S9': no domain S9 here (S0..S1)".
 */
int cpuexpr_parse(const char *what, const char *s, const struct locus_topo *tp,
		  hwloc_bitmap_t out);

#endif
