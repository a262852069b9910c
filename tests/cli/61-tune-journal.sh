#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/61-tune-journal.sh — the tune journal is validated completely on load
# ids (positive, increasing, INT64_MAX refused), states, fields, and
# every original/requested/set value against its tunable's type and range.  A corrupt
# journal is refused with exit 2 and one line naming the file, how to inspect it and
# the --force way out, and nothing is written; --force moves it aside.  Every command
# runs with --sysroot on a temporary copy of tests/fixtures/sysroot/tune.
. "$(dirname "$0")/lib.sh"

unset LOCUS_STATE_DIR LOCUS_TUNE_TEST_KILL_AFTER LOCUS_TUNE_TEST_FAIL_AT
: "${LOCUS_PROFILES_DIR:=$top_srcdir/tune/profiles}"
export LOCUS_PROFILES_DIR
FX=$FIXTURES/sysroot/tune
[ -d "$FX" ] || skip_all "fixture $FX missing"

R=$T_TMP/root
fresh() { rm -rf "$R"; mkdir -p "$R"; cp -r "$FX/." "$R/"; mkdir -p "$R/run/locus"; }
tl() { run "$LOCUS" --sysroot "$R" tune "$@"; }
J() { echo "$R/run/locus/journal"; }
# A journal with one transaction; $1 is python code editing `t` (the transaction) or `d`.
mkjournal() {
	python3 - "$(J)" "$1" <<'PY'
import json, sys
d = {"version": 1, "transactions": [{"id": 1, "time": 1700000000, "source": "set vm.swappiness=10",
     "state": "applying", "changes": [
        {"name": "vm.swappiness", "path": "/proc/sys/vm/swappiness", "original": "33",
         "requested": "10", "set": ""}]}]}
t = d["transactions"][0]
c = t["changes"][0]
exec(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(d) if not isinstance(d, str) else d)
PY
}

# The well-formed journal works (the edits below are each the only problem).
fresh
mkjournal 'pass'
tl recover
[ "$rc" = 0 ] && [ "$(tr -d '\n' <"$R/proc/sys/vm/swappiness")" = 33 ]
ok $? "a valid applying journal: recover exit 0"

corrupt() { # PYTHON-EDIT REGEX DESC
	fresh
	echo 50 >"$R/proc/sys/vm/swappiness"
	mkjournal "$1"
	cp "$(J)" "$T_TMP/j.before"
	local bad=0
	for cmd in "recover" "revert --all" "apply latency" "set vm.swappiness=5" "status" "verify"; do
		# shellcheck disable=SC2086  # $cmd is a subcommand and its arguments, split on purpose
		tl $cmd
		{ [ "$rc" = 2 ] && [ "$(wc -l <"$err")" = 1 ] && grep -Eq -- "journal: corrupt journal: .*$2" "$err" &&
			grep -q "python3 -m json.tool .*--force" "$err"; } || { bad=1; echo "#   tune $cmd: rc $rc: $(head -c 300 "$err")"; }
	done
	[ $bad = 0 ] && [ "$(tr -d '\n' <"$R/proc/sys/vm/swappiness")" = 50 ] && cmp -s "$(J)" "$T_TMP/j.before" &&
		! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037]')" "$err"
	ok $? "corrupt journal ($3): every command exit 2, one line naming the file and the way out; nothing written"
}
corrupt 't["id"] = 9223372036854775807' 'transaction 1: "id" is not an integer in 1\.\.2147483647' "INT64_MAX id"
corrupt 't["id"] = 0' '"id" is not an integer' "id 0"
corrupt 't["id"] = -4' '"id" is not an integer' "negative id"
corrupt 't["id"] = "1"' '"id" is not an integer' "id a string"
corrupt 'd["transactions"].append(dict(t)); d["transactions"][1]["state"] = "applied"' 'transaction 1: ids must increase' "duplicate id"
corrupt 't["state"] = "done"' '"state" is not one of' "unknown state"
corrupt 'c["original"] = "999"' 'vm\.swappiness: original: 999 is out of range 0\.\.200' "original 999"
corrupt 'c["original"] = ""' "vm\.swappiness: original: '' is not an integer" "original empty"
corrupt 'c["original"] = "10\n20"' "original: not a value of vm\.swappiness \(control bytes" "original with a newline"
corrupt 'c["original"] = 33' '"original" is not a string' "original a number"
corrupt 'c["requested"] = "-1"' 'requested: .*-1 is out of range' "requested out of range"
corrupt 'c["set"] = "x"' "set: .*'x' is not an integer" "set not an integer"
corrupt 'c["name"] = "thp.enabled"; c["original"] = "sometimes"; c["requested"] = "never"' "thp\.enabled: original: .*allowed always" "THP original not a choice"
corrupt 'c["name"] = "vm.nosuch"' "unknown tunable 'vm\.nosuch'" "unknown tunable"
corrupt 'c["left"] = "yes"' '"left" is not true or false' "left not a boolean"
corrupt 't["changes"].append(dict(c))' 'vm\.swappiness recorded twice' "a key twice"
corrupt 't["source"] = "x\u001b[31m"' '"source" is missing, too long or has control bytes' "control bytes in source"
corrupt 't["extra"] = 1' 'unknown field "extra"' "unknown field"
corrupt 'd = "{\"version\": 1, \"transactions\": ["' 'not JSON' "truncated"
corrupt 'd = "[]"' 'not a JSON object' "not an object"
corrupt 'd["version"] = 2' 'expected \{"version": 1' "version 2"
corrupt 't["changes"] = []' '"changes" is not a non-empty array' "no changes"

# --force: the corrupt journal is moved aside and the command goes on.
fresh
mkjournal 'c["original"] = "999"'
tl set vm.swappiness=7 --force
[ "$rc" = 0 ] && [ "$(tr -d '\n' <"$R/proc/sys/vm/swappiness")" = 7 ] && [ -s "$(J).corrupt" ] &&
	grep -q 'moved to .*journal.corrupt' "$err"
ok $? "set --force: the corrupt journal moved to journal.corrupt, the new value set"
tl revert
[ "$rc" = 0 ] && [ "$(tr -d '\n' <"$R/proc/sys/vm/swappiness")" = 33 ]
ok $? "the new journal works: revert restores 33"

# A journal that is not a regular file (a FIFO) does not block.
fresh
rm -f "$(J)"; mkfifo "$(J)"
run timeout 10 "$LOCUS" --sysroot "$R" tune status
is_rc 2 "a FIFO as the journal: exit 2 without blocking"
done_testing
