#!/bin/bash
# SPDX-License-Identifier: MIT
# 80-ci.sh — the CI workflows to copy (contrib/ci/*.yml): they parse as YAML, have the
# shape their CI expects (cache keyed by the runner, JUnit report, Markdown summary),
# and their shell steps, run as written against this build, seed a baseline on the
# first run and gate against it on the second.
#
# The workflows' own knobs make the runs short: BENCH="bench branch --quick" and
# GATE_ARGS with a threshold no run-to-run noise reaches (the gate logic itself is
# tested in 41-gate.sh; here it is the recipe that is checked).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

CI=$top_srcdir/contrib/ci
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed (scripts/test installs it)"
"$LOCUS" bench list 2>/dev/null | grep -q '^branch ' || skip_all "bench branch is not built"

# A `locus` on PATH that is this build.
mkdir -p "$T_TMP/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$LOCUS" >"$T_TMP/bin/locus"
chmod +x "$T_TMP/bin/locus"
export PATH=$T_TMP/bin:$PATH
unset LOCUS_GATE_BENCH_CMD
export BENCH="bench branch --quick" GATE_ARGS="--threshold 1000 --runs 1 --confirm 0"
FP=$("$LOCUS" baseline id)

# extract FILE PYEXPR OUT: write the string PYEXPR (y = the parsed YAML) into OUT
extract() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys, yaml
y = yaml.safe_load(open(sys.argv[1]))
v = eval(sys.argv[2])
open(sys.argv[3], "w").write(v if isinstance(v, str) else "\n".join(v) + "\n")
PY
}
yaml_check() { # FILE PYEXPR DESC
	python3 - "$1" "$2" <<'PY'
import sys, yaml
y = yaml.safe_load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
	ok $? "$3"
}

# ---- GitHub Actions
G=$CI/github-actions.yml
yaml_check "$G" "isinstance(y, dict) and 'gate' in y['jobs']" "github: parses, has the gate job"
yaml_check "$G" "any(s.get('uses', '').startswith('actions/cache/restore') and '\${{ steps.fp.outputs.id }}' in s['with']['key'] for s in y['jobs']['gate']['steps'])" \
	"github: the baseline cache is keyed by the runner fingerprint"
yaml_check "$G" "any('locus baseline id' in s.get('run', '') for s in y['jobs']['gate']['steps'])" \
	"github: the fingerprint comes from 'locus baseline id'"
yaml_check "$G" "any('--junit' in s.get('run', '') and 'GITHUB_STEP_SUMMARY' in s.get('run', '') for s in y['jobs']['gate']['steps'])" \
	"github: the gate writes JUnit and the Markdown job summary"
yaml_check "$G" "any(s.get('uses', '').startswith('actions/upload-artifact') for s in y['jobs']['gate']['steps'])" \
	"github: the reports are kept as an artifact"

steps() { echo "[s for s in y['jobs']['gate']['steps'] if s.get('name') == '$1'][0]['run']"; }
extract "$G" "$(steps 'Runner fingerprint')" "$T_TMP/gh-fp.sh"
extract "$G" "$(steps 'Gate')" "$T_TMP/gh-gate.sh"
sed -i "s/\${{ steps.fp.outputs.id }}/$FP/g" "$T_TMP/gh-gate.sh"
mkdir "$T_TMP/gh" && cd "$T_TMP/gh" || exit 1
GITHUB_OUTPUT=$T_TMP/gh/output bash -e "$T_TMP/gh-fp.sh"
grep -qx "id=$FP" "$T_TMP/gh/output"
ok $? "github: the fingerprint step outputs id=$FP"
for round in 1 2; do
	: >"$T_TMP/gh/summary"
	GITHUB_STEP_SUMMARY=$T_TMP/gh/summary bash -e "$T_TMP/gh-gate.sh" >"$T_TMP/gh/out$round" 2>&1
	rc=$?
	is_rc 0 "github: gate step, run $round, exits 0"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$T_TMP/gh/out$round" | tail -n 15
done
[ -d "baselines/$FP" ]
ok $? "github: run 1 seeded baselines/$FP"
[ "$(find "baselines/$FP" -maxdepth 1 -name '*.json' | wc -l)" -eq 2 ]
ok $? "github: run 2 passed and appended its run (--save-on-pass): 2 runs"
python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert d.getElementsByTagName("testcase")' locus-junit.xml
ok $? "github: run 2 wrote JUnit XML with test cases"
grep -q '|' "$T_TMP/gh/summary"
ok $? "github: run 2 put the Markdown table into the job summary"
cd "$T_TMP" || exit 1

# ---- GitLab CI
L=$CI/gitlab-ci.yml
yaml_check "$L" "'locus-gate' in y and isinstance(y['locus-gate']['script'], list)" "gitlab: parses, has the locus-gate job"
yaml_check "$L" "y['locus-gate']['artifacts']['reports']['junit'] == 'locus-junit.xml'" "gitlab: JUnit is a report of the job"
yaml_check "$L" "'baselines/' in y['locus-gate']['cache']['paths'] and 'CI_RUNNER_ID' in y['locus-gate']['cache']['key']" \
	"gitlab: the baseline store is cached per runner"
yaml_check "$L" "'locus-summary.md' in y['locus-gate']['artifacts']['paths']" "gitlab: the Markdown summary is kept"
extract "$L" "y['locus-gate']['script']" "$T_TMP/gl-gate.sh"
mkdir "$T_TMP/gl" && cd "$T_TMP/gl" || exit 1
for round in 1 2; do
	bash -e "$T_TMP/gl-gate.sh" >"$T_TMP/gl/out$round" 2>&1
	rc=$?
	is_rc 0 "gitlab: script, run $round, exits 0"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$T_TMP/gl/out$round" | tail -n 15
done
[ "$(find "baselines/$FP" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)" -eq 2 ]
ok $? "gitlab: seeded on run 1, appended on run 2"
[ -s locus-junit.xml ] && [ -s locus-summary.md ]
ok $? "gitlab: JUnit and Markdown written"
cd "$T_TMP" || exit 1

done_testing
