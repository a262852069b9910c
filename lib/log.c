/*
 * log.c — stderr messages in the one "locus: OBJECT: problem" shape, and progress.
 *
 * Kept tiny on purpose: everything a user reads on stderr goes through here, so --quiet
 * and the progress-only-on-a-terminal rule are enforced in one place.
 */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static bool quiet;

void locus_set_quiet(bool q)
{
	quiet = q;
}

bool locus_quiet(void)
{
	return quiet;
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* One line, always: a message often quotes what the user or a file gave (a value, a
 * label, a file name), and a newline, a carriage return or an escape sequence in it
 * must neither start a second line nor drive the terminal.  Control characters and
 * DEL are shown as '?'. */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char *buf = NULL;
	int n;

	fflush(stdout);
	fprintf(stderr, "locus: %s", prefix);
	n = vasprintf(&buf, fmt, ap);
	if (n < 0) {
		fputs("(out of memory formatting a message)\n", stderr);
		return;
	}
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = *c == '\t' ? ' ' : '?';
	fputs(buf, stderr);
	fputc('\n', stderr);
	free(buf);
}

static unsigned long errors;

unsigned long locus_errors(void)
{
	return errors;
}

int locus_error(const char *fmt, ...)
{
	va_list ap;

	errors++;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return -1;
}

void locus_warn(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void locus_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

/* Progress: shown only on a terminal, only after ~2 s, at most ~4 redraws a second. */
static struct {
	bool active, shown;
	double start, last;
	char what[64];
} prog;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_begin(const char *what)
{
	prog.active = !quiet && isatty(STDERR_FILENO);
	prog.shown = false;
	prog.start = prog.last = mono_s();
	snprintf(prog.what, sizeof(prog.what), "%s", what);
}

void progress_update(const char *fmt, ...)
{
	va_list ap;
	double now;

	if (!prog.active)
		return;
	now = mono_s();
	if (now - prog.start < 2.0 || now - prog.last < 0.25)
		return;
	prog.last = now;
	prog.shown = true;
	fprintf(stderr, "\r\033[Klocus: %s: ", prog.what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%.0f s)", now - prog.start);
	fflush(stderr);
}

void progress_end(void)
{
	if (prog.active && prog.shown)
		fprintf(stderr, "\r\033[K");
	prog.active = prog.shown = false;
}
