/* SPDX-License-Identifier: MIT */
/*
 * history-plot.c — figures of a baseline set's history (report/history.h): each
 * measurement's run medians over the runs, with its change points marked.
 *
 * One figure per measurement that has a change point (a history of 150 flat series is
 * 150 figures nobody reads; the table of `locus baseline history` lists them), or every
 * measurement when asked.  x is the run's number in the set, y the run median in the
 * measurement's unit; each change point is a red vertical marker labelled with the run's
 * revision.  Drawing goes through report/plot.c, which makes every string from the
 * history inert before it reaches gnuplot.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "history.h"
#include "history-plot.h"
#include "log.h"
#include "plot.h"

struct plot_figure *history_figure(const struct history *h, size_t i, const char *name,
				   const char *unit)
{
	const struct history_series *s = &h->s[i];
	struct plot_figure *f;
	char cap[200], ylabel[64];
	int si, rc = 0;

	snprintf(cap, sizeof(cap), "%zu runs; %zu change point%s (E-Divisive means, "
		 "permutation test, alpha 0.01), each a red line at the first run of the new "
		 "segment", s->n, s->ncp, s->ncp == 1 ? "" : "s");
	snprintf(ylabel, sizeof(ylabel), "run median%s%s%s", unit && *unit ? " (" : "",
		 unit && *unit ? unit : "", unit && *unit ? ")" : "");
	f = plot_figure_new(PLOT_LINES, name, s->key, "run", ylabel, cap);
	if (!f)
		return NULL;
	si = plot_series_add(f, "run median");
	if (si < 0) {
		plot_figure_free(f);
		return NULL;
	}
	for (size_t j = 0; j < s->n && rc >= 0; j++)
		rc = plot_point_add(f, (size_t)si, (double)s->pts[j].seq, s->pts[j].v, NAN, NAN);
	for (size_t c = 0; c < s->ncp && rc >= 0; c++) {
		const struct history_point *p = &s->pts[s->cp[c]];
		char label[96];

		snprintf(label, sizeof(label), "change: run %lu%s%s", p->seq,
			 p->rev ? ", rev " : "", p->rev ? p->rev : "");
		rc = plot_marker_add(f, (double)p->seq, label, true);
	}
	if (rc < 0) {
		plot_figure_free(f);
		return NULL;
	}
	return f;
}

int history_figures(const struct history *h, const char *dir, unsigned formats,
		    const struct plot_caps *caps, bool all, size_t *drawn)
{
	int rc = 0;

	*drawn = 0;
	for (size_t i = 0; i < h->n && rc >= 0; i++) {
		struct plot_figure *f;
		char name[32];
		unsigned made = 0;

		if (!h->s[i].ncp && !all)
			continue;
		snprintf(name, sizeof(name), "history-%03zu", i + 1);
		f = history_figure(h, i, name, NULL);
		if (!f)
			return -ENOMEM;
		rc = plot_render(f, dir, formats, caps, &made);
		if (rc == -ENOENT)
			rc = 0;       /* no gnuplot: the script and data are saved */
		if (rc >= 0)
			(*drawn)++;
		plot_figure_free(f);
	}
	return rc < 0 ? rc : 0;
}
