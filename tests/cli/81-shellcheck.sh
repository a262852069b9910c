#!/bin/bash
# SPDX-License-Identifier: MIT
# 81-shellcheck.sh — every shell script in the tree passes shellcheck, and every
# exception says why.
#
# The scripts are found here, not listed: each file under scripts/, tests/, .ci/ and
# contrib/ whose name ends in .sh or .bash or is a bash completion, or whose first line
# is a #! for sh, bash, dash or ksh (the files shellcheck reads).  A new script is
# checked without editing this test.  One TAP point per script, its findings as
# diagnostics; .shellcheckrc (source-path=SCRIPTDIR) lets sourced files be followed.
# An intended finding is silenced on its own line, `# shellcheck disable=SCxxxx  # why`,
# and the last points check that every such directive carries its reason and that
# .shellcheckrc disables nothing for the whole tree.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

command -v shellcheck >/dev/null 2>&1 || skip_all "shellcheck not installed (scripts/test installs it)"

# is_shell FILE — a shell script by its name or by its #! line.
is_shell() {
	local first=
	case $1 in *.sh | *.bash | *bash-completion) return 0 ;; esac
	IFS= read -r -n 128 first <"$1" 2>/dev/null
	[[ $first =~ ^#![[:space:]]*[^[:space:]]*/(env[[:space:]]+)?(sh|bash|dash|ksh)([[:space:]]|$) ]]
}

echo "# $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"

cd "$top_srcdir" || { echo "Bail out! cannot cd to $top_srcdir"; exit 1; }
# Fuzz inputs are data, never scripts (and there are many); *.log and *.trs are test
# outputs of a build in the source tree.
files=()
while IFS= read -r -d '' f; do
	is_shell "$f" && files+=("${f#./}")
done < <(find ./scripts ./tests ./.ci ./contrib -path ./tests/fuzz/corpus -prune -o \
	-type f ! -name '*.log' ! -name '*.trs' -print0 2>/dev/null | sort -z)

# The finder itself: scripts known by their #! only, sourced files known by their name
# only, and this test.
found() { local f; for f in "${files[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }
found scripts/numa-guest && found .ci/run && found tests/cli/lib.sh &&
	found contrib/locus.bash-completion && found tests/cli/81-shellcheck.sh
ok $? "the ${#files[@]} scripts found include scripts/numa-guest and .ci/run (by #!), tests/cli/lib.sh and the bash completion (by name)"

# One run over all of them (following sourced files); findings sorted to their file.
shellcheck -x -P SCRIPTDIR -f gcc "${files[@]}" >"$T_TMP/sc.out" 2>"$T_TMP/sc.err"
sc=$?
[ $sc -le 1 ] && [ ! -s "$T_TMP/sc.err" ]
ok $? "shellcheck ran (exit $sc: 0 clean, 1 findings)"
sed -n '1,5s/^/#   /p' "$T_TMP/sc.err"
for f in "${files[@]}"; do
	awk -v f="$f:" 'index($0, f) == 1' "$T_TMP/sc.out" >"$T_TMP/one"
	[ ! -s "$T_TMP/one" ]
	ok $? "$f: shellcheck clean"
	sed -n '1,20s/^/#   /p' "$T_TMP/one"
done

# Every disable directive says why, on its own line: "disable=SC1234  # reason".
grep -n -E '^[[:space:]]*#[[:space:]]*shellcheck[[:space:]]+disable=' "${files[@]}" >"$T_TMP/dis" 2>/dev/null
bad=$(grep -v -E 'disable=SC[0-9]+(,SC[0-9]+)*[[:space:]]+#[[:space:]]*[^[:space:]]' "$T_TMP/dis")
[ -z "$bad" ]
ok $? "every '# shellcheck disable=' directive gives its reason ($(wc -l <"$T_TMP/dis") directives)"
[ -z "$bad" ] || printf '#   %s\n' "$bad"

# No check disabled for the whole tree.
[ ! -f .shellcheckrc ] || ! grep -q -E '^[[:space:]]*(disable|exclude)[[:space:]]*=' .shellcheckrc
ok $? ".shellcheckrc disables no check"

done_testing
