/* SPDX-License-Identifier: MIT */
/*
 * compare.c — comparing two locus-result/1 files (or a current result with a set of
 * baseline runs): measurements are indexed by key, matched (by key, then by the key
 * without setting labels when that is unambiguous), each match compared
 * (compare-pair.c) and the whole adjusted as one family; keys found on one side only
 * or twice in a file are listed, and the fingerprints (env) are compared.
 *
 * Everything here is deterministic: the same two files always give the same report.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "compare-internal.h"
#include "env.h"
#include "log.h"
#include "result.h"
#include "runs.h"

struct keyed {
	char *key;
	size_t index;
	const json_t *m;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static struct keyed *index_measurements(const json_t *result, size_t *n)
{
	const json_t *arr = json_object_get(result, "measurements");
	struct keyed *k;
	json_t *m;
	size_t i;

	*n = json_array_size(arr);
	k = calloc(*n ? *n : 1, sizeof(*k));
	if (!k)
		return NULL;
	json_array_foreach(arr, i, m) {
		k[i].key = result_key(m);
		k[i].index = i;
		k[i].m = m;
		if (!k[i].key) {
			for (size_t j = 0; j < i; j++)
				free(k[j].key);
			free(k);
			return NULL;
		}
	}
	qsort(k, *n, sizeof(*k), cmp_keyed);
	return k;
}

static void free_keyed(struct keyed *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
}

static int push_str(char ***arr, size_t *n, const char *s)
{
	char **a = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!a)
		return -ENOMEM;
	*arr = a;
	a[*n] = strdup(s);
	if (!a[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Skip over the later duplicates of k[*i]'s key, recording the key once. */
static int skip_duplicates(const struct keyed *k, size_t n, size_t *i,
			   struct compare_result *r)
{
	size_t j = *i + 1;

	if (j < n && strcmp(k[j].key, k[*i].key) == 0) {
		bool seen = false;

		for (size_t d = 0; d < r->n_duplicates; d++)
			seen |= strcmp(r->duplicates[d], k[*i].key) == 0;
		if (!seen && push_str(&r->duplicates, &r->n_duplicates, k[*i].key) < 0)
			return -ENOMEM;
		while (j < n && strcmp(k[j].key, k[*i].key) == 0)
			j++;
	}
	*i = j;
	return 0;
}

/* Record the keys listed more than once in one file (each key once). */
static int note_duplicates(const struct keyed *k, size_t n, struct compare_result *r)
{
	for (size_t i = 0; i < n; ) {
		size_t j = i;
		int rc = skip_duplicates(k, n, &j, r);

		if (rc < 0)
			return rc;
		i = j;
	}
	return 0;
}

