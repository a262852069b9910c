/* SPDX-License-Identifier: MIT */
/*
 * figures.c — each benchmark's figures, built from what its result file says.
 *
 * A bench's descriptor lists its figures (bench/bench.h struct bench_figure) and the
 * result file carries that list ("benches".NAME.figures): which metric, against which
 * label or metric, which labels name the series or split the figure into small
 * multiples, and the words around it.  This file turns such a spec plus the
 * measurements into plot.h figures: lines, grouped bars, node x node matrices (only
 * when there are at least two rows and two columns — a one-node "matrix" becomes one
 * sentence), and curves of one metric against another (MLC's loaded latency).  A bench
 * the file does not describe gets a generic figure.
 *
 * What a reader must be able to trust: values are scaled once per axis to a unit that
 * fits (report_scale_unit: never "kns"), sizes read "16 MiB", an axis whose values span
 * decades is logarithmic when the spec allows, an error bar far outside the data is cut
 * at the edge (and the caption says so) instead of squashing the figure, and with
 * several files every file keeps its own series or its own matrix.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "report.h"

struct spec {
	const char *kind, *metric, *x, *rows, *series, *panel, *filter;
	const char *knee_metric, *knee_label, *bar_note;
	const char *title, *xlabel, *ylabel, *caption;
	bool logy, cache_markers;
};

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *mstr(const json_t *m, const char *key)
{
	const char *s = jstr(m, key);

	return s ? s : "";
}

static const json_t *label(const json_t *m, const char *key)
{
	return key ? json_object_get(json_object_get(m, "labels"), key) : NULL;
}

static double label_num(const json_t *m, const char *key)
{
	const json_t *v = label(m, key);

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v)) {
		char *end;
		double d = strtod(json_string_value(v), &end);

		if (end != json_string_value(v) && *end == '\0')
			return d;
	}
	return NAN;
}

static int note_push(struct report_bench *b, const char *s)
{
	char **nv;

	for (size_t i = 0; i < b->nfig_notes; i++)
		if (!strcmp(b->fig_notes[i], s))
			return 0;
	nv = realloc(b->fig_notes, (b->nfig_notes + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	b->fig_notes = nv;
	if (!(nv[b->nfig_notes] = strdup(s)))
		return -ENOMEM;
	b->nfig_notes++;
	return 0;
}

/* Is key one of the comma-separated names in list? */
static bool in_list(const char *list, const char *key)
{
	size_t l = strlen(key);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == l && !strncmp(p, key, l))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* A measurement passes "key=value" when its label has that text. */
static bool passes(const json_t *m, const char *filter)
{
	char key[64], *t;
	const char *eq;
	bool ok;

	if (!filter || !(eq = strchr(filter, '=')))
		return true;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - filter), filter);
	t = report_json_text(label(m, key));
	ok = t && strcmp(t, eq + 1) == 0;
	free(t);
	return ok;
}

static bool varies(json_t *const *ms, size_t n, const char *key)
{
	const json_t *first = label(ms[0], key);

	for (size_t i = 1; i < n; i++) {
		const json_t *v = label(ms[i], key);

		if (!v != !first || (v && !json_equal((json_t *)v, (json_t *)first)))
			return true;
	}
	return false;
}

/* Is label key a function of label x among ms (rowcol's footprint_bytes for a given
 * n)?  Such a label describes the point, not the series.  One pass with a map from
 * x's text to key's. */
static bool determined_by(json_t *const *ms, size_t n, const char *key, const char *x)
{
	json_t *map = json_object();
	bool ok = map != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		char *xt = report_json_text(label(ms[i], x));
		char *kt = report_json_text(label(ms[i], key));
		json_t *seen = xt ? json_object_get(map, xt) : NULL;

		if (!xt || !kt)
			ok = false;
		else if (seen)
			ok = !strcmp(json_string_value(seen), kt);
		else
			json_object_set_new(map, xt, json_string(kt));
		free(xt);
		free(kt);
	}
	json_decref(map);
	return ok;
}

/* One label in words for a series name: sizes and file names bare ("16 MiB"), others
 * with their name ("threads 2", "stores nt", "touch first"). */
static void word(FILE *o, const char *key, const json_t *v)
{
	char *t = (report_label_is_bytes(key) || !strcmp(key, "source")) ?
		  report_label_value(key, v) : report_label_words(key, v);

	fputs(t ? t : "?", o);
	free(t);
}

