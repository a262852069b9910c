/* SPDX-License-Identifier: MIT */
/*
 * compare-format.c — the pieces every output of a comparison shares
 * (compare-internal.h): numbers as a person reads them (changes, CIs, p-values,
 * values with units, run-to-run spreads), the summary line, the one-line account of a
 * pair, and the failure policy (which pairs fail, the exit code).
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare-internal.h"
#include "compare-output.h"
#include "log.h"
#include "stats.h"

const char *compare_fmt_change(char *buf, size_t len, double ratio)
{
	if (isnan(ratio))
		snprintf(buf, len, "n/a");
	else if (isinf(ratio))
		snprintf(buf, len, "%sinf", ratio > 0 ? "+" : "-");
	else if (fabs(ratio - 1.0) < 100.0)
		snprintf(buf, len, "%+.1f%%", (ratio - 1.0) * 100.0);
	else /* 10000% and beyond: "%.1f" would print hundreds of digits, cut to fit */
		snprintf(buf, len, "%+.2g%%", (ratio - 1.0) * 100.0);
	return buf;
}

/* after/before from a ratio in the bad direction (> 1 worse): the bad-direction ratio
 * is after/before when lower is better, before/after when higher is better. */
static double after_over_before(const struct compare_pair *p, double ratio)
{
	if (!p->higher_is_better || isnan(ratio))
		return ratio;
	if (ratio == 0)
		return INFINITY;
	return isinf(ratio) ? 0 : 1.0 / ratio;
}

double compare_change(const struct compare_pair *p)
{
	return after_over_before(p, p->ratio) - 1.0;
}

void compare_change_ci(const struct compare_pair *p, double *lo, double *hi)
{
	double a = after_over_before(p, p->ci_low) - 1.0, b = after_over_before(p, p->ci_high) - 1.0;

	*lo = fmin(a, b);
	*hi = fmax(a, b);
	if (isnan(a) || isnan(b))
		*lo = *hi = NAN;
}

const char *compare_fmt_pair_change(char *buf, size_t len, const struct compare_pair *p)
{
	return compare_fmt_change(buf, len, compare_change(p) + 1.0);
}

const char *compare_fmt_ci(char *buf, size_t len, const struct compare_pair *p)
{
	char a[32], b[32];
	double lo, hi;

	compare_change_ci(p, &lo, &hi);
	if (isnan(lo) || isnan(hi))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%s..%s", compare_fmt_change(a, sizeof(a), lo + 1.0),
			 compare_fmt_change(b, sizeof(b), hi + 1.0));
	return buf;
}

const char *compare_better_worse(const struct compare_pair *p)
{
	double c = compare_change(p);

	if (isnan(c) || c == 0)
		return "no change";
	return (c > 0) == p->higher_is_better ? "better" : "worse";
}

/* v with its unit, "n/a" for NaN; signed: with its sign and a digit less. */
static const char *fmt_with_unit(char *buf, size_t len, double v, bool sign, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, sign ? "%+.3g%s%s" : "%.4g%s%s", v, *unit ? " " : "", unit);
	return buf;
}

const char *compare_fmt_val(char *buf, size_t len, double v, const char *unit)
{
	return fmt_with_unit(buf, len, v, false, unit);
}

const char *compare_fmt_shift(char *buf, size_t len, double v, const char *unit)
{
	return fmt_with_unit(buf, len, v, true, unit);
}

const char *compare_fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.2g", p);
	return buf;
}

/* "42.0% of 5" — the baseline's run-to-run spread of a pair; "-" with one run. */
const char *compare_fmt_spread(char *buf, size_t len, const struct compare_pair *p)
{
	if (p->base_runs < 2)
		snprintf(buf, len, "-");
	else if (isnan(p->run_spread))
		snprintf(buf, len, "n/a of %zu", p->base_runs);
	else
		snprintf(buf, len, "%.1f%% of %zu", p->run_spread * 100.0, p->base_runs);
	return buf;
}

const char compare_single_run_note[] =
	"the baseline is a single run: run-to-run noise is not accounted for (a run's samples "
	"agree more closely than separate runs do); save several runs with `locus baseline "
	"save DIR RESULT.json` and compare with the set";

/* The run-level detectability over the pairs that have it: best, median and worst
 * run_detectable, and how many are at most twice the comparison's threshold.  Returns
 * the number of pairs that have it (0: nothing is set). */
