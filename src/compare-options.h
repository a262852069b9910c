/* SPDX-License-Identifier: MIT */
/*
 * compare-options.h — the command-line options shared by `locus compare` and `locus
 * gate` (alpha, threshold, correction, config, failure policy, output formats), so
 * both accept the same syntax and list the options once.
 */
#ifndef LOCUS_COMPARE_OPTIONS_H
#define LOCUS_COMPARE_OPTIONS_H

#include <getopt.h>
#include "compare.h"
#include "compare-output.h"

/*
 * Set one comparison option by its long name ("alpha", "threshold", "correction",
 * "config", "fail-on", "strict-env", "json", "github", "junit", "markdown", "output"),
 * parsing the
 * value with lib/parse.h.  Shared by `compare` and `gate` so they accept the same
 * syntax.  Returns 0, -EINVAL after printing the bad value, or -ENOENT when the name is
 * not a comparison option.
 */
int compare_set_option(const char *name, const char *value, struct compare_opts *o,
		       struct compare_outputs *out);

/* The getopt_long entries of those options (<getopt.h>), all returning `code`: the
 * command hands opts[idx].name and optarg to compare_set_option(), so `compare` and
 * `gate` list them once. */
#define COMPARE_LONG_OPTIONS(code) \
	{ "alpha", required_argument, NULL, (code) }, \
	{ "threshold", required_argument, NULL, (code) }, \
	{ "correction", required_argument, NULL, (code) }, \
	{ "config", required_argument, NULL, (code) }, \
	{ "fail-on", required_argument, NULL, (code) }, \
	{ "strict-env", no_argument, NULL, (code) }, \
	{ "json", no_argument, NULL, (code) }, \
	{ "junit", required_argument, NULL, (code) }, \
	{ "markdown", required_argument, NULL, (code) }, \
	{ "github", no_argument, NULL, (code) }, \
	{ "allow-option-mismatch", no_argument, NULL, (code) }

/* Help text for the options above, for the commands' --help. */
extern const char compare_options_help[];

#endif
