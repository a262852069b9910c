/* SPDX-License-Identifier: MIT */
/*
 * test-counters.c — unit tests for lib/counters.c, counting for real.
 *
 * Software events are counted around work whose count is known (touching 1000 fresh
 * pages gives about 1000 page faults; sleeping gives a context switch), per thread and
 * from several threads.  Events that cannot be counted here (presets on a machine
 * without a PMU, unknown names) must come back unavailable with a reason and as JSON
 * null, never 0.  Where an event happens to be countable on the machine running the
 * test (a real PMU), the test checks the count instead, so it asserts something either
 * way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "tap.h"

#define PAGES 1000

static long page_size;

/* Touch n fresh anonymous pages: n minor faults, whatever THP says (MADV_NOHUGEPAGE). */
static int touch_pages(long n)
{
	volatile char *p = mmap(NULL, (size_t)(n * page_size), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (p == MAP_FAILED)
		return -1;
	madvise((void *)p, (size_t)(n * page_size), MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		p[i * page_size] = 1;
	munmap((void *)p, (size_t)(n * page_size));
	return 0;
}

static int find(const struct counters *c, const char *name)
{
	for (size_t i = 0; i < counters_count(c); i++)
		if (strcmp(counters_name(c, i), name) == 0)
			return (int)i;
	return -1;
}

/* ok() with a SKIP directive when the event cannot be counted on this machine. */
#define ok_or_skip(c, i, cond, ...) do { \
	if (counters_available(c, i)) { \
		ok(cond, __VA_ARGS__); \
	} else { \
		char d_[256]; \
		snprintf(d_, sizeof(d_), __VA_ARGS__); \
		ok(1, "%s # SKIP %s: %s", d_, counters_name(c, i), counters_reason(c, i)); \
	} \
} while (0)

struct thread_arg {
	long long faults;
	int available;
	int rc;
};

static void *thread_body(void *p)
{
	struct thread_arg *a = p;
	const char *ev[] = { "perf::PAGE-FAULTS" };
	struct counters *c = counters_open(ev, 1);
	long long v = -1;

	a->rc = -1;
	if (!c)
		return NULL;
	a->available = counters_available(c, 0);
	if (counters_start(c) == 0) {
		touch_pages(PAGES / 2);
		a->rc = counters_stop(c, &v);
	}
	a->faults = v;
	counters_close(c);
	return NULL;
}

static void *toucher(void *p)
{
	(void)p;
	touch_pages(2 * PAGES);
	return NULL;
}

int main(void)
{
	static const char *const events[] = {
		"perf::PAGE-FAULTS", "perf::TASK-CLOCK", "perf::CONTEXT-SWITCHES",
		"perf::CPU-MIGRATIONS", "PAPI_TOT_CYC", "PAPI_L1_DCM",
		"bogus::NO_SUCH_EVENT", "PAPI_NO_SUCH_PRESET",
	};
	const size_t n = sizeof(events) / sizeof(events[0]);
	long long values[8];
	struct counters *c;
	json_t *j, *r, *probe;
	const char *backend;
	int pf, tc, cs, mig, cyc, dcm;

	page_size = sysconf(_SC_PAGESIZE);
	backend = counters_backend();
	ok(backend && *backend, "backend is named: %s", backend ? backend : "(null)");
	diag("perf_event component: %s", counters_component_status());

	c = counters_open(events, n);
	ok(c != NULL, "counters_open returns a set");
	if (!c)
		return done_testing();
	is_int(counters_count(c), n, "count is the number of events opened");
	is_str(counters_name(c, 0), "perf::PAGE-FAULTS", "names are kept in order");
	ok(counters_name(c, n) == NULL, "name out of range is NULL");
	for (size_t i = 0; i < n; i++)
		diag("%-22s %s", events[i], counters_available(c, i) ?
		     counters_via(c, i) : counters_reason(c, i));

	/* Every event is either available (no reason) or unavailable with a reason. */
	for (size_t i = 0; i < n; i++)
		ok(counters_available(c, i) ? counters_reason(c, i) == NULL && counters_via(c, i) :
		   counters_reason(c, i) && *counters_reason(c, i) && !counters_via(c, i),
		   "%s: available xor non-empty reason", events[i]);

	if (strcmp(backend, "built without PAPI") == 0) {
		for (size_t i = 0; i < n; i++)
			is_str(counters_reason(c, i), "built without PAPI", "without PAPI: reason");
		ok(counters_start(c) == 0 && counters_stop(c, values) == 0 && values[0] == -1,
		   "without PAPI: start/stop work and give -1");
		counters_close(c);
		return done_testing();
	}

	is_str(counters_reason(c, 6), "unknown event", "an unknown native is 'unknown event'");
	is_str(counters_reason(c, 7), "unknown event", "an unknown preset is 'unknown event'");

	pf = find(c, "perf::PAGE-FAULTS");
	tc = find(c, "perf::TASK-CLOCK");
	cs = find(c, "perf::CONTEXT-SWITCHES");
	mig = find(c, "perf::CPU-MIGRATIONS");
	cyc = find(c, "PAPI_TOT_CYC");
	dcm = find(c, "PAPI_L1_DCM");

	/* --- counting for real */
	is_int(counters_stop(c, values), -EINVAL, "stop before start is -EINVAL");
	is_int(values[0], -1, "and leaves the values at -1");
	is_int(counters_start(c), 0, "start");
	is_int(counters_start(c), -EBUSY, "starting twice is -EBUSY");
	touch_pages(PAGES);
	{
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);	/* sleeping always switches out: >= 1 context switch */
	}
	is_int(counters_stop(c, values), 0, "stop");

	ok_or_skip(c, pf, values[pf] >= PAGES * 9 / 10 && values[pf] < PAGES * 10,
		   "perf::PAGE-FAULTS around touching %d fresh pages: %lld", PAGES, values[pf]);
	ok_or_skip(c, tc, values[tc] > 0, "perf::TASK-CLOCK counted time: %lld ns", values[tc]);
	ok_or_skip(c, cs, values[cs] >= 1, "perf::CONTEXT-SWITCHES saw the sleep: %lld", values[cs]);
	ok_or_skip(c, mig, values[mig] >= 0, "perf::CPU-MIGRATIONS counted: %lld", values[mig]);
	ok_or_skip(c, cyc, values[cyc] > 0, "PAPI_TOT_CYC counted: %lld", values[cyc]);
	ok_or_skip(c, dcm, values[dcm] >= 0, "PAPI_L1_DCM counted: %lld", values[dcm]);
	ok(values[6] == -1 && values[7] == -1, "unavailable slots are -1");

	/* --- JSON: null (not 0) for unavailable, integers for the rest */
	j = counters_json(c, values);
	ok(json_is_object(j) && json_object_size(j) == n, "counters_json has one key per event");
	for (size_t i = 0; j && i < n; i++) {
		json_t *v = json_object_get(j, events[i]);

		if (counters_available(c, i))
			ok(json_is_integer(v) && json_integer_value(v) == values[i],
			   "json %s is the count", events[i]);
		else
			ok(json_is_null(v), "json %s is null, not 0", events[i]);
	}
	if (!counters_available(c, cyc)) {
		ok(json_is_null(json_object_get(j, "PAPI_TOT_CYC")), "PAPI_TOT_CYC unavailable here is null");
		ok(counters_reason(c, cyc) && strlen(counters_reason(c, cyc)) > 0,
		   "PAPI_TOT_CYC has a reason: %s", counters_reason(c, cyc));
	}
	if (!counters_available(c, dcm))
		ok(json_is_null(json_object_get(j, "PAPI_L1_DCM")) &&
		   strlen(counters_reason(c, dcm)) > 0, "PAPI_L1_DCM unavailable: null with reason");
	json_decref(j);

	j = counters_json(c, NULL);
	{
		int all_null = json_is_object(j);
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v)
			all_null &= json_is_null(v);
		ok(all_null && json_object_size(j) == n, "counters_json(values=NULL) is all null");
	}
	json_decref(j);

	r = counters_reasons_json(c);
	{
		size_t unavailable = 0;

		for (size_t i = 0; i < n; i++)
			unavailable += !counters_available(c, i);
		ok(json_is_object(r) && json_object_size(r) == unavailable,
		   "reasons_json lists exactly the unavailable events (%zu)", unavailable);
		ok(json_is_string(json_object_get(r, "bogus::NO_SUCH_EVENT")),
		   "reasons_json has the unknown event's reason");
		ok(json_object_get(r, "perf::PAGE-FAULTS") == NULL || !counters_available(c, pf),
		   "reasons_json omits available events");
	}
	json_decref(r);

	/* A second round on the same set counts afresh. */
	is_int(counters_start(c), 0, "restart");
	is_int(counters_stop(c, values), 0, "stop again");
	ok_or_skip(c, pf, values[pf] < PAGES / 2, "counts restart from zero: %lld faults", values[pf]);
	counters_close(c);

	/* --- per thread: counting in one thread does not see another thread's faults */
	{
		const char *ev[] = { "perf::PAGE-FAULTS" };
		struct counters *m = counters_open(ev, 1);
		pthread_t t;
		long long v = -1;

		ok(m != NULL, "open a single-event set");
		counters_start(m);
		if (pthread_create(&t, NULL, toucher, NULL) == 0)
			pthread_join(t, NULL);
		counters_stop(m, &v);
		ok_or_skip(m, 0, v >= 0 && v < 2 * PAGES * 9 / 10,
			   "the main thread's count excludes the other thread's %d faults: %lld",
			   2 * PAGES, v);
		counters_close(m);
	}

	/* --- several threads, each with its own set */
	{
		struct thread_arg a[2] = { { 0 } };
		pthread_t t[2];

		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, thread_body, &a[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		for (int i = 0; i < 2; i++) {
			if (a[i].available)
				ok(a[i].rc == 0 && a[i].faults >= PAGES / 2 * 9 / 10,
				   "thread %d counted its own %d faults: %lld", i, PAGES / 2, a[i].faults);
			else
				ok(1, "thread %d # SKIP perf::PAGE-FAULTS unavailable", i);
		}
	}

	/* --- the same event twice */
	{
		const char *ev[] = { "perf::TASK-CLOCK", "perf::TASK-CLOCK" };
		struct counters *d = counters_open(ev, 2);

		ok(d && !counters_available(d, 1) && strstr(counters_reason(d, 1), "duplicate"),
		   "a duplicate event is reported, not double-counted");
		counters_close(d);
	}

	/* --- empty set */
	{
		struct counters *e = counters_open(NULL, 0);

		ok(e && counters_count(e) == 0 && counters_start(e) == 0 &&
		   counters_stop(e, NULL) == 0, "an empty set starts and stops");
		counters_close(e);
	}

	/* --- the probe used by the fingerprint */
	probe = counters_probe_json();
	ok(json_is_object(probe) && json_object_size(probe) == 12, "probe covers 12 events");
	{
		const char *k;
		json_t *v;
		int shape = 1;

		json_object_foreach(probe, k, v) {
			json_t *av = json_object_get(v, "available"), *why = json_object_get(v, "reason");

			if (!json_is_boolean(av) ||
			    (json_is_false(av) && (!json_is_string(why) || !*json_string_value(why))))
				shape = 0;
		}
		ok(shape, "probe entries are {available, reason when unavailable}");
		ok(json_is_object(json_object_get(probe, "PAPI_TOT_CYC")) &&
		   json_is_object(json_object_get(probe, "perf::CPU-MIGRATIONS")),
		   "probe has presets and perf:: events");
	}
	json_decref(probe);
	return done_testing();
}
