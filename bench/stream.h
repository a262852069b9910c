/* SPDX-License-Identifier: MIT */
/*
 * stream.h — the STREAM kernel table every benchmark that moves memory on purpose uses
 * (bandwidth and numa-bandwidth measure with it, numa-loaded generates its traffic with
 * it), so all of them move bytes the same way and name the instructions they used.
 *
 * Kernels come per instruction set ("ISA": avx512, avx2, sse2 on x86-64, neon on
 * aarch64), chosen at
 * run time: the binary stays portable (no -march flags; each ISA's functions carry a
 * target attribute and run only where the CPU reports the feature).  Each kernel entry
 * declares the arrays it reads and writes next to its function, the way LIKWID's kernel
 * files declare their bytes, and the benches derive their byte counts from the entry.
 *
 * Adding an architecture: write bench/stream-ARCH.c (under #if defined(ARCH)) defining
 * its struct stream_isa entries and `stream_arch_isas[]` (widest first, NULL-ended),
 * add it to Makefile.am, and add the architecture to STREAM_ARCH_TABLE below.  A
 * fixed-width vector ISA can reuse the generic template bench/stream-kern.h (see
 * stream-x86.c); anything else (SVE) fills the same table by hand.  Architectures
 * without a file get the portable C kernels (isa "c").
 */
#ifndef LOCUS_STREAM_H
#define LOCUS_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define STREAM_SCALAR 3.0

#if defined(__x86_64__)
#define STREAM_ARCH_TABLE 1   /* bench/stream-x86.c */
#elif defined(__aarch64__)
#define STREAM_ARCH_TABLE 1   /* bench/stream-aarch64.c */
#else
#define STREAM_ARCH_TABLE 0
#endif

/* The kernels, as STREAM defines them (a, b, c are the three arrays):
 * read: sum a; write: c = s; copy: c = a; scale: b = s*c; add: c = a + b;
 * triad: a = b + s*c (s = STREAM_SCALAR). */
enum stream_kernel {
	STREAM_READ, STREAM_WRITE, STREAM_COPY, STREAM_SCALE, STREAM_ADD, STREAM_TRIAD,
	STREAM_NR_KERNELS
};

/* One kernel over the element range [lo, hi) of the arrays a, b, c.  Returns the sum
 * for STREAM_READ, 0 otherwise.  Non-temporal kernels drain their stores (sfence)
 * before returning, so the clock may stop right after.  Arrays need only be
 * 8-byte aligned (heads are peeled to the vector width). */
typedef double (*stream_fn)(double *a, double *b, double *c, size_t lo, size_t hi);

struct stream_impl {
	enum stream_kernel kernel;
	bool nt;                      /* non-temporal stores */
	unsigned char reads, writes;  /* arrays read / written per element: STREAM's bytes */
	char dst;                     /* array written ('a', 'b', 'c'), 0 for read */
	stream_fn fn;
};

struct stream_isa {
	const char *name;             /* the label "isa": avx512, avx2, sse2, c, ... */
	unsigned vector_bytes;        /* width of one load/store */
	bool (*supported)(void);      /* run-time check: the CPU (and OS) can run it */
	const struct stream_impl *impls; /* ended by an entry with fn == NULL */
};

/* This architecture's ISAs, widest first, NULL-terminated (bench/stream-ARCH.c). */
extern const struct stream_isa *const stream_arch_isas[];

/* The ISAs this build knows, widest first: stream_isa_at(0), (1), ... NULL at the end. */
const struct stream_isa *stream_isa_at(size_t i);
/* By name (case-insensitive), or NULL. */
const struct stream_isa *stream_isa_find(const char *name);
/* The widest ISA this CPU supports (the portable one at worst; never NULL). */
const struct stream_isa *stream_isa_default(void);
/* The names this build knows, comma-separated, into buf; returns buf. */
char *stream_isa_names(char *buf, size_t len);
/* The entry for kernel k with nt or regular stores, or NULL (no nt stores there). */
const struct stream_impl *stream_impl_find(const struct stream_isa *isa, enum stream_kernel k,
					   bool nt);
/* "read", "write", "copy", "scale", "add", "triad"; index by name or -1. */
const char *stream_kernel_name(enum stream_kernel k);
int stream_kernel_index(const char *name);

#endif
