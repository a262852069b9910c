/* SPDX-License-Identifier: MIT */
/*
 * test-parse.c — the shared parsers: sizes, index lists, integers, doubles.
 * Expected values are worked out by hand from the documented syntax (K = 1024 etc.).
 */
#include "config.h"
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include "parse.h"
#include "tap.h"

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int rc = parse_size("--size", s, &v);

	ok(rc == 0 && v == want, "size '%s' = %llu (got rc %d, %llu)", s,
	   (unsigned long long)want, rc, (unsigned long long)v);
}

static void size_bad(const char *s)
{
	uint64_t v = 12345;
	int rc = parse_size("--size", s, &v);

	ok(rc < 0 && v == 12345, "size '%s' rejected, output untouched", s);
}

static void list_is(const char *s, int max, const char *want)
{
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	char buf[256] = "";
	int rc = parse_idlist("--cpus", s, max, b);

	if (rc == 0)
		hwloc_bitmap_list_snprintf(buf, sizeof(buf), b);
	ok(rc == 0 && strcmp(buf, want) == 0, "list '%s' = %s (got '%s')", s, want, buf);
	hwloc_bitmap_free(b);
}

static void list_bad(const char *s, int max)
{
	hwloc_bitmap_t b = hwloc_bitmap_alloc();

	hwloc_bitmap_set(b, 7);
	ok(parse_idlist("--cpus", s, max, b) < 0 && hwloc_bitmap_isset(b, 7) &&
	   hwloc_bitmap_weight(b) == 1, "list '%s' rejected, output untouched", s);
	hwloc_bitmap_free(b);
}

int main(void)
{
	char buf[32];
	long l;
	double d;

	size_ok("4096", 4096);
	size_ok("1", 1);
	size_ok("64K", 65536);
	size_ok("64k", 65536);
	size_ok("64KiB", 65536);
	size_ok("64KB", 65536);
	size_ok("2M", 2097152);
	size_ok("1G", 1073741824);
	size_ok("1.5GiB", 1610612736);
	size_ok("0.5K", 512);
	size_ok("2T", 2199023255552ull);
	size_ok("100B", 100);
	size_bad("");
	size_bad("0");
	size_bad("K");
	size_bad("-1M");
	size_bad("1.5");      /* 1.5 bytes */
	size_bad("1.0001K");  /* not a whole number of bytes */
	size_bad("2X");
	size_bad("2 M");
	size_bad("1e3");
	size_bad("99999999999999999999");
	size_bad("20000000T");

	is_str(format_size(4096, buf, sizeof(buf)), "4K", "format 4096");
	is_str(format_size(1610612736, buf, sizeof(buf)), "1.5G", "format 1.5G");
	is_str(format_size(1000, buf, sizeof(buf)), "1000", "format 1000");
	is_str(format_size(1073741824, buf, sizeof(buf)), "1G", "format 1G");
	{
		uint64_t v;
		format_size(3221225472ull, buf, sizeof(buf));
		ok(parse_size("x", buf, &v) == 0 && v == 3221225472ull, "format/parse round trip");
	}

	list_is("0", 7, "0");
	list_is("0-3,8", 15, "0-3,8");
	list_is("0-7:2", 7, "0,2,4,6");
	list_is("3,1,2", 7, "1-3");
	list_is("5-5", 7, "5");
	list_bad("", 7);
	list_bad("8", 7);
	list_bad("3-1", 7);
	list_bad("1,", 7);
	list_bad(",1", 7);
	list_bad("a", 7);
	list_bad("1-", 7);
	list_bad("0-7:0", 7);
	list_bad("-1", 7);
	list_bad("1 2", 7);
	/* A step near LONG_MAX overflowed i += step and never returned. */
	list_is("9-10:9223372036854775799", 4095, "9");
	list_is("0-4095:9223372036854775799", 4095, "0");
	list_is("4094-4095:2", 4095, "4094");
	list_bad("0-1:99999999999999999999", 4095);

	ok(parse_long("--threads", "4", 1, 8, &l) == 0 && l == 4, "long 4");
	ok(parse_long("--threads", "-3", -5, 8, &l) == 0 && l == -3, "long -3");
	ok(parse_long("--threads", "9", 1, 8, &l) == -ERANGE, "long out of range");
	ok(parse_long("--threads", "4x", 1, 8, &l) == -EINVAL, "long trailing junk");
	ok(parse_long("--threads", "", 1, 8, &l) == -EINVAL, "long empty");
	ok(parse_long("--threads", " 4", 1, 8, &l) == -EINVAL, "long leading space");
	ok(parse_long("--reps", "+3", 1, 8, &l) == -EINVAL, "long '+3' rejected");
	ok(parse_long("--reps", "0x3", 0, 8, &l) == -EINVAL, "long '0x3' rejected");
	ok(parse_long("--reps", "-", -8, 8, &l) == -EINVAL, "long '-' rejected");

	/* A comma-decimal locale must not change how numbers are read. */
	setlocale(LC_NUMERIC, "de_DE.UTF-8");
	ok(parse_double("--alpha", "0.05", 0, 1, &d) == 0 && d == 0.05, "double 0.05 (C locale)");
	ok(parse_double("--alpha", "1.5", 0, 1, &d) == -ERANGE, "double out of range");
	ok(parse_double("--alpha", "nan", 0, 1, &d) == -EINVAL, "double nan rejected");
	ok(parse_double("--alpha", "0,05", 0, 1, &d) == -EINVAL, "double with comma rejected");
	/* Lenient strtod forms are not numbers here. */
	ok(parse_double("--max-time", "0x10", 0, 100, &d) == -EINVAL, "double '0x10' rejected");
	ok(parse_double("--max-time", "+3", 0, 100, &d) == -EINVAL, "double '+3' rejected");
	ok(parse_double("--max-time", " 3", 0, 100, &d) == -EINVAL, "double ' 3' rejected");
	ok(parse_double("--max-time", "inf", 0, 100, &d) == -EINVAL, "double 'inf' rejected");
	ok(parse_double("--max-time", "3.", 0, 100, &d) == 0 && d == 3, "double '3.'");
	ok(parse_double("--max-time", ".5", 0, 100, &d) == 0 && d == 0.5, "double '.5'");
	ok(parse_double("--max-time", "1e-3", 0, 100, &d) == 0 && d == 0.001, "double '1e-3'");
	ok(parse_double("--slow", "-0.5", -1, 100, &d) == 0 && d == -0.5, "double '-0.5'");
	return done_testing();
}
