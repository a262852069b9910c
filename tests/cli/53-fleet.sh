#!/bin/bash
# SPDX-License-Identifier: MIT
# 53-fleet.sh — the fleet analysis of `locus report` (three or more result files):
# generated fleets with planted outliers (one host 20% slower on bandwidth, one with a
# different THP setting, one better on latency) must be named first with the
# measurement and the fingerprint key; a fleet of alike hosts flags nobody; the rule's
# guards (minimum effect, the host's own CI, the MAD floor) hold; two files make no
# fleet; host names from the files are escaped in HTML and Markdown and stripped of
# control characters on the terminal.
#
# Fleets come from tests/fleet/make-fleet.py over report-small.json (a real quick run).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
MAKE_FLEET="python3 $top_srcdir/tests/fleet/make-fleet.py"
SMALL=$FIXTURES/results/report-small.json

fleet_json() { # DIR PYEXPR DESC  (d = DIR/fleet.json)
	python3 - "$1/fleet.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
	local s=$?
	[ $s -eq 0 ] || echo "#   fleet.json check failed: $2"
	ok $s "$3"
}

# ------------------------------------------------------------ planted outliers
F=$T_TMP/f1
$MAKE_FLEET "$SMALL" "$F" 5 --slow 3:bandwidth:0.8 --env 5:memory.thp_enabled=never
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r1"
is_rc 0 "report of a 5-host fleet: exit 0"
fleet_json "$T_TMP/r1" 'd["hosts_compared"] == 5 and d["measurements_compared"] == 50' \
	"fleet.json: 5 hosts, every measurement compared"
fleet_json "$T_TMP/r1" 'd["outliers"] == ["node03", "node05"]' \
	"the slow host first, then the host with another fingerprint, nobody else"
fleet_json "$T_TMP/r1" 'all(f["bench"] == "bandwidth" and f["worse"] and -0.3 < f["change"] < -0.1 for f in d["hosts"][0]["flags"]) and len(d["hosts"][0]["flags"]) >= 4' \
	"node03: only bandwidth flagged, worse, by about 20%"
fleet_json "$T_TMP/r1" 'd["hosts"][0]["env"] == [] and d["hosts"][1]["flags"] == [] and d["hosts"][1]["env"] == [{"key": "memory.thp_enabled", "value": "never", "fleet_value": "madvise"}]' \
	"node05: the THP key named with both values, no measurement flagged"
fleet_json "$T_TMP/r1" 'd["headline"].startswith("5 hosts") and "node03 bandwidth -2" in d["headline"] and "memory.thp_enabled (never vs madvise)" in d["headline"]' \
	"the headline names host, bench and change, and the key"
python3 - "$T_TMP/r1/index.html" <<'PY'
import sys
h = open(sys.argv[1]).read()
f, s = h.find('<section id="fleet">'), h.find('<section id="summary">')
sys.exit(0 if 0 <= f < s and "node03" in h[f:s] and "memory.thp_enabled" in h[f:s] else 1)
PY
ok $? "HTML: the fleet section comes first and names both hosts"
grep -q '^## Fleet' "$T_TMP/r1/report.md"
ok $? "Markdown: a Fleet section"

run "$LOCUS" report --text "$F"/node0*.json
is_rc 0 "report --text of the fleet: exit 0"
[ "$(head -n 1 "$out")" = Fleet ]
ok $? "--text: the fleet comes first"
has_out '^  5 hosts, 50 measurements compared' "--text: the headline"
has_out 'node03 bandwidth -2[0-9.]+% \(worse; [0-9]+ measurements flagged\), same' "--text: node03's bench, change and same fingerprint"
awk 'NR <= 20 && length > 80 { bad = 1 } END { exit bad }' "$out"
ok $? "--text: the fleet part fits 80 columns"

# A host better than the fleet is flagged as better, not worse.
F=$T_TMP/f2
$MAKE_FLEET "$SMALL" "$F" 5 --slow 2:latency:0.7
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r2"
fleet_json "$T_TMP/r2" 'd["outliers"] == ["node02"] and [f for f in d["hosts"][0]["flags"] if f["metric"] == "latency"] and all(not f["worse"] and f["change"] < -0.2 for f in d["hosts"][0]["flags"] if f["metric"] == "latency")' \
	"lower latency on one host: flagged better"

