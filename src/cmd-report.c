/* SPDX-License-Identifier: MIT */
/*
 * cmd-report.c — `locus report`: turn result files into a report a person reads.
 *
 * Reads one or more locus-result/1 files (it never runs a benchmark) and writes, into
 * an output directory, a self-contained index.html, report.md, one CSV per benchmark
 * under data/, and the figures under figures/ (gnuplot; each with its script and data
 * so it can be re-plotted).  --text prints the summary tables on the terminal instead
 * of, or as well as, the directory.  Text comes first and figures last in importance:
 * when gnuplot is missing or fails, everything else is still written and the command
 * says what to install, exiting 1.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "cmd.h"
#include "log.h"
#include "plot.h"
#include "report.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus report RESULT.json... -o DIR [--format svg,png,pdf] [--no-plots]\n"
		"       locus report --text RESULT.json...\n"
		"       locus report --before A.json --after B.json -o DIR\n"
		"       locus report RESULT.json --history BASELINE_DIR -o DIR\n"
		"\n"
		"Make a report from result files (from `locus bench ... -o FILE`); nothing is\n"
		"measured.  DIR receives:\n"
		"  index.html         one self-contained page (inline SVG and CSS, no scripts, no\n"
		"                     external URLs): machine summary and fingerprint, then per\n"
		"                     benchmark an explanation, its figure, a table (median, CI,\n"
		"                     n, counters) and every skip and warning with its reason\n"
		"  report.md          the same in Markdown, figures linked\n"
		"  data/BENCH.csv     one row per measurement\n"
		"  figures/NAME.svg   the figures, with NAME.gp (gnuplot script) and NAME.dat:\n"
		"                     re-plot or restyle with `cd DIR/figures && gnuplot NAME.gp`\n"
		"Every report starts with a capacity-planning summary (memory per node, cache\n"
		"and DRAM latency, measured vs advertised cache sizes, TLB reach, local vs remote\n"
		"access, peak bandwidth) and observations derived from the numbers.\n"
		"With several files, each file is a series of its own in every figure and table\n"
		"(label source=FILE): runs or hosts side by side.  With three or more (one per\n"
		"host: a fleet) the report opens with the hosts that differ: per measurement\n"
		"each host's median against the fleet median, flagged at a robust z-score\n"
		"(median absolute deviation) of 3.5 and a change of 10%% or more, and every\n"
		"fingerprint key on which a host differs from most hosts; DIR/fleet.json holds\n"
		"the same.  scripts/fleet-slurm and contrib/ansible/ collect the files.\n"
		"--before/--after adds a table of every measurement side by side with the\n"
		"change in %%, the ratio CI and the verdict of `locus compare`, and the settings\n"
		"that differ between the two fingerprints; figures overlay before and after.\n"
		"\n"
		"Options:\n"
		"  -o, --output DIR     write the report into DIR (created if needed)\n"
		"  -f, --format LIST    figure formats: svg,png,pdf (default svg; svg is always\n"
		"                       drawn because the HTML embeds it)\n"
		"      --no-plots       do not run gnuplot (scripts and data are still saved)\n"
		"  -t, --text           print the summary tables on standard output\n"
		"      --before FILE    the result before a change (with --after)\n"
		"      --after FILE     the result after it\n"
		"      --history DIR    a `locus baseline` directory: add the history of the\n"
		"                       reported machine's saved runs, each measurement with a\n"
		"                       change point drawn over the runs, change points marked\n"
		"\n"
		CMD_COMMON_HELP_FILES
		"\n"
		"Figures need gnuplot (Debian/Ubuntu: apt-get install gnuplot-nox); set\n"
		"LOCUS_GNUPLOT to run another gnuplot program.  Exit status: 0 ok, 1 a file could\n"
		"not be written or a figure could not be drawn (the rest is still written), 2 bad\n"
		"usage or a bad result file (the message names the file and field).\n"
		"\n"
		"Examples:\n"
		"  locus bench all --quick -o run.json && locus report run.json -o report/\n"
		"  locus report --text run.json\n"
		"  locus report --before base.json --after tuned.json -o ab/ --format svg,pdf\n"
		"  locus report host1.json host2.json host3.json -o fleet/\n");
}

/* mkdir -p.  0, or -errno with the path that failed in `failed`. */
static int mkdirs(const char *dir, char *failed, size_t len)
{
	char buf[4096];
	struct stat sb;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char save = *p;

			*p = '\0';
			if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
				snprintf(failed, len, "%s", buf);
				return -errno;
			}
			if (stat(buf, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				snprintf(failed, len, "%s", buf);
				return -ENOTDIR;
			}
			*p = save;
			if (!save)
				break;
		}
	}
	return 0;
}

