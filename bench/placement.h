/* SPDX-License-Identifier: MIT */
/*
 * placement.h — the placement options shared by `locus bench` and `locus run`.
 *
 * numactl's names (--cpus/--physcpubind, --cpunodebind, --membind, --interleave,
 * --preferred, --preferred-many, --weighted-interleave, --localalloc), parsed and
 * validated in one place so that both commands refuse the same bad input with the
 * same message: CPUs must be allowed here, nodes must exist (and for memory, have
 * memory: libnuma would silently fall back to node 0), one memory policy at most.
 */
#ifndef LOCUS_PLACEMENT_H
#define LOCUS_PLACEMENT_H

#include <getopt.h>
#include <hwloc.h>
#include "mem.h"
#include "topo.h"

/* getopt_long values of the placement options (clear of ASCII and of each command's
 * own values). */
enum placement_opt {
	PLACE_O_CPUS = 700, PLACE_O_CPUNODEBIND, PLACE_O_MEMBIND, PLACE_O_INTERLEAVE,
	PLACE_O_PREFERRED, PLACE_O_PREFERRED_MANY, PLACE_O_WEIGHTED_INTERLEAVE,
	PLACE_O_LOCALALLOC,
};

/* struct option entries, for a command's long-option table. */
#define PLACEMENT_LONGOPTS \
	{ "cpus", required_argument, NULL, PLACE_O_CPUS }, \
	{ "physcpubind", required_argument, NULL, PLACE_O_CPUS }, \
	{ "cpunodebind", required_argument, NULL, PLACE_O_CPUNODEBIND }, \
	{ "membind", required_argument, NULL, PLACE_O_MEMBIND }, \
	{ "interleave", required_argument, NULL, PLACE_O_INTERLEAVE }, \
	{ "preferred", required_argument, NULL, PLACE_O_PREFERRED }, \
	{ "preferred-many", required_argument, NULL, PLACE_O_PREFERRED_MANY }, \
	{ "weighted-interleave", required_argument, NULL, PLACE_O_WEIGHTED_INTERLEAVE }, \
	{ "localalloc", no_argument, NULL, PLACE_O_LOCALALLOC }

#define PLACEMENT_HELP \
	"Placement (numactl's names):\n" \
	"      --cpus LIST        run on these CPUs, e.g. 0-3,8 (alias --physcpubind), or\n" \
	"                         likwid's S0:0-3, M1, N:0-7@S1:0, E:N:8:1:2 (locus(1))\n" \
	"      --cpunodebind NODES  run on the CPUs of these nodes\n" \
	"      --membind NODES    allocate only on these nodes (MPOL_BIND)\n" \
	"      --interleave NODES interleave pages over these nodes\n" \
	"      --preferred NODE   prefer this node, fall back elsewhere\n" \
	"      --preferred-many NODES  prefer these nodes (Linux >= 5.15)\n" \
	"      --weighted-interleave NODES  weighted interleave (Linux >= 6.9)\n" \
	"      --localalloc       allocate on the node of the CPU that touches first\n"

struct placement {
	hwloc_bitmap_t cpus;          /* NULL: not restricted (all allowed CPUs) */
	struct mem_policy policy;     /* mode MEM_POL_DEFAULT when none given */
};
#define PLACEMENT_INIT { .cpus = NULL, .policy = { .mode = MEM_POL_DEFAULT, .nodes = NULL } }

/*
 * Take one getopt_long result.  `what` names the option in messages (e.g.
 * "bench: --cpus").  Without a loaded topology (topo->t NULL: --help is coming) a
 * placement option is taken unchecked (returns 0).  Returns 1 when opt is not a placement option (nothing done), 0
 * when taken, -EINVAL after a one-line error (bad list, CPUs not allowed by the
 * cgroup/cpuset or CPU binding, node without CPUs, a memory node without memory or not
 * allowed, --cpus with --cpunodebind, two memory policies).
 */
int placement_option(struct placement *p, const struct locus_topo *topo, int opt,
		     const char *what, const char *arg);

/* After all options: check the memory policy against the running kernel and the
 * machine (mem_policy_check).  Returns 0, -EINVAL or -EOPNOTSUPP, with a message. */
int placement_check(const struct placement *p, const struct locus_topo *topo);

/*
 * Apply to the calling process (the child between fork and exec of `locus run`): CPU
 * affinity with sched_setaffinity, memory policy with set_mempolicy.  Both survive
 * exec.  Prints nothing (the caller may be a forked child): returns 0 or a negative
 * errno, and sets *step to "sched_setaffinity" or "set_mempolicy" on failure.
 */
int placement_apply_self(const struct placement *p, const char **step);

void placement_free(struct placement *p);

#endif
