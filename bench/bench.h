/* SPDX-License-Identifier: MIT */
/*
 * bench.h — the benchmark framework: descriptors, options, measurement recording.
 *
 * A benchmark is one file in bench/ that ends in its descriptor:
 *
 *	const struct bench_info bench_tlb_info = {
 *		.name = "tlb", .summary = "...", .description = "...",
 *		.opts = tlb_opts, .metrics = tlb_metrics,
 *		.supported = tlb_supported, .run = tlb_run,
 *	};
 *
 * and one BENCH(tlb) line in bench/benches.def, the only other place it is named.
 * Always use designated initializers.  The framework (bench.c, src/cmd-bench.c) parses
 * the bench's typed options, applies placement options, runs the repetition driver,
 * computes statistics, wraps counters, and writes the result: a bench produces raw
 * samples plus what it verified, and never prints a report.
 */
#ifndef LOCUS_BENCH_H
#define LOCUS_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "counters.h"
#include "mem.h"
#include "stats.h"
#include "topo.h"

enum bench_opt_type {
	BOPT_SIZE,      /* one size, parse_size(); min/max in bytes (0 = no bound) */
	BOPT_SIZES,     /* comma-separated sizes */
	BOPT_INT,       /* integer in [min, max] */
	BOPT_CHOICE,    /* one of `choices` */
	BOPT_CHOICES,   /* comma-separated subset of `choices` */
	BOPT_FLAG,      /* no argument; value "1" when given */
	BOPT_STR,       /* free text (a path, a fraction): bench_opt_str(); the bench checks it
			 * in run() and refuses a bad value with one line and -EINVAL */
	BOPT_LIST,      /* free text, repeatable: bench_opt_str() gives every occurrence in
			 * command-line order, separated by newlines (a value holding a
			 * newline is refused) */
};

struct bench_opt {
	const char *name;      /* long option, without "--" */
	enum bench_opt_type type;
	const char *def;       /* default as text; NULL = none (the bench derives one) */
	const char *quick;     /* default under --quick; NULL = same as def */
	long long min, max;    /* BOPT_INT, BOPT_SIZE(S) bounds; 0/0 = unbounded */
	const char *choices;   /* BOPT_CHOICE(S): "4K,THP,2M,1G" */
	const char *help;
};

struct bench_metric {
	const char *name;      /* e.g. "latency" */
	const char *unit;      /* e.g. "ns", "GB/s", "ops/s" */
	bool higher_is_better;
};

/*
 * How a report shows a bench: one figure.  The descriptor carries these and the result
 * file carries them too ("benches": {NAME: {..., "figures": [...]}}, lib/result.h), so
 * `locus report` draws any result, from this version of locus or another, without a
 * table of bench names of its own.  Strings are plain words (the report escapes them).
 */
enum bench_fig_kind {
	BFIG_END = 0,  /* terminates the list */
	BFIG_LINES,    /* metric against the numeric label x, one line per series */
	BFIG_BARS,     /* grouped bars: categories from label x, one bar per series */
	BFIG_MATRIX,   /* node x node matrix: rows from label `rows`, columns from label x */
	BFIG_CURVE,    /* metric (y) against metric x of the same labels, one curve per series
			* (MLC's loaded latency: latency against bandwidth, points = delays) */
};

struct bench_figure {
	enum bench_fig_kind kind;
	const char *metric;     /* the metric drawn (y; the cells of a matrix) */
	const char *x;          /* LINES: numeric label; BARS: category label; MATRIX: column
				 * label; CURVE: the metric on x */
	const char *rows;       /* MATRIX: row label */
	const char *series;     /* labels naming the series, comma-separated; NULL = every
				 * label that varies */
	const char *panel;      /* a label splitting the figure into one per value (small
				 * multiples), or NULL */
	const char *filter;     /* "key=value": only measurements with that label value */
	bool logy;              /* y on a log scale (values spanning decades) */
	bool cache_markers;     /* the topology's cache sizes as vertical markers */
	const char *knee_metric, *knee_label; /* detected knees (bytes) drawn as markers */
	const char *bar_note;   /* BARS: a counter written above each bar when measured */
	const char *title, *xlabel, *ylabel, *caption;
};

struct bench_ctx;

