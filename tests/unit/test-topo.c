/* SPDX-License-Identifier: MIT */
/*
 * test-topo.c — unit tests for lib/topo.c against the XML fixtures, a synthetic
 * description and this machine.
 *
 * The fixtures (tests/fixtures/topo/, see its README.md) fix every number checked
 * here: node CPUs and memory, the SLIT matrices, cache sizes and huge page pools, the
 * memoryless and CPU-less nodes.  This machine can only be checked for sanity (at least
 * one node and PU, a line size) and for real binding.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "topo.h"

#define GiB (1024ULL * 1024 * 1024)

static char fixtures[PATH_MAX];

static bool find_fixtures(void)
{
	const char *env = getenv("FIXTURES"), *top = getenv("top_srcdir");
	char probe[PATH_MAX + 32];
	const char *cands[4];
	int n = 0;
	static char topbuf[PATH_MAX];

	if (env)
		cands[n++] = env;
	if (top) {
		snprintf(topbuf, sizeof(topbuf), "%s/tests/fixtures", top);
		cands[n++] = topbuf;
	}
	cands[n++] = "tests/fixtures";
	cands[n++] = "../../tests/fixtures";
	for (int i = 0; i < n; i++) {
		snprintf(probe, sizeof(probe), "%s/topo/2node.xml", cands[i]);
		if (access(probe, R_OK) == 0) {
			snprintf(fixtures, sizeof(fixtures), "%s", cands[i]);
			return true;
		}
	}
	return false;
}

/* Load a fixture by name ("2node"); returns 0 or the negative errno. */
static int load_fixture(struct locus_topo *tp, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/topo/%s.xml", fixtures, name);
	return topo_load(tp, path);
}

static json_t *node_at(json_t *j, size_t i)
{
	return json_array_get(json_object_get(j, "numa_nodes"), i);
}

static const char *node_cpus(json_t *j, size_t i)
{
	return json_string_value(json_object_get(node_at(j, i), "cpus"));
}

static long long node_mem(json_t *j, size_t i)
{
	return json_integer_value(json_object_get(node_at(j, i), "memory_bytes"));
}

/* The distance matrix from the JSON rows, row-major, compared with want[n*n]. */
static void check_matrix(json_t *j, int n, const int *want, const char *name)
{
	int bad = 0;

	for (int r = 0; r < n; r++) {
		json_t *row = json_object_get(node_at(j, r), "distances");

		if (!json_is_array(row) || (int)json_array_size(row) != n) {
			bad++;
			continue;
		}
		for (int c = 0; c < n; c++)
			if (json_integer_value(json_array_get(row, c)) != want[r * n + c])
				bad++;
	}
	ok(bad == 0, "%s: distance matrix", name);
}

/* Count huge page pools of `size` on node i and return its total (-1 if none). */
static long long node_hp_total(json_t *j, size_t i, long long size, long long *free_out)
{
	json_t *hp = json_object_get(node_at(j, i), "hugepages"), *e;
	size_t k;

	json_array_foreach(hp, k, e) {
		if (json_integer_value(json_object_get(e, "size_bytes")) == size) {
			*free_out = json_integer_value(json_object_get(e, "free"));
			return json_integer_value(json_object_get(e, "total"));
		}
	}
	return -1;
}

struct expect {
	const char *name;
	int nodes, packages, cores, pus;
	const char *cpus[8];
	unsigned long long mem[8];
	const int *matrix;
	uint64_t l1, l2, l3;
};

static const int m2[] = { 10, 21, 21, 10 };
static const int m4[] = { 10, 12, 21, 21, 12, 10, 21, 21, 21, 21, 10, 12, 21, 21, 12, 10 };
static const int m8[] = {
	10, 12, 12, 12, 32, 32, 32, 32,
	12, 10, 12, 12, 32, 32, 32, 32,
	12, 12, 10, 12, 32, 32, 32, 32,
	12, 12, 12, 10, 32, 32, 32, 32,
	32, 32, 32, 32, 10, 12, 12, 12,
	32, 32, 32, 32, 12, 10, 12, 12,
	32, 32, 32, 32, 12, 12, 10, 12,
	32, 32, 32, 32, 12, 12, 12, 10,
};
static const int mml[] = { 10, 20, 20, 10 };
static const int mcl[] = { 10, 21, 24, 21, 10, 24, 24, 24, 10 };

