/* SPDX-License-Identifier: MIT */
/*
 * counters.c — hardware and software event counters through PAPI.
 *
 * Benchmarks ask for events by name and get back either a count or a reason why the
 * event cannot be counted here; a missing counter is null with a reason, never 0.
 * Availability is decided by experiment: each event is added to its own PAPI event set
 * and started and stopped once, because papi_avail happily lists presets that then
 * fail on a machine without a PMU.  The events that pass are then put together in one
 * event set; those that do not fit next to the others are reported as such.
 *
 * PAPI 7.0's perf_event component refuses to initialise when libpfm4 finds no core
 * PMU (typical in a virtual machine: "Error libpfm4 no default PMU found"), and it then
 * takes the perfectly usable kernel software events (perf::PAGE-FAULTS, TASK-CLOCK,
 * ...) down with it.  LIBPFM_FORCE_PMU does not help (forcing activates only the one
 * PMU named, so the generic "perf" PMU disappears).  In that case, and only then, the
 * perf:: generic events are opened directly with perf_event_open(2) — the same system
 * call PAPI would make (counters-perf.c) — and reported as counted "via perf_event_open".
 *
 * Event sets belong to the thread that opened them (PAPI and perf_event both count per
 * thread), so multi-threaded benchmarks open one set per thread; PAPI is initialised
 * once, with thread support, whichever thread gets here first.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "counters.h"
#include "counters-perf.h"
#include "hypervisor.h"
#include "sysfs.h"

#ifdef HAVE_PAPI
#include <linux/perf_event.h>
#include <papi.h>
#include <pthread.h>
#include <sys/ioctl.h>
#endif

enum via {
	VIA_NONE,	/* unavailable, see reason */
	VIA_PAPI,	/* in the PAPI event set */
	VIA_PERF,	/* opened with perf_event_open (PAPI's perf_event component is off) */
};

struct cevent {
	char *name;
	enum via via;
	char *reason;		/* NULL when available */
	int papi_pos;		/* VIA_PAPI: position in the event set's values */
	int fd;			/* VIA_PERF */
	uint32_t perf_type;	/* VIA_PERF */
	uint64_t perf_config;
};

struct counters {
	size_t n;
	struct cevent *ev;
	int papi_set;		/* PAPI_NULL when none */
	int n_papi;
	int perf_leader;	/* group leader fd, -1 when none */
	bool running;
};

#define NO_PAPI_REASON "built without PAPI"

static const char *const probe_events[] = {
	"PAPI_TOT_CYC", "PAPI_TOT_INS", "PAPI_L1_DCM", "PAPI_L2_TCM", "PAPI_L3_TCM",
	"PAPI_TLB_DM", "PAPI_BR_INS", "PAPI_BR_MSP",
	"perf::TASK-CLOCK", "perf::PAGE-FAULTS", "perf::CONTEXT-SWITCHES",
	"perf::CPU-MIGRATIONS",
};

