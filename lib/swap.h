/* SPDX-License-Identifier: MIT */
/*
 * swap.h — swap space that locus creates for one run and gives back: a zram device or
 * a swap file, with the swap header written by locus itself (no mkswap needed).
 *
 * A benchmark of reclaim needs swap for vm.swappiness to matter at all, but a machine
 * must not be left with swap it did not have.  So the area is recorded as it is made,
 * and swap_release() undoes it with async-signal-safe system calls only (swapoff, a
 * write to zram-control/hot_remove, unlink) on paths resolved beforehand, callable
 * from a signal handler.
 */
#ifndef LOCUS_SWAP_H
#define LOCUS_SWAP_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>

enum swap_kind {
	SWAP_NONE = 0,
	SWAP_EXISTING,   /* active swap that was there before (not locus's) */
	SWAP_ZRAM,       /* a zram device locus hot-added */
	SWAP_FILE,       /* a swap file locus wrote */
};
/* "none", "existing", "zram", "file" */
const char *swap_kind_name(enum swap_kind k);

struct swap_area {
	enum swap_kind kind;
	uint64_t bytes;                  /* usable size, bytes */
	char path[PATH_MAX];             /* the device or file given to swapon */
	char hot_remove[PATH_MAX];       /* zram: zram-control/hot_remove */
	char id[16];                     /* zram: the device number, as text */
	volatile sig_atomic_t on;        /* locus's swapon succeeded */
	volatile sig_atomic_t made;      /* the zram device or the file exists */
};

/*
 * Active swap from /proc/swaps (under the sysroot): returns the number of areas (0 =
 * none) and their total and used bytes, or a negative errno.
 */
int swap_active(uint64_t *total, uint64_t *used);

/*
 * Write a version-1 swap header ("SWAPSPACE2", last_page, no bad pages, a random
 * UUID) into the first page of fd, for an area of `bytes` (whole pages; at least 10).
 * Returns 0 or a negative errno.
 */
int swap_write_header(int fd, uint64_t bytes);

/* Whether zram can be hot-added here (zram-control exists, i.e. the module is in). */
int swap_zram_available(void);

/*
 * Hot-add a zram device of `bytes` (its disksize: compressed pages take less RAM,
 * incompressible ones about as much), write the header, swapon it.  Returns 0, or a
 * negative errno with a message printed; on error everything made is already undone.
 */
int swap_zram_create(struct swap_area *s, uint64_t bytes);

/*
 * Create a swap file of `bytes` in dir (written with zeros, not fallocated: swapon
 * refuses unwritten extents on some file systems), mode 0600, header, swapon.  Returns
 * 0, or a negative errno with a message printed; on error the file is removed.
 */
int swap_file_create(struct swap_area *s, const char *dir, uint64_t bytes);

/*
 * swapoff, then remove the zram device or the file.  Async-signal-safe; no messages.
 * Returns 0 (also when nothing was made) or the first negative errno.  Existing swap
 * (SWAP_EXISTING) is never touched.
 */
int swap_release(struct swap_area *s);

#endif
