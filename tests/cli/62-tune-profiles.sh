#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/62-tune-profiles.sh — profiles like tuned-adm: `tune apply P`
# while another profile is active switches in one transaction, `tune active`, `tune off`,
# `revert --force` for values left by an earlier revert, profiles found in
# $LOCUS_PROFILES_DIR besides the shipped ones, `include =`, did-you-mean; and the bad
# inputs for tune (one line naming the bad value, exit 2, nothing
# changed).  Every command runs with --sysroot on a temporary copy of
# tests/fixtures/sysroot/tune: never against the host's /proc/sys or /sys.
. "$(dirname "$0")/lib.sh"

unset LOCUS_STATE_DIR LOCUS_TUNE_TEST_KILL_AFTER LOCUS_TUNE_TEST_FAIL_AT
SHIPPED=$top_srcdir/tune/profiles
export LOCUS_PROFILES_DIR=$SHIPPED
FX=$FIXTURES/sysroot/tune
[ -d "$FX" ] || skip_all "fixture $FX missing"

R=
fresh() { R=$(mktemp -d "$T_TMP/root.XXXXXX"); cp -r "$FX/." "$R/"; }
tl() { run "$LOCUS" --sysroot "$R" tune "$@"; }
same_as() { diff -r -x run "$1" "$R" >"$T_TMP/diff" 2>&1; }
val() { tr -d '\n' <"$R/$1"; }
no_ctl() { ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$err"; }
one_err() { [ "$(wc -l <"$err")" = 1 ]; }
WSF=proc/sys/vm/watermark_scale_factor

# ---------------------------------------------------------------- switching profiles
fresh
tl apply latency
tl apply database
[ "$rc" = 0 ] && grep -q 'switching from profile latency' "$out" &&
	grep -Eq 'vm\.watermark_scale_factor +200 -> 150 \(restored\)' "$out"
ok $? "apply database while latency is active: switches, restoring latency's other values"
D=$(mktemp -d "$T_TMP/db.XXXXXX"); cp -r "$FX/." "$D/"
run "$LOCUS" --sysroot "$D" tune apply database
same_as "$D"; ok $? "latency then database leaves exactly database's values (diff -r with database alone)"
tl active
is_rc 0 "active: exit 0"
has_out '^database \(transaction 2' "active says database"
tl active --json
json_check 'd["profile"] == "database" and d["transaction"] == 2 and d["later_transactions"] == []' "active --json"
tl status --json
json_check '[t["id"] for t in d] == [2]' "status: one transaction in effect (latency's is replaced)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not [t["state"] for t in d["transactions"]] == ["replaced", "applied"])' "$R/run/locus/journal"
ok $? "journal: latency's transaction 'replaced', database's 'applied'"
tl revert
[ "$rc" = 0 ] && same_as "$FX"; ok $? "one revert after the switch: the tree as before both (diff -r)"
tl active
has_out '^no profile active' "active after the revert: none"

# A switch with an admin's change to a value of the old profile: left, and revertable.
fresh
tl apply latency
echo 300 >"$R/$WSF"
tl apply database
[ "$rc" = 0 ] && [ "$(val $WSF)" = 300 ] && grep -q 'vm.watermark_scale_factor: changed by someone else' "$err"
ok $? "switch: a value someone else changed is left as is, with a warning"
tl revert
[ "$(val $WSF)" = 300 ]; ok $? "revert leaves it"
tl revert --force
[ "$rc" = 0 ] && same_as "$FX"; ok $? "revert --force restores what was left (tree as the fixture)"

# A failed switch: nothing of the new profile, the originals from before the old one.
fresh
tl apply latency
LOCUS_TUNE_TEST_FAIL_AT=2 tl apply database
[ "$rc" = 1 ] && same_as "$FX" && grep -q 'neither profile is in effect' "$err"
ok $? "a failed switch rolls back to the values from before both profiles"
tl status
has_out 'no changes by locus' "after a failed switch: nothing in effect"

# SIGKILL in the middle of a switch: recover restores the state from before both.
fresh
tl apply latency
LOCUS_TUNE_TEST_KILL_AFTER=3 tl apply database
s1=$rc
tl recover
[ $s1 = 137 ] && [ "$rc" = 0 ] && same_as "$FX"
ok $? "SIGKILL during a switch: recover restores the values from before both profiles"

# ---------------------------------------------------------------- off, revert --force
fresh
tl apply latency
tl set vm.swappiness=5
tl off
[ "$rc" = 0 ] && same_as "$FX"; ok $? "off: every transaction reverted (tree as the fixture)"
tl active
has_out '^no profile active' "active after off: none"

for how in "" "--all" "--to 0"; do
	fresh
	tl set vm.swappiness=10
	echo 99 >"$R/proc/sys/vm/swappiness"
	tl revert
	[ "$(val proc/sys/vm/swappiness)" = 99 ]
	s=$?
	# shellcheck disable=SC2086  # $how is empty or an option and its value, split on purpose
	tl revert $how --force
	[ $s = 0 ] && [ "$rc" = 0 ] && [ "$(val proc/sys/vm/swappiness)" = 33 ] && ! grep -q 'nothing to revert' "$out"
	ok $? "revert ${how:+$how }--force after a revert that left a value: restores it (33)"
done

# ---------------------------------------------------------------- profile directories, include
U=$T_TMP/user
mkdir -p "$U"
cp "$SHIPPED"/*.conf "$U/"
printf '[profile]\ndescription = my service\ninclude = latency\n[tunables]\nvm.swappiness = 20\n' >"$U/mine.conf"
export LOCUS_PROFILES_DIR=$U
fresh
tl profiles
[ "$rc" = 0 ] && grep -Eq '^  mine +my service' "$out" && grep -Eq '^  latency ' "$out"
ok $? "profiles: a user's profile in LOCUS_PROFILES_DIR is listed with the others"
tl diff mine
[ "$rc" = 0 ] && grep -Eq 'vm\.swappiness +33 -> 20' "$out" && grep -Eq 'vm\.watermark_scale_factor +150 -> 200' "$out"
ok $? "include: latency's values, overridden by the including profile's own"
tl apply mine
tl active
has_out '^mine ' "active: the user's profile"
printf '[profile]\ninclude = cyc-b\n' >"$U/cyc-a.conf"
printf '[profile]\ninclude = cyc-a\n' >"$U/cyc-b.conf"
tl apply cyc-a
[ "$rc" = 2 ] && one_err && grep -q 'cycle' "$err"; ok $? "include cycle: exit 2, one line"
printf '[profile]\ninclude = nosuch\n' >"$U/inc-missing.conf"
tl apply inc-missing
[ "$rc" = 2 ] && grep -q "include: 'nosuch' not found" "$err"; ok $? "include of a missing profile: exit 2"
export LOCUS_PROFILES_DIR=$SHIPPED

# ---------------------------------------------------------------- recommend
fresh
before=$(cd "$R" && find . -type f | sort | xargs md5sum)
tl recommend
[ "$rc" = 0 ] && grep -q '^this machine: 2 NUMA nodes' "$out" && grep -Eq '^  kernel\.numa_balancing = 0$' "$out" &&
	grep -q 'closest profile: ' "$out"
ok $? "recommend on a 2-node tree: numa_balancing 0 with a closest profile"
[ "$(awk 'length > 80' "$out" | wc -l)" = 0 ]; ok $? "recommend: every line fits 80 columns"
tl recommend --json
json_check 'd["machine"]["numa_nodes"] == 2 and [x for x in d["settings"] if x["name"] == "kernel.numa_balancing"][0]["reason"].startswith("2 NUMA nodes") and all(x["reason"] and x["value"] and x["current"] for x in d["settings"]) and d["profile"]' \
	"recommend --json: machine, settings with value, current and reason, a profile"
[ "$before" = "$(cd "$R" && find . -type f | sort | xargs md5sum)" ]; ok $? "recommend applies nothing (no file, no journal)"
rm -rf "$R/sys/devices/system/node/node1"
tl recommend --json
json_check 'd["machine"]["numa_nodes"] == 1 and not [x for x in d["settings"] if x["name"] in ("kernel.numa_balancing", "vm.zone_reclaim_mode")]' \
	"recommend on one node: no NUMA settings proposed"

# ---------------------------------------------------------------- did you mean, options
fresh
tl aply latency
[ "$rc" = 2 ] && one_err && grep -q "'aply': unknown subcommand; did you mean 'apply'" "$err"
ok $? "tune aply: exit 2, did you mean 'apply'"
tl apply latncy
[ "$rc" = 2 ] && one_err && grep -q "'latncy': no such profile; did you mean 'latency'" "$err"
ok $? "tune apply latncy: exit 2, did you mean 'latency'"
tl apply --profile latency
[ "$rc" = 2 ] && one_err && grep -q -- "--profile does not apply: give the profile as the argument" "$err"
ok $? "tune apply --profile latency: names --profile"
tl status --dry-run
[ "$rc" = 2 ] && one_err && grep -q -- "tune status: --dry-run does not apply; allowed --json" "$err"
ok $? "an option of another subcommand: named, with the allowed ones"

# ---------------------------------------------------------------- bad input
fresh
before=$(cd "$R" && find . -type f | sort | xargs md5sum)
run "$LOCUS" --sysroot "$T_TMP/nonexistent" tune show
[ "$rc" = 2 ] && one_err && grep -q "nonexistent" "$err"; ok $? "--sysroot /nonexistent: exit 2, one line naming it"
tl --state-dir '' status
[ "$rc" = 2 ] && one_err && grep -q -- "--state-dir '': empty" "$err"; ok $? "empty --state-dir: exit 2, no fallback"
tl diff /
[ "$rc" = 2 ] && one_err && grep -q "not a profile" "$err"; ok $? "tune diff /: exit 2"
mkfifo "$T_TMP/fifo.conf"
run timeout 10 "$LOCUS" --sysroot "$R" tune apply "$T_TMP/fifo.conf"
[ "$rc" = 2 ] && one_err; ok $? "a FIFO as profile: exit 2 without blocking"
mkdir -p "$T_TMP/adir"; ln -s "$T_TMP/adir" "$T_TMP/dirlink.conf"
tl apply "$T_TMP/dirlink.conf"
[ "$rc" = 2 ] && one_err; ok $? "a symlink to a directory as profile: exit 2"
printf '[tunables]\nvm.swappiness = 1\0junk\n' >"$T_TMP/nul.conf"
tl apply "$T_TMP/nul.conf"
[ "$rc" = 2 ] && one_err && grep -q "nul.conf:2: a NUL byte" "$err"; ok $? "a profile line with a NUL byte: exit 2"
printf '[tunables]\nvm.swappiness = 1\033[31m\n' >"$T_TMP/ctl.conf"
tl apply "$T_TMP/ctl.conf"
[ "$rc" = 2 ] && one_err && no_ctl; ok $? "a profile line with a control byte: exit 2, not echoed"
tl set "vm.swappiness=1$(printf '\033')[31m"
[ "$rc" = 2 ] && one_err && no_ctl; ok $? "set with an escape sequence in the value: exit 2, not echoed"
tl show "vm.swap$(printf '\001')"
[ "$rc" = 2 ] && one_err && no_ctl; ok $? "show with a control byte in the name: exit 2, not echoed"
tl "ap$(printf '\033')ply"
[ "$rc" = 2 ] && one_err && no_ctl; ok $? "a control byte in the subcommand: exit 2, not echoed"
tl set vm.swappiness=+3
[ "$rc" = 2 ] && one_err; ok $? "set vm.swappiness=+3: exit 2 (no lenient numbers)"
run "$LOCUS" -q --sysroot "$R" tune ab --profile latency -o "$T_TMP/ab" -- bench bogus
[ "$rc" = 2 ] && one_err && grep -q "'bogus' is not a benchmark" "$err" && [ ! -e "$T_TMP/ab" ]
ok $? "tune ab ... -- bench bogus: exit 2, one line, nothing created"
[ "$before" = "$(cd "$R" && find . -type f | sort | xargs md5sum)" ]; ok $? "bad input: nothing changed"

done_testing