static void set_reason(struct cevent *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_reason(struct cevent *e, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(e->reason);
	/* Unavailable even if the message could not be allocated. */
	e->reason = s ? s : strdup("unavailable");
	e->via = VIA_NONE;
}

#ifdef HAVE_PAPI

/* ------------------------------------------------------------------ PAPI set-up */

static pthread_once_t papi_once = PTHREAD_ONCE_INIT;
static int papi_init_ret;		/* PAPI_VER_CURRENT, or a PAPI error code */
static char papi_version[48];
static bool pe_disabled;		/* perf_event component not usable */
static char pe_reason[PAPI_HUGE_STR_LEN];
static int pe_num_cntrs;
static int pe_cidx = -1;
/* What PAPI sets count: user and kernel, or user only when the kernel refuses. */
static int papi_domain = PAPI_DOM_USER | PAPI_DOM_KERNEL;
static pthread_mutex_t domain_lock = PTHREAD_MUTEX_INITIALIZER;
static char pe_pmus[8][32];		/* PMU names the perf_event component handles */
static int pe_npmus;

/* PAPI_thread_init wants unsigned long (*)(void); pthread_self returns pthread_t. */
static unsigned long thread_id(void)
{
	return (unsigned long)pthread_self();
}

/*
 * What new PAPI sets count.  PAPI's default is user space only, which silently reads 0
 * for kernel-side events such as perf::CONTEXT-SWITCHES, so locus asks for user and
 * kernel, and falls back to user space only when the kernel refuses
 * (perf_event_paranoid >= 2 without privileges).
 */
static void papi_set_domain_locked(int domain)
{
	const PAPI_component_info_t *ci;

	papi_domain = domain;
	if (pe_cidx < 0 || pe_disabled)
		return;
	/* PAPI refuses the kernel domain up front (ENOSUPP) when paranoid forbids it. */
	if (PAPI_set_cmp_domain(domain, pe_cidx) != PAPI_OK)
		PAPI_set_cmp_domain(PAPI_DOM_USER, pe_cidx);
	ci = PAPI_get_component_info(pe_cidx);
	papi_domain = ci ? ci->default_domain : PAPI_DOM_USER;
}

static void papi_setup(void)
{
	const PAPI_component_info_t *ci;
	int cidx, ret, i;

	ret = PAPI_library_init(PAPI_VER_CURRENT);
	if (ret != PAPI_VER_CURRENT) {
		papi_init_ret = ret > 0 ? PAPI_EINVAL : ret;
		snprintf(papi_version, sizeof(papi_version), "PAPI %d.%d.%d.%d",
			 PAPI_VERSION_MAJOR(PAPI_VERSION), PAPI_VERSION_MINOR(PAPI_VERSION),
			 PAPI_VERSION_REVISION(PAPI_VERSION),
			 PAPI_VERSION_INCREMENT(PAPI_VERSION));
		pe_disabled = true;
		snprintf(pe_reason, sizeof(pe_reason), "PAPI_library_init: %s",
			 ret > 0 ? "library version mismatch" : PAPI_strerror(ret));
		return;
	}
	papi_init_ret = ret;
	/* Without this PAPI's per-thread state is shared and threaded benches break. */
	ret = PAPI_thread_init(thread_id);
	if (ret != PAPI_OK) {
		papi_init_ret = ret;
		pe_disabled = true;
		snprintf(pe_reason, sizeof(pe_reason), "PAPI_thread_init: %s", PAPI_strerror(ret));
	}
	ret = PAPI_get_opt(PAPI_LIB_VERSION, NULL);
	if (ret <= 0)
		ret = PAPI_VERSION;
	snprintf(papi_version, sizeof(papi_version), "PAPI %d.%d.%d.%d",
		 PAPI_VERSION_MAJOR(ret), PAPI_VERSION_MINOR(ret),
		 PAPI_VERSION_REVISION(ret), PAPI_VERSION_INCREMENT(ret));

	if (papi_init_ret != PAPI_VER_CURRENT)
		return;
	cidx = PAPI_get_component_index("perf_event");
	ci = cidx >= 0 ? PAPI_get_component_info(cidx) : NULL;
	pe_cidx = ci ? cidx : -1;
	if (!ci) {
		pe_disabled = true;
		snprintf(pe_reason, sizeof(pe_reason), "no perf_event component");
		return;
	}
	pe_disabled = ci->disabled != 0;
	snprintf(pe_reason, sizeof(pe_reason), "%s", ci->disabled_reason);
	pe_num_cntrs = ci->num_cntrs;
	if (!pe_disabled)
		papi_set_domain_locked(PAPI_DOM_USER | PAPI_DOM_KERNEL);
	for (i = 0; i < PAPI_PMU_MAX && pe_npmus < 8; i++)
		if (ci->pmu_names[i])
			snprintf(pe_pmus[pe_npmus++], sizeof(pe_pmus[0]), "%s",
				 ci->pmu_names[i]);
}

static bool papi_ready(void)
{
	pthread_once(&papi_once, papi_setup);
	return papi_init_ret == PAPI_VER_CURRENT;
}

/* ------------------------------------------------------------------ reasons */

/* No core PMU: the perf_event component says so, or it has no counters at all. */
static bool pmu_absent(void)
{
	if (pe_disabled)
		return strstr(pe_reason, "PMU") != NULL;
	return pe_num_cntrs == 0;
}

static const char *no_pmu_reason(void)
{
	return hypervisor_detect(NULL, 0) > 0 ? "no hardware PMU (virtual machine)"
					    : "no hardware PMU";
}

static void set_paranoid_reason(struct cevent *e)
{
	long p;

	if (sysfs_read_long("proc/sys/kernel/perf_event_paranoid", &p) == 0)
		set_reason(e, "perf_event_paranoid=%ld", p);
	else
		set_reason(e, "permission denied (perf_event_paranoid unreadable)");
}

/* "pmu::event" names a PMU the (disabled) perf_event component would handle. */
static bool pmu_of_component(const char *name)
{
	const char *sep = strstr(name, "::");
	int i;

	if (!sep)
		return false;
	for (i = 0; i < pe_npmus; i++)
		if (strlen(pe_pmus[i]) == (size_t)(sep - name) &&
		    strncasecmp(name, pe_pmus[i], (size_t)(sep - name)) == 0)
			return true;
	return false;
}

/* Why PAPI could not add or start event e (r is the PAPI error). */
static void set_papi_reason(struct cevent *e, int r, const char *stage)
{
	int code;
	bool known = PAPI_event_name_to_code(e->name, &code) == PAPI_OK;
	bool preset = strncmp(e->name, "PAPI_", 5) == 0;

	if (r == PAPI_EPERM) {
		set_paranoid_reason(e);
		return;
	}
	if (!known) {
		/* A disabled component does not list its events, so PAPI cannot tell
		 * "does not exist" from "exists in a component that is off". */
		if (pe_disabled && pmu_of_component(e->name)) {
			if (pmu_absent())
				set_reason(e, "%s", no_pmu_reason());
			else
				set_reason(e, "perf_event component disabled: %s", pe_reason);
		} else {
			set_reason(e, "unknown event");
		}
		return;
	}
	if (pe_disabled && strcasestr(pe_reason, "paranoid")) {
		/* PAPI switched the component off because of perf_event_paranoid. */
		set_paranoid_reason(e);
		return;
	}
	if (pmu_absent() &&
	    (r == PAPI_ECMP_DISABLED || r == PAPI_ENOEVNT || r == PAPI_ECNFLCT ||
	     r == PAPI_ENOCNTR || r == PAPI_ECMP || r == PAPI_ESYS)) {
		set_reason(e, "%s", no_pmu_reason());
		return;
	}
	if (r == PAPI_ECMP_DISABLED) {
		set_reason(e, "perf_event component disabled: %s", pe_reason);
		return;
	}
	if (preset && r == PAPI_ENOEVNT) {
		set_reason(e, "preset not defined for this CPU");
		return;
	}
	set_reason(e, "%s%s%s", stage ? stage : "", stage ? ": " : "", PAPI_strerror(r));
}

/* ------------------------------------------------------------------ perf_event_open reasons */

static void set_perf_reason(struct cevent *e, int err)
{
	if (err == -EACCES || err == -EPERM)
		set_paranoid_reason(e);
	else if (e->perf_type == PERF_TYPE_HARDWARE &&
		 (err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV || err == -EINVAL))
		set_reason(e, "%s", pmu_absent() ? no_pmu_reason() : strerror(-err));
	else
		set_reason(e, "perf_event_open: %s", strerror(-err));
}

/* ------------------------------------------------------------------ availability */

/* PAPI_stop into a scratch buffer sized for the set. */
static int papi_stop_discard(int set)
{
	int n = PAPI_num_events(set), r;
	long long *v = calloc(n > 0 ? (size_t)n : 1, sizeof(*v));

	if (!v)
		return PAPI_ENOMEM;
	r = PAPI_stop(set, v);
	free(v);
	return r;
}

static int papi_trial_set(int set)
{
	int r = PAPI_start(set);

	if (r != PAPI_OK)
		return r;
	return papi_stop_discard(set);
}

static void papi_free_set(int *set)
{
	if (*set == PAPI_NULL)
		return;
	PAPI_cleanup_eventset(*set);
	PAPI_destroy_eventset(set);
	*set = PAPI_NULL;
}

static int papi_new_set(int *set)
{
	*set = PAPI_NULL;
	return PAPI_create_eventset(set);
}

/* Add name to a fresh set and start/stop it once.  *stage names the step that failed. */
static int papi_try(const char *name, const char **stage)
{
	int set, r;

	*stage = "PAPI_create_eventset";
	r = papi_new_set(&set);
	if (r != PAPI_OK)
		return r;
	*stage = NULL;
	r = PAPI_add_named_event(set, name);
	if (r == PAPI_OK) {
		*stage = "PAPI_start";
		r = papi_trial_set(set);
	}
	papi_free_set(&set);
	return r;
}

/* Decide how event e can be counted on its own (VIA_PAPI, VIA_PERF or a reason). */
static void probe_one(struct cevent *e)
{
	const struct perf_generic *pg;
	const char *stage;
	int r;

	r = papi_try(e->name, &stage);
	if (r == PAPI_EPERM) {
		/* Not allowed to count the kernel (perf_event_paranoid >= 2 without
		 * privileges): count user space only, from now on for every set, and
		 * try once more (another thread may have narrowed it meanwhile). */
		pthread_mutex_lock(&domain_lock);
		if (papi_domain & PAPI_DOM_KERNEL)
			papi_set_domain_locked(PAPI_DOM_USER);
		pthread_mutex_unlock(&domain_lock);
		r = papi_try(e->name, &stage);
	}
	if (r == PAPI_OK) {
		bool user_only;

		pthread_mutex_lock(&domain_lock);
		user_only = !(papi_domain & PAPI_DOM_KERNEL);
		pthread_mutex_unlock(&domain_lock);
		pg = counters_perf_lookup(e->name);
		if (user_only && pg && counters_perf_kernel_side(pg->type, pg->config)) {
			set_paranoid_reason(e);
			return;
		}
		e->via = VIA_PAPI;
		return;
	}
	set_papi_reason(e, r, stage);

	/* PAPI could not: the kernel's generic events directly, if PAPI's component is off. */
	pg = pe_disabled ? counters_perf_lookup(e->name) : NULL;
	if (!pg)
		return;
	e->perf_type = pg->type;
	e->perf_config = pg->config;
	r = counters_perf_trial(pg->type, pg->config);
	if (r < 0) {
		set_perf_reason(e, r);
		return;
	}
	free(e->reason);
	e->reason = NULL;
	e->via = VIA_PERF;
}

/* Comma-separated names of the events already in the PAPI set. */
static void set_conflict_reason(struct counters *c, struct cevent *e)
{
	char buf[512] = "";
	size_t i, len = 0;

	for (i = 0; i < c->n; i++) {
		if (c->ev[i].via != VIA_PAPI || &c->ev[i] == e)
			continue;
		len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
					"%s%s", len ? ", " : "", c->ev[i].name);
		if (len >= sizeof(buf))
			break;
	}
	set_reason(e, "could not be scheduled together with %s", buf);
}

