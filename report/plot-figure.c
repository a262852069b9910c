/* SPDX-License-Identifier: MIT */
/*
 * plot-figure.c — building a figure description: series, points, bars with notes,
 * heatmap cells, change-point markers, and the sizes and byte labels the report reads.
 *
 * A figure is plain data (plot.h) that the report fills and plot.c turns into a
 * gnuplot script; keeping the building apart from the script generation keeps the
 * interpreter boundary (plot.c: gq(), comment(), numbers-only data) in one small place.
 * Strings are copied in as given: escaping them is the script writer's job.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot.h"

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

struct plot_figure *plot_figure_new(enum plot_kind kind, const char *name, const char *title,
				    const char *xlabel, const char *ylabel, const char *caption)
{
	struct plot_figure *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kind = kind;
	f->ymin = NAN;
	f->ymax = NAN;
	f->yscale = 1.0;
	f->name = xstrdup(name);
	f->title = xstrdup(title);
	f->xlabel = xstrdup(xlabel);
	f->ylabel = xstrdup(ylabel);
	f->caption = xstrdup(caption);
	if (!f->name || !f->title || !f->xlabel || !f->ylabel || !f->caption) {
		plot_figure_free(f);
		return NULL;
	}
	/* A file stem, so at most 120 bytes: NAME.log still fits a 255-byte file name. */
	if (strlen(f->name) > 120)
		f->name[120] = '\0';
	for (char *c = f->name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			*c = '_';
	return f;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void plot_figure_free(struct plot_figure *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ns; i++) {
		for (size_t k = 0; k < f->s[i].n; k++)
			free(f->s[i].p[k].note);
		free(f->s[i].title);
		free(f->s[i].p);
	}
	free(f->s);
	free_strv(f->cats, f->ncats);
	free_strv(f->rows, f->nrows);
	free(f->cells);
	for (size_t i = 0; i < f->nmk; i++)
		free(f->mk[i].label);
	free(f->mk);
	free(f->name);
	free(f->title);
	free(f->xlabel);
	free(f->ylabel);
	free(f->caption);
	free(f->rowlabel);
	free(f);
}

int plot_series_add(struct plot_figure *f, const char *title)
{
	struct plot_series *s = realloc(f->s, (f->ns + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	f->s = s;
	memset(&s[f->ns], 0, sizeof(*s));
	s[f->ns].title = xstrdup(title);
	if (!s[f->ns].title)
		return -ENOMEM;
	return (int)f->ns++;
}

int plot_point_add(struct plot_figure *f, size_t si, double x, double y, double lo, double hi)
{
	struct plot_series *s = &f->s[si];

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct plot_point *p = realloc(s->p, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->p = p;
		s->cap = cap;
	}
	s->p[s->n++] = (struct plot_point){ .x = x, .y = y, .lo = lo, .hi = hi };
	return 0;
}

/* Index of name in v[0..*n), appending a copy when absent; -ENOMEM. */
static long strv_index(char ***v, size_t *n, const char *name)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], name) == 0)
			return (long)i;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = xstrdup(name);
	if (!nv[*n])
		return -ENOMEM;
	return (long)(*n)++;
}

int plot_bar_add(struct plot_figure *f, size_t si, const char *cat, double y, double lo,
		 double hi)
{
	long ci = strv_index(&f->cats, &f->ncats, cat);

	if (ci < 0)
		return (int)ci;
	return plot_point_add(f, si, (double)ci, y, lo, hi);
}

int plot_bar_note(struct plot_figure *f, size_t si, const char *cat, const char *note)
{
	for (size_t c = 0; c < f->ncats; c++) {
		if (strcmp(f->cats[c], cat))
			continue;
		for (size_t k = 0; k < f->s[si].n; k++)
			if (f->s[si].p[k].x == (double)c) {
				free(f->s[si].p[k].note);
				f->s[si].p[k].note = xstrdup(note);
				return f->s[si].p[k].note ? 0 : -ENOMEM;
			}
	}
	return -ENOENT;
}

int plot_cell_add(struct plot_figure *f, const char *col, const char *row, double z)
{
	long c = strv_index(&f->cats, &f->ncats, col);
	long r = c < 0 ? c : strv_index(&f->rows, &f->nrows, row);
	struct plot_cell *nc;

	if (r < 0)
		return (int)r;
	nc = realloc(f->cells, (f->ncells + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	f->cells = nc;
	nc[f->ncells++] = (struct plot_cell){ .col = (size_t)c, .row = (size_t)r, .z = z };
	return 0;
}

int plot_marker_add(struct plot_figure *f, double x, const char *label, bool detected)
{
	struct plot_marker *m = realloc(f->mk, (f->nmk + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	f->mk = m;
	m[f->nmk].x = x;
	m[f->nmk].detected = detected;
	m[f->nmk].label = xstrdup(label);
	if (!m[f->nmk].label)
		return -ENOMEM;
	f->nmk++;
	return 0;
}

/* Numeric when both names are numbers, else by text. */
static int cmp_name(const char *a, const char *b)
{
	char *ea, *eb;
	double x = strtod(a, &ea), y = strtod(b, &eb);

	if (*a && *b && !*ea && !*eb)
		return (x > y) - (x < y);
	return strcmp(a, b);
}

/* Sort v[0..n) and write into map[old index] the new index. */
static void sort_names(char **v, size_t n, size_t *map)
{
	char **old = malloc(n * sizeof(*old));

	if (!old)
		return;
	memcpy(old, v, n * sizeof(*old));
	for (size_t i = 1; i < n; i++) /* insertion sort: axes are short */
		for (size_t j = i; j > 0 && cmp_name(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (old[i] == v[j])
				map[i] = j;
	free(old);
}

void plot_heatmap_sort(struct plot_figure *f)
{
	size_t *mc = calloc(f->ncats + 1, sizeof(*mc)), *mr = calloc(f->nrows + 1, sizeof(*mr));

	if (mc && mr) {
		for (size_t i = 0; i < f->ncats; i++)
			mc[i] = i;
		for (size_t i = 0; i < f->nrows; i++)
			mr[i] = i;
		sort_names(f->cats, f->ncats, mc);
		sort_names(f->rows, f->nrows, mr);
		for (size_t k = 0; k < f->ncells; k++) {
			f->cells[k].col = mc[f->cells[k].col];
			f->cells[k].row = mr[f->cells[k].row];
		}
	}
	free(mc);
	free(mr);
}

size_t plot_figure_size(const struct plot_figure *f)
{
	size_t n = f->ncells;

	for (size_t i = 0; i < f->ns; i++)
		n += f->s[i].n;
	return n;
}

char *plot_bytes(double bytes, char *buf, size_t len)
{
	static const char *const sfx[] = { "B", "K", "M", "G", "T", "P" };
	size_t i = 0;

	while (fabs(bytes) >= 1024 && i + 1 < sizeof(sfx) / sizeof(sfx[0])) {
		bytes /= 1024;
		i++;
	}
	if (bytes == floor(bytes))
		snprintf(buf, len, "%.0f%s", bytes, sfx[i]);
	else
		snprintf(buf, len, "%.3g%s", bytes, sfx[i]);
	return buf;
}
