/* SPDX-License-Identifier: MIT */
/*
 * test-chase.c — unit tests for bench/chase.c: chain construction, the single-cycle
 * verification (including that it catches broken chains), locality windows, the
 * interleaved chase loop, and knee detection on synthetic staircases.
 *
 * The latency and tlb benches trust these pieces for every number they report: a chain
 * that is not one cycle would measure a smaller footprint, and a knee detector that
 * finds steps in noise would invent cache levels, so each is checked against cases
 * with a known answer.
 */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "chase.h"
#include "tap.h"
#include "timer.h"

static void *aligned_buf(size_t bytes)
{
	void *p = NULL;

	return posix_memalign(&p, 4096, bytes) == 0 ? memset(p, 0, bytes) : NULL;
}

/* Independent check: follow chain k from its start, mark every element; returns the
 * number of steps before returning to the start (0 on a bad pointer or a revisit). */
static size_t walk_mark(const struct chase *c, unsigned k, unsigned char *seen)
{
	char *p = c->start[k];
	size_t steps = 0;

	do {
		size_t off = (size_t)(p - c->base), i = off / c->l.stride;
		if (p < c->base || i >= c->l.nelem || p != chase_elem(c, i) || seen[i])
			return 0;
		seen[i] = 1;
		p = *(char **)p;
		steps++;
	} while (p != c->start[k]);
	return steps;
}

static void test_layout(size_t nelem, size_t stride, size_t group, unsigned chains)
{
	struct chase_layout l = { .nelem = nelem, .stride = stride, .line = 64, .group = group,
				  .chains = chains, .seed = 42 };
	struct chase c;
	size_t bytes = chase_bytes(&l), total = 0;
	unsigned char *seen = calloc(nelem, 1);
	void *buf = aligned_buf(bytes);
	uint64_t steps = 0;
	bool all = true;

	ok(buf && seen && chase_build(&c, buf, &l) == 0,
	   "build n=%zu stride=%zu group=%zu chains=%u", nelem, stride, group, chains);
	int v = chase_verify(&c, &steps);
	ok(v == 0 && steps == nelem, "  verify: single cycles, %llu steps", (unsigned long long)steps);
	for (unsigned k = 0; k < chains; k++)
		total += walk_mark(&c, k, seen);
	for (size_t i = 0; i < nelem; i++)
		all &= seen[i] == 1;
	ok(total == nelem && all, "  independent walk: every element exactly once");
	free(seen);
	free(buf);
}

/* With group G, the first G elements after the start are one group: all G of them in
 * the same G-slot block. */
static void test_window(void)
{
	struct chase_layout l = { .nelem = 4096, .stride = 64, .line = 64, .group = 64,
				  .chains = 1, .seed = 7 };
	struct chase c;
	void *buf = aligned_buf(chase_bytes(&l));
	char *p;
	bool local = true, moved = false;
	size_t first_block, prev_block = 0;

	chase_build(&c, buf, &l);
	p = c.start[0];
	first_block = (size_t)(p - c.base) / 64 / 64;
	for (int i = 0; i < 64 * 8; i++) {
		size_t block = (size_t)(p - c.base) / 64 / 64;
		if (i < 64)
			local &= block == first_block;
		if (i % 64 == 0 && i)
			moved |= block != prev_block;
		/* inside a window the block never changes */
		if (i % 64)
			local &= block == prev_block;
		prev_block = block;
		p = *(char **)p;
	}
	ok(local, "window of 64 elements: 64 consecutive steps stay in one 4 KiB block");
	ok(moved, "windows are chained: the walk moves to other blocks");
	free(buf);
}

