/* SPDX-License-Identifier: MIT */
/*
 * command.c — `locus bench command [OPTIONS] -- CMD ARGS...`: the user's own program
 * as a benchmark.
 *
 * The questions people bring are about their workload (does THP help my database, is
 * interleave better than local for my service, did this commit make my program
 * slower), so the program itself becomes the bench: run repeatedly under the
 * repetition driver, with the bench placement options applied between fork and exec
 * by the same code as `locus run` (lib/spawn.c, bench/placement.c), and measured from
 * what the kernel says about each run — wall time to its exit, wait4's rusage (user
 * and system CPU, max RSS, minor/major faults, voluntary/involuntary context switches)
 * — plus figures it prints itself (--metric NAME=REGEX).  What it got is recorded
 * next to the samples: its pages per node at exit (numa_maps, read at its ptrace exit
 * stop), its anonymous huge pages, the per-node numastat deltas of each run, and a
 * check that its memory landed on the nodes asked for.  The result is an ordinary
 * locus-result/1 file, so gate, tune ab, compare, report and baselines work on it.
 *
 * The command line is not a label: `--work 100` and `--work 120` of the same program
 * have the same measurement keys, which is what a gate compares.  Variants
 * (--variant NAME='PLACEMENT') are, as label "variant"; their runs are interleaved in
 * a fresh random order every round so that drift of the machine spreads over all of
 * them alike.  The driver's stopping rule applies to the round (every variant once):
 * its sample is the round's total wall time.
 *
 * The program is exec'd without a shell unless --shell; --prepare/--setup/--cleanup
 * are shell commands (they are strings by nature, like hyperfine's).  Its stdin is
 * /dev/null, its stdout and stderr go to memory files that --metric reads and whose
 * tail is shown when a run fails.  The program leads its own process group: a
 * timeout or ^C kills the group, so nothing it started is left running.
 *
 * Its own options (--metric, --variant) are parsed in command-parse.c; the state both
 * share is command.h.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "command.h"
#include "log.h"
#include "numastat.h"
#include "parse.h"
#include "placement.h"
#include "result.h"
#include "rng.h"
#include "spawn.h"

const struct bench_metric command_metrics[] = {
	[M_WALL] = { .name = "wall_time", .unit = "s", .higher_is_better = false },
	[M_USER] = { .name = "user_time", .unit = "s", .higher_is_better = false },
	[M_SYS] = { .name = "sys_time", .unit = "s", .higher_is_better = false },
	[M_RSS] = { .name = "max_rss", .unit = "B", .higher_is_better = false },
	[M_MINFLT] = { .name = "minor_faults", .unit = "faults", .higher_is_better = false },
	[M_MAJFLT] = { .name = "major_faults", .unit = "faults", .higher_is_better = false },
	[M_VCSW] = { .name = "voluntary_switches", .unit = "switches", .higher_is_better = false },
	[M_IVCSW] = { .name = "involuntary_switches", .unit = "switches", .higher_is_better = false },
	[NR_STD] = { .name = NULL },
};

static const struct bench_opt command_opts[] = {
	{ .name = "shell", .type = BOPT_FLAG,
	  .help = "run CMD ARGS, joined by spaces, through /bin/sh -c\n"
		  "          (default: exec'd, no shell)" },
	{ .name = "prepare", .type = BOPT_STR,
	  .help = "shell command run before every run (warm-up runs too); not timed" },
	{ .name = "setup", .type = BOPT_STR, .help = "shell command run once before the first run" },
	{ .name = "cleanup", .type = BOPT_STR,
	  .help = "shell command run once after the last run (also after a failure or ^C)" },
	{ .name = "timeout", .type = BOPT_STR,
	  .help = "seconds a run (or a --prepare/--setup/--cleanup) may take; a longer\n"
		  "          one is killed with its process group (a run: exit 5, others: 1)" },
	{ .name = "metric", .type = BOPT_LIST,
	  .help = "NAME=REGEX[:UNIT[:higher|lower]]: a figure the program prints\n"
		  "          (stdout or stderr), the one capture group of an extended POSIX\n"
		  "          regex that must match exactly once per run; UNIT and direction\n"
		  "          are taken from the end (REGEX may hold ':' when they are given);\n"
		  "          default direction: higher when UNIT ends in /s, else\n"
		  "          lower" },
	{ .name = "variant", .type = BOPT_LIST,
	  .help = "NAME='PLACEMENT OPTIONS': run under this placement too, e.g.\n"
		  "          local='--membind 0' remote='--cpunodebind 0 --membind 1';\n"
		  "          the runs of all variants are interleaved in random order\n"
		  "          and labelled variant=NAME" },
	{ .name = "ignore-failure", .type = BOPT_FLAG,
	  .help = "measure runs that exit non-zero too (their statuses are recorded)" },
	{ .name = NULL },
};

/* ---- running ----------------------------------------------------------------------- */

