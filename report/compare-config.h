/* SPDX-License-Identifier: MIT */
/*
 * compare-config.h — per-bench/metric overrides of alpha and threshold for `locus
 * compare` and `locus gate` (--config FILE): one noisy benchmark should not force a
 * loose threshold on all the others.
 *
 * The config file for per-bench/metric overrides, e.g.
 *
 *	# comments start with '#'; blank lines are ignored
 *	*                  alpha=0.005
 *	tlb/latency        threshold=10%
 *	stream             threshold=3
 *	falseshare/ops_*   threshold=8%
 *	tlb/latency{page_size=4K}  threshold=15% alpha=0.001
 *
 * Each line is PATTERN followed by one or more KEY=VALUE (keys: threshold, in percent
 * with an optional '%', 0..1000; alpha, 0 < alpha <= 0.5).  PATTERN is a shell glob
 * (fnmatch) matched against "bench/metric", or, when it contains '{', against the whole
 * key "bench/metric{k=v,...}" (labels sorted by name).  A pattern without '/' or
 * '{' names a whole bench (any metric).  Every matching line applies, in file order, so later lines win: put
 * general lines first.  Settings not given by any line keep the command-line values.
 */
#ifndef LOCUS_COMPARE_CONFIG_H
#define LOCUS_COMPARE_CONFIG_H

#include <jansson.h>

struct compare_config;

/* Parse path.  Returns 0 with *out set, or prints "locus: FILE:LINE: problem" (or
 * "locus: FILE: cannot read: ...") and returns -EINVAL / -errno. */
int compare_config_load(const char *path, struct compare_config **out);
void compare_config_free(struct compare_config *c);
/* Apply the matching overrides for measurement m to *alpha / *threshold (unchanged
 * when nothing matches).  c may be NULL. */
void compare_config_apply(const struct compare_config *c, const json_t *m,
			  double *alpha, double *threshold);

#endif
