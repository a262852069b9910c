/* SPDX-License-Identifier: MIT */
/*
 * test-registry.c — every bench in the registry (bench/benches.def) is well formed, so
 * that a mistake in a descriptor fails `make check` instead of a user's run:
 *  - the registry holds exactly the benches of benches.def, names unique, each found
 *    by bench_find(), with a summary, a description and a run function;
 *  - options: names unique and of option characters, help given, bounds ordered,
 *    choices given for a choice type, and every default and --quick value passes the
 *    option's own validator (bench_opt_validate, the one the command line uses);
 *  - metrics: at least one, names unique, units given; the headline and every
 *    figure's metrics are among them;
 *  - names that are only checked when a run reaches them: every option name a bench's
 *    source passes to bench_opt_*() is one of its options (a misspelt one aborts the
 *    run: bench.h), and every setting label and every label a figure draws is a label
 *    the bench's source writes (its name appears as a string beyond the declarations).
 * The source checks read the .c files of bench/ under LOCUS_SRCDIR.
 */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "tap.h"

/* The descriptors by their variable names, from the same list the registry is built of. */
#define BENCH(n) extern const struct bench_info bench_##n##_info;
#include "benches.def"
#undef BENCH
static const struct {
	const char *var;
	const struct bench_info *info;
} defs[] = {
#define BENCH(n) { "bench_" #n "_info", &bench_##n##_info },
#include "benches.def"
#undef BENCH
};
#define NR_DEFS (sizeof(defs) / sizeof(defs[0]))

static bool name_chars(const char *s, const char *extra)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

