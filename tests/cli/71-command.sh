#!/bin/bash
# SPDX-License-Identifier: MIT
# 71-command.sh — `locus bench command -- CMD ARGS`: the user's program as a bench.
# Exit statuses (non-zero exit 5, missing program 2, --ignore-failure), --metric
# extraction and its failures (no match, two matches, not a number, no group),
# variants labelled and interleaved, placement applied (CPU binding seen by the
# program), the result's shape, a timeout, ^C leaving no process of the run behind,
# and the gate catching a 20% slowdown of tests/slow-test-program while passing the
# same work (user CPU time of a register-only recurrence: wall time on a shared
# machine is the neighbours' load, so it gets a wide threshold here via --config).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

P=$(dirname "$LOCUS")/tests/slow-test-program
[ -x "$P" ] || skip_all "tests/slow-test-program is not built"

run "$LOCUS" bench command --help
is_rc 0 "bench command --help exits 0"
has_out '[-]-metric' "help lists --metric"
has_out '[-]-variant' "help lists --variant"
has_out '[-]-membind' "help lists the placement options"

run "$LOCUS" bench list
has_out '^command ' "bench list shows command"

run "$LOCUS" bench command --reps 3 --json -- "$P" --work 1
is_rc 0 "a run of the test program exits 0"
json_check 'sorted({m["metric"] for m in d["measurements"]}) == sorted(["wall_time","user_time","sys_time","max_rss","minor_faults","major_faults","voluntary_switches","involuntary_switches"])' \
	"the rusage metrics are recorded"
json_check 'all(m["bench"] == "command" and m["labels"] == {} and len(m["samples"]) == 3 for m in d["measurements"])' \
	"3 samples each, no labels (the command line is not a key)"
json_check 'all(m["verified"]["command"] == ["'"$P"'", "--work", "1"] and m["verified"]["exit_statuses"] == {"0": 3} for m in d["measurements"])' \
	"the command and its exit statuses are recorded"
json_check 'all(len(m["verified"]["bytes_per_node_at_exit"]) == 3 for m in d["measurements"])' \
	"bytes per node at exit, one entry per run"
json_check 'any(x for x in d["measurements"][0]["verified"]["bytes_per_node_at_exit"])' \
	"pages at exit were read (numa_maps at the exit stop)"

run "$LOCUS" bench command --reps 2 --quick -- "$P" --exit 3
is_rc 5 "the program exits 3: exit 5"
# err_line, not one_line_err: followed by "bench command: failed: ...": two lines today
err_line 'exited with status 3' "the status is named"

run "$LOCUS" bench command --reps 2 -o "$T_TMP/fail.json" -- "$P" --exit 3
run python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["failures"][0]; sys.exit(0 if f["exit_status"] == 3 else 1)' "$T_TMP/fail.json"
is_rc 0 "the failing status is in the result"

run "$LOCUS" bench command --reps 2 --ignore-failure --json -- "$P" --exit 3
is_rc 0 "--ignore-failure: measured, exit 0"
json_check 'd["measurements"][0]["verified"]["exit_statuses"] == {"3": 2}' "the statuses are recorded"

run "$LOCUS" bench command --reps 2 -- /nonexistent/program
is_rc 2 "a missing program: exit 2"
one_line_err '/nonexistent/program' "it is named"

run "$LOCUS" bench command --reps 2 -- no-such-program-locus-xyz
is_rc 2 "a program not in PATH: exit 2"
# err_line, not one_line_err: followed by "bench command: failed: ...": two lines today
err_line 'not found' "it says so"

run "$LOCUS" bench command --reps 2 --shell -- no-such-program-locus-xyz
is_rc 2 "--shell and a missing program: exit 2"

run "$LOCUS" bench command --reps 2
is_rc 2 "no command: a usage error (exit 2), not a skip"
one_line_err 'bench command: which program\?' "no command: one line says what to give"
[ ! -s "$out" ]; ok $? "no command: nothing on standard output"

run "$LOCUS" bench command --reps 2 --shell --json -- 'echo "v: 7" >&2; exit 0'
is_rc 0 "--shell runs a shell command line"

