/*
 * stream.h — STREAM kernels over a range of double arrays, for every benchmark that
 * moves memory on purpose (bandwidth and numa-bandwidth measure with them, numa-loaded
 * generates its traffic with them), so all of them move bytes the same way.
 *
 * SSE2 on x86-64 (every x86-64 has it; no -march=native), four independent
 * accumulators for the read, a compiler barrier per 64 bytes so no loop is turned into
 * memcpy/memset (glibc may switch those to non-temporal stores), and non-temporal
 * stores (_mm_stream_pd + sfence) on request where the CPU has them.
 * Ranges are element indices [lo, hi); hi - lo must be a multiple of 8 and the arrays
 * 16-byte aligned.
 */
#ifndef LOCUS_STREAM_H
#define LOCUS_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define STREAM_SCALAR 3.0

#ifdef __x86_64__
#define STREAM_HAVE_NT 1   /* non-temporal stores available */
#else
#define STREAM_HAVE_NT 0
#endif

/* The kernels, as STREAM defines them (a, b, c are the three arrays):
 * read: sum a; write: c = s; copy: c = a; scale: b = s*c; add: c = a + b;
 * triad: a = b + s*c (s = STREAM_SCALAR). */
enum stream_kernel {
	STREAM_READ, STREAM_WRITE, STREAM_COPY, STREAM_SCALE, STREAM_ADD, STREAM_TRIAD,
	STREAM_NR_KERNELS
};

/* Run kernel k (not STREAM_READ) over [lo, hi); nt = non-temporal stores (ignored
 * where STREAM_HAVE_NT is 0), drained with a fence before returning. */
void stream_run(enum stream_kernel k, double *a, double *b, double *c, size_t lo, size_t hi,
		bool nt);

/* Sum of a[lo..hi). */
double stream_read(const double *a, size_t lo, size_t hi);
/* c[i] = a[i] */
void stream_copy(double *c, const double *a, size_t lo, size_t hi);
/* a[i] = b[i] + STREAM_SCALAR * c[i] */
void stream_triad(double *a, const double *b, const double *c, size_t lo, size_t hi);

#endif
