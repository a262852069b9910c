/* SPDX-License-Identifier: MIT */
/*
 * cmd.h — what every subcommand (src/cmd-*.c) sees.
 *
 * The dispatcher in locus.c owns the shared set-up: it takes the common options
 * (--quiet, --sysroot DIR, --topology SPEC) from anywhere before "--", applies them,
 * loads the topology for commands flagged CMD_NEEDS_TOPO, and then calls the command
 * with the remaining arguments (argv[0] is the command name, so getopt_long works as
 * usual; optind is reset).  A command returns an exit code from lib/log.h.
 */
#ifndef LOCUS_CMD_H
#define LOCUS_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "topo.h"

enum cmd_flags {
	CMD_NEEDS_TOPO = 1 << 0,       /* load the topology (real, or --topology) first */
};

struct cmd_ctx {
	struct locus_topo topo;        /* loaded when CMD_NEEDS_TOPO */
	bool have_topo;
	const char *topology_spec;     /* --topology, or NULL */
	const char *sysroot;           /* --sysroot, or NULL */
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
	unsigned flags;
	const char *summary;           /* one line for `locus --help` */
};

/* Help text for the common options, listing only those that apply: --topology for the
 * commands that load the topology (CMD_NEEDS_TOPO), --sysroot for those that read or
 * write /proc and /sys, neither for those that only read result files. */
#define CMD_COMMON_HELP_(sysroot, topology) \
	"Common options:\n" \
	"  -q, --quiet          no progress or warnings on stderr\n" \
	sysroot topology \
	"  -h, --help           this help\n"
#define CMD_HELP_SYSROOT \
	"      --sysroot DIR    read (and write) /proc and /sys under DIR\n"
#define CMD_HELP_TOPOLOGY \
	"      --topology SPEC  use an hwloc XML file or synthetic description\n" \
	"                       (e.g. \"pack:2 numa:1 core:4 pu:2\"); nothing is bound\n"
#define CMD_COMMON_HELP CMD_COMMON_HELP_(CMD_HELP_SYSROOT, "")
#define CMD_COMMON_HELP_TOPO CMD_COMMON_HELP_(CMD_HELP_SYSROOT, CMD_HELP_TOPOLOGY)
#define CMD_COMMON_HELP_FILES CMD_COMMON_HELP_("", "")

/* Help: the width to wrap to (the terminal's columns when stdout is one, else 80), and
 * `text` word-wrapped to it, every line indented by `indent` spaces. */
int cmd_help_width(void);
void cmd_wrap(FILE *f, const char *text, int indent, int width);
/* The same, the cursor being at column `col` already (a hanging indent). A word wider
 * than the line (a list of choices) is broken after one of its commas. */
void cmd_wrap_from(FILE *f, const char *text, int indent, int col, int width);

/* Print "locus: CMD: unknown option / missing argument" style errors come from getopt;
 * this prints "Try 'locus CMD --help'." and returns LOCUS_EXIT_USAGE. */
int cmd_usage_error(const char *cmd);

/*
 * getopt_long for the commands: the same contract, but errors are one line in locus's
 * shape naming the option as the user typed it, with the closest name for an unknown
 * one ("locus: bench: unknown option '--quik'; did you mean '--quick'?"); returns '?'
 * after such an error (and the following cmd_usage_error() adds no second line).
 * argv[0] must be "locus: CMD" as main() sets it.
 */
struct option;
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       int *longindex);

/*
 * Shell completion (src/complete.c, `locus --complete-words`).  cmd_getopt() hands its
 * option table to complete_capture() first, which in completion mode does not return
 * (it jumps back to the completer); otherwise it returns false.  A command with
 * subcommands names them with cmd_complete_subcommands() before its cmd_getopt() call
 * (a no-op outside completion mode).
 */
struct cmd;
bool complete_capture(const struct option *longopts);
void cmd_complete_subcommands(const char *const *names, size_t n);
int complete_main(int argc, char **argv, const struct cmd *cmds, size_t ncmds);

/* `s` with control bytes replaced and cut to ~75 characters, for echoing user input in
 * a message (static buffer: one call per message). */
