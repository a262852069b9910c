/* SPDX-License-Identifier: MIT */
/*
 * topo.h — the machine's topology through hwloc, real or fake.
 *
 * Loads this machine's topology, an hwloc XML file, or an hwloc synthetic description
 * ("pack:2 numa:1 core:4 pu:2"), and answers what the benchmarks need: NUMA nodes with
 * their CPUs, memory and distances; caches with sizes, line sizes and sharing; cores,
 * PUs; huge page pools.  With a fake topology nothing is ever bound for real: binding
 * calls succeed without touching the process, and the topology says so.
 *
 * The topology is always the whole machine, also the CPUs and nodes this process's
 * cgroup/cpuset does not allow (hwloc's INCLUDE_DISALLOWED; an XML's allowed sets are
 * kept the same way): what may be used is asked separately (topo_allowed_cpus,
 * topo_allowed_nodes), and anything that picks CPUs or nodes must ask.
 */
#ifndef LOCUS_TOPO_H
#define LOCUS_TOPO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <hwloc.h>
#include <jansson.h>

struct locus_topo {
	hwloc_topology_t t;
	bool fake;            /* loaded from XML or synthetic: never bind for real */
	char source[256];     /* "this machine", "XML FILE", or "synthetic: SPEC" */
};

/* Load a topology.  spec NULL: this machine.  A spec naming an existing file, or ending
 * in ".xml": hwloc XML.  Anything else: hwloc synthetic.  On failure prints
 * "locus: topology: FILE: problem" and returns -EINVAL (bad input) or -errno. */
int topo_load(struct locus_topo *tp, const char *spec);
void topo_free(struct locus_topo *tp);

/* The JSON description: {source, fake, packages, cores, pus, numa_nodes: [{os_index,
 * cpus, memory_bytes, distances, attributes, hugepages}], caches: [{level, type,
 * size_bytes, line_size, associativity, cpus}], hugepages: [{size_bytes, total, free,
 * per_node}], distances_source}
 * Details (topo-show.c): nodes are sorted by OS index; a node's "cpus" are the CPUs whose
 * nearest memory it is ("" for a CPU-less node), "locality" hwloc's cpuset it is
 * attached to, plus "cpuless", "memoryless" (0 bytes), "subtype"; "distances" is the
 * node's row of the latency matrix in node order, null when unknown, and
 * distances_source "os" (SLIT), "user" or null; attributes {bandwidth_mib_s,
 * latency_ns} from the node's local CPUs, null when absent.  Cache associativity is
 * null when unknown, -1 when fully associative.  Huge page counts are null when
 * unreadable; a fake topology's free counts are its XML's pool sizes.  Top level also
 * has "cpus" (all PUs) and "base_page_size".
 * What this process may use (topo_allowed_cpus/_nodes): top level "allowed_cpus"
 * (cpulist) and "allowed_nodes" (nodes with memory it may allocate on, as a list
 * "0-1,3"); per node "allowed_cpus" (its own CPUs that are allowed, "" when none) and
 * "memory_allowed" (bool; null for a memoryless node).  Caller owns the reference. */
json_t *topo_json(const struct locus_topo *tp);

/* lstopo-like readable summary. */
void topo_print(FILE *f, const struct locus_topo *tp);

/* Size in bytes of the data (or unified) cache at `level` (1..3) seen by the first PU,
 * or 0 when there is none. */
uint64_t topo_cache_size(const struct locus_topo *tp, int level);
/* Last-level cache size (largest level present), 0 if none. */
uint64_t topo_llc_size(const struct locus_topo *tp);
/* Cache line size in bytes (L1d's; 64 when unknown). */
unsigned topo_line_size(const struct locus_topo *tp);

/* Number of NUMA nodes / PUs; highest OS index of each (for list parsing). */
int topo_nr_nodes(const struct locus_topo *tp);
int topo_nr_pus(const struct locus_topo *tp);
int topo_max_node_index(const struct locus_topo *tp);
int topo_max_pu_index(const struct locus_topo *tp);

/* CPUs (OS indices) allowed to this process (cgroup, and for this machine the binding
 * the process had when topo_load ran, e.g. from taskset); caller frees.  */
hwloc_bitmap_t topo_allowed_cpus(const struct locus_topo *tp);

/* NUMA nodes (OS indices) with memory this process may allocate on: hwloc's allowed
 * nodeset (the cgroup's cpuset.mems.effective; an XML's allowed_nodeset) restricted
 * to nodes with memory (memoryless nodes are never listed, whatever the cgroup).
 * Caller frees; NULL on allocation failure. */
hwloc_bitmap_t topo_allowed_nodes(const struct locus_topo *tp);

/* Whether cpu is in topo_allowed_cpus() / node in topo_allowed_nodes(). */
bool topo_cpu_allowed(const struct locus_topo *tp, int cpu);
bool topo_node_mem_allowed(const struct locus_topo *tp, unsigned os_index);

/* The node's own CPUs (those whose nearest memory it is; empty for a CPU-less node,
 * unlike hwloc's cpuset which is the node's locality).  NULL when no node has that OS
 * index.  Caller frees with hwloc_bitmap_free(). */
hwloc_bitmap_t topo_node_cpus(const struct locus_topo *tp, unsigned os_index);

/* Format a bitmap as a cpulist "0-3,8" into buf (returns buf). */
const char *topo_list_str(hwloc_const_bitmap_t set, char *buf, size_t len);

/* Pin the calling thread to one PU (OS index).  No-op returning 0 on a fake topology.
 * Returns 0 or a negative errno, with a message: -EINVAL no such CPU, -EPERM a CPU not
 * in topo_allowed_cpus() (cgroup/cpuset or start-up binding), else the failure. */
int topo_bind_thread_cpu(const struct locus_topo *tp, int cpu);

#endif
