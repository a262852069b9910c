/* SPDX-License-Identifier: MIT */
/*
 * counters.h — hardware and software event counters through PAPI.
 *
 * The caller names the events it wants (presets such as "PAPI_L1_DCM", natives such as
 * "perf::PAGE-FAULTS").  Availability is decided by actually adding each event to an
 * event set and starting it — papi_avail lists presets that then fail on machines
 * without a PMU — and an event that cannot be counted is reported as JSON null with a
 * reason ("no hardware PMU (virtual machine)", "perf_event_paranoid=3", "built without
 * PAPI"), never as 0.
 *
 * Sets are per thread: open, start, stop and close a set in the thread it counts (a
 * multi-threaded benchmark opens one set per thread).  PAPI is initialised once, with
 * thread support, by the first counters_* call.
 */
#ifndef LOCUS_COUNTERS_H
#define LOCUS_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct counters;

/* Open a set for the calling thread with the given event names.  Never fails for
 * environmental reasons: unavailable events are marked with their reason.  Returns
 * NULL only on ENOMEM. */
struct counters *counters_open(const char *const *events, size_t n);
void counters_close(struct counters *c);

/* Start / stop counting the available events.  values[] (length n, as opened) receives
 * the counts of available events; unavailable slots are set to -1.  Return 0 or a
 * negative errno (when counting fails midway, the affected events become unavailable
 * with the reason). */
int counters_start(struct counters *c);
int counters_stop(struct counters *c, long long *values);

size_t counters_count(const struct counters *c);
const char *counters_name(const struct counters *c, size_t i);
bool counters_available(const struct counters *c, size_t i);
/* NULL when available. */
const char *counters_reason(const struct counters *c, size_t i);
/* How an available event is counted: "PAPI" or "perf_event_open" (PAPI's perf_event
 * component disabled, the kernel's perf:: generic events opened directly); NULL when
 * unavailable. */
const char *counters_via(const struct counters *c, size_t i);

/* {"EVENT": value-or-null, ...} for one measurement.  values may be NULL (all null). */
json_t *counters_json(const struct counters *c, const long long *values);
/* {"EVENT": "reason", ...} for the unavailable events only (empty object if none). */
json_t *counters_reasons_json(const struct counters *c);

/* Probe a default list of events (presets and perf:: software events) and report which
 * can be counted here: {"PAPI_TOT_CYC": {"available": false, "reason": "..."}, ...}.
 * Used by the environment fingerprint. */
json_t *counters_probe_json(void);

/* "PAPI x.y.z" or "built without PAPI". */
const char *counters_backend(void);

/* State of PAPI's perf_event component: "enabled (sets count user and kernel|user
 * space only)", "disabled: REASON[; perf:: generic events counted with
 * perf_event_open(2)]", or "built without PAPI".  Static string, valid until the next
 * call. */
const char *counters_component_status(void);

#endif
