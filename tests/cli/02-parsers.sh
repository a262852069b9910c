#!/bin/bash
# 02-parsers.sh — the shared parsers seen through the CLI: cpulists, nodelists, sizes,
# numbers and topology specs.  Every bad value exits 2 with one line naming it, and
# nothing runs (no result is written).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

res="$T_TMP/r.json"
bad() { # DESC REGEX ARGS...
	local desc=$1 re=$2
	shift 2
	rm -f "$res"
	run "$LOCUS" "$@" -o "$res"
	is_rc 2 "$desc: exit 2"
	one_line_err "$re" "$desc: message names the value"
	[ ! -e "$res" ]
	ok $? "$desc: nothing written"
}

bad "cpulist syntax" "'0-x' is not a list" bench all --cpus 0-x
bad "cpulist reversed" "reversed" bench all --cpus 1-0
bad "cpu beyond the machine" "out of range" bench all --cpus 4095
bad "empty cpulist" "empty list" bench all --cpus ''
bad "nodelist syntax" "is not a list" bench all --membind 'a'
bad "node beyond the machine" "out of range" bench all --membind 63
bad "two policies" "only one memory policy" bench all --membind 0 --interleave 0
bad "reps not a number" "'many' is not an integer" bench all --reps many
bad "reps out of range" "out of range" bench all --reps 0
bad "target-ci not a number" "is not a number" bench all --target-ci 1,5
bad "max-time out of range" "out of range" bench all --max-time 0

# Sizes, through the first bench that has a SIZE or SIZES option.
size_bench=
size_opt=
for b in $("$LOCUS" bench list | awk '{print $1}'); do
	o=$("$LOCUS" bench "$b" --help | sed -n 's/^ *--\([a-z0-9-]*\) SIZES\{0,1\}$/\1/p' | head -n 1)
	if [ -n "$o" ]; then size_bench=$b; size_opt=$o; break; fi
done
if [ -n "$size_bench" ]; then
	bad "size with a bad suffix" "'12Q' is not a size" bench "$size_bench" --"$size_opt" 12Q
	bad "size of zero" "'0' is zero" bench "$size_bench" --"$size_opt" 0
	bad "fractional bytes" "not a whole number of bytes" bench "$size_bench" --"$size_opt" 1.5
else
	echo "# no bench with a size option yet: size parsing is covered by tests/unit/test-parse"
fi

# A CPU-less node has no CPUs to run on (hwloc's cpuset of such a node is its locality).
bad "cpunodebind to a CPU-less node" "node 2 has no CPUs" \
	--topology "$FIXTURES/topo/cpuless.xml" bench all --cpunodebind 2
bad "cpunodebind to a missing node" "out of range" \
	--topology "$FIXTURES/topo/cpuless.xml" bench all --cpunodebind 3

run "$LOCUS" bench no-such-bench
is_rc 2 "unknown bench exits 2"
one_line_err "'no-such-bench' is not a benchmark" "unknown bench is named"

run "$LOCUS" topo --topology "$T_TMP/missing.xml"
is_rc 2 "missing topology file exits 2"
has_err "missing.xml" "missing topology file is named"

done_testing
