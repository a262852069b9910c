/* SPDX-License-Identifier: MIT */
/*
 * baseline.c — the baseline store (baseline.h): a directory per machine fingerprint
 * holding numbered runs, loaded as a set for `compare`/`gate` and appended to (oldest
 * dropped beyond `keep`) by `locus baseline save`.  Files are written aside and
 * renamed, so an interrupted save never leaves half a run.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "baseline.h"
#include "compare.h"
#include "compare-internal.h"
#include "log.h"
#include "result.h"
#include "runs.h"

static bool is_fp_id(const char *s, size_t len)
{
	return len == 16 && strspn(s, "0123456789abcdef") >= 16;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The names in dir that `want` accepts, sorted; -errno when dir cannot be read. */
static int list_dir(const char *dir, bool (*want)(const char *dir, const char *name),
		    char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char **nn;

		if (!want(dir, e->d_name))
			continue;
		nn = realloc(*names, (*n + 1) * sizeof(**names));
		if (!nn || !(nn[*n] = strdup(e->d_name))) {
			if (nn)
				*names = nn;
			rc = -ENOMEM;
			break;
		}
		*names = nn;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), compare_cmp_strp);
	return rc;
}

static void free_names(char **names, size_t n)
{
	compare_free_strs(names, n);
}

/* A run of a set: NAME.json, not hidden (temporary files start with '.'). */
static bool want_run(const char *dir, const char *name)
{
	size_t len = strlen(name);

	(void)dir;
	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

/* An entry of a store: ID (a set directory) or ID.json (the old layout). */
static bool want_store_entry(const char *dir, const char *name)
{
	size_t len = strlen(name);

	(void)dir;
	return is_fp_id(name, len) ||
	       (len == 21 && strcmp(name + 16, ".json") == 0 && is_fp_id(name, 16));
}

/* A file of several merged runs (lib/runs.h: `locus gate --runs`, `tune ab`) is that
 * many baseline runs: each gets its own entry (the path repeated), so the run-level
 * rule sees every run.  Takes r. */
static int baseline_push_merged(struct compare_baseline *b, const char *path, json_t *r)
{
	json_t **parts = NULL;
	size_t np = 0, i;
	int rc = runs_split(r, &parts, &np);

	json_decref(r);
	if (rc < 0)
		return rc;
	for (i = 0; i < np; i++) {
		json_t **runs = realloc(b->runs, (b->n + 1) * sizeof(*runs));
		char **paths = runs ? realloc(b->paths, (b->n + 1) * sizeof(*paths)) : NULL;

		if (runs)
			b->runs = runs;
		if (paths)
			b->paths = paths;
		if (!runs || !paths || !(b->paths[b->n] = strdup(path)))
			break;
		b->runs[b->n++] = parts[i];
	}
	rc = i == np ? 0 : -ENOMEM;
	for (; i < np; i++)
		json_decref(parts[i]);
	free(parts);
	return rc;
}

static int baseline_push(struct compare_baseline *b, const char *path)
{
	json_t **runs = realloc(b->runs, (b->n + 1) * sizeof(*runs));
	char **paths;
	json_t *r;

	if (!runs)
		return -ENOMEM;
	b->runs = runs;
	paths = realloc(b->paths, (b->n + 1) * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	b->paths = paths;
	r = result_load(path);
	if (!r)
		return -EINVAL;
	if (runs_count(r) > 1)
		return baseline_push_merged(b, path, r);
	b->paths[b->n] = strdup(path);
	if (!b->paths[b->n]) {
		json_decref(r);
		return -ENOMEM;
	}
	b->runs[b->n++] = r;
	return 0;
}

/* Every run of set directory dir, in name order. */
static int load_set_dir(const char *dir, struct compare_baseline *b, size_t *added)
{
	char **names, *path;
	size_t n;
	int rc = list_dir(dir, want_run, &names, &n);

	*added = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			return free_names(names, n), -ENOMEM;
		rc = baseline_push(b, path);
		free(path);
		*added += rc == 0;
	}
	free_names(names, n);
	return rc;
}

int compare_baseline_load(const char *path, const json_t *env, struct compare_baseline *b)
{
	char **names = NULL, id[17], *legacy = NULL, *set = NULL;
	size_t n = 0, added = 0;
	int rc;

	if (!is_dir(path)) {
		if (access(path, R_OK) != 0) {
			rc = -errno;
			locus_error("%s: cannot read the baseline: %s", path, strerror(errno));
			return rc == -ENOMEM ? rc : -EINVAL;
		}
		rc = baseline_push(b, path);
		if (rc == 0 && !b->name)
			b->name = strdup(path);
		return rc;
	}
	rc = list_dir(path, want_store_entry, &names, &n);
	if (rc < 0) {
		if (rc != -ENOMEM)
			locus_error("%s: cannot read the baseline directory: %s", path, strerror(-rc));
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	if (n == 0) {
		/* not a store: a set by itself */
		rc = load_set_dir(path, b, &added);
		if (rc == 0 && !added) {
			locus_error("%s: no baseline run (*.json) in this directory", path);
			rc = -ENOENT;
		}
		if (rc == 0 && !b->name)
			b->name = strdup(path);
		return rc;
	}
	free_names(names, n);
	compare_fingerprint_id(env, id);
	if (asprintf(&legacy, "%s/%s.json", path, id) < 0 || asprintf(&set, "%s/%s", path, id) < 0) {
		free(legacy);
		return -ENOMEM;
	}
	/* the old single-file layout is the oldest run of the set */
	if (access(legacy, F_OK) == 0) {
		rc = baseline_push(b, legacy);
		added += rc == 0;
	}
	if (rc == 0 && is_dir(set)) {
		size_t k;

		rc = load_set_dir(set, b, &k);
		added += k;
	}
	if (rc == 0 && !added) {
		char *text = compare_fingerprint_text(env);
		size_t others = 0;

		if (compare_baseline_ids(path, &names, NULL, &n) == 0) {
			others = n;
			free_names(names, n);
		}
		locus_error("%s has no baseline for this machine (fingerprint %s: %s); it holds "
			    "%zu other%s; save one with 'locus baseline save %s RESULT.json'",
			    path, id, text ? text : "", others, others == 1 ? "" : "s", path);
		free(text);
		rc = -ENOENT;
	}
	if (rc == 0 && !b->name)
		b->name = strdup(is_dir(set) ? set : legacy);
	free(legacy);
	free(set);
	return rc;
}

void compare_baseline_free(struct compare_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->runs[i]);
		free(b->paths[i]);
	}
	free(b->runs);
	free(b->paths);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

/* mkdir -p: 0, or prints the error and returns -errno. */
static int make_dirs(const char *path)
{
	char *p = strdup(path);
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = -errno;
			locus_error("%s: cannot create directory: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!rc && !is_dir(path)) {
		locus_error("%s: not a directory", path);
		rc = -ENOTDIR;
	}
	return rc;
}

/* A run's sequence number from its name "NNNNNN.json"; 0 for other names. */
static unsigned long run_seq(const char *name)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);

	return end != name && strcmp(end, ".json") == 0 ? v : 0;
}

