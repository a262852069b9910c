/* SPDX-License-Identifier: MIT */
/*
 * runs.h — several runs of the same benchmarks as one result, and back.
 *
 * The noise that matters for a performance gate is between runs, not within one: a
 * fresh process gets other physical pages, another cache colouring, other neighbours.
 * So the gate measures the current side in several fresh processes (`locus gate
 * --runs M`), and `locus tune ab` in several rounds per side.  Those runs travel as ONE
 * locus-result/1 file so that every command can read them: each measurement holds the
 * samples of every run, in run order, and "run_sizes" says how many came from each
 * run; the result says how many runs were merged in "merged_runs":
 *
 *	"merged_runs": 3,
 *	"measurements": [ { ..., "samples": [a1, a2, b1, b2, c1, c2],
 *	                    "run_sizes": [2, 2, 2], "summary": { over all six } } ]
 *
 * A run without a measurement has a 0 in its place, so the runs can be split apart
 * again exactly (`locus baseline save` stores a merged file as its runs; a baseline
 * given as a merged file counts as that many runs).
 *
 * Library rules: 0 or a negative errno, errors through lib/log.h, never exit.
 */
#ifndef LOCUS_RUNS_H
#define LOCUS_RUNS_H

#include <stddef.h>
#include <jansson.h>

/* Merge n >= 1 results (runs of the same benchmarks): a deep copy of runs[0] (its env,
 * topology, skips and warnings) in which every measurement key of any run appears once
 * (in first-seen order) with the samples of all runs, "run_sizes" and a recomputed
 * summary, plus "merged_runs": n.  A run that is itself merged contributes its own runs.
 * Returns a new reference, or NULL (out of memory, or a result without measurements
 * array: printed). */
json_t *runs_merge(json_t *const *runs, size_t n);

/* The number of runs merged into result `res` ("merged_runs"), 1 when it is a plain
 * single run. */
size_t runs_count(const json_t *res);

/* Split a merged result into its runs: *out receives runs_count(res) new results
 * (malloc'd array; each a deep copy of res without "merged_runs" holding only that
 * run's samples, measurements absent from the run left out).  A plain result gives
 * one copy.  Returns 0, -EINVAL (run_sizes inconsistent with the samples: printed) or
 * -ENOMEM. */
int runs_split(const json_t *res, json_t ***out, size_t *n);

/* The medians of each run's samples of measurement m (runs with no sample skipped),
 * into meds[0..cap).  Returns how many were written: 1 for a measurement without
 * run_sizes that has samples, 0 when it has none. */
size_t runs_medians(const json_t *m, double *meds, size_t cap);

#endif
