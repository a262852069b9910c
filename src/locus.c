/* SPDX-License-Identifier: MIT */
/*
 * locus.c — the `locus` command: the command table and the dispatcher.
 *
 * Adding a command (the checklist):
 *   1. write src/cmd-NAME.c with `int cmd_NAME(int argc, char **argv, struct cmd_ctx *)`
 *      using getopt_long, a --help text, and exit codes from lib/log.h;
 *   2. declare it in src/cmd.h and add one line to `commands[]` below, with the flags
 *      that say what shared set-up it needs (CMD_NEEDS_TOPO);
 *   3. list the file in Makefile.am, document it in man/locus.1 and README.md, and add
 *      tests/cli/NN-NAME.sh.  Completion follows by itself (src/complete.c reads this
 *      table and the command's getopt table); say there what its positional words are,
 *      and call cmd_complete_subcommands() if it has subcommands.
 *
 * Shared set-up lives here and only here: the common options (--quiet, --sysroot,
 * --topology) are taken out of the argument list wherever they appear before "--",
 * applied, and the topology is loaded for the commands that need it.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "output.h"
#include "suggest.h"
#include "sysfs.h"
#include "topo.h"

static const struct cmd commands[] = {
	{ "topo", cmd_topo, CMD_NEEDS_TOPO, "show the machine's topology: nodes, caches, CPUs, huge pages" },
	{ "env", cmd_env, 0, "show the environment fingerprint embedded in every result" },
	{ "bench", cmd_bench, CMD_NEEDS_TOPO, "run microbenchmarks: list, NAME, or all [--quick]" },
	{ "compare", cmd_compare, 0, "compare two results: verdict per measurement, exit 6 on regression" },
	{ "baseline", cmd_baseline, 0, "store results as baselines keyed by machine fingerprint" },
	{ "gate", cmd_gate, 0, "run benchmarks, compare with a baseline, confirm regressions (CI)" },
	{ "report", cmd_report, 0, "make HTML/Markdown/CSV reports and gnuplot figures from results" },
	{ "tune", cmd_tune, 0, "show, set and revert system tunables with a journal; profiles" },
	{ "run", cmd_run, CMD_NEEDS_TOPO, "run a program with a CPU/memory placement; --report what it got" },
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_commands(FILE *f)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: locus [COMMON OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"locus measures where data lives relative to the code that touches it, and\n"
		"what that costs: NUMA-aware benchmarks, revertible tuning, reports and a\n"
		"regression gate.\n"
		"\n"
		"Commands:\n");
	print_commands(f);
	fprintf(f, "\n" CMD_COMMON_HELP_TOPO
		"  -V, --version        print the version and git revision\n"
		"\n"
		"Run 'locus COMMAND --help' for a command's options.  Exit codes: 0 ok,\n"
		"1 failure, 2 usage or bad input, 3 skipped (resource missing), 4 not built in,\n"
		"5 verification failed, 6 regression detected.  See locus(1).\n");
}

/* Set when cmd_getopt() has already said everything in one line (with the pointer to
 * --help), so that cmd_usage_error() does not add a second "Try ..." line. */
static bool usage_explained;

int cmd_usage_error(const char *cmd)
{
	/* One line per bad input (README): the pointer to --help only when nothing was
	 * said yet. */
	if (!usage_explained && locus_errors() == 0)
		fprintf(stderr, "locus: %s: bad usage; see 'locus %s --help'\n", cmd, cmd);
	usage_explained = false;
	return LOCUS_EXIT_USAGE;
}

/* "--name" (or "--name=value") as typed, without the value, into buf. */
static const char *typed_option(const char *arg, char *buf, size_t len)
{
	size_t n = strcspn(arg, "=");

	if (n >= len)
		n = len - 1;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	return buf;
}

/* Unknown or ambiguous long option `typed` ("--quik"): one line, with the closest name. */
static void bad_long_option(const char *cmd, const char *typed, const struct option *longopts)
{
	const char *names[256], *hit, *name = typed + 2, *pre[2] = { NULL, NULL };
	size_t n = 0, len = strlen(name), nprefix = 0;

	for (const struct option *o = longopts; o && o->name && n < 256; o++) {
		names[n++] = o->name;
		if (len && strncmp(o->name, name, len) == 0 && nprefix++ < 2)
			pre[nprefix - 1] = o->name;
	}
	/* getopt refuses a prefix of two options that differ (aliases are accepted). */
	if (nprefix >= 2) {
		locus_error("%s: option '%s' is ambiguous: --%s, --%s%s; see 'locus %s --help'",
			    cmd, cmd_inert(typed), pre[0], pre[1], nprefix > 2 ? ", ..." : "", cmd);
		return;
	}
	hit = suggest_closest(name, names, n);
	if (hit)
		locus_error("%s: unknown option '%s'; did you mean '--%s'?", cmd, cmd_inert(typed), hit);
	else
		locus_error("%s: unknown option '%s'; see 'locus %s --help'", cmd, cmd_inert(typed), cmd);
}

