/* SPDX-License-Identifier: MIT */
/*
 * numa-matrix.c — shared pieces of the NUMA matrix benchmarks: rows and columns, verified
 * cell placement and hwloc's view of each pair (see numa-matrix.h); the workers are
 * bench/team.c's.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "log.h"
#include "numa-matrix.h"

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* Whether the machine has at most one node with memory. */
static bool one_memory_node(const struct bench_ctx *c)
{
	hwloc_obj_t node = NULL;
	int n = 0;

	while ((node = hwloc_get_next_obj_by_type(c->topo->t, HWLOC_OBJ_NUMANODE, node)))
		n += node->attr->numanode.local_memory > 0;
	return n <= 1;
}

int numa_matrix_init(struct bench_ctx *c, struct numa_matrix *m)
{
	hwloc_obj_t node = NULL;
	unsigned rows[NUMA_MAX_NODES];
	const char *name = c->info->name;
	bool restricted = c->policy.mode != MEM_POL_DEFAULT && c->policy.nodes;
	hwloc_bitmap_t acpus = topo_allowed_cpus(c->topo);

	memset(m, 0, sizeof(*m));
	if (!acpus)
		return -ENOMEM;
	/* The topology is the whole machine (topo.h): nodes the cgroup/cpuset keeps us
	 * off are left out, and the result says so. */
	while ((node = hwloc_get_next_obj_by_type(c->topo->t, HWLOC_OBJ_NUMANODE, node))) {
		hwloc_bitmap_t own;
		if (node->os_index >= NUMA_MAX_NODES)
			continue;
		own = topo_node_cpus(c->topo, node->os_index);
		if (own) {
			if (!hwloc_bitmap_iszero(own) && !hwloc_bitmap_intersects(own, acpus))
				bench_warn(c, "node %u is not a row: none of its CPUs is allowed to this process by its cgroup/cpuset or CPU binding",
					   node->os_index);
			hwloc_bitmap_and(own, own, c->cpus);
			if (!hwloc_bitmap_iszero(own) && m->nrows < NUMA_MAX_NODES)
				rows[m->nrows++] = node->os_index;
			hwloc_bitmap_free(own);
		}
		if (node->attr->numanode.local_memory > 0 &&
		    !topo_node_mem_allowed(c->topo, node->os_index)) {
			bench_warn(c, "node %u is not a column: its memory is not allowed to this process by its cgroup/cpuset (cpuset.mems)",
				   node->os_index);
			continue;
		}
		if (node->attr->numanode.local_memory > 0 &&
		    (!restricted || hwloc_bitmap_isset(c->policy.nodes, node->os_index)))
			m->col_node[m->ncols++] = node->os_index;
	}
	hwloc_bitmap_free(acpus);
	qsort(rows, (size_t)m->nrows, sizeof(rows[0]), cmp_uint);
	qsort(m->col_node, (size_t)m->ncols, sizeof(m->col_node[0]), cmp_uint);
	for (int i = 0; i < m->nrows; i++) {
		m->row_node[i] = rows[i];
		m->row_cpus[i] = topo_node_cpus(c->topo, rows[i]);
		if (!m->row_cpus[i]) {
			numa_matrix_free(m);
			return -ENOMEM;
		}
		hwloc_bitmap_and(m->row_cpus[i], m->row_cpus[i], c->cpus);
	}
	if (!m->nrows) {
		numa_matrix_free(m);
		return locus_fail(EINVAL, "bench %s: no NUMA node has a CPU in the CPU set", name);
	}
	if (!m->ncols) {
		numa_matrix_free(m);
		return locus_fail(EINVAL, "bench %s: no NUMA node with memory is left to measure", name);
	}
	if (restricted)
		bench_warn(c, "the %s policy option only chooses the memory nodes (columns); the bench sets each cell's own policy (MPOL_BIND to its node for the matrix)",
			   mem_policy_name(c->policy.mode));
	if (m->nrows == 1 && m->ncols == 1)
		bench_warn(c, "one NUMA node with CPUs and one with memory: the matrix is 1x1 (node %u to node %u, local only); remote pairs need a multi-node machine (or scripts/numa-guest)",
			   m->row_node[0], m->col_node[0]);
	m->topo = topo_json(c->topo);
	return 0;
}

void numa_matrix_free(struct numa_matrix *m)
{
	for (int i = 0; i < m->nrows; i++)
		hwloc_bitmap_free(m->row_cpus[i]);
	json_decref(m->topo);
	memset(m, 0, sizeof(*m));
}

long numa_slit(const struct numa_matrix *m, unsigned a, unsigned b)
{
	json_t *nodes = json_object_get(m->topo, "numa_nodes"), *n, *row = NULL;
	size_t i, ib = (size_t)-1;

	json_array_foreach(nodes, i, n) {
		json_int_t os = json_integer_value(json_object_get(n, "os_index"));
		if (os == (json_int_t)a)
			row = json_object_get(n, "distances");
		if (os == (json_int_t)b)
			ib = i;
	}
	if (!json_is_array(row) || ib == (size_t)-1 || !json_is_integer(json_array_get(row, ib)))
		return -1;
	return (long)json_integer_value(json_array_get(row, ib));
}

