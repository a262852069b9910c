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
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sysfs.h"
#include "topo.h"

/* Private data kept with the hwloc topology (hwloc_topology_set_userdata). */
struct topo_priv {
	hwloc_bitmap_t allowed;    /* CPUs this process may run on, taken at load time */
};

/* One huge page pool of one node; -1 means unknown. */
struct hp_pool {
	uint64_t size;
	long long total;
	long long free;
};

#define MAX_PAGE_TYPES 16

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

static const char *cache_type_name(hwloc_obj_cache_type_t t)
{
	switch (t) {
	case HWLOC_OBJ_CACHE_DATA:
		return "data";
	case HWLOC_OBJ_CACHE_INSTRUCTION:
		return "instruction";
	default:
		return "unified";
	}
}

/* CPU cache types in report order: by level, data before instruction. */
static const hwloc_obj_type_t cache_types[] = {
	HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
	HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
};
#define NR_CACHE_TYPES (sizeof(cache_types) / sizeof(cache_types[0]))

/* ---------------------------------------------------------------- NUMA nodes */

struct node_info {
	hwloc_obj_t obj;
	hwloc_bitmap_t cpus;       /* CPUs whose nearest node this is */
};

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

/* The nodes sorted by OS index, each with its own CPUs.  Returns the count (0 when
 * there are none or on allocation failure, *out NULL). */
static int node_infos(const struct locus_topo *tp, struct node_info **out)
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

static void free_node_infos(struct node_info *ni, int n)
{
	for (int i = 0; i < n; i++)
		hwloc_bitmap_free(ni[i].cpus);
	free(ni);
}

/* The NUMA latency matrix: the kernel's SLIT when the topology has one, else one given
 * by the user.  Returns NULL when there is none; *from is "os" or "user". */
hwloc_bitmap_t topo_node_cpus(const struct locus_topo *tp, unsigned os_index)
{
	struct node_info *ni;
	hwloc_bitmap_t set = NULL;
	int n = node_infos(tp, &ni);

	for (int i = 0; i < n; i++)
		if (ni[i].obj->os_index == os_index)
			set = hwloc_bitmap_dup(ni[i].cpus);
	free_node_infos(ni, n);
	return set;
}

static struct hwloc_distances_s *numa_distances(const struct locus_topo *tp, const char **from)
{
	static const struct {
		unsigned long kind;
		const char *name;
	} tries[] = {
		{ HWLOC_DISTANCES_KIND_FROM_OS | HWLOC_DISTANCES_KIND_MEANS_LATENCY, "os" },
		{ HWLOC_DISTANCES_KIND_FROM_USER | HWLOC_DISTANCES_KIND_MEANS_LATENCY, "user" },
	};

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct hwloc_distances_s *d[1];
		unsigned nr = 1;

		if (hwloc_distances_get_by_type(tp->t, HWLOC_OBJ_NUMANODE, &nr, d,
						tries[i].kind, 0) == 0 && nr >= 1) {
			*from = tries[i].name;
			return d[0];
		}
	}
	*from = NULL;
	return NULL;
}

/* Distance from a to b in matrix d, or -1 when either node is not in it. */
static long long distance(const struct hwloc_distances_s *d, hwloc_obj_t a, hwloc_obj_t b)
{
	int ia = -1, ib = -1;

	for (unsigned i = 0; i < d->nbobjs; i++) {
		if (d->objs[i] == a)
			ia = (int)i;
		if (d->objs[i] == b)
			ib = (int)i;
	}
	if (ia < 0 || ib < 0)
		return -1;
	return (long long)d->values[ia * d->nbobjs + ib];
}

static bool in_distances(const struct hwloc_distances_s *d, hwloc_obj_t a)
{
	for (unsigned i = 0; i < d->nbobjs; i++)
		if (d->objs[i] == a)
			return true;
	return false;
}

