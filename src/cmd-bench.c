/*
 * cmd-bench.c — `locus bench`: list, run one benchmark, or run them all.
 *
 * Builds the long-option table from the common bench options plus the chosen bench's
 * own typed options (its descriptor), validates everything before anything runs,
 * resolves placement (--cpus, --cpunodebind, memory policy), sets up the repetition
 * driver, runs, and writes one locus-result/1 file with the environment fingerprint and
 * the topology embedded.  The human summary goes to stdout unless JSON is asked for.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "cmd.h"
#include "env.h"
#include "log.h"
#include "numastat.h"
#include "parse.h"
#include "placement.h"
#include "result.h"
#include "suggest.h"
#include "timer.h"

enum {
	O_QUICK = 256, O_REPS, O_WARMUP, O_TARGET_CI, O_MAX_TIME, O_JSON, O_NO_SENTINEL,
	O_PROGRESS,
	O_BENCH_BASE = 1000,
};

static const struct option common_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, O_JSON },
	{ "quick", no_argument, NULL, O_QUICK },
	{ "reps", required_argument, NULL, O_REPS },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "target-ci", required_argument, NULL, O_TARGET_CI },
	{ "max-time", required_argument, NULL, O_MAX_TIME },
	{ "no-sentinel", no_argument, NULL, O_NO_SENTINEL },
	{ "progress", required_argument, NULL, O_PROGRESS },
	PLACEMENT_LONGOPTS,
};
#define NR_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))

static const char common_help[] =
	"Output:\n"
	"  -o, --output FILE      write the locus-result/1 JSON to FILE ('-' = stdout)\n"
	"      --json             write the JSON to stdout instead of the summary table\n"
	"      --progress WHEN    progress on stderr: auto (on a terminal), always, never\n"
	"Repetition (all samples are kept; see locus(1)):\n"
	"      --quick            the short variant: shorter samples, at least 12 per\n"
	"                         measurement (the whole suite: seconds to a minute)\n"
	"      --reps N           exactly N samples per measurement (no adaptive stop)\n"
	"      --warmup N         discarded warm-up samples (default 1)\n"
	"      --target-ci PCT    stop when the 95% CI half-width of the median is below\n"
	"                         PCT percent of it (default 1, --quick 5)\n"
	"      --max-time SEC     time budget per measurement (default 2, --quick 0.3)\n"
	"      --no-sentinel      no host probe around each sample (no \"sentinel\",\n"
	"                         \"disturbed\"; disturbed samples are not replaced)\n"
	PLACEMENT_HELP;

static void usage_bench(FILE *f, const struct bench_info *b)
{
	if (!b) {
		fprintf(f, "Usage: locus bench list\n"
			   "       locus bench NAME [OPTIONS]\n"
			   "       locus bench all [--quick] [OPTIONS]\n\n"
			   "Run microbenchmarks and write locus-result/1 files.  'locus bench NAME\n"
			   "--help' shows a benchmark's own options.\n\n%s\n" CMD_COMMON_HELP_TOPO,
			common_help);
		return;
	}
	int width = cmd_help_width();

	fprintf(f, "Usage: locus bench %s [OPTIONS]%s\n\n", b->name,
		b->takes_command ? " [--] CMD [ARGS...]" : "");
	cmd_wrap(f, b->summary, 0, width);
	fputc('\n', f);
	if (b->description) {
		cmd_wrap(f, b->description, 0, width);
		fputc('\n', f);
	}
	if (b->opts && b->opts[0].name) {
		fprintf(f, "Options of %s:\n", b->name);
		for (const struct bench_opt *o = b->opts; o->name; o++) {
			char arg[48] = "", text[2048];
			size_t n;
			if (o->type != BOPT_FLAG)
				snprintf(arg, sizeof(arg), " %s",
					 o->type == BOPT_SIZE ? "SIZE" : o->type == BOPT_SIZES ? "SIZES"
					 : o->type == BOPT_INT ? "N"
					 : o->type == BOPT_STR || o->type == BOPT_LIST ? "VALUE" : "CHOICE");
			fprintf(f, "      --%s%s\n", o->name, arg);
			n = (size_t)snprintf(text, sizeof(text), "%s", o->help);
			if (o->choices && n < sizeof(text))
				n += (size_t)snprintf(text + n, sizeof(text) - n, " (%s)", o->choices);
			if (o->type == BOPT_LIST && n < sizeof(text))
				n += (size_t)snprintf(text + n, sizeof(text) - n, " (repeatable)");
			if (o->def && n < sizeof(text))
				snprintf(text + n, sizeof(text) - n, " [default %s%s%s]", o->def,
					 o->quick ? ", --quick " : "", o->quick ? o->quick : "");
			cmd_wrap(f, text, 10, width);
		}
		fputc('\n', f);
	}
	fprintf(f, "%s\n" CMD_COMMON_HELP_TOPO, common_help);
}

static void list_benches(FILE *f)
{
	/* One line per bench for scripts; wrapped under its name on a terminal. */
	bool tty = isatty(fileno(f));

	for (const struct bench_info *const *b = bench_registry; *b; b++) {
		int n = fprintf(f, "%-12s ", (*b)->name);
		if (tty)
			cmd_wrap_from(f, (*b)->summary, n, n, cmd_help_width());
		else
			fprintf(f, "%s\n", (*b)->summary);
	}
}

