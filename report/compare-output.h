/* SPDX-License-Identifier: MIT */
/*
 * compare-output.h — what `locus compare` and `locus gate` write: the human table,
 * JSON ("locus-compare/1"), JUnit XML, Markdown for a pull-request comment and GitHub
 * workflow annotations, and the exit code a comparison earns under its failure policy.
 *
 * Every string from a result file that reaches XML, Markdown or a workflow command is
 * escaped at that boundary.
 */
#ifndef LOCUS_COMPARE_OUTPUT_H
#define LOCUS_COMPARE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "compare.h"

struct compare_outputs {
	const char *baseline_name, *current_name; /* shown in headers */
	double alpha, threshold;      /* the defaults in effect, shown in the summary */
	bool no_correction;           /* --correction none, shown in the summary */
	bool fail_on_inconclusive;    /* inconclusive counts as failing (exit 6) */
	bool fail_on_missing;         /* a baseline measurement missing from current fails */
	bool fail_on_blind;           /* a measurement that cannot see its threshold fails */
	bool allow_option_mismatch;   /* compare runs whose run.options differ */
	bool strict_env;              /* a fingerprint difference is an error (exit 2) */
	bool json;                    /* the main output is JSON instead of the table */
	bool github;                  /* also print GitHub workflow annotations */
	const char *output;           /* main output: NULL or "-" = stdout */
	const char *junit, *markdown; /* extra files, or NULL */
	const char *config_path;      /* --config, loaded by the command */
};

/* True when this pair makes the comparison fail under `out`'s policy. */
bool compare_pair_fails(const struct compare_pair *p, const struct compare_outputs *out);

/* LOCUS_EXIT_OK (nothing failing) or LOCUS_EXIT_REGRESSED; env strictness is the caller's. */
int compare_exit_code(const struct compare_result *r, const struct compare_outputs *out);

/* The human table, worst first, with env warnings at the top and one-side-only keys at
 * the bottom. */
void compare_print_table(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out);
/* The whole comparison as JSON ("schema": "locus-compare/1"); new reference. */
json_t *compare_to_json(const struct compare_result *r, const struct compare_outputs *out);
/* JUnit XML: one test case per measurement (one-side-only keys are skipped cases). */
void compare_write_junit(FILE *f, const struct compare_result *r,
			 const struct compare_outputs *out);
/* Markdown for a pull-request comment. */
void compare_write_markdown(FILE *f, const struct compare_result *r,
			    const struct compare_outputs *out);
/* GitHub Actions workflow commands (::error/::warning/::notice). */
void compare_print_github(FILE *f, const struct compare_result *r,
			  const struct compare_outputs *out);

/* Write every output `out` asks for (table or JSON to out->output, then junit,
 * markdown, github annotations on stdout).  Returns 0, or a negative errno after
 * printing the failing file's error. */
int compare_emit(const struct compare_result *r, const struct compare_outputs *out);

#endif
