/* SPDX-License-Identifier: MIT */
/*
 * cmd-compare.c — `locus compare BASELINE CURRENT.json`: is CURRENT slower?
 *
 * BASELINE is one result file, or several runs (a directory of them, a baseline store
 * directory, or --baseline-run FILE repeated): one run cannot show how far separate
 * runs of the same code drift apart, several can (report/compare-verdict.h, rules 7-9).
 * Loads and validates the result files, matches measurements by key, and reports a
 * verdict per measurement (lib/stattest.h has the statistics, report/compare-verdict.h
 * the exact rule); exit 6 when anything regressed, so CI can gate on it.  The hidden `--calibrate`
 * mode measures how often that rule raises a false alarm on A/A pseudo-runs resampled
 * from one recorded result, and how often it catches injected slowdowns; it is what
 * scripts/gate-calibration runs, kept in C so it exercises exactly the code the gate
 * uses.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "baseline.h"
#include "calibrate.h"
#include "compare.h"
#include "compare-config.h"
#include "compare-options.h"
#include "compare-output.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "result.h"
#include "runs.h"

enum {
	O_COMPARE = 256,   /* a comparison option handled by compare_set_option() */
	O_CALIBRATE,
	O_TRIALS,
	O_SEED,
	O_SLOWDOWNS,
	O_INJECT,
	O_BASELINE_RUN,
	O_CURRENT_RUN,
};

static void compare_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus compare [OPTIONS] BASELINE CURRENT.json\n"
		"       locus compare [OPTIONS] --baseline-run FILE... CURRENT.json\n"
		"       locus compare [OPTIONS] BASELINE --current-run FILE...\n"
		"\n"
		"BASELINE is a result file (one run), a directory of result files (a set of\n"
		"runs), or a baseline store made by `locus baseline save` (the set saved for\n"
		"CURRENT's machine fingerprint is used).  With two or more baseline runs their\n"
		"samples are pooled, and a measurement regresses only when it also passes the\n"
		"run-level test: with 3 or more runs, a one-sided t test of the current median\n"
		"against the runs' medians (log scale, Holm-adjusted) and worse than their\n"
		"median by the threshold; with 2 runs, worse than both runs' medians by the\n"
		"threshold (the run-to-run spread is shown).\n"
		"A single-run baseline cannot account for run-to-run noise: it is warned about.\n"
		"\n"
		"Compare two locus result files measurement by measurement (matched by bench,\n"
		"metric and labels).  For each: medians, the ratio of medians in the bad\n"
		"direction with a bootstrap confidence interval, the Hodges-Lehmann shift and a\n"
		"two-sided Mann-Whitney U p-value.  A measurement regressed only when the change\n"
		"is significant (p < alpha) and at least the threshold; it is inconclusive when\n"
		"there are too few samples or the interval straddles the threshold.  The\n"
		"environment fingerprints are compared first; measurements present in one file\n"
		"only are listed.\n"
		"\n"
		"Options:\n"
		"  --baseline-run FILE one run of the baseline (repeat for each run); then the\n"
		"                      only argument is CURRENT.json\n"
		"  --current-run FILE  one run of the current side (repeat for each run; what\n"
		"                      `locus gate --runs M` compares): samples pooled, and the\n"
		"                      run level tests the median of the runs' medians as one\n"
		"                      run; then the only argument is BASELINE\n"
		"%s"
		"\n"
		CMD_COMMON_HELP_FILES
		"\n"
		"Config file lines: PATTERN KEY=VALUE..., e.g. 'tlb/latency threshold=10%%\n"
		"alpha=0.005'; PATTERN is a glob on bench/metric (or on the whole key when it\n"
		"contains '{'); later lines win; '#' starts a comment.\n"
		"\n"
		"Exit status: 0 nothing regressed, 6 something regressed (or failed --fail-on),\n"
		"2 bad input (unreadable or invalid result, bad option, --strict-env and the\n"
		"fingerprints differ, no measurement in common, a baseline store without\n"
		"CURRENT's fingerprint), 1 failure.\n"
		"\n"
		"Examples:\n"
		"  locus compare base.json new.json\n"
		"  locus compare baselines/ new.json\n"
		"  locus compare --baseline-run a.json --baseline-run b.json new.json\n"
		"  locus compare baselines/ --current-run n1.json --current-run n2.json \\\n"
		"      --current-run n3.json\n"
		"  locus compare --threshold 10 --junit report.xml base.json new.json\n"
		"  locus compare --json -o diff.json --markdown pr.md base.json new.json\n",
		compare_options_help);
}

