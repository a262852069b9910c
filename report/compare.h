/*
 * compare.h — statistically sound comparison of two locus-result/1 files, the
 * fingerprint of a machine for choosing baselines, and the calibration of the gate.
 *
 * `locus compare`, `locus gate` and `locus baseline` are thin commands over this file:
 * measurements are matched by their key (bench, metric, labels; result_key()), each
 * matched pair gets medians, the ratio of medians in the bad direction, a
 * Hodges-Lehmann shift, a bootstrap confidence interval of the ratio and a two-sided
 * Mann-Whitney U p-value, and from those a verdict.
 *
 * THE VERDICT RULE (evaluated in this order; t = threshold, e.g. 0.05; the "ratio" r is
 * the ratio of medians oriented so that r > 1 is worse: current/baseline when lower is
 * better, baseline/current when higher is better; [lo, hi] is its bootstrap CI; p is
 * the Mann-Whitney p-value adjusted for multiple comparisons, see below):
 *
 *   1. inconclusive  fewer than min_samples (3) samples on either side, or so few that
 *                    even a perfect separation could not reach p < alpha
 *                    (2 / C(n1+n2, n1) >= alpha), or a median is zero or negative so
 *                    the ratio is undefined;
 *   2. regressed     p < alpha  AND  r >= 1 + t  AND  lo > 1
 *                    (significant, big enough, and the CI agrees it is worse at all);
 *   3. inconclusive  p < alpha  AND  r >= 1 + t  but  lo <= 1
 *                    (the rank test and the CI of the medians disagree);
 *   4. improved      p < alpha  AND  r <= 1/(1 + t)  AND  hi < 1;
 *   5. inconclusive  hi >= 1 + t
 *                    (a regression of at least the threshold can be neither confirmed
 *                    nor ruled out: the CI straddles the threshold);
 *   6. unchanged     everything else.
 *
 * Improvement uses 1/(1+t) so that the two thresholds are symmetric on a log scale
 * (a 5% threshold means x1.05 worse or x1/1.05 better).
 *
 * MULTI-RUN BASELINES (the run-level component).  Samples within one run agree far
 * more closely than the medians of separate runs of the same code (page placement,
 * frequency, neighbours move a whole run), so a within-run test against ONE baseline
 * run calls run-to-run drift "significant".  When the baseline holds K >= 2 runs of a
 * measurement (a run counts when it has at least one sample of it), the rule above is
 * applied to the POOLED baseline samples (every run's samples together: n_base = their
 * total), and then the run level decides whether the change is larger than the runs
 * themselves vary.
 *
 * With K >= 3 runs (COMPARE_RUN_TEST_MIN_RUNS), a run-level test with a real p-value:
 * the K run medians are taken as a sample of the run-to-run distribution on a log scale
 * (ratios are what matter): m = mean of their logs, s = their sd (K - 1 divisor),
 * floored at s0 = log(1 + t/4) (COMPARE_RUN_SD_FLOOR; t taken as at least 1% for the
 * floor) so that identical run medians do not make every tiny change significant;
 * x = log of the current median.  T = (x - m) / (s sqrt(1 + 1/K)) is Student t with
 * K - 1 degrees of freedom when the current run is one more draw of the same
 * distribution (the prediction interval of a normal sample); p_worse = P(T' >= T) with
 * T oriented so that > 0 is worse (negated when higher is better), p_better the other
 * tail.  The ratio R = current median / median of the K run medians, bad direction.
 *
 *   7. a pooled "regressed" stays regressed only when  p_run < alpha  AND  R >= 1 + t,
 *      where p_run is p_worse Holm-adjusted over the run-level family: the pairs of the
 *      comparison whose pooled verdict is regressed or improved and that have K >= 3
 *      (each with its own one-sided p); otherwise unchanged.  A pooled "inconclusive"
 *      of rule 3 or 5 (the within-run CI cannot decide) becomes unchanged when the
 *      RAW p_worse >= alpha or R < 1 + t (even unadjusted, the run level rules the
 *      regression out); other inconclusives (rule 1) stay;
 *   8. a pooled "improved" stays improved only when its Holm-adjusted p_better < alpha
 *      AND  R <= 1/(1 + t);  otherwise unchanged;
 *   9. every other verdict is kept.  A run median <= 0 makes the test undefined: a
 *      pooled regression or improvement becomes inconclusive.
 *
 * So a gate failure needs the within-run pooled test (Holm over all measurements) AND
 * the run-level test (Holm over the measurements that reach it) at the same alpha, and
 * an effect of the threshold against the baseline's typical run.  Caveats: the t test
 * assumes log run medians roughly normal; a bimodal measurement (two placements) has a
 * large s, so only changes well beyond both modes are called (as they should be with
 * few runs); the family of the run-level step is chosen by the pooled test, which
 * keeps it small: that is what the gate needs, but it is not a formal family-wise
 * guarantee over all measurements.  Calibrate (scripts/gate-calibration).
 *
 * With K = 2 the t test has one degree of freedom and is nearly powerless, so the
 * older range rule stays: with w = the bad-direction ratio of the current median to
 * the WORST of the two runs' medians and b = the same to the BEST (w <= b):
 *
 *   7'. a pooled "regressed" stays regressed only when  w >= 1 + t  (worse than both
 *       runs by the threshold); otherwise unchanged, and a pooled inconclusive of rule 3
 *       or 5 becomes unchanged when w < 1 + t;
 *   8'. a pooled "improved" stays improved only when  b <= 1/(1 + t);  else unchanged.
 *
 * (Without a p-value that rule cannot be corrected for multiplicity: under no change
 * the current run is the worst of K + 1 with probability 1/(K + 1).)  With one
 * baseline run (K = 1) rules 7-9 do not apply and the output warns that run-to-run
 * noise is not accounted for.
 *
 * MULTIPLE COMPARISONS.  A gate fails when any of its m measurements regresses, so
 * alpha must bound the chance of a false alarm in the whole comparison, not in each
 * measurement: with 150 measurements at a per-test 1% a clean run would fail most of
 * the time.  The p-values of the measurements compared together are therefore adjusted
 * by Holm's step-down method (the i-th smallest of m is multiplied by m - i + 1, then
 * made monotone), which controls the family-wise error rate at alpha whatever the
 * dependence between measurements.  Measurements that cannot be significant at all
 * (rule 1) are left out of m (Tarone's refinement; it keeps the guarantee).
 * --correction none uses the raw p-values.  A measurement present on one
 * side only gets no verdict; it is listed.  Fingerprints (env_critical_keys, lib/env.h)
 * are compared first and differences reported as warnings.
 *
 * Library rules apply: functions return 0 or a negative errno, print errors through
 * lib/log.h, and never exit.
 */
