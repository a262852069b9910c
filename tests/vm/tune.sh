# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/vm/tune.sh — `locus tune` on a real kernel, in a 2-node QEMU guest (sourced by
# tests/vm/run, which provides ok, skip, $GUEST, $LOCUS_BIN and $TMP; it adds its TAP
# points to run's numbering).
#
# Host tests only ever use --sysroot fixture trees; here locus writes the guest's real
# /proc/sys and /sys: swappiness, the overcommit pair (the kernel zeroes one when the
# other is written), THP, huge-page pools per node (a request larger than the node's
# memory is partly satisfied: rolled back, or kept with --allow-partial), revert to the
# originals, SIGKILL after every possible number of writes of an apply followed by
# `locus tune recover`, and `locus tune ab` with overcommit_memory 2 around the overcommit
# bench (its A.json/B.json are checked here on the host).  The guest (busybox, no python) prints "T STATUS DESCRIPTION"
# lines into tune.txt, which come back with --fetch and become TAP points here.

tune_guest_script() {
	cat <<'EOF'
cd /tmp
: >tune.txt
t() { echo "T $1 $2" >>tune.txt; }
HP=/sys/devices/system/node
FILES="/proc/sys/vm/swappiness /proc/sys/vm/overcommit_memory /proc/sys/vm/overcommit_ratio /proc/sys/vm/overcommit_kbytes /proc/sys/kernel/numa_balancing /proc/sys/vm/dirty_ratio /proc/sys/vm/dirty_background_ratio /proc/sys/vm/watermark_scale_factor /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag $HP/node0/hugepages/hugepages-2048kB/nr_hugepages $HP/node1/hugepages/hugepages-2048kB/nr_hugepages /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
snap() { for f in $FILES; do echo "$f=$(cat $f)"; done; }
v() { cat "$1"; }
orig=$(snap)

locus tune set vm.swappiness=13 vm.overcommit_memory=1 thp.enabled=always hugepages.2M@node0=4 hugepages.2M@node1=6 >set.out 2>set.err
t $? "set swappiness, overcommit_memory, THP, hugepages per node: exit 0"
[ "$(v /proc/sys/vm/swappiness)" = 13 ] && [ "$(v /proc/sys/vm/overcommit_memory)" = 1 ] &&
  grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled &&
  [ "$(v $HP/node0/hugepages/hugepages-2048kB/nr_hugepages)" = 4 ] &&
  [ "$(v $HP/node1/hugepages/hugepages-2048kB/nr_hugepages)" = 6 ]
t $? "the kernel holds the values (node 0: 4, node 1: 6 huge pages)"
[ -s /run/locus/journal ]
t $? "journal written at /run/locus/journal"
locus tune verify >verify.out 2>&1
t $? "verify: exit 0"
locus tune revert >revert.out 2>&1
t $? "revert: exit 0"
[ "$(snap)" = "$orig" ]
t $? "revert restored every original"

locus tune set vm.overcommit_kbytes=123456 >pair.out 2>&1 && [ "$(v /proc/sys/vm/overcommit_ratio)" = 0 ]
t $? "writing overcommit_kbytes: the kernel zeroes overcommit_ratio"
locus tune revert >>pair.out 2>&1 && [ "$(snap)" = "$orig" ]
t $? "revert restores the overcommit pair (ratio back, kbytes 0)"

locus tune set hugepages.2M@node1=100000 >partial.out 2>partial.err
rc=$?
[ $rc = 1 ] && grep -q 'the kernel gave' partial.err && [ "$(snap)" = "$orig" ]
t $? "100000 huge pages on node 1: partly satisfied, exit 1, rolled back (exit $rc)"
locus tune set hugepages.2M@node1=100000 --allow-partial >partial2.out 2>partial2.err
rc=$?
got=$(v $HP/node1/hugepages/hugepages-2048kB/nr_hugepages)
[ $rc = 0 ] && [ "$got" -gt 0 ] && [ "$got" -lt 100000 ] && grep -q warning partial2.err
t $? "--allow-partial keeps what the kernel gave ($got pages, exit $rc)"
locus tune revert >/dev/null 2>&1 && [ "$(snap)" = "$orig" ]
t $? "revert empties the pool again"

printf '[tunables]\nvm.swappiness = 7\nvm.overcommit_ratio = 77\nthp.enabled = always\nthp.defrag = defer\nvm.dirty_ratio = 33\nvm.dirty_background_ratio = 4\nvm.watermark_scale_factor = 55\nhugepages.2M@node0 = 2\nhugepages.2M@node1 = 3\n' >many.conf
n=$(locus tune diff /tmp/many.conf | grep -c -- ' -> ')
fails=""
k=1
while [ $k -le $n ]; do
  LOCUS_TUNE_TEST_KILL_AFTER=$k locus tune apply /tmp/many.conf >kill$k.out 2>&1
  krc=$?
  locus tune apply /tmp/many.conf >refuse$k.out 2>&1
  rrc=$?
  locus tune recover >recover$k.out 2>&1
  crc=$?
  if [ $krc != 137 ] || [ $rrc = 0 ] || [ $crc != 0 ] || [ "$(snap)" != "$orig" ]; then
    fails="$fails $k(kill=$krc,refuse=$rrc,recover=$crc)"
  fi
  k=$((k + 1))
done
[ "$n" -ge 8 ] && [ -z "$fails" ]
t $? "SIGKILL after each of $n writes: apply refused until recover, recover restores all originals${fails:+ - failed:$fails}"

# Switching profiles on a real kernel: p2 while p1 is active restores p1's other values.
printf '[tunables]\nvm.swappiness = 7\nvm.watermark_scale_factor = 55\nthp.enabled = always\n' >p1.conf
printf '[profile]\ndescription = second\n[tunables]\nvm.swappiness = 9\nvm.dirty_ratio = 33\n' >p2.conf
wsf=$(v /proc/sys/vm/watermark_scale_factor); thp0=$(v /sys/kernel/mm/transparent_hugepage/enabled)
locus tune apply /tmp/p1.conf >sw1.out 2>&1 && locus tune apply /tmp/p2.conf >sw2.out 2>&1 &&
  [ "$(v /proc/sys/vm/swappiness)" = 9 ] && [ "$(v /proc/sys/vm/dirty_ratio)" = 33 ] &&
  [ "$(v /proc/sys/vm/watermark_scale_factor)" = "$wsf" ] &&
  [ "$(v /sys/kernel/mm/transparent_hugepage/enabled)" = "$thp0" ]
t $? "switch p1 -> p2 on the real kernel: p2's values, p1's others restored"
locus tune active >active.out 2>&1 && grep -q '^p2 ' active.out
t $? "tune active says p2"
locus tune off >off.out 2>&1 && [ "$(snap)" = "$orig" ]
t $? "tune off: every original back"
# tune ab: overcommit_memory 0 (A) vs 2 (B) around the overcommit bench; A.json and
# B.json are checked on the host (shape and settings only, never timings).
printf '[tunables]\nvm.overcommit_memory = 2\n' >/tmp/oc2.conf
oc0=$(v /proc/sys/vm/overcommit_memory)
locus tune ab --profile /tmp/oc2.conf --rounds 1 -o /tmp/ocab -- bench overcommit --reps 1 --warmup 0 --upper-bound 64G >ocab.out 2>&1
t $? "tune ab --profile (overcommit_memory 2) -- bench overcommit: exit 0"
[ "$oc0" = 0 ] && [ "$(v /proc/sys/vm/overcommit_memory)" = 0 ] && [ "$(snap)" = "$orig" ]
t $? "after tune ab the guest's overcommit_memory is 0 again (was $oc0), everything else as before"
locus tune status >status.out 2>&1 && grep -q 'no changes' status.out
t $? "status after all that: nothing in effect"
EOF
}