static int apply_placement(void *arg, const char **step)
{
	return placement_apply_self(arg, step);
}

/* The last lines of a memory file, for a failure message. */
static void show_tail(int fd, const char *what)
{
	char buf[2048];
	off_t end = lseek(fd, 0, SEEK_END), start = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = end > 0 ? pread(fd, buf, sizeof(buf) - 1, start) : 0;
	int lines = 0;
	char *p;

	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf + n - 1; p > buf; p--)
		if (*p == '\n' && p < buf + n - 1 && ++lines == 5) {
			p++;
			break;
		}
	fprintf(stderr, "locus: bench command: the end of its %s:\n", what);
	for (char *save = NULL, *l = strtok_r(p, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "  | %.200s\n", l);
}

static void reset_fd(int fd)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return;
}

/* Run a --prepare/--setup/--cleanup shell command.  Returns 0 or a negative errno
 * (message printed). */
static int run_shell(struct cmd_state *st, const char *what, const char *cmd)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL };
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct spawn_result r;
	int rc;

	reset_fd(st->err_fd);
	so.argv = argv;
	so.new_pgrp = true;
	so.stdin_fd = st->null_fd;
	so.stdout_fd = so.stderr_fd = st->err_fd;
	so.timeout_s = st->timeout;
	so.interrupt = &st->interrupt;
	rc = spawn_run(&so, &r);
	spawn_result_free(&r);
	if (rc < 0)
		return locus_fail(-rc, "bench command: --%s: %s", what, strerror(-rc));
	if (r.interrupted) {
		st->interrupted = r.interrupted;
		return -EINTR;
	}
	if (!r.started)
		return locus_fail(ENOEXEC, "bench command: --%s: /bin/sh: %s", what, strerror(r.err));
	if (r.timed_out || r.status) {
		if (r.timed_out)
			locus_error("bench command: --%s '%s' took longer than --timeout %g s and was killed",
				    what, cmd, st->timeout);
		else
			locus_error("bench command: --%s '%s' exited with status %d", what, cmd,
				    spawn_exit_code(r.status));
		show_tail(st->err_fd, "output");
		return -ECANCELED;
	}
	return 0;
}

/* Read a whole memory file into a NUL-terminated buffer (NULs inside become spaces, so
 * the regex sees everything). */
static char *slurp(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *b = malloc(n > 0 ? (size_t)n + 1 : 1);

	if (!b)
		return NULL;
	if (n > 0 && pread(fd, b, (size_t)n, 0) != n)
		n = 0;
	for (off_t i = 0; i < (n > 0 ? n : 0); i++)
		if (!b[i])
			b[i] = ' ';
	b[n > 0 ? n : 0] = '\0';
	return b;
}

/* Find metric m in the program's output: exactly one match, a number in the group. */
static int extract(struct cmd_state *st, const struct user_metric *m, char *const bufs[2],
		   const char *label, double *out)
{
	static const char *const names[2] = { "stdout", "stderr" };
	int count = 0, where = 0;
	char first[64] = "";
	double v = NAN;

	for (int b = 0; b < 2; b++) {
		const char *p = bufs[b];
		regmatch_t mt[2];
		while (*p && regexec(&m->re, p, 2, mt,
				     p > bufs[b] && p[-1] != '\n' ? REG_NOTBOL : 0) == 0) {
			if (++count == 1) {
				char num[64], *end;
				int len = (int)(mt[1].rm_eo - mt[1].rm_so);
				where = b;
				if (mt[1].rm_so < 0)
					len = 0;
				snprintf(first, sizeof(first), "%.*s", len > 60 ? 60 : len, p + mt[1].rm_so);
				snprintf(num, sizeof(num), "%s", first);
				errno = 0;
				v = strtod(num, &end);
				while (*end == ' ' || *end == '\t')
					end++;
				if (end == num || *end || errno || !isfinite(v))
					v = NAN;
			}
			p += mt[0].rm_eo > mt[0].rm_so ? mt[0].rm_eo : mt[0].rm_eo + 1;
			if (p > bufs[b] + strlen(bufs[b]))
				break;
		}
	}
	if (count == 0)
		return locus_fail(EPROTO, "bench command: --metric %s: no match in the output of run %u%s "
					  "(stdout and stderr searched)", m->name, st->cur, label);
	if (count > 1)
		return locus_fail(EPROTO, "bench command: --metric %s: %d matches in the output of run %u%s; "
					  "it must match exactly once (make the pattern more specific)",
					  m->name, count, st->cur, label);
	if (isnan(v))
		return locus_fail(EPROTO, "bench command: --metric %s: captured '%s' in %s of run %u%s, which "
					  "is not a number", m->name, first, names[where], st->cur, label);
	*out = v;
	return 0;
}

