/* SPDX-License-Identifier: MIT */
/*
 * fuzz-common.c — fuzz_path() and fuzz_string() for the fuzz targets (see fuzz.h).
 */
#include "config.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

const char *fuzz_path(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("locus-fuzz", 0);
		if (fd < 0)
			return NULL;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return NULL;
	return path;
}

const char *fuzz_string(const uint8_t *data, size_t size)
{
	static char *buf;
	static size_t cap;

	if (size + 1 > cap) {
		char *n = realloc(buf, size + 1);

		if (!n)
			return NULL;
		buf = n;
		cap = size + 1;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	return buf;
}

void fuzz_quiet(void)
{
	/* Nothing to do: `make fuzz` passes -close_fd_mask=2 (libFuzzer keeps its own
	 * reports and the sanitizers' on a duplicate of stderr), and the replay build's
	 * messages go to the test log, where a reader wants them. */
}
