#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/fleet/slurm.sh — scripts/fleet-slurm against a real Slurm: munged, slurmctld and
# slurmd started for a single-node cluster on this machine (tests/fleet/slurm-cluster),
# a job array of real quick benches merged into a fleet report, arguments reaching
# locus intact, a failing task reported, bad usage refused, and every daemon stopped
# with nothing left behind.  TAP; skipped with the reason when Slurm is not installed
# (scripts/test installs slurm-wlm and munge).
#
#   LOCUS=build/locus tests/fleet/slurm.sh
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

for c in munged slurmctld slurmd sbatch sinfo; do
	command -v $c >/dev/null 2>&1 || skip_all "$c not installed (Debian: apt-get install slurm-wlm munge)"
done
[ "$(id -u)" -eq 0 ] || skip_all "the test cluster runs its daemons as root (SlurmUser=root)"
command -v python3 >/dev/null || skip_all "python3 not installed"
FLEET=$top_srcdir/scripts/fleet-slurm
CLUSTER=$top_srcdir/tests/fleet/slurm-cluster
C=$T_TMP/cluster
trap '"$CLUSTER" stop "$C" >/dev/null 2>&1; rm -rf "$T_TMP"' EXIT

run "$CLUSTER" start "$C"
is_rc 0 "a single-node test cluster starts (munged, slurmctld, slurmd)"
[ "$rc" -eq 0 ] || { sed 's/^/# /' "$err"; done_testing; }
export SLURM_CONF=$C/slurm.conf
NODE=$(hostname -s)

# ------------------------------------------------------------ bad usage, nothing submitted
run "$FLEET" --nodes 0 --locus "$LOCUS" --out "$T_TMP/x"
is_rc 2 "--nodes 0: exit 2"
has_err "--nodes '0' is not a whole number" "--nodes 0: names the value"
run "$FLEET" --nodez 3
is_rc 2 "a mistyped option: exit 2"
has_err "unknown option '--nodez'" "a mistyped option: named"
run "$FLEET" --locus "$LOCUS" --nodes 1 --out "$T_TMP/x" -- latncy --quick
is_rc 2 "an unknown bench: exit 2 before anything is submitted"
[ ! -e "$T_TMP/x" ] && [ -z "$(squeue -h 2>/dev/null)" ]
ok $? "bad usage: no directory made, no job queued"

run "$FLEET" --dry-run --nodes 2 --partition test --time 5:00 --locus "$LOCUS" --out "$T_TMP/dry" -- malloc --quick
is_rc 0 "--dry-run: exit 0"
has_out '^sbatch .*--array=0-1 --exclusive .*--time=5:00 .*fleet-task.sh .* malloc --quick$' "--dry-run: the array with --exclusive, time and bench args"
has_out '^sbatch .*--dependency=afterany:JOBID .*fleet-merge.sh' "--dry-run: the merge job depends on the whole array"

# ------------------------------------------------------------ a real fleet run
OUT=$T_TMP/fleet
run "$FLEET" --nodes 3 --partition test --time 10:00 --locus "$LOCUS" --out "$OUT" --wait -- malloc --quick
is_rc 0 "three array tasks of 'bench malloc --quick' and the merge job: exit 0"
has_out '^Fleet$' "--wait prints the fleet headline"
n=$(find "$OUT/results" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)
[ "$n" -eq 3 ]
ok $? "three results under the shared directory (got $n)"
[ -f "$OUT/results/$NODE.json" ] && { [ -f "$OUT/results/$NODE-task1.json" ] || [ -f "$OUT/results/$NODE-task2.json" ]; }
ok $? "named by host, a second task on the same host by host and task"
python3 - "$OUT"/results/*.json <<'PY'
import json, sys
for p in sys.argv[1:]:
    d = json.load(open(p))
    assert d["schema"] == "locus-result/1", p
    assert d["measurements"] and all(m["bench"] == "malloc" for m in d["measurements"]), p
PY
ok $? "each result is a valid malloc result"
python3 - "$OUT/report/fleet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["hosts_compared"] == 3 and d["measurements_compared"] > 0 else 1)
PY
ok $? "the merge job wrote a fleet report of the three results"
grep -q 'id="fleet"' "$OUT/report/index.html" && [ "$(head -n 1 "$OUT/report.txt")" = Fleet ]
ok $? "index.html has the fleet section; report.txt starts with it"
[ ! -s "$OUT/missing.txt" ]
ok $? "no task missing"

# ------------------------------------------------------------ arguments intact, a failing task
# A stand-in for locus that records its arguments, fails on task 1 and otherwise
# writes a copy of a real result: shows what each node was asked to run.
cat >"$T_TMP/fake-locus" <<FAKE
#!/bin/bash
[ "\$1" = report ] && exec "$LOCUS" "\$@"
for a in "\$@"; do [ "\$a" = --help ] && exit 0; done
printf '%s\n' "\$@" >"$T_TMP/argv.\${SLURM_ARRAY_TASK_ID:-x}"
[ "\${SLURM_ARRAY_TASK_ID:-}" = 1 ] && { echo "locus: malloc: planted failure" >&2; exit 5; }
while [ \$# -gt 0 ]; do [ "\$1" = -o ] && cp "$OUT/results/$NODE.json" "\$2"; shift; done
FAKE
chmod +x "$T_TMP/fake-locus"
OUT2=$T_TMP/fleet2
# shellcheck disable=SC2016  # a literal $(...) on purpose: it must reach locus unexpanded
run "$FLEET" --nodes 3 --locus "$T_TMP/fake-locus" --out "$OUT2" --wait -- malloc --sizes '1K,2K' --note 'a b $(touch '"$T_TMP"'/pwned) "c"'
# shellcheck disable=SC2016  # the same literal $(...), as locus must receive it
printf '%s\n' -q bench malloc --sizes 1K,2K --note 'a b $(touch '"$T_TMP"'/pwned) "c"' -o "$OUT2/results/$NODE.json" >"$T_TMP/want"
cmp -s "$T_TMP/want" "$T_TMP/argv.0" && [ ! -e "$T_TMP/pwned" ]
ok $? "bench arguments reach locus on the node exactly as given (spaces, quotes, \$(...) inert)"
grep -q '^task 1: locus: malloc: planted failure' "$OUT2/missing.txt"
ok $? "a failing task is listed in missing.txt with its error"
[ "$(find "$OUT2/results" -maxdepth 1 -name '*.json' | wc -l)" -eq 2 ] && [ -f "$OUT2/report/index.html" ]
ok $? "the report is still written from the tasks that succeeded"

# ------------------------------------------------------------ nothing left behind
pids=$(cat "$C"/*.pid 2>/dev/null)
"$CLUSTER" stop "$C"
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
[ -z "$left" ] && [ -z "$(ls "$C"/*.pid 2>/dev/null)" ]
ok $? "stop: munged, slurmctld and slurmd are gone${left:+ (left:$left)}"
! pgrep -f "$C/" >/dev/null
ok $? "no process of the test cluster is left"

done_testing
