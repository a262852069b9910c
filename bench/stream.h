/*
 * stream.h — STREAM-style kernels over a range of double arrays, for benchmarks that
 * move memory on purpose (numa-bandwidth measures with them, numa-loaded generates its
 * traffic with them).
 *
 * The same loops as bench/bandwidth.c's regular-store kernels (SSE2 on x86-64, four
 * independent accumulators for the read, a compiler barrier per 64 bytes so no loop is
 * turned into memcpy/memset, which glibc may switch to non-temporal stores), kept in
 * a file of their own so that other benches share them instead of copying them.
 * Ranges are element indices [lo, hi); hi - lo must be a multiple of 8 and the arrays
 * 16-byte aligned.
 */
#ifndef LOCUS_STREAM_H
#define LOCUS_STREAM_H

#include <stddef.h>

#define STREAM_SCALAR 3.0

/* Sum of a[lo..hi). */
double stream_read(const double *a, size_t lo, size_t hi);
/* c[i] = a[i] */
void stream_copy(double *c, const double *a, size_t lo, size_t hi);
/* a[i] = b[i] + STREAM_SCALAR * c[i] */
void stream_triad(double *a, const double *b, const double *c, size_t lo, size_t hi);

#endif