/* A memory attribute of a node as seen from its local CPUs; false when absent. */
static bool node_memattr(const struct locus_topo *tp, hwloc_obj_t node, hwloc_memattr_id_t id,
			 hwloc_uint64_t *value)
{
	struct hwloc_location init = {
		.type = HWLOC_LOCATION_TYPE_CPUSET,
		.location.cpuset = node->cpuset,
	};

	if (!node->cpuset)
		return false;
	return hwloc_memattr_get_value(tp->t, id, node, &init, 0, value) == 0;
}

/* ---------------------------------------------------------------- huge pages */

/* The base page size: this machine's, or for a fake topology the smallest size its
 * nodes list (Linux exports the base page first). */
static uint64_t base_page_size(const struct locus_topo *tp)
{
	hwloc_obj_t n = NULL;
	uint64_t min = 0;

	if (!tp->fake) {
		long ps = sysconf(_SC_PAGESIZE);
		return ps > 0 ? (uint64_t)ps : 4096;
	}
	while ((n = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, n)))
		for (unsigned i = 0; i < n->attr->numanode.page_types_len; i++) {
			uint64_t s = n->attr->numanode.page_types[i].size;
			if (s && (!min || s < min))
				min = s;
		}
	return min ? min : 4096;
}

/* An integer count from sysfs, -1 when absent or unreadable. */
static long long read_count(const char *dir, const char *file)
{
	char rel[320];
	long v;

	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	if (sysfs_read_long(rel, &v) < 0 || v < 0)
		return -1;
	return v;
}

static void node_hp_dir(char *buf, size_t len, unsigned node, uint64_t size)
{
	snprintf(buf, len, "sys/devices/system/node/node%u/hugepages/hugepages-%" PRIu64 "kB",
		 node, size >> 10);
}

static void sys_hp_dir(char *buf, size_t len, uint64_t size)
{
	snprintf(buf, len, "sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", size >> 10);
}

/* Huge page pools of one node, sorted by size.  Fake topologies take both counts from
 * the XML's page_types (it records the pool size only, so free = total); this machine
 * reads the live counts from sysfs, hwloc's count being the fallback total. */
static int node_hugepages(const struct locus_topo *tp, hwloc_obj_t node, uint64_t base,
			  struct hp_pool *out, int max)
{
	int n = 0;

	for (unsigned i = 0; i < node->attr->numanode.page_types_len && n < max; i++) {
		const struct hwloc_memory_page_type_s *pt = &node->attr->numanode.page_types[i];
		struct hp_pool p = { .size = pt->size, .total = (long long)pt->count, .free = -1 };
		char dir[256];
		long long v;
		int j;

		if (!pt->size || pt->size <= base)
			continue;
		if (tp->fake) {
			p.free = p.total;
		} else {
			node_hp_dir(dir, sizeof(dir), node->os_index, pt->size);
			v = read_count(dir, "nr_hugepages");
			if (v >= 0)
				p.total = v;
			p.free = read_count(dir, "free_hugepages");
			if (p.free < 0 && topo_nr_nodes(tp) == 1) {
				/* No per-node pools in sysfs: the global pool is this node's. */
				sys_hp_dir(dir, sizeof(dir), pt->size);
				v = read_count(dir, "nr_hugepages");
				if (v >= 0)
					p.total = v;
				p.free = read_count(dir, "free_hugepages");
			}
		}
		/* Keep sorted by size; skip duplicates. */
		for (j = 0; j < n && out[j].size < p.size; j++)
			;
		if (j < n && out[j].size == p.size)
			continue;
		memmove(&out[j + 1], &out[j], (n - j) * sizeof(*out));
		out[j] = p;
		n++;
	}
	return n;
}