const char *cmd_inert(const char *s);

/* Would writing `out` (an output option's value, named `opt` in the message)
 * overwrite the input `in`: the same file, or a file inside the input directory `in`
 * (a baseline store)?  Prints "locus: CMD: OPT 'OUT' would overwrite the input 'IN'"
 * and returns true; false when they are apart (or `out` is stdout or NULL). */
bool cmd_clobbers(const char *cmd, const char *opt, const char *out, const char *in);

/*
 * `locus bench ARGS... -o OUT` as a child of this binary, for gate and tune ab
 * (src/spawn-self.c says what they share: /proc/self/exe resolved, -o before a "--",
 * SIGINT/SIGTERM/SIGHUP passed on to the bench).  Returns the bench's wait status
 * (>= 0), or a negative errno after printing "locus: CMD: ..." when it could not run.
 * *interrupted: the signal sent to us while it ran (it was passed on, the bench waited
 * for), or 0.
 */
struct spawn_self_opts {
	const char *cmd;            /* "gate", "tune ab": the messages' prefix */
	char *const *args;          /* the bench's arguments, without "bench" */
	int nargs;
	const char *out;            /* its -o */
	const char *sysroot;        /* passed on as --sysroot, or NULL */
	const char *prog;           /* a program to run instead of this binary (tests), or NULL */
	bool stdout_to_stderr;      /* its stdout goes to our stderr (ours carries a report) */
	const char *const *env;     /* NAME, VALUE, NAME, VALUE, ..., NULL: set for the bench */
	int test_signal;            /* tests: the child sends us this signal as it starts */
};
int spawn_self(const struct spawn_self_opts *s, int *interrupted);

/*
 * For the "show" commands (topo, env) that take only --json, -o FILE and --help:
 * parse those options.  Returns -1 to go on, or the exit code to return at once
 * (after --help, a bad option or a stray argument).
 */
struct show_opts {
	bool json;
	const char *output;
};
int cmd_show_options(int argc, char **argv, const char *cmd, void (*cmd_help)(FILE *),
		     struct show_opts *o);
/* Write `j` (pretty JSON) or, with o->json false, print(f, arg) to o->output.
 * Returns an exit code. */
int cmd_show_emit(const char *cmd, const struct show_opts *o, const json_t *j,
		  void (*print)(FILE *, const void *), const void *arg);

/* "CMD: 'NAME' is not a benchmark; did you mean ...?" (with all_and_list, "all" and
 * "list" are names too), for bench and tune ab.  Returns LOCUS_EXIT_USAGE. */
int cmd_bench_name_error(const char *cmd, const char *name, bool all_and_list);

int cmd_topo(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_env(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_bench(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_compare(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_baseline(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_gate(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_report(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_tune(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_run(int argc, char **argv, struct cmd_ctx *ctx);

/* Shared by compare and gate (src/cmd-compare.c): the fingerprint check (--strict-env:
 * print the differences, return 2), the outputs, then the exit code: 6 when something
 * fails the gate, 2 when no measurement was in common, 1 when writing failed, else 0. */
struct compare_result;
struct compare_outputs;
int cmd_compare_finish(const struct compare_result *res, const struct compare_outputs *out,
		       const char *cmd);
/* --github and --json both on stdout: says so (one line) and returns true. */
bool cmd_compare_outputs_conflict(const char *cmd, const struct compare_outputs *out);
/* Load --config FILE into *config and o->config.  Returns -1 to go on (also without
 * --config), or the exit code (2 for a bad file). */
struct compare_opts;
struct compare_config;
int cmd_compare_load_config(const struct compare_outputs *out, struct compare_opts *o,
			    struct compare_config **config);
/* Refuse (one line naming the option, -EINVAL: the caller exits 2) when a baseline run
 * and the current run were made with different run options, unless
 * out->allow_option_mismatch (compare_option_mismatch()). */
int cmd_check_options(json_t *const *base, size_t n, const json_t *cur,
		      const struct compare_outputs *out, const char *cmd);

#endif
