/* SPDX-License-Identifier: MIT */
/*
 * ab.c — what a before/after report says first: the change that was made, and what it
 * did to each bench's headline metric.
 *
 * The pairs, changes, confidence intervals and verdicts are the compare engine's
 * (report_load_ab() calls compare_results() with `locus compare`'s defaults, and every
 * number here is printed by the engine's own formatters), so `report --before/--after`
 * and `locus compare` cannot disagree.  This file adds the reading aids: the tuning
 * profile recorded by `locus tune ab` (the result's "tune" object: name, file, every
 * setting old -> new) or, when the files carry none, the fingerprint settings that
 * differ; the engine's summary line; and one hyperfine-style line per bench headline
 * metric ("after (profile latency) is 1.23 ± 0.04x faster than before").
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare-internal.h"
#include "compare-output.h"
#include "report.h"

typedef void (*line_fn)(void *ctx, const char *key, const char *value);

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The first of several names a field may have. */
static const json_t *any(const json_t *o, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (json_object_get(o, keys[i]))
			return json_object_get(o, keys[i]);
	return NULL;
}

const json_t *report_ab_tune(const struct report *r)
{
	for (size_t i = r->nfiles; i-- > 0;) {
		const json_t *t = json_object_get(r->files[i].res, "tune");

		if (json_is_object(t))
			return t;
	}
	return NULL;
}

char *report_ab_name(const struct report *r, size_t side)
{
	const json_t *t = report_ab_tune(r);
	const char *prof = jstr(t, "profile");
	const char *w = jstr(t, side ? "after" : "before");
	char *s = NULL;

	if (w && asprintf(&s, "%s", w) >= 0)
		return s;
	if (!prof)
		prof = report_ab_profile(r);
	if (side == 1 && prof && asprintf(&s, "after (profile %s)", prof) >= 0)
		return s;
	return strdup(side ? "after" : "before");
}

void report_ab_change(const struct report *r, line_fn line, void *ctx)
{
	const json_t *t = report_ab_tune(r);
	const struct compare_result *c = &r->cmp;
	char buf[1024];

	if (!t && report_ab_profile(r)) {
		/* tune ab's own record ("ab": {profile, rounds, side}): the profile's name. */
		json_t *rounds = json_object_get(json_object_get(r->files[1].res, "ab"), "rounds");
		char rs[64] = "";

		if (json_is_integer(rounds))
			snprintf(rs, sizeof(rs), ", %lld rounds per side",
				 (long long)json_integer_value(rounds));
		snprintf(buf, sizeof(buf), "%s: after = with profile %s, before = without it "
			 "(locus tune ab%s; the settings it changed are not recorded in the result: "
			 "the fingerprint settings that differ follow)", report_ab_profile(r),
			 report_ab_profile(r), rs);
		line(ctx, "Profile", buf);
	} else if (t) {
		static const char *const nk[] = { "name", "key", "setting", "tunable", NULL };
		static const char *const ok[] = { "old", "before", "from", NULL };
		static const char *const wk[] = { "new", "after", "to", "value", NULL };
		const json_t *set = json_object_get(t, "settings"), *s;
		size_t i;

		const char *pn = jstr(t, "profile") ? jstr(t, "profile") : "(not named)";
		json_t *rounds = json_object_get(t, "rounds");
		char rs[64] = "";

		if (json_is_integer(rounds))
			snprintf(rs, sizeof(rs), ", %lld rounds per side",
				 (long long)json_integer_value(rounds));
		snprintf(buf, sizeof(buf), "%s: after = with profile %s, before = without it "
			 "(locus tune ab%s%s%s%s)", pn, pn, rs, jstr(t, "file") ? "; " : "",
			 jstr(t, "file") ? jstr(t, "file") : "",
			 json_is_array(set) ? "" : "; the settings it changed are not recorded");
		line(ctx, "Profile", buf);
		if (jstr(t, "description"))
			line(ctx, "Description", jstr(t, "description"));
		json_array_foreach(set, i, s) {
			char *n = report_json_text(any(s, nk)), *o = report_json_text(any(s, ok));
			char *w = report_json_text(any(s, wk));

			snprintf(buf, sizeof(buf), "%s -> %s", o && *o ? o : "?", w && *w ? w : "?");
			line(ctx, n && *n ? n : "?", buf);
			free(n);
			free(o);
			free(w);
		}
		return;
	}
	if (!report_ab_profile(r))
		line(ctx, "Change", "not recorded: these files carry no record of a tuning "
		     "profile (they are not from locus tune ab), so what changed is read from "
		     "the fingerprint settings that differ");
	for (size_t i = 0; i < c->n_env_diffs; i++) {
		snprintf(buf, sizeof(buf), "%s -> %s (fingerprint)", c->env_diffs[i].base,
			 c->env_diffs[i].cur);
		line(ctx, c->env_diffs[i].key, buf);
	}
	if (!c->n_env_diffs)
		line(ctx, "Fingerprint", "no critical setting differs between the two files");
}

