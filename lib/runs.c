/* SPDX-License-Identifier: MIT */
/*
 * runs.c — merging several runs of the same benchmarks into one result and splitting
 * them apart again (the format is described in runs.h).
 *
 * Why not keep the runs as separate files: every consumer (compare, report, baseline,
 * tune ab) already reads one result, and a merged file still is one — its summaries
 * cover every sample — while run_sizes keeps what the gate's run-level test needs: each
 * run's own median.
 */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "result.h"
#include "runs.h"
#include "stats.h"

size_t runs_count(const json_t *res)
{
	json_int_t n = json_integer_value(json_object_get(res, "merged_runs"));

	return n >= 1 ? (size_t)n : 1;
}

/* The run sizes of m in a result of `runs` runs: run_sizes when present, else one run
 * holding every sample.  sizes[] has room for `runs` entries. */
static void sizes_of(const json_t *m, size_t runs, size_t *sizes)
{
	const json_t *rs = json_object_get(m, "run_sizes");

	memset(sizes, 0, runs * sizeof(*sizes));
	if (json_is_array(rs) && json_array_size(rs) == runs) {
		for (size_t i = 0; i < runs; i++)
			sizes[i] = (size_t)json_integer_value(json_array_get(rs, i));
	} else {
		sizes[0] = json_array_size(json_object_get(m, "samples"));
	}
}

/* A measurement like template `t` (its other fields — verified, counters, ... —
 * copied) holding samples v[0..n) with a summary of them, without run_sizes.  NULL when
 * out of memory. */
static json_t *measurement_like(const json_t *t, const double *v, size_t n)
{
	json_t *nm = result_measurement(json_string_value(json_object_get(t, "bench")),
					json_string_value(json_object_get(t, "metric")),
					json_string_value(json_object_get(t, "unit")),
					json_is_true(json_object_get(t, "higher_is_better")),
					json_deep_copy(json_object_get(t, "labels")), v, n);

	if (nm) {
		json_object_update_missing(nm, (json_t *)t);
		json_object_del(nm, "run_sizes");
		/* per-sample fields belong to t's samples, not to v: the caller sets them */
		json_object_del(nm, "sentinel");
		json_object_del(nm, "steal_ms");
		json_object_del(nm, "disturbed");
		result_quality_summary(nm);
	}
	return nm;
}

/* One merged measurement being built: the first run's measurement as the template. */
struct acc {
	char *key;
	const json_t *first;
	json_t *samples;  /* all samples, run order */
	json_t *sizes;    /* per run */
	/* per-sample host fields (sentinel.h), concatenated; dropped when a run lacks them */
	json_t *sent, *steal, *dist;
	bool no_sent, no_steal;
};

/* Append m's per-sample host fields to a, whose samples so far number `off`. */
static void acc_quality(struct acc *a, const json_t *m, size_t off)
{
	json_t *x, *d = json_object_get(m, "disturbed");
	size_t i;

	if (json_is_array(json_object_get(m, "sentinel")))
		json_array_extend(a->sent, json_object_get(m, "sentinel"));
	else
		a->no_sent = true;
	if (json_is_array(json_object_get(m, "steal_ms")))
		json_array_extend(a->steal, json_object_get(m, "steal_ms"));
	else
		a->no_steal = true;
	json_array_foreach(d, i, x)
		json_array_append_new(a->dist, json_integer(json_integer_value(x) +
							    (json_int_t)off));
}

static struct acc *acc_find(struct acc *a, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].key, key) == 0)
			return &a[i];
	return NULL;
}

