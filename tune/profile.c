/* SPDX-License-Identifier: MIT */
/*
 * profile.c — finding and parsing tuning profiles (NAME.conf, docs/tune.md).
 *
 * Profiles are searched by name in $LOCUS_PROFILES_DIR, /etc/locus/profiles and the
 * shipped directory, in that order (the first NAME.conf found wins, so an
 * administrator's copy overrides a shipped one).  A profile is INI-like: '#' or ';'
 * comments, a [profile] section with `description = ...` and `include = NAME|FILE`
 * lines, and a [tunables] section of `NAME = VALUE` lines naming entries of the
 * tunables table.  Included profiles are read first and the including one overrides
 * them; a cycle is refused.  Everything is validated at load time against the running
 * kernel (ranges, THP choices), so a bad profile is refused, with its file and line,
 * before anything is written.  A profile is text: a NUL or control byte, a FIFO or a
 * directory is refused rather than read (a FIFO would block; a NUL would cut a line
 * short and apply what precedes it).
 */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "suggest.h"
#include "tune.h"

#define INCLUDE_DEPTH 8

static const char *shipped_dir(void)
{
	struct stat st;

	/* Installed: pkgdatadir.  Run from the build tree (scripts/quickstart does), the
	 * profiles are still in the source tree configure was run from. */
	if (stat(LOCUS_DATADIR "/profiles", &st) < 0 && stat(LOCUS_SRCDIR "/tune/profiles", &st) == 0)
		return LOCUS_SRCDIR "/tune/profiles";
	return LOCUS_DATADIR "/profiles";
}

const char *tune_profiles_dir(void)
{
	const char *env = getenv("LOCUS_PROFILES_DIR");

	return env && *env ? env : shipped_dir();
}

size_t tune_profile_dirs(const char **out, size_t max)
{
	const char *env = getenv("LOCUS_PROFILES_DIR"), *cand[3];
	size_t n = 0, c = 0;

	if (env && *env)
		cand[c++] = env;
	cand[c++] = TUNE_ETC_PROFILES;
	cand[c++] = shipped_dir();
	for (size_t i = 0; i < c && n < max; i++) {
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(out[k], cand[i]) == 0;
		if (!dup)
			out[n++] = cand[i];
	}
	return n;
}

/* A profile name: letters, digits, '.', '_', '-' (it becomes NAME.conf in a directory). */
static bool good_name(const char *s)
{
	if (!*s || strlen(s) > 100 || *s == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct tune_profile_entry *)a)->name,
		      ((const struct tune_profile_entry *)b)->name);
}

int tune_profile_list(struct tune_profile_entry **out, size_t *n)
{
	const char *dirs[4];
	size_t nd = tune_profile_dirs(dirs, 4), cap = 0;
	struct tune_profile_entry *e = NULL;

	*n = 0;
	for (size_t d = 0; d < nd; d++) {
		DIR *dp = opendir(dirs[d]);
		struct dirent *de;

		if (!dp)
			continue;
		while ((de = readdir(dp))) {
			size_t len = strlen(de->d_name);
			char name[128];
			bool dup = false;

			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 || len - 5 >= sizeof(name))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
			if (!good_name(name))
				continue;
			for (size_t k = 0; k < *n; k++)
				dup |= strcmp(e[k].name, name) == 0;
			if (dup)
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				struct tune_profile_entry *ne = realloc(e, cap * sizeof(*e));
				if (!ne) {
					closedir(dp);
					free(e);
					return -ENOMEM;
				}
				e = ne;
			}
			snprintf(e[*n].name, sizeof(e[*n].name), "%s", name);
			snprintf(e[*n].path, sizeof(e[*n].path), "%s/%s", dirs[d], de->d_name);
			e[*n].dir = dirs[d];
			(*n)++;
		}
		closedir(dp);
	}
	if (*n)
		qsort(e, *n, sizeof(*e), cmp_entry);
	*out = e;
	return 0;
}

