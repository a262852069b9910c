#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/fuzz/corpus.sh — replay every fuzz target's corpus (tests/fuzz/corpus/NAME/:
# seeds and every input that once crashed or hung) on
# each `make check`.  The targets are the libFuzzer programs with --enable-fuzz (given
# files, libFuzzer runs each once) or the replay.c build otherwise.  A crash, a
# sanitizer report, a failed contract check (abort) or a hang (timeout) fails.
. "$(dirname "$0")/../cli/lib.sh"

BUILD=$(cd "$(dirname "$LOCUS")" && pwd)
CORPUS=$top_srcdir/tests/fuzz/corpus
for name in parse result config profile journal; do
	bin=$BUILD/tests/fuzz/fuzz-$name
	if [ ! -x "$bin" ]; then
		ok 1 "fuzz-$name: not built ($bin)"
		continue
	fi
	n=$(find "$CORPUS/$name" -type f | wc -l)
	[ "$n" -gt 0 ]
	ok $? "fuzz-$name: a corpus of $n inputs"
	# shellcheck disable=SC2046  # corpus file names are hashes (no spaces): one argument each
	run timeout 300 "$bin" $(find "$CORPUS/$name" -type f | sort)
	is_rc 0 "fuzz-$name: every corpus input runs without a crash, a finding or a hang"
done

done_testing
