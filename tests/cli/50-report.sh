#!/bin/bash
# SPDX-License-Identifier: MIT
# 50-report.sh — `locus report`: HTML, Markdown, CSV, figures and --text from result
# files, and its failure modes (bad input exit 2, unwritable directory exit 1, gnuplot
# missing or lacking a terminal: text parts still written, exit 1 with a clear message).
#
# Inputs: tests/fixtures/results/report-small.json (trimmed from a real `bench all
# --quick` run), report-numa.json (synthetic: a 2-node NUMA matrix and a c2c matrix,
# no summaries, hostile strings), the compare fixtures, and a tiny fresh rowcol run.  The produced files are validated with
# python3: the HTML is well-formed and self-contained, every SVG parses as XML, the
# CSV files round-trip, PNG/PDF have valid signatures.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
SMALL=$FIXTURES/results/report-small.json
NUMA=$FIXTURES/results/report-numa.json
HAVE_GNUPLOT=0
command -v gnuplot >/dev/null && HAVE_GNUPLOT=1

# ---------------------------------------------------------------- usage and bad input
run "$LOCUS" report --help
is_rc 0 "report --help exits 0"
has_out 'locus report RESULT.json' "help shows the synopsis"

run "$LOCUS" report
is_rc 2 "no result file: exit 2"
one_line_err 'no result file' "no result file: says so"

run "$LOCUS" report "$SMALL"
is_rc 2 "neither -o nor --text: exit 2"

run "$LOCUS" report --format svg,gif "$SMALL" -o "$T_TMP/x"
is_rc 2 "bad --format: exit 2"
one_line_err "'gif' is not one of svg, png, pdf" "bad --format: names the value and the choices"

printf 'this is { not json\n' >"$T_TMP/notjson.json"
run "$LOCUS" report "$T_TMP/notjson.json" -o "$T_TMP/bad1"
is_rc 2 "not JSON: exit 2"
one_line_err "notjson.json: not valid JSON" "not JSON: names the file"

printf '{"schema": "other/9", "measurements": []}\n' >"$T_TMP/schema.json"
run "$LOCUS" report --text "$T_TMP/schema.json"
is_rc 2 "wrong schema: exit 2"
one_line_err "schema.json: schema 'other/9'" "wrong schema: names the file and the schema"

printf '{"schema": "locus-result/1", "measurements": [{"bench": "x", "metric": "m", "labels": {}, "samples": [1], "higher_is_better": false}]}\n' >"$T_TMP/nounit.json"
run "$LOCUS" report --text "$T_TMP/nounit.json"
is_rc 2 "missing field: exit 2"
one_line_err "nounit.json: measurements\[0\]: missing field 'unit'" "missing field: names the file and the field"

: >"$T_TMP/plainfile"
run "$LOCUS" report "$SMALL" -o "$T_TMP/plainfile/sub"
is_rc 1 "unwritable output directory: exit 1"
one_line_err "$T_TMP/plainfile" "unwritable output directory: names the path"

# ---------------------------------------------------------------- --text
run "$LOCUS" report --text "$SMALL"
is_rc 0 "--text exits 0"
has_out '^== rowcol ==' "--text prints a table per benchmark"
has_out 'median +95% CI' "--text tables have median and CI columns"
has_out 'skipped .*placement' "--text lists the skips with their reason"
has_out 'hardware counters unavailable' "--text says why counters are missing"
[ ! -e "$T_TMP/index.html" ]
ok $? "--text alone writes no files"

# ---------------------------------------------------------------- the full report
R=$T_TMP/rep
run "$LOCUS" report "$SMALL" "$NUMA" -o "$R" --format svg,png,pdf
if [ $HAVE_GNUPLOT = 1 ]; then
	# PNG/PDF may be impossible with a gnuplot built without cairo: then exit 1 and
	# a message naming the format; SVG must always work.
	[ $rc -eq 0 ] || { [ $rc -eq 1 ] &&
		grep -Eq 'pdf figures cannot be produced|png figures cannot be produced' "$err"; }
	ok $? "report with figures exits 0 (or 1 naming a format this gnuplot cannot draw)"
else
	is_rc 1 "report without gnuplot exits 1"
fi
for f in index.html report.md data/rowcol.csv data/latency.csv data/numa.csv \
	figures/latency.gp figures/latency.dat figures/numa.gp; do
	[ -s "$R/$f" ]
	ok $? "report writes $f"