/* The labels that name series among ms: the spec's list (those that vary), else every
 * varying label but the axes, the panel and what x determines; plus "source" when
 * several files are shown side by side.  NULL-terminated, malloc'd. */
static const char **series_keys(json_t *const *ms, size_t n, const struct spec *s,
				bool by_x_value)
{
	const char **keys = calloc(32, sizeof(*keys));
	size_t nk = 0;
	const char *k;
	json_t *v;

	if (!keys)
		return NULL;
	/* A curve names its series even when there is one (which node pair it is). */
	bool keep = s->kind && !strcmp(s->kind, "curve") && s->series;

	for (size_t i = 0; i < n && nk < 30; i++)
		json_object_foreach(json_object_get(ms[i], "labels"), k, v) {
			bool dup = false;

			for (size_t j = 0; j < nk; j++)
				dup |= !strcmp(keys[j], k);
			if (dup || (s->x && !strcmp(k, s->x)) || (s->rows && !strcmp(k, s->rows)) ||
			    (s->panel && !strcmp(k, s->panel)) ||
			    (!varies(ms, n, k) && !(keep && in_list(s->series, k))))
				continue;
			if (!strcmp(k, "source")) {
				keys[nk++] = k;
				continue;
			}
			if (s->series ? !in_list(s->series, k) :
			    (by_x_value && s->x && determined_by(ms, n, k, s->x)))
				continue;
			if (nk < 30)
				keys[nk++] = k;
		}
	return keys;
}

static char *series_title(const json_t *m, const char **keys, const char *fallback)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	if (!o)
		return NULL;
	for (size_t i = 0; keys[i]; i++) {
		if (i)
			fputs(", ", o);
		word(o, keys[i], label(m, keys[i]));
	}
	if (!keys[0])
		fputs(fallback, o);
	fclose(o);
	return buf;
}

static int series_index(struct plot_figure *f, const char *title)
{
	for (size_t i = 0; i < f->ns; i++)
		if (strcmp(f->s[i].title, title) == 0)
			return (int)i;
	return plot_series_add(f, title);
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct plot_point *)a)->x, y = ((const struct plot_point *)b)->x;

	return (x > y) - (x < y);
}

/* "ylabel (unit)" with the values' unit scaled once for the whole axis; f->yscale is
 * the divisor plot.c applies to every value it writes. */
static void scale_y(struct plot_figure *f, const char *unit, const char *ylabel)
{
	double max = 0;
	char u[32], buf[512];

	for (size_t i = 0; i < f->ns; i++)
		for (size_t k = 0; k < f->s[i].n; k++)
			max = fmax(max, fabs(f->s[i].p[k].y));
	for (size_t k = 0; k < f->ncells; k++)
		max = fmax(max, fabs(f->cells[k].z));
	report_scale_unit(unit, max, &f->yscale, u, sizeof(u));
	if (*u)
		snprintf(buf, sizeof(buf), "%s (%s)", ylabel, u);
	else
		snprintf(buf, sizeof(buf), "%s", ylabel);
	free(f->ylabel);
	f->ylabel = strdup(buf);
}

/* Keep the data in view: a log axis where values span decades (when the spec allows),
 * and error bars far beyond the medians cut at the edge rather than shrinking every
 * bar to a sliver.  Returns whether something was cut (the caption says so). */
static bool fit_y(struct plot_figure *f, bool allow_log)
{
	double lo = INFINITY, hi = 0, elo = INFINITY, ehi = 0, sc = f->yscale;
	bool cut = false;

	for (size_t i = 0; i < f->ns; i++)
		for (size_t k = 0; k < f->s[i].n; k++) {
			const struct plot_point *p = &f->s[i].p[k];

			if (!isfinite(p->y))
				continue;
			if (p->y > 0)
				lo = fmin(lo, p->y / sc);
			hi = fmax(hi, p->y / sc);
			if (isfinite(p->hi))
				ehi = fmax(ehi, p->hi / sc);
			if (isfinite(p->lo) && p->lo > 0)
				elo = fmin(elo, p->lo / sc);
		}
	if (!(hi > 0))
		return false;
	f->logy = allow_log && isfinite(lo) && hi / lo >= 10;
	if (f->logy) {
		double bottom = pow(10, floor(log10(lo / 1.5)));

		f->ymin = elo < bottom ? bottom : NAN;
		cut = elo < bottom;
		if (f->kind == PLOT_BARS)
			f->ymin = bottom; /* bars grow from the bottom of a log axis */
		if (ehi > hi * 10) {
			f->ymax = hi * 4;
			cut = true;
		}
	} else if (ehi > hi * 1.6) {
		f->ymax = hi * 1.3;
		cut = true;
	}
	return cut;
}

