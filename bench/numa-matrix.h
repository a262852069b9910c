/* SPDX-License-Identifier: MIT */
/*
 * numa-matrix.h — what the NUMA matrix benchmarks (numa-latency, numa-bandwidth, numa-loaded)
 * share: which nodes are rows and which are columns, memory for one cell bound to its
 * node and verified there; their worker threads are bench/team.h's team.
 *
 * A matrix row is a node with CPUs (the thread runs on the node's own CPUs, which for
 * a memoryless node still makes a row), a column a node with memory (a CPU-less node
 * is a column only).  Every cell's memory is mapped with an MPOL_BIND policy to the
 * column's node, first-touched by a thread pinned to the row's node, and verified with
 * move_pages: a cell whose pages are not all where asked is recorded as a skip with the
 * fraction found (never as a measurement of that pair), and a valid cell's
 * measurements carry the verification in their "verified" object.  Kept in one place
 * so the three benches select, place and verify cells identically.
 */
#ifndef LOCUS_NUMA_MATRIX_H
#define LOCUS_NUMA_MATRIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "bench.h"
#include "team.h"

#define NUMA_MAX_NODES 64   /* as mem_verified.node_fraction */

struct numa_matrix {
	int nrows, ncols;
	unsigned row_node[NUMA_MAX_NODES];      /* OS indices, ascending */
	hwloc_bitmap_t row_cpus[NUMA_MAX_NODES];/* the node's own CPUs within ctx->cpus */
	unsigned col_node[NUMA_MAX_NODES];
	json_t *topo;                           /* topo_json() of the machine */
};

/*
 * Rows: nodes whose own CPUs meet the bench's CPU set (--cpus/--cpunodebind) and this
 * process's allowed CPUs (cgroup/cpuset).  Columns: nodes with memory that the
 * cgroup/cpuset allows (others are left out with a warning in the result), restricted
 * to the nodes of a memory-policy option when
 * one was given (the bench sets each cell's policy itself: a warning says the option
 * only chose the columns).  Warns when the matrix is 1x1.  Returns 0, -EINVAL with a
 * message when no row or no column remains, -ENOMEM.
 */
int numa_matrix_init(struct bench_ctx *c, struct numa_matrix *m);
void numa_matrix_free(struct numa_matrix *m);

/* SLIT distance from node a to node b from the topology's distances; -1 if unknown. */
long numa_slit(const struct numa_matrix *m, unsigned a, unsigned b);

/*
 * hwloc's memory attribute `attr` (HWLOC_MEMATTR_ID_LATENCY or _BANDWIDTH) of target
 * node `node` seen from the CPUs `initiator`; json null when hwloc has no value.
 */
json_t *numa_memattr(const struct bench_ctx *c, hwloc_const_bitmap_t initiator, unsigned node,
		     int attr);

/*
 * Whether the running kernel accepts MPOL_WEIGHTED_INTERLEAVE (Linux >= 6.9): an
 * mbind() on a scratch page, quietly.  0 when it does; -EINVAL for a kernel that does
 * not know the mode; another -errno when mbind itself fails (-ENOSYS: no NUMA system
 * calls, as under qemu-user), so the skip can say which.
 */
int numa_weighted_interleave_probe(void);

/*
 * Check a touched region's placement against `pol` (bind or preferred to one node:
 * every sampled page on it; interleave: every page on an asked node).  Returns 1
 * valid (*memj receives the verified JSON: mem_verified_json() plus
 * placement_checked, placement_valid, and mem_node_fraction for a one-node policy),
 * 0 invalid (a skip was recorded with `labels` and the fraction found, *memj NULL), or
 * a negative errno.  labels are stolen.  out (may be NULL) receives mem_verify()'s answer.
 */
int numa_check_placement(struct bench_ctx *c, const struct mem_region *r,
			 const struct mem_policy *pol, json_t *labels, json_t **memj,
			 struct mem_verified *out);

/* A policy of `mode` over one node / a set; nodes owned by the policy. */
void numa_policy_node(struct mem_policy *p, enum mem_policy_mode mode, unsigned node);
void numa_policy_free(struct mem_policy *p);

/* The CPUs of a row as an array (caller frees); *n receives the count. */
int *numa_row_cpus(const struct numa_matrix *m, int row, int *n);

/* The node list of a bitmap as text ("0-1,3") for labels. */
const char *numa_nodes_str(hwloc_const_bitmap_t set, char *buf, size_t len);

#endif
