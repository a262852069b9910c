/* SPDX-License-Identifier: MIT */
/*
 * tunables.c — the table of system tunables locus can show, set and revert.
 *
 * Each tunable is data: name, file (relative to the sysroot), type, range or choices,
 * and a description of what it does and when to change it.  Reading and writing are
 * generic; hooks handle only what the kernel does oddly (see tune.h).  All file access
 * goes through lib/sysfs.h so that --sysroot fixture trees stand in for /proc and /sys.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "sysfs.h"
#include "tune.h"

static const char *const thp_enabled_choices[] = { "always", "madvise", "never", NULL };
static const char *const thp_defrag_choices[] = {
	"always", "defer", "defer+madvise", "madvise", "never", NULL
};

#define HP_NODE_FMT "sys/devices/system/node/node%d/hugepages/%s/nr_hugepages"

static const struct tunable table[] = {
	{ .name = "vm.swappiness", .path = "proc/sys/vm/swappiness", .type = TUNE_INT,
	  .min = 0, .max = 200, .hook = TUNE_HOOK_SWAPPINESS,
	  .desc = "relative weight of reclaiming anonymous memory (swap) vs file cache; "
		  "lower keeps anonymous pages in RAM, but swapping still happens at 0 "
		  "under pressure (0..100, 0..200 since 5.8)" },
	{ .name = "vm.overcommit_memory", .path = "proc/sys/vm/overcommit_memory",
	  .type = TUNE_INT, .min = 0, .max = 2,
	  .desc = "0 heuristic overcommit (refuse only obvious excess), 1 always allow, "
		  "2 never: commit limit = swap + overcommit_ratio% (or _kbytes) of RAM" },
	{ .name = "vm.overcommit_ratio", .path = "proc/sys/vm/overcommit_ratio",
	  .type = TUNE_INT, .min = 0, .max = INT_MAX, .hook = TUNE_HOOK_PAIR,
	  .partner = "vm.overcommit_kbytes",
	  .desc = "percentage of RAM in the commit limit when overcommit_memory=2; "
		  "writing it zeroes overcommit_kbytes" },
	{ .name = "vm.overcommit_kbytes", .path = "proc/sys/vm/overcommit_kbytes",
	  .type = TUNE_INT, .min = 0, .max = LONG_MAX, .hook = TUNE_HOOK_PAIR,
	  .partner = "vm.overcommit_ratio",
	  .desc = "absolute commit-limit RAM share in kB when overcommit_memory=2; "
		  "writing it zeroes overcommit_ratio" },
	{ .name = "kernel.numa_balancing", .path = "proc/sys/kernel/numa_balancing",
	  .type = TUNE_INT, .min = 0, .max = 3,
	  .desc = "automatic NUMA balancing: 1 migrates pages/tasks toward the node that "
		  "uses them (2 memory tiering); 0 for pinned workloads that place memory "
		  "themselves" },
	{ .name = "vm.zone_reclaim_mode", .path = "proc/sys/vm/zone_reclaim_mode",
	  .type = TUNE_INT, .min = 0, .max = 7,
	  .desc = "reclaim on the local node before allocating remotely (bits 1 reclaim, "
		  "2 write dirty, 4 swap); 0 (default) suits file servers and most workloads" },
	{ .name = "vm.min_free_kbytes", .path = "proc/sys/vm/min_free_kbytes",
	  .type = TUNE_INT, .min = 0, .max = INT_MAX,
	  .desc = "the min watermark kept free (low and high follow it); raise for bursty "
		  "atomic allocations or fast NICs, too high wastes memory or OOMs" },
	{ .name = "vm.watermark_scale_factor", .path = "proc/sys/vm/watermark_scale_factor",
	  .type = TUNE_INT, .min = 1, .max = 3000,
	  .desc = "gap between watermarks in 1/10000 of memory; wider wakes kswapd earlier "
		  "so allocations stall less in direct reclaim" },
	{ .name = "vm.dirty_ratio", .path = "proc/sys/vm/dirty_ratio",
	  .type = TUNE_INT, .min = 0, .max = 100,
	  .desc = "% of memory dirty before writers are throttled into writeback; lower "
		  "for steadier latency, higher for write bursts" },
	{ .name = "vm.dirty_background_ratio", .path = "proc/sys/vm/dirty_background_ratio",
	  .type = TUNE_INT, .min = 0, .max = 100,
	  .desc = "% of memory dirty before background writeback starts; keep below "
		  "dirty_ratio" },
	{ .name = "thp.enabled", .path = "sys/kernel/mm/transparent_hugepage/enabled",
	  .type = TUNE_CHOICE, .choices = thp_enabled_choices, .hook = TUNE_HOOK_THP,
	  .desc = "transparent huge pages: always, only madvise(MADV_HUGEPAGE) regions, or "
		  "never; always helps TLB-bound code, may cost memory and latency spikes" },
	{ .name = "thp.defrag", .path = "sys/kernel/mm/transparent_hugepage/defrag",
	  .type = TUNE_CHOICE, .choices = thp_defrag_choices, .hook = TUNE_HOOK_THP,
	  .desc = "how hard a THP fault compacts memory: always stalls, defer leaves it to "
		  "kcompactd, madvise stalls only for madvised regions" },
	{ .name = "hugepages.2M", .path = "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
	  .type = TUNE_INT, .min = 0, .max = INT_MAX, .hook = TUNE_HOOK_HUGEPAGES,
	  .hp_dir = "hugepages-2048kB",
	  .desc = "persistent 2 MB huge-page pool (hugetlbfs, MAP_HUGETLB); reserve early, "
		  "fragmentation can leave it partly satisfied; @nodeN for one node" },
	{ .name = "hugepages.1G", .path = "sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages",
	  .type = TUNE_INT, .min = 0, .max = INT_MAX, .hook = TUNE_HOOK_HUGEPAGES,
	  .hp_dir = "hugepages-1048576kB",
	  .desc = "persistent 1 GB huge-page pool; usually only satisfiable at boot or on "
		  "a fresh node; @nodeN for one node" },
	{ .name = "kernel.perf_event_paranoid", .path = "proc/sys/kernel/perf_event_paranoid",
	  .type = TUNE_INT, .min = -1, .max = 4,
	  .desc = "who may use perf events: -1 all, 0 no raw tracepoints, 1 user+kernel "
		  "profiling of own tasks, 2 user-space only (default), 3+ none (Debian)" },
};
#define NR_TUNABLES (sizeof(table) / sizeof(table[0]))

size_t tune_count(void)
{
	return NR_TUNABLES;
}

const struct tunable *tune_at(size_t i)
{
	return i < NR_TUNABLES ? &table[i] : NULL;
}

static const struct tunable *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NR_TUNABLES; i++)
		if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

int tune_resolve(const char *name, struct tune_key *k)
{
	const char *at = strchr(name, '@');
	const struct tunable *t = find(name, at ? (size_t)(at - name) : strlen(name));

	if (!t)
		return -ENOENT;
	memset(k, 0, sizeof(*k));
	k->t = t;
	k->node = -1;
	if (!at) {
		snprintf(k->name, sizeof(k->name), "%s", t->name);
		snprintf(k->path, sizeof(k->path), "%s", t->path);
		return 0;
	}
	if (t->hook != TUNE_HOOK_HUGEPAGES)
		return -EINVAL;
	const char *s = at + 1;
	char *end;
	if (strncmp(s, "node", 4) == 0)
		s += 4;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	long node = strtol(s, &end, 10);
	if (*end || errno || node < 0 || node > 4095)
		return -EINVAL;
	k->node = (int)node;
	snprintf(k->name, sizeof(k->name), "%s@node%ld", t->name, node);
	snprintf(k->path, sizeof(k->path), HP_NODE_FMT, k->node, t->hp_dir);
	return 0;
}

static size_t lev(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[TUNE_NAME_MAX + 1], cur[TUNE_NAME_MAX + 1];

	if (la > TUNE_NAME_MAX || lb > TUNE_NAME_MAX)
		return SIZE_MAX / 2;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t d = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						  tolower((unsigned char)b[j - 1]));
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[lb];
}

/* The distance from a name to a table name: the whole name, or its last component
 * ("swapiness" is close to "vm.swappiness"), or a substring match. */
