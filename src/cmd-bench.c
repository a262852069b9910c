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
#include "bench.h"
#include "cmd.h"
#include "env.h"
#include "log.h"
#include "parse.h"
#include "result.h"
#include "timer.h"

enum {
	O_QUICK = 256, O_REPS, O_WARMUP, O_TARGET_CI, O_MAX_TIME, O_JSON,
	O_CPUS, O_CPUNODEBIND, O_MEMBIND, O_INTERLEAVE, O_PREFERRED, O_PREFERRED_MANY,
	O_WEIGHTED_INTERLEAVE, O_LOCALALLOC,
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
	{ "cpus", required_argument, NULL, O_CPUS },
	{ "physcpubind", required_argument, NULL, O_CPUS },
	{ "cpunodebind", required_argument, NULL, O_CPUNODEBIND },
	{ "membind", required_argument, NULL, O_MEMBIND },
	{ "interleave", required_argument, NULL, O_INTERLEAVE },
	{ "preferred", required_argument, NULL, O_PREFERRED },
	{ "preferred-many", required_argument, NULL, O_PREFERRED_MANY },
	{ "weighted-interleave", required_argument, NULL, O_WEIGHTED_INTERLEAVE },
	{ "localalloc", no_argument, NULL, O_LOCALALLOC },
};
#define NR_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))

static const char common_help[] =
	"Output:\n"
	"  -o, --output FILE      write the locus-result/1 JSON to FILE ('-' = stdout)\n"
	"      --json             write the JSON to stdout instead of the summary table\n"
	"Repetition (all samples are kept; see locus(1)):\n"
	"      --quick            the short variant (locus bench all --quick: about a minute)\n"
	"      --reps N           exactly N samples per measurement (no adaptive stop)\n"
	"      --warmup N         discarded warm-up samples (default 1)\n"
	"      --target-ci PCT    stop when the 95% CI half-width of the median is below\n"
	"                         PCT percent of it (default 1, --quick 5)\n"
	"      --max-time SEC     time budget per measurement (default 2, --quick 0.3)\n"
	"Placement (numactl's names):\n"
	"      --cpus LIST        run on these CPUs, e.g. 0-3,8 (alias --physcpubind)\n"
	"      --cpunodebind NODES  run on the CPUs of these nodes\n"
	"      --membind NODES    allocate only on these nodes (MPOL_BIND)\n"
	"      --interleave NODES interleave pages over these nodes\n"
	"      --preferred NODE   prefer this node, fall back elsewhere\n"
	"      --preferred-many NODES  prefer these nodes (Linux >= 5.15)\n"
	"      --weighted-interleave NODES  weighted interleave (Linux >= 6.9)\n"
	"      --localalloc       allocate on the node of the CPU that touches first\n";

static void usage_bench(FILE *f, const struct bench_info *b)
{
	if (!b) {
		fprintf(f, "Usage: locus bench list\n"
			   "       locus bench NAME [OPTIONS]\n"
			   "       locus bench all [--quick] [OPTIONS]\n\n"
			   "Run microbenchmarks and write locus-result/1 files.  'locus bench NAME\n"
			   "--help' shows a benchmark's own options.\n\n%s\n" CMD_COMMON_HELP,
			common_help);
		return;
	}
	fprintf(f, "Usage: locus bench %s [OPTIONS]\n\n%s\n\n%s\n", b->name, b->summary,
		b->description ? b->description : "");
	if (b->opts && b->opts[0].name) {
		fprintf(f, "Options of %s:\n", b->name);
		for (const struct bench_opt *o = b->opts; o->name; o++) {
			char arg[48] = "";
			if (o->type != BOPT_FLAG)
				snprintf(arg, sizeof(arg), " %s",
					 o->type == BOPT_SIZE ? "SIZE" : o->type == BOPT_SIZES ? "SIZES"
					 : o->type == BOPT_INT ? "N" : "CHOICE");
			fprintf(f, "      --%s%s\n          %s", o->name, arg, o->help);
			if (o->choices)
				fprintf(f, " (%s)", o->choices);
			if (o->def)
				fprintf(f, " [default %s%s%s]", o->def, o->quick ? ", --quick " : "",
					o->quick ? o->quick : "");
			fputc('\n', f);
		}
		fputc('\n', f);
	}
	fprintf(f, "%s\n" CMD_COMMON_HELP, common_help);
}

