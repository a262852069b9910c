/* SPDX-License-Identifier: MIT */
/*
 * scripts/crosscheck/chase.c — an independent, textbook pointer chase, kept to
 * cross-check `locus bench latency` (no established latency tool is packaged for
 * Debian 12; scripts/crosscheck/latency runs it side by side with locus).  Deliberately
 * shares no code with locus: its own random cyclic order of 64-byte lines, pinned to
 * CPU 0, timed with clock_gettime in short passes (as locus's samples are short).
 *   -w PAGES  TLB-locality window (multichase's): the walk is random inside each group
 *             of PAGES 4 KiB pages and the groups are chained in random order
 *             (default: one fully random cycle over the whole footprint)
 *   -t        transparent huge pages (2 MiB-aligned, MADV_HUGEPAGE); default 4 KiB
 *             pages (MADV_NOHUGEPAGE)
 *   -p N      timed passes per footprint (default 50)
 *   -m MS     length of one pass in milliseconds (default 2; the loads per pass are
 *             calibrated to it).  A pass during which the thread did not run all the
 *             time (thread CPU time < 97% of wall time: preempted on a shared host) is
 *             taken again, up to 100 times — long passes on a busy machine measure the
 *             scheduler, not the memory.
 * Prints per footprint: bytes, the best (minimum) and median ns per load over the
 * passes, then the ns of every pass.
 *
 *   gcc -O2 -o chase scripts/crosscheck/chase.c && ./chase 262144 524288 1073741824
 *   ./chase -w 64 268435456; ./chase -t 1073741824
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t x = 88172645463325252ull;
static size_t rnd(size_t n)
{
	x ^= x << 13; x ^= x >> 7; x ^= x << 17;
	return (size_t)(x % n);
}

static void shuffle(size_t *v, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd(i + 1), t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

static int cmp(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;
	return p < q ? -1 : p > q;
}

int main(int argc, char **argv)
{
	size_t window = 0;
	int thp = 0, passes = 50, o;
	double ms = 2;
	cpu_set_t s;

	while ((o = getopt(argc, argv, "w:tp:m:")) != -1) {
		if (o == 'w') window = strtoull(optarg, 0, 0);
		else if (o == 't') thp = 1;
		else if (o == 'p') passes = atoi(optarg);
		else if (o == 'm') ms = atof(optarg);
		else return fprintf(stderr, "usage: chase [-w PAGES] [-t] [-p N] [-m MS] BYTES...\n"), 2;
	}
	if (passes < 1 || passes > 1000 || !(ms >= 0.1 && ms <= 10000))
		return fprintf(stderr, "chase: -p 1..1000, -m 0.1..10000\n"), 2;
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	sched_setaffinity(0, sizeof s, &s);
	for (int a = optind; a < argc; a++) {
		size_t bytes = strtoull(argv[a], 0, 0), n = bytes / 64, align = thp ? 2u << 20 : 4096;
		size_t g = window ? window * 4096 / 64 : n, ng;
		char *raw = mmap(0, bytes + align, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED)
			return perror("mmap"), 1;
		char *buf = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
		madvise(buf, bytes, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		if (g > n)
			g = n;
		ng = (n + g - 1) / g;
		/* Order: groups in random order, lines in random order within each group. */
		size_t *grp = malloc(ng * sizeof *grp), *idx = malloc(n * sizeof *idx), k = 0;
		for (size_t i = 0; i < ng; i++)
			grp[i] = i;
		shuffle(grp, ng);
		for (size_t i = 0; i < ng; i++) {
			size_t lo = grp[i] * g, hi = lo + g > n ? n : lo + g;
			for (size_t j = lo; j < hi; j++)
				idx[k + j - lo] = j;
			shuffle(idx + k, hi - lo);
			k += hi - lo;
		}
		for (size_t i = 0; i < n; i++)
			*(void **)(buf + idx[i] * 64) = buf + idx[(i + 1) % n] * 64;
		free(idx);
		free(grp);
		void **p = (void **)buf;
		double *t = calloc((size_t)passes, sizeof *t);
		for (size_t i = 0; i < n; i++)
			p = (void **)*p;
		/* Calibrate the loads per pass to about ms milliseconds. */
		size_t loads = 8192;
		for (;;) {
			double t0 = now();
			for (size_t i = 0; i < loads; i += 8) {
				p = *p; p = *p; p = *p; p = *p; p = *p; p = *p; p = *p; p = *p;
			}
			double el = now() - t0;
			if (el >= ms / 1e3 / 2 || loads > (1ull << 40))
				break;
			loads *= 2;
		}
		for (int r = 0, tries = 0; r < passes; ) {
			double t0 = now(), c0 = cpu_now();
			for (size_t i = 0; i < loads; i += 8) {
				p = *p; p = *p; p = *p; p = *p; p = *p; p = *p; p = *p; p = *p;
			}
			double wall = now() - t0, cpu = cpu_now() - c0;
			if (cpu < 0.97 * wall && ++tries < 100)
				continue;       /* switched out: take it again */
			t[r++] = wall / (double)loads * 1e9;
			tries = 0;
		}
		printf("%zu", bytes);
		double *sorted = malloc((size_t)passes * sizeof *sorted);
		for (int r = 0; r < passes; r++)
			sorted[r] = t[r];
		qsort(sorted, (size_t)passes, sizeof *sorted, cmp);
		printf(" %.2f %.2f", sorted[0], passes % 2 ? sorted[passes / 2]
			: (sorted[passes / 2 - 1] + sorted[passes / 2]) / 2);
		for (int r = 0; r < passes; r++)
			printf(" %.2f", t[r]);
		printf(" %p\n", (void *)p);
		free(sorted);
		free(t);
		munmap(raw, bytes + align);
	}
	return 0;
}
