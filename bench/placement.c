/* SPDX-License-Identifier: MIT */
/*
 * placement.c — parsing, validation and application of the placement options.
 *
 * Moved out of cmd-bench.c (and on into bench/, so that `locus bench command` applies
 * it in its children too) so that `locus run` takes exactly the same options with
 * exactly the same checks (see placement.h).  The topology holds the whole machine,
 * also what the cgroup/cpuset does not allow (topo.h): CPUs and memory nodes asked
 * for are checked against what is allowed here, and refused saying so.
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "parse.h"
#include "cpuexpr.h"
#include "placement.h"

/* Nodes of `nodes` with memory that the cgroup/cpuset does not allow: refused here,
 * as the kernel would (EINVAL) or, for preferred, silently use another node.  Nodes
 * that do not exist or have no memory are left to mem_policy_check's messages. */
static int check_nodes_allowed(const struct locus_topo *topo, const char *what,
			       hwloc_const_bitmap_t nodes)
{
	hwloc_bitmap_t allowed = topo_allowed_nodes(topo), off = hwloc_bitmap_alloc();
	int n, rc = 0;

	if (!allowed || !off) {
		hwloc_bitmap_free(allowed);
		hwloc_bitmap_free(off);
		return -ENOMEM;
	}
	hwloc_bitmap_foreach_begin(n, nodes) {
		hwloc_obj_t o = hwloc_get_numanode_obj_by_os_index(topo->t, (unsigned)n);
		if (o && o->attr->numanode.local_memory > 0 && !hwloc_bitmap_isset(allowed, (unsigned)n))
			hwloc_bitmap_set(off, (unsigned)n);
	} hwloc_bitmap_foreach_end();
	if (!hwloc_bitmap_iszero(off)) {
		char a[128], b[128];
		rc = locus_fail(EINVAL, "%s: memory of node%s %s is not allowed to this process by its "
					"cgroup/cpuset (cpuset.mems; allowed: %s)", what,
					hwloc_bitmap_weight(off) == 1 ? "" : "s",
					topo_list_str(off, a, sizeof(a)),
					hwloc_bitmap_iszero(allowed) ? "none" :
					topo_list_str(allowed, b, sizeof(b)));
	}
	hwloc_bitmap_free(allowed);
	hwloc_bitmap_free(off);
	return rc;
}

/* How lib/mem.c's messages name each policy: the option that asks for it. */
static const char *const policy_option[] = {
	[MEM_POL_DEFAULT] = "memory policy",
	[MEM_POL_BIND] = "--membind",
	[MEM_POL_INTERLEAVE] = "--interleave",
	[MEM_POL_PREFERRED] = "--preferred",
	[MEM_POL_PREFERRED_MANY] = "--preferred-many",
	[MEM_POL_WEIGHTED_INTERLEAVE] = "--weighted-interleave",
	[MEM_POL_LOCAL] = "--localalloc",
};

static int set_policy(struct placement *p, const struct locus_topo *topo,
		      enum mem_policy_mode mode, const char *what, const char *arg)
{
	int rc;

	if (p->policy.mode != MEM_POL_DEFAULT)
		return locus_fail(EINVAL, "%s: only one memory policy option may be given", what);
	p->policy.mode = mode;
	p->policy.label = policy_option[mode];
	if (!arg)
		return 0;
	p->policy.nodes = hwloc_bitmap_alloc();
	rc = parse_idlist(what, arg, topo_max_node_index(topo), p->policy.nodes);
	return rc < 0 ? rc : check_nodes_allowed(topo, what, p->policy.nodes);
}

