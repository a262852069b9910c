/* SPDX-License-Identifier: MIT */
/*
 * test-log.c — the error convention (lib/log.h): locus_fail() prints one line and
 * returns -err (errno passed as err is read before anything is printed; no errno gives
 * -EIO, never success), and locus_exit_code(), the one errno -> exit code mapping of
 * every command, follows the exit-code table of the man page.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "tap.h"

/* stderr into a temporary file while fn runs; the text written comes back in buf. */
static int captured(char *buf, size_t len, int (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO), rc;
	size_t n;

	if (!tmp || saved < 0)
		return -999;
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	rc = fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return rc;
}

static int fail_einval(void)
{
	return locus_fail(EINVAL, "%s: '%s' is not a number", "--reps", "x\ny");
}

static int fail_errno(void)
{
	errno = ENOSPC;
	return locus_fail(errno, "out: cannot write: %s", strerror(errno));
}

static int fail_zero(void)
{
	return locus_fail(0, "no errno to say why");
}

static int error_only(void)
{
	locus_error("printed, nothing returned");
	return 0;
}

int main(void)
{
	char buf[512];
	unsigned long before = locus_errors();

	is_int(captured(buf, sizeof(buf), fail_einval), -EINVAL, "locus_fail(EINVAL) returns -EINVAL");
	is_str(buf, "locus: --reps: 'x?y' is not a number\n", "... after one line on stderr");
	is_int(captured(buf, sizeof(buf), fail_errno), -ENOSPC,
	       "locus_fail(errno) returns -errno as it was before printing");
	ok(strstr(buf, strerror(ENOSPC)) != NULL, "... and the message names it (%s)", buf);
	is_int(captured(buf, sizeof(buf), fail_zero), -EIO, "locus_fail(0) is a failure: -EIO");
	is_int(captured(buf, sizeof(buf), error_only), 0, "locus_error prints");
	is_str(buf, "locus: printed, nothing returned\n", "... one line");
	is_int((long long)(locus_errors() - before), 4, "every one is counted as an error");

	/* the table of lib/log.h and locus(1) EXIT STATUS */
	is_int(locus_exit_code(0), LOCUS_EXIT_OK, "0 -> ok");
	is_int(locus_exit_code(-EINVAL), LOCUS_EXIT_USAGE, "-EINVAL -> usage (2)");
	is_int(locus_exit_code(EINVAL), LOCUS_EXIT_USAGE, "EINVAL (positive) -> usage (2)");
	is_int(locus_exit_code(-ERANGE), LOCUS_EXIT_USAGE, "-ERANGE -> usage (2)");
	is_int(locus_exit_code(-E2BIG), LOCUS_EXIT_USAGE, "-E2BIG -> usage (2)");
	is_int(locus_exit_code(-EOPNOTSUPP), LOCUS_EXIT_SKIP, "-EOPNOTSUPP -> skipped (3)");
	is_int(locus_exit_code(-EPROTO), LOCUS_EXIT_VERIFY, "-EPROTO -> verification failed (5)");
	is_int(locus_exit_code(-ENOMEM), LOCUS_EXIT_FAIL, "-ENOMEM -> failure (1)");
	is_int(locus_exit_code(-EIO), LOCUS_EXIT_FAIL, "-EIO -> failure (1)");
	is_int(locus_exit_code(-ENOENT), LOCUS_EXIT_FAIL, "-ENOENT -> failure (1)");
	is_int(locus_exit_code(locus_fail(0, "x")), LOCUS_EXIT_FAIL,
	       "a locus_fail without errno never maps to ok");
	return done_testing();
}