const char *cmd_inert(const char *s)
{
	static char buf[80];
	size_t i = 0;

	for (; s && *s && i < sizeof(buf) - 4; s++)
		buf[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	if (s && *s)
		memcpy(buf + i, "...", 3), i += 3;
	buf[i] = '\0';
	return buf;
}

/* The words that followed a common option take_common_options() removed: such a word
 * must not become an option's value ("compare -o -q a.json b.json" would make a.json
 * the output and overwrite it). */
static const char *after_common[64], *common_word[64];
static size_t n_after_common;

/* The common option that came right before word, or NULL. */
static const char *follows_common_option(const char *word)
{
	for (size_t i = 0; i < n_after_common; i++)
		if (after_common[i] == word)
			return common_word[i];
	return NULL;
}

static void note_after_common(const char *opt, const char *next)
{
	if (n_after_common < sizeof(after_common) / sizeof(after_common[0])) {
		common_word[n_after_common] = opt;
		after_common[n_after_common++] = next;
	}
}

/* Options whose value names a file or directory: an empty value is refused here, once,
 * instead of surfacing as "locus: : cannot write". */
static bool path_option(const char *name, int c)
{
	static const char *const names[] = {
		"output", "markdown", "junit", "config", "before", "after", "baseline",
		"baseline-run", "current-run", "keep-result", NULL,
	};

	if (!name)
		return c == 'o';
	for (size_t i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* After getopt accepted option c with value optarg: is the value usable?  Prints one
 * line and returns false when not. */
static bool value_ok(const char *cmd, int c, int idx, const struct option *longopts,
		     char **argv, int argc)
{
	char name[80];
	const char *long_name = idx >= 0 ? longopts[idx].name : NULL;

	if (!optarg)
		return true;
	if (long_name)
		snprintf(name, sizeof(name), "--%s", long_name);
	else
		snprintf(name, sizeof(name), "-%c", c);
	/* Only a value given as its own word can be the word after a common option. */
	for (int i = 1; i < argc; i++)
		if (argv[i] == optarg && follows_common_option(optarg)) {
			char opt[80];

			snprintf(opt, sizeof(opt), "%s", cmd_inert(follows_common_option(optarg)));
			locus_error("%s: option '%s' is missing its value: '%s' after it is a common "
				    "option, not a value; see 'locus %s --help'", cmd, name, opt, cmd);
			return false;
		}
	if (!*optarg && path_option(long_name, c)) {
		locus_error("%s: option '%s' needs a file name, not an empty string", cmd, name);
		return false;
	}
	return true;
}

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       int *longindex)
{
	char sopts[128], typed[64];
	const char *cmd = argv[0] + 7; /* argv[0] is "locus: CMD" (set by main) */
	int c, prev = optind ? optind : 1, idx = -1;

	if (strncmp(argv[0], "locus: ", 7) != 0)
		cmd = argv[0];
	/* A leading ':' (after any '+') makes getopt return ':' for a missing argument. */
	snprintf(sopts, sizeof(sopts), "%s:%s", *shortopts == '+' ? "+" : "",
		 shortopts + (*shortopts == '+'));
	complete_capture(longopts);
	opterr = 0;
	c = getopt_long(argc, argv, sopts, longopts, &idx);
	if (longindex)
		*longindex = idx;
	if (c != '?' && c != ':') {
		if (c == -1 || value_ok(cmd, c, idx, longopts, argv, argc))
			return c;
		usage_explained = true;
		return '?';
	}
	/* The word that failed: getopt has moved optind past it (and past a missing value). */
	const char *arg = optind - 1 >= prev && optind - 1 < argc ? argv[optind - 1] : "";
	if (c == ':') {
		if (strncmp(arg, "--", 2) == 0)
			locus_error("%s: option '%s' needs a value; see 'locus %s --help'", cmd,
				    cmd_inert(typed_option(arg, typed, sizeof(typed))), cmd);
		else
			locus_error("%s: option '-%c' needs a value; see 'locus %s --help'", cmd,
				    optopt, cmd);
	} else if (strncmp(arg, "--", 2) == 0 && optopt == 0) {
		bad_long_option(cmd, typed_option(arg, typed, sizeof(typed)), longopts);
	} else if (strncmp(arg, "--", 2) == 0) {
		locus_error("%s: option '%s' takes no value; see 'locus %s --help'", cmd,
			    cmd_inert(typed_option(arg, typed, sizeof(typed))), cmd);
	} else {
		locus_error("%s: unknown option '-%c'; see 'locus %s --help'", cmd,
			    isprint(optopt) ? optopt : '?', cmd);
	}
	usage_explained = true;
	return '?';
}

/* realpath of a path that may not exist yet: its directory's realpath + its name. */
static char *real_out(const char *path)
{
	char *dir = strdup(path), *slash, *rd, *res = NULL;
	const char *base;

	if (!dir)
		return NULL;
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		base = path + (slash - dir) + 1;
		rd = realpath(*dir ? dir : "/", NULL);
	} else {
		base = path;
		rd = realpath(".", NULL);
	}
	if (rd && asprintf(&res, "%s/%s", strcmp(rd, "/") ? rd : "", base) < 0)
		res = NULL;
	free(rd);
	free(dir);
	return res;
}

bool cmd_clobbers(const char *cmd, const char *opt, const char *out, const char *in)
{
	struct stat so, si;
	char *ro, *ri;
	bool hit = false;

	if (output_is_stdout(out) || !in || stat(in, &si) < 0)
		return false;
	if (stat(out, &so) == 0 && so.st_dev == si.st_dev && so.st_ino == si.st_ino) {
		hit = true;
	} else if (S_ISDIR(si.st_mode) && (ro = real_out(out))) {
		ri = realpath(in, NULL);
		hit = ri && strncmp(ro, ri, strlen(ri)) == 0 && ro[strlen(ri)] == '/';
		free(ri);
		free(ro);
	}
	if (hit)
		locus_error("%s: %s '%s' would overwrite the input '%s'; write the output "
			    "somewhere else", cmd, opt, cmd_inert(out), in);
	return hit;
}

int cmd_help_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return 80;
}