static int set_cpus(struct placement *p, const struct locus_topo *topo, const char *what,
		    const char *arg, bool nodes)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc(), allowed;
	int rc;

	if (p->cpus)
		rc = locus_fail(EINVAL, "%s: --cpus and --cpunodebind exclude each other", what);
	else if (nodes) {
		rc = parse_idlist(what, arg, topo_max_node_index(topo), set);
		if (rc == 0) {
			hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
			int n;
			hwloc_bitmap_foreach_begin(n, set) {
				/* The node's own CPUs: hwloc's cpuset of a CPU-less node is its
				 * locality (the CPUs of a neighbour), which is not "on the node". */
				hwloc_bitmap_t own = topo_node_cpus(topo, (unsigned)n);
				if (!own) {
					rc = locus_fail(EINVAL, "%s: node %d does not exist", what, n);
					break;
				}
				if (hwloc_bitmap_iszero(own)) {
					hwloc_bitmap_free(own);
					rc = locus_fail(EINVAL, "%s: node %d has no CPUs", what, n);
					break;
				}
				hwloc_bitmap_or(cpus, cpus, own);
				hwloc_bitmap_free(own);
			} hwloc_bitmap_foreach_end();
			hwloc_bitmap_copy(set, cpus);
			hwloc_bitmap_free(cpus);
			if (rc == 0 && hwloc_bitmap_iszero(set))
				rc = locus_fail(EINVAL, "%s: '%s' has no CPUs", what, arg);
		}
	} else {
		/* likwid's domain expressions (S0:0-3, M1, E:N:8:1:2), else numactl's list */
		rc = cpuexpr_parse(what, arg, topo, set);
		if (rc == 1)
			rc = parse_idlist(what, arg, topo_max_pu_index(topo), set);
		else if (rc == 0 && hwloc_bitmap_iszero(set))
			rc = locus_fail(EINVAL, "%s: '%s' has no CPUs", what, arg);
	}
	if (rc == 0) {
		allowed = topo_allowed_cpus(topo);
		if (!hwloc_bitmap_isincluded(set, allowed)) {
			hwloc_bitmap_t off = hwloc_bitmap_alloc();
			char a[128], b[128];
			int w;

			hwloc_bitmap_andnot(off, set, allowed);
			w = hwloc_bitmap_weight(off);
			rc = locus_fail(EINVAL, "%s: CPU%s %s%s%s %s not allowed to this process by its "
						"cgroup/cpuset or CPU binding (allowed: %s)", what,
						w == 1 ? "" : "s", topo_list_str(off, a, sizeof(a)),
						nodes ? " of node(s) " : "", nodes ? arg : "",
						w == 1 ? "is" : "are",
						hwloc_bitmap_iszero(allowed) ? "none" :
						topo_list_str(allowed, b, sizeof(b)));
			hwloc_bitmap_free(off);
		}
		hwloc_bitmap_free(allowed);
	}
	if (rc < 0) {
		hwloc_bitmap_free(set);
		return rc;
	}
	p->cpus = set;
	return 0;
}

int placement_option(struct placement *p, const struct locus_topo *topo, int opt,
		     const char *what, const char *arg)
{
	static const enum mem_policy_mode modes[] = {
		[PLACE_O_MEMBIND - PLACE_O_MEMBIND] = MEM_POL_BIND,
		[PLACE_O_INTERLEAVE - PLACE_O_MEMBIND] = MEM_POL_INTERLEAVE,
		[PLACE_O_PREFERRED - PLACE_O_MEMBIND] = MEM_POL_PREFERRED,
		[PLACE_O_PREFERRED_MANY - PLACE_O_MEMBIND] = MEM_POL_PREFERRED_MANY,
		[PLACE_O_WEIGHTED_INTERLEAVE - PLACE_O_MEMBIND] = MEM_POL_WEIGHTED_INTERLEAVE,
		[PLACE_O_LOCALALLOC - PLACE_O_MEMBIND] = MEM_POL_LOCAL,
	};

	/* No topology: the dispatcher did not load it because --help is on the command
	 * line (it must work where the topology cannot be loaded); the values cannot be
	 * checked, and nothing will run.  (`bench latency --cpus 0 --help` crashed.) */
	if (!topo->t && opt >= PLACE_O_CPUS && opt <= PLACE_O_LOCALALLOC)
		return 0;
	switch (opt) {
	case PLACE_O_CPUS:
	case PLACE_O_CPUNODEBIND:
		return set_cpus(p, topo, what, arg, opt == PLACE_O_CPUNODEBIND);
	case PLACE_O_MEMBIND:
	case PLACE_O_INTERLEAVE:
	case PLACE_O_PREFERRED:
	case PLACE_O_PREFERRED_MANY:
	case PLACE_O_WEIGHTED_INTERLEAVE:
	case PLACE_O_LOCALALLOC:
		return set_policy(p, topo, modes[opt - PLACE_O_MEMBIND], what,
				  opt == PLACE_O_LOCALALLOC ? NULL : arg);
	default:
		return 1;
	}
}

int placement_check(const struct placement *p, const struct locus_topo *topo)
{
	if (p->policy.mode == MEM_POL_DEFAULT)
		return 0;
	return mem_policy_check(&p->policy, topo_max_node_index(topo));
}

int placement_apply_self(const struct placement *p, const char **step)
{
	if (p->cpus) {
		cpu_set_t set;
		int cpu;
		CPU_ZERO(&set);
		hwloc_bitmap_foreach_begin(cpu, p->cpus) {
			if (cpu < CPU_SETSIZE)
				CPU_SET(cpu, &set);
		} hwloc_bitmap_foreach_end();
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			*step = "sched_setaffinity";
			return -errno;
		}
	}
	if (p->policy.mode != MEM_POL_DEFAULT) {
		int rc = mem_policy_set_thread(&p->policy);
		if (rc < 0) {
			*step = "set_mempolicy";
			return rc;
		}
	}
	return 0;
}

void placement_free(struct placement *p)
{
	hwloc_bitmap_free(p->cpus);
	hwloc_bitmap_free(p->policy.nodes);
	p->cpus = NULL;
	p->policy.nodes = NULL;
	p->policy.mode = MEM_POL_DEFAULT;
}
