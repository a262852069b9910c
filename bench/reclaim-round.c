/* SPDX-License-Identifier: MIT */
/*
 * reclaim-round.c — one round of the reclaim bench: a fresh child process, put into
 * the cgroup under test, runs the mixed workload (file pages read through mmap, then
 * anonymous chunks first-touched and passes over everything, each chunk timed), and
 * the parent accounts for it: the percentiles of the child's latencies, its major
 * faults, and the deltas of /proc/vmstat and of the cgroup's memory.stat and
 * memory.events.
 *
 * The child runs in a fork of a possibly threaded process, so it uses no stdio and no
 * malloc; it writes its figures into memory shared with the parent, which the parent
 * touched first so that they are charged outside the cgroup under test.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cgroup.h"
#include "log.h"
#include "reclaim.h"
#include "stats.h"
#include "swap.h"
#include "sysfs.h"
#include "timer.h"

/* ---------------------------------------------------------------- the child */

static long long reclaim_current(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static void reclaim_fail(struct reclaim_job *j, int step)
{
	j->sh->failed = errno ? errno : EIO;
	j->sh->step = step;
	_exit(3);
}

/* The workload.  No stdio, no malloc: this is a fork of a possibly threaded process. */
static void __attribute__((noreturn)) reclaim_child(struct reclaim_job *j)
{
	uint64_t nf = j->file_bytes / j->chunk, na = j->anon_bytes / j->chunk;
	uint64_t fi = 0, ai = 0, sink = 0, x = 0x9e3779b97f4a7c15ull, k = 0;
	volatile unsigned char *fmap = NULL;
	volatile uint64_t *amap;
	struct rusage ru;
	char go;
	int fd;

	if (read(j->go_fd, &go, 1) != 1)
		reclaim_fail(j, 1);
	close(j->go_fd);
	if (nf) {
		fd = open(j->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			reclaim_fail(j, 2);
		fmap = mmap(NULL, j->file_bytes, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (fmap == MAP_FAILED)
			reclaim_fail(j, 3);
		/* The file into the page cache, charged to this cgroup. */
		for (uint64_t off = 0; off < j->file_bytes; off += RECLAIM_PAGE)
			sink += fmap[off];
	}
	amap = mmap(NULL, j->anon_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (amap == MAP_FAILED)
		reclaim_fail(j, 4);
	/* Base pages: reclaim and swap work on them; a THP would be split first. */
	madvise((void *)amap, j->anon_bytes, MADV_NOHUGEPAGE);
	for (uint64_t c = 0; c < na; c++) {
		volatile uint64_t *p = amap + c * j->chunk / 8;
		long long cur = reclaim_current(j->current_fd);
		uint64_t t0, t1;

		j->at_limit[c] = cur >= 0 && (uint64_t)cur + 2 * j->chunk >= j->limit;
		t0 = timer_now();
		/* One pseudo-random word per 64 bytes: not a same-filled page zram would
		 * store for free, and compressible about as real data is. */
		for (uint64_t w = 0; w < j->chunk / 8; w += 8) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			p[w] = x;
		}
		t1 = timer_now();
		j->alloc_ns[c] = timer_ticks_to_ns(t1 - t0);
	}
	j->sh->alloc_n = na;
	/* Passes over everything, file and anonymous chunks merged evenly. */
	for (unsigned pass = 0; pass < j->passes; pass++) {
		fi = ai = 0;
		while (fi < nf || ai < na) {
			bool file = ai >= na || (fi < nf && fi * na <= ai * nf);
			uint64_t t0, t1;

			t0 = timer_now();
			if (file) {
				for (uint64_t off = 0; off < j->chunk; off += RECLAIM_PAGE)
					sink += fmap[fi * j->chunk + off];
				fi++;
			} else {
				for (uint64_t w = 0; w < j->chunk / 8; w += RECLAIM_PAGE / 8)
					sink += amap[ai * j->chunk / 8 + w];
				ai++;
			}
			t1 = timer_now();
			j->access_ns[k++] = timer_ticks_to_ns(t1 - t0);
		}
	}
	j->sh->access_n = k;
	j->sh->sink = sink;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		j->sh->majflt = ru.ru_majflt;
		j->sh->minflt = ru.ru_minflt;
	}
	_exit(0);
}

/* ---------------------------------------------------------------- the parent */

static json_t *reclaim_vmstat(void)
{
	char path[PATH_MAX], key[128];
	long long v;
	json_t *o = json_object();
	FILE *f = fopen(sysfs_path("proc/vmstat", path, sizeof(path)), "re");

	if (!f)
		return o;
	while (fscanf(f, "%127s %lld", key, &v) == 2)
		json_object_set_new(o, key, json_integer(v));
	fclose(f);
	return o;
}

/* acc[key] += after[key] - before[key] for every key (keys = NULL) or those listed. */
void reclaim_add_delta(json_t *acc, json_t *before, json_t *after)
{
	const char *key;
	json_t *v;

	json_object_foreach(after, key, v) {
		json_t *b = json_object_get(before, key);
		json_int_t d;
		if (!json_is_integer(b))
			continue;
		d = json_integer_value(v) - json_integer_value(b);
		d += json_integer_value(json_object_get(acc, key));
		json_object_set_new(acc, key, json_integer(d));
	}
}

json_int_t reclaim_delta(json_t *before, json_t *after, const char *key)
{
	return json_integer_value(json_object_get(after, key)) -
	       json_integer_value(json_object_get(before, key));
}

/* p50, p99, max of v[0..n) (sorted in place). */
static void reclaim_pcts(double *v, size_t n, double out[3])
{
	if (!n) {
		out[0] = out[1] = out[2] = 0;
		return;
	}
	qsort(v, n, sizeof(*v), stats_cmp_double);
	out[0] = stats_quantile_sorted(v, n, 0.5);
	out[1] = stats_quantile_sorted(v, n, 0.99);
	out[2] = v[n - 1];
}

/* Fraction of the file's pages in the page cache (mincore). */
static double reclaim_cached(const char *file, uint64_t bytes)
{
	size_t pages = bytes / RECLAIM_PAGE, in = 0;
	unsigned char *vec;
	void *m;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !pages) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	vec = calloc(pages, 1);
	if (vec && mincore(m, bytes, vec) == 0)
		for (size_t i = 0; i < pages; i++)
			in += vec[i] & 1;
	munmap(m, bytes);
	free(vec);
	return (double)in / (double)pages;
}

/* Drop the data file's pages from the page cache (clean after fsync), so each round's
 * child faults them in itself and they are charged to its cgroup. */
static void reclaim_drop_file(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

/* One round: a fresh child through the whole workload. */
int reclaim_one_round(const struct reclaim_cfg *cf, struct reclaim_job *j,
		      struct reclaim_round *r, json_t *stat_acc, json_t *events_acc, bool *oom)
{
	int pipefd[2], status;
	json_t *ms0 = NULL, *ms1 = NULL, *ev0 = NULL, *ev1 = NULL;
	sigset_t old;
	pid_t pid;
	size_t na = cf->anon_bytes / cf->chunk;
	double *v;
	char go = 1;
	int ret = 0;

	if (cf->file_bytes) {
		reclaim_drop_file(reclaim_undo.file);
		r->cached_before = reclaim_cached(reclaim_undo.file, cf->file_bytes);
	}
	memset(j->sh, 0, sizeof(*j->sh));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	cgroup2_read_keyed(&reclaim_undo.cg, "memory.stat", &ms0);
	cgroup2_read_keyed(&reclaim_undo.cg, "memory.events", &ev0);
	r->vm_before = reclaim_vmstat();

	reclaim_block(&old);
	pid = fork();
	if (pid == 0) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (unsigned i = 0; i < RECLAIM_NSIG; i++)
			sigaction(reclaim_signals[i], &dfl, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		close(pipefd[1]);
		j->go_fd = pipefd[0];
		reclaim_child(j);
	}
	if (pid > 0)
		reclaim_undo.child = pid;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[0]);
	if (pid < 0) {
		ret = -errno;
		close(pipefd[1]);
		locus_error("bench reclaim: fork: %s", strerror(-ret));
		goto out;
	}
	ret = cgroup2_attach(&reclaim_undo.cg, pid);
	if (ret == 0 && write(pipefd[1], &go, 1) != 1)
		ret = -errno;
	close(pipefd[1]);   /* on error the child reads EOF and gives up */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 0;
			break;
		}
	}
	reclaim_undo.child = 0;
	if (ret < 0)
		goto out;
	r->vm_after = reclaim_vmstat();
	cgroup2_read_keyed(&reclaim_undo.cg, "memory.stat", &ms1);
	cgroup2_read_keyed(&reclaim_undo.cg, "memory.events", &ev1);
	if (ev0 && ev1)
		reclaim_add_delta(events_acc, ev0, ev1);
	if (ms0 && ms1)
		reclaim_add_delta(stat_acc, ms0, ms1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		json_int_t kills = ev0 && ev1 ? reclaim_delta(ev0, ev1, "oom_kill") : 0;
		if (WIFSIGNALED(status) && kills > 0) {
			*oom = true;
			locus_error("bench reclaim: the workload was OOM-killed in its cgroup (memory.max %llu bytes, swap %s): give a larger --limit, more swap, or a larger --file-fraction",
				    (unsigned long long)cf->limit, swap_kind_name(reclaim_undo.swap.kind));
			ret = -ENOMEM;
		} else if (WIFEXITED(status) && j->sh->failed) {
			ret = -j->sh->failed;
			locus_error("bench reclaim: the workload failed at step %d: %s", j->sh->step,
				    strerror(j->sh->failed));
		} else {
			ret = -ECHILD;
			locus_error("bench reclaim: the workload ended abnormally (%s %d)",
				    WIFSIGNALED(status) ? "signal" : "exit status",
				    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
		goto out;
	}
	/* Allocation latency at the limit: the chunks charged while usage was there. */
	v = malloc((na ? na : 1) * sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	r->alloc_n = j->sh->alloc_n;
	r->at_limit = 0;
	for (size_t i = 0; i < r->alloc_n; i++)
		if (j->at_limit[i])
			v[r->at_limit++] = j->alloc_ns[i];
	if (!r->at_limit) {   /* never reached: all chunks (a warning says so) */
		memcpy(v, j->alloc_ns, r->alloc_n * sizeof(*v));
		reclaim_pcts(v, r->alloc_n, r->alloc);
	} else {
		reclaim_pcts(v, r->at_limit, r->alloc);
	}
	free(v);
	r->access_n = j->sh->access_n;
	reclaim_pcts(j->access_ns, r->access_n, r->access);
	r->majflt = j->sh->majflt;
out:
	json_decref(ms0);
	json_decref(ms1);
	json_decref(ev0);
	json_decref(ev1);
	return ret;
}
