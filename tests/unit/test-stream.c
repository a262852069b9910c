/* SPDX-License-Identifier: MIT */
/*
 * test-stream.c — the STREAM kernel table (bench/stream.h): every entry of every ISA
 * this CPU runs computes STREAM's result element by element, including unaligned heads
 * and odd tails (the peeling code), declares the bytes STREAM counts for its kernel, and
 * the table offers what the benches look up (a default, names, regular and nt stores).
 * Expected values are STREAM's definitions evaluated in scalar code here.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "stream.h"
#include "tap.h"

#define N 1000

/* STREAM's arrays read / written per kernel, from the definitions in stream.h. */
static const int want_reads[STREAM_NR_KERNELS] = { 1, 0, 1, 1, 2, 2 };
static const int want_writes[STREAM_NR_KERNELS] = { 0, 1, 1, 1, 1, 1 };
static const char want_dst[STREAM_NR_KERNELS] = { 0, 'c', 'c', 'b', 'c', 'a' };

static void check_impl(const struct stream_isa *isa, const struct stream_impl *e)
{
	double *buf = aligned_alloc(64, 3 * (N + 16) * sizeof(double));
	const double s = STREAM_SCALAR;
	int bad = 0;

	if (!buf) {
		ok(0, "%s: allocation", isa->name);
		return;
	}
	/* Every offset 0..7 (heads of every alignment) and lengths up to N (odd tails). */
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= N; len += len < 40 ? 1 : 97) {
			double *a = buf + off, *b = buf + N + 16 + off, *c = buf + 2 * (N + 16) + off;
			double got, want = 0;
			size_t lo = len % 3;
			for (size_t i = 0; i < N; i++) {
				a[i] = 1.0 + (double)(i % 7);
				b[i] = 2.0 + (double)(i % 5);
				c[i] = 0.5 * (double)(i % 3);
			}
			if (lo > len)
				lo = 0;
			got = e->fn(a, b, c, lo, len);
			for (size_t i = 0; i < N; i++) {
				double ea = 1.0 + (double)(i % 7), eb = 2.0 + (double)(i % 5);
				double ec = 0.5 * (double)(i % 3);
				bool in = i >= lo && i < len;
				if (e->kernel == STREAM_READ && in)
					want += ea;
				if (in) {
					switch (e->kernel) {
					case STREAM_WRITE: ec = s; break;
					case STREAM_COPY: ec = ea; break;
					case STREAM_SCALE: eb = s * ec; break;
					case STREAM_ADD: ec = ea + eb; break;
					case STREAM_TRIAD: ea = eb + s * ec; break;
					default: break;
					}
				}
				if (a[i] != ea || b[i] != eb || c[i] != ec)
					bad++;
			}
			if (e->kernel == STREAM_READ && got != want)
				bad++;
		}
	}
	ok(bad == 0, "%s %s (%s stores): every element, every head alignment and tail",
	   isa->name, stream_kernel_name(e->kernel), e->nt ? "nt" : "regular");
	ok(e->reads == want_reads[e->kernel] && e->writes == want_writes[e->kernel] &&
	   e->dst == want_dst[e->kernel],
	   "%s %s (%s): declares %d read / %d written arrays, writes %c", isa->name,
	   stream_kernel_name(e->kernel), e->nt ? "nt" : "regular", e->reads, e->writes,
	   e->dst ? e->dst : '-');
	free(buf);
}

int main(void)
{
	const struct stream_isa *isa, *def = stream_isa_default();
	char names[128];

	ok(def && def->supported(), "a default ISA that runs here: %s", def ? def->name : "none");
	ok(stream_isa_at(0) != NULL && stream_isa_find(stream_isa_at(0)->name) == stream_isa_at(0),
	   "the widest ISA is found by its name");
	ok(stream_isa_find("nonesuch") == NULL, "an unknown ISA name is not found");
	stream_isa_names(names, sizeof(names));
	ok(strstr(names, def->name) != NULL, "the names list (%s) has the default", names);
	ok(stream_kernel_index("TRIAD") == STREAM_TRIAD && stream_kernel_index("daxpy") == -1,
	   "kernel names map to kernels, case-insensitively");
	for (size_t i = 0; (isa = stream_isa_at(i)); i++) {
		if (i > 0)
			ok(isa->vector_bytes <= stream_isa_at(i - 1)->vector_bytes,
			   "%s comes after the wider %s", isa->name, stream_isa_at(i - 1)->name);
		for (int k = 0; k < STREAM_NR_KERNELS; k++)
			ok(stream_impl_find(isa, (enum stream_kernel)k, false) != NULL,
			   "%s has %s with regular stores", isa->name,
			   stream_kernel_name((enum stream_kernel)k));
		ok(stream_impl_find(isa, STREAM_READ, true) == NULL, "%s: no nt read", isa->name);
		if (!isa->supported()) {
			printf("ok %d # SKIP %s: this CPU does not report it\n", ++tap_n_, isa->name);
			continue;
		}
		for (const struct stream_impl *e = isa->impls; e->fn; e++)
			check_impl(isa, e);
	}
	return done_testing();
}