/* The current side from several runs (--current-run): loaded, validated and merged
 * (lib/runs.h).  NULL after printing the problem. */
static json_t *load_current_runs(const char *const *paths, size_t n)
{
	json_t **r = calloc(n, sizeof(*r)), *merged = NULL;
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < n; i++)
		if (!(r[i] = result_load(paths[i])))
			break;
	if (i == n)
		merged = runs_merge(r, n);
	for (size_t j = 0; j < n; j++)
		json_decref(r[j]);
	free(r);
	return merged;
}

/* ------------------------------------------------------------ calibration */

static int parse_slowdowns(const char *s, double *v, size_t max, size_t *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int rc = 0;

	*n = 0;
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == max) {
			rc = locus_fail(EINVAL, "--slowdowns: at most %zu values", max);
			break;
		}
		if (parse_double("--slowdowns", tok, 0.0, 1000.0, &v[*n]) < 0) {
			rc = -EINVAL;
			break;
		}
		v[(*n)++] /= 100.0;
	}
	if (!rc && !*n)
		rc = locus_fail(EINVAL, "--slowdowns: '%s' lists no value", s);
	free(copy);
	return rc < 0 ? -EINVAL : 0;
}

static void pct(char *buf, size_t len, size_t k, size_t n)
{
	snprintf(buf, len, "%zu (%.2f%%)", k, n ? 100.0 * (double)k / (double)n : 0.0);
}

static int calibrate(const char *path, const struct compare_opts *o,
		     const struct compare_outputs *out, unsigned trials, unsigned long seed,
		     const double *slow, size_t n_slow)
{
	struct compare_calib_row rows[16];
	size_t n_meas;
	json_t *r = result_load(path);
	FILE *f;
	int rc;

	if (!r)
		return LOCUS_EXIT_USAGE;
	for (size_t i = 0; i < n_slow; i++)
		rows[i].slowdown = slow[i];
	rc = compare_calibrate(r, o, trials, seed, rows, n_slow);
	json_decref(r);
	if (rc < 0)
		return locus_exit_code(rc);
	n_meas = trials ? rows[0].comparisons / trials : 0;
	f = output_open(out->output);
	if (!f)
		return LOCUS_EXIT_FAIL;
	if (out->json) {
		json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:[]}",
				      "schema", "locus-calibration/1", "result", path,
				      "measurements", (json_int_t)n_meas, "trials", (json_int_t)trials,
				      "seed", (json_int_t)seed, "alpha", o->alpha,
				      "threshold", o->threshold, "rows");

		for (size_t i = 0; i < n_slow; i++) {
			const struct compare_calib_row *w = &rows[i];

			json_array_append_new(json_object_get(j, "rows"), json_pack(
				"{s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				"slowdown", w->slowdown, "comparisons", (json_int_t)w->comparisons,
				"regressed", (json_int_t)w->count[VERDICT_REGRESSED],
				"confirmed", (json_int_t)w->confirmed,
				"inconclusive", (json_int_t)w->count[VERDICT_INCONCLUSIVE],
				"unchanged", (json_int_t)w->count[VERDICT_UNCHANGED],
				"improved", (json_int_t)w->count[VERDICT_IMPROVED],
				"runs", (json_int_t)w->runs, "runs_flagged", (json_int_t)w->runs_flagged,
				"runs_flagged_confirmed", (json_int_t)w->runs_flagged_confirmed));
		}
		json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', f);
		json_decref(j);
	} else {
		fprintf(f, "locus gate calibration on %s: %zu measurements x %u trials, seed %lu\n"
			"alpha %g, threshold %g%%; each comparison is two bootstrap pseudo-runs of a\n"
			"measurement's recorded samples, the second slowed down by the row's amount;\n"
			"'confirmed' also regresses against a fresh pseudo-run (what the gate does);\n"
			"a run is all measurements of one trial, flagged when any of them regressed.\n\n",
			path, n_meas, trials, seed, o->alpha, o->threshold * 100.0);
		fprintf(f, "%-9s %11s %-17s %-17s %-17s %-20s %s\n", "SLOWDOWN", "COMPARISONS",
			"REGRESSED", "CONFIRMED", "INCONCLUSIVE", "RUNS FLAGGED", "RUNS CONFIRMED");
		for (size_t i = 0; i < n_slow; i++) {
			const struct compare_calib_row *w = &rows[i];
			char a[40], b[40], c[40], d[40], e[40], s[24];

			if (w->slowdown == 0.0)
				snprintf(s, sizeof(s), "A/A");
			else
				snprintf(s, sizeof(s), "+%g%%", w->slowdown * 100.0);
			pct(a, sizeof(a), w->count[VERDICT_REGRESSED], w->comparisons);
			pct(b, sizeof(b), w->confirmed, w->comparisons);
			pct(c, sizeof(c), w->count[VERDICT_INCONCLUSIVE], w->comparisons);
			pct(d, sizeof(d), w->runs_flagged, w->runs);
			pct(e, sizeof(e), w->runs_flagged_confirmed, w->runs);
			fprintf(f, "%-9s %11zu %-17s %-17s %-17s %-20s %s\n", s, w->comparisons,
				a, b, c, d, e);
		}
		fprintf(f, "\nA/A rows: REGRESSED is the false-alarm rate (target <= 1%%); slowdown\n"
			"rows: it is the detection rate (target for +10%% with a 5%% threshold: >= 95%%).\n");
	}
	return output_close(f, out->output) < 0 ? LOCUS_EXIT_FAIL : LOCUS_EXIT_OK;
}

