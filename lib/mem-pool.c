/* SPDX-License-Identifier: MIT */
/*
 * mem-pool.c — the hugetlb pools: reading them, and raising one for a run and giving
 * it back.
 *
 * A run that asks for 2M or 1G pages on a machine whose pool is too small may raise
 * nr_hugepages (as root); the original value must then come back on every way out of
 * the process, signals included, and must not clobber a value someone else set
 * meanwhile.  That restore machinery (async-signal-safe state, atexit and signal
 * hooks) is a concern of its own, apart from mapping and verifying regions (mem.c).
 * The pool files go through sysfs.h, so that tests exercise the reservation code
 * against a --sysroot fixture.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "mem-internal.h"
#include "sysfs.h"

const char *mem_pool_dir(enum mem_page page)
{
	return page == MEM_PAGE_1G ? "sys/kernel/mm/hugepages/hugepages-1048576kB"
				   : "sys/kernel/mm/hugepages/hugepages-2048kB";
}

int mem_pool_read(enum mem_page page, const char *file, long *out)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "%s/%s", mem_pool_dir(page), file);
	return sysfs_read_long(rel, out);
}

unsigned long mem_hugepages_free(enum mem_page page)
{
	long v;

	if (page != MEM_PAGE_2M && page != MEM_PAGE_1G)
		return 0;
	if (mem_pool_read(page, "free_hugepages", &v) < 0 || v < 0)
		return 0;
	return (unsigned long)v;
}

/* ------------------------------------------------------------------ raising a pool */

/*
 * What the signal handler needs, computed before the pool is changed: the resolved
 * nr_hugepages path, the open flags sysfs_write_str would use, the original value and
 * the value locus left there, all as text, so restoring takes open/read/write/close only.
 */
struct pool_state {
	volatile sig_atomic_t active;
	int flags;
	char path[PATH_MAX];
	char orig[24];
	char set[24];
};
static struct pool_state pools[2];   /* 2M, 1G */
static const int pool_signals[] = { SIGINT, SIGTERM, SIGHUP };
static bool pool_hooks;

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Async-signal-safe.  0 restored, 1 changed by someone else (cur filled), -errno. */
static int pool_restore(struct pool_state *ps, char *cur, size_t curlen)
{
	ssize_t n;
	int fd;

	if (!ps->active)
		return 0;
	ps->active = 0;
	fd = open(ps->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, cur, curlen - 1);
		close(fd);
		if (n > 0) {
			cur[n] = '\0';
			trim(cur);
			if (strcmp(cur, ps->set) != 0)
				return 1;
		}
	}
	return sysfs_write_path(ps->path, ps->orig, ps->flags);
}

static void pool_signal(int sig)
{
	struct sigaction sa;
	int saved = errno;
	char cur[32];

	for (unsigned i = 0; i < 2; i++)
		pool_restore(&pools[i], cur, sizeof(cur));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	errno = saved;
	/* Blocked while this handler runs: delivered, and fatal, as soon as it returns. */
	raise(sig);
}

static void pool_install_hooks(void)
{
	struct sigaction sa, old;

	if (pool_hooks)
		return;
	pool_hooks = true;
	atexit(mem_hugepages_release);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pool_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(pool_signals) / sizeof(pool_signals[0]); i++)
		sigaddset(&sa.sa_mask, pool_signals[i]);
	for (unsigned i = 0; i < sizeof(pool_signals) / sizeof(pool_signals[0]); i++) {
		/* Ignored signals stay ignored; a program's own handler stays its own. */
		if (sigaction(pool_signals[i], NULL, &old) == 0 &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			sigaction(pool_signals[i], &sa, NULL);
	}
}

