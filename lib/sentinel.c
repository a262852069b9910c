/* SPDX-License-Identifier: MIT */
/*
 * sentinel.c — the fixed host-speed probe run around every timed sample (sentinel.h).
 *
 * The probe does the same work every time, a few microseconds of it:
 *   - a dependent chain of 64-bit multiply-adds: each step needs the previous result, so
 *     its time is the core's speed (frequency, a hyperthread sibling, a preempted vCPU);
 *   - a dependent walk over a 64 KiB random cyclic permutation of cache lines: larger
 *     than any L1d we know of, far smaller than any L2, so its time is the L2 path (and
 *     what an inclusive shared L3 under a thrashing neighbour does to it).
 * It is timed with CLOCK_MONOTONIC_RAW, not the benchmark timer, so it works whether
 * or not timer_init() ran.  Two probes back to back, the better one counts: a single
 * timer interrupt inside a 5 µs window must not mark a sample disturbed, a disturbance
 * that lasts (the thing we want to see) slows both.
 */
#include "config.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "rng.h"
#include "sentinel.h"
#include "sysfs.h"

#define CHAIN_STEPS 1500
#define WALK_BYTES (64 * 1024)
#define LINE 64
#define WALK_LINES (WALK_BYTES / LINE)
#define INIT_PROBES 40

/* One line of the walk: the index of the next line, padded to a cache line. */
struct line {
	uint32_t next;
	uint32_t pad[LINE / 4 - 1];
};

static struct line *walk;
static double best_ns;
static volatile uint64_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double probe_once(void)
{
	uint64_t x = sink | 1;
	uint32_t p = 0;
	double t0, t1;

	t0 = now_ns();
	for (unsigned i = 0; i < CHAIN_STEPS; i++)
		x = x * 0x5851f42d4c957f2dull + i;
	for (unsigned i = 0; i < WALK_LINES; i++)
		p = walk[p].next;
	t1 = now_ns();
	sink = x + p;
	return t1 - t0;
}

int sentinel_init(void)
{
	uint32_t *order;
	struct rng r;

	if (walk)
		return 0;
	if (posix_memalign((void **)&walk, LINE, sizeof(*walk) * WALK_LINES))
		return -ENOMEM;
	order = malloc(sizeof(*order) * WALK_LINES);
	if (!order) {
		free(walk);
		walk = NULL;
		return -ENOMEM;
	}
	/* One random cycle through all lines (Sattolo's shuffle), so the hardware prefetcher
	 * cannot guess the next line and the walk really is a chain of L2 hits. */
	rng_seed(&r, 0x73656e74696eull); /* "sentin" */
	for (uint32_t i = 0; i < WALK_LINES; i++)
		order[i] = i;
	for (uint32_t i = WALK_LINES - 1; i > 0; i--) {
		uint32_t j = (uint32_t)((rng_next(&r) >> 33) % i), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	memset(walk, 0, sizeof(*walk) * WALK_LINES);
	for (uint32_t i = 0; i < WALK_LINES; i++)
		walk[order[i]].next = order[(i + 1) % WALK_LINES];
	free(order);
	best_ns = 0;
	for (int i = 0; i < INIT_PROBES; i++)
		sentinel_probe_ns();
	return 0;
}

double sentinel_probe_ns(void)
{
	double a, b, t;

	if (!walk)
		return 0;
	a = probe_once();
	b = probe_once();
	t = a < b ? a : b;
	if (t > 0 && (best_ns == 0 || t < best_ns))
		best_ns = t;
	return t;
}

double sentinel_best_ns(void)
{
	return best_ns;
}

double sentinel_relative(double ns)
{
	if (!(ns > 0) || !(best_ns > 0))
		return 1.0;
	return ns <= best_ns ? 1.0 : best_ns / ns;
}

bool sentinel_steal_s(double *out)
{
	char path[4096], line[512];
	unsigned long long v[8] = { 0 };
	static long hz;
	FILE *f;
	int n;

	f = fopen(sysfs_path("proc/stat", path, sizeof(path)), "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	/* cpu  user nice system idle iowait irq softirq steal ... (USER_HZ ticks) */
	n = sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (n < 8)
		return false;
	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	*out = (double)v[7] / (double)(hz > 0 ? hz : 100);
	return true;
}

int sentinel_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}