/* The first entry of key-sorted k[0..n) with this key, or NULL. */
static const struct keyed *find_keyed(const struct keyed *k, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(k[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(k[lo].key, key) == 0 ? &k[lo] : NULL;
}

int compare_cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}


/* Add "BENCH.LABEL (label)" env differences for the setting labels a pair changed
 * (each key once), so that they are warned about like fingerprint differences. */
static int note_setting_diffs(const struct compare_pair *p, struct compare_result *r)
{
	const json_t *lists[2] = { json_object_get(p->cur, "setting_labels"),
				   json_object_get(p->base, "setting_labels") };
	size_t i;
	json_t *x;

	for (int l = 0; l < 2; l++) {
		json_array_foreach(lists[l], i, x) {
			const char *name = json_string_value(x);
			const json_t *bv = json_object_get(json_object_get(p->base, "labels"), name);
			const json_t *cv = json_object_get(json_object_get(p->cur, "labels"), name);
			struct compare_env_diff d = { NULL, NULL, NULL }, *nn;
			bool seen = false;

			if (compare_label_equal(bv, cv))
				continue;
			if (asprintf(&d.key, "%s.%s (label)", p->bench ? p->bench : "?", name) < 0)
				return -ENOMEM;
			for (size_t q = 0; q < r->n_env_diffs && !seen; q++)
				seen = strcmp(r->env_diffs[q].key, d.key) == 0;
			if (seen) {
				free(d.key);
				continue;
			}
			d.base = compare_compact(bv);
			d.cur = compare_compact(cv);
			nn = realloc(r->env_diffs, (r->n_env_diffs + 1) * sizeof(*nn));
			if (!d.base || !d.cur || !nn) {
				if (nn)
					r->env_diffs = nn;
				free(d.key);
				free(d.base);
				free(d.cur);
				return -ENOMEM;
			}
			r->env_diffs = nn;
			nn[r->n_env_diffs++] = d;
		}
	}
	return 0;
}

/*
 * The second matching pass: each still unmatched current measurement that has setting
 * labels is paired with the baseline measurements (one per run at most) that no key
 * matched either and have its result_match_key() -- when that is unambiguous: exactly
 * one such current measurement, and one distinct key in a run (a run with several is
 * left out).  The rest are "only in current".  The baseline keys used are returned in
 * *paired (not "only in baseline" then).
 */
static int pair_settings(size_t n, struct keyed *const *kb,
			 const size_t *nb, const struct keyed *kc, size_t nc,
			 const size_t *unmatched, size_t n_unmatched, const json_t **ms,
			 const struct compare_opts *o, struct compare_result *out,
			 char ***paired, size_t *n_paired)
{
	char **mkc = calloc(n_unmatched ? n_unmatched : 1, sizeof(*mkc));
	char ***mkb = calloc(n, sizeof(*mkb));
	bool any = false;
	int rc = 0;

	if (!mkc || !mkb) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t u = 0; u < n_unmatched; u++) {
		const json_t *m = kc[unmatched[u]].m;

		if (!json_array_size(json_object_get(m, "setting_labels")))
			continue;
		if (!(mkc[u] = result_match_key(m))) {
			rc = -ENOMEM;
			goto out;
		}
		any = true;
	}
	/* match keys of the baseline measurements no current key matched */
	for (size_t i = 0; any && i < n; i++) {
		if (!(mkb[i] = calloc(nb[i] ? nb[i] : 1, sizeof(**mkb)))) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t a = 0; a < nb[i]; a++) {
			if (find_keyed(kc, nc, kb[i][a].key) ||
			    !json_array_size(json_object_get(kb[i][a].m, "setting_labels")))
				continue;
			if (!(mkb[i][a] = result_match_key(kb[i][a].m))) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	for (size_t u = 0; u < n_unmatched; u++) {
		const struct keyed *c = &kc[unmatched[u]];
		bool unique = mkc[u] != NULL;
		size_t k = 0;

		for (size_t v = 0; v < n_unmatched && unique; v++)
			unique = v == u || !mkc[v] || strcmp(mkc[v], mkc[u]) != 0;
		for (size_t i = 0; unique && i < n; i++) {
			const struct keyed *f = NULL;
			bool ambiguous = false;

			for (size_t a = 0; a < nb[i]; a++) {
				if (!mkb[i][a] || strcmp(mkb[i][a], mkc[u]) != 0)
					continue;
				if (f && strcmp(f->key, kb[i][a].key) != 0)
					ambiguous = true;
				else if (!f)
					f = &kb[i][a];
			}
			if (f && !ambiguous) {
				ms[k++] = f->m;
				if ((rc = push_str(paired, n_paired, f->key)) < 0)
					goto out;
			}
		}
		if (!k) {
			rc = push_str(&out->only_cur, &out->n_only_cur, c->key);
		} else {
			rc = compare_measurements_set(ms, k, c->m, o, &out->pairs[out->n_pairs]);
			if (!rc)
				rc = note_setting_diffs(&out->pairs[out->n_pairs++], out);
		}
		if (rc < 0)
			goto out;
	}
out:
	for (size_t i = 0; mkb && i < n; i++)
		compare_free_strs(mkb[i], mkb[i] ? nb[i] : 0);
	free(mkb);
	compare_free_strs(mkc, n_unmatched);
	return rc;
}

int compare_results(const json_t *base, const json_t *cur, const struct compare_opts *o,
		    struct compare_result *out)
{
	return compare_results_set(&base, 1, cur, o, out);
}

int compare_results_set(const json_t *const *base, size_t n, const json_t *cur,
			const struct compare_opts *o, struct compare_result *out)
{
	struct keyed **kb = NULL, *kc = NULL;
	size_t *nb = NULL, nc = 0, j = 0, *unmatched = NULL, n_unmatched = 0, n_paired = 0;
	const json_t **ms = NULL;
	char **paired = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!base || n == 0)
		return -EINVAL;
	out->n_base_runs = n;
	out->n_cur_runs = runs_count(cur);
	kb = calloc(n, sizeof(*kb));
	nb = calloc(n, sizeof(*nb));
	ms = calloc(n, sizeof(*ms));
	kc = index_measurements(cur, &nc);
	if (!kb || !nb || !ms || !kc) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		kb[i] = index_measurements(base[i], &nb[i]);
		if (!kb[i]) {
			rc = -ENOMEM;
			goto out;
		}
		rc = note_duplicates(kb[i], nb[i], out);
		if (rc < 0)
			goto out;
	}
	out->pairs = calloc(nc ? nc : 1, sizeof(*out->pairs));
	if (!out->pairs) {
		rc = -ENOMEM;
		goto out;
	}
	/* every key of the current run against the runs that have it (first of duplicates) */
	unmatched = calloc(nc ? nc : 1, sizeof(*unmatched));
	if (!unmatched) {
		rc = -ENOMEM;
		goto out;
	}
	while (j < nc) {
		size_t jj = j, k = 0;

		for (size_t i = 0; i < n; i++) {
			const struct keyed *f = find_keyed(kb[i], nb[i], kc[jj].key);

			if (f)
				ms[k++] = f->m;
		}
		if (!k) {
			unmatched[n_unmatched++] = jj;
		} else {
			rc = compare_measurements_set(ms, k, kc[jj].m, o, &out->pairs[out->n_pairs]);
			if (!rc)
				out->n_pairs++;
		}
		if (!rc)
			rc = skip_duplicates(kc, nc, &j, out);
		if (rc < 0)
			goto out;
	}
	/* then across setting labels: what is left on both sides, by result_match_key() */
	rc = pair_settings(n, kb, nb, kc, nc, unmatched, n_unmatched, ms, o, out,
			   &paired, &n_paired);
	if (rc < 0)
		goto out;
	/* keys of any baseline run missing from the current one, each once, sorted */
	for (size_t i = 0; i < n; i++) {
		for (size_t a = 0; a < nb[i]; a++) {
			bool seen = find_keyed(kc, nc, kb[i][a].key) != NULL;

			if (a && strcmp(kb[i][a].key, kb[i][a - 1].key) == 0)
				continue;
			for (size_t q = 0; q < n_paired && !seen; q++)
				seen = strcmp(paired[q], kb[i][a].key) == 0;
			for (size_t q = 0; q < i && !seen; q++)
				seen = find_keyed(kb[q], nb[q], kb[i][a].key) != NULL;
			if (!seen && (rc = push_str(&out->only_base, &out->n_only_base,
						    kb[i][a].key)) < 0)
				goto out;
		}
	}
	if (out->n_only_base > 1)
		qsort(out->only_base, out->n_only_base, sizeof(char *), compare_cmp_strp);
	compare_adjust(out->pairs, out->n_pairs, o->correction);
	/* fingerprint differences against any run, each key once */
	for (size_t i = 0; i < n; i++) {
		struct compare_env_diff *d = NULL;
		size_t nd = 0;

		rc = compare_env(json_object_get(base[i], "env"), json_object_get(cur, "env"),
				 &d, &nd);
		if (rc < 0)
			goto out;
		for (size_t a = 0; a < nd && rc == 0; a++) {
			bool seen = false;
			struct compare_env_diff *nn;

			for (size_t q = 0; q < out->n_env_diffs && !seen; q++)
				seen = strcmp(out->env_diffs[q].key, d[a].key) == 0;
			if (seen)
				continue;
			nn = realloc(out->env_diffs, (out->n_env_diffs + 1) * sizeof(*nn));
			if (!nn) {
				rc = -ENOMEM;
				break;
			}
			out->env_diffs = nn;
			nn[out->n_env_diffs++] = d[a];
			d[a] = (struct compare_env_diff){ NULL, NULL, NULL };
		}
		compare_env_diffs_free(d, nd);
		if (rc < 0)
			goto out;
	}
	compare_sort(out);
