# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/vm/reclaim.sh — `locus bench reclaim` for real, in a 1-node QEMU guest (sourced
# by tests/vm/run, which provides ok, skip, check (python3 checks of a guest output
# directory), $GUEST, $LOCUS_BIN and $TMP).
#
# The host can only test the skip path (its memory controller is on cgroup v1, and
# host tests never create swap or cgroups).  The guest has cgroup2 mounted by its /init,
# zram and brd loaded (--modules), and a RAM disk with ext2 at /mnt/disk (--disk): a
# real file system whose page cache can be reclaimed, unlike the ramfs root.  Checked:
# the bench runs with zram (auto) and with a swap file, records its labels and what
# swap it made, reclaims (swap-outs or file pages), and leaves nothing behind — no
# swap in /proc/swaps, no extra zram device, no cgroup, no file in /mnt/disk, the root's
# subtree_control as it was — also when SIGTERM arrives in the middle of a run.  Then
# one round of `locus tune ab` around the bench (the short form of `scripts/demo-tune-ab
# --demo swappiness --quick`): swappiness 10 set first with `locus tune set` (side A) vs a
# profile with 100 (side B); checked: each side's label, the report pairing them across
# the setting label, swappiness 10 again afterwards, nothing left behind.  Guest
# timings mean nothing (TCG): shapes and clean-up only (the swap-out counts are not
# asserted either: one sample each).

reclaim_guest_script() {
	cat <<'EOF'
mkdir -p /tmp/o && cd /tmp/o
r() { local n=$1; shift; date +%s >"$n.t0"; "$@" >"$n.out" 2>"$n.err"; echo $? >"$n.rc"; date +%s >"$n.t1"; }
state() {
  cat /proc/swaps >"$1.swaps"; ls /sys/block >"$1.block"; ls /sys/fs/cgroup >"$1.cgroups"
  ls -a /mnt/disk >"$1.disk"; cat /sys/fs/cgroup/cgroup.subtree_control >"$1.ctl"
}
cat /proc/sys/vm/swappiness >swappiness.txt
state before
Q="--quick --reps 1 --dir /mnt/disk"
r zram locus bench reclaim $Q -o zram.json
state zram
r file locus bench reclaim $Q --swap file -o file.json
state file
r ramfs locus bench reclaim $Q --dir /tmp
r bad locus bench reclaim $Q --swap none --file-fraction 0
# SIGTERM while the workload runs in its cgroup, with zram swap on.
locus bench reclaim --working-set 128M --reps 20 --passes 4 --dir /mnt/disk -o term.json >term.out 2>term.err &
p=$!
n=0
while [ $n -lt 900 ]; do
  # (kernfs files have size 0: test -s cannot see their content)
  for c in /sys/fs/cgroup/locus-reclaim.*; do [ -n "$(cat "$c/cgroup.procs" 2>/dev/null)" ] && break 2; done
  sleep 0.1; n=$((n + 1))
done
grep -c '^/dev/zram' /proc/swaps >term.swapon
ls -d /sys/fs/cgroup/locus-reclaim.* >term.cgroup 2>/dev/null
sleep 1
kill -TERM $p
wait $p
echo $? >term.rc
state term
# tune ab: swappiness 10 (A, set here; the guest is thrown away) vs 100 (B, a profile).
locus tune set vm.swappiness=10 >swset.out 2>&1
echo $? >swset.rc
printf '[tunables]\nvm.swappiness = 100\n' >/tmp/sw100.conf
r swab locus tune ab --profile /tmp/sw100.conf --rounds 1 -o /tmp/o/swab -- bench reclaim --reps 1 --warmup 0 --working-set 64M --limit 48M --file-fraction 0.5 --passes 2 --dir /mnt/disk
cat /proc/sys/vm/swappiness >swab.after
state swab
cat /proc/meminfo >meminfo.txt
cd /tmp && tar cf o.tar o
EOF
}

