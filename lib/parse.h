/* SPDX-License-Identifier: MIT */
/*
 * parse.h — the one parser for each kind of user-supplied value.
 *
 * Sizes ("64K", "2M", "1G", "1.5GiB", "4096"), CPU lists ("0-3,8", "0-7:2"), node lists
 * and bounded integers are parsed here and nowhere else, so every command accepts the
 * same syntax and rejects bad input with the same clear message.
 *
 * Every function takes `what` (the option or field being parsed, e.g. "--size"), and on
 * bad input prints one line "locus: WHAT: 'VALUE' <problem>; <what is allowed>" and
 * returns -EINVAL (or -ERANGE); on success returns 0.  Nothing is written to *out on error.
 */
#ifndef LOCUS_PARSE_H
#define LOCUS_PARSE_H

#include <stdint.h>
#include <hwloc.h>

/* Sizes are binary: K/KB/KiB = 1024, M = 1024^2, G = 1024^3, T = 1024^4 (case-insensitive).
 * A fraction is allowed with a suffix ("1.5G") and must give a whole number of bytes.
 * A bare number is bytes.  The result must be >= 1 and fit in uint64_t. */
int parse_size(const char *what, const char *s, uint64_t *out);

/* Format a byte count the way parse_size reads it back ("4K", "2M", "1.5G", "1000"). */
const char *format_size(uint64_t bytes, char *buf, size_t len);

/* A list of non-negative indices: "N", "A-B", "A-B:STEP", comma-separated, e.g. "0-3,8".
 * Indices must be <= max_index (pass the highest valid index, or -1 for no limit beyond
 * 4095).  The set is written into `out` (cleared first).  An empty list is an error. */
int parse_idlist(const char *what, const char *s, int max_index, hwloc_bitmap_t out);

/* A signed integer in [min, max], decimal. */
int parse_long(const char *what, const char *s, long min, long max, long *out);

/* A floating-point number in [min, max] (C locale, so "0.5" whatever LC_NUMERIC says). */
int parse_double(const char *what, const char *s, double min, double max, double *out);

#endif
