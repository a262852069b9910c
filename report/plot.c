/* SPDX-License-Identifier: MIT */
/*
 * plot.c — figures through a gnuplot pipe, with their script and data kept on disk.
 *
 * Why gnuplot through popen(): it is everywhere (gnuplot-nox has no X dependencies),
 * it writes SVG, PNG and PDF, and a user who wants different styling can edit the
 * saved script instead of patching locus.  The script is generated once per figure
 * from the figure description, twice over: the copy saved as NAME.gp reads NAME.dat,
 * the copy piped to gnuplot carries the same data inline as the datablock $data, so
 * what the user re-plots is exactly what was drawn.  gnuplot's stdout goes to
 * /dev/null (it would write an SVG there when `set output` fails, mixing it into
 * `locus report --text`), its stderr is ours, and its exit status decides success.
 * Building the figure description itself is plot-figure.c.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "log.h"
#include "plot.h"

static const struct {
	unsigned bit;
	const char *name;
} formats_tab[] = {
	{ PLOT_SVG, "svg" },
	{ PLOT_PNG, "png" },
	{ PLOT_PDF, "pdf" },
};
#define NR_FORMATS (sizeof(formats_tab) / sizeof(formats_tab[0]))

const char *plot_format_name(unsigned format)
{
	for (size_t i = 0; i < NR_FORMATS; i++)
		if (formats_tab[i].bit == format)
			return formats_tab[i].name;
	return "?";
}

int plot_parse_formats(const char *s, unsigned *formats)
{
	unsigned mask = 0;
	const char *p = s;

	if (!s || !*s) {
		locus_error("--format: empty: give one or more of svg, png, pdf");
		return -EINVAL;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; i < NR_FORMATS; i++)
			if (len == strlen(formats_tab[i].name) &&
			    strncasecmp(p, formats_tab[i].name, len) == 0) {
				mask |= formats_tab[i].bit;
				found = true;
			}
		if (!found) {
			if (len == 0)
				locus_error("--format: '%s' has an empty item; give one or more of "
					    "svg, png, pdf, comma-separated", s);
			else
				locus_error("--format: '%.*s' is not one of svg, png, pdf", (int)len, p);
			return -EINVAL;
		}
		p += len;
		if (*p == ',' && *++p == '\0') {
			locus_error("--format: '%s' has an empty item; give one or more of svg, png, "
				    "pdf, comma-separated", s);
			return -EINVAL;
		}
	}
	*formats = mask;
	return 0;
}

/* Append s to a shell command inside single quotes. */
static void sh_quote(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);

	if (o + 1 < len)
		buf[o++] = '\'';
	for (; *s && o + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = *s;
		}
	}
	if (o + 1 < len)
		buf[o++] = '\'';
	buf[o] = '\0';
}

/* Is prog runnable: a path, or a name found on PATH. */
static bool find_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(len ? len : 1), len ? path : ".", prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0' || p[n] == '\t'))
			return true;
	return false;
}

