/*
 * cmd-topo.c — `locus topo`: show the topology locus will run benchmarks on.
 *
 * Before measuring anything a user wants to see what locus sees: NUMA nodes with their
 * CPUs, memory, distances and huge page pools, caches and their sharing.  The text form
 * is a readable summary; --json is the same data for scripts and for the fingerprint
 * stored with results.  The dispatcher has already loaded the topology (this machine,
 * or --topology FILE|SPEC), so this file only formats it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
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
		"packages, cores and PUs.\n"
		"\n"
		"Options:\n"
		"  -j, --json           print JSON instead of text\n"
		"  -o, --output FILE    write to FILE ('-' is standard output)\n"
		"\n"
		CMD_COMMON_HELP
		"\n"
		"Examples:\n"
		"  locus topo\n"
		"  locus topo --json -o topo.json\n"
		"  locus topo --topology \"pack:2 numa:1 core:4 pu:2\"\n");
}

int cmd_topo(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	bool json = false;
	FILE *f;
	int c, ret = LOCUS_EXIT_OK;

	while ((c = getopt_long(argc, argv, "jo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			topo_usage(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error("topo");
		}
	}
	if (optind < argc) {
		locus_error("topo: unexpected argument '%s'; topo takes only options", argv[optind]);
		return cmd_usage_error("topo");
	}
	if (!ctx->have_topo) {
		locus_error("topo: no topology loaded");
		return LOCUS_EXIT_FAIL;
	}
	/* The dispatcher has already said on stderr when the topology is fake. */

	f = cmd_open_output(output);
	if (!f)
		return LOCUS_EXIT_FAIL;
	if (json) {
		json_t *j = topo_json(&ctx->topo);

		if (!j || json_dumpf(j, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF) {
			locus_error("topo: %s: cannot write JSON",
				    output && strcmp(output, "-") ? output : "standard output");
			ret = LOCUS_EXIT_FAIL;
		}
		json_decref(j);
	} else {
		topo_print(f, &ctx->topo);
	}
	if (cmd_close_output(f, output) < 0)
		ret = LOCUS_EXIT_FAIL;
	return ret;
}
