/* SPDX-License-Identifier: MIT */
/*
 * cmd-run.c — `locus run [PLACEMENT] [--report] [--json] -- COMMAND ARGS...`.
 *
 * numactl for locus users: launch a program with CPU affinity and a memory policy set
 * between fork and exec (the same options and checks as `locus bench`, bench/placement.c),
 * and propagate its exit status (128 + signal when killed).  With --report it says
 * what the program actually got, because asking is not getting: the per-node numastat
 * deltas over its run (system-wide counters), its pages per node from
 * /proc/PID/numa_maps, the CPU it last ran on and its allowed CPUs/nodes.  Starting,
 * waiting and sampling at exit (with ptrace, and why) are lib/spawn.c's, shared with
 * `locus bench command`.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "output.h"
#include "numastat.h"
#include "placement.h"
#include "spawn.h"

enum { O_REPORT = 256, O_JSON };

static const struct option run_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "report", no_argument, NULL, O_REPORT },
	{ "json", no_argument, NULL, O_JSON },
	{ "output", required_argument, NULL, 'o' },
	PLACEMENT_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void usage_run(FILE *f)
{
	fprintf(f,
		"Usage: locus run [PLACEMENT] [--report] [--json] [-o FILE] [--] COMMAND [ARGS]\n"
		"\n"
		"Run COMMAND with the CPU affinity and memory policy asked for (like numactl),\n"
		"and exit with its exit status (128 + N when killed by signal N; 127 when it\n"
		"cannot be found, 126 when it cannot be executed).  Nodes that do not exist or\n"
		"have no memory are refused (exit 2): nothing silently falls back to node 0.\n"
		"Put \"--\" before COMMAND when its arguments could be taken for locus options\n"
		"(--quiet, --sysroot, --topology are taken from anywhere before \"--\").\n"
		"\n"
		"Report (what the program actually got):\n"
		"      --report           after it exits, print the per-node numastat deltas over\n"
		"                         its run (system-wide counters), its pages per node from\n"
		"                         /proc/PID/numa_maps sampled as it exited, the CPU it\n"
		"                         last ran on and its allowed CPUs and memory nodes\n"
		"      --json             the report as JSON (implies --report)\n"
		"  -o, --output FILE      write the report to FILE ('-' = stdout; default stderr,\n"
		"                         so the program's own output stays clean)\n"
		"\n" PLACEMENT_HELP "\n" CMD_COMMON_HELP_TOPO);
}

static json_t *report_json(char **cmdv, pid_t pid, int status, const struct placement *pl,
			   const struct spawn_result *s, json_t *numastat)
{
	json_t *cmd = json_array(), *nodes = json_null();
	char buf[256];

	for (char **a = cmdv; *a; a++)
		json_array_append_new(cmd, json_string(*a));
	if (pl->policy.nodes) {
		int n;
		nodes = json_array();
		hwloc_bitmap_foreach_begin(n, pl->policy.nodes) {
			json_array_append_new(nodes, json_integer(n));
		} hwloc_bitmap_foreach_end();
	}
	return json_pack("{s:o, s:i, s:i, s:o, s:{s:o, s:s, s:o}, s:{s:o, s:o, s:o}, "
			 "s:{s:o, s:o, s:o, s:o}, s:o}",
		"command", cmd, "pid", (int)pid,
		"exit_status", WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status),
		"signal", WIFSIGNALED(status) ? json_integer(WTERMSIG(status)) : json_null(),
		"asked",
		"cpus", pl->cpus ? json_string(topo_list_str(pl->cpus, buf, sizeof(buf))) : json_null(),
		"policy", mem_policy_name(pl->policy.mode),
		"nodes", nodes,
		"cpus",
		"last", s->last_cpu >= 0 ? json_integer(s->last_cpu) : json_null(),
		"allowed", s->allowed[0] ? json_string(s->allowed) : json_null(),
		"mems_allowed", s->mems_allowed[0] ? json_string(s->mems_allowed) : json_null(),
		"pages",
		"sampled_at", s->have_maps ? json_string("exit") : json_null(),
		"nodes", s->have_maps ? json_incref(s->pages) : json_null(),
		"total", s->have_maps ? json_integer(s->total_pages) : json_null(),
		"unavailable", s->have_maps ? json_null() : json_string(s->maps_why),
		"numastat", numastat ? json_incref(numastat) : json_null());
}

static void report_text(FILE *f, const json_t *r)
{
	json_t *c = json_object_get(r, "cpus"), *p = json_object_get(r, "pages"), *v, *x;
	json_t *a = json_object_get(r, "asked");
	const char *k;
	size_t i;

	fprintf(f, "locus run: %s", json_string_value(json_array_get(json_object_get(r, "command"), 0)));
	if (json_is_integer(json_object_get(r, "signal")))
		fprintf(f, " killed by signal %d", (int)json_integer_value(json_object_get(r, "signal")));
	else
		fprintf(f, " exited with status %d",
			(int)json_integer_value(json_object_get(r, "exit_status")));
	fprintf(f, " (pid %d)\n", (int)json_integer_value(json_object_get(r, "pid")));
	fprintf(f, "  asked:    cpus %s, memory policy %s",
		json_is_string(json_object_get(a, "cpus")) ? json_string_value(json_object_get(a, "cpus")) : "(any)",
		json_string_value(json_object_get(a, "policy")));
	json_array_foreach(json_object_get(a, "nodes"), i, v)
		fprintf(f, "%s%d", i ? "," : " ", (int)json_integer_value(v));
	fputc('\n', f);
	v = json_object_get(c, "last");
	fprintf(f, "  CPUs:     last ran on ");
	if (json_is_integer(v))
		fprintf(f, "CPU %d", (int)json_integer_value(v));
	else
		fprintf(f, "(unknown)");
	fprintf(f, "; allowed %s; memory nodes allowed %s\n",
		json_is_string(json_object_get(c, "allowed")) ? json_string_value(json_object_get(c, "allowed")) : "?",
		json_is_string(json_object_get(c, "mems_allowed")) ? json_string_value(json_object_get(c, "mems_allowed")) : "?");
	if (json_is_object(json_object_get(p, "nodes"))) {
		fprintf(f, "  pages per node at exit (/proc/PID/numa_maps):\n");
		json_object_foreach(json_object_get(p, "nodes"), k, v)
			fprintf(f, "    %-8s %10lld pages %12lld KiB (anonymous %lld KiB)\n", k,
				(long long)json_integer_value(json_object_get(v, "pages")),
				(long long)json_integer_value(json_object_get(v, "bytes")) / 1024,
				(long long)json_integer_value(json_object_get(v, "anon_bytes")) / 1024);
	} else
		fprintf(f, "  pages per node: unavailable: %s\n",
			json_string_value(json_object_get(p, "unavailable")));
	v = json_object_get(r, "numastat");
	if (json_is_object(v) && json_object_size(v)) {
		fprintf(f, "  numastat deltas during the run (system-wide):\n    %-8s", "node");
		for (int j = 0; j < NUMASTAT_NR_FIELDS; j++)
			fprintf(f, " %14s", numastat_fields[j]);
		fputc('\n', f);
		json_object_foreach(v, k, x) {
			fprintf(f, "    %-8s", k);
			for (int j = 0; j < NUMASTAT_NR_FIELDS; j++) {
				json_t *d = json_object_get(x, numastat_fields[j]);
				if (d)
					fprintf(f, " %14lld", (long long)json_integer_value(d));
				else
					fprintf(f, " %14s", "-");
			}
			fputc('\n', f);
		}
	} else
		fprintf(f, "  numastat: unavailable (no sys/devices/system/node/node*/numastat)\n");
}

