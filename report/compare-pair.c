/* SPDX-License-Identifier: MIT */
/*
 * compare-pair.c — one baseline/current pair of measurements: its samples (pooled over
 * the baseline's runs), medians, ratio, Hodges-Lehmann shift, bootstrap CI and
 * Mann-Whitney p-value (lib/stattest.h), the run-level statistics of a multi-run
 * baseline, and its verdict (compare-verdict.h); and the adjustment of a family of
 * pairs for multiple comparisons (Holm, twice: within runs and at the run level).
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "compare-config.h"
#include "compare-internal.h"
#include "result.h"
#include "runs.h"
#include "stats.h"
#include "stattest.h"

/* The samples of a measurement as a malloc'd array (never NULL unless ENOMEM). */
double *compare_samples_of(const json_t *m, size_t *n)
{
	const json_t *arr = json_object_get(m, "samples");
	size_t i, len = json_array_size(arr);
	double *v = malloc((len ? len : 1) * sizeof(*v));
	json_t *x;

	*n = 0;
	if (!v)
		return NULL;
	json_array_foreach(arr, i, x)
		if (json_is_number(x))
			v[(*n)++] = json_number_value(x);
	return v;
}

/* Scale samples by (1 + s) in the bad direction: slower for lower-is-better metrics,
 * lower throughput for higher-is-better ones. */
void compare_inject_slowdown(double *v, size_t n, double s, bool hib)
{
	for (size_t i = 0; i < n; i++)
		v[i] = hib ? v[i] / (1.0 + s) : v[i] * (1.0 + s);
}

/* Rules 1-6 on the pooled samples. */
static void pair_decide_pooled(struct compare_pair *p)
{
	if (p->n_base == 0 || p->n_cur == 0) {
		p->verdict = VERDICT_INCONCLUSIVE;
		p->reason = "no samples";
	} else if (p->incomparable) {
		/* different units or directions make the numbers incomparable, whatever
		 * they say */
		p->verdict = VERDICT_INCONCLUSIVE;
		p->reason = "unit or direction differs between the two files";
	} else {
		p->verdict = compare_decide(p->n_base, p->n_cur, p->p_adj, p->ratio, p->ci_low,
					    p->ci_high, p->alpha, p->threshold, &p->reason);
	}
}

/* Does the run-level test (K >= 3) apply to this pair's pooled verdict, and which of
 * its one-sided p-values?  NAN when not. */
static double run_p_raw(const struct compare_pair *p)
{
	if (p->incomparable || p->base_runs < COMPARE_RUN_TEST_MIN_RUNS)
		return NAN;
	if (p->verdict == VERDICT_IMPROVED)
		return p->run_test.p_better;
	return p->run_test.p_worse;
}

/* The run-level family: pooled regressions and improvements with K >= 3. */
static bool run_testable(const struct compare_pair *p)
{
	return p->base_runs >= COMPARE_RUN_TEST_MIN_RUNS && !p->incomparable &&
	       (p->verdict == VERDICT_REGRESSED || p->verdict == VERDICT_IMPROVED) &&
	       !isnan(run_p_raw(p));
}

/* Rules 7-9 on a pooled verdict, p->run_p_adj already set for K >= 3. */
static void pair_decide_runs(struct compare_pair *p)
{
	if (p->n_base == 0 || p->n_cur == 0 || p->incomparable)
		return;
	if (p->base_runs >= COMPARE_RUN_TEST_MIN_RUNS)
		p->verdict = compare_decide_run_test(p->verdict, p->base_runs, p->run_p_adj,
						     p->run_test.ratio_mid, p->alpha,
						     p->threshold, &p->reason);
	else
		p->verdict = compare_decide_runs(p->verdict, p->base_runs, p->run_ratio_worst,
						 p->run_ratio_best, p->threshold, &p->reason);
}

/* Can this pair be significant at all?  Those that cannot are no part of the family
 * the p-values are adjusted over (Tarone). */
static bool pair_testable(const struct compare_pair *p)
{
	return !p->incomparable && p->n_base >= COMPARE_MIN_SAMPLES &&
	       p->n_cur >= COMPARE_MIN_SAMPLES && isfinite(p->ratio) && !isnan(p->mw.p) &&
	       stat_mw_min_p(p->n_base, p->n_cur) < p->alpha;
}

/* After the rules: no "unchanged" beside a change beyond the threshold, and what the
 * pair could see at all (the smallest p its sample counts allow, times the family
 * Holm may multiply it by, must stay below alpha). */
