/* SPDX-License-Identifier: MIT */
/*
 * calibrate.h — the calibration of the verdict rule (`locus compare --calibrate`):
 * the false-alarm rate on A/A pseudo-runs and the power against injected slowdowns,
 * measured on a recorded result, so the gate's alpha and threshold are chosen from
 * numbers instead of hope.
 */
#ifndef LOCUS_CALIBRATE_H
#define LOCUS_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "compare.h"

/* One row of the calibration table: pseudo-runs with an injected slowdown. */
struct compare_calib_row {
	double slowdown;              /* 0 = A/A */
	size_t comparisons;           /* measurement comparisons: trials x measurements */
	size_t count[COMPARE_NR_VERDICTS];
	size_t confirmed;             /* regressed, and again when re-measured (gate) */
	size_t runs;                  /* trials */
	size_t runs_flagged;          /* trials where any measurement regressed */
	size_t runs_flagged_confirmed;
};

/*
 * Calibrate the verdict rule on one recorded result: for every trial and every
 * measurement with at least two samples, draw two pseudo-runs of the same size by
 * resampling its samples (bootstrap), scale the second by (1 + slowdown) in the bad
 * direction, and compare them under `o`, all measurements of a trial as one family
 * (as `compare` does); the regressions of a trial are then "confirmed" when fresh
 * pseudo-runs of just those measurements regress again against the first, compared as
 * their own family (as `gate` does).  Deterministic for a given seed.  rows[i].slowdown
 * must be set by the caller.  Returns 0, -EINVAL (no usable measurement) or -ENOMEM.
 */
int compare_calibrate(const json_t *result, const struct compare_opts *o, unsigned trials,
		      uint64_t seed, struct compare_calib_row *rows, size_t n_rows);


#endif
