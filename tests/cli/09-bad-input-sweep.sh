#!/bin/bash
# SPDX-License-Identifier: MIT
# 09-bad-input-sweep.sh — runs tests/bad-input-sweep (the whole sweep of bad
# inputs: about 1,600 runs of every command with unusable values, files and misspelt
# names) against this build; one TAP point per 100% (every run handled as the README
# promises: a documented exit code, exit 2 with exactly one line, no raw control byte,
# nothing changed outside the sweep's directory).
. "$(dirname "$0")/lib.sh"

run "$top_srcdir/tests/bad-input-sweep" "$LOCUS"
tail -n 1 "$out" | sed 's/^/# /'
grep '^UNHANDLED' "$out" | head -n 20 | sed 's/^/#   /'
is_rc 0 "bad-input sweep: every run handled ($(tail -n 1 "$out"))"
done_testing