#ifndef LOCUS_COMPARE_H
#define LOCUS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#define COMPARE_DEFAULT_ALPHA 0.01
#define COMPARE_DEFAULT_THRESHOLD 0.05   /* relative: 5% */
#define COMPARE_DEFAULT_CI_LEVEL 0.95
#define COMPARE_DEFAULT_BOOT_REPS 2000u
#define COMPARE_MIN_SAMPLES 3u
/* The exact Mann-Whitney distribution is used without ties up to this many samples in
 * total (the counts fit in 64 bits up to C(60,30)); beyond it, or with ties, the normal
 * approximation with tie and continuity correction. */
#define COMPARE_EXACT_MAX_N 50u

/* Ordered from worst to best: the human table lists in this order. */
enum compare_verdict {
	VERDICT_REGRESSED,
	VERDICT_INCONCLUSIVE,
	VERDICT_UNCHANGED,
	VERDICT_IMPROVED,
};
#define COMPARE_NR_VERDICTS 4

/* "regressed", "inconclusive", "unchanged", "improved". */
const char *compare_verdict_name(enum compare_verdict v);

/* ------------------------------------------------------------ statistics primitives */

struct compare_mw {
	double u;       /* U of the second sample: #(y > x) + #(y == x)/2 over all pairs */
	double p;       /* two-sided p-value */
	bool exact;     /* exact distribution (no ties, n1+n2 <= COMPARE_EXACT_MAX_N) or
			 * normal approximation with tie and continuity correction */
};

/* Two-sided Mann-Whitney U test of x (n1) against y (n2), both >= 1 and finite; the
 * inputs are not modified.  All values equal gives p = 1.  Returns 0, -EINVAL or
 * -ENOMEM. */
int compare_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
			 struct compare_mw *out);

/* The smallest two-sided p-value the exact test can give for these sizes:
 * min(1, 2 / C(n1+n2, n1)). */
double compare_mw_min_p(size_t n1, size_t n2);

/* Hodges-Lehmann estimate of the shift of y relative to x: the median of all n1*n2
 * differences y_j - x_i (found by selection, without materialising the differences when
 * there are many).  Returns NAN on bad input or ENOMEM. */
double compare_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2);

/* Percentile bootstrap CI at `level` (0 = 0.95) of the ratio of medians in the bad
 * direction (median(cur)/median(base), or base/cur when higher_is_better), base and cur
 * resampled independently `reps` times (0 = COMPARE_DEFAULT_BOOT_REPS).  The generator
 * is seeded from the sorted data, so the same samples always give the same interval.
 * The interval is widened to contain the ratio of the full-sample medians.
 * Returns 0, -EINVAL (empty input, non-positive median) or -ENOMEM. */
