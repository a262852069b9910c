/* SPDX-License-Identifier: MIT */
/*
 * stream-kern.h — the STREAM kernels written once for any fixed-width vector ISA,
 * included by a per-architecture file (bench/stream-x86.c) once per ISA after it
 * defines:
 *   STREAM_ISA        identifier suffix (avx512)
 *   STREAM_TARGET     function attribute(s) for the ISA (__attribute__((target(...))))
 *   VT, W             vector type and doubles per vector
 *   VLOAD(p) VSTORE(p, v) VSTREAM(p, v) VADD(x, y) VMUL(x, y) VSET1(x) VZERO()
 *   VHSUM(v)          horizontal sum into a double
 *   VFENCE()          drains non-temporal stores
 *   VHAS_NT           1 when VSTREAM is a real non-temporal store (else no nt entries)
 * and it yields `static const struct stream_impl stream_impls_<ISA>[]`.
 *
 * Four vectors per iteration (independent accumulators for the read, so the loop is not
 * add-latency bound), a compiler barrier per iteration so no loop is turned into
 * memcpy/memset (glibc switches those to non-temporal stores for large sizes, which would
 * falsify "regular"), a scalar head until the destination is vector-aligned (streaming
 * stores need it) and a scalar tail.
 */
#define SK_CAT2(a, b) a##_##b
#define SK_CAT(a, b) SK_CAT2(a, b)
#define SK_FN(k) SK_CAT(k, STREAM_ISA)
#define SK_BARRIER() __asm__ __volatile__("" ::: "memory")

/* Every kernel once, with the arrays it reads and writes right next to it (the byte
 * count the benches report comes from here):
 *      name   kernel        reads writes dst  vector element    scalar element */
#define SK_KERNELS(X) \
	X(write, STREAM_WRITE, 0,    1,     c,   vs,                          s) \
	X(copy,  STREAM_COPY,  1,    1,     c,   VLOAD(a + i),                a[i]) \
	X(scale, STREAM_SCALE, 1,    1,     b,   VMUL(vs, VLOAD(c + i)),      s * c[i]) \
	X(add,   STREAM_ADD,   2,    1,     c,   VADD(VLOAD(a + i), VLOAD(b + i)), a[i] + b[i]) \
	X(triad, STREAM_TRIAD, 2,    1,     a,   VADD(VLOAD(b + i), VMUL(vs, VLOAD(c + i))), \
	  b[i] + s * c[i])

/* dst[i] = element over [lo, hi) with the store ST. */
#define SK_LOOP(ST, dst, VE, SE) \
	do { \
		size_t i = lo; \
		for (; i < hi && ((size_t)(dst + i) & (W * sizeof(double) - 1)); i++) \
			dst[i] = (SE); \
		for (; i + 4 * W <= hi; ) { \
			ST(dst + i, (VE)); i += W; \
			ST(dst + i, (VE)); i += W; \
			ST(dst + i, (VE)); i += W; \
			ST(dst + i, (VE)); i += W; \
			SK_BARRIER(); \
		} \
		for (; i + W <= hi; i += W) \
			ST(dst + i, (VE)); \
		for (; i < hi; i++) \
			dst[i] = (SE); \
	} while (0)

#if VHAS_NT
#define SK_NT_ATTR
#else
#define SK_NT_ATTR __attribute__((unused))   /* no nt entries: kept only for shape */
#endif
#define SK_DEFINE(name, kernel, reads, writes, dst, VE, SE) \
STREAM_TARGET static double SK_FN(name)(double *a, double *b, double *c, size_t lo, \
					 size_t hi) \
{ \
	const VT vs = VSET1(STREAM_SCALAR); \
	const double s = STREAM_SCALAR; \
	(void)a; (void)b; (void)c; (void)vs; (void)s; \
	SK_LOOP(VSTORE, dst, VE, SE); \
	return 0; \
} \
STREAM_TARGET SK_NT_ATTR static double SK_FN(name##_nt)(double *a, double *b, double *c, size_t lo, \
					      size_t hi) \
{ \
	const VT vs = VSET1(STREAM_SCALAR); \
	const double s = STREAM_SCALAR; \
	(void)a; (void)b; (void)c; (void)vs; (void)s; \
	SK_LOOP(VSTREAM, dst, VE, SE); \
	VFENCE(); \
	return 0; \
}

SK_KERNELS(SK_DEFINE)

/* read: sum of a — reads 1 array, writes none. */
STREAM_TARGET static double SK_FN(read)(double *a, double *b, double *c, size_t lo, size_t hi)
{
	VT s0 = VZERO(), s1 = VZERO(), s2 = VZERO(), s3 = VZERO();
	double t = 0;
	size_t i = lo;

	(void)b;
	(void)c;
	for (; i < hi && ((size_t)(a + i) & (W * sizeof(double) - 1)); i++)
		t += a[i];
	for (; i + 4 * W <= hi; i += 4 * W) {
		s0 = VADD(s0, VLOAD(a + i));
		s1 = VADD(s1, VLOAD(a + i + W));
		s2 = VADD(s2, VLOAD(a + i + 2 * W));
		s3 = VADD(s3, VLOAD(a + i + 3 * W));
	}
	for (; i + W <= hi; i += W)
		s0 = VADD(s0, VLOAD(a + i));
	for (; i < hi; i++)
		t += a[i];
	return t + VHSUM(VADD(VADD(s0, s1), VADD(s2, s3)));
}

#if VHAS_NT
#define SK_ENTRY(name, k, r, w, d, VE, SE) \
	{ .kernel = k, .nt = false, .reads = r, .writes = w, .dst = #d[0], .fn = SK_FN(name) }, \
	{ .kernel = k, .nt = true, .reads = r, .writes = w, .dst = #d[0], .fn = SK_FN(name##_nt) },
#else
#define SK_ENTRY(name, k, r, w, d, VE, SE) \
	{ .kernel = k, .nt = false, .reads = r, .writes = w, .dst = #d[0], .fn = SK_FN(name) },
#endif

static const struct stream_impl SK_CAT(stream_impls, STREAM_ISA)[] = {
	{ .kernel = STREAM_READ, .nt = false, .reads = 1, .writes = 0, .dst = 0, .fn = SK_FN(read) },
	SK_KERNELS(SK_ENTRY)
	{ .fn = NULL },
};

#undef SK_ENTRY
#undef SK_DEFINE
#undef SK_NT_ATTR
#undef SK_LOOP
#undef SK_KERNELS
#undef SK_BARRIER
#undef SK_FN
#undef SK_CAT
#undef SK_CAT2