struct run_opts {
	const char *output;
	bool json, quick;
	long reps, warmup;
	double target_ci, max_time;
	bool have_target, have_max_time, have_warmup, no_sentinel;
	json_t *placement_args;    /* the placement options as given, for the record */
	struct placement place;    /* place.cpus NULL = all allowed */
};

/* Human summary: one line per measurement (median, CI, n) and the skips. */
static void print_summary(FILE *f, const json_t *result)
{
	size_t i;
	json_t *m;

	fprintf(f, "%-12s %-16s %-52s %12s %21s %12s %5s %5s\n", "bench", "metric", "labels",
		"median", "95% CI", "peak", "n", "dist");
	json_array_foreach(json_object_get(result, "measurements"), i, m) {
		json_t *s = json_object_get(m, "summary"), *v;
		char labels[256] = "", *p = labels;
		const char *k;
		json_object_foreach(json_object_get(m, "labels"), k, v) {
			size_t room = sizeof(labels) - (size_t)(p - labels);
			const char *sep = p == labels ? "" : " ";
			if (json_is_string(v))
				p += snprintf(p, room, "%s%s=%s", sep, k, json_string_value(v));
			else if (json_is_integer(v))
				p += snprintf(p, room, "%s%s=%lld", sep, k, (long long)json_integer_value(v));
			else
				p += snprintf(p, room, "%s%s=%g", sep, k, json_number_value(v));
			if (p >= labels + sizeof(labels))
				break;
		}
		char dist[16] = "-";
		if (json_is_number(json_object_get(s, "disturbed_fraction")))
			snprintf(dist, sizeof(dist), "%.0f%%", 100 *
				 json_number_value(json_object_get(s, "disturbed_fraction")));
		fprintf(f, "%-12s %-16s %-52s %12.4g [%9.4g,%9.4g] %12.4g %5d %5s %s\n",
			json_string_value(json_object_get(m, "bench")),
			json_string_value(json_object_get(m, "metric")), labels,
			json_number_value(json_object_get(s, "median")),
			json_number_value(json_object_get(s, "ci_low")),
			json_number_value(json_object_get(s, "ci_high")),
			json_number_value(json_object_get(s, "peak")),
			(int)json_integer_value(json_object_get(s, "n")), dist,
			json_string_value(json_object_get(m, "unit")));
	}
	json_array_foreach(json_object_get(result, "skipped"), i, m)
		fprintf(f, "skipped: %s: %s\n", json_string_value(json_object_get(m, "bench")),
			json_string_value(json_object_get(m, "reason")));
	/* Warnings were printed on stderr as they happened; repeated here only when
	 * --quiet kept them off stderr. */
	if (locus_quiet())
		json_array_foreach(json_object_get(result, "warnings"), i, m) {
			const char *wb, *t = result_warning(m, &wb);
			fprintf(f, "warning: %s%s%s\n", wb ? wb : "", wb ? ": " : "", t ? t : "?");
		}
}