# ------------------------------------------------------------ nobody flagged
F=$T_TMP/f3
$MAKE_FLEET "$SMALL" "$F" 6
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r3"
fleet_json "$T_TMP/r3" 'd["outliers"] == [] and "no host differs" in d["headline"]' \
	"6 alike hosts (2% spread): nobody flagged, and the headline says so"

# Identical hosts but one 5% off: below the minimum effect (MAD 0 must not explode).
F=$T_TMP/f4
$MAKE_FLEET "$SMALL" "$F" 5 --spread 0 --slow 4:rowcol:1.05
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r4"
fleet_json "$T_TMP/r4" 'd["outliers"] == []' "5% off with every other host identical: not flagged (minimum effect)"
F=$T_TMP/f5
$MAKE_FLEET "$SMALL" "$F" 5 --spread 0 --slow 4:rowcol:1.12
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r5"
fleet_json "$T_TMP/r5" 'd["outliers"] == ["node04"] and all(f["bench"] == "rowcol" for f in d["hosts"][0]["flags"])' \
	"12% off with every other host identical: flagged (the MAD floor keeps z finite)"

# A host whose own CI contains the fleet median is not flagged, however far its median.
python3 - "$T_TMP/f5/node04.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    s = m["summary"]
    s["ci_low"], s["ci_high"] = s["median"] * 0.5, s["median"] * 1.5
json.dump(d, open(sys.argv[1], "w"))
PY
run "$LOCUS" report --no-plots "$T_TMP"/f5/node0*.json -o "$T_TMP/r6"
fleet_json "$T_TMP/r6" 'd["outliers"] == []' "a host whose own CI reaches the fleet median: not flagged"

# A measurement missing on one host: the others are still compared.
F=$T_TMP/f7
$MAKE_FLEET "$SMALL" "$F" 4 --drop 1:bandwidth --slow 2:bandwidth:0.75
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r7"
fleet_json "$T_TMP/r7" 'd["outliers"] == ["node02"] and [h["measurements"] for h in d["hosts"] if h["name"] == "node01"] == [42]' \
	"bandwidth missing on one host: compared on the other three, node02 flagged"

# ------------------------------------------------------------ not a fleet, names
F=$T_TMP/f8
$MAKE_FLEET "$SMALL" "$F" 2
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r8"
is_rc 0 "two files: exit 0"
[ ! -e "$T_TMP/r8/fleet.json" ] && ! grep -q 'id="fleet"' "$T_TMP/r8/index.html"
ok $? "two files: no fleet analysis (it needs three)"

