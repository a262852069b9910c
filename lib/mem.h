/* SPDX-License-Identifier: MIT */
/*
 * mem.h — the one allocator for benchmark memory: page size + memory policy + verification.
 *
 * Every benchmark buffer comes from here, so every result can say what memory it really
 * measured.  A region is mmap'ed, given its page-size advice (MADV_NOHUGEPAGE for 4K,
 * MADV_HUGEPAGE on a 2 MiB-aligned range for THP, MAP_HUGETLB|MAP_HUGE_2MB/1GB for
 * hugetlb) and its memory policy (mbind) BEFORE the first touch, and afterwards
 * verified: the page size from /proc/self/smaps (AnonHugePages, KernelPageSize) and the
 * placement from move_pages(…, NULL, status) on a sample of pages.  What was obtained
 * is recorded; a region that did not get what was asked for is never reported as such.
 */
#ifndef LOCUS_MEM_H
#define LOCUS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hwloc.h>
#include <jansson.h>

enum mem_page {
	MEM_PAGE_DEFAULT = 0, /* whatever the system does (THP per its mode) */
	MEM_PAGE_4K,          /* MADV_NOHUGEPAGE */
	MEM_PAGE_THP,         /* MADV_HUGEPAGE on a 2 MiB-aligned range */
	MEM_PAGE_2M,          /* hugetlb 2 MiB */
	MEM_PAGE_1G,          /* hugetlb 1 GiB */
};
/* "default", "4K", "THP", "2M", "1G" */
const char *mem_page_name(enum mem_page p);
/* Bytes of one page of that kind: the base page size (4096 here) for DEFAULT and 4K,
 * 2 MiB for THP and 2M, 1 GiB for 1G. */
uint64_t mem_page_bytes(enum mem_page p);
/* Parse one of the names above (case-insensitive); prints an error naming the allowed
 * values and returns -EINVAL on anything else. */
int mem_page_parse(const char *what, const char *s, enum mem_page *out);

enum mem_policy_mode {
	MEM_POL_DEFAULT = 0,        /* leave the process policy alone */
	MEM_POL_BIND,
	MEM_POL_INTERLEAVE,
	MEM_POL_PREFERRED,          /* exactly one node */
	MEM_POL_PREFERRED_MANY,     /* kernel >= 5.15 */
	MEM_POL_WEIGHTED_INTERLEAVE,/* kernel >= 6.9 */
	MEM_POL_LOCAL,
};
struct mem_policy {
	enum mem_policy_mode mode;
	hwloc_bitmap_t nodes;       /* OS node indices; NULL for DEFAULT/LOCAL */
	const char *label;          /* what messages call it (the caller's wording, e.g.
				     * the option that asked for it; borrowed), or NULL:
				     * "bind policy", ... */
};
/* "default", "bind", "interleave", "preferred", "preferred-many", "weighted-interleave",
 * "local" */
const char *mem_policy_name(enum mem_policy_mode m);

/*
 * Check a policy against the machine before anything is allocated: every node must
 * exist and have memory (libnuma would silently fall back to node 0), `preferred`
 * takes one node, and the mode must be supported by the running kernel (probed with
 * set_mempolicy on a throwaway thread or get_mempolicy).  Prints a one-line error and
 * returns -EINVAL (bad input) or -EOPNOTSUPP (kernel too old).
 * Details: max_node is the highest OS node index the caller knows of (-1: no limit);
 * the nodes are checked against the running kernel (through libnuma, never the
 * --sysroot: the policy is applied by this kernel), including the cpuset's allowed
 * memory nodes; the support probe is an mbind() on a scratch page, so no thread's
 * policy changes.  Messages name the option of the mode ("--membind", "--interleave",
 * "--preferred", "--preferred-many", "--weighted-interleave", "--localalloc"), e.g.
 * "locus: --membind: node 3 does not exist (nodes: 0)".  DEFAULT (or pol NULL) is 0.
 */
int mem_policy_check(const struct mem_policy *pol, int max_node);

/* Set the calling thread's policy (set_mempolicy), e.g. in a child between fork and
 * exec; nothing is checked here (mem_policy_check first).  Returns 0 or -errno. */
int mem_policy_set_thread(const struct mem_policy *pol);

struct mem_region {
	void *p;                   /* usable start (aligned as the page size requires) */
	size_t len;                /* bytes requested */
	void *map;                 /* what was mmap'ed (for munmap) */
	size_t map_len;
	enum mem_page asked;
	struct mem_policy policy;  /* copy of what was asked (nodes bitmap owned) */
};

/*
 * Map len bytes with the page size and policy asked (the policy may be NULL = default).
 * Does not touch the memory: the caller's threads first-touch their own parts.
 * Returns 0; -ENOMEM when the hugetlb pool cannot supply the pages (a message says how
 * many pages are free and how to reserve more; also when the machine has no pool of
 * that size at all, or when --membind nodes lack the free hugetlb pages, which would
 * otherwise end in SIGBUS at first touch); -EINVAL on bad arguments or a policy the
 * kernel rejects; another negative errno if mmap/mbind fail otherwise.  On error *r is
 * zeroed, so mem_free(r) is always safe.  The region is fenced by PROT_NONE guard pages
 * so the kernel never merges it with a neighbour (smaps then describes it alone).
 */