struct bench_info {
	const char *name;
	const char *summary;      /* one line for `locus bench list` */
	const char *description;  /* a paragraph for `locus bench NAME --help`: what it shows */
	/* Two or three sentences for a report reader: what the bench demonstrates and why
	 * (the opening of its section; no option names). */
	const char *explain;
	const struct bench_opt *opts;       /* terminated by { .name = NULL } */
	const struct bench_metric *metrics; /* terminated by { .name = NULL } */
	/* The metric a reader looks at first (before/after reports name it); NULL = the
	 * first of metrics. */
	const char *headline;
	/* How a report shows it: terminated by { .kind = BFIG_END }; NULL = a generic
	 * figure.  Travels in the result file (bench_describe()). */
	const struct bench_figure *figures;
	/* The labels that record a system setting the bench ran under (read from the
	 * machine, not chosen by an option), NULL-terminated; may be NULL.  E.g.
	 * overcommit's "mode" (vm.overcommit_memory).  Every measurement carrying one of
	 * them gets "setting_labels": [...] in the result, so that before/after reports and
	 * `locus compare` pair the runs of two settings (showing "mode 0 -> 2") instead of
	 * listing them as present on one side only (lib/result.h, docs/tune.md). */
	const char *const *setting_labels;
	/* NULL when the bench can run here, else the reason (recorded as a skip). */
	const char *(*supported)(struct bench_ctx *ctx);
	/* Run: add measurements/skips/warnings through the functions below.  Returns 0,
	 * 1 when everything asked for was skipped (a lone `locus bench NAME` then exits 3),
	 * or a negative errno (-EINVAL bad options, -E2BIG too much memory -> exit 2;
	 * -EPROTO verification failed -> exit 5; other -> exit 1). */
	int (*run)(struct bench_ctx *ctx);
	/* The bench runs the user's program, given after "--" (ctx->command): `locus bench
	 * all` leaves it out, having no program to give it. */
	bool takes_command;
};

/* What the result file says about a bench: {summary, description, headline, metrics:
 * [{name, unit, higher_is_better}], figures: [{kind, metric, x, ...}]} (new reference;
 * NULL on ENOMEM).  src/cmd-bench.c stores it under the result's "benches". */
json_t *bench_describe(const struct bench_info *b);

/* The registry, generated from bench/benches.def. */
extern const struct bench_info *const bench_registry[];
const struct bench_info *bench_find(const char *name);

struct bench_ctx {
	const struct bench_info *info;
	struct locus_topo *topo;
	json_t *result;              /* the result file being built */
	struct repeat_opts rep;      /* from --reps/--target-ci/--max-time/--warmup (and --quick) */
	bool quick;
	bool no_sentinel;            /* --no-sentinel: no host probe around samples */
	hwloc_bitmap_t cpus;         /* CPUs the bench may use: --cpus/--cpunodebind, else allowed */
	struct mem_policy policy;    /* from --membind/--interleave/...; mode DEFAULT if none */
	const char **values;         /* option values as text, index = position in info->opts */
	const bool *given;           /* given[i]: option i was on the command line */
	char **command;              /* takes_command: the program and its arguments
				      * (NULL-terminated), or NULL when none was given */
	void *priv;                  /* for the bench's own use */
};

/* Option accessors (by name; the name must exist in the bench's opts, else abort()
 * — that is a programming error caught by the shape tests).  Values were validated
 * when parsed, so these cannot fail on user input. */
const char *bench_opt_str(const struct bench_ctx *c, const char *name); /* NULL if unset */
long long bench_opt_int(const struct bench_ctx *c, const char *name);
uint64_t bench_opt_size(const struct bench_ctx *c, const char *name);
bool bench_opt_flag(const struct bench_ctx *c, const char *name);
/* BOPT_SIZES / BOPT_CHOICES: number of items; item i (sizes / strings). */
size_t bench_opt_count(const struct bench_ctx *c, const char *name);
uint64_t bench_opt_size_at(const struct bench_ctx *c, const char *name, size_t i);
/* Copies item i of a BOPT_CHOICES list into buf. */
const char *bench_opt_choice_at(const struct bench_ctx *c, const char *name, size_t i,
				char *buf, size_t len);