reclaim_boot() {
	local d=$TMP/reclaim
	mkdir -p "$d"
	"$GUEST" --nodes 1 --mem-per-node 768M --cgroup2 --modules zram,lzo-rle --disk 320M \
		--locus "$LOCUS_BIN" --timeout 240 \
		--fetch "/tmp/o.tar:$d/o.tar" -- "$(reclaim_guest_script)" >"$d/guest.out" 2>"$d/guest.err"
	echo $? >"$d/guest.rc"
	[ -s "$d/o.tar" ] && tar xf "$d/o.tar" -C "$d" 2>/dev/null
	return 0
}

# reclaim_clean NAME: the python check that the state saved as NAME.* in the guest
# shows nothing left behind — no swap, no extra block (zram) device, no cgroup, an empty
# /mnt/disk, the root's subtree_control as before.
reclaim_clean() {
	local n=$1
	echo "len(o('$n.swaps').splitlines()) == 1 and o('$n.block') == o('before.block') and 'locus-reclaim' not in o('$n.cgroups') and o('$n.disk').split() == ['.', '..', 'lost+found'] and o('$n.ctl') == o('before.ctl')"
}

reclaim_checks() {
	local d=$TMP/reclaim L=reclaim
	if [ "$(cat "$d/guest.rc" 2>/dev/null)" = 3 ]; then
		skip "reclaim: the bench for real in a guest" "cannot run a QEMU guest"
		return 0
	fi
	if [ ! -f "$d/o/zram.rc" ]; then
		ok 1 "reclaim: guest booted and ran the reclaim bench (scripts/numa-guest exit $(cat "$d/guest.rc"))" \
			"$(tail -n 20 "$d/guest.err" 2>/dev/null)" "$(tail -n 20 "$d/guest.out" 2>/dev/null)"
		return 0
	fi
	# ms(name, metric): that metric's measurements; tot(name, metric): its samples summed.
	local M="j('zram.json')['measurements']"
	check $L "zram (auto): exit 0" "rc('zram') == 0" zram
	check $L "zram: labels exactly swappiness (= vm.swappiness), working_set_bytes, limit_bytes" \
		"len($M) >= 7 and all(m['labels'] == {'swappiness': int(o('swappiness.txt')), 'working_set_bytes': 64 << 20, 'limit_bytes': 32 << 20} for m in $M)" zram
	check $L "zram: alloc/access p50/p99/max, major faults and the vmstat deltas recorded" \
		"{m['metric'] for m in $M} >= {'alloc_p50', 'alloc_p99', 'alloc_max', 'access_p50', 'access_p99', 'access_max', 'major_faults', 'pswpout', 'pswpin', 'pgsteal_anon', 'pgsteal_file', 'workingset_refault_anon', 'workingset_refault_file'}" zram
	check $L "zram: a zram device was created for the run, and the cgroup had memory.max = limit" \
		"all(m['verified']['swap']['kind'] == 'zram' and m['verified']['swap']['created'] is True and m['verified']['swap']['path'].startswith('/dev/zram') and m['verified']['cgroup']['memory_max'] == 32 << 20 for m in $M)" zram
	check $L "zram: the limit held (memory.peak <= memory.max) and allocations ran at the limit" \
		"all(0 < m['verified']['cgroup']['memory_peak'] <= 32 << 20 and m['verified']['alloc_chunks_at_limit_min'] > 0 for m in $M)" zram
	check $L "zram: reclaim happened (swap-outs + file pages stolen > 0) and major faults counted" \
		"sum(sum(m['samples']) for m in $M if m['metric'] in ('pswpout', 'pgsteal_file')) > 0 and sum(sum(m['samples']) for m in $M if m['metric'] == 'major_faults') > 0" zram
	check $L "zram: the data file was out of the page cache before the child read it" \
		"all(m['verified']['file_cached_before_max'] < 0.5 for m in $M)" zram
	check $L "zram: the result says the cgroup, swap and data file were removed" \
		"all(m['verified']['cleanup'] == {'cgroup_removed': True, 'swap_removed': True, 'file_removed': True} for m in $M)" zram
	check $L "zram: nothing left: /proc/swaps empty, no extra zram device, no cgroup, /mnt/disk empty, subtree_control as before" \
		"$(reclaim_clean zram)" zram
	check $L "--swap file: exit 0, a swap file was created in --dir and removed, nothing left" \
		"rc('file') == 0 and all(m['verified']['swap']['kind'] == 'file' and m['verified']['swap']['path'].startswith('/mnt/disk/') and m['verified']['cleanup']['swap_removed'] for m in j('file.json')['measurements']) and $(reclaim_clean file)" file
	check $L "--dir on the ramfs root: skipped (exit 3) naming the file system" \
		"rc('ramfs') == 3 and ('ramfs' in o('ramfs.err') or 'tmpfs' in o('ramfs.err'))" ramfs
	check $L "--swap none with all-anonymous working set above the limit: exit 2, one line" \
		"rc('bad') == 2 and o('bad.err').count('locus: ') == 1 and '75%' in o('bad.err')" bad
	check $L "SIGTERM during a run (zram swap on, child in the cgroup): killed by the signal (exit 143)" \
		"int(o('term.swapon')) >= 1 and 'locus-reclaim' in o('term.cgroup') and rc('term') == 143" term
	check $L "SIGTERM: everything given back: no swap, no zram device, no cgroup, no files, subtree_control as before" \
		"$(reclaim_clean term)" term
	reclaim_tune_ab_checks "$d"
}