tune_vm_tests() {
	local d=$TMP/tune
	mkdir -p "$d"
	"$GUEST" --layout sym2 --locus "$LOCUS_BIN" --timeout 300 \
		--fetch "/tmp/tune.txt:$d/tune.txt" --fetch "/tmp/ocab/A.json:$d/A.json" \
		--fetch "/tmp/ocab/B.json:$d/B.json" \
		-- "$(tune_guest_script)" >"$d/guest.out" 2>"$d/guest.err"
	local grc=$?
	if [ $grc = 3 ]; then
		skip "tune: real writes and crash recovery in the guest" "cannot run a QEMU guest"
		return 0
	fi
	if [ ! -s "$d/tune.txt" ]; then
		ok 1 "tune: guest ran the tune tests (scripts/numa-guest exit $grc)" \
			"$(tail -n 20 "$d/guest.err")" "$(tail -n 20 "$d/guest.out")"
		return 0
	fi
	local s desc
	while read -r _ s desc; do
		ok "$s" "tune (guest): $desc" "$(tail -n 30 "$d/guest.out")"
	done <"$d/tune.txt"
	[ "$(grep -c '^T ' "$d/tune.txt")" -ge 15 ]
	ok $? "tune (guest): every guest check reported ($(grep -c '^T ' "$d/tune.txt") of 15)" \
		"$(tail -n 30 "$d/guest.out")"
	tune_ab_overcommit_checks "$d"
}

