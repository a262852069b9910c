/* SPDX-License-Identifier: MIT */
/*
 * cgroup.h — a cgroup v2 of locus's own, with the memory controller, for benchmarks
 * that need memory pressure (bench reclaim).
 *
 * Finding out whether cgroup v2 can be used is half the work: the memory controller
 * may be bound to a cgroup v1 hierarchy (then the v2 mount has no "memory" in
 * cgroup.controllers), cgroup2 may not be mounted at all, or the kernel may lack
 * CONFIG_MEMCG.  cgroup2_probe() tells these apart from /proc/self/mounts so a skip can
 * say exactly why.  A cgroup locus creates is removed again on every way out, signals
 * included: cgroup2_remove() uses only async-signal-safe system calls on paths
 * resolved beforehand.
 */
#ifndef LOCUS_CGROUP_H
#define LOCUS_CGROUP_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

struct cgroup2_probe {
	char mount[PATH_MAX];      /* where cgroup2 is mounted ("" when nowhere) */
	char v1_memory[PATH_MAX];  /* a cgroup v1 hierarchy holding the memory controller, or "" */
	bool memory;               /* "memory" is in the cgroup2 root's cgroup.controllers */
};

/*
 * Read /proc/self/mounts and the cgroup2 root's cgroup.controllers (both under the
 * sysroot, so fixtures can describe other machines).  Returns 0 when cgroup v2 with the
 * memory controller is there (why = ""), 1 when it is not (why: the precise reason and
 * what would fix it), or a negative errno when the mount table cannot be read (why
 * filled too).
 */
int cgroup2_probe(struct cgroup2_probe *p, char *why, size_t len);

struct cgroup2 {
	char path[PATH_MAX];                 /* the cgroup's directory */
	char parent_ctl[PATH_MAX];           /* the parent's cgroup.subtree_control */
	volatile sig_atomic_t created;       /* the directory exists (locus made it) */
	volatile sig_atomic_t enabled_memory;/* locus wrote +memory to parent_ctl */
};

/*
 * Create the cgroup `name` directly below the cgroup2 mount `mount` (the root cgroup,
 * which is exempt from the no-internal-process rule), enabling the memory controller
 * for the root's children first when it is not.  Returns 0, or a negative errno with a
 * message printed (-EEXIST: a cgroup of that name exists; it is left alone).
 */
int cgroup2_create(struct cgroup2 *cg, const char *mount, const char *name);

/* Write `value` to the cgroup's interface file (e.g. "memory.max").  0 or -errno
 * (message printed). */
int cgroup2_set(const struct cgroup2 *cg, const char *file, const char *value);

/* Read a "key value" file (memory.stat, memory.events) into an object of integers.
 * Returns 0 or -errno; *out is NULL on error. */
int cgroup2_read_keyed(const struct cgroup2 *cg, const char *file, json_t **out);

/* Read a file holding one integer or "max" (-1).  0 or -errno. */
int cgroup2_read_value(const struct cgroup2 *cg, const char *file, long long *out);

/* Move process pid into the cgroup (cgroup.procs).  0 or -errno (message printed). */
int cgroup2_attach(const struct cgroup2 *cg, pid_t pid);

/*
 * Remove the cgroup (its processes must have exited and been reaped; an EBUSY right
 * after is retried briefly) and take back the +memory locus enabled in the parent.
 * Async-signal-safe: no allocation, no stdio, no messages.  Returns 0 (also when there
 * was nothing to remove) or the first negative errno.
 */
int cgroup2_remove(struct cgroup2 *cg);

#endif