static int apply_placement(void *arg, const char **step)
{
	return placement_apply_self(arg, step);
}

/* What `locus run` was asked. */
struct run_req {
	struct placement pl;
	const char *output;       /* -o: the report's file, else stderr */
	bool report, json;
	char **cmdv;              /* the program and its arguments */
};

/* Our options, up to the program.  Returns -1 to go on, or the exit code. */
static int run_parse(int argc, char **argv, struct cmd_ctx *ctx, struct run_req *q)
{
	int c, idx;

	/* Same rule as the dispatcher: -h before "--" means help (the topology was not
	 * loaded then). */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage_run(stdout);
			return LOCUS_EXIT_OK;
		}
	}
	/* "+": stop at the command, so its own options are not taken for ours. */
	while ((c = cmd_getopt(argc, argv, "+ho:", run_opts, &idx)) != -1) {
		/* Name the option as the user gave it (--cpus, not its alias --physcpubind). */
		char what[64] = "run: --?";
		int r;

		if (idx >= 0)
			snprintf(what, sizeof(what), "run: --%s", run_opts[idx].name);
		switch (c) {
		case 'h':
			usage_run(stdout);
			return LOCUS_EXIT_OK;
		case O_REPORT: q->report = true; break;
		case O_JSON: q->json = q->report = true; break;
		case 'o': q->output = optarg; break;
		default:
			r = placement_option(&q->pl, &ctx->topo, c, what, optarg);
			if (r < 0)
				return LOCUS_EXIT_USAGE;
			if (r > 0)
				return cmd_usage_error("run");
		}
	}
	if (optind >= argc) {
		locus_error("run: which program? Give it after the options (locus run [OPTIONS] -- COMMAND)");
		return cmd_usage_error("run");
	}
	q->cmdv = argv + optind;
	return -1;
}

