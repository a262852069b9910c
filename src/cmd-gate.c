/* SPDX-License-Identifier: MIT */
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

		/* Bad bench arguments: the bench's own one line said which and what is
		 * allowed; a second line would break the one-line rule for exit 2. */
		if (b->options_only && code == LOCUS_EXIT_USAGE)
			;
		else if (b->options_only)
			locus_error("gate: the benchmark (its dry run, before anything is measured) "
				    "failed with exit status %d", code);
		else
			locus_error("gate: the benchmark (run %d) failed with exit status %d", run, code);
		/* pass on the bench's own meaning (bad options, skipped, verification) */
		*status = code >= LOCUS_EXIT_FAIL && code <= LOCUS_EXIT_VERIFY ? code : LOCUS_EXIT_FAIL;
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

static const struct option gate_long_opts[] = {
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

/* What `locus gate` was asked. */
struct gate_req {
	struct compare_opts o;
	struct compare_outputs out;
	struct compare_config *config;  /* --config, loaded */
	struct bench_cmd b;             /* the bench to run */
	const char *baseline, *keep;    /* --baseline, --keep-result */
	long confirm, nruns;            /* --confirm, --runs */
	long save_keep;                 /* --save-on-pass=K, 0 without */
	bool use_history;
};

/* One option from getopt.  Returns -1 to go on, or the exit code. */
static int gate_option(struct gate_req *q, int c, int idx)
{
	switch (c) {
	case O_COMPARE:
		return compare_set_option(gate_long_opts[idx].name, optarg, &q->o, &q->out) < 0 ?
		       LOCUS_EXIT_USAGE : -1;
	case 'o':
		return compare_set_option("output", optarg, &q->o, &q->out) < 0 ? LOCUS_EXIT_USAGE : -1;
	case O_BASELINE:
		q->baseline = optarg;
		return -1;
	case O_CONFIRM:
		return parse_long("--confirm", optarg, 0, MAX_CONFIRM, &q->confirm) < 0 ?
		       LOCUS_EXIT_USAGE : -1;
	case O_RUNS:
		return parse_long("--runs", optarg, 1, MAX_RUNS, &q->nruns) < 0 ? LOCUS_EXIT_USAGE : -1;
	case O_HISTORY:
		q->use_history = true;
		return -1;
	case O_KEEP:
		q->keep = optarg;
		return -1;
	case O_SAVE:
		q->save_keep = COMPARE_DEFAULT_KEEP;
		return optarg && parse_long("--save-on-pass", optarg, 1, COMPARE_MAX_KEEP,
					    &q->save_keep) < 0 ? LOCUS_EXIT_USAGE : -1;
	case 'h':
		gate_usage(stdout);
		return LOCUS_EXIT_OK;
	default:
		return cmd_usage_error("gate");
	}
}

/* The options, then the bench and its arguments.  Returns -1 to go on, or the exit
 * code. */
static int gate_parse(int argc, char **argv, struct gate_req *q)
{
	int c, idx, rc;

	/* '+': stop at the first non-option, so "gate --baseline b bench tlb --quick"
	 * leaves --quick to the bench even without "--". */
	while ((c = cmd_getopt(argc, argv, "+o:h", gate_long_opts, &idx)) != -1)
		if ((rc = gate_option(q, c, idx)) >= 0)
			return rc;
	if (!q->baseline) {
		locus_error("gate: --baseline FILE|DIR is required");
		return cmd_usage_error("gate");
	}
	q->b.args = argv + optind;
	q->b.nargs = argc - optind;
	if (q->b.nargs && strcmp(q->b.args[0], "bench") == 0) {
		q->b.args++;
		q->b.nargs--;
	}
	if (q->b.nargs == 0) {
		locus_error("gate: no benchmark given; e.g. locus gate --baseline %s -- bench all --quick",
			    q->baseline);
		return cmd_usage_error("gate");
	}
	return -1;
}

/* A directory made by `locus baseline save` (what --save-on-pass appends to). */
static bool is_baseline_store(const char *path)
{
	char **ids = NULL;
	size_t n = 0;
	struct stat st;
	bool store = stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		     compare_baseline_ids(path, &ids, NULL, &n) >= 0 && n > 0;

	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return store;
}

/* What is refused before anything runs; the config file is loaded here.  Returns -1
 * to go on, or the exit code. */
static int gate_validate(struct gate_req *q)
{
	const char *baseline = q->baseline;

	if (cmd_compare_outputs_conflict("gate", &q->out))
		return LOCUS_EXIT_USAGE;
	if (access(baseline, R_OK) != 0) {
		locus_error("%s: cannot read the baseline: %s", baseline, strerror(errno));
		return LOCUS_EXIT_USAGE;
	}
	/* The baseline is input: a bad one is refused before anything is measured, by the
	 * dry run (it loads the baseline with the run's own fingerprint, so an empty store
	 * or one without this machine is decided there too). */
	if (cmd_clobbers("gate", "-o", q->out.output, baseline) ||
	    cmd_clobbers("gate", "--markdown", q->out.markdown, baseline) ||
	    cmd_clobbers("gate", "--junit", q->out.junit, baseline) ||
	    cmd_clobbers("gate", "--keep-result", q->keep, baseline))
		return LOCUS_EXIT_USAGE;
	if (q->save_keep && !is_baseline_store(baseline)) {
		locus_error("gate: --save-on-pass: '%s' is not a baseline store (a directory "
			    "made by 'locus baseline save DIR RESULT.json')", baseline);
		return LOCUS_EXIT_USAGE;
	}
	return cmd_compare_load_config(&q->out, &q->o, &q->config);
}

/* The directory the runs write their results to (removed at the end).  Returns -1 to
 * go on, or the exit code. */
static int gate_make_tmpdir(struct gate_req *q)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[4096];

	snprintf(tmpl, sizeof(tmpl), "%s/locus-gate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		locus_error("gate: cannot create a temporary directory in %s: %s",
			    tmp ? tmp : "/tmp", strerror(errno));
		return LOCUS_EXIT_FAIL;
	}
	q->b.tmpdir = strdup(tmpl);
	q->b.runs = (int)q->nruns;
	return -1;
}

