#!/bin/bash
# SPDX-License-Identifier: MIT
# 08-layers.sh — the layers are enforced by the build, not by good manners: a file of a
# layer is compiled with that layer's include path only (Makefile.am: LIB_INCLUDES,
# BENCH_INCLUDES, REPORT_INCLUDES, TUNE_INCLUDES), so lib/ cannot include a header of
# src/, bench/, report/ or tune/, and report/ or tune/ cannot include src/ or bench/.
# Each probe is compiled from inside its layer's directory with exactly the flags the
# build uses; a positive control shows the flags themselves work.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if [ -z "${LIB_INCLUDES-}" ] || [ -z "${LAYER_CC-}" ]; then
	skip_all "run through 'make check' (needs the build's include flags)"
fi

# Compile a probe placed in directory DIR (as a file of that layer would be) with the
# flags FLAGS; the probe includes HEADER.  Leaves the probe out of the source tree.
probe() { # DIR FLAGS HEADER
	local dir=$1 flags=$2 header=$3 src
	src="$T_TMP/$(basename "$dir")-probe.c"
	mkdir -p "$T_TMP/$(basename "$dir")"
	printf '#include "config.h"\n#include "%s"\nint probe_layers(void);\nint probe_layers(void) { return 0; }\n' \
		"$header" >"$src"
	# shellcheck disable=SC2086 # the flags are a list of words on purpose
	run $LAYER_CC -fsyntax-only $flags -iquote "$dir" "$src"
}

lib="$top_srcdir/lib"
for h in stats.h result.h sysfs.h; do
	probe "$lib" "$LIB_INCLUDES" "$h"
	is_rc 0 "lib sees lib: $h compiles"
done
for h in cmd.h placement.h bench.h chase.h compare.h report.h tune.h; do
	probe "$lib" "$LIB_INCLUDES" "$h"
	[ "$rc" -ne 0 ] && grep -q "$h" "$err"
	ok $? "lib cannot include $h (fails to compile, naming it)"
done

probe "$top_srcdir/bench" "$BENCH_INCLUDES" bench.h
is_rc 0 "bench sees lib and bench"
for h in cmd.h compare.h tune.h; do
	probe "$top_srcdir/bench" "$BENCH_INCLUDES" "$h"
	[ "$rc" -ne 0 ]
	ok $? "bench cannot include $h"
done

probe "$top_srcdir/report" "$REPORT_INCLUDES" compare.h
is_rc 0 "report sees lib and report"
for h in cmd.h bench.h tune.h; do
	probe "$top_srcdir/report" "$REPORT_INCLUDES" "$h"
	[ "$rc" -ne 0 ]
	ok $? "report cannot include $h"
done

probe "$top_srcdir/tune" "$TUNE_INCLUDES" tune.h
is_rc 0 "tune sees lib and tune"
for h in cmd.h bench.h compare.h; do
	probe "$top_srcdir/tune" "$TUNE_INCLUDES" "$h"
	[ "$rc" -ne 0 ]
	ok $? "tune cannot include $h"
done

done_testing
