/* SPDX-License-Identifier: MIT */
/*
 * fleet.c — the fleet analysis of `locus report` (three or more result files, one per
 * host): which hosts are off, on which measurements, and what is set differently on
 * them.  See fleet.h for the rule.
 *
 * Why medians and MAD: a fleet report is read to find the odd host.  A mean and a
 * standard deviation would let that host pull the fleet's centre towards itself and
 * widen the spread it is judged by (with five hosts one outlier can mask itself); the
 * median of the hosts' medians and the median absolute deviation do not move.  The
 * robust z is (x - median) / (1.4826 MAD): 1.4826 makes MAD estimate a standard
 * deviation for normal data, so 3.5 means what it means for a z-score.  When most
 * hosts agree exactly (MAD near 0) the z of any difference explodes, so the scale is
 * floored at 1% of the median, and a flag also needs the minimum effect: the question
 * is "which host differs by enough to matter", not "which differs at all".  Last, a
 * host is not flagged on a measurement when its own bootstrap CI of the median (in
 * the result's summary) contains the fleet median: its samples did not show it.
 *
 * Fingerprints are compared over every key of the environment except those that
 * differ between any two hosts by nature (host name, time, timer calibration, counter
 * availability) plus a few topology facts (nodes, cores, memory per node, LLC size).
 * Numbers within 1% are the same (firmware reserves a little memory differently).
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fleet.h"
#include "report.h"
#include "result.h"
#include "stats.h"

#define MAD_SCALE 1.4826
#define SCALE_FLOOR 0.01

static const char *const volatile_prefixes[] = {
	"host", "time", "timer.", "counters.", "locus.git", "cgroup.path",
	"kernel.version", NULL,
};

static bool is_volatile(const char *key)
{
	for (const char *const *p = volatile_prefixes; *p; p++) {
		size_t l = strlen(*p);

		if (!strncmp(key, *p, l) && (key[l] == '\0' || key[l] == '.' || (*p)[l - 1] == '.'))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- measurements */

struct entry {
	char *key;
	size_t host;
	double median;
	const json_t *m;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->host < y->host ? -1 : x->host > y->host;
}

/* The key of m without the "source" label report.c adds to multi-file loads. */
static char *key_without_source(const json_t *m)
{
	json_t *labels = json_object_get(m, "labels");
	json_t *tmp = json_pack("{s:O?, s:O?}", "bench", json_object_get(m, "bench"),
				"metric", json_object_get(m, "metric"));
	json_t *l = json_object();
	const char *k;
	json_t *v;
	char *key = NULL;

	if (tmp && l) {
		json_object_foreach(labels, k, v)
			if (strcmp(k, "source"))
				json_object_set(l, k, v);
		json_object_set(tmp, "labels", l);
		key = result_key(tmp);
	}
	json_decref(l);
	json_decref(tmp);
	return key;
}

/* Whether m is a knee position (its bench's figure names its metric as knee_metric:
 * tlb_reach, cache_size).  Knees are numbered in the order found, so knee 1 of one
 * host need not be the knee 1 of another (a host that finds one knee fewer shifts
 * them all): comparing them by number would pair different things. */
static bool is_knee(const json_t *res, const json_t *m)
{
	const char *bench = json_string_value(json_object_get(m, "bench"));
	const char *metric = json_string_value(json_object_get(m, "metric"));
	const json_t *fg;
	size_t i;

	if (!bench || !metric)
		return false;
	json_array_foreach(json_object_get(json_object_get(json_object_get(res, "benches"), bench),
					   "figures"), i, fg) {
		const char *k = json_string_value(json_object_get(fg, "knee_metric"));

		if (k && !strcmp(k, metric))
			return true;
	}
	return false;
}

