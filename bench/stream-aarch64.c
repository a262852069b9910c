/* SPDX-License-Identifier: MIT */
/*
 * stream-aarch64.c — the aarch64 entries of the STREAM kernel table (bench/stream.h):
 * NEON (Advanced SIMD, in every Armv8-A core) with regular stores and with
 * non-temporal `stnp` stores, from the generic template bench/stream-kern.h.
 *
 * One "vector" here is a pair of 128-bit registers (32 bytes): `stnp` stores a register
 * pair, so the non-temporal kernel and the regular one move the same data per
 * instruction, and four pairs per iteration keep enough loads in flight.  `stnp` is a
 * hint (the core may still allocate the line; Neoverse cores honour it for streaming
 * writes), and non-temporal stores are not ordered, so the kernels end with `dsb ish`
 * before the clock stops.
 */
#include "config.h"
#include "stream.h"

#if defined(__aarch64__)
#include <arm_neon.h>

typedef struct {
	float64x2_t lo, hi;
} neon_pair;

static inline neon_pair np_load(const double *p)
{
	return (neon_pair){ vld1q_f64(p), vld1q_f64(p + 2) };
}
static inline void np_store(double *p, neon_pair v)
{
	vst1q_f64(p, v.lo);
	vst1q_f64(p + 2, v.hi);
}
static inline void np_stream(double *p, neon_pair v)
{
	__asm__ __volatile__("stnp %q1, %q2, [%0]" :: "r"(p), "w"(v.lo), "w"(v.hi) : "memory");
}
static inline neon_pair np_add(neon_pair x, neon_pair y)
{
	return (neon_pair){ vaddq_f64(x.lo, y.lo), vaddq_f64(x.hi, y.hi) };
}
static inline neon_pair np_mul(neon_pair x, neon_pair y)
{
	return (neon_pair){ vmulq_f64(x.lo, y.lo), vmulq_f64(x.hi, y.hi) };
}
static inline neon_pair np_set1(double x)
{
	return (neon_pair){ vdupq_n_f64(x), vdupq_n_f64(x) };
}
static inline double np_hsum(neon_pair v)
{
	return vaddvq_f64(vaddq_f64(v.lo, v.hi));
}

static bool neon_ok(void)
{
	return true;   /* Advanced SIMD is mandatory in Armv8-A with floating point */
}

#define VHAS_NT 1
#define STREAM_ISA neon
#define STREAM_TARGET
#define VT neon_pair
#define W 4
#define VLOAD(p) np_load(p)
#define VSTORE(p, v) np_store(p, v)
#define VSTREAM(p, v) np_stream(p, v)
#define VADD(x, y) np_add(x, y)
#define VMUL(x, y) np_mul(x, y)
#define VSET1(x) np_set1(x)
#define VZERO() np_set1(0.0)
#define VHSUM(v) np_hsum(v)
#define VFENCE() __asm__ __volatile__("dsb ish" ::: "memory")
#include "stream-kern.h"

static const struct stream_isa isa_neon = {
	.name = "neon", .vector_bytes = 32, .supported = neon_ok, .impls = stream_impls_neon,
};

const struct stream_isa *const stream_arch_isas[] = { &isa_neon, NULL };
#endif
