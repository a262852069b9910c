#!/bin/bash
# SPDX-License-Identifier: MIT
# 05-help.sh — help texts as a user reads them at 80 columns: no line
# wider than the terminal (80 when stdout is not one), per-bench option help wrapped,
# each common option listed once and only where it applies.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

wide() { # the lines of $out wider than 80 characters (not bytes: "≫" is one column)
	python3 -c 'import sys; [print(len(l), l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]' "$out"
}
for c in "" topo env bench compare baseline gate report tune run; do
	run "$LOCUS" $c --help
	w=$(wide)
	if [ "$c" = tune ]; then # its text is the tune work's
		[ -z "$w" ] && echo "ok $((T_N += 1)) - locus tune --help fits 80 columns" ||
			echo "not ok $((T_N += 1)) - locus tune --help fits 80 columns # TODO tune's own help text: $(echo "$w" | head -n1)"
		continue
	fi
	[ -z "$w" ]
	ok $? "locus ${c:+$c }--help fits 80 columns${w:+: $w}"
done
for b in $("$LOCUS" bench list | awk '{print $1}'); do
	run "$LOCUS" bench "$b" --help
	w=$(wide)
	[ -z "$w" ]
	ok $? "bench $b --help fits 80 columns${w:+: $w}"
done
run "$LOCUS" bench branch --help
has_out '^          period-[0-9]' "a long list of choices is broken after its commas, under the option"

count() { grep -c -- "$1" "$out"; }
run "$LOCUS" baseline --help
[ "$(count '^  -h, --help')" -eq 1 ]
ok $? "baseline --help lists -h once"
for c in compare report; do
	run "$LOCUS" $c --help
	[ "$(count '--sysroot')" -eq 0 ] && [ "$(count '--topology')" -eq 0 ]
	ok $? "$c --help: no --sysroot, no --topology (it reads result files only)"
done
for c in env baseline gate tune; do
	run "$LOCUS" $c --help
	[ "$(count '--topology SPEC')" -eq 0 ]
	ok $? "$c --help: no --topology (it does not load the topology)"
done
for c in topo bench run; do
	run "$LOCUS" $c --help
	[ "$(count '--topology SPEC')" -eq 1 ] && [ "$(count '^  -h, --help')" -eq 1 ]
	ok $? "$c --help: --topology and -h once each"
done

# The man page: EXAMPLES for the three jobs, and every environment variable the code reads.
MAN=$top_srcdir/man/locus.1
grep -q '^\.SH EXAMPLES' "$MAN" && grep -q 'Capacity planning' "$MAN" &&
	grep -q 'Before and after tuning' "$MAN" && grep -q 'CI gating' "$MAN"
ok $? "man: EXAMPLES for capacity planning, before/after tuning, CI gating"
env_section=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN")
while read -r v; do
	case $v in PATH | HOME) continue ;; esac
	grep -q -- "$v" <<<"$env_section"
	ok $? "man ENVIRONMENT names $v (read by the code)"
done < <(grep -rhoE 'getenv\("[A-Z_]+"\)' "$top_srcdir"/src "$top_srcdir"/lib "$top_srcdir"/bench \
	   "$top_srcdir"/report "$top_srcdir"/tune | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)

done_testing
