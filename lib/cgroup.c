/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c — a cgroup v2 of locus's own with the memory controller (see cgroup.h).
 *
 * Paths are resolved through sysfs.h once, when the cgroup is created, and kept
 * resolved: removal must work from a signal handler, where nothing may be allocated
 * or formatted.  The mount table and cgroup.controllers are read under the sysroot,
 * so the reasons for not being able to use cgroup v2 can be tested with fixtures.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "sysfs.h"

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

static bool has_word(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || strchr(seps, p[-1])) && (p[n] == '\0' || strchr(seps, p[n])))
			return true;
	return false;
}

int cgroup2_probe(struct cgroup2_probe *p, char *why, size_t len)
{
	char path[PATH_MAX], line[4096], rel[PATH_MAX + 32], ctl[1024];
	FILE *f;

	memset(p, 0, sizeof(*p));
	why[0] = '\0';
	f = fopen(sysfs_path("proc/self/mounts", path, sizeof(path)), "re");
	if (!f) {
		int e = errno;
		snprintf(why, len, "cannot read %s: %s", path, strerror(e));
		return -e;
	}
	while (fgets(line, sizeof(line), f)) {
		char dev[256], mnt[PATH_MAX], type[64], opts[1024];

		if (sscanf(line, "%255s %4095s %63s %1023s", dev, mnt, type, opts) != 4)
			continue;
		unescape(mnt);
		if (strcmp(type, "cgroup2") == 0 && !p->mount[0])
			snprintf(p->mount, sizeof(p->mount), "%s", mnt);
		else if (strcmp(type, "cgroup") == 0 && has_word(opts, "memory", ",") &&
			 !p->v1_memory[0])
			snprintf(p->v1_memory, sizeof(p->v1_memory), "%s", mnt);
	}
	fclose(f);
	if (p->mount[0]) {
		snprintf(rel, sizeof(rel), "%s/cgroup.controllers", p->mount + 1);
		if (sysfs_read_str(rel, ctl, sizeof(ctl)) >= 0)
			p->memory = has_word(ctl, "memory", " \t\n");
		else
			ctl[0] = '\0';
	}
	if (p->memory)
		return 0;
	if (p->v1_memory[0] && p->mount[0])
		snprintf(why, len, "the memory controller is bound to cgroup v1 (%s); needs cgroup v2 (cgroup2 at %s has no memory controller: boot with systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=memory)",
			 p->v1_memory, p->mount);
	else if (p->v1_memory[0])
		snprintf(why, len, "the memory controller is bound to cgroup v1 (%s); needs cgroup v2 (no cgroup2 is mounted)",
			 p->v1_memory);
	else if (p->mount[0])
		snprintf(why, len, "cgroup2 at %s has no memory controller (cgroup.controllers: \"%s\"; kernel without CONFIG_MEMCG, or booted with cgroup_disable=memory)",
			 p->mount, ctl);
	else
		snprintf(why, len, "no cgroup2 file system is mounted (as root: mount -t cgroup2 none /sys/fs/cgroup)");
	return 1;
}

int cgroup2_create(struct cgroup2 *cg, const char *mount, const char *name)
{
	char rel[PATH_MAX], ctl[1024];
	int ret;

	memset(cg, 0, sizeof(*cg));
	if (snprintf(rel, sizeof(rel), "%s/cgroup.subtree_control", mount + (mount[0] == '/')) >=
	    (int)sizeof(rel))
		return -ENAMETOOLONG;
	sysfs_path(rel, cg->parent_ctl, sizeof(cg->parent_ctl));
	snprintf(rel, sizeof(rel), "%s/%s", mount + (mount[0] == '/'), name);
	sysfs_path(rel, cg->path, sizeof(cg->path));
	if (!cg->path[0] || !cg->parent_ctl[0])
		return -ENAMETOOLONG;

	snprintf(rel, sizeof(rel), "%s/cgroup.subtree_control", mount + (mount[0] == '/'));
	if (sysfs_read_str(rel, ctl, sizeof(ctl)) < 0)
		ctl[0] = '\0';
	if (!has_word(ctl, "memory", " \t\n")) {
		ret = sysfs_write_path(cg->parent_ctl, "+memory", 0);
		if (ret < 0) {
			locus_error("cgroup: cannot enable the memory controller in %s: %s%s",
				    cg->parent_ctl, strerror(-ret),
				    ret == -EBUSY ? " (processes in that cgroup itself: the no-internal-process rule)" : "");
			return ret;
		}
		cg->enabled_memory = 1;
	}
	if (mkdir(cg->path, 0755) < 0) {
		ret = -errno;
		locus_error("cgroup: cannot create %s: %s", cg->path, strerror(-ret));
		cgroup2_remove(cg);
		return ret;
	}
	cg->created = 1;
	return 0;
}

int cgroup2_set(const struct cgroup2 *cg, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	ret = sysfs_write_path(path, value, 0);
	if (ret < 0)
		locus_error("cgroup: cannot write %s to %s: %s", value, path, strerror(-ret));
	return ret;
}

int cgroup2_read_keyed(const struct cgroup2 *cg, const char *file, json_t **out)
{
	char path[PATH_MAX + 64], key[128];
	long long v;
	FILE *f;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*out = json_object();
	while (fscanf(f, "%127s %lld", key, &v) == 2)
		json_object_set_new(*out, key, json_integer(v));
	fclose(f);
	return 0;
}

int cgroup2_read_value(const struct cgroup2 *cg, const char *file, long long *out)
{
	char path[PATH_MAX + 64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*out = strncmp(buf, "max", 3) == 0 ? -1 : strtoll(buf, NULL, 10);
	return 0;
}

int cgroup2_attach(const struct cgroup2 *cg, pid_t pid)
{
	char val[32];

	snprintf(val, sizeof(val), "%d", (int)pid);
	return cgroup2_set(cg, "cgroup.procs", val);
}

int cgroup2_remove(struct cgroup2 *cg)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int ret = 0;

	if (cg->created) {
		/* An exited task leaves the cgroup asynchronously: a moment of EBUSY. */
		for (int i = 0; i < 200; i++) {
			if (rmdir(cg->path) == 0 || errno == ENOENT) {
				cg->created = 0;
				break;
			}
			if (errno != EBUSY) {
				ret = -errno;
				break;
			}
			nanosleep(&ts, NULL);
		}
		if (cg->created && !ret)
			ret = -EBUSY;
	}
	if (cg->enabled_memory && !cg->created) {
		/* Fails (EBUSY) when another child cgroup now uses the controller: then it
		 * is someone else's to keep. */
		int r = sysfs_write_path(cg->parent_ctl, "-memory", 0);
		if (r == 0 || r == -EBUSY)
			cg->enabled_memory = 0;
		else if (!ret)
			ret = r;
	}
	return ret;
}
