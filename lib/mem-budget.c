/* SPDX-License-Identifier: MIT */
/*
 * mem-budget.c — how much memory a benchmark may take: MemAvailable and the memory
 * cgroup's headroom, and the check that refuses a working set beyond 80% of it.
 *
 * A working set the machine cannot hold gets this process OOM-killed (or the host
 * swapping) instead of measured, so sizes are checked before anything is mapped.
 * Deliberately read from the real /proc and /sys, never through a --sysroot fixture:
 * a fixture describes some other machine, and the OOM killer of this one decides.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "parse.h"

#define BUDGET_PERCENT 80

/* One "Key: N [kB]" value of a real (never sysroot) file; -1 when absent. */
static long long file_key(const char *path, const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long long ret = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *e;
		long long v;

		if (strncmp(line, key, kl) != 0 || (line[kl] != ':' && line[kl] != ' '))
			continue;
		v = strtoll(line + kl + 1, &e, 10);
		if (e == line + kl + 1 || v < 0)
			break;
		while (*e == ' ' || *e == '\t')
			e++;
		ret = strncmp(e, "kB", 2) == 0 ? v * 1024 : v;
		break;
	}
	fclose(f);
	return ret;
}

/* A file holding one number ("max" and v1's near-2^63 mean no limit: -1). */
static long long file_number(const char *path)
{
	char buf[64], *e;
	long long v;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	v = strtoll(buf, &e, 10);
	if (e == buf || v < 0 || v >= (1LL << 62))
		return -1;
	return v;
}

/*
 * Headroom left by the memory cgroup this process is in, and its ancestors: the
 * smallest limit - (usage - inactive file cache) on the way to the root, since the
 * cache is reclaimed before the cgroup OOM-kills.  UINT64_MAX when unlimited/unknown.
 */
static uint64_t cgroup_headroom(void)
{
	uint64_t best = UINT64_MAX;
	char line[PATH_MAX], dir[PATH_MAX + 64], path[PATH_MAX + 96];
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return best;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *cg;
		const char *root, *lim, *use, *inact;
		bool v2;

		if (!c2)
			continue;
		/* "ID:CONTROLLERS:PATH"; v2 is "0::PATH" */
		*c1 = *c2 = '\0';
		cg = c2 + 1;
		cg[strcspn(cg, "\n")] = '\0';
		v2 = strcmp(line, "0") == 0 && c1[1] == '\0';
		if (v2) {
			root = "/sys/fs/cgroup";
			lim = "memory.max";
			use = "memory.current";
			inact = "inactive_file";
		} else {
			char *ctl = c1 + 1, *save = NULL, *t;
			bool memory = false;

			for (t = strtok_r(ctl, ",", &save); t; t = strtok_r(NULL, ",", &save))
				memory |= strcmp(t, "memory") == 0;
			if (!memory)
				continue;
			root = "/sys/fs/cgroup/memory";
			lim = "memory.limit_in_bytes";
			use = "memory.usage_in_bytes";
			inact = "total_inactive_file";
		}
		/* From the process's own cgroup up to the root of the hierarchy. */
		for (;;) {
			long long l, u, in;

			snprintf(dir, sizeof(dir), "%s%s", root, strcmp(cg, "/") ? cg : "");
			snprintf(path, sizeof(path), "%s/%s", dir, lim);
			l = file_number(path);
			if (l >= 0) {
				snprintf(path, sizeof(path), "%s/%s", dir, use);
				u = file_number(path);
				snprintf(path, sizeof(path), "%s/memory.stat", dir);
				in = file_key(path, inact);
				if (u >= 0) {
					u -= in > 0 && in < u ? in : 0;
					if ((uint64_t)(l > u ? l - u : 0) < best)
						best = (uint64_t)(l > u ? l - u : 0);
				}
			}
			char *slash = strrchr(cg, '/');
			if (!slash || slash == cg)
				break;
			*slash = '\0';
		}
	}
	fclose(f);
	return best;
}

uint64_t mem_available(void)
{
	long long avail = file_key("/proc/meminfo", "MemAvailable");
	uint64_t cg = cgroup_headroom();

	if (avail <= 0)
		return 0;
	return (uint64_t)avail < cg ? (uint64_t)avail : cg;
}

uint64_t mem_budget(void)
{
	uint64_t avail = mem_available();

	/* MiB granularity: the limit printed must itself be accepted when given back. */
	return avail / 100 * BUDGET_PERCENT / (UINT64_C(1) << 20) * (UINT64_C(1) << 20);
}

int mem_check_budget(const char *what, uint64_t bytes)
{
	uint64_t lim = mem_budget();
	char a[32], b[32];

	if (!lim || bytes <= lim)
		return 0;
	locus_error("%s: %s is more than %d%% of available memory; the largest allowed is %s",
		    what, format_size(bytes, a, sizeof(a)), BUDGET_PERCENT,
		    format_size(lim, b, sizeof(b)));
	return -E2BIG;
}
