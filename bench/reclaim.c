/*
 * reclaim.c — what memory reclaim costs a workload, and what vm.swappiness decides.
 *
 * A child process runs inside a cgroup v2 of locus's own whose memory.max is below its
 * working set, so the kernel must reclaim within the cgroup: drop clean file pages
 * (cheap, refaulted later from the disk) or swap anonymous pages out (written to swap,
 * faulted back in).  vm.swappiness weighs the two (cgroup v2 has no per-cgroup
 * swappiness: the global value applies); without swap only file pages can go and
 * swappiness cannot matter.  The working set is mixed: a file in --dir on a real file
 * system, mmapped and read (page cache, charged to the cgroup because the child faults
 * it in first), then anonymous memory first-touched chunk by chunk, each chunk timed
 * (the charges past the limit run direct reclaim: that latency is the point), then
 * passes over the whole set, file and anonymous chunks interleaved, each chunk timed.
 * Per round (one child) the percentiles of those latencies, the child's major faults
 * and the /proc/vmstat deltas (pswpout/pswpin, pgsteal_anon/file, workingset
 * refaults) become one sample of each metric.
 *
 * Everything locus creates for this — the cgroup (and +memory in the root's
 * subtree_control if it was off), a zram device or a swap file, the data file — is
 * recorded as it is made and given back at the end, on errors and on SIGINT, SIGTERM
 * and SIGHUP (the handler uses only async-signal-safe calls, as lib/mem-pool.c does for
 * hugetlb pools, then re-raises the signal under the previous disposition).  The bench
 * refuses to act on a --sysroot fixture (it could only describe another machine) and
 * runs only as root with cgroup v2's memory controller; otherwise it is skipped with
 * the reason.
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
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"
#include "cgroup.h"
#include "log.h"
#include "parse.h"
#include "swap.h"
#include "sysfs.h"
#include "timer.h"
#include "stats.h"

#define RC_PAGE 4096ull
#define RC_TMPFS_MAGIC 0x01021994
#define RC_RAMFS_MAGIC 0x858458f6
#define RC_MAX_ROUNDS 1000

/* /proc/vmstat counters whose deltas are measurements (absent ones are skipped). */
static const char *const rc_vmstat_metrics[] = {
	"pswpout", "pswpin", "pgsteal_anon", "pgsteal_file",
	"workingset_refault_anon", "workingset_refault_file", NULL
};
/* ... and those only recorded under verified. */
static const char *const rc_vmstat_more[] = {
	"pgmajfault", "pgscan_anon", "pgscan_file", "pgsteal_direct", "pgsteal_kswapd",
	"pgscan_direct", "pgscan_kswapd", "workingset_refault", NULL
};

/* ---------------------------------------------------------------- give-back state */

/*
 * What the signal handler must undo, filled in as things are made.  One instance: a
 * process runs one reclaim bench at a time.
 */
static struct rc_undo {
	pid_t owner;
	volatile sig_atomic_t child;
	struct cgroup2 cg;
	struct swap_area swap;
	char file[PATH_MAX];
	volatile sig_atomic_t have_file;
	bool hooked;
	struct sigaction old[3];
} undo;
static const int rc_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define RC_NSIG (sizeof(rc_signals) / sizeof(rc_signals[0]))

struct rc_gone {
	int cgroup, swap, file;   /* 0 or the negative errno of the removal */
};

/* Async-signal-safe. */
static void rc_undo_all(struct rc_gone *g)
{
	pid_t pid = undo.child;
	struct rc_gone r = { 0, 0, 0 };

	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		undo.child = 0;
	}
	r.cgroup = cgroup2_remove(&undo.cg);
	r.swap = swap_release(&undo.swap);
	if (undo.have_file) {
		if (unlink(undo.file) == 0 || errno == ENOENT)
			undo.have_file = 0;
		else
			r.file = -errno;
	}
	if (g)
		*g = r;
}

static void rc_signal(int sig)
{
	int saved = errno;

	if (getpid() == undo.owner)
		rc_undo_all(NULL);
	for (unsigned i = 0; i < RC_NSIG; i++)
		if (rc_signals[i] == sig)
			sigaction(sig, &undo.old[i], NULL);
	errno = saved;
	/* Blocked while this handler runs: delivered under the previous disposition (the
	 * default, or lib/mem-pool.c's pool handler) as soon as it returns. */
	raise(sig);
}

static void rc_atexit(void)
{
	if (getpid() == undo.owner)
		rc_undo_all(NULL);
}