int plot_probe(struct plot_caps *caps)
{
	const char *prog = getenv("LOCUS_GNUPLOT");
	char cmd[8192] = "", list[8192];
	size_t got = 0;
	FILE *p;
	int st;

	memset(caps, 0, sizeof(*caps));
	if (!prog || !*prog)
		prog = "gnuplot";
	snprintf(caps->program, sizeof(caps->program), "%s", prog);
	if (!find_program(prog))
		goto missing;
	/* gnuplot runs inside the figure directory: a relative path must not move. */
	if (strchr(prog, '/') && prog[0] != '/') {
		char *abs = realpath(prog, NULL);

		if (abs && strlen(abs) < sizeof(caps->program))
			strcpy(caps->program, abs);
		free(abs);
	}
	sh_quote(cmd, sizeof(cmd), caps->program);
	strncat(cmd, " -e 'print GPVAL_TERMINALS' 2>&1 </dev/null", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	if (!p)
		goto missing;
	while (got + 1 < sizeof(list)) {
		size_t r = fread(list + got, 1, sizeof(list) - 1 - got, p);
		if (r == 0)
			break;
		got += r;
	}
	list[got] = '\0';
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		goto missing;
	caps->found = true;
	if (has_word(list, "svg"))
		caps->formats |= PLOT_SVG;
	if (has_word(list, "pngcairo")) {
		caps->formats |= PLOT_PNG;
	} else if (has_word(list, "png")) {
		caps->formats |= PLOT_PNG;
		caps->png_gd = true;
	}
	if (has_word(list, "pdfcairo"))
		caps->formats |= PLOT_PDF;
	return 0;

missing:
	locus_error("gnuplot: '%s' not found or not working: install the gnuplot-nox package "
		    "(apt-get install gnuplot-nox) to draw figures; the text report, tables and "
		    "CSV files are written without them", prog);
	return -ENOENT;
}

const char *plot_format_missing(const struct plot_caps *caps, unsigned format)
{
	if (!caps->found)
		return "gnuplot is not installed (package gnuplot-nox)";
	if (caps->formats & format)
		return NULL;
	switch (format) {
	case PLOT_SVG:
		return "this gnuplot has no svg terminal";
	case PLOT_PNG:
		return "this gnuplot has neither the pngcairo nor the png terminal "
		       "(install gnuplot-nox, or gnuplot-qt for the cairo terminals)";
	case PLOT_PDF:
		return "this gnuplot has no pdfcairo terminal (Debian's gnuplot-nox may be built "
		       "without cairo: install gnuplot-qt or gnuplot-x11 for PDF)";
	}
	return "unknown format";
}

/* ------------------------------------------------------------ building figures */
/* ------------------------------------------------------------ script generation */

/*
 * The gnuplot boundary.  Every string that reaches a script comes from a result file
 * or the command line, so it goes through one of the two writers below and nothing
 * else: a newline would end a command (or a `$data << EOD` block) and let the rest of
 * the string run as gnuplot commands, `system '...'` included.
 *
 * gq() writes a single-quoted gnuplot string: the only escape inside single quotes is
 * '' for a quote, and gnuplot expands neither `backquotes` nor @macros there (it does
 * both inside double quotes, which is why no script string is double-quoted).  Control
 * characters (C0 and DEL) are dropped.  comment() writes the text of a '#' comment
 * line with control characters turned into spaces.  The data itself is numbers only:
 * category names and bar notes travel in the script as gq() strings.
 */
static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void gq(FILE *o, const char *s)
{
	fputc('\'', o);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", o);
		else if (!is_ctl((unsigned char)*s))
			fputc(*s, o);
	}
	fputc('\'', o);
}

static void comment(FILE *o, const char *s)
{
	for (; *s; s++)
		fputc(is_ctl((unsigned char)*s) ? ' ' : *s, o);
}

/* Series s's bar at category c, or NULL. */
static const struct plot_point *bar_at(const struct plot_series *s, size_t c)
{
	const struct plot_point *p = NULL;

	for (size_t k = 0; k < s->n; k++)
		if (s->p[k].x == (double)c)
			p = &s->p[k];
	return p;
}

static void num(FILE *o, double v, double scale)
{
	if (isfinite(v))
		fprintf(o, " %.9g", v / scale);
	else
		fputs(" ?", o);
}

/* The data: numbers only.  The copy saved as NAME.dat gets '#' comments naming the
 * series and categories (for the person who opens it); the inline datablock gets
 * none, so nothing from a result file is inside it at all. */