/* Rebuild the set from the events still marked VIA_PAPI (after a failed removal). */
static int papi_rebuild(struct counters *c)
{
	size_t i;
	int r;

	papi_free_set(&c->papi_set);
	c->n_papi = 0;
	r = papi_new_set(&c->papi_set);
	if (r != PAPI_OK)
		return r;
	for (i = 0; i < c->n; i++) {
		if (c->ev[i].via != VIA_PAPI)
			continue;
		r = PAPI_add_named_event(c->papi_set, c->ev[i].name);
		if (r != PAPI_OK)
			return r;
		c->ev[i].papi_pos = c->n_papi++;
	}
	return PAPI_OK;
}

/* Put the individually available PAPI events together, as many as fit. */
static void build_papi_set(struct counters *c)
{
	size_t i, j;
	int r;

	for (i = 0; i < c->n && c->ev[i].via != VIA_PAPI; i++)
		;
	if (i == c->n)
		return;
	r = papi_new_set(&c->papi_set);
	if (r != PAPI_OK) {
		c->papi_set = PAPI_NULL;
		for (i = 0; i < c->n; i++)
			if (c->ev[i].via == VIA_PAPI)
				set_reason(&c->ev[i], "PAPI_create_eventset: %s", PAPI_strerror(r));
		return;
	}
	for (i = 0; i < c->n; i++) {
		struct cevent *e = &c->ev[i];
		const char *stage = NULL;

		if (e->via != VIA_PAPI)
			continue;
		/* Mark it out while trying, so the conflict message lists only the others. */
		e->via = VIA_NONE;
		r = PAPI_add_named_event(c->papi_set, e->name);
		if (r == PAPI_OK) {
			stage = "PAPI_start";
			r = papi_trial_set(c->papi_set);
			if (r == PAPI_OK) {
				e->via = VIA_PAPI;
				e->papi_pos = c->n_papi++;
				continue;
			}
			if (PAPI_remove_named_event(c->papi_set, e->name) != PAPI_OK &&
			    papi_rebuild(c) != PAPI_OK) {
				for (j = 0; j < c->n; j++)
					if (c->ev[j].via == VIA_PAPI)
						set_reason(&c->ev[j], "PAPI event set could not be rebuilt");
				papi_free_set(&c->papi_set);
				c->n_papi = 0;
			}
		}
		/* It worked alone, so what stops it now is the company it keeps. */
		if (c->n_papi > 0)
			set_conflict_reason(c, e);
		else
			set_papi_reason(e, r, stage);
	}
	if (c->n_papi == 0)
		papi_free_set(&c->papi_set);
}

