/* SPDX-License-Identifier: MIT */
/*
 * cmd-topo.c — `locus topo`: show the topology locus will run benchmarks on.
 *
 * Before measuring anything a user wants to see what locus sees: NUMA nodes with their
 * CPUs, memory, distances and huge page pools, caches and their sharing.  The text form
 * is a readable summary; --json is the same data for scripts and for the fingerprint
 * stored with results.  The dispatcher has already loaded the topology (this machine,
 * or --topology FILE|SPEC), so this file only formats it.  The topology is the whole
 * machine even under a cgroup/cpuset; what may not be used is marked (lib/topo.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "topo.h"

static void topo_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus topo [--json] [-o FILE]\n"
		"\n"
		"Show the machine's topology as locus sees it through hwloc: NUMA nodes\n"
		"(CPUs, memory, SLIT distances, bandwidth/latency when known, huge page\n"
		"pools), caches (level, type, size, line size, associativity, sharing),\n"
		"packages, cores and PUs.  Always the whole machine: CPUs and nodes this\n"
		"process may not use (its cgroup/cpuset, or the CPU binding it started\n"
		"with) are marked \"not allowed here\" (JSON: allowed_cpus, allowed_nodes,\n"
		"and per node allowed_cpus, memory_allowed).\n"
		"\n"
		"Options:\n"
		"  -j, --json           print JSON instead of text\n"
		"  -o, --output FILE    write to FILE ('-' is standard output)\n"
		"\n"
		CMD_COMMON_HELP_TOPO
		"\n"
		"Examples:\n"
		"  locus topo\n"
		"  locus topo --json -o topo.json\n"
		"  locus topo --topology \"pack:2 numa:1 core:4 pu:2\"\n");
}

static void print_topo(FILE *f, const void *tp)
{
	topo_print(f, tp);
}

int cmd_topo(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct show_opts o = { 0 };
	int ret = cmd_show_options(argc, argv, "topo", topo_usage, &o);
	json_t *j = NULL;

	if (ret >= 0)
		return ret;
	if (!ctx->have_topo) {
		locus_error("topo: no topology loaded");
		return LOCUS_EXIT_FAIL;
	}
	/* The dispatcher has already said on stderr when the topology is fake. */
	if (o.json)
		j = topo_json(&ctx->topo);
	ret = cmd_show_emit("topo", &o, j, print_topo, &ctx->topo);
	json_decref(j);
	return ret;
}
