#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/60-tune.sh — `locus tune` on sysroot fixture trees: show, set, apply,
# diff, status, verify, revert, recover, the overcommit pair, per-node huge-page pools,
# rollback on a failed write, and SIGKILL at randomized points of an apply followed by
# recover.  Every locus command here runs with --sysroot on a temporary copy of
# tests/fixtures/sysroot/tune*: never against the host's real /proc/sys or /sys.
. "$(dirname "$0")/lib.sh"

unset LOCUS_STATE_DIR LOCUS_TUNE_TEST_KILL_AFTER LOCUS_TUNE_TEST_FAIL_AT
: "${LOCUS_PROFILES_DIR:=$top_srcdir/tune/profiles}"
export LOCUS_PROFILES_DIR
FX=$FIXTURES/sysroot/tune
[ -d "$FX" ] || skip_all "fixture $FX missing"

R=
fresh() { # a new copy of the fixture tree in $R
	R=$(mktemp -d "$T_TMP/root.XXXXXX")
	cp -r "$FX/." "$R/"
}
# All tune commands go through here: --sysroot is always given.
tl() { run "$LOCUS" --sysroot "$R" tune "$@"; }
val() { tr -d '\n' <"$R/$1"; }
# Every tunable's file content (trimmed), to compare whole states.
snap() { (cd "$R" && find proc sys -type f | sort | while read -r f; do printf '%s=%s\n' "$f" "$(tr -d '\n' <"$f")"; done); }
SW=proc/sys/vm/swappiness
THP=sys/kernel/mm/transparent_hugepage/enabled

# ---------------------------------------------------------------- show
fresh
tl show
is_rc 0 "show: exit 0"
has_out '^vm\.swappiness +33 +0\.\.200' "show: vm.swappiness 33, range 0..200 on 6.1"
has_out '^thp\.enabled +madvise +always\|madvise\|never' "show: THP value read from the [madvise] brackets"
has_out '^hugepages\.2M@node1 ' "show: per-node pool hugepages.2M@node1 listed"
w=$(python3 -c 'import sys; [print(len(l), l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]' "$out")
[ -z "$w" ]; ok $? "show: descriptions wrapped to 80 columns${w:+: $w}"
has_out '^    relative weight of reclaiming anonymous memory' "show: a description under its tunable, indented"
tl show --json
is_rc 0 "show --json: exit 0"
json_check '[x for x in d if x["name"] == "vm.swappiness"][0]["max"] == 200 and [x for x in d if x["name"] == "thp.defrag"][0]["value"] == "defer+madvise"' \
	"show --json: swappiness max 200, thp.defrag value"
json_check 'all(x["description"] for x in d) and [x for x in d if x["name"] == "hugepages.2M@node0"][0]["node"] == 0' \
	"show --json: every tunable has a description; per-node entries carry the node"
tl show vm.swapiness
is_rc 2 "show with a misspelt name: exit 2"
one_line_err "vm\.swapiness.*closest: vm\.swappiness" "misspelt name: the closest name is suggested"
tl show hugepages.2M@nodeX
is_rc 2 "bad node suffix: exit 2"

# swappiness range follows the kernel release: 0..100 before 5.8.
OLD=$(mktemp -d "$T_TMP/old.XXXXXX"); cp -r "$FIXTURES/sysroot/tune-old/." "$OLD/"
run "$LOCUS" --sysroot "$OLD" tune set vm.swappiness=150
is_rc 2 "5.4 kernel: vm.swappiness=150 refused"
one_line_err "150 is out of range 0\.\.100" "5.4 kernel: the range is 0..100"
[ "$(tr -d '\n' <"$OLD/$SW")" = 60 ]; ok $? "5.4 kernel: nothing written"

# ---------------------------------------------------------------- set: validation
fresh
tl set vm.swappiness=10 vm.dirty_ratio=250
is_rc 2 "set with one value out of range: exit 2"
one_line_err "vm\.dirty_ratio: 250 is out of range 0\.\.100" "out of range: the range is named"
[ "$(val $SW)" = 33 ] && [ ! -e "$R/run/locus/journal" ]
ok $? "nothing written (not even the valid one), no journal"
tl set thp.enabled=sometimes
is_rc 2 "THP: a word not offered by the kernel: exit 2"
one_line_err "allowed always\|madvise\|never" "THP: the choices are named"
tl set vm.swappiness=ten
is_rc 2 "not an integer: exit 2"
tl set vm.nosuch=1
is_rc 2 "unknown tunable: exit 2"
tl set vm.swappiness
is_rc 2 "NAME without =VALUE: exit 2"

