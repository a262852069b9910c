/* SPDX-License-Identifier: MIT */
/*
 * bench.c — the framework side of a benchmark run: options, measurement, recording.
 *
 * Benchmarks produce raw samples and say what they verified; everything common —
 * repetition, statistics, counters, skips and warnings, the memory guard, pinning with
 * verification — happens here once, so every bench's results mean the same thing.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "bench.h"
#include "log.h"
#include "parse.h"
#include "result.h"
#include "suggest.h"
#include "sentinel.h"
#include "timer.h"

/* ---- options ------------------------------------------------------------------- */

static int opt_index(const struct bench_ctx *c, const char *name)
{
	for (int i = 0; c->info->opts && c->info->opts[i].name; i++)
		if (strcmp(c->info->opts[i].name, name) == 0)
			return i;
	fprintf(stderr, "locus: internal error: bench %s has no option '%s'\n", c->info->name, name);
	abort();
}

const char *bench_opt_str(const struct bench_ctx *c, const char *name)
{
	return c->values[opt_index(c, name)];
}

bool bench_opt_given(const struct bench_ctx *c, const char *name)
{
	int i = opt_index(c, name);

	return c->given && c->given[i];
}

long long bench_opt_int(const struct bench_ctx *c, const char *name)
{
	const char *s = bench_opt_str(c, name);

	return s ? strtoll(s, NULL, 10) : 0;
}

/* Start of item i of a comma-separated list (its length is strcspn(p, ",")), or NULL
 * past the end. */
