/* SPDX-License-Identifier: MIT */
/*
 * swap.c — swap space locus creates for one run and gives back (see swap.h).
 *
 * The header is the kernel's `union swap_header` (include/linux/swap.h): the first page
 * of the area, with "SWAPSPACE2" in its last ten bytes and, after 1024 bytes of boot
 * block, the info block: version (1), last_page (the index of the last usable page),
 * nr_badpages (0), a 16-byte UUID and a 16-byte label.  Writing it here saves a
 * dependency on mkswap (the QEMU guest has only busybox) and keeps the header's page
 * size the running kernel's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "swap.h"
#include "sysfs.h"

#define SWAP_MAGIC "SWAPSPACE2"

static const char *const kind_names[] = {
	[SWAP_NONE] = "none", [SWAP_EXISTING] = "existing",
	[SWAP_ZRAM] = "zram", [SWAP_FILE] = "file",
};

const char *swap_kind_name(enum swap_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

static uint64_t page_bytes(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

int swap_active(uint64_t *total, uint64_t *used)
{
	char path[PATH_MAX], line[1024];
	int n = 0;
	FILE *f;

	*total = *used = 0;
	f = fopen(sysfs_path("proc/swaps", path, sizeof(path)), "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[512], type[32];
		unsigned long long size, use;

		/* Header line: "Filename Type Size Used Priority" has no numbers. */
		if (sscanf(line, "%511s %31s %llu %llu", name, type, &size, &use) != 4)
			continue;
		*total += size * 1024;
		*used += use * 1024;
		n++;
	}
	fclose(f);
	return n;
}

int swap_write_header(int fd, uint64_t bytes)
{
	uint64_t ps = page_bytes(), pages = bytes / ps;
	unsigned char *page;
	uint32_t v;
	int ret = 0;

	if (pages < 10 || pages - 1 > UINT32_MAX)
		return -EINVAL;
	page = calloc(1, ps);
	if (!page)
		return -ENOMEM;
	v = 1;
	memcpy(page + 1024, &v, 4);                /* version */
	v = (uint32_t)(pages - 1);
	memcpy(page + 1028, &v, 4);                /* last_page */
	/* nr_badpages at 1032 stays 0; the UUID at 1036 is random (blkid shows it). */
	if (getrandom(page + 1036, 16, GRND_NONBLOCK) != 16)
		for (int i = 0; i < 16; i++)
			page[1036 + i] = (unsigned char)(rand() ^ (int)time(NULL) >> i);
	page[1036 + 6] = (unsigned char)((page[1036 + 6] & 0x0f) | 0x40);   /* UUID v4 */
	page[1036 + 8] = (unsigned char)((page[1036 + 8] & 0x3f) | 0x80);
	memcpy(page + 1052, "locus", 5);           /* label */
	memcpy(page + ps - 10, SWAP_MAGIC, 10);
	if (pwrite(fd, page, ps, 0) != (ssize_t)ps)
		ret = errno ? -errno : -EIO;
	else if (fsync(fd) < 0)
		ret = -errno;
	free(page);
	return ret;
}

int swap_zram_available(void)
{
	return sysfs_exists("sys/class/zram-control/hot_add");
}