static size_t name_distance(const char *name, const char *cand)
{
	const char *dot = strrchr(cand, '.');
	size_t d = lev(name, cand), d2;

	if (dot && (d2 = lev(name, dot + 1)) < d)
		d = d2;
	if (strlen(name) >= 3 && strstr(cand, name))
		d = d < 1 ? d : 1;
	return d;
}

const char *tune_suggest(const char *name, char *buf, size_t len)
{
	size_t best[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX }, idx[3] = { 0 }, limit;
	char base[TUNE_NAME_MAX];

	snprintf(base, sizeof(base), "%.*s", (int)strcspn(name, "@"), name);
	limit = strlen(base) / 3 + 2;
	for (size_t i = 0; i < NR_TUNABLES; i++) {
		size_t d = name_distance(base, table[i].name);

		if (d > limit)
			continue;
		for (int s = 0; s < 3; s++) {
			if (d < best[s]) {
				for (int m = 2; m > s; m--) {
					best[m] = best[m - 1];
					idx[m] = idx[m - 1];
				}
				best[s] = d;
				idx[s] = i;
				break;
			}
		}
	}
	buf[0] = '\0';
	for (int s = 0; s < 3 && best[s] != SIZE_MAX; s++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", s ? ", " : "", table[idx[s]].name);
	}
	return buf;
}