static void caption_add(struct plot_figure *f, const char *more)
{
	char *c = NULL;

	if (asprintf(&c, "%s %s", f->caption, more) >= 0) {
		free(f->caption);
		f->caption = c;
	}
}

/* Cache sizes of the topology, one marker per level (data/unified caches). */
static void add_cache_markers(struct plot_figure *f, const json_t *topo)
{
	json_t *c;
	size_t i;
	bool seen[8] = { false };

	json_array_foreach(json_object_get(topo, "caches"), i, c) {
		long long lvl = json_integer_value(json_object_get(c, "level"));
		const char *ty = jstr(c, "type");
		double size = (double)json_integer_value(json_object_get(c, "size_bytes"));
		char lab[64], b[32];

		if (lvl < 1 || lvl > 7 || seen[lvl] || (ty && !strcmp(ty, "instruction")))
			continue;
		seen[lvl] = true;
		snprintf(lab, sizeof(lab), "L%lld %s", lvl, report_bytes(size, b, sizeof(b)));
		plot_marker_add(f, size, lab, false);
	}
}

/* Knee markers, one per knee found, but never two labels on top of each other: with
 * several files (a fleet) the hosts' knees often sit at the same footprint, and a label
 * is drawn rotated at its x, so knees closer than KNEE_NEAR (a ratio of x on a log axis,
 * a share of the x range on a linear one) get one label naming every knee once ("4K
 * knee 1.53 MiB (a.json, b.json)"); each keeps its own line. */
#define KNEE_NEAR 1.35
#define KNEE_NEAR_LIN 0.03
#define KNEE_LABEL_MAX 3
#define KNEE_LABEL_COLS 44   /* what fits up a 480-pixel figure at 9 points */

struct knee {
	double x;
	char *text;
	const char *src;
};

static int cmp_knee(const void *a, const void *b)
{
	double x = ((const struct knee *)a)->x, y = ((const struct knee *)b)->x;

	return (x > y) - (x < y);
}

static bool knee_near(const struct plot_figure *f, double a, double b, double span)
{
	if (f->logx)
		return a > 0 && b / a < KNEE_NEAR;
	return b - a <= KNEE_NEAR_LIN * span;
}

/* The label of knees k[0..n): each distinct text once, with the files that have it
 * when there are several files; at most KNEE_LABEL_MAX texts, then "and N more". */
