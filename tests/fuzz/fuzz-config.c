/* SPDX-License-Identifier: MIT */
/*
 * fuzz-config.c — libFuzzer target: the comparison config file (compare --config,
 * report/compare-config.c): per-bench/metric thresholds and alphas.
 */
#include "config.h"
#include "compare-config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compare_config *c = NULL;
	const char *path;

	fuzz_quiet();
	path = fuzz_path(data, size);
	if (path && compare_config_load(path, &c) == 0)
		compare_config_free(c);
	return 0;
}
