#!/bin/bash
# SPDX-License-Identifier: MIT
# 55-report-capacity.sh — the capacity summary names what it measured correctly.
#
# Three fixtures: a real quick run of this project's AMD EPYC (Zen 5) VM, a real quick
# run in the 2-node QEMU guest (scripts/numa-guest; timings are TCG's, the shape is
# real), and a Cascade Lake shape (make-cascadelake.py).  Levels must be named L1, L2,
# L3 by the cache sizes hwloc reported, DRAM only from footprints of at least twice the
# last-level cache (else "not measured" and why), TLB reach once per page size, peak
# bandwidth as best and typical side by side in words, NUMA ratios beside SLIT only
# with two nodes, MemTotal against the nodes with the reason, and nothing but
# capacity (no branch or false-sharing lessons).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

RES=$FIXTURES/results

summary() { # FILE: the capacity summary of FILE's --text report, lines joined
	out=$T_TMP/out
	run "$LOCUS" report --text "$1"
	python3 - "$out" >"$T_TMP/cap.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read().split("\n\n")[0]
# join the wrapped continuation lines to their key
print(re.sub(r"\n {19}", " ", text))
PY
	out=$T_TMP/cap.txt
}

# ---------------------------------------------------------------- Zen 5 (real)
summary "$RES/zen5-epyc-quick.json"
is_rc 0 "Zen 5: report --text exits 0"
has_out '^  L1 +1\.[0-9]+ ns, 4 core cycles \(48 KiB per hwloc; latency bench, 4K pages' "Zen 5: L1 named from hwloc's 48 KiB, in ns and cycles"
has_out '^  L2 +3\.[0-9]+ ns, 14 core cycles \(1 MiB per hwloc' "Zen 5: L2 (1 MiB)"
has_out '^  L3 +[0-9.]+ ns, [0-9]+ core cycles \(32 MiB per hwloc' "Zen 5: L3 (32 MiB)"
has_out '^  DRAM +[0-9.]+ ns, [0-9]+ core cycles \(latency bench, 4K pages, median of the footprints from 64 MiB, at least 2x the 32 MiB L3\)' \
	"Zen 5: DRAM from footprints >= 2x the LLC, saying so"
has_out '^  Caution +L3 measured no faster than DRAM' "Zen 5 VM: an L3 no faster than DRAM is called out"
no_out 'plateau-[0-9]' "no level called plateau-N"
tlbl=$(grep '^  TLB reach' "$out")
[ "$(echo "$tlbl" | grep -o '4K pages' | wc -l)" -eq 1 ] && [ "$(echo "$tlbl" | grep -o 'THP pages' | wc -l)" -eq 1 ]
ok $? "TLB reach: each page size once"
has_out '^  TLB reach +4K pages [0-9.]+ MiB; THP pages [0-9.]+ KiB and [0-9.]+ MiB \(2 knees\)' "TLB reach: a page size's knees together, in MiB/KiB"
has_out '^  Peak bandwidth +[0-9.]+ GB/s best, [0-9.]+ GB/s typical \(bandwidth bench, [a-z]+ kernel, [0-9]+ threads?, (non-temporal|regular) stores, 64 MiB arrays; best = STREAM' \
	"peak bandwidth: best and typical side by side, kernel/threads/stores in words"
no_out 'kernel=|threads=|stores=|array_bytes=' "no raw labels in the summary"
has_out '^  Single thread +[0-9.]+ GB/s typical from one thread .*; 2 threads reach [0-9.]+x that' "single-thread bandwidth and scaling"
has_out '^  Memory +23\.54 GiB in all \(MemTotal\); 1 NUMA node: node 0 5\.963 GiB\. The nodes hold 17\.58 GiB less than MemTotal: the kernel.s per-node counts' \
	"memory: MemTotal and the node, with why they differ"
has_out '^  NUMA +one node: no remote memory' "one node: one sentence, no ratio"
no_out 'branch|false sharing|column-order|Observation' "only capacity facts (bench lessons stay in their sections)"
python3 - "$out" <<'PY'
import sys
for line in open(sys.argv[1]).read().splitlines()[1:]:
    if line.strip() and "(" not in line:
        print("# no source:", line); sys.exit(1)
PY
ok $? "every line says where it comes from"

# ---------------------------------------------------------------- Cascade Lake shape
summary "$RES/cascadelake-shape.json"
has_out '^  L1 +1\.6 ns, 4 core cycles \(32 KiB per hwloc' "Cascade Lake: L1 32 KiB, 4 cycles"
has_out '^  L2 +5\.6[0-9]* ns, 14 core cycles \(1 MiB per hwloc' "Cascade Lake: L2 1 MiB"
has_out '^  L3 +21 ns, 52 core cycles \(27\.5 MiB per hwloc' "Cascade Lake: L3 27.5 MiB"
has_out '^  DRAM +91\.5 ns, 229 core cycles \(.*from 64 MiB, at least 2x the 27\.5 MiB L3\)' "Cascade Lake: DRAM"
no_out 'Caution' "Cascade Lake: every level is a real plateau"

# DRAM not reachable: the sweep stops below 2x the LLC.
python3 - "$RES/cascadelake-shape.json" "$T_TMP/short.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["measurements"] = [m for m in d["measurements"]
                     if not (m["bench"] == "latency" and m["labels"].get("footprint_bytes", 0) > 33554432)]
json.dump(d, open(sys.argv[2], "w"))
PY
summary "$T_TMP/short.json"
has_out '^  DRAM +not measured: the largest footprint, 16 MiB, is less than twice the last-level cache \(2 x 27\.5 MiB\)' \
	"no footprint >= 2x LLC: DRAM is missing, with the reason"

