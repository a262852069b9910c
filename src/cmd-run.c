/*
 * cmd-run.c — `locus run [PLACEMENT] [--report] [--json] -- COMMAND ARGS...`.
 *
 * numactl for locus users: launch a program with CPU affinity and a memory policy set
 * between fork and exec (the same options and checks as `locus bench`, placement.c),
 * and propagate its exit status (128 + signal when killed).  With --report it says
 * what the program actually got, because asking is not getting: the per-node numastat
 * deltas over its run (system-wide counters), its pages per node from
 * /proc/PID/numa_maps, the CPU it last ran on and its allowed CPUs/nodes.
 *
 * Why ptrace: a process's memory is gone once it has exited — a zombie has no mm, so
 * waitid(WNOWAIT) is too late for numa_maps (it still gives /proc/PID/stat).  With
 * --report the child is PTRACE_SEIZEd with PTRACE_O_TRACEEXIT, which stops it at
 * exit before its memory is released; numa_maps and stat are read then and the child
 * is detached.  Where ptrace is refused (seccomp, yama scope 3) the report says the
 * pages are unavailable and why, and the CPU is read from the zombie.
 * /proc/PID is read directly, not through the --sysroot: it describes our own child.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "numastat.h"
#include "placement.h"

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
		"Usage: locus run [PLACEMENT] [--report] [--json] [-o FILE] [--] COMMAND [ARGS...]\n"
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
		"\n" PLACEMENT_HELP "\n" CMD_COMMON_HELP);
}

/* What the child got, sampled at its exit. */
struct run_sample {
	bool have_maps;          /* numa_maps read while the memory still existed */
	const char *maps_why;    /* else: why not */
	json_t *pages;           /* {"nodeN": {pages, bytes, anon_bytes}} */
	long long total_pages;
	int last_cpu;            /* -1 unknown */
	char allowed[256], mems_allowed[256];
};

/* Sum numa_maps' "N<node>=<pages>" per node, with each mapping's kernelpagesize_kB. */
static json_t *parse_numa_maps(FILE *f, long long *total)
{
	json_t *nodes = json_object();
	char *line = NULL;
	size_t cap = 0;

	*total = 0;
	while (getline(&line, &cap, f) > 0) {
		long long kb = 4, cnt[64] = { 0 };
		bool anon = false, file = false, any = false;
		char *save = NULL;
		for (char *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
			int node;
			long long n;
			if (sscanf(t, "kernelpagesize_kB=%lld", &n) == 1)
				kb = n;
			else if (strncmp(t, "anon=", 5) == 0)
				anon = true;
			else if (strncmp(t, "file=", 5) == 0)
				file = true;
			else if (sscanf(t, "N%d=%lld", &node, &n) == 2 && node >= 0 && node < 64) {
				cnt[node] += n;
				any = true;
			}
		}
		if (!any)
			continue;
		for (int i = 0; i < 64; i++) {
			char key[16];
			json_t *o;
			if (!cnt[i])
				continue;
			snprintf(key, sizeof(key), "node%d", i);
			if (!(o = json_object_get(nodes, key))) {
				o = json_pack("{s:I, s:I, s:I}", "pages", (json_int_t)0, "bytes",
					      (json_int_t)0, "anon_bytes", (json_int_t)0);
				json_object_set_new(nodes, key, o);
			}
			json_object_set_new(o, "pages", json_integer(
				json_integer_value(json_object_get(o, "pages")) + cnt[i]));
			json_object_set_new(o, "bytes", json_integer(
				json_integer_value(json_object_get(o, "bytes")) + cnt[i] * kb * 1024));
			if (anon && !file)
				json_object_set_new(o, "anon_bytes", json_integer(
					json_integer_value(json_object_get(o, "anon_bytes")) + cnt[i] * kb * 1024));
			*total += cnt[i];
		}
	}
	free(line);
	return nodes;
}

