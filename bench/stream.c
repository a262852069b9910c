/*
 * stream.c — STREAM-style read, copy and triad kernels with regular stores (see
 * stream.h for why they live apart from the benches that use them).
 */
#include "config.h"
#include "stream.h"

#define STREAM_BARRIER() __asm__ __volatile__("" ::: "memory")

#ifdef __x86_64__
#include <emmintrin.h>

double stream_read(const double *a, size_t lo, size_t hi)
{
	__m128d s0 = _mm_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
	double r[2];

	/* Four independent accumulators: one would make the loop add-latency bound. */
	for (size_t i = lo; i < hi; i += 8) {
		s0 = _mm_add_pd(s0, _mm_load_pd(a + i));
		s1 = _mm_add_pd(s1, _mm_load_pd(a + i + 2));
		s2 = _mm_add_pd(s2, _mm_load_pd(a + i + 4));
		s3 = _mm_add_pd(s3, _mm_load_pd(a + i + 6));
	}
	_mm_storeu_pd(r, _mm_add_pd(_mm_add_pd(s0, s1), _mm_add_pd(s2, s3)));
	return r[0] + r[1];
}

void stream_copy(double *c, const double *a, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i += 8) {
		_mm_store_pd(c + i, _mm_load_pd(a + i));
		_mm_store_pd(c + i + 2, _mm_load_pd(a + i + 2));
		_mm_store_pd(c + i + 4, _mm_load_pd(a + i + 4));
		_mm_store_pd(c + i + 6, _mm_load_pd(a + i + 6));
		STREAM_BARRIER();
	}
}

void stream_triad(double *a, const double *b, const double *c, size_t lo, size_t hi)
{
	const __m128d s = _mm_set1_pd(STREAM_SCALAR);

	for (size_t i = lo; i < hi; i += 8) {
		_mm_store_pd(a + i, _mm_add_pd(_mm_load_pd(b + i), _mm_mul_pd(s, _mm_load_pd(c + i))));
		_mm_store_pd(a + i + 2, _mm_add_pd(_mm_load_pd(b + i + 2),
						   _mm_mul_pd(s, _mm_load_pd(c + i + 2))));
		_mm_store_pd(a + i + 4, _mm_add_pd(_mm_load_pd(b + i + 4),
						   _mm_mul_pd(s, _mm_load_pd(c + i + 4))));
		_mm_store_pd(a + i + 6, _mm_add_pd(_mm_load_pd(b + i + 6),
						   _mm_mul_pd(s, _mm_load_pd(c + i + 6))));
		STREAM_BARRIER();
	}
}
#else
double stream_read(const double *a, size_t lo, size_t hi)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (size_t i = lo; i < hi; i += 4) {
		s0 += a[i];
		s1 += a[i + 1];
		s2 += a[i + 2];
		s3 += a[i + 3];
	}
	return (s0 + s1) + (s2 + s3);
}

void stream_copy(double *c, const double *a, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i += 8) {
		for (size_t j = i; j < i + 8; j++)
			c[j] = a[j];
		STREAM_BARRIER();
	}
}

void stream_triad(double *a, const double *b, const double *c, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i += 8) {
		for (size_t j = i; j < i + 8; j++)
			a[j] = b[j] + STREAM_SCALAR * c[j];
		STREAM_BARRIER();
	}
}
#endif
