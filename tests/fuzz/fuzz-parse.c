/* SPDX-License-Identifier: MIT */
/*
 * fuzz-parse.c — libFuzzer target: the shared parsers of user values (lib/parse.c),
 * the bench option validator with the accessors the benches use (bench/bench.c), and
 * report --format (report/plot.c).
 *
 * The first byte picks the parser (and a bound or an option), the rest is the value.
 * Besides "no crash, no hang, no sanitizer report", each branch checks the contract
 * that was once found broken: what the validator accepts, the bench's accessor reads
 * as the same value (a 64-byte copy made them disagree: a division by zero and endless
 * loops), and a list never sets an index beyond its bound (an overflowing step hung).
 */
#include "config.h"
#include <hwloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "fuzz.h"
#include "parse.h"
#include "plot.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static size_t nr_benches(void)
{
	size_t n = 0;

	while (bench_registry[n])
		n++;
	return n;
}

/* Option k (counting only SIZE/SIZES options of all benches) of the registry. */
static const struct bench_opt *size_opt(unsigned k, const struct bench_info **bi, int *idx)
{
	size_t total = 0, nb = nr_benches();

	for (int pass = 0; pass < 2; pass++)
		for (size_t b = 0; b < nb; b++)
			for (int i = 0; bench_registry[b]->opts && bench_registry[b]->opts[i].name; i++) {
				const struct bench_opt *o = &bench_registry[b]->opts[i];

				if (o->type != BOPT_SIZE && o->type != BOPT_SIZES)
					continue;
				if (pass == 1 && total && k % total == 0) {
					*bi = bench_registry[b];
					*idx = i;
					return o;
				}
				if (pass == 0)
					total++;
				else
					k--;
			}
	return NULL;
}

static void bench_sizes(unsigned k, const char *v)
{
	const struct bench_info *bi = NULL;
	int idx = 0;
	const struct bench_opt *o = size_opt(k, &bi, &idx);
	const char *values[64] = { NULL };
	bool given[64] = { false };
	struct bench_ctx c = { 0 };

	if (!o || idx >= 64 || bench_opt_validate(bi, o, v) < 0)
		return;
	c.info = bi;
	c.values = values;
	c.given = given;
	values[idx] = v;
	given[idx] = true;
	if (o->type == BOPT_SIZE) {
		uint64_t s = bench_opt_size(&c, o->name);

		CHECK(s >= 1);
		CHECK(!o->min || s >= (uint64_t)o->min);
		CHECK(!o->max || s <= (uint64_t)o->max);
		return;
	}
	for (size_t i = 0; i < bench_opt_count(&c, o->name); i++) {
		uint64_t s = bench_opt_size_at(&c, o->name, i);

		CHECK(s >= 1);
		CHECK(!o->min || s >= (uint64_t)o->min);
		CHECK(!o->max || s <= (uint64_t)o->max);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v;
	unsigned sel;

	fuzz_quiet();
	if (size < 2)
		return 0;
	sel = data[0];
	v = fuzz_string(data + 2, size - 2);
	if (!v)
		return 0;
	switch (sel % 6) {
	case 0: {
		uint64_t s = 0;

		if (parse_size("--size", v, &s) == 0)
			CHECK(s >= 1);
		break;
	}
	case 1: {
		int max = (int)(data[1] * 16u) - 1; /* -1 (no limit: 4095) .. 4079 */
		hwloc_bitmap_t b = hwloc_bitmap_alloc();

		if (b && parse_idlist("--cpus", v, max, b) == 0) {
			CHECK(!hwloc_bitmap_iszero(b));
			CHECK(hwloc_bitmap_last(b) <= (max < 0 ? 4095 : max));
		}
		hwloc_bitmap_free(b);
		break;
	}
	case 2: {
		long l = 0;

		if (parse_long("--reps", v, -(long)data[1], 1000, &l) == 0)
			CHECK(l >= -(long)data[1] && l <= 1000);
		break;
	}
	case 3: {
		double d = 0;

		if (parse_double("--max-time", v, 0.001, 3600, &d) == 0)
			CHECK(isfinite(d) && d >= 0.001 && d <= 3600);
		break;
	}
	case 4:
		bench_sizes(data[1], v);
		break;
	case 5: {
		unsigned f = 0;

		if (plot_parse_formats(v, &f) == 0)
			CHECK(f && !(f & ~(unsigned)PLOT_ALL_FORMATS));
		break;
	}
	}
	return 0;
}
