/* SPDX-License-Identifier: MIT */
/*
 * numastat.h — the kernel's per-node allocation counters, before and after.
 *
 * sys/devices/system/node/nodeN/numastat counts, per node, the pages the page allocator
 * handed out where they were wanted (numa_hit), elsewhere (numa_miss / numa_foreign),
 * by interleaving (interleave_hit), and for a CPU of that node or another
 * (local_node / other_node).  The counters are system-wide, so a delta over a run
 * includes everything else the machine did meanwhile; still, it is the cheapest
 * independent witness of where a run's memory came from.  `locus run --report` and
 * every `locus bench` run record these deltas.  Read through sysfs.h (the sysroot).
 */
#ifndef LOCUS_NUMASTAT_H
#define LOCUS_NUMASTAT_H

#include <jansson.h>

/* The counters, in the file's order: "numa_hit", "numa_miss", "numa_foreign",
 * "interleave_hit", "local_node", "other_node". */
#define NUMASTAT_NR_FIELDS 6
extern const char *const numastat_fields[NUMASTAT_NR_FIELDS];

struct numastat_node {
	int node;                                       /* OS index */
	unsigned long long v[NUMASTAT_NR_FIELDS];       /* values; absent fields are 0 */
	unsigned present;                               /* bit i: field i was in the file */
};

struct numastat {
	int nr;                       /* nodes read (0: no NUMA sysfs, e.g. a fixture) */
	struct numastat_node *nodes;  /* sorted by OS index; malloc'd */
};

/*
 * Read every node's numastat.  Returns 0 (nr may be 0 when the node directory does
 * not exist) or a negative errno (-ENOMEM); a node whose file cannot be read is left
 * out.  Free with numastat_free() (safe on a zeroed struct, and after an error).
 */
int numastat_read(struct numastat *s);
void numastat_free(struct numastat *s);

/*
 * The deltas after - before as {"node0": {"numa_hit": N, ...}, ...}: nodes present in
 * both snapshots, fields present in both files (a counter that went backwards, which
 * the kernel never does, gives 0).  New reference; NULL only when out of memory.
 */
json_t *numastat_delta_json(const struct numastat *before, const struct numastat *after);

#endif
