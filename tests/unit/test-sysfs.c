/* SPDX-License-Identifier: MIT */
/*
 * test-sysfs.c — unit tests for lib/sysfs.c against a temporary sysroot.
 *
 * Builds a small /proc and /sys tree under mkdtemp(), points the sysroot at it and
 * checks path resolution, reads (strings, integers, bad content), writes (replacing a
 * longer value, errors passed through), meminfo parsing (system and per-node formats)
 * and error returns.  The one kernel write is to /proc/self/oom_score_adj with an
 * out-of-range value: the kernel rejects it with EINVAL and nothing changes (and it
 * would only concern this process anyway) — no host setting is ever touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"
#include "tap.h"

static char root[PATH_MAX];

static void put_file(const char *rel, const char *content)
{
	char path[PATH_MAX + 256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* mkdir -p of the parent */
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(content, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	char buf[256], path[PATH_MAX], want[PATH_MAX + 64];
	long v;
	long long ll;
	int ret;

	snprintf(root, sizeof(root), "%s/locus-sysfs-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		tap_skip_all("cannot create a temporary directory");

	put_file("proc/sys/vm/swappiness", "60\n");
	put_file("proc/sys/vm/negative", "-1\n");
	put_file("proc/sys/vm/text", "abc\n");
	put_file("proc/sys/vm/trailing", "12abc\n");
	put_file("proc/sys/vm/empty", "");
	put_file("proc/sys/vm/huge", "99999999999999999999999\n");
	put_file("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never  \n\n");
	put_file("proc/meminfo",
		 "MemTotal:       16384000 kB\n"
		 "MemFree:        12000000 kB\n"
		 "MemAvailable:        123 kB\n"
		 "HugePages_Total:      64\n"
		 "Hugepagesize:       2048 kB\n");
	put_file("sys/devices/system/node/node1/meminfo",
		 "Node 1 MemTotal:        8192000 kB\n"
		 "Node 1 MemFree:             123 kB\n"
		 "Node 1 HugePages_Total:    24\n");

	/* --- the root itself */
	sysfs_set_root(NULL);
	is_str(sysfs_root(), "/", "default sysroot is /");
	ok(!sysfs_is_fake(), "default sysroot is not fake");
	is_str(sysfs_path("proc/meminfo", path, sizeof(path)), "/proc/meminfo",
	       "real root resolves proc/meminfo to /proc/meminfo");
	v = -1;
	ret = sysfs_read_long("proc/sys/vm/swappiness", &v);
	ok(ret == 0 && v >= 0 && v <= 200, "reads the host's real swappiness (%ld)", v);
	sysfs_set_root("/");
	ok(!sysfs_is_fake(), "sysroot / is not fake");

	snprintf(want, sizeof(want), "%s/", root);
	sysfs_set_root(want);
	is_str(sysfs_root(), root, "trailing slash of the sysroot is dropped");
	sysfs_set_root(root);
	ok(sysfs_is_fake(), "a sysroot directory is fake");
	snprintf(want, sizeof(want), "%s/proc/sys/vm/swappiness", root);
	is_str(sysfs_path("proc/sys/vm/swappiness", path, sizeof(path)), want,
	       "relative path resolves under the sysroot");
	is_str(sysfs_path("/proc/sys/vm/swappiness", path, sizeof(path)), want,
	       "a leading slash still resolves under the sysroot");
	is_str(sysfs_path("proc/sys/vm/swappiness", path, 8), "",
	       "a path that does not fit resolves to \"\", never a truncated path");

	/* --- strings */
	ret = sysfs_read_str("sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	is_str(buf, "always [madvise] never", "read_str strips trailing newlines and spaces");
	is_int(ret, (long long)strlen("always [madvise] never"), "read_str returns the length");
	ret = sysfs_read_str("sys/kernel/mm/transparent_hugepage/enabled", buf, 5);
	is_str(buf, "alwa", "read_str reads at most len-1 bytes");
	is_int(ret, 4, "truncated read returns the bytes kept");
	ret = sysfs_read_str("proc/sys/vm/empty", buf, sizeof(buf));
	ok(ret == 0 && buf[0] == '\0', "empty file reads as an empty string");
	is_int(sysfs_read_str("proc/nope", buf, sizeof(buf)), -ENOENT, "missing file is -ENOENT");
	is_int(sysfs_read_str("proc/sys", buf, sizeof(buf)), -EISDIR, "a directory is -EISDIR");
	is_int(sysfs_read_str("proc/sys/vm/swappiness", buf, 0), -EINVAL, "len 0 is -EINVAL");

	/* --- integers */
	v = 0;
	is_int(sysfs_read_long("proc/sys/vm/swappiness", &v), 0, "read_long succeeds");
	is_int(v, 60, "read_long value");
	sysfs_read_long("proc/sys/vm/negative", &v);
	is_int(v, -1, "read_long reads a negative value");
	v = 7;
	is_int(sysfs_read_long("proc/sys/vm/text", &v), -EINVAL, "non-integer is -EINVAL");
	is_int(v, 7, "out untouched on error");
	is_int(sysfs_read_long("proc/sys/vm/trailing", &v), -EINVAL, "trailing junk is -EINVAL");
	is_int(sysfs_read_long("proc/sys/vm/empty", &v), -EINVAL, "empty file is -EINVAL");
	is_int(sysfs_read_long("proc/sys/vm/huge", &v), -ERANGE, "overflow is -ERANGE");
	is_int(sysfs_read_long("proc/sys/vm/none", &v), -ENOENT, "missing integer file is -ENOENT");

	/* --- writes */
	is_int(sysfs_write_str("proc/sys/vm/swappiness", "5"), 0, "write succeeds");
	sysfs_read_long("proc/sys/vm/swappiness", &v);
	is_int(v, 5, "a shorter value replaces a longer one (no stale digits)");
	is_int(sysfs_write_str("proc/sys/vm/absent", "1"), -ENOENT,
	       "writing a missing file is -ENOENT (never created)");
	ok(!sysfs_exists("proc/sys/vm/absent"), "the failed write did not create the file");
	is_int(sysfs_write_str("proc/sys", "1"), -EISDIR, "writing a directory is -EISDIR");
	is_int(sysfs_write_str("proc/sys/vm/swappiness", NULL), -EINVAL, "NULL value is -EINVAL");
	sysfs_set_root("/dev");
	is_int(sysfs_write_str("full", "1"), -ENOSPC,
	       "write error from the device is passed back (ENOSPC)");
	sysfs_set_root(NULL);
	/* The kernel rejects this value (range -1000..1000): EINVAL must come back as is. */
	is_int(sysfs_write_str("proc/self/oom_score_adj", "5000"), -EINVAL,
	       "kernel's EINVAL for a rejected value is preserved");
	sysfs_set_root(root);

	/* --- exists */
	ok(sysfs_exists("proc/meminfo"), "exists: file");
	ok(sysfs_exists("proc/sys/vm"), "exists: directory");
	ok(!sysfs_exists("proc/sys/vm/nothing"), "exists: missing");

	/* --- meminfo */
	ll = 0;
	is_int(sysfs_meminfo("proc/meminfo", "MemAvailable", &ll), 0, "meminfo finds MemAvailable");
	is_int(ll, 123LL * 1024, "kB values are returned in bytes");
	sysfs_meminfo("proc/meminfo", "MemTotal:", &ll);
	is_int(ll, 16384000LL * 1024, "a key given with its colon works too");
	sysfs_meminfo("proc/meminfo", "HugePages_Total", &ll);
	is_int(ll, 64, "values without a unit are returned bare");
	is_int(sysfs_meminfo("proc/meminfo", "Mem", &ll), -ENOENT, "a key prefix does not match");
	is_int(sysfs_meminfo("proc/meminfo", "Nothing", &ll), -ENOENT, "missing key is -ENOENT");
	is_int(sysfs_meminfo("proc/nomeminfo", "MemFree", &ll), -ENOENT, "missing file is -ENOENT");
	ll = 0;
	is_int(sysfs_meminfo("sys/devices/system/node/node1/meminfo", "MemFree", &ll), 0,
	       "node meminfo: 'Node N' prefix is skipped");
	is_int(ll, 123LL * 1024, "node meminfo value in bytes");
	sysfs_meminfo("sys/devices/system/node/node1/meminfo", "HugePages_Total", &ll);
	is_int(ll, 24, "node meminfo bare value");

	/* --- the real /proc/meminfo parses too */
	sysfs_set_root(NULL);
	ll = 0;
	ret = sysfs_meminfo("proc/meminfo", "MemTotal", &ll);
	ok(ret == 0 && ll > 0, "the host's MemTotal parses (%lld bytes)", ll);

	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
