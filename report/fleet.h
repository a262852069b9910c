/* SPDX-License-Identifier: MIT */
/*
 * fleet.h — "are all these hosts alike, and which are not?": the fleet analysis of
 * `locus report` over three or more result files (one per host).
 *
 * Per measurement present on at least three hosts, each host's median is set against
 * the fleet's median with a robust z-score (median absolute deviation, so one odd
 * host cannot hide itself by inflating a standard deviation).  A host is flagged on a
 * measurement when |z| passes the threshold AND it differs from the fleet median by
 * at least the minimum effect (run-to-run noise of a tight fleet must not flag
 * anyone).  The hosts' environment fingerprints are compared key by key, and every
 * key on which a host differs from the fleet's majority is named, so a slow host can
 * be read as "slower, and here is what is set differently on it".
 *
 * Library rules: 0 or a negative errno; nothing here prints on its own.
 */
#ifndef LOCUS_FLEET_H
#define LOCUS_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* Defaults of the flagging rule (Iglewicz and Hoaglin's 3.5 for the modified z). */
#define FLEET_Z_DEFAULT 3.5
#define FLEET_MIN_EFFECT_DEFAULT 0.10

struct fleet_flag {
	size_t meas;              /* index into fleet.meas */
	double value;             /* the host's median */
	double change;            /* value / fleet median - 1 */
	double z;                 /* robust z-score */
	bool worse;               /* in the bad direction of the metric */
};

struct fleet_envdiff {
	char *key;                /* dotted fingerprint key, e.g. memory.thp_enabled */
	char *fleet_value;        /* the majority value (compact JSON or a bare string) */
	char *value;              /* this host's value */
};

struct fleet_host {
	char *name;               /* env.host when unique across the files, else the file */
	char *file;
	struct fleet_flag *flags; /* most deviant first */
	size_t nflags;
	struct fleet_envdiff *env;
	size_t nenv;
	size_t nmeas;             /* measurements this host has that the fleet compares */
};

struct fleet_meas {
	char *key;                /* bench/metric{labels}, without the "source" label */
	char *bench, *metric, *unit;
	char *words;              /* the labels in words ("page size THP, touch first") */
	bool higher_is_better;
	double median;            /* fleet median of the hosts' medians */
	double mad;               /* median absolute deviation of the hosts' medians */
	size_t nhosts;            /* hosts that have it */
};

struct fleet {
	struct fleet_host *hosts;
	size_t nhosts;
	struct fleet_meas *meas;
	size_t nmeas;
	double z_threshold, min_effect;
	size_t noutliers;         /* hosts with at least one flag or fingerprint difference */
	size_t nknees;            /* knee positions left out (numbered as found: knee 1 of
				   * one host need not be knee 1 of another) */
	char *knee_metrics;       /* their "bench/metric", ", "-separated; NULL if none */
};

/* Analyse n results (n >= 3; fewer returns -EINVAL), files[i] naming result i.
 * z_threshold <= 0 or min_effect < 0 take the defaults.  0, -EINVAL, -ENOMEM. */
int fleet_analyze(struct fleet *f, const json_t *const *results, const char *const *files,
		  size_t n, double z_threshold, double min_effect);
void fleet_free(struct fleet *f);

/* Writers.  The text is for a terminal (80 columns); HTML and Markdown escape every
 * string taken from the files. */
void fleet_print_text(const struct fleet *f, FILE *o);
void fleet_write_html(const struct fleet *f, FILE *o);
void fleet_write_markdown(const struct fleet *f, FILE *o);
/* The analysis as JSON (DIR/fleet.json): {hosts:[{name,file,flags:[...],env:[...]}],
 * measurements_compared, z_threshold, min_effect, outliers:[names]}.  NULL on ENOMEM. */
json_t *fleet_json(const struct fleet *f);

/* The one-line summary ("5 hosts, 212 measurements compared; 1 outlier: ...").
 * Caller frees; NULL on ENOMEM. */
char *fleet_headline(const struct fleet *f);

#endif
