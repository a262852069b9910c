#!/bin/bash
# SPDX-License-Identifier: MIT
# 41-gate.sh — `locus gate`: running the bench as a child, choosing the baseline (file
# or fingerprint directory), confirming suspected regressions by rerunning, exit codes.
#
# Most checks replace the bench with a fake (LOCUS_GATE_BENCH_CMD, the documented test
# hook) that hands out fixture results in a scripted order, so the confirmation logic is
# tested deterministically; the last block runs the real `locus bench` end to end with
# a threshold no run-to-run noise can reach, so it cannot depend on timing.  Stores of
# several runs and --save-on-pass use the two-mode fixtures (tests/fixtures/results/set).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

R=$FIXTURES/results
K4='tlb/latency\{footprint_bytes=1073741824,page_size=4K\}'
K2='tlb/latency\{footprint_bytes=1073741824,page_size=2M\}'

FAKE=$T_TMP/fake-locus
cat >"$FAKE" <<'EOF'
#!/bin/bash
# A stand-in for "locus bench ARGS -o FILE": run N writes the N-th fixture of $FAKE_RUNS
# ("fail" = exit 2 like a bench given a bad option; "hang" = write its pid to
# $FAKE_LOG.pid and sleep, to be interrupted).
# run 0 is the gate's dry run (LOCUS_BENCH_OPTIONS_ONLY): answered with run 1's file
if [ "$LOCUS_GATE_RUN" = 0 ]; then echo "dry $*" >>"$FAKE_LOG.dry"; LOCUS_GATE_RUN=1; else
echo "$LOCUS_GATE_RUN $*" >>"$FAKE_LOG"; fi
out=
while [ $# -gt 0 ]; do
	case $1 in -o) out=$2; shift 2 ;; *) shift ;; esac
done
set -- $FAKE_RUNS
eval "f=\${$LOCUS_GATE_RUN:-}"
[ -n "$f" ] || { echo "fake: no fixture for run $LOCUS_GATE_RUN" >&2; exit 1; }
[ "$f" = fail ] && { echo "locus: bench tlb: fake: bad option" >&2; exit 2; }
[ "$f" = hang ] && { echo $$ >"$FAKE_LOG.pid"; exec sleep 60; }
cp "$FAKE_DIR/$f" "$out"
EOF
chmod +x "$FAKE"
# the fixtures, plus set-far.json: set-cur-b.json with its latencies x10 (far outside a
# baseline set in two modes 30% apart, which a run 20% beyond the worse mode is not:
# report/compare-verdict.h rule 7, run-level t test)
mkdir "$T_TMP/fx"
cp -r "$R"/. "$T_TMP/fx/"
python3 - "$R/set-cur-b.json" "$T_TMP/fx/set-far.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    if m["metric"] == "latency":
        m["samples"] = [x * 10 for x in m["samples"]]
        m["summary"] = {k: v if k == "n" else v * 10 for k, v in m["summary"].items()}
json.dump(d, open(sys.argv[2], "w"))
PY
export LOCUS_GATE_BENCH_CMD=$FAKE FAKE_DIR=$T_TMP/fx FAKE_LOG=$T_TMP/log
mkdir "$T_TMP/gtmp"
export TMPDIR=$T_TMP/gtmp     # where the gate keeps its runs: must be empty afterwards

gate() { # FIXTURES-IN-ORDER GATE-ARGS...
	export FAKE_RUNS=$1
	shift
	: >"$FAKE_LOG"
	run "$LOCUS" gate --runs 1 "$@"
}
gate3() { # like gate, with the default three runs per round
	export FAKE_RUNS=$1
	shift
	: >"$FAKE_LOG"
	run "$LOCUS" gate "$@"
}
runs() { wc -l <"$FAKE_LOG"; }

gate "base.json" --baseline "$R/base.json" -- bench tlb --quick
is_rc 0 "no change: exit 0"
[ "$(runs)" -eq 1 ]; ok $? "no change: the bench ran once (no confirmation needed)"
grep -q '^1 bench tlb --quick -o .*/run-1.json$' "$FAKE_LOG"; ok $? "the bench gets its arguments, then -o TMPFILE"
[ "$(grep -c '^unchanged ' "$out")" -eq 4 ]; ok $? "no change: the table lists 4 unchanged"

