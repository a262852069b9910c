/* SPDX-License-Identifier: MIT */
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
 *
 * This file holds the options, the run in its phases (options, plan, setup, rounds,
 * record, cleanup) and the descriptor; one round (the child and its accounting) is
 * reclaim-round.c, the give-back state and its signal handling reclaim-undo.c, and
 * what they share reclaim.h.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "bench.h"
#include "cgroup.h"
#include "log.h"
#include "parse.h"
#include "swap.h"
#include "sysfs.h"
#include "reclaim.h"

#define RECLAIM_TMPFS_MAGIC 0x01021994
#define RECLAIM_RAMFS_MAGIC 0x858458f6
#define RECLAIM_MAX_ROUNDS 1000

/* /proc/vmstat counters whose deltas are measurements (absent ones are skipped). */
static const char *const reclaim_vmstat_metrics[] = {
	"pswpout", "pswpin", "pgsteal_anon", "pgsteal_file",
	"workingset_refault_anon", "workingset_refault_file", NULL
};
/* ... and those only recorded under verified. */
static const char *const reclaim_vmstat_more[] = {
	"pgmajfault", "pgscan_anon", "pgscan_file", "pgsteal_direct", "pgsteal_kswapd",
	"pgscan_direct", "pgscan_kswapd", "workingset_refault", NULL
};

static int reclaim_write_file(const char *file, uint64_t bytes)
{
	const size_t blk = 1 << 20;
	uint64_t x = 0x2545f4914f6cdd1dull, done = 0;
	uint64_t *buf;
	int fd, ret = 0;

	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	reclaim_undo.have_file = 1;
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

static const char *reclaim_fs_name(long type)
{
	switch ((unsigned long)type) {
	case 0xef53: return "ext2/3/4";
	case 0x58465342: return "xfs";
	case 0x9123683e: return "btrfs";
	case RECLAIM_TMPFS_MAGIC: return "tmpfs";
	case RECLAIM_RAMFS_MAGIC: return "ramfs";
	case 0x794c7630: return "overlayfs";
	case 0x6969: return "nfs";
	default: return "other";
	}
}

/* Parse --file-fraction: a decimal in [0, 0.95]. */
static int reclaim_fraction(const char *s, double *out)
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

static const char *const reclaim_stat_names[] = { "p50", "p99", "max" };

static int reclaim_record_metrics(struct bench_ctx *c, const struct reclaim_cfg *cf, struct reclaim_round *rs,
		     unsigned n, json_t *ver, json_t **kept, size_t *nkept)
{
	double *s = calloc(n, sizeof(*s));
	char metric[64];
	int rc = 0;

#define RECLAIM_LABELS() json_pack("{s:I, s:I, s:I}", "swappiness", (json_int_t)cf->swappiness, \
			      "working_set_bytes", (json_int_t)cf->ws, "limit_bytes", (json_int_t)cf->limit)
#define RECLAIM_PUT(name) do { \
		json_t *vv = json_deep_copy(ver); \
		kept[(*nkept)++] = json_incref(vv); \
		rc = bench_record(c, name, RECLAIM_LABELS(), s, n, vv); \
	} while (0)
	if (!s)
		return -ENOMEM;
	for (int k = 0; k < 2 && rc == 0; k++)
		for (int q = 0; q < 3 && rc == 0; q++) {
			for (unsigned i = 0; i < n; i++)
				s[i] = k ? rs[i].access[q] : rs[i].alloc[q];
			snprintf(metric, sizeof(metric), "%s_%s", k ? "access" : "alloc", reclaim_stat_names[q]);
			RECLAIM_PUT(metric);
		}
	if (rc == 0) {
		for (unsigned i = 0; i < n; i++)
			s[i] = (double)rs[i].majflt;
		RECLAIM_PUT("major_faults");
	}
	for (const char *const *m = reclaim_vmstat_metrics; *m && rc == 0; m++) {
		if (!json_object_get(rs[0].vm_after, *m))
			continue;   /* older kernel: listed in verified.vmstat_missing */
		for (unsigned i = 0; i < n; i++)
			s[i] = (double)reclaim_delta(rs[i].vm_before, rs[i].vm_after, *m);
		RECLAIM_PUT(*m);
	}
#undef RECLAIM_PUT
#undef RECLAIM_LABELS
	free(s);
	return rc;
}

