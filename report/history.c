/* SPDX-License-Identifier: MIT */
/*
 * history.c — a baseline set's history.jsonl as per-measurement series with change
 * points (history.h).
 *
 * The file is appended to by `locus baseline save` and read whole here; it holds
 * medians only (a few KiB per run), so years of nightly runs stay small.  Change
 * points come from lib/changepoint.c with its defaults (alpha 0.01, 499 permutations,
 * at least 3 runs per segment, a fixed seed), so the same history always gives the
 * same segments.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "changepoint.h"
#include "history.h"
#include "log.h"
#include "stats.h"

struct lines {
	json_t **v;
	size_t n;
};

static struct history_series *series_of(struct history *h, const char *key)
{
	struct history_series *ns;

	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->s[i].key, key) == 0)
			return &h->s[i];
	ns = realloc(h->s, (h->n + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	h->s = ns;
	ns = &h->s[h->n];
	memset(ns, 0, sizeof(*ns));
	ns->key = strdup(key);
	if (!ns->key)
		return NULL;
	h->n++;
	return ns;
}

static int add_point(struct history_series *s, const struct history_point *p)
{
	struct history_point *np = realloc(s->pts, (s->n + 1) * sizeof(*np));

	if (!np)
		return -ENOMEM;
	s->pts = np;
	s->pts[s->n++] = *p;
	return 0;
}

int history_load(const char *set_dir, struct history *h)
{
	struct lines *L = calloc(1, sizeof(*L));
	char *path = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	FILE *f;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	if (!L || asprintf(&path, "%s/history.jsonl", set_dir) < 0) {
		free(L);
		return -ENOMEM;
	}
	h->priv = L;
	f = fopen(path, "r");
	if (!f) {
		free(path);
		return 0;      /* no history yet */
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		json_t *j, **nv, *meds;
		const char *key;
		json_t *v;

		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		j = json_loads(line, 0, &err);
		meds = json_object_get(j, "medians");
		if (!j || !json_is_integer(json_object_get(j, "seq")) || !json_is_object(meds)) {
			locus_error("%s:%lu: not a history line (seq and medians expected)", path, lineno);
			json_decref(j);
			rc = -EINVAL;
			break;
		}
		nv = realloc(L->v, (L->n + 1) * sizeof(*nv));
		if (!nv) {
			json_decref(j);
			rc = -ENOMEM;
			break;
		}
		L->v = nv;
		L->v[L->n++] = j;
		h->runs++;
		json_object_foreach(meds, key, v) {
			struct history_series *s;
			struct history_point p = {
				.seq = (unsigned long)json_integer_value(json_object_get(j, "seq")),
				.rev = json_string_value(json_object_get(j, "rev")),
				.saved = json_string_value(json_object_get(j, "saved")),
				.v = json_number_value(v),
			};

			if (!json_is_number(v))
				continue;
			s = series_of(h, key);
			if (!s || add_point(s, &p) < 0) {
				rc = -ENOMEM;
				break;
			}
		}
		if (rc)
			break;
	}
	fclose(f);
	free(line);
	free(path);
	if (rc)
		goto fail;
	for (size_t i = 0; i < h->n; i++) {
		struct history_series *s = &h->s[i];
		double *x = malloc((s->n ? s->n : 1) * sizeof(*x));
		bool positive = true;
		int k;

		s->cp = malloc((s->n ? s->n : 1) * sizeof(*s->cp));
		s->cp_p = malloc((s->n ? s->n : 1) * sizeof(*s->cp_p));
		if (!x || !s->cp || !s->cp_p) {
			free(x);
			rc = -ENOMEM;
			goto fail;
		}
		for (size_t j = 0; j < s->n; j++) {
			x[j] = s->pts[j].v;
			positive &= x[j] > 0 && isfinite(x[j]);
		}
		/* a series with a zero or negative median (a count) has no log scale: none */
		k = positive ? changepoint_find(x, s->n, NULL, s->cp, s->cp_p, s->n) : 0;
		free(x);
		if (k == -ENOMEM) {
			rc = k;
			goto fail;
		}
		s->ncp = k > 0 ? (size_t)k : 0;
	}
	return 0;
fail:
	if (rc == -ENOMEM)
		locus_error("history: out of memory");
	history_free(h);
	return rc;
}

void history_free(struct history *h)
{
	struct lines *L = h->priv;

	for (size_t i = 0; i < h->n; i++) {
		free(h->s[i].key);
		free(h->s[i].pts);
		free(h->s[i].cp);
		free(h->s[i].cp_p);
	}
	free(h->s);
	if (L) {
		for (size_t i = 0; i < L->n; i++)
			json_decref(L->v[i]);
		free(L->v);
		free(L);
	}
	memset(h, 0, sizeof(*h));
}

int history_change_medians(const struct history_series *s, size_t c, double *before,
			   double *after)
{
	size_t at = s->cp[c], from = c ? s->cp[c - 1] : 0;
	size_t to = c + 1 < s->ncp ? s->cp[c + 1] : s->n, k = 0;
	double *a = malloc(s->n * sizeof(*a));

	if (!a)
		return -ENOMEM;
	for (size_t j = from; j < at; j++)
		a[k++] = s->pts[j].v;
	*before = stats_median(a, k);
	k = 0;
	for (size_t j = at; j < to; j++)
		a[k++] = s->pts[j].v;
	*after = stats_median(a, k);
	free(a);
	return 0;
}

unsigned long history_segment_start(const struct history *h, const char *key)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct history_series *s = &h->s[i];

		if (strcmp(s->key, key) == 0)
			return s->ncp ? s->pts[s->cp[s->ncp - 1]].seq : 0;
	}
	return 0;
}