/* The last line on stderr: "wrote today.json: 15 benches, 2 skipped, 3 warnings". */
static void final_line(const json_t *result, const char *output, unsigned nbench,
		       unsigned nskipped)
{
	size_t nmeas = json_array_size(json_object_get(result, "measurements"));
	size_t nwarn = json_array_size(json_object_get(result, "warnings"));

	locus_info("wrote %s: %u bench%s, %u skipped, %zu measurement%s, %zu warning%s",
		   strcmp(output, "-") ? output : "standard output", nbench, nbench == 1 ? "" : "es",
		   nskipped, nmeas, nmeas == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
}

static int exit_for(int rc)
{
	switch (rc) {
	case 0: return LOCUS_EXIT_OK;
	case -EINVAL: case -ERANGE: case -E2BIG: return LOCUS_EXIT_USAGE;
	case -EPROTO: return LOCUS_EXIT_VERIFY;
	case -EOPNOTSUPP: return LOCUS_EXIT_SKIP;
	default: return LOCUS_EXIT_FAIL;
	}
}

/* Run one bench into `result`.  Returns a negative errno, 0, or 1 when skipped. */
/*
 * The fewest samples a --quick measurement takes (also when its CI target is met
 * sooner).  Chosen from the gate's calibration on the development VM (README,
 * "Calibration"; docs/compare.md): with 3, the quick suite's timing measurements had a
 * median of 3 samples, and against a 5-run baseline after Holm over ~150 measurements
 * 9 of its 13 benches could not reach significance at all ("blind"), whatever the
 * change; with 12 none is blind and the suite takes ~2.5 s longer (6.3 -> 8.7 s).
 * `locus gate -- bench all --quick` therefore gates on 12 or more samples per
 * measurement, and baselines saved from quick runs have the same.
 */
#define QUICK_MIN_REPS 12

static int run_one(const struct bench_info *b, struct cmd_ctx *ctx, struct run_opts *ro,
		   const char **values, const bool *given, char **command, json_t *result)
{
	struct bench_ctx c = {
		.info = b, .topo = &ctx->topo, .result = result, .quick = ro->quick,
		.no_sentinel = ro->no_sentinel, .values = values, .given = given, .policy = ro->place.policy,
		.command = command,
	};
	struct repeat_opts rep = REPEAT_OPTS_DEFAULT;
	const char *why;
	int rc;

	rep.target_ci = ro->have_target ? ro->target_ci : ro->quick ? 0.05 : 0.01;
	rep.max_time_s = ro->have_max_time ? ro->max_time : ro->quick ? 0.3 : 2.0;
	rep.min_reps = ro->quick ? QUICK_MIN_REPS : 5;
	rep.warmup = ro->have_warmup ? (unsigned)ro->warmup : 1;
	rep.reps = (unsigned)ro->reps;
	c.rep = rep;
	c.cpus = ro->place.cpus ? hwloc_bitmap_dup(ro->place.cpus) : topo_allowed_cpus(&ctx->topo);
	/* What the bench is and how to show it travels with its data (lib/result.h), so a
	 * report of this file needs no knowledge of this bench. */
	{
		json_t *bs = json_object_get(result, "benches");

		if (!bs) {
			bs = json_object();
			json_object_set_new(result, "benches", bs);
		}
		json_object_set_new(bs, b->name, bench_describe(b));
	}

	why = b->supported ? b->supported(&c) : NULL;
	if (why) {
		bench_skip(&c, NULL, "%s", why);
		rc = 1;
	} else {
		/* Per-node allocation counters around the run: system-wide, so they include
		 * whatever else ran meanwhile, but an independent witness of where the
		 * bench's pages came from (result "numastat": {BENCH: {nodeN: deltas}}). */
		struct numastat before = { 0 }, after = { 0 };
		bool have = numastat_read(&before) == 0 && before.nr > 0;
		progress_begin(b->name);
		rc = b->run(&c);
		progress_end();
		if (have && numastat_read(&after) == 0) {
			json_t *all = json_object_get(result, "numastat");
			if (!all) {
				all = json_object();
				json_object_set_new(result, "numastat", all);
			}
			json_object_set_new(all, b->name, numastat_delta_json(&before, &after));
		}
		numastat_free(&before);
		numastat_free(&after);
	}
	hwloc_bitmap_free(c.cpus);
	return rc;
}

/*
 * The options that decide what a run measures and how often, for the record
 * ("run": {"options": {...}}): two runs are comparable or poolable only when these are
 * equal (report/compare.c refuses otherwise).  Output options (-o, --json) are left out;
 * the bench's own options only when given (their defaults follow from "quick").
 */
static json_t *run_options_json(const struct run_opts *ro, const struct bench_info *b,
				const char **values, const bool *given)
{
	json_t *o = json_object(), *bo = json_object();

	json_object_set_new(o, "quick", json_boolean(ro->quick));
	json_object_set_new(o, "reps", ro->reps ? json_integer(ro->reps) : json_null());
	json_object_set_new(o, "warmup", ro->have_warmup ? json_integer(ro->warmup) : json_null());
	json_object_set_new(o, "target_ci", ro->have_target ? json_real(ro->target_ci) : json_null());
	json_object_set_new(o, "max_time", ro->have_max_time ? json_real(ro->max_time) : json_null());
	json_object_set_new(o, "sentinel", json_boolean(!ro->no_sentinel));
	for (int i = 0; b && b->opts && b->opts[i].name; i++)
		if (given[i] && values[i])
			json_object_set_new(bo, b->opts[i].name, json_string(values[i]));
	json_object_set_new(o, "bench_options", bo);
	json_object_set_new(o, "placement", ro->placement_args ?
			    json_incref(ro->placement_args) : json_array());
	return o;
}

/* Resolve each option's value: given, else --quick default, else default. */
static void resolve_defaults(const struct bench_info *b, const char **values, const bool *given,
			     bool quick)
{
	for (int i = 0; b->opts && b->opts[i].name; i++)
		if (!given[i])
			values[i] = quick && b->opts[i].quick ? b->opts[i].quick : b->opts[i].def;
}

int cmd_bench(int argc, char **argv, struct cmd_ctx *ctx)
{
	const struct bench_info *b = NULL, *const *list;
	struct run_opts ro = { .place = PLACEMENT_INIT };
	struct option *longopts = NULL;
	const char **values = NULL;
	char **lists = NULL, **command = NULL;
	bool *given = NULL, all = false;
	int nopts = 0, c, rc = LOCUS_EXIT_USAGE, rc2, worst = 0;
	json_t *result = NULL;
	double d;
	char argv0[80];

	/* The bench name comes first so its options can be parsed. */
	if (argc >= 2 && argv[1][0] != '-') {
		if (strcmp(argv[1], "list") == 0) {
			if (argc > 2)
				return locus_error("bench list: unexpected argument '%s'", argv[2]),
				       cmd_usage_error("bench");
			list_benches(stdout);
			return LOCUS_EXIT_OK;
		}
		if (strcmp(argv[1], "all") == 0)
			all = true;
		else if (!(b = bench_find(argv[1]))) {
			const char *names[64], *hit;
			size_t n = 0;
			for (const struct bench_info *const *r = bench_registry; *r && n < 62; r++)
				names[n++] = (*r)->name;
			names[n++] = "all";
			names[n++] = "list";
			hit = suggest_closest(argv[1], names, n);
			if (hit)
				locus_error("bench: '%s' is not a benchmark; did you mean '%s'?",
					    cmd_inert(argv[1]), hit);
			else
				locus_error("bench: '%s' is not a benchmark; 'locus bench list' shows "
					    "them all", cmd_inert(argv[1]));
			return LOCUS_EXIT_USAGE;
		}
		/* getopt's messages then name the bench: "locus: bench tlb: ..." */
		snprintf(argv0, sizeof(argv0), "%s %s", argv[0], b ? b->name : "all");
		argv[1] = argv0;
		argv++;
		argc--;
	}
	while (b && b->opts && b->opts[nopts].name)
		nopts++;
	longopts = calloc(NR_COMMON + (size_t)nopts + 1, sizeof(*longopts));
	values = calloc((size_t)nopts + 1, sizeof(*values));
	given = calloc((size_t)nopts + 1, sizeof(*given));
	lists = calloc((size_t)nopts + 1, sizeof(*lists));
	if (!longopts || !values || !given || !lists) {
		rc = LOCUS_EXIT_FAIL;
		goto out;
	}
	memcpy(longopts, common_opts, sizeof(common_opts));
	for (int i = 0; i < nopts; i++)
		longopts[NR_COMMON + (size_t)i] = (struct option){
			b->opts[i].name, b->opts[i].type == BOPT_FLAG ? no_argument : required_argument,
			NULL, O_BENCH_BASE + i };

	int idx;
	/* A bench that runs a program stops at it ("+"), so that its options stay its own. */
	while ((c = cmd_getopt(argc, argv, b && b->takes_command ? "+ho:" : "ho:", longopts,
			       &idx)) != -1) {
		/* Name the option as the user gave it (--cpus, not its alias --physcpubind). */
		const char *what = idx >= 0 ? longopts[idx].name : NULL;
		char wbuf[64];
		if (c == 'o')
			snprintf(wbuf, sizeof(wbuf), "bench: -o");
		else
			snprintf(wbuf, sizeof(wbuf), "bench: --%s", what ? what : "?");
		switch (c) {
		case 'h':
			usage_bench(stdout, b);
			rc = LOCUS_EXIT_OK;
			goto out;
		case 'o': ro.output = optarg; break;
		case O_JSON: ro.json = true; break;
		case O_QUICK: ro.quick = true; break;
		case O_NO_SENTINEL: ro.no_sentinel = true; break;
		case O_PROGRESS:
			if (strcmp(optarg, "auto") == 0)
				progress_set_mode(PROGRESS_AUTO);
			else if (strcmp(optarg, "always") == 0)
				progress_set_mode(PROGRESS_ALWAYS);
			else if (strcmp(optarg, "never") == 0)
				progress_set_mode(PROGRESS_NEVER);
			else {
				locus_error("bench: --progress: '%s' is not allowed; allowed: auto, "
					    "always, never", cmd_inert(optarg));
				goto out;
			}
			break;
		case O_REPS:
			if (parse_long(wbuf, optarg, 1, 100000, &ro.reps) < 0)
				goto out;
			break;
		case O_WARMUP:
			if (parse_long(wbuf, optarg, 0, 1000, &ro.warmup) < 0)
				goto out;
			ro.have_warmup = true;
			break;
		case O_TARGET_CI:
			if (parse_double(wbuf, optarg, 0.01, 50, &d) < 0)
				goto out;
			ro.target_ci = d / 100;
			ro.have_target = true;
			break;
		case O_MAX_TIME:
			if (parse_double(wbuf, optarg, 0.001, 3600, &ro.max_time) < 0)
				goto out;
			ro.have_max_time = true;
			break;
		default:
			rc2 = placement_option(&ro.place, &ctx->topo, c, wbuf, optarg);
			if (rc2 < 0)
				goto out;
			if (rc2 == 0) {
				char arg[512];

				snprintf(arg, sizeof(arg), "--%s%s%s", what ? what : "?",
					 optarg ? "=" : "", optarg ? optarg : "");
				if (!ro.placement_args)
					ro.placement_args = json_array();
				json_array_append_new(ro.placement_args, json_string(arg));
				break;
			}
			if (c >= O_BENCH_BASE && c < O_BENCH_BASE + nopts) {
				const struct bench_opt *o = &b->opts[c - O_BENCH_BASE];
				const char *v = o->type == BOPT_FLAG ? "1" : optarg;
				if (bench_opt_validate(b, o, v) < 0)
					goto out;
				if (o->type == BOPT_LIST) {
					/* every occurrence, newline-separated */
					char **l = &lists[c - O_BENCH_BASE], *n = NULL;
					if (asprintf(&n, "%s%s%s", *l ? *l : "", *l ? "\n" : "", v) < 0) {
						rc = LOCUS_EXIT_FAIL;
						goto out;
					}
					free(*l);
					v = *l = n;
				}
				values[c - O_BENCH_BASE] = v;
				given[c - O_BENCH_BASE] = true;
				break;
			}
			rc = cmd_usage_error(b ? "bench NAME" : "bench");
			goto out;
		}
	}
	if (optind < argc && b && b->takes_command) {
		command = argv + optind;
	} else if (optind < argc) {
		locus_error("bench: unexpected argument '%s'", argv[optind]);
		rc = cmd_usage_error("bench");
		goto out;
	}
	if (!b && !all) {
		locus_error("bench: which benchmark? Give a name, 'all' or 'list'");
		rc = cmd_usage_error("bench");
		goto out;
	}
	if (!ctx->have_topo) { /* "--help" was there, as some option's value: show it */
		usage_bench(stdout, b);
		rc = LOCUS_EXIT_OK;
		goto out;
	}
	if (placement_check(&ro.place, &ctx->topo) < 0)
		goto out;
	if (ctx->topo.fake) {
		locus_error("bench: --topology describes another machine; benchmarks run only on this one");
		goto out;
	}

	if (timer_init(getenv("LOCUS_TIMER") && strcmp(getenv("LOCUS_TIMER"), "clock") == 0) == -EINVAL)
		goto out;
	result = result_new(env_fingerprint(), topo_json(&ctx->topo));
	if (!result) {
		rc = LOCUS_EXIT_FAIL;
		goto out;
	}
	json_object_set_new(result, "run", json_pack("{s:b, s:s, s:o}", "quick", ro.quick,
		"command", all ? "all" : b->name, "options", run_options_json(&ro, b, values, given)));
	if (timer_injected() > 0) {
		/* not a run option: calibration compares injected runs with plain ones */
		json_object_set_new(json_object_get(result, "run"), "injected_slowdown",
				    json_real(timer_injected()));
		result_warn(result, "a %g%% slowdown was injected into every timed region "
			    "(LOCUS_INJECT_SLOWDOWN): for calibrating the gate only",
			    timer_injected() * 100.0);
	}
	if (getenv("LOCUS_BENCH_OPTIONS_ONLY")) {
		/* `locus gate`'s dry run: the fingerprint and run.options, nothing measured */
		rc = result_write(result, ro.output ? ro.output : "-") < 0 ? LOCUS_EXIT_FAIL :
		     LOCUS_EXIT_OK;
		goto out;
	}
	{
		const struct bench_info *one[2] = { b, NULL };
		int skipped_all = 1;
		unsigned nbench = 0, step = 0, nskipped = 0;
		list = all ? bench_registry : one;
		for (const struct bench_info *const *l = list; *l; l++)
			nbench += !(all && (*l)->takes_command);
		for (; *list; list++) {
			if (all && (*list)->takes_command)
				continue; /* no program to give it */
			progress_steps(++step, nbench);
			const char **v = values;
			bool *g = given;
			const char **dv = NULL;
			bool *dg = NULL;
			if (all) {
				int n = 0;
				while ((*list)->opts && (*list)->opts[n].name)
					n++;
				dv = calloc((size_t)n + 1, sizeof(*dv));
				dg = calloc((size_t)n + 1, sizeof(*dg));
				v = dv;
				g = dg;
			}
			resolve_defaults(*list, v, g, ro.quick);
			int r = run_one(*list, ctx, &ro, v, g, command, result);
			free(dv);
			free(dg);
			if (r == 0)
				skipped_all = 0;
			if (r == 1)
				nskipped++;
			if (r < 0) {
				/* Bad input was already explained in one line by the bench. */
				if (exit_for(r) != LOCUS_EXIT_USAGE)
					locus_error("bench %s: failed: %s", (*list)->name,
						    r == -EPROTO ? "verification failed" : strerror(-r));
				result_warn_bench(result, (*list)->name, "failed: %s", strerror(-r));
				if (!worst || exit_for(r) == LOCUS_EXIT_VERIFY)
					worst = r;
				if (!all && exit_for(r) == LOCUS_EXIT_USAGE) {
					rc = LOCUS_EXIT_USAGE;
					goto out; /* bad input: nothing written */
				}
			}
		}
		rc = worst ? exit_for(worst) : (!all && skipped_all ? LOCUS_EXIT_SKIP : LOCUS_EXIT_OK);

		if (ro.output && result_write(result, ro.output) < 0)
			rc = LOCUS_EXIT_FAIL;
		else if (ro.output)
			final_line(result, ro.output, nbench, nskipped);
	}
	if (ro.json && !(ro.output && strcmp(ro.output, "-") == 0)) {
		if (result_write(result, "-") < 0)
			rc = LOCUS_EXIT_FAIL;
	} else if (!ro.output || strcmp(ro.output, "-") != 0) {
		print_summary(stdout, result);
	}
out:
	json_decref(result);
	free(longopts);
	free(values);
	free(given);
	for (int i = 0; lists && i < nopts; i++)
		free(lists[i]);
	free(lists);
	placement_free(&ro.place);
	json_decref(ro.placement_args);
	return rc;
}
