/* SPDX-License-Identifier: MIT */
/*
 * suggest.h — "did you mean ...?" for mistyped names.
 *
 * Commands, benchmark names, options, choices and profile names are all small fixed
 * lists; a typo (`latncy`, `--quik`, `aply`) deserves the one closest name instead of
 * the whole list.  The distance is Damerau–Levenshtein (optimal string alignment, so a
 * swapped pair of letters costs one), case-insensitive, with a threshold that grows with
 * the length of what was typed so that short words are not "corrected" into unrelated
 * ones.  lib/ code: it prints nothing; the CLI words the message.
 */
#ifndef LOCUS_SUGGEST_H
#define LOCUS_SUGGEST_H

#include <stddef.h>

/*
 * The element of choices[0..n) closest to `typed`, or NULL when none is close enough
 * (or typed is empty); of equally close choices, the first.  NULL entries in choices
 * are ignored.  An unambiguous prefix of three or more
 * characters also counts as close (`lat` -> `latency` when only one name starts so).
 */
const char *suggest_closest(const char *typed, const char *const *choices, size_t n);

/* The same for a comma-separated list of choices ("4K,THP,2M,1G"): copies the closest
 * item into buf (len bytes) and returns buf, or NULL. */
const char *suggest_closest_csv(const char *typed, const char *csv, char *buf, size_t len);

/* The edit distance itself (case-insensitive, optimal string alignment); strings longer
 * than 64 bytes count as infinitely far (returns (size_t)-1). */
size_t suggest_distance(const char *a, const char *b);

#endif