F=$T_TMP/f9
$MAKE_FLEET "$SMALL" "$F" 4 --env '2:host=<b>x</b> | *y*' --slow 2:bandwidth:0.8 --slow 1:rowcol:1.3
python3 - "$F/node01.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["env"]["host"] = "evil\u001b[31mred\nline"
json.dump(d, open(sys.argv[1], "w"))
PY
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r9"
is_rc 0 "hostile host names: exit 0"
! grep -q '<b>x</b>' "$T_TMP/r9/index.html" && grep -q '&lt;b&gt;x&lt;/b&gt;' "$T_TMP/r9/index.html"
ok $? "HTML: a host name is escaped"
grep -qF '\<b\>x\</b\> \| \*y\*' "$T_TMP/r9/report.md"
ok $? "Markdown: a host name is escaped"
run "$LOCUS" report --text "$F"/node0*.json
! grep -q $'\e' "$out" && grep -q 'evil?\[31mred?line' "$out"
ok $? "--text: control characters from a host name are not printed"

# Two files from the same host (same env.host): hosts are named by file.
F=$T_TMP/f10
$MAKE_FLEET "$SMALL" "$F" 3 --env 2:host=node01 --slow 3:bandwidth:0.8
run "$LOCUS" report --no-plots "$F"/node0*.json -o "$T_TMP/r10"
fleet_json "$T_TMP/r10" 'd["outliers"] == ["node03.json"] and sorted(h["name"] for h in d["hosts"]) == ["node01.json", "node02.json", "node03.json"]' \
	"the same host name twice: every host named by its file"

# ------------------------------------------------------------ overlaid knee labels
# Two hosts with the same TLB and cache knees plus a third: every host's knee is drawn,
# but no two labels sit on each other (identical coordinates, or rotated labels closer
# than a third of an octave on a log axis).
F=$T_TMP/f11
mkdir -p "$F"
cp "$FIXTURES/results/zen5-epyc-quick.json" "$F/a.json"
cp "$FIXTURES/results/zen5-epyc-quick.json" "$F/b.json"
cp "$FIXTURES/results/guest-2node-quick.json" "$F/c.json"
run "$LOCUS" report --no-plots "$F"/a.json "$F"/b.json "$F"/c.json -o "$T_TMP/r11"
is_rc 0 "fleet of three with shared knees: exit 0"
python3 - "$T_TMP/r11/figures" <<'PY'
import glob, math, re, sys
bad, knees = [], 0
for gp in sorted(glob.glob(sys.argv[1] + "/*.gp")):
    text = open(gp).read()
    logx = re.search(r"^set logscale x", text, re.M) is not None
    labs = [(t, float(x), y) for t, x, y in
            re.findall(r"^set label \d+ '([^']+)' at ([0-9.e+-]+), graph ([0-9.]+) rotate", text, re.M)]
    knees += sum("knee" in t for t, _, _ in labs)
    for i in range(len(labs)):
        for j in range(i + 1, len(labs)):
            (ta, xa, ya), (tb, xb, yb) = labs[i], labs[j]
            if ya != yb:
                continue
            near = xa == xb or (logx and xa > 0 and xb > 0 and abs(math.log(xb / xa)) < math.log(1.26))
            if near:
                bad.append("%s: %r at %g and %r at %g" % (gp.split("/")[-1], ta, xa, tb, xb))
for b in bad[:4]:
    print("# collides:", b)
if not knees:
    print("# no knee label found")
sys.exit(1 if bad or not knees else 0)
PY
ok $? "overlaid knee labels: none on top of another"
grep -h "^set label .*knee" "$T_TMP/r11/figures"/*.gp | grep -q "(a.json, b.json)"
ok $? "a knee two hosts share is labelled once, naming both"
python3 - "$T_TMP/r11/figures" <<'PY'
import glob, re, sys
labs = [t for gp in glob.glob(sys.argv[1] + "/*.gp")
        for t in re.findall(r"^set label \d+ '([^']+)' at [^\n]* rotate", open(gp).read(), re.M)]
long = [t for t in labs if len(t) > 44]
print("# longer than the figure is tall:", long[:3]) if long else None
sys.exit(1 if long or not labs else 0)
PY
ok $? "no marker label longer than a figure is tall (44 characters)"
fleet_json "$T_TMP/r11" 'not [e for h in d["hosts"] for e in h["env"] if {e["value"], e["fleet_value"]} <= {"(absent)", "null"}]' \
	"fleet: a key absent on one host and null on another is no difference"
python3 - "$T_TMP/r11/fleet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = [e for h in d["hosts"] for e in h["env"] if e["key"] == "memory.total_bytes"]
print("# memory.total_bytes:", e)
sys.exit(0 if e and all(x["value"].endswith("iB") and x["fleet_value"].endswith("iB") for x in e) else 1)
PY
ok $? "fleet: a fingerprint size in bytes reads 1.443 GiB, not 1549131776"
python3 - "$T_TMP/r11/index.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', page)
bad = [c for c in cells if re.search(r"\de[+-]\d|^\d{7,}", c)]
print("# %d number cells; bad: %s" % (len(cells), bad[:5]))
sys.exit(1 if bad or len(cells) < 100 else 0)
PY
ok $? "HTML tables: no number in exponent form or with 7+ digits (one unit per row, scaled)"
# Knees are numbered as each host finds them: knee 1 of one host is not knee 1 of
# another, so they are not paired host by host (that paired two different knees as
# "tlb_reach knee=1"), and the report says so.
fleet_json "$T_TMP/r11" 'd["knees_not_compared"] > 0 and not [f for h in d["hosts"] for f in h["flags"] if f["metric"] in ("tlb_reach", "cache_size")]' \
	"fleet: knee positions are not compared by their number"
grep -q 'Not compared host by host: [0-9]* knee positions (.*tlb/tlb_reach' "$T_TMP/r11/index.html"
ok $? "fleet: the report says why the knees are left out"

done_testing
