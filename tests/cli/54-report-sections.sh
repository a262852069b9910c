#!/bin/bash
# SPDX-License-Identifier: MIT
# 54-report-sections.sh — every report section and figure says what its own bench says.
#
# What a bench is and how it is drawn lives in its descriptor and travels in the result
# file ("benches"): each section must open with that bench's own description (never a
# generic "no description" text), a file from an unknown bench must still render with
# the words its file carries, an older file without "benches" must get the words this
# locus knows, bad "benches" input is refused in one line, and no figure may carry a
# unit with a doubled prefix ("kns", "Mns") or draw a one-node "matrix".
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

RES=$FIXTURES/results
ZEN5=$RES/zen5-epyc-quick.json

sections_check() { # HTML RESULT DESC [--registry]
	python3 - "$@" <<'PY'
import html, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
res = json.load(open(sys.argv[2]))
benches = sorted({m["bench"] for m in res["measurements"]} |
                 {s["bench"] for s in res.get("skipped", [])})
desc = res.get("benches", {})
bad = []
for b in benches:
    m = re.search(r'<section id="bench-%s">\s*<h2>[^<]*</h2>\s*<p class="explain">(.*?)</p>'
                  % re.escape(b), page, re.S)
    if not m:
        bad.append((b, "no section"))
        continue
    got = html.unescape(m.group(1))
    if "does not say what the benchmark is" in got or "no dedicated description" in got:
        bad.append((b, "generic text"))
    want = desc.get(b, {}).get("explain")
    if want and got != want:
        bad.append((b, "not its own description"))
if bad:
    print("# sections:", bad)
sys.exit(1 if bad else 0)
PY
}

# ---------------------------------------------------------------- a real result
R=$T_TMP/zen5
run "$LOCUS" report --no-plots "$ZEN5" -o "$R"
is_rc 0 "report of a real quick-suite result (AMD EPYC, Zen 5) exits 0"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d["benches"]) == 15 else 1)' "$ZEN5"
ok $? "the result file describes all 15 benches (\"benches\")"
python3 - "$ZEN5" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
for b, desc in d["benches"].items():
    names = {m["name"] for m in desc["metrics"]}
    if not desc.get("explain") or not desc.get("figures") or desc.get("headline") not in names:
        bad.append((b, "explain/figures/headline"))
    for f in desc["figures"]:
        if f["metric"] not in names or (f["kind"] == "curve" and f["x"] not in names):
            bad.append((b, f["metric"]))
