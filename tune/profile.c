/*
 * profile.c — the parser for tuning profiles (tune/profiles/NAME.conf, docs/tune.md).
 *
 * A profile is INI-like: '#' or ';' comments, a [profile] section with
 * `description = ...`, and a [tunables] section of `NAME = VALUE` lines naming
 * entries of the tunables table.  Everything is validated at load time against the
 * running kernel (ranges, THP choices), so a bad profile is refused, with its file and
 * line, before anything is written.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "log.h"
#include "tune.h"

const char *tune_profiles_dir(void)
{
	const char *env = getenv("LOCUS_PROFILES_DIR");
	struct stat st;

	if (env && *env)
		return env;
	/* Installed: pkgdatadir.  Run from the build tree (scripts/quickstart does), the
	 * profiles are still in the source tree configure was run from. */
	if (stat(LOCUS_DATADIR "/profiles", &st) < 0 && stat(LOCUS_SRCDIR "/tune/profiles", &st) == 0)
		return LOCUS_SRCDIR "/tune/profiles";
	return LOCUS_DATADIR "/profiles";
}

int tune_profile_find(const char *arg, char *buf, size_t len)
{
	struct stat st;

	if (strchr(arg, '/') || (stat(arg, &st) == 0 && S_ISREG(st.st_mode))) {
		snprintf(buf, len, "%s", arg);
		if (stat(buf, &st) == 0)
			return 0;
		return locus_error("tune: %s: no such profile file", arg), -ENOENT;
	}
	snprintf(buf, len, "%s/%s.conf", tune_profiles_dir(), arg);
	if (stat(buf, &st) == 0)
		return 0;
	return locus_error("tune: '%s': no such profile in %s (see 'locus tune profiles')", arg,
			   tune_profiles_dir()), -ENOENT;
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

#define BAD(...) do { locus_error(__VA_ARGS__); r = -EINVAL; goto out; } while (0)

int tune_profile_load(const char *path, struct tune_profile *p)
{
	enum { S_NONE, S_PROFILE, S_TUNABLES } sect = S_NONE;
	char line[1024];
	const char *base;
	int lineno = 0, r = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(p->name, sizeof(p->name), "%.*s", (int)strcspn(base, "."), base);
	f = fopen(path, "r");
	if (!f) {
		r = -errno;
		locus_error("tune: %s: cannot read: %s", path, strerror(errno));
		return r;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val;

		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			BAD("tune: %s:%d: line too long", path, lineno);
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || trim(e + 1)[0])
				BAD("tune: %s:%d: malformed section header '%s'", path, lineno, s);
			*e = '\0';
			s = trim(s + 1);
			if (strcmp(s, "profile") == 0)
				sect = S_PROFILE;
			else if (strcmp(s, "tunables") == 0)
				sect = S_TUNABLES;
			else
				BAD("tune: %s:%d: unknown section [%s]; allowed [profile], [tunables]",
				    path, lineno, s);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq)
			BAD("tune: %s:%d: expected NAME = VALUE, got '%s'", path, lineno, s);
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!*key)
			BAD("tune: %s:%d: missing name before '='", path, lineno);
		if (sect == S_NONE)
			BAD("tune: %s:%d: '%s' outside a section; put it under [tunables]", path,
			    lineno, key);
		if (sect == S_PROFILE) {
			if (strcmp(key, "description") == 0)
				snprintf(p->description, sizeof(p->description), "%s", val);
			else
				BAD("tune: %s:%d: unknown key '%s' in [profile]; allowed description",
				    path, lineno, key);
			continue;
		}
		if (!*val)
			BAD("tune: %s:%d: %s: missing value", path, lineno, key);
		struct tune_key k;
		char sugg[256];
		if (tune_resolve(key, &k) < 0)
			BAD("tune: %s:%d: unknown tunable '%s'%s%s", path, lineno, key,
			    *tune_suggest(key, sugg, sizeof(sugg)) ? "; did you mean: " : "", sugg);
		for (size_t i = 0; i < p->n; i++)
			if (strcmp(p->req[i].key.name, k.name) == 0)
				BAD("tune: %s:%d: %s set twice", path, lineno, k.name);
		if (!tune_present(&k)) {
			char **m = realloc(p->missing, (p->n_missing + 1) * sizeof(*m));
			if (!m) {
				r = -ENOMEM;
				goto out;
			}
			p->missing = m;
			p->missing[p->n_missing++] = strdup(k.name);
			continue;
		}
		struct tune_request *nr = realloc(p->req, (p->n + 1) * sizeof(*nr));
		if (!nr) {
			r = -ENOMEM;
			goto out;
		}
		p->req = nr;
		p->req[p->n].key = k;
		char why[512];
		if (tune_check(&k, val, p->req[p->n].value, sizeof(p->req[p->n].value), why,
			       sizeof(why)) < 0)
			BAD("tune: %s:%d: %s", path, lineno, why);
		p->n++;
	}
	if (ferror(f)) {
		r = -EIO;
		locus_error("tune: %s: read error", path);
	}
out:
	fclose(f);
	if (r < 0)
		tune_profile_free(p);
	return r;
}
