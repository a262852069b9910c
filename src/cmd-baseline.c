/* SPDX-License-Identifier: MIT */
/*
 * cmd-baseline.c — `locus baseline save|list|id`: a directory of baselines, one set of
 * runs per machine fingerprint.
 *
 * A CI pipeline that runs on more than one kind of runner must compare each run with a
 * baseline measured on the same kind of machine; comparing across CPU models or kernels
 * produces regressions that are not in the code.  So a baseline directory holds one
 * result per fingerprint id (report/compare.h: a hash of env_critical_keys, not of the
 * host name, which CI runners change every job), and `locus gate --baseline DIR` picks
 * the one matching the run it just made.  A baseline is a SET of the last K runs
 * (DIR/ID/NNNNNN.json; the old single-file DIR/ID.json still reads), because one run
 * cannot show how far separate runs of the same code drift apart (report/compare-verdict.h,
 * rules 7-9); the layout and the saving live in report/baseline.c.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "baseline.h"
#include "compare.h"
#include "env.h"
#include "log.h"
#include "suggest.h"
#include "parse.h"
#include "result.h"
#include "history.h"
#include "history-plot.h"
#include "plot.h"
#include "stats.h"
#include <time.h>

static void baseline_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus baseline save [--keep K] [--rev REV] DIR RESULT.json\n"
		"       locus baseline list DIR\n"
		"       locus baseline history DIR [RESULT.json]\n"
		"       locus baseline id [RESULT.json]\n"
		"\n"
		"Keep baselines for `locus gate` and `locus compare`, one set of runs per machine\n"
		"fingerprint.  'save' validates RESULT.json and adds it to DIR/ID/ as the newest\n"
		"run, where ID is the fingerprint id of the machine it was measured on (a hash of\n"
		"the critical environment keys: CPU model, microcode, hypervisor, SMT, governor,\n"
		"kernel, THP, NUMA balancing, cgroup limits, compiler; not the host name), and\n"
		"removes the oldest runs beyond K.  Several runs let the comparison see the\n"
		"run-to-run noise one run cannot show.  An old single-file DIR/ID.json is read as\n"
		"the oldest run and moved into DIR/ID/ by the next save.  'list' shows the\n"
		"baselines in DIR with their number of runs.  'id' prints the fingerprint id of a\n"
		"result, or of this machine without an argument (handy as a CI cache key).\n"
		"Every saved run, pruned or not, stays in DIR/ID/history.jsonl with its time and\n"
		"--rev (e.g. a commit id); 'history' shows each measurement over time and the\n"
		"change points in it (E-Divisive means with a permutation test, fixed seed), for\n"
		"this machine's fingerprint (or RESULT.json's, or the only one in DIR);\n"
		"`locus gate --history` compares with the runs since the last change point.\n"
		"\n"
		"Options:\n"
		"  --keep K             save: keep the newest K runs, 1..%u (default %u)\n"
		"  --rev REV            save: the revision the run measured (kept in the history)\n"
		"  --plot DIR           history: also draw each measurement with a change point\n"
		"                       over the runs, change points marked (DIR/history-NNN.svg)\n"
		"  --all                history --plot: every measurement, not only those\n"
		"  --allow-option-mismatch\n"
		"                       save: pool a run made with other run options (--quick,\n"
		"                       --reps, sizes, ...) than the saved ones (refused: exit 2)\n"
		"\n"
		CMD_COMMON_HELP
		"\n"
		"Examples:\n"
		"  locus bench all --quick -o result.json\n"
		"  locus baseline save baselines result.json\n"
		"  locus gate --baseline baselines -- bench all --quick\n",
		COMPARE_MAX_KEEP, COMPARE_DEFAULT_KEEP);
}

static int baseline_save(const char *dir, const char *file, unsigned keep, bool allow,
			 const char *rev)
{
	char id[17], *stored = NULL, *text, why[512];
	json_t *r = result_load(file);
	const json_t *env;
	size_t n = 0, dropped = 0;
	int rc;

	if (!r)
		return LOCUS_EXIT_USAGE;
	env = json_object_get(r, "env");
	if (!json_is_object(env))
		locus_warn("baseline: %s has no environment fingerprint; it can only be matched by "
			   "other results without one", file);
	compare_fingerprint_id(env, id);
	if (!allow) {
		/* the runs of one set are pooled: they must answer the same question */
		struct compare_baseline have = { 0 };
		const char *bad = NULL;
		char **ids = NULL;
		size_t *counts = NULL, nids = 0;
		bool any = false;

		if (compare_baseline_ids(dir, &ids, &counts, &nids) == 0)
			for (size_t i = 0; i < nids; i++)
				any |= strcmp(ids[i], id) == 0 && counts[i] > 0;
		for (size_t i = 0; i < nids; i++)
			free(ids[i]);
		free(ids);
		free(counts);
		if (any && compare_baseline_load(dir, env, &have) == 0)
			for (size_t i = 0; i < have.n && !bad; i++)
				bad = compare_option_mismatch(have.runs[i], r, why, sizeof(why));
		compare_baseline_free(&have);
		if (bad) {
			locus_error("baseline: %s was made with other options than the runs saved for "
				    "this machine: %s; they would be pooled as one baseline (save it in "
				    "another store, or pass --allow-option-mismatch)", file, why);
			json_decref(r);
			return LOCUS_EXIT_USAGE;
		}
	}
	{
		char now[32];
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(r, "baseline", json_pack("{s:s, s:o}", "saved", now, "rev",
							     rev ? json_string(rev) : json_null()));
	}
	rc = compare_baseline_save(dir, r, keep, &stored, &n, &dropped);
	if (rc < 0) {
		json_decref(r);
		return LOCUS_EXIT_FAIL;
	}
	text = compare_fingerprint_text(env);
	printf("saved baseline run %s for fingerprint %s (%zu run%s kept, at most %u%s): %s\n",
	       stored, id, n, n == 1 ? "" : "s", keep, dropped ? "; the oldest removed" : "",
	       text ? text : "");
	free(text);
	free(stored);
	json_decref(r);
	return LOCUS_EXIT_OK;
}

