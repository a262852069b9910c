/* SPDX-License-Identifier: MIT */
/*
 * topo-show.c — the topology as a program and as a person read it: `locus topo --json`
 * and the result fingerprint (topo_json), and the text of `locus topo` (topo_print).
 *
 * Both describe the same things — NUMA nodes with their own CPUs, distances, memory
 * attributes, huge page pools, caches — so they live together, apart from loading and
 * querying the topology (topo.c).  Huge page counts of this machine are read live from
 * sysfs (through sysfs.h, so a --sysroot fixture answers); a fake topology's come from
 * its XML.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"
#include "topo.h"
#include "topo-internal.h"

/* One huge page pool of one node; -1 means unknown. */
struct hp_pool {
	uint64_t size;
	long long total;
	long long free;
};

#define MAX_PAGE_TYPES 16

/* ---------------------------------------------------------------- caches, distances */

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

/* The NUMA latency matrix: the kernel's SLIT when the topology has one, else one given
 * by the user.  Returns NULL when there is none; *from is "os" or "user". */
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
	int nn = topo_node_infos(tp, &ni);
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
	topo_free_node_infos(ni, nn);
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
	int nn = topo_node_infos(tp, &ni);
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
	topo_free_node_infos(ni, nn);
	hwloc_bitmap_free(acpus);
	hwloc_bitmap_free(anodes);
	hwloc_bitmap_free(off);
}
