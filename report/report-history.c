/* SPDX-License-Identifier: MIT */
/*
 * report-history.c — `locus report --history DIR`: the report's run in the context of
 * its machine's baseline history (report/history.h).
 *
 * A single run says what the machine does today; a regression hunt needs to know when
 * it started doing it.  `locus baseline save --rev REV` keeps every run's medians in
 * DIR/ID/history.jsonl and `locus baseline history` finds the change points; this file
 * puts the same into the report: the set of the report's (last) file's fingerprint,
 * one figure per measurement with a change point (run medians over the runs, each
 * change point a red line labelled with its run and revision, the y axis in the
 * measurement's unit scaled to fit), and per change point the segment medians before
 * and after it.  Measurements without a change point are counted, not drawn: a
 * history of 150 flat lines is 150 figures nobody reads.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "history.h"
#include "history-plot.h"
#include "log.h"
#include "report.h"
#include "result.h"
#include "stats.h"

/* The set directory of dir holding runs with env's fingerprint; NULL (printed) when
 * there is none. */
static char *set_for(const char *dir, const json_t *env)
{
	char **ids = NULL, id[17] = "", *set = NULL;
	size_t n = 0, *counts = NULL;
	int err = compare_baseline_ids(dir, &ids, &counts, &n);

	if (err < 0) {
		locus_error("report: --history %s: cannot read the baseline directory: %s", dir,
			    strerror(-err));
		return NULL;
	}
	compare_fingerprint_id(env, id);
	for (size_t i = 0; i < n && !set; i++)
		if (strncmp(ids[i], id, 16) == 0 && asprintf(&set, "%s/%.16s", dir, ids[i]) < 0)
			set = NULL;
	if (!set)
		locus_error("report: --history %s: no saved runs with the fingerprint of the "
			    "reported run (%s); save runs of this machine with `locus baseline "
			    "save --rev REV %s RESULT.json`", dir, *id ? id : "?", dir);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(counts);
	return set;
}

/* The measurement with key in the report's files, NULL when none has it. */
static const json_t *meas_of(const struct report *r, const char *key)
{
	for (size_t b = 0; b < r->nbenches; b++)
		for (size_t i = 0; i < r->benches[b].n; i++) {
			const json_t *m = r->benches[b].meas[i];
			json_t *c = json_deep_copy(m);
			char *k;
			bool same;

			/* The history's keys carry no "source" label (several files add it). */
			if (!c)
				return NULL;
			json_object_del(json_object_get(c, "labels"), "source");
			k = result_key(c);
			json_decref(c);
			same = k && !strcmp(k, key);
			free(k);
			if (same)
				return m;
		}
	return NULL;
}

static const char *unit_of(const struct report *r, const char *key)
{
	const json_t *m = meas_of(r, key);

	return m ? json_string_value(json_object_get(m, "unit")) ?: "" : "";
}

char *report_history_title(const struct report *r, size_t series)
{
	const char *key = r->hist->s[series].key;
	const json_t *m = meas_of(r, key);
	char *words = m ? report_labels_text(NULL, m, "source") : NULL, *t = NULL;

	if (!words || asprintf(&t, "%s %s%s%s", json_string_value(json_object_get(m, "bench")) ?: "",
			       json_string_value(json_object_get(m, "metric")) ?: "",
			       *words ? ": " : "", words) < 0)
		t = strdup(key);
	free(words);
	return t;
}

int report_load_history(struct report *r, const char *dir)
{
	const json_t *env = r->nfiles ? json_object_get(r->files[r->nfiles - 1].res, "env") : NULL;
	int rc;

	r->hist_set = set_for(dir, env);
	if (!r->hist_set)
		return -EINVAL;
	r->hist = calloc(1, sizeof(*r->hist));
	if (!r->hist)
		return -ENOMEM;
	rc = history_load(r->hist_set, r->hist);
	if (rc < 0) {
		free(r->hist);
		r->hist = NULL;
		return rc;
	}
	for (size_t i = 0; i < r->hist->n; i++) {
		const struct history_series *s = &r->hist->s[i];
		struct report_fig *nf;
		struct plot_figure *f;
		size_t *sr;
		char name[32], u[32], *title;
		double max = 0, div = 1;
		const char *unit;

		if (!s->ncp)
			continue;
		unit = unit_of(r, s->key);
		for (size_t j = 0; j < s->n; j++)
			max = fmax(max, fabs(s->pts[j].v));
		report_scale_unit(unit, max, &div, u, sizeof(u));
		snprintf(name, sizeof(name), "history-%03zu", i + 1);
		sr = realloc(r->hist_series, (r->nhist_figs + 1) * sizeof(*sr));
		if (!sr)
			return -ENOMEM;
		r->hist_series = sr;
		nf = realloc(r->hist_figs, (r->nhist_figs + 1) * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		r->hist_figs = nf;
		f = history_figure(r->hist, i, name, *unit ? u : NULL);
		if (!f)
			return -ENOMEM;
		f->yscale = div > 0 ? div : 1;
		/* The title in words ("tlb latency: page size 4K, footprint 1 GiB"). */
		title = report_history_title(r, i);
		if (title) {
			free(f->title);
			f->title = title;
		}
		r->hist_figs[r->nhist_figs] = (struct report_fig){ .fig = f };
		r->hist_series[r->nhist_figs++] = i;
	}
	return 0;
}

void report_history_free(struct report *r)
{
	for (size_t i = 0; i < r->nhist_figs; i++)
		plot_figure_free(r->hist_figs[i].fig);
	free(r->hist_figs);
	free(r->hist_series);
	if (r->hist)
		history_free(r->hist);
	free(r->hist);
	free(r->hist_set);
	r->hist = NULL;
	r->hist_set = NULL;
	r->hist_figs = NULL;
	r->hist_series = NULL;
	r->nhist_figs = 0;
}

char *report_history_headline(const struct report *r)
{
	size_t with = 0;
	char *s = NULL;

	for (size_t i = 0; i < r->hist->n; i++)
		with += r->hist->s[i].ncp > 0;
	if (asprintf(&s, "%zu runs saved in %s; %zu of %zu measurements have a change point "
		     "(E-Divisive means, permutation test at alpha 0.01, at least 3 runs per "
		     "segment)%s", r->hist->runs, r->hist_set, with, r->hist->n,
		     with ? "; each is drawn below with its change points marked"
			  : ": every measurement has held steady over the saved runs") < 0)
		return NULL;
	return s;
}

char *report_history_change(const struct report *r, size_t series, size_t c)
{
	const struct history_series *s = &r->hist->s[series];
	size_t at = s->cp[c];
	double before, after;
	const char *unit = unit_of(r, s->key);
	char b1[48], b2[48], *out = NULL;

	if (history_change_medians(s, c, &before, &after) < 0)
		return NULL;
	if (asprintf(&out, "at run %lu (rev %s, saved %s): the median of the run medians "
		     "went from %s to %s (%+.1f%%), p = %.3g", s->pts[at].seq,
		     s->pts[at].rev ? s->pts[at].rev : "-",
		     s->pts[at].saved ? s->pts[at].saved : "?",
		     report_value(before, unit, b1, sizeof(b1)),
		     report_value(after, unit, b2, sizeof(b2)), (after / before - 1.0) * 100.0,
		     s->cp_p[c]) < 0)
		return NULL;
	return out;
}
