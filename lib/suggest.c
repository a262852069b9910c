/* SPDX-License-Identifier: MIT */
/*
 * suggest.c — "did you mean ...?": the closest name to a mistyped one.
 *
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition) on at
 * most 64 bytes per word: every list we search is short, and a bound keeps the table
 * on the stack and a hostile 1 MB argument from costing anything.
 */
#include "config.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "suggest.h"

#define MAXW 64

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[MAXW + 1][MAXW + 1];

	if (la > MAXW || lb > MAXW)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb, v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* How many edits a word of this length may carry and still be "meant": one for short
 * words (`al` -> `all`), two from four letters, three from nine. */
static size_t allowed_edits(size_t len)
{
	return len < 4 ? 1 : len < 9 ? 2 : 3;
}

const char *suggest_closest(const char *typed, const char *const *choices, size_t n)
{
	const char *best = NULL, *prefix = NULL;
	size_t best_d = (size_t)-1, len, nprefix = 0;

	if (!typed || !*typed)
		return NULL;
	len = strlen(typed);
	for (size_t i = 0; i < n; i++) {
		size_t d;
		if (!choices[i] || !*choices[i])
			continue;
		if (strcasecmp(typed, choices[i]) == 0)
			return choices[i];
		if (len >= 3 && strncasecmp(typed, choices[i], len) == 0) {
			prefix = choices[i];
			nprefix++;
		}
		d = suggest_distance(typed, choices[i]);
		if (d < best_d) { /* ties: the first in table order */
			best_d = d;
			best = choices[i];
		}
	}
	/* "best_d < len": a one-letter word is one edit from every one-letter name. */
	if (best && best_d <= allowed_edits(len) && best_d < len)
		return best;
	return nprefix == 1 ? prefix : NULL;
}

const char *suggest_closest_csv(const char *typed, const char *csv, char *buf, size_t len)
{
	char *copy, *save = NULL;
	const char *items[64], *hit;
	size_t n = 0;

	if (!csv || !buf || len == 0 || !(copy = strdup(csv)))
		return NULL;
	for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
		items[n++] = t;
	hit = suggest_closest(typed, items, n);
	if (hit && strlen(hit) < len)
		strcpy(buf, hit);
	else
		hit = NULL;
	free(copy);
	return hit ? buf : NULL;
}
