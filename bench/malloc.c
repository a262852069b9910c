/* SPDX-License-Identifier: MIT */
/*
 * malloc.c — malloc/free cost on both sides of glibc's mmap threshold.
 *
 * glibc serves a request below M_MMAP_THRESHOLD from its heap (memory it keeps and
 * reuses: no system call, no page fault once warm) and a request above it with a
 * fresh mmap that free() gives back with munmap, so every such allocation pays the
 * system calls and a page fault per page touched.  The threshold starts at 128 KiB and
 * is dynamic: when a mmapped chunk is freed, glibc raises it to that chunk's size (up
 * to 32 MiB on 64-bit), so a program that allocates 256 KiB in a loop pays mmap once
 * and then runs from the heap.  Setting it with mallopt(M_MMAP_THRESHOLD) fixes it
 * (and turns the dynamic adjustment off).
 *
 * A sample is a loop of malloc(size), one write per 4 KiB of the block (a block
 * nobody touches costs a mmapped allocation nothing: its faults come later, at the
 * first use), free().  mallopt changes the process's allocator for good, and the
 * dynamic threshold remembers every earlier free, so each sample runs in a fresh
 * fork()ed child: "default" is glibc's own behaviour from a clean start, and the main
 * process keeps its allocator as it was.  The child times the loop, counts its minor
 * faults with getrusage, and checks which path served the block (mallinfo2's count of
 * mmapped chunks while it is held), and sends that back through a pipe.
 */
#include "config.h"
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"
#include "log.h"
#include "parse.h"
#include "timer.h"

#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 33)
#define HAVE_GLIBC_MALLOC 1
#include <gnu/libc-version.h>
#endif
#endif

#define MA_MAX_SIZES 32
#define MA_MAX_THR 16
#define MA_UNIT 4096u

/* What a child reports. */
struct ma_report {
	int err;                /* 0 or a positive errno */
	double ns;              /* the timed loop */
	long minflt, majflt;    /* during the loop */
	int first_mmapped;      /* the first block (cold allocator) came from mmap */
	int steady_mmapped;     /* a block after the loop came from mmap */
};

struct ma_sampler {
	size_t size;
	long threshold;         /* bytes, or -1 for glibc's default */
	unsigned long ops;
	double *flt;            /* faults per op, per sample in call order */
	size_t n, cap;
	int first_mmapped, steady_mmapped;   /* of the last sample; -1 before */
	bool paths_differ;      /* the samples disagreed about the path */
	long majflt;
};

#ifdef HAVE_GLIBC_MALLOC
/* mallinfo2's count of mmapped chunks now; compared before and after a malloc, it says
 * whether that block was mmapped (the child inherits the parent's own chunks). */
static size_t mmapped_chunks(void)
{
	return mallinfo2().hblks;
}

/* The pointer escapes into an asm the compiler cannot see through, so a malloc/free
 * pair is never elided (clang removes pairs whose memory is not otherwise used, which
 * would make the steady-path check below see no allocation at all). */
#define MA_ESCAPE(p) __asm__ __volatile__("" :: "r"(p) : "memory")

/* Runs in the child: never returns. */
static void __attribute__((noreturn)) ma_child(const struct ma_sampler *s, int fd)
{
	struct ma_report rep = { 0 };
	struct rusage r0, r1;
	uint64_t t0, t1;
	volatile char *p;

	if (s->threshold >= 0 && mallopt(M_MMAP_THRESHOLD, (int)s->threshold) != 1)
		rep.err = EINVAL;
	if (!rep.err) {
		/* One untimed pair: the path a cold allocator takes, and the state (heap
		 * grown, threshold adjusted) the loop starts from. */
		size_t before = mmapped_chunks();
		p = malloc(s->size);
		MA_ESCAPE(p);
		if (!p) {
			rep.err = ENOMEM;
		} else {
			rep.first_mmapped = mmapped_chunks() > before;
			for (size_t off = 0; off < s->size; off += MA_UNIT)
				p[off] = 1;
			free((void *)p);
		}
	}
	if (!rep.err) {
		getrusage(RUSAGE_SELF, &r0);
		t0 = timer_now();
		for (unsigned long i = 0; i < s->ops; i++) {
			p = malloc(s->size);
			MA_ESCAPE(p);
			if (!p) {
				rep.err = ENOMEM;
				break;
			}
			for (size_t off = 0; off < s->size; off += MA_UNIT)
				p[off] = (char)i;
			free((void *)p);
		}
		t1 = timer_now();
		getrusage(RUSAGE_SELF, &r1);
		rep.ns = timer_ticks_to_ns(t1 - t0);
		rep.minflt = r1.ru_minflt - r0.ru_minflt;
		rep.majflt = r1.ru_majflt - r0.ru_majflt;
		size_t before = mmapped_chunks();
		p = malloc(s->size);
		MA_ESCAPE(p);
		if (p) {
			rep.steady_mmapped = mmapped_chunks() > before;
			free((void *)p);
		}
	}
	if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(2);
	_exit(0);
}
#endif

