/* SPDX-License-Identifier: MIT */
/*
 * test-report.c — unit tests for report/plot.c and the report helpers: format
 * parsing, byte labels, figure building and the saved script/data (with gnuplot
 * forced absent, so the test runs anywhere), HTML escaping, and summaries computed
 * for a measurement that has samples but no summary.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plot.h"
#include "report.h"
#include "tap.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (len + 1024 > cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);

			if (!nb)
				break;
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

int main(void)
{
	unsigned fm = 0;
	char b[32], dir[] = "/tmp/locus-test-report.XXXXXX", path[256];
	struct plot_figure *f;
	struct plot_caps none = { .found = false };
	unsigned made = 99;
	int si;

	ok(plot_parse_formats("svg", &fm) == 0 && fm == PLOT_SVG, "format svg");
	ok(plot_parse_formats("PDF,svg,png", &fm) == 0 && fm == PLOT_ALL_FORMATS,
	   "formats in any order and case");
	fprintf(stderr, "(expected errors follow)\n");
	ok(plot_parse_formats("svg,gif", &fm) == -EINVAL, "gif is refused");
	ok(plot_parse_formats("", &fm) == -EINVAL, "empty is refused");
	is_str(plot_format_name(PLOT_PDF), "pdf", "format name");

	is_str(plot_bytes(4096, b, sizeof(b)), "4K", "4096 bytes");
	is_str(plot_bytes(1536, b, sizeof(b)), "1.5K", "1536 bytes");
	is_str(plot_bytes(1073741824.0, b, sizeof(b)), "1G", "1 GiB");
	is_str(plot_bytes(100, b, sizeof(b)), "100B", "100 bytes");

	ok(plot_format_missing(&none, PLOT_SVG) != NULL, "no gnuplot: every format is missing");

	f = plot_figure_new(PLOT_LINES, "lat/ency x", "Title's", "x", "y", "caption");
	ok(f != NULL, "figure created");
	is_str(f->name, "lat_ency_x", "figure name sanitised for a file name");
	si = plot_series_add(f, "4K");
	ok(si == 0, "series added");
	ok(plot_point_add(f, (size_t)si, 1024, 5, 4, 6) == 0 &&
	   plot_point_add(f, (size_t)si, 1073741824.0, 80, NAN, NAN) == 0, "points added");
	ok(plot_marker_add(f, 49152, "L1d 48K", false) == 0, "marker added");
	f->logx = f->xbytes = true;
	is_int(plot_figure_size(f), 2, "two points");

	if (!mkdtemp(dir))
		return 1;
	is_int(plot_render(f, dir, PLOT_SVG, &none, &made), -ENOENT,
	       "render without gnuplot: -ENOENT");
	is_int(made, 0, "nothing drawn");
	snprintf(path, sizeof(path), "%s/lat_ency_x.dat", dir);
	{
		char *d = slurp(path);

		ok(d && strstr(d, "1073741824 80 80 80"), "data saved with exact x and the median as CI when missing");
		free(d);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/lat_ency_x.gp", dir);
	{
		char *g = slurp(path);

		ok(g && strstr(g, "set title 'Title''s'"), "script quotes the title for gnuplot");
		ok(g && strstr(g, "'lat_ency_x.dat' index 0 using 1:2:3:4"), "script reads the saved data");
		ok(g && strstr(g, "set logscale x 2") && strstr(g, "\"1G\" 1073741824"),
		   "log-x byte axis with size tics");
		ok(g && strstr(g, "set label 1 'L1d 48K'"), "marker labelled");
		ok(g && strstr(g, "set output 'lat_ency_x.svg'"), "output next to the script");
		free(g);
		unlink(path);
	}
	rmdir(dir);
	plot_figure_free(f);

	f = plot_figure_new(PLOT_BARS, "b", "t", "x", "y", "c");
	plot_series_add(f, "branchy");
	plot_series_add(f, "branchless");
	plot_bar_add(f, 0, "sorted", 1, 0.9, 1.1);
	plot_bar_add(f, 1, "random", 2, 1.9, 2.1);
	plot_bar_add(f, 0, "random", 9, 8, 10);
	is_int(f->ncats, 2, "bars: categories deduplicated");
	ok(f->s[0].p[1].x == 1.0, "bars: second category index");
	plot_figure_free(f);

	{
		char *buf = NULL;
		size_t len = 0;
		FILE *o = open_memstream(&buf, &len);

		report_html_escape(o, "<a href=\"x\">&'</a>");
		fclose(o);
		is_str(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;", "HTML escaping");
		free(buf);
	}

	{
		/* A result whose measurement has samples but no summary. */
		char tmpl[] = "/tmp/locus-test-report-XXXXXX.json";
		int fd = mkstemps(tmpl, 5);
		const char *doc = "{\"schema\": \"locus-result/1\", \"measurements\": [{\"bench\": \"x\", "
				  "\"metric\": \"m\", \"unit\": \"ns\", \"higher_is_better\": false, "
				  "\"labels\": {\"k\": \"v\"}, \"samples\": [3, 1, 2]}]}\n";
		struct report r;
		char *argv[] = { tmpl };

		if (fd < 0 || write(fd, doc, strlen(doc)) != (ssize_t)strlen(doc))
			return 1;
		close(fd);
		is_int(report_load(&r, argv, 1), 0, "report_load of a minimal result");
		is_int(r.nbenches, 1, "one benchmark");
		is_near(report_summary(r.benches[0].meas[0], "median"), 2.0, 1e-12,
			"summary computed from the samples");
		{
			char *t = report_labels_text(NULL, r.benches[0].meas[0], NULL);

			is_str(t, "k v", "labels in words");
			free(t);
		}
		report_free(&r);
		unlink(tmpl);
	}
	return done_testing();
}
