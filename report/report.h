/* SPDX-License-Identifier: MIT */
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

struct history;

struct report_file {
	char *path;
	char *name;               /* base name, used as the "source" label */
	json_t *res;              /* the loaded result (owned) */
};

#define REPORT_MAX_FIGS 8

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
	/* What the bench is and how it is shown: "benches".NAME of the first file that
	 * has it (borrowed), or own_desc from report_fill_descriptions(); NULL = generic. */
	const json_t *desc;
	json_t *own_desc;
	struct report_fig figs[REPORT_MAX_FIGS];
	size_t nfigs;
	char **fig_notes;         /* sentences standing in for a figure that would mislead */
	size_t nfig_notes;        /* (a 1x1 "matrix" of a one-node machine) */
	json_t *label_constant;   /* cache: label name -> true when equal in every meas */
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
	/* --history DIR (report-history.c): the baseline set of the last file's machine,
	 * its history, and one figure per measurement with a change point. */
	struct history *hist;
	char *hist_set;
	struct report_fig *hist_figs;
	size_t *hist_series;      /* the series of r->hist each figure draws */
	size_t nhist_figs;
};

/* Load and validate every file (result_load()), merge, group by bench.  Returns 0, or
 * -EINVAL after result_load printed the file and field (the caller exits 2), or
 * -ENOMEM.  report_free() is safe after a failure. */
int report_load(struct report *r, char *const *paths, size_t n);
void report_free(struct report *r);

/* --history DIR: find the baseline set of the last file's fingerprint in DIR, load its
 * history and build a figure per measurement with a change point (drawn with the
 * bench figures by report_figures()).  0; -EINVAL after printing why (no such set, a
 * bad history line); -ENOMEM.  report_free() frees it. */
int report_load_history(struct report *r, const char *dir);
void report_history_free(struct report *r);
/* Series `series` named in words ("tlb latency: page size 4K, footprint 1 GiB") when
 * the report has the measurement, else its key (malloc'd; NULL on ENOMEM). */
char *report_history_title(const struct report *r, size_t series);
/* One sentence on the history: runs, where, how many measurements changed (malloc'd). */
char *report_history_headline(const struct report *r);
/* Change point c of series `series`: run, revision, time, segment medians before and
 * after in the measurement's unit, change and p (malloc'd; NULL on ENOMEM). */
char *report_history_change(const struct report *r, size_t series, size_t c);

/* Before/after: load both files (labelled source=before / source=after, so figures
 * overlay them) and compare them with report/compare.h (default alpha and threshold).
 * Returns as report_load(). */
int report_load_ab(struct report *r, const char *before, const char *after);

/* The capacity-planning summary of file f: facts ("key", "value") then plain-language
 * observations (key "Observation"), derived from whatever the file holds (nothing is
 * guessed: a fact without data is left out); each line is passed to the callback. */
void report_capacity(const struct report_file *f,
		     void (*line)(void *ctx, const char *key, const char *value), void *ctx);
/* Before/after: "Change" text of a pair, the compare engine's: after/before - 1,
 * e.g. "+12.3%"; and its CSS mark: "worse", "better", "same", "unsure". */
char *report_change(const struct compare_pair *p, char *buf, size_t len);
/* Before/after of `locus tune ab`: the profile of side B ("ab": {"profile"} of the after
 * file), or NULL when the files are not tune ab's. */
const char *report_ab_profile(const struct report *r);
const char *report_mark(const struct compare_pair *p);

/* ------------------------------------------------------------ before/after (ab.c) */

/* The "tune" record of a `locus tune ab` result (after's, else before's), or NULL. */
const json_t *report_ab_tune(const struct report *r);
/* "before" / "after (profile latency)": how the two sides are named.  Malloc'd. */
char *report_ab_name(const struct report *r, size_t side);
/* What changed between the two: the profile and each setting old -> new, or, without
 * a "tune" record, that it is not recorded and the fingerprint settings that differ. */
void report_ab_change(const struct report *r,
		      void (*line)(void *ctx, const char *key, const char *value), void *ctx);
/* The compare engine's summary line ("0 regressed, 2 improved, ..."), malloc'd. */
char *report_ab_summary(const struct report *r);
/* One hyperfine-style line per bench headline metric: "after (profile latency) is
 * 1.23 ± 0.04x faster than before (...)". */
void report_ab_headlines(const struct report *r,
			 void (*line)(void *ctx, const char *key, const char *value), void *ctx);

/*
 * Build each benchmark's figures and draw them into figdir in `formats` (SVG is added:
 * the HTML embeds it).  With plots false, nothing is probed or drawn.  Returns 0 when
 * every figure asked for was drawn; -ENOENT when gnuplot is missing (message printed,
 * scripts and data still saved); -EIO when a figure failed; other negative errno on
 * write errors.  The report stays usable (figures not drawn are just absent).
 */
int report_figures(struct report *r, const char *figdir, unsigned formats, bool plots);