static char *knee_label(const struct knee *k, size_t n, bool files)
{
	char *buf = NULL;
	size_t len = 0, shown = 0, distinct = 0;
	FILE *o = open_memstream(&buf, &len);

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(k[j].text, k[i].text);
		if (dup)
			continue;
		distinct++;
		if (shown == KNEE_LABEL_MAX)
			continue;
		fprintf(o, "%s%s", shown++ ? "; " : "", k[i].text);
		if (files) {
			size_t nf = 0;

			for (size_t j = i; j < n; j++)
				if (!strcmp(k[j].text, k[i].text) && k[j].src)
					fprintf(o, "%s%s", nf++ ? ", " : " (", k[j].src);
			if (nf)
				fputc(')', o);
		}
	}
	if (distinct > shown)
		fprintf(o, "; and %zu more", distinct - shown);
	if (fclose(o)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void add_knee_markers(struct plot_figure *f, const struct report *r,
			     const struct report_bench *b, const struct spec *s)
{
	struct knee *k = calloc(b->n + 1, sizeof(*k));
	size_t n = 0;
	double xlo = INFINITY, xhi = -INFINITY;

	if (!k)
		return;
	for (size_t i = 0; i < b->n; i++) {
		const json_t *m = b->meas[i];
		double x = report_summary(m, "median");
		char bb[32], *name;

		if (strcmp(mstr(m, "metric"), s->knee_metric) || !(x > 0))
			continue;
		name = report_label_value(s->knee_label ? s->knee_label : "", label(m, s->knee_label));
		if (asprintf(&k[n].text, "%s%sknee %s", name && *name ? name : "",
			     name && *name ? " " : "", report_bytes(x, bb, sizeof(bb))) < 0) {
			free(name);
			continue;
		}
		free(name);
		k[n].x = x;
		k[n].src = jstr(json_object_get(m, "labels"), "source");
		n++;
	}
	qsort(k, n, sizeof(*k), cmp_knee);
	for (size_t i = 0; i < f->ns; i++)
		for (size_t j = 0; j < f->s[i].n; j++) {
			xlo = fmin(xlo, f->s[i].p[j].x);
			xhi = fmax(xhi, f->s[i].p[j].x);
		}
	for (size_t i = 0; i < n;) {
		size_t e = i + 1;
		char *lab;

		while (e < n && knee_near(f, k[i].x, k[e].x, xhi > xlo ? xhi - xlo : 0))
			e++;
		/* The label at the cluster's first knee (so labels stay KNEE_NEAR apart),
		 * the other knees' lines unlabelled, a line drawn once per x. */
		lab = knee_label(k + i, e - i, r->nfiles > 1);
		/* A rotated label longer than the plot is tall runs out of the figure:
		 * without the file names, else the count and the range. */
		if (lab && strlen(lab) > KNEE_LABEL_COLS) {
			free(lab);
			lab = knee_label(k + i, e - i, false);
		}
		if (lab && strlen(lab) > KNEE_LABEL_COLS) {
			/* "L2 knees 1.059 MiB to 1.08 MiB" when they share a name. */
			const char *w = strstr(k[i].text, "knee ");
			size_t nl = w ? (size_t)(w - k[i].text) : 0;
			bool one = true;
			char b1[32], b2[32];

			for (size_t j = i + 1; j < e && one; j++)
				one = !strncmp(k[j].text, k[i].text, nl) && !strncmp(k[j].text + nl, "knee ", 5);
			free(lab);
			if (asprintf(&lab, "%zu knees %s to %s", e - i,
				     report_bytes(k[i].x, b1, sizeof(b1)),
				     report_bytes(k[e - 1].x, b2, sizeof(b2))) < 0)
				lab = NULL;
			if (lab && one && nl) {
				char *named = NULL;

				if (asprintf(&named, "%.*sknees %s to %s", (int)nl, k[i].text, b1, b2) >= 0) {
					free(lab);
					lab = named;
				}
			}
		}
		for (size_t j = i; j < e; j++)
			if (j == i || k[j].x != k[j - 1].x)
				plot_marker_add(f, k[j].x, j == i && lab ? lab : "", true);
		free(lab);
		i = e;
	}
	for (size_t i = 0; i < n; i++)
		free(k[i].text);
	free(k);
}

/* ------------------------------------------------------------ one figure */

struct build {
	struct report *r;
	struct report_bench *b;
	const struct spec *s;
	json_t **ms;            /* the measurements of this figure (panel) */
	size_t n;
	const char *name, *title;
};

static struct plot_figure *lines_or_bars(struct build *c, enum plot_kind kind)
{
	const struct spec *s = c->s;
	struct plot_figure *f = plot_figure_new(kind, c->name, c->title, s->xlabel ? s->xlabel : "",
						s->ylabel ? s->ylabel : s->metric, s->caption ? s->caption : "");
	const char **keys;
	double xlo = INFINITY, xhi = 0;

	if (!f)
		return NULL;
	keys = series_keys(c->ms, c->n, s, kind == PLOT_LINES);
	if (!keys) {
		plot_figure_free(f);
		return NULL;
	}
	if (kind == PLOT_LINES) {
		for (size_t i = 0; i < c->n; i++) {
			double xv = label_num(c->ms[i], s->x);

			if (isfinite(xv)) {
				xlo = fmin(xlo, xv);
				xhi = fmax(xhi, xv);
			}
		}
		f->logx = xlo > 0 && xhi / xlo >= 16;
		f->xbytes = s->x && report_label_is_bytes(s->x);
	}
	for (size_t i = 0; i < c->n; i++) {
		const json_t *m = c->ms[i];
		char *sn = series_title(m, keys, "median (95% CI)");
		int si = sn ? series_index(f, sn) : -ENOMEM;
		double y = report_summary(m, "median");
		double lo = report_summary(m, "ci_low"), hi = report_summary(m, "ci_high");

		free(sn);
		if (si < 0)
			continue;
		if (kind == PLOT_LINES) {
			double xv = label_num(m, s->x);

			if (isfinite(xv))
				plot_point_add(f, (size_t)si, xv, y, lo, hi);
		} else {
			char *cat = label(m, s->x) ? report_label_value(s->x, label(m, s->x))
						   : strdup(s->metric);
			json_t *nv = s->bar_note ? json_object_get(json_object_get(m, "counters"),
								   s->bar_note) : NULL;

			if (cat && plot_bar_add(f, (size_t)si, cat, y, lo, hi) == 0 &&
			    json_is_number(nv)) {
				char note[64];

				if (strstr(s->bar_note, "rate"))
					snprintf(note, sizeof(note), "%.1f%%", 100 * json_number_value(nv));
				else
					snprintf(note, sizeof(note), "%.3g", json_number_value(nv));
				plot_bar_note(f, (size_t)si, cat, note);
			}
			free(cat);
		}
	}
	free(keys);
	for (size_t i = 0; kind == PLOT_LINES && i < f->ns; i++)
		qsort(f->s[i].p, f->s[i].n, sizeof(*f->s[i].p), cmp_point);
	if (s->cache_markers && c->r->nfiles)
		add_cache_markers(f, json_object_get(c->r->files[0].res, "topology"));
	if (s->knee_metric)
		add_knee_markers(f, c->r, c->b, s);
	scale_y(f, mstr(c->ms[0], "unit"), f->ylabel);
	if (fit_y(f, s->logy))
		caption_add(f, "Error bars reaching beyond the figure are cut at its edge; the "
			    "table gives every interval in full.");
	if (f->logy)
		caption_add(f, "The y axis is logarithmic.");
	return f;
}

static struct plot_figure *curve(struct build *c)
{
	const struct spec *s = c->s;
	struct plot_figure *f = plot_figure_new(PLOT_LINES, c->name, c->title, "",
						s->ylabel ? s->ylabel : s->metric, s->caption ? s->caption : "");
	const char **keys = series_keys(c->ms, c->n, s, false);
	const char *xunit = NULL;
	double xmax = 0, xdiv;
	char u[32], xl[300];

	if (!f || !keys) {
		plot_figure_free(f);
		free(keys);
		return NULL;
	}
	for (size_t i = 0; i < c->n; i++) {
		const json_t *m = c->ms[i], *xm = NULL;
		json_t *lm = json_object_get(m, "labels");
		char *sn;
		int si;

		/* The x metric measured under the same labels (same pair, same delay). */
		for (size_t k = 0; k < c->b->n && !xm; k++)
			if (!strcmp(mstr(c->b->meas[k], "metric"), s->x) &&
			    json_equal(lm, json_object_get(c->b->meas[k], "labels")))
				xm = c->b->meas[k];
		if (!xm || !isfinite(report_summary(xm, "median")))
			continue;
		xunit = mstr(xm, "unit");
		xmax = fmax(xmax, report_summary(xm, "median"));
		sn = series_title(m, keys, s->metric);
		si = sn ? series_index(f, sn) : -ENOMEM;
		free(sn);
		if (si >= 0)
			plot_point_add(f, (size_t)si, report_summary(xm, "median"),
				       report_summary(m, "median"), report_summary(m, "ci_low"),
				       report_summary(m, "ci_high"));
	}
	free(keys);
	/* Points where the load reached nothing (x median 0: the traffic threads did not
	 * run beside the chase) are unloaded latencies, not a curve: say so. */
	{
		size_t zero = 0, all = 0;

		for (size_t i = 0; i < f->ns; i++)
			for (size_t k = 0; k < f->s[i].n; k++) {
				zero += !(f->s[i].p[k].x > 0);
				all++;
			}
		if (zero) {
			char *t = NULL;

			if (asprintf(&t, "At %zu of %zu points the %s was 0: the load reached "
				     "nothing measurable there, so those points are the unloaded "
				     "latency, not part of a curve%s.", zero, all,
				     s->xlabel ? s->xlabel : s->x,
				     2 * zero > all ? "; on this run the figure shows no loaded "
						      "latency at all" : "") >= 0)
				caption_add(f, t);
			free(t);
		}
	}
	/* x is a rate: scaled once like y (GB/s, MB/s below 1). */
	report_scale_unit(xunit ? xunit : "", xmax, &xdiv, u, sizeof(u));
	for (size_t i = 0; i < f->ns; i++) {
		for (size_t k = 0; k < f->s[i].n; k++)
			f->s[i].p[k].x /= xdiv;
		qsort(f->s[i].p, f->s[i].n, sizeof(*f->s[i].p), cmp_point);
	}
	snprintf(xl, sizeof(xl), "%s%s%s%s", s->xlabel ? s->xlabel : s->x, *u ? " (" : "", u,
		 *u ? ")" : "");
	free(f->xlabel);
	f->xlabel = strdup(xl);
	scale_y(f, mstr(c->ms[0], "unit"), f->ylabel);
	if (fit_y(f, s->logy))
		caption_add(f, "Error bars reaching beyond the figure are cut at its edge; the "
			    "table gives every interval in full.");
	return f;
}

/* A node x node (or CPU x CPU) matrix; with fewer than two rows or columns, one
 * sentence instead (a 1x1 heat map says nothing a number does not). */
static struct plot_figure *matrix(struct build *c)
{
	const struct spec *s = c->s;
	struct plot_figure *f;
	const char **keys = series_keys(c->ms, c->n, s, false);
	char *first = keys ? series_title(c->ms[0], keys, "") : NULL;
	double max = 0;

	if (!first) {
		free(keys);
		return NULL;
	}
	f = plot_figure_new(PLOT_HEATMAP, c->name, c->title, s->xlabel ? s->xlabel : s->x,
			    s->ylabel ? s->ylabel : s->metric, s->caption ? s->caption : "");
	if (f) {
		char *rl = report_label_key(s->rows);

		f->rowlabel = rl;
	}
	for (size_t k = 0; f && k < c->n; k++) {
		char *sk = series_title(c->ms[k], keys, ""), *col, *row;

		/* Other labels varying (several page sizes): the first combination only. */
		if (!sk || strcmp(sk, first)) {
			free(sk);
			continue;
		}
		free(sk);
		col = report_json_text(label(c->ms[k], s->x));
		row = report_json_text(label(c->ms[k], s->rows));
		if (col && row && label(c->ms[k], s->x) && label(c->ms[k], s->rows))
			plot_cell_add(f, col, row, report_summary(c->ms[k], "median"));
		free(col);
		free(row);
	}
	free(keys);
	free(first);
	if (!f)
		return NULL;
	if (f->ncats < 2 || f->nrows < 2) {
		char *rk = report_label_key(s->rows), *ck = report_label_key(s->x), v[64], *t = NULL;
		const json_t *m = c->ms[0];
		char *rv = report_json_text(label(m, s->rows)), *cv = report_json_text(label(m, s->x));

		report_value(report_summary(m, "median"), mstr(m, "unit"), v, sizeof(v));
		if (rk && ck && rv && cv &&
		    asprintf(&t, "%s: only one %s and one %s were measured (%s %s, %s %s: %s), so "
			     "there is no matrix to draw%s", c->title, rk, ck, rk, rv, ck, cv, v,
			     strstr(s->rows, "node") ? ": remote pairs need at least two NUMA nodes "
			     "(a multi-node machine, or the QEMU guest of scripts/numa-guest)." : ".") >= 0)
			note_push(c->b, t);
		free(t);
		free(rk);
		free(ck);
		free(rv);
		free(cv);
		plot_figure_free(f);
		return NULL;
	}
	plot_heatmap_sort(f);
	scale_y(f, mstr(c->ms[0], "unit"), f->ylabel);
	for (size_t k = 0; k < f->ncells; k++)
		max = fmax(max, fabs(f->cells[k].z / f->yscale));
	snprintf(f->cellfmt, sizeof(f->cellfmt), "%s",
		 max >= 100 ? "%.0f" : max >= 10 ? "%.1f" : "%.2f");
	f->width = (int)fmin(900, 300 + 80 * (double)f->ncats);
	f->height = (int)fmin(800, 160 + 70 * (double)f->nrows);
	return f;
}

/* ------------------------------------------------------------ specs and panels */

static void spec_from_json(struct spec *s, const json_t *j)
{
	memset(s, 0, sizeof(*s));
	s->kind = jstr(j, "kind");
	s->metric = jstr(j, "metric");
	s->x = jstr(j, "x");
	s->rows = jstr(j, "rows");
	s->series = jstr(j, "series");
	s->panel = jstr(j, "panel");
	s->filter = jstr(j, "filter");
	s->knee_metric = jstr(j, "knee_metric");
	s->knee_label = jstr(j, "knee_label");
	s->bar_note = jstr(j, "bar_note");
	s->title = jstr(j, "title");
	s->xlabel = jstr(j, "xlabel");
	s->ylabel = jstr(j, "ylabel");
	s->caption = jstr(j, "caption");
	s->logy = json_is_true(json_object_get(j, "logy"));
	s->cache_markers = json_is_true(json_object_get(j, "cache_markers"));
}

/* No description: the first numeric label that varies is x (lines), else the first
 * varying label is the category (bars). */
static void spec_generic(struct spec *s, json_t **ms, size_t n, const char *metric,
			 char *title, size_t tlen)
{
	static const char *const xs[] = {
		"footprint_bytes", "size_bytes", "size", "bytes", "n", "threads", "stride_bytes", NULL
	};
	const char *k;
	json_t *v;

	/* Label pairs that make a matrix whatever the bench (rows, columns). */
	static const char *const pairs[][2] = {
		{ "cpu_node", "mem_node" }, { "src_node", "dst_node" }, { "cpu_a", "cpu_b" },
		{ "core_a", "core_b" },
	};

	memset(s, 0, sizeof(*s));
	s->metric = metric;
	s->kind = "bars";
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]) && !s->x; i++)
		if (label(ms[0], pairs[i][0]) && label(ms[0], pairs[i][1])) {
			s->kind = "matrix";
			s->rows = pairs[i][0];
			s->x = pairs[i][1];
		}
	for (size_t i = 0; xs[i] && !s->x; i++)
		if (varies(ms, n, xs[i]) && isfinite(label_num(ms[0], xs[i]))) {
			s->x = xs[i];
			s->kind = "lines";
		}
	json_object_foreach(json_object_get(ms[0], "labels"), k, v)
		if (!s->x && strcmp(k, "source") && varies(ms, n, k))
			s->x = k;
	snprintf(title, tlen, "%s", metric);
	s->title = title;

	s->xlabel = s->x;
	s->ylabel = metric;
	s->caption = s->rows ? "Median for each row and column of the matrix; row and column 0 "
			       "are top left." :
			       "Median with 95% CI for each measurement of this benchmark.";
}