int compare_boot_ratio_ci(const double *base, size_t nb, const double *cur, size_t nc,
			  bool higher_is_better, double level, unsigned reps,
			  double *lo, double *hi);

/* The verdict rule above, as a pure function of the (adjusted) p-value.  *reason (may
 * be NULL) receives a short static explanation ("too few samples", "CI straddles the
 * threshold", ...). */
enum compare_verdict compare_decide(size_t n_base, size_t n_cur, double p, double ratio,
				    double ci_low, double ci_high, double alpha,
				    double threshold, const char **reason);

/* Rules 7'-8' (two-run baselines; compare_decide_run_test() for three or more) as a
 * pure function: the final verdict given the
 * pooled one, the number of baseline runs, and w / b (ratios of the current median to
 * the worst / best baseline run's median, bad direction).  runs < 2 returns `pooled`
 * and leaves *reason alone; a NAN w or b (a run median <= 0) demotes a regression or
 * improvement to inconclusive.  *reason (may be NULL) holds the pooled verdict's reason
 * from compare_decide() on entry (it tells rules 3 and 5 from rule 1) and is replaced
 * when the verdict changes. */
enum compare_verdict compare_decide_runs(enum compare_verdict pooled, size_t runs,
					 double worst_ratio, double best_ratio,
					 double threshold, const char **reason);

/* The run-level test (rules 7-8 with K >= COMPARE_RUN_TEST_MIN_RUNS baseline runs). */
#define COMPARE_RUN_TEST_MIN_RUNS 3u
/* The floor of the run-to-run sd on the log scale, as a fraction of the threshold:
 * s >= log(1 + COMPARE_RUN_SD_FLOOR * threshold). */
#define COMPARE_RUN_SD_FLOOR 0.25

/* Upper tail of Student's t distribution with df > 0 degrees of freedom: P(T > t),
 * from the regularized incomplete beta function (continued fraction).  NAN for a NAN
 * t or df <= 0; 0 / 1 for t = +inf / -inf. */
double compare_t_sf(double t, double df);
/* Its inverse: t with P(T > t) = p, for 0 < p <= 0.5 (bisection on compare_t_sf, to
 * about 1e-12 relative); NAN otherwise. */
double compare_t_quantile(double p, double df);

struct compare_run_test {
	double ratio_mid;             /* current median / median of the runs' medians, bad
				       * direction (> 1 is worse) */
	double sd;                    /* s after the floor (log scale); NAN when k < 3 */
	double t;                     /* (x - m) / (s sqrt(1 + 1/k)), > 0 is worse */
	double p_worse, p_better;     /* one-sided p-values (k - 1 degrees of freedom) */
};

/* The run-level test of rules 7-8 on the medians of k baseline runs and the current
 * median: ratio_mid always, t and the p-values when k >= COMPARE_RUN_TEST_MIN_RUNS
 * (NAN otherwise).  Returns 0, -EINVAL (k = 0), -EDOM (a median <= 0: everything
 * NAN) or -ENOMEM. */
int compare_run_test(const double *medians, size_t k, double cur, bool higher_is_better,
		     double threshold, struct compare_run_test *out);

/* Rules 7-8 for K >= 3 runs as a pure function: the final verdict given the pooled
 * one, the number of runs, run_p (for a pooled regression the Holm-adjusted p_worse,
 * for an improvement the adjusted p_better, for an inconclusive of rule 3 or 5 the raw
 * p_worse) and ratio_mid.  runs < 3 returns `pooled` and leaves *reason alone (use
 * compare_decide_runs()); a NAN run_p or ratio_mid demotes a regression or
 * improvement to inconclusive.  *reason as for compare_decide_runs(). */
enum compare_verdict compare_decide_run_test(enum compare_verdict pooled, size_t runs,
					     double run_p, double mid_ratio, double alpha,
					     double threshold, const char **reason);

/* ------------------------------------------------------------ per-bench overrides */

/*
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
struct compare_config;

/* Parse path.  Returns 0 with *out set, or prints "locus: FILE:LINE: problem" (or
 * "locus: FILE: cannot read: ...") and returns -EINVAL / -errno. */
int compare_config_load(const char *path, struct compare_config **out);
void compare_config_free(struct compare_config *c);
/* Apply the matching overrides for measurement m to *alpha / *threshold (unchanged
 * when nothing matches).  c may be NULL. */
void compare_config_apply(const struct compare_config *c, const json_t *m,
			  double *alpha, double *threshold);

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
	struct compare_mw mw;         /* mw.p is the raw p-value */
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

/* Compare one pair of measurements with the same key, as a family of one (p_adj = p;
 * compare_adjust() over several pairs afterwards when they form one comparison).
 * out->note is NULL; the caller frees with compare_pair_clear().  Returns 0, -EINVAL
 * (bad samples) or -ENOMEM. */
