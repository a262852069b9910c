#!/bin/bash
# SPDX-License-Identifier: MIT
# 03-bad-usage.sh — the README's bad-input contract (one line naming the bad value and
# what is allowed, exit 2, nothing changed) for these
# reproducers: empty or unusable directory and file names, an output that is one of the
# inputs, a common option taken as an option's value, a missing --sysroot, a bad gate
# baseline refused before measuring, lenient list values, control bytes in messages.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

R=$FIXTURES/results

# Exactly one stderr line, starting "locus: " and matching REGEX.
one_line() { # REGEX DESC
	[ "$(wc -l <"$err")" -eq 1 ] && grep -q '^locus: ' "$err" && grep -Eq -- "$1" "$err"
	local s=$?
	[ $s -eq 0 ] || { echo "#   stderr:"; sed 's/^/#     /' "$err" | head -n 5; }
	ok $s "$2"
}

# A snapshot of a directory tree (names, sizes, contents) to show nothing changed.
snap() { (cd "$1" && find . -type f -exec md5sum {} + | sort); }

# ---------------------------------------------------------------- item 5: empty names
W=$T_TMP/w5
mkdir -p "$W"
cp "$R/base.json" "$W/r.json"
before=$(printf '%s\n' /*)
run sh -c "cd '$W' && exec '$LOCUS' baseline save '' r.json"
is_rc 2 "baseline save '' r.json: exit 2"
one_line "argument 1 is empty; give a baseline directory" "baseline save '': one line naming the problem"
[ "$(printf '%s\n' /*)" = "$before" ]
ok $? "baseline save '': nothing written at / (it wrote /ID/000001.json)"
run "$LOCUS" baseline save "$W/store" ''
is_rc 2 "baseline save DIR '': exit 2"
[ ! -e "$W/store" ]
ok $? "baseline save DIR '': nothing created"
run "$LOCUS" baseline list ''
is_rc 2 "baseline list '': exit 2"

for cmd in "topo" "env" "bench rowcol --quick" "compare $R/base.json $R/faster.json" \
	"report $R/report-small.json" "gate --baseline $R/base.json"; do
	# shellcheck disable=SC2086  # a command and its arguments, split on purpose
	run "$LOCUS" $cmd -o ''
	is_rc 2 "$cmd -o '': exit 2"
	one_line "option '-o' needs a file name" "$cmd -o '': one line (it was 'locus: : cannot write', exit 1)"
done
run "$LOCUS" compare --config '' "$R/base.json" "$R/faster.json"
is_rc 2 "compare --config '': exit 2"
run "$LOCUS" report --before '' --after "$R/base.json" -o "$T_TMP/ab"
is_rc 2 "report --before '': exit 2"
one_line "option '--before' needs a file name" "report --before '': one line"

# ---------------------------------------------------------------- item 7: inputs overwritten
W=$T_TMP/w7
mkdir -p "$W"
cp "$R/base.json" "$W/a.json"
cp "$R/faster.json" "$W/b.json"
cp "$R/slower.json" "$W/c.json"
s0=$(snap "$W")
run "$LOCUS" compare -o -q "$W/a.json" "$W/b.json" "$W/c.json"
is_rc 2 "compare -o -q a b c: exit 2"
one_line "option '-o' is missing its value: '-q' after it is a common option" \
	"compare -o -q: the common option is not taken as -o's value"
run "$LOCUS" compare -o --sysroot / "$W/a.json" "$W/b.json"
is_rc 2 "compare -o --sysroot / a b: exit 2"
run "$LOCUS" compare -o "$W/a.json" "$W/a.json" "$W/b.json"
is_rc 2 "compare -o A A B: exit 2"
one_line "would overwrite the input" "compare -o A A B: says the output is an input"
run "$LOCUS" compare --markdown "$W/../w7/b.json" "$W/a.json" "$W/b.json"
is_rc 2 "compare --markdown B A B (another spelling of B): exit 2"
ln -s "$W/a.json" "$W/link.json"
run "$LOCUS" compare --junit "$W/link.json" "$W/a.json" "$W/b.json"
is_rc 2 "compare --junit (a symlink to A) A B: exit 2"
rm -f "$W/link.json"
[ "$(snap "$W")" = "$s0" ]
ok $? "compare: no input changed"
run "$LOCUS" compare -q "$W/a.json" "$W/b.json"
ok "$([ $rc -ne 2 ] && [ ! -s "$err" ]; echo $?)" "compare -q A B still works (-q as a common option)"
run "$LOCUS" compare "$W/a.json" "$W/b.json" -o "$T_TMP/table.txt" -q
ok "$([ $rc -ne 2 ] && [ -s "$T_TMP/table.txt" ]; echo $?)" "compare A B -o FILE -q still works"

# A baseline store is an input too: an output inside it is refused.
S=$T_TMP/store7
run "$LOCUS" baseline save "$S" "$R/base.json"
is_rc 0 "baseline save for the store test"
s1=$(snap "$S")
f=$(cd "$S" && find . -name '*.json' | head -n 1)
run "$LOCUS" compare -o "$S/$f" "$S" "$R/faster.json"
is_rc 2 "compare -o STORE/ID/000001.json STORE CUR: exit 2"
run "$LOCUS" gate --baseline "$S" -o "$S/new.json" -- bench rowcol --quick
is_rc 2 "gate -o inside the baseline store: exit 2 (before measuring)"
[ "$(snap "$S")" = "$s1" ]
ok $? "the baseline store is unchanged"

# ---------------------------------------------------------------- item 9: exit codes, messages
for cmd in topo env; do
	run "$LOCUS" --sysroot /nonexistent $cmd
	is_rc 2 "--sysroot /nonexistent $cmd: exit 2 (was 0)"
	one_line "--sysroot: '/nonexistent': No such file or directory" "--sysroot /nonexistent $cmd: one line"
	run "$LOCUS" $cmd --sysroot /etc/passwd
	is_rc 2 "$cmd --sysroot FILE: exit 2"
done

# gate validates its baseline before measuring: no "run 1" line, quick.
for f in notjson badschema nofield; do
	[ -e "$R/$f.json" ] || continue
	run "$LOCUS" gate --baseline "$R/$f.json" -- bench rowcol --quick
	is_rc 2 "gate --baseline $f.json: exit 2"
	one_line "$f.json" "gate --baseline $f.json: one line naming the file, nothing measured"
done
printf '{"schema": "locus-result/1", "measurements": [{"bench": 1}]}' >"$T_TMP/badm.json"
run "$LOCUS" gate --baseline "$T_TMP/badm.json" -- bench rowcol --quick
is_rc 2 "gate --baseline with a bad measurement: exit 2"
one_line "badm.json" "gate --baseline with a bad measurement: refused before measuring"
mkdir -p "$T_TMP/badset"
cp "$R/notjson.json" "$T_TMP/badset/1.json"
run "$LOCUS" gate --baseline "$T_TMP/badset" -- bench rowcol --quick
is_rc 2 "gate --baseline DIR with a bad run: exit 2"
one_line "notjson|1.json" "gate --baseline DIR with a bad run: refused before measuring"

# Lenient lists: an empty item is a typo, not nothing.
run "$LOCUS" report --format svg, "$R/report-small.json" -o "$T_TMP/f1"
is_rc 2 "report --format svg,: exit 2"
one_line "'svg,' has an empty item" "report --format svg,: one line"
[ ! -e "$T_TMP/f1" ]
ok $? "report --format svg,: nothing written"
run "$LOCUS" report --format ,png "$R/report-small.json" -o "$T_TMP/f2"
is_rc 2 "report --format ,png: exit 2"
for v in "missing," ",missing" "missing,,inconclusive" ""; do
	run "$LOCUS" compare --fail-on "$v" "$R/base.json" "$R/faster.json"
	is_rc 2 "compare --fail-on '$v': exit 2"
	one_line "--fail-on" "compare --fail-on '$v': one line"
done

# One line after a getopt error or a bad value: no second "Try ..." line.
for a in "topo --bogus" "bench --reps" "compare --alpha" "report --format gif x -o y" \
	"bench all --reps +3" "baseline" "gate"; do
	# shellcheck disable=SC2086  # a command and its arguments, split on purpose
	run "$LOCUS" $a
	is_rc 2 "'locus $a': exit 2"
	[ "$(wc -l <"$err")" -eq 1 ]
	ok $? "'locus $a': one line on stderr"
done

# Control bytes from the command line are never echoed raw.
run "$LOCUS" bench "$(printf 'no\033[31mpe\nx')"
is_rc 2 "a bench name with ESC and newline: exit 2"
one_line "no\?\[31mpe\?x" "the ESC and the newline are shown as '?' on one line"
run "$LOCUS" bench rowcol --sizes "$(printf '1M\r2M')"
is_rc 2 "a size with a CR: exit 2"
! grep -q "$(printf '\r')" "$err"
ok $? "a size with a CR: no raw CR in the message"
run "$LOCUS" compare "$(printf 'a\033]0;title\007.json')" "$R/base.json"
is_rc 2 "a file name with an OSC sequence: exit 2"
! grep -q "$(printf '\033')" "$err"
ok $? "a file name with an OSC sequence: no raw ESC in the message"

# --max-time bounds the repetition; a single sample that alone would exceed it is
# refused before anything runs: 64 GiB in 1 GiB mmapped blocks is 16 M
# page faults per sample, and it took > 60 s.
rm -f "$T_TMP/m.json"
run timeout 60 "$LOCUS" bench malloc --sizes 1G --bytes-per-sample 64G --max-time 0.1 -o "$T_TMP/m.json"
if [ $rc -eq 3 ] || [ $rc -eq 4 ]; then
	ok 0 "malloc over budget # SKIP malloc cannot run here (exit $rc)"
else
	is_rc 2 "bench malloc --sizes 1G --bytes-per-sample 64G --max-time 0.1: exit 2 at once"
	one_line "would take about .* more than --max-time 0.1 s" "the over-budget sample is named with its estimate"
	[ ! -e "$T_TMP/m.json" ]
	ok $? "malloc over budget: no result written"
fi

done_testing