/* Everything one run of the bench carries from one phase to the next. */
struct reclaim_state {
	struct reclaim_cfg cf;
	double frac;                     /* --file-fraction */
	struct cgroup2_probe probe;
	struct statvfs svfs;             /* of --dir */
	bool mem_fs;                     /* --dir on tmpfs or ramfs */
	enum swap_kind kind;
	uint64_t swap_total, swap_used, swap_want;
	size_t na, nacc, shared_len;     /* alloc chunks, access samples per round */
	void *shared;                    /* MAP_FAILED until mapped */
	struct reclaim_job job;
	struct reclaim_round *rs;
	unsigned done;                   /* rounds completed */
	bool oom, started;               /* started: the give-back is hooked */
	long long peak;                  /* memory.peak, -1 when unknown */
	json_t *ver, *stat_acc, *events_acc, *vm_acc;
	json_t **kept;                   /* each measurement's verified, for the cleanup flags */
	size_t nkept;
	struct reclaim_gone gone;
};

/* The options: bad input is exit 2 here too, before anything is looked at.  0 or
 * -EINVAL (message printed). */
static int reclaim_options(struct bench_ctx *c, struct reclaim_state *st)
{
	struct reclaim_cfg *cf = &st->cf;
	char b1[32], b2[32], b3[32], b4[32];

	cf->ws = bench_opt_size(c, "working-set") / RECLAIM_PAGE * RECLAIM_PAGE;
	cf->chunk = bench_opt_size(c, "chunk") / RECLAIM_PAGE * RECLAIM_PAGE;
	cf->passes = (unsigned)bench_opt_int(c, "passes");
	cf->dir = bench_opt_str(c, "dir");
	cf->swap_asked = bench_opt_str(c, "swap");
	cf->rounds = c->rep.reps ? c->rep.reps : c->quick ? 2 : 3;
	if (cf->rounds > RECLAIM_MAX_ROUNDS)
		cf->rounds = RECLAIM_MAX_ROUNDS;
	if (reclaim_fraction(bench_opt_str(c, "file-fraction"), &st->frac) < 0)
		return -EINVAL;
	cf->limit = bench_opt_given(c, "limit") ? bench_opt_size(c, "limit") / RECLAIM_PAGE * RECLAIM_PAGE
					       : cf->ws / 2 / RECLAIM_PAGE * RECLAIM_PAGE;
	if (cf->limit >= cf->ws) {
		locus_error("bench reclaim: --limit %s is not below --working-set %s: without pressure nothing is reclaimed",
			    format_size(cf->limit, b1, sizeof(b1)), format_size(cf->ws, b2, sizeof(b2)));
		return -EINVAL;
	}
	if (cf->limit < (8u << 20)) {
		locus_error("bench reclaim: --limit %s is below 8M: the workload's own page tables and stack would not fit",
			    format_size(cf->limit, b1, sizeof(b1)));
		return -EINVAL;
	}
	cf->file_bytes = (uint64_t)((double)cf->ws * st->frac) / cf->chunk * cf->chunk;
	cf->anon_bytes = (cf->ws - cf->file_bytes) / cf->chunk * cf->chunk;
	/* Whole chunks: the label carries what the workload really used. */
	cf->ws_asked = cf->ws;
	cf->ws = cf->file_bytes + cf->anon_bytes;
	if (cf->ws <= cf->limit) {
		locus_error("bench reclaim: --working-set %s in whole --chunk %s pieces is %s, not above --limit %s",
			    format_size(cf->ws_asked, b1, sizeof(b1)), format_size(cf->chunk, b2, sizeof(b2)),
			    format_size(cf->ws, b3, sizeof(b3)), format_size(cf->limit, b4, sizeof(b4)));
		return -EINVAL;
	}
	if (cf->anon_bytes < 4 * cf->chunk) {
		locus_error("bench reclaim: --chunk %s: the anonymous part (%s) holds fewer than 4 chunks",
			    format_size(cf->chunk, b1, sizeof(b1)), format_size(cf->anon_bytes, b2, sizeof(b2)));
		return -EINVAL;
	}
	if (strcasecmp(cf->swap_asked, "none") == 0 && cf->anon_bytes > cf->limit / 4 * 3) {
		locus_error("bench reclaim: --swap none: the anonymous part %s (working set x (1 - file fraction)) must stay below 75%% of --limit (%s) or the cgroup OOM-kills the workload; raise --file-fraction or --limit, or allow swap",
			    format_size(cf->anon_bytes, b1, sizeof(b1)), format_size(cf->limit / 4 * 3, b2, sizeof(b2)));
		return -EINVAL;
	}
	return 0;
}