size_t compare_detectable_summary(const struct compare_result *r, double threshold,
				 double *best, double *med, double *worst, size_t *n_ok)
{
	double *v = malloc((r->n_pairs ? r->n_pairs : 1) * sizeof(*v));
	size_t n = 0;

	*n_ok = 0;
	if (!v)
		return 0;
	for (size_t i = 0; i < r->n_pairs; i++)
		if (isfinite(r->pairs[i].run_detectable)) {
			v[n++] = r->pairs[i].run_detectable;
			*n_ok += r->pairs[i].run_detectable <= 2.0 * threshold + 1e-12;
		}
	if (n) {
		double *sv = stats_sorted_copy(v, n);

		if (!sv) {
			free(v);
			return 0;
		}
		*best = sv[0];
		*worst = sv[n - 1];
		*med = stats_quantile_sorted(sv, n, 0.5);
		free(sv);
	}
	free(v);
	return n;
}

void compare_print_detectable(FILE *f, const struct compare_result *r,
			     const struct compare_outputs *out, const char *pre, const char *post)
{
	double best, med, worst;
	size_t ok, n = compare_detectable_summary(r, out->threshold, &best, &med, &worst, &ok);

	if (!n)
		return;
	fprintf(f, "%sWhat the baseline's run-to-run spread lets the run-level test see (one "
		"suspect, alpha %g): regressions from %.1f%% (best measurement), %.1f%% "
		"(median), %.1f%% (worst) on; %zu of %zu measurements can see %.0f%%.%s",
		pre, out->alpha, best * 100.0, med * 100.0, worst * 100.0, ok, n,
		200.0 * out->threshold, post);
}

bool compare_pair_blind(const struct compare_pair *p)
{
	return p->n_base && p->n_cur && !p->incomparable && !(p->detectable <= p->threshold + 1e-12);
}

bool compare_pair_only_blind(const struct compare_pair *p)
{
	double up = 1.0 + p->threshold;

	return p->verdict == VERDICT_INCONCLUSIVE && compare_pair_blind(p) && isfinite(p->ratio) &&
	       p->ratio < up && p->ratio > 1.0 / up;
}

size_t compare_blind_summary(const struct compare_result *r, size_t *n_blind,
			     double *med, double *worst)
{
	double *v = malloc((r->n_pairs ? r->n_pairs : 1) * sizeof(*v));
	size_t n = 0, k = 0;

	*n_blind = 0;
	*med = *worst = NAN;
	for (size_t i = 0; i < r->n_pairs; i++) {
		const struct compare_pair *p = &r->pairs[i];

		if (!p->n_base || !p->n_cur || p->incomparable)
			continue;
		n++;
		if (compare_pair_blind(p)) {
			(*n_blind)++;
			if (v)
				v[k++] = p->detectable;
		}
	}
	if (k) {
		double *sv = stats_sorted_copy(v, k);

		if (sv) {
			*med = stats_quantile_sorted(sv, k, 0.5);
			*worst = sv[k - 1];
			if (isinf(*worst) && k > 1 && isinf(sv[k / 2]))
				*med = INFINITY;
			free(sv);
		}
	}
	free(v);
	return n;
}

void compare_print_blind(FILE *f, const struct compare_result *r, const char *pre,
			 const char *post)
{
	double med, worst, t = r->n_pairs ? r->pairs[0].threshold : COMPARE_DEFAULT_THRESHOLD;
	size_t blind, n = compare_blind_summary(r, &blind, &med, &worst);

	if (!blind)
		return;
	fprintf(f, "%sSensitivity: %zu of %zu measurements can see a change of the threshold "
		"(%g%%); the other %zu are too noisy for it", pre, n - blind, n, t * 100.0, blind);
	if (isfinite(med))
		fprintf(f, " and could confirm changes from %.0f%% (median of them)", med * 100.0);
	else
		fprintf(f, ", most of them with too few samples to be significant at all");
	fprintf(f, ".  Their \"inconclusive\" means \"could not see\", not \"changed\".%s", post);
}

double compare_peak_of(const json_t *m)
{
	const json_t *pk = json_object_get(json_object_get(m, "summary"), "peak");
	bool hib = json_is_true(json_object_get(m, "higher_is_better"));
	double best = NAN;
	size_t i;
	json_t *x;

	if (json_is_number(pk))
		return json_number_value(pk);
	json_array_foreach(json_object_get(m, "samples"), i, x) {
		double v = json_number_value(x);

		if (isnan(best) || (hib ? v > best : v < best))
			best = v;
	}
	return best;
}