/* Open the perf_event_open events as one group, so they start and stop together. */
static void open_perf_group(struct counters *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct cevent *e = &c->ev[i];
		int fd;

		if (e->via != VIA_PERF)
			continue;
		fd = counters_perf_open(e->perf_type, e->perf_config, c->perf_leader);
		if (fd < 0) {
			set_perf_reason(e, fd);
			continue;
		}
		e->fd = fd;
		if (c->perf_leader < 0)
			c->perf_leader = fd;
	}
}

#endif /* HAVE_PAPI */

/* ------------------------------------------------------------------ public API */

struct counters *counters_open(const char *const *events, size_t n)
{
	struct counters *c = calloc(1, sizeof(*c));
	size_t i;

	if (!c)
		return NULL;
	c->ev = calloc(n ? n : 1, sizeof(*c->ev));
	if (!c->ev) {
		free(c);
		return NULL;
	}
	c->n = n;
	c->perf_leader = -1;
#ifdef HAVE_PAPI
	c->papi_set = PAPI_NULL;
#endif
	for (i = 0; i < n; i++) {
		c->ev[i].fd = -1;
		c->ev[i].name = strdup(events[i] ? events[i] : "");
		if (!c->ev[i].name) {
			counters_close(c);
			return NULL;
		}
	}
#ifdef HAVE_PAPI
	if (!papi_ready()) {
		for (i = 0; i < n; i++)
			set_reason(&c->ev[i], "PAPI unavailable: %s", pe_reason);
		return c;
	}
	for (i = 0; i < n; i++) {
		size_t j;

		/* The same event twice is counted once; the copy says so. */
		for (j = 0; j < i; j++)
			if (strcmp(c->ev[i].name, c->ev[j].name) == 0)
				break;
		if (j < i) {
			set_reason(&c->ev[i], "duplicate of event %zu", j);
			continue;
		}
		probe_one(&c->ev[i]);
	}
	build_papi_set(c);
	open_perf_group(c);
#else
	for (i = 0; i < n; i++)
		set_reason(&c->ev[i], NO_PAPI_REASON);
#endif
	for (i = 0; i < n; i++)
		if (c->ev[i].via == VIA_NONE && !c->ev[i].reason) {
			counters_close(c);
			return NULL;
		}
	return c;
}

