#!/bin/bash
# SPDX-License-Identifier: MIT
# 52-report-hostile.sh — a result file is input: no string in it reaches gnuplot, HTML,
# Markdown or a spreadsheet as code.
#
# tests/cli/hostile.py writes copies of the report fixtures where one class of string
# fields at a time (bench, metric, unit, label keys and values, everything else) carries
# payloads that would run `touch $T_TMP/pwned-...` if they reached gnuplot as code: a
# newline + EOD that ends the inline datablock, quotes that end a gnuplot string,
# backquotes (run inside double-quoted gnuplot strings), CRs, a trailing backslash, a
# macro; plus HTML, Markdown-link and spreadsheet-formula markup.  The same goes for
# result file names (multi-file and fleet reports) and --before/--after.  Checked: no
# marker file appears (neither while drawing nor when the saved NAME.gp is re-run), the
# script piped to gnuplot has only numbers inside its datablock, the figures are drawn,
# the HTML has no live markup, the Markdown no live link, the CSV no formula.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
command -v gnuplot >/dev/null || skip_all "gnuplot not installed: nothing to inject into"
HERE=$(cd "$(dirname "$0")" && pwd)
MARK=$T_TMP/pwned
H=$T_TMP/hostile

for src in report-small report-numa; do
	python3 "$HERE/hostile.py" "$FIXTURES/results/$src.json" "$H/$src" "$MARK" >/dev/null
done

# gnuplot that keeps a copy of every script piped to it.
GP=$T_TMP/gp-tee
SCRIPTS=$T_TMP/scripts
mkdir -p "$SCRIPTS"
cat >"$GP" <<EOF
#!/bin/sh
[ \$# -gt 0 ] && exec gnuplot "\$@"
f=\$(mktemp "$SCRIPTS/gp.XXXXXX")
cat >"\$f"
exec gnuplot "\$f"
EOF
chmod +x "$GP"

pwned() { # DESC: no marker file anywhere under T_TMP
	local found
	found=$(find "$T_TMP" -name 'pwned*' | head -n 3)
	[ -z "$found" ]
	ok $? "$1${found:+ (found: $found)}"
}

# Inside every `$data << EOD ... EOD` block: numbers, '?', NaN, blank lines only.
datablocks_numeric() { # DESC
	python3 - "$SCRIPTS" <<'PY'
import os, re, sys
num = re.compile(r'^\s*(([-+]?[0-9.]+([eE][-+]?[0-9]+)?|\?|NaN)\s*)*$')
bad = 0
for n in os.listdir(sys.argv[1]):
    inblock = False
    for line in open(os.path.join(sys.argv[1], n), errors='replace').read().split('\n'):
        if line.startswith('$data << EOD'):
            inblock = True
        elif line == 'EOD':
            inblock = False
        elif inblock and not num.match(line):
            print('#   %s: %r' % (n, line[:80])); bad += 1
sys.exit(1 if bad else 0)
PY
	ok $? "$1"
}

# The saved scripts, re-run by a user: cd DIR && gnuplot NAME.gp.
rerun_saved() { # DIR DESC
	local s=0 gp
	for gp in "$1"/figures/*.gp; do
		[ -e "$gp" ] || continue
		(cd "$1/figures" && gnuplot "${gp##*/}" >/dev/null 2>&1) || s=1
	done
	ok $s "$2: the saved scripts re-run cleanly"
}