static json_t *count_json(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *hugepages_json(const struct locus_topo *tp, const struct node_info *ni, int nn,
			      uint64_t base)
{
	struct hp_pool sizes[MAX_PAGE_TYPES];
	int nsizes = 0;
	json_t *arr = json_array();

	/* The union of sizes over all nodes, sorted. */
	for (int i = 0; i < nn; i++) {
		struct hp_pool pools[MAX_PAGE_TYPES];
		int np = node_hugepages(tp, ni[i].obj, base, pools, MAX_PAGE_TYPES);

		for (int k = 0; k < np; k++) {
			int j;

			for (j = 0; j < nsizes && sizes[j].size < pools[k].size; j++)
				;
			if ((j < nsizes && sizes[j].size == pools[k].size) || nsizes == MAX_PAGE_TYPES)
				continue;
			memmove(&sizes[j + 1], &sizes[j], (nsizes - j) * sizeof(*sizes));
			sizes[j] = (struct hp_pool){ .size = pools[k].size };
			nsizes++;
		}
	}

	for (int s = 0; s < nsizes; s++) {
		long long total = 0, free_ = 0;
		json_t *per_node = json_array();
		json_t *e;

		for (int i = 0; i < nn; i++) {
			struct hp_pool pools[MAX_PAGE_TYPES];
			int np = node_hugepages(tp, ni[i].obj, base, pools, MAX_PAGE_TYPES);

			for (int k = 0; k < np; k++) {
				if (pools[k].size != sizes[s].size)
					continue;
				json_array_append_new(per_node, json_pack("{s:I, s:o, s:o}",
					"node", (json_int_t)ni[i].obj->os_index,
					"total", count_json(pools[k].total),
					"free", count_json(pools[k].free)));
				total = (total < 0 || pools[k].total < 0) ? -1 : total + pools[k].total;
				free_ = (free_ < 0 || pools[k].free < 0) ? -1 : free_ + pools[k].free;
			}
		}
		if (!tp->fake) {
			/* The global counters include pools of nodes hwloc cannot see. */
			char dir[256];
			long long v;

			sys_hp_dir(dir, sizeof(dir), sizes[s].size);
			v = read_count(dir, "nr_hugepages");
			if (v >= 0)
				total = v;
			v = read_count(dir, "free_hugepages");
			if (v >= 0)
				free_ = v;
		}
		e = json_pack("{s:I, s:o, s:o, s:o}",
			      "size_bytes", (json_int_t)sizes[s].size,
			      "total", count_json(total),
			      "free", count_json(free_),
			      "per_node", per_node);
		json_array_append_new(arr, e);
	}
	return arr;
}

/* ---------------------------------------------------------------- JSON */

static json_t *cpus_json(hwloc_const_bitmap_t set)
{
	char buf[4096];

	return json_string(topo_list_str(set, buf, sizeof(buf)));
}

static json_t *node_json(const struct locus_topo *tp, const struct node_info *ni, int nn, int i,
			 const struct hwloc_distances_s *d, uint64_t base,
			 hwloc_const_bitmap_t acpus, hwloc_const_bitmap_t anodes)
{
	hwloc_obj_t node = ni[i].obj;
	hwloc_bitmap_t own_allowed = hwloc_bitmap_alloc();
	struct hp_pool pools[MAX_PAGE_TYPES];
	int np = node_hugepages(tp, node, base, pools, MAX_PAGE_TYPES);
	json_t *o, *dist, *attrs, *hp;
	hwloc_uint64_t v;

	if (d && in_distances(d, node)) {
		dist = json_array();
		for (int j = 0; j < nn; j++) {
			long long x = distance(d, node, ni[j].obj);
			json_array_append_new(dist, x < 0 ? json_null() : json_integer(x));
		}
	} else {
		dist = json_null();
	}

	attrs = json_object();
	json_object_set_new(attrs, "bandwidth_mib_s",
			    node_memattr(tp, node, HWLOC_MEMATTR_ID_BANDWIDTH, &v) ?
			    json_integer((json_int_t)v) : json_null());
	json_object_set_new(attrs, "latency_ns",
			    node_memattr(tp, node, HWLOC_MEMATTR_ID_LATENCY, &v) ?
			    json_integer((json_int_t)v) : json_null());

	hp = json_array();
	for (int k = 0; k < np; k++)
		json_array_append_new(hp, json_pack("{s:I, s:o, s:o}",
			"size_bytes", (json_int_t)pools[k].size,
			"total", count_json(pools[k].total),
			"free", count_json(pools[k].free)));

	o = json_object();
	json_object_set_new(o, "os_index", json_integer(node->os_index));
	json_object_set_new(o, "cpus", cpus_json(ni[i].cpus));
	if (own_allowed && acpus)
		hwloc_bitmap_and(own_allowed, ni[i].cpus, acpus);
	json_object_set_new(o, "allowed_cpus", cpus_json(own_allowed));
	hwloc_bitmap_free(own_allowed);
	/* null for a memoryless node: there is no memory to allow or not. */
	json_object_set_new(o, "memory_allowed", node->attr->numanode.local_memory == 0 ? json_null() :
			    json_boolean(anodes && hwloc_bitmap_isset(anodes, node->os_index)));
	json_object_set_new(o, "locality", cpus_json(node->cpuset));
	json_object_set_new(o, "memory_bytes", json_integer((json_int_t)node->attr->numanode.local_memory));
	json_object_set_new(o, "cpuless", json_boolean(hwloc_bitmap_iszero(ni[i].cpus)));
	json_object_set_new(o, "memoryless", json_boolean(node->attr->numanode.local_memory == 0));
	json_object_set_new(o, "subtype", node->subtype ? json_string(node->subtype) : json_null());
	json_object_set_new(o, "distances", dist);
	json_object_set_new(o, "attributes", attrs);
	json_object_set_new(o, "hugepages", hp);
	return o;
}

static json_t *caches_json(const struct locus_topo *tp)
{
	json_t *arr = json_array();

	for (size_t k = 0; k < NR_CACHE_TYPES; k++) {
		hwloc_obj_t c = NULL;

		while ((c = hwloc_get_next_obj_by_type(tp->t, cache_types[k], c))) {
			const struct hwloc_cache_attr_s *a = &c->attr->cache;
			json_t *assoc = a->associativity == 0 ? json_null() :
					json_integer(a->associativity);

			json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:i, s:o, s:o}",
				"level", (int)a->depth,
				"type", cache_type_name(a->type),
				"size_bytes", (json_int_t)a->size,
				"line_size", (int)a->linesize,
				"associativity", assoc,
				"cpus", cpus_json(c->cpuset)));
		}
	}
	return arr;
}

