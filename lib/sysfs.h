/* SPDX-License-Identifier: MIT */
/*
 * sysfs.h — every read and write of /proc and /sys, relative to a sysroot.
 *
 * Nothing else in locus opens a path under /proc or /sys directly.  Paths are given
 * without the leading slash ("proc/sys/vm/swappiness") and resolved under the sysroot
 * ("/" by default, or --sysroot DIR), so tests can run every command against a fixture
 * tree and never touch the host's real settings, and users can inspect a copy of
 * another machine's /proc/sys and /sys.
 */
#ifndef LOCUS_SYSFS_H
#define LOCUS_SYSFS_H

#include <stddef.h>
#include <stdbool.h>

/* Set the sysroot ("/" or NULL restores the real root).  The string is copied. */
void sysfs_set_root(const char *root);
const char *sysfs_root(void);
/* True when a sysroot other than "/" is in effect. */
bool sysfs_is_fake(void);

/* Resolve a relative path under the sysroot into buf.  Returns buf (an empty string
 * when the result does not fit, so that opening it fails rather than opening a
 * truncated path). */
const char *sysfs_path(const char *rel, char *buf, size_t len);

/* Read the whole file (up to len-1 bytes), trailing newlines/spaces removed.
 * Returns the length read, or a negative errno. */
int sysfs_read_str(const char *rel, char *buf, size_t len);

/* Read a file holding one integer.  Returns 0 or a negative errno (-EINVAL if the
 * content is not an integer). */
int sysfs_read_long(const char *rel, long *out);

/* Write a value (a newline is not added).  Returns 0 or a negative errno, with the
 * kernel's errno preserved (e.g. -EINVAL for a rejected value, -EACCES for non-root). */
int sysfs_write_str(const char *rel, const char *val);

/* Write a whole value to an absolute path that is already resolved (no sysroot
 * prefix), opened with O_WRONLY | O_CLOEXEC | extra_flags (e.g. O_TRUNC for a fixture
 * file): open, one write, close, so it is async-signal-safe and can undo a change from
 * a signal handler (lib/mem-pool.c, lib/cgroup.c, lib/swap.c).  Returns 0, -EIO for a short
 * write, or the negative errno. */
int sysfs_write_path(const char *path, const char *val, int extra_flags);

/* Whether the path exists under the sysroot. */
bool sysfs_exists(const char *rel);

/* Read one "Key:   value kB" line of a /proc meminfo-style file (proc/meminfo,
 * sys/devices/system/node/nodeN/meminfo with its "Node N" prefix).  Returns the value
 * in bytes when the unit is kB, else the bare number; negative errno if absent. */
int sysfs_meminfo(const char *rel, const char *key, long long *out);

#endif
