/* SPDX-License-Identifier: MIT */
/*
 * compare-options.c — the options `locus compare` and `locus gate` share
 * (compare-options.h): one parser and one help text, so both accept the same syntax.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "compare-options.h"
#include "log.h"
#include "parse.h"

const char compare_options_help[] =
	"  --alpha A           significance level of the Mann-Whitney test, 0 < A <= 0.5\n"
	"                      (default 0.01)\n"
	"  --threshold PCT     smallest change that counts, in percent (default 5)\n"
	"  --correction C      multiple comparisons: holm (default: alpha is the false-\n"
	"                      alarm rate of the whole comparison) or none (per\n"
	"                      measurement)\n"
	"  --config FILE       per-bench/metric overrides of alpha and threshold\n"
	"  --fail-on LIST      also exit 6 on: inconclusive, missing, blind (a\n"
	"                      measurement too noisy to see the threshold);\n"
	"                      comma-separated\n"
	"  --strict-env        a fingerprint difference (CPU model, kernel, THP mode,\n"
	"                      governor, ...) is an error: exit 2\n"
	"  --json              write the comparison as JSON instead of the table\n"
	"  --junit FILE        also write JUnit XML, one test case per measurement\n"
	"  --markdown FILE     also write Markdown (for a pull-request comment)\n"
	"  --github            also print GitHub Actions annotations on stdout\n"
	"  --allow-option-mismatch\n"
	"                      compare runs made with different run options (--quick,\n"
	"                      --reps, --max-time, sizes, ...; refused otherwise: exit 2)\n"
	"  -o, --output FILE   write the table (or the JSON) to FILE instead of stdout\n";

static int set_fail_on(const char *value, struct compare_outputs *out)
{
	char *copy = strdup(value), *tok, *save = NULL;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	/* strtok_r would skip empty items: "missing," and ",missing" are typos. */
	if (!*value || *value == ',' || value[strlen(value) - 1] == ',' || strstr(value, ",,")) {
		locus_error("--fail-on: '%s' has an empty item; allowed: inconclusive, missing "
			    "(comma-separated)", value);
		free(copy);
		return -EINVAL;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "inconclusive") == 0) {
			out->fail_on_inconclusive = true;
		} else if (strcmp(tok, "missing") == 0) {
			out->fail_on_missing = true;
		} else if (strcmp(tok, "blind") == 0) {
			out->fail_on_blind = true;
		} else {
			locus_error("--fail-on: '%s' is not a failure class; allowed: inconclusive, missing, blind",
				    tok);
			rc = -EINVAL;
			break;
		}
	}
	if (!rc && !out->fail_on_inconclusive && !out->fail_on_missing && !out->fail_on_blind) {
		locus_error("--fail-on: '%s' names nothing; allowed: inconclusive, missing, blind", value);
		rc = -EINVAL;
	}
	free(copy);
	return rc;
}

int compare_set_option(const char *name, const char *value, struct compare_opts *o,
		       struct compare_outputs *out)
{
	if (strcmp(name, "alpha") == 0) {
		if (parse_double("--alpha", value, 1e-12, 0.5, &o->alpha) < 0)
			return -EINVAL;
		out->alpha = o->alpha;
	} else if (strcmp(name, "threshold") == 0) {
		size_t len = strlen(value);
		char *buf;
		double pct;
		int prc;

		/* "5", "5%" and "0.5%" all mean percent, as in the config file.  The whole
		 * value is parsed (no fixed-size copy that would cut a long one short). */
		if (!(buf = strdup(value)))
			return -ENOMEM;
		if (len > 1 && buf[len - 1] == '%')
			buf[len - 1] = '\0';
		prc = parse_double("--threshold", buf, 0.0, 1000.0, &pct);
		free(buf);
		if (prc < 0)
			return -EINVAL;
		o->threshold = pct / 100.0;
		out->threshold = o->threshold;
	} else if (strcmp(name, "correction") == 0) {
		if (strcmp(value, "holm") == 0) {
			o->correction = COMPARE_HOLM;
			out->no_correction = false;
		} else if (strcmp(value, "none") == 0) {
			o->correction = COMPARE_NO_CORRECTION;
			out->no_correction = true;
		} else {
			return locus_fail(EINVAL, "--correction: '%s' is not a correction; allowed: holm, none",
						  value);
		}
	} else if (strcmp(name, "fail-on") == 0) {
		return set_fail_on(value, out);
	} else if (strcmp(name, "strict-env") == 0) {
		out->strict_env = true;
	} else if (strcmp(name, "json") == 0) {
		out->json = true;
	} else if (strcmp(name, "github") == 0) {
		out->github = true;
	} else if (strcmp(name, "allow-option-mismatch") == 0) {
		out->allow_option_mismatch = true;
	} else if (strcmp(name, "config") == 0 || strcmp(name, "junit") == 0 ||
		   strcmp(name, "markdown") == 0 || strcmp(name, "output") == 0) {
		if (!value || !*value)
			return locus_fail(EINVAL, "--%s: empty file name", name);
		if (name[0] == 'c')
			out->config_path = value;
		else if (name[0] == 'j')
			out->junit = value;
		else if (name[0] == 'm')
			out->markdown = value;
		else
			out->output = value;
	} else {
		return -ENOENT;
	}
	return 0;
}
