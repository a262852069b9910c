/* SPDX-License-Identifier: MIT */
/*
 * history.h — the history of a baseline set: every run ever saved, with its time and
 * revision, per measurement, and the change points in it.
 *
 * `locus baseline save` keeps only the newest K runs' files (the gate pools them), but
 * appends every run to SET/history.jsonl, one line per run, never pruned:
 *
 *	{"seq": 12, "saved": "2026-12-02T01:50:00Z", "rev": "a1b2c3d", "created": "...",
 *	 "medians": {"tlb/latency{...}": 6.1, ...}}
 *
 * ("rev" from `baseline save --rev REV`, e.g. a commit id; null without it).  Per
 * measurement the medians in seq order are a series; its change points
 * (lib/changepoint.h, E-Divisive means, deterministic) split it into segments.  `locus
 * baseline history` shows them; `locus gate --history` compares a new run with the
 * runs of the last segment only, so a baseline does not mix the code before a step
 * with the code after it.
 *
 * Library rules: 0 or a negative errno, errors through lib/log.h, never exit.
 */
#ifndef LOCUS_HISTORY_H
#define LOCUS_HISTORY_H

#include <stddef.h>

struct history_point {
	unsigned long seq;       /* the run's number in the set (its file NNNNNN.json) */
	const char *rev, *saved; /* borrowed from the history (may be NULL) */
	double v;                /* the run's median */
};

struct history_series {
	char *key;               /* result_key() */
	struct history_point *pts;
	size_t n;
	size_t *cp;              /* indices into pts where a new segment starts */
	double *cp_p;            /* their permutation p-values */
	size_t ncp;
};

struct history {
	struct history_series *s;
	size_t n;
	size_t runs;             /* lines read */
	void *priv;              /* the parsed lines (owned) */
};

/* Read SET/history.jsonl and find the change points of every series.  A set without
 * the file has an empty history (0).  Returns 0, -EINVAL (a bad line: printed, naming
 * the line) or -ENOMEM. */
int history_load(const char *set_dir, struct history *h);
void history_free(struct history *h);

/* The seq of the first run of key's last segment: 0 when the series has no change
 * point (or no history): every run counts. */
unsigned long history_segment_start(const struct history *h, const char *key);

/* The medians of the run medians before and after change point c of s (each over its
 * own segment, from the previous change point to the next).  0, or -ENOMEM. */
int history_change_medians(const struct history_series *s, size_t c, double *before,
			   double *after);

#endif