# ---------------------------------------------------------------- dry run and diff
tl set vm.swappiness=10 thp.enabled=always --dry-run
is_rc 0 "set --dry-run: exit 0"
has_out 'vm\.swappiness +33 -> 10' "--dry-run shows the change"
[ "$(val $SW)" = 33 ] && [ ! -e "$R/run/locus/journal" ]
ok $? "--dry-run: nothing written, no journal"
before=$(snap)
tl diff latency
is_rc 0 "diff latency: exit 0"
has_out 'kernel\.numa_balancing +1 -> 0' "diff shows what would change"
[ "$before" = "$(snap)" ]; ok $? "diff writes nothing"

# ---------------------------------------------------------------- set, status, verify, revert
tl set vm.swappiness=10 thp.enabled=always hugepages.2M@node1=8
is_rc 0 "set three values: exit 0"
[ "$(val $SW)" = 10 ] && [ "$(val $THP)" = "[always] madvise never" ] &&
	[ "$(val sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages)" = 8 ]
ok $? "written: swappiness 10, THP bracket syntax kept, node 1 pool 8"
[ -s "$R/run/locus/journal" ]; ok $? "journal under the sysroot: run/locus/journal"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["transactions"][0]; sys.exit(not (t["state"]=="applied" and [c["original"] for c in t["changes"]]==["33","madvise","0"]))' \
	"$R/run/locus/journal"
ok $? "journal: state applied, the originals recorded"
tl status
is_rc 0 "status: exit 0"
has_out 'vm\.swappiness +33 -> 10' "status lists what locus changed"
tl verify
is_rc 0 "verify: values hold, exit 0"
echo 99 >"$R/$SW" # someone else changes it
tl verify
is_rc 5 "verify after an outside change: exit 5"
has_out 'CHANGED +vm\.swappiness +99' "verify names the changed value"
tl revert
is_rc 0 "revert: exit 0"
has_err 'vm\.swappiness.*changed by someone else' "revert warns about the outside change"
[ "$(val $SW)" = 99 ] && [ "$(val $THP)" = "always [madvise] never" ] &&
	[ "$(val sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages)" = 0 ]
ok $? "revert: the admin's value left, the others restored"
tl status
has_out 'no changes by locus' "status after revert: nothing in effect"

fresh
tl set vm.swappiness=10
echo 99 >"$R/$SW"
tl revert --force
[ "$rc" = 0 ] && [ "$(val $SW)" = 33 ]; ok $? "revert --force restores over an outside change"

# ---------------------------------------------------------------- the overcommit pair
fresh
tl set vm.overcommit_kbytes=1000
is_rc 0 "set vm.overcommit_kbytes: exit 0"
[ "$(val proc/sys/vm/overcommit_ratio)" = 0 ]; ok $? "writing kbytes zeroes ratio (as the kernel does)"
tl revert
[ "$(val proc/sys/vm/overcommit_ratio)" = 75 ] && [ "$(val proc/sys/vm/overcommit_kbytes)" = 0 ]
ok $? "revert: ratio 75 and kbytes 0 again"
fresh
echo 0 >"$R/proc/sys/vm/overcommit_ratio"; echo 2000 >"$R/proc/sys/vm/overcommit_kbytes"
tl set vm.overcommit_ratio=60
[ "$rc" = 0 ] && [ "$(val proc/sys/vm/overcommit_kbytes)" = 0 ]; ok $? "writing ratio zeroes kbytes"
tl revert
[ "$(val proc/sys/vm/overcommit_ratio)" = 0 ] && [ "$(val proc/sys/vm/overcommit_kbytes)" = 2000 ]
ok $? "revert: kbytes 2000 restored, ratio 0 (not clobbered by restoring ratio=0)"
tl set vm.overcommit_ratio=60 vm.overcommit_kbytes=5
is_rc 2 "both of the pair nonzero at once: exit 2"

# ---------------------------------------------------------------- rollback
fresh
before=$(snap)
LOCUS_TUNE_TEST_FAIL_AT=3 tl apply defaults
is_rc 1 "a failed 3rd write: exit 1"
has_err 'rolled back' "the failure says the writes were rolled back"
[ "$before" = "$(snap)" ]; ok $? "all or nothing: writes 1..2 rolled back"
tl status
has_out 'no changes by locus' "a rolled-back transaction is not in effect"

