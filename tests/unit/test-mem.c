/* SPDX-License-Identifier: MIT */
/*
 * test-mem.c — unit tests for lib/mem.c: page-size verification both ways, placement
 * verification, policy checks, the memory budget and hugetlb pool reservation.
 *
 * The point of mem.c is that a region never claims what it did not get, so each
 * verification is tested on a region that got what was asked and on one that did not
 * (4K checked as THP, THP checked as 4K, THP advised away before the first touch,
 * untouched pages).  The host's hugetlb pools are never changed: the hugetlb mmap test
 * relies on the empty pool as it is, and every reservation runs against a sysroot
 * fixture in a temporary directory (a guard stops the test if the sysroot is not
 * fake).  Real reservations are exercised in the QEMU guest tests.  Also the NUMA
 * benches' one-node policies (bench/numa-matrix.c), which reach mem_alloc's messages.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <numa.h>
#include "mem.h"
#include "numa-matrix.h"
#include "sysfs.h"
#include "tap.h"

#define MiB (1024UL * 1024)

/* The first node with memory (node 0 unless a guest layout makes it memoryless). */
static int mnode_i;
static char mnode[16];

/* ---------------------------------------------------------------- stderr capture */

static char errbuf[4096];
static FILE *cap;
static int saved_fd = -1;

static void capture_begin(void)
{
	fflush(stderr);
	cap = tmpfile();
	saved_fd = dup(2);
	if (cap && saved_fd >= 0)
		dup2(fileno(cap), 2);
}

/* The captured text (also shown as diagnostics). */
static const char *capture_end(void)
{
	size_t n = 0;

	fflush(stderr);
	if (saved_fd >= 0) {
		dup2(saved_fd, 2);
		close(saved_fd);
		saved_fd = -1;
	}
	errbuf[0] = '\0';
	if (cap) {
		rewind(cap);
		n = fread(errbuf, 1, sizeof(errbuf) - 1, cap);
		errbuf[n] = '\0';
		fclose(cap);
		cap = NULL;
	}
	for (char *l = errbuf, *e; *l; l = e + 1) {
		e = strchr(l, '\n');
		if (!e) {
			diag("stderr: %s", l);
			break;
		}
		diag("stderr: %.*s", (int)(e - l), l);
	}
	return errbuf;
}

#define has(s, sub, name) do { \
	if (!ok(strstr((s), (sub)) != NULL, "%s", name)) \
		diag("  expected to contain '%s'", sub); \
} while (0)

/* ---------------------------------------------------------------- helpers */

static struct mem_policy policy(enum mem_policy_mode m, const char *list)
{
	struct mem_policy p = { .mode = m, .nodes = NULL };

	if (list) {
		p.nodes = hwloc_bitmap_alloc();
		hwloc_bitmap_list_sscanf(p.nodes, list);
	}
	return p;
}

static bool kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

