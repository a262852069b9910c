/* SPDX-License-Identifier: MIT */
/*
 * mem.c — the one allocator for benchmark memory: page size, memory policy, verification.
 *
 * A result that says "2M pages on node 1" must have measured 2M pages on node 1, and
 * both halves fail quietly: THP needs an aligned range and the kernel's goodwill,
 * hugetlb needs a pool, libnuma falls back to node 0 on a bad node.  So every region is
 * mapped, advised and bound here before its first touch, and verified afterwards from
 * the kernel's own accounts (/proc/self/smaps, move_pages).  Raising a hugetlb pool
 * for a run (and giving it back on every way out) is mem-pool.c; the memory budget
 * (how much a run may take) is mem-budget.c.
 *
 * Deliberate exceptions to "every /proc and /sys access goes through sysfs.h":
 * /proc/self/smaps and move_pages describe this very process, and the node checks ask
 * the kernel that will apply the policy; a --sysroot fixture describes some other
 * machine and must not change those answers.  The hugetlb pool files do go through
 * sysfs.h, so that tests exercise the allocation messages against a fixture.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <numa.h>
#include <numaif.h>

#include "log.h"
#include "mem.h"
#include "mem-internal.h"
#include "parse.h"
#include "sysfs.h"

/* numaif.h of older libnuma releases lacks the newer modes; the values are the ABI. */
#ifndef MPOL_LOCAL
#define MPOL_LOCAL 4
#endif
#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY 5
#endif
#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif
#ifndef MPOL_MF_STRICT
#define MPOL_MF_STRICT (1 << 0)
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE (1 << 1)
#endif
#ifndef MPOL_F_MEMS_ALLOWED
#define MPOL_F_MEMS_ALLOWED (1 << 2)
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif

#define SZ_2M (UINT64_C(2) << 20)
#define SZ_1G (UINT64_C(1) << 30)
#define BITS_PER_ULONG (8 * sizeof(unsigned long))
/* Node masks handed to the kernel: MAX_NUMNODES is at most 1024 on x86 (NODES_SHIFT
 * 10); the margin lets get_mempolicy(MPOL_F_MEMS_ALLOWED) succeed on bigger configs. */
#define NODEMASK_BITS 4096
#define NODEMASK_WORDS (NODEMASK_BITS / BITS_PER_ULONG)
#define THP_OK_FRACTION 0.9

