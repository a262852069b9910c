/* SPDX-License-Identifier: MIT */
/*
 * stream.c — lookup in the STREAM kernel table (bench/stream.h): the architecture's
 * ISAs (bench/stream-ARCH.c) followed by portable C kernels, which every build has and
 * which are the only ones where no architecture file exists.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "stream.h"

/* ---- the portable kernels (isa "c"): the generic template with one double as vector */
static bool c_ok(void)
{
	return true;
}
#define STREAM_ISA c
#define STREAM_TARGET
#define VT double
#define W 1
#define VHAS_NT 0
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VSTREAM(p, v) (*(p) = (v))
#define VADD(x, y) ((x) + (y))
#define VMUL(x, y) ((x) * (y))
#define VSET1(x) (x)
#define VZERO() 0.0
#define VHSUM(v) (v)
#define VFENCE() do { } while (0)
#include "stream-kern.h"

static const struct stream_isa isa_c = {
	.name = "c", .vector_bytes = sizeof(double), .supported = c_ok, .impls = stream_impls_c,
};

#if !STREAM_ARCH_TABLE
const struct stream_isa *const stream_arch_isas[] = { NULL };
#endif

static const char *const kernel_names[STREAM_NR_KERNELS] = {
	[STREAM_READ] = "read", [STREAM_WRITE] = "write", [STREAM_COPY] = "copy",
	[STREAM_SCALE] = "scale", [STREAM_ADD] = "add", [STREAM_TRIAD] = "triad",
};

const struct stream_isa *stream_isa_at(size_t i)
{
	size_t n = 0;

	while (stream_arch_isas[n])
		n++;
	if (i < n)
		return stream_arch_isas[i];
	/* The portable kernels only where the architecture has no vector ISA of its own:
	 * on x86-64 SSE2 is always there and is the same width of work. */
	return i == n && n == 0 ? &isa_c : NULL;
}

const struct stream_isa *stream_isa_find(const char *name)
{
	const struct stream_isa *isa;

	for (size_t i = 0; (isa = stream_isa_at(i)); i++)
		if (strcasecmp(isa->name, name) == 0)
			return isa;
	return NULL;
}

const struct stream_isa *stream_isa_default(void)
{
	const struct stream_isa *isa;

	for (size_t i = 0; (isa = stream_isa_at(i)); i++)
		if (isa->supported())
			return isa;
	return &isa_c;
}

char *stream_isa_names(char *buf, size_t len)
{
	const struct stream_isa *isa;
	size_t off = 0;

	if (len)
		buf[0] = 0;
	for (size_t i = 0; (isa = stream_isa_at(i)) && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", isa->name);
	return buf;
}

const struct stream_impl *stream_impl_find(const struct stream_isa *isa, enum stream_kernel k,
					   bool nt)
{
	for (const struct stream_impl *e = isa->impls; e->fn; e++)
		if (e->kernel == k && e->nt == nt)
			return e;
	return NULL;
}

const char *stream_kernel_name(enum stream_kernel k)
{
	return (unsigned)k < STREAM_NR_KERNELS ? kernel_names[k] : "?";
}

int stream_kernel_index(const char *name)
{
	for (int i = 0; i < STREAM_NR_KERNELS; i++)
		if (strcasecmp(kernel_names[i], name) == 0)
			return i;
	return -1;
}