static bool thp_possible(void)
{
	char buf[128];

	if (sysfs_read_str("sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, "[never]") == NULL;
}

/* ---------------------------------------------------------------- tests */

static void test_names(void)
{
	enum mem_page p = MEM_PAGE_DEFAULT;
	const char *err;
	int ret;

	is_str(mem_page_name(MEM_PAGE_THP), "THP", "page name THP");
	is_str(mem_page_name(MEM_PAGE_1G), "1G", "page name 1G");
	is_int(mem_page_parse("--page-size", "thp", &p), 0, "'thp' parses");
	is_int(p, MEM_PAGE_THP, "... as THP");
	is_int(mem_page_parse("--page-size", "4k", &p), 0, "'4k' parses");
	is_int(p, MEM_PAGE_4K, "... as 4K");
	capture_begin();
	ret = mem_page_parse("--page-size", "3M", &p);
	err = capture_end();
	is_int(ret, -EINVAL, "'3M' is rejected");
	has(err, "--page-size: '3M' is not a page size; allowed: default, 4K, THP, 2M, 1G",
	    "... naming the allowed values");
	is_int(p, MEM_PAGE_4K, "... and *out is untouched");
	is_str(mem_policy_name(MEM_POL_WEIGHTED_INTERLEAVE), "weighted-interleave",
	       "policy name weighted-interleave");
	is_str(mem_policy_name(MEM_POL_PREFERRED_MANY), "preferred-many", "policy name preferred-many");
	is_int(mem_page_bytes(MEM_PAGE_2M), 2 * MiB, "2M page bytes");
	is_int(mem_page_bytes(MEM_PAGE_1G), 1024 * MiB, "1G page bytes");
}

static void test_4k(void)
{
	struct mem_region r;
	struct mem_verified v;
	json_t *j;

	is_int(mem_alloc(&r, 8 * MiB, MEM_PAGE_4K, NULL), 0, "4K: 8M allocated");
	mem_touch(&r);
	is_int(mem_verify(&r, 0, &v), 0, "4K: verified");
	is_str(v.page_name, "4K", "4K: backed by 4K pages");
	is_int(v.page_size, 4096, "4K: page_size 4096");
	ok(v.page_ok, "4K: page_ok");
	is_near(v.huge_fraction, 0, 0, "4K: no huge pages");
	is_int(v.rss_bytes, 8 * MiB, "4K: rss is exactly the region (guards hold nothing)");

	j = mem_verified_json(&r, &v);
	ok(j && json_is_true(json_object_get(j, "page_size_ok")), "4K: json page_size_ok true");
	is_str(json_string_value(json_object_get(j, "page_size_asked")), "4K", "4K: json page_size_asked");
	is_str(json_string_value(json_object_get(j, "policy")), "default", "4K: json policy default");
	ok(json_is_null(json_object_get(j, "nodes_asked")), "4K: json nodes_asked null");
	json_decref(j);

	/* The same 4K region judged as THP must fail. */
	r.asked = MEM_PAGE_THP;
	is_int(mem_verify(&r, 0, &v), 0, "4K checked as THP: verified");
	ok(!v.page_ok, "4K checked as THP: page_ok false");
	is_str(v.page_name, "4K", "4K checked as THP: reported as 4K");
	r.asked = MEM_PAGE_4K;
	mem_free(&r);
	ok(r.map == NULL && r.p == NULL, "mem_free zeroes the region");
	mem_free(&r);
	ok(1, "mem_free twice is harmless");
}

static void test_thp(void)
{
	struct mem_region r;
	struct mem_verified v;
	json_t *j;

	if (!thp_possible()) {
		diag("THP mode is 'never' here: positive THP checks skipped");
	} else {
		is_int(mem_alloc(&r, 16 * MiB, MEM_PAGE_THP, NULL), 0, "THP: 16M allocated");
		ok(((uintptr_t)r.p & (2 * MiB - 1)) == 0, "THP: start is 2M-aligned");
		mem_touch(&r);
		is_int(mem_verify(&r, 0, &v), 0, "THP: verified");
		is_str(v.page_name, "THP", "THP: backed by THP");
		is_int(v.page_size, 2 * MiB, "THP: page_size 2M");
		ok(v.huge_fraction >= 0.9, "THP: huge_fraction %.3f >= 0.9", v.huge_fraction);
		ok(v.page_ok, "THP: page_ok");
		j = mem_verified_json(&r, &v);
		is_str(json_string_value(json_object_get(j, "page_size")), "THP", "THP: json page_size");
		json_decref(j);

		/* The same THP region judged as 4K must fail. */
		r.asked = MEM_PAGE_4K;
		is_int(mem_verify(&r, 0, &v), 0, "THP checked as 4K: verified");
		ok(!v.page_ok, "THP checked as 4K: page_ok false");
		r.asked = MEM_PAGE_THP;
		mem_free(&r);

		/* Odd length: the whole aligned tail is THP-able. */
		is_int(mem_alloc(&r, 3 * MiB, MEM_PAGE_THP, NULL), 0, "THP: 3M allocated");
		mem_touch(&r);
		is_int(mem_verify(&r, 0, &v), 0, "THP 3M: verified");
		ok(v.page_ok, "THP 3M: page_ok");
		mem_free(&r);
	}

	/* Asked as THP, advised away before the first touch: must not pass as THP. */
	is_int(mem_alloc(&r, 16 * MiB, MEM_PAGE_THP, NULL), 0, "THP undone: allocated");
	is_int(madvise(r.p, 16 * MiB, MADV_NOHUGEPAGE), 0, "THP undone: MADV_NOHUGEPAGE");
	mem_touch(&r);
	is_int(mem_verify(&r, 0, &v), 0, "THP undone: verified");
	ok(!v.page_ok, "THP undone: page_ok false");
	is_str(v.page_name, "4K", "THP undone: reported as 4K");
	is_near(v.huge_fraction, 0, 0, "THP undone: huge_fraction 0");
	j = mem_verified_json(&r, &v);
	ok(j && json_is_false(json_object_get(j, "page_size_ok")), "THP undone: json page_size_ok false");
	is_str(json_string_value(json_object_get(j, "page_size_asked")), "THP", "THP undone: json asked THP");
	json_decref(j);
	mem_free(&r);
}

static void test_hugetlb_empty(void)
{
	static const struct { enum mem_page page; const char *dir; } k[] = {
		{ MEM_PAGE_2M, "sys/kernel/mm/hugepages/hugepages-2048kB" },
		{ MEM_PAGE_1G, "sys/kernel/mm/hugepages/hugepages-1048576kB" },
	};

	for (unsigned i = 0; i < 2; i++) {
		struct mem_region r;
		char rel[128], want[160];
		const char *err;
		long nr = -1, fr = -1, oc = -1;
		int ret;

		snprintf(rel, sizeof(rel), "%s/nr_hugepages", k[i].dir);
		sysfs_read_long(rel, &nr);
		snprintf(rel, sizeof(rel), "%s/free_hugepages", k[i].dir);
		sysfs_read_long(rel, &fr);
		snprintf(rel, sizeof(rel), "%s/nr_overcommit_hugepages", k[i].dir);
		sysfs_read_long(rel, &oc);
		if (nr != 0 || fr != 0 || oc != 0) {
			diag("%s pool not empty here (nr %ld, free %ld, overcommit %ld): empty-pool check skipped",
			     mem_page_name(k[i].page), nr, fr, oc);
			continue;
		}
		is_int(mem_hugepages_free(k[i].page), 0, "hugetlb: the pool has no free pages");
		capture_begin();
		ret = mem_alloc(&r, 4 * MiB, k[i].page, NULL);
		err = capture_end();
		is_int(ret, -ENOMEM, "hugetlb with an empty pool: -ENOMEM");
		ok(r.map == NULL, "hugetlb with an empty pool: region zeroed");
		has(err, "has 0 free", "hugetlb message: says how many pages are free");
		snprintf(want, sizeof(want), "'echo %lu > /%s/nr_hugepages'",
			 k[i].page == MEM_PAGE_2M ? 2UL : 1UL, k[i].dir);
		has(err, want, "hugetlb message: the exact command to reserve");
		ok(!strstr(err, "--"), "hugetlb message: names no command-line option (lib/ words no CLI advice)");
	}
}

static void test_placement(void)
{
	static const struct { enum mem_policy_mode m; bool nodes; } pols[] = {
		{ MEM_POL_BIND, true },
		{ MEM_POL_INTERLEAVE, true },
		{ MEM_POL_PREFERRED, true },
		{ MEM_POL_PREFERRED_MANY, true },
		{ MEM_POL_WEIGHTED_INTERLEAVE, true },
		{ MEM_POL_LOCAL, false },
	};
	bool one_node = numa_max_node() == 0;
	struct mem_region r;
	struct mem_verified v;
	json_t *j;

	is_int(mem_alloc(&r, 4 * MiB, MEM_PAGE_4K, NULL), 0, "default policy: allocated");
	mem_touch(&r);
	is_int(mem_verify(&r, 0, &v), 0, "default policy: verified");
	is_int(v.pages_sampled, 1024, "default policy: 1024 pages sampled");
	is_int(v.pages_not_present, 0, "default policy: every sampled page present");
	is_near(v.placement_ok, 1.0, 0, "default policy: placement_ok 1.0");
	if (one_node) {
		is_near(v.node_fraction[0], 1.0, 0, "default policy: all pages on node 0");
		is_int(v.nr_nodes_seen, 1, "default policy: one node seen");
	}
	mem_free(&r);

	for (unsigned i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		struct mem_policy p = policy(pols[i].m, pols[i].nodes ? mnode : NULL);
		const char *name = mem_policy_name(pols[i].m);
		int ret;

		capture_begin();
		ret = mem_policy_check(&p, -1);
		capture_end();
		if (ret == -EOPNOTSUPP) {
			ok(!kernel_at_least(6, 9), "%s: unsupported only on an old kernel", name);
			hwloc_bitmap_free(p.nodes);
			continue;
		}
		ok(ret == 0, "policy check accepts node %s", mnode);
		is_int(mem_alloc(&r, 2 * MiB, MEM_PAGE_4K, &p), 0, "policy: allocated");
		diag("policy %s", name);
		hwloc_bitmap_free(p.nodes);   /* the region holds its own copy */
		mem_touch(&r);
		is_int(mem_verify(&r, 64, &v), 0, "policy: verified");
		is_int(v.pages_sampled, 64, "policy: 64 pages sampled");
		is_near(v.placement_ok, 1.0, 0, "policy: placement_ok 1.0");
		if (pols[i].nodes || one_node)
			is_near(v.node_fraction[mnode_i], 1.0, 0, "policy: all on that node");
		j = mem_verified_json(&r, &v);
		is_str(json_string_value(json_object_get(j, "policy")), name, "policy: json policy");
		if (pols[i].nodes) {
			json_t *na = json_object_get(j, "nodes_asked");
			ok(json_array_size(na) == 1 &&
			   json_integer_value(json_array_get(na, 0)) == mnode_i,
			   "policy: json nodes_asked [%s]", mnode);
		}
		if (pols[i].nodes || one_node)
			ok(json_real_value(json_object_get(json_object_get(j, "node_fraction"),
							   mnode)) == 1.0,
			   "policy: json node_fraction {\"%s\": 1.0}", mnode);
		json_decref(j);
		mem_free(&r);
	}

	/* Half touched: the untouched half is reported as not present, and not ok. */
	{
		struct mem_policy p = policy(MEM_POL_BIND, mnode);

		is_int(mem_alloc(&r, 64 * 4096, MEM_PAGE_4K, &p), 0, "half touched: allocated");
		hwloc_bitmap_free(p.nodes);
		for (unsigned i = 0; i < 32; i++)
			((volatile char *)r.p)[i * 4096] = 1;
		is_int(mem_verify(&r, 64, &v), 0, "half touched: verified");
		is_int(v.pages_sampled, 64, "half touched: 64 sampled");
		is_int(v.pages_not_present, 32, "half touched: 32 not present");
		is_int(v.pages_error, 0, "half touched: no other errors");
		is_near(v.placement_ok, 0.5, 1e-12, "half touched: placement_ok 0.5");
		j = mem_verified_json(&r, &v);
		is_int(json_integer_value(json_object_get(j, "pages_not_present")), 32,
		       "half touched: json pages_not_present");
		json_decref(j);
		mem_free(&r);
	}

	/* A node the kernel does not have: mbind refuses, nothing leaks. */
	{
		struct mem_policy p = policy(MEM_POL_BIND, "1000");
		int ret;

		capture_begin();
		ret = mem_alloc(&r, 1 * MiB, MEM_PAGE_4K, &p);
		capture_end();
		is_int(ret, -EINVAL, "bind to node 1000: mem_alloc -EINVAL");
		ok(r.map == NULL && r.policy.nodes == NULL, "bind to node 1000: region zeroed");
		hwloc_bitmap_free(p.nodes);
	}
}

/*
 * numa_policy_node sets every field of a policy the benches keep on the stack.  It
 * once left the label alone: under qemu-user (mbind: ENOSYS) `bench all` printed a
 * label left in that stack slot by the bench before and died with SIGSEGV.  Garbage
 * in, then a failing mbind must name the policy by its own words.
 */
static void test_policy_node(void)
{
	struct mem_policy p;
	struct mem_region r;
	char want[64];
	const char *err;
	int ret, bad = numa_max_node() + 1;

	memset(&p, 0xa5, sizeof(p));
	numa_policy_node(&p, MEM_POL_BIND, (unsigned)bad);
	is_int(p.mode, MEM_POL_BIND, "numa_policy_node: mode");
	ok(p.nodes && hwloc_bitmap_weight(p.nodes) == 1 && hwloc_bitmap_isset(p.nodes, (unsigned)bad),
	   "numa_policy_node: exactly the one node");
	ok(p.label == NULL, "numa_policy_node: no label left from the memory it was given");
	/* No such node: mbind refuses (EINVAL; ENOSYS without NUMA) and the message is read. */
	capture_begin();
	ret = mem_alloc(&r, 4096, MEM_PAGE_4K, &p);
	err = capture_end();
	ok(ret < 0, "mem_alloc bound to node %d, which does not exist: refused", bad);
	snprintf(want, sizeof(want), "locus: bind policy %d: cannot apply the policy", bad);
	has(err, want, "... naming the policy as 'bind policy'");
	numa_policy_free(&p);
	ok(p.nodes == NULL, "numa_policy_free: nodes released");
}

static void test_policy_check(void)
{
	int bad = numa_max_node() + 1, ret;
	char list[32], want[96];
	const char *err;
	struct mem_policy p;

	is_int(mem_policy_check(NULL, -1), 0, "policy check: NULL is default");
	p = policy(MEM_POL_DEFAULT, NULL);
	is_int(mem_policy_check(&p, 0), 0, "policy check: default");

	snprintf(list, sizeof(list), "%d", bad);
	p = policy(MEM_POL_BIND, list);
	capture_begin();
	ret = mem_policy_check(&p, -1);
	err = capture_end();
	is_int(ret, -EINVAL, "policy check: a node that does not exist");
	snprintf(want, sizeof(want), "locus: bind policy: node %d does not exist (nodes: ", bad);
	has(err, want, "... named in one line");
	if (bad == 1)
		has(err, "(nodes: 0)", "... listing the nodes there are");
	hwloc_bitmap_free(p.nodes);

	p = policy(MEM_POL_INTERLEAVE, mnode);
	capture_begin();
	ret = mem_policy_check(&p, -1);
	capture_end();
	is_int(ret, 0, "policy check: interleave on a node with memory");
	hwloc_bitmap_free(p.nodes);

	/* max_node from the topology bounds the nodes too */
	p = policy(MEM_POL_BIND, mnode);
	is_int(mem_policy_check(&p, mnode_i), 0, "policy check: node within max_node");
	hwloc_bitmap_free(p.nodes);
	if (numa_max_node() >= 1) {
		/* a node the kernel has but the caller's topology does not */
		snprintf(list, sizeof(list), "%d", numa_max_node());
		p = policy(MEM_POL_BIND, list);
		capture_begin();
		ret = mem_policy_check(&p, numa_max_node() - 1);
		capture_end();
		is_int(ret, -EINVAL, "policy check: node beyond max_node");
		hwloc_bitmap_free(p.nodes);
	}

	p = policy(MEM_POL_PREFERRED, "0-1");
	capture_begin();
	ret = mem_policy_check(&p, -1);
	err = capture_end();
	is_int(ret, -EINVAL, "policy check: preferred with two nodes");
	has(err, "locus: preferred policy: takes exactly one node, got 2 (0-1)", "... says so");
	hwloc_bitmap_free(p.nodes);

	p = policy(MEM_POL_BIND, NULL);
	p.nodes = hwloc_bitmap_alloc();
	capture_begin();
	ret = mem_policy_check(&p, -1);
	err = capture_end();
	is_int(ret, -EINVAL, "policy check: empty set");
	has(err, "locus: bind policy: empty node set", "... says so");
	p.label = "--membind";
	capture_begin();
	ret = mem_policy_check(&p, -1);
	err = capture_end();
	has(err, "locus: --membind: empty node set", "... named with the caller's label when given");
	hwloc_bitmap_free(p.nodes);

	p = policy(MEM_POL_WEIGHTED_INTERLEAVE, mnode);
	capture_begin();
	ret = mem_policy_check(&p, -1);
	err = capture_end();
	if (kernel_at_least(6, 9)) {
		is_int(ret, 0, "policy check: weighted-interleave supported (Linux >= 6.9)");
	} else {
		is_int(ret, -EOPNOTSUPP, "policy check: weighted-interleave unsupported (Linux < 6.9)");
		has(err, "weighted-interleave policy: not supported by this kernel (needs Linux >= 6.9)",
		    "... says which kernel it needs");
	}
	hwloc_bitmap_free(p.nodes);

	p = policy(MEM_POL_LOCAL, NULL);
	is_int(mem_policy_check(&p, -1), 0, "policy check: local");
}

static void test_budget(void)
{
	uint64_t avail = mem_available(), budget = mem_budget();
	const char *err;
	char *tmp, tmpl[] = "/tmp/test-mem-root.XXXXXX";
	int ret;

	ok(avail > 0, "MemAvailable is known (%llu bytes)", (unsigned long long)avail);
	ok(budget > 0 && budget <= avail / 100 * 80, "budget is at most 80%% of it");
	is_int(mem_check_budget("--size", 1 * MiB), 0, "budget accepts 1M");
	/* Not probed at the exact limit: MemAvailable moves between two calls. */
	is_int(budget % MiB, 0, "budget is a whole number of MiB (printable exactly)");
	capture_begin();
	ret = mem_check_budget("--size", avail + 1);
	err = capture_end();
	is_int(ret, -E2BIG, "budget refuses more than MemAvailable");
	has(err, "locus: --size: ", "... naming the option");
	has(err, "is more than 80% of available memory; the largest allowed is ", "... and the limit");
	{
		const char *lim = strstr(err, "largest allowed is ");
		char unit = 0;
		unsigned long long n = 0;

		ok(lim && sscanf(lim + 19, "%llu%c", &n, &unit) == 2 && (unit == 'M' || unit == 'G'),
		   "... given in M or G (%llu%c)", n, unit ? unit : '?');
	}

	/* A fake sysroot describes another machine; the budget stays this one's. */
	tmp = mkdtemp(tmpl);
	ok(tmp != NULL, "temporary sysroot");
	if (!tmp)
		return;
	sysfs_set_root(tmp);
	ok(mem_available() > 0, "MemAvailable still the real one under a fake sysroot");
	sysfs_set_root(NULL);
	rmdir(tmp);
}

/* ---------------------------------------------------------------- reservation */

static char fx[64];
#define FX_POOL "sys/kernel/mm/hugepages/hugepages-2048kB"

static void fx_write(const char *file, const char *val)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/" FX_POOL "/%s", fx, file);
	f = fopen(path, "w");
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

static long fx_read(const char *file)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" FX_POOL "/%s", fx, file);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The real pool, read without the sysroot. */
static long host_nr(void)
{
	long v = -1;
	FILE *f = fopen("/" FX_POOL "/nr_hugepages", "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Never let a reservation reach the host: stop everything if the sysroot is real. */
static void must_be_fake(void)
{
	if (!sysfs_is_fake() || strcmp(sysfs_root(), fx) != 0) {
		printf("Bail out! the sysroot is not the fixture; refusing to reserve hugepages\n");
		exit(1);
	}
}

static int child_status(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static void test_reserve(void)
{
	char tmpl[] = "/tmp/test-mem-fx.XXXXXX", path[256];
	long before = host_nr();
	const char *err;
	pid_t pid;
	long ret;
	int st;

	if (!mkdtemp(tmpl)) {
		ok(0, "fixture directory");
		return;
	}
	snprintf(fx, sizeof(fx), "%s", tmpl);
	snprintf(path, sizeof(path), "mkdir -p %s/" FX_POOL, fx);
	if (system(path) != 0) {
		ok(0, "fixture pool directory");
		return;
	}
	fx_write("nr_hugepages", "0\n");
	fx_write("free_hugepages", "0\n");
	sysfs_set_root(fx);
	must_be_fake();

	is_int(mem_hugepages_free(MEM_PAGE_2M), 0, "fixture: no free 2M pages");
	must_be_fake();
	ret = mem_hugepages_reserve(MEM_PAGE_2M, 3);
	is_int(ret, 3, "reserve 3: 3 free pages now");
	is_int(fx_read("nr_hugepages"), 3, "reserve 3: fixture nr_hugepages is 3");
	is_int(host_nr(), before, "reserve 3: the host pool is untouched");

	/* Enough free already (the kernel would show them): nothing is written. */
	fx_write("free_hugepages", "3\n");
	must_be_fake();
	is_int(mem_hugepages_reserve(MEM_PAGE_2M, 2), 3, "reserve 2 with 3 free: returns 3");
	is_int(fx_read("nr_hugepages"), 3, "reserve 2 with 3 free: unchanged");

	mem_hugepages_release();
	is_int(fx_read("nr_hugepages"), 0, "release: fixture restored to 0");
	mem_hugepages_release();
	is_int(fx_read("nr_hugepages"), 0, "release twice: still 0");

	/* Someone else changes the pool meanwhile: release leaves their value. */
	fx_write("free_hugepages", "0\n");
	must_be_fake();
	is_int(mem_hugepages_reserve(MEM_PAGE_2M, 2), 2, "reserve 2 again");
	fx_write("nr_hugepages", "7\n");
	capture_begin();
	mem_hugepages_release();
	err = capture_end();
	is_int(fx_read("nr_hugepages"), 7, "changed meanwhile: left alone");
	has(err, "changed by someone else", "changed meanwhile: warned");
	fx_write("nr_hugepages", "0\n");

	capture_begin();
	must_be_fake();
	ret = mem_hugepages_reserve(MEM_PAGE_1G, 1);
	err = capture_end();
	is_int(ret, -EOPNOTSUPP, "no 1G pool in the fixture: -EOPNOTSUPP");
	has(err, "1G hugetlb pool: this machine has none", "... says so");
	capture_begin();
	ret = mem_hugepages_reserve(MEM_PAGE_THP, 1);
	capture_end();
	is_int(ret, -EINVAL, "THP has no pool: -EINVAL");

	/* Killed by SIGTERM: the handler gives the pages back, then the signal kills. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		must_be_fake();
		if (mem_hugepages_reserve(MEM_PAGE_2M, 4) != 4 || fx_read("nr_hugepages") != 4)
			_exit(10);
		raise(SIGTERM);
		_exit(11);
	}
	st = child_status(pid);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "SIGTERM: the child died of SIGTERM (status %#x)", st);
	is_int(fx_read("nr_hugepages"), 0, "SIGTERM: fixture restored to 0");

	/* Normal exit without release: the atexit handler gives the pages back. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		must_be_fake();
		if (mem_hugepages_reserve(MEM_PAGE_2M, 5) != 5 || fx_read("nr_hugepages") != 5)
			_exit(10);
		exit(0);
	}
	st = child_status(pid);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit: the child exited 0 (status %#x)", st);
	is_int(fx_read("nr_hugepages"), 0, "exit: fixture restored to 0");

	/* A signal whose disposition is not the default is left to its owner. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;

		must_be_fake();
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigaction(SIGHUP, &sa, NULL);
		if (mem_hugepages_reserve(MEM_PAGE_2M, 2) != 2)
			_exit(10);
		raise(SIGHUP);   /* ignored: the run goes on, the pool stays raised */
		_exit(fx_read("nr_hugepages") == 2 ? 0 : 12);
	}
	st = child_status(pid);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ignored SIGHUP stays ignored (status %#x)", st);
	fx_write("nr_hugepages", "0\n");

	is_int(host_nr(), before, "the host pool was never touched");
	sysfs_set_root(NULL);
	snprintf(path, sizeof(path), "rm -rf %s", fx);
	if (system(path) != 0)
		diag("could not remove %s", fx);
}

int main(void)
{
	for (mnode_i = 0; mnode_i < numa_max_node() && numa_node_size64(mnode_i, NULL) <= 0; mnode_i++)
		;
	snprintf(mnode, sizeof(mnode), "%d", mnode_i);
	test_names();
	test_4k();
	test_thp();
	test_hugetlb_empty();
	test_placement();
	test_policy_check();
	test_policy_node();
	test_budget();
	test_reserve();
	return done_testing();
}