static uint64_t base_page(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* ------------------------------------------------------------------ names */

static const char *const page_names[] = {
	[MEM_PAGE_DEFAULT] = "default",
	[MEM_PAGE_4K] = "4K",
	[MEM_PAGE_THP] = "THP",
	[MEM_PAGE_2M] = "2M",
	[MEM_PAGE_1G] = "1G",
};
#define NR_PAGE_KINDS (sizeof(page_names) / sizeof(page_names[0]))

const char *mem_page_name(enum mem_page p)
{
	return (unsigned)p < NR_PAGE_KINDS ? page_names[p] : "?";
}

uint64_t mem_page_bytes(enum mem_page p)
{
	switch (p) {
	case MEM_PAGE_THP:
	case MEM_PAGE_2M:
		return SZ_2M;
	case MEM_PAGE_1G:
		return SZ_1G;
	default:
		return base_page();
	}
}

int mem_page_parse(const char *what, const char *s, enum mem_page *out)
{
	for (unsigned i = 0; s && i < NR_PAGE_KINDS; i++) {
		if (strcasecmp(s, page_names[i]) == 0) {
			*out = (enum mem_page)i;
			return 0;
		}
	}
	locus_error("%s: '%s' is not a page size; allowed: default, 4K, THP, 2M, 1G",
		    what, s ? s : "");
	return -EINVAL;
}

static const struct {
	const char *name;
	const char *label;    /* how messages name it when the caller gave no label */
	int kmode;            /* MPOL_* */
	unsigned mbind_flags; /* nothing is present yet; STRICT|MOVE guard the contract */
	const char *needs;    /* first Linux release with the mode */
} pol_info[] = {
	[MEM_POL_DEFAULT] = { "default", "memory policy", MPOL_DEFAULT, 0, "2.6.7" },
	[MEM_POL_BIND] = { "bind", "bind policy", MPOL_BIND,
			   MPOL_MF_STRICT | MPOL_MF_MOVE, "2.6.7" },
	[MEM_POL_INTERLEAVE] = { "interleave", "interleave policy", MPOL_INTERLEAVE,
				 MPOL_MF_STRICT | MPOL_MF_MOVE, "2.6.7" },
	/* STRICT would fail on a page that legitimately fell back to another node. */
	[MEM_POL_PREFERRED] = { "preferred", "preferred policy", MPOL_PREFERRED,
				MPOL_MF_MOVE, "2.6.7" },
	[MEM_POL_PREFERRED_MANY] = { "preferred-many", "preferred-many policy",
				     MPOL_PREFERRED_MANY, MPOL_MF_MOVE, "5.15" },
	[MEM_POL_WEIGHTED_INTERLEAVE] = { "weighted-interleave", "weighted-interleave policy",
					  MPOL_WEIGHTED_INTERLEAVE,
					  MPOL_MF_STRICT | MPOL_MF_MOVE, "6.9" },
	[MEM_POL_LOCAL] = { "local", "local policy", MPOL_LOCAL, 0, "3.8" },
};
#define NR_POL_MODES (sizeof(pol_info) / sizeof(pol_info[0]))

const char *mem_policy_name(enum mem_policy_mode m)
{
	return (unsigned)m < NR_POL_MODES ? pol_info[m].name : "?";
}

static bool mode_has_nodes(enum mem_policy_mode m)
{
	return m != MEM_POL_DEFAULT && m != MEM_POL_LOCAL;
}

/* ------------------------------------------------------------------ node masks */

/* hwloc bitmap (OS indices) -> kernel nodemask; *maxnode as mbind() wants it. */
static int fill_nodemask(hwloc_const_bitmap_t set, unsigned long *mask,
			 unsigned long *maxnode)
{
	int last = set ? hwloc_bitmap_last(set) : -1;

	memset(mask, 0, NODEMASK_WORDS * sizeof(*mask));
	/* -1: empty or infinite */
	if (last < 0 || last >= NODEMASK_BITS)
		return -EINVAL;
	for (int i = hwloc_bitmap_first(set); i >= 0; i = hwloc_bitmap_next(set, i))
		mask[(unsigned)i / BITS_PER_ULONG] |= 1UL << ((unsigned)i % BITS_PER_ULONG);
	/* The kernel reads maxnode - 1 bits (a historical off-by-one kept as ABI). */
	*maxnode = (unsigned long)last + 2;
	return 0;
}

static long apply_policy(void *p, size_t len, const struct mem_policy *pol,
			 unsigned flags)
{
	unsigned long mask[NODEMASK_WORDS], maxnode = 0;
	int ret;

	if (mode_has_nodes(pol->mode)) {
		ret = fill_nodemask(pol->nodes, mask, &maxnode);
		if (ret)
			return ret;
	}
	if (mbind(p, len, pol_info[pol->mode].kmode, maxnode ? mask : NULL, maxnode,
		  flags) < 0)
		return -errno;
	return 0;
}

int mem_policy_set_thread(const struct mem_policy *pol)
{
	unsigned long mask[NODEMASK_WORDS], maxnode = 0;
	int ret;

	if ((unsigned)pol->mode >= NR_POL_MODES)
		return -EINVAL;
	if (mode_has_nodes(pol->mode)) {
		ret = fill_nodemask(pol->nodes, mask, &maxnode);
		if (ret)
			return ret;
	}
	if (set_mempolicy(pol_info[pol->mode].kmode, maxnode ? mask : NULL, maxnode) < 0)
		return -errno;
	return 0;
}

/* The nodes of the running kernel (with memory if `memory`); caller frees. */
static hwloc_bitmap_t kernel_nodes(bool memory)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int max = numa_max_node();

	for (int n = 0; set && n <= max && n < NODEMASK_BITS; n++) {
		long long sz = numa_node_size64(n, NULL);

		if (memory ? sz > 0 : sz >= 0)
			hwloc_bitmap_set(set, (unsigned)n);
	}
	return set;
}

