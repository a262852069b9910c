#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/fleet/ansible.sh — contrib/ansible/locus-fleet.yml with the real ansible-playbook
# against three inventory hosts on this machine (ansible_connection=local, measured one
# at a time): a quick bench on each, results fetched under the inventory names, the
# fleet report written on the controller, private directories removed, bench arguments
# passed as an argv list (a shell metacharacter stays inert), a failing bench fails
# that host with its status.  TAP; skipped with the reason without ansible-playbook
# (scripts/test installs ansible).
#
#   LOCUS=build/locus tests/fleet/ansible.sh
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

command -v ansible-playbook >/dev/null 2>&1 || skip_all "ansible-playbook not installed (Debian: apt-get install ansible)"
command -v python3 >/dev/null || skip_all "python3 not installed"
PLAY=$top_srcdir/contrib/ansible/locus-fleet.yml
export LC_ALL=C.UTF-8   # ansible refuses any other locale encoding
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP=$T_TMP/ansible-local \
	ANSIBLE_REMOTE_TEMP=$T_TMP/ansible-remote ANSIBLE_HOST_KEY_CHECKING=0
cat >"$T_TMP/inventory" <<INV
[fleet]
host1 ansible_connection=local ansible_python_interpreter=$(command -v python3)
host2 ansible_connection=local ansible_python_interpreter=$(command -v python3)
host3 ansible_connection=local ansible_python_interpreter=$(command -v python3)
INV

run ansible-playbook -i "$T_TMP/inventory" --syntax-check "$PLAY"
is_rc 0 "the playbook passes ansible-playbook --syntax-check"

before=$(find /tmp -maxdepth 1 -name 'locus-fleet.*' | wc -l)
run ansible-playbook -i "$T_TMP/inventory" "$PLAY" -e locus_serial=1 \
	-e "locus_bin=$LOCUS" -e "locus_controller_bin=$LOCUS" \
	-e "locus_results_dir=$T_TMP/results" -e "locus_report_dir=$T_TMP/report" \
	-e '{"locus_bench_args": ["malloc", "--quick"]}'
is_rc 0 "ansible-playbook: three hosts measured and reported, exit 0"
[ "$rc" -eq 0 ] || tail -n 30 "$out" | sed 's/^/#   /'
[ -f "$T_TMP/results/host1.json" ] && [ -f "$T_TMP/results/host2.json" ] && [ -f "$T_TMP/results/host3.json" ]
ok $? "results fetched as host1.json, host2.json, host3.json"
python3 - "$T_TMP/report/fleet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(h["name"] for h in d["hosts"])
sys.exit(0 if d["hosts_compared"] == 3 and names == ["host1.json", "host2.json", "host3.json"] else 1)
PY
ok $? "the controller's report is a fleet report of the three hosts"
grep -q 'Fleet' "$out"
ok $? "the play shows the fleet headline"
after=$(find /tmp -maxdepth 1 -name 'locus-fleet.*' | wc -l)
[ "$after" -eq "$before" ]
ok $? "the hosts' private directories are removed"

# Arguments travel as argv: a bench argument with a shell metacharacter is one argument
# to locus (which refuses it as an unknown bench), never a command.
run ansible-playbook -i "$T_TMP/inventory" "$PLAY" -e locus_serial=1 \
	-e "locus_bin=$LOCUS" -e "locus_controller_bin=$LOCUS" \
	-e "locus_results_dir=$T_TMP/results2" -e "locus_report_dir=$T_TMP/report2" \
	-e "{\"locus_bench_args\": [\"malloc; touch $T_TMP/pwned\", \"--quick\"]}"
[ "$rc" -ne 0 ] && [ ! -e "$T_TMP/pwned" ]
ok $? "a ';' in a bench argument stays inert, and the failing bench fails the play"
grep -q '"rc": 2' "$out"
ok $? "the failure shows locus's exit status 2 (bad usage)"

done_testing
