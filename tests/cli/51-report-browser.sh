#!/bin/bash
# SPDX-License-Identifier: MIT
# 51-report-browser.sh — open the HTML report in a real browser (headless Chromium).
#
# The report must render without a network, scripts or external files: Chromium loads
# index.html from disk with networking features off, dumps the DOM (the page loaded and
# holds every section and inline figure) and takes a screenshot, which must not be
# blank.  Skipped when chromium is not installed (Debian: apt-get install chromium).
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROMIUM" ] || skip_all "chromium not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
command -v gnuplot >/dev/null || skip_all "gnuplot not installed (the page would have no figures)"

R=$T_TMP/rep
run "$LOCUS" report "$FIXTURES/results/report-small.json" "$FIXTURES/results/report-numa.json" -o "$R"
is_rc 0 "report written"

browse() { # OUTPUT-OPTION...
	local profile
	profile=$(mktemp -d "$T_TMP/profile.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --disable-extensions --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 "$@" "file://$R/index.html"
}

browse --dump-dom >"$T_TMP/dom.html" 2>"$T_TMP/dom.err"
s=$?
[ $s -eq 0 ] && grep -q '<h1>locus report</h1>' "$T_TMP/dom.html"
ok $? "chromium loads the page (exit $s)"
n_svg=$(grep -o '<svg' "$T_TMP/dom.html" | wc -l)
[ "$n_svg" -ge 6 ]
ok $? "the loaded page holds the inline figures ($n_svg svg elements)"
for b in rowcol branch falseshare latency bandwidth numa; do
	grep -q "id=\"bench-$b\"" "$T_TMP/dom.html"
	ok $? "the loaded page has section $b"
done
# Console errors and failed loads are logged as CONSOLE(...) / net::ERR_ lines.
! grep -Eq 'CONSOLE\(|Uncaught|net::ERR_|Failed to load resource' "$T_TMP/dom.err"
ok $? "no console errors or failed resource loads"

browse --screenshot="$T_TMP/shot.png" --window-size=1200,2000 >/dev/null 2>"$T_TMP/shot.err"
[ -s "$T_TMP/shot.png" ]
ok $? "chromium takes a screenshot"

# Not blank: decode the PNG's rows (zlib) and count distinct rows.  A uniform image
# gives the same filtered row over and over whatever the PNG filter; a rendered page
# with text, tables and plots gives hundreds.
python3 - "$T_TMP/shot.png" <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
w = h = None
while pos < len(b):
    n, t = struct.unpack(">I4s", b[pos:pos + 8])
    data = b[pos + 8:pos + 8 + n]
    if t == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", data[:10])
        bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
    elif t == b"IDAT":
        idat += data
    pos += 12 + n
raw = zlib.decompress(idat)
stride = 1 + w * bpp
rows = {raw[i * stride:(i + 1) * stride] for i in range(h)}
values = len(set(raw[::97]))
print(f"# screenshot {w}x{h}: {len(rows)} distinct rows, {values} distinct sampled bytes")
sys.exit(0 if w >= 800 and h >= 800 and len(rows) > 100 and values > 20 else 1)
PY
ok $? "the screenshot is not blank"

done_testing
