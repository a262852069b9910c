/* SPDX-License-Identifier: MIT */
/*
 * complete.c — shell completion computed by locus itself (`locus --complete-words`).
 *
 * The bash, zsh and fish scripts in contrib/ are thin: they hand the words typed so far
 * to `locus --complete-words -- WORD... CURRENT` and show what it prints.  The
 * candidates come from the tables the parsers use — the command table, the benchmark
 * registry and each bench's typed options (with their choices), each command's
 * getopt_long table, the tunables table, the profile directories — so completion cannot
 * drift from what the commands accept.
 *
 * How a command's options are found without a second table: in completion mode the
 * command is called with the words typed so far (stdout and stderr closed); its first
 * cmd_getopt() hands its long-option table to complete_capture(), which jumps back here
 * before anything has run (every command parses its options first).  A command with
 * subcommands names them before with cmd_complete_subcommands().  What is left here is
 * what no parser table says: which positional word is a bench, a profile, a file.
 *
 * Output: one candidate per line (the whole word, filtered by what was typed), and
 * directive lines: "@files", "@dirs", "@commands" ask the shell for its own completion
 * of the current word; "@nospace" asks it not to add a space (tune set NAME=).
 */
#include "config.h"
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "cmd.h"
#include "tune.h"

static struct {
	bool active;
	jmp_buf back;
	const struct option *longopts;
	const char *const *subs;
	size_t nsubs;
} cap;

bool complete_capture(const struct option *longopts)
{
	if (!cap.active)
		return false;
	cap.longopts = longopts;
	longjmp(cap.back, 1);
}

void cmd_complete_subcommands(const char *const *names, size_t n)
{
	if (cap.active) {
		cap.subs = names;
		cap.nsubs = n;
	}
}

/* ---- candidates ----------------------------------------------------------------- */

static const char *cur; /* the word being completed, as typed */

/* prefix + word, when it extends what was typed. */
static void offer(const char *prefix, const char *word)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s%s", prefix, word);
	if (strncmp(buf, cur, strlen(cur)) == 0)
		puts(buf);
}

/* Choices "a,b,c"; for a list option (BOPT_CHOICES, --format) the last item after a
 * comma is completed and what precedes it kept. */
static void offer_choices(const char *prefix, const char *csv, bool list)
{
	char pre[512], *copy = strdup(csv), *save = NULL;
	const char *value = strlen(cur) >= strlen(prefix) ? cur + strlen(prefix) : "";
	const char *comma = list ? strrchr(value, ',') : NULL;

	snprintf(pre, sizeof(pre), "%s%.*s", prefix, comma ? (int)(comma - value + 1) : 0, value);
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		offer(pre, t);
	free(copy);
}

/* Profile names: those `tune` finds ($LOCUS_PROFILES_DIR, /etc/locus/profiles, the
 * shipped ones: tune_profile_list); a path when something like one is typed. */
