#!/bin/bash
# SPDX-License-Identifier: MIT
# 47-history.sh — baseline history and change points: `baseline save --rev`
# keeps every run (time, revision, medians) in DIR/ID/history.jsonl even when its file
# is pruned; `baseline history` finds a +25% step at the run it happened and none in
# the flat series; `gate --history` compares with the runs since the last change point
# (the fake bench of 41-gate.sh's kind: LOCUS_GATE_BENCH_CMD copies a prepared file).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

R=$FIXTURES/results
mkdir "$T_TMP/runs"
python3 - "$R/set/run-1.json" "$T_TMP/runs" <<'PY'
import json, random, sys
base = json.load(open(sys.argv[1]))
rnd = random.Random(1)
for i in range(12):
    d = json.loads(json.dumps(base))
    for m in d["measurements"]:
        step = i >= 8 and m["metric"] == "latency" and m["labels"].get("page_size") == "4K"
        f = (1.25 if step else 1.0) * (1 + rnd.uniform(-0.02, 0.02))
        m["samples"] = [x * f for x in m["samples"]]
        s = sorted(m["samples"]); n = len(s)
        m["summary"] = {"median": (s[(n - 1) // 2] + s[n // 2]) / 2, "n": n}
    json.dump(d, open("%s/r%02d.json" % (sys.argv[2], i), "w"))
PY
S=$T_TMP/store
for i in $(seq -w 0 11); do
	"$LOCUS" baseline save --keep 8 --rev "rev$i" "$S" "$T_TMP/runs/r$i.json" >/dev/null || echo "save $i failed" >&2
done
set_dir=$(ls -d "$S"/*/)
[ "$(find "$set_dir" -maxdepth 1 -name '*.json' | wc -l)" -eq 8 ] && [ "$(wc -l <"$set_dir/history.jsonl")" -eq 12 ]
ok $? "--keep 8: 8 run files kept, all 12 runs in history.jsonl"
python3 -c "
import json, sys
ls = [json.loads(l) for l in open('$set_dir/history.jsonl')]
sys.exit(0 if [l['rev'] for l in ls] == ['rev%02d' % i for i in range(12)] and all(l['saved'] and len(l['medians']) == 4 for l in ls) else 1)"
ok $? "every history line has its rev, time and the medians"

run "$LOCUS" baseline history "$S"
is_rc 0 "baseline history: exit 0"
has_out 'history of .*: 12 runs, 4 measurements' "history: 12 runs, 4 measurements"
has_out '^    at run 9 \(rev rev08, saved [0-9T:Z-]+\): median [0-9.]+ -> [0-9.]+ \(\+2[4-9]\.[0-9]%\)' \
	"the +25% step is found where it happened (run 9, rev08)"
has_out '^1 of 4 measurements have a change point' "the flat series have none"
run "$LOCUS" baseline history --plot "$T_TMP/fig" "$S"
is_rc 0 "history --plot: exit 0"
has_out '^1 figure in ' "one figure: the one measurement with a change point"
[ -s "$T_TMP/fig/history-001.gp" ] && [ -s "$T_TMP/fig/history-001.dat" ]
ok $? "its gnuplot script and data are saved"
grep -q "change: run 9, rev rev08" "$T_TMP/fig/history-001.gp"
ok $? "the change point is marked with its run and revision"
[ "$(grep -cE '^ *[0-9]' "$T_TMP/fig/history-001.dat")" -ge 12 ]
ok $? "all 12 runs are plotted"
run "$LOCUS" baseline history "$T_TMP/nowhere"
is_rc 2 "history of a missing directory: exit 2"
run "$LOCUS" baseline history
is_rc 2 "history without DIR: exit 2"

# gate --history: the current run is in the new regime; against the whole set the step
# makes it look worse, against the segment since the change point it is unchanged
FAKE=$T_TMP/fake.sh
cat >"$FAKE" <<EOF2
#!/bin/sh
out=; while [ \$# -gt 0 ]; do case \$1 in -o) out=\$2; shift 2;; *) shift;; esac; done
cp "$T_TMP/runs/r11.json" "\$out"
EOF2
chmod +x "$FAKE"
export LOCUS_GATE_BENCH_CMD=$FAKE
run "$LOCUS" gate --runs 1 --history --baseline "$S" -- bench tlb
is_rc 0 "gate --history: passes"
has_err 'gate: --history: 12 runs in .*; 1 measurement compared with the runs since their last change point' \
	"... saying which measurement was judged against its last segment"
has_out '^unchanged .*of 4 +tlb/latency\{footprint_bytes=1073741824,page_size=4K\}' \
	"... the stepped measurement is compared with the 4 runs since the step"
run "$LOCUS" gate --runs 1 --baseline "$S" -- bench tlb
has_out '^(regressed|inconclusive) .*of 8 +tlb/latency\{footprint_bytes=1073741824,page_size=4K\}' \
	"without --history the 8 runs (4 before the step) make it look worse"

done_testing
