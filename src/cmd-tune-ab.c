/* SPDX-License-Identifier: MIT */
/*
 * cmd-tune-ab.c — `locus tune ab`: interleaved A/B rounds of a benchmark without (A) and
 * with (B) a profile.
 *
 * tune never measures: this runs `locus bench ...` as a child process per round,
 * applies the profile as its own journal transaction before each B round and reverts it
 * right after (and on an error, SIGINT, SIGTERM or SIGHUP: the benchmark is stopped
 * first), holding the state directory's lock throughout, then merges each side's rounds
 * into DIR/A.json and DIR/B.json (lib/runs.h) with an "ab" object saying which side,
 * which profile and how many rounds.
 */
#include "config.h"
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "spawn.h"
#include "result.h"
#include "runs.h"
#include "bench.h"
#include "cmd-tune.h"

static volatile sig_atomic_t ab_signal;

/* Between benchmarks (while a profile is applied or reverted): note the signal; the
 * main loop reverts and exits.  While a benchmark runs, spawn_self() takes the signal
 * and passes it on to the benchmark. */
static void ab_on_signal(int sig)
{
	ab_signal = sig;
}

/* Run `locus bench ARGS... -o OUT` (argv[0] is "bench") and wait for it; a SIGINT,
 * SIGTERM or SIGHUP meanwhile goes to it too and is noted in ab_signal.  Returns the
 * benchmark's exit code (128+signal when killed), or -1 when it did not run.
 * LOCUS_TUNE_TEST_AB_TERM (with test_term): a SIGTERM to us as the benchmark starts. */
static int ab_run_bench(int argc, char **argv, const struct cmd_ctx *ctx, const char *out,
			bool test_term)
{
	struct spawn_self_opts s = {
		.cmd = "tune ab", .args = argv + 1, .nargs = argc - 1, .out = out,
		.sysroot = ctx->sysroot,
	};
	int ws, sig;

	if (ab_signal)
		return -1; /* it came before the benchmark started: not started at all */
	if (test_term && getenv("LOCUS_TUNE_TEST_AB_TERM"))
		s.test_signal = SIGTERM;
	ws = spawn_self(&s, &sig);
	if (sig)
		ab_signal = sig;
	return ws < 0 ? -1 : spawn_exit_code(ws);
}

/* One result from the rounds of a side, merged (lib/runs.h): round 1's result with
 * every round's samples per measurement (summaries recomputed) and run_sizes, so the
 * statistics and `locus report --before/--after` see every sample, and `locus compare
 * A.json B.json` sees the rounds as runs. */
/* The "tune" object of A.json/B.json (docs/tune.md, "What A.json and B.json say"):
 * the profile and every setting the B rounds changed, old -> new, from the journal. */
static json_t *ab_tune_object(char side, long rounds, const struct tune_profile *p,
			      const json_t *settings)
{
	json_t *t = json_object();

	json_object_set_new(t, "side", json_string(side == 'A' ? "A" : "B"));
	json_object_set_new(t, "applied", json_boolean(side == 'B'));
	json_object_set_new(t, "profile", json_string(p->name));
	json_object_set_new(t, "file", json_string(p->path));
	json_object_set_new(t, "description", json_string(p->description));
	json_object_set_new(t, "rounds", json_integer(rounds));
	json_object_set_new(t, "settings", json_deep_copy(settings));
	return t;
}

/* What a B round's transaction changed: [{name, from, to[, by_kernel]}]. */
static json_t *ab_settings(const struct tune_txn *t)
{
	json_t *a = json_array();

	for (size_t i = 0; t && i < t->n; i++) {
		const struct tune_change *c = &t->ch[i];
		json_t *x = json_object();

		json_object_set_new(x, "name", json_string(c->key.name));
		json_object_set_new(x, "from", json_string(c->original));
		json_object_set_new(x, "to", json_string(*c->set ? c->set : c->requested));
		if (c->companion)
			json_object_set_new(x, "by_kernel", json_true());
		json_array_append_new(a, x);
	}
	return a;
}

static int ab_merge(const char *dir, char side, long rounds, const struct tune_profile *p,
		    const json_t *settings)
{
	const char *profile = p->name;
	char path[4200];
	json_t **res = calloc((size_t)rounds, sizeof(*res)), *merged = NULL, *ab;
	int rc = -1;
	long r;

	if (!res)
		return -1;
	for (r = 0; r < rounds; r++) {
		snprintf(path, sizeof(path), "%s/%c-%ld.json", dir, side, r + 1);
		res[r] = result_load(path);
		if (!res[r])
			goto out;
	}
	merged = runs_merge(res, (size_t)rounds);
	if (!merged)
		goto out;
	ab = json_object();
	json_object_set_new(ab, "side", json_string(side == 'A' ? "A (without the profile)" :
						  "B (with the profile)"));
	json_object_set_new(ab, "profile", json_string(profile));
	json_object_set_new(ab, "rounds", json_integer(rounds));
	json_object_set_new(merged, "ab", ab);
	json_object_set_new(merged, "tune", ab_tune_object(side, rounds, p, settings));
	snprintf(path, sizeof(path), "%s/%c.json", dir, side);
	rc = result_write(merged, path);
out:
	for (r = 0; r < rounds; r++)
		json_decref(res[r]);
	free(res);
	json_decref(merged);
	return rc;
}