static void offer_profiles(const char *prefix)
{
	struct tune_profile_entry *e = NULL;
	size_t n = 0;

	if (strchr(cur, '/') || *prefix) {
		puts("@files");
		return;
	}
	if (tune_profile_list(&e, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		offer("", e[i].name);
	free(e);
}

static void offer_tunables(const char *suffix)
{
	char name[128];

	for (size_t i = 0; tune_at(i); i++) {
		snprintf(name, sizeof(name), "%s%s", tune_at(i)->name, suffix);
		offer("", name);
	}
}

/* ---- option values -------------------------------------------------------------- */

/*
 * What the value of a command's option is, where its parser takes it from a file, a
 * directory or a fixed set (the sets are checked against the parsers by
 * tests/cli/07-complete.sh: every choice offered is accepted).  Options not listed take
 * free values (numbers, CPU lists): nothing is offered, in particular no file names.
 */
static const struct {
	const char *opt, *what;
} value_kinds[] = {
	{ "output", "@files" }, { "baseline", "@files" }, { "before", "@files" },
	{ "after", "@files" }, { "config", "@files" }, { "junit", "@files" },
	{ "markdown", "@files" }, { "keep-result", "@files" }, { "baseline-run", "@files" },
	{ "current-run", "@files" }, { "topology", "@files" }, { "data", "@files" },
	{ "sysroot", "@dirs" }, { "state-dir", "@dirs" }, { "dir", "@dirs" },
	{ "profile", "@profiles" },
	{ "format", "=svg,png,pdf" }, { "fail-on", "=inconclusive,missing,blind" },
	{ "correction", "=holm,none" }, { "progress", ":auto,always,never" },
};

/* Complete the value of option `name` (long name, or "o" for -o); prefix is "--name="
 * when the value is typed in the same word. */
static void complete_value(const char *name, const struct bench_info *b, const char *prefix)
{
	if (strcmp(name, "o") == 0)
		name = "output";
	for (const struct bench_opt *o = b ? b->opts : NULL; o && o->name; o++)
		if (strcmp(o->name, name) == 0 && o->choices) {
			offer_choices(prefix, o->choices, o->type == BOPT_CHOICES);
			return;
		}
	for (size_t i = 0; i < sizeof(value_kinds) / sizeof(value_kinds[0]); i++) {
		const char *w = value_kinds[i].what;
		if (strcmp(value_kinds[i].opt, name) != 0)
			continue;
		if (strcmp(w, "@profiles") == 0)
			offer_profiles(prefix);
		else if (*w == '=' || *w == ':')
			offer_choices(prefix, w + 1, *w == '=');
		else
			puts(w); /* bash completes after the '=' itself */
		return;
	}
}

/* ---- words ---------------------------------------------------------------------- */

static const struct option common_opts[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "sysroot", required_argument, NULL, 0 },
	{ "topology", required_argument, NULL, 0 },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The option `word` ("--name", "--name=v", a unique prefix, or "-o") names in opts. */
static const struct option *find_opt(const struct option *opts, const char *word)
{
	const struct option *hit = NULL;
	size_t n;
	int nhit = 0;

	if (!opts || word[0] != '-')
		return NULL;
	if (word[1] != '-') { /* short: only -o and -f take a value in locus */
		for (const struct option *o = opts; o->name; o++)
			if (o->val == word[1] && word[2] == '\0')
				return o;
		return NULL;
	}
	n = strcspn(word + 2, "=");
	for (const struct option *o = opts; o->name; o++) {
		if (strncmp(o->name, word + 2, n) != 0)
			continue;
		if (strlen(o->name) == n)
			return o;
		hit = o;
		nhit++;
	}
	return nhit == 1 ? hit : NULL;
}

static const struct option *find_any(const struct option *opts, const char *word)
{
	const struct option *o = find_opt(opts, word);

	return o ? o : find_opt(common_opts, word);
}

/* Call the command with the words so far, to capture its option table (and
 * subcommands).  Nothing it prints reaches the shell. */
static void capture(const struct cmd *cmd, char **rest, int nrest, struct cmd_ctx *ctx)
{
	char argv0[64], **argv = calloc((size_t)nrest + 2, sizeof(*argv));
	int out = dup(STDOUT_FILENO), errfd = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
	int argc = 1;

	cap.longopts = NULL;
	cap.subs = NULL;
	cap.nsubs = 0;
	if (!argv || out < 0 || errfd < 0 || null < 0)
		goto done;
	snprintf(argv0, sizeof(argv0), "locus: %s", cmd->name);
	argv[0] = argv0;
	for (int i = 0; i < nrest; i++) /* --help would print the usage and return */
		if (strcmp(rest[i], "-h") && strcmp(rest[i], "--help"))
			argv[argc++] = rest[i];
	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	cap.active = true;
	optind = 0;
	if (setjmp(cap.back) == 0)
		cmd->fn(argc, argv, ctx);
	cap.active = false;
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
done:
	if (out >= 0)
		close(out);
	if (errfd >= 0)
		close(errfd);
	if (null >= 0)
		close(null);
	/* argv is left allocated: longjmp may have left the command's own memory too, and
	 * the process ends right after printing. */
}

static void positional(const char *cmd, char **pos, int npos);

/* Complete words[nw - 1] (cur) given words[0 .. nw-1), which follow "locus". */
static void complete_words(char **w, int nw, const struct cmd *cmds, size_t ncmds)
{
	const struct cmd *cmd = NULL;
	const struct bench_info *bench = NULL;
	struct cmd_ctx ctx = { 0 };
	char *pos[64], **rest;
	int npos = 0, nrest, ci, first_pos = -1;
	bool dashdash = false;

	cur = w[nw - 1];
	/* The command: the first word that is not a common option or its value. */
	for (ci = 0; ci < nw - 1; ci++) {
		const struct option *o = find_opt(common_opts, w[ci]);
		if (w[ci][0] != '-')
			break;
		if (o && o->has_arg == required_argument && !strchr(w[ci], '='))
			ci++;
	}
	if (ci > nw - 1) { /* cur is the value of a common option (--sysroot DIR) */
		complete_value(find_opt(common_opts, w[nw - 2])->name, NULL, "");
		return;
	}
	if (ci == nw - 1) {
		const struct option *o = strchr(cur, '=') ? find_opt(common_opts, cur) : NULL;
		char prefix[64];
		if (o) { /* --sysroot=DIR */
			snprintf(prefix, sizeof(prefix), "--%s=", o->name);
			complete_value(o->name, NULL, prefix);
		} else if (cur[0] == '-') {
			for (const struct option *co = common_opts; co->name; co++)
				offer("--", co->name);
			offer("", "--version");
		} else {
			for (size_t i = 0; i < ncmds; i++)
				offer("", cmds[i].name);
		}
		return;
	}
	for (size_t i = 0; i < ncmds; i++)
		if (strcmp(cmds[i].name, w[ci]) == 0)
			cmd = &cmds[i];
	if (!cmd)
		return;
	rest = w + ci + 1; /* the words after the command; rest[nrest] is cur */
	nrest = nw - 1 - (ci + 1);
	if (strcmp(cmd->name, "bench") == 0 && nrest > 0)
		bench = bench_find(rest[0]);
	capture(cmd, rest, nrest, &ctx);

	/* Walk the words: options with their values, positionals, "--". */
	for (int i = 0; i < nrest; i++) {
		const struct option *o;
		if (dashdash || rest[i][0] != '-' || !rest[i][1]) {
			if (first_pos < 0)
				first_pos = i;
			if (npos < 64)
				pos[npos++] = rest[i];
			/* gate (and run) stop at the first positional: the rest is the bench's
			 * or the program's */
			if (strcmp(cmd->name, "gate") == 0 || strcmp(cmd->name, "run") == 0)
				dashdash = true;
			continue;
		}
		if (strcmp(rest[i], "--") == 0) {
			dashdash = true;
			if (strcmp(cmd->name, "gate") == 0 || strcmp(cmd->name, "tune") == 0) {
				/* gate … -- bench …, tune ab … -- bench …: complete as `locus bench …` */
				complete_words(rest + i + 1, nrest - i, cmds, ncmds);
				return;
			}
			continue;
		}
		o = find_any(cap.longopts, rest[i]);
		if (o && o->has_arg == required_argument && !strchr(rest[i], '=') &&
		    !(rest[i][1] != '-' && rest[i][2])) {
			if (i == nrest - 1) { /* cur is this option's value */
				complete_value(rest[i][1] == '-' ? o->name : "o", bench, "");
				return;
			}
			i++;
		}
	}
	if (!dashdash && cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		const struct option *o = find_any(cap.longopts, cur);
		char prefix[128];
		if (o) {
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(strchr(cur, '=') - cur + 1), cur);
			complete_value(o->name, bench, prefix);
		}
		return;
	}
	if (!dashdash && cur[0] == '-') {
		for (const struct option *o = cap.longopts; o && o->name; o++)
			offer("--", o->name);
		offer("--", "quiet");
		offer("--", "sysroot");
		if (cmd->flags & CMD_NEEDS_TOPO)
			offer("--", "topology");
		return;
	}
	if (bench && bench->takes_command && (cur[0] != '-' || dashdash)) {
		/* bench command [OPTIONS] [--] PROGRAM ARGS (pos[0] is the bench's name):
		 * the program, then its files */
		puts(npos <= 1 ? "@commands" : "@files");
		return;
	}
	if (strcmp(cmd->name, "gate") == 0 && npos > 0 && strcmp(pos[0], "bench") == 0) {
		/* gate --baseline B bench tlb --q: complete as `locus bench tlb --q` */
		complete_words(rest + first_pos, nrest - first_pos + 1, cmds, ncmds);
		return;
	}
	positional(cmd->name, pos, npos);
}

static void positional(const char *cmd, char **pos, int npos)
{
	if (strcmp(cmd, "bench") == 0) {
		if (npos == 0) {
			for (const struct bench_info *const *b = bench_registry; *b; b++)
				offer("", (*b)->name);
			offer("", "all");
			offer("", "list");
		}
	} else if (strcmp(cmd, "tune") == 0 || strcmp(cmd, "baseline") == 0) {
		if (npos == 0) {
			for (size_t i = 0; i < cap.nsubs; i++)
				offer("", cap.subs[i]);
		} else if (strcmp(pos[0], "apply") == 0 || strcmp(pos[0], "diff") == 0) {
			if (npos == 1)
				offer_profiles("");
		} else if (strcmp(pos[0], "set") == 0) {
			offer_tunables("=");
			puts("@nospace");
		} else if (strcmp(pos[0], "show") == 0) {
			offer_tunables("");
		} else if (strcmp(pos[0], "save") == 0 || strcmp(pos[0], "id") == 0) {
			puts("@files");
		} else if (strcmp(pos[0], "list") == 0) {
			puts("@dirs");
		}
	} else if (strcmp(cmd, "compare") == 0 || strcmp(cmd, "report") == 0) {
		puts("@files");
	} else if (strcmp(cmd, "gate") == 0) {
		if (npos == 0)
			offer("", "bench");
	} else if (strcmp(cmd, "run") == 0) {
		puts(npos == 0 ? "@commands" : "@files");
	}
}

int complete_main(int argc, char **argv, const struct cmd *cmds, size_t ncmds)
{
	static char empty[] = "";
	char *one[1] = { empty };

	/* locus --complete-words -- WORD... CURRENT */
	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	if (argc == 0)
		complete_words(one, 1, cmds, ncmds);
	else
		complete_words(argv, argc, cmds, ncmds);
	return fflush(stdout) == 0 ? 0 : 1;
}
