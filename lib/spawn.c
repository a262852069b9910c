/* SPDX-License-Identifier: MIT */
/*
 * spawn.c — start a program with what the caller asks, wait, and sample what it got.
 *
 * Shared by `locus run` and `locus bench command` (spawn.h says why ptrace).  The wait
 * is a sigtimedwait() loop on SIGCHLD (blocked across fork, so no wake-up is lost)
 * plus the caller's interrupting signals: a timeout or ^C kills the child's process
 * group and reaps it before returning, so nothing is left running behind locus.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "spawn.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int spawn_exit_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

json_t *spawn_parse_numa_maps(FILE *f, long long *total)
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
static void sample_cpus(pid_t pid, struct spawn_result *s)
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

static void sample_exit(pid_t pid, struct spawn_result *s)
{
	char path[64], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	if (!(f = fopen(path, "re"))) {
		s->maps_why = errno == ENOENT ? "no /proc/PID/numa_maps (kernel without NUMA support)"
					      : "cannot read /proc/PID/numa_maps";
	} else {
		json_decref(s->pages);
		s->pages = spawn_parse_numa_maps(f, &s->total_pages);
		s->have_maps = true;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "re"))) {
		long long kb;
		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "AnonHugePages: %lld kB", &kb) == 1)
				s->anon_huge_bytes = kb * 1024;
		fclose(f);
	}
	sample_cpus(pid, s);
}

/* Child side of the fork: wait for the tracer, redirect, apply, exec.  Errors go to
 * the parent through the close-on-exec pipe as "errno step". */
static void __attribute__((noreturn)) child(const struct spawn_opts *o, int go_fd, int err_fd,
					    const sigset_t *mask, pid_t parent)
{
	const char *step = "exec";
	char c, msg[128];
	int e = 0;

	if (o->new_pgrp) {
		setpgid(0, 0);
		/* locus killed outright (SIGKILL) must not leave the program running. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	/* Dispositions a shell would reset: the program gets ^C and ^\ as usual. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	/* The signals that interrupt us are the program's too (a caller that blocks them
	 * for its whole run must not pass that on), and our handlers are not its. */
	if (o->interrupt) {
		for (int s = 1; s < NSIG; s++)
			if (sigismember(o->interrupt, s) == 1)
				signal(s, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, o->interrupt, NULL);
	}
	if (go_fd >= 0) {
		while (read(go_fd, &c, 1) < 0 && errno == EINTR)
			;
		close(go_fd);
	}
	if ((o->stdin_fd >= 0 && dup2(o->stdin_fd, 0) < 0) ||
	    (o->stdout_fd >= 0 && dup2(o->stdout_fd, 1) < 0) ||
	    (o->stderr_fd >= 0 && dup2(o->stderr_fd, 2) < 0)) {
		e = errno;
		step = "dup2";
	}
	if (e == 0 && o->before_exec)
		e = -o->before_exec(o->arg, &step);
	if (e == 0) {
		if (o->path)
			execv(o->path, o->argv);
		else
			execvp(o->argv[0], o->argv);
		e = errno;
		step = "exec";
	}
	snprintf(msg, sizeof(msg), "%d %s", e, step);
	if (write(err_fd, msg, strlen(msg)) < 0)
		_exit(1);
	_exit(strcmp(step, "exec") ? 1 : e == ENOENT ? 127 : 126);
}

static void kill_child(const struct spawn_opts *o, pid_t pid)
{
	if (!o->new_pgrp || kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL);
}

/* Steps named by the child, as static strings (the message buffer is local). */
static const char *known_step(const char *s)
{
	static const char *const steps[] = { "exec", "dup2", "sched_setaffinity",
					     "set_mempolicy", "setenv" };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(s, steps[i]) == 0)
			return steps[i];
	return "starting the program";
}