/* The newest run of fingerprint id in dir: the last of DIR/ID/, else DIR/ID.json. */
static json_t *newest_run(const char *dir, const char *id)
{
	struct compare_baseline b = { 0 };
	char *set = NULL, *legacy = NULL;
	struct stat st;
	json_t *r = NULL;

	if (asprintf(&set, "%s/%s", dir, id) < 0)
		return NULL;
	if (asprintf(&legacy, "%s.json", set) < 0) {
		free(set);
		return NULL;
	}
	if (compare_baseline_load(stat(set, &st) == 0 && S_ISDIR(st.st_mode) ? set : legacy,
				  NULL, &b) == 0 && b.n) {
		r = json_incref(b.runs[b.n - 1]);
	}
	compare_baseline_free(&b);
	free(set);
	free(legacy);
	return r;
}

static int baseline_list(const char *dir)
{
	char **ids = NULL;
	size_t n = 0, *counts = NULL;
	int rc = LOCUS_EXIT_OK, err = compare_baseline_ids(dir, &ids, &counts, &n);

	if (err < 0) {
		locus_error("%s: cannot read the baseline directory: %s", dir, strerror(-err));
		return LOCUS_EXIT_USAGE;
	}
	if (!n)
		printf("no baselines in %s\n", dir);
	for (size_t i = 0; i < n; i++) {
		char id[17], *text;
		json_t *r = newest_run(dir, ids[i]);

		if (!r) {
			rc = LOCUS_EXIT_USAGE;
		} else {
			const json_t *env = json_object_get(r, "env");
			const char *created = json_string_value(json_object_get(r, "created"));

			compare_fingerprint_id(env, id);
			text = compare_fingerprint_text(env);
			printf("%.16s  %zu run%s  newest %-20s  %zu measurements  %s%s\n", ids[i],
			       counts[i], counts[i] == 1 ? " " : "s", created ? created : "?",
			       json_array_size(json_object_get(r, "measurements")),
			       text ? text : "", strncmp(id, ids[i], 16) ?
			       "  (WARNING: the content's fingerprint is not its name)" : "");
			free(text);
		}
		json_decref(r);
		free(ids[i]);
	}
	free(ids);
	free(counts);
	return rc;
}

