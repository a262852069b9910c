/* SPDX-License-Identifier: MIT */
/*
 * topo.c — the machine's topology through hwloc, real or fake (see topo.h).
 *
 * Everything locus knows about NUMA nodes, caches, cores, PUs and huge page pools goes
 * through here, so the benchmarks, the `topo` command and the result fingerprint agree
 * on one view.  A topology is "fake" when it was loaded from an hwloc XML file or a
 * synthetic description (or when hwloc itself says it is not this system, e.g. because
 * HWLOC_XMLFILE is set): it then describes another machine, so nothing is ever bound
 * for real and nothing is read from this machine's /sys about it.
 *
 * A NUMA node's "cpus" are the CPUs whose nearest memory it is — the kernel's
 * nodeN/cpulist — not hwloc's node cpuset (which for a CPU-less node such as CXL or
 * HBM memory is the locality it is attached to).  Each PU is given to exactly one
 * node, the one with the smallest locality containing it, so a CPU-less node gets an
 * empty list and a memoryless node (CPUs, no memory) keeps its CPUs with 0 bytes.
 *
 * hwloc is asked for the whole machine (HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED): by
 * default it drops what the process's cgroup/cpuset does not allow, and since the
 * kernel never lists a memoryless node in cpuset.mems, with cgroup2 mounted such a node
 * vanished and its CPUs were given to a neighbour.  What this process may use is kept
 * apart (the allowed CPUs and memory nodes): the topology is reported whole, with the
 * disallowed parts marked, and whatever picks CPUs or nodes takes only allowed ones.
 *
 * This file loads the topology and answers questions about it; topo-show.c describes
 * it (JSON and text, huge page pools included).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "topo.h"
#include "topo-internal.h"

/* Private data kept with the hwloc topology (hwloc_topology_set_userdata). */
struct topo_priv {
	hwloc_bitmap_t allowed;    /* CPUs this process may run on, taken at load time */
};

/* hwloc 2.0 called the flag WHOLE_SYSTEM; 2.1 renamed it. */
#if HWLOC_API_VERSION >= 0x00020100
#define TOPO_FLAG_WHOLE HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED
#else
#define TOPO_FLAG_WHOLE HWLOC_TOPOLOGY_FLAG_WHOLE_SYSTEM
#endif

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int load_xml(struct locus_topo *tp, const char *spec)
{
	struct stat st;

	if (stat(spec, &st) < 0) {
		int err = errno;

		if (err == ENOENT || err == ENOTDIR)
			locus_error("topology: %s: no such file", spec);
		else
			locus_error("topology: %s: %s", spec, strerror(err));
		return -EINVAL;
	}
	if (S_ISDIR(st.st_mode)) {
		locus_error("topology: %s: is a directory, not an hwloc XML topology", spec);
		return -EINVAL;
	}
	/* A FIFO or a device would block hwloc's reader (or read forever): only a regular
	 * file can be an XML topology. */
	if (!S_ISREG(st.st_mode)) {
		locus_error("topology: %s: not a regular file (an hwloc XML topology is one)", spec);
		return -EINVAL;
	}
	if (access(spec, R_OK) < 0) {
		locus_error("topology: %s: %s", spec, strerror(errno));
		return -EINVAL;
	}
	/* hwloc's XML importers print parser errors only under HWLOC_XML_VERBOSE, so the
	 * user sees just our one line. */
	if (hwloc_topology_set_xml(tp->t, spec) < 0 || hwloc_topology_load(tp->t) < 0) {
		locus_error("topology: %s: not a valid hwloc XML topology", spec);
		return -EINVAL;
	}
	snprintf(tp->source, sizeof(tp->source), "XML %s", spec);
	return 0;
}

static int load_synthetic(struct locus_topo *tp, const char *spec)
{
	if (!*spec || hwloc_topology_set_synthetic(tp->t, spec) < 0 ||
	    hwloc_topology_load(tp->t) < 0) {
		locus_error("topology: '%s' is not a valid hwloc synthetic description "
			    "(e.g. \"pack:2 numa:1 core:4 pu:2\")", spec);
		return -EINVAL;
	}
	snprintf(tp->source, sizeof(tp->source), "synthetic: %s", spec);
	return 0;
}

