/* SPDX-License-Identifier: MIT */
/*
 * numastat.c — snapshots of the per-node allocation counters and their deltas.
 *
 * Kept cheap on purpose (one small file per node, read twice per run), because every
 * benchmark run takes two snapshots.  See numastat.h.
 */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "numastat.h"
#include "sysfs.h"

const char *const numastat_fields[NUMASTAT_NR_FIELDS] = {
	"numa_hit", "numa_miss", "numa_foreign", "interleave_hit", "local_node", "other_node",
};

static int cmp_node(const void *a, const void *b)
{
	const struct numastat_node *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

/* Parse "key value" lines; returns the bitmask of fields found. */
static unsigned parse_numastat(char *text, unsigned long long *v)
{
	unsigned present = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[32];
		unsigned long long val;
		if (sscanf(line, "%31s %llu", key, &val) != 2)
			continue;
		for (int i = 0; i < NUMASTAT_NR_FIELDS; i++)
			if (strcmp(key, numastat_fields[i]) == 0) {
				v[i] = val;
				present |= 1u << i;
			}
	}
	return present;
}

int numastat_read(struct numastat *s)
{
	char dirpath[4096], rel[64], buf[1024];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	s->nr = 0;
	s->nodes = NULL;
	d = opendir(sysfs_path("sys/devices/system/node", dirpath, sizeof(dirpath)));
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		struct numastat_node n = { 0 };
		char *end;
		long idx;

		if (strncmp(p, "node", 4) != 0 || !isdigit((unsigned char)p[4]))
			continue;
		idx = strtol(p + 4, &end, 10);
		if (*end || idx < 0 || idx > 1 << 20)
			continue;
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%ld/numastat", idx);
		if (sysfs_read_str(rel, buf, sizeof(buf)) < 0)
			continue;
		n.node = (int)idx;
		n.present = parse_numastat(buf, n.v);
		if (!n.present)
			continue;
		if ((size_t)s->nr == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct numastat_node *nn = realloc(s->nodes, ncap * sizeof(*nn));
			if (!nn) {
				closedir(d);
				numastat_free(s);
				return -ENOMEM;
			}
			s->nodes = nn;
			cap = ncap;
		}
		s->nodes[s->nr++] = n;
	}
	closedir(d);
	if (s->nr > 1)
		qsort(s->nodes, (size_t)s->nr, sizeof(*s->nodes), cmp_node);
	return 0;
}

void numastat_free(struct numastat *s)
{
	free(s->nodes);
	s->nodes = NULL;
	s->nr = 0;
}

json_t *numastat_delta_json(const struct numastat *before, const struct numastat *after)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (int i = 0; i < after->nr; i++) {
		const struct numastat_node *a = &after->nodes[i], *b = NULL;
		json_t *n;
		char key[24];

		for (int k = 0; k < before->nr && !b; k++)
			if (before->nodes[k].node == a->node)
				b = &before->nodes[k];
		if (!b)
			continue;
		n = json_object();
		for (int f = 0; f < NUMASTAT_NR_FIELDS; f++)
			if (a->present & b->present & (1u << f))
				json_object_set_new(n, numastat_fields[f], json_integer(
					a->v[f] >= b->v[f] ? (json_int_t)(a->v[f] - b->v[f]) : 0));
		snprintf(key, sizeof(key), "node%d", a->node);
		json_object_set_new(o, key, n);
	}
	return o;
}
