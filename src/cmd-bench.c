/* SPDX-License-Identifier: MIT */
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
#include "report.h"
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

/* Human summary, two lines per measurement so that it reads at 80 columns: what was
 * measured (bench, metric, labels; wrapped to the terminal), then the median with its
 * unit scaled as the report shows it ("463.7 µs", "23.54 GiB", not "4.637e+05 ns" or
 * "2.528e+10 bytes"), the 95% CI and the peak in that same unit, the sample count and
 * the share of samples the sentinel saw disturbed.  Then the skips. */
static void print_summary(FILE *f, const json_t *result)
{
	int width = cmd_help_width();
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(result, "measurements"), i, m) {
		json_t *s = json_object_get(m, "summary"), *v;
		char labels[512] = "", *p = labels;
		const char *k;
		int n, col = fprintf(f, "%s %s", json_string_value(json_object_get(m, "bench")),
				     json_string_value(json_object_get(m, "metric")));
		json_object_foreach(json_object_get(m, "labels"), k, v) {
			size_t room = sizeof(labels) - (size_t)(p - labels);
			if (json_is_string(v))
				n = snprintf(p, room, " %s=%s", k, json_string_value(v));
			else if (json_is_integer(v))
				n = snprintf(p, room, " %s=%lld", k, (long long)json_integer_value(v));
			else
				n = snprintf(p, room, " %s=%g", k, json_number_value(v));
			if (n < 0 || (size_t)n >= room)
				break;
			p += n;
		}
		cmd_wrap_from(f, labels, 6, col, width); /* col > 6: a hanging indent */

		double med = json_number_value(json_object_get(s, "median")), div;
		char unit[32], med_s[64], lo[32], hi[32], ci[72], peak[32], dist[16] = "-";
		report_scale_unit(json_string_value(json_object_get(m, "unit")), med, &div, unit,
				  sizeof(unit));
		report_fmt(med / div, lo, sizeof(lo));
		snprintf(med_s, sizeof(med_s), "%s%s%s", lo, *unit ? " " : "", unit);
		report_fmt(json_number_value(json_object_get(s, "ci_low")) / div, lo, sizeof(lo));
		report_fmt(json_number_value(json_object_get(s, "ci_high")) / div, hi, sizeof(hi));
		snprintf(ci, sizeof(ci), "%s..%s", lo, hi);
		report_fmt(json_number_value(json_object_get(s, "peak")) / div, peak, sizeof(peak));
		if (json_is_number(json_object_get(s, "disturbed_fraction")))
			snprintf(dist, sizeof(dist), "%.0f%%", 100 *
				 json_number_value(json_object_get(s, "disturbed_fraction")));
		/* "µs" is two bytes but one column: pad by what the eye sees. */
		int pad = 12 - (int)strlen(med_s) + (strstr(med_s, "µ") ? 1 : 0);
		fprintf(f, "    %*s%s  95%% CI %-13s  peak %-7s  n %-4d  disturbed %s\n",
			pad > 0 ? pad : 0, "", med_s, ci, peak,
			(int)json_integer_value(json_object_get(s, "n")), dist);
	}
	json_array_foreach(json_object_get(result, "skipped"), i, m) {
		char line[1024];
		snprintf(line, sizeof(line), "%s: %s", json_string_value(json_object_get(m, "bench")),
			 json_string_value(json_object_get(m, "reason")));
		cmd_wrap_from(f, line, 4, fprintf(f, "skipped:"), width);
	}
	/* Warnings were printed on stderr as they happened; repeated here only when
	 * --quiet kept them off stderr. */
	if (locus_quiet())
		json_array_foreach(json_object_get(result, "warnings"), i, m) {
			const char *wb, *t = result_warning(m, &wb);
			char line[1024];
			snprintf(line, sizeof(line), "%s%s%s", wb ? wb : "", wb ? ": " : "", t ? t : "?");
			cmd_wrap_from(f, line, 4, fprintf(f, "warning:"), width);
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

/* What `locus bench` was asked. */
struct bench_req {
	const struct bench_info *b;    /* the bench; NULL for all */
	bool all;
	struct run_opts ro;
	struct option *longopts;       /* the common options, then the bench's own */
	int nopts;                     /* how many of its own */
	const char **values;           /* its own options' values, as given */
	bool *given;
	char **lists;                  /* a BOPT_LIST option's occurrences, newline-separated */
	char **command;                /* the program of a bench that runs one */
	char argv0[80];                /* "locus: bench NAME" for getopt's messages */
};

static void bench_req_free(struct bench_req *q)
{
	free(q->longopts);
	free(q->values);
	free(q->given);
	for (int i = 0; q->lists && i < q->nopts; i++)
		free(q->lists[i]);
	free(q->lists);
	placement_free(&q->ro.place);
	json_decref(q->ro.placement_args);
}

int cmd_bench_name_error(const char *cmd, const char *name, bool all_and_list)
{
	const char *names[64], *hit;
	size_t n = 0;

	for (const struct bench_info *const *r = bench_registry; *r && n < 62; r++)
		names[n++] = (*r)->name;
	if (all_and_list) {
		names[n++] = "all";
		names[n++] = "list";
	}
	hit = suggest_closest(name, names, n);
	if (hit)
		locus_error("%s: '%s' is not a benchmark; did you mean '%s'?", cmd, cmd_inert(name),
			    hit);
	else
		locus_error("%s: '%s' is not a benchmark; 'locus bench list' shows them all", cmd,
			    cmd_inert(name));
	return LOCUS_EXIT_USAGE;
}

/* The bench name comes first, so that its options can be parsed: "list" (done here),
 * "all" or a name, shifted out of argv.  Returns -1 to go on, or the exit code. */
static int bench_pick(int *argc, char ***argv, struct bench_req *q)
{
	char **av = *argv;

	if (*argc < 2 || av[1][0] == '-')
		return -1;
	if (strcmp(av[1], "list") == 0) {
		if (*argc > 2) {
			locus_error("bench list: unexpected argument '%s'", av[2]);
			return cmd_usage_error("bench");
		}
		list_benches(stdout);
		return LOCUS_EXIT_OK;
	}
	if (strcmp(av[1], "all") == 0)
		q->all = true;
	else if (!(q->b = bench_find(av[1])))
		return cmd_bench_name_error("bench", av[1], true);
	/* getopt's messages then name the bench: "locus: bench tlb: ..." */
	snprintf(q->argv0, sizeof(q->argv0), "%s %s", av[0], q->b ? q->b->name : "all");
	av[1] = q->argv0;
	(*argv)++;
	(*argc)--;
	return -1;
}

/* The option table: the common options, then the bench's own (O_BENCH_BASE + i), and
 * room for their values.  0 or -ENOMEM. */
static int bench_alloc_options(struct bench_req *q)
{
	const struct bench_info *b = q->b;

	while (b && b->opts && b->opts[q->nopts].name)
		q->nopts++;
	q->longopts = calloc(NR_COMMON + (size_t)q->nopts + 1, sizeof(*q->longopts));
	q->values = calloc((size_t)q->nopts + 1, sizeof(*q->values));
	q->given = calloc((size_t)q->nopts + 1, sizeof(*q->given));
	q->lists = calloc((size_t)q->nopts + 1, sizeof(*q->lists));
	if (!q->longopts || !q->values || !q->given || !q->lists)
		return -ENOMEM;
	memcpy(q->longopts, common_opts, sizeof(common_opts));
	for (int i = 0; i < q->nopts; i++)
		q->longopts[NR_COMMON + (size_t)i] = (struct option){
			b->opts[i].name, b->opts[i].type == BOPT_FLAG ? no_argument : required_argument,
			NULL, O_BENCH_BASE + i };
	return 0;
}

static int set_progress(const char *mode)
{
	if (strcmp(mode, "auto") == 0)
		progress_set_mode(PROGRESS_AUTO);
	else if (strcmp(mode, "always") == 0)
		progress_set_mode(PROGRESS_ALWAYS);
	else if (strcmp(mode, "never") == 0)
		progress_set_mode(PROGRESS_NEVER);
	else
		return locus_fail(EINVAL, "bench: --progress: '%s' is not allowed; allowed: auto, "
					  "always, never", cmd_inert(mode));
	return 0;
}

/* One of the common options but placement (`what` names it in messages).  Returns 0,
 * 1 when `c` is not one of them, or < 0 after a message (a bad value). */
static int set_run_option(struct run_opts *ro, int c, const char *what)
{
	double d;

	switch (c) {
	case 'o': ro->output = optarg; return 0;
	case O_JSON: ro->json = true; return 0;
	case O_QUICK: ro->quick = true; return 0;
	case O_NO_SENTINEL: ro->no_sentinel = true; return 0;
	case O_PROGRESS: return set_progress(optarg);
	case O_REPS: return parse_long(what, optarg, 1, 100000, &ro->reps) < 0 ? -1 : 0;
	case O_WARMUP:
		if (parse_long(what, optarg, 0, 1000, &ro->warmup) < 0)
			return -1;
		ro->have_warmup = true;
		return 0;
	case O_TARGET_CI:
		if (parse_double(what, optarg, 0.01, 50, &d) < 0)
			return -1;
		ro->target_ci = d / 100;
		ro->have_target = true;
		return 0;
	case O_MAX_TIME:
		if (parse_double(what, optarg, 0.001, 3600, &ro->max_time) < 0)
			return -1;
		ro->have_max_time = true;
		return 0;
	}
	return 1;
}

/* A placement option as given ("--cpus=0-3"), for the record (run.options). */
static void record_placement(struct run_opts *ro, const char *name)
{
	char arg[512];

	snprintf(arg, sizeof(arg), "--%s%s%s", name ? name : "?", optarg ? "=" : "",
		 optarg ? optarg : "");
	if (!ro->placement_args)
		ro->placement_args = json_array();
	json_array_append_new(ro->placement_args, json_string(arg));
}

/* One of the bench's own options (c = O_BENCH_BASE + i), validated; a BOPT_LIST one
 * joins its earlier occurrences.  Returns -1 to go on, or the exit code. */
static int set_bench_option(struct bench_req *q, int c)
{
	int i = c - O_BENCH_BASE;
	const struct bench_opt *o = &q->b->opts[i];
	const char *v = o->type == BOPT_FLAG ? "1" : optarg;

	if (bench_opt_validate(q->b, o, v) < 0)
		return LOCUS_EXIT_USAGE;
	if (o->type == BOPT_LIST) {
		/* every occurrence, newline-separated */
		char **l = &q->lists[i], *n = NULL;

		if (asprintf(&n, "%s%s%s", *l ? *l : "", *l ? "\n" : "", v) < 0)
			return LOCUS_EXIT_FAIL;
		free(*l);
		v = *l = n;
	}
	q->values[i] = v;
	q->given[i] = true;
	return -1;
}

/* One option from getopt (idx: its long option, or -1).  Returns -1 to go on, or the
 * exit code. */
static int bench_option(struct bench_req *q, struct cmd_ctx *ctx, int c, int idx)
{
	/* Name the option as the user gave it (--cpus, not its alias --physcpubind). */
	const char *what = idx >= 0 ? q->longopts[idx].name : NULL;
	char wbuf[64];
	int r;

	if (c == 'o')
		snprintf(wbuf, sizeof(wbuf), "bench: -o");
	else
		snprintf(wbuf, sizeof(wbuf), "bench: --%s", what ? what : "?");
	if (c == 'h') {
		usage_bench(stdout, q->b);
		return LOCUS_EXIT_OK;
	}
	r = set_run_option(&q->ro, c, wbuf);
	if (r <= 0)
		return r < 0 ? LOCUS_EXIT_USAGE : -1;
	r = placement_option(&q->ro.place, &ctx->topo, c, wbuf, optarg);
	if (r < 0)
		return LOCUS_EXIT_USAGE;
	if (r == 0) {
		record_placement(&q->ro, what);
		return -1;
	}
	if (c >= O_BENCH_BASE && c < O_BENCH_BASE + q->nopts)
		return set_bench_option(q, c);
	return cmd_usage_error(q->b ? "bench NAME" : "bench");
}

/* The options, then the program of a bench that runs one.  Returns -1 to go on, or the
 * exit code. */
static int bench_parse(int argc, char **argv, struct cmd_ctx *ctx, struct bench_req *q)
{
	/* A bench that runs a program stops at it ("+"), so that its options stay its own. */
	const char *shortopts = q->b && q->b->takes_command ? "+ho:" : "ho:";
	int c, idx, rc;

	while ((c = cmd_getopt(argc, argv, shortopts, q->longopts, &idx)) != -1)
		if ((rc = bench_option(q, ctx, c, idx)) >= 0)
			return rc;
	if (optind < argc && q->b && q->b->takes_command) {
		q->command = argv + optind;
	} else if (optind < argc) {
		locus_error("bench: unexpected argument '%s'", argv[optind]);
		return cmd_usage_error("bench");
	}
	return -1;
}

/* What is refused before anything runs.  Returns -1 to go on, or the exit code. */
static int bench_validate(const struct cmd_ctx *ctx, struct bench_req *q)
{
	if (!q->b && !q->all) {
		locus_error("bench: which benchmark? Give a name, 'all' or 'list'");
		return cmd_usage_error("bench");
	}
	if (!ctx->have_topo) { /* "--help" was there, as some option's value: show it */
		usage_bench(stdout, q->b);
		return LOCUS_EXIT_OK;
	}
	if (q->b && q->b->takes_command && !(q->command && q->command[0])) {
		/* a usage error (exit 2), not a skip: nothing is missing on the machine */
		locus_error("bench %s: which program? Give it after the options (locus bench %s "
			    "[OPTIONS] -- CMD ARGS...)", q->b->name, q->b->name);
		return LOCUS_EXIT_USAGE;
	}
	if (placement_check(&q->ro.place, &ctx->topo) < 0)
		return LOCUS_EXIT_USAGE;
	if (ctx->topo.fake) {
		locus_error("bench: --topology describes another machine; benchmarks run only on this one");
		return LOCUS_EXIT_USAGE;
	}
	if (timer_init(getenv("LOCUS_TIMER") && strcmp(getenv("LOCUS_TIMER"), "clock") == 0) == -EINVAL)
		return LOCUS_EXIT_USAGE;
	return -1;
}

/* The result to fill: the fingerprint, the topology and what was asked ("run"). */
static json_t *bench_new_result(struct cmd_ctx *ctx, const struct bench_req *q)
{
	json_t *result = result_new(env_fingerprint(), topo_json(&ctx->topo));

	if (!result)
		return NULL;
	json_object_set_new(result, "run", json_pack("{s:b, s:s, s:o}", "quick", q->ro.quick,
		"command", q->all ? "all" : q->b->name,
		"options", run_options_json(&q->ro, q->b, q->values, q->given)));
	if (timer_injected() > 0) {
		/* not a run option: calibration compares injected runs with plain ones */
		json_object_set_new(json_object_get(result, "run"), "injected_slowdown",
				    json_real(timer_injected()));
		result_warn(result, "a %g%% slowdown was injected into every timed region "
			    "(LOCUS_INJECT_SLOWDOWN): for calibrating the gate only",
			    timer_injected() * 100.0);
	}
	return result;
}

/* One bench of the list with its options resolved: as given for a single bench, each
 * bench's own defaults for `all`.  Returns run_one()'s value. */
static int run_resolved(const struct bench_info *b, struct cmd_ctx *ctx, struct bench_req *q,
			json_t *result)
{
	const char **v = q->values, **dv = NULL;
	bool *g = q->given, *dg = NULL;
	int n = 0, r = -ENOMEM;

	if (q->all) {
		while (b->opts && b->opts[n].name)
			n++;
		v = dv = calloc((size_t)n + 1, sizeof(*dv));
		g = dg = calloc((size_t)n + 1, sizeof(*dg));
	}
	if (v && g) {
		resolve_defaults(b, v, g, q->ro.quick);
		r = run_one(b, ctx, &q->ro, v, g, q->command, result);
	}
	free(dv);
	free(dg);
	return r;
}

/* Run the bench, or for `all` every bench that needs no program, into `result`.
 * Returns the exit code: the worst failure (a verification failure first), else 3
 * when a single bench skipped, else 0.  *nbench and *nskipped count them. */
static int bench_run(struct cmd_ctx *ctx, struct bench_req *q, json_t *result,
		     unsigned *nbench, unsigned *nskipped)
{
	const struct bench_info *one[2] = { q->b, NULL }, *const *list;
	unsigned step = 0;
	int worst = 0, skipped_all = 1;

	list = q->all ? bench_registry : one;
	*nbench = *nskipped = 0;
	for (const struct bench_info *const *l = list; *l; l++)
		*nbench += !(q->all && (*l)->takes_command);
	for (; *list; list++) {
		int r;

		if (q->all && (*list)->takes_command)
			continue; /* no program to give it */
		progress_steps(++step, *nbench);
		r = run_resolved(*list, ctx, q, result);
		if (r == 0)
			skipped_all = 0;
		if (r == 1)
			(*nskipped)++;
		if (r >= 0)
			continue;
		/* Bad input was already explained in one line by the bench. */
		if (locus_exit_code(r) != LOCUS_EXIT_USAGE)
			locus_error("bench %s: failed: %s", (*list)->name,
				    r == -EPROTO ? "verification failed" : strerror(-r));
		result_warn_bench(result, (*list)->name, "failed: %s", strerror(-r));
		if (!worst || locus_exit_code(r) == LOCUS_EXIT_VERIFY)
			worst = r;
	}
	return worst ? locus_exit_code(worst) : (!q->all && skipped_all ? LOCUS_EXIT_SKIP : LOCUS_EXIT_OK);
}

/* The result to -o FILE (and the final line saying so); the JSON to stdout with --json,
 * else the summary table, unless the result itself went to stdout.  Returns rc, or 1
 * when a write failed. */
static int bench_emit(const struct run_opts *ro, const json_t *result, int rc, unsigned nbench,
		      unsigned nskipped)
{
	if (ro->output && result_write(result, ro->output) < 0)
		rc = LOCUS_EXIT_FAIL;
	else if (ro->output)
		final_line(result, ro->output, nbench, nskipped);
	if (ro->json && !(ro->output && strcmp(ro->output, "-") == 0)) {
		if (result_write(result, "-") < 0)
			rc = LOCUS_EXIT_FAIL;
	} else if (!ro->output || strcmp(ro->output, "-") != 0) {
		print_summary(stdout, result);
	}
	return rc;
}

int cmd_bench(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct bench_req q = { .ro = { .place = PLACEMENT_INIT } };
	unsigned nbench = 0, nskipped = 0;
	json_t *result = NULL;
	int rc;

	rc = bench_pick(&argc, &argv, &q);
	if (rc >= 0)
		return rc;
	if (bench_alloc_options(&q) < 0) {
		rc = LOCUS_EXIT_FAIL;
		goto out;
	}
	rc = bench_parse(argc, argv, ctx, &q);
	if (rc < 0)
		rc = bench_validate(ctx, &q);
	if (rc >= 0)
		goto out;
	result = bench_new_result(ctx, &q);
	if (!result) {
		rc = LOCUS_EXIT_FAIL;
		goto out;
	}
	if (getenv("LOCUS_BENCH_OPTIONS_ONLY")) {
		/* `locus gate`'s dry run: the fingerprint and run.options, nothing measured */
		rc = result_write(result, q.ro.output ? q.ro.output : "-") < 0 ? LOCUS_EXIT_FAIL :
		     LOCUS_EXIT_OK;
		goto out;
	}
	rc = bench_run(ctx, &q, result, &nbench, &nskipped);
	/* A single bench given bad input said so in one line: nothing is written. */
	if (!q.all && rc == LOCUS_EXIT_USAGE)
		goto out;
	rc = bench_emit(&q.ro, result, rc, nbench, nskipped);
out:
	json_decref(result);
	bench_req_free(&q);
	return rc;
}