int topo_load(struct locus_topo *tp, const char *spec)
{
	struct topo_priv *priv;
	struct stat st;
	int ret;

	memset(tp, 0, sizeof(*tp));
	if (hwloc_topology_init(&tp->t) < 0) {
		ret = -errno;
		locus_error("topology: cannot initialize hwloc: %s", strerror(errno));
		tp->t = NULL;
		return ret ? ret : -ENOMEM;
	}
	/* Benchmarks need CPUs, caches and memory; PCI and OS devices only slow loading. */
	hwloc_topology_set_io_types_filter(tp->t, HWLOC_TYPE_FILTER_KEEP_NONE);
	/* hwloc hides instruction caches by default; `locus topo` lists them. */
	hwloc_topology_set_icache_types_filter(tp->t, HWLOC_TYPE_FILTER_KEEP_ALL);
	/* The whole machine, not just what the cgroup/cpuset allows (see the top). */
	hwloc_topology_set_flags(tp->t, TOPO_FLAG_WHOLE);

	if (!spec) {
		if (hwloc_topology_load(tp->t) < 0) {
			ret = errno ? -errno : -EIO;
			locus_error("topology: cannot discover this machine's topology: %s",
				    strerror(-ret));
			goto fail;
		}
		/* HWLOC_XMLFILE / HWLOC_SYNTHETIC in the environment replace discovery:
		 * then this is someone else's machine and must not be bound. */
		tp->fake = !hwloc_topology_is_thissystem(tp->t);
		if (!tp->fake)
			snprintf(tp->source, sizeof(tp->source), "this machine");
		else
			snprintf(tp->source, sizeof(tp->source), "hwloc environment (%s)",
				 getenv("HWLOC_XMLFILE") ? "HWLOC_XMLFILE" :
				 getenv("HWLOC_SYNTHETIC") ? "HWLOC_SYNTHETIC" : "not this system");
	} else {
		/* Synthetic descriptions never contain '/': such a spec is a path. */
		if (stat(spec, &st) == 0 || ends_with(spec, ".xml") || strchr(spec, '/'))
			ret = load_xml(tp, spec);
		else
			ret = load_synthetic(tp, spec);
		if (ret < 0)
			goto fail;
		tp->fake = true;
	}

	priv = calloc(1, sizeof(*priv));
	if (!priv || !(priv->allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(tp->t)))) {
		free(priv);
		locus_error("topology: out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	if (!tp->fake) {
		/* Honour taskset/numactl: take the binding the process started with,
		 * before any of our threads is pinned. */
		hwloc_bitmap_t bound = hwloc_bitmap_alloc();

		if (bound && hwloc_get_cpubind(tp->t, bound, HWLOC_CPUBIND_PROCESS) == 0 &&
		    hwloc_bitmap_intersects(bound, priv->allowed))
			hwloc_bitmap_and(priv->allowed, priv->allowed, bound);
		hwloc_bitmap_free(bound);
	}
	hwloc_topology_set_userdata(tp->t, priv);
	return 0;

fail:
	hwloc_topology_destroy(tp->t);
	tp->t = NULL;
	return ret;
}

void topo_free(struct locus_topo *tp)
{
	struct topo_priv *priv;

	if (!tp || !tp->t)
		return;
	priv = (struct topo_priv *)hwloc_topology_get_userdata(tp->t);
	if (priv) {
		hwloc_bitmap_free(priv->allowed);
		free(priv);
	}
	hwloc_topology_destroy(tp->t);
	tp->t = NULL;
}

const char *topo_list_str(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (set && !hwloc_bitmap_iszero(set))
		hwloc_bitmap_list_snprintf(buf, len, set);
	return buf;
}

int topo_nr_nodes(const struct locus_topo *tp)
{
	return hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_NUMANODE);
}

int topo_nr_pus(const struct locus_topo *tp)
{
	return hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_PU);
}

