/* SPDX-License-Identifier: MIT */
/*
 * slow-test-program.c — a program for `locus bench command` to measure in tests and
 * demonstrations: deterministic work whose amount is a command-line parameter, so a
 * slowdown of a known size can be made on purpose (a gate must catch --work 120
 * against a baseline of --work 100), plus the behaviours the bench must handle: an
 * exit status, printed figures for --metric, a sleep to interrupt, a grandchild in
 * its process group, memory touched where its memory policy puts it.
 *
 *   --work N     N million steps of a dependent integer recurrence (no memory
 *                traffic, no system calls: the same instructions every run)
 *   --mem MIB    allocate MIB MiB and write every page first (where the pages land
 *                is what placement decides), then walk it during the work
 *   --print      print "checksum: X" and "steps: N" on stdout, "ops/s: R" on stderr
 *   --say TEXT   print TEXT on stdout (repeatable)
 *   --sleep SEC  sleep that long (after the work)
 *   --child      fork a grandchild that sleeps as long as --sleep, in the same group
 *   --exit N     exit with status N
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(void)
{
	fprintf(stderr, "usage: slow-test-program [--work N] [--mem MIB] [--print] [--say TEXT] "
			"[--sleep SEC] [--child] [--exit N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long work = 0, mib = 0, code = 0;
	double sleep_s = 0, t0;
	int print = 0, child = 0;
	volatile uint64_t sink;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned char *mem = NULL;
	size_t len = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--print") == 0)
			print = 1;
		else if (strcmp(a, "--child") == 0)
			child = 1;
		else if (!v)
			usage();
		else if (strcmp(a, "--work") == 0)
			work = atol(v), i++;
		else if (strcmp(a, "--mem") == 0)
			mib = atol(v), i++;
		else if (strcmp(a, "--sleep") == 0)
			sleep_s = atof(v), i++;
		else if (strcmp(a, "--exit") == 0)
			code = atol(v), i++;
		else if (strcmp(a, "--say") == 0)
			printf("%s\n", v), i++;
		else
			usage();
	}
	if (mib > 0) {
		len = (size_t)mib << 20;
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			perror("slow-test-program: mmap");
			return 1;
		}
		for (size_t off = 0; off < len; off += 4096)
			mem[off] = (unsigned char)off;
	}
	t0 = now();
	/* A dependent recurrence: each step needs the previous one, so the compiler cannot
	 * vectorise or shorten it, and the time grows linearly with --work. */
	for (long i = 0; i < work * 1000000L; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		x ^= x >> 29;
		if (mem && (i & 63) == 0)
			x += mem[(x >> 12) % len];
	}
	sink = x;
	if (print) {
		double dt = now() - t0;
		printf("checksum: %llu\nsteps: %ld\n", (unsigned long long)sink, work * 1000000L);
		fprintf(stderr, "ops/s: %.1f\n", dt > 0 ? (double)work * 1e6 / dt : 0.0);
	}
	fflush(stdout);
	if (child && fork() == 0) {
		struct timespec ts = { (time_t)sleep_s, (long)((sleep_s - (double)(time_t)sleep_s) * 1e9) };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	if (sleep_s > 0) {
		struct timespec ts = { (time_t)sleep_s, (long)((sleep_s - (double)(time_t)sleep_s) * 1e9) };
		nanosleep(&ts, NULL);
	}
	return (int)code;
}