static void record_failure(struct cmd_state *st, struct variant *v, const struct spawn_result *r,
			   const char *why)
{
	json_t *f = json_object_get(st->c->result, "failures");

	if (!f) {
		f = json_array();
		json_object_set_new(st->c->result, "failures", f);
	}
	json_array_append_new(f, json_pack("{s:s, s:o, s:i, s:o, s:o, s:b, s:s}",
		"bench", "command",
		"labels", st->labelled ? json_pack("{s:s}", "variant", v->name) : json_object(),
		"run", (int)st->cur,
		"exit_status", r && r->started && !WIFSIGNALED(r->status) ? json_integer(WEXITSTATUS(r->status)) : json_null(),
		"signal", r && r->started && WIFSIGNALED(r->status) ? json_integer(WTERMSIG(r->status)) : json_null(),
		"timed_out", r && r->timed_out,
		"reason", why));
	result_warn(st->c->result, "command: run %u%s%s: %s", st->cur,
		    st->labelled ? " of variant " : "", st->labelled ? v->name : "", why);
}

/* One run of variant v; recorded unless it is a warm-up. */
static int run_once(struct cmd_state *st, struct variant *v, bool record)
{
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct spawn_result r;
	struct numastat before = { 0 }, after = { 0 };
	char label[NAME_MAX_LEN + 40] = "", why[200];
	double vals[NR_STD + MAX_METRICS];
	int rc;

	if (st->prepare && (rc = run_shell(st, "prepare", st->prepare)) < 0)
		return rc;
	if (record)
		st->run_no++;
	st->cur = st->run_no + !record;
	/* Messages name the run: "run 3" or "warm-up run 1", and the variant. */
	snprintf(label, sizeof(label), "%s%s%s", record ? "" : " (a warm-up run)",
		 st->labelled ? " of variant " : "", st->labelled ? v->name : "");
	reset_fd(st->out_fd);
	reset_fd(st->err_fd);
	so.argv = st->argv;
	so.before_exec = apply_placement;
	so.arg = &v->pl;
	so.new_pgrp = true;
	so.sample_exit = true;
	so.stdin_fd = st->null_fd;
	so.stdout_fd = st->out_fd;
	so.stderr_fd = st->err_fd;
	so.timeout_s = st->timeout;
	so.interrupt = &st->interrupt;
	numastat_read(&before);
	rc = spawn_run(&so, &r);
	numastat_read(&after);
	if (rc < 0) {
		locus_error("bench command: %s: %s", st->argv[0], strerror(-rc));
		goto out;
	}
	if (r.interrupted) {
		st->interrupted = r.interrupted;
		rc = -EINTR;
		goto out;
	}
	if (!r.started) {
		if (strcmp(r.step, "exec") == 0)
			rc = locus_fail(EINVAL, "bench command: %s: cannot execute: %s", st->argv[0],
						strerror(r.err));
		else
			rc = locus_fail(r.err == EINVAL ? EINVAL : EPROTO, "bench command: %s%s: %s",
					r.step, label, strerror(r.err));
		goto out;
	}
	if (st->shell && !r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 127) {
		show_tail(st->err_fd, "stderr");
		rc = locus_fail(EINVAL, "bench command: the shell could not find the command (exit status 127)");
		goto out;
	}
	if (r.timed_out) {
		snprintf(why, sizeof(why), "took longer than --timeout %g s and was killed", st->timeout);
		locus_error("bench command: run %u%s: %s", st->cur, label, why);
		record_failure(st, v, &r, why);
		rc = -EPROTO;
		goto out;
	}
	if (r.status && !st->ignore_failure) {
		if (WIFSIGNALED(r.status))
			snprintf(why, sizeof(why), "%s was killed by signal %d (%s)", st->argv[0],
				 WTERMSIG(r.status), strsignal(WTERMSIG(r.status)));
		else
			snprintf(why, sizeof(why), "%s exited with status %d", st->argv[0],
				 WEXITSTATUS(r.status));
		locus_error("bench command: run %u%s: %s (--ignore-failure measures such runs)",
			    st->cur, label, why);
		show_tail(st->err_fd, "stderr");
		record_failure(st, v, &r, why);
		rc = -EPROTO;
		goto out;
	}
	rc = 0;
	if (!record)
		goto out;
	vals[M_WALL] = r.wall_s;
	vals[M_USER] = (double)r.ru.ru_utime.tv_sec + (double)r.ru.ru_utime.tv_usec * 1e-6;
	vals[M_SYS] = (double)r.ru.ru_stime.tv_sec + (double)r.ru.ru_stime.tv_usec * 1e-6;
	vals[M_RSS] = (double)r.ru.ru_maxrss * 1024.0;
	vals[M_MINFLT] = (double)r.ru.ru_minflt;
	vals[M_MAJFLT] = (double)r.ru.ru_majflt;
	vals[M_VCSW] = (double)r.ru.ru_nvcsw;
	vals[M_IVCSW] = (double)r.ru.ru_nivcsw;
	if (st->num) {
		char *bufs[2] = { slurp(st->out_fd), slurp(st->err_fd) };
		for (size_t i = 0; rc == 0 && i < st->num; i++) {
			if (!bufs[0] || !bufs[1])
				rc = -ENOMEM;
			else if ((rc = extract(st, &st->um[i], bufs, label, &vals[NR_STD + i])) < 0) {
				snprintf(why, sizeof(why), "--metric %s could not be read from its output",
					 st->um[i].name);
				record_failure(st, v, &r, why);
			}
		}
		free(bufs[0]);
		free(bufs[1]);
		if (rc < 0)
			goto out;
	}
	for (size_t k = 0; k < NR_STD + st->num; k++)
		if ((rc = samples_push(&v->s[k], vals[k])) < 0)
			goto out;
	{
		json_t *per = json_object(), *an = json_object(), *n;
		const char *key;
		if (r.have_maps)
			json_object_foreach(r.pages, key, n) {
				json_object_set(per, key, json_object_get(n, "bytes"));
				json_object_set(an, key, json_object_get(n, "anon_bytes"));
			}
		json_array_append_new(v->pages, r.have_maps ? per : (json_decref(per), json_null()));
		json_array_append_new(v->anon, r.have_maps ? an : (json_decref(an), json_null()));
		json_array_append_new(v->huge, r.anon_huge_bytes >= 0 ? json_integer(r.anon_huge_bytes)
								       : json_null());
		json_array_append_new(v->last_cpus, r.last_cpu >= 0 ? json_integer(r.last_cpu) : json_null());
		json_array_append_new(v->numastat, before.nr > 0 ? numastat_delta_json(&before, &after)
								 : json_null());
		char code[16];
		snprintf(code, sizeof(code), "%d", spawn_exit_code(r.status));
		json_object_set_new(v->statuses, code, json_integer(
			json_integer_value(json_object_get(v->statuses, code)) + 1));
		if (!r.have_maps && json_array_size(v->pages) == 1)
			bench_warn(st->c, "pages per node at exit unavailable: %s", r.maps_why);
	}
out:
	spawn_result_free(&r);
	numastat_free(&before);
	numastat_free(&after);
	return rc;
}

