#!/bin/bash
# SPDX-License-Identifier: MIT
# 56-report-compare-agree.sh — `locus compare A B` and `locus report --before A --after B`
# are one comparison engine: the same pairs, the same change (after/before - 1, whatever
# the metric's direction), the same CI and the same verdict words, pair by pair.
#
# The files: a bandwidth that falls 39.81 -> 11.02 GB/s (higher is better: a -72.3%
# change, worse), a latency that falls 100 -> 80 ns (lower is better: -20%, better),
# an unchanged one, one present before only, and the overcommit pair whose keys differ
# in a setting label (mode 0 -> 2).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

RES=$FIXTURES/results
python3 - "$RES/base.json" "$T_TMP/A.json" "$T_TMP/B.json" <<'PY'
import json, random, sys
random.seed(7)
d = json.load(open(sys.argv[1]))
def m(bench, metric, unit, hib, labels, centre):
    return {"bench": bench, "metric": metric, "unit": unit, "higher_is_better": hib,
            "labels": labels, "samples": [centre * (1 + random.uniform(-0.01, 0.01)) for _ in range(15)]}
a, b = dict(d), dict(d)
a["measurements"] = [m("bandwidth", "bandwidth", "GB/s", True, {"kernel": "triad", "threads": 2}, 39.81),
                     m("tlb", "latency", "ns", False, {"page_size": "4K"}, 100.0),
                     m("branch", "time_per_element", "ns", False, {"data": "random"}, 2.5),
                     m("fork", "fork_latency", "ns", False, {"page_size": "4K"}, 1.4e6)]
b["measurements"] = [m("bandwidth", "bandwidth", "GB/s", True, {"kernel": "triad", "threads": 2}, 11.02),
                     m("tlb", "latency", "ns", False, {"page_size": "4K"}, 80.0),
                     m("branch", "time_per_element", "ns", False, {"data": "random"}, 2.5)]
json.dump(a, open(sys.argv[2], "w"))
json.dump(b, open(sys.argv[3], "w"))
PY

agree() { # BEFORE AFTER DESC
	"$LOCUS" compare --json "$1" "$2" >"$T_TMP/cmp.json" 2>/dev/null
	"$LOCUS" report --text --before "$1" --after "$2" >"$T_TMP/rep.txt" 2>"$T_TMP/rep.err"
	python3 - "$T_TMP/cmp.json" "$T_TMP/rep.txt" <<'PY'
import json, re, sys
cmp = json.load(open(sys.argv[1]))
want = {}
for p in cmp["comparisons"]:
    ch = "%+.1f%%" % (p["change"] * 100)
    ci = "%+.1f%%..%+.1f%%" % (p["change_ci_low"] * 100, p["change_ci_high"] * 100)
    want[p["key"]] = (p["verdict"], ch, ci)
text = open(sys.argv[2]).read()
ab = text.split("Before / after", 1)[1].split("\n\n", 1)[0]
# A row is "  KEY (settings)  verdict before after change CI" on one line, or, when
# that would pass 80 columns, the key alone (broken after a ',' onto lines indented
# 6) and the cells on the next line (indented 4).
verdicts = ("regressed", "improved", "unchanged", "inconclusive", "incomparable")
lines = ab.splitlines()
# the header: "measurement  verdict ..." on one line, or "measurement" then "verdict ..."
start = [i for i, l in enumerate(lines) if l.split()[:1] == ["measurement"]][0]
if lines[start].split() == ["measurement"]:
    start += 1
got, keytext = {}, None
for l in lines[start + 1:]:
    if not l.strip() or l.lstrip().startswith(("only before", "only after")):
        continue
    t = l.split()
    if t[0] in verdicts:                     # the cells of a key printed alone
        row = keytext
        f = t
    elif l.startswith("    ") and keytext is not None and not any(v in t for v in verdicts):
        keytext += ("" if keytext.endswith(",") else " ") + l.strip()  # a key continued
        continue
    elif not any(v in t for v in verdicts):  # a key alone
        keytext = l.strip()
        continue
    else:
        m = re.match(r"^(\S+(?: \([^)]*\))?)\s+(.*)$", l.strip())
        row, f = m.group(1), m.group(2).split()
    key = row.split(" (")[0]
    # verdict, before value unit, after value unit, change, ci
    got[key] = (f[0], f[5], f[6])
    keytext = None
bad = [(k, want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k)]
for b in bad:
    print("# differs:", b)
print("# %d pairs compared" % len(want))
sys.exit(1 if bad or not want else 0)
PY
	ok $? "$3"
}

agree "$T_TMP/A.json" "$T_TMP/B.json" "compare and report agree on every pair (keys, verdicts, changes, CIs)"
run "$LOCUS" report --text --before "$T_TMP/A.json" --after "$T_TMP/B.json"
ab_rows
has_out '^  bandwidth/bandwidth\{kernel=triad,threads=2\} +regressed +39\.[0-9]+ GB/s +11\.[0-9]+ GB/s +-72\.[0-9]%' \
	"a bandwidth drop is -72% (after/before - 1) and regressed"
run "$LOCUS" compare "$T_TMP/A.json" "$T_TMP/B.json"
has_out '^regressed +-72\.[0-9]% .*bandwidth/bandwidth' "compare prints the same -72% for it"
run "$LOCUS" report --text --before "$T_TMP/A.json" --after "$T_TMP/B.json"
ab_rows
has_out '^  tlb/latency\{page_size=4K\} +improved +.* -20\.[0-9]%' "a latency drop is -20% and improved"
has_out '^  only before: fork/fork_latency' "a measurement on one side is listed"
has_out '^  bandwidth +after is 3\.[56][0-9] ± 0\.[0-9]+x lower bandwidth than before' \
	"hyperfine-style line for a headline metric, in the metric's direction"
has_out '^  tlb +after is 1\.2[0-9] ± 0\.[0-9]+x faster than before' "hyperfine-style line: faster for a latency"
has_out '^  Verdicts +1 regressed, 1 improved, 1 unchanged, 0 inconclusive; 1 only$' \
	"the engine's summary words"
agree "$RES/oc-mode0.json" "$RES/oc-mode2.json" "compare and report agree when the keys differ in a setting label"
agree "$RES/base.json" "$RES/slower.json" "compare and report agree on the slower fixture"

done_testing