static void write_data(FILE *o, const struct plot_figure *f, bool comments)
{
	if (comments) {
		fputs("# ", o);
		comment(o, f->title);
		fputc('\n', o);
	}
	switch (f->kind) {
	case PLOT_LINES:
		for (size_t i = 0; i < f->ns; i++) {
			const struct plot_series *s = &f->s[i];

			if (i)
				fputs("\n\n", o);
			if (comments) {
				fprintf(o, "# index %zu: ", i);
				comment(o, s->title);
				fputs("\n# x median ci_low ci_high\n", o);
			}
			for (size_t k = 0; k < s->n; k++) {
				const struct plot_point *p = &s->p[k];

				if (!isfinite(p->x))
					continue;
				fprintf(o, "%.17g", p->x);
				num(o, p->y, f->yscale);
				num(o, isfinite(p->lo) ? p->lo : p->y, f->yscale);
				num(o, isfinite(p->hi) ? p->hi : p->y, f->yscale);
				fputc('\n', o);
			}
		}
		break;
	case PLOT_BARS:
		if (comments) {
			for (size_t c = 0; c < f->ncats; c++) {
				fprintf(o, "# category %zu: ", c);
				comment(o, f->cats[c]);
				fputc('\n', o);
			}
			fputs("# category", o);
			for (size_t i = 0; i < f->ns; i++) {
				fputs(" | ", o);
				comment(o, f->s[i].title);
				fputs(": median ci_low ci_high", o);
			}
			fputc('\n', o);
		}
		for (size_t c = 0; c < f->ncats; c++) {
			fprintf(o, "%zu", c);
			for (size_t i = 0; i < f->ns; i++) {
				const struct plot_point *p = bar_at(&f->s[i], c);

				if (!p) {
					fputs(" ? ? ?", o);
					continue;
				}
				num(o, p->y, f->yscale);
				num(o, isfinite(p->lo) ? p->lo : p->y, f->yscale);
				num(o, isfinite(p->hi) ? p->hi : p->y, f->yscale);
			}
			fputc('\n', o);
		}
		break;
	case PLOT_HEATMAP:
		if (comments)
			fputs("# column row value (NaN = not measured)\n", o);
		/* One grid, filled once (the last cell of a position wins, as before):
		 * a CPU x CPU matrix of a large machine has 10^5 cells. */
		double *grid = malloc((f->nrows * f->ncats + 1) * sizeof(*grid));

		if (!grid)
			break;
		for (size_t k = 0; k < f->nrows * f->ncats; k++)
			grid[k] = NAN;
		for (size_t k = 0; k < f->ncells; k++)
			if (f->cells[k].row < f->nrows && f->cells[k].col < f->ncats)
				grid[f->cells[k].row * f->ncats + f->cells[k].col] = f->cells[k].z;
		for (size_t r = 0; r < f->nrows; r++) {
			for (size_t c = 0; c < f->ncats; c++) {
				double z = grid[r * f->ncats + c];

				if (isfinite(z))
					fprintf(o, "%zu %zu %.9g\n", c, r, z / f->yscale);
				else
					fprintf(o, "%zu %zu NaN\n", c, r);
			}
			fputc('\n', o);
		}
		free(grid);
		break;
	}
}

static void x_range(const struct plot_figure *f, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < f->ns; i++)
		for (size_t k = 0; k < f->s[i].n; k++) {
			double x = f->s[i].p[k].x;

			if (x < *lo)
				*lo = x;
			if (x > *hi)
				*hi = x;
		}
}

static void byte_tics(FILE *o, const struct plot_figure *f)
{
	double lo, hi;
	int a, b, step;
	char buf[32];

	x_range(f, &lo, &hi);
	if (!(lo > 0) || !isfinite(hi))
		return;
	a = (int)floor(log2(lo));
	b = (int)ceil(log2(hi));
	step = (b - a) / 10 + 1;
	fputs("set xtics (", o);
	/* Tics on multiples of the step (4K, 32K, 256K, 2M, ... for a step of 3): the
	 * round sizes a reader expects, whatever the first footprint. */
	for (int e = (a >= 0 ? (a + step - 1) / step : a / step) * step, first = 1; e <= b;
	     e += step, first = 0) {
		double v = ldexp(1.0, e);

		fprintf(o, "%s\"%s\" %.17g", first ? "" : ", ", plot_bytes(v, buf, sizeof(buf)), v);
	}
	fputs(")\n", o);
}

/* x range just around the data (gnuplot's autoscale rounds a log axis out to whole
 * decades), and tics: sizes as 4K/1M, small integer ranges (threads) one by one. */