void counters_close(struct counters *c)
{
	size_t i;

	if (!c)
		return;
#ifdef HAVE_PAPI
	if (c->papi_set != PAPI_NULL) {
		if (c->running)
			papi_stop_discard(c->papi_set);
		papi_free_set(&c->papi_set);
	}
#endif
	for (i = 0; i < c->n; i++) {
		if (c->ev[i].fd >= 0)
			close(c->ev[i].fd);
		free(c->ev[i].name);
		free(c->ev[i].reason);
	}
	free(c->ev);
	free(c);
}

int counters_start(struct counters *c)
{
	if (!c)
		return -EINVAL;
	if (c->running)
		return -EBUSY;
#ifdef HAVE_PAPI
	if (c->n_papi > 0) {
		int r = PAPI_start(c->papi_set);

		if (r != PAPI_OK) {
			size_t i;

			for (i = 0; i < c->n; i++)
				if (c->ev[i].via == VIA_PAPI)
					set_papi_reason(&c->ev[i], r, "PAPI_start");
			papi_free_set(&c->papi_set);
			c->n_papi = 0;
			return r == PAPI_EPERM ? -EACCES : -EIO;
		}
	}
	if (c->perf_leader >= 0) {
		if (ioctl(c->perf_leader, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP) < 0 ||
		    ioctl(c->perf_leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) < 0) {
			int err = -errno;
			size_t i;

			for (i = 0; i < c->n; i++)
				if (c->ev[i].via == VIA_PERF)
					set_reason(&c->ev[i], "perf_event enable: %s", strerror(-err));
			if (c->n_papi > 0)
				papi_stop_discard(c->papi_set);
			return err;
		}
	}
#endif
	c->running = true;
	return 0;
}