static const char *list_at(const char *s, size_t i)
{
	for (; s && i; i--) {
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return s;
}

/* Item i of a comma-separated list into buf (cut to len - 1: for choices, which are
 * validated whole first); returns buf or NULL past the end. */
static const char *list_item(const char *s, size_t i, char *buf, size_t len)
{
	size_t n;

	s = list_at(s, i);
	if (!s)
		return NULL;
	n = strcspn(s, ",");
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* Item i of a list, whole (malloc'd), or NULL past the end or on ENOMEM. */
static char *list_dup(const char *s, size_t i)
{
	s = list_at(s, i);
	return s ? strndup(s, strcspn(s, ",")) : NULL;
}

/* A size the CLI validated with the same parser on the same whole string, so it
 * cannot fail here; 0 only for an unset option. */
static uint64_t size_of(const char *s)
{
	uint64_t v = 0;

	if (s && parse_size("internal", s, &v) < 0)
		v = 0;
	return v;
}

uint64_t bench_opt_size(const struct bench_ctx *c, const char *name)
{
	return size_of(bench_opt_str(c, name));
}

bool bench_opt_flag(const struct bench_ctx *c, const char *name)
{
	const char *s = bench_opt_str(c, name);

	return s && strcmp(s, "0") != 0;
}

size_t bench_opt_count(const struct bench_ctx *c, const char *name)
{
	const char *s = bench_opt_str(c, name);
	size_t n = 1;

	if (!s || !*s)
		return 0;
	for (; *s; s++)
		n += *s == ',';
	return n;
}

uint64_t bench_opt_size_at(const struct bench_ctx *c, const char *name, size_t i)
{
	char *item = list_dup(bench_opt_str(c, name), i);
	uint64_t v = size_of(item);

	free(item);
	return v;
}

const char *bench_opt_choice_at(const struct bench_ctx *c, const char *name, size_t i,
				char *buf, size_t len)
{
	return list_item(bench_opt_str(c, name), i, buf, len);
}

int bench_opt_pages(const struct bench_ctx *c, const char *name, enum mem_page *out,
		    size_t max)
{
	char what[80], buf[32];
	size_t n = 0;

	snprintf(what, sizeof(what), "bench %s: --%s", c->info->name, name);
	for (size_t i = 0; i < bench_opt_count(c, name) && n < max; i++) {
		enum mem_page p;
		bool dup = false;

		bench_opt_choice_at(c, name, i, buf, sizeof(buf));
		if (mem_page_parse(what, buf, &p) < 0)
			return -EINVAL;
		for (size_t j = 0; j < n; j++)
			dup |= out[j] == p;
		if (!dup)
			out[n++] = p;
	}
	return (int)n;
}

static bool in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; p && *p;) {
		size_t m = strcspn(p, ",");
		if (m == n && strncasecmp(p, v, n) == 0)
			return true;
		p += m + (p[m] == ',');
	}
	return false;
}

int bench_opt_validate(const struct bench_info *b, const struct bench_opt *o, const char *v)
{
	char what[80];
	uint64_t sz;
	long l;

	snprintf(what, sizeof(what), "bench %s: --%s", b->name, o->name);
	switch (o->type) {
	case BOPT_FLAG:
		return 0;
	case BOPT_STR:
		return *v ? 0 : locus_fail(EINVAL, "%s: empty value", what);
	case BOPT_LIST:
		if (strchr(v, '\n'))
			return locus_fail(EINVAL, "%s: a value may not hold a newline", what);
		return *v ? 0 : locus_fail(EINVAL, "%s: empty value", what);
	case BOPT_INT:
		return parse_long(what, v, o->min || o->max ? o->min : LONG_MIN,
				  o->min || o->max ? o->max : LONG_MAX, &l);
	case BOPT_SIZE:
	case BOPT_SIZES:
		/* Each item whole, parsed by the same parser the bench uses later
		 * (bench_opt_size_at): what was checked is what runs. */
		if (!*v)
			return locus_fail(EINVAL, "%s: empty list", what);
		for (size_t i = 0; list_at(v, i); i++) {
			char *item;
			int rc = 0;

			if (o->type == BOPT_SIZE && i > 0)
				return locus_fail(EINVAL, "%s: '%s': one size expected", what, v);
			item = list_dup(v, i);
			if (!item)
				return -ENOMEM;
			if (parse_size(what, item, &sz) < 0) {
				rc = -EINVAL;
			} else if ((o->min && sz < (uint64_t)o->min) ||
				   (o->max && sz > (uint64_t)o->max)) {
				char lo[32], hi[32];

				locus_error("%s: %s is out of range; allowed %s..%s", what, item,
					    format_size((uint64_t)o->min, lo, sizeof(lo)),
					    o->max ? format_size((uint64_t)o->max, hi, sizeof(hi)) : "any");
				rc = -ERANGE;
			}
			free(item);
			if (rc < 0)
				return rc;
		}
		return 0;
	case BOPT_CHOICE:
	case BOPT_CHOICES:
		if (!*v)
			return locus_fail(EINVAL, "%s: empty value; allowed: %s", what, o->choices);
		for (size_t i = 0; list_at(v, i); i++) {
			char *item, near[32];
			int rc = 0;

			if (o->type == BOPT_CHOICE && i > 0)
				return locus_fail(EINVAL, "%s: '%s': one of %s expected", what, v, o->choices);
			item = list_dup(v, i);
			if (!item)
				return -ENOMEM;
			if (!in_choices(o->choices, item)) {
				rc = -EINVAL;
				if (suggest_closest_csv(item, o->choices, near, sizeof(near)))
					locus_error("%s: '%s' is not allowed; did you mean '%s'? "
						    "(allowed: %s)", what, item, near, o->choices);
				else
					locus_error("%s: '%s' is not allowed; allowed: %s", what, item,
						    o->choices);
			}
			free(item);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	return -EINVAL;
}

/* ---- measurement --------------------------------------------------------------- */

/* "latency 256 MiB 4K": the metric and the label values (sizes in human units), for the
 * progress line; the bench's name is already in front of it. */
static const char *progress_text(const struct bench_measure *m, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t n = (size_t)snprintf(buf, len, "%s", m->metric);

	json_object_foreach(m->labels, k, v) {
		char one[48] = "";
		if (n >= len)
			break;
		if (json_is_integer(v) && (strstr(k, "size") || strstr(k, "bytes")) &&
		    json_integer_value(v) > 0)
			format_size((uint64_t)json_integer_value(v), one, sizeof(one));
		else if (json_is_integer(v))
			snprintf(one, sizeof(one), "%s=%lld", k, (long long)json_integer_value(v));
		else if (json_is_string(v))
			snprintf(one, sizeof(one), "%s", json_string_value(v));
		if (*one)
			n += (size_t)snprintf(buf + n, len - n, " %s", one);
	}
	return buf;
}

struct counted {
	struct bench_measure *m;
	struct counters *ctr;
	long long *sum, *tmp;
	size_t nev;
	unsigned counted_samples;
	/* the host probe around each call (sentinel.h): probe ns, steal ms, steal share */
	bool sentinel, have_steal;
	struct samples probe, steal_ms, steal_share;
};

static int call_counted(struct counted *k, double *sample)
{
	int rc;

	if (!k->ctr)
		return k->m->fn(k->m->arg, sample);
	counters_start(k->ctr);
	rc = k->m->fn(k->m->arg, sample);
	if (counters_stop(k->ctr, k->tmp) == 0 && rc == 0) {
		for (size_t i = 0; i < k->nev; i++)
			if (k->tmp[i] >= 0)
				k->sum[i] += k->tmp[i];
		k->counted_samples++;
	}
	return rc;
}

/* The sample between two probes of the host.  The probe's time is the mean of the one
 * before and the one after: a disturbance that spans the sample slows both. */
static int counted_fn(void *arg, double *sample)
{
	struct counted *k = arg;
	double before, after, st0 = 0, st1 = 0, t0, t1;
	bool steal;
	int rc;

	if (!k->sentinel)
		return call_counted(k, sample);
	steal = sentinel_steal_s(&st0);
	before = sentinel_probe_ns();
	t0 = timer_wall_s();
	rc = call_counted(k, sample);
	t1 = timer_wall_s();
	after = sentinel_probe_ns();
	steal = steal && sentinel_steal_s(&st1);
	if (rc)
		return rc;
	k->have_steal = steal && (k->probe.n == 0 || k->have_steal);
	if (samples_push(&k->probe, (before + after) / 2) ||
	    samples_push(&k->steal_ms, steal ? (st1 - st0) * 1e3 : 0) ||
	    samples_push(&k->steal_share, steal && t1 > t0 ?
			 (st1 - st0) / ((t1 - t0) * sentinel_ncpus()) : 0))
		return -ENOMEM;
	return 0;
}

static bool disturbed_at(const struct counted *k, size_t i)
{
	return sentinel_relative(k->probe.v[i]) < SENTINEL_THRESHOLD ||
	       (k->have_steal && k->steal_share.v[i] >= SENTINEL_STEAL_SHARE);
}

static bool quiet_fn(void *arg, size_t i)
{
	struct counted *k = arg;

	return i >= k->probe.n || !disturbed_at(k, i);
}

/* Put the probe's record of each sample into the measurement.  The speeds are relative
 * to the best probe of the whole process so far, so one measurement that ran entirely
 * on a slowed host shows it. */
static void add_sentinel(const struct counted *k, json_t *meas, size_t n)
{
	json_t *sent = json_array(), *dist = json_array(), *steal = json_array();

	for (size_t i = 0; i < n && i < k->probe.n; i++) {
		/* four digits are all a reader needs, and keep the file readable */
		double r = floor(sentinel_relative(k->probe.v[i]) * 1e4 + 0.5) / 1e4;

		json_array_append_new(sent, json_real(r));
		json_array_append_new(steal, json_real(k->steal_ms.v[i]));
		if (disturbed_at(k, i))
			json_array_append_new(dist, json_integer((json_int_t)i));
	}
	json_object_set_new(meas, "sentinel", sent);
	if (k->have_steal)
		json_object_set_new(meas, "steal_ms", steal);
	else
		json_decref(steal);
	json_object_set_new(meas, "disturbed", dist);
	result_quality_summary(meas);
}

static const struct bench_metric *find_metric(const struct bench_ctx *c, const char *name)
{
	for (const struct bench_metric *m = c->info->metrics; m && m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	fprintf(stderr, "locus: internal error: bench %s has no metric '%s'\n", c->info->name, name);
	abort();
}

/* "setting_labels": the bench's setting labels that this measurement carries. */
static void mark_setting_labels(const struct bench_ctx *c, json_t *meas)
{
	json_t *labels = json_object_get(meas, "labels"), *names = NULL;

	for (const char *const *s = c->info->setting_labels; s && *s; s++) {
		if (!json_object_get(labels, *s))
			continue;
		if (!names)
			names = json_array();
		json_array_append_new(names, json_string(*s));
	}
	if (names)
		json_object_set_new(meas, "setting_labels", names);
}

int bench_measure(struct bench_ctx *c, struct bench_measure *m)
{
	const struct bench_metric *met = find_metric(c, m->metric);
	struct counted k = { .m = m, .sentinel = !c->no_sentinel };
	struct samples s = { 0 };
	enum repeat_stop why;
	json_t *meas, *cj;
	int rc;

	while (m->events && m->events[k.nev])
		k.nev++;
	if (k.nev) {
		k.ctr = counters_open(m->events, k.nev);
		k.sum = calloc(k.nev, sizeof(*k.sum));
		k.tmp = calloc(k.nev, sizeof(*k.tmp));
		if (!k.ctr || !k.sum || !k.tmp) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (k.sentinel && sentinel_init() < 0)
		k.sentinel = false;
	{
		char what[160];
		progress_update("%s", progress_text(m, what, sizeof(what)));
	}
	/* Warm-up samples go through counted_fn too; they are excluded below by counting
	 * only what repeat_run keeps: we reset the sums after the warm-up. */
	{
		struct repeat_opts warm = c->rep, main_opts = c->rep;
		struct samples ws = { 0 };
		if (c->rep.warmup) {
			warm.reps = c->rep.warmup;
			warm.warmup = 0;
			rc = repeat_run(&warm, counted_fn, &k, &ws, &why);
			samples_free(&ws);
			if (rc < 0)
				goto out;
			if (k.nev)
				memset(k.sum, 0, k.nev * sizeof(*k.sum));
			k.counted_samples = 0;
		}
		k.probe.n = k.steal_ms.n = k.steal_share.n = 0;
		main_opts.warmup = 0;
		if (k.sentinel) {
			main_opts.quiet = quiet_fn;
			main_opts.quiet_ctx = &k;
		}
		rc = repeat_run(&main_opts, counted_fn, &k, &s, &why);
	}
	if (rc < 0)
		goto out;
	meas = result_measurement(c->info->name, met->name, met->unit, met->higher_is_better,
				  m->labels, s.v, s.n);
	m->labels = NULL;
	if (!meas) {
		rc = -EINVAL;
		goto out;
	}
	mark_setting_labels(c, meas);
	if (k.sentinel)
		add_sentinel(&k, meas, s.n);
	json_object_set_new(meas, "verified", m->verified ? m->verified : json_object());
	m->verified = NULL;
	json_object_set_new(meas, "repeat", json_pack("{s:i, s:s, s:f, s:f}",
		"warmup", (int)c->rep.warmup, "stop", repeat_stop_name(why),
		"target_ci", c->rep.reps ? 0.0 : c->rep.target_ci, "max_time_s", c->rep.max_time_s));
	if (k.sentinel)
		json_object_set_new(json_object_get(meas, "repeat"), "sentinel_threshold",
				    json_real(SENTINEL_THRESHOLD));
	if (k.nev) {
		double per = k.counted_samples * (m->ops_per_sample > 0 ? m->ops_per_sample : 1);
		cj = json_object();
		for (size_t i = 0; i < k.nev; i++)
			json_object_set_new(cj, counters_name(k.ctr, i),
					    counters_available(k.ctr, i) && per > 0
					    ? json_num(k.sum[i] / per) : json_null());
		json_object_set_new(meas, "counters", cj);
		json_object_set_new(meas, "counters_unavailable", counters_reasons_json(k.ctr));
		json_object_set_new(meas, "counters_per",
				    json_string(m->counters_per ? m->counters_per : "sample"));
	} else {
		json_object_set_new(meas, "counters", json_object());
	}
	rc = result_add(c->result, meas);
out:
	json_decref(m->labels);
	json_decref(m->verified);
	m->labels = m->verified = NULL;
	samples_free(&s);
	samples_free(&k.probe);
	samples_free(&k.steal_ms);
	samples_free(&k.steal_share);
	if (k.ctr)
		counters_close(k.ctr);
	free(k.sum);
	free(k.tmp);
	return rc;
}

/* A derived measurement with one sample per sample of this bench's last timed one
 * shares its host record; one with k values per sample (falseshare's per-thread rates,
 * sample by sample) gives each value its sample's record. */
static void inherit_sentinel(const struct bench_ctx *c, json_t *m, size_t n)
{
	json_t *ms = json_object_get(c->result, "measurements"), *last = NULL, *x;
	size_t i;

	json_array_foreach(ms, i, x)
		if (json_object_get(x, "sentinel") &&
		    strcmp(json_string_value(json_object_get(x, "bench")), c->info->name) == 0)
			last = x;
	if (!last || !(i = json_array_size(json_object_get(last, "samples"))))
		return;
	if (i == n)
		result_copy_quality(m, last, 0, n);
	else if (n % i == 0)
		result_spread_quality(m, last, n / i);
}

int bench_record(struct bench_ctx *c, const char *metric, json_t *labels,
		 const double *samples, size_t n, json_t *verified)
{
	const struct bench_metric *met = find_metric(c, metric);
	json_t *m = result_measurement(c->info->name, met->name, met->unit,
				       met->higher_is_better, labels, samples, n);

	if (!m) {
		json_decref(verified);
		return -EINVAL;
	}
	mark_setting_labels(c, m);
	inherit_sentinel(c, m, n);
	json_object_set_new(m, "verified", verified ? verified : json_object());
	json_object_set_new(m, "counters", json_object());
	return result_add(c->result, m);
}

void bench_skip(struct bench_ctx *c, json_t *labels, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	locus_info("bench %s: skipped: %s", c->info->name, buf);
	result_skip(c->result, c->info->name, labels, buf);
}

void bench_warn(struct bench_ctx *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	locus_warn("bench %s: %s", c->info->name, buf);
	result_warn_bench(c->result, c->info->name, "%s", buf);
}

int bench_check_memory(struct bench_ctx *c, uint64_t bytes)
{
	char what[64];

	snprintf(what, sizeof(what), "bench %s: working set", c->info->name);
	return mem_check_budget(what, bytes);
}

int bench_nr_cpus(const struct bench_ctx *c)
{
	return hwloc_bitmap_weight(c->cpus);
}

int bench_cpu_at(const struct bench_ctx *c, int i)
{
	int cpu, k = 0;

	hwloc_bitmap_foreach_begin(cpu, c->cpus)
		if (k++ == i)
			return cpu;
	hwloc_bitmap_foreach_end();
	return -1;
}

int bench_pin(const struct bench_ctx *c, int cpu)
{
	int rc = topo_bind_thread_cpu(c->topo, cpu);

	if (rc < 0)
		return rc;
	if (c->topo->fake)
		return cpu;
	rc = sched_getcpu();
	return rc < 0 ? -errno : rc;
}

static int alloc_policy(struct bench_ctx *c, struct mem_region *r, size_t len,
			enum mem_page page)
{
	return mem_alloc(r, len, page, c->policy.mode == MEM_POL_DEFAULT ? NULL : &c->policy);
}

static void warn_alloc(struct bench_ctx *c, size_t len, enum mem_page page, int rc)
{
	char b[32];

	bench_warn(c, "could not allocate %s of %s pages: %s", format_size(len, b, sizeof(b)),
		   mem_page_name(page), strerror(-rc));
}

int bench_alloc(struct bench_ctx *c, struct mem_region *r, size_t len, enum mem_page page)
{
	int rc = alloc_policy(c, r, len, page);

	if (rc < 0)
		warn_alloc(c, len, page, rc);
	return rc;
}

int bench_alloc_or_skip(struct bench_ctx *c, struct mem_region *r, size_t len,
			enum mem_page page, json_t *labels)
{
	int rc = alloc_policy(c, r, len, page);

	if (rc == -ENOMEM && (page == MEM_PAGE_2M || page == MEM_PAGE_1G)) {
		bench_skip(c, labels, "%s pages: the hugetlb pool could not back the region%s; "
			   "reserve pages (nr_hugepages) or use --reserve-hugepages",
			   mem_page_name(page), c->policy.mode == MEM_POL_DEFAULT ? "" :
			   " (under a memory policy the free pages must be on its nodes: "
			   "hugepages-*/nr_hugepages of /sys/devices/system/node/nodeN)");
		return 1;
	}
	json_decref(labels);
	if (rc < 0)
		warn_alloc(c, len, page, rc);
	return rc;
}