print("# descriptors:", bad) if bad else None
sys.exit(1 if bad else 0)
PY
ok $? "each bench carries an explanation, a headline metric and figures of its own metrics"
sections_check "$R/index.html" "$ZEN5"
ok $? "every section opens with its own bench's description from the file"
grep -q 'so there is no matrix to draw: remote pairs need at least two NUMA nodes' "$R/index.html"
ok $? "one NUMA node: a sentence instead of a 1x1 matrix"
[ ! -e "$R/figures/numa-latency.gp" ] && [ -e "$R/figures/numa-loaded.gp" ]
ok $? "one NUMA node: no numa-latency heat map; numa-loaded is still drawn (as a curve)"
grep -q '^set logscale y' "$R/figures/pagefault.gp" && grep -q 'time per GiB touched' "$R/figures/pagefault.gp"
ok $? "pagefault is drawn per GiB, on a log axis"
[ -e "$R/figures/bandwidth-stores-regular.gp" ] && [ -e "$R/figures/bandwidth-stores-nt.gp" ]
ok $? "bandwidth: one figure per store kind (small multiples)"
grep -q "title 'threads 1'" "$R/figures/bandwidth-stores-nt.gp" &&
	[ "$(grep -c "title 'threads" "$R/figures/bandwidth-stores-nt.gp")" -le 8 ]
ok $? "bandwidth: bars grouped by thread count, not one series per combination"
grep -q "title '16 MiB'" "$R/figures/fork.gp"
ok $? "sizes in legends read 16 MiB"
grep -q 'skipped (page size 2M)' "$R/index.html" && ! grep -q 'skipped <code>{' "$R/index.html"
ok $? "skips are written in words, not as JSON"

# ---------------------------------------------------------------- an older file
python3 - "$ZEN5" "$T_TMP/old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["benches"]
json.dump(d, open(sys.argv[2], "w"))
PY
run "$LOCUS" report --no-plots "$T_TMP/old.json" -o "$T_TMP/old"
is_rc 0 "a file without \"benches\" (older locus) still renders"
sections_check "$T_TMP/old/index.html" "$ZEN5"
ok $? "an older file's sections get the descriptions this locus knows"

# ---------------------------------------------------------------- an unknown bench
python3 - "$T_TMP/new.json" <<'PY'
import json, sys
m = lambda k, v: {"bench": "zzz", "metric": "speed", "unit": "ops/s", "higher_is_better": True,
                  "labels": {"kind": k}, "samples": [v, v * 1.01, v * 0.99]}
d = {"schema": "locus-result/1", "measurements": [m("a", 4.5e8), m("b", 2.5e8)],
     "benches": {"zzz": {"summary": "a bench from a newer locus",
                         "explain": "Zzz shows <what> a newer bench measures & why.",
                         "future_field": [1, 2],
                         "figures": [{"kind": "bars", "metric": "speed", "x": "kind",
                                      "title": "Zzz speed by kind", "ylabel": "speed",
                                      "caption": "From the file."}]}}}
json.dump(d, open(sys.argv[1], "w"))
PY
run "$LOCUS" report --no-plots "$T_TMP/new.json" -o "$T_TMP/new"
is_rc 0 "a bench this locus does not know renders from its file's description"
grep -q 'Zzz shows &lt;what&gt; a newer bench measures &amp; why.' "$T_TMP/new/index.html"
ok $? "its section opens with the file's (escaped) description"
grep -q "set title 'Zzz speed by kind'" "$T_TMP/new/figures/zzz.gp" &&
	grep -q "set ylabel 'speed (M ops/s)'" "$T_TMP/new/figures/zzz.gp"
ok $? "its figure follows the file's spec, the unit scaled as a word (M ops/s)"

# ---------------------------------------------------------------- bad "benches"
python3 - "$T_TMP/new.json" "$T_TMP/badkind.json" "$T_TMP/badfig.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["benches"]["zzz"]["figures"][0]["kind"] = "pie"
json.dump(d, open(sys.argv[2], "w"))
d["benches"]["zzz"]["figures"][0] = {"kind": "bars", "metric": 3}
json.dump(d, open(sys.argv[3], "w"))
PY
run "$LOCUS" report --text "$T_TMP/badkind.json"
is_rc 2 "a figure kind that does not exist: exit 2"
one_line_err "benches\.zzz\.figures\[0\]\.kind: 'pie' is not one of lines, bars, matrix, curve" \
	"names the field, the value and what is allowed"
run "$LOCUS" report --text "$T_TMP/badfig.json"
is_rc 2 "a figure field of the wrong type: exit 2"
one_line_err "benches\.zzz\.figures\[0\]\.metric is not a string" "names the field"

# ---------------------------------------------------------------- drawn figures
if command -v gnuplot >/dev/null; then
	run "$LOCUS" report "$ZEN5" "$RES/report-numa.json" -o "$T_TMP/drawn"
	is_rc 0 "report with figures drawn exits 0"
	python3 - "$T_TMP/drawn/figures" <<'PY'
import glob, re, sys, xml.etree.ElementTree as ET
bad = []
# a prefix stuck to a unit that has one already, or to a base unit locus never prefixes
units = r"(ns|µs|us|ms|KiB|MiB|GiB|TiB|GB/s|MB/s|kB/s|bytes|B|cycles)"
for f in sorted(glob.glob(sys.argv[1] + "/*.svg")):
    for t in ET.parse(f).iter("{http://www.w3.org/2000/svg}text"):
        s = "".join(t.itertext())
        if re.search(r"(^|[\s(])[kMGT]" + units + r"(?![\w/])", s) or re.search(r"\b[kMG][kMG]", s):
            bad.append((f.rsplit("/", 1)[1], s))
print("# doubled prefixes:", bad[:5]) if bad else None
sys.exit(1 if bad else 0)
PY
	ok $? "no SVG text carries a unit with a doubled prefix (kns, Mns, kGB/s)"
	grep -q '^set yrange \[1\.5:-0\.5\]' "$T_TMP/drawn/figures/numa.gp"
	ok $? "a 2-node matrix has node 0 at the top left"
else
	ok 0 "# SKIP gnuplot not installed"
fi

# ------------------------------------------------------------ what misled, as seen in screenshots
# A loaded-latency curve whose traffic reached nothing at some delays says so; rows
# that only repeat another metric (bandwidth_rfo of the read kernel or of non-temporal
# stores) are left out of the HTML table, with a sentence.
run "$LOCUS" report --no-plots "$ZEN5" -o "$T_TMP/seen"
grep -q 'At 1 of 2 points the traffic bandwidth was 0: the load reached nothing measurable there' "$T_TMP/seen/index.html"
ok $? "numa-loaded: points where the traffic reached nothing are called unloaded, not a curve"
python3 - "$T_TMP/seen/index.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
sec = page[page.find('<section id="bench-bandwidth">'):]
sec = sec[:sec.find("</section>")]
rows = re.findall(r"<tr><td>(bandwidth(?:_rfo)?)</td><td>([^<]*)</td>", sec)
rfo = [p for m, p in rows if m == "bandwidth_rfo"]
bad = [p for p in rfo if "stores nt" in p or "kernel read" in p]
ok = rfo and not bad and "left out: each only repeated another metric" in sec
print("# rfo rows:", len(rfo), "repeating:", bad[:2]) if not ok else None
sys.exit(0 if ok else 1)
PY
ok $? "bandwidth: no bandwidth_rfo row that repeats bandwidth (read kernel, nt stores)"

done_testing