int swap_zram_create(struct swap_area *s, uint64_t bytes)
{
	char buf[64], rel[PATH_MAX], comp[256];
	long id;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	s->kind = SWAP_ZRAM;
	bytes = bytes / page_bytes() * page_bytes();
	sysfs_path("sys/class/zram-control/hot_remove", s->hot_remove, sizeof(s->hot_remove));
	ret = sysfs_read_long("sys/class/zram-control/hot_add", &id);
	if (ret < 0) {
		locus_error("swap: zram: cannot hot-add a device (sys/class/zram-control/hot_add): %s",
			    strerror(-ret));
		return ret;
	}
	snprintf(s->id, sizeof(s->id), "%ld", id);
	s->made = 1;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	snprintf(rel, sizeof(rel), "sys/block/zram%ld/disksize", id);
	ret = sysfs_write_str(rel, buf);
	if (ret < 0) {
		snprintf(rel, sizeof(rel), "sys/block/zram%ld/comp_algorithm", id);
		if (sysfs_read_str(rel, comp, sizeof(comp)) < 0)
			comp[0] = '\0';
		locus_error("swap: zram%ld: cannot set disksize %s: %s (compressors: %s; is the default one's module loaded?)",
			    id, buf, strerror(-ret), comp[0] ? comp : "?");
		goto fail;
	}
	snprintf(s->path, sizeof(s->path), "/dev/zram%ld", id);
	fd = open(s->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		locus_error("swap: cannot open %s: %s", s->path, strerror(-ret));
		goto fail;
	}
	ret = swap_write_header(fd, bytes);
	close(fd);
	if (ret < 0) {
		locus_error("swap: cannot write the swap header to %s: %s", s->path, strerror(-ret));
		goto fail;
	}
	if (swapon(s->path, 0) < 0) {
		ret = -errno;
		locus_error("swap: swapon %s: %s", s->path, strerror(-ret));
		goto fail;
	}
	s->on = 1;
	s->bytes = bytes;
	return 0;
fail:
	swap_release(s);
	return ret;
}

int swap_file_create(struct swap_area *s, const char *dir, uint64_t bytes)
{
	const size_t blk = 1 << 20;
	uint64_t done = 0;
	char *zero = NULL, b[32];
	int fd, ret = 0;

	memset(s, 0, sizeof(*s));
	s->kind = SWAP_FILE;
	bytes = bytes / page_bytes() * page_bytes();
	if (snprintf(s->path, sizeof(s->path), "%s/locus-swap.%d", dir, (int)getpid()) >=
	    (int)sizeof(s->path))
		return -ENAMETOOLONG;
	fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		locus_error("swap: cannot create %s: %s", s->path, strerror(-ret));
		return ret;
	}
	s->made = 1;
	zero = calloc(1, blk);
	if (!zero) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < bytes) {
		size_t n = bytes - done < blk ? (size_t)(bytes - done) : blk;
		ssize_t w = write(fd, zero, n);
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			locus_error("swap: writing %s of %s: %s", s->path,
				    format_size(bytes, b, sizeof(b)), strerror(-ret));
			goto out;
		}
		done += (uint64_t)w;
	}
	if (fchmod(fd, 0600) < 0 || (ret = swap_write_header(fd, bytes)) < 0) {
		ret = ret ? ret : -errno;
		locus_error("swap: cannot write the swap header to %s: %s", s->path, strerror(-ret));
		goto out;
	}
	close(fd);
	fd = -1;
	if (swapon(s->path, 0) < 0) {
		ret = -errno;
		locus_error("swap: swapon %s: %s%s", s->path, strerror(-ret),
			    ret == -EINVAL ? " (this file system may not support swap files)" : "");
		goto out;
	}
	s->on = 1;
	s->bytes = bytes;
out:
	free(zero);
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		swap_release(s);
	return ret;
}

int swap_release(struct swap_area *s)
{
	int ret = 0;

	if (s->kind != SWAP_ZRAM && s->kind != SWAP_FILE)
		return 0;
	if (s->on) {
		if (swapoff(s->path) < 0 && errno != EINVAL)
			ret = -errno;   /* EINVAL: not swapped on (any more) */
		else
			s->on = 0;
	}
	if (s->made && !s->on) {
		int r = 0;

		if (s->kind == SWAP_ZRAM) {
			/* hot_remove resets the device first; EBUSY while it is still open. */
			r = sysfs_write_path(s->hot_remove, s->id, 0);
			if (r == -ENODEV || r == -ENOENT)
				r = 0;
		} else if (unlink(s->path) < 0 && errno != ENOENT) {
			r = -errno;
		}
		if (r == 0)
			s->made = 0;
		else if (!ret)
			ret = r;
	}
	return ret;
}