done

python3 - "$R/index.html" <<'PY'
import html.parser, re, sys, xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad = [], []
    def handle_starttag(self, t, a):
        if t not in VOID:
            self.stack.append(t)
    def handle_endtag(self, t):
        if t in VOID:
            return
        if self.stack and self.stack[-1] == t:
            self.stack.pop()
        else:
            self.bad.append((t, self.getpos()))
p = P(); p.feed(s); p.close()
if p.bad or p.stack:
    print("# unbalanced tags:", p.bad[:3], p.stack[-3:]); sys.exit(1)
if not s.startswith("<!DOCTYPE html>"):
    print("# no doctype"); sys.exit(1)
for svg in re.findall(r"<svg\b.*?</svg>", s, re.S):
    ET.fromstring(svg)
PY
ok $? "index.html is well-formed and its inline SVGs parse as XML"

python3 - "$R/index.html" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
ext = re.findall(r"""(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//""", s, re.I)
ext += re.findall(r"url\(\s*['\"]?(?:https?:)?//", s, re.I)
ext += re.findall(r"@import", s)
sys.exit(1 if ext or "<script" in s.lower() or "<link" in s.lower() else 0)
PY
ok $? "index.html is self-contained: no external URLs, scripts or links to stylesheets"

grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$R/index.html"
ok $? "index.html escapes strings from the result file"
grep -q 'Synthetic CPU &amp; &lt;b&gt;co&lt;/b&gt;' "$R/index.html"
ok $? "index.html escapes the machine summary"
grep -q '1G pages not reserved &lt;nr_hugepages=0&gt;' "$R/index.html"
ok $? "index.html shows a skip with its reason"
grep -q 'hardware counters unavailable: no hardware PMU' "$R/index.html" ||
	grep -q 'hardware counters unavailable' "$R/index.html"
ok $? "index.html says why counters are missing"
for b in machine bench-rowcol bench-branch bench-falseshare bench-latency bench-bandwidth bench-numa; do
	grep -q "<section id=\"$b\">" "$R/index.html"
	ok $? "index.html has section $b"
done

for b in Machine rowcol branch falseshare latency bandwidth numa; do
	grep -q "^## $b\$" "$R/report.md"
	ok $? "report.md has section $b"
done
grep -q '](figures/latency.svg)' "$R/report.md"
ok $? "report.md links the figures"

python3 - "$R/data" "$SMALL" "$NUMA" <<'PY'
import csv, glob, io, json, os, sys
d = sys.argv[1]
want = {}
for path in sys.argv[2:]:
    for m in json.load(open(path))["measurements"]:
        want[m["bench"]] = want.get(m["bench"], 0) + 1
files = sorted(glob.glob(os.path.join(d, "*.csv")))
assert {os.path.basename(f)[:-4] for f in files} == set(want), files
for f in files:
    text = open(f, newline="").read()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head, body = rows[0], rows[1:]
    assert len(body) == want[os.path.basename(f)[:-4]], (f, len(body))
    assert all(len(r) == len(head) for r in body), f
    assert "median" in head and "ci_low" in head and "n" in head, head
    # Round trip: writing the parsed rows again and reading them back gives the same.
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == rows, f
    for r in body:
        float(r[head.index("median")])
numa = list(csv.DictReader(open(os.path.join(d, "numa.csv"), newline="")))
assert numa[0]["label:note"] == 'a,b "q" <i>', numa[0]["label:note"]
PY
ok $? "CSV files: one row per measurement, quoting round-trips"