int spawn_run(const struct spawn_opts *o, struct spawn_result *r)
{
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc = 0;
	double t0, t_end = -1, deadline = 0;
	bool traced = false;
	const char *trace_why = NULL;
	sigset_t wait_set, old;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->last_cpu = -1;
	r->anon_huge_bytes = -1;
	r->maps_why = "not sampled";
	sigemptyset(&wait_set);
	if (o->interrupt)
		wait_set = *o->interrupt;
	sigaddset(&wait_set, SIGCHLD);

	if (pipe2(errp, O_CLOEXEC) < 0 || (o->sample_exit && pipe2(go, O_CLOEXEC) < 0)) {
		rc = -errno;
		goto out;
	}
	fflush(NULL);
	sigprocmask(SIG_BLOCK, &wait_set, &old);
	{
		pid_t parent = getpid();
		pid = fork();
		if (pid == 0) {
			close(errp[0]);
			if (go[1] >= 0)
				close(go[1]);
			child(o, go[0], errp[1], &old, parent);
		}
	}
	if (pid < 0) {
		rc = -errno;
		goto restore;
	}
	r->pid = pid;
	if (o->new_pgrp)
		setpgid(pid, pid); /* also here: no window in which a kill misses the group */
	close(errp[1]);
	errp[1] = -1;
	if (o->sample_exit) {
		close(go[0]);
		go[0] = -1;
		if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT) == 0)
			traced = true;
		else
			trace_why = errno == EPERM ? "ptrace is not permitted here (needed to read numa_maps at exit)"
						   : "ptrace failed (needed to read numa_maps at exit)";
		if (write(go[1], "g", 1) < 0) {
			/* the child never learns to go on: do not wait for it forever */
			kill(pid, SIGKILL);
		}
		close(go[1]);
		go[1] = -1;
	}
	t0 = now_s();
	if (o->timeout_s > 0)
		deadline = t0 + o->timeout_s;
	{
		char msg[128];
		ssize_t n;
		while ((n = read(errp[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
			;
		if (n > 0) {
			int off = 0;
			msg[n] = '\0';
			sscanf(msg, "%d %n", &r->err, &off);
			r->step = known_step(msg + off);
		} else
			r->started = true;
	}
	for (;;) {
		siginfo_t si = { 0 };
		int st;

		if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT | WNOHANG) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			kill_child(o, pid);
			waitpid(pid, &st, 0);
			goto restore;
		}
		if (si.si_pid == 0) {
			/* Nothing yet: sleep until SIGCHLD, an interrupt or the deadline. */
			struct timespec ts, *tp = NULL;
			siginfo_t sig;
			int s;
			if (deadline > 0 && !r->timed_out && !r->interrupted) {
				double left = deadline - now_s();
				if (left <= 0) {
					r->timed_out = true;
					kill_child(o, pid);
					continue;
				}
				ts.tv_sec = (time_t)left;
				ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
				tp = &ts;
			}
			s = tp ? sigtimedwait(&wait_set, &sig, tp) : sigwaitinfo(&wait_set, &sig);
			if (s <= 0 || s == SIGCHLD || (r->interrupted && !o->forward_interrupt))
				continue; /* (the child was killed at the first one) */
			if (o->forward_interrupt && !r->interrupted) {
				if (sig.si_code != SI_KERNEL && (!o->new_pgrp || kill(-pid, s) < 0))
					kill(pid, s);
			} else {
				kill_child(o, pid);
			}
			if (!r->interrupted)
				r->interrupted = s;
			continue;
		}
		if (si.si_code == CLD_TRAPPED || si.si_code == CLD_STOPPED) {
			/* A ptrace stop: consume it, sample at exit, pass signals on. */
			if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st))
				continue;
			if (st >> 16 == PTRACE_EVENT_EXIT) {
				t_end = now_s();
				sample_exit(pid, r);
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
		if (t_end < 0)
			t_end = now_s();
		if (o->sample_exit && r->last_cpu < 0)
			sample_cpus(pid, r);
		while (wait4(pid, &st, 0, &r->ru) < 0 && errno == EINTR)
			;
		r->status = st;
		break;
	}
	r->wall_s = t_end - t0;
	if (o->sample_exit && !r->have_maps)
		r->maps_why = !r->started ? "the program did not start"
			    : traced ? "the program's memory was gone before it could be read"
			    : trace_why;
restore:
	{
		/* Take back what we blocked; SIGCHLDs of ours still pending are dropped
		 * (the default disposition ignores them). */
		struct timespec zero = { 0, 0 };
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		if (!sigismember(&old, SIGCHLD))
			while (sigtimedwait(&chld, NULL, &zero) > 0)
				;
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return rc;
}

void spawn_result_free(struct spawn_result *r)
{
	json_decref(r->pages);
	r->pages = NULL;
}
