/*
 * cmd-gate.c — `locus gate --baseline FILE|DIR -- bench ARGS...`: the CI performance
 * gate.
 *
 * Runs the benchmarks (`locus bench ARGS -o TMP` as a child process of this same
 * binary, so the gate measures exactly what `locus bench` measures) --runs M times,
 * each a fresh process (default 3: a process's page placement and neighbours move all
 * of its medians at once, and the median of three runs is not moved by one disturbed
 * run; lib/runs.h merges them), compares the result with the baseline (with a directory: the one saved for this machine's
 * fingerprint by `locus baseline save`), and then re-runs the benchmarks for every
 * suspected regression and compares that measurement again: a regression fails the
 * gate (exit 6) only when it shows up in the first round and in every confirmation
 * round (M runs each).
 * One unlucky run is the most common false alarm of a performance gate; confirming
 * costs a rerun only when something looks wrong.  The other common one is run-to-run
 * drift that a single baseline run cannot show: with a baseline store the whole set of
 * saved runs for this fingerprint is compared against (report/compare-verdict.h, rules 7-9:
 * with 3 or more runs a run-level t test, Holm-adjusted, on top of the pooled one),
 * and --save-on-pass appends every passing run to it, so the set follows the machine.
 *
 * SIGINT, SIGTERM and SIGHUP are passed on to the running bench (src/spawn-self.c); the
 * gate waits for it, removes its temporary files and exits 128 + the signal.
 *
 * For tests, LOCUS_GATE_BENCH_CMD names a program to run instead of this binary; it
 * gets the same arguments ("bench ARGS... -o FILE") and LOCUS_GATE_RUN=1,2,... in its
 * environment.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cmd.h"
#include "baseline.h"
#include "compare.h"
#include "compare-config.h"
#include "compare-options.h"
#include "compare-output.h"
#include "env.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "result.h"
#include "runs.h"
#include "history.h"

enum {
	O_COMPARE = 256,
	O_BASELINE,
	O_CONFIRM,
	O_KEEP,
	O_SAVE,
	O_HISTORY,
	O_RUNS,
};

#define MAX_CONFIRM 10
#define MAX_RUNS 20
/* Fresh processes per round.  Measured on the development VM (docs/compare.md, 40
 * quick-suite runs, 10-run baselines, 112 trials): with one run per round 4.5% of A/A
 * trials failed the gate, with the median of three 0.9%; a 10% slowdown was caught in
 * every trial either way. */
#define DEFAULT_RUNS 3

static void gate_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus gate --baseline FILE|DIR [OPTIONS] -- [bench] NAME [BENCH OPTIONS]\n"
		"\n"
		"The CI performance gate: run `locus bench NAME [BENCH OPTIONS]`, compare the\n"
		"result with the baseline like `locus compare`, and re-run the benchmark for\n"
		"every suspected regression, comparing that measurement again: only a regression\n"
		"that shows up in the first round and in every confirmation round fails the\n"
		"gate.  A round is --runs fresh runs, merged (default 3).  With a baseline store\n"
		"directory, the set of runs saved for this machine's fingerprint by `locus\n"
		"baseline save` is used (exit 3 when there is none); a directory of result files\n"
		"is a set by itself.  Several baseline runs let the gate tell a regression from\n"
		"run-to-run drift (see `locus compare --help`).\n"
		"\n"
		"Options:\n"
		"  --baseline FILE|DIR the baseline result, a set directory or a store (required)\n"
		"  --runs M            fresh runs of the bench per round, 1..%d (default %d); the\n"
		"                      run level tests the median of their medians\n"
		"  --confirm N         confirmation rounds (M runs each) for a suspected\n"
		"                      regression, 0..%d (default 1; 0 = no confirmation)\n"
		"  --keep-result FILE  also store the first round's runs in FILE, merged (to save\n"
		"                      them as baseline runs: `locus baseline save` splits them)\n"
		"  --history           with a store: compare each measurement only with the runs\n"
		"                      saved since its last change point (`locus baseline\n"
		"                      history`), not with runs of the code before a step\n"
		"  --save-on-pass[=K]  when the gate passes with nothing suspected, append the\n"
		"                      first round's runs to the store --baseline DIR, keeping\n"
		"                      the newest K runs (default %u)\n"
		"%s"
		"\n"
		CMD_COMMON_HELP
		"\n"
		"Exit status: 0 passed, 6 a confirmed regression (or --fail-on), 2 bad input\n"
		"(options, baseline file, --strict-env and the fingerprints differ), 3 no\n"
		"baseline for this machine in DIR, else the benchmark's own exit status when it\n"
		"failed.\n"
		"\n"
		"Examples:\n"
		"  locus gate --baseline base.json -- bench tlb --quick\n"
		"  locus gate --baseline baselines/ --junit perf.xml --github \\\n"
		"      -- bench all --quick\n",
		MAX_RUNS, DEFAULT_RUNS, MAX_CONFIRM, COMPARE_DEFAULT_KEEP, compare_options_help);
}

