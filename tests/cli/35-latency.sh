#!/bin/bash
# SPDX-License-Identifier: MIT
# 35-latency.sh — `locus bench latency`: the shape of its measurements (labels
# footprint_bytes, window, chains, page_size, stride_bytes), the single-cycle
# verification of every chain (and of each chain of a --chains K run), the locality
# window recorded, page-size verification both ways, hugetlb with an empty pool skipped
# with the reason, the derived level measurements, and bad options refused with exit 2.
# Tiny footprints, --reps 3: shape and verification, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

free2m=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo none)

run "$LOCUS" bench list
has_out '^latency ' "bench list shows latency"

run "$LOCUS" bench latency --help
is_rc 0 "bench latency --help exits 0"
has_out '[-]-window' "help lists --window"
has_out '[-]-chains' "help lists --chains"

FAST=(--reps 3 --warmup 0 --sample-ms 1)
run "$LOCUS" bench latency --sizes 4K,16K,64K,256K --window 64,full --chains 1,3 "${FAST[@]}" -o -
is_rc 0 "latency with two windows and two chain counts exits 0"
M='d["measurements"]'
L="[m for m in $M if m['metric'] == 'latency']"
json_check "d['schema'] == 'locus-result/1' and len($L) == 16" "16 latency measurements: 4 footprints x 2 windows x 2 chain counts"
json_check "all(m['bench'] == 'latency' and m['unit'] == 'ns' and m['higher_is_better'] is False for m in $L)" \
	"metric latency in ns, lower is better"
json_check "all(set(m['labels']) == {'footprint_bytes', 'window', 'chains', 'page_size', 'stride_bytes'} for m in $L)" \
	"labels are footprint_bytes, window, chains, page_size, stride_bytes"
json_check "sorted({(m['labels']['window'], m['labels']['chains']) for m in $L}) == [('64', 1), ('64', 3), ('full', 1), ('full', 3)]" \
	"windows 64/full and chains 1/3 in the labels"
json_check "sorted({m['labels']['footprint_bytes'] for m in $L}) == [4096, 16384, 65536, 262144]" "footprints as asked"
json_check "all(m['verified']['single_cycle'] is True and sum(m['verified']['cycle_lengths']) == m['verified']['elements'] == m['verified']['verify_steps'] for m in $L)" \
	"every chain verified as a single cycle over all its elements"
json_check "all(len(m['verified']['cycle_lengths']) == m['labels']['chains'] == m['verified']['chains'] for m in $L)" \
	"--chains K: K disjoint cycles"
json_check "all(m['labels']['stride_bytes'] == m['verified']['line_bytes'] and m['verified']['elements'] == m['labels']['footprint_bytes'] // m['labels']['stride_bytes'] for m in $L)" \
	"one element per cache line by default, stride labelled"
json_check "all(m['verified']['window_bytes'] == 64 * 4096 and m['verified']['group_elements'] == min(64 * 4096 // m['labels']['stride_bytes'], m['verified']['elements']) for m in $L if m['labels']['window'] == '64')" \
	"window 64: groups of 64 pages recorded"
json_check "all(m['verified']['window_bytes'] is None and m['verified']['group_elements'] == m['verified']['elements'] for m in $L if m['labels']['window'] == 'full')" \
	"window full: one group, fully random"
json_check "all(m['labels']['page_size'] == '4K' and m['verified']['page_size'] == '4K' and m['verified']['page_size_ok'] is True for m in $L)" \
	"default 4K pages, verified from smaps"
json_check "all(m['verified']['cpu_ok'] is True and m['verified']['loads_per_sample'] > 0 for m in $L)" \
	"pinned CPU checked, loads per sample recorded"
json_check "all(3 <= len(m['samples']) <= 6 and all(s > 0 for s in m['samples']) for m in $L)" "3 positive samples each"
EV="('PAPI_L1_DCM', 'PAPI_L2_TCM', 'PAPI_L3_TCM', 'PAPI_TLB_DM')"
json_check "all(isinstance(m['counters'][e], (int, float)) or (m['counters'][e] is None and isinstance(m['counters_unavailable'].get(e), str)) for m in $L for e in $EV)" \
	"each counter is a number, or null with a reason"
json_check "all(m['metric'] in ('latency', 'level_latency', 'level_latency_cycles', 'cache_size') for m in $M)" \
	"only the declared metrics"
json_check "all(m['labels']['chains'] == 1 and 'level' in m['labels'] for m in $M if m['metric'] != 'latency')" \
	"level measurements come from single-chain sweeps and name their level"
json_check "all('advertised_size_bytes' in m['verified'] and m['samples'][0] > 0 for m in $M if m['metric'] == 'cache_size')" \
	"inferred cache sizes sit next to the advertised size"

run "$LOCUS" bench latency --sizes 2M,4M --page-size THP "${FAST[@]}" -o -
is_rc 0 "THP exits 0"
json_check "len($L) == 2 and all(m['verified']['page_size_asked'] == 'THP' for m in $L)" "THP asked is recorded"
json_check "all((m['labels']['page_size'] == 'THP' and m['verified']['page_size'] == 'THP' and m['verified']['page_size_ok'] is True) or (m['labels']['page_size'] != 'THP' and any('THP' in w for w in warnings)) for m in $L)" \
	"THP asked: verified THP, or labelled with what it got plus a warning"

run "$LOCUS" bench latency --sizes 8K,32K --stride 128 "${FAST[@]}" -o -
is_rc 0 "--stride 128 exits 0"
json_check "all(m['labels']['stride_bytes'] == 128 and m['verified']['elements'] == m['labels']['footprint_bytes'] // 128 for m in $L)" \
	"--stride sets and labels the element spacing"

if [ "$free2m" = 0 ]; then
	run "$LOCUS" bench latency --sizes 64K --page-size 2M "${FAST[@]}" -o -
	is_rc 3 "2M with an empty pool: skipped, exit 3"
	json_check "len($M) == 0 and any(s['labels'].get('page_size') == '2M' and ('nr_hugepages' in s['reason'] or 'reserve' in s['reason']) for s in d['skipped'])" \
		"skip reason names nr_hugepages / how to reserve"
else
	echo "# 2M pool not empty here ($free2m free): empty-pool skip not tested"
fi

run "$LOCUS" bench latency --window 3
is_rc 2 "--window 3: exit 2"
one_line_err "'3'" "the error names the bad window"
run "$LOCUS" bench latency --chains 13
is_rc 2 "--chains 13: exit 2"
run "$LOCUS" bench latency --stride 100 --sizes 4K
is_rc 2 "a stride that is not a multiple of the line: exit 2"
one_line_err "100" "the error names the bad stride"
run "$LOCUS" bench latency --sizes 100T
is_rc 2 "working set beyond available memory: exit 2"
has_err "largest allowed" "the error names the largest allowed size"
run "$LOCUS" bench latency --page-size 3M
is_rc 2 "unknown page size: exit 2"

done_testing