char *report_ab_summary(const struct report *r)
{
	struct compare_outputs out = {
		.alpha = COMPARE_DEFAULT_ALPHA, .threshold = COMPARE_DEFAULT_THRESHOLD,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	if (!o)
		return NULL;
	compare_print_summary(o, &r->cmp, &out);
	fclose(o);
	return buf;
}

/* A unit of time: "faster/slower"; anything else: "higher/lower". */
static bool timelike(const char *unit)
{
	static const char *const t[] = { "ns", "us", "µs", "ms", "s", "cycles", NULL };

	for (size_t i = 0; t[i]; i++)
		if (unit && !strcmp(unit, t[i]))
			return true;
	return false;
}

/* The headline metric of a bench, from its description (first metric otherwise). */
static const char *headline(const struct report *r, const char *bench)
{
	for (size_t i = 0; i < r->nbenches; i++)
		if (!strcmp(r->benches[i].name, bench))
			return json_string_value(json_object_get(r->benches[i].desc, "headline"));
	return NULL;
}

void report_ab_headlines(const struct report *r, line_fn line, void *ctx)
{
	const struct compare_result *c = &r->cmp;
	char *after = report_ab_name(r, 1), *before = report_ab_name(r, 0);

	for (size_t i = 0; i < r->nbenches; i++) {
		const char *b = r->benches[i].name, *h = headline(r, b), *unit = NULL;
		double sl = 0, slo = 0, shi = 0;
		size_t n = 0, nsig = 0;
		bool higher = false;
		char buf[1024], key[128];

		/* Speed-up of after over before in the good direction: 1/ratio (ratio is the
		 * engine's bad-direction ratio; its CI gives the interval). */
		for (size_t k = 0; k < c->n_pairs; k++) {
			const struct compare_pair *p = &c->pairs[k];

			if (strcmp(p->bench, b) || (h && strcmp(p->metric, h)) || !(p->ratio > 0) ||
			    !(p->ci_low > 0) || !(p->ci_high > 0) || p->incomparable)
				continue;
			if (!h)
				h = p->metric;
			sl += log(1 / p->ratio);
			slo += log(1 / p->ci_high);
			shi += log(1 / p->ci_low);
			unit = p->unit;
			higher = p->higher_is_better;
			nsig += p->verdict == VERDICT_IMPROVED || p->verdict == VERDICT_REGRESSED;
			n++;
		}
		if (!n)
			continue;
		{
			double s = exp(sl / (double)n), lo = exp(slo / (double)n), hi = exp(shi / (double)n);
			bool up = s >= 1;
			double f = up ? s : 1 / s, flo = up ? lo : 1 / hi, fhi = up ? hi : 1 / lo;
			const char *word = timelike(unit) ? (up ? "faster" : "slower")
							  : (up == higher ? "higher" : "lower");

			if (!timelike(unit) && !higher)
				word = up ? "lower" : "higher";
			snprintf(key, sizeof(key), "%s", b);
			snprintf(buf, sizeof(buf), "%s is %.2f ± %.2fx %s%s%s than %s (%s; %s over "
				 "%zu measurement%s, %zu significant)", after, f, (fhi - flo) / 2, word,
				 timelike(unit) ? "" : " ", timelike(unit) ? "" : h, before, h,
				 n > 1 ? "geometric mean of the ratios of medians and of their CI ends"
				       : "ratio of medians and its bootstrap CI",
				 n, n == 1 ? "" : "s", nsig);
			line(ctx, key, buf);
		}
	}
	free(after);
	free(before);
}
