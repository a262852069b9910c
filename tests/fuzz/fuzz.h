/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h — shared helpers of the libFuzzer targets in tests/fuzz/.
 *
 * Each target defines LLVMFuzzerTestOneInput().  Built with `./configure --enable-fuzz`
 * (clang, -fsanitize=fuzzer,address,undefined) they are libFuzzer programs that
 * `make fuzz` and scripts/test run; built without it they are linked with replay.c,
 * a main() that feeds every file of a corpus directory to the target once, so the
 * corpus of past crashes (tests/fuzz/corpus/TARGET/) is a regression test of every
 * `make check`.
 *
 * The loaders under test take a path: fuzz_path() puts the input in an anonymous
 * memory file (memfd) and returns /proc/self/fd/N for it, so no file is left behind
 * and no input is written to disk.
 */
#ifndef LOCUS_FUZZ_H
#define LOCUS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a readable path (valid until the next call); NULL on failure. */
const char *fuzz_path(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (a copy without embedded NULs cut short:
 * the first NUL ends it, as on a command line).  Valid until the next call. */
const char *fuzz_string(const uint8_t *data, size_t size);

/* Kept for the targets' symmetry; the loaders' one-line messages are the expected
 * outcome of bad input and `make fuzz` hides them with -close_fd_mask=2. */
void fuzz_quiet(void);

#endif
