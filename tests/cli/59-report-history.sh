#!/bin/bash
# SPDX-License-Identifier: MIT
# 59-report-history.sh — `locus report --history DIR`: the report of a
# run shows its machine's saved runs, each measurement with a change point drawn over
# the runs with the change point marked at the run where the step happened, the
# segment medians before and after it in the measurement's unit; flat series are
# counted, not drawn; a directory without runs of the machine is refused (exit 2).
# The tables give peak beside median.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

R=$FIXTURES/results
mkdir "$T_TMP/runs"
# 12 runs of one machine; from the 9th run (rev08) the 4K tlb latency is 25% slower.
python3 - "$R/set/run-1.json" "$T_TMP/runs" <<'PY'
import json, random, sys
base = json.load(open(sys.argv[1]))
rnd = random.Random(7)
for i in range(12):
    d = json.loads(json.dumps(base))
    for m in d["measurements"]:
        step = i >= 8 and m["metric"] == "latency" and m["labels"].get("page_size") == "4K"
        f = (1.25 if step else 1.0) * (1 + rnd.uniform(-0.02, 0.02))
        m["samples"] = [x * f for x in m["samples"]]
        s = sorted(m["samples"]); n = len(s)
        med = (s[(n - 1) // 2] + s[n // 2]) / 2
        m["summary"] = {"median": med, "n": n, "ci_low": s[0], "ci_high": s[-1],
                        "peak": s[-1] if m["higher_is_better"] else s[0],
                        "min": s[0], "max": s[-1]}
    json.dump(d, open("%s/r%02d.json" % (sys.argv[2], i), "w"))
PY
S=$T_TMP/store
for i in $(seq -w 0 11); do
	"$LOCUS" baseline save --keep 4 --rev "rev$i" "$S" "$T_TMP/runs/r$i.json" >/dev/null ||
		echo "# save $i failed" >&2
done

run "$LOCUS" report --no-plots --history "$S" "$T_TMP/runs/r11.json" -o "$T_TMP/rep"
is_rc 0 "report --history: exit 0"
H=$T_TMP/rep/index.html
grep -q '<section id="history">' "$H" && grep -q 'href="#history"' "$H"
ok $? "HTML: a History section, in the navigation"
grep -q '12 runs saved in .*; 1 of 4 measurements have a change point' "$H"
ok $? "HTML: 12 runs, one of the four measurements changed"
ls "$T_TMP/rep/figures"/history-*.gp >"$T_TMP/figs" 2>/dev/null
[ "$(wc -l <"$T_TMP/figs")" -eq 1 ]
ok $? "one history figure: the stepped measurement (flat ones are counted, not drawn)"
GP=$(head -n 1 "$T_TMP/figs")
python3 - "$GP" "${GP%.gp}.dat" <<'PY'
import re, sys
gp = open(sys.argv[1]).read()
# the change point: a marker line and its label at x = 9 (the 9th run, rev08)
arrows = re.findall(r"set arrow \d+ from ([0-9.e+-]+), graph 0", gp)
labels = re.findall(r"set label \d+ '([^']*)' at ([0-9.e+-]+), graph", gp)
ok = [float(a) for a in arrows] == [9.0] and labels == [("change: run 9, rev rev08", "9")]
if not ok:
    print("# arrows", arrows, "labels", labels)
sys.exit(0 if ok else 1)
PY
ok $? "the change point is marked at run 9 (rev08), where the step is, and nowhere else"
python3 - "${GP%.gp}.dat" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and l.lstrip()[0].isdigit()]
xs = [float(r[0]) for r in rows]
ys = [float(r[1]) for r in rows]
before, after = sorted(ys[:8])[4], sorted(ys[8:])[2]
ok = xs == [float(i) for i in range(1, 13)] and 1.2 < after / before < 1.3
if not ok:
    print("# x", xs, "y", ys)
sys.exit(0 if ok else 1)
PY
ok $? "the figure's data: all 12 runs in order, 25% higher from run 9"
grep -q "run median (ns)\|run median (µs)\|run median (ms)" "$GP"
ok $? "the y axis names the measurement's unit"
grep -q '<li>at run 9 (rev rev08, saved [0-9T:Z-]*): the median of the run medians went from [0-9.]* [nµm]*s to [0-9.]* [nµm]*s (+2[4-9]\.[0-9]%)' "$H"
ok $? "HTML: the change point in words, before and after in the unit, +25%"
grep -q '^## History' "$T_TMP/rep/report.md" && grep -q '^- at run 9 (rev rev08' "$T_TMP/rep/report.md"
ok $? "Markdown: the History section and the change point"

# an older file without store or array labels: no empty words in the summary
grep -q 'Peak bandwidth' "$H" && ! grep -q ', , \|- arrays' "$H"
ok $? "capacity summary: a file without store/array labels gets no ', , - arrays'"

# peak beside median in the bench tables
grep -q '<th>Median</th><th>Peak</th>' "$H"
ok $? "HTML tables: peak beside median"

run "$LOCUS" report --text --history "$S" "$T_TMP/runs/r11.json"
is_rc 0 "report --text --history: exit 0"
has_out '^History$' "--text: a History part"
has_out '^    at run 9 \(rev rev08' "--text: the change point"
fits_80 "--text with history fits 80 columns"

# a store without runs of this machine: refused, naming the directory
mkdir -p "$T_TMP/empty"
run "$LOCUS" report --text --history "$T_TMP/empty" "$T_TMP/runs/r11.json"
is_rc 2 "a store without runs of the reported machine: exit 2"
has_err 'report: --history .*empty: no saved runs with the fingerprint' "... saying so"
run "$LOCUS" report --text --history "$T_TMP/nowhere" "$T_TMP/runs/r11.json"
is_rc 2 "a missing store: exit 2"
has_err 'nowhere' "... naming it"

done_testing