void cmd_wrap_from(FILE *f, const char *text, int indent, int col, int width)
{
	int room = width - 1 > indent + 20 ? width - 1 : indent + 20;
	bool fresh = col <= indent; /* nothing on this line yet but the indent */

	if (col < indent) {
		fprintf(f, "%*s", indent - col, "");
		col = indent;
	}
	for (const char *p = text; *p;) {
		size_t n;
		if (*p == '\n') { /* the text's own line breaks are kept */
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			fresh = true;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		n = strcspn(p, " \n");
		if (col + (fresh ? 0 : 1) + (int)n > room) {
			/* A word too wide for any line (a list of choices) goes on from
			 * here, broken after a comma that fits; others start a new line. */
			int fit = room - col - (fresh ? 0 : 1);
			const char *cut = NULL;
			if ((int)n > room - indent)
				for (const char *c = p; c < p + n && c - p < fit; c++)
					if (*c == ',')
						cut = c + 1;
			if (cut) {
				n = (size_t)(cut - p);
			} else if (!fresh) {
				fprintf(f, "\n%*s", indent, "");
				col = indent;
				fresh = true;
				continue;
			}
		}
		fprintf(f, "%s%.*s", fresh ? "" : " ", (int)n, p);
		col += (fresh ? 0 : 1) + (int)n;
		fresh = false;
		p += n;
		if (p[-1] == ',' && *p && *p != ' ' && *p != '\n') { /* broken after a comma */
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			fresh = true;
		}
	}
	fputc('\n', f);
}

void cmd_wrap(FILE *f, const char *text, int indent, int width)
{
	cmd_wrap_from(f, text, indent, 0, width);
}

int cmd_show_options(int argc, char **argv, const char *cmd, void (*cmd_help)(FILE *),
		     struct show_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cmd_getopt(argc, argv, "jo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			cmd_help(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error(cmd);
		}
	}
	if (optind < argc) {
		locus_error("%s: unexpected argument '%s'; %s takes only options", cmd,
			    argv[optind], cmd);
		return cmd_usage_error(cmd);
	}
	return -1;
}