static void block_pool_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (unsigned i = 0; i < sizeof(pool_signals) / sizeof(pool_signals[0]); i++)
		sigaddset(&set, pool_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

long mem_hugepages_reserve(enum mem_page page, unsigned long count)
{
	const char *name = mem_page_name(page);
	struct pool_state *ps;
	char rel[128], val[24], path[PATH_MAX];
	long nr, freep, got, now = 0;
	unsigned long target;
	sigset_t old;
	int ret;

	if (page != MEM_PAGE_2M && page != MEM_PAGE_1G) {
		locus_error("hugetlb pool: %s pages have none (only 2M and 1G pages do)",
			    name);
		return -EINVAL;
	}
	ps = &pools[page == MEM_PAGE_1G];
	snprintf(rel, sizeof(rel), "%s/nr_hugepages", mem_pool_dir(page));
	if (!sysfs_exists(rel)) {
		locus_error("%s hugetlb pool: this machine has none (%s is missing)",
			    name, sysfs_path(rel, path, sizeof(path)));
		return -EOPNOTSUPP;
	}
	ret = sysfs_read_long(rel, &nr);
	if (ret == 0)
		ret = mem_pool_read(page, "free_hugepages", &freep);
	if (ret < 0) {
		locus_error("%s hugetlb pool: cannot read %s: %s", name,
			    sysfs_path(mem_pool_dir(page), path, sizeof(path)), strerror(-ret));
		return ret;
	}
	if (freep >= 0 && (unsigned long)freep >= count)
		return freep;
	target = (unsigned long)nr + (count - (unsigned long)(freep > 0 ? freep : 0));
	if (!sysfs_is_fake() && geteuid() != 0) {
		locus_error("%s hugetlb pool: reserving pages needs root; as root run 'echo %lu > /%s' beforehand",
			    name, target, rel);
		return -EPERM;
	}
	/* No signal may find the pool changed but not yet recorded. */
	block_pool_signals(&old);
	if (!ps->active) {
		sysfs_path(rel, ps->path, sizeof(ps->path));
		ps->flags = O_WRONLY | O_CLOEXEC | (sysfs_is_fake() ? O_TRUNC : 0);
		snprintf(ps->orig, sizeof(ps->orig), "%ld", nr);
	}
	snprintf(val, sizeof(val), "%lu", target);
	ret = sysfs_write_str(rel, val);
	if (ret == -EACCES || ret == -EPERM || ret == -EROFS) {
		locus_error("%s hugetlb pool: cannot write %s: %s (needs root with a writable /sys)",
			    name, ps->path, strerror(-ret));
		ret = -EPERM;
		goto out;
	}
	if (ret < 0) {
		locus_error("%s hugetlb pool: cannot write %s: %s", name, ps->path, strerror(-ret));
		goto out;
	}
	if (sysfs_read_long(rel, &got) < 0)
		got = (long)target;
	snprintf(ps->set, sizeof(ps->set), "%ld", got);
	atomic_signal_fence(memory_order_seq_cst);
	ps->active = 1;
	pool_install_hooks();
	/* A fixture's free_hugepages never moves: account as the kernel would. */
	if (sysfs_is_fake() || mem_pool_read(page, "free_hugepages", &now) < 0)
		now = (freep > 0 ? freep : 0) + (got > nr ? got - nr : 0);
	if ((unsigned long)got < target)
		locus_warn("%s pages: asked for a pool of %lu pages, the kernel granted %ld (memory fragmented or short); %ld free",
			   name, target, got, now);
	else
		locus_info("%s pages: pool raised from %ld to %ld pages for this run; they are given back at exit",
			   name, nr, got);
	ret = 0;
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret < 0 ? ret : now;
}

void mem_hugepages_release(void)
{
	sigset_t old;
	char cur[32];

	block_pool_signals(&old);
	for (unsigned i = 0; i < 2; i++) {
		struct pool_state *ps = &pools[i];
		const char *name = i ? "1G" : "2M";
		char orig[24], set[24];
		int ret;

		if (!ps->active)
			continue;
		memcpy(orig, ps->orig, sizeof(orig));
		memcpy(set, ps->set, sizeof(set));
		ret = pool_restore(ps, cur, sizeof(cur));
		if (ret == 1)
			locus_warn("%s pages: %s was changed by someone else meanwhile (now %s, locus left %s): not restoring the original %s",
				   name, ps->path, cur, set, orig);
		else if (ret < 0)
			locus_warn("%s pages: cannot restore %s to %s: %s", name, ps->path, orig,
				   strerror(-ret));
		else
			locus_info("%s pages: pool restored to %s pages", name, orig);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
