/* SPDX-License-Identifier: MIT */
/*
 * cmd-env.c — `locus env`: show the environment fingerprint.
 *
 * Every result file carries a fingerprint of the conditions it was measured under
 * (CPU, hypervisor, SMT, kernel, THP, NUMA balancing, hugepage pools, cgroup limits,
 * timer, counters, build).  This command shows the same object on its own, so a user
 * can check the machine before measuring and scripts can capture it.  With --sysroot
 * the /proc and /sys parts come from a copied tree (the dispatcher has already set the
 * sysroot); the timer, counters and build parts always describe this locus.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "env.h"
#include "log.h"
#include "sysfs.h"

static void env_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus env [--json] [-o FILE]\n"
		"\n"
		"Show the environment fingerprint stored with every result: CPU identity and\n"
		"microcode, hypervisor, SMT, cores, governor and boost, kernel release, memory\n"
		"tunables (THP, NUMA balancing, swappiness, overcommit, zone reclaim, ...),\n"
		"hugepage pools per size and node, the cgroup v2 limits of this process, the\n"
		"timer, which counters can be read here (and why not), and how locus was built.\n"
		"Values that cannot be read are shown as unknown (null in JSON), never guessed.\n"
		"\n"
		"Options:\n"
		"  -j, --json           print JSON instead of text\n"
		"  -o, --output FILE    write to FILE ('-' is standard output)\n"
		"\n"
		CMD_COMMON_HELP
		"\n"
		"With --sysroot DIR the /proc and /sys values are read from DIR; the timer,\n"
		"counters and build groups always describe the running locus.\n"
		"\n"
		"Examples:\n"
		"  locus env\n"
		"  locus env --json -o env.json\n"
		"  locus --sysroot /srv/other-machine env\n");
}

static void print_env(FILE *f, const void *env)
{
	env_print(f, env);
}

int cmd_env(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct show_opts o = { 0 };
	int ret = cmd_show_options(argc, argv, "env", env_usage, &o);
	json_t *env;

	(void)ctx;
	if (ret >= 0)
		return ret;
	/* Collect before opening the output, so a failure leaves no half-written file. */
	env = env_fingerprint();
	if (!env) {
		locus_error("env: out of memory collecting the fingerprint");
		return LOCUS_EXIT_FAIL;
	}
	if (sysfs_is_fake())
		locus_info("env: /proc and /sys read from sysroot %s", sysfs_root());
	ret = cmd_show_emit("env", &o, env, print_env, env);
	json_decref(env);
	return ret;
}