static void pair_finish(struct compare_pair *p)
{
	bool can = pair_testable(p) &&
		   stat_mw_min_p(p->n_base, p->n_cur) * (double)(p->family ? p->family : 1) < p->alpha;

	p->verdict = compare_guard_change(p->verdict, p->ratio, p->threshold, &p->reason);
	p->detectable = compare_detectable(p->ratio, p->ci_low, p->ci_high, p->run_detectable,
					   can, p->threshold);
}

/* A family of one. */
static void pair_decide(struct compare_pair *p)
{
	pair_decide_pooled(p);
	p->run_p_adj = run_p_raw(p);
	p->run_family = run_testable(p) ? 1 : 0;
	pair_decide_runs(p);
	pair_finish(p);
}

void compare_adjust(struct compare_pair *pairs, size_t n, enum compare_correction c)
{
	struct stat_pidx *v = c == COMPARE_HOLM ? malloc((n ? n : 1) * sizeof(*v)) : NULL;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		pairs[i].p_adj = pairs[i].mw.p;
		if (c == COMPARE_HOLM && pair_testable(&pairs[i])) {
			if (v)
				v[m] = (struct stat_pidx){ pairs[i].mw.p, i };
			m++;
		}
	}
	if (c == COMPARE_HOLM && v) {
		stat_holm(v, m);
		for (size_t r = 0; r < m; r++)
			pairs[v[r].i].p_adj = v[r].p;
	} else if (c == COMPARE_HOLM) {
		/* no memory for sorting: Bonferroni, never less strict than Holm */
		for (size_t i = 0; i < n; i++)
			if (pair_testable(&pairs[i]))
				pairs[i].p_adj = fmin(1.0, (double)m * pairs[i].mw.p);
	}
	for (size_t i = 0; i < n; i++) {
		pairs[i].family = c == COMPARE_HOLM ? m : 1;
		pair_decide_pooled(&pairs[i]);
		pairs[i].run_p_adj = run_p_raw(&pairs[i]);
		pairs[i].run_family = 0;
	}
	/* The run-level p-values of the pairs that reach rules 7-8 (pooled regressions and
	 * improvements, K >= 3) are a second family, Holm-adjusted the same way. */
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!run_testable(&pairs[i]))
			continue;
		if (v)
			v[m] = (struct stat_pidx){ pairs[i].run_p_adj, i };
		m++;
	}
	if (c == COMPARE_HOLM && v) {
		stat_holm(v, m);
		for (size_t r = 0; r < m; r++)
			pairs[v[r].i].run_p_adj = v[r].p;
	} else if (c == COMPARE_HOLM) {
		for (size_t i = 0; i < n; i++)
			if (run_testable(&pairs[i]))
				pairs[i].run_p_adj = fmin(1.0, (double)m * pairs[i].run_p_adj);
	}
	for (size_t i = 0; i < n; i++) {
		if (run_testable(&pairs[i]))
			pairs[i].run_family = c == COMPARE_HOLM ? m : 1;
		pair_decide_runs(&pairs[i]);
		pair_finish(&pairs[i]);
	}
	free(v);
}

/* The statistics of one pair on arrays; fills the numeric fields and the verdict of
 * p (which must already hold alpha, threshold, higher_is_better).  full = false skips
 * what no verdict can depend on (calibration): the Hodges-Lehmann estimate, and the
 * bootstrap when rule 1 (too few samples) decides anyway. */
int compare_pair_stats(struct compare_pair *p, const double *b, size_t nb, const double *c,
		      size_t nc, const struct compare_opts *o, bool full)
{
	double *sb = NULL, *sc = NULL;
	int rc = 0;

	p->n_base = nb;
	p->n_cur = nc;
	p->median_base = p->median_cur = p->ratio = p->hl_shift = NAN;
	p->ci_low = p->ci_high = NAN;
	p->ci_level = o->ci_level ? o->ci_level : COMPARE_DEFAULT_CI_LEVEL;
	p->mw = (struct stat_mw){ .u = NAN, .p = NAN };
	if (nb && nc) {
		sb = stats_sorted_copy(b, nb);
		sc = stats_sorted_copy(c, nc);
		if (!sb || !sc) {
			rc = -ENOMEM;
			goto out;
		}
		p->median_base = stats_quantile_sorted(sb, nb, 0.5);
		p->median_cur = stats_quantile_sorted(sc, nc, 0.5);
		if (p->median_base > 0.0 && p->median_cur > 0.0)
			p->ratio = stat_bad_ratio(p->median_base, p->median_cur, p->higher_is_better);
		else if (p->median_base == p->median_cur)
			p->ratio = 1.0;
		rc = stat_mann_whitney(sb, nb, sc, nc, &p->mw);
		if (rc < 0)
			goto out;
		if (full)
			p->hl_shift = stat_hodges_lehmann(sb, nb, sc, nc);
		if (!full && (nb < COMPARE_MIN_SAMPLES || nc < COMPARE_MIN_SAMPLES ||
			      stat_mw_min_p(nb, nc) >= p->alpha)) {
			/* inconclusive whatever the interval says */
		} else if (p->median_base > 0.0 && p->median_cur > 0.0) {
			rc = stat_boot_ratio_ci_sorted(sb, nb, sc, nc, p->higher_is_better, p->ci_level,
					       o->boot_reps ? o->boot_reps : COMPARE_DEFAULT_BOOT_REPS,
					       &p->ci_low, &p->ci_high);
			if (rc < 0)
				goto out;
		} else if (p->ratio == 1.0) {
			p->ci_low = p->ci_high = 1.0;
		}
	}
	p->p_adj = p->mw.p;
	p->family = 1;
	pair_decide(p);
out:
	free(sb);
	free(sc);
	return rc;
}