static const struct bench_metric *metric_of(const struct bench_info *b, const char *name)
{
	for (const struct bench_metric *m = b->metrics; m && m->name; m++)
		if (name && strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static const struct bench_opt *opt_of(const struct bench_info *b, const char *name)
{
	for (const struct bench_opt *o = b->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* ---------------------------------------------------------------- the source */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = (n + 4096 + 1) * 2);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The .c files of bench/, each read once. */
static struct src {
	char name[256];
	char *text;
} srcs[128];
static size_t nsrcs;

static int load_sources(void)
{
	char dir[4096], path[8192];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/bench", LOCUS_SRCDIR);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) && nsrcs < sizeof(srcs) / sizeof(srcs[0])) {
		size_t n = strlen(e->d_name);

		if (n < 3 || n >= sizeof(srcs[0].name) || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		srcs[nsrcs].text = slurp(path);
		if (srcs[nsrcs].text)
			snprintf(srcs[nsrcs++].name, sizeof(srcs[0].name), "%s", e->d_name);
	}
	closedir(d);
	return 0;
}

/*
 * The files of a bench: the one defining its descriptor var, the files named after it
 * (reclaim.c: reclaim-round.c, reclaim-undo.c) and those whose header it includes
 * (numa-latency.c: numa-matrix.c).  Sets in[i]; returns the descriptor's index or -1.
 */
static int family_of(const char *var, bool *in)
{
	char def[160], stem[300], inc[320];
	int home = -1;

	snprintf(def, sizeof(def), "const struct bench_info %s = {", var);
	memset(in, 0, nsrcs * sizeof(*in));
	for (size_t i = 0; i < nsrcs && home < 0; i++)
		if (strstr(srcs[i].text, def))
			home = (int)i;
	if (home < 0)
		return -1;
	in[home] = true;
	snprintf(stem, sizeof(stem), "%.*s-", (int)strlen(srcs[home].name) - 2, srcs[home].name);
	for (size_t i = 0; i < nsrcs; i++) {
		snprintf(inc, sizeof(inc), "#include \"%.*s.h\"", (int)strlen(srcs[i].name) - 2,
			 srcs[i].name);
		/* bench.h is everyone's: the framework is nobody's family. */
		if (strcmp(srcs[i].name, "bench.c") == 0)
			continue;
		if (strncmp(srcs[i].name, stem, strlen(stem)) == 0 || strstr(srcs[home].text, inc))
			in[i] = true;
	}
	return home;
}

/* Times the string literal "name" occurs in text. */
static int literal_count(const char *text, const char *name, size_t nlen)
{
	int k = 0;

	for (const char *p = text; (p = strchr(p, '"')); p++)
		if (strncmp(p + 1, name, nlen) == 0 && p[1 + nlen] == '"')
			k++;
	return k;
}

/*
 * Every option name given as a literal to a bench_opt_*() call (bench_opt_str(c,
 * "passes"), also across lines) must be one of the bench's options.  Adds the calls
 * seen to *checked and returns how many named no option (each fails a test naming it).
 */
static int check_opt_calls(const struct bench_info *b, const char *file, const char *text,
			   int *checked)
{
	int bad = 0;

	for (const char *p = text; (p = strstr(p, "bench_opt_")); p++) {
		const char *q = p + strlen("bench_opt_"), *s;
		char name[128];
		size_t n;

		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (*q != '(')
			continue;
		/* The first argument: the context, an expression without strings or calls. */
		for (q++; *q && *q != ',' && *q != ')' && *q != '"' && *q != '('; q++)
			;
		if (*q != ',')
			continue;
		for (q++; isspace((unsigned char)*q); q++)
			;
		if (*q != '"')
			continue;   /* a variable: checked where the literal is */
		s = ++q;
		q = strchr(s, '"');
		if (!q)
			break;
		n = (size_t)(q - s) < sizeof(name) - 1 ? (size_t)(q - s) : sizeof(name) - 1;
		memcpy(name, s, n);
		name[n] = '\0';
		(*checked)++;
		if (!opt_of(b, name)) {
			ok(0, "%s: %s: bench_opt_*(..., \"%s\"): --%s is not an option of the bench",
			   b->name, file, name, name);
			bad++;
		}
	}
	return bad;
}

/* Labels the descriptor's tables name (setting labels, figure labels), each with how
 * often the tables hold it as a string of its own ("mode", not "mode,kind" or
 * "mode=2"): the source must hold that string more often than that. */
struct label_ref {
	char name[64];
	int refs;
	const char *what;
};

static void add_ref(struct label_ref *r, size_t *n, size_t max, const char *name, size_t len,
		    bool whole, const char *what)
{
	if (len == 0 || len >= sizeof(r[0].name))
		return;
	for (size_t i = 0; i < *n; i++)
		if (strlen(r[i].name) == len && strncmp(r[i].name, name, len) == 0) {
			r[i].refs += whole;
			return;
		}
	if (*n >= max)
		return;
	memcpy(r[*n].name, name, len);
	r[*n].name[len] = '\0';
	r[*n].refs = whole;
	r[*n].what = what;
	(*n)++;
}

static void add_list(struct label_ref *r, size_t *n, size_t max, const char *list,
		     const char *what)
{
	bool whole = list && !strchr(list, ',');   /* one name: the string is the label's */

	while (list && *list) {
		size_t len = strcspn(list, ",");

		add_ref(r, n, max, list, len, whole, what);
		list += len;
		if (*list == ',')
			list++;
	}
}

static void check_labels(const struct bench_info *b, const bool *in)
{
	struct label_ref refs[64];
	size_t n = 0;

	for (const char *const *l = b->setting_labels; l && *l; l++) {
		ok(name_chars(*l, "_"), "%s: setting label '%s' is a label name", b->name, *l);
		add_ref(refs, &n, 64, *l, strlen(*l), true, "setting label");
	}
	for (const struct bench_figure *f = b->figures; f && f->kind != BFIG_END; f++) {
		if (f->kind != BFIG_CURVE)
			add_ref(refs, &n, 64, f->x, f->x ? strlen(f->x) : 0, true, "figure label (x)");
		add_ref(refs, &n, 64, f->rows, f->rows ? strlen(f->rows) : 0, true,
			"figure label (rows)");
		add_ref(refs, &n, 64, f->panel, f->panel ? strlen(f->panel) : 0, true,
			"figure label (panel)");
		add_ref(refs, &n, 64, f->knee_label, f->knee_label ? strlen(f->knee_label) : 0, true,
			"figure label (knee_label)");
		add_list(refs, &n, 64, f->series, "figure label (series)");
		if (f->filter)
			add_ref(refs, &n, 64, f->filter, strcspn(f->filter, "="), false,
				"figure label (filter)");
	}
	for (size_t i = 0; i < n; i++) {
		int k = 0;

		for (size_t f = 0; f < nsrcs; f++)
			if (in[f])
				k += literal_count(srcs[f].text, refs[i].name, strlen(refs[i].name));
		ok(k > refs[i].refs, "%s: %s '%s' is written by its source (\"%s\" %d times, "
		   "the descriptor's tables %d)", b->name, refs[i].what, refs[i].name, refs[i].name,
		   k, refs[i].refs);
	}
}

/* ---------------------------------------------------------------- the descriptors */

static void check_opts(const struct bench_info *b)
{
	int n = 0, bad = 0;

	for (const struct bench_opt *o = b->opts; o && o->name; o++, n++) {
		for (const struct bench_opt *p = b->opts; p != o; p++)
			if (strcmp(p->name, o->name) == 0)
				ok(0, "%s: --%s is declared twice", b->name, o->name);
		if (!name_chars(o->name, "-")) {
			ok(0, "%s: '%s' is not an option name (a-z, 0-9, '-')", b->name, o->name);
			bad++;
		}
		if (!o->help || !*o->help) {
			ok(0, "%s: --%s has no help", b->name, o->name);
			bad++;
		}
		if (o->min > o->max && o->max != 0) {
			ok(0, "%s: --%s: min %lld > max %lld", b->name, o->name, o->min, o->max);
			bad++;
		}
		if ((o->type == BOPT_CHOICE || o->type == BOPT_CHOICES) && (!o->choices || !*o->choices)) {
			ok(0, "%s: --%s is a choice without choices", b->name, o->name);
			bad++;
		}
		if (o->def)
			ok(bench_opt_validate(b, o, o->def) == 0, "%s: --%s default '%s' is valid",
			   b->name, o->name, o->def);
		if (o->quick)
			ok(bench_opt_validate(b, o, o->quick) == 0, "%s: --%s --quick value '%s' is valid",
			   b->name, o->name, o->quick);
	}
	ok(bad == 0, "%s: %d options well formed (names, help, bounds, choices)", b->name, n);
}

static void check_metrics(const struct bench_info *b)
{
	int n = 0, bad = 0;

	for (const struct bench_metric *m = b->metrics; m && m->name; m++, n++) {
		for (const struct bench_metric *p = b->metrics; p != m; p++)
			if (strcmp(p->name, m->name) == 0) {
				ok(0, "%s: metric %s declared twice", b->name, m->name);
				bad++;
			}
		if (!name_chars(m->name, "_") || !m->unit || !*m->unit) {
			ok(0, "%s: metric '%s' needs a name (a-z, 0-9, '_') and a unit", b->name, m->name);
			bad++;
		}
	}
	ok(n > 0 && bad == 0, "%s: %d metrics, names unique, units given", b->name, n);
	if (b->headline)
		ok(metric_of(b, b->headline) != NULL, "%s: headline %s is a metric", b->name, b->headline);
	for (const struct bench_figure *f = b->figures; f && f->kind != BFIG_END; f++) {
		ok(metric_of(b, f->metric) != NULL, "%s: figure '%s': metric %s is a metric", b->name,
		   f->title ? f->title : "?", f->metric ? f->metric : "(none)");
		if (f->kind == BFIG_CURVE)
			ok(metric_of(b, f->x) != NULL, "%s: curve '%s': x %s is a metric", b->name,
			   f->title ? f->title : "?", f->x ? f->x : "(none)");
		if (f->knee_metric)
			ok(metric_of(b, f->knee_metric) != NULL, "%s: figure '%s': knee metric %s is a metric",
			   b->name, f->title ? f->title : "?", f->knee_metric);
	}
}

int main(void)
{
	size_t nreg = 0;
	bool in[128];

	for (const struct bench_info *const *b = bench_registry; *b; b++)
		nreg++;
	is_int(nreg, NR_DEFS, "the registry holds every bench of benches.def");
	ok(load_sources() == 0 && nsrcs > NR_DEFS, "the sources of bench/ are readable (%zu files)",
	   nsrcs);
	for (size_t i = 0; i < NR_DEFS; i++) {
		const struct bench_info *b = defs[i].info;
		int home, calls = 0, bad = 0;

		ok(name_chars(b->name, "-_"), "%s: a bench name", b->name);
		ok(bench_find(b->name) == b, "%s: bench_find finds it (the name is unique)", b->name);
		for (size_t k = 0; k < i; k++)
			if (strcmp(defs[k].info->name, b->name) == 0)
				ok(0, "%s: two benches of that name", b->name);
		ok(b->summary && *b->summary && b->description && *b->description && b->run,
		   "%s: summary, description and run given", b->name);
		check_opts(b);
		check_metrics(b);

		home = family_of(defs[i].var, in);
		if (!ok(home >= 0, "%s: the file defining %s is in bench/", b->name, defs[i].var))
			continue;
		for (size_t f = 0; f < nsrcs; f++)
			if (in[f])
				bad += check_opt_calls(b, srcs[f].name, srcs[f].text, &calls);
		/* A bench with options reads some of them by name: none seen means the scan
		 * missed the calls, not that they are right. */
		ok(bad == 0 && (calls > 0 || !b->opts || !b->opts[0].name),
		   "%s: %s: %d option names passed to bench_opt_*(), each an option", b->name,
		   srcs[home].name, calls);
		check_labels(b, in);
	}
	for (size_t f = 0; f < nsrcs; f++)
		free(srcs[f].text);
	return done_testing();
}
