/* SPDX-License-Identifier: MIT */
/*
 * fuzz-profile.c — libFuzzer target: tune profiles (tune/profile.c), read against the
 * tune fixture sysroot so that no input can reach the host's /proc and /sys.
 */
#include "config.h"
#include <string.h>
#include "fuzz.h"
#include "sysfs.h"
#include "tune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct tune_profile p;
	const char *path;

	if (!init++)
		sysfs_set_root(LOCUS_SRCDIR "/tests/fixtures/sysroot/tune");
	fuzz_quiet();
	path = fuzz_path(data, size);
	memset(&p, 0, sizeof(p));
	if (path && tune_profile_load(path, &p) == 0)
		tune_profile_free(&p);
	return 0;
}
