#!/bin/bash
# SPDX-License-Identifier: MIT
# 01-basics.sh — the dispatcher: help, version, unknown commands and options, exit codes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run "$LOCUS" --help
is_rc 0 "--help exits 0"
has_out '^Usage: locus' "--help prints usage"
has_out '^  topo ' "--help lists topo"
has_out '^  env ' "--help lists env"

run "$LOCUS" --version
is_rc 0 "--version exits 0"
has_out '^locus [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-f]+|unknown\)' "--version prints version and git revision"

run "$LOCUS"
is_rc 2 "no command is a usage error"

run "$LOCUS" frobnicate
is_rc 2 "unknown command exits 2"
one_line_err "'frobnicate' is not a locus command" "unknown command is named"
[ "$(wc -l <"$err")" -eq 1 ]; ok $? "unknown command: one line, no list of commands"

run "$LOCUS" --frob
is_rc 2 "unknown global option exits 2"

for c in $("$LOCUS" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
	run "$LOCUS" "$c" --help
	is_rc 0 "$c --help exits 0"
	has_out "Usage: locus $c" "$c --help prints its usage"
	run "$LOCUS" "$c" --no-such-option
	is_rc 2 "$c with an unknown option exits 2"
done

run "$LOCUS" env --sysroot
is_rc 2 "--sysroot without an argument exits 2"
has_err '--sysroot: missing argument' "--sysroot without argument is explained"

run "$LOCUS" env --topology "pack:1 core:1 pu:1"
is_rc 2 "--topology on a command that does not use it exits 2"

# Did you mean: commands, benchmarks, options, choices; always one line.
dym() { # WANT-RC REGEX DESC -- ARGS...
	local want=$1 re=$2 desc=$3
	shift 4
	run "$LOCUS" "$@"
	is_rc "$want" "$desc: exit $want"
	[ "$(wc -l <"$err")" -eq 1 ] && grep -Eq -- "$re" "$err"
	ok $? "$desc: one line matching /$re/"
}
dym 2 "'benhc' is not a locus command; did you mean 'bench'\\?" "benhc" -- benhc
dym 2 "bench: 'latncy' is not a benchmark; did you mean 'latency'\\?" "bench latncy" -- bench latncy
dym 2 "did you mean 'all'\\?" "bench al" -- bench al
dym 2 "not a benchmark; 'locus bench list' shows them all" "bench zzzz" -- bench zzzz
dym 2 "bench tlb: unknown option '--quik'; did you mean '--quick'\\?" "--quik" -- bench tlb --quik
dym 2 "bench all: unknown option '--quik'; did you mean '--quick'\\?" "all --quik" -- bench all --quik
dym 2 "compare: unknown option '--treshold'; did you mean '--threshold'\\?" "--treshold" -- compare --treshold 5 a b
dym 2 "gate: unknown option '--treshold'; did you mean '--threshold'\\?" "gate --treshold" -- gate --treshold 5 -- bench tlb
dym 2 "unknown option '--frobnicate'; see 'locus bench latency --help'" "no near option" -- bench latency --frobnicate
dym 2 "option '--p' is ambiguous: --[a-z-]+, --[a-z-]+" "ambiguous prefix" -- bench latency --p 1
dym 2 "option '--reps' needs a value" "missing value" -- bench latency --reps
dym 2 "option '--json' takes no value" "value to a flag" -- bench latency --json=1
dym 2 "did you mean 'THP'\\? \\(allowed: 4K,THP,2M,1G\\)" "choice tph" -- bench tlb --page-size tph
dym 2 "did you mean 'triad'\\?" "choice in a list" -- bench bandwidth --kernels copy,triadd
dym 2 "bench latency: unknown option '--x\\?y'" "control bytes are not echoed" -- bench latency "--x$(printf '\001')y"
# The option named as typed, not by its alias.
dym 2 "bench: --cpus: '0-9999'" "--cpus named as typed" -- bench latency --cpus 0-9999
dym 2 "bench: --physcpubind: '0-9999'" "--physcpubind named as typed" -- bench latency --physcpubind 0-9999
dym 2 "run: --cpus: '0-9999'" "run --cpus named as typed" -- run --cpus 0-9999 -- true

done_testing