/* A BOPT_CHOICES list of page sizes ("4K,THP,2M,1G"): the distinct sizes in the order
 * given, at most max.  Returns how many, or -EINVAL (message printed). */
int bench_opt_pages(const struct bench_ctx *c, const char *name, enum mem_page *out,
		    size_t max);

/* Whether the user gave the option explicitly (not a default). */
bool bench_opt_given(const struct bench_ctx *c, const char *name);

/* Check a value against an option's type, bounds and choices (used by the CLI when
 * parsing).  Prints one line "locus: bench NAME: --OPT: problem; allowed ..." and
 * returns -EINVAL or -ERANGE; 0 when valid. */
int bench_opt_validate(const struct bench_info *b, const struct bench_opt *o,
		       const char *value);

/*
 * One measurement.  The framework repeats `fn` with the repetition driver, wrapping
 * each call in the counters named in `events` (NULL-terminated, may be NULL), and adds
 * {bench, metric, unit, higher_is_better, labels, samples, summary, verified, counters,
 * counters_unavailable, repeat} to the result, and — unless ctx->no_sentinel — the host
 * probe around every sample (lib/sentinel.h): "sentinel", "steal_ms" where the kernel
 * reports steal, "disturbed", summary.disturbed_fraction; the driver replaces disturbed
 * samples while its budget lasts (lib/stats.h).  Counter values are averaged per
 * `ops_per_sample` operations (e.g. elements per sample; 0 = per sample) and the unit
 * of that normalisation is recorded as "counters_per".  labels and verified are stolen
 * (verified may be NULL).  The verified object is stored as is, not copied: a bench that
 * keeps its own reference (json_incref before the call) may add what the samples showed
 * after bench_measure() returns (falseshare and bandwidth do).  Warm-up calls of `fn`
 * come first (ctx->rep.warmup of them).  Returns 0 or the callback's negative errno.
 */
struct bench_measure {
	const char *metric;          /* must be one of info->metrics */
	json_t *labels;
	json_t *verified;
	repeat_fn fn;
	void *arg;
	const char *const *events;
	double ops_per_sample;
	const char *counters_per;    /* e.g. "element", "access"; NULL = "sample" */
};
int bench_measure(struct bench_ctx *c, struct bench_measure *m);

/* Add an already-computed measurement (samples known), e.g. derived figures such as a
 * detected knee.  labels/verified stolen.  When it has as many samples as the last
 * bench_measure() of this bench and that one has a sentinel, the samples are taken to be
 * derived one for one (bandwidth_rfo from bandwidth, faults_per_op from ops) and inherit
 * its sentinel, steal_ms and disturbed; with k times as many (k values per sample, sample
 * by sample: falseshare's per-thread rates) each value inherits its sample's. */
int bench_record(struct bench_ctx *c, const char *metric, json_t *labels,
		 const double *samples, size_t n, json_t *verified);

/* Record a skip (stderr message too, unless quiet). labels stolen (may be NULL). */
void bench_skip(struct bench_ctx *c, json_t *labels, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record a warning (and print it). */
void bench_warn(struct bench_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Memory guard: refuse (-E2BIG, message) when bytes exceed 80% of MemAvailable. */
int bench_check_memory(struct bench_ctx *c, uint64_t bytes);

/* The i-th CPU (OS index) of ctx->cpus, or -1. Number of CPUs in ctx->cpus. */
int bench_cpu_at(const struct bench_ctx *c, int i);
int bench_nr_cpus(const struct bench_ctx *c);

/*
 * Pin the calling thread to `cpu` and verify with sched_getcpu(); returns the CPU it
 * runs on, or a negative errno.  On a fake topology: no binding, returns cpu.
 */
int bench_pin(const struct bench_ctx *c, int cpu);

/* Convenience: allocate a region honouring ctx->policy; records a warning and returns
 * the error when the allocation fails. */
int bench_alloc(struct bench_ctx *c, struct mem_region *r, size_t len, enum mem_page page);
/* The same for benches that sweep page sizes: when a hugetlb pool cannot back the region
 * it records one skip with `labels` (stolen; the reason says how to reserve pages) and
 * returns 1; otherwise as bench_alloc (labels freed). */
int bench_alloc_or_skip(struct bench_ctx *c, struct mem_region *r, size_t len,
			enum mem_page page, json_t *labels);

#endif