int tune_profile_find(const char *arg, char *buf, size_t len)
{
	const char *dirs[4];
	size_t nd = tune_profile_dirs(dirs, 4);
	struct stat st;

	if (!*arg)
		return locus_fail(ENOENT, "tune: '': a profile name or file is needed (see 'locus tune "
					  "profiles')");
	if (strchr(arg, '/') || (stat(arg, &st) == 0 && S_ISREG(st.st_mode))) {
		snprintf(buf, len, "%s", arg);
		if (stat(buf, &st) == 0)
			return 0;
		return locus_fail(ENOENT, "tune: %s: no such profile file", arg);
	}
	if (good_name(arg))
		for (size_t d = 0; d < nd; d++) {
			snprintf(buf, len, "%s/%s.conf", dirs[d], arg);
			if (stat(buf, &st) == 0)
				return 0;
		}
	/* Not found: the closest name, else where we looked. */
	struct tune_profile_entry *e = NULL;
	size_t n = 0;
	const char *best = NULL;
	if (good_name(arg) && tune_profile_list(&e, &n) == 0 && n) {
		const char **names = calloc(n, sizeof(*names));
		if (names) {
			for (size_t i = 0; i < n; i++)
				names[i] = e[i].name;
			best = suggest_closest(arg, names, n);
			if (best)
				locus_error("tune: '%s': no such profile; did you mean '%s'? ('locus tune "
					    "profiles' lists them)", arg, best);
			free(names);
		}
	}
	free(e);
	if (!best) {
		if (good_name(arg))
			locus_error("tune: '%s': no such profile in %s%s%s%s%s (see 'locus tune profiles')",
				    arg, dirs[0], nd > 1 ? ", " : "", nd > 1 ? dirs[1] : "",
				    nd > 2 ? ", " : "", nd > 2 ? dirs[2] : "");
		else
			locus_error("tune: a profile name is letters, digits, '.', '_' and '-' (or give "
				    "a file path with a '/'); see 'locus tune profiles'");
	}
	return -ENOENT;
}

void tune_profile_free(struct tune_profile *p)
{
	free(p->req);
	for (size_t i = 0; i < p->n_missing; i++)
		free(p->missing[i]);
	free(p->missing);
	memset(p, 0, sizeof(*p));
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Open a profile for reading without blocking on a FIFO; only a regular file of
 * reasonable size is read.  Returns the stream, or NULL after printing why (*r: -EINVAL
 * for something that is not a profile file, else -errno). */
static FILE *open_profile(const char *path, int *r)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0) {
		*r = -errno;
		locus_error("tune: %s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
		close(fd);
		*r = -EINVAL;
		locus_error("tune: %s: not a profile: a profile is a regular text file of at most "
			    "1 MiB", path);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*r = -errno;
		close(fd);
	}
	return f;
}