/* compare_baseline_load()'s error as the gate's exit code: no runs for this machine
 * (or an empty set) is "skipped", nothing to gate against. */
static int baseline_exit_code(int err)
{
	return err == -ENOENT ? LOCUS_EXIT_SKIP : locus_exit_code(err);
}

/*
 * Before anything is measured: the bench's own dry run (it parses its options,
 * fingerprints the machine and writes run.options without running a benchmark) tells
 * whether the baseline has runs for this machine and whether they were made with the
 * same options.  An empty store or another experiment is known now, not after three
 * runs of the suite.  Returns -1 to go on, or the exit code.
 */
static int gate_dry_run(struct gate_req *q)
{
	struct compare_baseline base = { 0 };
	json_t *dry;
	int rc;

	q->b.options_only = true;
	dry = load_run(&q->b, 0, &rc);
	q->b.options_only = false;
	if (!dry)
		return rc;
	rc = compare_baseline_load(q->baseline, json_object_get(dry, "env"), &base);
	if (rc < 0)
		rc = baseline_exit_code(rc);
	else if (cmd_check_options(base.runs, base.n, dry, &q->out, "gate") < 0)
		rc = LOCUS_EXIT_USAGE;
	else
		rc = -1;
	compare_baseline_free(&base);
	json_decref(dry);
	return rc;
}

/* The first round (runs[0]) compared with the baseline (*base: its runs for this
 * machine; with --history only those since each measurement's last change point).
 * Returns -1 to go on with *res filled, or the exit code. */
static int gate_first_round(struct gate_req *q, json_t **runs, struct compare_baseline *base,
			    struct compare_result *res, bool *have_res)
{
	int rc;

	runs[0] = load_round(&q->b, 1, &rc);
	if (!runs[0])
		return rc;
	rc = compare_baseline_load(q->baseline, json_object_get(runs[0], "env"), base);
	if (rc < 0)
		return baseline_exit_code(rc);
	if (q->use_history && since_change_points(base) < 0)
		return LOCUS_EXIT_FAIL;
	if (q->keep && result_write(runs[0], q->keep) < 0)
		return LOCUS_EXIT_FAIL;
	if (compare_results_set((const json_t *const *)base->runs, base->n, runs[0], &q->o, res) < 0)
		return LOCUS_EXIT_FAIL;
	*have_res = true;
	return -1;
}