gate "slower.json slower.json" --baseline "$R/base.json" -- bench tlb
is_rc 6 "a regression seen twice: exit 6"
[ "$(runs)" -eq 2 ]; ok $? "the suspected regression triggered one rerun"
has_out "^regressed .*$K4.*confirmed by 1 rerun; first run regressed \+20\.0%" "the row says it was confirmed"

gate "slower.json base.json" --baseline "$R/base.json" -- bench tlb
is_rc 0 "a regression not seen again: exit 0"
has_out "^unchanged .*$K4.*first run regressed \+20\.0%; not confirmed by rerun 1" "the row says it was not confirmed"

gate "slower.json" --baseline "$R/base.json" --confirm 0 -- bench tlb
is_rc 6 "--confirm 0: the first run decides"
[ "$(runs)" -eq 1 ]; ok $? "--confirm 0: no rerun"

gate "slower.json slower.json base.json" --baseline "$R/base.json" --confirm 2 -- bench tlb
is_rc 0 "--confirm 2: must regress in every rerun"
[ "$(runs)" -eq 3 ]; ok $? "--confirm 2: two reruns"

gate "slower.json slower-missing.json" --baseline "$R/base.json" -- bench tlb
is_rc 6 "one confirmed, one missing from the rerun: exit 6"
has_out "^inconclusive .*$K2.*missing from rerun 1" "a suspect missing from the rerun is inconclusive"

gate "base.json" --baseline "$R/base.json" bench tlb --quick --reps 5
is_rc 0 "without '--', options after the bench name go to the bench"
grep -q 'bench tlb --quick --reps 5 -o' "$FAKE_LOG"; ok $? "... and reach it"

# ---- outputs and the kept result
gate "slower.json slower.json" --baseline "$R/base.json" --keep-result "$T_TMP/kept.json" \
	--junit "$T_TMP/g.xml" --json -o "$T_TMP/g.json" -- bench tlb
is_rc 6 "gate with --keep-result --junit --json -o"
"$LOCUS" compare "$R/slower.json" "$T_TMP/kept.json" >/dev/null 2>&1
ok $? "--keep-result stores the first run's result"
python3 -c "import xml.dom.minidom, sys; xml.dom.minidom.parse(sys.argv[1])" "$T_TMP/g.xml"
ok $? "--junit: well-formed XML"
python3 - "$T_TMP/g.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["counts"]["regressed"] == 2 and all("confirmed" in c.get("note", "") for c in d["comparisons"] if c["verdict"] == "regressed")
PY
ok $? "--json: confirmed regressions carry the note"