/* The set directory of `dir` to show the history of: RESULT.json's fingerprint, else
 * this machine's if it has one, else the only one.  NULL after printing why not. */
static char *history_set(const char *dir, const char *file)
{
	char **ids = NULL, id[17] = "", *set = NULL;
	size_t n = 0, *counts = NULL;
	int err = compare_baseline_ids(dir, &ids, &counts, &n);

	if (err < 0) {
		locus_error("%s: cannot read the baseline directory: %s", dir, strerror(-err));
		return NULL;
	}
	if (file) {
		json_t *r = result_load(file);

		if (r)
			compare_fingerprint_id(json_object_get(r, "env"), id);
		json_decref(r);
	} else {
		json_t *env = env_fingerprint();

		compare_fingerprint_id(env, id);
		json_decref(env);
	}
	for (size_t i = 0; i < n && !set; i++)
		if (strncmp(ids[i], id, 16) == 0 && asprintf(&set, "%s/%.16s", dir, ids[i]) < 0)
			set = NULL;
	if (!set && !file && n == 1 && asprintf(&set, "%s/%.16s", dir, ids[0]) < 0)
		set = NULL;
	if (!set)
		locus_error("baseline history: %s has no runs for %s (fingerprint %s)%s", dir,
			    file ? file : "this machine", *id ? id : "?",
			    n > 1 ? "; name a result of the machine wanted" : "");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(counts);
	return set;
}

static int baseline_history(const char *dir, const char *file, const char *plot_dir,
			    bool plot_all)
{
	struct history h;
	char *set = history_set(dir, file);
	size_t with = 0;
	int rc;

	if (!set)
		return LOCUS_EXIT_USAGE;
	rc = history_load(set, &h);
	if (rc < 0) {
		free(set);
		return locus_exit_code(rc);
	}
	printf("history of %s: %zu runs, %zu measurements; change points by E-Divisive means "
	       "(permutation test, alpha 0.01, fixed seed; at least 3 runs per segment)\n\n",
	       set, h.runs, h.n);
	for (size_t i = 0; i < h.n; i++) {
		const struct history_series *s = &h.s[i];

		with += s->ncp > 0;
		printf("%s\n  %zu run%s: first %.4g, last %.4g", s->key, s->n, s->n == 1 ? "" : "s",
		       s->pts[0].v, s->pts[s->n - 1].v);
		if (!s->ncp)
			printf("; no change point\n");
		else
			printf("; %zu change point%s:\n", s->ncp, s->ncp == 1 ? "" : "s");
		for (size_t c = 0; c < s->ncp; c++) {
			size_t at = s->cp[c];
			double before, after;

			if (history_change_medians(s, c, &before, &after) < 0)
				break;
			printf("    at run %lu (rev %s, saved %s): median %.4g -> %.4g (%+.1f%%), p = %.3g\n",
			       s->pts[at].seq, s->pts[at].rev ? s->pts[at].rev : "-",
			       s->pts[at].saved ? s->pts[at].saved : "?", before, after,
			       (after / before - 1.0) * 100.0, s->cp_p[c]);
		}
	}
	printf("\n%zu of %zu measurements have a change point.\n", with, h.n);
	if (plot_dir) {
		struct plot_caps caps;
		size_t drawn = 0;

		if (mkdir(plot_dir, 0777) < 0 && errno != EEXIST) {
			locus_error("baseline history: --plot %s: %s", plot_dir, strerror(errno));
			rc = -EIO;
		} else {
			plot_probe(&caps);
			rc = history_figures(&h, plot_dir, PLOT_SVG | PLOT_PNG, &caps, plot_all, &drawn);
			printf("%zu figure%s in %s%s\n", drawn, drawn == 1 ? "" : "s", plot_dir,
			       caps.found ? "" : " (gnuplot scripts and data only: gnuplot not found)");
		}
	}
	history_free(&h);
	if (rc < 0) {
		free(set);
		return LOCUS_EXIT_FAIL;
	}
	free(set);
	return LOCUS_EXIT_OK;
}

