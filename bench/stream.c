/*
 * stream.c — the STREAM kernels every bandwidth-moving bench shares: read, write, copy,
 * scale, add, triad, with regular or non-temporal stores (see stream.h for why they
 * live apart from the benches that use them).
 */
#include "config.h"
#include "stream.h"

/* Keeps compilers from turning a fill or copy loop into memset/memcpy (glibc switches
 * those to non-temporal stores for large sizes, which would falsify "regular"). */
#define STREAM_BARRIER() __asm__ __volatile__("" ::: "memory")

#if STREAM_HAVE_NT
#include <emmintrin.h>
#endif

/* ---- kernels --------------------------------------------------------------------- */

#if STREAM_HAVE_NT
/* nt is a constant at every call site, so each kernel is compiled twice, once per
 * store instruction, and nothing else differs between the two. */
static inline __attribute__((always_inline)) void stream_store(double *p, __m128d v, bool nt)
{
	if (nt)
		_mm_stream_pd(p, v);
	else
		_mm_store_pd(p, v);
}

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

static inline __attribute__((always_inline)) void
stream_kernel_run(enum stream_kernel k, double *a, double *b, double *c, size_t lo, size_t hi,
	      bool nt)
{
	const __m128d s = _mm_set1_pd(STREAM_SCALAR);

	switch (k) {
	case STREAM_WRITE:
		for (size_t i = lo; i < hi; i += 8) {
			stream_store(c + i, s, nt);
			stream_store(c + i + 2, s, nt);
			stream_store(c + i + 4, s, nt);
			stream_store(c + i + 6, s, nt);
			STREAM_BARRIER();
		}
		break;
	case STREAM_COPY:
		for (size_t i = lo; i < hi; i += 8) {
			stream_store(c + i, _mm_load_pd(a + i), nt);
			stream_store(c + i + 2, _mm_load_pd(a + i + 2), nt);
			stream_store(c + i + 4, _mm_load_pd(a + i + 4), nt);
			stream_store(c + i + 6, _mm_load_pd(a + i + 6), nt);
			STREAM_BARRIER();
		}
		break;
	case STREAM_SCALE:
		for (size_t i = lo; i < hi; i += 8) {
			stream_store(b + i, _mm_mul_pd(s, _mm_load_pd(c + i)), nt);
			stream_store(b + i + 2, _mm_mul_pd(s, _mm_load_pd(c + i + 2)), nt);
			stream_store(b + i + 4, _mm_mul_pd(s, _mm_load_pd(c + i + 4)), nt);
			stream_store(b + i + 6, _mm_mul_pd(s, _mm_load_pd(c + i + 6)), nt);
			STREAM_BARRIER();
		}
		break;
	case STREAM_ADD:
		for (size_t i = lo; i < hi; i += 8) {
			stream_store(c + i, _mm_add_pd(_mm_load_pd(a + i), _mm_load_pd(b + i)), nt);
			stream_store(c + i + 2, _mm_add_pd(_mm_load_pd(a + i + 2),
						       _mm_load_pd(b + i + 2)), nt);
			stream_store(c + i + 4, _mm_add_pd(_mm_load_pd(a + i + 4),
						       _mm_load_pd(b + i + 4)), nt);
			stream_store(c + i + 6, _mm_add_pd(_mm_load_pd(a + i + 6),
						       _mm_load_pd(b + i + 6)), nt);
			STREAM_BARRIER();
		}
		break;
	case STREAM_TRIAD:
		for (size_t i = lo; i < hi; i += 8) {
			stream_store(a + i, _mm_add_pd(_mm_load_pd(b + i),
						   _mm_mul_pd(s, _mm_load_pd(c + i))), nt);
			stream_store(a + i + 2, _mm_add_pd(_mm_load_pd(b + i + 2),
						       _mm_mul_pd(s, _mm_load_pd(c + i + 2))), nt);
			stream_store(a + i + 4, _mm_add_pd(_mm_load_pd(b + i + 4),
						       _mm_mul_pd(s, _mm_load_pd(c + i + 4))), nt);
			stream_store(a + i + 6, _mm_add_pd(_mm_load_pd(b + i + 6),
						       _mm_mul_pd(s, _mm_load_pd(c + i + 6))), nt);
			STREAM_BARRIER();
		}
		break;
	default:
		break;
	}
	/* Non-temporal stores are weakly ordered: drain them before the clock stops. */
	if (nt)
		_mm_sfence();
}

void stream_run(enum stream_kernel k, double *a, double *b, double *c, size_t lo, size_t hi,
		bool nt)
{
	/* nt is a constant in each call below, so each loop is compiled once per store
	 * instruction. */
	if (nt)
		stream_kernel_run(k, a, b, c, lo, hi, true);
	else
		stream_kernel_run(k, a, b, c, lo, hi, false);
}
#else
/* Portable versions: regular stores only. */
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

void stream_run(enum stream_kernel k, double *a, double *b, double *c, size_t lo, size_t hi,
		bool nt)
{
	(void)nt; /* no non-temporal stores here: STREAM_HAVE_NT is 0 */
	const double s = STREAM_SCALAR;

	for (size_t i = lo; i < hi; i += 8) {
		for (size_t j = i; j < i + 8; j++) {
			switch (k) {
			case STREAM_WRITE: c[j] = s; break;
			case STREAM_COPY: c[j] = a[j]; break;
			case STREAM_SCALE: b[j] = s * c[j]; break;
			case STREAM_ADD: c[j] = a[j] + b[j]; break;
			case STREAM_TRIAD: a[j] = b[j] + s * c[j]; break;
			default: break;
			}
		}
		STREAM_BARRIER();
	}
}

#endif

void stream_copy(double *c, const double *a, size_t lo, size_t hi)
{
	stream_run(STREAM_COPY, (double *)a, NULL, c, lo, hi, false);
}

void stream_triad(double *a, const double *b, const double *c, size_t lo, size_t hi)
{
	stream_run(STREAM_TRIAD, a, (double *)b, (double *)c, lo, hi, false);
}