/* ------------------------------------------------------------ the command */

static const struct option compare_long_opts[] = {
	COMPARE_LONG_OPTIONS(O_COMPARE),
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	/* hidden: calibration (scripts/gate-calibration) */
	{ "calibrate", no_argument, NULL, O_CALIBRATE },
	{ "trials", required_argument, NULL, O_TRIALS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "slowdowns", required_argument, NULL, O_SLOWDOWNS },
	{ "inject-slowdown", required_argument, NULL, O_INJECT },
	{ "baseline-run", required_argument, NULL, O_BASELINE_RUN },
	{ "current-run", required_argument, NULL, O_CURRENT_RUN },
	{ NULL, 0, NULL, 0 },
};

/* What `locus compare` was asked. */
struct compare_req {
	struct compare_opts o;
	struct compare_outputs out;
	struct compare_config *config;  /* --config, loaded */
	bool calib;                     /* --calibrate, with: */
	long trials, seed;
	double slow[16];
	size_t n_slow;
	const char **runs, **curs;      /* --baseline-run, --current-run (argc slots) */
	size_t n_runs, n_curs;
	char **args;                    /* the arguments after the options */
	int nargs;
};

static void compare_req_free(struct compare_req *q)
{
	compare_config_free(q->config);
	free(q->runs);
	free(q->curs);
}

/* One option from getopt.  Returns -1 to go on, or the exit code. */
static int compare_option(struct compare_req *q, int c, int idx)
{
	double p;

	switch (c) {
	case O_COMPARE:
		return compare_set_option(compare_long_opts[idx].name, optarg, &q->o, &q->out) < 0 ?
		       LOCUS_EXIT_USAGE : -1;
	case 'o':
		return compare_set_option("output", optarg, &q->o, &q->out) < 0 ? LOCUS_EXIT_USAGE : -1;
	case O_CALIBRATE:
		q->calib = true;
		return -1;
	case O_TRIALS:
		return parse_long("--trials", optarg, 1, 1000000, &q->trials) < 0 ? LOCUS_EXIT_USAGE : -1;
	case O_SEED:
		return parse_long("--seed", optarg, 0, 0x7fffffffL, &q->seed) < 0 ? LOCUS_EXIT_USAGE : -1;
	case O_SLOWDOWNS:
		return parse_slowdowns(optarg, q->slow, sizeof(q->slow) / sizeof(q->slow[0]),
				       &q->n_slow) < 0 ? LOCUS_EXIT_USAGE : -1;
	case O_INJECT:
		if (parse_double("--inject-slowdown", optarg, 0.0, 1000.0, &p) < 0)
			return LOCUS_EXIT_USAGE;
		q->o.inject = p / 100.0;
		return -1;
	case O_BASELINE_RUN:
		q->runs[q->n_runs++] = optarg;
		return -1;
	case O_CURRENT_RUN:
		q->curs[q->n_curs++] = optarg;
		return -1;
	case 'h':
		compare_usage(stdout);
		return LOCUS_EXIT_OK;
	default:
		return cmd_usage_error("compare");
	}
}