static int ma_sample(void *arg, double *sample)
{
	struct ma_sampler *s = arg;
	struct ma_report rep;
	int fds[2], status;
	ssize_t got = 0;
	pid_t pid;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *a = realloc(s->flt, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->flt = a;
		s->cap = cap;
	}
	if (pipe(fds) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0) {
		close(fds[0]);
#ifdef HAVE_GLIBC_MALLOC
		ma_child(s, fds[1]);
#else
		_exit(3);
#endif
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(rep)) {
		ssize_t k = read(fds[0], (char *)&rep + got, sizeof(rep) - (size_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += k;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (got != (ssize_t)sizeof(rep) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	if (rep.err)
		return -rep.err;
	if (s->first_mmapped >= 0 && (s->first_mmapped != rep.first_mmapped ||
				      s->steady_mmapped != rep.steady_mmapped))
		s->paths_differ = true;
	s->first_mmapped = rep.first_mmapped;
	s->steady_mmapped = rep.steady_mmapped;
	s->majflt += rep.majflt;
	s->flt[s->n++] = (double)rep.minflt / (double)s->ops;
	*sample = rep.ns / (double)s->ops;
	return 0;
}

static json_t *ma_labels(size_t size, const char *thr)
{
	return json_pack("{s:I, s:s}", "size_bytes", (json_int_t)size, "threshold", thr);
}

static int ma_case(struct bench_ctx *c, size_t size, long threshold, uint64_t per_sample)
{
	struct ma_sampler s = { .size = size, .threshold = threshold,
				.first_mmapped = -1, .steady_mmapped = -1 };
	char thr[32];
	json_t *ver, *meas, *samples;
	size_t n, off;
	int rc;

	if (threshold < 0)
		snprintf(thr, sizeof(thr), "default");
	else
		snprintf(thr, sizeof(thr), "%ld", threshold);
	s.ops = (unsigned long)(per_sample / size);
	if (s.ops < 16)
		s.ops = 16;
	if (s.ops > 1ul << 20)
		s.ops = 1ul << 20;
	ver = json_pack("{s:I, s:I, s:b, s:s}", "ops_per_sample", (json_int_t)s.ops,
			"touch_stride_bytes", (json_int_t)MA_UNIT, "forked_child_per_sample", 1,
			"faults_counted_by", "getrusage ru_minflt in the child around the timed loop");
	json_object_set_new(ver, "mmap_threshold", threshold < 0
			    ? json_string("glibc default: 128 KiB at start, raised to the size of each freed mmapped chunk (up to 32 MiB)")
			    : json_integer(threshold));
#ifdef HAVE_GLIBC_MALLOC
	json_object_set_new(ver, "glibc", json_string(gnu_get_libc_version()));
#endif
	json_incref(ver);
	struct bench_measure bm = {
		.metric = "pair_time", .labels = ma_labels(size, thr), .verified = ver,
		.fn = ma_sample, .arg = &s, .events = NULL,
	};
	rc = bench_measure(c, &bm);
	if (rc < 0) {
		locus_error("bench malloc: %zu bytes, threshold %s: a sample failed: %s", size, thr,
			    rc == -ECHILD ? "the child did not report" : strerror(-rc));
		goto out;
	}
	json_object_set_new(ver, "first_path", json_string(s.first_mmapped ? "mmap" : "heap"));
	json_object_set_new(ver, "steady_path", json_string(s.steady_mmapped ? "mmap" : "heap"));
	json_object_set_new(ver, "paths_consistent", json_boolean(!s.paths_differ));
	json_object_set_new(ver, "major_faults", json_integer(s.majflt));
	if (s.paths_differ)
		bench_warn(c, "%zu bytes, threshold %s: the samples took different malloc paths", size, thr);
	meas = json_array_get(json_object_get(c->result, "measurements"),
			      json_array_size(json_object_get(c->result, "measurements")) - 1);
	samples = json_object_get(meas, "samples");
	n = json_array_size(samples);
	off = s.n >= n ? s.n - n : 0;
	rc = bench_record(c, "faults_per_op", ma_labels(size, thr), s.flt + off,
			  s.n - off < n ? s.n - off : n, json_deep_copy(ver));
out:
	json_decref(ver);
	free(s.flt);
	return rc;
}

static const char *ma_supported(struct bench_ctx *c)
{
	(void)c;
#ifdef HAVE_GLIBC_MALLOC
	return NULL;
#else
	return "needs glibc >= 2.33 (mallopt M_MMAP_THRESHOLD and mallinfo2)";
#endif
}

/* What one first touch of a fresh anonymous page costs here, in ns (the best of a
 * few 4 MiB mappings): the cost of a sample whose blocks are all mmapped. */
static double ma_fault_ns(void)
{
	const size_t len = 4u << 20;
	double best = INFINITY;

	for (int k = 0; k < 4; k++) {
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0, t1;

		if (p == MAP_FAILED)
			break;
		t0 = timer_now();
		for (size_t off = 0; off < len; off += MA_UNIT)
			p[off] = 1;
		t1 = timer_now();
		munmap((void *)p, len);
		best = fmin(best, timer_ticks_to_ns(t1 - t0) / (double)(len / MA_UNIT));
	}
	return best;
}

/*
 * --max-time bounds the repetition, not one sample: a sample of --bytes-per-sample 64G
 * in 1 GiB mmapped blocks faults 16 M pages (many seconds) and the framework takes
 * at least warm-up + min_reps of them per case.  Refuse up front when one sample of a
 * case whose blocks are mmapped (size at or above a fixed threshold, or above glibc's
 * 32 MiB dynamic-threshold ceiling) would alone take longer than --max-time.
 */
static int ma_check_budget(struct bench_ctx *c, const uint64_t *sizes, size_t n,
			   const long *thr, size_t nt, uint64_t per)
{
	double fault_ns = -1, budget = c->rep.max_time_s > 0 ? c->rep.max_time_s : 10.0;

	for (size_t t = 0; t < nt; t++)
		for (size_t i = 0; i < n; i++) {
			bool mmapped = thr[t] >= 0 ? sizes[i] >= (uint64_t)thr[t] : sizes[i] > (32u << 20);
			double est;

			if (!mmapped)
				continue;
			if (fault_ns < 0)
				fault_ns = ma_fault_ns();
			est = (double)(per / sizes[i]) * (double)(sizes[i] / MA_UNIT) * fault_ns * 1e-9;
			if (isfinite(est) && est > budget) {
				char b1[32], b2[32];

				return locus_fail(EINVAL, "bench malloc: one sample of --bytes-per-sample %s in "
							  "%s blocks would take about %.1f s here (%.2f us per "
							  "page fault), more than --max-time %g s; lower "
							  "--bytes-per-sample or raise --max-time",
							  format_size(per, b1, sizeof(b1)),
							  format_size(sizes[i], b2, sizeof(b2)), est,
							  fault_ns / 1e3, budget);
			}
		}
	return 0;
}

static int ma_run(struct bench_ctx *c)
{
	uint64_t sizes[MA_MAX_SIZES], per = bench_opt_size(c, "bytes-per-sample"), max = 0;
	long thr[MA_MAX_THR + 1];
	size_t n = 0, nt = 0;
	int rc, cpu;

	for (size_t i = 0; i < bench_opt_count(c, "sizes") && n < MA_MAX_SIZES; i++) {
		sizes[n] = bench_opt_size_at(c, "sizes", i);
		if (sizes[n] > max)
			max = sizes[n];
		n++;
	}
	thr[nt++] = -1;
	for (size_t i = 0; i < bench_opt_count(c, "thresholds") && nt <= MA_MAX_THR; i++) {
		uint64_t t = bench_opt_size_at(c, "thresholds", i);
		thr[nt++] = (long)t;
	}
	/* One block at a time is held, in a child: the child's copy of the parent is
	 * copy-on-write, so the block is what the run adds. */
	if ((rc = bench_check_memory(c, max)) < 0)
		return rc;
	if ((rc = ma_check_budget(c, sizes, n, thr, nt, per)) < 0)
		return rc;
	cpu = bench_cpu_at(c, 0);
	rc = bench_pin(c, cpu);
	if (rc < 0)
		return locus_fail(-rc, "bench malloc: cannot pin to CPU %d: %s", cpu, strerror(-rc));
	for (size_t t = 0; t < nt; t++)
		for (size_t i = 0; i < n; i++)
			if ((rc = ma_case(c, sizes[i], thr[t], per)) < 0)
				return rc;
	return 0;
}

static const struct bench_opt ma_opts[] = {
	{ .name = "sizes", .type = BOPT_SIZES, .def = "16K,64K,128K,256K,1M,4M", .quick = "64K,256K",
	  .min = 1, .max = 1ll << 30,
	  .help = "block sizes malloc'ed and freed (glibc's default threshold is 128 KiB)" },
	{ .name = "thresholds", .type = BOPT_SIZES, .def = "128K,1M", .quick = "1M",
	  .min = 0, .max = 32ll << 20,
	  .help = "M_MMAP_THRESHOLD values set with mallopt (in a child process), besides glibc's default" },
	{ .name = "bytes-per-sample", .type = BOPT_SIZE, .def = "64M", .quick = "16M",
	  .min = 1 << 20, .max = 64ll << 30,
	  .help = "bytes allocated per sample: the loop runs this / size times (16 to 1M pairs)" },
	{ .name = NULL },
};

static const struct bench_metric ma_metrics[] = {
	{ .name = "pair_time", .unit = "ns", .higher_is_better = false },
	{ .name = "faults_per_op", .unit = "faults", .higher_is_better = false },
	{ .name = NULL },
};

/* How a report shows it (bench.h struct bench_figure; carried in the result file). */
static const struct bench_figure ml_figures[] = {
	{ .kind = BFIG_BARS, .metric = "pair_time", .x = "size_bytes", .series = "threshold",
	  .title = "malloc + free cost by size and mmap threshold", .xlabel = "allocation size",
	  .ylabel = "time per malloc/free pair",
	  .caption = "Median time of one malloc/free pair (touching the block), per allocation "
		"size and mmap threshold, with 95% CI. Sizes above the threshold go to "
		"mmap and pay a system call and page faults on every pair." },
	{ .kind = BFIG_END },
};

const struct bench_info bench_malloc_info = {
	.name = "malloc",
	.summary = "malloc/free cost and page faults on both sides of glibc's mmap threshold",
	.description =
		"ns per malloc+touch+free of --sizes blocks (one write per 4 KiB) and minor\n"
		"faults per operation, with glibc's default M_MMAP_THRESHOLD (128 KiB at\n"
		"start, raised dynamically to the size of each freed mmapped block) and with\n"
		"the threshold fixed by mallopt to each of --thresholds.  Blocks above the\n"
		"threshold are mmapped and unmapped each time (a fault per page touched);\n"
		"below it they come from the heap.  Every sample runs in a fresh forked child,\n"
		"so mallopt never changes the main process; the path taken (heap or mmap) is\n"
		"verified with mallinfo2 while a block is held.",
	.opts = ma_opts,
	.metrics = ma_metrics,
	.headline = "pair_time",
	.figures = ml_figures,
	.explain = "glibc serves small allocations from its heap and large ones with mmap, "
		"and the boundary (M_MMAP_THRESHOLD) decides whether each malloc/free "
		"pair costs a system call and page faults. The bars compare sizes on both "
		"sides of the threshold, with the default and a raised threshold.",
	.supported = ma_supported,
	.run = ma_run,
};
