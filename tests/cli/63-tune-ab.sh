#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/63-tune-ab.sh — `locus tune ab`: interleaved A/B rounds of a tiny benchmark
# without and with a profile, on a temporary copy of the tests/fixtures/sysroot/tune
# tree (--sysroot on every command: the host's real settings are never touched).  The
# profile must be reverted after every B round and when a signal arrives, and the two
# merged results must be readable by `locus report --before A --after B`.
. "$(dirname "$0")/lib.sh"

unset LOCUS_STATE_DIR LOCUS_TUNE_TEST_KILL_AFTER LOCUS_TUNE_TEST_FAIL_AT LOCUS_TUNE_TEST_AB_TERM
: "${LOCUS_PROFILES_DIR:=$top_srcdir/tune/profiles}"
export LOCUS_PROFILES_DIR
FX=$FIXTURES/sysroot/tune
[ -d "$FX" ] || skip_all "fixture $FX missing"
run "$LOCUS" bench list
grep -qw latency "$out" || skip_all "the latency benchmark is not built"

R=$T_TMP/root
cp -r "$FX" "$R"
snap() { (cd "$R" && find proc sys -type f | sort | while read -r f; do printf '%s=%s\n' "$f" "$(tr -d '\n' <"$f")"; done); }
before=$(snap)
BENCH=(bench latency --reps 2 --warmup 0 --sample-ms 1 --sizes 256K)

run "$LOCUS" -q --sysroot "$R" tune ab --profile latency --rounds 2 -o "$T_TMP/ab" -- "${BENCH[@]}"
is_rc 0 "tune ab, 2 rounds: exit 0"
[ -s "$T_TMP/ab/A.json" ] && [ -s "$T_TMP/ab/B.json" ] && [ -s "$T_TMP/ab/A-2.json" ] && [ -s "$T_TMP/ab/B-2.json" ]
ok $? "A.json, B.json and every round's result written"
python3 - "$T_TMP/ab" <<'PY'
import json, sys
d = sys.argv[1]
a, b = (json.load(open("%s/%s.json" % (d, s))) for s in "AB")
r1 = json.load(open(d + "/A-1.json"))
assert a["ab"]["rounds"] == 2 and b["ab"]["profile"] == "latency"
# every sample of both rounds is in the merged result
m = a["measurements"][0]
assert len(m["run_sizes"]) == 2 and sum(m["run_sizes"]) == len(m["samples"])
assert m["run_sizes"][0] == len(r1["measurements"][0]["samples"])
assert m["samples"][:m["run_sizes"][0]] == r1["measurements"][0]["samples"]
PY
ok $? "merged results carry every round's samples and the A/B annotation"
python3 - "$T_TMP/ab" "$R/run/locus/journal" <<'PY'
import json, sys
d = sys.argv[1]
a, b = (json.load(open("%s/%s.json" % (d, s))) for s in "AB")
tx = json.load(open(sys.argv[2]))["transactions"][0]
for side, r in (("A", a), ("B", b)):
    t = r["tune"]
    assert t["side"] == side and t["applied"] == (side == "B"), t
    assert t["profile"] == "latency" and t["file"].endswith("/latency.conf") and t["rounds"] == 2
    assert t["description"]
    # every setting of the B transaction, old -> new, from the journal
    assert [(x["name"], x["from"], x["to"]) for x in t["settings"]] == \
        [(c["name"], c["original"], c["set"]) for c in tx["changes"]], t["settings"]
assert any(x["name"] == "vm.swappiness" and x["from"] == "33" and x["to"] == "10" for x in b["tune"]["settings"])
PY
ok $? "A.json and B.json carry the 'tune' object: the profile and every setting old -> new"
for edit in 'd["tune"]["settings"][0]["to"] = "x\nEOD"' 'd["tune"]["side"] = "C"' 'd["tune"]["applied"] = False' \
	'd["tune"]["rounds"] = 0' 'd["tune"]["extra"] = 1' 'd["tune"]["settings"] = {}' 'd["ab"]["profile"] = 7'; do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))' \
		"$T_TMP/ab/B.json" "$T_TMP/badtune.json" "$edit"
	run "$LOCUS" compare "$T_TMP/ab/A.json" "$T_TMP/badtune.json"
	[ "$rc" = 2 ] && grep -q 'badtune.json: .*\(tune\|ab\)' "$err" && [ "$(wc -l <"$err")" = 1 ]
	ok $? "a result with a bad 'tune' object ($edit): refused on load, exit 2"
done
[ "$before" = "$(snap)" ]; ok $? "after tune ab the fixture is as before (B rounds reverted)"
run "$LOCUS" --sysroot "$R" tune status
has_out 'no changes by locus' "tune status: nothing left in effect"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["transactions"]; sys.exit(not (len(t) == 2 and all(x["state"] == "reverted" for x in t)))' \
	"$R/run/locus/journal"
ok $? "journal: one transaction per B round, each reverted"
run "$LOCUS" report --before "$T_TMP/ab/A.json" --after "$T_TMP/ab/B.json" -o "$T_TMP/rep"
is_rc 0 "locus report --before A.json --after B.json reads them"

# A SIGTERM while a B round runs: the benchmark is stopped, the profile reverted.
LOCUS_TUNE_TEST_AB_TERM=1 run "$LOCUS" -q --sysroot "$R" tune ab --profile latency --rounds 2 -o "$T_TMP/ab2" -- "${BENCH[@]}"
is_rc 143 "SIGTERM during a B round: exit 143"
has_err 'interrupted by signal 15; the profile was reverted' "says the profile was reverted"
[ "$before" = "$(snap)" ]; ok $? "after SIGTERM the fixture is as before"

run "$LOCUS" --sysroot "$R" tune ab --profile latency -- true
is_rc 2 "tune ab with a non-bench command: exit 2"
run "$LOCUS" --sysroot "$R" tune ab -- "${BENCH[@]}"
is_rc 2 "tune ab without --profile: exit 2"
run "$LOCUS" --sysroot "$R" tune ab --profile latency --rounds 0 -- "${BENCH[@]}"
is_rc 2 "--rounds 0: exit 2"
run "$LOCUS" --sysroot "$R" tune ab --profile latency -- "${BENCH[@]}" -o x.json
is_rc 2 "-o in the benchmark's arguments: exit 2"

done_testing