static void test_broken(void)
{
	struct chase_layout l = { .nelem = 1000, .stride = 64, .line = 64, .chains = 1, .seed = 3 };
	struct chase c;
	char *buf = aligned_buf(chase_bytes(&l)), *a, *b, *t;

	chase_build(&c, buf, &l);
	/* Swapping the successors of two elements splits the cycle in two. */
	a = c.start[0];
	b = *(char **)*(char **)*(char **)a;
	t = *(char **)a;
	*(char **)a = *(char **)b;
	*(char **)b = t;
	ok(chase_verify(&c, NULL) == -EPROTO, "two cycles are caught");
	*(char **)b = *(char **)a;
	*(char **)a = t;
	ok(chase_verify(&c, NULL) == 0, "restored chain verifies again");
	t = *(char **)a;
	*(char **)a = buf + chase_bytes(&l) + 64;
	ok(chase_verify(&c, NULL) == -EPROTO, "a pointer outside the buffer is caught");
	*(char **)a = t;
	*(char **)a = a;   /* a self-loop: the chain closes early */
	ok(chase_verify(&c, NULL) == -EPROTO, "a chain that closes early is caught");
	*(char **)a = t;
	*(char **)a = t + 8;   /* misaligned: not an element */
	ok(chase_verify(&c, NULL) == -EPROTO, "a pointer between elements is caught");
	*(char **)a = t;
	free(buf);

	/* Two chains merged into one: chain 0's last element jumps into chain 1. */
	l.chains = 2;
	buf = aligned_buf(chase_bytes(&l));
	chase_build(&c, buf, &l);
	ok(chase_verify(&c, NULL) == 0, "two chains verify");
	a = c.start[0];
	while (*(char **)a != c.start[0])
		a = *(char **)a;
	*(char **)a = c.start[1];
	ok(chase_verify(&c, NULL) == -EPROTO, "a chain running into the other is caught");
	free(buf);

	struct chase_layout bad = { .nelem = 4, .stride = 64, .line = 64, .chains = 5 };
	buf = aligned_buf(4096);
	ok(chase_build(&c, buf, &bad) == -EINVAL, "more chains than elements: -EINVAL");
	bad = (struct chase_layout){ .nelem = 4, .stride = 96, .line = 64, .chains = 1 };
	ok(chase_build(&c, buf, &bad) == -EINVAL, "stride not a multiple of the line: -EINVAL");
	free(buf);
}

static void test_run(void)
{
	struct chase_layout l = { .nelem = 100, .stride = 128, .line = 64, .chains = 3, .seed = 9 };
	struct chase c;
	void *buf = aligned_buf(chase_bytes(&l));
	struct chase_sampler s = { .ch = &c };
	double x = 0;

	chase_build(&c, buf, &l);
	/* 34 + 33 + 33 elements; after lcm-many steps each chain is back at its start. */
	ok(c.len[0] == 34 && c.len[1] == 33 && c.len[2] == 33, "chains split 34/33/33");
	is_int((long long)chase_run(&c, 34 * 33), 3LL * 34 * 33 * CHASE_UNROLL, "loads counted");
	ok(c.cur[0] == c.start[0] && c.cur[1] == c.start[1] && c.cur[2] == c.start[2],
	   "after a multiple of every length each chain is back at its start");
	chase_run(&c, 1);
	ok(c.cur[0] != c.start[0], "the walk continues across calls");
	timer_init(false);
	chase_calibrate(&s, 1e6);
	ok(s.iters >= 1 && s.loads == s.iters * CHASE_UNROLL * 3, "calibrate: %llu rounds per sample",
	   (unsigned long long)s.iters);
	int rc = chase_sample(&s, &x);
	ok(rc == 0 && x > 0 && x < 1e4, "one sample: %.3g ns per load", x);
	free(buf);
}

