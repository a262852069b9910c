/* SPDX-License-Identifier: MIT */
/*
 * recommend.c — `locus tune recommend`: settings proposed for this machine, each with
 * its reason, and the profile that agrees best with them.  Applies nothing.
 *
 * The rules are data (one row per setting: when it applies, the value, why), driven by
 * what the machine is: NUMA nodes (from sys/devices/system/node under the sysroot),
 * memory and swap (proc/meminfo), the THP words this kernel offers.  tune never
 * measures; these are the field's well-known defaults for services that pin their
 * threads and memory, stated with their reasons so that a person can disagree.
 */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sysfs.h"
#include "tune.h"

/* NUMA nodes present under the sysroot (node0, node1, ...); 0 when unknown. */
static int count_nodes(void)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(sysfs_path("sys/devices/system/node", path, sizeof(path)));
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "node", 4) == 0 && isdigit((unsigned char)de->d_name[4]))
			n++;
	closedir(d);
	return n;
}

void tune_machine_read(struct tune_machine *m)
{
	long long v;

	memset(m, 0, sizeof(*m));
	m->nodes = count_nodes();
	m->mem_bytes = sysfs_meminfo("proc/meminfo", "MemTotal", &v) == 0 ? v : -1;
	m->swap_bytes = sysfs_meminfo("proc/meminfo", "SwapTotal", &v) == 0 ? v : -1;
}

struct rule {
	const char *name;
	const char *value;      /* first choice */
	const char *fallback;   /* when this kernel does not offer value */
	bool (*applies)(const struct tune_machine *m, char *why, size_t len);
};

static bool multi_node(const struct tune_machine *m, char *why, size_t len)
{
	if (m->nodes < 2)
		return false;
	snprintf(why, len, "%d NUMA nodes: ", m->nodes);
	return true;
}

static bool always(const struct tune_machine *m, char *why, size_t len)
{
	(void)m;
	why[0] = '\0';
	(void)len;
	return true;
}

static bool has_swap(const struct tune_machine *m, char *why, size_t len)
{
	if (m->swap_bytes <= 0)
		return false;
	snprintf(why, len, "%.1f GiB of swap: ", (double)m->swap_bytes / (1 << 30));
	return true;
}

static const struct rule rules[] = {
	{ .name = "kernel.numa_balancing", .value = "0", .applies = multi_node },
	{ .name = "vm.zone_reclaim_mode", .value = "0", .applies = multi_node },
	{ .name = "thp.enabled", .value = "madvise", .applies = always },
	{ .name = "thp.defrag", .value = "defer+madvise", .fallback = "madvise", .applies = always },
	{ .name = "vm.swappiness", .value = "10", .applies = has_swap },
};

static const char *const reasons[] = {
	"pinned services place their own memory; automatic balancing only adds hinting "
	"faults and page migrations behind their back (keep 1 for unpinned, mixed workloads)",
	"reclaiming on the local node before using another node's free memory stalls "
	"allocations; a remote access is cheaper than reclaim for most workloads",
	"huge pages where a program asks for them (MADV_HUGEPAGE): TLB reach without the "
	"memory bloat and fault-time stalls of 'always'",
	"no compaction stall at fault time except in madvised regions; kcompactd "
	"defragments in the background",
	"keep the anonymous memory of services in RAM; reclaim file cache first",
};

int tune_recommend(const struct tune_machine *m, struct tune_advice *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && n < max; i++) {
		struct tune_advice *a = &out[n];
		char why[600], pre[64];

		memset(a, 0, sizeof(*a));
		if (tune_resolve(rules[i].name, &a->key) < 0 || !tune_present(&a->key) ||
		    !rules[i].applies(m, pre, sizeof(pre)))
			continue;
		if (tune_check(&a->key, rules[i].value, a->value, sizeof(a->value), why, sizeof(why)) < 0 &&
		    (!rules[i].fallback || tune_check(&a->key, rules[i].fallback, a->value,
						      sizeof(a->value), why, sizeof(why)) < 0))
			continue;
		if (tune_read(&a->key, a->current, sizeof(a->current)) < 0)
			snprintf(a->current, sizeof(a->current), "?");
		snprintf(a->reason, sizeof(a->reason), "%s%s", pre, reasons[i]);
		n++;
	}
	return (int)n;
}