/* Field 39 (processor) of /proc/PID/stat, and the allowed lists from status. */
static void sample_cpus(pid_t pid, struct run_sample *s)
{
	char path[64], buf[4096], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re"))) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		/* The command name may hold spaces and parentheses: count after the last ')'. */
		if ((p = strrchr(buf, ')'))) {
			char *save = NULL;
			int field = 2;
			for (char *t = strtok_r(p + 1, " ", &save); t; t = strtok_r(NULL, " ", &save))
				if (++field == 39) {
					s->last_cpu = atoi(t);
					break;
				}
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (strncmp(buf, "Cpus_allowed_list:", 18) == 0)
				snprintf(s->allowed, sizeof(s->allowed), "%s", buf + 18 + strspn(buf + 18, " \t"));
			else if (strncmp(buf, "Mems_allowed_list:", 18) == 0)
				snprintf(s->mems_allowed, sizeof(s->mems_allowed), "%s",
					 buf + 18 + strspn(buf + 18, " \t"));
		}
		fclose(f);
	}
}

static void sample_exit(pid_t pid, struct run_sample *s)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	if (!(f = fopen(path, "re"))) {
		s->maps_why = errno == ENOENT ? "no /proc/PID/numa_maps (kernel without NUMA support)"
					      : "cannot read /proc/PID/numa_maps";
	} else {
		json_decref(s->pages);
		s->pages = parse_numa_maps(f, &s->total_pages);
		s->have_maps = true;
		fclose(f);
	}
	sample_cpus(pid, s);
}

static json_t *report_json(char **cmdv, pid_t pid, int status, const struct placement *pl,
			   const struct run_sample *s, json_t *numastat)
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

/* Child side of the fork: wait for the tracer (when reporting), apply, exec.  Errors go
 * to the parent through the close-on-exec pipe as "errno step". */
