/* SPDX-License-Identifier: MIT */
/*
 * stream-x86.c — the x86-64 entries of the STREAM kernel table (bench/stream.h):
 * AVX-512, AVX2 and SSE2, each compiled with its own target attribute from the generic
 * template bench/stream-kern.h and used only where the CPU reports the feature, so the
 * binary stays portable.  The widest comes first: it is the default.
 */
#include "config.h"
#include "stream.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VHAS_NT 1

/* ---- AVX-512 (64-byte vectors: a full-line store) ----------------------------------- */
static bool avx512_ok(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f");
}
#define STREAM_ISA avx512
#define STREAM_TARGET __attribute__((target("avx512f")))
#define VT __m512d
#define W 8
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd(p, v)
#define VSTREAM(p, v) _mm512_stream_pd(p, v)
#define VADD(x, y) _mm512_add_pd(x, y)
#define VMUL(x, y) _mm512_mul_pd(x, y)
#define VSET1(x) _mm512_set1_pd(x)
#define VZERO() _mm512_setzero_pd()
#define VHSUM(v) _mm512_reduce_add_pd(v)
#define VFENCE() _mm_sfence()
#include "stream-kern.h"
#undef STREAM_ISA
#undef STREAM_TARGET
#undef VT
#undef W
#undef VLOAD
#undef VSTORE
#undef VSTREAM
#undef VADD
#undef VMUL
#undef VSET1
#undef VZERO
#undef VHSUM

/* ---- AVX2 (32-byte vectors) ---------------------------------------------------------- */
static bool avx2_ok(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#define STREAM_ISA avx2
#define STREAM_TARGET __attribute__((target("avx2")))
#define VT __m256d
#define W 4
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd(p, v)
#define VSTREAM(p, v) _mm256_stream_pd(p, v)
#define VADD(x, y) _mm256_add_pd(x, y)
#define VMUL(x, y) _mm256_mul_pd(x, y)
#define VSET1(x) _mm256_set1_pd(x)
#define VZERO() _mm256_setzero_pd()
STREAM_TARGET static inline double avx2_hsum(__m256d v)
{
	__m128d x = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
	return _mm_cvtsd_f64(_mm_add_sd(x, _mm_unpackhi_pd(x, x)));
}
#define VHSUM(v) avx2_hsum(v)
#include "stream-kern.h"
#undef STREAM_ISA
#undef STREAM_TARGET
#undef VT
#undef W
#undef VLOAD
#undef VSTORE
#undef VSTREAM
#undef VADD
#undef VMUL
#undef VSET1
#undef VZERO
#undef VHSUM

/* ---- SSE2 (16-byte vectors; every x86-64 has it) -------------------------------------- */
static bool sse2_ok(void)
{
	return true;
}
#define STREAM_ISA sse2
#define STREAM_TARGET
#define VT __m128d
#define W 2
#define VLOAD(p) _mm_loadu_pd(p)
#define VSTORE(p, v) _mm_storeu_pd(p, v)
#define VSTREAM(p, v) _mm_stream_pd(p, v)
#define VADD(x, y) _mm_add_pd(x, y)
#define VMUL(x, y) _mm_mul_pd(x, y)
#define VSET1(x) _mm_set1_pd(x)
#define VZERO() _mm_setzero_pd()
static inline double sse2_hsum(__m128d v)
{
	return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v)));
}
#define VHSUM(v) sse2_hsum(v)
#include "stream-kern.h"

static const struct stream_isa isa_avx512 = {
	.name = "avx512", .vector_bytes = 64, .supported = avx512_ok, .impls = stream_impls_avx512,
};
static const struct stream_isa isa_avx2 = {
	.name = "avx2", .vector_bytes = 32, .supported = avx2_ok, .impls = stream_impls_avx2,
};
static const struct stream_isa isa_sse2 = {
	.name = "sse2", .vector_bytes = 16, .supported = sse2_ok, .impls = stream_impls_sse2,
};

const struct stream_isa *const stream_arch_isas[] = { &isa_avx512, &isa_avx2, &isa_sse2, NULL };
#endif