json_t *topo_json(const struct locus_topo *tp)
{
	struct node_info *ni;
	int nn = node_infos(tp, &ni);
	const char *dist_from;
	struct hwloc_distances_s *d = numa_distances(tp, &dist_from);
	uint64_t base = base_page_size(tp);
	json_t *o = json_object(), *nodes = json_array();
	hwloc_bitmap_t acpus = topo_allowed_cpus(tp), anodes = topo_allowed_nodes(tp);

	for (int i = 0; i < nn; i++)
		json_array_append_new(nodes, node_json(tp, ni, nn, i, d, base, acpus, anodes));

	json_object_set_new(o, "source", json_string(tp->source));
	json_object_set_new(o, "fake", json_boolean(tp->fake));
	json_object_set_new(o, "packages", json_integer(hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_PACKAGE)));
	json_object_set_new(o, "cores", json_integer(hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_CORE)));
	json_object_set_new(o, "pus", json_integer(topo_nr_pus(tp)));
	json_object_set_new(o, "cpus", cpus_json(hwloc_get_root_obj(tp->t)->cpuset));
	json_object_set_new(o, "allowed_cpus", cpus_json(acpus));
	json_object_set_new(o, "allowed_nodes", cpus_json(anodes));
	json_object_set_new(o, "base_page_size", json_integer((json_int_t)base));
	json_object_set_new(o, "numa_nodes", nodes);
	json_object_set_new(o, "distances_source", dist_from ? json_string(dist_from) : json_null());
	json_object_set_new(o, "caches", caches_json(tp));
	json_object_set_new(o, "hugepages", hugepages_json(tp, ni, nn, base));

	if (d)
		hwloc_distances_release(tp->t, d);
	free_node_infos(ni, nn);
	hwloc_bitmap_free(acpus);
	hwloc_bitmap_free(anodes);
	return o;
}