int tune_cli_ab(int argc, char **argv, const struct opts *o, const struct cmd_ctx *ctx)
{
	const char *dir = o->outdir ? o->outdir : "locus-ab";
	long rounds = o->rounds ? o->rounds : 3;
	struct sigaction sa = { .sa_handler = ab_on_signal }, old_int, old_term, old_hup;
	struct tune_profile p;
	struct tune_journal j;
	char source[256], out[4200];
	int rc = LOCUS_EXIT_OK, brc;
	long id = 0;
	json_t *settings = NULL; /* what round 1's B transaction changed */

	if (!o->profile) {
		locus_error("tune ab: --profile P is required");
		return LOCUS_EXIT_USAGE;
	}
	if (argc < 1 || strcmp(argv[0], "bench") != 0) {
		locus_error("tune ab: give the benchmark after '--': -- bench NAME [OPTIONS]");
		return LOCUS_EXIT_USAGE;
	}
	/* A wrong bench name is bad input: refused here, before anything is applied. */
	if (argc < 2 || argv[1][0] == '-' || !bench_find(argv[1]))
		return cmd_bench_name_error("tune ab", argc >= 2 ? argv[1] : "", false);
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) /* not the program's own */
		if (strcmp(argv[i], "-o") == 0 || strncmp(argv[i], "--output", 8) == 0 ||
		    strcmp(argv[i], "--json") == 0) {
			locus_error("tune ab: '%s': the rounds' outputs are chosen by tune ab (-o DIR)",
				    cmd_inert(argv[i]));
			return LOCUS_EXIT_USAGE;
		}
	rc = tune_cli_load_profile(o->profile, &p);
	if (rc)
		return rc;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		locus_error("tune ab: %s: cannot create: %s", dir, strerror(errno));
		tune_profile_free(&p);
		return LOCUS_EXIT_FAIL;
	}
	rc = tune_cli_lock_journal(&j, o);
	if (rc) {
		tune_profile_free(&p);
		return rc;
	}
	if (journal_unrecovered(&j)) {
		locus_error("tune: %s: an earlier apply was interrupted and not recovered; "
			    "run 'locus tune recover' first", j.path);
		journal_free(&j);
		tune_profile_free(&p);
		return LOCUS_EXIT_FAIL;
	}
	snprintf(source, sizeof(source), "ab profile %s", p.name);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	for (long r = 1; r <= rounds && rc == LOCUS_EXIT_OK && !ab_signal; r++) {
		/* A: without the profile. */
		locus_info("tune ab: round %ld/%ld: A (without %s)", r, rounds, p.name);
		snprintf(out, sizeof(out), "%s/A-%ld.json", dir, r);
		brc = ab_run_bench(argc, argv, ctx, out, false);
		if (brc != 0 || ab_signal) {
			/* A bad benchmark option: the bench said so in one line; nothing applied. */
			if (brc == LOCUS_EXIT_USAGE && r == 1 && !ab_signal) {
				rmdir(dir); /* only if we made it and nothing is in it */
				rc = LOCUS_EXIT_USAGE;
				break;
			}
			if (!ab_signal)
				locus_error("tune ab: round %ld A: the benchmark exited %d", r, brc);
			rc = LOCUS_EXIT_FAIL;
			break;
		}
		/* B: with it, reverted right after. */
		locus_info("tune ab: round %ld/%ld: B (with %s)", r, rounds, p.name);
		if (tune_apply(&j, source, p.name, p.req, p.n, 0, &id) < 0) {
			rc = LOCUS_EXIT_FAIL;
			break;
		}
		if (!id && r == 1)
			locus_warn("tune ab: %s: the profile changes nothing here: A and B are the same "
				   "setting", p.name);
		snprintf(out, sizeof(out), "%s/B-%ld.json", dir, r);
		brc = ab_run_bench(argc, argv, ctx, out, true);
		if (id) {
			struct tune_txn *t = journal_find(&j, id);
			if (!settings)
				settings = ab_settings(t);
			if (t && tune_revert_txn(&j, t, 0) != 0)
				rc = LOCUS_EXIT_FAIL;
			id = 0;
		}
		if ((brc != 0 || ab_signal) && rc == LOCUS_EXIT_OK) {
			if (!ab_signal)
				locus_error("tune ab: round %ld B: the benchmark exited %d", r, brc);
			rc = LOCUS_EXIT_FAIL;
		}
	}
	journal_free(&j);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (ab_signal) {
		locus_error("tune ab: interrupted by signal %d; the profile was reverted", (int)ab_signal);
		tune_profile_free(&p);
		json_decref(settings);
		return 128 + ab_signal;
	}
	if (!settings)
		settings = json_array(); /* the profile changed nothing here */
	if (rc == LOCUS_EXIT_OK) {
		if (ab_merge(dir, 'A', rounds, &p, settings) < 0 ||
		    ab_merge(dir, 'B', rounds, &p, settings) < 0)
			rc = LOCUS_EXIT_FAIL;
		else
			printf("A/B: %ld rounds; results %s/A.json (without %s) and %s/B.json (with it)\n"
			       "compare: locus report --before %s/A.json --after %s/B.json -o DIR\n",
			       rounds, dir, p.name, dir, dir, dir);
	}
	tune_profile_free(&p);
	json_decref(settings);
	return rc;
}