static size_t select_meas(const struct report_bench *b, const char *metric, const char *filter,
			  json_t ***out)
{
	size_t n = 0;

	*out = calloc(b->n ? b->n : 1, sizeof(**out));
	if (!*out)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(mstr(b->meas[i], "metric"), metric) && passes(b->meas[i], filter) &&
		    isfinite(report_summary(b->meas[i], "median")))
			(*out)[n++] = b->meas[i];
	return n;
}

/* The panel a measurement belongs to: the panel label's value in words, and (matrices
 * of several files) its file, so every host keeps its own matrix. */
static char *panel_of(const json_t *m, const char *panel, bool by_source)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	const json_t *src = by_source ? label(m, "source") : NULL;

	if (!o)
		return NULL;
	if (panel && label(m, panel)) {
		char *w = report_label_words(panel, label(m, panel));

		fputs(w ? w : "", o);
		free(w);
	}
	if (json_is_string(src))
		fprintf(o, "%s%s", panel && label(m, panel) ? ", " : "", json_string_value(src));
	fclose(o);
	return buf;
}

static void add_fig(struct report_bench *b, struct plot_figure *f)
{
	if (!f)
		return;
	if (plot_figure_size(f) == 0 || b->nfigs == REPORT_MAX_FIGS) {
		plot_figure_free(f);
		return;
	}
	b->figs[b->nfigs].fig = f;
	b->figs[b->nfigs++].made = 0;
}

