/*
 * registry.c — the table of benchmarks, generated from benches.def.
 *
 * benches.def is expanded twice: once to declare each bench's descriptor, once to
 * build the NULL-terminated table that `locus bench list/all` walks.
 */
#include "config.h"
#include <string.h>
#include "bench.h"

#define BENCH(name) extern const struct bench_info bench_##name##_info;
#include "benches.def"
#undef BENCH

const struct bench_info *const bench_registry[] = {
#define BENCH(name) &bench_##name##_info,
#include "benches.def"
#undef BENCH
	NULL
};

const struct bench_info *bench_find(const char *name)
{
	for (const struct bench_info *const *b = bench_registry; *b; b++)
		if (strcmp((*b)->name, name) == 0)
			return *b;
	return NULL;
}