# ---------------------------------------------------------------- 2-node guest
summary "$RES/guest-2node-quick.json"
has_out '^  L1 .*\(64 KiB per hwloc' "2-node: L1 64 KiB"
has_out '^  L2 .*\(512 KiB per hwloc' "2-node: L2 512 KiB"
has_out '^  L3 .*\(16 MiB per hwloc' "2-node: L3 16 MiB"
has_out '^  DRAM .*from 32 MiB, at least 2x the 16 MiB L3' "2-node: DRAM from 32 MiB"
has_out '^  NUMA latency +local [0-9.]+ ns, remote [0-9.]+ ns: remote takes [0-9.]+x the local latency; SLIT distance ratio 2\.00' \
	"2-node: local/remote latency beside the SLIT ratio"
has_out '^  NUMA bandwidth +local [0-9.]+ GB/s, remote [0-9.]+ GB/s' "2-node: local/remote bandwidth"
has_out '^  Memory +1\.443 GiB in all \(MemTotal\); 2 NUMA nodes: node 0 754\.6 MiB, node 1 722\.8 MiB \(env' \
	"2-node: memory per node, no false alarm when they add up"

# ---------------------------------------------------------------- 80 columns
run "$LOCUS" report --text "$RES/guest-2node-quick.json"
python3 - "$out" <<'PY'
import sys
text = open(sys.argv[1]).read().split("\n\n")[0]
long = [l for l in text.splitlines() if len(l) > 80]
print("# longer than 80:", long[:2]) if long else None
sys.exit(1 if long else 0)
PY
ok $? "the summary fits 80 columns"

# ---------------------------------------------------------------- terminal tables
run "$LOCUS" report --text "$RES/guest-2node-quick.json"
has_out '^  CPU\\mem +0 +1$' "NUMA matrix MLC-style: memory nodes across"
has_out '^ +0 +1[0-9.]+ +1[0-9.]+$' "NUMA matrix: node 0's row first (top left)"
has_out '^  function +best +avg +min +max +RFO$' "bandwidth as STREAM prints it: best, avg, min, max"
no_out 'bandwidth_rfo' "no duplicated RFO rows: the write-allocate figure is a column"
run "$LOCUS" report --text "$RES/zen5-epyc-quick.json"
python3 - "$out" <<'PY'
import re, sys
bad = []
item = False   # inside a skip, note or warning: its continuation lines are indented 4
for l in open(sys.argv[1], encoding="utf-8").read().splitlines():
    t = l.strip()
    if t.startswith(("skipped", "note", "warning", "File ")):
        item = True
        continue
    if item and l.startswith("    ") and not l.startswith("     "):
        continue
    item = False
    if re.search(r"\d\.?\d*e[+-]\d", t):
        bad.append(("exponent", t))
    if re.search(r"\b\w+_bytes=|\w+=\d", t):
        bad.append(("raw label", t))
for b in bad[:5]:
    print("# %s: %s" % b)
sys.exit(1 if bad else 0)
PY
ok $? "terminal tables: human units, labels in words (Zen 5 run)"
fits_80 "every line of the Zen 5 quick run's report --text fits 80 columns"
python3 - "$out" <<'PY'
import re, sys
# A skip reason wraps onto lines indented 4 (two more than the item), never onto a
# line that could be read as a new item or a table row of its own.
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
bad = []
for i, l in enumerate(lines):
    if l.startswith(("  skipped", "  note:")) and i + 1 < len(lines):
        n = lines[i + 1]
        if n.strip() and not re.match(r"^(  skipped|  note:|    \S)", n):
            bad.append(n)
print("# bad continuation:", bad[:2]) if bad else None
sys.exit(1 if bad else 0)
PY
ok $? "skip and note lines wrap with their continuations indented under them"
has_out '^    [^ ].*nr_hugepages=0' "the hugetlb skip reason is kept whole, wrapped"
has_out '^    page size 4K, touch first +[0-9.]+ +[0-9.]+–[0-9.]+ +s +[0-9]+$' "pagefault per GiB in seconds, not 2.5e9 ns"
has_out '^  ops_per_sec:$' "each metric heads its own table"
has_out 'M ops/s' "large rates scaled with a word prefix (M ops/s)"

# ---------------------------------------------------------------- 80 columns, every report
for f in guest-2node-quick.json cascadelake-shape.json; do
	run "$LOCUS" report --text "$RES/$f"
	fits_80 "every line of report --text $f fits 80 columns"
done
run "$LOCUS" report --text "$RES/zen5-epyc-quick.json" "$RES/guest-2node-quick.json" "$RES/cascadelake-shape.json"
fits_80 "a 3-file (fleet) report --text fits 80 columns"
has_out '^    \[3\] cascadelake-shape\.json$' "side by side: the files named once as [1] [2] [3]"
has_out '^    parameters +\[1\] +\[2\] +\[3\] +unit$' "side by side: a column per file, the unit column named"
no_out 'vs fleet [0-9.]+e[+-]|[0-9]{7} ns' "fleet values in human units (no 4.613e+07 ns, no 7408440 ns)"
run "$LOCUS" report --text --before "$RES/zen5-epyc-quick.json" --after "$RES/cascadelake-shape.json"
fits_80 "a before/after report --text fits 80 columns"
# newer runs label numa-latency with its footprint: a long "same for every row" wraps
python3 - "$RES/zen5-epyc-quick.json" "$T_TMP/labels.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    if m["bench"].startswith("numa-"):
        m["labels"].update({"footprint_bytes": 134217728, "traffic_bytes": 134217728})
json.dump(d, open(sys.argv[2], "w"))
PY
run "$LOCUS" report --text "$T_TMP/labels.json"
fits_80 "a long 'same for every row' line wraps within 80 columns"

done_testing
