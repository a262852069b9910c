/* SPDX-License-Identifier: MIT */
/*
 * command.h — what the files of `locus bench command` (bench/command.c, the bench and
 * its runs; bench/command-parse.c, its options) share: the state of one bench run,
 * its variants and user metrics.  Internal to bench/command*.c.
 */
#ifndef LOCUS_BENCH_COMMAND_H
#define LOCUS_BENCH_COMMAND_H

#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bench.h"
#include "placement.h"
#include "rng.h"

#define MAX_VARIANTS 16
#define MAX_METRICS 16
#define NAME_MAX_LEN 40

/* The kernel's figures for every run; user metrics follow them. */
enum { M_WALL, M_USER, M_SYS, M_RSS, M_MINFLT, M_MAJFLT, M_VCSW, M_IVCSW, NR_STD };

/* The built-in metrics, M_WALL..NR_STD-1, ended by a NULL name (command.c). */
extern const struct bench_metric command_metrics[];

struct variant {
	char name[NAME_MAX_LEN + 1];
	struct placement pl;
	struct samples s[NR_STD + MAX_METRICS];
	json_t *pages;          /* per run: {"nodeN": bytes} at exit */
	json_t *anon;           /* per run: {"nodeN": anonymous bytes} at exit */
	json_t *huge;           /* per run: AnonHugePages bytes at exit (or null) */
	json_t *numastat;       /* per run: deltas per node */
	json_t *statuses;       /* {"STATUS": count} */
	json_t *last_cpus;      /* per run */
};

struct user_metric {
	char name[NAME_MAX_LEN + 1];
	char unit[24];
	bool higher;
	regex_t re;
	bool compiled;
};

struct cmd_state {
	struct bench_ctx *c;
	char **argv;
	char *shell_argv[4];
	char *joined;
	bool shell, ignore_failure;
	const char *prepare;
	double timeout;
	struct variant v[MAX_VARIANTS];
	size_t nv;
	bool labelled;                  /* --variant given: label the measurements */
	struct user_metric um[MAX_METRICS];
	size_t num;
	int out_fd, err_fd, null_fd;
	sigset_t interrupt;
	int interrupted;                /* the signal that ended a run */
	unsigned calls, warmup, run_no; /* round calls; warm-up rounds; recorded runs */
	unsigned cur;                   /* the run being made, as messages number it */
	struct rng rng;
	uint64_t seed;
};

/* ---- command-parse.c */

/* Item i of a BOPT_LIST value (items separated by newlines) into a malloc'd string. */
char *command_list_at(const char *s, size_t i);
/* Number of items of a BOPT_LIST option (0 when not given). */
size_t command_list_count(const struct bench_ctx *c, const char *name);
/* --metric NAME=REGEX[:UNIT[:higher|lower]] into st->um[st->num++]: 0, -EINVAL
 * (message printed) or -ENOMEM. */
int command_parse_metric(struct cmd_state *st, const char *spec);
/* --variant NAME='PLACEMENT OPTIONS' into st->v[st->nv++]: 0 or a negative errno
 * (message printed). */
int command_parse_variant(struct cmd_state *st, const char *spec);
/* The program exists and is executable (a path, or found on PATH): 0 or -EINVAL
 * (message printed). */
int command_check_program(const char *prog);

#endif