# ---- baseline directories and fingerprints
"$LOCUS" baseline save "$T_TMP/bl" "$R/base.json" >/dev/null
gate "same-dist.json" --baseline "$T_TMP/bl" -- bench tlb
is_rc 0 "--baseline DIR: the matching fingerprint is found"
has_out "^locus compare: baseline $T_TMP/bl/[0-9a-f]{16}," "--baseline DIR: the chosen set is named"
gate "otherenv.json" --baseline "$T_TMP/bl" -- bench tlb
is_rc 3 "--baseline DIR without this machine's fingerprint: exit 3"
[ "$(runs)" -eq 0 ]; ok $? "no baseline for this machine: known before any run"
# err_line, not one_line_err: gate prints this message twice today (two baseline loads): not yet one line
err_line 'has no baseline for this machine \(fingerprint [0-9a-f]{16}: .*cpu.model=Other CPU' "the missing fingerprint is explained"
# a store of several runs, and --save-on-pass
S=$T_TMP/store
for i in 1 2 3; do "$LOCUS" baseline save "$S" "$R/set/run-$i.json" >/dev/null; done
gate "set-cur-b.json" --baseline "$S" -- bench tlb
is_rc 0 "store of 3 runs in two modes: a run in one of the modes passes"
[ "$(runs)" -eq 1 ]; ok $? "... with no confirmation rerun"
has_out '^Baseline: 3 runs' "the gate compares with the whole set"
gate "set-worse.json" --baseline "$S" -- bench tlb
is_rc 0 "store of 3 runs in two modes: 20% beyond the worse mode is not significant"
[ "$(runs)" -eq 1 ]; ok $? "... so there is no confirmation rerun"
gate "set-far.json set-far.json" --baseline "$S" -- bench tlb
is_rc 6 "store: 10x slower than every run, twice: exit 6"
has_out "^regressed .*$K4.*confirmed by 1 rerun" "store: confirmed against the set"
gate "set-far.json set-cur-b.json" --baseline "$S" -- bench tlb
is_rc 0 "store: not confirmed by the rerun: exit 0"
gate "set-cur-b.json" --baseline "$S" --save-on-pass -- bench tlb
is_rc 0 "--save-on-pass: passed"
run "$LOCUS" baseline list "$S"
has_out '  4 runs ' "--save-on-pass: the passing run was appended (4 runs)"
gate "set-far.json set-far.json" --baseline "$S" --save-on-pass -- bench tlb
is_rc 6 "--save-on-pass: a failing gate"
run "$LOCUS" baseline list "$S"
has_out '  4 runs ' "--save-on-pass: a failing run is not saved"
gate "set-far.json set-cur-b.json" --baseline "$S" --save-on-pass -- bench tlb
is_rc 0 "--save-on-pass: unconfirmed suspects pass"
has_err 'not saved as a baseline: 2 suspected regressions' "... but the run is not saved, and it says so"
run "$LOCUS" baseline list "$S"
has_out '  4 runs ' "--save-on-pass: still 4 runs"
gate "set-cur-b.json" --baseline "$S" --save-on-pass=2 -- bench tlb
run "$LOCUS" baseline list "$S"
has_out '  2 runs ' "--save-on-pass=2: keeps 2"
gate "base.json" --baseline "$R/base.json" --save-on-pass -- bench tlb
is_rc 2 "--save-on-pass with a file baseline: exit 2"
one_line_err "is not a baseline store" "--save-on-pass: says why"

# ---- rounds of several runs (the default: --runs 3, merged; lib/runs.h)
S3=$T_TMP/store3
for i in 1 2 3; do "$LOCUS" baseline save "$S3" "$R/set/run-$i.json" >/dev/null; done
gate3 "set-far.json set-cur-b.json set-cur-b.json" --baseline "$S3" -- bench tlb
is_rc 0 "--runs 3: one disturbed run of three does not fail the gate"
[ "$(runs)" -eq 3 ]; ok $? "... three runs, no confirmation round"
has_out '^Current: 3 runs, samples pooled' "the table says the current side is three runs"
gate3 "set-far.json set-far.json set-cur-b.json set-far.json set-far.json set-far.json" \
	--baseline "$S3" -- bench tlb
is_rc 6 "--runs 3: two of three far off, confirmed by a second round: exit 6"
[ "$(runs)" -eq 6 ]; ok $? "... two rounds of three runs"
has_out "^regressed .*$K4.*confirmed by 1 confirmation round; first round regressed" \
	"the note speaks of rounds"
gate3 "set-far.json set-far.json set-far.json set-cur-b.json set-cur-b.json set-far.json" \
	--baseline "$S3" -- bench tlb
is_rc 0 "--runs 3: not confirmed by the second round: exit 0"
has_out "not confirmed by confirmation round 1" "... and says so"
gate3 "set-cur-b.json set-cur-b.json set-cur-b.json" --baseline "$S3" \
	--keep-result "$T_TMP/kept3.json" --save-on-pass -- bench tlb
is_rc 0 "--runs 3 --save-on-pass: passed"
run "$LOCUS" baseline list "$S3"
has_out '  6 runs ' "--save-on-pass stores the round's three runs"
run cat "$T_TMP/kept3.json"
json_check 'd["merged_runs"] == 3 and all(len(m["run_sizes"]) == 3 and sum(m["run_sizes"]) == len(m["samples"]) for m in d["measurements"])' \
	"--keep-result: the three runs, merged, with run_sizes"
run "$LOCUS" baseline save "$T_TMP/store4" "$T_TMP/kept3.json"
is_rc 0 "baseline save of a merged file"
run "$LOCUS" baseline list "$T_TMP/store4"
has_out '  3 runs ' "... stores its three runs"
run "$LOCUS" compare "$T_TMP/kept3.json" "$R/set-cur-b.json"
has_out '^Baseline: 3 runs' "a merged file as the baseline counts as its runs"
gate3 "set-cur-b.json" --baseline "$S3" --runs 21 -- bench tlb
is_rc 2 "--runs 21: exit 2"
one_line_err "--runs: 21 is out of range" "--runs: the range is named"

