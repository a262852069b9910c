/* SPDX-License-Identifier: MIT */
/*
 * output.h — open an output destination ("-" means stdout) and close it with the
 * write checked.
 *
 * Every command that writes a file named by the user also accepts "-" for stdout:
 * result files, the compare table and its JSON/JUnit/Markdown, `topo`/`env` output,
 * the `run` report.  One pair of functions does it, so every writer treats "-" the
 * same way, never fcloses stdout, and reports a failed write (full disk, closed pipe)
 * in one wording instead of exiting 0 with a truncated file.
 */
#ifndef LOCUS_OUTPUT_H
#define LOCUS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

/* Does `path` (an output option's value) mean stdout: NULL or "-". */
bool output_is_stdout(const char *path);

/* NULL or "-" is stdout; else the file is created or truncated.  Prints
 * "locus: PATH: cannot write: REASON" and returns NULL (errno kept) on failure. */
FILE *output_open(const char *path);

/* Close what output_open() gave (stdout is flushed, not closed).  Returns 0, or
 * -EIO after printing "locus: PATH: write failed: REASON" when anything written to
 * it was lost. */
int output_close(FILE *f, const char *path);

#endif