/* One round of the driver: every variant once, in a fresh random order.  The
 * sample is the round's total wall time. */
static int round_fn(void *arg, double *sample)
{
	struct cmd_state *st = arg;
	size_t order[MAX_VARIANTS];
	bool record = st->calls++ >= st->warmup;
	double total = 0;

	for (size_t i = 0; i < st->nv; i++)
		order[i] = i;
	for (size_t i = st->nv; i > 1; i--) {
		size_t j = (size_t)(rng_next(&st->rng) % i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	progress_update("%s %u%s", record ? "run" : "warm-up run",
			record ? st->run_no + 1 : st->calls, st->nv > 1 ? " (round)" : "");
	for (size_t i = 0; i < st->nv; i++) {
		struct variant *v = &st->v[order[i]];
		int rc = run_once(st, v, record);
		if (rc < 0)
			return rc;
		if (record)
			total += v->s[M_WALL].v[v->s[M_WALL].n - 1];
	}
	*sample = record ? total : 1.0;
	return 0;
}

/* ---- recording --------------------------------------------------------------------- */

static json_t *placement_json(const struct placement *p)
{
	json_t *nodes = json_null();
	char buf[256];
	int n;

	if (p->policy.nodes) {
		nodes = json_array();
		hwloc_bitmap_foreach_begin(n, p->policy.nodes) {
			json_array_append_new(nodes, json_integer(n));
		} hwloc_bitmap_foreach_end();
	}
	return json_pack("{s:o, s:s, s:o}",
		"cpus", p->cpus ? json_string(topo_list_str(p->cpus, buf, sizeof(buf))) : json_null(),
		"policy", mem_policy_name(p->policy.mode), "nodes", nodes);
}

/*
 * What the variant's runs got, against what was asked: the share of the program's
 * anonymous memory at exit that was on the asked nodes (median over runs; file pages
 * are left out, the page cache holding them was filled by whoever read the file first), and whether
 * the CPU it last ran on was one of the asked ones in every run.
 */
static json_t *verify_variant(struct cmd_state *st, struct variant *v)
{
	json_t *ver = json_object(), *per;
	size_t i, have = 0, on_cpus = 0, cpu_runs = 0;
	struct samples frac = { 0 };

	json_array_foreach(v->anon, i, per) {
		double all = 0, on = 0;
		const char *key;
		json_t *b;
		if (!json_is_object(per))
			continue;
		have++;
		json_object_foreach(per, key, b) {
			int node = atoi(key + 4);
			all += (double)json_integer_value(b);
			if (v->pl.policy.nodes && hwloc_bitmap_isset(v->pl.policy.nodes, (unsigned)node))
				on += (double)json_integer_value(b);
		}
		if (v->pl.policy.nodes && all > 0)
			samples_push(&frac, on / all);
	}
	json_array_foreach(v->last_cpus, i, per)
		if (json_is_integer(per) && v->pl.cpus) {
			cpu_runs++;
			on_cpus += hwloc_bitmap_isset(v->pl.cpus, (unsigned)json_integer_value(per));
		}
	if (frac.n) {
		struct stats_summary s;
		if (stats_summarize(frac.v, frac.n, 0, 0, &s) == 0) {
			json_object_set_new(ver, "anon_bytes_on_asked_nodes_fraction", json_num(s.median));
			if (v->pl.policy.mode == MEM_POL_BIND && s.median < 0.9)
				bench_warn(st->c, "variant %s: only %.0f%% of its anonymous memory at exit was on "
					   "the nodes asked for", v->name, s.median * 100);
		}
	}
	if (cpu_runs)
		json_object_set_new(ver, "last_cpu_in_asked_cpus",
				    json_boolean(on_cpus == cpu_runs));
	json_object_set_new(ver, "pages_sampled_runs", json_integer((json_int_t)have));
	samples_free(&frac);
	return ver;
}

static int record(struct cmd_state *st, enum repeat_stop why)
{
	json_t *cmd = json_array();
	int rc = 0;

	for (char **a = st->c->command; *a; a++)
		json_array_append_new(cmd, json_string(*a));
	for (size_t i = 0; i < st->nv && rc == 0; i++) {
		struct variant *v = &st->v[i];
		json_t *ver = json_pack("{s:O, s:b, s:o, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:I}",
			"command", cmd, "shell", st->shell, "placement", placement_json(&v->pl),
			"exit_statuses", v->statuses, "bytes_per_node_at_exit", v->pages,
			"anon_bytes_per_node_at_exit", v->anon,
			"anon_huge_bytes_at_exit", v->huge, "last_cpu", v->last_cpus,
			"numastat", v->numastat, "placement_check", verify_variant(st, v),
			"order_seed", (json_int_t)(st->seed & 0x7fffffffffffffffull));
		for (size_t k = 0; k < NR_STD + st->num && rc == 0; k++) {
			const char *name = k < NR_STD ? command_metrics[k].name : st->um[k - NR_STD].name;
			const char *unit = k < NR_STD ? command_metrics[k].unit : st->um[k - NR_STD].unit;
			bool hib = k < NR_STD ? command_metrics[k].higher_is_better : st->um[k - NR_STD].higher;
			json_t *m = result_measurement("command", name, unit, hib,
				st->labelled ? json_pack("{s:s}", "variant", v->name) : json_object(),
				v->s[k].v, v->s[k].n);
			if (!m) {
				rc = -EINVAL;
				break;
			}
			json_object_set(m, "verified", ver);
			json_object_set_new(m, "repeat", json_pack("{s:i, s:s, s:f, s:f, s:s}",
				"warmup", (int)st->c->rep.warmup, "stop", repeat_stop_name(why),
				"target_ci", st->c->rep.reps ? 0.0 : st->c->rep.target_ci,
				"max_time_s", st->c->rep.max_time_s,
				"rule_on", st->nv > 1 ? "round total wall_time" : "wall_time"));
			json_object_set_new(m, "counters", json_object());
			rc = result_add(st->c->result, m);
		}
		json_decref(ver);
	}
	json_decref(cmd);
	return rc;
}

/* ---- the bench ---------------------------------------------------------------------- */

static const char *command_supported(struct bench_ctx *c)
{
	return c->command && c->command[0] ? NULL
		: "no command: give it after the options (locus bench command [OPTIONS] -- CMD ARGS...)";
}

static int command_run(struct bench_ctx *c)
{
	struct cmd_state st = { .c = c, .out_fd = -1, .err_fd = -1, .null_fd = -1 };
	const char *s, *setup = bench_opt_str(c, "setup"), *cleanup = bench_opt_str(c, "cleanup");
	struct repeat_opts rep = c->rep;
	struct samples rounds = { 0 };
	enum repeat_stop why = REPEAT_FIXED;
	sigset_t old;
	bool setup_done = false;
	int rc = 0;

	st.shell = bench_opt_flag(c, "shell");
	st.ignore_failure = bench_opt_flag(c, "ignore-failure");
	st.prepare = bench_opt_str(c, "prepare");
	if ((s = bench_opt_str(c, "timeout")) &&
	    parse_double("bench command: --timeout", s, 0.001, 1e7, &st.timeout) < 0)
		return -EINVAL;
	for (size_t i = 0; i < command_list_count(c, "metric"); i++) {
		char *spec = command_list_at(bench_opt_str(c, "metric"), i);
		rc = spec ? command_parse_metric(&st, spec) : -ENOMEM;
		free(spec);
		if (rc < 0)
			goto out;
	}
	if (command_list_count(c, "variant")) {
		hwloc_bitmap_t allowed = topo_allowed_cpus(c->topo);
		bool base = c->policy.mode != MEM_POL_DEFAULT ||
			    (allowed && !hwloc_bitmap_isequal(allowed, c->cpus));
		hwloc_bitmap_free(allowed);
		if (base) {
			rc = locus_fail(EINVAL, "bench command: --variant with placement options outside it: put "
						"the placement into each variant");
			goto out;
		}
		st.labelled = true;
		for (size_t i = 0; i < command_list_count(c, "variant"); i++) {
			char *spec = command_list_at(bench_opt_str(c, "variant"), i);
			rc = spec ? command_parse_variant(&st, spec) : -ENOMEM;
			free(spec);
			if (rc < 0)
				goto out;
		}
	} else {
		/* No variants: one, with the command line's placement. */
		hwloc_bitmap_t allowed = topo_allowed_cpus(c->topo);
		st.v[0].pl = (struct placement)PLACEMENT_INIT;
		if (allowed && !hwloc_bitmap_isequal(allowed, c->cpus))
			st.v[0].pl.cpus = hwloc_bitmap_dup(c->cpus);
		hwloc_bitmap_free(allowed);
		st.v[0].pl.policy.mode = c->policy.mode;
		st.v[0].pl.policy.nodes = c->policy.nodes ? hwloc_bitmap_dup(c->policy.nodes) : NULL;
		snprintf(st.v[0].name, sizeof(st.v[0].name), "default");
		st.nv = 1;
	}
	if (st.shell) {
		size_t len = 1;
		for (char **a = c->command; *a; a++)
			len += strlen(*a) + 1;
		st.joined = calloc(1, len);
		if (!st.joined) {
			rc = -ENOMEM;
			goto out;
		}
		for (char **a = c->command; *a; a++) {
			if (a != c->command)
				strcat(st.joined, " ");
			strcat(st.joined, *a);
		}
		st.shell_argv[0] = (char *)"/bin/sh";
		st.shell_argv[1] = (char *)"-c";
		st.shell_argv[2] = st.joined;
		st.argv = st.shell_argv;
	} else {
		st.argv = c->command;
		if ((rc = command_check_program(c->command[0])) < 0)
			goto out;
	}
	for (size_t i = 0; i < st.nv; i++) {
		struct variant *v = &st.v[i];
		v->pages = json_array();
		v->anon = json_array();
		v->huge = json_array();
		v->numastat = json_array();
		v->statuses = json_object();
		v->last_cpus = json_array();
	}
	st.out_fd = memfd_create("locus-command-stdout", MFD_CLOEXEC);
	st.err_fd = memfd_create("locus-command-stderr", MFD_CLOEXEC);
	st.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (st.out_fd < 0 || st.err_fd < 0 || st.null_fd < 0) {
		rc = -errno;
		locus_error("bench command: cannot create the output files: %s", strerror(errno));
		goto out;
	}
	/* ^C, SIGTERM and SIGHUP end a run by killing its process group (lib/spawn.c); we
	 * then clean up and die of the same signal.  Blocked for the whole bench so that
	 * one arriving between runs is taken by the next wait.  A signal the caller
	 * ignores (nohup) stays ignored. */
	sigemptyset(&st.interrupt);
	{
		static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
		for (size_t i = 0; i < 3; i++) {
			struct sigaction sa;
			if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
				sigaddset(&st.interrupt, sigs[i]);
		}
	}
	sigprocmask(SIG_BLOCK, &st.interrupt, &old);
	st.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_seed(&st.rng, st.seed);
	if (setup) {
		if ((rc = run_shell(&st, "setup", setup)) < 0)
			goto done;
		setup_done = true;
	}
	st.warmup = rep.warmup;
	rc = repeat_run(&rep, round_fn, &st, &rounds, &why);
	if (rc == 0)
		rc = record(&st, why);
done:
	if (cleanup && (setup_done || !setup)) {
		int interrupted = st.interrupted;
		/* The cleanup runs even after ^C; a second ^C ends it. */
		int r2 = run_shell(&st, "cleanup", cleanup);
		if (r2 < 0 && rc == 0)
			rc = r2;
		if (!interrupted && st.interrupted)
			rc = -EINTR;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (st.interrupted) {
		/* Die of the signal, as a shell expects of an interrupted program. */
		locus_error("bench command: interrupted (signal %d): the program was killed, "
			    "nothing was recorded", st.interrupted);
		signal(st.interrupted, SIG_DFL);
		raise(st.interrupted);
	}
out:
	samples_free(&rounds);
	for (size_t i = 0; i < st.nv; i++) {
		struct variant *v = &st.v[i];
		for (size_t k = 0; k < NR_STD + MAX_METRICS; k++)
			samples_free(&v->s[k]);
		json_decref(v->pages);
		json_decref(v->anon);
		json_decref(v->huge);
		json_decref(v->numastat);
		json_decref(v->statuses);
		json_decref(v->last_cpus);
		placement_free(&v->pl);
	}
	for (size_t i = 0; i < st.num; i++)
		if (st.um[i].compiled)
			regfree(&st.um[i].re);
	free(st.joined);
	if (st.out_fd >= 0)
		close(st.out_fd);
	if (st.err_fd >= 0)
		close(st.err_fd);
	if (st.null_fd >= 0)
		close(st.null_fd);
	return rc;
}

const struct bench_info bench_command_info = {
	.name = "command",
	.summary = "your own program: time, CPU, memory, faults under placement (-- CMD ARGS)",
	.description =
		"Runs CMD ARGS (given after '--') repeatedly, exec'd without a shell, with\n"
		"the placement options applied between fork and exec (as `locus run`), and\n"
		"records per run: wall time to its exit, user and system CPU time, max RSS,\n"
		"minor and major faults, voluntary and involuntary context switches (wait4),\n"
		"plus what it printed (--metric).  Next to the samples: its bytes per node\n"
		"and anonymous huge pages at exit, the per-node numastat deltas of each run,\n"
		"and the share of its memory on the nodes asked for.  --variant runs several\n"
		"placements interleaved in random order.  A run that exits non-zero fails\n"
		"the bench (exit 5) unless --ignore-failure; a program that cannot be found\n"
		"is exit 2.  Not part of `locus bench all`.",
	.opts = command_opts,
	.metrics = command_metrics,
	.supported = command_supported,
	.run = command_run,
	.takes_command = true,
};