static void test_staircase(void)
{
	double x[128], y[128];
	struct chase_stairs s;
	size_t n = 0;
	int rc;

	/* L1 32K at 1 ns, L2 1M at 4 ns, L3 32M at 20 ns, DRAM 90 ns; random-replacement
	 * transitions (hit rate C/F), 4 points per octave from 1K to 1G, ±2% ripple. */
	for (double f = 1024; f <= 1073741824.0 * 1.001 && n < 128; f *= 1.189207115) {
		const double cap[3] = { 32768, 1 << 20, 32 << 20 }, lat[4] = { 1, 4, 20, 90 };
		double v = lat[0];
		for (int l = 0; l < 3; l++) {
			if (f > cap[l]) {
				double h = cap[l] / f;
				v = h * lat[l] + (1 - h) * lat[l + 1];
			}
		}
		x[n] = f;
		y[n] = v * (1 + 0.02 * ((n % 3) - 1.0));
		n++;
	}
	ok(chase_staircase(x, y, n, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s) == 0,
	   "staircase of %zu points", n);
	is_int((long long)s.nknees, 3, "three knees");
	if (s.nknees == 3) {
		ok(s.knee[0].size > 32768 / 1.3 && s.knee[0].size < 32768 * 1.3,
		   "L1 knee %.0f near 32K", s.knee[0].size);
		ok(s.knee[1].size > (1 << 20) / 1.3 && s.knee[1].size < (1 << 20) * 1.3,
		   "L2 knee %.0f near 1M", s.knee[1].size);
		ok(s.knee[2].size > (32 << 20) / 1.3 && s.knee[2].size < (32 << 20) * 1.3,
		   "L3 knee %.0f near 32M", s.knee[2].size);
		is_near(s.level[0], 1.0, 0.05, "L1 level 1 ns");
		is_near(s.level[1], 4.0, 0.4, "L2 level about 4 ns");
	}

	/* Flat with ripple and slow creep: no knee. */
	for (size_t i = 0; i < 40; i++) {
		x[i] = 1024 * exp2(i / 4.0);
		y[i] = 100 * exp2(i / 4.0 * 0.1) * (1 + 0.03 * ((i % 2) ? 1 : -1));
	}
	rc = chase_staircase(x, y, 40, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s);
	ok(rc == 0 && s.nknees == 0, "ripple and +7%%/octave creep: no knee (%zu)", s.nknees);

	/* A sharp (LRU-like) step, one point per octave. */
	for (size_t i = 0; i < 10; i++) {
		x[i] = 1024 * exp2((double)i);
		y[i] = x[i] <= 65536 ? 1.5 : 5.0;
	}
	rc = chase_staircase(x, y, 10, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s);
	ok(rc == 0 && s.nknees == 1 && s.knee[0].size >= 65536 && s.knee[0].size < 65536 * 1.2 &&
	   s.knee[0].last_below == 65536 && s.knee[0].first_above == 131072,
	   "sharp step: one knee just after 64K (%.0f)", s.nknees ? s.knee[0].size : 0);
	ok(s.first[0] == 0 && s.last[0] == 6 && s.first[1] == 7 && s.last[1] == 9,
	   "plateau point ranges");

	/* A disturbed stretch that comes back down is not a level. */
	for (size_t i = 0; i < 20; i++) {
		x[i] = 1024 * exp2(i / 2.0);
		y[i] = i < 6 ? 2.0 : 60.0;
		if (i == 12 || i == 13)
			y[i] = 130.0;
	}
	rc = chase_staircase(x, y, 20, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s);
	ok(rc == 0 && s.nknees == 1 && s.knee[0].last_below == x[5], "a spike is not a knee (%zu knees)",
	   s.nknees);
	is_near(s.level[1], 60.0, 1e-9, "  the plateau around the spike keeps its level");

	ok(chase_staircase(x, y, 1, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s) == -EINVAL,
	   "one point: -EINVAL");
	x[3] = x[2];
	ok(chase_staircase(x, y, 10, CHASE_STEEP_DEFAULT, CHASE_MIN_RISE_DEFAULT, &s) == -EINVAL,
	   "x not increasing: -EINVAL");
}

int main(void)
{
	/* A chain bug can loop forever; fail instead of hanging `make check`. */
	alarm(120);
	test_layout(1, 64, 0, 1);
	test_layout(2, 64, 0, 1);
	test_layout(1000, 64, 0, 1);
	test_layout(5000, 64, 64, 1);
	test_layout(5000, 64, 64, 7);
	test_layout(4097, 4096, 0, 1);
	test_layout(3000, 128, 1, 12);
	test_layout(100000, 64, 4096, 4);
	test_window();
	test_broken();
	test_run();
	test_staircase();
	diag("core clock measured: %.2f GHz (0 = not available here)", chase_core_clock_hz() / 1e9);
	return done_testing();
}