int tune_keys_all(struct tune_key **out, size_t *n)
{
	size_t cap = NR_TUNABLES + 64, cnt = 0;
	struct tune_key *k = calloc(cap, sizeof(*k));

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < NR_TUNABLES; i++) {
		tune_resolve(table[i].name, &k[cnt++]);
		if (table[i].hook != TUNE_HOOK_HUGEPAGES)
			continue;
		for (int node = 0; node < 1024; node++) {
			char rel[96], name[TUNE_NAME_MAX];

			snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d", node);
			if (!sysfs_exists(rel))
				continue;
			snprintf(name, sizeof(name), "%s@node%d", table[i].name, node);
			if (cnt == cap) {
				struct tune_key *nk = realloc(k, 2 * cap * sizeof(*k));
				if (!nk) {
					free(k);
					return -ENOMEM;
				}
				k = nk;
				cap *= 2;
			}
			tune_resolve(name, &k[cnt]);
			if (tune_present(&k[cnt]))
				cnt++;
		}
	}
	*out = k;
	*n = cnt;
	return 0;
}

bool tune_present(const struct tune_key *k)
{
	return sysfs_exists(k->path);
}

const char *tune_abspath(const struct tune_key *k, char *buf, size_t len)
{
	return sysfs_path(k->path, buf, len);
}

int tune_read(const struct tune_key *k, char *val, size_t len)
{
	char raw[512];
	int r = sysfs_read_str(k->path, raw, sizeof(raw));

	if (r < 0)
		return r;
	if (k->t->hook == TUNE_HOOK_THP) {
		char *open = strchr(raw, '['), *close = open ? strchr(open, ']') : NULL;

		if (!open || !close)
			return -EINVAL;
		*close = '\0';
		snprintf(val, len, "%s", open + 1);
		return 0;
	}
	if (k->t->type == TUNE_INT) {
		char *end;
		errno = 0;
		long v = strtol(raw, &end, 10);
		if (errno || end == raw)
			return -EINVAL;
		snprintf(val, len, "%ld", v);
		return 0;
	}
	snprintf(val, len, "%s", raw);
	return 0;
}

/* Linux 5.8 raised the swappiness maximum from 100 to 200. */
static long swappiness_max(void)
{
	char rel[128];
	int major = 0, minor = 0;

	if (sysfs_read_str("proc/sys/kernel/osrelease", rel, sizeof(rel)) < 0 ||
	    sscanf(rel, "%d.%d", &major, &minor) != 2)
		return 200;
	return (major > 5 || (major == 5 && minor >= 8)) ? 200 : 100;
}

void tune_range(const struct tune_key *k, long *min, long *max)
{
	*min = k->t->min;
	*max = k->t->hook == TUNE_HOOK_SWAPPINESS ? swappiness_max() : k->t->max;
}

size_t tune_choices(const struct tune_key *k, const char **out, size_t max, char *buf, size_t len)
{
	size_t n = 0;
	char *save = NULL, *w;

	if (k->t->type != TUNE_CHOICE)
		return 0;
	/* The kernel lists what it accepts: prefer that to the table (defrag gained
	 * "defer+madvise" in 4.11; some kernels lack it). */
	if (sysfs_read_str(k->path, buf, len) > 0 && strchr(buf, '[')) {
		for (w = strtok_r(buf, " \t", &save); w && n < max; w = strtok_r(NULL, " \t", &save)) {
			if (*w == '[') {
				w++;
				w[strcspn(w, "]")] = '\0';
			}
			out[n++] = w;
		}
		return n;
	}
	for (const char *const *c = k->t->choices; *c && n < max; c++)
		out[n++] = *c;
	return n;
}