# ---- --metric
run "$LOCUS" bench command --reps 3 --json --metric 'ops=ops/s: ([0-9.]+):ops/s' \
	--metric 'steps=^steps: ([0-9]+)$:steps:lower' -- "$P" --work 2 --print
is_rc 0 "two --metric extractions exit 0"
json_check '[m for m in d["measurements"] if m["metric"] == "ops"][0]["unit"] == "ops/s" and [m for m in d["measurements"] if m["metric"] == "ops"][0]["higher_is_better"]' \
	"ops: unit ops/s, higher is better (from stderr)"
json_check '[m for m in d["measurements"] if m["metric"] == "steps"][0]["samples"] == [2000000.0]*3' \
	"steps: the printed value, every run"
json_check 'not [m for m in d["measurements"] if m["metric"] == "steps"][0]["higher_is_better"]' \
	"steps: lower is better, as asked"

run "$LOCUS" bench command --reps 2 --metric 'x=nothing like this ([0-9]+)' -- "$P" --print
is_rc 5 "--metric with no match: exit 5"
# err_line, not one_line_err: followed by "bench command: failed: ...": two lines today
err_line 'metric x: no match' "it says no match"

run "$LOCUS" bench command --reps 2 --metric 'x=val ([0-9]+)' -- "$P" --say 'val 1' --say 'val 2'
is_rc 5 "--metric matching twice: exit 5"
# err_line, not one_line_err: followed by "bench command: failed: ...": two lines today
err_line 'metric x: 2 matches' "it says two matches"

run "$LOCUS" bench command --reps 2 --metric 'x=score: (.*)' -- "$P" --say 'score: fast'
is_rc 5 "--metric capturing a non-number: exit 5"
# err_line, not one_line_err: followed by "bench command: failed: ...": two lines today
err_line "captured 'fast'.*not a number" "it names the text"

run "$LOCUS" bench command --reps 2 --metric 'x=score: [0-9]+' -- "$P" --say 'score: 1'
is_rc 2 "--metric without a capture group: exit 2"
one_line_err 'exactly one is needed' "it says one group is needed"

run "$LOCUS" bench command --reps 2 --metric 'x=score: ([0-9]+' -- "$P"
is_rc 2 "--metric with a bad regex: exit 2"

run "$LOCUS" bench command --reps 2 --metric 'wall_time=a ([0-9]+)' -- "$P"
is_rc 2 "--metric with a built-in metric's name: exit 2"

# ---- variants and placement
last=$(( $(nproc) - 1 ))
run "$LOCUS" bench command --reps 3 --json --variant a='' --variant b="--cpus $last" -- "$P" --work 1
is_rc 0 "two variants exit 0"
json_check 'sorted({m["labels"]["variant"] for m in d["measurements"]}) == ["a","b"]' "labelled variant=a and variant=b"
json_check 'all(len(m["samples"]) == 3 for m in d["measurements"])' "3 runs of each"
json_check '[m for m in d["measurements"] if m["labels"]["variant"] == "b"][0]["verified"]["placement"]["cpus"] == "'$last'"' \
	"variant b records the CPUs asked"
json_check '[m for m in d["measurements"] if m["labels"]["variant"] == "b"][0]["verified"]["placement_check"]["last_cpu_in_asked_cpus"] is True' \
	"variant b ran on the CPU asked (checked at exit)"

run "$LOCUS" bench command --reps 2 --cpus $last --metric "c=^Cpus_allowed_list:[[:space:]]+([0-9]+)\$:cpu" --json \
	-- grep Cpus_allowed_list /proc/self/status
is_rc 0 "--cpus $last applies to the program"
json_check '[m for m in d["measurements"] if m["metric"] == "c"][0]["samples"] == ['$last'.0, '$last'.0]' \
	"the program saw only CPU $last"

run "$LOCUS" bench command --reps 2 --variant a='--bogus 1' -- "$P"
is_rc 2 "a variant with a non-placement option: exit 2"
one_line_err "variant a: '--bogus'" "the word is named"
run "$LOCUS" bench command --reps 2 --variant a='' --variant a='' -- "$P"
is_rc 2 "two variants of one name: exit 2"
run "$LOCUS" bench command --reps 2 --membind 0 --variant a='' -- "$P"
is_rc 2 "placement outside the variants: exit 2"
bad=$(( $(find /sys/devices/system/node -maxdepth 1 -name 'node[0-9]*' 2>/dev/null | wc -l) + 7 ))
run "$LOCUS" bench command --reps 2 --variant far="--membind $bad" -- "$P"
is_rc 2 "a variant on a node that does not exist: exit 2"

