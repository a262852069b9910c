#!/bin/bash
# SPDX-License-Identifier: MIT
# 48-no-numa.sh — the benches on a kernel without NUMA system calls, natively: under
# tests/no-numa (a seccomp filter) mbind, set_mempolicy, get_mempolicy, migrate_pages
# and move_pages fail with ENOSYS, as under qemu-user.  Each NUMA matrix bench skips
# every cell with the reason (ENOSYS in the result), the message names the policy in
# its own words, and `bench all` runs through them to its end.  Under qemu-user `bench all` once died
# with SIGSEGV at the start of numa-loaded: the bench's policy kept a label from an
# earlier stack frame, which mem_alloc printed when mbind failed (also caught,
# deterministically, by test-mem's numa_policy_node test).  Shape only, --reps 2.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
NN=$(dirname "$LOCUS")/tests/no-numa
[ -x "$NN" ] || skip_all "tests/no-numa is not built"
"$NN" true 2>"$err" || skip_all "tests/no-numa cannot install its seccomp filter here: $(head -n 1 "$err")"

FAST="--quick --reps 2 --warmup 0"
for b in numa-latency numa-bandwidth numa-loaded; do
	# shellcheck disable=SC2086  # $FAST is options, split on purpose
	run "$NN" "$LOCUS" bench "$b" $FAST -o "$T_TMP/$b.json"
	# numa-latency says 3 (skipped), the other two 0 with every cell skipped: either,
	# never a crash or a failure.
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
	ok $? "$b without NUMA system calls: runs to its end (exit $rc: 0 or 3)"
	err_line '(bind|interleave) policy [0-9,-]+: cannot apply the policy to [0-9.]+[KMG]: mbind: Function not implemented' \
		"$b: mbind's ENOSYS named with the policy's own words"
	python3 - "$T_TMP/$b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["measurements"] == [], "nothing measured"
assert d["skipped"] and all("Function not implemented" in s["reason"] for s in d["skipped"]), d["skipped"]
PY
	ok $? "$b: the result says why each cell was skipped (ENOSYS)"
done

# shellcheck disable=SC2086  # $FAST is options, split on purpose
run "$NN" "$LOCUS" bench all $FAST -o "$T_TMP/all.json"
is_rc 0 "bench all without NUMA system calls: runs to its end, exit 0"
python3 - "$T_TMP/all.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
numa = {"numa-latency", "numa-bandwidth", "numa-loaded"}
measured = {m["bench"] for m in d["measurements"]}
skipped = {s["bench"] for s in d["skipped"]}
assert numa <= skipped and not (numa & measured), (measured, skipped)
assert {"latency", "bandwidth", "branch"} <= measured, measured
PY
ok $? "bench all: the NUMA benches skipped with their reasons, the others measured"

done_testing
