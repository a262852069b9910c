#!/bin/bash
# SPDX-License-Identifier: MIT
# 42-setting-labels.sh — labels that record a system setting (lib/result.h "setting
# labels"; overcommit's "mode" is vm.overcommit_memory): `locus compare` and
# `locus report --before/--after` pair measurements whose keys differ only in them (the
# before/after of `locus tune ab`), show the change ("mode 0 → 2") in the row and warn
# about it like a fingerprint difference; files without the declaration, and ambiguous
# candidates, are not paired; a bad declaration is refused; the overcommit bench writes
# the declaration.  Fixtures: tests/fixtures/results/oc-*.json (make-fixtures.py).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

R=$FIXTURES/results
KS='overcommit/bytes\{kind=single,mode=2\}'
KT='overcommit/bytes\{kind=total,mode=2\}'

# ---- compare
run "$LOCUS" compare "$R/oc-mode0.json" "$R/oc-mode2.json"
is_rc 6 "mode 0 -> 2: less commit is a regression (higher is better): exit 6"
has_out "^regressed .*$KS  \[setting mode 0 → 2\]" "the single mapping is paired across the mode, the change in the row"
has_out "^regressed .*$KT  \[setting mode 0 → 2\]" "the total is paired too"
has_out '^unchanged .*tlb/latency' "a measurement without setting labels still pairs by its key"
no_out '^Only in' "nothing is listed on one side only"
has_out '^  overcommit\.mode \(label\): "0" -> "2"' "the setting change is warned about with the fingerprint differences"
has_err 'overcommit\.mode \(label\)' "and on stderr"
run "$LOCUS" compare --json "$R/oc-mode0.json" "$R/oc-mode2.json"
json_check "sorted(c['settings'] for c in d['comparisons'] if 'settings' in c) == ['mode 0 → 2'] * 2" \
	"--json: \"settings\": \"mode 0 → 2\" on both overcommit comparisons"
json_check "all(c['labels']['mode'] == '2' and c['labels_baseline']['mode'] == '0' for c in d['comparisons'] if 'settings' in c)" \
	"--json: labels of the current, labels_baseline of the baseline"
json_check "{'key': 'overcommit.mode (label)', 'baseline': '\"0\"', 'current': '\"2\"'} in d['env_differences']" \
	"--json: the change among env_differences"
run "$LOCUS" compare --strict-env "$R/oc-mode0.json" "$R/oc-mode2.json"
is_rc 2 "--strict-env: a setting change is not like-for-like: exit 2"
run "$LOCUS" compare "$R/oc-mode0.json" "$R/oc-mode0.json"
is_rc 0 "same settings: exit 0"
no_out 'setting|WARNING' "same settings: no setting note, no warning"

# ---- not paired
run "$LOCUS" compare "$R/oc-mode0.json" "$R/oc-mode2-plain.json"
is_rc 0 "current without setting_labels: exit 0 (nothing paired to regress)"
has_out "^  $KS\$" "undeclared: mode 2 single only in current"
has_out '^  overcommit/bytes\{kind=single,mode=0\}$' "undeclared: mode 0 single only in baseline"
no_out 'setting mode' "undeclared: no setting note"
run "$LOCUS" compare "$R/oc-ambiguous.json" "$R/oc-mode2.json"
has_out "^  $KS\$" "two baseline candidates (mode 0 and 1): mode 2 single is not paired"
has_out "^regressed .*$KT  \[setting mode 0 → 2\]" "the unambiguous total still is"

# ---- bad declaration
run "$LOCUS" compare "$R/oc-badsetting.json" "$R/oc-mode2.json"
is_rc 2 "setting_labels naming a missing label: exit 2"
one_line_err "oc-badsetting\.json: measurements\[0\]\.setting_labels\[0\]: 'swappiness' is not one of its labels" \
	"one line naming the file, the field and the label"

# ---- report --before/--after
run "$LOCUS" report --text --before "$R/oc-mode0.json" --after "$R/oc-mode2.json"
is_rc 0 "report --text --before/--after: exit 0"
ab_rows
has_out "^  $KS \(mode 0 → 2\) +regressed" "text: the row shows the setting change"
has_out '^  overcommit\.mode \(label\) "0" -> "2" \(fingerprint\)' "text: listed with the settings that differ"
no_out '^  only ' "text: nothing on one side only"
run "$LOCUS" report -q --before "$R/oc-mode0.json" --after "$R/oc-mode2.json" -o "$T_TMP/rep"
grep -q '^| overcommit/bytes{kind=single,mode=2} (mode 0 → 2) | 469\.1 MiB | 220\.6 MiB | -53\.0% ' "$T_TMP/rep/report.md"
ok $? "report.md: the row with the change, before and after"
grep -q 'kind=total,mode=2} <span class="setting">(mode 0 → 2)</span>' "$T_TMP/rep/index.html"
ok $? "index.html: the row with the change"
grep -q '<th>overcommit.mode (label)</th>' "$T_TMP/rep/index.html"
ok $? "index.html: the change under 'What changed'"

# ---- the overcommit bench declares its setting label
run "$LOCUS" bench overcommit --kind single --upper-bound 64M --reps 1 --warmup 0 -o -
is_rc 0 "overcommit bench: exit 0"
json_check "all(m['setting_labels'] == ['mode'] for m in d['measurements']) and len(d['measurements']) == 1" \
	"overcommit writes \"setting_labels\": [\"mode\"]"
run "$LOCUS" bench malloc --sizes 64K --thresholds 1M --reps 1 --warmup 0 -o -
json_check "len(d['measurements']) > 0 and all('setting_labels' not in m for m in d['measurements'])" \
	"a bench without setting labels (malloc) writes none"

done_testing
