/* SPDX-License-Identifier: MIT */
/*
 * test-memsize.c — the buffer sizing of every bench that reports a memory figure
 * (bench/memsize.h) against the fixture topologies (tests/fixtures/topo): the default
 * for each rule (bandwidth: >= 4x the LLC; latency: >= 2x) follows it on every
 * fixture, an unknown LLC assumes 32 MiB, and a user's size below the rule is flagged.
 * Expected sizes are worked out by hand from the fixtures' L3 sizes (README there).
 */
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "memsize.h"
#include "tap.h"
#include "topo.h"

#define MiB (1024ULL * 1024)

static char fixtures[PATH_MAX];

static int find_fixtures(void)
{
	const char *top = getenv("top_srcdir");
	const char *cands[] = { top ? top : ".", ".", "../.." };
	char probe[PATH_MAX + 64];

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(probe, sizeof(probe), "%s/tests/fixtures/topo/2node.xml", cands[i]);
		if (access(probe, R_OK) == 0) {
			snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/topo", cands[i]);
			return 1;
		}
	}
	return 0;
}

int main(void)
{
	static const struct { const char *name; uint64_t llc; } fx[] = {
		{ "2node", 32 * MiB }, { "4node", 16 * MiB }, { "8node", 32 * MiB },
		{ "cpuless", 32 * MiB }, { "memoryless", 32 * MiB },
	};

	if (!find_fixtures())
		tap_skip_all("tests/fixtures/topo not found (set top_srcdir)");
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		struct locus_topo t;
		char path[PATH_MAX + 64];
		uint64_t llc, bw, bwp, lat, latp;

		snprintf(path, sizeof(path), "%s/%s.xml", fixtures, fx[i].name);
		if (!ok(topo_load(&t, path) == 0, "%s: loaded", fx[i].name))
			continue;
		llc = topo_llc_size(&t);
		ok(llc == fx[i].llc, "%s: LLC %llu MiB", fx[i].name, (unsigned long long)(llc / MiB));
		bw = memsize_default(llc, MEMSIZE_BANDWIDTH_FACTOR, false);
		bwp = memsize_default(llc, MEMSIZE_BANDWIDTH_FACTOR, true);
		lat = memsize_default(llc, MEMSIZE_LATENCY_FACTOR, true);
		latp = memsize_default(llc, 2 * MEMSIZE_LATENCY_FACTOR, true);
		ok(bw == 4 * fx[i].llc && memsize_ok(bw, llc, MEMSIZE_BANDWIDTH_FACTOR),
		   "%s: bandwidth arrays %llu MiB = 4x the LLC", fx[i].name,
		   (unsigned long long)(bw / MiB));
		ok(bwp >= 4 * fx[i].llc && (bwp & (bwp - 1)) == 0,
		   "%s: power-of-two traffic buffer %llu MiB >= 4x the LLC", fx[i].name,
		   (unsigned long long)(bwp / MiB));
		ok(lat >= 2 * fx[i].llc && memsize_ok(lat, llc, MEMSIZE_LATENCY_FACTOR) &&
		   latp >= 4 * fx[i].llc,
		   "%s: chase footprints %llu / %llu MiB >= 2x / 4x the LLC (quick / full)",
		   fx[i].name, (unsigned long long)(lat / MiB), (unsigned long long)(latp / MiB));
		ok(!memsize_ok(llc, llc, MEMSIZE_LATENCY_FACTOR) &&
		   !memsize_ok(2 * llc, llc, MEMSIZE_BANDWIDTH_FACTOR),
		   "%s: a user's size of 1x (latency) or 2x (bandwidth) the LLC is flagged",
		   fx[i].name);
		topo_free(&t);
	}
	ok(memsize_default(0, MEMSIZE_BANDWIDTH_FACTOR, false) == 128 * MiB,
	   "unknown LLC: 32 MiB assumed (bandwidth arrays 128 MiB)");
	ok(memsize_default(1 * MiB, MEMSIZE_LATENCY_FACTOR, true) == 16 * MiB,
	   "a tiny LLC still gets 16 MiB");
	ok(memsize_default(3 * MiB, MEMSIZE_BANDWIDTH_FACTOR, true) == 16 * MiB &&
	   memsize_default(5 * MiB, MEMSIZE_BANDWIDTH_FACTOR, true) == 32 * MiB,
	   "power-of-two rounding goes up, never below the rule");
	return done_testing();
}
