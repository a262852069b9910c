/* SPDX-License-Identifier: MIT */
/*
 * log.c — stderr messages in the one "locus: OBJECT: problem" shape, and progress.
 *
 * Kept tiny on purpose: everything a user reads on stderr goes through here, so --quiet
 * and the progress-only-on-a-terminal rule are enforced in one place.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "log.h"

static bool quiet;
static void progress_clear(void);

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
	progress_clear();
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

void locus_error(const char *fmt, ...)
{
	va_list ap;

	errors++;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int locus_fail(int err, const char *fmt, ...)
{
	va_list ap;

	if (err <= 0)
		err = EIO;
	errors++;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return -err;
}

int locus_exit_code(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return LOCUS_EXIT_OK;
	case EINVAL:
	case ERANGE:
	case E2BIG:
		return LOCUS_EXIT_USAGE;
	case EOPNOTSUPP:
		return LOCUS_EXIT_SKIP;
	case EPROTO:
		return LOCUS_EXIT_VERIFY;
	default:
		return LOCUS_EXIT_FAIL;
	}
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

/*
 * Progress: one line on stderr, redrawn in place at most ~4 times a second, on a
 * terminal and only after ~2 s of an operation (--progress=auto); from the start and
 * also off a terminal as plain lines (--progress=always, for CI logs); never with
 * --progress=never or --quiet.
 * Any other message clears the line first, so the two never run together.
 */
static struct {
	enum progress_mode mode;
	bool active, shown, tty, updated;
	double start, last, step_start, steps_time;
	unsigned step, nsteps, steps_done;
	char what[64];
} prog;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_clear(void)
{
	if (prog.shown && prog.tty)
		fputs("\r\033[K", stderr);
	prog.shown = false;
}

void progress_set_mode(enum progress_mode m)
{
	prog.mode = m;
}

void progress_steps(unsigned step, unsigned nsteps)
{
	double now = mono_s();

	if (step > 1 && prog.step_start > 0) {
		prog.steps_time += now - prog.step_start;
		prog.steps_done++;
	}
	prog.step = step;
	prog.nsteps = nsteps;
	prog.step_start = now;
}

void progress_begin(const char *what)
{
	prog.tty = isatty(STDERR_FILENO);
	prog.active = !quiet && prog.mode != PROGRESS_NEVER &&
		      (prog.tty || prog.mode == PROGRESS_ALWAYS);
	prog.shown = prog.updated = false;
	prog.start = prog.last = mono_s();
	snprintf(prog.what, sizeof(prog.what), "%s", what);
}

void progress_update(const char *fmt, ...)
{
	char step[32] = "", left[48] = "", msg[256], line[512], tail[80];
	struct winsize ws;
	va_list ap;
	double now;

	if (!prog.active)
		return;
	now = mono_s();
	/* auto: nothing for the first 2 s (short commands stay silent), then ~4 redraws a
	 * second.  always: from the start; off a terminal the first update of each step
	 * and then one line every 10 s, so a CI log shows each bench without flooding. */
	if (prog.mode != PROGRESS_ALWAYS && now - prog.start < 2.0)
		return;
	if (prog.tty ? now - prog.last < 0.25 : prog.updated && now - prog.last < 10.0)
		return;
	prog.updated = true;
	prog.last = now;
	if (prog.nsteps > 1) {
		snprintf(step, sizeof(step), "[%u/%u] ", prog.step, prog.nsteps);
		/* Remaining time: the mean of the finished steps for each one not finished,
		 * less what the current one has run already. */
		if (prog.steps_done) {
			double mean = prog.steps_time / prog.steps_done;
			double rest = mean * (prog.nsteps - prog.step) +
				      (mean > now - prog.step_start ? mean - (now - prog.step_start) : 0);
			snprintf(left, sizeof(left), ", ~%.0f %s left", rest >= 120 ? rest / 60 : rest,
				 rest >= 120 ? "min" : "s");
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(tail, sizeof(tail), " (%.0f s%s)", now - prog.start, left);
	snprintf(line, sizeof(line), "%s%s: ", step, prog.what);
	/* A line wider than the terminal would wrap, and "\r" would then redraw only its
	 * last part: cut the middle (what is measured) so that it fits, keeping the times. */
	if (prog.tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
		size_t room = ws.ws_col - 1, fixed = strlen(line) + strlen(tail);
		if (fixed + strlen(msg) > room)
			snprintf(msg + (room > fixed + 3 ? room - fixed - 3 : 0),
				 sizeof(msg) - (room > fixed + 3 ? room - fixed - 3 : 0), "...");
	}
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", msg, tail);
	fprintf(stderr, "%s%s%s", prog.tty ? "\r\033[K" : "locus: ", line, prog.tty ? "" : "\n");
	prog.shown = true;
	fflush(stderr);
}

void progress_end(void)
{
	progress_clear();
	prog.active = false;
}
