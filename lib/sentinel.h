/* SPDX-License-Identifier: MIT */
/*
 * sentinel.h — a fixed probe of the host's speed around every timed sample.
 *
 * On a shared VM a slow sample can be slow code or a slow machine (a neighbour
 * thrashing the shared L3, the hypervisor taking the vCPU away).  The sentinel tells
 * them apart: a tiny probe whose work never changes — a dependent integer chain (core
 * speed) and a dependent walk over a small buffer that lives in L2 (the memory path) —
 * runs right before and right after each sample.  Its speed relative to the best probe
 * seen in this process is the sample's "sentinel" value (1.0 = as fast as the host has
 * been, 0.5 = the probe took twice as long); a sample whose sentinel falls below
 * SENTINEL_THRESHOLD is "disturbed".  Steal time from /proc/stat (the hypervisor's own
 * account of time it took away) is read around the sample too where the kernel has the
 * field, and a sample that lost a tenth of its wall time to steal is disturbed as well.
 *
 * Library rules: no exit, no CLI advice; the probe never fails (no allocation after
 * sentinel_init), /proc/stat missing only means no steal figures.
 */
#ifndef LOCUS_SENTINEL_H
#define LOCUS_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>

/* A sample whose probe ran below this share of the best probe speed is disturbed. */
#define SENTINEL_THRESHOLD 0.85
/* ... or which lost at least this share of its wall time (all CPUs) to steal. */
#define SENTINEL_STEAL_SHARE 0.10

/* Prepare the probe (its buffer, a first best from a few dozen probes).  Idempotent;
 * returns 0 or -ENOMEM. */
int sentinel_init(void);

/* The probe's time in ns: the better of two back-to-back probes (one interrupt must
 * not make a quiet host look slow). */
double sentinel_probe_ns(void);

/* The best (shortest) probe time seen in this process, ns; 0 before sentinel_init. */
double sentinel_best_ns(void);

/* Speed of a probe that took `ns`, relative to the best so far (<= 1). */
double sentinel_relative(double ns);

/* Stolen time so far, in seconds summed over all CPUs, from the "cpu" line of
 * /proc/stat (under the sysfs root).  false when the kernel has no steal field. */
bool sentinel_steal_s(double *out);

/* Online CPUs (for turning stolen seconds into a share of wall time). */
int sentinel_ncpus(void);

#endif
