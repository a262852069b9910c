/*
 * report.h — the model behind `locus report`: result files grouped per benchmark, the
 * per-benchmark description of how to plot and explain it, and the writers (HTML,
 * Markdown, CSV, terminal text) that all render that one model.
 *
 * Loading merges every file given; with more than one file each measurement gets an
 * extra label "source" (the file's base name), so tables and figures show the files
 * side by side (same key, one series per file) without any special case.  Reports
 * never run benchmarks: everything comes from the files.
 *
 * Library rules: functions return 0 or a negative errno and print through lib/log.h.
 */
#ifndef LOCUS_REPORT_H
#define LOCUS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "compare.h"
#include "fleet.h"
#include "plot.h"

struct report_file {
	char *path;
	char *name;               /* base name, used as the "source" label */
	json_t *res;              /* the loaded result (owned) */
};

/* How a benchmark is shown: one row of the table in report.c. */
struct report_view {
	const char *bench;        /* NULL = the generic fallback */
	const char *metric;       /* the metric plotted; NULL = the first one in the file */
	enum plot_kind kind;
	const char *x;            /* lines: numeric label for x; bars: category label */
	const char *filter;       /* "key=value": only these measurements are plotted */
	bool xbytes;              /* x is a size in bytes */
	bool logy;                /* y on a log scale (latencies spanning decades) */
	bool cache_markers;       /* L1/L2/L3 sizes of the topology as vertical markers */
	const char *knee_metric;  /* measurements of detected knees (bytes), drawn as markers */
	const char *knee_label;   /* the label naming each knee */
	const char *bar_note;     /* bars: a counter written above each bar when measured */
	const char *title, *xlabel, *ylabel, *caption;
	const char *explain;      /* two sentences: what the benchmark demonstrates */
};

struct report_fig {
	struct plot_figure *fig;
	unsigned made;            /* formats drawn (mask of enum plot_format) */
};

struct report_bench {
	char *name;
	json_t **meas;            /* borrowed from the files, in file order */
	size_t n;
	json_t **skips;           /* borrowed "skipped" entries */
	size_t nskips;
	char **notes;             /* warnings, unavailable counters, failed checks (deduplicated) */
	size_t nnotes;
	const struct report_view *view;
	struct report_fig figs[4];
	size_t nfigs;
};

struct report {
	struct report_file *files;
	size_t nfiles;
	struct report_bench *benches;
	size_t nbenches;
	char **warnings;          /* result-level warnings not attributed to a bench */
	size_t nwarnings;
	struct plot_caps caps;
	bool have_caps;           /* plot_probe ran (figures were asked for) */
	/* Before/after (report_load_ab): files[0] is before, files[1] after. */
	bool ab;
	struct compare_result cmp;  /* pairs matched by key, verdicts (report/compare.h) */
	json_t *cmp_base, *cmp_cur; /* the copies compared (without the "source" label) */
	/* Three or more files: which hosts differ from the fleet (fleet.h). */
	bool have_fleet;
	struct fleet fleet;
};

/* Load and validate every file (result_load()), merge, group by bench.  Returns 0, or
 * -EINVAL after result_load printed the file and field (the caller exits 2), or
 * -ENOMEM.  report_free() is safe after a failure. */
int report_load(struct report *r, char *const *paths, size_t n);
void report_free(struct report *r);

/* Before/after: load both files (labelled source=before / source=after, so figures
 * overlay them) and compare them with report/compare.h (default alpha and threshold).
 * Returns as report_load(). */
int report_load_ab(struct report *r, const char *before, const char *after);

/* The capacity-planning summary of file f: facts ("key", "value") then plain-language
 * observations (key "Observation"), derived from whatever the file holds (nothing is
 * guessed: a fact without data is left out); each line is passed to the callback. */
void report_capacity(const struct report_file *f,
		     void (*line)(void *ctx, const char *key, const char *value), void *ctx);