int counters_stop(struct counters *c, long long *values)
{
	int ret = 0;
	size_t i;

	if (!c)
		return -EINVAL;
	if (values)
		for (i = 0; i < c->n; i++)
			values[i] = -1;
	if (!c->running)
		return -EINVAL;
	c->running = false;
#ifdef HAVE_PAPI
	if (c->perf_leader >= 0 &&
	    ioctl(c->perf_leader, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP) < 0) {
		ret = -errno;
		for (i = 0; i < c->n; i++)
			if (c->ev[i].via == VIA_PERF)
				set_reason(&c->ev[i], "perf_event disable: %s", strerror(-ret));
	}
	if (c->n_papi > 0) {
		long long *v = calloc((size_t)c->n_papi, sizeof(*v));
		int r = v ? PAPI_stop(c->papi_set, v) : PAPI_ENOMEM;

		if (r != PAPI_OK) {
			for (i = 0; i < c->n; i++)
				if (c->ev[i].via == VIA_PAPI)
					set_papi_reason(&c->ev[i], r, "PAPI_stop");
			papi_free_set(&c->papi_set);
			c->n_papi = 0;
			ret = r == PAPI_ENOMEM ? -ENOMEM : -EIO;
		} else if (values) {
			for (i = 0; i < c->n; i++)
				if (c->ev[i].via == VIA_PAPI)
					values[i] = v[c->ev[i].papi_pos];
		}
		free(v);
	}
	for (i = 0; i < c->n; i++) {
		struct cevent *e = &c->ev[i];
		uint64_t count;
		ssize_t r;

		if (e->via != VIA_PERF)
			continue;
		r = read(e->fd, &count, sizeof(count));
		if (r != (ssize_t)sizeof(count)) {
			int err = r < 0 ? errno : EIO;

			set_reason(e, "perf_event read: %s", strerror(err));
			ret = -err;
			continue;
		}
		if (values)
			values[i] = (long long)count;
	}
#endif
	return ret;
}