/* The options and the arguments after them.  Returns -1 to go on, or the exit code. */
static int compare_parse(int argc, char **argv, struct compare_req *q)
{
	int c, idx, rc;

	q->runs = calloc((size_t)argc + 1, sizeof(*q->runs));
	q->curs = calloc((size_t)argc + 1, sizeof(*q->curs));
	if (!q->runs || !q->curs) {
		locus_error("compare: out of memory");
		return LOCUS_EXIT_FAIL;
	}
	while ((c = cmd_getopt(argc, argv, "o:h", compare_long_opts, &idx)) != -1)
		if ((rc = compare_option(q, c, idx)) >= 0)
			return rc;
	q->args = argv + optind;
	q->nargs = argc - optind;
	return -1;
}

/* Would an output overwrite an input (a result, a baseline directory, the config)?
 * Then one line says which, and it is true. */
static bool outputs_clobber_inputs(const struct compare_req *q)
{
	const char *outs[][2] = { { "-o", q->out.output }, { "--markdown", q->out.markdown },
				  { "--junit", q->out.junit } };

	for (size_t k = 0; k < 3; k++) {
		const char *opt = outs[k][0], *path = outs[k][1];

		for (int i = 0; i < q->nargs; i++)
			if (cmd_clobbers("compare", opt, path, q->args[i]))
				return true;
		for (size_t i = 0; i < q->n_runs; i++)
			if (cmd_clobbers("compare", opt, path, q->runs[i]))
				return true;
		for (size_t i = 0; i < q->n_curs; i++)
			if (cmd_clobbers("compare", opt, path, q->curs[i]))
				return true;
		if (cmd_clobbers("compare", opt, path, q->out.config_path))
			return true;
	}
	return false;
}

/* What is refused before any result is read; the config file is loaded here.  Returns
 * -1 to go on, or the exit code. */
static int compare_validate(struct compare_req *q)
{
	int want;

	if (q->n_runs && q->n_curs) {
		locus_error("compare: --baseline-run and --current-run cannot be combined; give "
			    "the baseline runs as a directory (BASELINE) with --current-run");
		return cmd_usage_error("compare");
	}
	if (q->calib && q->n_curs) {
		locus_error("compare: --current-run does not go with --calibrate");
		return cmd_usage_error("compare");
	}
	want = q->calib || q->n_runs || q->n_curs ? 1 : 2;
	if (q->nargs != want) {
		locus_error("compare: expected %s, got %d argument%s",
			    q->calib ? "one RESULT.json with --calibrate" :
			    q->n_runs ? "only CURRENT.json with --baseline-run" :
			    q->n_curs ? "only BASELINE with --current-run" : "BASELINE CURRENT.json",
			    q->nargs, q->nargs == 1 ? "" : "s");
		return cmd_usage_error("compare");
	}
	if (cmd_compare_outputs_conflict("compare", &q->out))
		return LOCUS_EXIT_USAGE;
	/* An output that is one of the inputs would be overwritten by the table. */
	if (outputs_clobber_inputs(q))
		return LOCUS_EXIT_USAGE;
	return cmd_compare_load_config(&q->out, &q->o, &q->config);
}

bool cmd_compare_outputs_conflict(const char *cmd, const struct compare_outputs *out)
{
	if (!(out->github && out->json && output_is_stdout(out->output)))
		return false;
	locus_error("%s: --github annotations and --json both go to stdout; write the JSON "
		    "with -o FILE", cmd);
	return true;
}

int cmd_compare_load_config(const struct compare_outputs *out, struct compare_opts *o,
			    struct compare_config **config)
{
	int rc;

	if (!out->config_path)
		return -1;
	rc = compare_config_load(out->config_path, config);
	if (rc < 0)
		return rc == -ENOENT ? LOCUS_EXIT_USAGE : locus_exit_code(rc);
	o->config = *config;
	return -1;
}

/* Load the current side and the baseline, compare them and write the outputs.
 * Returns the exit code. */
