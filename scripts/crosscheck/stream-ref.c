/* SPDX-License-Identifier: MIT */
/*
 * scripts/crosscheck/stream-ref.c — a STREAM-style OpenMP reference for
 * scripts/crosscheck/bandwidth, written for this project and sharing no code with locus:
 * STREAM's copy (c = a) and triad (a = b + s*c) as plain loops in `omp parallel for`
 * with a static schedule, arrays first-touched by the same threads in parallel, every
 * pass timed around the parallel loop with omp_get_wtime (STREAM's way), STREAM's byte
 * count (copy 2 arrays, triad 3, no write-allocate).  The script compiles it at run time
 * with -O3 -march=native -fopenmp (as users build STREAM; never part of the locus build).
 *
 *   stream-ref BYTES_PER_ARRAY PASSES
 * prints one line per kernel, "copy GB/s GB/s ..." and "triad ...", the rate of every
 * pass after the first (a warm-up, as in STREAM), then a check line; exit 1 when the arrays do not hold what the kernel sequence must leave.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : (128u << 20);
	int passes = argc > 2 ? atoi(argv[2]) : 20;
	size_t n = bytes / sizeof(double);
	double *a, *b, *c, *t_copy, *t_triad, s = 3.0;
	long bad = 0;

	if (passes < 3 || n < 1024)
		return fprintf(stderr, "usage: stream-ref BYTES_PER_ARRAY PASSES(>=3)\n"), 2;
	if (posix_memalign((void **)&a, 4096, n * sizeof(double)) ||
	    posix_memalign((void **)&b, 4096, n * sizeof(double)) ||
	    posix_memalign((void **)&c, 4096, n * sizeof(double)))
		return perror("posix_memalign"), 1;
	t_copy = calloc((size_t)passes, sizeof(double));
	t_triad = calloc((size_t)passes, sizeof(double));
#pragma omp parallel for schedule(static)
	for (size_t j = 0; j < n; j++) {
		a[j] = 1.0;
		b[j] = 2.0;
		c[j] = 0.0;
	}
	for (int k = 0; k < passes; k++) {
		double t = omp_get_wtime();
#pragma omp parallel for schedule(static)
		for (size_t j = 0; j < n; j++)
			c[j] = a[j];
		t_copy[k] = omp_get_wtime() - t;
		t = omp_get_wtime();
#pragma omp parallel for schedule(static)
		for (size_t j = 0; j < n; j++)
			a[j] = b[j] + s * c[j];
		t_triad[k] = omp_get_wtime() - t;
	}
	/* After the passes: c = a (as of the last copy), a = b + 3c; a, b, c start 1, 2, 0. */
	double ea = 1.0, ec = 0.0;
	for (int k = 0; k < passes; k++) {
		ec = ea;
		ea = 2.0 + s * ec;
	}
	for (size_t j = 0; j < n; j++)
		bad += a[j] != ea || c[j] != ec;
	/* Pass 0 is a warm-up, as in STREAM; every other pass's rate is printed, so the
	 * script computes the best (STREAM's statistic) and the median over all rounds. */
	printf("copy");
	for (int k = 1; k < passes; k++)
		printf(" %.3f", 2.0 * (double)bytes / t_copy[k] / 1e9);
	printf("\ntriad");
	for (int k = 1; k < passes; k++)
		printf(" %.3f", 3.0 * (double)bytes / t_triad[k] / 1e9);
	printf("\n");
	printf("check %s threads %d\n", bad ? "FAILED" : "ok", omp_get_max_threads());
	return bad ? 1 : 0;
}