/* --save-on-pass: a passing round joins the store (the newest K runs kept).  Returns
 * rc, or 1 when saving failed. */
static int gate_save_on_pass(const struct gate_req *q, json_t *round, size_t suspects, int rc)
{
	char *stored = NULL;
	size_t n = 0, dropped = 0;

	if (rc != LOCUS_EXIT_OK || !q->save_keep)
		return rc;
	/* A run with suspects that were not confirmed passes, but is not saved: if one was
	 * a real regression that a lucky rerun hid, saving it would widen the set's range
	 * and mask the regression for the next K gates. */
	if (suspects) {
		locus_info("gate: passed, but this round is not saved as a baseline: %zu suspected "
			   "regression%s (not confirmed)", suspects, suspects == 1 ? "" : "s");
		return rc;
	}
	if (compare_baseline_save(q->baseline, round, (unsigned)q->save_keep, &stored, &n,
				  &dropped) < 0)
		return LOCUS_EXIT_FAIL;
	locus_info("gate: passed; saved %s as %s (%zu run%s kept%s)",
		   q->b.runs == 1 ? "this run" : "this round's runs, the last", stored, n,
		   n == 1 ? "" : "s", dropped ? ", the oldest removed" : "");
	free(stored);
	return rc;
}

/* Confirm the suspects by rerunning, then the report, the exit code and
 * --save-on-pass.  Returns the exit code. */
static int gate_confirm_and_report(struct gate_req *q, json_t **runs,
				   const struct compare_baseline *base, struct compare_result *res)
{
	size_t suspects = 0;
	char *label = NULL;
	int rc;

	q->out.baseline_name = base->name;
	/* A fingerprint difference under --strict-env stops the gate before any rerun. */
	if (res->n_env_diffs && q->out.strict_env) {
		q->out.current_name = "this run";
		return cmd_compare_finish(res, &q->out, "gate");
	}
	for (size_t i = 0; i < res->n_pairs; i++)
		suspects += compare_pair_fails(&res->pairs[i], &q->out);
	rc = confirm_suspects(res, &q->b, &q->o, &q->out, (int)q->confirm, runs);
	if (rc)
		return rc;
	if (asprintf(&label, "locus bench %s%s (this run)", q->b.args[0],
		     q->b.nargs > 1 ? " ..." : "") < 0)
		label = NULL;
	q->out.current_name = label ? label : "this run";
	rc = cmd_compare_finish(res, &q->out, "gate");
	q->out.current_name = NULL;
	free(label);
	return gate_save_on_pass(q, runs[0], suspects, rc);
}

int cmd_gate(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct gate_req q = {
		.o = COMPARE_OPTS_DEFAULT,
		.b = { .sysroot = ctx->sysroot },
		.confirm = 1, .nruns = DEFAULT_RUNS,
	};
	json_t *runs[MAX_CONFIRM + 1] = { NULL };
	struct compare_baseline base = { 0 };
	struct compare_result res = { 0 };
	bool have_res = false;
	int rc;

	q.out.alpha = q.o.alpha;
	q.out.threshold = q.o.threshold;
	rc = gate_parse(argc, argv, &q);
	if (rc < 0)
		rc = gate_validate(&q);
	if (rc < 0)
		rc = gate_make_tmpdir(&q);
	if (rc < 0)
		rc = gate_dry_run(&q);
	if (rc < 0)
		rc = gate_first_round(&q, runs, &base, &res, &have_res);
	if (rc < 0)
		rc = gate_confirm_and_report(&q, runs, &base, &res);
	if (have_res)
		compare_result_free(&res);
	for (int i = 0; i <= MAX_CONFIRM; i++)
		json_decref(runs[i]);
	compare_baseline_free(&base);
	compare_config_free(q.config);
	remove_tmpdir(q.b.tmpdir);
	return rc;
}