/* ------------------------------------------------------------ running the bench */

struct bench_cmd {
	char **args;          /* the bench's arguments, without "bench" */
	int nargs;
	const char *sysroot;
	char *tmpdir;
	int runs;             /* fresh runs per round (--runs) */
	bool options_only;    /* the dry run: LOCUS_BENCH_OPTIONS_ONLY=1, nothing measured */
};

/* Run the benchmark once, writing its result to tmpdir/run-N.json.  Returns the path
 * (malloc'd) or NULL with *status set to the exit code the gate should return. */
static char *run_bench(const struct bench_cmd *b, int run, int *status)
{
	const char *prog = getenv("LOCUS_GATE_BENCH_CMD");
	char runbuf[16], *out = NULL;
	const char *env[] = { "LOCUS_GATE_RUN", runbuf,
			      b->options_only ? "LOCUS_BENCH_OPTIONS_ONLY" : NULL, "1", NULL };
	struct spawn_self_opts s = {
		.cmd = "gate", .args = b->args, .nargs = b->nargs, .sysroot = b->sysroot,
		.prog = prog && *prog ? prog : NULL, .env = env,
		/* The gate's stdout carries its report: the bench's chatter goes to stderr. */
		.stdout_to_stderr = true,
	};
	int ws, sig;

	/* (the dry run's variable ends the list early when this is not the dry run) */

	*status = LOCUS_EXIT_FAIL;
	if (asprintf(&out, "%s/run-%d.json", b->tmpdir, run) < 0) {
		locus_error("gate: out of memory");
		return NULL;
	}
	s.out = out;
	snprintf(runbuf, sizeof(runbuf), "%d", run);
	if (!b->options_only)
		locus_info("gate: run %d: locus bench%s%s ...", run, b->nargs ? " " : "",
			   b->nargs ? b->args[0] : "");
	ws = spawn_self(&s, &sig);
	if (sig) {
		locus_error("gate: interrupted by signal %d; the benchmark was stopped", sig);
		*status = 128 + sig;
		goto fail;
	}
	if (ws < 0)
		goto fail;
	if (WIFSIGNALED(ws)) {
		locus_error("gate: the benchmark (run %d) was killed by signal %d", run, WTERMSIG(ws));
		goto fail;
	}
	if (WEXITSTATUS(ws) != 0) {
		int code = WEXITSTATUS(ws);

		if (b->options_only)
			locus_error("gate: the benchmark (its dry run, before anything is measured) "
				    "failed with exit status %d", code);
		else
			locus_error("gate: the benchmark (run %d) failed with exit status %d", run, code);
		/* pass on the bench's own meaning (bad options, skipped, verification) */
		*status = code >= 1 && code <= 5 ? code : LOCUS_EXIT_FAIL;
		goto fail;
	}
	*status = 0;
	return out;
fail:
	unlink(out);
	free(out);
	return NULL;
}

static json_t *load_run(const struct bench_cmd *b, int run, int *status)
{
	char *path = run_bench(b, run, status);
	json_t *r;

	if (!path)
		return NULL;
	r = result_load(path);
	unlink(path);
	free(path);
	if (!r) {
		locus_error("gate: the benchmark (run %d) did not write a valid result", run);
		*status = LOCUS_EXIT_FAIL;
	}
	return r;
}

