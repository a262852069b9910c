#!/bin/bash
# SPDX-License-Identifier: MIT
# 04-progress.sh — progress on stderr, the final line, warnings printed once.
#
# Off a terminal: nothing by default, plain "[i/n] bench: ..." lines with
# --progress=always.  On a terminal (tmux, 80 columns): the line is redrawn in place,
# fits the width, is cleared before any warning, and the run ends with one line
# "wrote FILE: N benches, ...".  Timing is never checked, only shape.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run "$LOCUS" bench latency --progress sometimes
is_rc 2 "--progress sometimes: exit 2"
one_line_err "--progress: 'sometimes' is not allowed; allowed: auto, always, never" \
	"--progress: the bad value and the allowed ones, one line"

FAST=(--quick --reps 2 --warmup 0)
run "$LOCUS" bench rowcol "${FAST[@]}" -o "$T_TMP/r.json"
is_rc 0 "bench rowcol, stderr not a terminal: exit 0"
! grep -q '\[1/1\]\|\[[0-9]*/[0-9]*\]' "$err" && ! grep -q $'\r' "$err"
ok $? "off a terminal: no progress by default"
has_err "^locus: wrote $T_TMP/r.json: 1 bench, 0 skipped, [0-9]+ measurements, [0-9]+ warnings?\$" \
	"the final line names the file and what is in it"

run "$LOCUS" bench all "${FAST[@]}" --progress=always -o "$T_TMP/all.json"
is_rc 0 "bench all --progress=always: exit 0"
n="[0-9]+"   # the benches "all" runs (not those that need a program)
has_err "^locus: \\[1/$n\\] [a-z0-9-]+: [a-z_]+.* \\([0-9]+ s\\)\$" "--progress=always off a terminal: '[1/N] bench: metric labels (N s)'"
has_err "^locus: \\[[2-9]/$n\\] [a-z0-9-]+: .* \\([0-9]+ s, ~[0-9]+ (s|min) left\\)\$" \
	"after the first bench, the time left is estimated"
! grep -q $'\r' "$err"
ok $? "plain lines off a terminal (no carriage returns)"
python3 - "$T_TMP/all.json" "$err" "$out" "$T_TMP/all.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
err, out = open(sys.argv[2]).read(), open(sys.argv[3]).read()
w = d["warnings"]
assert all(isinstance(x, dict) and isinstance(x["message"], str) for x in w), "warnings are {bench, message}"
assert all(x.get("bench") for x in w), "every warning of a bench run names its bench"
for x in w:  # once on stderr (as it happened), not again in the summary on stdout
    line = "locus: warning: bench %s: %s" % (x["bench"], x["message"])
    assert err.count(line) == 1, "printed once on stderr: " + line
    assert x["message"] not in out, "not repeated on stdout: " + x["message"]
skipped_benches = len(set(s["bench"] for s in d["skipped"]) - set(m["bench"] for m in d["measurements"]))
m = re.search(r"^locus: wrote (\S+): (\d+) benches, (\d+) skipped, (\d+) measurements, (\d+) warnings?$", err, re.M)
assert m, "final line present"
assert int(m.group(4)) == len(d["measurements"]) and int(m.group(5)) == len(w), "final line counts match the file"
assert int(m.group(3)) == skipped_benches, "skipped = benches that measured nothing (%s vs %d)" % (m.group(3), skipped_benches)
PY
ok $? "warnings {bench, message}, printed once; the final line's counts match the file"

# --quick's own defaults do not trip locus's own warnings (numa-latency/numa-loaded
# used a fixed 32M footprint: "less than twice the last-level cache" on a 32M LLC).
! grep -q 'less than twice the last-level cache' "$err"
ok $? "--quick defaults: no 'footprint less than twice the LLC' warning"

# On a terminal: tmux at 80 columns, screens read while it runs.
if command -v tmux >/dev/null 2>&1; then
	S=locus-progress-$$
	tmux -L "$S" new-session -d -s "$S" -x 80 -y 24 \
		"env -i PATH=/usr/bin:/bin TERM=xterm HOME=$T_TMP bash --norc --noprofile"
	tmux -L "$S" send-keys -t "$S" "cd $T_TMP && '$LOCUS' bench all ${FAST[*]} --progress=always -o tty.json >/dev/null; echo DONE-\$?" Enter
	: >"$T_TMP/screens"
	for _ in $(seq 1 600); do
		sleep 0.3
		tmux -L "$S" capture-pane -p -J -t "$S" >"$T_TMP/screen"
		cat "$T_TMP/screen" >>"$T_TMP/screens"
		grep -q '^DONE-' "$T_TMP/screen" && break
	done
	tmux -L "$S" kill-server 2>/dev/null
	grep -q '^DONE-0' "$T_TMP/screen"
	ok $? "tty: bench all finished, exit 0"
	grep -Eq "^\\[[0-9]+/$n\\] [a-z0-9-]+: .*\\([0-9]+ s(, ~[0-9]+ (s|min) left)?\\)\$" "$T_TMP/screens"
	ok $? "tty: a progress line '[i/N] bench: ... (N s, ~M s left)' was on screen"
	! grep -E '\[[0-9]+/[0-9]+\]' "$T_TMP/screens" | grep -q '.\{80\}'
	ok $? "tty: progress lines fit in 80 columns"
	! grep -E '\[[0-9]+/[0-9]+\] .*locus: ' "$T_TMP/screens" | grep -q .
	ok $? "tty: the progress line is cleared before a message (never run together)"
	grep -B1 '^DONE-' "$T_TMP/screen" | head -n1 | grep -Eq '^locus: wrote tty.json: [0-9]+ benches'
	ok $? "tty: the last line is the summary, no progress left behind"
else
	for d in "bench all finished" "a progress line" "fits 80 columns" "cleared before a message" "the last line is the summary"; do
		echo "ok $((T_N += 1)) # SKIP tmux is not installed (scripts/test installs it): $d"
	done
fi

done_testing
