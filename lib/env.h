/* SPDX-License-Identifier: MIT */
/*
 * env.h — the environment fingerprint embedded in every result file.
 *
 * Everything that changes a measurement: CPU identity, hypervisor, SMT, kernel, memory
 * tunables (THP, NUMA balancing, swappiness, overcommit, ...), hugepage pools, the
 * process's cgroup limits, the timer, counter availability, and how locus itself was
 * built.  A comparison across results with different fingerprints says so.
 */
#ifndef LOCUS_ENV_H
#define LOCUS_ENV_H

#include <stdio.h>
#include <jansson.h>

/* Collect the fingerprint (reads through sysfs.h, so honours --sysroot).  Fields that
 * cannot be read are null, never guessed.  Returns a new reference, or NULL on ENOMEM. */
json_t *env_fingerprint(void);

/* Print a fingerprint as readable text, one "key: value" line per item, grouped. */
void env_print(FILE *f, const json_t *env);

/*
 * The fingerprint keys whose difference makes two results not comparable like-for-like,
 * as dotted paths into the fingerprint object, NULL-terminated.  Used by compare.
 * They are the things that move a memory benchmark's numbers by more than noise:
 *   cpu.vendor cpu.model cpu.microcode cpu.hypervisor_vendor cpu.pus cpu.smt_active
 *   cpu.governor cpu.boost cpu.no_turbo kernel.release memory.thp_enabled
 *   memory.thp_defrag memory.numa_balancing memory.zone_reclaim_mode
 *   cgroup.cpuset_cpus_effective cgroup.cpuset_mems_effective cgroup.cpu_max
 *   build.compiler_version build.cflags
 * (Hugepage pool sizes, swappiness and the like are recorded but not critical: they
 * only matter to benchmarks that state them in their own parameters.)
 */
extern const char *const env_critical_keys[];

/* Look up a dotted path ("cpu.model") in a fingerprint.  Returns a borrowed reference,
 * or NULL when any component is missing. */
json_t *env_get(const json_t *env, const char *dotted);

#endif
