/* SPDX-License-Identifier: MIT */
/*
 * plot.h — figures drawn by gnuplot through a pipe.
 *
 * A report describes each figure as data (series of points, grouped bars, or a heatmap
 * of cells) plus its title, axis labels and markers; this file turns that description
 * into a gnuplot script, saves the script and its data next to the images
 * (DIR/NAME.gp reads DIR/NAME.dat, so a user can re-plot or restyle with
 * `cd DIR && gnuplot NAME.gp`), and runs gnuplot through popen() with the same data sent
 * inline as a datablock.  gnuplot is found on PATH (or $LOCUS_GNUPLOT); which output
 * formats it can produce is probed once from GPVAL_TERMINALS, because Debian's
 * gnuplot-nox may lack the cairo terminals.
 *
 * Library rules: functions return 0 or a negative errno and print through lib/log.h.
 */
#ifndef LOCUS_PLOT_H
#define LOCUS_PLOT_H

#include <stdbool.h>
#include <stddef.h>

enum plot_format {
	PLOT_SVG = 1u << 0,
	PLOT_PNG = 1u << 1,
	PLOT_PDF = 1u << 2,
};
#define PLOT_ALL_FORMATS (PLOT_SVG | PLOT_PNG | PLOT_PDF)

/* Parse "svg,png,pdf" (any non-empty subset, any order) into a mask of enum
 * plot_format.  Returns 0, or prints "locus: --format: 'X' is not one of svg, png, pdf"
 * and returns -EINVAL. */
int plot_parse_formats(const char *s, unsigned *formats);

/* "svg", "png", "pdf" for one format bit. */
const char *plot_format_name(unsigned format);

/* What the gnuplot on this machine can do. */
struct plot_caps {
	bool found;            /* a gnuplot program was found and answered */
	char program[4096];    /* the program run ($LOCUS_GNUPLOT, else "gnuplot") */
	unsigned formats;      /* formats it can write (mask of enum plot_format) */
	bool png_gd;           /* PNG only through the libgd "png" terminal (no pngcairo) */
};

/* Find gnuplot and the terminals it has.  Returns 0 when found; otherwise prints
 * "locus: gnuplot: not found ...: install the gnuplot-nox package" and returns -ENOENT
 * (caps->found false). */
int plot_probe(struct plot_caps *caps);

/* Why `format` cannot be produced with caps (static text), or NULL when it can. */
const char *plot_format_missing(const struct plot_caps *caps, unsigned format);

enum plot_kind {
	PLOT_LINES,    /* y against numeric x, one line per series, CI error bars */
	PLOT_BARS,     /* grouped bars: categories on x, one bar per series, CI error bars */
	PLOT_HEATMAP,  /* cells (column, row) -> value, annotated with the value; row 0 at
			* the top (node 0 top left, as numactl and MLC print matrices) */
};

struct plot_point {
	double x, y, lo, hi;   /* lines: x, median, CI; bars: x = category index */
	char *note;            /* bars: text drawn above the bar (e.g. a mispredict rate) */
};

struct plot_series {
	char *title;
	struct plot_point *p;
	size_t n, cap;
};

struct plot_marker {
	double x;
	char *label;
	bool detected;         /* a measured knee (drawn red) rather than a known size (grey) */
};

struct plot_cell {
	size_t col, row;
	double z;
};

struct plot_figure {
	enum plot_kind kind;
	char *name;            /* file stem: [A-Za-z0-9_-] */
	char *title, *xlabel, *ylabel, *caption;
	char *rowlabel;        /* heatmap: the y axis (rows) name; NULL = "CPU node" */
	bool logx, logy;
	bool xbytes;           /* x values are bytes: tics as 4K, 1M, 1G */
	double yscale;         /* values are divided by this when written (1 = none) */
	struct plot_series *s;
	size_t ns;
	char **cats;           /* bars: category names in order; heatmap: column names */
	size_t ncats;
	char **rows;           /* heatmap: row names */
	size_t nrows;
	struct plot_cell *cells;
	size_t ncells;
	struct plot_marker *mk;
	size_t nmk;
	int width, height;     /* SVG size in pixels; 0 = 900 x 480 */
	double ymin, ymax;     /* y range in plotted units; NAN = automatic (0 or data) */
	char cellfmt[16];      /* heatmap: printf format of the cell labels; "" = %.3g */
};

/* A new, empty figure (strings copied; name is sanitised to [A-Za-z0-9_-] and cut to
 * 120 bytes).  NULL on ENOMEM.  Free with plot_figure_free().  The strings of a figure
 * may come from a result file: plot_render() makes each of them inert in the script
 * (single-quoted, control characters dropped, never inside the datablock). */
struct plot_figure *plot_figure_new(enum plot_kind kind, const char *name, const char *title,
				    const char *xlabel, const char *ylabel, const char *caption);
void plot_figure_free(struct plot_figure *f);

/* Add a series; returns its index, or -ENOMEM. */
int plot_series_add(struct plot_figure *f, const char *title);
/* Add a point to series si (lines: x numeric; lo/hi NAN = no error bar).  0 or -ENOMEM. */
int plot_point_add(struct plot_figure *f, size_t si, double x, double y, double lo, double hi);
/* Bars: add (or find) category cat and set series si's bar there.  0 or -ENOMEM. */
int plot_bar_add(struct plot_figure *f, size_t si, const char *cat, double y, double lo,
		 double hi);
/* Bars: text above the bar of series si at category cat (which must exist).  0,
 * -ENOENT or -ENOMEM. */
int plot_bar_note(struct plot_figure *f, size_t si, const char *cat, const char *note);
/* Heatmap: one cell.  0 or -ENOMEM. */
int plot_cell_add(struct plot_figure *f, const char *col, const char *row, double z);
/* Heatmap: sort columns and rows (numerically when the names are numbers). */
void plot_heatmap_sort(struct plot_figure *f);
/* A vertical marker at x with a label.  0 or -ENOMEM. */
int plot_marker_add(struct plot_figure *f, double x, const char *label, bool detected);
/* Number of plottable values (points, bars or cells). */
size_t plot_figure_size(const struct plot_figure *f);

/*
 * Save DIR/NAME.dat and DIR/NAME.gp (always, even without gnuplot), then, when caps says
 * gnuplot is there, draw DIR/NAME.{svg,png,pdf} for the formats requested that it can
 * produce.  *made receives the formats actually written.  Returns 0; -ENOENT when
 * gnuplot is missing (files saved, nothing drawn, no message: plot_probe printed it);
 * -EIO after printing "locus: DIR/NAME.gp: gnuplot failed ..." when gnuplot exits
 * non-zero or an image is missing; or -errno when the files cannot be written.
 */
int plot_render(const struct plot_figure *f, const char *dir, unsigned formats,
		const struct plot_caps *caps, unsigned *made);

/* "4K", "512K", "1.5M", "1G": a byte count for tics and tables.  Returns buf. */
char *plot_bytes(double bytes, char *buf, size_t len);

#endif