static void x_axis(FILE *o, const struct plot_figure *f)
{
	double lo, hi;
	bool ints = true;

	x_range(f, &lo, &hi);
	if (!isfinite(lo) || !isfinite(hi))
		return;
	if (f->logx && lo > 0)
		fprintf(o, "set xrange [%.17g:%.17g]\n", lo / 1.25, hi * 1.25);
	else if (hi > lo)
		fprintf(o, "set xrange [%.17g:%.17g]\n", lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
	else
		fprintf(o, "set xrange [%.17g:%.17g]\n", lo - 1, hi + 1);
	for (size_t i = 0; i < f->ns; i++)
		for (size_t k = 0; k < f->s[i].n; k++)
			ints &= f->s[i].p[k].x == floor(f->s[i].p[k].x);
	if (f->xbytes)
		byte_tics(o, f);
	else if (!f->logx && ints && hi - lo <= 16)
		fputs("set xtics 1\n", o);
}

static void markers(FILE *o, const struct plot_figure *f)
{
	double lo, hi;
	int tag = 1;

	x_range(f, &lo, &hi);
	for (size_t i = 0; i < f->nmk; i++) {
		const struct plot_marker *m = &f->mk[i];
		const char *col = m->detected ? "#d62728" : "#888888";

		/* Only markers inside the data: outside, gnuplot would draw over the margin. */
		if (!(m->x >= lo && m->x <= hi))
			continue;
		fprintf(o, "set arrow %d from %.17g, graph 0 to %.17g, graph 1 nohead dt %d lc rgb '%s'\n",
			tag, m->x, m->x, m->detected ? 3 : 2, col);
		fprintf(o, "set label %d ", tag);
		gq(o, m->label);
		fprintf(o, " at %.17g, graph %s rotate by 90 %s offset -0.6,0 font ',9' tc rgb '%s'\n",
			m->x, m->detected ? "0.03" : "0.97", m->detected ? "left" : "right", col);
		tag++;
	}
}

static void terminal(FILE *o, const struct plot_figure *f, unsigned fmt,
		     const struct plot_caps *caps)
{
	int w = f->width > 0 ? f->width : 900, h = f->height > 0 ? f->height : 480;

	switch (fmt) {
	case PLOT_SVG:
		fprintf(o, "set terminal svg size %d,%d noenhanced font 'sans,11' background '#ffffff'\n", w, h);
		break;
	case PLOT_PNG:
		if (caps && caps->png_gd)
			fprintf(o, "set terminal png size %d,%d noenhanced background '#ffffff'\n",
				w * 4 / 3, h * 4 / 3);
		else
			fprintf(o, "set terminal pngcairo size %d,%d noenhanced font 'sans,11' background '#ffffff'\n",
				w * 4 / 3, h * 4 / 3);
		break;
	case PLOT_PDF:
		fprintf(o, "set terminal pdfcairo size %.2fin,%.2fin noenhanced font 'sans,10'\n",
			w / 100.0, h / 100.0);
		break;
	}
}

/* set xtics ('name' 0, 'name' 1, ...): axis names as script strings, never data. */
static void tics(FILE *o, const char *axis, char *const *names, size_t n)
{
	fprintf(o, "set %s (", axis);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", o);
		gq(o, names[i]);
		fprintf(o, " %zu", i);
	}
	fputs(")\n", o);
}

/* Notes above the bars as labels: a clustered histogram puts bar i of category c at
 * c + (i - (ns - 1) / 2) / (ns + gap), gap 1; the note sits above the error bar. */
static void bar_notes(FILE *o, const struct plot_figure *f)
{
	for (size_t i = 0; i < f->ns; i++)
		for (size_t c = 0; c < f->ncats; c++) {
			const struct plot_point *p = bar_at(&f->s[i], c);
			double y;

			if (!p || !p->note)
				continue;
			y = (isfinite(p->hi) ? p->hi : p->y) / f->yscale;
			if (!isfinite(y))
				continue;
			fputs("set label ", o);
			gq(o, p->note);
			fprintf(o, " at first %.17g, first %.9g center offset 0,0.7 font ',9' front\n",
				(double)c + ((double)i - ((double)f->ns - 1) / 2) / (double)(f->ns + 1), y);
		}
}

/* The y range: explicit bounds where the figure sets them (clipped error bars, a log
 * axis starting below the smallest bar), else from 0 (linear) or the data (log). */
static void y_range(FILE *o, const struct plot_figure *f, bool from_zero)
{
	char lo[40] = "*", hi[40] = "*";

	if (isfinite(f->ymin))
		snprintf(lo, sizeof(lo), "%.9g", f->ymin);
	else if (from_zero)
		snprintf(lo, sizeof(lo), "0");
	if (isfinite(f->ymax))
		snprintf(hi, sizeof(hi), "%.9g", f->ymax);
	fprintf(o, "set yrange [%s:%s]\n", lo, hi);
}

static void write_plot_cmd(FILE *o, const struct plot_figure *f, const char *src);