static void build_spec(struct report *r, struct report_bench *b, const struct spec *s,
		       size_t idx)
{
	json_t **ms, **sub;
	size_t n = select_meas(b, s->metric, s->filter, &ms);
	bool mat = s->kind && !strcmp(s->kind, "matrix");
	char **panels = NULL;
	size_t np = 0;

	if (n == 0 || !(sub = calloc(n, sizeof(*sub)))) {
		free(ms);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = panel_of(ms[i], s->panel, mat && r->nfiles > 1);
		bool seen = false;

		for (size_t k = 0; p && k < np; k++)
			seen |= !strcmp(panels[k], p);
		if (p && !seen) {
			char **np2 = realloc(panels, (np + 1) * sizeof(*np2));

			if (np2) {
				panels = np2;
				panels[np++] = p;
				continue;
			}
		}
		free(p);
	}
	for (size_t k = 0; k < np; k++) {
		struct build c = { .r = r, .b = b, .s = s, .ms = sub };
		char name[300], title[600];
		struct plot_figure *f = NULL;

		for (size_t i = 0; i < n; i++) {
			char *p = panel_of(ms[i], s->panel, mat && r->nfiles > 1);

			if (p && !strcmp(p, panels[k]))
				sub[c.n++] = ms[i];
			free(p);
		}
		/* File stems a user can guess: "latency", "pagefault-2", "bandwidth-stores-nt"
		 * (plot_figure_new turns what is not [A-Za-z0-9_-] into '_'). */
		if (idx == 0)
			snprintf(name, sizeof(name), "%s", b->name);
		else
			snprintf(name, sizeof(name), "%s-%zu", b->name, idx + 1);
		if (np > 1) {
			size_t l = strlen(name);

			snprintf(name + l, sizeof(name) - l, "-%s", panels[k]);
			for (char *p = name + l; *p; p++)
				if (*p == ' ' || *p == ',')
					*p = '-';
		}
		snprintf(title, sizeof(title), "%s%s%s", s->title ? s->title : s->metric,
			 *panels[k] ? ": " : "", panels[k]);
		c.name = name;
		c.title = title;
		if (!s->kind || !strcmp(s->kind, "lines"))
			f = lines_or_bars(&c, PLOT_LINES);
		else if (!strcmp(s->kind, "bars"))
			f = lines_or_bars(&c, PLOT_BARS);
		else if (mat)
			f = matrix(&c);
		else if (!strcmp(s->kind, "curve"))
			f = curve(&c);
		add_fig(b, f);
	}
	for (size_t k = 0; k < np; k++)
		free(panels[k]);
	free(panels);
	free(sub);
	free(ms);
}