# No live markup in the HTML, no live Markdown link, no CSV formula.
outputs_inert() { # DIR DESC
	python3 - "$1" <<'PY'
import csv, glob, os, re, sys
d = sys.argv[1]
bad = []
html = open(os.path.join(d, 'index.html')).read()
if re.search(r'<script', html, re.I): bad.append('html: <script')
if re.search(r'(href|src)\s*=\s*"?\s*javascript:', html, re.I): bad.append('html: javascript: link')
if re.search(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', html): bad.append('html: control character')
md = open(os.path.join(d, 'report.md')).read()
if re.search(r'(?<!\\)\]\(javascript', md): bad.append('md: live link')
if re.search(r'(?<!\\)<script', md): bad.append('md: raw <script')
if re.search(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', md): bad.append('md: control character')
for f in glob.glob(os.path.join(d, 'data', '*.csv')):
    for row in csv.reader(open(f, newline='')):
        for c in row:
            if c[:1] in ('=', '+', '@') or (c[:1] == '-' and not re.match(r'^-[0-9.eE+-]+$', c)):
                bad.append('csv: formula %r' % c[:40])
for b in bad[:5]:
    print('#   ' + b)
sys.exit(1 if bad else 0)
PY
	ok $? "$2: HTML, Markdown and CSV carry the strings as text"
}

check_report() { # DIR DESC   (after a run)
	is_rc 0 "$2: report exits 0"
	if [ "$2" = "report-small: hostile metric" ] || [ "$2" = "report-numa: hostile metric" ]; then
		# A known bench's figures draw its own metrics: with every metric renamed
		# report-small has nothing to plot; in report-numa every measurement gets a
		# metric of its own, so each "matrix" has one cell, which is a sentence,
		# not a figure (the metric's words then reach HTML and Markdown only).
		ok 0 "$2: figures drawn # SKIP no figure spec matches a renamed metric, one-cell matrices are not drawn"
	else
		ls "$1"/figures/*.svg >/dev/null 2>&1
		ok $? "$2: figures drawn"
	fi
	pwned "$2: nothing executed"
	datablocks_numeric "$2: datablocks carry only numbers"
	rerun_saved "$1" "$2"
	pwned "$2: nothing executed by the saved scripts"
	outputs_inert "$1" "$2"
	rm -f "$SCRIPTS"/gp.*
	find "$T_TMP" -name 'pwned*' -delete
}

# ---------------------------------------------------------------- every field class
for src in report-small report-numa; do
	for field in bench metric unit labels other; do
		R=$T_TMP/out-$src-$field
		run env LOCUS_GNUPLOT="$GP" "$LOCUS" report "$H/$src/$field.json" -o "$R" --format svg
		check_report "$R" "$src: hostile $field"
	done
done

# ---------------------------------------------------------------- file names
# No '/' in a file name: these payloads touch a file in gnuplot's directory.
NAMES=$T_TMP/names
mkdir -p "$NAMES"
cp "$FIXTURES/results/report-small.json" "$NAMES/a
EOD
system 'touch pwned-fn-eod'
x.json"
cp "$FIXTURES/results/report-small.json" "$NAMES/b' . system('touch pwned-fn-sq') . 'x.json"
cp "$FIXTURES/results/report-small.json" "$NAMES/c\" . system(\"touch pwned-fn-dq\") . \"\`touch pwned-fn-bq\`.json"
cp "$FIXTURES/results/report-small.json" "$NAMES/=HYPERLINK(1)<script>x.json"
R=$T_TMP/out-names
run env LOCUS_GNUPLOT="$GP" "$LOCUS" report "$NAMES"/* -o "$R" --format svg
check_report "$R" "hostile result file names (multi-file report)"

# ---------------------------------------------------------------- fleet and before/after
R=$T_TMP/out-fleet
run env LOCUS_GNUPLOT="$GP" "$LOCUS" report "$H/report-small/bench.json" \
	"$H/report-small/labels.json" "$H/report-small/other.json" "$NAMES"/* -o "$R" --format svg
check_report "$R" "fleet report of hostile files"

for field in bench labels other; do
	R=$T_TMP/out-ab-$field
	run env LOCUS_GNUPLOT="$GP" "$LOCUS" report --before "$H/report-small/$field.json" \
		--after "$NAMES/a
EOD
system 'touch pwned-fn-eod'
x.json" -o "$R" --format svg
	check_report "$R" "--before/--after, hostile $field"
done

done_testing
