#!/bin/bash
# SPDX-License-Identifier: MIT
# 46-run-options.sh — runs made with different run options are different experiments:
# `locus bench` records run.options; compare, gate and baseline save refuse
# (exit 2, naming the option) to mix runs whose options differ unless
# --allow-option-mismatch; the gate finds an empty or mismatched baseline with the
# bench's dry run, before it measures anything.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

B=(branch --n 4096 --data sorted --warmup 0)
"$LOCUS" bench "${B[@]}" --reps 3 -o "$T_TMP/a.json" >/dev/null 2>&1
"$LOCUS" bench "${B[@]}" --reps 4 -o "$T_TMP/b.json" >/dev/null 2>&1
"$LOCUS" bench "${B[@]}" --reps 3 -o "$T_TMP/c.json" >/dev/null 2>&1
[ -s "$T_TMP/a.json" ] && [ -s "$T_TMP/b.json" ] && [ -s "$T_TMP/c.json" ]
ok $? "three small branch runs (--reps 3, 4, 3)"

run "$LOCUS" compare "$T_TMP/a.json" "$T_TMP/b.json"
is_rc 2 "compare: --reps 3 vs --reps 4 refused with exit 2"
one_line_err 'different options: --reps \(3 vs 4\).*--allow-option-mismatch' "... naming the option and the way out"
run "$LOCUS" compare "$T_TMP/a.json" "$T_TMP/b.json" --allow-option-mismatch
ok "$([ "$rc" = 0 ] || [ "$rc" = 6 ]; echo $?)" "compare --allow-option-mismatch compares"
run "$LOCUS" compare "$T_TMP/a.json" "$T_TMP/c.json"
ok "$([ "$rc" = 0 ] || [ "$rc" = 6 ]; echo $?)" "compare: same options compare"
"$LOCUS" bench "${B[@]}" --reps 3 --no-sentinel -o "$T_TMP/d.json" >/dev/null 2>&1
run "$LOCUS" compare "$T_TMP/a.json" "$T_TMP/d.json"
is_rc 2 "compare: sentinel on vs off refused"
one_line_err '--sentinel \(true vs false\)' "... naming it"
python3 - "$T_TMP/a.json" "$T_TMP/e.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["run"]["options"]["bench_options"]["n"] = "8192"
json.dump(d, open(sys.argv[2], "w"))
PY
run "$LOCUS" compare "$T_TMP/a.json" "$T_TMP/e.json"
is_rc 2 "compare: another bench option value (--n) refused"
one_line_err '--n \("4096" vs "8192"\)' "... naming the bench option"
python3 - "$T_TMP/a.json" "$T_TMP/old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["run"]["options"]
json.dump(d, open(sys.argv[2], "w"))
PY
run "$LOCUS" compare "$T_TMP/old.json" "$T_TMP/b.json"
ok "$([ "$rc" = 0 ] || [ "$rc" = 6 ]; echo $?)" "a file from before run.options compares (no check possible)"

S=$T_TMP/store
run "$LOCUS" baseline save "$S" "$T_TMP/a.json"
is_rc 0 "baseline save: the first run"
run "$LOCUS" baseline save "$S" "$T_TMP/b.json"
is_rc 2 "baseline save: a run with other options is not pooled"
one_line_err 'other options than the runs saved.*--reps \(3 vs 4\)' "... naming the option"
run "$LOCUS" baseline save "$S" "$T_TMP/c.json"
is_rc 0 "baseline save: the same options pool"
run "$LOCUS" baseline save --allow-option-mismatch "$S" "$T_TMP/b.json"
is_rc 0 "baseline save --allow-option-mismatch pools anyway"

# the gate: checks before measuring
S2=$T_TMP/store2
"$LOCUS" baseline save "$S2" "$T_TMP/a.json" >/dev/null
run "$LOCUS" gate --baseline "$S2" -- bench "${B[@]}" --reps 4
is_rc 2 "gate: a baseline made with other options: exit 2"
one_line_err 'gate: .*different options: --reps \(3 vs 4\)' "... naming the option"
no_err 'gate: run 1' "... before any run was measured"
mkdir "$T_TMP/empty"
run "$LOCUS" gate --baseline "$T_TMP/empty" -- bench "${B[@]}" --reps 3
is_rc 3 "gate: an empty baseline directory: exit 3"
no_err 'gate: run 1' "... found before any run was measured"
run "$LOCUS" gate --baseline "$T_TMP/empty" -- bench "${B[@]}" --reps 3 --no-such-option
is_rc 2 "gate: a bad bench option is found by the dry run: exit 2"
no_err 'gate: run 1' "... before any run"

# --quick takes at least 12 samples per timed measurement even when its CI target is
# met sooner (the gate's calibration: with 3, most quick measurements could not reach
# significance against a baseline at all); --reps still fixes the count.
"$LOCUS" bench branch --n 4096 --data sorted --quick -o "$T_TMP/q.json" >/dev/null 2>&1
python3 - "$T_TMP/q.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ns = [len(m["samples"]) for m in d["measurements"] if m.get("sentinel") is not None]
print("# quick sample counts:", ns)
sys.exit(0 if ns and min(ns) >= 12 else 1)
PY
ok $? "bench --quick: every timed measurement has at least 12 samples"
"$LOCUS" bench branch --n 4096 --data sorted --quick --reps 4 -o "$T_TMP/q4.json" >/dev/null 2>&1
# 4 samples, plus at most 4 more that replace disturbed ones (lib/stats.c: a sample the
# host sentinel saw disturbed is taken again, at most reps more): on a loaded machine
# 5..8 is right, and far from --quick's 12.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); ns=[len(m["samples"]) for m in d["measurements"]]; print("# sample counts:", ns); sys.exit(0 if ns and all(4 <= n <= 8 for n in ns) else 1)' "$T_TMP/q4.json"
ok $? "bench --quick --reps 4: 4 samples, up to 4 more replacing disturbed ones (--reps wins)"

done_testing