int mem_alloc(struct mem_region *r, size_t len, enum mem_page page, const struct mem_policy *pol);
void mem_free(struct mem_region *r);

/* Touch every page once (write), from the calling thread. */
void mem_touch(struct mem_region *r);

struct mem_verified {
	uint64_t page_size;        /* dominant page size actually backing the region, bytes */
	const char *page_name;     /* its name: "4K", "THP", "2M", "1G" */
	double huge_fraction;      /* fraction of the region's RSS in huge pages */
	uint64_t rss_bytes;        /* resident bytes of the region */
	bool page_ok;              /* got the page size asked for (always true for DEFAULT) */
	int nr_nodes_seen;
	double node_fraction[64];  /* fraction of sampled pages per node (index = OS node) */
	double placement_ok;       /* fraction of sampled pages on a node the policy allows
				    * (PREFERRED*: on an asked node; DEFAULT/LOCAL: any node);
				    * pages not present count as not ok */
	unsigned pages_sampled;    /* 0 when placement could not be checked (no NUMA) */
	unsigned pages_not_present;/* sampled pages never touched (move_pages -ENOENT) */
	unsigned pages_error;      /* sampled pages with another negative status */
};

/*
 * Verify a touched region: page size from /proc/self/smaps, placement from move_pages
 * on up to max_samples pages spread over the region (0 = 1024).  Returns 0 or a negative
 * errno.  mem_verified_json() gives the "verified" object recorded in results:
 * {page_size_asked, page_size, page_size_bytes, huge_fraction, page_size_ok,
 *  policy, nodes_asked, node_fraction: {"0": 1.0, ...}, placement_ok, pages_sampled}
 * plus rss_bytes, pages_not_present and pages_error; nodes_asked is an array of OS
 * node indices (null for default/local), placement_ok is null when pages_sampled is 0.
 * page_size_ok: DEFAULT always; 4K when no byte is in a huge page; THP when
 * AnonHugePages covers >= 90% of len; 2M/1G when the mapping is hugetlb of that size.
 */
int mem_verify(const struct mem_region *r, unsigned max_samples, struct mem_verified *v);
json_t *mem_verified_json(const struct mem_region *r, const struct mem_verified *v);

/*
 * MemAvailable in bytes, or less when this process's memory cgroup (v2 memory.max or
 * v1 memory.limit_in_bytes, minus its usage other than inactive file cache) leaves
 * less headroom; 0 when unknown.  Always the real machine's /proc/meminfo, even under
 * a fake --sysroot: the budget protects this process from the OOM killer.
 */
uint64_t mem_available(void);
/* The largest working set mem_check_budget() accepts: 80% of mem_available(), rounded
 * down to a MiB; 0 when unknown (then every size is accepted). */
uint64_t mem_budget(void);

/*
 * Refuse working sets larger than 80% of MemAvailable up front (so locus never gets
 * itself OOM-killed): prints "locus: WHAT: SIZE is more than 80% of available memory;
 * the largest allowed is N" and returns -E2BIG.  Returns 0 when it fits (or when the
 * available memory is unknown).
 */
int mem_check_budget(const char *what, uint64_t bytes);

/*
 * Hugetlb pool reservation for a run (root only): raise the global pool of `page` to
 * hold at least `count` free pages, remember the original value, and give everything
 * back in mem_hugepages_release() — which is also called from an atexit handler and
 * from SIGINT/SIGTERM/SIGHUP handlers installed on first reservation, so pages are
 * returned on error and on signals.  Partial reservations are reported (the kernel may
 * grant fewer pages than asked).  Returns the number of free pages now available, or a
 * negative errno (-EPERM when not root, with a message).
 */
long mem_hugepages_reserve(enum mem_page page, unsigned long count);
/*
 * Details of the above.  The pool files are sys/kernel/mm/hugepages/hugepages-2048kB/
 * (or -1048576kB) nr_hugepages and free_hugepages through sysfs.h, so a --sysroot
 * fixture receives the writes instead of the kernel (a fixture's free_hugepages does
 * not move, so the free count returned is then computed as the kernel would).  -EINVAL
 * for a page kind without a pool (DEFAULT/4K/THP), -EOPNOTSUPP when the machine has no
 * pool of that size.  Signal handlers are installed only for signals still at their
 * default disposition (a program with its own handlers exits normally and the atexit
 * handler restores); they restore, then re-raise with the default disposition.
 * Release leaves a pool alone (with a warning) if someone else changed nr_hugepages
 * since locus set it; it is idempotent.
 */
void mem_hugepages_release(void);
/* Free pages of that size in the global pool now (0 when none / unknown). */
unsigned long mem_hugepages_free(enum mem_page page);

#endif
