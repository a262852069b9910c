/* SPDX-License-Identifier: MIT */
/*
 * tap.h — a minimal Test Anything Protocol emitter for the C unit tests.
 *
 * automake's tap-driver.sh reads the "ok N - name" / "not ok N - name" lines; the plan
 * line "1..N" is printed at the end (done_testing), so tests need not count ahead.
 * A whole test program that cannot run here calls tap_skip_all(reason).
 */
#ifndef LOCUS_TAP_H
#define LOCUS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n_, tap_failed_;

static inline int tap_ok_(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok_(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n_);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed_++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}
#define ok(cond, ...) tap_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* |got - want| <= tol (absolute), printing both on failure. */
#define is_near(got, want, tol, name) do { \
	double g_ = (got), w_ = (want); \
	if (!ok(fabs(g_ - w_) <= (tol), "%s", name)) \
		printf("#   got %.12g, want %.12g (tol %g)\n", g_, w_, (double)(tol)); \
} while (0)
#define is_int(got, want, name) do { \
	long long g_ = (got), w_ = (want); \
	if (!ok(g_ == w_, "%s", name)) printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)
#define is_str(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ && strcmp(g_, w_) == 0, "%s", name)) \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)
#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

static inline void tap_skip_all(const char *reason)
{
	printf("1..0 # SKIP %s\n", reason);
	exit(0);
}
static inline int done_testing(void)
{
	printf("1..%d\n", tap_n_);
	return tap_failed_ ? 1 : 0;
}

#endif
