#!/bin/bash
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
has_err '^  topo ' "unknown command lists the commands"

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

done_testing