/* ---------------------------------------------------------------- text */

/* "4.2 GiB", "48 KiB", "512 B" */
static const char *human(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* One line per kind of cache: instances of a type that differ (hybrid CPUs with big
 * and little cores) get a line each. */
static void print_caches(FILE *f, const struct locus_topo *tp)
{
	char sz[32], cpus[256];

	fprintf(f, "Caches:\n");
	for (size_t k = 0; k < NR_CACHE_TYPES; k++) {
		hwloc_obj_t c = NULL, seen[32];
		int count[32], nseen = 0;

		while ((c = hwloc_get_next_obj_by_type(tp->t, cache_types[k], c))) {
			int i;

			for (i = 0; i < nseen; i++)
				if (seen[i]->attr->cache.size == c->attr->cache.size &&
				    seen[i]->attr->cache.linesize == c->attr->cache.linesize &&
				    seen[i]->attr->cache.associativity == c->attr->cache.associativity &&
				    hwloc_bitmap_weight(seen[i]->cpuset) == hwloc_bitmap_weight(c->cpuset))
					break;
			if (i < nseen) {
				count[i]++;
			} else if (nseen < 32) {
				seen[nseen] = c;
				count[nseen++] = 1;
			}
		}
		for (int i = 0; i < nseen; i++) {
			const struct hwloc_cache_attr_s *a = &seen[i]->attr->cache;
			int n = count[i], share = hwloc_bitmap_weight(seen[i]->cpuset);

			fprintf(f, "  L%u%-2s %10s", a->depth,
				a->type == HWLOC_OBJ_CACHE_DATA ? "d" :
				a->type == HWLOC_OBJ_CACHE_INSTRUCTION ? "i" : "",
				human(a->size, sz, sizeof(sz)));
			if (a->linesize)
				fprintf(f, ", %u B lines", a->linesize);
			if (a->associativity > 0)
				fprintf(f, ", %d-way", a->associativity);
			else if (a->associativity < 0)
				fprintf(f, ", fully associative");
			fprintf(f, "; %d instance%s", n, n == 1 ? "" : "s");
			if (n == 1)
				fprintf(f, ", shared by CPUs %s\n",
					topo_list_str(seen[i]->cpuset, cpus, sizeof(cpus)));
			else
				fprintf(f, ", each shared by %d PU%s\n", share, share == 1 ? "" : "s");
		}
	}
}

void topo_print(FILE *f, const struct locus_topo *tp)
{
	struct node_info *ni;
	int nn = node_infos(tp, &ni);
	const char *dist_from;
	struct hwloc_distances_s *d = numa_distances(tp, &dist_from);
	uint64_t base = base_page_size(tp);
	int npk = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_PACKAGE);
	int nco = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_CORE);
	int npu = topo_nr_pus(tp);
	char buf[4096], buf2[4096], sz[32];
	hwloc_uint64_t v;
	hwloc_bitmap_t acpus = topo_allowed_cpus(tp), anodes = topo_allowed_nodes(tp);
	hwloc_bitmap_t off = hwloc_bitmap_alloc();

	fprintf(f, "Topology: %s%s\n", tp->source, tp->fake ? " (not this machine: nothing is bound)" : "");
	fprintf(f, "Machine: %d package%s, %d core%s, %d PU%s (CPUs %s), %d NUMA node%s\n",
		npk, npk == 1 ? "" : "s", nco, nco == 1 ? "" : "s", npu, npu == 1 ? "" : "s",
		topo_list_str(hwloc_get_root_obj(tp->t)->cpuset, buf, sizeof(buf)),
		nn, nn == 1 ? "" : "s");
	if (acpus && anodes && off) {
		bool mem_off = false;

		for (int i = 0; i < nn; i++)
			mem_off |= ni[i].obj->attr->numanode.local_memory > 0 &&
				   !hwloc_bitmap_isset(anodes, ni[i].obj->os_index);
		if (!hwloc_bitmap_isincluded(hwloc_get_root_obj(tp->t)->cpuset, acpus) || mem_off)
			fprintf(f, "Allowed here: CPUs %s, memory on nodes %s (the rest is outside "
				"%s; marked below)\n",
				topo_list_str(acpus, buf, sizeof(buf)),
				topo_list_str(anodes, buf2, sizeof(buf2)),
				tp->fake ? "the topology's allowed sets" :
				"this process's cgroup/cpuset or CPU binding");
	}

	fprintf(f, "NUMA nodes:\n");
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t node = ni[i].obj;
		struct hp_pool pools[MAX_PAGE_TYPES];
		int np = node_hugepages(tp, node, base, pools, MAX_PAGE_TYPES);

		fprintf(f, "  node %u: ", node->os_index);
		if (hwloc_bitmap_iszero(ni[i].cpus))
			fprintf(f, "no CPUs (near CPUs %s)",
				topo_list_str(node->cpuset, buf, sizeof(buf)));
		else
			fprintf(f, "CPUs %s", topo_list_str(ni[i].cpus, buf, sizeof(buf)));
		if (node->attr->numanode.local_memory)
			fprintf(f, ", %s", human(node->attr->numanode.local_memory, sz, sizeof(sz)));
		else
			fprintf(f, ", no memory");
		if (node->subtype)
			fprintf(f, " (%s)", node->subtype);
		if (acpus && anodes && off) {
			bool mem_off = node->attr->numanode.local_memory > 0 &&
				       !hwloc_bitmap_isset(anodes, node->os_index);

			hwloc_bitmap_andnot(off, ni[i].cpus, acpus);
			if (!hwloc_bitmap_iszero(off) || mem_off)
				fprintf(f, "  [not allowed here:%s%s%s%s]",
					hwloc_bitmap_iszero(off) ? "" : " CPUs ",
					topo_list_str(off, buf, sizeof(buf)),
					!hwloc_bitmap_iszero(off) && mem_off ? "," : "",
					mem_off ? " memory" : "");
		}
		fprintf(f, "\n");
		if (node_memattr(tp, node, HWLOC_MEMATTR_ID_BANDWIDTH, &v))
			fprintf(f, "          bandwidth %" PRIu64 " MiB/s\n", (uint64_t)v);
		if (node_memattr(tp, node, HWLOC_MEMATTR_ID_LATENCY, &v))
			fprintf(f, "          latency %" PRIu64 " ns\n", (uint64_t)v);
		for (int k = 0; k < np; k++) {
			fprintf(f, "          huge pages %s: ", human(pools[k].size, sz, sizeof(sz)));
			if (pools[k].total < 0)
				fprintf(f, "? total");
			else
				fprintf(f, "%lld total", pools[k].total);
			if (pools[k].free < 0)
				fprintf(f, ", ? free\n");
			else
				fprintf(f, ", %lld free\n", pools[k].free);
		}
	}

	if (d) {
		fprintf(f, "NUMA distances (%s):\n", strcmp(dist_from, "os") == 0 ?
			"SLIT, from the OS" : "given by the user");
		fprintf(f, "  %6s", "");
		for (int j = 0; j < nn; j++)
			fprintf(f, " %5u", ni[j].obj->os_index);
		fprintf(f, "\n");
		for (int i = 0; i < nn; i++) {
			fprintf(f, "  %5u:", ni[i].obj->os_index);
			for (int j = 0; j < nn; j++) {
				long long x = distance(d, ni[i].obj, ni[j].obj);
				if (x < 0)
					fprintf(f, " %5s", "-");
				else
					fprintf(f, " %5lld", x);
			}
			fprintf(f, "\n");
		}
	} else if (nn > 1) {
		fprintf(f, "NUMA distances: unknown\n");
	}

	print_caches(f, tp);

	if (d)
		hwloc_distances_release(tp->t, d);
	free_node_infos(ni, nn);
	hwloc_bitmap_free(acpus);
	hwloc_bitmap_free(anodes);
	hwloc_bitmap_free(off);
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