static void list_benches(FILE *f)
{
	for (const struct bench_info *const *b = bench_registry; *b; b++)
		fprintf(f, "%-12s %s\n", (*b)->name, (*b)->summary);
}

struct run_opts {
	const char *output;
	bool json, quick;
	long reps, warmup;
	double target_ci, max_time;
	bool have_target, have_max_time, have_warmup;
	hwloc_bitmap_t cpus;       /* NULL = all allowed */
	struct mem_policy policy;
};

/* Human summary: one line per measurement (median, CI, n) and the skips. */
static void print_summary(FILE *f, const json_t *result)
{
	size_t i;
	json_t *m;

	fprintf(f, "%-12s %-16s %-52s %12s %21s %5s\n", "bench", "metric", "labels", "median",
		"95% CI", "n");
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
		fprintf(f, "%-12s %-16s %-52s %12.4g [%9.4g,%9.4g] %5d %s\n",
			json_string_value(json_object_get(m, "bench")),
			json_string_value(json_object_get(m, "metric")), labels,
			json_number_value(json_object_get(s, "median")),
			json_number_value(json_object_get(s, "ci_low")),
			json_number_value(json_object_get(s, "ci_high")),
			(int)json_integer_value(json_object_get(s, "n")),
			json_string_value(json_object_get(m, "unit")));
	}
	json_array_foreach(json_object_get(result, "skipped"), i, m)
		fprintf(f, "skipped: %s: %s\n", json_string_value(json_object_get(m, "bench")),
			json_string_value(json_object_get(m, "reason")));
	json_array_foreach(json_object_get(result, "warnings"), i, m)
		fprintf(f, "warning: %s\n", json_string_value(m));
}

static int set_policy(struct run_opts *ro, struct cmd_ctx *ctx, enum mem_policy_mode mode,
		      const char *what, const char *arg)
{
	if (ro->policy.mode != MEM_POL_DEFAULT)
		return locus_error("%s: only one memory policy option may be given", what), -EINVAL;
	ro->policy.mode = mode;
	if (!arg)
		return 0;
	ro->policy.nodes = hwloc_bitmap_alloc();
	return parse_idlist(what, arg, topo_max_node_index(&ctx->topo), ro->policy.nodes);
}

