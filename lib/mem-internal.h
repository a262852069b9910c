/* SPDX-License-Identifier: MIT */
/*
 * mem-internal.h — what the files of the allocator (lib/mem*.c) share among themselves
 * and nobody else uses: the location of the hugetlb pool files.  Not part of the lib/
 * interface (that is mem.h).
 */
#ifndef LOCUS_MEM_INTERNAL_H
#define LOCUS_MEM_INTERNAL_H

#include "mem.h"

/* The sysroot-relative directory of PAGE's hugetlb pool (2M unless PAGE is 1G). */
const char *mem_pool_dir(enum mem_page page);
/* One number from a file of PAGE's pool directory, through sysfs.h: 0 or -errno. */
int mem_pool_read(enum mem_page page, const char *file, long *out);

#endif