/* One round: b->runs fresh runs of the bench, numbered first, first + 1, ..., merged
 * into one result (lib/runs.h); a single run is returned as it is. */
static json_t *load_round(const struct bench_cmd *b, int first, int *status)
{
	json_t *one[MAX_RUNS] = { NULL }, *merged = NULL;
	int i;

	for (i = 0; i < b->runs; i++) {
		one[i] = load_run(b, first + i, status);
		if (!one[i])
			goto out;
	}
	if (b->runs == 1)
		return one[0];
	merged = runs_merge(one, (size_t)b->runs);
	if (!merged)
		*status = LOCUS_EXIT_FAIL;
out:
	for (i = 0; i < b->runs; i++)
		json_decref(one[i]);
	return merged;
}

/* ------------------------------------------------------------ history */

/* --history: drop from each baseline run the measurements whose series has a change
 * point after that run (report/history.h), so every measurement is compared with the
 * segment since its last change point.  The runs' files are NNNNNN.json in a set
 * directory; a baseline that is not a store set has no history and is left alone. */
static int since_change_points(struct compare_baseline *base)
{
	struct history h;
	char *dir, *slash;
	size_t dropped = 0, touched = 0;
	int rc;

	if (!base->n || !base->paths[0])
		return 0;
	dir = strdup(base->paths[0]);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	rc = history_load(dir, &h);
	if (rc < 0) {
		free(dir);
		return rc;
	}
	for (size_t s = 0; s < h.n; s++) {
		unsigned long start = history_segment_start(&h, h.s[s].key);
		bool any = false;

		if (!start)
			continue;
		for (size_t i = 0; i < base->n; i++) {
			const char *name = strrchr(base->paths[i], '/');
			unsigned long seq = strtoul(name ? name + 1 : base->paths[i], NULL, 10);
			json_t *ms = json_object_get(base->runs[i], "measurements"), *m;
			size_t j;

			if (seq >= start)
				continue;
			json_array_foreach(ms, j, m) {
				char *key = result_key(m);
				bool same = key && strcmp(key, h.s[s].key) == 0;

				free(key);
				if (same) {
					json_array_remove(ms, j);
					dropped++;
					any = true;
					break;
				}
			}
		}
		touched += any;
	}
	locus_info("gate: --history: %zu run%s in %s; %zu measurement%s compared with the runs "
		   "since their last change point (%zu older run%s left out)", h.runs,
		   h.runs == 1 ? "" : "s", dir, touched, touched == 1 ? "" : "s", dropped,
		   dropped == 1 ? "" : "s");
	history_free(&h);
	free(dir);
	return 0;
}

/* ------------------------------------------------------------ confirmation */

static const json_t *find_measurement(const json_t *result, const char *key)
{
	const json_t *arr = json_object_get(result, "measurements");
	json_t *m;
	size_t i;

	json_array_foreach(arr, i, m) {
		char *k = result_key(m);
		bool same = k && strcmp(k, key) == 0;

		free(k);
		if (same)
			return m;
	}
	return NULL;
}