static const struct expect expects[] = {
	{ .name = "2node", .nodes = 2, .packages = 2, .cores = 8, .pus = 16,
	  .cpus = { "0-7", "8-15" }, .mem = { 64 * GiB, 64 * GiB }, .matrix = m2,
	  .l1 = 48 << 10, .l2 = 1 << 20, .l3 = 32 << 20 },
	{ .name = "4node", .nodes = 4, .packages = 2, .cores = 8, .pus = 16,
	  .cpus = { "0-3", "4-7", "8-11", "12-15" },
	  .mem = { 32 * GiB, 32 * GiB, 32 * GiB, 32 * GiB }, .matrix = m4,
	  .l1 = 48 << 10, .l2 = 1 << 20, .l3 = 16 << 20 },
	{ .name = "8node", .nodes = 8, .packages = 2, .cores = 16, .pus = 32,
	  .cpus = { "0-3", "4-7", "8-11", "12-15", "16-19", "20-23", "24-27", "28-31" },
	  .mem = { 16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB, 16 * GiB },
	  .matrix = m8, .l1 = 32 << 10, .l2 = 512 << 10, .l3 = 32 << 20 },
	{ .name = "memoryless", .nodes = 2, .packages = 2, .cores = 8, .pus = 16,
	  .cpus = { "0-7", "8-15" }, .mem = { 64 * GiB, 0 }, .matrix = mml,
	  .l1 = 48 << 10, .l2 = 1 << 20, .l3 = 32 << 20 },
	{ .name = "cpuless", .nodes = 3, .packages = 2, .cores = 8, .pus = 16,
	  .cpus = { "0-7", "8-15", "" }, .mem = { 64 * GiB, 64 * GiB, 128 * GiB }, .matrix = mcl,
	  .l1 = 48 << 10, .l2 = 1 << 20, .l3 = 32 << 20 },
};