# The swappiness A/B (one round): A ran under 10 and B under 100 (labels, setting_labels),
# the before/after report pairs every metric across the swappiness label, the guest's
# swappiness is 10 again and the bench left nothing behind.
reclaim_tune_ab_checks() {
	local d=$1 L=reclaim
	local A="j('swab/A.json')['measurements']" B="j('swab/B.json')['measurements']"
	check $L "tune ab swappiness: tune set vm.swappiness=10 and tune ab --profile (swappiness 100) -- bench reclaim: exit 0" \
		"o('swset.rc').strip() == '0' and rc('swab') == 0" swab
	check $L "tune ab swappiness: A's measurements labelled swappiness 10, B's 100, setting_labels [swappiness], one round" \
		"len($A) >= 7 and len($A) == len($B) and all(m['labels']['swappiness'] == 10 and m['setting_labels'] == ['swappiness'] for m in $A) and all(m['labels']['swappiness'] == 100 and m['setting_labels'] == ['swappiness'] for m in $B) and j('swab/B.json')['ab']['rounds'] == 1" swab
	check $L "tune ab swappiness: the guest's swappiness is 10 again afterwards, nothing left (swap, zram, cgroup, files)" \
		"o('swab.after').strip() == '10' and $(reclaim_clean swab)" swab
	local n s=1
	# A key longer than the line is broken after a ',' or a ' ' onto lines indented 6
	# (report/text.c): joined again before counting the pairs.
	if [ -s "$d/o/swab/A.json" ] && [ -s "$d/o/swab/B.json" ]; then
		n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["measurements"]))' "$d/o/swab/A.json" 2>/dev/null)
		if "$LOCUS_BIN" report --text --before "$d/o/swab/A.json" --after "$d/o/swab/B.json" >"$d/swab-report.txt" 2>"$d/swab-report.err" &&
			[ -n "$n" ] && [ "$(sed -z 's/\n      //g' "$d/swab-report.txt" | grep -Ec '^  reclaim/[a-z_0-9]*\{.*swappiness=100.*\} ?\(swappiness ?10 ?→ ?100\)( |$)')" = "$n" ] &&
			! grep -q '^  only ' "$d/swab-report.txt"; then
			s=0
		fi
		ok $s "reclaim: tune ab swappiness: report --before A --after B pairs all $n metrics across the label (swappiness 10 → 100)" \
			"$(sed -n '/^Before/,/^$/p' "$d/swab-report.txt")" "$(cat "$d/swab-report.err")"
	else
		ok 1 "reclaim: tune ab swappiness: A.json and B.json written in the guest" "$(tail -n 5 "$d/o/swab.err" 2>/dev/null)"
	fi
}