json_t *runs_merge(json_t *const *runs, size_t n)
{
	struct acc *acc = NULL;
	size_t nacc = 0, total = 0, at = 0;
	json_t *out = NULL, *ms = NULL;
	bool oom = false;

	for (size_t r = 0; r < n; r++) {
		if (!json_is_array(json_object_get(runs[r], "measurements"))) {
			locus_error("merging runs: run %zu has no measurements array", r + 1);
			return NULL;
		}
		total += runs_count(runs[r]);
	}
	if (!n)
		return NULL;
	/* Every run of every input, in order: input r's own runs occupy [at, at + k). */
	for (size_t r = 0; r < n && !oom; r++) {
		size_t k = runs_count(runs[r]), *sizes = calloc(k, sizeof(*sizes));
		json_t *m;
		size_t i;

		if (!sizes) {
			oom = true;
			break;
		}
		json_array_foreach(json_object_get(runs[r], "measurements"), i, m) {
			char *key = result_key(m);
			struct acc *a = key ? acc_find(acc, nacc, key) : NULL;
			json_t *s = json_object_get(m, "samples");

			if (!key) {
				oom = true;
				break;
			}
			if (!a) {
				struct acc *na = realloc(acc, (nacc + 1) * sizeof(*acc));

				if (!na) {
					free(key);
					oom = true;
					break;
				}
				acc = na;
				a = &acc[nacc++];
				*a = (struct acc){ .key = key, .first = m, .samples = json_array(),
						   .sizes = json_array(), .sent = json_array(),
						   .steal = json_array(), .dist = json_array() };
				for (size_t z = 0; z < total; z++)
					json_array_append_new(a->sizes, json_integer(0));
				if (!a->samples || !a->sizes) {
					oom = true;
					break;
				}
			} else {
				free(key);
			}
			sizes_of(m, k, sizes);
			/* a duplicate key within one run adds to that run's count */
			for (size_t z = 0; z < k; z++) {
				json_t *c = json_array_get(a->sizes, at + z);

				json_integer_set(c, json_integer_value(c) + (json_int_t)sizes[z]);
			}
			acc_quality(a, m, json_array_size(a->samples));
			if (json_array_extend(a->samples, s) < 0)
				oom = true;
		}
		free(sizes);
		at += k;
	}
	if (oom)
		goto out;

	out = json_deep_copy(runs[0]);
	ms = json_array();
	if (!out || !ms)
		goto fail;
	for (size_t i = 0; i < nacc; i++) {
		size_t k = json_array_size(acc[i].samples), j;
		double *v = malloc((k ? k : 1) * sizeof(*v));
		const json_t *f = acc[i].first;
		json_t *x, *nm;

		if (!v)
			goto fail;
		json_array_foreach(acc[i].samples, j, x)
			v[j] = json_number_value(x);
		/* the template's other fields (verified, counters, ...) are run 1's */
		nm = measurement_like(f, v, k);
		free(v);
		if (!nm)
			goto fail;
		json_object_set(nm, "run_sizes", acc[i].sizes);
		if (!acc[i].no_sent) {
			json_object_set(nm, "sentinel", acc[i].sent);
			json_object_set(nm, "disturbed", acc[i].dist);
			if (!acc[i].no_steal)
				json_object_set(nm, "steal_ms", acc[i].steal);
			result_quality_summary(nm);
		}
		if (json_array_append_new(ms, nm) < 0)
			goto fail;
	}
	json_object_set_new(out, "measurements", ms);
	json_object_set_new(out, "merged_runs", json_integer((json_int_t)total));
	goto out;
fail:
	oom = true;
	json_decref(ms);
	json_decref(out);
	out = NULL;
out:
	for (size_t i = 0; i < nacc; i++) {
		free(acc[i].key);
		json_decref(acc[i].samples);
		json_decref(acc[i].sizes);
		json_decref(acc[i].sent);
		json_decref(acc[i].steal);
		json_decref(acc[i].dist);
	}
	free(acc);
	if (oom)
		locus_error("merging runs: out of memory");
	return out;
}

int runs_split(const json_t *res, json_t ***out, size_t *n)
{
	size_t k = runs_count(res), *sizes = calloc(k, sizeof(*sizes));
	json_t **parts = calloc(k, sizeof(*parts)), *m;
	const json_t *ms = json_object_get(res, "measurements");
	size_t i;

	*out = NULL;
	*n = 0;
	if (!sizes || !parts)
		goto oom;
	json_array_foreach(ms, i, m) {
		const char *why = result_check_run_sizes(m, json_object_get(res, "merged_runs") ? k : 0);

		if (why) {
			locus_error("measurements[%zu]: %s", i, why);
			free(sizes);
			free(parts);
			return -EINVAL;
		}
	}
	for (size_t r = 0; r < k; r++) {
		parts[r] = json_deep_copy(res);
		if (!parts[r])
			goto oom;
		json_object_del(parts[r], "merged_runs");
		if (json_object_set_new(parts[r], "measurements", json_array()) < 0)
			goto oom;
	}
	json_array_foreach(ms, i, m) {
		size_t off = 0;

		sizes_of(m, k, sizes);
		for (size_t r = 0; r < k; r++) {
			size_t len = sizes[r];
			double *v;
			json_t *nm;

			if (!len)
				continue;
			v = malloc(len * sizeof(*v));
			if (!v)
				goto oom;
			for (size_t j = 0; j < len; j++)
				v[j] = json_number_value(json_array_get(json_object_get(m, "samples"),
									off + j));
			nm = measurement_like(m, v, len);
			free(v);
			if (!nm)
				goto oom;
			result_copy_quality(nm, m, off, len);
			off += len;
			if (json_array_append_new(json_object_get(parts[r], "measurements"), nm) < 0)
				goto oom;
		}
	}
	free(sizes);
	*out = parts;
	*n = k;
	return 0;
oom:
	for (size_t r = 0; parts && r < k; r++)
		json_decref(parts[r]);
	free(parts);
	free(sizes);
	locus_error("splitting runs: out of memory");
	return -ENOMEM;
}

size_t runs_medians(const json_t *m, double *meds, size_t cap)
{
	const json_t *s = json_object_get(m, "samples"), *rs = json_object_get(m, "run_sizes");
	size_t n = json_array_size(s), nr = json_is_array(rs) ? json_array_size(rs) : 0;
	size_t off = 0, got = 0;
	double *v = malloc((n ? n : 1) * sizeof(*v));

	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		v[i] = json_number_value(json_array_get(s, i));
	if (!nr) {
		/* a plain measurement: one run */
		if (n && cap) {
			qsort(v, n, sizeof(*v), stats_cmp_double);
			meds[got++] = stats_quantile_sorted(v, n, 0.5);
		}
		free(v);
		return got;
	}
	for (size_t r = 0; r < nr && got < cap; r++) {
		size_t len = (size_t)json_integer_value(json_array_get(rs, r));

		if (off + len > n)
			break;    /* inconsistent: result validation reports it */
		if (len) {
			qsort(v + off, len, sizeof(*v), stats_cmp_double);
			meds[got++] = stats_quantile_sorted(v + off, len, 0.5);
		}
		off += len;
	}
	free(v);
	return got;
}