static int max_os_index(const struct locus_topo *tp, hwloc_obj_type_t type)
{
	hwloc_obj_t o = NULL;
	int max = -1;

	while ((o = hwloc_get_next_obj_by_type(tp->t, type, o)))
		if (o->os_index != HWLOC_UNKNOWN_INDEX && (int)o->os_index > max)
			max = (int)o->os_index;
	return max;
}

int topo_max_node_index(const struct locus_topo *tp)
{
	return max_os_index(tp, HWLOC_OBJ_NUMANODE);
}

int topo_max_pu_index(const struct locus_topo *tp)
{
	return max_os_index(tp, HWLOC_OBJ_PU);
}

hwloc_bitmap_t topo_allowed_cpus(const struct locus_topo *tp)
{
	const struct topo_priv *priv = hwloc_topology_get_userdata(tp->t);

	if (priv && priv->allowed)
		return hwloc_bitmap_dup(priv->allowed);
	return hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(tp->t));
}

hwloc_bitmap_t topo_allowed_nodes(const struct locus_topo *tp)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_nodeset(tp->t);
	hwloc_obj_t n = NULL;

	if (!set)
		return NULL;
	/* Memoryless nodes are never in cpuset.mems: leaving them out whatever hwloc
	 * says keeps the answer the same with and without a cgroup. */
	while ((n = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, n)))
		if (n->attr->numanode.local_memory > 0 && n->os_index != HWLOC_UNKNOWN_INDEX &&
		    (!allowed || hwloc_bitmap_isset(allowed, n->os_index)))
			hwloc_bitmap_set(set, n->os_index);
	return set;
}

bool topo_cpu_allowed(const struct locus_topo *tp, int cpu)
{
	hwloc_bitmap_t set;
	bool in;

	if (cpu < 0)
		return false;
	set = topo_allowed_cpus(tp);
	in = set && hwloc_bitmap_isset(set, (unsigned)cpu);
	hwloc_bitmap_free(set);
	return in;
}

bool topo_node_mem_allowed(const struct locus_topo *tp, unsigned os_index)
{
	hwloc_bitmap_t set = topo_allowed_nodes(tp);
	bool in = set && hwloc_bitmap_isset(set, os_index);

	hwloc_bitmap_free(set);
	return in;
}

/* ---------------------------------------------------------------- caches */

/* The data or unified cache of `level` above the first PU. */
static hwloc_obj_t first_pu_cache(const struct locus_topo *tp, int level)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, 0);

	for (; o; o = o->parent) {
		if (!hwloc_obj_type_is_dcache(o->type))
			continue;
		if ((int)o->attr->cache.depth == level)
			return o;
	}
	return NULL;
}

uint64_t topo_cache_size(const struct locus_topo *tp, int level)
{
	hwloc_obj_t c = first_pu_cache(tp, level);

	return c ? c->attr->cache.size : 0;
}

uint64_t topo_llc_size(const struct locus_topo *tp)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, 0);
	hwloc_obj_t best = NULL;

	for (; o; o = o->parent)
		if (hwloc_obj_type_is_dcache(o->type) &&
		    (!best || o->attr->cache.depth > best->attr->cache.depth))
			best = o;
	return best ? best->attr->cache.size : 0;
}

unsigned topo_line_size(const struct locus_topo *tp)
{
	hwloc_obj_t c = first_pu_cache(tp, 1);

	if (c && c->attr->cache.linesize)
		return c->attr->cache.linesize;
	/* No L1d (synthetic topologies without caches): any cache's line will do. */
	for (int level = 2; level <= 5; level++) {
		c = first_pu_cache(tp, level);
		if (c && c->attr->cache.linesize)
			return c->attr->cache.linesize;
	}
	return 64;
}

/* ---------------------------------------------------------------- NUMA nodes */

static int cmp_node_os(const void *a, const void *b)
{
	const struct node_info *x = a, *y = b;

	return (x->obj->os_index > y->obj->os_index) - (x->obj->os_index < y->obj->os_index);
}

/* Whether node a is a better "nearest memory" for a PU than node b (both contain it):
 * the smaller locality wins; on a tie the node attached deeper, then a plain node over
 * one with a subtype (MCDRAM, HBM, NVM...), then the first. */
