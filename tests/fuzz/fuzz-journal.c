/* SPDX-License-Identifier: MIT */
/*
 * fuzz-journal.c — libFuzzer target: the tune journal parser and validator
 * (tune/journal-load.c journal_parse), what `tune revert`/`recover` trust to put
 * settings back.  It prints nothing and must never accept a journal whose ids or
 * states are out of range.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "sysfs.h"
#include "tune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct tune_journal j;
	char why[256];

	if (!init++)
		sysfs_set_root(LOCUS_SRCDIR "/tests/fixtures/sysroot/tune");
	fuzz_quiet();
	memset(&j, 0, sizeof(j));
	if (journal_parse(&j, (const char *)data, size, why, sizeof(why)) == 0)
		for (size_t i = 0; i < j.n; i++)
			if (j.txn[i].id <= 0)
				abort();
	journal_free(&j);
	return 0;
}