/* What is refused before anything runs.  Returns -1 to go on, or the exit code. */
static int run_validate(const struct cmd_ctx *ctx, struct run_req *q)
{
	int c;

	if (q->output && !q->report) {
		locus_error("run: --output is for the report: add --report or --json");
		return LOCUS_EXIT_USAGE;
	}
	if (ctx->topo.fake) {
		locus_error("run: --topology describes another machine; programs run only on this one");
		return LOCUS_EXIT_USAGE;
	}
	if (!ctx->have_topo) { /* "--help" was there, as some option's value: show it */
		usage_run(stdout);
		return LOCUS_EXIT_OK;
	}
	if ((c = placement_check(&q->pl, &ctx->topo)) < 0)
		return locus_exit_code(c);
	return -1;
}

/* Start the program with its placement and wait for it.  Returns 0 when it was waited
 * for (s->started says whether it ran; a message says why not), or a negative errno. */
static int run_program(struct run_req *q, struct spawn_result *s)
{
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	int rc;

	/* Like a shell: ^C and ^\ are for the program; we stay to report and propagate. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	so.argv = q->cmdv;
	so.before_exec = apply_placement;
	so.arg = &q->pl;
	so.sample_exit = q->report;
	rc = spawn_run(&so, s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (rc < 0) {
		locus_error("run: %s: %s", q->cmdv[0], strerror(-rc));
		return rc;
	}
	if (!s->started) {
		if (strcmp(s->step, "exec") == 0)
			locus_error("run: %s: cannot execute: %s", q->cmdv[0], strerror(s->err));
		else
			locus_error("run: %s: %s", s->step, strerror(s->err));
	}
	return 0;
}

/* The report (text, or JSON with --json) to -o FILE or stderr.  Returns 0, or -1 when
 * it could not be written (message printed). */
static int run_emit_report(const struct run_req *q, const struct spawn_result *s,
			   json_t *numastat)
{
	json_t *rep = report_json(q->cmdv, s->pid, s->status, &q->pl, s, numastat);
	FILE *f = q->output ? output_open(q->output) : stderr;
	int rc = 0;

	if (!f) {
		rc = -1;
	} else {
		if (q->json)
			json_dumpf(rep, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER), fputc('\n', f);
		else
			report_text(f, rep);
		if (f == stderr)
			fflush(f);
		else if (output_close(f, q->output) < 0)
			rc = -1;
	}
	json_decref(rep);
	return rc;
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct run_req q = { .pl = PLACEMENT_INIT };
	struct spawn_result s = { .last_cpu = -1 };
	struct numastat before = { 0 }, after = { 0 };
	json_t *nst = NULL;
	int rc;

	rc = run_parse(argc, argv, ctx, &q);
	if (rc < 0)
		rc = run_validate(ctx, &q);
	if (rc >= 0)
		goto out;
	rc = LOCUS_EXIT_FAIL;
	if (q.report && numastat_read(&before) < 0)
		goto out;
	if (run_program(&q, &s) < 0)
		goto out;
	/* the program's own exit status (126/127 when it could not be started) */
	rc = spawn_exit_code(s.status);
	if (q.report && s.started) {
		if (numastat_read(&after) == 0 && before.nr > 0)
			nst = numastat_delta_json(&before, &after);
		if (run_emit_report(&q, &s, nst) < 0 && !rc)
			rc = LOCUS_EXIT_FAIL;
	}
out:
	json_decref(nst);
	spawn_result_free(&s);
	numastat_free(&before);
	numastat_free(&after);
	placement_free(&q.pl);
	return rc;
}