static void test_fixture(const struct expect *e)
{
	struct locus_topo tp;
	json_t *j;
	char name[64];
	int bad;

	if (!ok(load_fixture(&tp, e->name) == 0, "%s: loads", e->name))
		return;
	ok(tp.fake, "%s: is fake", e->name);
	ok(strncmp(tp.source, "XML ", 4) == 0 && strstr(tp.source, e->name), "%s: source '%s'",
	   e->name, tp.source);
	is_int(topo_nr_nodes(&tp), e->nodes, "node count");
	is_int(topo_nr_pus(&tp), e->pus, "PU count");
	is_int(topo_max_node_index(&tp), e->nodes - 1, "highest node index");
	is_int(topo_max_pu_index(&tp), e->pus - 1, "highest PU index");
	is_int(topo_cache_size(&tp, 1), e->l1, "L1d size");
	is_int(topo_cache_size(&tp, 2), e->l2, "L2 size");
	is_int(topo_cache_size(&tp, 3), e->l3, "L3 size");
	is_int(topo_cache_size(&tp, 4), 0, "no L4");
	is_int(topo_llc_size(&tp), e->l3, "LLC is the L3");
	is_int(topo_line_size(&tp), 64, "line size");

	hwloc_bitmap_t allowed = topo_allowed_cpus(&tp);
	is_int(hwloc_bitmap_weight(allowed), e->pus, "all PUs allowed in a fake topology");
	hwloc_bitmap_free(allowed);

	/* Nothing is bound: even a CPU this machine does not have "succeeds". */
	is_int(topo_bind_thread_cpu(&tp, e->pus - 1), 0, "bind is a no-op on a fake topology");

	j = topo_json(&tp);
	ok(json_is_object(j), "%s: JSON", e->name);
	ok(json_is_true(json_object_get(j, "fake")), "JSON fake: true");
	is_int(json_integer_value(json_object_get(j, "packages")), e->packages, "JSON packages");
	is_int(json_integer_value(json_object_get(j, "cores")), e->cores, "JSON cores");
	is_int(json_integer_value(json_object_get(j, "pus")), e->pus, "JSON pus");
	is_int(json_array_size(json_object_get(j, "numa_nodes")), e->nodes, "JSON node count");
	is_str(json_string_value(json_object_get(j, "distances_source")), "os", "distances from the OS");
	bad = 0;
	for (int i = 0; i < e->nodes; i++) {
		json_t *n = node_at(j, i);

		if (json_integer_value(json_object_get(n, "os_index")) != i)
			bad++;
		if (strcmp(node_cpus(j, i) ? node_cpus(j, i) : "?", e->cpus[i]))
			bad++;
		if (node_mem(j, i) != (long long)e->mem[i])
			bad++;
		if (json_is_true(json_object_get(n, "cpuless")) != !*e->cpus[i])
			bad++;
		if (json_is_true(json_object_get(n, "memoryless")) != !e->mem[i])
			bad++;
		if (bad)
			diag("node %d: cpus '%s' memory %lld", i, node_cpus(j, i), node_mem(j, i));
	}
	ok(bad == 0, "%s: node os_index, cpus, memory, cpuless/memoryless flags", e->name);
	check_matrix(j, e->nodes, e->matrix, e->name);

	/* Caches: every PU has an L1d, L1i and L2 of its core, and the sizes are right. */
	json_t *caches = json_object_get(j, "caches"), *c;
	size_t k;
	int l1d = 0, l1i = 0;
	bad = 0;
	json_array_foreach(caches, k, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		long long level = json_integer_value(json_object_get(c, "level"));
		long long size = json_integer_value(json_object_get(c, "size_bytes"));

		if (json_integer_value(json_object_get(c, "line_size")) != 64)
			bad++;
		if (!json_is_integer(json_object_get(c, "associativity")))
			bad++;
		if (!json_is_string(json_object_get(c, "cpus")))
			bad++;
		if (level == 1 && type && !strcmp(type, "data")) {
			l1d++;
			bad += size != (long long)e->l1;
		} else if (level == 1 && type && !strcmp(type, "instruction")) {
			l1i++;
			bad += size != 32 << 10;
		} else if (level == 2) {
			bad += size != (long long)e->l2 || strcmp(type, "unified");
		} else if (level == 3) {
			bad += size != (long long)e->l3;
		}
	}
	ok(bad == 0, "%s: cache sizes, line sizes, associativity, cpus", e->name);
	is_int(l1d, e->cores, "one L1d per core");
	is_int(l1i, e->cores, "one L1i per core");
	json_decref(j);

	snprintf(name, sizeof(name), "%s: topo_free", e->name);
	topo_free(&tp);
	ok(tp.t == NULL, "%s", name);
}

static void test_details(void)
{
	struct locus_topo tp;
	json_t *j, *hp;
	long long fr;

	/* Huge pages: the XML's pools, free = total (a fake topology reads no sysfs). */
	if (load_fixture(&tp, "2node") == 0) {
		j = topo_json(&tp);
		is_int(node_hp_total(j, 0, 2 << 20, &fr), 512, "2node: node 0 has 512 2M pages");
		is_int(fr, 512, "2node: free 2M pages come from the XML");
		is_int(node_hp_total(j, 0, 1 << 30, &fr), 2, "2node: node 0 has 2 1G pages");
		is_int(node_hp_total(j, 1, 2 << 20, &fr), 256, "2node: node 1 has 256 2M pages");
		is_int(node_hp_total(j, 0, 4096, &fr), -1, "base pages are not huge pages");
		hp = json_object_get(j, "hugepages");
		is_int(json_array_size(hp), 2, "2node: two huge page sizes");
		is_int(json_integer_value(json_object_get(json_array_get(hp, 0), "size_bytes")), 2 << 20,
		       "2M listed first");
		is_int(json_integer_value(json_object_get(json_array_get(hp, 0), "total")), 768,
		       "2M total is the sum over nodes");
		is_int(json_array_size(json_object_get(json_array_get(hp, 0), "per_node")), 2,
		       "2M pools per node");
		is_int(json_integer_value(json_object_get(j, "base_page_size")), 4096, "base page 4K");
		ok(json_is_null(json_object_get(json_object_get(node_at(j, 0), "attributes"), "bandwidth_mib_s")),
		   "2node: no bandwidth attribute");
		json_decref(j);
		topo_free(&tp);
	}

	/* Memory attributes on the CPU-less fixture; the CPU-less node is near all CPUs. */
	if (load_fixture(&tp, "cpuless") == 0) {
		j = topo_json(&tp);
		json_t *a2 = json_object_get(node_at(j, 2), "attributes");
		json_t *a0 = json_object_get(node_at(j, 0), "attributes");

		is_int(json_integer_value(json_object_get(a0, "bandwidth_mib_s")), 120000, "node 0 bandwidth");
		is_int(json_integer_value(json_object_get(a0, "latency_ns")), 90, "node 0 latency");
		is_int(json_integer_value(json_object_get(a2, "bandwidth_mib_s")), 30000, "CPU-less node bandwidth");
		is_int(json_integer_value(json_object_get(a2, "latency_ns")), 250, "CPU-less node latency");
		is_str(json_string_value(json_object_get(node_at(j, 2), "locality")), "0-15",
		       "CPU-less node is attached to the whole machine");
		json_decref(j);
		topo_free(&tp);
	}
}