out:
	for (size_t i = 0; kb && i < n; i++)
		free_keyed(kb[i], nb[i]);
	free(kb);
	free(nb);
	free(ms);
	free(unmatched);
	compare_free_strs(paired, n_paired);
	free_keyed(kc, nc);
	if (rc < 0) {
		if (rc == -ENOMEM)
			locus_error("compare: out of memory");
		compare_result_free(out);
	}
	return rc;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct compare_pair *x = a, *y = b;
	double rx = isnan(x->ratio) ? -INFINITY : x->ratio;
	double ry = isnan(y->ratio) ? -INFINITY : y->ratio;

	if (x->verdict != y->verdict)
		return (int)x->verdict - (int)y->verdict;
	if (rx != ry)
		return rx < ry ? 1 : -1;
	return strcmp(x->key, y->key);
}

void compare_sort(struct compare_result *r)
{
	qsort(r->pairs, r->n_pairs, sizeof(*r->pairs), cmp_pair);
	memset(r->count, 0, sizeof(r->count));
	for (size_t i = 0; i < r->n_pairs; i++)
		r->count[r->pairs[i].verdict]++;
}

void compare_free_strs(char **s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

void compare_result_free(struct compare_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_pairs; i++)
		compare_pair_clear(&r->pairs[i]);
	free(r->pairs);
	compare_free_strs(r->only_base, r->n_only_base);
	compare_free_strs(r->only_cur, r->n_only_cur);
	compare_free_strs(r->duplicates, r->n_duplicates);
	compare_env_diffs_free(r->env_diffs, r->n_env_diffs);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ fingerprints */

char *compare_compact(const json_t *v)
{
	if (!v)
		return strdup("(absent)");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

void compare_env_diffs_free(struct compare_env_diff *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++) {
		free(d[i].key);
		free(d[i].base);
		free(d[i].cur);
	}
	free(d);
}

static int add_diff(struct compare_env_diff **d, size_t *n, const char *key,
		    const json_t *a, const json_t *b)
{
	struct compare_env_diff *nd = realloc(*d, (*n + 1) * sizeof(**d));

	if (!nd)
		return -ENOMEM;
	*d = nd;
	nd[*n].key = strdup(key);
	nd[*n].base = compare_compact(a);
	nd[*n].cur = compare_compact(b);
	(*n)++;
	if (!nd[*n - 1].key || !nd[*n - 1].base || !nd[*n - 1].cur)
		return -ENOMEM;
	return 0;
}

int compare_env(const json_t *env_base, const json_t *env_cur,
		struct compare_env_diff **out, size_t *n)
{
	int rc = 0;

	*out = NULL;
	*n = 0;
	/* Without a fingerprint on one side nothing can be vouched for: say that once
	 * rather than listing every key as absent. */
	if (json_is_object(env_base) != json_is_object(env_cur)) {
		json_t *present = json_string("recorded");

		rc = add_diff(out, n, "env", json_is_object(env_base) ? present : NULL,
			      json_is_object(env_cur) ? present : NULL);
		json_decref(present);
		goto out;
	}
	if (!json_is_object(env_base))
		return 0;
	for (const char *const *k = env_critical_keys; *k; k++) {
		const json_t *a = env_get(env_base, *k), *b = env_get(env_cur, *k);

		if (!a && !b)
			continue;
		if (a && b && json_equal((json_t *)a, (json_t *)b))
			continue;
		rc = add_diff(out, n, *k, a, b);
		if (rc < 0)
			break;
	}
out:
	if (rc < 0) {
		compare_env_diffs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

char *compare_fingerprint_id(const json_t *env, char *buf)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */

	for (const char *const *k = env_critical_keys; *k; k++) {
		const json_t *v = json_is_object(env) ? env_get(env, *k) : NULL;
		char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
		const char *parts[] = { *k, "=", s ? s : "null", "\n" };

		for (size_t p = 0; p < 4; p++)
			for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++) {
				h ^= *c;
				h *= 0x100000001b3ull;
			}
		free(s);
	}
	snprintf(buf, 17, "%016llx", (unsigned long long)h);
	return buf;
}

char *compare_fingerprint_text(const json_t *env)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	for (const char *const *k = env_critical_keys; *k; k++) {
		const json_t *v = json_is_object(env) ? env_get(env, *k) : NULL;

		if (!v || json_is_null(v))
			continue;
		fprintf(f, "%s%s=", first ? "" : " ", *k);
		first = false;
		if (json_is_string(v)) {
			fputs(json_string_value(v), f);
		} else {
			char *s = compare_compact(v);

			fputs(s ? s : "?", f);
			free(s);
		}
	}
	if (first)
		fputs("(no fingerprint)", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* One option's values differ: "--NAME (A vs B)" into buf. */
static const char *option_diff(const char *prefix, const char *name, const json_t *x,
			       const json_t *y, char *buf, size_t len)
{
	char *a = x && !json_is_null(x) ? compare_compact(x) : NULL;
	char *b = y && !json_is_null(y) ? compare_compact(y) : NULL;
	char opt[128];
	size_t i;

	/* run.options keys are the option names with '_' for '-' */
	snprintf(opt, sizeof(opt), "%s%s", prefix, name);
	for (i = 0; opt[i]; i++)
		if (opt[i] == '_')
			opt[i] = '-';
	snprintf(buf, len, "--%s (%s vs %s)", opt, a ? a : "default", b ? b : "default");
	free(a);
	free(b);
	return buf;
}

static const char *objects_differ(const char *prefix, const json_t *a, const json_t *b,
				  char *buf, size_t len)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v) {
		const json_t *w = json_object_get(b, k);

		if (json_is_object(v) && json_is_object(w) && strcmp(k, "bench_options") == 0) {
			if (objects_differ("", v, w, buf, len))
				return buf;
			continue;
		}
		if (!(w ? json_equal(v, (json_t *)w) : json_is_null(v) ||
		      (json_is_object(v) && !json_object_size(v)) ||
		      (json_is_array(v) && !json_array_size(v))))
			return option_diff(prefix, k, v, w, buf, len);
	}
	json_object_foreach((json_t *)b, k, v)
		if (!json_object_get(a, k) && !json_is_null(v) &&
		    !(json_is_object(v) && !json_object_size(v)) &&
		    !(json_is_array(v) && !json_array_size(v)))
			return option_diff(prefix, k, NULL, v, buf, len);
	return NULL;
}

const char *compare_option_mismatch(const json_t *a, const json_t *b, char *buf, size_t len)
{
	const json_t *ra = json_object_get(a, "run"), *rb = json_object_get(b, "run");
	const json_t *oa = json_object_get(ra, "options"), *ob = json_object_get(rb, "options");
	const json_t *ca = json_object_get(ra, "command"), *cb = json_object_get(rb, "command");

	if (!json_is_object(oa) || !json_is_object(ob))
		return NULL;
	if (json_is_string(ca) && json_is_string(cb) && !json_equal((json_t *)ca, (json_t *)cb)) {
		snprintf(buf, len, "the benchmark (bench %s vs bench %s)", json_string_value(ca),
			 json_string_value(cb));
		return buf;
	}
	return objects_differ("", oa, ob, buf, len);
}
