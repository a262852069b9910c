/* SPDX-License-Identifier: MIT */
/*
 * counters-perf.c — the kernel's generic events opened directly with perf_event_open(2),
 * for when PAPI's perf_event component is switched off (counters.c explains when).
 *
 * This file knows the perf:: event names and the system call and nothing about PAPI
 * or about why an event is unavailable (that, the reasons, stays with counters.c): it
 * maps a name to a (type, config) pair, opens an event for the calling thread and
 * tries one once.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "counters-perf.h"

/*
 * libpfm4's "perf" PMU: the kernel's generic events under the names PAPI accepts
 * (perf::NAME, case-insensitive).  Only consulted when PAPI's perf_event component is
 * off; the hardware ones then fail with ENOENT on a machine without a PMU, which is
 * the truthful answer.
 */
static const struct perf_generic perf_generic[] = {
#define HW(n, c) { n, PERF_TYPE_HARDWARE, PERF_COUNT_HW_##c }
#define SW(n, c) { n, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_##c }
	HW("PERF_COUNT_HW_CPU_CYCLES", CPU_CYCLES), HW("CYCLES", CPU_CYCLES),
	HW("CPU-CYCLES", CPU_CYCLES),
	HW("PERF_COUNT_HW_INSTRUCTIONS", INSTRUCTIONS), HW("INSTRUCTIONS", INSTRUCTIONS),
	HW("PERF_COUNT_HW_CACHE_REFERENCES", CACHE_REFERENCES),
	HW("CACHE-REFERENCES", CACHE_REFERENCES),
	HW("PERF_COUNT_HW_CACHE_MISSES", CACHE_MISSES), HW("CACHE-MISSES", CACHE_MISSES),
	HW("PERF_COUNT_HW_BRANCH_INSTRUCTIONS", BRANCH_INSTRUCTIONS),
	HW("BRANCH-INSTRUCTIONS", BRANCH_INSTRUCTIONS), HW("BRANCHES", BRANCH_INSTRUCTIONS),
	HW("PERF_COUNT_HW_BRANCH_MISSES", BRANCH_MISSES), HW("BRANCH-MISSES", BRANCH_MISSES),
	HW("PERF_COUNT_HW_BUS_CYCLES", BUS_CYCLES), HW("BUS-CYCLES", BUS_CYCLES),
	HW("PERF_COUNT_HW_STALLED_CYCLES_FRONTEND", STALLED_CYCLES_FRONTEND),
	HW("STALLED-CYCLES-FRONTEND", STALLED_CYCLES_FRONTEND),
	HW("IDLE-CYCLES-FRONTEND", STALLED_CYCLES_FRONTEND),
	HW("PERF_COUNT_HW_STALLED_CYCLES_BACKEND", STALLED_CYCLES_BACKEND),
	HW("STALLED-CYCLES-BACKEND", STALLED_CYCLES_BACKEND),
	HW("IDLE-CYCLES-BACKEND", STALLED_CYCLES_BACKEND),
	HW("PERF_COUNT_HW_REF_CPU_CYCLES", REF_CPU_CYCLES), HW("REF-CYCLES", REF_CPU_CYCLES),
	SW("PERF_COUNT_SW_CPU_CLOCK", CPU_CLOCK), SW("CPU-CLOCK", CPU_CLOCK),
	SW("PERF_COUNT_SW_TASK_CLOCK", TASK_CLOCK), SW("TASK-CLOCK", TASK_CLOCK),
	SW("PERF_COUNT_SW_PAGE_FAULTS", PAGE_FAULTS), SW("PAGE-FAULTS", PAGE_FAULTS),
	SW("FAULTS", PAGE_FAULTS),
	SW("PERF_COUNT_SW_CONTEXT_SWITCHES", CONTEXT_SWITCHES),
	SW("CONTEXT-SWITCHES", CONTEXT_SWITCHES), SW("CS", CONTEXT_SWITCHES),
	SW("PERF_COUNT_SW_CPU_MIGRATIONS", CPU_MIGRATIONS),
	SW("CPU-MIGRATIONS", CPU_MIGRATIONS), SW("MIGRATIONS", CPU_MIGRATIONS),
	SW("PERF_COUNT_SW_PAGE_FAULTS_MIN", PAGE_FAULTS_MIN), SW("MINOR-FAULTS", PAGE_FAULTS_MIN),
	SW("PERF_COUNT_SW_PAGE_FAULTS_MAJ", PAGE_FAULTS_MAJ), SW("MAJOR-FAULTS", PAGE_FAULTS_MAJ),
	SW("PERF_COUNT_SW_ALIGNMENT_FAULTS", ALIGNMENT_FAULTS),
	SW("ALIGNMENT-FAULTS", ALIGNMENT_FAULTS),
	SW("PERF_COUNT_SW_EMULATION_FAULTS", EMULATION_FAULTS),
	SW("EMULATION-FAULTS", EMULATION_FAULTS),
#undef HW
#undef SW
};

const struct perf_generic *counters_perf_lookup(const char *name)
{
	size_t i;

	if (strncasecmp(name, "perf::", 6) != 0)
		return NULL;
	name += 6;
	for (i = 0; i < sizeof(perf_generic) / sizeof(perf_generic[0]); i++)
		if (strcasecmp(name, perf_generic[i].name) == 0)
			return &perf_generic[i];
	return NULL;
}

/*
 * Events that only ever happen in the kernel: counted in user space only they read 0,
 * which would be a lie rather than a measurement, so they are then unavailable.
 */
bool counters_perf_kernel_side(uint32_t type, uint64_t config)
{
	return type == PERF_TYPE_SOFTWARE &&
	       (config == PERF_COUNT_SW_CONTEXT_SWITCHES || config == PERF_COUNT_SW_CPU_MIGRATIONS);
}

/* Count the calling thread, user and kernel alike. */
int counters_perf_open(uint32_t type, uint64_t config, int group_fd)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	attr.disabled = group_fd < 0;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM) && !counters_perf_kernel_side(type, config)) {
		/* Unprivileged with paranoid 2: user space only is still allowed. */
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		fd = syscall(SYS_perf_event_open, &attr, 0, -1, group_fd,
			     PERF_FLAG_FD_CLOEXEC);
	}
	return fd < 0 ? -errno : (int)fd;
}

/* Open, start, stop and close once: the event can be counted here. */
int counters_perf_trial(uint32_t type, uint64_t config)
{
	int fd = counters_perf_open(type, config, -1);

	if (fd < 0)
		return fd;
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}