static void test_synthetic(void)
{
	struct locus_topo tp;
	json_t *j;

	if (!ok(topo_load(&tp, "pack:2 numa:1 core:4 pu:2") == 0, "synthetic loads"))
		return;
	ok(tp.fake, "synthetic is fake");
	is_str(tp.source, "synthetic: pack:2 numa:1 core:4 pu:2", "synthetic source");
	is_int(topo_nr_nodes(&tp), 2, "synthetic: 2 nodes");
	is_int(topo_nr_pus(&tp), 16, "synthetic: 16 PUs");
	is_int(topo_cache_size(&tp, 1), 0, "synthetic without caches: no L1");
	is_int(topo_llc_size(&tp), 0, "synthetic without caches: no LLC");
	is_int(topo_line_size(&tp), 64, "line size defaults to 64");
	is_int(topo_bind_thread_cpu(&tp, 15), 0, "bind is a no-op");
	j = topo_json(&tp);
	ok(json_is_null(json_object_get(node_at(j, 0), "distances")), "no distances: null");
	ok(json_is_null(json_object_get(j, "distances_source")), "no distances source");
	is_str(node_cpus(j, 1), "8-15", "synthetic node 1 cpus");
	is_int(json_array_size(json_object_get(j, "caches")), 0, "no caches");
	json_decref(j);
	topo_free(&tp);

	if (ok(topo_load(&tp, "pack:1 [numa(memory=2GiB)] l3:1(size=8MiB) core:2 l2:1(size=1MiB) "
			 "l1d:1(size=32KiB) pu:1") == 0, "synthetic with caches loads")) {
		is_int(topo_cache_size(&tp, 1), 32 << 10, "synthetic L1d");
		is_int(topo_cache_size(&tp, 2), 1 << 20, "synthetic L2");
		is_int(topo_llc_size(&tp), 8 << 20, "synthetic LLC");
		j = topo_json(&tp);
		is_int(node_mem(j, 0), 2 * GiB, "synthetic memory");
		json_decref(j);
		topo_free(&tp);
	}
}

static void test_bad_specs(void)
{
	struct locus_topo tp;
	char bad[] = "/tmp/locus-test-topo-XXXXXX.xml";
	int fd;

	diag("the next lines on stderr are expected errors");
	is_int(topo_load(&tp, "/nonexistent/dir/topology.xml"), -EINVAL, "missing file: -EINVAL");
	ok(tp.t == NULL, "nothing left to free after a failure");
	topo_free(&tp);
	is_int(topo_load(&tp, "missing.xml"), -EINVAL, "missing .xml file: -EINVAL");
	is_int(topo_load(&tp, "pack:2 bogus:3"), -EINVAL, "bad synthetic: -EINVAL");
	is_int(topo_load(&tp, ""), -EINVAL, "empty spec: -EINVAL");
	is_int(topo_load(&tp, "/"), -EINVAL, "a directory: -EINVAL");

	fd = mkstemps(bad, 4);
	if (fd >= 0) {
		static const char junk[] = "<?xml version=\"1.0\"?>\n<topology><object type=\"Mach";
		ok(write(fd, junk, sizeof(junk) - 1) == (ssize_t)sizeof(junk) - 1, "wrote a malformed XML");
		close(fd);
		is_int(topo_load(&tp, bad), -EINVAL, "malformed XML: -EINVAL");
		unlink(bad);
	}
}