static const char *list_str(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	if (!set || hwloc_bitmap_iszero(set))
		snprintf(buf, len, "none");
	else
		hwloc_bitmap_list_snprintf(buf, len, set);
	return buf;
}

/* ------------------------------------------------------------------ policy check */

static int check_nodes(const struct mem_policy *pol, int max_node)
{
	const char *opt = pol->label ? pol->label : pol_info[pol->mode].label;
	unsigned long allowed[NODEMASK_WORDS];
	hwloc_bitmap_t exist = NULL, mem = NULL, mems = NULL;
	char list[256], want[256];
	int w, ret = -EINVAL;

	if (!pol->nodes || hwloc_bitmap_iszero(pol->nodes)) {
		exist = kernel_nodes(true);
		locus_error("%s: empty node set; give at least one node (nodes with memory: %s)",
			    opt, list_str(exist, list, sizeof(list)));
		goto out;
	}
	w = hwloc_bitmap_weight(pol->nodes);
	list_str(pol->nodes, want, sizeof(want));
	if (w < 0 || hwloc_bitmap_last(pol->nodes) >= NODEMASK_BITS) {
		locus_error("%s: node set '%s' is too large (nodes are 0-%d at most)", opt, want,
			    NODEMASK_BITS - 1);
		goto out;
	}
	if (pol->mode == MEM_POL_PREFERRED && w != 1) {
		locus_error("%s: takes exactly one node, got %d (%s); the preferred-many policy takes several",
			    opt, w, want);
		goto out;
	}
	exist = kernel_nodes(false);
	mem = kernel_nodes(true);
	if (!exist || !mem)
		goto nomem;
	/* The cpuset may allow fewer memory nodes than exist; mbind would fail later. */
	if (get_mempolicy(NULL, allowed, NODEMASK_BITS + 1, NULL, MPOL_F_MEMS_ALLOWED) == 0) {
		mems = hwloc_bitmap_alloc();
		if (!mems)
			goto nomem;
		for (int n = 0; n < NODEMASK_BITS; n++)
			if (allowed[n / BITS_PER_ULONG] & (1UL << (n % BITS_PER_ULONG)))
				hwloc_bitmap_set(mems, (unsigned)n);
	}
	for (int n = hwloc_bitmap_first(pol->nodes); n >= 0;
	     n = hwloc_bitmap_next(pol->nodes, n)) {
		if ((max_node >= 0 && n > max_node) || !hwloc_bitmap_isset(exist, (unsigned)n)) {
			locus_error("%s: node %d does not exist (nodes: %s)", opt, n,
				    list_str(exist, list, sizeof(list)));
			goto out;
		}
		if (!hwloc_bitmap_isset(mem, (unsigned)n)) {
			locus_error("%s: node %d has no memory (nodes with memory: %s)", opt, n,
				    list_str(mem, list, sizeof(list)));
			goto out;
		}
		if (mems && !hwloc_bitmap_isset(mems, (unsigned)n)) {
			locus_error("%s: node %d is not allowed to this process (cpuset memory nodes: %s)",
				    opt, n, list_str(mems, list, sizeof(list)));
			goto out;
		}
	}
	ret = 0;
	goto out;
nomem:
	ret = -ENOMEM;
	locus_error("%s: out of memory", opt);
out:
	hwloc_bitmap_free(exist);
	hwloc_bitmap_free(mem);
	hwloc_bitmap_free(mems);
	return ret;
}

/*
 * Whether the kernel knows the mode: mbind() on a scratch page, which changes no
 * thread's policy (set_mempolicy would need a throwaway thread).  The nodes were
 * checked before, so EINVAL can only mean an unknown mode.
 */