/* "bench/metric" of a knee left out, once each, into f->knee_metrics ("a, b"). */
static int note_knee(struct fleet *f, const json_t *m)
{
	char *name = NULL, *all = NULL;
	int rc = 0;

	if (asprintf(&name, "%s/%s", json_string_value(json_object_get(m, "bench")),
		     json_string_value(json_object_get(m, "metric"))) < 0)
		return -ENOMEM;
	f->nknees++;
	if (f->knee_metrics) {
		const char *p = strstr(f->knee_metrics, name);
		size_t l = strlen(name);

		if (p && (p == f->knee_metrics || p[-1] == ' ') && (p[l] == '\0' || p[l] == ','))
			goto out;
	}
	if (asprintf(&all, "%s%s%s", f->knee_metrics ? f->knee_metrics : "",
		     f->knee_metrics ? ", " : "", name) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	free(f->knee_metrics);
	f->knee_metrics = all;
out:
	free(name);
	return rc;
}

static int collect(struct fleet *f, const json_t *const *res, size_t n, struct entry **out,
		   size_t *nout)
{
	struct entry *e = NULL;
	size_t ne = 0, cap = 0;

	for (size_t h = 0; h < n; h++) {
		size_t i;
		json_t *m;

		json_array_foreach(json_object_get(res[h], "measurements"), i, m) {
			double med = report_summary(m, "median");

			if (!isfinite(med))
				continue;
			if (is_knee(res[h], m)) {
				if (note_knee(f, m) < 0)
					goto nomem;
				continue;
			}
			if (ne == cap) {
				struct entry *ne2 = realloc(e, (cap = cap ? 2 * cap : 256) * sizeof(*e));

				if (!ne2)
					goto nomem;
				e = ne2;
			}
			e[ne] = (struct entry){ .key = key_without_source(m), .host = h,
						.median = med, .m = m };
			if (!e[ne].key)
				goto nomem;
			ne++;
		}
	}
	qsort(e, ne, sizeof(*e), cmp_entry);
	*out = e;
	*nout = ne;
	return 0;
nomem:
	for (size_t i = 0; i < ne; i++)
		free(e[i].key);
	free(e);
	return -ENOMEM;
}

static char *dupstr(const json_t *v)
{
	const char *s = json_string_value(v);

	return strdup(s ? s : "");
}

static int add_flag(struct fleet_host *h, struct fleet_flag fl)
{
	struct fleet_flag *nf = realloc(h->flags, (h->nflags + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	h->flags = nf;
	nf[h->nflags++] = fl;
	return 0;
}

/* One group of entries with the same key (e[0..k), one per host at most). */
static int judge(struct fleet *f, const struct entry *e, size_t k)
{
	double *v = malloc(k * sizeof(*v));
	struct fleet_meas *nm, *fm;
	double med, mad, scale;
	int rc = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < k; i++)
		v[i] = e[i].median;
	med = stats_median(v, k);
	for (size_t i = 0; i < k; i++)
		v[i] = fabs(e[i].median - med);
	mad = stats_median(v, k);
	free(v);
	if (!isfinite(med) || !isfinite(mad))
		return -ENOMEM;   /* stats_median's only failure */

	nm = realloc(f->meas, (f->nmeas + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	f->meas = nm;
	fm = &nm[f->nmeas];
	*fm = (struct fleet_meas){
		.key = strdup(e[0].key),
		.bench = dupstr(json_object_get(e[0].m, "bench")),
		.metric = dupstr(json_object_get(e[0].m, "metric")),
		.unit = dupstr(json_object_get(e[0].m, "unit")),
		.words = report_labels_text(NULL, e[0].m, "source"),
		.higher_is_better = json_is_true(json_object_get(e[0].m, "higher_is_better")),
		.median = med, .mad = mad, .nhosts = k,
	};
	f->nmeas++;
	if (!fm->key || !fm->bench || !fm->metric || !fm->unit || !fm->words)
		return -ENOMEM;

	scale = fmax(MAD_SCALE * mad, SCALE_FLOOR * fabs(med));
	for (size_t i = 0; i < k && rc == 0; i++) {
		struct fleet_host *h = &f->hosts[e[i].host];
		double change = med != 0 ? e[i].median / med - 1 : 0;
		double z = scale > 0 ? (e[i].median - med) / scale : 0;

		double lo = report_summary(e[i].m, "ci_low"), hi = report_summary(e[i].m, "ci_high");

		h->nmeas++;
		if (fabs(z) < f->z_threshold || fabs(change) < f->min_effect)
			continue;
		/* A host whose own confidence interval of the median reaches the fleet
		 * median has not shown that it differs: its samples were too spread. */
		if (isfinite(lo) && isfinite(hi) && lo <= med && med <= hi)
			continue;
		rc = add_flag(h, (struct fleet_flag){
			.meas = f->nmeas - 1, .value = e[i].median, .change = change, .z = z,
			.worse = fm->higher_is_better ? change < 0 : change > 0 });
	}
	return rc;
}

static int measurements(struct fleet *f, const json_t *const *res, size_t n)
{
	struct entry *e = NULL;
	size_t ne = 0;
	int rc = collect(f, res, n, &e, &ne);

	for (size_t i = 0; rc == 0 && i < ne;) {
		size_t j = i + 1, hosts = 1;

		while (j < ne && !strcmp(e[j].key, e[i].key)) {
			/* One value per host: a file holding the key twice (merged runs
			 * keep one measurement per key, so this is a malformed merge) keeps
			 * its first. */
			if (e[j].host != e[j - 1].host)
				hosts++;
			j++;
		}
		if (hosts >= 3) {
			struct entry *g = malloc((j - i) * sizeof(*g));
			size_t k = 0;

			if (!g) {
				rc = -ENOMEM;
				break;
			}
			for (size_t x = i; x < j; x++)
				if (x == i || e[x].host != e[x - 1].host)
					g[k++] = e[x];
			rc = judge(f, g, k);
			free(g);
		}
		i = j;
	}
	for (size_t i = 0; i < ne; i++)
		free(e[i].key);
	free(e);
	return rc;
}

/* ---------------------------------------------------------------- fingerprints */

struct kv {
	char *key;
	json_t *v;              /* borrowed or owned by the doc below */
};

struct flat {
	struct kv *kv;
	size_t n;
	json_t *own;            /* values made here (topology facts) */
};

static int flat_add(struct flat *fl, const char *key, json_t *v)
{
	struct kv *nk = realloc(fl->kv, (fl->n + 1) * sizeof(*nk));

	if (!nk)
		return -ENOMEM;
	fl->kv = nk;
	nk[fl->n].key = strdup(key);
	nk[fl->n].v = v;
	return nk[fl->n++].key ? 0 : -ENOMEM;
}

static int flatten(struct flat *fl, const char *prefix, json_t *v)
{
	const char *k;
	json_t *c;
	int rc = 0;

	if (!json_is_object(v))
		return is_volatile(prefix) ? 0 : flat_add(fl, prefix, v);
	json_object_foreach(v, k, c) {
		char key[256];

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (is_volatile(key))
			continue;
		if ((rc = flatten(fl, key, c)) < 0)
			break;
	}
	return rc;
}

/* A few facts of the topology that a fleet should share. */
static int topo_facts(struct flat *fl, const json_t *topo)
{
	json_t *nodes = json_object_get(topo, "numa_nodes"), *mem = json_array(), *node;
	json_t *caches = json_object_get(topo, "caches"), *c;
	long long llc = 0;
	size_t i;
	int rc = 0;

	if (!mem)
		return -ENOMEM;
	json_array_foreach(nodes, i, node)
		json_array_append(mem, json_object_get(node, "memory_bytes"));
	json_array_foreach(caches, i, c) {
		json_t *sz = json_object_get(c, "size_bytes");

		if (json_is_integer(sz) && json_integer_value(sz) > llc)
			llc = json_integer_value(sz);
	}
	json_object_set_new(fl->own, "nodes", json_integer((json_int_t)json_array_size(nodes)));
	json_object_set_new(fl->own, "mem", mem);
	if (llc)
		json_object_set_new(fl->own, "llc", json_integer(llc));
	if (json_array_size(nodes))
		rc = flat_add(fl, "topology.numa_nodes", json_object_get(fl->own, "nodes"));
	if (!rc && json_array_size(nodes))
		rc = flat_add(fl, "topology.node_memory_bytes", mem);
	if (!rc && llc)
		rc = flat_add(fl, "topology.largest_cache_bytes", json_object_get(fl->own, "llc"));
	return rc;
}

static void flat_free(struct flat *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->kv[i].key);
	free(fl->kv);
	json_decref(fl->own);
}

static json_t *flat_get(const struct flat *fl, const char *key)
{
	for (size_t i = 0; i < fl->n; i++)
		if (!strcmp(fl->kv[i].key, key))
			return fl->kv[i].v;
	return NULL;
}

/* Equal, with numbers (and arrays of numbers) within 1%. */
static bool same(const json_t *a, const json_t *b)
{
	/* Absent and null both say "not known" (an older locus did not record the key,
	 * a newer one found nothing to record): not a difference between hosts. */
	if (!a || !b || json_is_null(a) || json_is_null(b))
		return (!a || json_is_null(a)) && (!b || json_is_null(b));
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		return x == y || fabs(x - y) <= 0.01 * fmax(fabs(x), fabs(y));
	}
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

static char *value_text(const char *key, const json_t *v)
{
	size_t kl = strlen(key);

	if (!v)
		return strdup("(absent)");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	/* A size in bytes in words ("23.54 GiB", not 25275990016). */
	if (json_is_number(v) && kl > 6 && !strcmp(key + kl - 6, "_bytes")) {
		char b[32];

		return strdup(report_bytes(json_number_value(v), b, sizeof(b)));
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

static int env_key(struct fleet *f, struct flat *fl, size_t n, const char *key)
{
	size_t best = 0, best_count = 0;
	char *fleet_value;
	int rc = 0;

	/* The majority value: the one most hosts share (first host wins a tie). */
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;

		for (size_t j = 0; j < n; j++)
			c += same(flat_get(&fl[i], key), flat_get(&fl[j], key));
		if (c > best_count) {
			best_count = c;
			best = i;
		}
	}
	if (best_count == n)
		return 0;
	if (!(fleet_value = value_text(key, flat_get(&fl[best], key))))
		return -ENOMEM;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct fleet_host *h = &f->hosts[i];
		struct fleet_envdiff *nd;

		if (same(flat_get(&fl[i], key), flat_get(&fl[best], key)))
			continue;
		if (!(nd = realloc(h->env, (h->nenv + 1) * sizeof(*nd)))) {
			rc = -ENOMEM;
			break;
		}
		h->env = nd;
		nd[h->nenv] = (struct fleet_envdiff){ .key = strdup(key),
			.fleet_value = strdup(fleet_value),
			.value = value_text(key, flat_get(&fl[i], key)) };
		if (!nd[h->nenv].key || !nd[h->nenv].fleet_value || !nd[h->nenv].value)
			rc = -ENOMEM;
		h->nenv++;
	}
	free(fleet_value);
	return rc;
}

static int fingerprints(struct fleet *f, const json_t *const *res, size_t n)
{
	struct flat *fl = calloc(n, sizeof(*fl));
	int rc = 0;

	if (!fl)
		return -ENOMEM;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!(fl[i].own = json_object()))
			rc = -ENOMEM;
		if (!rc)
			rc = flatten(&fl[i], "", json_object_get(res[i], "env"));
		if (!rc)
			rc = topo_facts(&fl[i], json_object_get(res[i], "topology"));
	}
	/* Every key any host has, each once. */
	for (size_t i = 0; i < n && rc == 0; i++)
		for (size_t k = 0; k < fl[i].n && rc == 0; k++) {
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				seen = flat_get(&fl[j], fl[i].kv[k].key) != NULL;
			if (!seen)
				rc = env_key(f, fl, n, fl[i].kv[k].key);
		}
	for (size_t i = 0; i < n; i++)
		flat_free(&fl[i]);
	free(fl);
	return rc;
}

/* ---------------------------------------------------------------- the analysis */

static int cmp_flag(const void *a, const void *b)
{
	const struct fleet_flag *x = a, *y = b;

	if (x->worse != y->worse)
		return x->worse ? -1 : 1;
	return fabs(x->z) > fabs(y->z) ? -1 : fabs(x->z) < fabs(y->z);
}

static double host_weight(const struct fleet_host *h)
{
	return h->nflags ? fabs(h->flags[0].z) + 1e6 * (double)h->nflags : (double)h->nenv;
}

static int cmp_host(const void *a, const void *b)
{
	double x = host_weight(a), y = host_weight(b);

	return x > y ? -1 : x < y;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int name_hosts(struct fleet *f, const json_t *const *res, const char *const *files,
		      size_t n)
{
	bool unique = true;

	for (size_t i = 0; i < n && unique; i++) {
		const char *a = json_string_value(json_object_get(json_object_get(res[i], "env"),
								   "host"));

		if (!a || !*a)
			unique = false;
		for (size_t j = 0; j < i && unique; j++) {
			const char *b = json_string_value(
				json_object_get(json_object_get(res[j], "env"), "host"));

			unique = strcmp(a, b) != 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *host = json_string_value(
			json_object_get(json_object_get(res[i], "env"), "host"));

		f->hosts[i].file = strdup(files[i]);
		f->hosts[i].name = strdup(unique ? host : base_name(files[i]));
		if (!f->hosts[i].file || !f->hosts[i].name)
			return -ENOMEM;
	}
	return 0;
}

int fleet_analyze(struct fleet *f, const json_t *const *results, const char *const *files,
		  size_t n, double z_threshold, double min_effect)
{
	int rc;

	memset(f, 0, sizeof(*f));
	if (n < 3)
		return -EINVAL;
	f->z_threshold = z_threshold > 0 ? z_threshold : FLEET_Z_DEFAULT;
	f->min_effect = min_effect >= 0 ? min_effect : FLEET_MIN_EFFECT_DEFAULT;
	if (!(f->hosts = calloc(n, sizeof(*f->hosts))))
		return -ENOMEM;
	f->nhosts = n;
	if ((rc = name_hosts(f, results, files, n)) < 0 ||
	    (rc = measurements(f, results, n)) < 0 ||
	    (rc = fingerprints(f, results, n)) < 0) {
		fleet_free(f);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		qsort(f->hosts[i].flags, f->hosts[i].nflags, sizeof(struct fleet_flag), cmp_flag);
		f->noutliers += f->hosts[i].nflags || f->hosts[i].nenv;
	}
	qsort(f->hosts, n, sizeof(*f->hosts), cmp_host);
	return 0;
}

void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->nhosts; i++) {
		struct fleet_host *h = &f->hosts[i];

		for (size_t k = 0; k < h->nenv; k++) {
			free(h->env[k].key);
			free(h->env[k].fleet_value);
			free(h->env[k].value);
		}
		free(h->env);
		free(h->flags);
		free(h->name);
		free(h->file);
	}
	for (size_t i = 0; i < f->nmeas; i++) {
		free(f->meas[i].key);
		free(f->meas[i].bench);
		free(f->meas[i].metric);
		free(f->meas[i].unit);
		free(f->meas[i].words);
	}
	free(f->hosts);
	free(f->meas);
	free(f->knee_metrics);
	memset(f, 0, sizeof(*f));
}
