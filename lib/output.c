/* SPDX-License-Identifier: MIT */
/*
 * output.c — "-" means stdout, and a write that failed is said (output.h says why).
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "log.h"
#include "output.h"

bool output_is_stdout(const char *path)
{
	return !path || strcmp(path, "-") == 0;
}

FILE *output_open(const char *path)
{
	FILE *f;
	int e;

	if (output_is_stdout(path))
		return stdout;
	f = fopen(path, "w");
	if (!f) {
		e = errno;
		locus_error("%s: cannot write: %s", path, strerror(e));
		errno = e;
	}
	return f;
}

int output_close(FILE *f, const char *path)
{
	bool bad;

	/* ferror() first: fclose() reports only what its own flush lost. */
	if (f == stdout)
		bad = fflush(f) != 0 || ferror(f);
	else
		bad = ferror(f) | (fclose(f) != 0);
	if (bad) {
		locus_error("%s: write failed: %s", output_is_stdout(path) ? "stdout" : path,
			    strerror(errno));
		return -EIO;
	}
	return 0;
}
