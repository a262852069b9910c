/* SPDX-License-Identifier: MIT */
/*
 * compare-internal.h — what the files of the comparison (report/compare*.c,
 * baseline.c, calibrate.c) share among themselves and nobody else uses: sample
 * extraction, the statistics of one pair on plain arrays, small string helpers and
 * the formatting every output uses.  Not part of the report/ interface.
 */
#ifndef LOCUS_COMPARE_INTERNAL_H
#define LOCUS_COMPARE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "compare.h"
#include "compare-output.h"

/* ---- compare-pair.c */

/* The samples of a measurement as a malloc'd array (never NULL unless ENOMEM). */
double *compare_samples_of(const json_t *m, size_t *n);
/* Scale samples by (1 + s) in the bad direction: slower for lower-is-better metrics,
 * lower throughput for higher-is-better ones. */
void compare_inject_slowdown(double *v, size_t n, double s, bool hib);
/* The statistics of one pair on arrays; fills the numeric fields and the verdict of
 * p (which must already hold alpha, threshold, higher_is_better).  full = false skips
 * what no verdict can depend on (calibration).  Returns 0 or -ENOMEM. */
int compare_pair_stats(struct compare_pair *p, const double *b, size_t nb, const double *c,
		       size_t nc, const struct compare_opts *o, bool full);
/* Two label values (either may be NULL) are equal. */
bool compare_label_equal(const json_t *a, const json_t *b);

/* ---- compare.c */

/* Compact JSON of v ("(absent)" for NULL), malloc'd; NULL on ENOMEM. */
char *compare_compact(const json_t *v);
/* Free s[0..n) and s. */
void compare_free_strs(char **s, size_t n);
/* qsort() comparator of char * by strcmp. */
int compare_cmp_strp(const void *a, const void *b);

/* ---- compare-format.c: numbers as a person reads them, into buf; each returns buf */

const char *compare_fmt_change(char *buf, size_t len, double ratio);
/* The CI of the pair's change (after/before - 1), "-1.7%..+1.8%". */
const char *compare_fmt_ci(char *buf, size_t len, const struct compare_pair *p);
const char *compare_fmt_val(char *buf, size_t len, double v, const char *unit);
const char *compare_fmt_shift(char *buf, size_t len, double v, const char *unit);
const char *compare_fmt_p(char *buf, size_t len, double p);
const char *compare_fmt_spread(char *buf, size_t len, const struct compare_pair *p);

/* The warning shown when the baseline is a single run. */
extern const char compare_single_run_note[];
/* What a current side of several runs means (`locus gate --runs`). */
extern const char compare_cur_runs_note[];

/* Best, median and worst run_detectable over the pairs that have it, and how many
 * are at most twice the threshold; returns how many have it (0: nothing set). */
size_t compare_detectable_summary(const struct compare_result *r, double threshold,
				  double *best, double *med, double *worst, size_t *n_ok);
/* That summary as one sentence between pre and post (nothing when no pair has it). */
void compare_print_detectable(FILE *f, const struct compare_result *r,
			      const struct compare_outputs *out, const char *pre,
			      const char *post);
/* Sensitivity over the pairs with samples on both sides: how many are blind to their
 * threshold (detectable > threshold) and the median / worst detectable change among
 * the blind ones (INFINITY when a pair cannot be significant at all).  Returns how
 * many pairs were counted. */
size_t compare_blind_summary(const struct compare_result *r, size_t *n_blind,
			     double *med, double *worst);
/* A blind pair: its detectable change is above its threshold. */
bool compare_pair_blind(const struct compare_pair *p);
/* An inconclusive pair that is only blind (its change is within the threshold): said
 * once in the sensitivity sentence, not per measurement. */
bool compare_pair_only_blind(const struct compare_pair *p);
/* The sensitivity sentence between pre and post, once per comparison (nothing when no
 * pair is blind). */
void compare_print_blind(FILE *f, const struct compare_result *r, const char *pre,
			 const char *post);
/* The peak (summary.peak, else the best sample) of a measurement; NAN if none. */
double compare_peak_of(const json_t *m);
const char *compare_base_name(const struct compare_outputs *out);
const char *compare_cur_name(const struct compare_outputs *out);
/* The CI level of the comparison in percent. */
int compare_ci_percent(const struct compare_result *r);
/* "N regressed, N improved, ... (alpha A ..., threshold T%)" without a newline. */
void compare_print_summary(FILE *f, const struct compare_result *r,
			   const struct compare_outputs *out);
/* One pair in one line: verdict, change, CI, p-values, medians, runs, reason, note. */
void compare_pair_line(FILE *f, const struct compare_pair *q);

#endif