/* ---------------------------------------------------------------- shared helpers */

/* Labels of m in words ("page size 4K, footprint 256 MiB") in file order, leaving out skip_key (may be NULL) and, when
 * b is given, the labels that are the same for every measurement of b.  Malloc'd
 * ("" when none); NULL on ENOMEM. */
char *report_labels_text(const struct report_bench *b, const json_t *m, const char *skip_key);
/* Labels that are the same for every measurement of bench b, in words, malloc'd. */
char *report_common_labels(const struct report_bench *b);
/* A number for tables: 4 significant digits, "-" for NaN/absent.  Returns buf. */
char *report_num(double v, char *buf, size_t len);
/* summary.KEY of a measurement, NAN when absent or null. */
double report_summary(const json_t *m, const char *key);
/* Counters with values as "NAME=v, ..." ("per UNIT" appended), malloc'd; "" when none. */
char *report_counters_text(const json_t *m);
/* A JSON value as short text (strings bare, others compact JSON), malloc'd. */
char *report_json_text(const json_t *v);
/* What a benchmark demonstrates, from its description (explain, else description,
 * else summary; generic words when the file and this locus know nothing of it). */
const char *report_explain(const struct report_bench *b);
/* Benches whose files carry no description (older files): describe(name) returns one
 * (a new reference, or NULL when unknown), e.g. bench_describe() of the registry. */
void report_fill_descriptions(struct report *r, json_t *(*describe)(const char *name));

/* ------------------------------------------------------------ units (units.c) */

/* The unit to show values up to `max` of `unit` in, and the divisor: ns -> µs/ms/s,
 * bytes -> KiB/MiB/GiB, GB/s -> MB/s below 1, other units a k/M/G prefix as a word
 * ("M ops/s"); never a prefix on a prefixed unit.  Returns buf. */
const char *report_scale_unit(const char *unit, double max, double *div, char *buf,
			      size_t len);
/* A number with about 4 significant digits and no exponent ("-" for NaN).  buf. */
char *report_fmt(double v, char *buf, size_t len);
/* A value with its unit, scaled: "25.47 ms", "2.35 GiB", "450 M ops/s".  Returns buf. */
char *report_value(double v, const char *unit, char *buf, size_t len);
/* Bytes as "16 MiB".  Returns buf. */
char *report_bytes(double bytes, char *buf, size_t len);
/* Whether a label holds a size in bytes (footprint_bytes, size_bytes, threshold). */
bool report_label_is_bytes(const char *key);
/* Label key and value in words: "footprint" / "256 MiB" / "footprint 256 MiB"
 * (malloc'd, NULL on ENOMEM). */
char *report_label_key(const char *key);
char *report_label_value(const char *key, const json_t *v);
char *report_label_words(const char *key, const json_t *v);
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
/* Whether m only repeats another measurement of b: its metric is that one's name plus
 * "_SUFFIX" (bandwidth_rfo of bandwidth), same labels, same median, CI and peak (the
 * write-allocate figure of a kernel that writes nothing extra).  Tables leave it out. */
bool report_meas_repeats(const struct report_bench *b, const json_t *m);
/* The unit one row of files side by side is shown in (scaled to its largest median,
 * so a column never mixes 7404178 and 1.389e+07) and the divisor.  Returns buf. */
const char *report_row_unit(const struct report *r, const struct report_row *row, double *div,
			    char *buf, size_t len);

/* ---------------------------------------------------------------- writers */

/* DIR/index.html: self-contained (inline SVG and CSS, no scripts, no external URLs).
 * figdir holds NAME.svg files to inline.  Returns 0, or -errno after printing the path. */
int report_write_html(const struct report *r, const char *path, const char *figdir);
/* DIR/report.md with figures linked as figures/NAME.svg.  0 or -errno. */
int report_write_markdown(const struct report *r, const char *path, const char *figrel);
/* DIR/data/BENCH.csv, one row per measurement.  0 or -errno. */
int report_write_csv(const struct report *r, const char *datadir);
/* The shaped terminal tables of bench b (text-tables.c): MLC-style matrices,
 * STREAM-style bandwidth, curves; marks the measurements shown in used[b->n]. */
void report_text_shaped(const struct report_bench *b, FILE *f, bool *used);
/* The summary tables for a terminal. */
void report_print_text(const struct report *r, FILE *f);

/* Write s to f with the characters special in HTML escaped (&<>"'). */
void report_html_escape(FILE *f, const char *s);
/* s as Markdown text (table cells, list items): markup characters escaped, newlines
 * folded to spaces. */
void report_md_escape(FILE *o, const char *s);
/* s for a terminal: control characters (escape sequences, newlines) printed as '?'. */
void report_text_escape(FILE *o, const char *s);
/* s for a terminal, word-wrapped: the first line continues from column col, later
 * lines start at indent; lines end before width where words allow; control
 * characters print as '?'; ends with a newline. */
void report_text_wrap(FILE *o, const char *s, int col, int indent, int width);

#endif