/* The whole script, reading the data from src ("'NAME.dat'" or "$data"). */
static void write_script(FILE *o, const struct plot_figure *f, const char *src,
			 unsigned formats, const struct plot_caps *caps)
{
	bool first = true;

	fputs("set encoding utf8\nset title ", o);
	gq(o, f->title);
	fputs("\nset xlabel ", o);
	gq(o, f->xlabel);
	fputs("\nset ylabel ", o);
	gq(o, f->ylabel);
	fputs("\nset datafile missing '?'\n"
	      "set key below\nset border 3\nset tics nomirror\n"
	      "set grid ytics lc rgb '#dddddd'\n", o);

	switch (f->kind) {
	case PLOT_LINES:
		if (f->logx)
			fprintf(o, "set logscale x %d\n", f->xbytes ? 2 : 10);
		if (f->logy)
			fputs("set logscale y\n", o);
		y_range(o, f, !f->logy);
		x_axis(o, f);
		markers(o, f);
		break;
	case PLOT_BARS:
		fputs("set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
		      "set style fill solid 0.75 border -1\nset boxwidth 0.9\n"
		      "set xtics scale 0\n", o);
		if (f->logy)
			fputs("set logscale y\n", o);
		y_range(o, f, !f->logy);
		if (f->ncats > 5)
			fputs("set xtics rotate by -30\n", o);
		tics(o, "xtics", f->cats, f->ncats);
		bar_notes(o, f);
		break;
	case PLOT_HEATMAP:
		fputs("unset key\nunset grid\nset palette defined (0 '#fff5eb', 0.5 '#fdae6b', 1 '#e6550d')\n", o);
		/* Colours from zero: a 2% difference must not look like a 2x one. */
		fputs("set cbrange [0:*]\n", o);
		fputs("set cblabel ", o);
		gq(o, f->ylabel);
		fputs("\nset ylabel ", o);
		gq(o, f->rowlabel ? f->rowlabel : "CPU node");
		/* Row 0 at the top: node 0 top left, the diagonal running down to the right. */
		fprintf(o, "\nset xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n",
			f->ncats ? f->ncats - 1 : 0, f->nrows ? f->nrows - 1 : 0);
		fputs("set size ratio -1\n", o);
		tics(o, "xtics", f->cats, f->ncats);
		tics(o, "ytics", f->rows, f->nrows);
		break;
	}
	for (size_t i = 0; i < NR_FORMATS; i++) {
		unsigned fmt = formats_tab[i].bit;

		if (!(formats & fmt))
			continue;
		/* The terminal comes before the first plot: gnuplot's default terminal
		 * may try to open a window. */
		terminal(o, f, fmt, caps);
		fprintf(o, "set output '%s.%s'\n", f->name, formats_tab[i].name);
		if (first)
			write_plot_cmd(o, f, src);
		else
			fputs("replot\n", o);
		first = false;
	}
	fputs("unset output\n", o);
}

static void write_plot_cmd(FILE *o, const struct plot_figure *f, const char *src)
{
	fputs("plot ", o);
	switch (f->kind) {
	case PLOT_LINES:
		for (size_t i = 0; i < f->ns; i++) {
			/* gnuplot has 8 colours: beyond them, dashes tell the lines apart. */
			fprintf(o, "%s%s index %zu using 1:2:3:4 with yerrorlines lc %zu dt %zu lw 1.5 "
				"pt 7 ps 0.6 title ", i ? ", \\\n     " : "", src, i, i % 8 + 1, i / 8 + 1);
			gq(o, f->s[i].title);
		}
		break;
	case PLOT_BARS:
		for (size_t i = 0; i < f->ns; i++) {
			fprintf(o, "%s%s using %zu:%zu:%zu title ", i ? ", \\\n     " : "", src,
				2 + 3 * i, 3 + 3 * i, 4 + 3 * i);
			gq(o, f->s[i].title);
		}
		break;
	case PLOT_HEATMAP:
		/* Boxes rather than 'with image', which needs a grid of at least 2x2 and so
		 * drew nothing for the 1x1 matrices of a one-node machine. */
		fprintf(o, "%s using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder "
			"lc palette, \\\n     %s using 1:2:(strcol(3) eq 'NaN' ? "
			"'' : sprintf('%s', $3)) with labels font ',11'", src, src,
			f->cellfmt[0] ? f->cellfmt : "%.3g");
		break;
	}
	fputc('\n', o);
}