/* Can it run here, with which swap, within which memory and disk bounds?  Nothing is
 * made yet.  0, 1 when skipped (reason given), or a negative errno. */
static int reclaim_plan(struct bench_ctx *c, struct reclaim_state *st)
{
	struct reclaim_cfg *cf = &st->cf;
	struct statfs sfs;
	char why[1024], b1[32], b2[32];
	uint64_t budget;
	int rc, nswap;

	/* -- can it run here?  (skips, exit 3) */
	rc = cgroup2_probe(&st->probe, why, sizeof(why));
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
			   st->probe.mount);
		return 1;
	}
	if (statfs(cf->dir, &sfs) < 0 || statvfs(cf->dir, &st->svfs) < 0) {
		/* A default that is missing here is the machine's, not bad input. */
		if (!bench_opt_given(c, "dir")) {
			bench_skip(c, NULL, "the default --dir %s: %s; give --dir on a disk file system",
				   cf->dir, strerror(errno));
			return 1;
		}
		locus_error("bench reclaim: --dir %s: %s", cf->dir, strerror(errno));
		return -EINVAL;
	}
	cf->fs_type = (long)sfs.f_type;
	st->mem_fs = (unsigned long)sfs.f_type == RECLAIM_TMPFS_MAGIC ||
		     (unsigned long)sfs.f_type == RECLAIM_RAMFS_MAGIC;
	if (st->mem_fs && cf->file_bytes) {
		bench_skip(c, NULL, "--dir %s is on %s: its pages are not reclaimable file cache (%s); give --dir on a disk file system, or --file-fraction 0",
			   cf->dir, reclaim_fs_name(cf->fs_type),
			   (unsigned long)sfs.f_type == RECLAIM_RAMFS_MAGIC ? "ramfs pages are never reclaimed"
								      : "tmpfs pages are swapped like anonymous memory");
		return 1;
	}
	if (sysfs_read_long("proc/sys/vm/swappiness", &cf->swappiness) < 0)
		cf->swappiness = -1;

	/* -- which swap */
	nswap = swap_active(&st->swap_total, &st->swap_used);
	st->swap_want = (cf->anon_bytes + cf->anon_bytes / 4 + (16u << 20)) / RECLAIM_PAGE * RECLAIM_PAGE;
	if (strcasecmp(cf->swap_asked, "auto") == 0)
		st->kind = nswap > 0 ? SWAP_EXISTING : swap_zram_available() ? SWAP_ZRAM
			   : !st->mem_fs ? SWAP_FILE : SWAP_NONE;
	else if (strcasecmp(cf->swap_asked, "zram") == 0)
		st->kind = SWAP_ZRAM;
	else if (strcasecmp(cf->swap_asked, "file") == 0)
		st->kind = SWAP_FILE;
	else
		st->kind = SWAP_NONE;
	if (st->kind == SWAP_ZRAM && !swap_zram_available()) {
		bench_skip(c, NULL, "--swap zram: no zram here (/sys/class/zram-control is missing: modprobe zram)");
		return 1;
	}
	if (st->kind == SWAP_FILE && st->mem_fs) {
		bench_skip(c, NULL, "--swap file: --dir %s is on %s, which cannot hold a swap file", cf->dir,
			   reclaim_fs_name(cf->fs_type));
		return 1;
	}
	if (st->kind == SWAP_NONE && cf->anon_bytes > cf->limit / 4 * 3) {
		bench_skip(c, NULL, "no swap can be had here (none active, no zram, --dir on %s) and the anonymous part %s does not fit in 75%% of --limit %s: raise --file-fraction or --limit",
			   reclaim_fs_name(cf->fs_type), format_size(cf->anon_bytes, b1, sizeof(b1)),
			   format_size(cf->limit, b2, sizeof(b2)));
		return 1;
	}
	if (st->kind == SWAP_EXISTING && st->swap_total - st->swap_used < cf->anon_bytes)
		bench_warn(c, "existing swap has %s free, less than the anonymous part %s: the workload may be OOM-killed",
			   format_size(st->swap_total - st->swap_used, b1, sizeof(b1)),
			   format_size(cf->anon_bytes, b2, sizeof(b2)));

	/* -- memory and disk bounds */
	st->na = cf->anon_bytes / cf->chunk;
	st->nacc = (size_t)cf->passes * ((cf->file_bytes + cf->anon_bytes) / cf->chunk);
	st->shared_len = (RECLAIM_SHARED_HDR + st->na * (sizeof(double) + 1) +
			  st->nacc * sizeof(double) + RECLAIM_PAGE + 64) / RECLAIM_PAGE * RECLAIM_PAGE;
	budget = cf->limit + st->shared_len + (st->kind == SWAP_ZRAM ? cf->anon_bytes : 0);
	if ((rc = bench_check_memory(c, budget)) < 0)
		return rc;
	{
		uint64_t need = cf->file_bytes + (st->kind == SWAP_FILE ? st->swap_want : 0);
		uint64_t avail = (uint64_t)st->svfs.f_bavail * st->svfs.f_frsize;
		if (need + need / 20 > avail) {
			bench_skip(c, NULL, "--dir %s has %s free; the run needs %s (data file%s)", cf->dir,
				   format_size(avail, b1, sizeof(b1)), format_size(need, b2, sizeof(b2)),
				   st->kind == SWAP_FILE ? " and swap file" : "");
			return 1;
		}
	}
	return 0;
}

