#!/bin/bash
# SPDX-License-Identifier: MIT
# 57-report-scale.sh — report and compare stay near-linear in the number of
# measurements.  A result of 10,000 measurements of one bench
# (four series of 2,500 footprints) is reported (HTML, Markdown, CSV, figure scripts),
# printed as text and compared with itself.  Before the fix the figure code was cubic
# (2 s at 500 measurements, 14 s at 1,000, > 60 s at 2,000); now 10,000 take seconds.
# The bound below is generous (a shape check against a blow-up, not a timing target):
# the quadratic code would need about 25 minutes here.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
command -v timeout >/dev/null || skip_all "timeout not installed"
N=10000
BIG=$T_TMP/big.json
python3 - "$FIXTURES/results/report-small.json" "$BIG" "$N" <<'PY'
import json, random, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[3])
random.seed(1)
d["measurements"] = [{
    "bench": "latency", "metric": "latency", "unit": "ns", "higher_is_better": False,
    "labels": {"footprint_bytes": 4096 * (i // 4 + 1), "chain": ["page", "line"][i % 2],
               "page_size": ["4K", "2M"][(i // 2) % 2], "stride": 64},
    "samples": [random.uniform(1, 2) for _ in range(5)]} for i in range(n)]
d["skipped"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
ok $? "a result of $N measurements written"

run timeout 600 "$LOCUS" report --no-plots "$BIG" -o "$T_TMP/rep"
is_rc 0 "report of $N measurements finishes (bound 600 s)"
[ "$(($(wc -l <"$T_TMP/rep/data/latency.csv") - 1))" -eq $N ]
ok $? "the CSV has $N rows"
grep -q "index 3:" "$T_TMP/rep/figures/latency.dat" && ! grep -q "index 4:" "$T_TMP/rep/figures/latency.dat"
ok $? "the figure has the 4 series (chain x page_size), footprint on x"

run timeout 600 "$LOCUS" report --text "$BIG"
is_rc 0 "report --text of $N measurements finishes"

run timeout 600 "$LOCUS" compare "$BIG" "$BIG"
is_rc 0 "compare of $N measurements with itself finishes, nothing regressed"
has_out "0 regressed" "compare: the summary line"

done_testing