/* Before/after: "Change" text of a pair, e.g. "+12.3%" (after relative to before);
 * and its mark: "worse", "better", "same", "unsure". */
char *report_change(const struct compare_pair *p, char *buf, size_t len);
const char *report_mark(const struct compare_pair *p);

/*
 * Build each benchmark's figures and draw them into figdir in `formats` (SVG is added:
 * the HTML embeds it).  With plots false, nothing is probed or drawn.  Returns 0 when
 * every figure asked for was drawn; -ENOENT when gnuplot is missing (message printed,
 * scripts and data still saved); -EIO when a figure failed; other negative errno on
 * write errors.  The report stays usable (figures not drawn are just absent).
 */
int report_figures(struct report *r, const char *figdir, unsigned formats, bool plots);

/* ---------------------------------------------------------------- shared helpers */

/* Labels of m as "k=v, k=v" in file order, leaving out skip_key (may be NULL) and, when
 * b is given, the labels that are the same for every measurement of b.  Malloc'd
 * ("" when none); NULL on ENOMEM. */
char *report_labels_text(const struct report_bench *b, const json_t *m, const char *skip_key);
/* Labels that are the same for every measurement of bench b: "k=v, ...", malloc'd. */
char *report_common_labels(const struct report_bench *b);
/* A number for tables: 4 significant digits, "-" for NaN/absent.  Returns buf. */
char *report_num(double v, char *buf, size_t len);
/* summary.KEY of a measurement, NAN when absent or null. */
double report_summary(const json_t *m, const char *key);
/* Counters with values as "NAME=v, ..." ("per UNIT" appended), malloc'd; "" when none. */
char *report_counters_text(const json_t *m);
/* A JSON value as short text (strings bare, others compact JSON), malloc'd. */
char *report_json_text(const json_t *v);
/* The two-sentence explanation of a benchmark (generic text when unknown). */
const char *report_explain(const struct report_bench *b);
/* Machine summary lines for file f: "Key: value" pairs, called once per line. */
void report_machine(const struct report_file *f,
		    void (*line)(void *ctx, const char *key, const char *value), void *ctx);
/* The fingerprint items (env_critical_keys) of file f, same callback shape. */
void report_fingerprint(const struct report_file *f,
			void (*line)(void *ctx, const char *key, const char *value), void *ctx);

/* Side by side (several files: runs or hosts as columns): one row per metric and
 * parameters (labels without "source"), median[i] from file i (NAN when absent).
 * Returns 0 or -ENOMEM; free with report_rows_free(). */
struct report_row {
	const char *metric, *unit;  /* borrowed */
	char *params;
	double *median;             /* r->nfiles entries */
};
int report_side_by_side(const struct report *r, const struct report_bench *b,
			struct report_row **out, size_t *n);
void report_rows_free(struct report_row *rows, size_t n);

/* ---------------------------------------------------------------- writers */

/* DIR/index.html: self-contained (inline SVG and CSS, no scripts, no external URLs).
 * figdir holds NAME.svg files to inline.  Returns 0, or -errno after printing the path. */
int report_write_html(const struct report *r, const char *path, const char *figdir);
/* DIR/report.md with figures linked as figures/NAME.svg.  0 or -errno. */
int report_write_markdown(const struct report *r, const char *path, const char *figrel);
/* DIR/data/BENCH.csv, one row per measurement.  0 or -errno. */
int report_write_csv(const struct report *r, const char *datadir);
/* The summary tables for a terminal. */
void report_print_text(const struct report *r, FILE *f);

/* Write s to f with the characters special in HTML escaped (&<>"'). */
void report_html_escape(FILE *f, const char *s);
/* s as Markdown text (table cells, list items): markup characters escaped, newlines
 * folded to spaces. */
void report_md_escape(FILE *o, const char *s);
/* s for a terminal: control characters (escape sequences, newlines) printed as '?'. */
void report_text_escape(FILE *o, const char *s);

#endif