/* What a current side of several runs means (`locus gate --runs`). */
const char compare_cur_runs_note[] =
	"at the run level the median of their medians is tested as one run (one "
	"disturbed run cannot move it)";

const char *compare_base_name(const struct compare_outputs *out)
{
	return out->baseline_name ? out->baseline_name : "baseline";
}

const char *compare_cur_name(const struct compare_outputs *out)
{
	return out->current_name ? out->current_name : "current";
}

int compare_ci_percent(const struct compare_result *r)
{
	return (int)lround((r->n_pairs ? r->pairs[0].ci_level : COMPARE_DEFAULT_CI_LEVEL) * 100.0);
}

void compare_print_summary(FILE *f, const struct compare_result *r,
			  const struct compare_outputs *out)
{
	fprintf(f, "%zu regressed, %zu improved, %zu unchanged, %zu inconclusive",
		r->count[VERDICT_REGRESSED], r->count[VERDICT_IMPROVED],
		r->count[VERDICT_UNCHANGED], r->count[VERDICT_INCONCLUSIVE]);
	if (r->n_only_base || r->n_only_cur)
		fprintf(f, "; %zu only in baseline, %zu only in current", r->n_only_base,
			r->n_only_cur);
	fprintf(f, " (alpha %g %s, threshold %g%%)", out->alpha,
		out->no_correction ? "per measurement" : "for the whole comparison",
		out->threshold * 100.0);
}

void compare_pair_line(FILE *f, const struct compare_pair *q)
{
	char ch[32], ci[64], p[32], vb[48], vc[48];

	char praw[32];

	fprintf(f, "%s: change %s (%d%% CI %s), p = %s (%s%s%s), median %s -> %s, n %zu/%zu",
		compare_verdict_name(q->verdict), compare_fmt_pair_change(ch, sizeof(ch), q),
		(int)lround(q->ci_level * 100), compare_fmt_ci(ci, sizeof(ci), q),
		compare_fmt_p(p, sizeof(p), q->p_adj),
		q->family > 1 ? "Holm-adjusted, raw " : "",
		q->family > 1 ? compare_fmt_p(praw, sizeof(praw), q->mw.p) : "",
		q->mw.exact ? (q->family > 1 ? ", exact" : "exact") :
			(q->family > 1 ? ", normal approximation" : "normal approximation"),
		compare_fmt_val(vb, sizeof(vb), q->median_base, q->unit),
		compare_fmt_val(vc, sizeof(vc), q->median_cur, q->unit), q->n_base, q->n_cur);
	if (q->base && q->cur && isfinite(compare_peak_of(q->base)) && isfinite(compare_peak_of(q->cur)))
		fprintf(f, ", peak %s -> %s",
			compare_fmt_val(vb, sizeof(vb), compare_peak_of(q->base), q->unit),
			compare_fmt_val(vc, sizeof(vc), compare_peak_of(q->cur), q->unit));
	if (q->base_runs > 1) {
		char sp[40];

		fprintf(f, ", baseline run-to-run spread %s runs", compare_fmt_spread(sp, sizeof(sp), q));
		if (!isnan(q->run_p_adj)) {
			char rp[32];

			fprintf(f, ", run-level p = %s%s", compare_fmt_p(rp, sizeof(rp), q->run_p_adj),
				q->run_family > 1 ? " (Holm-adjusted)" : "");
		}
	}
	if (q->reason)
		fprintf(f, "; %s", q->reason);
	if (q->note)
		fprintf(f, "; %s", q->note);
}

bool compare_pair_fails(const struct compare_pair *p, const struct compare_outputs *out)
{
	return p->verdict == VERDICT_REGRESSED ||
	       (p->verdict == VERDICT_INCONCLUSIVE && out->fail_on_inconclusive);
}

int compare_exit_code(const struct compare_result *r, const struct compare_outputs *out)
{
	for (size_t i = 0; i < r->n_pairs; i++)
		if (compare_pair_fails(&r->pairs[i], out))
			return LOCUS_EXIT_REGRESSED;
	if (out->fail_on_missing && r->n_only_base)
		return LOCUS_EXIT_REGRESSED;
	if (out->fail_on_blind)
		for (size_t i = 0; i < r->n_pairs; i++)
			if (compare_pair_blind(&r->pairs[i]))
				return LOCUS_EXIT_REGRESSED;
	return 0;
}