void compare_pair_clear(struct compare_pair *p)
{
	if (!p)
		return;
	free(p->key);
	free(p->note);
	free(p->settings);
	free(p->base_set);
	p->key = p->note = p->settings = NULL;
	p->base_set = NULL;
	p->n_base_set = 0;
}

/* The current side's value for the run level: its median, or, when it holds several
 * merged runs (`locus gate --runs M`, lib/runs.h), the median of their medians — one
 * disturbed run out of three cannot move it.  That value is then tested as ONE draw of
 * the run distribution (rules 7-8 unchanged): conservative, since a median of M runs
 * varies no more than one run does. */
static double current_run_value(struct compare_pair *p, const json_t *cur, double inject)
{
	size_t k = json_array_size(json_object_get(cur, "run_sizes")), got;
	double *meds, v;

	p->cur_runs = 1;
	if (k < 2)
		return p->median_cur;   /* already injected, when calibrating */
	meds = malloc(k * sizeof(*meds));
	if (!meds)
		return p->median_cur;
	got = runs_medians(cur, meds, k);
	if (got)
		compare_inject_slowdown(meds, got, inject, p->higher_is_better);
	v = got ? stats_median(meds, got) : p->median_cur;
	p->cur_runs = got ? got : 1;
	free(meds);
	return v;
}

/* The baseline runs' medians of one measurement: best and worst in the bad direction,
 * and from them the spread and the current value's ratios to them (rules 7-8). */
static int run_level(struct compare_pair *p, const json_t *const *base, size_t n,
		     const json_t *cur, double inject)
{
	bool hib = p->higher_is_better, bad = false;
	double best = NAN, worst = NAN, *meds = malloc((n ? n : 1) * sizeof(*meds));
	double x = current_run_value(p, cur, inject);
	int rc;

	p->base_runs = 0;
	p->run_test = (struct compare_run_test){ NAN, NAN, NAN, NAN, NAN };
	p->run_p_adj = NAN;
	p->run_family = 0;
	if (!meds)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		double *v = compare_samples_of(base[i], &k), med;

		if (!v) {
			free(meds);
			return -ENOMEM;
		}
		med = k ? stats_median(v, k) : NAN;
		free(v);
		if (!k)
			continue;
		meds[p->base_runs++] = med;
		if (!(med > 0.0))
			bad = true;
		/* worst = highest for lower-is-better, lowest for higher-is-better */
		if (isnan(worst) || (hib ? med < worst : med > worst))
			worst = med;
		if (isnan(best) || (hib ? med > best : med < best))
			best = med;
	}
	p->run_median_best = best;
	p->run_median_worst = worst;
	p->run_current = x;
	if (bad || !(x > 0.0) || p->base_runs == 0) {
		p->run_spread = p->run_ratio_worst = p->run_ratio_best = NAN;
	} else {
		p->run_spread = stat_bad_ratio(best, worst, hib) - 1.0;
		p->run_ratio_worst = stat_bad_ratio(worst, x, hib);
		p->run_ratio_best = stat_bad_ratio(best, x, hib);
	}
	rc = p->base_runs ? compare_run_test(meds, p->base_runs, x, hib,
					     p->threshold, &p->run_test) : 0;
	/* The smallest regression the run-level test can call for a lone suspect: what
	 * this baseline's run-to-run spread lets the gate see at all. */
	p->run_detectable = NAN;
	if (p->base_runs >= COMPARE_RUN_TEST_MIN_RUNS && isfinite(p->run_test.sd)) {
		double k = (double)p->base_runs, tq = stat_t_quantile(p->alpha, k - 1.0);

		p->run_detectable = fmax(expm1(tq * p->run_test.sd * sqrt(1.0 + 1.0 / k)),
					 p->threshold);
	}
	free(meds);
	return rc == -ENOMEM ? rc : 0;
}