/* Make things, every one recorded for the give-back first: the shared memory, the
 * data file, the swap, the cgroup with its limits.  0 or a negative errno; whatever
 * was made is given back by reclaim_cleanup either way. */
static int reclaim_setup(struct bench_ctx *c, struct reclaim_state *st)
{
	const struct reclaim_cfg *cf = &st->cf;
	struct reclaim_job *job = &st->job;
	char name[64], cfg_val[32];
	int rc = 0;

	reclaim_hook();
	st->started = true;
	st->ver = json_object();
	st->stat_acc = json_object();
	st->events_acc = json_object();
	st->vm_acc = json_object();
	st->rs = calloc(cf->rounds, sizeof(*st->rs));
	st->kept = calloc(32, sizeof(*st->kept));
	if (!st->ver || !st->rs || !st->kept)
		return -ENOMEM;
	st->shared = mmap(NULL, st->shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			  -1, 0);
	if (st->shared == MAP_FAILED)
		return -errno;
	memset(st->shared, 0, st->shared_len);   /* charged here, outside the cgroup under test */
	job->sh = st->shared;
	job->alloc_ns = (double *)((char *)st->shared + RECLAIM_SHARED_HDR);
	job->access_ns = job->alloc_ns + st->na;
	job->at_limit = (unsigned char *)(job->access_ns + st->nacc);
	job->file_bytes = cf->file_bytes;
	job->anon_bytes = cf->anon_bytes;
	job->chunk = cf->chunk;
	job->limit = cf->limit;
	job->passes = cf->passes;
	job->current_fd = -1;

	if (cf->file_bytes) {
		snprintf(reclaim_undo.file, sizeof(reclaim_undo.file), "%s/locus-reclaim.%d.data",
			 cf->dir, (int)getpid());
		rc = reclaim_write_file(reclaim_undo.file, cf->file_bytes);
		if (rc < 0) {
			locus_error("bench reclaim: cannot write the data file %s: %s", reclaim_undo.file,
				    strerror(-rc));
			return rc;
		}
		job->file = reclaim_undo.file;
	}
	if (st->kind == SWAP_ZRAM)
		rc = swap_zram_create(&reclaim_undo.swap, st->swap_want);
	else if (st->kind == SWAP_FILE)
		rc = swap_file_create(&reclaim_undo.swap, cf->dir, st->swap_want);
	else
		reclaim_undo.swap.kind = st->kind;
	if (rc < 0)
		return rc;
	if (st->kind == SWAP_EXISTING)
		reclaim_undo.swap.bytes = st->swap_total;
	snprintf(name, sizeof(name), "locus-reclaim.%d", (int)getpid());
	rc = cgroup2_create(&reclaim_undo.cg, st->probe.mount, name);
	if (rc < 0)
		return rc;
	snprintf(cfg_val, sizeof(cfg_val), "%llu", (unsigned long long)cf->limit);
	rc = cgroup2_set(&reclaim_undo.cg, "memory.max", cfg_val);
	if (rc < 0)
		return rc;
	{
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/memory.swap.max", reclaim_undo.cg.path);
		if (access(p, F_OK) == 0) {
			rc = cgroup2_set(&reclaim_undo.cg, "memory.swap.max",
					 st->kind == SWAP_NONE ? "0" : "max");
			if (rc < 0)
				return rc;
		} else if (st->kind != SWAP_NONE) {
			bench_warn(c, "no memory.swap.max (kernel without swap accounting): the cgroup's swap use is not limited or counted");
		}
		snprintf(p, sizeof(p), "%s/memory.current", reclaim_undo.cg.path);
		job->current_fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (st->kind == SWAP_NONE)
		bench_warn(c, "no swap (--swap %s): only file pages can be reclaimed, so vm.swappiness cannot matter in this run",
			   cf->swap_asked);
	return 0;
}

/* The rounds, one child each; then the cgroup's peak.  0 or a negative errno. */
static int reclaim_rounds(struct reclaim_state *st)
{
	const struct reclaim_cfg *cf = &st->cf;
	int rc;

	for (st->done = 0; st->done < cf->rounds; st->done++) {
		struct reclaim_round *r = &st->rs[st->done];

		progress_update("round %u/%u", st->done + 1, cf->rounds);
		rc = reclaim_one_round(cf, &st->job, r, st->stat_acc, st->events_acc, &st->oom);
		if (rc < 0)
			return rc;
		reclaim_add_delta(st->vm_acc, r->vm_before, r->vm_after);
	}
	cgroup2_read_value(&reclaim_undo.cg, "memory.peak", &st->peak);
	return 0;
}

/* What was verified: the swap and cgroup used, the workload's shape, the deltas. */
static void reclaim_verified(struct bench_ctx *c, struct reclaim_state *st)
{
	const struct reclaim_cfg *cf = &st->cf;
	const struct reclaim_round *rs = st->rs;
	json_t *ver = st->ver, *missing;
	size_t min_at = SIZE_MAX, all = 0;
	double cached = 0;
	long majs = 0;
	json_t *vm = json_object();

	for (unsigned i = 0; i < st->done; i++) {
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
	for (const char *const *m = reclaim_vmstat_metrics; *m; m++)
		if (!json_object_get(rs[0].vm_after, *m))
			json_array_append_new(missing, json_string(*m));
	for (const char *const *m = reclaim_vmstat_metrics; *m; m++)
		if (json_object_get(st->vm_acc, *m))
			json_object_set(vm, *m, json_object_get(st->vm_acc, *m));
	for (const char *const *m = reclaim_vmstat_more; *m; m++)
		if (json_object_get(st->vm_acc, *m))
			json_object_set(vm, *m, json_object_get(st->vm_acc, *m));
	json_object_set_new(ver, "swap", json_pack("{s:s, s:s, s:b, s:I, s:s?}",
		"asked", cf->swap_asked, "kind", swap_kind_name(st->kind),
		"created", st->kind == SWAP_ZRAM || st->kind == SWAP_FILE,
		"bytes", (json_int_t)reclaim_undo.swap.bytes,
		"path", st->kind == SWAP_ZRAM || st->kind == SWAP_FILE ? reclaim_undo.swap.path : NULL));
	json_object_set_new(ver, "swappiness_matters", json_boolean(st->kind != SWAP_NONE));
	json_object_set_new(ver, "swappiness_from", json_string(
		"/proc/sys/vm/swappiness: cgroup v2 has no per-cgroup swappiness, the global value applies"));
	json_object_set_new(ver, "cgroup", json_pack("{s:s, s:I, s:s, s:b, s:I}",
		"path", reclaim_undo.cg.path, "memory_max", (json_int_t)cf->limit,
		"memory_swap_max", st->kind == SWAP_NONE ? "0" : "max",
		"enabled_memory_controller", (int)reclaim_undo.cg.enabled_memory,
		"memory_peak", (json_int_t)st->peak));
	json_object_set_new(ver, "working_set_asked_bytes", json_integer((json_int_t)cf->ws_asked));
	json_object_set_new(ver, "file_bytes", json_integer((json_int_t)cf->file_bytes));
	json_object_set_new(ver, "anon_bytes", json_integer((json_int_t)cf->anon_bytes));
	json_object_set_new(ver, "file_fraction", json_real(st->frac));
	json_object_set_new(ver, "chunk_bytes", json_integer((json_int_t)cf->chunk));
	json_object_set_new(ver, "passes", json_integer(cf->passes));
	json_object_set_new(ver, "rounds", json_integer(st->done));
	json_object_set_new(ver, "dir", json_string(cf->dir));
	json_object_set_new(ver, "dir_fs", json_string(reclaim_fs_name(cf->fs_type)));
	json_object_set_new(ver, "file_cached_before_max",
			    cf->file_bytes ? json_real(cached) : json_null());
	json_object_set_new(ver, "alloc_chunks", json_integer((json_int_t)all));
	json_object_set_new(ver, "alloc_chunks_at_limit_min",
			    json_integer(min_at == SIZE_MAX ? 0 : (json_int_t)min_at));
	json_object_set_new(ver, "access_samples_per_round", json_integer((json_int_t)st->nacc));
	json_object_set_new(ver, "major_faults_rusage", json_integer(majs));
	json_object_set_new(ver, "vmstat_delta", vm);
	json_object_set_new(ver, "vmstat_missing", missing);
	json_object_set(ver, "memory_stat_delta", st->stat_acc);
	json_object_set(ver, "memory_events_delta", st->events_acc);
	json_object_set_new(ver, "latency_per", json_string("chunk (chunk_bytes): alloc = first touch (write) of a new anonymous chunk while memory.current was within 2 chunks of memory.max; access = reading one word per page of a chunk during the passes"));
}

/* Record the measurements, with what was verified.  0 or a negative errno. */
static int reclaim_record(struct bench_ctx *c, struct reclaim_state *st)
{
	reclaim_verified(c, st);
	return reclaim_record_metrics(c, &st->cf, st->rs, st->done, st->ver, st->kept, &st->nkept);
}

/* Give back whatever was made (saying what could not be removed), mark each recorded
 * measurement with what was, and free the run's state. */
static void reclaim_cleanup(struct reclaim_state *st)
{
	struct reclaim_gone *gone = &st->gone;

	if (st->job.current_fd >= 0)
		close(st->job.current_fd);
	if (st->started) {
		reclaim_unhook(gone);
		if (gone->cgroup < 0)
			locus_warn("bench reclaim: could not remove the cgroup %s: %s", reclaim_undo.cg.path,
				   strerror(-gone->cgroup));
		if (gone->swap < 0)
			locus_warn("bench reclaim: could not remove the swap %s: %s", reclaim_undo.swap.path,
				   strerror(-gone->swap));
		if (gone->file < 0)
			locus_warn("bench reclaim: could not remove %s: %s", reclaim_undo.file,
				   strerror(-gone->file));
	}
	for (size_t i = 0; i < st->nkept; i++) {
		json_object_set_new(st->kept[i], "cleanup", json_pack("{s:b, s:b, s:b}",
			"cgroup_removed", gone->cgroup == 0 && !reclaim_undo.cg.created,
			"swap_removed", gone->swap == 0 && !reclaim_undo.swap.made,
			"file_removed", gone->file == 0 && !reclaim_undo.have_file));
		json_decref(st->kept[i]);
	}
	if (st->shared != MAP_FAILED)
		munmap(st->shared, st->shared_len);
	for (unsigned i = 0; st->rs && i < st->cf.rounds; i++) {
		json_decref(st->rs[i].vm_before);
		json_decref(st->rs[i].vm_after);
	}
	free(st->rs);
	free(st->kept);
	json_decref(st->ver);
	json_decref(st->stat_acc);
	json_decref(st->events_acc);
	json_decref(st->vm_acc);
}

/* The bench: options, plan (or skip), setup, rounds, record; cleanup on every way out
 * once anything was made. */
static int reclaim_run(struct bench_ctx *c)
{
	struct reclaim_state st = { .shared = MAP_FAILED, .peak = -1, .job.current_fd = -1 };
	int rc;

	rc = reclaim_options(c, &st);
	if (rc == 0)
		rc = reclaim_plan(c, &st);
	if (rc != 0)
		return rc;
	rc = reclaim_setup(c, &st);
	if (rc == 0)
		rc = reclaim_rounds(&st);
	if (rc == 0)
		rc = reclaim_record(c, &st);
	reclaim_cleanup(&st);
	return rc;
}

static const struct bench_opt reclaim_opts[] = {
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

static const struct bench_metric reclaim_metrics[] = {
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

static const char *const reclaim_setting_labels[] = { "swappiness", NULL };

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure reclaim_figures[] = {
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
	.opts = reclaim_opts,
	.metrics = reclaim_metrics,
	.headline = "access_p99",
	.figures = reclaim_figures,
	.explain = "A process runs in a cgroup whose memory.max is below its working set, so "
		"the kernel must reclaim: drop file pages or swap out anonymous ones, "
		"which vm.swappiness balances. Allocation and access latencies, swap-outs "
		"and refaults show what that choice costs the process.",
	.setting_labels = reclaim_setting_labels,
	.supported = NULL,
	.run = reclaim_run,
};
