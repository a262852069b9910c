/* SPDX-License-Identifier: MIT */
/*
 * compare.h — statistically sound comparison of locus-result/1 files: pairing the
 * measurements of a baseline (one run or a set of runs) with the current ones, the
 * statistics and verdict of each pair, and the fingerprint differences between them.
 *
 * `locus compare`, `locus gate` and `locus baseline` are thin commands over this and
 * its neighbours: measurements are matched by their key (bench, metric, labels;
 * result_key()), each matched pair gets medians, the ratio of medians in the bad
 * direction, a Hodges-Lehmann shift, a bootstrap confidence interval of the ratio and
 * a two-sided Mann-Whitney U p-value (lib/stattest.h), and from those a verdict
 * (compare-verdict.h, which spells the rules out).  The outputs are in
 * compare-output.h, the per-bench overrides in compare-config.h, the baseline store
 * in baseline.h and the calibration in calibrate.h.
 *
 * Library rules apply: functions return 0 or a negative errno, print errors through
 * lib/log.h, and never exit.
 */
#ifndef LOCUS_COMPARE_H
#define LOCUS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "compare-verdict.h"
#include "stattest.h"

#define COMPARE_DEFAULT_ALPHA 0.01
#define COMPARE_DEFAULT_THRESHOLD 0.05   /* relative: 5% */
#define COMPARE_DEFAULT_CI_LEVEL STAT_DEFAULT_CI_LEVEL
#define COMPARE_DEFAULT_BOOT_REPS STAT_DEFAULT_BOOT_REPS

struct compare_config;          /* compare-config.h */

/* ------------------------------------------------------------ comparing results */

enum compare_correction {
	COMPARE_HOLM = 0,             /* Holm step-down over the measurements compared together */
	COMPARE_NO_CORRECTION,        /* raw p-values */
};

struct compare_opts {
	enum compare_correction correction; /* default (0) Holm */
	double alpha;                 /* default COMPARE_DEFAULT_ALPHA */
	double threshold;             /* relative, default COMPARE_DEFAULT_THRESHOLD */
	double ci_level;              /* of the ratio CI, default 0.95 */
	unsigned boot_reps;           /* default COMPARE_DEFAULT_BOOT_REPS */
	const struct compare_config *config; /* per-measurement overrides, or NULL */
	double inject;                /* calibration only: scale current samples by
				       * (1 + inject) in the bad direction first; 0 = off */
};
#define COMPARE_OPTS_DEFAULT { .alpha = COMPARE_DEFAULT_ALPHA, \
			       .threshold = COMPARE_DEFAULT_THRESHOLD, \
			       .ci_level = COMPARE_DEFAULT_CI_LEVEL, \
			       .boot_reps = COMPARE_DEFAULT_BOOT_REPS }

struct compare_pair {
	char *key;                    /* result_key() of the current measurement */
	char *settings;               /* when the pair's keys differ in setting labels
				       * (result.h): the change, e.g. "mode 0 → 2"
				       * (malloc'd); NULL when the settings agree */
	const json_t *base, *cur;     /* the measurements (borrowed) */
	const char *bench, *metric, *unit;
	bool higher_is_better;
	size_t n_base, n_cur;
	double median_base, median_cur;
	double ratio;                 /* bad direction: > 1 is worse; NAN if undefined */
	double ci_low, ci_high, ci_level;
	double hl_shift;              /* Hodges-Lehmann, current - baseline, in `unit` */
	struct stat_mw mw;         /* mw.p is the raw p-value */
	double p_adj;                 /* adjusted for multiple comparisons: the verdict's p */
	size_t family;                /* m: measurements the adjustment was over */
	bool incomparable;            /* units or directions differ: always inconclusive */
	double alpha, threshold;      /* in effect for this pair (after the config) */
	enum compare_verdict verdict;
	const char *reason;           /* static text */
	char *note;                   /* malloc'd extra text (gate confirmation) or NULL */
	/* the baseline's runs (multi-run baselines; see rules 7-9) */
	const json_t **base_set;      /* malloc'd array of the baseline runs' measurements
				       * (borrowed); base == base_set[0] */
	size_t n_base_set;
	size_t base_runs;             /* runs with >= 1 sample of this measurement */
	double run_median_best, run_median_worst; /* their medians, best/worst in the bad
				       * direction (equal with one run) */
	double run_spread;            /* run-to-run spread: worst/best - 1 (bad direction),
				       * 0 with one run, NAN if undefined */
	double run_ratio_worst, run_ratio_best; /* current median vs the worst / best run's
				       * median, bad direction (w and b of rules 7'-8') */
	double run_current;           /* the current side's value at the run level: its
				       * median, or the median of its merged runs' medians */
	size_t cur_runs;              /* runs merged into the current side (1 = plain) */
	struct compare_run_test run_test; /* rules 7-8 with >= 3 runs (NAN fields else) */
	double run_detectable;        /* the smallest regression (relative, >= threshold)
				       * the run-level test can call for a lone suspect at
				       * alpha: exp(t_{1-alpha,K-1} s sqrt(1 + 1/K)) - 1;
				       * NAN with fewer than 3 runs */
	double run_p_adj;             /* the run-level p the verdict used: Holm-adjusted
				       * over run_family pairs, raw for rule 3/5
				       * inconclusives; NAN when the test does not apply */
	size_t run_family;            /* pairs the run-level p was adjusted over (0: none) */
	double detectable;            /* the smallest regression (relative, >= threshold)
				       * this pair could confirm (compare_detectable());
				       * INFINITY when it cannot be significant at all */
};

