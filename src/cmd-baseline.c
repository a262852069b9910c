/*
 * cmd-baseline.c — `locus baseline save|list|id`: a directory of baselines, one per
 * machine fingerprint.
 *
 * A CI pipeline that runs on more than one kind of runner must compare each run with a
 * baseline measured on the same kind of machine; comparing across CPU models or kernels
 * produces regressions that are not in the code.  So a baseline directory holds one
 * result per fingerprint id (report/compare.h: a hash of env_critical_keys, not of the
 * host name, which CI runners change every job), and `locus gate --baseline DIR` picks
 * the one matching the run it just made.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "compare.h"
#include "env.h"
#include "log.h"
#include "result.h"

static void baseline_usage(FILE *f)
{
	fprintf(f,
		"Usage: locus baseline save DIR RESULT.json\n"
		"       locus baseline list DIR\n"
		"       locus baseline id [RESULT.json]\n"
		"\n"
		"Keep baselines for `locus gate`, one per machine fingerprint.  'save' validates\n"
		"RESULT.json and stores it as DIR/ID.json, where ID is the fingerprint id of the\n"
		"machine it was measured on (a hash of the critical environment keys: CPU model,\n"
		"microcode, hypervisor, SMT, governor, kernel, THP, NUMA balancing, cgroup\n"
		"limits, compiler; not the host name).  A baseline for the same fingerprint is\n"
		"replaced.  'list' shows the baselines in DIR.  'id' prints the fingerprint id of\n"
		"a result, or of this machine without an argument (handy as a CI cache key).\n"
		"\n"
		"Options:\n"
		"  -h, --help           this help\n"
		"\n"
		CMD_COMMON_HELP
		"\n"
		"Examples:\n"
		"  locus bench all --quick -o result.json && locus baseline save baselines result.json\n"
		"  locus gate --baseline baselines -- bench all --quick\n");
}

/* mkdir -p: 0, or prints the error and returns -1. */
static int make_dirs(const char *path)
{
	char *p = strdup(path);
	int rc = 0;

	if (!p)
		return locus_error("baseline: out of memory");
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = locus_error("%s: cannot create directory: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!rc) {
		struct stat st;

		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = locus_error("%s: not a directory", path);
	}
	return rc;
}

static int baseline_save(const char *dir, const char *file)
{
	char id[17], *path = NULL, *tmp = NULL, *text;
	json_t *r = result_load(file);
	const json_t *env;
	bool replaced;
	int rc = LOCUS_EXIT_FAIL;

	if (!r)
		return LOCUS_EXIT_USAGE;
	env = json_object_get(r, "env");
	if (!json_is_object(env))
		locus_warn("baseline: %s has no environment fingerprint; it can only be matched by "
			   "other results without one", file);
	compare_fingerprint_id(env, id);
	if (make_dirs(dir) < 0)
		goto out;
	if (asprintf(&path, "%s/%s.json", dir, id) < 0 ||
	    asprintf(&tmp, "%s/.%s.json.tmp%ld", dir, id, (long)getpid()) < 0) {
		path = tmp = NULL;
		locus_error("baseline: out of memory");
		goto out;
	}
	replaced = access(path, F_OK) == 0;
	/* Write aside and rename, so a reader (a concurrent gate) never sees half a file. */
	if (result_write(r, tmp) < 0) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		locus_error("%s: cannot store the baseline: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	text = compare_fingerprint_text(env);
	printf("%s baseline %s for fingerprint %s: %s\n", replaced ? "replaced" : "saved", path,
	       id, text ? text : "");
	free(text);
	rc = LOCUS_EXIT_OK;
out:
	free(path);
	free(tmp);
	json_decref(r);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cmd_baseline_scan(const char *dir, size_t *n, int *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;

	*n = 0;
	*err = 0;
	if (!d) {
		*err = errno;
		return NULL;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char **nn;

		if (len != 21 || strcmp(e->d_name + 16, ".json") != 0 ||
		    strspn(e->d_name, "0123456789abcdef") != 16)
			continue;
		nn = realloc(names, (*n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[*n] = strdup(e->d_name);
		if (names[*n])
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

static int baseline_list(const char *dir)
{
	size_t n;
	int err, rc = LOCUS_EXIT_OK;
	char **names = cmd_baseline_scan(dir, &n, &err);

	if (err)
		return locus_error("%s: cannot read the baseline directory: %s", dir, strerror(err)),
		       LOCUS_EXIT_USAGE;
	if (!n)
		printf("no baselines in %s\n", dir);
	for (size_t i = 0; i < n; i++) {
		char *path = NULL, id[17], *text;
		json_t *r;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			free(names[i]);
			continue;
		}
		r = result_load(path);
		if (!r) {
			rc = LOCUS_EXIT_USAGE;
		} else {
			const json_t *env = json_object_get(r, "env");
			const char *created = json_string_value(json_object_get(r, "created"));

			compare_fingerprint_id(env, id);
			text = compare_fingerprint_text(env);
			printf("%.16s  %-20s  %zu measurements  %s%s\n", names[i],
			       created ? created : "?",
			       json_array_size(json_object_get(r, "measurements")),
			       text ? text : "", strncmp(id, names[i], 16) ?
			       "  (WARNING: the content's fingerprint is not its name)" : "");
			free(text);
		}
		json_decref(r);
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int baseline_id(const char *file)
{
	char id[17];
	json_t *r;

	if (file) {
		r = result_load(file);
		if (!r)
			return LOCUS_EXIT_USAGE;
		printf("%s\n", compare_fingerprint_id(json_object_get(r, "env"), id));
		json_decref(r);
		return LOCUS_EXIT_OK;
	}
	r = env_fingerprint();
	if (!r)
		return locus_error("baseline: out of memory collecting the fingerprint"),
		       LOCUS_EXIT_FAIL;
	printf("%s\n", compare_fingerprint_id(r, id));
	json_decref(r);
	return LOCUS_EXIT_OK;
}

int cmd_baseline(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub;
	int c, nargs;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			baseline_usage(stdout);
			return LOCUS_EXIT_OK;
		default:
			return cmd_usage_error("baseline");
		}
	}
	if (optind >= argc) {
		locus_error("baseline: missing subcommand; allowed: save, list, id");
		return cmd_usage_error("baseline");
	}
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(sub, "save") == 0 && nargs == 2)
		return baseline_save(argv[optind + 1], argv[optind + 2]);
	if (strcmp(sub, "list") == 0 && nargs == 1)
		return baseline_list(argv[optind + 1]);
	if (strcmp(sub, "id") == 0 && nargs <= 1)
		return baseline_id(nargs ? argv[optind + 1] : NULL);
	if (strcmp(sub, "save") && strcmp(sub, "list") && strcmp(sub, "id"))
		locus_error("baseline: '%s' is not a subcommand; allowed: save, list, id", sub);
	else
		locus_error("baseline: %s: wrong number of arguments (%d)", sub, nargs);
	return cmd_usage_error("baseline");
}