/* Add (or, from the including profile, override) one request. */
static int put_req(struct tune_profile *p, const struct tune_request *rq, bool override)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->req[i].key.name, rq->key.name) == 0) {
			if (override)
				p->req[i] = *rq;
			return 0;
		}
	struct tune_request *nr = realloc(p->req, (p->n + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	p->req = nr;
	p->req[p->n++] = *rq;
	return 0;
}

static int add_missing(struct tune_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_missing; i++)
		if (strcmp(p->missing[i], name) == 0)
			return 0;
	char **m = realloc(p->missing, (p->n_missing + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	p->missing = m;
	p->missing[p->n_missing] = strdup(name);
	return p->missing[p->n_missing++] ? 0 : -ENOMEM;
}

#define BAD(...) do { locus_error(__VA_ARGS__); r = -EINVAL; goto out; } while (0)

static int load(const char *path, struct tune_profile *p, char (*chain)[PATH_MAX], int depth);

/* `include = NAME|FILE`: a relative file is relative to the including profile. */
static int do_include(const char *path, int lineno, const char *val, struct tune_profile *p,
		      char (*chain)[PATH_MAX], int depth)
{
	char inc[4096], real[PATH_MAX];
	struct tune_profile sub;
	int r;

	if (strchr(val, '/') && val[0] != '/') {
		const char *slash = strrchr(path, '/');
		snprintf(inc, sizeof(inc), "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, val);
	} else if (tune_profile_find(val, inc, sizeof(inc)) < 0) {
		return locus_fail(EINVAL, "tune: %s:%d: include: '%s' not found", path, lineno, val);
	}
	if (!realpath(inc, real))
		return locus_fail(EINVAL, "tune: %s:%d: include: %s: %s", path, lineno, inc, strerror(errno));
	for (int i = 0; i <= depth; i++)
		if (strcmp(chain[i], real) == 0)
			return locus_fail(EINVAL, "tune: %s:%d: include: '%s' includes itself (a cycle); "
						  "allowed: profiles that do not include this one", path, lineno,
						  val);
	if (depth + 1 >= INCLUDE_DEPTH)
		return locus_fail(EINVAL, "tune: %s:%d: include: more than %d levels", path, lineno,
					  INCLUDE_DEPTH);
	r = load(inc, &sub, chain, depth + 1);
	if (r < 0)
		return r;
	/* Included values come first; the including profile's own lines override them. */
	for (size_t i = 0; i < sub.n && r == 0; i++)
		r = put_req(p, &sub.req[i], false);
	for (size_t i = 0; i < sub.n_missing && r == 0; i++)
		r = add_missing(p, sub.missing[i]);
	tune_profile_free(&sub);
	return r;
}

static int load(const char *path, struct tune_profile *p, char (*chain)[PATH_MAX], int depth)
{
	enum { S_NONE, S_PROFILE, S_TUNABLES } sect = S_NONE;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	const char *base;
	int lineno = 0, r = 0;
	char (*seen)[TUNE_NAME_MAX] = NULL; /* names this file sets itself (twice is an error) */
	size_t nseen = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(p->name, sizeof(p->name), "%.*s", (int)strcspn(base, "."), base);
	if (!realpath(path, chain[depth]))
		snprintf(chain[depth], PATH_MAX, "%s", path);
	f = open_profile(path, &r);
	if (!f)
		return r;
	while ((got = getline(&line, &cap, f)) >= 0) {
		char *s, *eq, *key, *val;

		lineno++;
		if (got > 1000)
			BAD("tune: %s:%d: line too long (at most 1000 bytes)", path, lineno);
		if (memchr(line, '\0', (size_t)got))
			BAD("tune: %s:%d: a NUL byte; a profile is text", path, lineno);
		for (ssize_t i = 0; i < got; i++)
			if (((unsigned char)line[i] < 0x20 && line[i] != '\t' && line[i] != '\n' &&
			     line[i] != '\r') || (unsigned char)line[i] == 0x7f)
				BAD("tune: %s:%d: control byte 0x%02x; a profile is text", path, lineno,
				    (unsigned char)line[i]);
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || trim(e + 1)[0])
				BAD("tune: %s:%d: malformed section header '%.60s'", path, lineno, s);
			*e = '\0';
			s = trim(s + 1);
			if (strcmp(s, "profile") == 0)
				sect = S_PROFILE;
			else if (strcmp(s, "tunables") == 0)
				sect = S_TUNABLES;
			else
				BAD("tune: %s:%d: unknown section [%.60s]; allowed [profile], [tunables]",
				    path, lineno, s);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq)
			BAD("tune: %s:%d: expected NAME = VALUE, got '%.60s'", path, lineno, s);
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!*key)
			BAD("tune: %s:%d: missing name before '='", path, lineno);
		if (sect == S_NONE)
			BAD("tune: %s:%d: '%.60s' outside a section; put it under [tunables]", path,
			    lineno, key);
		if (sect == S_PROFILE) {
			if (strcmp(key, "description") == 0) {
				snprintf(p->description, sizeof(p->description), "%s", val);
			} else if (strcmp(key, "include") == 0) {
				if (!*val)
					BAD("tune: %s:%d: include: missing profile name or file", path, lineno);
				r = do_include(path, lineno, val, p, chain, depth);
				if (r < 0)
					goto out;
			} else {
				BAD("tune: %s:%d: unknown key '%.60s' in [profile]; allowed description, "
				    "include", path, lineno, key);
			}
			continue;
		}
		if (!*val)
			BAD("tune: %s:%d: %.60s: missing value", path, lineno, key);
		struct tune_key k;
		char sugg[256];
		if (tune_resolve(key, &k) < 0)
			BAD("tune: %s:%d: unknown tunable '%.60s'%s%s", path, lineno, key,
			    *tune_suggest(key, sugg, sizeof(sugg)) ? "; did you mean: " : "", sugg);
		for (size_t i = 0; i < nseen; i++)
			if (strcmp(seen[i], k.name) == 0)
				BAD("tune: %s:%d: %s set twice", path, lineno, k.name);
		char (*ns)[TUNE_NAME_MAX] = realloc(seen, (nseen + 1) * sizeof(*ns));
		if (!ns) {
			r = -ENOMEM;
			goto out;
		}
		seen = ns;
		snprintf(seen[nseen++], TUNE_NAME_MAX, "%s", k.name);
		if (!tune_present(&k)) {
			if (add_missing(p, k.name) < 0) {
				r = -ENOMEM;
				goto out;
			}
			continue;
		}
		struct tune_request rq = { .key = k };
		char why[512];
		if (tune_check(&k, val, rq.value, sizeof(rq.value), why, sizeof(why)) < 0)
			BAD("tune: %s:%d: %s", path, lineno, why);
		r = put_req(p, &rq, true);
		if (r < 0)
			goto out;
	}
	if (ferror(f)) {
		r = -EIO;
		locus_error("tune: %s: read error", path);
	}
out:
	free(line);
	free(seen);
	fclose(f);
	if (r < 0)
		tune_profile_free(p);
	return r;
}

int tune_profile_load(const char *path, struct tune_profile *p)
{
	char (*chain)[PATH_MAX] = calloc(INCLUDE_DEPTH, PATH_MAX);
	int r;

	if (!chain)
		return -ENOMEM;
	r = load(path, p, chain, 0);
	free(chain);
	return r;
}