json_t *numa_memattr(const struct bench_ctx *c, hwloc_const_bitmap_t initiator, unsigned node,
		     int attr)
{
#if HWLOC_API_VERSION >= 0x00020300
	hwloc_obj_t target = hwloc_get_numanode_obj_by_os_index(c->topo->t, node);
	struct hwloc_location loc = { .type = HWLOC_LOCATION_TYPE_CPUSET };
	hwloc_uint64_t v;

	if (!target)
		return json_null();
	loc.location.cpuset = (hwloc_cpuset_t)initiator;
	if (hwloc_memattr_get_value(c->topo->t, (hwloc_memattr_id_t)attr, target, &loc, 0, &v) == 0)
		return json_integer((json_int_t)v);
	/* Attributes without initiators (e.g. capacity-like ones) or none at all. */
	if (hwloc_memattr_get_value(c->topo->t, (hwloc_memattr_id_t)attr, target, NULL, 0, &v) == 0)
		return json_integer((json_int_t)v);
#else
	(void)c, (void)initiator, (void)node, (void)attr;
#endif
	return json_null();
}

int numa_weighted_interleave_probe(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	unsigned long mask = 1;  /* node 0: the probe asks about the mode, not the node */
	void *p = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	int ret;

	if (p == MAP_FAILED)
		return -errno;
	ret = syscall(SYS_mbind, p, (unsigned long)psz, MPOL_WEIGHTED_INTERLEAVE, &mask,
		      sizeof(mask) * 8, 0) == 0 ? 0 : -errno;
	munmap(p, (size_t)psz);
	return ret;
}

void numa_policy_node(struct mem_policy *p, enum mem_policy_mode mode, unsigned node)
{
	/* Every field, label included: the benches keep the policy on the stack, and a
	 * label left from an earlier call's frame reached mem_alloc's message when mbind
	 * failed (qemu-user: ENOSYS), where printing it as a string crashed `bench all`. */
	*p = (struct mem_policy){ .mode = mode, .nodes = hwloc_bitmap_alloc() };
	if (p->nodes)
		hwloc_bitmap_only(p->nodes, node);
}

void numa_policy_free(struct mem_policy *p)
{
	hwloc_bitmap_free(p->nodes);
	p->nodes = NULL;
}

int numa_check_placement(struct bench_ctx *c, const struct mem_region *r,
			 const struct mem_policy *pol, json_t *labels, json_t **memj,
			 struct mem_verified *out)
{
	struct mem_verified v;
	char nodes[64];
	int one = hwloc_bitmap_weight(pol->nodes) == 1 ? hwloc_bitmap_first(pol->nodes) : -1;
	bool checked, valid;
	double frac;
	int rc;

	*memj = NULL;
	rc = mem_verify(r, 0, &v);
	if (rc < 0) {
		bench_skip(c, labels, "cannot verify the placement of the memory (%s): the cell is invalid and not reported",
			   strerror(-rc));
		return 0;
	}
	if (out)
		*out = v;
	checked = v.pages_sampled > 0;
	/* Without move_pages answers only a machine with one memory node is trivially
	 * where asked; anywhere else the cell is unverified, hence invalid. */
	valid = checked ? v.placement_ok >= 1.0 && v.pages_not_present == 0 && v.pages_error == 0
			: one_memory_node(c);
	frac = one >= 0 && one < NUMA_MAX_NODES ? (checked ? v.node_fraction[one] : valid ? 1.0 : 0.0)
					       : (checked ? v.placement_ok : valid ? 1.0 : 0.0);
	if (!valid) {
		numa_nodes_str(pol->nodes, nodes, sizeof(nodes));
		bench_skip(c, labels, "memory asked %s on node(s) %s: %sonly %.1f%% of %u sampled pages there (%u not present, %u errors): the cell is invalid and not reported",
			   mem_policy_name(pol->mode), nodes, checked ? "" : "placement unverifiable: ",
			   100 * frac, v.pages_sampled, v.pages_not_present, v.pages_error);
		bench_warn(c, "memory asked %s on node(s) %s was not all there (%.1f%%): that cell is left out",
			   mem_policy_name(pol->mode), nodes, 100 * frac);
		return 0;
	}
	json_decref(labels);
	*memj = mem_verified_json(r, &v);
	json_object_set_new(*memj, "placement_checked", json_boolean(checked));
	json_object_set_new(*memj, "placement_valid", json_true());
	if (one >= 0)
		json_object_set_new(*memj, "mem_node_fraction", json_real(frac));
	return 1;
}

int *numa_row_cpus(const struct numa_matrix *m, int row, int *n)
{
	int *out = calloc((size_t)hwloc_bitmap_weight(m->row_cpus[row]) + 1, sizeof(int));
	int cpu;

	*n = 0;
	if (!out)
		return NULL;
	hwloc_bitmap_foreach_begin(cpu, m->row_cpus[row])
		out[(*n)++] = cpu;
	hwloc_bitmap_foreach_end();
	return out;
}

const char *numa_nodes_str(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	return topo_list_str(set, buf, len);
}