# Byte for byte: an apply and its revert leave every file as it was,
# final newline included; a failed first write rewrites no file at all.
for p in defaults latency; do
	fresh
	tl apply $p
	tl revert
	diff -r -x run "$FX" "$R" >"$T_TMP/diff" 2>&1
	ok $? "apply $p; revert: diff -r finds the tree identical to the fixture"
done
fresh
find "$R/proc" "$R/sys" -type f -exec touch -d '2001-01-01 00:00' {} +
LOCUS_TUNE_TEST_FAIL_AT=1 tl apply defaults
[ "$rc" = 1 ] && [ -z "$(find "$R/proc" "$R/sys" -type f -newermt '2001-01-02')" ] &&
	diff -r -x run "$FX" "$R" >/dev/null
ok $? "a failed first write: rolled back without rewriting any file"

# ---------------------------------------------------------------- profiles
for p in defaults throughput latency hpc-numa database; do
	fresh
	before=$(snap)
	tl apply $p
	s1=$rc
	tl verify
	s2=$rc
	tl revert --all
	[ $s1 = 0 ] && [ $s2 = 0 ] && [ $rc = 0 ] && [ "$before" = "$(snap)" ]
	ok $? "profile $p: apply, verify, revert --all restores every original"
done
fresh
tl set vm.swappiness=5
tl set thp.enabled=never
tl apply hpc-numa
tl revert --to 1
[ "$rc" = 0 ]; ok $? "revert --to 1: exit 0"
tl status --json
json_check '[t["id"] for t in d] == [1]' "revert --to 1: only transaction 1 still in effect"
tl revert --to 7
is_rc 2 "revert --to an unknown id: exit 2"
tl apply nosuchprofile
is_rc 2 "unknown profile: exit 2"

bad() { # CONTENT REGEX DESC
	printf '%b' "$1" >"$T_TMP/bad.conf"
	tl apply "$T_TMP/bad.conf"
	[ "$rc" = 2 ] && grep -Eq -- "bad\.conf:$2" "$err"
	ok $? "malformed profile ($3): exit 2 naming file and line"
}
fresh
before=$(snap)
bad '[tunables]\nvm.swappiness = 10\nthis line\n' '3: expected NAME = VALUE' "no ="
bad '[tunables]\nvm.swapiness = 10\n' '2: unknown tunable.*vm\.swappiness' "unknown tunable, suggestion"
bad '# c\n[tunables]\nvm.swappiness = 1000\n' '3: vm\.swappiness: 1000 is out of range' "out of range"
bad 'vm.swappiness = 1\n' "1: .*outside a section" "outside a section"
bad '[nonsense]\n' "1: unknown section" "unknown section"
bad '[tunables]\nvm.swappiness = 1\nvm.swappiness = 2\n' "3: vm\.swappiness set twice" "duplicate"
bad '[tunables\n' "1: malformed section" "bad header"
[ "$before" = "$(snap)" ]; ok $? "malformed profiles: nothing written"

# ---------------------------------------------------------------- SIGKILL during apply
# Kill after each possible number of writes of the defaults profile (in a random
# order): the journal is on disk before the first write, so every point is covered.
fresh
tl diff defaults
nchg=$(grep -c -- ' -> ' "$out")
for k in $(seq 1 "$nchg" | shuf); do
	fresh
	before=$(snap)
	LOCUS_TUNE_TEST_KILL_AFTER=$k tl apply defaults
	s1=$rc
	tl status
	grep -q INTERRUPTED "$out"
	s2=$?
	tl apply latency
	s3=$rc
	grep -q 'tune recover' "$err"
	s4=$?
	tl recover
	s5=$rc
	tl verify
	[ $s1 = 137 ] && [ $s2 = 0 ] && [ $s3 != 0 ] && [ $s4 = 0 ] && [ $s5 = 0 ] && [ $rc = 0 ] &&
		[ "$before" = "$(snap)" ]
	ok $? "SIGKILL after write $k of $nchg: apply refused until recover; recover restores every original"
done
tl apply latency
is_rc 0 "after recover, apply works again"
tl recover
has_out 'nothing to recover' "recover with nothing interrupted: says so"

