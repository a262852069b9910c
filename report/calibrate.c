/* SPDX-License-Identifier: MIT */
/*
 * calibrate.c — calibration of the verdict rule (calibrate.h): bootstrap pseudo-runs
 * of a recorded result, with and without an injected slowdown, compared as `compare`
 * and confirmed as `gate` would, deterministic for a seed.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "calibrate.h"
#include "compare-config.h"
#include "compare-internal.h"
#include "log.h"
#include "rng.h"
#include "stats.h"

struct calib_m {
	double *v;
	size_t n;
	bool hib;
	double alpha, threshold;
};

static void resample(struct rng *g, const double *src, size_t n, double *dst)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[rng_index(g, n)];
}

/* Stage one measurement of a calibration trial: the pair's statistics, unadjusted. */
static int calib_pair(struct compare_pair *p, const struct calib_m *m, const double *a,
		      const double *b, const struct compare_opts *o)
{
	*p = (struct compare_pair){ .alpha = m->alpha, .threshold = m->threshold,
				    .higher_is_better = m->hib };
	return compare_pair_stats(p, a, m->n, b, m->n, o, false);
}

int compare_calibrate(const json_t *result, const struct compare_opts *o, unsigned trials,
		      uint64_t seed, struct compare_calib_row *rows, size_t n_rows)
{
	const json_t *arr = json_object_get(result, "measurements");
	size_t nm = 0, maxn = 0, i;
	struct calib_m *ms = calloc(json_array_size(arr) + 1, sizeof(*ms));
	struct compare_pair *pairs = NULL, *conf = NULL;
	double *a = NULL, *b = NULL;
	size_t *sus = NULL;
	struct rng g;
	json_t *m;
	int rc = 0;

	if (!ms)
		return -ENOMEM;
	json_array_foreach(arr, i, m) {
		struct calib_m *x = &ms[nm];
		double *s;

		x->v = compare_samples_of(m, &x->n);
		if (!x->v) {
			rc = -ENOMEM;
			goto out;
		}
		s = stats_sorted_copy(x->v, x->n);
		if (!s) {
			rc = -ENOMEM;
			goto out;
		}
		if (x->n < 2 || !(stats_quantile_sorted(s, x->n, 0.5) > 0.0)) {
			free(s);
			free(x->v);
			x->v = NULL;
			continue;
		}
		free(s);
		x->hib = json_is_true(json_object_get(m, "higher_is_better"));
		x->alpha = o->alpha;
		x->threshold = o->threshold;
		compare_config_apply(o->config, m, &x->alpha, &x->threshold);
		if (x->n > maxn)
			maxn = x->n;
		nm++;
	}
	if (!nm) {
		rc = locus_fail(EINVAL, "calibrate: no measurement with 2 or more samples and a positive "
					"median to resample");
		goto out;
	}
	/* every measurement's first pseudo-run is kept: the confirmation compares with it */
	a = malloc(nm * maxn * sizeof(*a));
	b = malloc(maxn * sizeof(*b));
	pairs = calloc(nm, sizeof(*pairs));
	conf = calloc(nm, sizeof(*conf));
	sus = calloc(nm, sizeof(*sus));
	if (!a || !b || !pairs || !conf || !sus) {
		rc = -ENOMEM;
		goto out;
	}
	rng_seed(&g, seed);
	for (size_t r = 0; r < n_rows; r++) {
		struct compare_calib_row *row = &rows[r];
		double s = row->slowdown;

		memset(row, 0, sizeof(*row));
		row->slowdown = s;
		row->runs = trials;
		for (unsigned t = 0; t < trials; t++) {
			size_t ns = 0, nc = 0;

			for (size_t k = 0; k < nm; k++) {
				const struct calib_m *x = &ms[k];

				resample(&g, x->v, x->n, a + k * maxn);
				resample(&g, x->v, x->n, b);
				compare_inject_slowdown(b, x->n, s, x->hib);
				rc = calib_pair(&pairs[k], x, a + k * maxn, b, o);
				if (rc < 0)
					goto out;
			}
			/* one trial is one comparison of two runs: one family */
			compare_adjust(pairs, nm, o->correction);
			for (size_t k = 0; k < nm; k++) {
				row->comparisons++;
				row->count[pairs[k].verdict]++;
				if (pairs[k].verdict == VERDICT_REGRESSED)
					sus[ns++] = k;
			}
			if (!ns)
				continue;
			row->runs_flagged++;
			/* the gate's confirmation: fresh runs of the suspects against the same
			 * baseline, the suspects adjusted as their own family */
			for (size_t j = 0; j < ns; j++) {
				const struct calib_m *x = &ms[sus[j]];

				resample(&g, x->v, x->n, b);
				compare_inject_slowdown(b, x->n, s, x->hib);
				rc = calib_pair(&conf[j], x, a + sus[j] * maxn, b, o);
				if (rc < 0)
					goto out;
			}
			compare_adjust(conf, ns, o->correction);
			for (size_t j = 0; j < ns; j++)
				nc += conf[j].verdict == VERDICT_REGRESSED;
			row->confirmed += nc;
			row->runs_flagged_confirmed += nc > 0;
		}
	}
out:
	if (rc == -ENOMEM)
		locus_error("calibrate: out of memory");
	for (i = 0; i < nm + 1 && ms; i++)
		free(ms[i].v);
	free(ms);
	free(a);
	free(b);
	free(pairs);
	free(conf);
	free(sus);
	return rc;
}
