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
			rc = locus_error("--slowdowns: at most %zu values", max);
			break;
		}
		if (parse_double("--slowdowns", tok, 0.0, 1000.0, &v[*n]) < 0) {
			rc = -EINVAL;
			break;
		}
		v[(*n)++] /= 100.0;
	}
	if (!rc && !*n)
		rc = locus_error("--slowdowns: '%s' lists no value", s);
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
		return rc == -EINVAL ? LOCUS_EXIT_USAGE : LOCUS_EXIT_FAIL;
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

int cmd_compare(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
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
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_outputs out = { .alpha = o.alpha, .threshold = o.threshold };
	struct compare_config *config = NULL;
	struct compare_result res;
	double slow[16] = { 0.0, 0.05, 0.10, 0.20 };
	size_t n_slow = 4;
	bool calib = false;
	long trials = 200, seed = 1;
	json_t *cur = NULL;
	struct compare_baseline base = { 0 };
	const char **runs = calloc((size_t)argc + 1, sizeof(*runs));
	const char **curs = calloc((size_t)argc + 1, sizeof(*curs));
	size_t n_runs = 0, n_curs = 0;
	int c, idx, rc, want;

	(void)ctx;
	if (!runs || !curs) {
		free(curs);
		free(runs);
		return locus_error("compare: out of memory"), LOCUS_EXIT_FAIL;
	}
	while ((c = cmd_getopt(argc, argv, "o:h", opts, &idx)) != -1) {
		switch (c) {
		case O_COMPARE:
			if (compare_set_option(opts[idx].name, optarg, &o, &out) < 0)
				return free(runs), free(curs), LOCUS_EXIT_USAGE;
			break;
		case 'o':
			if (compare_set_option("output", optarg, &o, &out) < 0)
				return free(runs), free(curs), LOCUS_EXIT_USAGE;
			break;
		case O_CALIBRATE:
			calib = true;
			break;
		case O_TRIALS:
			if (parse_long("--trials", optarg, 1, 1000000, &trials) < 0)
				return free(runs), free(curs), LOCUS_EXIT_USAGE;
			break;
		case O_SEED:
			if (parse_long("--seed", optarg, 0, 0x7fffffffL, &seed) < 0)
				return free(runs), free(curs), LOCUS_EXIT_USAGE;
			break;
		case O_SLOWDOWNS:
			if (parse_slowdowns(optarg, slow, 16, &n_slow) < 0)
				return free(runs), free(curs), LOCUS_EXIT_USAGE;
			break;
		case O_INJECT: {
			double p;

			if (parse_double("--inject-slowdown", optarg, 0.0, 1000.0, &p) < 0)
				return free(runs), free(curs), LOCUS_EXIT_USAGE;
			o.inject = p / 100.0;
			break;
		}
		case O_BASELINE_RUN:
			runs[n_runs++] = optarg;
			break;
		case O_CURRENT_RUN:
			curs[n_curs++] = optarg;
			break;
		case 'h':
			compare_usage(stdout);
			free(runs);
			free(curs);
			return LOCUS_EXIT_OK;
		default:
			return free(runs), free(curs), cmd_usage_error("compare");
		}
	}
	if (n_runs && n_curs) {
		locus_error("compare: --baseline-run and --current-run cannot be combined; give "
			    "the baseline runs as a directory (BASELINE) with --current-run");
		return free(runs), free(curs), cmd_usage_error("compare");
	}
	if (calib && n_curs) {
		locus_error("compare: --current-run does not go with --calibrate");
		return free(runs), free(curs), cmd_usage_error("compare");
	}
	want = calib || n_runs || n_curs ? 1 : 2;
	if (argc - optind != want) {
		locus_error("compare: expected %s, got %d argument%s",
			    calib ? "one RESULT.json with --calibrate" :
			    n_runs ? "only CURRENT.json with --baseline-run" :
			    n_curs ? "only BASELINE with --current-run" : "BASELINE CURRENT.json",
			    argc - optind, argc - optind == 1 ? "" : "s");
		return free(runs), free(curs), cmd_usage_error("compare");
	}
	if (out.github && out.json && output_is_stdout(out.output)) {
		locus_error("compare: --github annotations and --json both go to stdout; "
			    "write the JSON with -o FILE");
		return free(runs), free(curs), LOCUS_EXIT_USAGE;
	}
	/* An output that is one of the inputs would be overwritten by the table. */
	{
		const char *outs[][2] = { { "-o", out.output }, { "--markdown", out.markdown },
					  { "--junit", out.junit } };
		bool clobber = false;

		for (size_t k = 0; k < 3 && !clobber; k++) {
			for (int i = optind; i < argc && !clobber; i++)
				clobber = cmd_clobbers("compare", outs[k][0], outs[k][1], argv[i]);
			for (size_t i = 0; i < n_runs && !clobber; i++)
				clobber = cmd_clobbers("compare", outs[k][0], outs[k][1], runs[i]);
			for (size_t i = 0; i < n_curs && !clobber; i++)
				clobber = cmd_clobbers("compare", outs[k][0], outs[k][1], curs[i]);
			if (!clobber)
				clobber = cmd_clobbers("compare", outs[k][0], outs[k][1], out.config_path);
		}
		if (clobber)
			return free(runs), free(curs), LOCUS_EXIT_USAGE;
	}
	if (out.config_path) {
		rc = compare_config_load(out.config_path, &config);
		if (rc < 0)
			return free(runs), free(curs), rc == -ENOMEM ? LOCUS_EXIT_FAIL : LOCUS_EXIT_USAGE;
		o.config = config;
	}
	if (calib) {
		rc = calibrate(argv[optind], &o, &out, (unsigned)trials, (unsigned long)seed,
			       slow, n_slow);
		compare_config_free(config);
		free(runs);
		free(curs);
		return rc;
	}

	rc = LOCUS_EXIT_USAGE;
	if (n_curs) {
		cur = load_current_runs(curs, n_curs);
		out.current_name = n_curs == 1 ? curs[0] : "the --current-run files";
	} else {
		out.current_name = argv[argc - 1];
		cur = result_load(out.current_name);
	}
	if (!cur)
		goto done;
	if (!n_runs)
		runs[n_runs++] = argv[optind];
	for (size_t i = 0; i < n_runs; i++) {
		int e = compare_baseline_load(runs[i], json_object_get(cur, "env"), &base);

		if (e < 0) {
			rc = e == -ENOMEM ? LOCUS_EXIT_FAIL : LOCUS_EXIT_USAGE;
			goto done;
		}
	}
	out.baseline_name = n_runs == 1 ? base.name : "the --baseline-run files";
	if (cmd_check_options(base.runs, base.n, cur, &out, "compare") < 0)
		goto done;
	if (compare_results_set((const json_t *const *)base.runs, base.n, cur, &o, &res) < 0) {
		rc = LOCUS_EXIT_FAIL;
		goto done;
	}
	rc = cmd_compare_finish(&res, &out, "compare");
	compare_result_free(&res);
done:
	compare_baseline_free(&base);
	json_decref(cur);
	compare_config_free(config);
	free(runs);
	free(curs);
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
	if (res->n_env_diffs) {
		const struct compare_env_diff *d = &res->env_diffs[0];

		if (out->strict_env) {
			for (size_t i = 0; i < res->n_env_diffs; i++)
				locus_error("%s: --strict-env: the fingerprints differ: %s: %s (baseline) "
					    "vs %s (current)", cmd, res->env_diffs[i].key,
					    res->env_diffs[i].base, res->env_diffs[i].cur);
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
	if (!res->n_pairs) {
		locus_error("%s: %s and %s have no measurement in common", cmd,
			    out->baseline_name, out->current_name);
		return LOCUS_EXIT_USAGE;
	}
	return compare_exit_code(res, out);
}