/* A result of several merged runs (lib/runs.h) is saved as its runs, one file each, in
 * run order: the store holds runs, and the run-level rule counts them. */
static int baseline_save_merged(const char *dir, const json_t *result, unsigned keep,
				char **stored, size_t *n_runs, size_t *dropped)
{
	json_t **parts = NULL;
	size_t np = 0, gone = 0;
	int rc = runs_split(result, &parts, &np);

	for (size_t i = 0; i < np; i++) {
		size_t d = 0;

		if (rc == 0) {
			if (stored) {
				free(*stored);
				*stored = NULL;
			}
			rc = compare_baseline_save(dir, parts[i], keep, stored, n_runs, &d);
			gone += d;
		}
		json_decref(parts[i]);
	}
	free(parts);
	if (dropped)
		*dropped = gone;
	return rc;
}

/* One line of SET/history.jsonl for run `seq` (report/history.h). */
static int history_append(const char *set, const json_t *result, unsigned long seq)
{
	json_t *line = json_object(), *meds = json_object(), *m;
	const json_t *bl = json_object_get(result, "baseline");
	char *path = NULL, *text = NULL;
	size_t i;
	FILE *f;
	int rc = -ENOMEM;

	if (!line || !meds)
		goto out;
	json_object_set_new(line, "seq", json_integer((json_int_t)seq));
	json_object_set(line, "saved", json_object_get(bl, "saved") ? json_object_get(bl, "saved") : json_null());
	json_object_set(line, "rev", json_object_get(bl, "rev") ? json_object_get(bl, "rev") : json_null());
	json_object_set(line, "created", json_object_get(result, "created") ? json_object_get(result, "created") : json_null());
	json_array_foreach(json_object_get(result, "measurements"), i, m) {
		char *key = result_key(m);
		json_t *med = json_object_get(json_object_get(m, "summary"), "median");

		if (!key)
			goto out;
		if (json_is_number(med))
			json_object_set(meds, key, med);
		free(key);
	}
	json_object_set(line, "medians", meds);
	text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(17));
	if (!text || asprintf(&path, "%s/history.jsonl", set) < 0) {
		path = NULL;
		goto out;
	}
	f = fopen(path, "a");
	if (!f) {
		rc = -errno;
		goto out;
	}
	rc = fprintf(f, "%s\n", text) < 0 ? -EIO : 0;
	if (fclose(f) != 0)
		rc = -EIO;
out:
	json_decref(line);
	json_decref(meds);
	free(text);
	free(path);
	return rc;
}