/* Write a whole memory buffer to path.  0 or -errno (message printed). */
static int save(const char *path, const char *buf, size_t len)
{
	FILE *o = fopen(path, "w");
	int err;

	if (!o) {
		err = errno;
		locus_error("%s: cannot write: %s", path, strerror(err));
		return -err;
	}
	fwrite(buf, 1, len, o);
	if (ferror(o) | (fclose(o) != 0)) {
		err = errno ? errno : EIO;
		locus_error("%s: write failed: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

int plot_render(const struct plot_figure *f, const char *dir, unsigned formats,
		const struct plot_caps *caps, unsigned *made)
{
	char *data = NULL, *gp = NULL, *pipe_script = NULL, path[4096], cmd[8192] = "";
	char log[4096];
	size_t ndata = 0, ngp = 0, npipe = 0;
	unsigned want;
	FILE *o;
	int rc = 0, st;
	void (*old)(int);

	*made = 0;
	/* The saved script: the user re-runs it in DIR, it reads NAME.dat. */
	o = open_memstream(&data, &ndata);
	if (!o)
		return -ENOMEM;
	write_data(o, f, true);
	fclose(o);
	o = open_memstream(&gp, &ngp);
	if (!o) {
		free(data);
		return -ENOMEM;
	}
	fprintf(o, "# %s.gp — written by locus report.  Re-plot or restyle with:\n"
		"#   cd THIS_DIRECTORY && gnuplot %s.gp\n# The data is in %s.dat; ",
		f->name, f->name, f->name);
	comment(o, f->caption);
	fputs("\n\n", o);
	{
		char src[300];

		snprintf(src, sizeof(src), "'%s.dat'", f->name);
		write_script(o, f, src, formats, caps);
	}
	fclose(o);

	snprintf(path, sizeof(path), "%s/%s.dat", dir, f->name);
	rc = save(path, data, ndata);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/%s.gp", dir, f->name);
		rc = save(path, gp, ngp);
	}
	if (rc < 0)
		goto out;
	if (!caps || !caps->found) {
		rc = -ENOENT;
		goto out;
	}
	want = formats & caps->formats;
	if (!want)
		goto out;

	o = open_memstream(&pipe_script, &npipe);
	if (!o) {
		rc = -ENOMEM;
		goto out;
	}
	/* gnuplot starts in dir (the shell's cd below): a directory name never has to
	 * pass through a gnuplot string. */
	fputs("$data << EOD\n", o);
	write_data(o, f, false);
	fputs("EOD\n", o);
	write_script(o, f, "$data", want, caps);
	fputs("exit\n", o);
	fclose(o);

	for (size_t i = 0; i < NR_FORMATS; i++)
		if (want & formats_tab[i].bit) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir, f->name, formats_tab[i].name);
			unlink(path);
		}
	/* gnuplot's stderr goes to NAME.log, shown only when the figure fails: its
	 * warnings (e.g. an empty colour range for a one-cell matrix) are not the user's
	 * business when the figure is right. */
	if (strlen(dir) + strlen(caps->program) + 2 * strlen(f->name) + 64 > sizeof(cmd) / 4) {
		locus_error("%s: directory name too long to run gnuplot in", dir);
		rc = -ENAMETOOLONG;
		goto out;
	}
	strcpy(cmd, "cd ");
	sh_quote(cmd, sizeof(cmd), dir);
	strncat(cmd, " && exec ", sizeof(cmd) - strlen(cmd) - 1);
	sh_quote(cmd, sizeof(cmd), caps->program);
	snprintf(log, sizeof(log), "%s.log", f->name);
	strncat(cmd, " >/dev/null 2>", sizeof(cmd) - strlen(cmd) - 1);
	sh_quote(cmd, sizeof(cmd), log);
	snprintf(log, sizeof(log), "%s/%s.log", dir, f->name);
	fflush(NULL);
	/* gnuplot may die early: a write to the closed pipe must be an error, not death. */
	old = signal(SIGPIPE, SIG_IGN);
	{
		FILE *p = popen(cmd, "w");

		if (!p) {
			rc = -errno;
			signal(SIGPIPE, old);
			locus_error("%s: cannot run gnuplot: %s", caps->program, strerror(-rc));
			goto out;
		}
		fwrite(pipe_script, 1, npipe, p);
		st = pclose(p);
	}
	signal(SIGPIPE, old);
	snprintf(path, sizeof(path), "%s/%s.gp", dir, f->name);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		locus_error("%s: gnuplot failed (%s %d); the script and its data are kept next "
			    "to it, gnuplot's messages in %s", path,
			    st != -1 && WIFEXITED(st) ? "exit status" : "wait status",
			    st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : st, log);
		rc = -EIO;
		goto out;
	}
	unlink(log);
	for (size_t i = 0; i < NR_FORMATS; i++) {
		struct stat sb;
		char img[4096];

		if (!(want & formats_tab[i].bit))
			continue;
		snprintf(img, sizeof(img), "%s/%s.%s", dir, f->name, formats_tab[i].name);
		if (stat(img, &sb) == 0 && sb.st_size > 0) {
			*made |= formats_tab[i].bit;
		} else {
			locus_error("%s: gnuplot did not write it (script %s)", img, path);
			rc = -EIO;
		}
	}
out:
	free(data);
	free(gp);
	free(pipe_script);
	return rc;
}