static void rc_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (unsigned i = 0; i < RC_NSIG; i++)
		sigaddset(&set, rc_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void rc_hook(void)
{
	static bool at;
	struct sigaction sa;

	memset(&undo, 0, sizeof(undo));
	undo.owner = getpid();
	if (!at) {
		atexit(rc_atexit);
		at = true;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rc_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < RC_NSIG; i++)
		sigaddset(&sa.sa_mask, rc_signals[i]);
	for (unsigned i = 0; i < RC_NSIG; i++) {
		sigaction(rc_signals[i], NULL, &undo.old[i]);
		/* An ignored signal stays ignored (nohup): nothing to clean up for it. */
		if (undo.old[i].sa_handler != SIG_IGN || (undo.old[i].sa_flags & SA_SIGINFO))
			sigaction(rc_signals[i], &sa, NULL);
	}
	undo.hooked = true;
}

/* Give everything back and restore the signal dispositions. */
static void rc_unhook(struct rc_gone *g)
{
	sigset_t old;

	rc_block(&old);
	rc_undo_all(g);
	if (undo.hooked) {
		for (unsigned i = 0; i < RC_NSIG; i++)
			sigaction(rc_signals[i], &undo.old[i], NULL);
		undo.hooked = false;
	}
	undo.owner = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---------------------------------------------------------------- the child */

/* Shared with the child (MAP_SHARED, touched by the parent first so it is charged to
 * the parent's cgroup, not the one under test). */
struct rc_shared {
	int failed;              /* the child's errno when it gave up */
	int step;                /* what it was doing */
	long majflt, minflt;
	uint64_t alloc_n, access_n;
	uint64_t sink;
};

/* The latency arrays follow the header, 8-byte aligned. */
#define RC_SHARED_HDR ((sizeof(struct rc_shared) + 63) / 64 * 64)

struct rc_job {
	uint64_t file_bytes, anon_bytes, chunk, limit;
	unsigned passes;
	const char *file;
	int go_fd;               /* read end: one byte once the child is in the cgroup */
	int current_fd;          /* memory.current, opened by the parent */
	struct rc_shared *sh;
	double *alloc_ns;        /* [anon_bytes / chunk] */
	unsigned char *at_limit; /* [anon_bytes / chunk] */
	double *access_ns;       /* [passes * (file + anon) / chunk] */
};

static long long rc_current(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static void rc_fail(struct rc_job *j, int step)
{
	j->sh->failed = errno ? errno : EIO;
	j->sh->step = step;
	_exit(3);
}

/* The workload.  No stdio, no malloc: this is a fork of a possibly threaded process. */
static void __attribute__((noreturn)) rc_child(struct rc_job *j)
{
	uint64_t nf = j->file_bytes / j->chunk, na = j->anon_bytes / j->chunk;
	uint64_t fi = 0, ai = 0, sink = 0, x = 0x9e3779b97f4a7c15ull, k = 0;
	volatile unsigned char *fmap = NULL;
	volatile uint64_t *amap;
	struct rusage ru;
	char go;
	int fd;

	if (read(j->go_fd, &go, 1) != 1)
		rc_fail(j, 1);
	close(j->go_fd);
	if (nf) {
		fd = open(j->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			rc_fail(j, 2);
		fmap = mmap(NULL, j->file_bytes, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (fmap == MAP_FAILED)
			rc_fail(j, 3);
		/* The file into the page cache, charged to this cgroup. */
		for (uint64_t off = 0; off < j->file_bytes; off += RC_PAGE)
			sink += fmap[off];
	}
	amap = mmap(NULL, j->anon_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (amap == MAP_FAILED)
		rc_fail(j, 4);
	/* Base pages: reclaim and swap work on them; a THP would be split first. */
	madvise((void *)amap, j->anon_bytes, MADV_NOHUGEPAGE);
	for (uint64_t c = 0; c < na; c++) {
		volatile uint64_t *p = amap + c * j->chunk / 8;
		long long cur = rc_current(j->current_fd);
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
				for (uint64_t off = 0; off < j->chunk; off += RC_PAGE)
					sink += fmap[fi * j->chunk + off];
				fi++;
			} else {
				for (uint64_t w = 0; w < j->chunk / 8; w += RC_PAGE / 8)
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

static json_t *rc_vmstat(void)
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
static void rc_add_delta(json_t *acc, json_t *before, json_t *after)
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

static json_int_t rc_delta(json_t *before, json_t *after, const char *key)
{
	return json_integer_value(json_object_get(after, key)) -
	       json_integer_value(json_object_get(before, key));
}

/* p50, p99, max of v[0..n) (sorted in place). */
static void rc_pcts(double *v, size_t n, double out[3])
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
static double rc_cached(const char *file, uint64_t bytes)
{
	size_t pages = bytes / RC_PAGE, in = 0;
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
static void rc_drop_file(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

static int rc_write_file(const char *file, uint64_t bytes)
{
	const size_t blk = 1 << 20;
	uint64_t x = 0x2545f4914f6cdd1dull, done = 0;
	uint64_t *buf;
	int fd, ret = 0;

	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	undo.have_file = 1;
	buf = malloc(blk);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < bytes) {
		size_t n = bytes - done < blk ? (size_t)(bytes - done) : blk;
		ssize_t w;
		for (size_t i = 0; i < n / 8; i += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[i] = x;
		}
		w = write(fd, buf, n);
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			break;
		}
		done += (uint64_t)w;
	}
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	free(buf);
	close(fd);
	return ret;
}

static const char *rc_fs_name(long type)
{
	switch ((unsigned long)type) {
	case 0xef53: return "ext2/3/4";
	case 0x58465342: return "xfs";
	case 0x9123683e: return "btrfs";
	case RC_TMPFS_MAGIC: return "tmpfs";
	case RC_RAMFS_MAGIC: return "ramfs";
	case 0x794c7630: return "overlayfs";
	case 0x6969: return "nfs";
	default: return "other";
	}
}

struct rc_cfg {
	uint64_t ws, ws_asked, limit, file_bytes, anon_bytes, chunk;
	unsigned passes, rounds;
	const char *dir, *swap_asked;
	long fs_type;
	long swappiness;
};

struct rc_round {
	double alloc[3], access[3];
	long majflt;
	size_t at_limit, alloc_n, access_n;
	double cached_before;
	json_t *vm_before, *vm_after;
};

/* Parse --file-fraction: a decimal in [0, 0.95]. */
static int rc_fraction(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 0.95)) {
		locus_error("bench reclaim: --file-fraction: '%s' is not a fraction in 0..0.95 (the rest is anonymous memory)", s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* One round: a fresh child through the whole workload. */
static int rc_round(const struct rc_cfg *cf, struct rc_job *j,
		    struct rc_round *r, json_t *stat_acc, json_t *events_acc, bool *oom)
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
		rc_drop_file(undo.file);
		r->cached_before = rc_cached(undo.file, cf->file_bytes);
	}
	memset(j->sh, 0, sizeof(*j->sh));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	cgroup2_read_keyed(&undo.cg, "memory.stat", &ms0);
	cgroup2_read_keyed(&undo.cg, "memory.events", &ev0);
	r->vm_before = rc_vmstat();

	rc_block(&old);
	pid = fork();
	if (pid == 0) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (unsigned i = 0; i < RC_NSIG; i++)
			sigaction(rc_signals[i], &dfl, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		close(pipefd[1]);
		j->go_fd = pipefd[0];
		rc_child(j);
	}
	if (pid > 0)
		undo.child = pid;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[0]);
	if (pid < 0) {
		ret = -errno;
		close(pipefd[1]);
		locus_error("bench reclaim: fork: %s", strerror(-ret));
		goto out;
	}
	ret = cgroup2_attach(&undo.cg, pid);
	if (ret == 0 && write(pipefd[1], &go, 1) != 1)
		ret = -errno;
	close(pipefd[1]);   /* on error the child reads EOF and gives up */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 0;
			break;
		}
	}
	undo.child = 0;
	if (ret < 0)
		goto out;
	r->vm_after = rc_vmstat();
	cgroup2_read_keyed(&undo.cg, "memory.stat", &ms1);
	cgroup2_read_keyed(&undo.cg, "memory.events", &ev1);
	if (ev0 && ev1)
		rc_add_delta(events_acc, ev0, ev1);
	if (ms0 && ms1)
		rc_add_delta(stat_acc, ms0, ms1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		json_int_t kills = ev0 && ev1 ? rc_delta(ev0, ev1, "oom_kill") : 0;
		if (WIFSIGNALED(status) && kills > 0) {
			*oom = true;
			locus_error("bench reclaim: the workload was OOM-killed in its cgroup (memory.max %llu bytes, swap %s): give a larger --limit, more swap, or a larger --file-fraction",
				    (unsigned long long)cf->limit, swap_kind_name(undo.swap.kind));
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
		rc_pcts(v, r->alloc_n, r->alloc);
	} else {
		rc_pcts(v, r->at_limit, r->alloc);
	}
	free(v);
	r->access_n = j->sh->access_n;
	rc_pcts(j->access_ns, r->access_n, r->access);
	r->majflt = j->sh->majflt;
out:
	json_decref(ms0);
	json_decref(ms1);
	json_decref(ev0);
	json_decref(ev1);
	return ret;
}

static const char *const rc_stat_names[] = { "p50", "p99", "max" };

static int rc_record(struct bench_ctx *c, const struct rc_cfg *cf, struct rc_round *rs,
		     unsigned n, json_t *ver, json_t **kept, size_t *nkept)
{
	double *s = calloc(n, sizeof(*s));
	char metric[64];
	int rc = 0;

#define RC_LABELS() json_pack("{s:I, s:I, s:I}", "swappiness", (json_int_t)cf->swappiness, \
			      "working_set_bytes", (json_int_t)cf->ws, "limit_bytes", (json_int_t)cf->limit)
#define RC_PUT(name) do { \
		json_t *vv = json_deep_copy(ver); \
		kept[(*nkept)++] = json_incref(vv); \
		rc = bench_record(c, name, RC_LABELS(), s, n, vv); \
	} while (0)
	if (!s)
		return -ENOMEM;
	for (int k = 0; k < 2 && rc == 0; k++)
		for (int q = 0; q < 3 && rc == 0; q++) {
			for (unsigned i = 0; i < n; i++)
				s[i] = k ? rs[i].access[q] : rs[i].alloc[q];
			snprintf(metric, sizeof(metric), "%s_%s", k ? "access" : "alloc", rc_stat_names[q]);
			RC_PUT(metric);
		}
	if (rc == 0) {
		for (unsigned i = 0; i < n; i++)
			s[i] = (double)rs[i].majflt;
		RC_PUT("major_faults");
	}
	for (const char *const *m = rc_vmstat_metrics; *m && rc == 0; m++) {
		if (!json_object_get(rs[0].vm_after, *m))
			continue;   /* older kernel: listed in verified.vmstat_missing */
		for (unsigned i = 0; i < n; i++)
			s[i] = (double)rc_delta(rs[i].vm_before, rs[i].vm_after, *m);
		RC_PUT(*m);
	}
#undef RC_PUT
#undef RC_LABELS
	free(s);
	return rc;
}

static int rc_run(struct bench_ctx *c)
{
	struct rc_cfg cf = { 0 };
	struct cgroup2_probe probe;
	struct rc_round *rs = NULL;
	struct rc_job job = { 0 };
	struct rc_gone gone = { 0, 0, 0 };
	struct statfs sfs;
	struct statvfs svfs;
	json_t *ver = NULL, *stat_acc = NULL, *events_acc = NULL, *vm_acc = NULL, *missing;
	json_t **kept = NULL;
	size_t nkept = 0, na, nacc, shared_len = 0;
	void *shared = MAP_FAILED;
	char why[1024], b1[32], b2[32], b3[32], b4[32], name[64], cfg_val[32];
	uint64_t swap_total = 0, swap_used = 0, swap_want, budget;
	unsigned done = 0;
	double frac;
	bool oom = false, started = false;
	long long peak = -1;
	int rc, nswap;

	/* -- options: bad input is exit 2 here too, before anything is looked at */
	cf.ws = bench_opt_size(c, "working-set") / RC_PAGE * RC_PAGE;
	cf.chunk = bench_opt_size(c, "chunk") / RC_PAGE * RC_PAGE;
	cf.passes = (unsigned)bench_opt_int(c, "passes");
	cf.dir = bench_opt_str(c, "dir");
	cf.swap_asked = bench_opt_str(c, "swap");
	cf.rounds = c->rep.reps ? c->rep.reps : c->quick ? 2 : 3;
	if (cf.rounds > RC_MAX_ROUNDS)
		cf.rounds = RC_MAX_ROUNDS;
	if (rc_fraction(bench_opt_str(c, "file-fraction"), &frac) < 0)
		return -EINVAL;
	cf.limit = bench_opt_given(c, "limit") ? bench_opt_size(c, "limit") / RC_PAGE * RC_PAGE
					       : cf.ws / 2 / RC_PAGE * RC_PAGE;
	if (cf.limit >= cf.ws) {
		locus_error("bench reclaim: --limit %s is not below --working-set %s: without pressure nothing is reclaimed",
			    format_size(cf.limit, b1, sizeof(b1)), format_size(cf.ws, b2, sizeof(b2)));
		return -EINVAL;
	}
	if (cf.limit < (8u << 20)) {
		locus_error("bench reclaim: --limit %s is below 8M: the workload's own page tables and stack would not fit",
			    format_size(cf.limit, b1, sizeof(b1)));
		return -EINVAL;
	}
	cf.file_bytes = (uint64_t)((double)cf.ws * frac) / cf.chunk * cf.chunk;
	cf.anon_bytes = (cf.ws - cf.file_bytes) / cf.chunk * cf.chunk;
	/* Whole chunks: the label carries what the workload really used. */
	cf.ws_asked = cf.ws;
	cf.ws = cf.file_bytes + cf.anon_bytes;
	if (cf.ws <= cf.limit) {
		locus_error("bench reclaim: --working-set %s in whole --chunk %s pieces is %s, not above --limit %s",
			    format_size(cf.ws_asked, b1, sizeof(b1)), format_size(cf.chunk, b2, sizeof(b2)),
			    format_size(cf.ws, b3, sizeof(b3)), format_size(cf.limit, b4, sizeof(b4)));
		return -EINVAL;
	}
	if (cf.anon_bytes < 4 * cf.chunk) {
		locus_error("bench reclaim: --chunk %s: the anonymous part (%s) holds fewer than 4 chunks",
			    format_size(cf.chunk, b1, sizeof(b1)), format_size(cf.anon_bytes, b2, sizeof(b2)));
		return -EINVAL;
	}
	if (strcasecmp(cf.swap_asked, "none") == 0 && cf.anon_bytes > cf.limit / 4 * 3) {
		locus_error("bench reclaim: --swap none: the anonymous part %s (working set x (1 - file fraction)) must stay below 75%% of --limit (%s) or the cgroup OOM-kills the workload; raise --file-fraction or --limit, or allow swap",
			    format_size(cf.anon_bytes, b1, sizeof(b1)), format_size(cf.limit / 4 * 3, b2, sizeof(b2)));
		return -EINVAL;
	}

	/* -- can it run here?  (skips, exit 3) */
	rc = cgroup2_probe(&probe, why, sizeof(why));
	if (rc != 0) {
		bench_skip(c, NULL, "%s", why);
		return 1;
	}
	if (sysfs_is_fake()) {
		bench_skip(c, NULL, "--sysroot %s: cgroup v2 with the memory controller is there, but reclaim creates a cgroup and swap and measures the running kernel: it never acts on a fixture",
			   sysfs_root());
		return 1;
	}
	if (geteuid() != 0) {
		bench_skip(c, NULL, "needs root: it creates a cgroup (cgroup v2 at %s) and swap for the run, and removes them afterwards",
			   probe.mount);
		return 1;
	}
	if (statfs(cf.dir, &sfs) < 0 || statvfs(cf.dir, &svfs) < 0) {
		/* A default that is missing here is the machine's, not bad input. */
		if (!bench_opt_given(c, "dir")) {
			bench_skip(c, NULL, "the default --dir %s: %s; give --dir on a disk file system",
				   cf.dir, strerror(errno));
			return 1;
		}
		locus_error("bench reclaim: --dir %s: %s", cf.dir, strerror(errno));
		return -EINVAL;
	}
	cf.fs_type = (long)sfs.f_type;
	bool mem_fs = (unsigned long)sfs.f_type == RC_TMPFS_MAGIC ||
		      (unsigned long)sfs.f_type == RC_RAMFS_MAGIC;
	if (mem_fs && cf.file_bytes) {
		bench_skip(c, NULL, "--dir %s is on %s: its pages are not reclaimable file cache (%s); give --dir on a disk file system, or --file-fraction 0",
			   cf.dir, rc_fs_name(cf.fs_type),
			   (unsigned long)sfs.f_type == RC_RAMFS_MAGIC ? "ramfs pages are never reclaimed"
								      : "tmpfs pages are swapped like anonymous memory");
		return 1;
	}
	if (sysfs_read_long("proc/sys/vm/swappiness", &cf.swappiness) < 0)
		cf.swappiness = -1;

	/* -- which swap */
	nswap = swap_active(&swap_total, &swap_used);
	swap_want = (cf.anon_bytes + cf.anon_bytes / 4 + (16u << 20)) / RC_PAGE * RC_PAGE;
	enum swap_kind kind;
	if (strcasecmp(cf.swap_asked, "auto") == 0)
		kind = nswap > 0 ? SWAP_EXISTING : swap_zram_available() ? SWAP_ZRAM
		       : !mem_fs ? SWAP_FILE : SWAP_NONE;
	else if (strcasecmp(cf.swap_asked, "zram") == 0)
		kind = SWAP_ZRAM;
	else if (strcasecmp(cf.swap_asked, "file") == 0)
		kind = SWAP_FILE;
	else
		kind = SWAP_NONE;
	if (kind == SWAP_ZRAM && !swap_zram_available()) {
		bench_skip(c, NULL, "--swap zram: no zram here (/sys/class/zram-control is missing: modprobe zram)");
		return 1;
	}
	if (kind == SWAP_FILE && mem_fs) {
		bench_skip(c, NULL, "--swap file: --dir %s is on %s, which cannot hold a swap file", cf.dir,
			   rc_fs_name(cf.fs_type));
		return 1;
	}
	if (kind == SWAP_NONE && cf.anon_bytes > cf.limit / 4 * 3) {
		bench_skip(c, NULL, "no swap can be had here (none active, no zram, --dir on %s) and the anonymous part %s does not fit in 75%% of --limit %s: raise --file-fraction or --limit",
			   rc_fs_name(cf.fs_type), format_size(cf.anon_bytes, b1, sizeof(b1)),
			   format_size(cf.limit, b2, sizeof(b2)));
		return 1;
	}
	if (kind == SWAP_EXISTING && swap_total - swap_used < cf.anon_bytes)
		bench_warn(c, "existing swap has %s free, less than the anonymous part %s: the workload may be OOM-killed",
			   format_size(swap_total - swap_used, b1, sizeof(b1)),
			   format_size(cf.anon_bytes, b2, sizeof(b2)));

	/* -- memory and disk bounds */
	na = cf.anon_bytes / cf.chunk;
	nacc = (size_t)cf.passes * ((cf.file_bytes + cf.anon_bytes) / cf.chunk);
	shared_len = (RC_SHARED_HDR + na * (sizeof(double) + 1) + nacc * sizeof(double) +
		      RC_PAGE + 64) / RC_PAGE * RC_PAGE;
	budget = cf.limit + shared_len + (kind == SWAP_ZRAM ? cf.anon_bytes : 0);
	if ((rc = bench_check_memory(c, budget)) < 0)
		return rc;
	{
		uint64_t need = cf.file_bytes + (kind == SWAP_FILE ? swap_want : 0);
		uint64_t avail = (uint64_t)svfs.f_bavail * svfs.f_frsize;
		if (need + need / 20 > avail) {
			bench_skip(c, NULL, "--dir %s has %s free; the run needs %s (data file%s)", cf.dir,
				   format_size(avail, b1, sizeof(b1)), format_size(need, b2, sizeof(b2)),
				   kind == SWAP_FILE ? " and swap file" : "");
			return 1;
		}
	}

	/* -- make things (every one recorded for the give-back first) */
	rc_hook();
	started = true;
	ver = json_object();
	stat_acc = json_object();
	events_acc = json_object();
	vm_acc = json_object();
	rs = calloc(cf.rounds, sizeof(*rs));
	kept = calloc(32, sizeof(*kept));
	if (!ver || !rs || !kept) {
		rc = -ENOMEM;
		goto out;
	}
	shared = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	memset(shared, 0, shared_len);   /* charged here, outside the cgroup under test */
	job.sh = shared;
	job.alloc_ns = (double *)((char *)shared + RC_SHARED_HDR);
	job.access_ns = job.alloc_ns + na;
	job.at_limit = (unsigned char *)(job.access_ns + nacc);
	job.file_bytes = cf.file_bytes;
	job.anon_bytes = cf.anon_bytes;
	job.chunk = cf.chunk;
	job.limit = cf.limit;
	job.passes = cf.passes;
	job.current_fd = -1;

	if (cf.file_bytes) {
		snprintf(undo.file, sizeof(undo.file), "%s/locus-reclaim.%d.data", cf.dir, (int)getpid());
		rc = rc_write_file(undo.file, cf.file_bytes);
		if (rc < 0) {
			locus_error("bench reclaim: cannot write the data file %s: %s", undo.file,
				    strerror(-rc));
			goto out;
		}
		job.file = undo.file;
	}
	if (kind == SWAP_ZRAM)
		rc = swap_zram_create(&undo.swap, swap_want);
	else if (kind == SWAP_FILE)
		rc = swap_file_create(&undo.swap, cf.dir, swap_want);
	else
		undo.swap.kind = kind;
	if (rc < 0)
		goto out;
	if (kind == SWAP_EXISTING)
		undo.swap.bytes = swap_total;
	snprintf(name, sizeof(name), "locus-reclaim.%d", (int)getpid());
	rc = cgroup2_create(&undo.cg, probe.mount, name);
	if (rc < 0)
		goto out;
	snprintf(cfg_val, sizeof(cfg_val), "%llu", (unsigned long long)cf.limit);
	rc = cgroup2_set(&undo.cg, "memory.max", cfg_val);
	if (rc < 0)
		goto out;
	{
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/memory.swap.max", undo.cg.path);
		if (access(p, F_OK) == 0) {
			rc = cgroup2_set(&undo.cg, "memory.swap.max", kind == SWAP_NONE ? "0" : "max");
			if (rc < 0)
				goto out;
		} else if (kind != SWAP_NONE) {
			bench_warn(c, "no memory.swap.max (kernel without swap accounting): the cgroup's swap use is not limited or counted");
		}
		snprintf(p, sizeof(p), "%s/memory.current", undo.cg.path);
		job.current_fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (kind == SWAP_NONE)
		bench_warn(c, "no swap (--swap %s): only file pages can be reclaimed, so vm.swappiness cannot matter in this run",
			   cf.swap_asked);

	/* -- the rounds */
	for (done = 0; done < cf.rounds; done++) {
		progress_update("round %u/%u", done + 1, cf.rounds);
		rc = rc_round(&cf, &job, &rs[done], stat_acc, events_acc, &oom);
		if (rc < 0)
			goto out;
		rc_add_delta(vm_acc, rs[done].vm_before, rs[done].vm_after);
	}
	cgroup2_read_value(&undo.cg, "memory.peak", &peak);

	/* -- what was verified */
	{
		size_t min_at = SIZE_MAX, all = 0;
		double cached = 0;
		long majs = 0;
		json_t *vm = json_object();
		for (unsigned i = 0; i < done; i++) {
			if (rs[i].at_limit < min_at)
				min_at = rs[i].at_limit;
			all = rs[i].alloc_n;
			majs += rs[i].majflt;
			if (rs[i].cached_before > cached)
				cached = rs[i].cached_before;
		}
		if (min_at == 0)
			bench_warn(c, "a round never reached memory.max while allocating: its allocation latencies are of all chunks, not of chunks at the limit");
		missing = json_array();
		for (const char *const *m = rc_vmstat_metrics; *m; m++)
			if (!json_object_get(rs[0].vm_after, *m))
				json_array_append_new(missing, json_string(*m));
		for (const char *const *m = rc_vmstat_metrics; *m; m++)
			if (json_object_get(vm_acc, *m))
				json_object_set(vm, *m, json_object_get(vm_acc, *m));
		for (const char *const *m = rc_vmstat_more; *m; m++)
			if (json_object_get(vm_acc, *m))
				json_object_set(vm, *m, json_object_get(vm_acc, *m));
		json_object_set_new(ver, "swap", json_pack("{s:s, s:s, s:b, s:I, s:s?}",
			"asked", cf.swap_asked, "kind", swap_kind_name(kind),
			"created", kind == SWAP_ZRAM || kind == SWAP_FILE,
			"bytes", (json_int_t)undo.swap.bytes,
			"path", kind == SWAP_ZRAM || kind == SWAP_FILE ? undo.swap.path : NULL));
		json_object_set_new(ver, "swappiness_matters", json_boolean(kind != SWAP_NONE));
		json_object_set_new(ver, "swappiness_from", json_string(
			"/proc/sys/vm/swappiness: cgroup v2 has no per-cgroup swappiness, the global value applies"));
		json_object_set_new(ver, "cgroup", json_pack("{s:s, s:I, s:s, s:b, s:I}",
			"path", undo.cg.path, "memory_max", (json_int_t)cf.limit,
			"memory_swap_max", kind == SWAP_NONE ? "0" : "max",
			"enabled_memory_controller", (int)undo.cg.enabled_memory,
			"memory_peak", (json_int_t)peak));
		json_object_set_new(ver, "working_set_asked_bytes", json_integer((json_int_t)cf.ws_asked));
		json_object_set_new(ver, "file_bytes", json_integer((json_int_t)cf.file_bytes));
		json_object_set_new(ver, "anon_bytes", json_integer((json_int_t)cf.anon_bytes));
		json_object_set_new(ver, "file_fraction", json_real(frac));
		json_object_set_new(ver, "chunk_bytes", json_integer((json_int_t)cf.chunk));
		json_object_set_new(ver, "passes", json_integer(cf.passes));
		json_object_set_new(ver, "rounds", json_integer(done));
		json_object_set_new(ver, "dir", json_string(cf.dir));
		json_object_set_new(ver, "dir_fs", json_string(rc_fs_name(cf.fs_type)));
		json_object_set_new(ver, "file_cached_before_max",
				    cf.file_bytes ? json_real(cached) : json_null());
		json_object_set_new(ver, "alloc_chunks", json_integer((json_int_t)all));
		json_object_set_new(ver, "alloc_chunks_at_limit_min",
				    json_integer(min_at == SIZE_MAX ? 0 : (json_int_t)min_at));
		json_object_set_new(ver, "access_samples_per_round", json_integer((json_int_t)nacc));
		json_object_set_new(ver, "major_faults_rusage", json_integer(majs));
		json_object_set_new(ver, "vmstat_delta", vm);
		json_object_set_new(ver, "vmstat_missing", missing);
		json_object_set(ver, "memory_stat_delta", stat_acc);
		json_object_set(ver, "memory_events_delta", events_acc);
		json_object_set_new(ver, "latency_per", json_string("chunk (chunk_bytes): alloc = first touch (write) of a new anonymous chunk while memory.current was within 2 chunks of memory.max; access = reading one word per page of a chunk during the passes"));
	}
	rc = rc_record(c, &cf, rs, done, ver, kept, &nkept);

out:
	if (job.current_fd >= 0)
		close(job.current_fd);
	if (started) {
		rc_unhook(&gone);
		if (gone.cgroup < 0)
			locus_warn("bench reclaim: could not remove the cgroup %s: %s", undo.cg.path,
				   strerror(-gone.cgroup));
		if (gone.swap < 0)
			locus_warn("bench reclaim: could not remove the swap %s: %s", undo.swap.path,
				   strerror(-gone.swap));
		if (gone.file < 0)
			locus_warn("bench reclaim: could not remove %s: %s", undo.file, strerror(-gone.file));
	}
	for (size_t i = 0; i < nkept; i++) {
		json_object_set_new(kept[i], "cleanup", json_pack("{s:b, s:b, s:b}",
			"cgroup_removed", gone.cgroup == 0 && !undo.cg.created,
			"swap_removed", gone.swap == 0 && !undo.swap.made,
			"file_removed", gone.file == 0 && !undo.have_file));
		json_decref(kept[i]);
	}
	if (shared != MAP_FAILED)
		munmap(shared, shared_len);
	for (unsigned i = 0; rs && i < cf.rounds; i++) {
		json_decref(rs[i].vm_before);
		json_decref(rs[i].vm_after);
	}
	free(rs);
	free(kept);
	json_decref(ver);
	json_decref(stat_acc);
	json_decref(events_acc);
	json_decref(vm_acc);
	return rc;
}

static const struct bench_opt rc_opts[] = {
	{ .name = "working-set", .type = BOPT_SIZE, .def = "256M", .quick = "64M",
	  .min = 16 << 20, .max = 1ll << 42,
	  .help = "bytes the workload uses: file part + anonymous part (must exceed --limit)" },
	{ .name = "limit", .type = BOPT_SIZE, .min = 8 << 20, .max = 1ll << 42,
	  .help = "memory.max of the cgroup the workload runs in [default: half the working set]" },
	{ .name = "file-fraction", .type = BOPT_STR, .def = "0.5",
	  .help = "the part of the working set that is a file read through mmap (page cache), 0..0.95; the rest is anonymous" },
	{ .name = "swap", .type = BOPT_CHOICE, .def = "auto", .choices = "auto,zram,file,none",
	  .help = "auto: active swap if any, else a zram device, else a swap file in --dir, else none; zram and file are created for the run and removed afterwards" },
	{ .name = "dir", .type = BOPT_STR, .def = "/var/tmp",
	  .help = "where the data file (and a swap file) go: a disk file system, not tmpfs/ramfs" },
	{ .name = "chunk", .type = BOPT_SIZE, .def = "64K", .min = 4096, .max = 16 << 20,
	  .help = "bytes per timed allocation or access" },
	{ .name = "passes", .type = BOPT_INT, .def = "2", .quick = "1", .min = 1, .max = 100,
	  .help = "passes over the whole working set after allocating it" },
	{ .name = NULL },
};

static const struct bench_metric rc_metrics[] = {
	{ .name = "alloc_p50", .unit = "ns", .higher_is_better = false },
	{ .name = "alloc_p99", .unit = "ns", .higher_is_better = false },
	{ .name = "alloc_max", .unit = "ns", .higher_is_better = false },
	{ .name = "access_p50", .unit = "ns", .higher_is_better = false },
	{ .name = "access_p99", .unit = "ns", .higher_is_better = false },
	{ .name = "access_max", .unit = "ns", .higher_is_better = false },
	{ .name = "major_faults", .unit = "faults", .higher_is_better = false },
	{ .name = "pswpout", .unit = "pages", .higher_is_better = false },
	{ .name = "pswpin", .unit = "pages", .higher_is_better = false },
	{ .name = "pgsteal_anon", .unit = "pages", .higher_is_better = false },
	{ .name = "pgsteal_file", .unit = "pages", .higher_is_better = false },
	{ .name = "workingset_refault_anon", .unit = "pages", .higher_is_better = false },
	{ .name = "workingset_refault_file", .unit = "pages", .higher_is_better = false },
	{ .name = NULL },
};

static const char *const rc_setting_labels[] = { "swappiness", NULL };

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure rc_figures[] = {
	{ .kind = BFIG_BARS, .metric = "access_p99", .x = "swappiness",
	  .title = "Access latency under reclaim by swappiness", .xlabel = "vm.swappiness",
	  .ylabel = "99th percentile access time per chunk",
	  .caption = "99th percentile time to access one chunk of the working set while the "
		"cgroup reclaims, per vm.swappiness, with 95% CI." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_reclaim_info = {
	.name = "reclaim",
	.summary = "allocation/access latency and swap-outs vs file reclaim under a cgroup v2 memory.max",
	.description =
		"A child runs in a cgroup v2 created for the run with memory.max = --limit below\n"
		"its --working-set: a file in --dir (--file-fraction of it) mmapped and read into\n"
		"the page cache, then anonymous memory first-touched in --chunk pieces, each\n"
		"timed (past the limit each charge runs direct reclaim), then --passes over all\n"
		"of it, file and anonymous chunks interleaved, each chunk timed.  One round (one\n"
		"child; --reps rounds, default 3, --quick 2) gives one sample of each metric:\n"
		"alloc_p50/p99/max (ns per chunk, chunks charged at the limit), access_p50/p99/\n"
		"max (ns per chunk), major_faults (getrusage), and the /proc/vmstat deltas\n"
		"pswpout, pswpin, pgsteal_anon, pgsteal_file, workingset_refault_anon/file\n"
		"(pages; system-wide, so other activity counts too).  Labels: swappiness (the\n"
		"global vm.swappiness, which cgroup v2 applies), working_set_bytes, limit_bytes.\n"
		"Swap: --swap auto uses active swap, else hot-adds a zram device, else writes a\n"
		"swap file in --dir; without swap only file pages can go and swappiness cannot\n"
		"matter (a warning says so).  Whatever locus creates (cgroup, zram device or\n"
		"swap file, data file) is removed at the end, on errors and on SIGINT/SIGTERM/\n"
		"SIGHUP.  Caveats: zram's compressed pages live outside the cgroup; the data file\n"
		"must be on a disk file system (tmpfs pages are shared memory, ramfs pages are\n"
		"never reclaimed); readahead applies to the file.  Root, cgroup v2 with the\n"
		"memory controller, no --sysroot; otherwise skipped with the reason.",
	.opts = rc_opts,
	.metrics = rc_metrics,
	.headline = "access_p99",
	.figures = rc_figures,
	.explain = "A process runs in a cgroup whose memory.max is below its working set, so "
		"the kernel must reclaim: drop file pages or swap out anonymous ones, "
		"which vm.swappiness balances. Allocation and access latencies, swap-outs "
		"and refaults show what that choice costs the process.",
	.setting_labels = rc_setting_labels,
	.supported = NULL,
	.run = rc_run,
};