static int probe_mode(const struct mem_policy *pol)
{
	const char *opt = pol->label ? pol->label : pol_info[pol->mode].label;
	size_t len = base_page();
	void *p;
	long ret;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		locus_error("%s: cannot map a scratch page: %s", opt, strerror(errno));
		return (int)ret;
	}
	ret = apply_policy(p, len, pol, 0);
	munmap(p, len);
	if (ret == -EINVAL) {
		locus_error("%s: not supported by this kernel (needs Linux >= %s)", opt,
			    pol_info[pol->mode].needs);
		return -EOPNOTSUPP;
	}
	if (ret == -ENOSYS) {
		locus_error("%s: not supported by this kernel (built without NUMA)", opt);
		return -EOPNOTSUPP;
	}
	if (ret < 0) {
		locus_error("%s: mbind: %s", opt, strerror((int)-ret));
		return (int)ret;
	}
	return 0;
}

int mem_policy_check(const struct mem_policy *pol, int max_node)
{
	int ret;

	if (!pol || pol->mode == MEM_POL_DEFAULT)
		return 0;
	if ((unsigned)pol->mode >= NR_POL_MODES) {
		locus_error("memory policy: unknown mode %d", (int)pol->mode);
		return -EINVAL;
	}
	if (mode_has_nodes(pol->mode)) {
		ret = check_nodes(pol, max_node);
		if (ret)
			return ret;
	}
	return probe_mode(pol);
}

/* ------------------------------------------------------------------ allocation */

/* The message for a hugetlb mmap that failed: what is free and how to get more. */
static int hugetlb_failed(enum mem_page page, uint64_t span, int err)
{
	const char *name = mem_page_name(page);
	unsigned long need = (unsigned long)(span / mem_page_bytes(page));
	unsigned long freep = mem_hugepages_free(page);
	char sz[32], path[PATH_MAX];
	long nr = 0;

	format_size(span, sz, sizeof(sz));
	if (!sysfs_exists(mem_pool_dir(page))) {
		locus_error("%s pages: this machine has no hugetlb pool of that size (%s is missing)",
			    name, sysfs_path(mem_pool_dir(page), path, sizeof(path)));
		return -ENOMEM;
	}
	if (err != ENOMEM) {
		locus_error("%s pages: cannot map %s: %s", name, sz, strerror(err));
		return -err;
	}
	mem_pool_read(page, "nr_hugepages", &nr);
	locus_error("%s pages: cannot map %s (%lu page%s): the hugetlb pool has %lu free; reserve more as root with 'echo %lu > /%s/nr_hugepages'",
		    name, sz, need, need == 1 ? "" : "s", freep, (unsigned long)(nr > 0 ? nr : 0) +
		    (need > freep ? need - freep : 0), mem_pool_dir(page));
	return -ENOMEM;
}

/*
 * With MPOL_BIND a hugetlb fault can only take pages from the bound nodes, but the
 * mmap-time reservation counts the whole pool: without this check a bind to a node with
 * too few free pages ends in SIGBUS at first touch.  Unknown counts do not block.
 */
static int hugetlb_bind_check(const struct mem_region *r, uint64_t span)
{
	const char *name = mem_page_name(r->asked);
	unsigned long need = (unsigned long)(span / mem_page_bytes(r->asked));
	unsigned long sum = 0;
	char rel[160], list[256];
	long v;

	if (mem_pool_read(r->asked, "nr_overcommit_hugepages", &v) == 0 && v > 0)
		return 0;   /* surplus pages can be allocated on the bound node at fault */
	for (int n = hwloc_bitmap_first(r->policy.nodes); n >= 0;
	     n = hwloc_bitmap_next(r->policy.nodes, n)) {
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/hugepages/%s/free_hugepages",
			 n, strrchr(mem_pool_dir(r->asked), '/') + 1);
		if (sysfs_read_long(rel, &v) < 0 || v < 0)
			return 0;
		sum += (unsigned long)v;
	}
	if (sum >= need)
		return 0;
	list_str(r->policy.nodes, list, sizeof(list));
	locus_error("%s pages: %lu needed on node(s) %s but only %lu free there (touching them would end in SIGBUS); reserve more on a node as root with 'echo N > /sys/devices/system/node/nodeX/hugepages/%s/nr_hugepages'",
		    name, need, list, sum, strrchr(mem_pool_dir(r->asked), '/') + 1);
	return -ENOMEM;
}

