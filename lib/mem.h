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
 */
int mem_policy_check(const struct mem_policy *pol, int max_node);

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
 * many pages are free and how to reserve more); -EINVAL on bad arguments.
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
	double placement_ok;       /* fraction of sampled pages on a node the policy allows */
	unsigned pages_sampled;
};

/*
 * Verify a touched region: page size from /proc/self/smaps, placement from move_pages
 * on up to max_samples pages spread over the region (0 = 1024).  Returns 0 or a negative
 * errno.  mem_verified_json() gives the "verified" object recorded in results:
 * {page_size_asked, page_size, page_size_bytes, huge_fraction, page_size_ok,
 *  policy, nodes_asked, node_fraction: {"0": 1.0, ...}, placement_ok, pages_sampled}.
 */
int mem_verify(const struct mem_region *r, unsigned max_samples, struct mem_verified *v);
json_t *mem_verified_json(const struct mem_region *r, const struct mem_verified *v);

/* MemAvailable in bytes (through sysfs.h), or 0 when unknown. */
uint64_t mem_available(void);

/*
 * Refuse working sets larger than 80% of MemAvailable up front (so locus never gets
 * itself OOM-killed): prints "locus: WHAT: SIZE is more than 80% of available memory;
 * the largest allowed is N" and returns -E2BIG.
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
void mem_hugepages_release(void);
/* Free pages of that size in the global pool now (0 when none / unknown). */
unsigned long mem_hugepages_free(enum mem_page page);

#endif