gate "otherenv.json" --baseline "$R/base.json" --strict-env -- bench tlb
is_rc 2 "--strict-env with another fingerprint: exit 2"
[ "$(runs)" -eq 1 ]; ok $? "--strict-env: no rerun before failing"

# ---- bad input
gate "fail" --baseline "$R/base.json" -- bench tlb --size lots
is_rc 2 "the bench rejects its options: the gate exits with its status (2)"
one_line_err '^locus: bench tlb: fake: bad option$' "the bench's own line names the bad option, and the gate adds none (one line for exit 2)"
[ "$(runs)" -eq 0 ]; ok $? "... and nothing was run"
gate "base.json" --baseline "$R/base.json"
is_rc 2 "no bench: exit 2"
gate "base.json" -- bench tlb
is_rc 2 "no --baseline: exit 2"
gate "base.json" --baseline "$T_TMP/none.json" -- bench tlb
is_rc 2 "unreadable baseline: exit 2"
[ "$(runs)" -eq 0 ]; ok $? "unreadable baseline: nothing was run"
gate "base.json" --baseline "$R/notjson.json" -- bench tlb
is_rc 2 "invalid baseline: exit 2"
gate "base.json" --baseline "$R/base.json" --confirm 99 -- bench tlb
is_rc 2 "--confirm 99: exit 2"
one_line_err "--confirm: 99 is out of range" "--confirm: the range is named"
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "no temporary files left behind"

# ---- ^C: SIGINT to the gate (not to its process group) while run 2 runs: the gate
# passes it on to the bench, waits for it and cleans up; nothing is left running.
export FAKE_RUNS="base.json hang"
: >"$FAKE_LOG"
rm -f "$FAKE_LOG.pid"
# started with SIGINT at its default action (bash starts a background job with it ignored)
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
	"$LOCUS" -q gate --runs 2 --baseline "$R/base.json" -- bench tlb </dev/null >"$out" 2>"$err" &
gpid=$!
for _ in $(seq 200); do [ -s "$FAKE_LOG.pid" ] && break; sleep 0.1; done
bpid=$(cat "$FAKE_LOG.pid" 2>/dev/null)
[ -n "$bpid" ]; ok $? "interrupt: the bench (run 2) is running"
kill -INT "$gpid"
wait "$gpid"
rc=$?
is_rc 130 "SIGINT to the gate: exit 130"
one_line_err 'gate: interrupted by signal 2; the benchmark was stopped' "... one line: the benchmark was stopped"
[ -n "$bpid" ] && ! kill -0 "$bpid" 2>/dev/null; ok $? "... and the bench is gone (no orphan left running)"
[ -n "$bpid" ] && kill "$bpid" 2>/dev/null # (only if it was left running)
[ -z "$(ls -A "$TMPDIR")" ]; ok $? "... and no temporary files left behind"

# ---- the real thing: `locus bench` run by the gate (no fake)
unset LOCUS_GATE_BENCH_CMD
if ! "$LOCUS" bench list 2>/dev/null | grep -q '^branch '; then
	echo "# skipping the end-to-end gate: 'locus bench branch' is not built"
else
	run "$LOCUS" bench branch --quick -o "$T_TMP/real.json"
	is_rc 0 "real: locus bench branch --quick writes a baseline"
	run "$LOCUS" gate --baseline "$T_TMP/real.json" --threshold 1000 -- bench branch --quick
	is_rc 0 "real: gate against it with a 1000% threshold passes"
	has_out '^[a-z]+ .*branch/time_per_element\{data=random' "real: the gate's table lists the bench's measurements"
	no_out 'bench +metric' "real: the bench's own table went to stderr, not the report"
	"$LOCUS" baseline save "$T_TMP/realbl" "$T_TMP/real.json" >/dev/null
	run "$LOCUS" gate --baseline "$T_TMP/realbl" --threshold 1000 -- bench branch --quick
	is_rc 0 "real: the baseline directory matches this machine's fingerprint"
fi

done_testing
