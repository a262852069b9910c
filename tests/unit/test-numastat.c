/* SPDX-License-Identifier: MIT */
/*
 * test-numastat.c — lib/numastat.c against a sysroot built here: nodes found and
 * sorted by OS index (node10 after node2), fields parsed whatever their order, deltas
 * per node and field, nodes or fields missing on one side left out, no NUMA sysfs.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "numastat.h"
#include "sysfs.h"
#include "tap.h"

static char root[64];

static void put(int node, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/devices/system/node/node%d", root, node);
	mkdir(path, 0755);
	strcat(path, "/numastat");
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	struct numastat a = { 0 }, b = { 0 };
	char path[256];
	json_t *d;

	strcpy(root, "/tmp/locus-numastat.XXXXXX");
	if (!mkdtemp(root))
		tap_skip_all("cannot make a temporary directory");
	sysfs_set_root(root);
	is_int(numastat_read(&a), 0, "no node directory: 0");
	is_int(a.nr, 0, "no node directory: no nodes");
	numastat_free(&a);

	snprintf(path, sizeof(path), "%s/sys", root);
	mkdir(path, 0755);
	strcat(path, "/devices");
	mkdir(path, 0755);
	strcat(path, "/system");
	mkdir(path, 0755);
	strcat(path, "/node");
	mkdir(path, 0755);
	put(10, "numa_hit 5\nnuma_miss 1\nnuma_foreign 0\ninterleave_hit 2\nlocal_node 5\nother_node 0\n");
	put(2, "other_node 7\nnuma_hit 100\n");
	is_int(numastat_read(&a), 0, "read two nodes");
	is_int(a.nr, 2, "two nodes");
	ok(a.nr == 2 && a.nodes[0].node == 2 && a.nodes[1].node == 10, "sorted by OS index: 2, 10");
	ok(a.nr == 2 && a.nodes[0].v[0] == 100 && a.nodes[0].v[5] == 7 && a.nodes[0].present == 0x21,
	   "fields found in any order; missing ones not present");

	put(10, "numa_hit 15\nnuma_miss 1\nnuma_foreign 0\ninterleave_hit 4\nlocal_node 9\nother_node 6\n");
	put(2, "numa_hit 160\nnuma_miss 3\nother_node 7\n");
	put(3, "numa_hit 1\n");
	is_int(numastat_read(&b), 0, "read again");
	is_int(b.nr, 3, "three nodes now");
	d = numastat_delta_json(&a, &b);
	ok(d != NULL, "delta JSON");
	is_int(json_object_size(d), 2, "only nodes in both snapshots");
	is_int(json_integer_value(json_object_get(json_object_get(d, "node10"), "numa_hit")), 10,
	       "node10 numa_hit delta 10");
	is_int(json_integer_value(json_object_get(json_object_get(d, "node10"), "other_node")), 6,
	       "node10 other_node delta 6");
	is_int(json_object_size(json_object_get(d, "node10")), 6, "node10: all six fields");
	is_int(json_integer_value(json_object_get(json_object_get(d, "node2"), "numa_hit")), 60,
	       "node2 numa_hit delta 60");
	ok(!json_object_get(json_object_get(d, "node2"), "numa_miss"),
	   "a field missing before is left out");
	is_int(json_object_size(json_object_get(d, "node2")), 2, "node2: the two fields in both");
	json_decref(d);
	d = numastat_delta_json(&b, &a);
	is_int(json_integer_value(json_object_get(json_object_get(d, "node10"), "numa_hit")), 0,
	       "a counter going backwards gives 0");
	json_decref(d);
	numastat_free(&a);
	numastat_free(&b);
	numastat_free(&b);
	ok(b.nodes == NULL && b.nr == 0, "free is idempotent");

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	sysfs_set_root(NULL);
	return done_testing();
}