static int baseline_id(const char *file)
{
	char id[17];
	json_t *r;

	if (file) {
		r = result_load(file);
		if (!r)
			return LOCUS_EXIT_USAGE;
		printf("%s\n", compare_fingerprint_id(json_object_get(r, "env"), id));
		json_decref(r);
		return LOCUS_EXIT_OK;
	}
	r = env_fingerprint();
	if (!r) {
		locus_error("baseline: out of memory collecting the fingerprint");
		return LOCUS_EXIT_FAIL;
	}
	printf("%s\n", compare_fingerprint_id(r, id));
	json_decref(r);
	return LOCUS_EXIT_OK;
}

int cmd_baseline(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "allow-option-mismatch", no_argument, NULL, 'A' },
		{ "rev", required_argument, NULL, 'r' },
		{ "plot", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub;
	long keep = COMPARE_DEFAULT_KEEP;
	bool allow = false;
	const char *rev = NULL, *plot_dir = NULL;
	bool plot_all = false;
	int c, nargs;

	static const char *const subs[] = { "save", "list", "id", "history" };
	(void)ctx;
	cmd_complete_subcommands(subs, 4);
	while ((c = cmd_getopt(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (parse_long("--keep", optarg, 1, COMPARE_MAX_KEEP, &keep) < 0)
				return LOCUS_EXIT_USAGE;
			break;
		case 'A':
			allow = true;
			break;
		case 'p':
			if (!*optarg) {
				locus_error("baseline: --plot: empty directory name");
				return LOCUS_EXIT_USAGE;
			}
			plot_dir = optarg;
			break;
		case 'a':
			plot_all = true;
			break;
		case 'r':
			if (!*optarg) {
				locus_error("baseline: --rev: empty revision");
				return LOCUS_EXIT_USAGE;
			}
			rev = optarg;
			break;
		case 'h':
			baseline_usage(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error("baseline");
		}
	}
	if (optind >= argc) {
		locus_error("baseline: missing subcommand; allowed: save, list, id, history");
		return cmd_usage_error("baseline");
	}
	sub = argv[optind];
	nargs = argc - optind - 1;
	/* An empty name is not "the current directory": 'save "" r.json' wrote /ID/. */
	for (int i = optind + 1; i < argc; i++)
		if (!*argv[i]) {
			locus_error("baseline: %s: argument %d is empty; give a %s", sub, i - optind,
				    strcmp(sub, "save") == 0 && i == optind + 2 ? "result file" :
				    strcmp(sub, "id") == 0 ? "result file" : "baseline directory");
			return LOCUS_EXIT_USAGE;
		}
	if (strcmp(sub, "save") == 0 && nargs == 2)
		return baseline_save(argv[optind + 1], argv[optind + 2], (unsigned)keep, allow, rev);
	if (strcmp(sub, "history") == 0 && (nargs == 1 || nargs == 2))
		return baseline_history(argv[optind + 1], nargs == 2 ? argv[optind + 2] : NULL,
					plot_dir, plot_all);
	if (strcmp(sub, "list") == 0 && nargs == 1)
		return baseline_list(argv[optind + 1]);
	if (strcmp(sub, "id") == 0 && nargs <= 1)
		return baseline_id(nargs ? argv[optind + 1] : NULL);
	if (strcmp(sub, "save") && strcmp(sub, "list") && strcmp(sub, "id") && strcmp(sub, "history")) {
		const char *near = suggest_closest(sub, subs, 4);
		if (near)
			locus_error("baseline: '%s' is not a subcommand; did you mean '%s'?",
				    cmd_inert(sub), near);
		else
			locus_error("baseline: '%s' is not a subcommand; allowed: save, list, id, history",
				    cmd_inert(sub));
		return LOCUS_EXIT_USAGE;
	}
	else
		locus_error("baseline: %s: wrong number of arguments (%d)", sub, nargs);
	return cmd_usage_error("baseline");
}
