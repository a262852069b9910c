/* SPDX-License-Identifier: MIT */
/*
 * result.h — the locus-result/1 file format: building, writing, loading, validating.
 *
 *   { "schema": "locus-result/1", "locus": {version, git}, "env": {...},
 *     "topology": {...}, "created": "ISO-8601 UTC",
 *     "measurements": [ { bench, metric, unit, higher_is_better, labels, samples,
 *                         summary, verified, counters, counters_unavailable, repeat } ],
 *     "skipped": [ { bench, labels, reason } ], "warnings": [ "..." ],
 *     "benches": { NAME: { summary, description, headline, metrics: [...],
 *                          figures: [ { kind, metric, x, ... } ] } } }
 *
 * "benches" (optional; files before it still load) is what each bench is and how a
 * report shows it, from the bench's descriptor (bench/bench.h struct bench_figure):
 * the report renders a file from any locus version without a table of bench names.
 *
 * One flat list of measurements, each keyed by (bench, metric, labels): that key is what
 * comparison matches on, so labels hold every parameter that makes a measurement a
 * different question.  Written with jansson in the C locale; NaN and Inf become null.
 *
 * SETTING LABELS.  Some labels record a system setting the bench ran under rather than
 * a parameter it chose (overcommit's "mode" is vm.overcommit_memory; reclaim's
 * "swappiness").  A measurement lists them in the optional "setting_labels" array (the
 * bench framework writes it from bench_info.setting_labels).  They stay in the key, so
 * one file can hold runs under several settings, but comparison may pair two
 * measurements whose keys differ only in setting labels (result_match_key()): that is
 * what a before/after run of `locus tune ab` is.
 */
#ifndef LOCUS_RESULT_H
#define LOCUS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define LOCUS_SCHEMA "locus-result/1"

/* A JSON number, or null when x is NaN or infinite (jansson refuses those). */
json_t *json_num(double x);

/* A new, empty result with the schema, locus version, creation time, and the given env
 * and topology objects (references stolen; either may be NULL, stored as null). */
json_t *result_new(json_t *env, json_t *topology);

/* Build a measurement from raw samples; the summary is computed here (stats.h).  labels
 * is stolen (NULL = {}).  Returns NULL on bad input (no samples, non-finite sample). */
json_t *result_measurement(const char *bench, const char *metric, const char *unit,
			   bool higher_is_better, json_t *labels, const double *samples,
			   size_t n);

/* HOST QUALITY PER SAMPLE (lib/sentinel.h; optional, absent in older files and for
 * derived figures): "sentinel" [speed of the host probe around each sample relative to
 * its best, 0..1], "steal_ms" [hypervisor steal during each sample, ms over all CPUs],
 * "disturbed" [indices of samples the host slowed], summary.disturbed_fraction.
 * result_measurement() also puts summary.peak (the best sample by the metric's
 * direction) next to the median.
 *
 * result_quality_summary(m): set summary.disturbed_fraction from m's "disturbed" (or
 * remove it when m has none).  result_copy_quality(dst, src, off, len): give dst, whose
 * samples are src's samples [off, off+len), the matching slices of src's sentinel,
 * steal_ms and disturbed (dst's own are replaced; absent in src = absent in dst).
 * result_spread_quality(dst, src, per): dst has `per` values for each of src's samples,
 * sample by sample (e.g. one rate per worker thread of each sample): each inherits its
 * sample's sentinel and steal, and is disturbed when its sample was. */
void result_quality_summary(json_t *m);
void result_copy_quality(json_t *dst, const json_t *src, size_t off, size_t len);
void result_spread_quality(json_t *dst, const json_t *src, size_t per);

/* Append a measurement (stolen) / a skip / a warning to a result. */
int result_add(json_t *result, json_t *measurement);
int result_skip(json_t *result, const char *bench, json_t *labels, const char *reason);
/* Warnings are objects {bench, message} ("bench" left out when no bench is concerned);
 * files written before locus 0.x hold plain strings, which readers still accept
 * (result_warning()). */
int result_warn(json_t *result, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int result_warn_bench(json_t *result, const char *bench, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning's message (NULL if w is neither a string nor an object with a string
 * "message"), and its bench into *bench (NULL when none is named). */
const char *result_warning(const json_t *w, const char **bench);

/* Write to path ("-" = stdout), pretty-printed, keys in insertion order, trailing
 * newline.  Returns 0, or prints "locus: PATH: problem" and returns a negative errno. */
int result_write(const json_t *result, const char *path);

/* Load and validate a result file: valid JSON, schema == locus-result/1, required fields
 * with the right types (measurements[i].bench/metric/unit/higher_is_better/labels/
 * samples; the optional setting_labels an array of names of its labels).  On failure prints "locus: FILE: problem" naming the field and returns NULL
 * (the caller exits 2). */
json_t *result_load(const char *path);

/* A label value as keys and tables print it: strings bare, integers in decimal, reals
 * with %.17g, booleans as true/false, a missing value as "(absent)". */
void result_label_text(FILE *f, const json_t *v);

/* The canonical key of a measurement: "bench/metric{k=v,...}" with labels sorted by
 * key.  Caller frees. */
char *result_key(const json_t *measurement);

/* The key without the measurement's setting labels (those named in its
 * "setting_labels"): "bench/metric{k=v,...}" over the other labels.  Equal to
 * result_key() when it has none.  Caller frees; NULL on ENOMEM. */
char *result_match_key(const json_t *measurement);

/* Whether `label` is one of the measurement's setting labels. */
bool result_is_setting_label(const json_t *measurement, const char *label);

/* Check a measurement's "run_sizes" against its samples and the result's merged_runs
 * (n_runs; 0 when the result has none, then run_sizes must be absent).  Returns NULL
 * when consistent, else a static description of the problem (for result validation). */
const char *result_check_run_sizes(const json_t *m, size_t n_runs);

#endif