int cmd_show_emit(const char *cmd, const struct show_opts *o, const json_t *j,
		  void (*print)(FILE *, const void *), const void *arg)
{
	FILE *f = output_open(o->output);
	int ret = LOCUS_EXIT_OK;

	if (!f)
		return LOCUS_EXIT_FAIL;
	if (o->json) {
		if (!j || json_dumpf(j, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF) {
			locus_error("%s: %s: cannot write JSON", cmd,
				    output_is_stdout(o->output) ? "standard output" : o->output);
			ret = LOCUS_EXIT_FAIL;
		}
	} else {
		print(f, arg);
	}
	if (output_close(f, o->output) < 0)
		ret = LOCUS_EXIT_FAIL;
	return ret;
}

/*
 * Take the common options out of argv[1..argc) (up to "--"), compacting argv in place.
 * Returns the new argc, or -EINVAL after printing an error (missing argument).
 */
static int take_common_options(int argc, char **argv, struct cmd_ctx *ctx, bool *quiet)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **slot = NULL, *name = NULL;

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			*quiet = true;
			if (i + 1 < argc)
				note_after_common(a, argv[i + 1]);
			continue;
		}
		if (strncmp(a, "--sysroot", 9) == 0 && (a[9] == '\0' || a[9] == '=')) {
			slot = &ctx->sysroot;
			name = "--sysroot";
		} else if (strncmp(a, "--topology", 10) == 0 && (a[10] == '\0' || a[10] == '=')) {
			slot = &ctx->topology_spec;
			name = "--topology";
		}
		if (!slot) {
			argv[out++] = argv[i];
			continue;
		}
		if (strchr(a, '='))
			*slot = strchr(a, '=') + 1;
		else if (i + 1 < argc)
			*slot = argv[++i];
		else
			return locus_fail(EINVAL, "%s: missing argument", name);
		if (!**slot)
			return locus_fail(EINVAL, "%s: empty argument", name);
		if (i + 1 < argc)
			note_after_common(a, argv[i + 1]);
		continue;
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx = { 0 };
	const struct cmd *cmd = NULL;
	bool quiet = false;
	int rc;

	/* Hidden: the shell completion scripts in contrib/ ask here (src/complete.c). */
	if (argc >= 2 && strcmp(argv[1], "--complete-words") == 0)
		return complete_main(argc - 2, argv + 2, commands, NR_COMMANDS);
	argc = take_common_options(argc, argv, &ctx, &quiet);
	if (argc < 0)
		return LOCUS_EXIT_USAGE;
	locus_set_quiet(quiet);

	if (argc < 2) {
		usage(stderr);
		return LOCUS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return LOCUS_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("locus %s (git %s)\n", PACKAGE_VERSION, LOCUS_GIT);
		return LOCUS_EXIT_OK;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		const char *names[NR_COMMANDS + 1], *hit;
		for (size_t i = 0; i < NR_COMMANDS; i++)
			names[i] = commands[i].name;
		names[NR_COMMANDS] = "help";
		hit = suggest_closest(argv[1], names, NR_COMMANDS + 1);
		if (argv[1][0] == '-')
			locus_error("unknown option '%s'; see 'locus --help'", cmd_inert(argv[1]));
		else if (hit)
			locus_error("'%s' is not a locus command; did you mean '%s'?",
				    cmd_inert(argv[1]), hit);
		else
			locus_error("'%s' is not a locus command; see 'locus --help'",
				    cmd_inert(argv[1]));
		return LOCUS_EXIT_USAGE;
	}

	if (ctx.sysroot) {
		struct stat st;
		int e = stat(ctx.sysroot, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

		/* Every command reads through the sysroot: a missing one would quietly
		 * read nothing (topo, env said rc 0 with an empty machine). */
		if (e) {
			locus_error("--sysroot: '%s': %s; give the root of a tree holding proc/ "
				    "and sys/", cmd_inert(ctx.sysroot), strerror(e));
			return LOCUS_EXIT_USAGE;
		}
		sysfs_set_root(ctx.sysroot);
	}
	if (ctx.topology_spec && !(cmd->flags & CMD_NEEDS_TOPO)) {
		locus_error("%s: --topology does not apply to this command", cmd->name);
		return LOCUS_EXIT_USAGE;
	}
	/* --help must work even where the topology cannot be loaded. */
	bool wants_help = false;
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			wants_help = true;
	if ((cmd->flags & CMD_NEEDS_TOPO) && !wants_help) {
		rc = topo_load(&ctx.topo, ctx.topology_spec);
		if (rc < 0)
			return locus_exit_code(rc);
		ctx.have_topo = true;
		if (ctx.topo.fake)
			locus_info("topology: %s: a fake topology; nothing will be bound for real",
				   ctx.topo.source);
	}

	/* getopt prints its own errors as "ARGV0: problem": make that "locus: CMD: ...". */
	char argv0[64];
	snprintf(argv0, sizeof(argv0), "locus: %s", cmd->name);
	argv[1] = argv0;
	optind = 0; /* let the command's getopt_long start afresh at argv[1] */
	rc = cmd->fn(argc - 1, argv + 1, &ctx);
	if (ctx.have_topo)
		topo_free(&ctx.topo);
	return rc;
}