size_t counters_count(const struct counters *c)
{
	return c ? c->n : 0;
}

const char *counters_name(const struct counters *c, size_t i)
{
	return c && i < c->n ? c->ev[i].name : NULL;
}

bool counters_available(const struct counters *c, size_t i)
{
	return c && i < c->n && c->ev[i].via != VIA_NONE;
}

const char *counters_reason(const struct counters *c, size_t i)
{
	if (!c || i >= c->n)
		return NULL;
	return c->ev[i].via == VIA_NONE ? c->ev[i].reason : NULL;
}

const char *counters_via(const struct counters *c, size_t i)
{
	if (!c || i >= c->n)
		return NULL;
	switch (c->ev[i].via) {
	case VIA_PAPI:
		return "PAPI";
	case VIA_PERF:
		return "perf_event_open";
	default:
		return NULL;
	}
}

json_t *counters_json(const struct counters *c, const long long *values)
{
	json_t *o = json_object();
	size_t i;

	if (!o || !c)
		return o;
	for (i = 0; i < c->n; i++) {
		json_t *v;

		if (values && counters_available(c, i) && values[i] >= 0)
			v = json_integer(values[i]);
		else
			v = json_null();
		if (json_object_set_new(o, c->ev[i].name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *counters_reasons_json(const struct counters *c)
{
	json_t *o = json_object();
	size_t i;

	if (!o || !c)
		return o;
	for (i = 0; i < c->n; i++) {
		if (c->ev[i].via != VIA_NONE)
			continue;
		if (json_object_set_new(o, c->ev[i].name, json_string(c->ev[i].reason)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *counters_probe_json(void)
{
	size_t n = sizeof(probe_events) / sizeof(probe_events[0]), i;
	struct counters *c = counters_open(probe_events, n);
	json_t *o;

	if (!c)
		return NULL;
	o = json_object();
	for (i = 0; o && i < n; i++) {
		json_t *e = json_object();
		bool avail = counters_available(c, i);

		if (!e) {
			json_decref(o);
			o = NULL;
			break;
		}
		json_object_set_new(e, "available", json_boolean(avail));
		if (avail)
			json_object_set_new(e, "via", json_string(counters_via(c, i)));
		else
			json_object_set_new(e, "reason", json_string(counters_reason(c, i)));
		json_object_set_new(o, probe_events[i], e);
	}
	counters_close(c);
	return o;
}

const char *counters_backend(void)
{
#ifdef HAVE_PAPI
	pthread_once(&papi_once, papi_setup);
	return papi_version;
#else
	return NO_PAPI_REASON;
#endif
}

const char *counters_component_status(void)
{
#ifdef HAVE_PAPI
	static char buf[PAPI_HUGE_STR_LEN + 128];

	pthread_once(&papi_once, papi_setup);
	if (!pe_disabled) {
		pthread_mutex_lock(&domain_lock);
		snprintf(buf, sizeof(buf), "enabled (sets count %s)",
			 papi_domain & PAPI_DOM_KERNEL ? "user and kernel" : "user space only");
		pthread_mutex_unlock(&domain_lock);
		return buf;
	}
	snprintf(buf, sizeof(buf), "disabled: %s%s", pe_reason,
		 papi_init_ret == PAPI_VER_CURRENT ?
		 "; perf:: generic events counted with perf_event_open(2)" : "");
	return buf;
#else
	return NO_PAPI_REASON;
#endif
}