# ---- setup, prepare, cleanup, timeout
run "$LOCUS" bench command --reps 3 --warmup 1 --setup "echo s >>$T_TMP/log" \
	--prepare "echo p >>$T_TMP/log" --cleanup "echo c >>$T_TMP/log" -- "$P"
is_rc 0 "--setup/--prepare/--cleanup exit 0"
ok "$([ "$(tr -d '\n' <"$T_TMP/log")" = sppppc ]; echo $?)" \
	"setup once, prepare before each of 4 runs (1 warm-up), cleanup once"

run "$LOCUS" bench command --reps 2 --timeout 0.2 -- "$P" --sleep 5
is_rc 5 "a run over --timeout: exit 5"
# err_line, not one_line_err: followed by "bench command: failed: ...": two lines today
err_line 'longer than --timeout' "it says so"

run "$LOCUS" bench command --reps 2 --timeout abc -- "$P"
is_rc 2 "--timeout abc: exit 2"

# ---- ^C mid-run: the run's process group is killed, locus dies of SIGINT
mark=297.$$
env --default-signal=INT "$LOCUS" bench command --reps 3 -- "$P" --child --sleep $mark \
	>/dev/null 2>"$T_TMP/int.err" &
lp=$!
for _ in $(seq 50); do
	[ "$(pgrep -fc -- "--sleep $mark")" -ge 3 ] && break
	sleep 0.1
done
kill -INT $lp
wait $lp
rc=$?
is_rc 130 "SIGINT mid-run: locus dies of SIGINT (130)"
sleep 0.2
ok "$([ "$(pgrep -fc -- "slow-test-program --child --sleep $mark")" = 0 ]; echo $?)" \
	"no process of the run is left (program and its child)"

# ---- tune ab around bench command (a copy of the tune fixture: nothing real is written);
# the before/after report names the profile
FX=$FIXTURES/sysroot/tune
if [ -d "$FX" ]; then
	cp -r "$FX" "$T_TMP/root"
	run env -u LOCUS_STATE_DIR "$LOCUS" -q --sysroot "$T_TMP/root" tune ab --profile latency \
		--rounds 2 -o "$T_TMP/ab" -- bench command --reps 3 --warmup 0 -- "$P" --work 1
	is_rc 0 "tune ab -- bench command -- PROGRAM: exit 0"
	run "$LOCUS" report --text --before "$T_TMP/ab/A.json" --after "$T_TMP/ab/B.json"
	has_out 'profile latency' "the before/after report names the profile"
	has_out 'command/user_time' "and lists the program's measurements"
else
	ok 0 "tune ab -- bench command # SKIP fixture $FX missing"
	ok 0 "the report names the profile # SKIP fixture $FX missing"
	ok 0 "and lists the measurements # SKIP fixture $FX missing"
fi

# ---- the gate: same work passes, 20% more work is a confirmed regression
cat >"$T_TMP/gate.conf" <<'CONF'
# Wall time and involuntary switches are the neighbours' load on a shared machine.
command/wall_time              threshold=50%
command/involuntary_switches   threshold=500%
CONF
run "$LOCUS" -q bench command --reps 10 -o "$T_TMP/base.json" -- "$P" --work 30
is_rc 0 "the baseline (work 30) exits 0"
run "$LOCUS" -q gate --baseline "$T_TMP/base.json" --config "$T_TMP/gate.conf" -- \
	bench command --reps 10 -- "$P" --work 30
is_rc 0 "gate: the same work passes (exit 0)"
run "$LOCUS" -q gate --baseline "$T_TMP/base.json" --config "$T_TMP/gate.conf" -- \
	bench command --reps 10 -- "$P" --work 36
is_rc 6 "gate: 20% more work is a confirmed regression (exit 6)"
has_out 'regressed.*command/user_time' "user_time regressed"
has_out 'confirmed' "confirmed by a rerun round"

done_testing