static void __attribute__((noreturn)) child(int go_fd, int err_fd, const struct placement *pl,
					    char **cmdv)
{
	const char *step = "exec";
	char c, msg[128];
	int e;

	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (go_fd >= 0) {
		while (read(go_fd, &c, 1) < 0 && errno == EINTR)
			;
		close(go_fd);
	}
	e = -placement_apply_self(pl, &step);
	if (e == 0) {
		execvp(cmdv[0], cmdv);
		e = errno;
		step = "exec";
	}
	snprintf(msg, sizeof(msg), "%d %s", e, step);
	if (write(err_fd, msg, strlen(msg)) < 0)
		_exit(1);
	_exit(strcmp(step, "exec") ? 1 : e == ENOENT ? 127 : 126);
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct placement pl = PLACEMENT_INIT;
	struct run_sample s = { .last_cpu = -1, .maps_why = "not sampled" };
	struct numastat before = { 0 }, after = { 0 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	const char *output = NULL, *trace_why = NULL;
	bool report = false, json = false, traced = false;
	int c, rc = LOCUS_EXIT_USAGE, go[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0;
	json_t *nst = NULL, *rep = NULL;
	char **cmdv;
	pid_t pid;

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
	int idx;
	while ((c = cmd_getopt(argc, argv, "+ho:", run_opts, &idx)) != -1) {
		/* Name the option as the user gave it (--cpus, not its alias --physcpubind). */
		char what[64] = "run: --?";
		if (idx >= 0)
			snprintf(what, sizeof(what), "run: --%s", run_opts[idx].name);
		switch (c) {
		case 'h':
			usage_run(stdout);
			rc = LOCUS_EXIT_OK;
			goto out;
		case O_REPORT: report = true; break;
		case O_JSON: json = report = true; break;
		case 'o': output = optarg; break;
		default: {
			int r = placement_option(&pl, &ctx->topo, c, what, optarg);
			if (r < 0)
				goto out;
			if (r > 0) {
				rc = cmd_usage_error("run");
				goto out;
			}
		}
		}
	}
	if (optind >= argc) {
		locus_error("run: which program? Give it after the options (locus run [OPTIONS] -- COMMAND)");
		rc = cmd_usage_error("run");
		goto out;
	}
	if (output && !report) {
		locus_error("run: --output is for the report: add --report or --json");
		goto out;
	}
	cmdv = argv + optind;
	if (ctx->topo.fake) {
		locus_error("run: --topology describes another machine; programs run only on this one");
		goto out;
	}
	if ((c = placement_check(&pl, &ctx->topo)) < 0) {
		rc = c == -EOPNOTSUPP ? LOCUS_EXIT_SKIP : LOCUS_EXIT_USAGE;
		goto out;
	}

	rc = LOCUS_EXIT_FAIL;
	if (pipe2(errp, O_CLOEXEC) < 0 || (report && pipe2(go, O_CLOEXEC) < 0)) {
		locus_error("run: pipe: %s", strerror(errno));
		goto out;
	}
	if (report && numastat_read(&before) < 0)
		goto out;
	fflush(NULL);
	/* Like a shell: ^C and ^\ are for the program; we stay to report and propagate. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid < 0) {
		locus_error("run: fork: %s", strerror(errno));
		goto restore;
	}
	if (pid == 0) {
		close(errp[0]);
		if (go[1] >= 0)
			close(go[1]);
		child(go[0], errp[1], &pl, cmdv);
	}
	close(errp[1]);
	errp[1] = -1;
	if (report) {
		close(go[0]);
		go[0] = -1;
		if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT) == 0)
			traced = true;
		else
			trace_why = errno == EPERM ? "ptrace is not permitted here (needed to read numa_maps at exit)"
						   : "ptrace failed (needed to read numa_maps at exit)";
		if (write(go[1], "g", 1) < 0)
			locus_warn("run: cannot release the child: %s", strerror(errno));
		close(go[1]);
		go[1] = -1;
	}
	{
		char msg[128];
		ssize_t n;
		while ((n = read(errp[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
			;
		if (n > 0) {
			int e = 0, off = 0;
			msg[n] = '\0';
			sscanf(msg, "%d %n", &e, &off);
			if (strcmp(msg + off, "exec") == 0)
				locus_error("run: %s: cannot execute: %s", cmdv[0], strerror(e));
			else
				locus_error("run: %s: %s", msg + off, strerror(e));
			report = false; /* the program never ran */
		}
	}
	for (;;) {
		siginfo_t si = { 0 };
		int st;

		if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			locus_error("run: waitid: %s", strerror(errno));
			goto restore;
		}
		if (si.si_code == CLD_TRAPPED || si.si_code == CLD_STOPPED) {
			/* A ptrace stop: consume it, sample at exit, pass signals on. */
			if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st))
				continue;
			if (st >> 16 == PTRACE_EVENT_EXIT) {
				sample_exit(pid, &s);
				ptrace(PTRACE_DETACH, pid, NULL, NULL);
			} else if (st >> 16 == PTRACE_EVENT_STOP) {
				/* A group-stop (^Z, SIGSTOP): stay stopped but let SIGCONT
				 * through; any other PTRACE_EVENT_STOP (the end of one):
				 * resume. */
				int sig = WSTOPSIG(st);
				if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
					ptrace(PTRACE_LISTEN, pid, NULL, NULL);
				else
					ptrace(PTRACE_CONT, pid, NULL, NULL);
			} else {
				ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(st));
			}
			continue;
		}
		/* Exited; a zombie until reaped: its stat still has the last CPU. */
		if (report && s.last_cpu < 0)
			sample_cpus(pid, &s);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		status = st;
		break;
	}
	rc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	if (report) {
		if (!s.have_maps)
			s.maps_why = traced ? "the program's memory was gone before it could be read"
					    : trace_why;
		if (numastat_read(&after) == 0 && before.nr > 0)
			nst = numastat_delta_json(&before, &after);
		rep = report_json(cmdv, pid, status, &pl, &s, nst);
		FILE *f = output ? cmd_open_output(output) : stderr;
		if (!f) {
			rc = rc ? rc : LOCUS_EXIT_FAIL;
		} else {
			if (json)
				json_dumpf(rep, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER), fputc('\n', f);
			else
				report_text(f, rep);
			if (f == stderr)
				fflush(f);
			else if (cmd_close_output(f, output) < 0 && !rc)
				rc = LOCUS_EXIT_FAIL;
		}
	}
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	json_decref(rep);
	json_decref(nst);
	json_decref(s.pages);
	numastat_free(&before);
	numastat_free(&after);
	placement_free(&pl);
	return rc;
}