static void test_this_machine(void)
{
	struct locus_topo tp;
	hwloc_bitmap_t allowed;
	int cpu, max;

	if (!ok(topo_load(&tp, NULL) == 0, "this machine loads"))
		return;
	ok(tp.fake || strcmp(tp.source, "this machine") == 0, "source '%s'", tp.source);
	ok(!tp.fake || getenv("HWLOC_XMLFILE") || getenv("HWLOC_SYNTHETIC"), "this machine is not fake");
	ok(topo_nr_nodes(&tp) >= 1, "at least one node");
	ok(topo_nr_pus(&tp) >= 1, "at least one PU");
	ok(topo_line_size(&tp) > 0, "line size %u", topo_line_size(&tp));
	ok(topo_max_pu_index(&tp) >= topo_nr_pus(&tp) - 1, "highest PU index");

	allowed = topo_allowed_cpus(&tp);
	cpu = hwloc_bitmap_last(allowed);
	ok(cpu >= 0, "some CPU is allowed");
	if (!tp.fake && cpu >= 0) {
		is_int(topo_bind_thread_cpu(&tp, cpu), 0, "bind to an allowed CPU");
		is_int(sched_getcpu(), cpu, "running on it");
		max = topo_max_pu_index(&tp);
		diag("an expected error follows");
		is_int(topo_bind_thread_cpu(&tp, max + 1), -EINVAL, "bind to a CPU that does not exist");
		if (hwloc_bitmap_first(allowed) > 0 || hwloc_bitmap_weight(allowed) < topo_nr_pus(&tp)) {
			hwloc_bitmap_t off = hwloc_bitmap_dup(hwloc_get_root_obj(tp.t)->cpuset);
			hwloc_bitmap_andnot(off, off, allowed);
			diag("an expected error follows");
			is_int(topo_bind_thread_cpu(&tp, hwloc_bitmap_first(off)), -EPERM,
			       "bind to a CPU that is not allowed: -EPERM");
			hwloc_bitmap_free(off);
		}
		/* Unbind, so the rest of the process is not stuck on one CPU. */
		hwloc_set_cpubind(tp.t, allowed, HWLOC_CPUBIND_THREAD);
	}
	hwloc_bitmap_free(allowed);

	json_t *j = topo_json(&tp);
	ok(json_is_false(json_object_get(j, "fake")), "JSON fake: false");
	ok(json_array_size(json_object_get(j, "numa_nodes")) >= 1, "JSON has nodes");
	ok(json_is_string(json_object_get(node_at(j, 0), "cpus")), "node 0 cpus is a string");
	json_decref(j);
	topo_free(&tp);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "(not a string)";
}

/* The fixtures with restricted allowed sets (as a cgroup leaves them): the whole
 * machine is still there, and what is not allowed is marked.  restricted-memoryless
 * is what a cgroup2 guest looks like: hwloc without INCLUDE_DISALLOWED drops memoryless
 * node 1 (never in cpuset.mems) and hands its CPUs to node 0. */