static int write_dir(struct report *r, const char *dir, unsigned formats, bool plots)
{
	char figdir[4096], datadir[4096], path[4096], failed[4096];
	int rc, ret = LOCUS_EXIT_OK;

	snprintf(figdir, sizeof(figdir), "%s/figures", dir);
	snprintf(datadir, sizeof(datadir), "%s/data", dir);
	if ((rc = mkdirs(dir, failed, sizeof(failed))) < 0 ||
	    (rc = mkdirs(figdir, failed, sizeof(failed))) < 0 ||
	    (rc = mkdirs(datadir, failed, sizeof(failed))) < 0) {
		locus_error("report: %s: cannot create the output directory: %s", failed,
			    strerror(-rc));
		return LOCUS_EXIT_FAIL;
	}
	/* The text parts first: they do not depend on gnuplot. */
	if (report_write_csv(r, datadir) < 0)
		return LOCUS_EXIT_FAIL;
	if (r->have_fleet) {
		json_t *fj = fleet_json(&r->fleet);

		snprintf(path, sizeof(path), "%s/fleet.json", dir);
		if (!fj || json_dump_file(fj, path, JSON_INDENT(2)) < 0) {
			locus_error("report: %s: cannot write", path);
			json_decref(fj);
			return LOCUS_EXIT_FAIL;
		}
		json_decref(fj);
	}
	rc = report_figures(r, figdir, formats, plots);
	if (rc < 0)
		ret = LOCUS_EXIT_FAIL;
	snprintf(path, sizeof(path), "%s/report.md", dir);
	if (report_write_markdown(r, path, "figures") < 0)
		return LOCUS_EXIT_FAIL;
	snprintf(path, sizeof(path), "%s/index.html", dir);
	if (report_write_html(r, path, figdir) < 0)
		return LOCUS_EXIT_FAIL;
	if (ret == LOCUS_EXIT_OK)
		locus_info("report: wrote %s (index.html, report.md, data/, figures/)", dir);
	else
		locus_error("report: %s: written, but some figures are missing (see above)", dir);
	return ret;
}

/* A bench this locus has, described as a result file would describe it. */
static json_t *describe_known(const char *name)
{
	const struct bench_info *b = bench_find(name);

	return b ? bench_describe(b) : NULL;
}

int cmd_report(int argc, char **argv, struct cmd_ctx *ctx)
{
	enum { OPT_NO_PLOTS = 256, OPT_BEFORE, OPT_AFTER, OPT_HISTORY };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "text", no_argument, NULL, 't' },
		{ "no-plots", no_argument, NULL, OPT_NO_PLOTS },
		{ "before", required_argument, NULL, OPT_BEFORE },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = NULL, *before = NULL, *after = NULL, *history = NULL;
	unsigned formats = PLOT_SVG;
	bool text = false, plots = true;
	struct report r;
	int c, rc, ret = LOCUS_EXIT_OK;

	(void)ctx;
	while ((c = cmd_getopt(argc, argv, "o:f:th", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg) {
				locus_error("report: --output: empty directory name");
				return cmd_usage_error("report");
			}
			outdir = optarg;
			break;
		case 'f':
			if (plot_parse_formats(optarg, &formats) < 0)
				return cmd_usage_error("report");
			break;
		case 't':
			text = true;
			break;
		case OPT_NO_PLOTS:
			plots = false;
			break;
		case OPT_BEFORE:
			before = optarg;
			break;
		case OPT_AFTER:
			after = optarg;
			break;
		case OPT_HISTORY:
			history = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error("report");
		}
	}
	if ((before || after) && (!before || !after || optind < argc)) {
		locus_error("report: --before and --after go together, without other result files");
		return cmd_usage_error("report");
	}
	if (optind >= argc && !before) {
		locus_error("report: no result file given");
		return cmd_usage_error("report");
	}
	if (!outdir && !text) {
		locus_error("report: nowhere to write: give -o DIR, --text, or both");
		return cmd_usage_error("report");
	}
	if (before)
		rc = report_load_ab(&r, before, after);
	else
		rc = report_load(&r, argv + optind, (size_t)(argc - optind));
	if (rc < 0) {
		if (rc == -ENOMEM)
			locus_error("report: out of memory");
		report_free(&r);
		return locus_exit_code(rc);
	}
	if (history && (rc = report_load_history(&r, history)) < 0) {
		report_free(&r);
		return locus_exit_code(rc);
	}
	/* Files from before results carried descriptions: what this locus knows. */
	report_fill_descriptions(&r, describe_known);
	if (text) {
		report_print_text(&r, stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			locus_error("report: stdout: write failed: %s", strerror(errno));
			ret = LOCUS_EXIT_FAIL;
		}
	}
	if (outdir && ret == LOCUS_EXIT_OK)
		ret = write_dir(&r, outdir, formats, plots);
	report_free(&r);
	return ret;
}