# The overcommit A/B's results: B really ran under mode 2 and A under 0, the figures
# moved as the kernel's rules say, and the before/after report pairs them by the
# setting label (lib/result.h) with the change in the row.
tune_ab_overcommit_checks() {
	local d=$1 msg
	if [ ! -s "$d/A.json" ] || [ ! -s "$d/B.json" ]; then
		ok 1 "tune ab overcommit: A.json and B.json came back from the guest" "$(grep -A5 'tune ab' "$d/guest.out" | tail -n 20)"
		return 0
	fi
	msg=$(python3 - "$d/A.json" "$d/B.json" <<'PY' 2>&1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def side(r):
    return {m["labels"]["kind"]: m for m in r["measurements"] if m["bench"] == "overcommit"}
sa, sb = side(a), side(b)
assert sorted(sa) == sorted(sb) == ["single", "total"], ("kinds", sorted(sa), sorted(sb))
for s, mode in ((sa, 0), (sb, 2)):
    for m in s.values():
        assert m["labels"]["mode"] == str(mode) and m["verified"]["overcommit_memory"] == mode, ("mode", m["labels"], mode)
        assert m["setting_labels"] == ["mode"], m.get("setting_labels")
assert "profile" in b["ab"] and b["ab"]["rounds"] == 1, b.get("ab")
ta, tb = sa["total"]["summary"]["median"], sb["total"]["summary"]["median"]
assert ta == 64 << 30 and sa["total"]["verified"]["hit_upper_bound"], ("A total", ta)
assert 0 < tb <= sb["total"]["verified"]["commit_limit_bytes"], ("B total", tb)
assert sb["single"]["summary"]["median"] < sa["single"]["summary"]["median"], "single"
print("A total %d, B total %d (CommitLimit %d)" % (ta, tb, sb["total"]["verified"]["commit_limit_bytes"]))
PY
)
	ok $? "tune ab overcommit: A under mode 0, B under mode 2 (labels, verified), setting_labels [mode]; the totals differ" "$msg"
	"$LOCUS_BIN" report --text --before "$d/A.json" --after "$d/B.json" >"$d/ab.txt" 2>"$d/ab.err" &&
		[ "$(sed -z 's/\n      //g' "$d/ab.txt" | grep -Ec '^  overcommit/bytes\{kind=[a-z]*,mode=2\} ?\(mode ?0 ?→ ?2\)( |$)')" = 2 ] &&
		! grep -q '^  only ' "$d/ab.txt"
	ok $? "tune ab overcommit: report --before A --after B pairs both kinds across the mode (mode 0 → 2)" \
		"$(sed -n '/^Before/,/^$/p' "$d/ab.txt")" "$(cat "$d/ab.err")"
}
tune_vm_tests
