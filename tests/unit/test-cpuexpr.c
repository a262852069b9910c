/* SPDX-License-Identifier: MIT */
/*
 * test-cpuexpr.c — likwid-style CPU expressions on a synthetic topology of 2 packages
 * x 4 cores x 2 hardware threads (one NUMA node and one L3 per package; PU OS indices
 * 0..15 in hwloc's order, so core k of package p holds PUs 8p+2k and 8p+2k+1).  The
 * expected sets are worked out by hand from likwid's numbering: DOMAIN:LIST counts the
 * first thread of every core first, E: walks the threads core by core.
 */
#include "config.h"
#include <errno.h>
#include "cpuexpr.h"
#include "tap.h"

static struct locus_topo tp;

static void is_set(const char *expr, const char *want)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	char got[128] = "";
	int rc = cpuexpr_parse("--cpus", expr, &tp, s);

	if (rc == 0)
		hwloc_bitmap_list_snprintf(got, sizeof(got), s);
	if (!ok(rc == 0 && strcmp(got, want) == 0, "'%s' = %s", expr, want))
		diag("rc %d, got '%s'", rc, got);
	hwloc_bitmap_free(s);
}

static void is_bad(const char *expr)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();

	hwloc_bitmap_set(s, 42);
	ok(cpuexpr_parse("--cpus", expr, &tp, s) == -EINVAL && hwloc_bitmap_isset(s, 42) &&
	   hwloc_bitmap_weight(s) == 1, "'%s' refused, set untouched", expr);
	hwloc_bitmap_free(s);
}

static void is_numactl(const char *expr)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();

	ok(cpuexpr_parse("--cpus", expr, &tp, s) == 1 && hwloc_bitmap_iszero(s),
	   "'%s' is a numactl list: left to parse_idlist", expr);
	hwloc_bitmap_free(s);
}

int main(void)
{
	if (topo_load(&tp, "pack:2 numa:1 l3:1 core:4 pu:2") < 0)
		tap_skip_all("hwloc cannot build the synthetic topology");

	is_set("N", "0-15");
	is_set("S1", "8-15");
	is_set("M1", "8-15");
	is_set("C0", "0-7");
	is_set("D1", "8-15"); /* no dies: packages */
	is_set("S0:0-3", "0,2,4,6");
	is_set("S0:4", "1");
	is_set("S1:0,4", "8-9");
	is_set("M1:0,1", "8,10");
	is_set("N:0-7", "0,2,4,6,8,10,12,14");
	is_set("n:8", "1"); /* lower case too */
	is_set("E:N:4", "0-3");
	is_set("E:N:4:1:2", "0,2,4,6");
	is_set("E:S1:3:2:4", "8-9,12");
	is_set("S0:0@S1:0", "0,8");
	is_set("M0:0-1@M1", "0,2,8-15");

	is_numactl("0-3");
	is_numactl("0,2,4");
	is_numactl("all");
	is_numactl("+1-2");

	is_bad("S2");
	is_bad("M5");
	is_bad("Q0:1");
	is_bad("S0:8");
	is_bad("S0:x");
	is_bad("E:N:17");
	is_bad("E:N:4:1");
	is_bad("E:N:0");
	is_bad("N:scatter");
	is_bad("S0@");
	is_bad("@S0");
	is_bad("S0@@S1");
	is_bad("S99999999999:0");

	topo_free(&tp);
	return done_testing();
}
