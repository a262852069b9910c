/* SPDX-License-Identifier: MIT */
/*
 * compare-config.c — the per-bench/metric overrides file of `compare --config` and
 * `gate --config` (format in compare-config.h): parsed once, then matched against each
 * measurement's key with fnmatch, later lines winning.
 */
#include "config.h"
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "compare-config.h"
#include "log.h"
#include "parse.h"
#include "result.h"

struct cfg_rule {
	char *pattern;
	bool full_key;              /* match the whole key, not just bench/metric */
	bool has_alpha, has_threshold;
	double alpha, threshold;
};

struct compare_config {
	struct cfg_rule *rules;
	size_t n;
};

void compare_config_free(struct compare_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->rules[i].pattern);
	free(c->rules);
	free(c);
}

static int cfg_line(const char *path, unsigned line, char *s, struct cfg_rule *r)
{
	char what[512], *tok, *save = NULL, *eq;
	bool any = false;

	tok = strtok_r(s, " \t", &save);
	if (strchr(tok, '=') && !strchr(tok, '{'))
		return locus_fail(EINVAL, "%s:%u: the line must start with a pattern (bench/metric), not '%s'",
					  path, line, tok);
	if (!strchr(tok, '/') && !strchr(tok, '{')) {
		r->pattern = malloc(strlen(tok) + 3);
		if (r->pattern)
			sprintf(r->pattern, "%s/*", tok);
	} else {
		r->pattern = strdup(tok);
	}
	if (!r->pattern)
		return -ENOMEM;
	r->full_key = strchr(tok, '{') != NULL;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1])
			return locus_fail(EINVAL, "%s:%u: '%s' is not KEY=VALUE (keys: threshold, alpha)",
						  path, line, tok);
		*eq++ = '\0';
		snprintf(what, sizeof(what), "%s:%u: %s", path, line, tok);
		if (strcmp(tok, "threshold") == 0) {
			size_t len = strlen(eq);

			if (len > 1 && eq[len - 1] == '%')
				eq[len - 1] = '\0';
			if (parse_double(what, eq, 0.0, 1000.0, &r->threshold) < 0)
				return -EINVAL;
			r->threshold /= 100.0;
			r->has_threshold = true;
		} else if (strcmp(tok, "alpha") == 0) {
			if (parse_double(what, eq, 1e-12, 0.5, &r->alpha) < 0)
				return -EINVAL;
			r->has_alpha = true;
		} else {
			return locus_fail(EINVAL, "%s:%u: unknown setting '%s' (allowed: threshold, alpha)",
						  path, line, tok);
		}
		any = true;
	}
	if (!any)
		return locus_fail(EINVAL, "%s:%u: pattern '%s' has no settings (threshold=PCT, alpha=A)",
					  path, line, r->pattern);
	return 0;
}

int compare_config_load(const char *path, struct compare_config **out)
{
	struct compare_config *c;
	struct stat st;
	/* A FIFO or a device would block: a config is a regular file. */
	FILE *f = stat(path, &st) == 0 && !S_ISREG(st.st_mode) ? (errno = EINVAL, NULL)
								: fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	int rc = 0;

	*out = NULL;
	if (!f) {
		rc = -errno;
		locus_error("%s: cannot read: %s", path, strerror(errno));
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fclose(f);
		return -ENOMEM;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *s = buf, *hash = strchr(buf, '#'), *end;
		struct cfg_rule *rules;

		line++;
		if (hash)
			*hash = '\0';
		s += strspn(s, " \t\r\n");
		end = s + strlen(s);
		while (end > s && strchr(" \t\r\n", end[-1]))
			*--end = '\0';
		if (!*s)
			continue;
		rules = realloc(c->rules, (c->n + 1) * sizeof(*rules));
		if (!rules) {
			rc = -ENOMEM;
			break;
		}
		c->rules = rules;
		memset(&c->rules[c->n], 0, sizeof(c->rules[0]));
		rc = cfg_line(path, line, s, &c->rules[c->n]);
		c->n++;
		if (rc < 0) {
			rc = rc == -ENOMEM ? rc : -EINVAL;
			break;
		}
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		locus_error("%s: read error", path);
	}
	free(buf);
	fclose(f);
	if (rc < 0) {
		compare_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void compare_config_apply(const struct compare_config *c, const json_t *m,
			  double *alpha, double *threshold)
{
	char *key = NULL, *bm = NULL;

	if (!c || !c->n)
		return;
	key = result_key(m);
	if (asprintf(&bm, "%s/%s", json_string_value(json_object_get(m, "bench")),
		     json_string_value(json_object_get(m, "metric"))) < 0)
		bm = NULL;
	if (!key || !bm)
		goto out;
	for (size_t i = 0; i < c->n; i++) {
		const struct cfg_rule *r = &c->rules[i];

		if (fnmatch(r->pattern, r->full_key ? key : bm, 0) != 0)
			continue;
		if (r->has_alpha)
			*alpha = r->alpha;
		if (r->has_threshold)
			*threshold = r->threshold;
	}
out:
	free(key);
	free(bm);
}
