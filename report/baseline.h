/* SPDX-License-Identifier: MIT */
/*
 * baseline.h — the baseline store of `locus baseline`, `locus compare --baseline` and
 * `locus gate`: runs of a result kept per machine fingerprint, so a comparison is made
 * against several runs of the same machine (run-to-run noise) and never across
 * machines by accident.
 */
#ifndef LOCUS_BASELINE_H
#define LOCUS_BASELINE_H

#include <stddef.h>
#include <jansson.h>

/*
 * A baseline store is a directory with one entry per machine fingerprint id (16 hex
 * digits, compare_fingerprint_id()):
 *
 *	DIR/ID/000001.json, DIR/ID/000002.json, ...   the runs, oldest first (a set)
 *	DIR/ID.json                                   the old single-run layout (read as
 *	                                              the oldest run of ID's set)
 *
 * `locus baseline save` appends a run to ID/ and removes the oldest beyond `keep`
 * (moving a legacy ID.json into ID/ first).  Any other directory of *.json files is a
 * set by itself (runs in name order).
 */
#define COMPARE_DEFAULT_KEEP 10u
#define COMPARE_MAX_KEEP 1000u

struct compare_baseline {
	json_t **runs;                /* owned, oldest first */
	char **paths;                 /* the file of each run */
	size_t n;
	char *name;                   /* to show: the file or the set directory */
};

/* Load a baseline from `path`: a result file (one run), a set directory, or a store
 * directory, where the set of env's fingerprint is chosen (env may be NULL for "no
 * fingerprint").  Appends to *b (zero it first), so it can be called several times
 * to build one set (--baseline-run).  Returns 0; -ENOENT when a store has no baseline
 * for this fingerprint or a set directory holds no run (printed, naming the
 * fingerprint); -EINVAL for an unreadable or invalid file (printed); -ENOMEM. */
int compare_baseline_load(const char *path, const json_t *env, struct compare_baseline *b);
void compare_baseline_free(struct compare_baseline *b);

/* Append `result` to store `dir` under its fingerprint (creating directories), keep
 * the newest `keep` runs (>= 1), written aside and renamed.  *stored (may be NULL)
 * gets the new file's path (malloc'd), *n_runs the set's size afterwards, *dropped the
 * runs removed.  A result of several merged runs (lib/runs.h) is stored as its runs,
 * one file each (*stored is then the last one's path).  Returns 0, or a negative errno
 * after printing the problem. */
int compare_baseline_save(const char *dir, const json_t *result, unsigned keep,
			  char **stored, size_t *n_runs, size_t *dropped);

/* The fingerprint ids with a baseline in store `dir` (sorted, malloc'd; free each and
 * the array) with each one's number of runs in (*counts)[i] (may be NULL).  Returns 0
 * (n = 0 when there is none), or -errno when dir cannot be read. */
int compare_baseline_ids(const char *dir, char ***ids, size_t **counts, size_t *n);

#endif