struct compare_env_diff {
	char *key;                    /* dotted path, e.g. "cpu.model" */
	char *base, *cur;             /* compact JSON of each side, "(absent)" if missing */
};

struct compare_result {
	struct compare_pair *pairs;
	size_t n_pairs;
	char **only_base, **only_cur; /* keys present on one side only */
	size_t n_only_base, n_only_cur;
	char **duplicates;            /* keys appearing twice in one file (first one used) */
	size_t n_duplicates;
	struct compare_env_diff *env_diffs;
	size_t n_env_diffs;
	size_t count[COMPARE_NR_VERDICTS];
	size_t n_base_runs;           /* baseline runs compared against (1 = single run) */
	size_t n_cur_runs;            /* runs merged into the current side (lib/runs.h) */
};

/* ------------------------------------------------------------ what a pair says */

/* The change of a pair as everyone prints it: after/before - 1 (current median over
 * the baseline's), whatever the metric's direction; "+12.3%".  Whether that is better
 * or worse is the metric's direction (compare_better_worse: "better", "worse", "no
 * change"); the verdict says whether it is significant.  compare_change_ci: the same
 * for the ends of the bootstrap CI of the ratio (lo <= hi; NAN when undefined). */
double compare_change(const struct compare_pair *p);
void compare_change_ci(const struct compare_pair *p, double *lo, double *hi);
const char *compare_fmt_pair_change(char *buf, size_t len, const struct compare_pair *p);
const char *compare_better_worse(const struct compare_pair *p);
/* "-20.0%" from a ratio r (r - 1 in percent; "n/a", "+inf"). */
const char *compare_fmt_change(char *buf, size_t len, double ratio);
/* The CI of the pair's change, "-1.7%..+1.8%" ("n/a"). */
const char *compare_fmt_ci(char *buf, size_t len, const struct compare_pair *p);

/* Compare one measurement against the measurements of several baseline runs (n >= 1,
 * all with the same key as cur, or the same result_match_key(): keys that differ only
 * in setting labels, then out->settings says how; base[0] supplies bench, metric, unit,
 * direction), as a family of one (p_adj = p; compare_adjust() over several pairs
 * afterwards when they form one comparison): pooled samples, the runs' medians, rules
 * 7-9.  out->base_set is a copy of base[]; out->note is NULL; the caller frees with
 * compare_pair_clear().  Returns 0, -EINVAL (bad samples) or -ENOMEM. */
int compare_measurements_set(const json_t *const *base, size_t n, const json_t *cur,
			     const struct compare_opts *o, struct compare_pair *out);
void compare_pair_clear(struct compare_pair *p);

/* Adjust the p-values of pairs[0..n) as one family (Holm, or none) and re-decide their
 * verdicts.  compare_results() does this over all matched pairs; the gate does it over
 * the suspects it re-measures. */
void compare_adjust(struct compare_pair *pairs, size_t n, enum compare_correction c);

/* Compare two loaded results (result_load()).  Measurements are matched by key; then a
 * current measurement still unmatched is paired with a baseline one that is unmatched
 * too and has the same result_match_key() (its keys differ only in labels that record
 * a system setting, e.g. overcommit's mode 0 vs 2), when that is unambiguous (one
 * candidate per file).  Such pairs carry `settings`, and each changed setting label is
 * also listed among env_diffs as "BENCH.LABEL (label)", so it is warned about (and
 * fails --strict-env) like a fingerprint difference.  Pairs come out sorted worst first
 * (compare_sort()).  Both results must outlive *out.  Returns 0 or a negative errno. */
int compare_results(const json_t *base, const json_t *cur, const struct compare_opts *o,
		    struct compare_result *out);
/* Compare `cur` with a baseline of n >= 1 runs: each measurement against the runs that
 * have it (compare_measurements_set); a key missing from every run is "only in
 * current", one in any run but not in cur "only in baseline"; fingerprint differences
 * are those between cur and any run (listed once per key).  compare_results() is this
 * with n = 1. */
int compare_results_set(const json_t *const *base, size_t n, const json_t *cur,
			const struct compare_opts *o, struct compare_result *out);
void compare_result_free(struct compare_result *r);
/* Sort pairs worst first (verdict order, then ratio descending) and recount. */
void compare_sort(struct compare_result *r);

/* Differences between two "env" objects over env_critical_keys.  Returns 0 or
 * -ENOMEM; *out is malloc'd (free with compare_env_diffs_free). */
int compare_env(const json_t *env_base, const json_t *env_cur,
		struct compare_env_diff **out, size_t *n);
void compare_env_diffs_free(struct compare_env_diff *d, size_t n);


/* The first run option (run.options, recorded by `locus bench`) on which results a and
 * b differ, as "--NAME (A vs B)" in buf (values as compact JSON, "default" for null);
 * NULL when they agree or either lacks run.options (files from before they were
 * recorded).  Runs measured with different options (--quick vs --reps 12, another
 * --size) are different experiments: comparing or pooling them mixes two questions. */
const char *compare_option_mismatch(const json_t *a, const json_t *b, char *buf, size_t len);

/* The fingerprint id of an "env" object: 16 lowercase hex digits of a 64-bit FNV-1a
 * hash over env_critical_keys and their compact JSON values (absent = null).  The
 * host name is deliberately not part of it: CI runners are renamed on every job but
 * measure alike.  buf must hold 17 bytes.  Returns buf. */
char *compare_fingerprint_id(const json_t *env, char *buf);

/* One line describing the critical keys of env ("cpu.model=... kernel.release=..."),
 * malloc'd; NULL on ENOMEM. */
char *compare_fingerprint_text(const json_t *env);

#endif
