/* SPDX-License-Identifier: MIT */
/*
 * history-plot.h — figures of a baseline history: run medians over the runs with the
 * change points marked (report/history-plot.c).
 */
#ifndef LOCUS_HISTORY_PLOT_H
#define LOCUS_HISTORY_PLOT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include "history.h"

struct plot_caps;
struct plot_figure;

/* The figure of series i of h, named name: run medians over the runs, a red marker at
 * each change point labelled "change: run N, rev R"; unit (may be NULL) names the y
 * axis.  NULL on ENOMEM.  Free with plot_figure_free(). */
struct plot_figure *history_figure(const struct history *h, size_t i, const char *name,
				   const char *unit);

/* Draw DIR/history-NNN.{gp,dat,svg,...} for every measurement of h with a change point
 * (every measurement when `all`); NNN is the series' position in h.  *drawn counts the
 * figures saved.  Without gnuplot the scripts and data are still saved (0).  Returns 0
 * or a negative errno (printed by report/plot.c). */
int history_figures(const struct history *h, const char *dir, unsigned formats,
		    const struct plot_caps *caps, bool all, size_t *drawn);

#endif