int compare_baseline_save(const char *dir, const json_t *result, unsigned keep,
			  char **stored, size_t *n_runs, size_t *dropped)
{
	char id[17], *set = NULL, *legacy = NULL, *path = NULL, *tmp = NULL, **names = NULL;
	unsigned long seq = 0;
	size_t n = 0, gone = 0;
	int rc;

	if (stored)
		*stored = NULL;
	/* "" + "/ID" is /ID: never write outside the directory the caller named. */
	if (!dir || !*dir) {
		locus_error("baseline: the baseline directory name is empty");
		return -EINVAL;
	}
	if (runs_count(result) > 1)
		return baseline_save_merged(dir, result, keep, stored, n_runs, dropped);
	if (keep < 1)
		keep = 1;
	compare_fingerprint_id(json_object_get(result, "env"), id);
	if (asprintf(&set, "%s/%s", dir, id) < 0) {
		set = NULL;
		rc = -ENOMEM;
		goto out;
	}
	if (asprintf(&legacy, "%s/%s.json", dir, id) < 0) {
		legacy = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = make_dirs(set);
	if (rc < 0)
		goto out;
	rc = list_dir(set, want_run, &names, &n);
	if (rc < 0) {
		if (rc != -ENOMEM)
			locus_error("%s: cannot read: %s", set, strerror(-rc));
		goto out;
	}
	/* the old layout's file becomes the set's oldest run */
	if (access(legacy, F_OK) == 0) {
		char *to = NULL;

		if (asprintf(&to, "%s/000000.json", set) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		if (access(to, F_OK) != 0 && rename(legacy, to) < 0) {
			rc = -errno;
			locus_error("%s: cannot move it into %s: %s", legacy, set, strerror(errno));
			free(to);
			goto out;
		}
		free(to);
		free_names(names, n);
		rc = list_dir(set, want_run, &names, &n);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (run_seq(names[i]) > seq)
			seq = run_seq(names[i]);
	if (asprintf(&path, "%s/%06lu.json", set, seq + 1) < 0 ||
	    asprintf(&tmp, "%s/.%06lu.json.tmp%ld", set, seq + 1, (long)getpid()) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	/* Write aside and rename, so a reader (a concurrent gate) never sees half a file. */
	if (result_write(result, tmp) < 0) {
		unlink(tmp);
		rc = -EIO;
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		locus_error("%s: cannot store the baseline: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* the history keeps every run, pruned or not (report/history.h) */
	if (history_append(set, result, seq + 1) < 0)
		locus_warn("%s/history.jsonl: could not append this run; its history misses it", set);
	/* keep the newest `keep`: names sort oldest first, the new run is not in names */
	for (size_t i = 0; n + 1 - gone > keep && i < n; i++) {
		char *old = NULL;

		if (asprintf(&old, "%s/%s", set, names[i]) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		if (unlink(old) < 0)
			locus_warn("%s: cannot remove an old baseline run: %s", old, strerror(errno));
		else
			gone++;
		free(old);
	}
	if (n_runs)
		*n_runs = n + 1 - gone;
	if (dropped)
		*dropped = gone;
	if (stored) {
		*stored = path;
		path = NULL;
	}
out:
	if (rc == -ENOMEM)
		locus_error("baseline: out of memory");
	free_names(names, n);
	free(set);
	free(legacy);
	free(path);
	free(tmp);
	return rc;
}

/* The number of runs stored for fingerprint id in store dir. */
static size_t count_runs(const char *dir, const char *id)
{
	char *p = NULL, **rn;
	size_t runs = 0, nr;

	if (asprintf(&p, "%s/%s.json", dir, id) < 0)
		return 0;
	runs += access(p, F_OK) == 0;
	p[strlen(p) - 5] = '\0';
	if (is_dir(p) && list_dir(p, want_run, &rn, &nr) == 0) {
		runs += nr;
		free_names(rn, nr);
	}
	free(p);
	return runs;
}

int compare_baseline_ids(const char *dir, char ***ids, size_t **counts, size_t *n)
{
	char **names;
	size_t k, m = 0;
	int rc = list_dir(dir, want_store_entry, &names, &k);

	*ids = NULL;
	*n = 0;
	if (counts)
		*counts = NULL;
	if (rc < 0)
		return rc;
	if (counts && !(*counts = calloc(k ? k : 1, sizeof(**counts)))) {
		free_names(names, k);
		return -ENOMEM;
	}
	/* sorted, so ID comes right before ID.json: keep one name per id */
	for (size_t i = 0; i < k; i++) {
		names[i][16] = '\0';
		if (m && strcmp(names[m - 1], names[i]) == 0) {
			free(names[i]);
			continue;
		}
		names[m++] = names[i];
	}
	for (size_t i = 0; counts && i < m; i++)
		(*counts)[i] = count_runs(dir, names[i]);
	*ids = names;
	*n = m;
	if (!m) {
		free(names);
		*ids = NULL;
	}
	return 0;
}