bool compare_label_equal(const json_t *a, const json_t *b)
{
	return (!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b));
}

/* One setting label's change: "NAME B → C", the baseline runs' distinct values
 * comma-separated; nothing when every run has the current value. */
static void setting_change(FILE *f, bool *any, const char *name, const json_t *const *base,
			   size_t n, const json_t *cur)
{
	const json_t *cv = json_object_get(json_object_get(cur, "labels"), name);
	bool differs = false, first = true;

	for (size_t i = 0; i < n; i++)
		differs |= !compare_label_equal(json_object_get(json_object_get(base[i], "labels"), name), cv);
	if (!differs)
		return;
	fprintf(f, "%s%s ", *any ? ", " : "", name);
	for (size_t i = 0; i < n; i++) {
		const json_t *bv = json_object_get(json_object_get(base[i], "labels"), name);
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = compare_label_equal(json_object_get(json_object_get(base[j], "labels"), name), bv);
		if (seen)
			continue;
		if (!first)
			fputc(',', f);
		result_label_text(f, bv);
		first = false;
	}
	fputs(" → ", f);
	result_label_text(f, cv);
	*any = true;
}

/* "mode 0 → 2" over the setting labels of cur and base[0] whose values differ, or
 * NULL (nothing differs, or ENOMEM: the note is informative only). */
static char *settings_text(const json_t *const *base, size_t n, const json_t *cur)
{
	const json_t *lists[2] = { json_object_get(cur, "setting_labels"),
				   json_object_get(base[0], "setting_labels") };
	bool any = false;
	size_t len, i;
	char *buf;
	json_t *x;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (int l = 0; l < 2; l++) {
		json_array_foreach(lists[l], i, x) {
			const char *name = json_string_value(x);

			if (!name || (l == 1 && result_is_setting_label(cur, name)))
				continue;
			setting_change(f, &any, name, base, n, cur);
		}
	}
	fclose(f);
	if (!any) {
		free(buf);
		return NULL;
	}
	return buf;
}

int compare_measurements_set(const json_t *const *base, size_t n, const json_t *cur,
			     const struct compare_opts *o, struct compare_pair *out)
{
	const char *ub, *uc = json_string_value(json_object_get(cur, "unit"));
	double *b = NULL, *c = NULL;
	size_t nb = 0, nc, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!base || n == 0)
		return -EINVAL;
	ub = json_string_value(json_object_get(base[0], "unit"));
	/* the current's key: with a setting changed it is the one a rerun (gate) has */
	out->key = result_key(cur);
	out->settings = settings_text(base, n, cur);
	out->base_set = malloc(n * sizeof(*out->base_set));
	if (!out->key || !out->base_set) {
		compare_pair_clear(out);
		return -ENOMEM;
	}
	memcpy(out->base_set, base, n * sizeof(*base));
	out->n_base_set = n;
	out->base = base[0];
	out->cur = cur;
	out->bench = json_string_value(json_object_get(base[0], "bench"));
	out->metric = json_string_value(json_object_get(base[0], "metric"));
	out->unit = ub ? ub : "";
	out->higher_is_better = json_is_true(json_object_get(base[0], "higher_is_better"));
	out->alpha = o->alpha;
	out->threshold = o->threshold;
	compare_config_apply(o->config, base[0], &out->alpha, &out->threshold);

	/* the baseline's samples, pooled over its runs */
	for (size_t i = 0; i < n; i++)
		cap += json_array_size(json_object_get(base[i], "samples"));
	b = malloc((cap ? cap : 1) * sizeof(*b));
	c = compare_samples_of(cur, &nc);
	if (!b || !c) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *u = json_string_value(json_object_get(base[i], "unit"));
		size_t k;
		double *v = compare_samples_of(base[i], &k);

		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(b + nb, v, k * sizeof(*v));
		nb += k;
		free(v);
		if ((u && uc && strcmp(u, uc) != 0) ||
		    json_is_true(json_object_get(base[i], "higher_is_better")) != out->higher_is_better)
			out->incomparable = true;
	}
	if (o->inject)
		compare_inject_slowdown(c, nc, o->inject, out->higher_is_better);
	if ((ub && uc && strcmp(ub, uc) != 0) ||
	    out->higher_is_better != json_is_true(json_object_get(cur, "higher_is_better")))
		out->incomparable = true;
	out->median_cur = nc ? stats_median(c, nc) : NAN;
	rc = run_level(out, base, n, cur, o->inject);
	if (rc == 0)
		rc = compare_pair_stats(out, b, nb, c, nc, o, true);
out:
	free(b);
	free(c);
	if (rc < 0)
		compare_pair_clear(out);
	return rc;
}