if [ $HAVE_GNUPLOT = 1 ]; then
	n=0
	for f in "$R"/figures/*.svg; do
		python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$f" || n=$((n + 1))
	done
	[ $n -eq 0 ] && [ -s "$R/figures/latency.svg" ] && [ -s "$R/figures/numa.svg" ]
	ok $? "every figure is drawn as SVG and parses as XML"
	[ -s "$R/figures/c2c.svg" ] && grep -q '>110<' "$R/figures/c2c.svg"
	ok $? "a matrix (cpu_a x cpu_b) becomes an annotated heatmap"
	grep -q 'Memory latency staircase' "$R/figures/latency.svg" &&
		grep -q 'L2 2 MiB' "$R/figures/latency.svg"
	ok $? "latency figure has its title and the cache-size markers"
	if [ -e "$R/figures/latency.png" ]; then
		python3 - "$R/figures/latency.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR"
w, h = struct.unpack(">II", b[16:24])
sys.exit(0 if 200 <= w <= 5000 and 150 <= h <= 5000 else 1)
PY
		ok $? "PNG figure has a valid signature and sane dimensions"
	fi
	if [ -e "$R/figures/latency.pdf" ]; then
		head -c 5 "$R/figures/latency.pdf" | grep -q '%PDF-'
		ok $? "PDF figure has a valid signature"
	fi

	# Counters measured (a machine with a PMU): the mispredict rate is written on the bars.
	python3 - "$SMALL" "$T_TMP/msp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["measurements"]:
    if m["bench"] == "branch":
        hard = m["labels"]["data"] == "random" and m["labels"]["variant"] == "branchy"
        m["counters"]["mispredict_rate"] = 0.45 if hard else 0.002
json.dump(d, open(sys.argv[2], "w"))
PY
	run "$LOCUS" report "$T_TMP/msp.json" -o "$T_TMP/msp"
	is_rc 0 "report with branch counters exits 0"
	grep -q '>45.0%<' "$T_TMP/msp/figures/branch.svg"
	ok $? "branch figure: the mispredict rate is written above the bars"

	# A gnuplot without the cairo terminals: PDF is refused by name, PNG falls back to
	# the libgd terminal, SVG still works, everything else is written.
	cat >"$T_TMP/gnuplot-nocairo" <<'EOF'
#!/bin/sh
if [ "$1" = "-e" ]; then echo " dumb png svg"; exit 0; fi
exec gnuplot "$@"
EOF
	chmod +x "$T_TMP/gnuplot-nocairo"
	run env LOCUS_GNUPLOT="$T_TMP/gnuplot-nocairo" "$LOCUS" report "$SMALL" -o "$T_TMP/nocairo" --format svg,pdf
	is_rc 1 "gnuplot without pdfcairo, --format pdf: exit 1"
	# err_line, not one_line_err: followed by "written, but some figures are missing": two lines
	err_line 'pdf figures cannot be produced: .*pdfcairo' "the missing PDF terminal is named"
	[ -s "$T_TMP/nocairo/figures/rowcol.svg" ] && [ -s "$T_TMP/nocairo/index.html" ]
	ok $? "without pdfcairo the SVG figures and the HTML are still written"

	# gnuplot failing on the script: exit 1 naming the kept script.
	# shellcheck disable=SC2016  # the fake gnuplot's own $1, not this script's
	printf '#!/bin/sh\nif [ "$1" = "-e" ]; then echo svg; exit 0; fi\ncat >/dev/null; exit 3\n' >"$T_TMP/gnuplot-fails"
	chmod +x "$T_TMP/gnuplot-fails"
	run env LOCUS_GNUPLOT="$T_TMP/gnuplot-fails" "$LOCUS" report "$SMALL" -o "$T_TMP/gpfail"
	is_rc 1 "gnuplot failing: exit 1"
	has_err 'rowcol.gp: gnuplot failed \(exit status 3\)' "gnuplot failing: names the script and the status"
	[ -s "$T_TMP/gpfail/index.html" ]
	ok $? "gnuplot failing: the HTML is still written"
fi

# ---------------------------------------------------------------- gnuplot missing
run env PATH=/nonexistent LOCUS_GNUPLOT= "$LOCUS" report "$SMALL" -o "$T_TMP/nogp"
is_rc 1 "gnuplot missing: exit 1"
has_err 'gnuplot.*install the gnuplot-nox package' "gnuplot missing: names the package to install"
[ -s "$T_TMP/nogp/index.html" ] && [ -s "$T_TMP/nogp/report.md" ] && [ -s "$T_TMP/nogp/data/rowcol.csv" ]
ok $? "gnuplot missing: the text parts are still written"
[ -s "$T_TMP/nogp/figures/rowcol.gp" ] && [ -s "$T_TMP/nogp/figures/rowcol.dat" ] && [ ! -e "$T_TMP/nogp/figures/rowcol.svg" ]
ok $? "gnuplot missing: scripts and data saved, no images"
grep -q 'gnuplot is not installed' "$T_TMP/nogp/index.html"
ok $? "gnuplot missing: the HTML says why a figure is absent"

run "$LOCUS" report --no-plots "$SMALL" -o "$T_TMP/noplots"
is_rc 0 "--no-plots exits 0"
[ -s "$T_TMP/noplots/figures/branch.gp" ] && [ ! -e "$T_TMP/noplots/figures/branch.svg" ]
ok $? "--no-plots saves scripts and draws nothing"

# ---------------------------------------------------------------- capacity summary
run "$LOCUS" report --text "$SMALL" "$NUMA"
is_rc 0 "--text with two files exits 0"
has_out '^Capacity planning summary \(report-small.json\)' "capacity summary per file"
has_out 'Peak bandwidth +[0-9.]+ GB/s' "capacity summary: peak bandwidth"
has_out '^  L1 +[0-9.]+ ns, [0-9]+ core cycles \(48 KiB per hwloc' "capacity summary: levels named by hwloc's cache sizes"
has_out '^  NUMA latency +local .* remote takes 1\.68x' "capacity summary: remote/local ratio from the NUMA matrix"
has_out 'source report-numa.json' "several files: each measurement is labelled with its file"
grep -q '<section id="summary">' "$R/index.html" && grep -q '^## Capacity planning summary' "$R/report.md"
ok $? "the capacity summary is in index.html and report.md"

# ---------------------------------------------------------------- fleet view
mkdir -p "$T_TMP/h1" "$T_TMP/h2"
cp "$FIXTURES/results/base.json" "$T_TMP/h1/run.json"
cp "$FIXTURES/results/faster.json" "$T_TMP/h2/run.json"
run "$LOCUS" report --text "$T_TMP/h1/run.json" "$T_TMP/h2/run.json"
is_rc 0 "fleet: two hosts' files exit 0"
has_out "side by side, median per file" "fleet: a side-by-side table per benchmark"
has_out "^    page size 4K, footprint 1 GiB +100\.1 +80\.06 +ns$" \
	"fleet: one row per measurement, one column per host"
has_out '^    \[1\] .*h1/run\.json$' "fleet: files with the same base name are told apart by path (1)"
has_out '^    \[2\] .*h2/run\.json$' "fleet: files with the same base name are told apart by path (2)"
grep -q 'Side by side (median per file)' "$R/index.html"
ok $? "fleet: the side-by-side table is in index.html"

# ---------------------------------------------------------------- before / after
RES=$FIXTURES/results
run "$LOCUS" report --before "$RES/base.json"
is_rc 2 "--before without --after: exit 2"
run "$LOCUS" report --before "$RES/base.json" --after "$RES/slower.json" --text --no-plots -o "$T_TMP/ab"
is_rc 0 "--before/--after exits 0"
ab_rows
has_out '^Before / after' "--before/--after: the side-by-side table"
has_out 'tlb/latency\{footprint_bytes=1073741824,page_size=4K\} +regressed +100\.1 ns +120\.1 ns +\+20\.0%' \
	"--before/--after: medians, change in % and verdict"
grep -q '<section id="before-after">' "$T_TMP/ab/index.html" && grep -q '^## Before / after' "$T_TMP/ab/report.md"
ok $? "--before/--after: a section in index.html and report.md"
grep -q 'source=before' "$T_TMP/ab/figures/tlb.dat" || grep -q 'before' "$T_TMP/ab/figures/tlb.dat"
ok $? "--before/--after: figures overlay before and after"
run "$LOCUS" report --before "$RES/base.json" --after "$RES/otherenv.json" --no-plots -o "$T_TMP/ab2"
is_rc 0 "--before/--after with different fingerprints exits 0"
grep -q 'What changed' "$T_TMP/ab2/index.html" && grep -q '<th>kernel.release</th>' "$T_TMP/ab2/index.html"
ok $? "--before/--after: the settings that differ are listed"

# ---------------------------------------------------------------- a fresh result
run "$LOCUS" bench rowcol --reps 3 --warmup 0 --n 16,24 -o "$T_TMP/fresh.json"
if [ $rc -eq 0 ]; then
	run "$LOCUS" report --no-plots --text "$T_TMP/fresh.json" -o "$T_TMP/fresh"
	is_rc 0 "report of a fresh rowcol run exits 0"
	has_out 'order col, n 24' "the fresh run's measurements are in the tables"
	[ "$(grep -c '' "$T_TMP/fresh/data/rowcol.csv")" -eq 7 ]
	ok $? "the fresh run's CSV has a header and 6 rows"
else
	echo "# bench rowcol failed (exit $rc): fresh-run checks not run"
fi

done_testing