static bool nearer_node(hwloc_obj_t a, hwloc_obj_t b)
{
	int wa = hwloc_bitmap_weight(a->cpuset), wb = hwloc_bitmap_weight(b->cpuset);

	if (wa != wb)
		return wa < wb;
	if (a->parent && b->parent && a->parent->depth != b->parent->depth)
		return a->parent->depth > b->parent->depth;
	if (!a->subtype != !b->subtype)
		return !a->subtype;
	return a->logical_index < b->logical_index;
}

/* The nodes sorted by OS index, each with its own CPUs (topo-internal.h). */
int topo_node_infos(const struct locus_topo *tp, struct node_info **out)
{
	int n = topo_nr_nodes(tp);
	struct node_info *ni;
	hwloc_obj_t pu = NULL;

	*out = NULL;
	if (n <= 0)
		return 0;
	ni = calloc(n, sizeof(*ni));
	if (!ni)
		return 0;
	for (int i = 0; i < n; i++) {
		ni[i].obj = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, i);
		ni[i].cpus = hwloc_bitmap_alloc();
		if (!ni[i].cpus) {
			while (i-- > 0)
				hwloc_bitmap_free(ni[i].cpus);
			free(ni);
			return 0;
		}
	}
	qsort(ni, n, sizeof(*ni), cmp_node_os);
	while ((pu = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_PU, pu))) {
		int best = -1;

		for (int i = 0; i < n; i++) {
			if (!ni[i].obj->cpuset || !hwloc_bitmap_isset(ni[i].obj->cpuset, pu->os_index))
				continue;
			if (best < 0 || nearer_node(ni[i].obj, ni[best].obj))
				best = i;
		}
		if (best >= 0)
			hwloc_bitmap_set(ni[best].cpus, pu->os_index);
	}
	*out = ni;
	return n;
}

void topo_free_node_infos(struct node_info *ni, int n)
{
	for (int i = 0; i < n; i++)
		hwloc_bitmap_free(ni[i].cpus);
	free(ni);
}

hwloc_bitmap_t topo_node_cpus(const struct locus_topo *tp, unsigned os_index)
{
	struct node_info *ni;
	hwloc_bitmap_t set = NULL;
	int n = topo_node_infos(tp, &ni);

	for (int i = 0; i < n; i++)
		if (ni[i].obj->os_index == os_index)
			set = hwloc_bitmap_dup(ni[i].cpus);
	topo_free_node_infos(ni, n);
	return set;
}

/* ---------------------------------------------------------------- binding */

int topo_bind_thread_cpu(const struct locus_topo *tp, int cpu)
{
	hwloc_obj_t pu;
	int got;

	if (tp->fake)
		return 0;
	pu = cpu >= 0 ? hwloc_get_pu_obj_by_os_index(tp->t, (unsigned)cpu) : NULL;
	if (!pu) {
		char buf[256];

		locus_error("cpu %d: not a CPU of this machine (CPUs %s)", cpu,
			    topo_list_str(hwloc_get_root_obj(tp->t)->cpuset, buf, sizeof(buf)));
		return -EINVAL;
	}
	if (!topo_cpu_allowed(tp, cpu)) {
		/* The whole machine is in the topology: say why rather than EINVAL. */
		hwloc_bitmap_t allowed = topo_allowed_cpus(tp);
		char buf[256];

		locus_error("cpu %d: not allowed to this process by its cgroup/cpuset or CPU "
			    "binding (allowed: %s)", cpu, topo_list_str(allowed, buf, sizeof(buf)));
		hwloc_bitmap_free(allowed);
		return -EPERM;
	}
	if (hwloc_set_cpubind(tp->t, pu->cpuset, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) < 0) {
		int err = errno ? errno : EINVAL;

		locus_error("cpu %d: cannot bind thread: %s", cpu, strerror(err));
		return -err;
	}
	/* A cgroup or a hypervisor may silently keep us elsewhere: check where we are. */
	got = sched_getcpu();
	if (got >= 0 && got != cpu) {
		locus_error("cpu %d: thread bound but still running on CPU %d", cpu, got);
		return -EIO;
	}
	return 0;
}