# ---------------------------------------------------------------- the writer lock
# Two applies at once on one state directory: one takes the lock, the other is refused
# (exit 2, naming the holder) before reading or writing anything.  Before the lock,
# 3 of 28 trials left a value changed after `revert --all`.
bad=0 refused=0
for _ in $(seq 1 12); do
	fresh
	before=$(snap)
	"$LOCUS" --sysroot "$R" tune apply latency >/dev/null 2>"$T_TMP/e1" & p1=$!
	"$LOCUS" --sysroot "$R" tune apply throughput >/dev/null 2>"$T_TMP/e2" & p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?
	{ [ $r1 = 2 ] || [ $r2 = 2 ]; } && refused=$((refused + 1))
	[ $r1 = 2 ] && ! grep -q 'held by pid [0-9]* (locus tune apply ' "$T_TMP/e1" && bad=$((bad + 1))
	[ $r2 = 2 ] && ! grep -q 'held by pid [0-9]* (locus tune apply ' "$T_TMP/e2" && bad=$((bad + 1))
	"$LOCUS" --sysroot "$R" tune revert --all >/dev/null 2>&1
	[ "$before" = "$(snap)" ] || { bad=$((bad + 1)); diff <(echo "$before") <(snap) | sed "s/^/# /"; }
	grep -q '"applying"' "$R/run/locus/journal" 2>/dev/null && bad=$((bad + 1))
done
echo "# bad=$bad"; [ $bad = 0 ]; ok $? "12 trials of two concurrent applies: every value restored by revert --all, no applying journal, refusals name the holder ($refused refused)"
if command -v flock >/dev/null; then
	fresh
	mkdir -p "$R/run/locus"
	printf 'pid 4242 (locus tune ab --profile latency)\n' >"$R/run/locus/lock"
	before=$(snap)
	for cmd in "apply latency" "set vm.swappiness=1" "revert" "revert --all" "recover"; do
		# shellcheck disable=SC2086  # $cmd is a subcommand and its arguments, split on purpose
		run flock "$R/run/locus/lock" "$LOCUS" --sysroot "$R" tune $cmd
		[ "$rc" = 2 ] && [ "$(wc -l <"$err")" = 1 ] &&
			grep -q "run/locus/lock: held by pid 4242 (locus tune ab --profile latency)" "$err"
		ok $? "tune $cmd while another holds the lock: exit 2, one line naming the holder"
	done
	[ "$before" = "$(snap)" ] && [ ! -e "$R/run/locus/journal" ]; ok $? "lock held: nothing written"
	run flock "$R/run/locus/lock" "$LOCUS" --sysroot "$R" tune status
	is_rc 0 "status (read-only) works while the lock is held"
	run flock "$R/run/locus/lock" "$LOCUS" --sysroot "$R" tune apply latency --dry-run
	is_rc 0 "apply --dry-run works while the lock is held"
else
	echo "ok $((T_N += 1)) # SKIP flock(1) not installed"
fi

# ---------------------------------------------------------------- state dir override
fresh
LOCUS_STATE_DIR=$T_TMP/state tl set vm.swappiness=5
[ "$rc" = 0 ] && [ -s "$T_TMP/state/journal" ] && [ ! -e "$R/run/locus/journal" ]
ok $? "LOCUS_STATE_DIR overrides the journal location"
tl --state-dir "$T_TMP/state" revert
[ "$rc" = 0 ] && [ "$(val $SW)" = 33 ]; ok $? "--state-dir DIR: revert from that journal"

# ---------------------------------------------------------------- non-root
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	fresh
	chmod -R a+rX "$R" "$T_TMP"
	before=$(snap)
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$LOCUS" --sysroot "$R" tune set vm.swappiness=10
	is_rc 1 "non-root set: exit 1"
	one_line_err "writing needs root" "non-root: the message says writing needs root"
	[ "$before" = "$(snap)" ] && [ ! -e "$R/run/locus/journal" ]; ok $? "non-root: nothing changed"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$LOCUS" --sysroot "$R" tune set vm.swappiness=10 --dry-run
	is_rc 0 "non-root --dry-run works"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$LOCUS" --sysroot "$R" tune show
	is_rc 0 "non-root show works"
	run "$LOCUS" --sysroot "$R" tune set vm.swappiness=10
	before=$(snap)
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$LOCUS" --sysroot "$R" tune revert
	is_rc 1 "non-root revert: exit 1"
	has_err "$R/$SW: writing needs root" "non-root revert: names the file"
	[ "$before" = "$(snap)" ]; ok $? "non-root revert: nothing changed"
	tl status
	has_out 'vm\.swappiness +33 -> 10' "non-root revert: the transaction is still in effect"
else
	echo "# non-root checks skipped (need root and setpriv to drop to nobody)"
fi

done_testing
