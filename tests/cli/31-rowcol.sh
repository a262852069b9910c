#!/bin/bash
# SPDX-License-Identifier: MIT
# 31-rowcol.sh — `locus bench rowcol`: the shape of its measurements (labels order, n,
# footprint_bytes), the checksum verification (every order equal to the closed form),
# counters null with a reason where they cannot be counted, N derived from footprints,
# edge tiles, and bad options refused with exit 2.  Tiny matrices, --reps 3: the test
# checks shape and verification, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run "$LOCUS" bench list
has_out '^rowcol ' "bench list shows rowcol"

run "$LOCUS" bench rowcol --help
is_rc 0 "bench rowcol --help exits 0"
has_out '[-]-sizes' "help lists --sizes"
has_out '[-]-order' "help lists --order"

run "$LOCUS" bench rowcol --n 16,40 --reps 3 --json
is_rc 0 "rowcol --n 16,40 exits 0"
M='d["measurements"]'
json_check "d['schema'] == 'locus-result/1' and len($M) == 6" "6 measurements: 3 orders x 2 sizes"
json_check "all(m['bench'] == 'rowcol' and m['metric'] == 'time_per_element' and m['unit'] == 'ns' and m['higher_is_better'] is False for m in $M)" \
	"metric time_per_element in ns, lower is better"
json_check "sorted((m['labels']['order'], m['labels']['n']) for m in $M) == sorted((o, n) for o in ('row', 'col', 'tiled') for n in (16, 40))" \
	"labels order x n cover row/col/tiled x 16/40"
json_check "all(set(m['labels']) == {'order', 'n', 'footprint_bytes'} for m in $M)" "labels are exactly order, n, footprint_bytes"
json_check "all(m['labels']['footprint_bytes'] == m['labels']['n'] ** 2 * 8 for m in $M)" "footprint_bytes is n*n*8"
json_check "all(3 <= len(m['samples']) <= 6 and all(s > 0 for s in m['samples']) for m in $M)" "3 positive samples each"
json_check "all(m['verified']['checksum_ok'] is True and m['verified']['checksum'] == m['verified']['expected'] for m in $M)" \
	"every order's checksum matches the closed form"
json_check "all(len({m['verified']['checksum'] for m in $M if m['labels']['n'] == n}) == 1 for n in (16, 40))" \
	"all orders give the same checksum at each n"
json_check "${M}[0]['verified']['checksum'] == '0x%016x' % ((256 * 257 // 2 * 0x9E3779B97F4A7C15) % 2**64)" \
	"the n=16 checksum is the closed form sum (k+1)*G"
json_check "all(m['verified']['elements_per_sample'] == m['verified']['passes_per_sample'] * m['labels']['n'] ** 2 for m in $M)" \
	"elements per sample recorded"
json_check "all(m['verified']['cpu_ok'] is True for m in $M)" "ran on the CPU it pinned to"
json_check "all(m['verified']['tile'] >= 1 for m in $M if m['labels']['order'] == 'tiled')" "tiled records its tile"
EV="('PAPI_L1_DCM', 'PAPI_L2_TCM', 'PAPI_L3_TCM', 'PAPI_TLB_DM')"
json_check "all(set($EV) <= set(m['counters']) for m in $M)" "L1, L2, L3 and TLB miss counters asked for"
json_check "all(isinstance(m['counters'][e], (int, float)) or (m['counters'][e] is None and isinstance(m['counters_unavailable'].get(e), str)) for m in $M for e in $EV)" \
	"each counter is a number, or null with a reason"
json_check "all(m['counters_per'] == 'element' for m in $M)" "counters are per element"

# Footprints: 32K gives sqrt(4096) = 64, a power of two, which is avoided (56).
run "$LOCUS" bench rowcol --sizes 32K --order col,row --reps 3 -o -
is_rc 0 "rowcol --sizes 32K exits 0"
json_check "sorted(m['labels']['order'] for m in $M) == ['col', 'row']" "--order selects the orders"
json_check "all(m['labels']['n'] == 56 and m['labels']['footprint_bytes'] == 56 * 56 * 8 for m in $M)" \
	"N from a footprint: whole lines, not a power of two"

# Edge tiles: 30 is not a multiple of 7.
run "$LOCUS" bench rowcol --n 30 --order tiled --tile 7 --reps 3 --json
is_rc 0 "rowcol with a tile that does not divide n exits 0"
json_check "len($M) == 1 and ${M}[0]['verified']['tile'] == 7 and ${M}[0]['verified']['checksum_ok'] is True" \
	"partial tiles are summed exactly once"

run "$LOCUS" bench rowcol --n 24 --reps 3
is_rc 0 "rowcol summary output exits 0"
has_out '^rowcol +time_per_element +order=col n=24 footprint_bytes=4608' "summary lists the measurements"
has_out '^ +[0-9.]+ (ns|µs|ms|s)  95% CI [0-9.]+\.\.[0-9.]+ +peak [0-9.]+ +n [0-9]+ +disturbed ' \
	"summary: median in a scaled unit, CI and peak in it, n, disturbed share, labelled"
w=$(python3 -c 'import sys; [print(len(l), l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]' "$out")
[ -z "$w" ]; ok $? "summary fits 80 columns${w:+: $w}"
! grep -q 'e+[0-9]' "$out"; ok $? "summary: no exponent in the numbers"

run "$LOCUS" bench rowcol --n 16 --sizes 32K
is_rc 2 "--n with --sizes exits 2"
one_line_err '[-]-sizes and --n' "the conflict is named"

run "$LOCUS" bench rowcol --order diagonal
is_rc 2 "an unknown order exits 2"
one_line_err "'diagonal'" "the bad order is named"

run "$LOCUS" bench rowcol --n 0
is_rc 2 "--n 0 exits 2"

run "$LOCUS" bench rowcol --sizes 100
is_rc 2 "a footprint below 512 bytes exits 2"

run "$LOCUS" bench rowcol --tile 0 --n 16
is_rc 2 "--tile 0 exits 2"

run "$LOCUS" bench rowcol --sizes 64T --reps 1
is_rc 2 "a matrix larger than the memory budget exits 2"
has_err 'largest allowed' "the largest allowed size is named"

done_testing