static void set_note(struct compare_pair *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_note(struct compare_pair *p, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(p->note);
	p->note = s;
}

/*
 * Re-run the bench up to `confirm` times while suspects remain; a suspect stays one
 * only while every rerun fails it again.  The reruns' results are kept in runs[] (the
 * pairs point into them).  Returns 0 or the exit status of a failed run.
 */
static int confirm_suspects(struct compare_result *res, const struct bench_cmd *b,
			    const struct compare_opts *o, const struct compare_outputs *out,
			    int confirm, json_t **runs)
{
	bool *suspect = calloc(res->n_pairs + 1, sizeof(*suspect));
	char (*first)[64] = calloc(res->n_pairs + 1, sizeof(*first));
	struct compare_pair *np = calloc(res->n_pairs + 1, sizeof(*np));
	size_t *idx = calloc(res->n_pairs + 1, sizeof(*idx));
	size_t left = 0;
	int status = 0;
	/* "first run regressed +20.0%; confirmed by 1 rerun", or with --runs: rounds */
	const char *what = b->runs > 1 ? "round" : "run";
	const char *re = b->runs > 1 ? "confirmation round" : "rerun";

	if (!suspect || !first || !np || !idx) {
		status = LOCUS_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < res->n_pairs; i++) {
		const struct compare_pair *p = &res->pairs[i];

		if (!compare_pair_fails(p, out))
			continue;
		suspect[i] = true;
		left++;
		snprintf(first[i], sizeof(first[i]), "first %s %s %+.1f%%", what,
			 compare_verdict_name(p->verdict), (p->ratio - 1.0) * 100.0);
	}
	if (left && confirm)
		locus_info("gate: %zu suspected regression%s; confirming with up to %d round%s "
			   "of %d run%s", left, left == 1 ? "" : "s", confirm, confirm == 1 ? "" : "s",
			   b->runs, b->runs == 1 ? "" : "s");
	for (int k = 1; k <= confirm && left; k++) {
		size_t cnt = 0;

		runs[k] = load_round(b, k * b->runs + 1, &status);
		if (!runs[k])
			goto out;
		for (size_t i = 0; i < res->n_pairs; i++) {
			struct compare_pair *p = &res->pairs[i];
			const json_t *m;

			if (!suspect[i])
				continue;
			m = find_measurement(runs[k], p->key);
			if (!m) {
				p->verdict = VERDICT_INCONCLUSIVE;
				p->reason = "not confirmed: missing from the confirmation run";
				set_note(p, "%s; missing from %s %d", first[i], re, k);
				suspect[i] = false;
				left--;
				continue;
			}
			if (compare_measurements_set(p->base_set, p->n_base_set, m, o, &np[cnt]) < 0) {
				for (size_t j = 0; j < cnt; j++)
					compare_pair_clear(&np[j]);
				status = LOCUS_EXIT_FAIL;
				goto out;
			}
			idx[cnt++] = i;
		}
		/* the re-measured suspects are one comparison: one family */
		compare_adjust(np, cnt, o->correction);
		for (size_t j = 0; j < cnt; j++) {
			size_t i = idx[j];

			if (compare_pair_fails(&np[j], out)) {
				set_note(&np[j], "confirmed by %d %s%s; %s", k, re, k == 1 ? "" : "s",
					 first[i]);
			} else {
				set_note(&np[j], "%s; not confirmed by %s %d", first[i], re, k);
				suspect[i] = false;
				left--;
			}
			compare_pair_clear(&res->pairs[i]);
			res->pairs[i] = np[j];
		}
	}
out:
	free(suspect);
	free(first);
	free(np);
	free(idx);
	compare_sort(res);
	return status;
}

/* ------------------------------------------------------------ the command */

static void remove_tmpdir(char *dir)
{
	if (dir && rmdir(dir) < 0 && errno != ENOENT)
		locus_warn("gate: cannot remove %s: %s", dir, strerror(errno));
	free(dir);
}

int cmd_gate(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, O_BASELINE },
		{ "confirm", required_argument, NULL, O_CONFIRM },
		{ "runs", required_argument, NULL, O_RUNS },
		{ "keep-result", required_argument, NULL, O_KEEP },
		{ "save-on-pass", optional_argument, NULL, O_SAVE },
		{ "history", no_argument, NULL, O_HISTORY },
		COMPARE_LONG_OPTIONS(O_COMPARE),
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct compare_outputs out = { .alpha = o.alpha, .threshold = o.threshold };
	struct compare_config *config = NULL;
	struct compare_result res = { 0 };
	struct bench_cmd b = { .sysroot = ctx->sysroot };
	json_t *runs[MAX_CONFIRM + 1] = { NULL };
	struct compare_baseline base = { 0 };
	const char *baseline = NULL, *keep = NULL;
	char *label = NULL, tmpl[4096];
	long confirm = 1, save_keep = 0, nruns = DEFAULT_RUNS;
	int c, idx, rc;
	bool have_res = false, use_history = false;
	size_t suspects = 0;

	/* '+': stop at the first non-option, so "gate --baseline b bench tlb --quick"
	 * leaves --quick to the bench even without "--". */
	while ((c = cmd_getopt(argc, argv, "+o:h", opts, &idx)) != -1) {
		switch (c) {
		case O_COMPARE:
			if (compare_set_option(opts[idx].name, optarg, &o, &out) < 0)
				return LOCUS_EXIT_USAGE;
			break;
		case 'o':
			if (compare_set_option("output", optarg, &o, &out) < 0)
				return LOCUS_EXIT_USAGE;
			break;
		case O_BASELINE:
			baseline = optarg;
			break;
		case O_CONFIRM:
			if (parse_long("--confirm", optarg, 0, MAX_CONFIRM, &confirm) < 0)
				return LOCUS_EXIT_USAGE;
			break;
		case O_RUNS:
			if (parse_long("--runs", optarg, 1, MAX_RUNS, &nruns) < 0)
				return LOCUS_EXIT_USAGE;
			break;
		case O_HISTORY:
			use_history = true;
			break;
		case O_KEEP:
			keep = optarg;
			break;
		case O_SAVE:
			save_keep = COMPARE_DEFAULT_KEEP;
			if (optarg && parse_long("--save-on-pass", optarg, 1, COMPARE_MAX_KEEP,
						 &save_keep) < 0)
				return LOCUS_EXIT_USAGE;
			break;
		case 'h':
			gate_usage(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error("gate");
		}
	}
	if (!baseline) {
		locus_error("gate: --baseline FILE|DIR is required");
		return cmd_usage_error("gate");
	}
	b.args = argv + optind;
	b.nargs = argc - optind;
	if (b.nargs && strcmp(b.args[0], "bench") == 0) {
		b.args++;
		b.nargs--;
	}
	if (b.nargs == 0) {
		locus_error("gate: no benchmark given; e.g. locus gate --baseline %s -- bench all --quick",
			    baseline);
		return cmd_usage_error("gate");
	}
	if (out.github && out.json && output_is_stdout(out.output)) {
		locus_error("gate: --github annotations and --json both go to stdout; "
			    "write the JSON with -o FILE");
		return LOCUS_EXIT_USAGE;
	}
	if (access(baseline, R_OK) != 0) {
		locus_error("%s: cannot read the baseline: %s", baseline, strerror(errno));
		return LOCUS_EXIT_USAGE;
	}
	/* The baseline is input: a bad one is refused before anything is measured, by the
	 * dry run below (it loads the baseline with the run's own fingerprint, so an
	 * empty store or one without this machine is decided there too). */
	if (cmd_clobbers("gate", "-o", out.output, baseline) ||
	    cmd_clobbers("gate", "--markdown", out.markdown, baseline) ||
	    cmd_clobbers("gate", "--junit", out.junit, baseline) ||
	    cmd_clobbers("gate", "--keep-result", keep, baseline))
		return LOCUS_EXIT_USAGE;
	if (save_keep) {
		char **ids = NULL;
		size_t n = 0;
		struct stat st;

		if (stat(baseline, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    compare_baseline_ids(baseline, &ids, NULL, &n) < 0 || n == 0) {
			locus_error("gate: --save-on-pass: '%s' is not a baseline store (a directory "
				    "made by 'locus baseline save DIR RESULT.json')", baseline);
			return LOCUS_EXIT_USAGE;
		}
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
	}
	if (out.config_path) {
		rc = compare_config_load(out.config_path, &config);
		if (rc < 0)
			return rc == -ENOMEM ? LOCUS_EXIT_FAIL : LOCUS_EXIT_USAGE;
		o.config = config;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/locus-gate.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpl)) {
		locus_error("gate: cannot create a temporary directory in %s: %s",
			    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
		compare_config_free(config);
		return LOCUS_EXIT_FAIL;
	}
	b.tmpdir = strdup(tmpl);
	b.runs = (int)nruns;

	/* Before anything is measured: the bench's own dry run (it parses its options,
	 * fingerprints the machine and writes run.options without running a benchmark)
	 * tells whether the baseline has runs for this machine and whether they were made
	 * with the same options.  An empty store or another experiment is known now, not
	 * after three runs of the suite. */
	b.options_only = true;
	runs[0] = load_run(&b, 0, &rc);
	b.options_only = false;
	if (!runs[0])
		goto done;
	rc = compare_baseline_load(baseline, json_object_get(runs[0], "env"), &base);
	if (rc < 0) {
		rc = rc == -ENOENT ? LOCUS_EXIT_SKIP : rc == -ENOMEM ? LOCUS_EXIT_FAIL :
		     LOCUS_EXIT_USAGE;
		goto done;
	}
	if (cmd_check_options(base.runs, base.n, runs[0], &out, "gate") < 0) {
		rc = LOCUS_EXIT_USAGE;
		goto done;
	}
	compare_baseline_free(&base);
	memset(&base, 0, sizeof(base));
	json_decref(runs[0]);

	runs[0] = load_round(&b, 1, &rc);
	if (!runs[0])
		goto done;
	rc = compare_baseline_load(baseline, json_object_get(runs[0], "env"), &base);
	if (rc < 0) {
		/* no baseline for this machine (or an empty set): nothing to gate against */
		rc = rc == -ENOENT ? LOCUS_EXIT_SKIP : rc == -ENOMEM ? LOCUS_EXIT_FAIL :
		     LOCUS_EXIT_USAGE;
		goto done;
	}
	if (use_history && since_change_points(&base) < 0) {
		rc = LOCUS_EXIT_FAIL;
		goto done;
	}
	if (keep && result_write(runs[0], keep) < 0) {
		rc = LOCUS_EXIT_FAIL;
		goto done;
	}
	if (compare_results_set((const json_t *const *)base.runs, base.n, runs[0], &o, &res) < 0) {
		rc = LOCUS_EXIT_FAIL;
		goto done;
	}
	have_res = true;
	/* A fingerprint difference under --strict-env stops the gate before any rerun. */
	if (res.n_env_diffs && out.strict_env) {
		out.baseline_name = base.name;
		out.current_name = "this run";
		rc = cmd_compare_finish(&res, &out, "gate");
		goto done;
	}
	for (size_t i = 0; i < res.n_pairs; i++)
		suspects += compare_pair_fails(&res.pairs[i], &out);
	rc = confirm_suspects(&res, &b, &o, &out, (int)confirm, runs);
	if (rc)
		goto done;
	if (asprintf(&label, "locus bench %s%s (this run)", b.args[0], b.nargs > 1 ? " ..." : "") < 0)
		label = NULL;
	out.baseline_name = base.name;
	out.current_name = label ? label : "this run";
	rc = cmd_compare_finish(&res, &out, "gate");
	/* A run with suspects that were not confirmed passes, but is not saved: if one was
	 * a real regression that a lucky rerun hid, saving it would widen the set's range
	 * and mask the regression for the next K gates. */
	if (rc == LOCUS_EXIT_OK && save_keep && suspects) {
		locus_info("gate: passed, but this round is not saved as a baseline: %zu suspected "
			   "regression%s (not confirmed)", suspects, suspects == 1 ? "" : "s");
	} else if (rc == LOCUS_EXIT_OK && save_keep) {
		char *stored = NULL;
		size_t n = 0, dropped = 0;

		if (compare_baseline_save(baseline, runs[0], (unsigned)save_keep, &stored, &n,
					  &dropped) < 0) {
			rc = LOCUS_EXIT_FAIL;
		} else {
			locus_info("gate: passed; saved %s as %s (%zu run%s kept%s)",
				   b.runs == 1 ? "this run" : "this round's runs, the last", stored, n,
				   n == 1 ? "" : "s", dropped ? ", the oldest removed" : "");
			free(stored);
		}
	}
done:
	if (have_res)
		compare_result_free(&res);
	for (int i = 0; i <= MAX_CONFIRM; i++)
		json_decref(runs[i]);
	compare_baseline_free(&base);
	compare_config_free(config);
	remove_tmpdir(b.tmpdir);
	free(label);
	return rc;
}
