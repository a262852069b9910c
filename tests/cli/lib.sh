# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/cli/lib.sh — TAP helpers for the shell CLI tests (sourced, not run).
#
# Each tests/cli/NN-area.sh sources this file, runs locus through `run`, and asserts
# with the helpers below; the plan line is printed by `done_testing` at the end, so
# scripts need not count ahead.  automake's tap-driver.sh reads the output.
#
#   run [--stdin FILE] CMD ARGS...  runs a command; sets $rc, $out (stdout file), $err (stderr file)
#   ok COND-EXIT-STATUS DESC         e.g.  ok $? "desc"  or use the helpers:
#   is_rc WANT DESC                  the last run exited with WANT
#   has_out REGEX DESC / has_err REGEX DESC   grep -E on the last run's stdout / stderr
#   one_line_err REGEX DESC          stderr holds exactly one locus error line, matching REGEX
#   err_line REGEX DESC              some locus error line matches REGEX
#   json_check PYEXPR DESC           python3: PYEXPR is true with `d` = the last stdout parsed as JSON
#                                    (`warnings`: the messages of its warnings)
#   skip_all REASON                  "1..0 # SKIP REASON", exit 0
#   done_testing                     prints the plan; exits 1 if anything failed
#
# $LOCUS, $FIXTURES and $top_srcdir come from Makefile.am's AM_TESTS_ENVIRONMENT; when a
# script is run by hand from the source tree, sensible defaults are used.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${LOCUS:=$top_srcdir/locus}"
: "${FIXTURES:=$top_srcdir/tests/fixtures}"
export LC_ALL=C

T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/locus-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT
out="$T_TMP/out"
err="$T_TMP/err"
rc=0

run() {
	local input=/dev/null
	if [ "${1-}" = --stdin ]; then input=$2; shift 2; fi
	"$@" <"$input" >"$out" 2>"$err"
	rc=$?
	return 0
}

ok() { # STATUS DESC
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - $2"
		echo "#   last command exit $rc; stderr:"
		sed 's/^/#     /' "$err" 2>/dev/null | head -n 15
	fi
}

is_rc() { # WANT DESC
	[ "$rc" -eq "$1" ]
	local s=$?
	[ $s -eq 0 ] || echo "#   exit code: got $rc, want $1"
	ok $s "$2"
}

has_out() { grep -Eq -- "$1" "$out"; ok $? "$2"; }
has_err() { grep -Eq -- "$1" "$err"; ok $? "$2"; }
no_out() { ! grep -Eq -- "$1" "$out"; ok $? "$2"; }
no_err() { ! grep -Eq -- "$1" "$err"; ok $? "$2"; }

json_check() { # PYEXPR DESC  (d = stdout parsed as JSON)
	python3 - "$out" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# the warnings' messages ({bench, message} objects; plain strings in older files)
warnings = [w.get('message') if isinstance(w, dict) else w
            for w in (d.get('warnings') or [] if isinstance(d, dict) else [])]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
	local s=$?
	[ $s -eq 0 ] || echo "#   json check failed: $1"
	ok $s "$2"
}

ab_rows() { # rewrite $out: the before/after table's rows joined onto one line each
	# (report --text puts a key too long for 80 columns on a line of its own, broken
	# after a ',' onto lines indented 4, and the row's cells on the next line)
	python3 - "$out" <<'PY'
import sys
verdicts = ("regressed", "improved", "unchanged", "inconclusive")
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
res, pending, inside = [], None, False
for l in lines:
    t = l.split()
    if l.startswith("Before / after"):
        inside = True
    elif not l.strip():
        inside = False
    if inside and pending is not None and t and t[0] in verdicts:
        res.append(pending + "  " + l.strip())
        pending = None
    elif inside and pending is not None and l.startswith("    "):
        pending += ("" if pending.endswith(",") else " ") + l.strip()
    elif inside and l.startswith("  ") and not l.startswith("   ") and "/" in (t[0] if t else "") \
            and not any(v in t for v in verdicts):
        pending = l
    else:
        if pending is not None:
            res.append(pending)
            pending = None
        res.append(l)
if pending is not None:
    res.append(pending)
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(res) + "\n")
PY
}
fits_80() { # DESC  (every line of $out at most 80 columns, counted in characters)
	python3 - "$out" <<'PY'
import sys
long = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]
for l in long[:3]:
    print("# %d columns: %s" % (len(l), l))
sys.exit(1 if long else 0)
PY
	ok $? "$1"
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

# One error line on stderr that names the bad value: the rule for bad input.  Checks
# what its name says: exactly one line of stderr is a locus error (starts "locus: ",
# warnings aside), and it matches REGEX.
one_line_err() { # REGEX DESC
	local n
	n=$(grep '^locus: ' "$err" | grep -vc '^locus: warning: ')
	[ "$n" -eq 1 ] && grep '^locus: ' "$err" | grep -v '^locus: warning: ' | grep -Eq -- "$1"
	local s=$?
	[ $s -eq 0 ] || echo "#   wanted one 'locus: ' error line matching '$1'; stderr has $n"
	ok $s "$2"
}

# A locus error line on stderr matches REGEX (other lines may be there too: use
# one_line_err where the rule for bad input applies).
err_line() { # REGEX DESC
	grep '^locus: ' "$err" | grep -Eq -- "$1"
	ok $? "$2"
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

[ -x "$LOCUS" ] || { echo "Bail out! locus binary not found at $LOCUS"; exit 1; }