static int map_hugetlb(struct mem_region *r, size_t len, enum mem_page page)
{
	uint64_t hp = mem_page_bytes(page);
	uint64_t span = round_up(len, hp);
	int shift = page == MEM_PAGE_1G ? 30 : 21;
	void *m;

	if (span > SIZE_MAX)
		return -ENOMEM;
	/* MAP_PRIVATE reserves the pages now, so an empty pool fails here, not at touch. */
	m = mmap(NULL, (size_t)span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (shift << MAP_HUGE_SHIFT), -1, 0);
	if (m == MAP_FAILED)
		return hugetlb_failed(page, span, errno);
	/* hugetlb VMAs never merge with a neighbour (each has its own file): no guards. */
	r->map = r->p = m;
	r->map_len = (size_t)span;
	return 0;
}

/*
 * Anonymous memory between two PROT_NONE guards, so that the kernel cannot merge the
 * region's VMA with a neighbour's and smaps describes this region alone.  THP asks for
 * a 2 MiB-aligned start and length: only whole aligned 2 MiB ranges inside the VMA can
 * be huge.
 */
static int map_anon(struct mem_region *r, size_t len, enum mem_page page)
{
	uint64_t base = base_page();
	uint64_t align = page == MEM_PAGE_THP ? SZ_2M : base;
	uint64_t span = round_up(len, align);
	uint64_t map_len = span + 2 * base + (align - base);
	uintptr_t start;
	char *m;

	if (map_len > SIZE_MAX || map_len < len)
		return -ENOMEM;
	/* PROT_NONE is not charged to the commit limit; mprotect charges the usable range
	 * only, so strict overcommit still refuses what it cannot back (no MAP_NORESERVE). */
	m = mmap(NULL, (size_t)map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	start = (uintptr_t)round_up((uintptr_t)m + base, align);
	r->map = m;
	r->map_len = (size_t)map_len;
	r->p = (void *)start;
	if (mprotect(r->p, (size_t)span, PROT_READ | PROT_WRITE) < 0)
		return -errno;
	if (page == MEM_PAGE_4K && madvise(r->p, (size_t)span, MADV_NOHUGEPAGE) < 0 &&
	    errno != EINVAL)
		/* EINVAL: a kernel without THP, whose pages are all 4K anyway */
		return -errno;
	if (page == MEM_PAGE_THP && madvise(r->p, (size_t)span, MADV_HUGEPAGE) < 0)
		locus_warn("THP: madvise(MADV_HUGEPAGE): %s; the region gets base pages (its verification will say so)",
			   strerror(errno));
	return 0;
}

/* The length of the usable range as mapped (len rounded up to the page granule). */
static uint64_t region_span(const struct mem_region *r)
{
	uint64_t g = r->asked == MEM_PAGE_THP ? SZ_2M : mem_page_bytes(r->asked);

	return round_up(r->len, g);
}

int mem_alloc(struct mem_region *r, size_t len, enum mem_page page, const struct mem_policy *pol)
{
	enum mem_policy_mode mode = pol ? pol->mode : MEM_POL_DEFAULT;
	char sz[32], list[256];
	int ret;

	memset(r, 0, sizeof(*r));
	if (!len || (unsigned)page >= NR_PAGE_KINDS || (unsigned)mode >= NR_POL_MODES) {
		locus_error("memory: bad allocation request (%zu bytes, page kind %d, policy %d)",
			    len, (int)page, (int)mode);
		return -EINVAL;
	}
	if (mode_has_nodes(mode) && (!pol->nodes || hwloc_bitmap_iszero(pol->nodes) ||
				     hwloc_bitmap_weight(pol->nodes) < 0)) {
		locus_error("%s: empty node set", pol->label ? pol->label : pol_info[mode].label);
		return -EINVAL;
	}
	format_size(len, sz, sizeof(sz));
	if (page == MEM_PAGE_2M || page == MEM_PAGE_1G) {
		ret = map_hugetlb(r, len, page);
	} else {
		ret = map_anon(r, len, page);
		if (ret)
			locus_error("memory: cannot map %s (%s pages): %s", sz, mem_page_name(page),
				    strerror(-ret));
	}
	if (ret)
		goto fail;
	r->len = len;
	r->asked = page;
	r->policy.mode = mode;
	if (mode_has_nodes(mode)) {
		r->policy.nodes = hwloc_bitmap_dup(pol->nodes);
		if (!r->policy.nodes) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	if (mode == MEM_POL_BIND && (page == MEM_PAGE_2M || page == MEM_PAGE_1G)) {
		ret = hugetlb_bind_check(r, region_span(r));
		if (ret)
			goto fail;
	}
	if (mode != MEM_POL_DEFAULT) {
		ret = (int)apply_policy(r->p, (size_t)region_span(r), &r->policy,
					pol_info[mode].mbind_flags);
		if (ret) {
			locus_error("%s %s: cannot apply the policy to %s: mbind: %s",
				    pol->label ? pol->label : pol_info[mode].label,
				    r->policy.nodes ? list_str(r->policy.nodes, list, sizeof(list)) : "",
				    sz, strerror(-ret));
			goto fail;
		}
	}
	return 0;
fail:
	mem_free(r);
	return ret;
}

void mem_free(struct mem_region *r)
{
	if (!r)
		return;
	if (r->map && r->map_len)
		munmap(r->map, r->map_len);
	hwloc_bitmap_free(r->policy.nodes);
	memset(r, 0, sizeof(*r));
}

void mem_touch(struct mem_region *r)
{
	/* One write per page the region is made of: that faults each page in exactly once. */
	uint64_t step = r->asked == MEM_PAGE_2M || r->asked == MEM_PAGE_1G ?
			mem_page_bytes(r->asked) : base_page();
	volatile char *c = r->p;

	for (uint64_t off = 0; off < r->len; off += step)
		c[off] = 0;
}

/* ------------------------------------------------------------------ verification */

struct smaps_sum {
	double rss, anon_huge, hugetlb;  /* bytes, prorated for partly covered VMAs */
	uint64_t kernel_page;            /* largest KernelPageSize seen */
	bool hugetlb_vma;                /* VmFlags "ht" */
	unsigned vmas;
};

/* "start-end perms ..." -> true with the bounds. */
static bool smaps_header(const char *line, uintptr_t *a, uintptr_t *b)
{
	char *e;

	*a = (uintptr_t)strtoull(line, &e, 16);
	if (e == line || *e != '-')
		return false;
	line = e + 1;
	*b = (uintptr_t)strtoull(line, &e, 16);
	return e != line && *e == ' ';
}

/* "Key:   N kB" -> true with N in bytes. */
static bool smaps_value(const char *line, const char *key, double *out)
{
	size_t kl = strlen(key);
	char *e;
	unsigned long long v;

	if (strncmp(line, key, kl) != 0 || line[kl] != ':')
		return false;
	v = strtoull(line + kl + 1, &e, 10);
	while (*e == ' ' || *e == '\t')
		e++;
	*out = (double)v * (strncmp(e, "kB", 2) == 0 ? 1024.0 : 1.0);
	return true;
}

static int smaps_scan(uintptr_t start, uintptr_t end, struct smaps_sum *s)
{
	char *line = NULL;
	size_t cap = 0;
	double frac = 0, v;
	bool in = false;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		uintptr_t a, b;

		if (smaps_header(line, &a, &b)) {
			in = a < end && b > start;
			if (in) {
				uintptr_t lo = a > start ? a : start, hi = b < end ? b : end;

				frac = (double)(hi - lo) / (double)(b - a);
				s->vmas++;
			}
			continue;
		}
		if (!in)
			continue;
		if (smaps_value(line, "Rss", &v))
			s->rss += v * frac;
		else if (smaps_value(line, "AnonHugePages", &v))
			s->anon_huge += v * frac;
		else if (smaps_value(line, "Private_Hugetlb", &v) ||
			 smaps_value(line, "Shared_Hugetlb", &v))
			s->hugetlb += v * frac;
		else if (smaps_value(line, "KernelPageSize", &v) && v > s->kernel_page)
			s->kernel_page = (uint64_t)v;
		else if (strncmp(line, "VmFlags:", 8) == 0) {
			for (const char *t = line + 8; (t = strstr(t, " ht")); t += 3)
				if (t[3] == ' ' || t[3] == '\n' || t[3] == '\0')
					s->hugetlb_vma = true;
		}
	}
	free(line);
	fclose(f);
	return s->vmas ? 0 : -ENOENT;
}

static const char *size_name(uint64_t bytes)
{
	if (bytes == 4096)
		return "4K";
	if (bytes == SZ_2M)
		return "2M";
	if (bytes == SZ_1G)
		return "1G";
	return "other";
}

static int verify_pages(const struct mem_region *r, struct mem_verified *v)
{
	uintptr_t start = (uintptr_t)r->p;
	struct smaps_sum s;
	uint64_t base = base_page();
	int ret;

	ret = smaps_scan(start, start + (uintptr_t)region_span(r), &s);
	if (ret < 0) {
		locus_error("memory: cannot read this region's entry in /proc/self/smaps: %s",
			    strerror(-ret));
		return ret;
	}
	if (s.hugetlb_vma || s.kernel_page > base) {
		v->page_size = s.kernel_page;
		v->page_name = size_name(s.kernel_page);
		v->rss_bytes = (uint64_t)(s.rss + s.hugetlb + 0.5);
		v->huge_fraction = 1.0;   /* every page of a hugetlb mapping is huge */
	} else {
		v->rss_bytes = (uint64_t)(s.rss + 0.5);
		v->huge_fraction = s.rss > 0 ? s.anon_huge / s.rss : 0;
		if (v->huge_fraction > 1)
			v->huge_fraction = 1;
		if (s.rss > 0 && s.anon_huge * 2 >= s.rss) {
			v->page_size = SZ_2M;
			v->page_name = "THP";
		} else {
			v->page_size = base;
			v->page_name = size_name(base);
		}
	}
	switch (r->asked) {
	case MEM_PAGE_4K:
		v->page_ok = !s.hugetlb_vma && s.anon_huge == 0;
		break;
	case MEM_PAGE_THP:
		v->page_ok = !s.hugetlb_vma && s.anon_huge >= THP_OK_FRACTION * (double)r->len;
		break;
	case MEM_PAGE_2M:
	case MEM_PAGE_1G:
		v->page_ok = s.hugetlb_vma && s.kernel_page == mem_page_bytes(r->asked);
		break;
	default:
		v->page_ok = true;
	}
	return 0;
}

static bool node_allowed(const struct mem_policy *pol, int node)
{
	if (!mode_has_nodes(pol->mode))
		return true;
	return pol->nodes && hwloc_bitmap_isset(pol->nodes, (unsigned)node);
}

static int verify_placement(const struct mem_region *r, unsigned max_samples,
			    struct mem_verified *v)
{
	uint64_t pg = r->asked == MEM_PAGE_2M || r->asked == MEM_PAGE_1G ?
		      mem_page_bytes(r->asked) : base_page();
	uint64_t npages = (r->len + pg - 1) / pg;
	unsigned n = max_samples ? max_samples : 1024, counts[64] = { 0 }, good = 0;
	hwloc_bitmap_t seen = NULL;
	void **pages = NULL;
	int *status = NULL, ret = 0;

	if (n > npages)
		n = (unsigned)npages;
	pages = calloc(n, sizeof(*pages));
	status = calloc(n, sizeof(*status));
	seen = hwloc_bitmap_alloc();
	if (!pages || !status || !seen) {
		ret = -ENOMEM;
		goto out;
	}
	/* Evenly spread, so every part (and every thread's first-touch share) is seen. */
	for (unsigned i = 0; i < n; i++)
		pages[i] = (char *)r->p + (size_t)((uint64_t)i * npages / n * pg);
	/* nodes == NULL: move nothing, report where each page is (or -errno). */
	if (move_pages(0, n, pages, NULL, status, 0) < 0) {
		if (errno == ENOSYS) {
			locus_warn("memory: placement cannot be verified (kernel without NUMA)");
			goto out;
		}
		ret = -errno;
		locus_error("memory: move_pages: %s", strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		int st = status[i];

		if (st >= 0) {
			hwloc_bitmap_set(seen, (unsigned)st);
			if (st < 64)
				counts[st]++;
			if (node_allowed(&r->policy, st))
				good++;
		} else if (st == -ENOENT || st == -EFAULT) {
			/* A page never touched: -ENOENT on current kernels (seen: 6.18), but
			 * -EFAULT on older ones for anonymous memory (seen: 6.1, Debian 12's,
			 * in the aarch64 guest: follow_page(FOLL_DUMP) finds no page table). */
			v->pages_not_present++;
		} else {
			v->pages_error++;
		}
	}
	v->pages_sampled = n;
	v->nr_nodes_seen = hwloc_bitmap_weight(seen);
	for (int i = 0; i < 64; i++)
		v->node_fraction[i] = n ? (double)counts[i] / n : 0;
	v->placement_ok = n ? (double)good / n : 0;
out:
	hwloc_bitmap_free(seen);
	free(pages);
	free(status);
	return ret;
}

int mem_verify(const struct mem_region *r, unsigned max_samples, struct mem_verified *v)
{
	int ret;

	memset(v, 0, sizeof(*v));
	if (!r || !r->p || !r->len)
		return -EINVAL;
	ret = verify_pages(r, v);
	if (ret)
		return ret;
	return verify_placement(r, max_samples, v);
}

json_t *mem_verified_json(const struct mem_region *r, const struct mem_verified *v)
{
	json_t *o = json_object(), *nodes = json_null(), *frac = json_object();
	char key[16];

	if (!o || !frac) {
		json_decref(o);
		json_decref(frac);
		return NULL;
	}
	if (r->policy.nodes && mode_has_nodes(r->policy.mode)) {
		nodes = json_array();
		for (int n = hwloc_bitmap_first(r->policy.nodes); nodes && n >= 0;
		     n = hwloc_bitmap_next(r->policy.nodes, n))
			json_array_append_new(nodes, json_integer(n));
	}
	for (int i = 0; i < 64; i++) {
		if (v->node_fraction[i] > 0) {
			snprintf(key, sizeof(key), "%d", i);
			json_object_set_new(frac, key, json_real(v->node_fraction[i]));
		}
	}
	json_object_set_new(o, "page_size_asked", json_string(mem_page_name(r->asked)));
	json_object_set_new(o, "page_size", json_string(v->page_name ? v->page_name : "unknown"));
	json_object_set_new(o, "page_size_bytes", json_integer((json_int_t)v->page_size));
	json_object_set_new(o, "huge_fraction", json_real(v->huge_fraction));
	json_object_set_new(o, "page_size_ok", json_boolean(v->page_ok));
	json_object_set_new(o, "rss_bytes", json_integer((json_int_t)v->rss_bytes));
	json_object_set_new(o, "policy", json_string(mem_policy_name(r->policy.mode)));
	json_object_set_new(o, "nodes_asked", nodes);
	json_object_set_new(o, "node_fraction", frac);
	json_object_set_new(o, "placement_ok",
			    v->pages_sampled ? json_real(v->placement_ok) : json_null());
	json_object_set_new(o, "pages_sampled", json_integer(v->pages_sampled));
	json_object_set_new(o, "pages_not_present", json_integer(v->pages_not_present));
	json_object_set_new(o, "pages_error", json_integer(v->pages_error));
	return o;
}