static int compare_files(struct compare_req *q)
{
	struct compare_baseline base = { 0 };
	struct compare_result res;
	json_t *cur;
	int rc = LOCUS_EXIT_USAGE;

	if (q->n_curs) {
		cur = load_current_runs(q->curs, q->n_curs);
		q->out.current_name = q->n_curs == 1 ? q->curs[0] : "the --current-run files";
	} else {
		q->out.current_name = q->args[q->nargs - 1];
		cur = result_load(q->out.current_name);
	}
	if (!cur)
		return LOCUS_EXIT_USAGE;
	if (!q->n_runs)
		q->runs[q->n_runs++] = q->args[0];
	for (size_t i = 0; i < q->n_runs; i++) {
		int e = compare_baseline_load(q->runs[i], json_object_get(cur, "env"), &base);

		if (e < 0) {
			rc = e == -ENOENT ? LOCUS_EXIT_USAGE : locus_exit_code(e);
			goto done;
		}
	}
	q->out.baseline_name = q->n_runs == 1 ? base.name : "the --baseline-run files";
	if (cmd_check_options(base.runs, base.n, cur, &q->out, "compare") < 0)
		goto done;
	if (compare_results_set((const json_t *const *)base.runs, base.n, cur, &q->o, &res) < 0) {
		rc = LOCUS_EXIT_FAIL;
		goto done;
	}
	rc = cmd_compare_finish(&res, &q->out, "compare");
	compare_result_free(&res);
done:
	compare_baseline_free(&base);
	json_decref(cur);
	return rc;
}

int cmd_compare(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct compare_req q = {
		.o = COMPARE_OPTS_DEFAULT,
		.trials = 200, .seed = 1,
		.slow = { 0.0, 0.05, 0.10, 0.20 }, .n_slow = 4,
	};
	int rc;

	(void)ctx;
	q.out.alpha = q.o.alpha;
	q.out.threshold = q.o.threshold;
	rc = compare_parse(argc, argv, &q);
	if (rc < 0)
		rc = compare_validate(&q);
	if (rc < 0 && q.calib)
		rc = calibrate(q.args[0], &q.o, &q.out, (unsigned)q.trials, (unsigned long)q.seed,
			       q.slow, q.n_slow);
	else if (rc < 0)
		rc = compare_files(&q);
	compare_req_free(&q);
	return rc;
}

int cmd_check_options(json_t *const *base, size_t n, const json_t *cur,
		      const struct compare_outputs *out, const char *cmd)
{
	char why[512];

	if (out->allow_option_mismatch)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (compare_option_mismatch(base[i], cur, why, sizeof(why))) {
			locus_error("%s: the baseline%s and the current run were made with different "
				    "options: %s; compare like with like, or pass "
				    "--allow-option-mismatch", cmd, n > 1 ? " runs" : "", why);
			return -EINVAL;
		}
	return 0;
}

int cmd_compare_finish(const struct compare_result *res, const struct compare_outputs *out,
		       const char *cmd)
{
	/* Bad input, before any warning or output: one line, no file written. */
	if (!res->n_pairs) {
		locus_error("%s: %s and %s have no measurement in common", cmd,
			    out->baseline_name, out->current_name);
		return LOCUS_EXIT_USAGE;
	}
	if (res->n_env_diffs) {
		const struct compare_env_diff *d = &res->env_diffs[0];

		if (out->strict_env) { /* bad input: one line, the first difference */
			locus_error("%s: --strict-env: the fingerprints differ: %s: %s (baseline) "
				    "vs %s (current)%s", cmd, d->key, d->base, d->cur,
				    res->n_env_diffs > 1 ? ", and more" : "");
			return LOCUS_EXIT_USAGE;
		}
		locus_warn("%s: the environment fingerprints differ (%s: %s vs %s%s); the "
			   "comparison is not like-for-like", cmd, d->key, d->base, d->cur,
			   res->n_env_diffs > 1 ? ", and more" : "");
	}
	if (res->n_base_runs == 1)
		locus_warn("%s: the baseline is a single run: run-to-run noise is not accounted "
			   "for; compare with several saved runs", cmd);
	if (compare_emit(res, out) < 0)
		return LOCUS_EXIT_FAIL;
	return compare_exit_code(res, out);
}