static int set_cpus(struct run_opts *ro, struct cmd_ctx *ctx, const char *what, const char *arg,
		    bool nodes)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc(), allowed;
	int rc;

	if (ro->cpus)
		rc = (locus_error("%s: --cpus and --cpunodebind exclude each other", what), -EINVAL);
	else if (nodes) {
		rc = parse_idlist(what, arg, topo_max_node_index(&ctx->topo), set);
		if (rc == 0) {
			hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
			int n;
			hwloc_bitmap_foreach_begin(n, set) {
				/* The node's own CPUs: hwloc's cpuset of a CPU-less node is its
				 * locality (the CPUs of a neighbour), which is not "on the node". */
				hwloc_bitmap_t own = topo_node_cpus(&ctx->topo, (unsigned)n);
				if (!own) {
					rc = (locus_error("%s: node %d does not exist", what, n), -EINVAL);
					break;
				}
				if (hwloc_bitmap_iszero(own)) {
					hwloc_bitmap_free(own);
					rc = (locus_error("%s: node %d has no CPUs", what, n), -EINVAL);
					break;
				}
				hwloc_bitmap_or(cpus, cpus, own);
				hwloc_bitmap_free(own);
			} hwloc_bitmap_foreach_end();
			hwloc_bitmap_copy(set, cpus);
			hwloc_bitmap_free(cpus);
			if (rc == 0 && hwloc_bitmap_iszero(set))
				rc = (locus_error("%s: '%s' has no CPUs", what, arg), -EINVAL);
		}
	} else
		rc = parse_idlist(what, arg, topo_max_pu_index(&ctx->topo), set);
	if (rc == 0) {
		allowed = topo_allowed_cpus(&ctx->topo);
		if (!hwloc_bitmap_isincluded(set, allowed)) {
			char a[128], b[128];
			rc = (locus_error("%s: CPUs %s are not all allowed here (allowed: %s)", what,
					 topo_list_str(set, a, sizeof(a)),
					 topo_list_str(allowed, b, sizeof(b))), -EINVAL);
		}
		hwloc_bitmap_free(allowed);
	}
	if (rc < 0) {
		hwloc_bitmap_free(set);
		return rc;
	}
	ro->cpus = set;
	return 0;
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
static int run_one(const struct bench_info *b, struct cmd_ctx *ctx, struct run_opts *ro,
		   const char **values, const bool *given, json_t *result)
{
	struct bench_ctx c = {
		.info = b, .topo = &ctx->topo, .result = result, .quick = ro->quick,
		.values = values, .given = given, .policy = ro->policy,
	};
	struct repeat_opts rep = REPEAT_OPTS_DEFAULT;
	const char *why;
	int rc;

	rep.target_ci = ro->have_target ? ro->target_ci : ro->quick ? 0.05 : 0.01;
	rep.max_time_s = ro->have_max_time ? ro->max_time : ro->quick ? 0.3 : 2.0;
	rep.min_reps = ro->quick ? 3 : 5;
	rep.warmup = ro->have_warmup ? (unsigned)ro->warmup : 1;
	rep.reps = (unsigned)ro->reps;
	c.rep = rep;
	c.cpus = ro->cpus ? hwloc_bitmap_dup(ro->cpus) : topo_allowed_cpus(&ctx->topo);

	why = b->supported ? b->supported(&c) : NULL;
	if (why) {
		bench_skip(&c, NULL, "%s", why);
		rc = 1;
	} else {
		progress_begin(b->name);
		rc = b->run(&c);
		progress_end();
	}
	hwloc_bitmap_free(c.cpus);
	return rc;
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
	struct run_opts ro = { .policy = { .mode = MEM_POL_DEFAULT } };
	struct option *longopts = NULL;
	const char **values = NULL;
	bool *given = NULL, all = false;
	int nopts = 0, c, rc = LOCUS_EXIT_USAGE, worst = 0;
	json_t *result = NULL;
	double d;

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
			locus_error("bench: '%s' is not a benchmark; available:", argv[1]);
			list_benches(stderr);
			return LOCUS_EXIT_USAGE;
		}
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while (b && b->opts && b->opts[nopts].name)
		nopts++;
	longopts = calloc(NR_COMMON + (size_t)nopts + 1, sizeof(*longopts));
	values = calloc((size_t)nopts + 1, sizeof(*values));
	given = calloc((size_t)nopts + 1, sizeof(*given));
	if (!longopts || !values || !given) {
		rc = LOCUS_EXIT_FAIL;
		goto out;
	}
	memcpy(longopts, common_opts, sizeof(common_opts));
	for (int i = 0; i < nopts; i++)
		longopts[NR_COMMON + (size_t)i] = (struct option){
			b->opts[i].name, b->opts[i].type == BOPT_FLAG ? no_argument : required_argument,
			NULL, O_BENCH_BASE + i };

	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		const char *what = NULL;
		for (size_t i = 0; i < NR_COMMON + (size_t)nopts; i++)
			if (longopts[i].val == c)
				what = longopts[i].name;
		char wbuf[64];
		snprintf(wbuf, sizeof(wbuf), "bench: --%s", what ? what : "?");
		switch (c) {
		case 'h':
			usage_bench(stdout, b);
			rc = LOCUS_EXIT_OK;
			goto out;
		case 'o': ro.output = optarg; break;
		case O_JSON: ro.json = true; break;
		case O_QUICK: ro.quick = true; break;
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
		case O_CPUS:
		case O_CPUNODEBIND:
			if (set_cpus(&ro, ctx, wbuf, optarg, c == O_CPUNODEBIND) < 0)
				goto out;
			break;
		case O_MEMBIND:
		case O_INTERLEAVE:
		case O_PREFERRED:
		case O_PREFERRED_MANY:
		case O_WEIGHTED_INTERLEAVE:
		case O_LOCALALLOC: {
			static const enum mem_policy_mode modes[] = {
				[O_MEMBIND - O_MEMBIND] = MEM_POL_BIND,
				[O_INTERLEAVE - O_MEMBIND] = MEM_POL_INTERLEAVE,
				[O_PREFERRED - O_MEMBIND] = MEM_POL_PREFERRED,
				[O_PREFERRED_MANY - O_MEMBIND] = MEM_POL_PREFERRED_MANY,
				[O_WEIGHTED_INTERLEAVE - O_MEMBIND] = MEM_POL_WEIGHTED_INTERLEAVE,
				[O_LOCALALLOC - O_MEMBIND] = MEM_POL_LOCAL,
			};
			if (set_policy(&ro, ctx, modes[c - O_MEMBIND], wbuf,
				       c == O_LOCALALLOC ? NULL : optarg) < 0)
				goto out;
			break;
		}
		default:
			if (c >= O_BENCH_BASE && c < O_BENCH_BASE + nopts) {
				const struct bench_opt *o = &b->opts[c - O_BENCH_BASE];
				const char *v = o->type == BOPT_FLAG ? "1" : optarg;
				char what2[80];
				snprintf(what2, sizeof(what2), "bench %s", b->name);
				if (bench_opt_validate(o, v) < 0) {
					fprintf(stderr, "(option of %s)\n", what2);
					goto out;
				}
				values[c - O_BENCH_BASE] = v;
				given[c - O_BENCH_BASE] = true;
				break;
			}
			rc = cmd_usage_error(b ? "bench NAME" : "bench");
			goto out;
		}
	}
	if (optind < argc) {
		locus_error("bench: unexpected argument '%s'", argv[optind]);
		rc = cmd_usage_error("bench");
		goto out;
	}
	if (!b && !all) {
		locus_error("bench: which benchmark? Give a name, 'all' or 'list'");
		rc = cmd_usage_error("bench");
		goto out;
	}
	if (ro.policy.mode != MEM_POL_DEFAULT &&
	    mem_policy_check(&ro.policy, topo_max_node_index(&ctx->topo)) < 0)
		goto out;
	if (ctx->topo.fake) {
		locus_error("bench: --topology describes another machine; benchmarks run only on this one");
		goto out;
	}

	timer_init(getenv("LOCUS_TIMER") && strcmp(getenv("LOCUS_TIMER"), "clock") == 0);
	result = result_new(env_fingerprint(), topo_json(&ctx->topo));
	if (!result) {
		rc = LOCUS_EXIT_FAIL;
		goto out;
	}
	json_object_set_new(result, "run", json_pack("{s:b, s:s}", "quick", ro.quick,
		"command", all ? "all" : b->name));
	{
		const struct bench_info *one[2] = { b, NULL };
		int skipped_all = 1;
		list = all ? bench_registry : one;
		for (; *list; list++) {
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
			int r = run_one(*list, ctx, &ro, v, g, result);
			free(dv);
			free(dg);
			if (r == 0)
				skipped_all = 0;
			if (r < 0) {
				/* Bad input was already explained in one line by the bench. */
				if (exit_for(r) != LOCUS_EXIT_USAGE)
					locus_error("bench %s: failed: %s", (*list)->name,
						    r == -EPROTO ? "verification failed" : strerror(-r));
				result_warn(result, "%s: failed: %s", (*list)->name, strerror(-r));
				if (!worst || exit_for(r) == LOCUS_EXIT_VERIFY)
					worst = r;
				if (!all && exit_for(r) == LOCUS_EXIT_USAGE) {
					rc = LOCUS_EXIT_USAGE;
					goto out; /* bad input: nothing written */
				}
			}
		}
		rc = worst ? exit_for(worst) : (!all && skipped_all ? LOCUS_EXIT_SKIP : LOCUS_EXIT_OK);
	}

	if (ro.output && result_write(result, ro.output) < 0)
		rc = LOCUS_EXIT_FAIL;
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
	hwloc_bitmap_free(ro.cpus);
	hwloc_bitmap_free(ro.policy.nodes);
	return rc;
}