int compare_measurements(const json_t *base, const json_t *cur,
			 const struct compare_opts *o, struct compare_pair *out);
/* The same against the measurements of several baseline runs (n >= 1, all with the
 * same key as cur, or the same result_match_key(): keys that differ only in setting
 * labels, then out->settings says how; base[0] supplies bench, metric, unit,
 * direction): pooled samples, the runs' medians, rules 7-9.  out->base_set is a copy
 * of base[]. */
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

/* ------------------------------------------------------------ outputs */

struct compare_outputs {
	const char *baseline_name, *current_name; /* shown in headers */
	double alpha, threshold;      /* the defaults in effect, shown in the summary */
	bool no_correction;           /* --correction none, shown in the summary */
	bool fail_on_inconclusive;    /* inconclusive counts as failing (exit 6) */
	bool fail_on_missing;         /* a baseline measurement missing from current fails */
	bool strict_env;              /* a fingerprint difference is an error (exit 2) */
	bool json;                    /* the main output is JSON instead of the table */
	bool github;                  /* also print GitHub workflow annotations */
	const char *output;           /* main output: NULL or "-" = stdout */
	const char *junit, *markdown; /* extra files, or NULL */
	const char *config_path;      /* --config, loaded by the command */
};

/*
 * Set one comparison option by its long name ("alpha", "threshold", "correction",
 * "config", "fail-on", "strict-env", "json", "github", "junit", "markdown", "output"),
 * parsing the
 * value with lib/parse.h.  Shared by `compare` and `gate` so they accept the same
 * syntax.  Returns 0, -EINVAL after printing the bad value, or -ENOENT when the name is
 * not a comparison option.
 */
int compare_set_option(const char *name, const char *value, struct compare_opts *o,
		       struct compare_outputs *out);

/* The getopt_long entries of those options (<getopt.h>), all returning `code`: the
 * command hands opts[idx].name and optarg to compare_set_option(), so `compare` and
 * `gate` list them once. */
#define COMPARE_LONG_OPTIONS(code) \
	{ "alpha", required_argument, NULL, (code) }, \
	{ "threshold", required_argument, NULL, (code) }, \
	{ "correction", required_argument, NULL, (code) }, \
	{ "config", required_argument, NULL, (code) }, \
	{ "fail-on", required_argument, NULL, (code) }, \
	{ "strict-env", no_argument, NULL, (code) }, \
	{ "json", no_argument, NULL, (code) }, \
	{ "junit", required_argument, NULL, (code) }, \
	{ "markdown", required_argument, NULL, (code) }, \
	{ "github", no_argument, NULL, (code) }

/* Help text for the options above, for the commands' --help. */
extern const char compare_options_help[];

/* True when this pair makes the comparison fail under `out`'s policy. */
bool compare_pair_fails(const struct compare_pair *p, const struct compare_outputs *out);

/* 0 (nothing failing) or 6 (LOCUS_EXIT_REGRESSED); env strictness is the caller's. */
int compare_exit_code(const struct compare_result *r, const struct compare_outputs *out);

/* The human table, worst first, with env warnings at the top and one-side-only keys at
 * the bottom. */
void compare_print_table(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out);
/* The whole comparison as JSON ("schema": "locus-compare/1"); new reference. */
json_t *compare_to_json(const struct compare_result *r, const struct compare_outputs *out);
/* JUnit XML: one test case per measurement (one-side-only keys are skipped cases). */
void compare_write_junit(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out);
/* Markdown for a pull-request comment. */
void compare_write_markdown(FILE *f, const struct compare_result *r,
			    const struct compare_outputs *out);
/* GitHub Actions workflow commands (::error/::warning/::notice). */
void compare_print_github(FILE *f, const struct compare_result *r,
			  const struct compare_outputs *out);

/* Write every output `out` asks for (table or JSON to out->output, then junit,
 * markdown, github annotations on stdout).  Returns 0, or -1 after printing the
 * failing file's error. */
int compare_emit(const struct compare_result *r, const struct compare_outputs *out);

/* ------------------------------------------------------------ fingerprints */

/* The fingerprint id of an "env" object: 16 lowercase hex digits of a 64-bit FNV-1a
 * hash over env_critical_keys and their compact JSON values (absent = null).  The
 * host name is deliberately not part of it: CI runners are renamed on every job but
 * measure alike.  buf must hold 17 bytes.  Returns buf. */
char *compare_fingerprint_id(const json_t *env, char *buf);

/* One line describing the critical keys of env ("cpu.model=... kernel.release=..."),
 * malloc'd; NULL on ENOMEM. */
char *compare_fingerprint_text(const json_t *env);

/* ------------------------------------------------------------ baseline sets */

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

/* ------------------------------------------------------------ calibration */

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
