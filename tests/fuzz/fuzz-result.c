/* SPDX-License-Identifier: MIT */
/*
 * fuzz-result.c — libFuzzer target: the result file loader (lib/result.c
 * result_load), the one gate every result file, baseline and report input goes
 * through.  A file it accepts must then give every measurement a key (the compare and
 * report code relies on that without checking again).
 */
#include "config.h"
#include <stdlib.h>
#include <jansson.h>
#include "fuzz.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	json_t *r, *m;
	size_t i;

	fuzz_quiet();
	path = fuzz_path(data, size);
	if (!path)
		return 0;
	r = result_load(path);
	if (!r)
		return 0;
	json_array_foreach(json_object_get(r, "measurements"), i, m) {
		char *k = result_key(m), *mk = result_match_key(m);

		if (!k || !mk)
			abort();
		free(k);
		free(mk);
	}
	json_decref(r);
	return 0;
}
