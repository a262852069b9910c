/* SPDX-License-Identifier: MIT */
/*
 * command-parse.c — the options of `locus bench command` that need more than the bench
 * framework's parsing: --metric NAME=REGEX[:UNIT[:higher|lower]], --variant
 * NAME='PLACEMENT OPTIONS' (its words go through the same placement parser as the
 * command line's), and the check that the program exists before anything runs.
 *
 * Apart from command.c (running and recording) because every rule here is about what
 * a user typed: each bad value gets one line naming it and what is allowed.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"
#include "command.h"
#include "log.h"
#include "placement.h"

static bool good_name(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static bool unit_like(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 24)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '/' || *s == '%' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Item i of a BOPT_LIST value (items separated by newlines) into a malloc'd string. */
char *command_list_at(const char *s, size_t i)
{
	for (; s && i; i--) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return s ? strndup(s, strcspn(s, "\n")) : NULL;
}

/* Number of items of a BOPT_LIST option (0 when not given). */
size_t command_list_count(const struct bench_ctx *c, const char *name)
{
	const char *s = bench_opt_str(c, name);
	size_t n = 1;

	if (!s)
		return 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* --metric NAME=REGEX[:UNIT[:higher|lower]] */
int command_parse_metric(struct cmd_state *st, const char *spec)
{
	struct user_metric *m = &st->um[st->num];
	const char *eq = strchr(spec, '=');
	char *re = NULL, *colon;
	char err[160];
	int rc;
	bool dir_given = false;

	if (st->num >= MAX_METRICS)
		return locus_fail(EINVAL, "bench command: --metric: at most %d metrics", MAX_METRICS);
	if (!eq || !good_name(spec, (size_t)(eq - spec)))
		return locus_fail(EINVAL, "bench command: --metric '%s': expected NAME=REGEX[:UNIT[:higher|lower]] "
					  "with NAME of letters, digits, '_', '-', '.' (at most %d)", spec,
					  NAME_MAX_LEN);
	memcpy(m->name, spec, (size_t)(eq - spec));
	m->name[eq - spec] = '\0';
	for (const struct bench_metric *b = command_metrics; b->name; b++)
		if (strcmp(b->name, m->name) == 0)
			return locus_fail(EINVAL, "bench command: --metric %s: the name is taken by a built-in "
						  "metric; choose another", m->name);
	for (size_t i = 0; i < st->num; i++)
		if (strcmp(st->um[i].name, m->name) == 0)
			return locus_fail(EINVAL, "bench command: --metric %s: given twice", m->name);
	re = strdup(eq + 1);
	if (!re)
		return -ENOMEM;
	if ((colon = strrchr(re, ':')) &&
	    (strcmp(colon + 1, "higher") == 0 || strcmp(colon + 1, "lower") == 0)) {
		m->higher = colon[1] == 'h';
		dir_given = true;
		*colon = '\0';
		colon = strrchr(re, ':');
		if (!colon || !unit_like(colon + 1)) {
			free(re);
			return locus_fail(EINVAL, "bench command: --metric %s: a direction needs a unit before it "
						  "(NAME=REGEX:UNIT:%s)", m->name, m->higher ? "higher" : "lower");
		}
	}
	if (colon && unit_like(colon + 1)) {
		snprintf(m->unit, sizeof(m->unit), "%s", colon + 1);
		*colon = '\0';
	} else
		snprintf(m->unit, sizeof(m->unit), "value");
	if (!dir_given) {
		size_t n = strlen(m->unit);
		m->higher = n >= 2 && strcmp(m->unit + n - 2, "/s") == 0;
	}
	rc = regcomp(&m->re, re, REG_EXTENDED | REG_NEWLINE);
	if (rc) {
		regerror(rc, &m->re, err, sizeof(err));
		locus_error("bench command: --metric %s: '%s' is not a valid extended regular "
			    "expression: %s", m->name, re, err);
		free(re);
		return -EINVAL;
	}
	m->compiled = true;
	if (m->re.re_nsub != 1) {
		locus_error("bench command: --metric %s: '%s' has %zu capture groups; exactly one "
			    "is needed, around the number", m->name, re, m->re.re_nsub);
		free(re);
		regfree(&m->re);
		m->compiled = false;
		return -EINVAL;
	}
	free(re);
	st->num++;
	return 0;
}

/* --variant NAME='PLACEMENT OPTIONS': the words are parsed like the command line's
 * placement options, by the same code. */
int command_parse_variant(struct cmd_state *st, const char *spec)
{
	static const struct option longopts[] = { PLACEMENT_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct variant *v = &st->v[st->nv];
	const char *eq = strchr(spec, '=');
	char *words = NULL, *argv[40], *save = NULL, what[96];
	int argc = 0, c, rc = 0;

	if (st->nv >= MAX_VARIANTS)
		return locus_fail(EINVAL, "bench command: --variant: at most %d variants", MAX_VARIANTS);
	if (!eq || !good_name(spec, (size_t)(eq - spec)))
		return locus_fail(EINVAL, "bench command: --variant '%s': expected NAME='PLACEMENT OPTIONS' "
					  "with NAME of letters, digits, '_', '-', '.' (at most %d)", spec,
					  NAME_MAX_LEN);
	memcpy(v->name, spec, (size_t)(eq - spec));
	v->name[eq - spec] = '\0';
	for (size_t i = 0; i < st->nv; i++)
		if (strcmp(st->v[i].name, v->name) == 0)
			return locus_fail(EINVAL, "bench command: --variant %s: given twice", v->name);
	v->pl = (struct placement)PLACEMENT_INIT;
	words = strdup(eq + 1);
	if (!words)
		return -ENOMEM;
	argv[argc++] = (char *)"variant";
	for (char *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc >= 39) {
			rc = locus_fail(EINVAL, "bench command: --variant %s: too many words", v->name);
			goto out;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	optind = 0;   /* a fresh scan (glibc: 0 re-initialises) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const char *o = "?";
		for (const struct option *l = longopts; l->name; l++)
			if (l->val == c)
				o = l->name;
		snprintf(what, sizeof(what), "bench command: --variant %s: --%s", v->name, o);
		if (c == '?' || c == ':' ||
		    (rc = placement_option(&v->pl, st->c->topo, c, what, optarg)) > 0) {
			rc = locus_fail(EINVAL, "bench command: --variant %s: '%s' is not a placement option "
						"(or lacks its value); allowed: --cpus, --cpunodebind, --membind, "
						"--interleave, --preferred, --preferred-many, "
						"--weighted-interleave, --localalloc", v->name,
						argv[optind - 1]);
			goto out;
		}
		if (rc < 0)
			goto out;
	}
	if (optind < argc) {
		rc = locus_fail(EINVAL, "bench command: --variant %s: unexpected word '%s' (only placement "
					"options belong here)", v->name, argv[optind]);
		goto out;
	}
	rc = placement_check(&v->pl, st->c->topo);
	if (rc == 0)
		st->nv++;
out:
	opterr = 1;
	if (rc < 0)
		placement_free(&v->pl);
	free(words);
	return rc;
}

/* The program must exist before anything runs: "cannot execute" after a --setup
 * would be late, and after the fork it would read as the program's own failure. */
int command_check_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(prog, '/')) {
		if (access(prog, X_OK) == 0)
			return 0;
		return locus_fail(EINVAL, "bench command: %s: cannot execute: %s", prog, strerror(errno));
	}
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; ) {
		size_t n = strcspn(p, ":");
		struct stat sb;
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, n ? p : ".", "/", prog);
		if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
			return 0;
		if (!p[n])
			break;
		p += n + 1;
	}
	return locus_fail(EINVAL, "bench command: %s: command not found (not in PATH)", prog);
}
