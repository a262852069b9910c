/* SPDX-License-Identifier: MIT */
/*
 * parse.c — strict parsers for sizes, index lists (CPUs, nodes) and numbers.
 *
 * Strict on purpose: "2x", "1.5" bytes, "3-1" or an index beyond the machine are errors,
 * never silently truncated (numactl's and libnuma's lenient parsing truncates masks and
 * falls back quietly, which is exactly what a benchmark must not do).  Sizes are parsed
 * with integer arithmetic so "1.5G" is exactly 1610612736 bytes.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "log.h"
#include "parse.h"

#define SIZE_ALLOWED "a size such as 4096, 64K, 2M, 1G or 1.5GiB (K/M/G/T are powers of 1024)"

static int size_suffix_shift(const char *s, unsigned *shift)
{
	static const struct { const char *suf; unsigned shift; } tab[] = {
		{ "", 0 }, { "b", 0 },
		{ "k", 10 }, { "kb", 10 }, { "kib", 10 },
		{ "m", 20 }, { "mb", 20 }, { "mib", 20 },
		{ "g", 30 }, { "gb", 30 }, { "gib", 30 },
		{ "t", 40 }, { "tb", 40 }, { "tib", 40 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(s, tab[i].suf) == 0) {
			*shift = tab[i].shift;
			return 0;
		}
	return -EINVAL;
}

int parse_size(const char *what, const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t whole = 0, frac = 0, frac_div = 1;
	unsigned shift;
	bool digits = false;

	if (!s)
		return locus_fail(EINVAL, "%s: missing value; expected %s", what, SIZE_ALLOWED);
	for (; isdigit((unsigned char)*p); p++, digits = true) {
		if (whole > (UINT64_MAX - 9) / 10)
			goto range;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++, digits = true) {
			if (frac_div >= 1000000000000ull)
				goto bad; /* more fractional digits than any size needs */
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_div *= 10;
		}
	}
	if (!digits || size_suffix_shift(p, &shift) < 0)
		goto bad;
	if (shift && whole > (UINT64_MAX >> shift))
		goto range;
	{
		uint64_t bytes = whole << shift;
		if (frac) {
			/* frac/frac_div of 2^shift must be a whole number of bytes */
			unsigned __int128 f = (unsigned __int128)frac << shift;
			if (f % frac_div)
				return locus_fail(EINVAL, "%s: '%s' is not a whole number of bytes; expected %s",
							  what, s, SIZE_ALLOWED);
			if ((unsigned __int128)bytes + f / frac_div > UINT64_MAX)
				goto range;
			bytes += (uint64_t)(f / frac_div);
		}
		if (bytes == 0)
			return locus_fail(EINVAL, "%s: '%s' is zero; expected %s", what, s, SIZE_ALLOWED);
		*out = bytes;
	}
	return 0;
bad:
	locus_error("%s: '%s' is not a size; expected %s", what, s, SIZE_ALLOWED);
	return -EINVAL;
range:
	locus_error("%s: '%s' is too large (at most 16E bytes)", what, s);
	return -ERANGE;
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;
	uint64_t div = 1;

	/* Largest unit that divides exactly, or gives a value with one exact decimal. */
	for (int i = 0; i < 4; i++) {
		uint64_t d = 1ull << (10 * (i + 1));
		if (bytes >= d && (bytes % d == 0 || (bytes * 10) % d == 0)) {
			u = i;
			div = d;
		}
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 "%c", bytes / div, units[u]);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", bytes / div,
			 (bytes % div) * 10 / div, units[u]);
	return buf;
}

static int parse_uint(const char **pp, long *out)
{
	const char *p = *pp;
	long v = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (LONG_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (*p - '0');
	}
	*pp = p;
	*out = v;
	return 0;
}

int parse_idlist(const char *what, const char *s, int max_index, hwloc_bitmap_t out)
{
	const char *p = s;
	int limit = max_index < 0 ? 4095 : max_index;

	if (!s || !*s)
		return locus_fail(EINVAL, "%s: empty list; expected indices such as 0-3,8 (0..%d)",
					  what, limit);
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	if (!set)
		return -ENOMEM;
	for (;;) {
		long a, b, step = 1;
		if (parse_uint(&p, &a) < 0)
			goto bad;
		b = a;
		if (*p == '-') {
			p++;
			if (parse_uint(&p, &b) < 0)
				goto bad;
			if (*p == ':') {
				p++;
				if (parse_uint(&p, &step) < 0 || step == 0)
					goto bad;
			}
		}
		if (b < a) {
			locus_error("%s: '%s': range %ld-%ld is reversed", what, s, a, b);
			goto fail;
		}
		if (b > limit) {
			locus_error("%s: '%s': index %ld is out of range; allowed 0..%d", what, s,
				    b, limit);
			goto fail;
		}
		/* i + step may overflow (a step of 2^63 - 9): stop before adding a step
		 * that would pass b. */
		for (long i = a;; i += step) {
			hwloc_bitmap_set(set, (unsigned)i);
			if (step > b - i)
				break;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			goto bad;
		p++;
	}
	hwloc_bitmap_copy(out, set);
	hwloc_bitmap_free(set);
	return 0;
bad:
	locus_error("%s: '%s' is not a list; expected indices such as 0-3,8 or 0-7:2 (0..%d)",
		    what, s, limit);
fail:
	hwloc_bitmap_free(set);
	return -EINVAL;
}

int parse_long(const char *what, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 10) : 0;
	/* Digits with an optional '-', nothing else: strtol would also take "+3" and
	 * leading blanks. */
	if (!s || !(isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))) ||
	    *end || errno == ERANGE) {
		locus_error("%s: '%s' is not an integer; allowed %ld..%ld", what, s ? s : "",
			    min, max);
		return -EINVAL;
	}
	if (v < min || v > max) {
		locus_error("%s: %ld is out of range; allowed %ld..%ld", what, v, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_double(const char *what, const char *s, double min, double max, double *out)
{
	char *end;
	double v;
	locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);

	/* A plain decimal ("0.5", "-2", "1e-3"): strtod would also take "+3", "0x10",
	 * "inf", "nan" and leading blanks. */
	bool plain = s && (isdigit((unsigned char)*s) || *s == '.' ||
			   (*s == '-' && (isdigit((unsigned char)s[1]) || s[1] == '.'))) &&
		     s[strspn(s, "0123456789.eE+-")] == '\0';

	errno = 0;
	v = (s && c && plain) ? strtod_l(s, &end, c) : NAN;
	if (c)
		freelocale(c);
	if (!plain || *end || errno == ERANGE || !isfinite(v)) {
		locus_error("%s: '%s' is not a number; allowed %g..%g", what, s ? s : "", min, max);
		return -EINVAL;
	}
	if (v < min || v > max) {
		locus_error("%s: %s is out of range; allowed %g..%g", what, s, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}
