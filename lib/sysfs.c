/* SPDX-License-Identifier: MIT */
/*
 * sysfs.c — every read and write of /proc and /sys, relative to a sysroot.
 *
 * All of locus reaches the kernel's pseudo-files through these few functions so that a
 * single switch (--sysroot DIR) redirects every read and every write into a fixture
 * tree.  That is what lets the tests exercise tuning code without touching the host,
 * and lets a user inspect a copy of another machine's /proc and /sys.  The functions
 * are deliberately plain: one open, one read or write, the kernel's errno passed back
 * unchanged (a rejected sysctl value is -EINVAL, a non-root write -EACCES), no
 * messages printed — the caller knows which tunable it was and says so.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

/* The sysroot without a trailing slash; "" means the real root. */
static char sysroot[PATH_MAX];

void sysfs_set_root(const char *root)
{
	size_t n;

	if (!root || !*root) {
		sysroot[0] = '\0';
		return;
	}
	n = strlen(root);
	if (n >= sizeof(sysroot))
		n = sizeof(sysroot) - 1;
	memcpy(sysroot, root, n);
	/* "dir/" and "dir" must resolve the same way; "/" becomes "". */
	while (n > 0 && sysroot[n - 1] == '/')
		n--;
	sysroot[n] = '\0';
}

const char *sysfs_root(void)
{
	return sysroot[0] ? sysroot : "/";
}

bool sysfs_is_fake(void)
{
	return sysroot[0] != '\0';
}

/* Resolve into buf; -ENAMETOOLONG when it does not fit (never a truncated path). */
static int resolve(const char *rel, char *buf, size_t len)
{
	int n;

	if (!rel || !buf || len == 0)
		return -EINVAL;
	while (*rel == '/')
		rel++;
	n = snprintf(buf, len, "%s/%s", sysroot, rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

const char *sysfs_path(const char *rel, char *buf, size_t len)
{
	/* Too long: an empty path fails to open, a truncated one might open the wrong file. */
	if (resolve(rel, buf, len) < 0 && buf && len > 0)
		buf[0] = '\0';
	return buf;
}

int sysfs_read_str(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t got = 0;
	int fd, ret;

	if (!buf || len == 0)
		return -EINVAL;
	buf[0] = '\0';
	ret = resolve(rel, path, sizeof(path));
	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* procfs and sysfs files may hand out their content in several pieces. */
	while (got < len - 1) {
		ssize_t r = read(fd, buf + got, len - 1 - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			close(fd);
			buf[0] = '\0';
			return ret;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' ' ||
			   buf[got - 1] == '\t' || buf[got - 1] == '\r'))
		got--;
	buf[got] = '\0';
	return (int)got;
}

int sysfs_read_long(const char *rel, long *out)
{
	char buf[64], *end;
	const char *s;
	long v;
	int ret;

	ret = sysfs_read_str(rel, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	s = buf;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int sysfs_write_path(const char *path, const char *val, int extra_flags)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | extra_flags);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

int sysfs_write_str(const char *rel, const char *val)
{
	char path[PATH_MAX];
	size_t len, done = 0;
	int fd, ret, flags = O_WRONLY | O_CLOEXEC;

	if (!val)
		return -EINVAL;
	ret = resolve(rel, path, sizeof(path));
	if (ret < 0)
		return ret;
	/*
	 * A fixture file is a regular file: without O_TRUNC, writing "0" over "60" would
	 * leave "00".  The real /proc/sys files replace their value on each write and
	 * some refuse truncation, so O_TRUNC is used only under a fake root.
	 */
	if (sysfs_is_fake())
		flags |= O_TRUNC;
	fd = open(path, flags);
	if (fd < 0)
		return -errno;
	len = strlen(val);
	while (done < len) {
		ssize_t w = write(fd, val + done, len - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* The kernel's verdict on the value (EINVAL, EBUSY, ...). */
			ret = -errno;
			close(fd);
			return ret;
		}
		if (w == 0) {
			close(fd);
			return -EIO;
		}
		done += (size_t)w;
	}
	if (close(fd) < 0)
		return -errno;
	return 0;
}

bool sysfs_exists(const char *rel)
{
	char path[PATH_MAX];

	if (resolve(rel, path, sizeof(path)) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/*
 * Match one meminfo line against key.  Node meminfo lines carry a "Node N " prefix
 * which is skipped.  On a match, *rest points after the colon.
 */
static bool meminfo_match(const char *line, const char *key, size_t keylen,
			  const char **rest)
{
	if (strncmp(line, "Node ", 5) == 0) {
		line += 5;
		while (*line >= '0' && *line <= '9')
			line++;
		while (*line == ' ')
			line++;
	}
	if (strncmp(line, key, keylen) != 0 || line[keylen] != ':')
		return false;
	*rest = line + keylen + 1;
	return true;
}

int sysfs_meminfo(const char *rel, const char *key, long long *out)
{
	char path[PATH_MAX], line[256];
	size_t keylen;
	FILE *f;
	int ret;

	if (!key || !*key || !out)
		return -EINVAL;
	keylen = strlen(key);
	/* Accept "MemFree:" as well as "MemFree". */
	if (key[keylen - 1] == ':')
		keylen--;
	ret = resolve(rel, path, sizeof(path));
	if (ret < 0)
		return ret;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		const char *rest;
		char *end;
		long long v;

		if (!meminfo_match(line, key, keylen, &rest))
			continue;
		errno = 0;
		v = strtoll(rest, &end, 10);
		if (end == rest || v < 0) {
			ret = -EINVAL;
			break;
		}
		if (errno == ERANGE) {
			ret = -ERANGE;
			break;
		}
		while (*end == ' ' || *end == '\t')
			end++;
		if (strncmp(end, "kB", 2) == 0) {
			if (v > LLONG_MAX / 1024) {
				ret = -ERANGE;
				break;
			}
			v *= 1024;
		}
		*out = v;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}
