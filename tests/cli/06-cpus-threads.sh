#!/bin/bash
# SPDX-License-Identifier: MIT
# 06-cpus-threads.sh — likwid-style CPU expressions on the command line, and
# --threads LIST.  The expressions' arithmetic is in the unit test
# (tests/unit/test-cpuexpr.c, on a synthetic 2x4x2 machine); here: they reach the
# placement (what `run` got, read back from /proc), bad ones are refused in one line,
# and bandwidth measures exactly the thread counts listed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

ncpu=$("$LOCUS" run -- nproc 2>/dev/null)
[ -n "$ncpu" ] || skip_all "locus run cannot start a program here"
last=$((ncpu - 1))

allowed() { grep Cpus_allowed_list "$out" | awk '{print $2}'; }
run "$LOCUS" run --cpus E:N:1 -- grep Cpus_allowed_list /proc/self/status
is_rc 0 "run --cpus E:N:1: exit 0"
[ "$(allowed)" = "$("$LOCUS" run --cpus 0-$last -- grep Cpus_allowed_list /proc/self/status | awk '{print $2}' | cut -d, -f1 | cut -d- -f1)" ]
ok $? "E:N:1 is the first CPU of the machine"
run "$LOCUS" run --cpus N -- grep Cpus_allowed_list /proc/self/status
[ "$(allowed)" = "$("$LOCUS" run -- grep Cpus_allowed_list /proc/self/status | awk '{print $2}')" ]
ok $? "N is every CPU"
run "$LOCUS" run --cpus M0 -- grep Cpus_allowed_list /proc/self/status
is_rc 0 "M0 (NUMA node 0) is accepted"
run "$LOCUS" run --cpus "S0:0@S0:0" -- true
is_rc 0 "'@' joins expressions"

bad() { # EXPR REGEX DESC
	run "$LOCUS" run --cpus "$1" -- true
	is_rc 2 "--cpus $1: exit 2"
	[ "$(wc -l <"$err")" -eq 1 ] && grep -Eq -- "$2" "$err"
	ok $? "--cpus $1: one line: $3"
}
bad S99 "run: --cpus: 'S99': no domain S99 here \\(S0\\.\\.S[0-9]+\\)" "names the domains there are"
bad "N:999" "run: --cpus: N: '999': index 999 is out of range" "the index and the domain"
bad "X1:0" "'X1' is not a domain; allowed N, S<i>, M<i>, C<i>, D<i>" "the allowed domains"
bad "N:scatter" "a CPU set has no order" "scatter refused with the reason"
bad "E:N:$((ncpu + 1))" "N has $ncpu CPUs" "more threads than the domain has"
run "$LOCUS" bench latency --cpus S99 --help
is_rc 0 "--cpus with --help: the help, no crash (the topology is not loaded for --help)"
run "$LOCUS" bench latency --cpus 0 --help
is_rc 0 "--cpus 0 --help: exit 0 (crashed before)"

# --threads LIST for bandwidth: exactly the counts asked.
T=(--quick --reps 2 --warmup 0 --kernels copy --stores regular --size 1M)
if [ "$ncpu" -ge 2 ]; then
	run "$LOCUS" bench bandwidth "${T[@]}" --threads 2,1 --json
	is_rc 0 "bandwidth --threads 2,1: exit 0"
	json_check "sorted({m['labels']['threads'] for m in d['measurements']}) == [1, 2]" \
		"--threads 2,1: measured with 1 and 2 threads"
	run "$LOCUS" bench bandwidth "${T[@]}" --threads 2-2 --json
	json_check "{m['labels']['threads'] for m in d['measurements']} == {2}" \
		"--threads 2-2: only 2 threads (a list, not the sweep 1..2)"
else
	echo "ok $((T_N += 1)) # SKIP one CPU: no thread list to measure"
	echo "ok $((T_N += 1)) # SKIP one CPU: no thread list to measure"
	echo "ok $((T_N += 1)) # SKIP one CPU: no thread list to measure"
fi
run "$LOCUS" bench bandwidth "${T[@]}" --threads 1 --json
json_check "{m['labels']['threads'] for m in d['measurements']} == {1}" "--threads 1: the sweep 1..1"
run "$LOCUS" bench bandwidth "${T[@]}" --threads 0,1
is_rc 2 "--threads 0,1: exit 2"
one_line_err "--threads: '0,1': 0 threads; counts start at 1" "a zero count is named"
run "$LOCUS" bench bandwidth "${T[@]}" --threads 1,$((ncpu + 1))
is_rc 2 "--threads beyond the CPUs: exit 2"
one_line_err "--threads $((ncpu + 1)) is more than the $ncpu CPUs" "the count and the CPUs are named"
run "$LOCUS" bench bandwidth "${T[@]}" --threads x
is_rc 2 "--threads x: exit 2"

done_testing