static void bench_figures(struct report *r, struct report_bench *b)
{
	const json_t *figs = json_object_get(b->desc, "figures"), *j;
	size_t i;

	if (json_array_size(figs)) {
		json_array_foreach(figs, i, j) {
			struct spec s;

			spec_from_json(&s, j);
			if (s.metric)
				build_spec(r, b, &s, i);
		}
		return;
	}
	if (b->n) {
		struct spec s;
		char title[256];
		json_t **ms;
		const char *metric = mstr(b->meas[0], "metric");
		size_t n = select_meas(b, metric, NULL, &ms);

		if (n) {
			spec_generic(&s, ms, n, metric, title, sizeof(title));
			build_spec(r, b, &s, 0);
		}
		free(ms);
	}
}

int report_figures(struct report *r, const char *figdir, unsigned formats, bool plots)
{
	int rc = 0;
	size_t nf = 0;

	for (size_t i = 0; i < r->nbenches; i++) {
		bench_figures(r, &r->benches[i]);
		nf += r->benches[i].nfigs;
	}
	nf += r->nhist_figs;
	formats |= PLOT_SVG;
	if (nf == 0)
		return 0; /* nothing to draw: gnuplot is not needed */
	if (!plots) {
		/* No gnuplot run, but the scripts and data are still worth having. */
		for (size_t i = 0; i < r->nbenches; i++)
			for (size_t k = 0; k < r->benches[i].nfigs; k++) {
				struct report_fig *rf = &r->benches[i].figs[k];
				int e = plot_render(rf->fig, figdir, formats, NULL, &rf->made);

				if (e < 0 && e != -ENOENT && rc == 0)
					rc = e;
			}
		for (size_t k = 0; k < r->nhist_figs; k++) {
			int e = plot_render(r->hist_figs[k].fig, figdir, formats, NULL,
					    &r->hist_figs[k].made);

			if (e < 0 && e != -ENOENT && rc == 0)
				rc = e;
		}
		return rc;
	}
	if (plot_probe(&r->caps) == 0) {
		for (unsigned fm = PLOT_SVG; fm <= PLOT_PDF; fm <<= 1) {
			const char *why = (formats & fm) ? plot_format_missing(&r->caps, fm) : NULL;

			if (why) {
				locus_error("report: %s figures cannot be produced: %s",
					    plot_format_name(fm), why);
				rc = -EIO;
			}
		}
	} else {
		rc = -ENOENT;
	}
	r->have_caps = true;
	for (size_t i = 0; i < r->nbenches; i++) {
		struct report_bench *b = &r->benches[i];

		for (size_t k = 0; k < b->nfigs; k++) {
			int e = plot_render(b->figs[k].fig, figdir, formats, &r->caps, &b->figs[k].made);

			if (e < 0 && e != -ENOENT && rc == 0)
				rc = e;
		}
	}
	for (size_t k = 0; k < r->nhist_figs; k++) {
		int e = plot_render(r->hist_figs[k].fig, figdir, formats, &r->caps,
				    &r->hist_figs[k].made);

		if (e < 0 && e != -ENOENT && rc == 0)
			rc = e;
	}
	return rc;
}