const char *tune_allowed(const struct tune_key *k, char *buf, size_t len)
{
	if (k->t->type == TUNE_INT) {
		long min, max;

		tune_range(k, &min, &max);
		snprintf(buf, len, "%ld..%ld", min, max);
		return buf;
	}
	const char *c[16];
	char tmp[512];
	size_t n = tune_choices(k, c, 16, tmp, sizeof(tmp));

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? "|" : "", c[i]);
	}
	return buf;
}

/* The value as it may appear in a message: control bytes as '?', cut to 40 bytes. */
static const char *shown(const char *val, char *buf, size_t len)
{
	size_t i = 0;

	for (; *val && i + 4 < len && i < 40; val++)
		buf[i++] = (unsigned char)*val < 0x20 || *val == 0x7f ? '?' : *val;
	if (*val)
		memcpy(buf + i, "...", 3), i += 3;
	buf[i] = '\0';
	return buf;
}

int tune_check(const struct tune_key *k, const char *val, char *norm, size_t len,
	       char *why, size_t wlen)
{
	char allowed[256], sv[48];

	tune_allowed(k, allowed, sizeof(allowed));
	if (k->t->type == TUNE_INT) {
		long min, max, v;
		char *end;

		tune_range(k, &min, &max);
		errno = 0;
		v = strtol(val, &end, 10);
		/* Digits with an optional '-' only: no blanks, '+', or base prefixes. */
		if (!*val || *end || end == val || !(isdigit((unsigned char)val[0]) ||
						      (val[0] == '-' && isdigit((unsigned char)val[1])))) {
			snprintf(why, wlen, "%s: '%s' is not an integer; allowed %s", k->name,
				 shown(val, sv, sizeof(sv)), allowed);
			return -EINVAL;
		}
		if (errno || v < min || v > max) {
			snprintf(why, wlen, "%s: %s is out of range %s", k->name, shown(val, sv, sizeof(sv)),
				 allowed);
			return -ERANGE;
		}
		snprintf(norm, len, "%ld", v);
		return 0;
	}
	const char *c[16];
	char tmp[512];
	size_t n = tune_choices(k, c, 16, tmp, sizeof(tmp));

	for (size_t i = 0; i < n; i++) {
		if (strcmp(c[i], val) == 0) {
			snprintf(norm, len, "%s", val);
			return 0;
		}
	}
	snprintf(why, wlen, "%s: '%s' is not allowed; allowed %s", k->name, shown(val, sv, sizeof(sv)),
		 allowed);
	return -EINVAL;
}

int tune_validate(const struct tune_key *k, const char *val, char *norm, size_t len)
{
	char why[512];
	int r = tune_check(k, val, norm, len, why, sizeof(why));

	if (r < 0)
		locus_error("tune: %s", why);
	return r;
}

/* A fixture file is plain text: redo what the kernel does on a write so the tree keeps
 * looking like /proc and /sys — including the newline the kernel ends every value
 * with, so that an apply and its revert leave the tree byte-for-byte as it was. */
static int fake_write(const char *path, const char *val)
{
	char line[600];

	snprintf(line, sizeof(line), "%s\n", val);
	return sysfs_write_str(path, line);
}

static int fake_side_effects(const struct tune_key *k, const char *val)
{
	if (k->t->hook == TUNE_HOOK_THP) {
		const char *c[16];
		char tmp[512], line[512] = "";
		size_t n = tune_choices(k, c, 16, tmp, sizeof(tmp));

		for (size_t i = 0; i < n; i++) {
			size_t used = strlen(line);
			bool sel = strcmp(c[i], val) == 0;
			snprintf(line + used, sizeof(line) - used, "%s%s%s%s", i ? " " : "",
				 sel ? "[" : "", c[i], sel ? "]" : "");
		}
		return fake_write(k->path, line);
	}
	int r = fake_write(k->path, val);
	if (r < 0 || k->t->hook != TUNE_HOOK_PAIR)
		return r;
	struct tune_key partner;
	if (tune_resolve(k->t->partner, &partner) == 0 && tune_present(&partner))
		r = fake_write(partner.path, "0");
	return r;
}

int tune_write(const struct tune_key *k, const char *val)
{
	if (sysfs_is_fake())
		return fake_side_effects(k, val);
	return sysfs_write_str(k->path, val);
}

bool tune_equal(const struct tune_key *k, const char *a, const char *b)
{
	if (k->t->type == TUNE_INT) {
		char *ea, *eb;
		long va = strtol(a, &ea, 10), vb = strtol(b, &eb, 10);
		return *a && *b && !*ea && !*eb && va == vb;
	}
	return strcmp(a, b) == 0;
}