static void test_restricted(void)
{
	struct locus_topo tp;
	hwloc_bitmap_t set;
	json_t *j;
	char buf[64];

	if (ok(load_fixture(&tp, "restricted-memoryless") == 0, "restricted-memoryless: loads")) {
		is_int(topo_nr_nodes(&tp), 2, "restricted-memoryless: both nodes, also the memoryless one outside the allowed nodeset");
		is_int(topo_nr_pus(&tp), 16, "restricted-memoryless: all 16 PUs, also the disallowed one");
		set = topo_node_cpus(&tp, 1);
		is_str(topo_list_str(set, buf, sizeof(buf)), "8-15", "memoryless node 1 keeps its CPUs 8-15");
		hwloc_bitmap_free(set);
		set = topo_allowed_cpus(&tp);
		is_str(topo_list_str(set, buf, sizeof(buf)), "0-14", "allowed CPUs 0-14 (the XML's allowed_cpuset)");
		hwloc_bitmap_free(set);
		set = topo_allowed_nodes(&tp);
		is_str(topo_list_str(set, buf, sizeof(buf)), "0", "allowed memory nodes: 0");
		hwloc_bitmap_free(set);
		ok(topo_cpu_allowed(&tp, 14) && !topo_cpu_allowed(&tp, 15) && !topo_cpu_allowed(&tp, -1),
		   "topo_cpu_allowed: 14 yes, 15 no, -1 no");
		ok(topo_node_mem_allowed(&tp, 0) && !topo_node_mem_allowed(&tp, 1),
		   "topo_node_mem_allowed: node 0 yes, memoryless node 1 no");
		j = topo_json(&tp);
		is_str(jstr(j, "allowed_cpus"), "0-14", "JSON allowed_cpus");
		is_str(jstr(j, "allowed_nodes"), "0", "JSON allowed_nodes");
		is_str(jstr(node_at(j, 1), "cpus"), "8-15", "JSON node 1 cpus");
		is_str(jstr(node_at(j, 1), "allowed_cpus"), "8-14", "JSON node 1 allowed_cpus");
		ok(json_is_null(json_object_get(node_at(j, 1), "memory_allowed")),
		   "JSON node 1 memory_allowed null (memoryless)");
		ok(json_is_true(json_object_get(node_at(j, 0), "memory_allowed")),
		   "JSON node 0 memory_allowed true");
		json_decref(j);
		topo_free(&tp);
	}

	if (ok(load_fixture(&tp, "restricted-cpuless") == 0, "restricted-cpuless: loads")) {
		is_int(topo_nr_nodes(&tp), 3, "restricted-cpuless: 3 nodes, also the disallowed CPU-less one");
		set = topo_allowed_nodes(&tp);
		is_str(topo_list_str(set, buf, sizeof(buf)), "0-1", "allowed memory nodes: 0-1");
		hwloc_bitmap_free(set);
		j = topo_json(&tp);
		ok(json_is_false(json_object_get(node_at(j, 2), "memory_allowed")),
		   "JSON node 2 memory_allowed false");
		is_str(jstr(node_at(j, 2), "allowed_cpus"), "", "JSON node 2 (CPU-less) allowed_cpus \"\"");
		ok(json_integer_value(json_object_get(node_at(j, 2), "memory_bytes")) == (json_int_t)(128 * GiB),
		   "JSON node 2 keeps its 128 GiB");
		json_decref(j);
		topo_free(&tp);
	}

	/* Unrestricted fixtures: everything allowed, nothing marked. */
	if (ok(load_fixture(&tp, "cpuless") == 0, "cpuless: loads")) {
		j = topo_json(&tp);
		is_str(jstr(j, "allowed_cpus"), "0-15", "cpuless: JSON allowed_cpus all");
		is_str(jstr(j, "allowed_nodes"), "0-2", "cpuless: JSON allowed_nodes all");
		ok(json_is_true(json_object_get(node_at(j, 2), "memory_allowed")),
		   "cpuless: node 2 memory_allowed true");
		json_decref(j);
		topo_free(&tp);
	}
}

static void test_list_str(void)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	char buf[64];

	is_str(topo_list_str(s, buf, sizeof(buf)), "", "empty set is \"\"");
	hwloc_bitmap_set_range(s, 0, 3);
	hwloc_bitmap_set(s, 8);
	is_str(topo_list_str(s, buf, sizeof(buf)), "0-3,8", "cpulist format");
	hwloc_bitmap_free(s);
}

int main(void)
{
	test_list_str();
	if (find_fixtures()) {
		for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
			test_fixture(&expects[i]);
		test_details();
		test_restricted();
	} else {
		diag("fixtures not found (set FIXTURES): fixture tests not run");
		ok(0, "find tests/fixtures/topo");
	}
	test_synthetic();
	test_bad_specs();
	test_this_machine();
	return done_testing();
}
