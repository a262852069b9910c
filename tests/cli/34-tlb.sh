#!/bin/bash
# SPDX-License-Identifier: MIT
# 34-tlb.sh — `locus bench tlb`: the shape of its measurements (labels page_size,
# footprint_bytes, chain), the single-cycle verification of every chain, the page size
# read back from smaps both ways (4K asked → 4K verified; THP asked → THP verified, or
# relabelled with what it got plus a warning), hugetlb with an empty pool skipped with
# the reason and the command that reserves pages, counters null with a reason, and bad
# options refused with exit 2.  Tiny footprints, --reps 3: shape, never speed.
# Never passes --reserve-hugepages: tests must not change the host's hugepage pools.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

free2m=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo none)

run "$LOCUS" bench list
has_out '^tlb ' "bench list shows tlb"

run "$LOCUS" bench tlb --help
is_rc 0 "bench tlb --help exits 0"
has_out '[-]-reserve-hugepages' "help lists --reserve-hugepages"
has_out 'page-stride' "help names the page-stride chain"

FAST=(--reps 3 --warmup 0 --sample-ms 1)
run "$LOCUS" bench tlb --sizes 16K,64K,1M --page-size 4K,THP "${FAST[@]}" -o -
is_rc 0 "tlb on 4K and THP exits 0"
M='d["measurements"]'
L="[m for m in $M if m['metric'] == 'latency']"
json_check "d['schema'] == 'locus-result/1' and len($L) == 12" "12 latency measurements: 3 footprints x 2 chains x 2 page sizes"
json_check "all(m['bench'] == 'tlb' and m['unit'] == 'ns' and m['higher_is_better'] is False for m in $L)" \
	"metric latency in ns, lower is better"
json_check "all(set(m['labels']) in ({'page_size', 'footprint_bytes', 'chain'}, {'page_size', 'footprint_bytes', 'chain', 'page_size_asked'}) for m in $L)" \
	"labels are page_size, footprint_bytes, chain (+ page_size_asked when relabelled)"
json_check "sorted({m['labels']['footprint_bytes'] for m in $L}) == [16384, 65536, 1048576]" "footprints as asked"
json_check "all(sorted(m['labels']['chain'] for m in $L if m['labels']['footprint_bytes'] == f and m['verified']['page_size_asked'] == p) == ['all-lines', 'page-stride'] for f in (16384, 65536, 1048576) for p in ('4K', 'THP'))" \
	"both chains at every footprint and page size"
json_check "all(m['verified']['single_cycle'] is True and sum(m['verified']['cycle_lengths']) == m['verified']['elements'] == m['verified']['verify_steps'] for m in $L)" \
	"every chain verified as a single cycle over all its elements"
json_check "all(m['verified']['stride_bytes'] == 4096 and m['verified']['elements'] == m['labels']['footprint_bytes'] // 4096 for m in $L if m['labels']['chain'] == 'page-stride')" \
	"page-stride: one element per 4 KiB page"
json_check "all(m['verified']['stride_bytes'] == m['verified']['line_bytes'] and m['verified']['group_elements'] == 4096 // m['verified']['line_bytes'] for m in $L if m['labels']['chain'] == 'all-lines')" \
	"all-lines: every line, grouped by 4 KiB page"
json_check "all(m['labels']['page_size'] == '4K' and m['verified']['page_size'] == '4K' and m['verified']['page_size_ok'] is True for m in $L if m['verified']['page_size_asked'] == '4K')" \
	"4K asked: verified 4K from smaps, labelled 4K"
json_check "all((m['labels']['page_size'] == 'THP' and m['verified']['page_size'] == 'THP' and m['verified']['page_size_ok'] is True) or (m['labels']['page_size'] != 'THP' and m['labels'].get('page_size_asked') == 'THP' and any('THP' in w for w in warnings)) for m in $L if m['verified']['page_size_asked'] == 'THP')" \
	"THP asked: verified THP, or labelled with what it got plus a warning"
json_check "all(m['verified']['cpu_ok'] is True and m['verified']['loads_per_sample'] > 0 for m in $L)" \
	"pinned CPU checked, loads per sample recorded"
json_check "all(3 <= len(m['samples']) <= 6 and all(s > 0 for s in m['samples']) for m in $L)" "3 positive samples each"
EV="('PAPI_TLB_DM', 'PAPI_L1_DCM', 'perf::PAGE-FAULTS')"
json_check "all(isinstance(m['counters'][e], (int, float)) or (m['counters'][e] is None and isinstance(m['counters_unavailable'].get(e), str)) for m in $L for e in $EV)" \
	"each counter is a number, or null with a reason"
json_check "all(m['counters_per'] == 'load' for m in $L)" "counters are per load"
json_check "all(m['metric'] in ('latency', 'tlb_reach') for m in $M)" "only latency and tlb_reach metrics"
json_check "all(m['unit'] == 'bytes' and m['samples'][0] > 0 and m['verified']['entries'] > 0 and set(m['labels']) >= {'page_size', 'knee'} for m in $M if m['metric'] == 'tlb_reach')" \
	"tlb_reach (if a knee was found): bytes, with the entries it implies"

run "$LOCUS" bench tlb --sizes 16K,32K --chain page-stride --page-size 4K "${FAST[@]}" -o -
is_rc 0 "--chain page-stride alone exits 0"
json_check "{m['labels']['chain'] for m in $M if m['metric'] == 'latency'} == {'page-stride'}" "--chain selects the chain"

if [ "$free2m" = 0 ]; then
	run "$LOCUS" bench tlb --sizes 4M --page-size 2M "${FAST[@]}" -o -
	is_rc 3 "2M with an empty pool: skipped, exit 3"
	json_check "len($M) == 0 and any(s['labels'].get('page_size') == '2M' and ('nr_hugepages' in s['reason'] or 'reserve' in s['reason']) for s in d['skipped'])" \
		"skip reason names nr_hugepages / how to reserve"
	run "$LOCUS" bench tlb --sizes 64K --page-size 4K,2M "${FAST[@]}" -o -
	is_rc 0 "4K runs while 2M is skipped"
	json_check "all(m['labels']['page_size'] != '2M' for m in $M) and any(s['labels'].get('page_size') == '2M' for s in d['skipped'])" \
		"nothing reported under 2M, the skip is recorded"
else
	echo "# 2M pool not empty here ($free2m free): empty-pool skip not tested"
fi

run "$LOCUS" bench tlb --page-size 3M
is_rc 2 "unknown page size: exit 2"
one_line_err "3M" "the error names the bad value"
run "$LOCUS" bench tlb --chain zigzag
is_rc 2 "unknown chain: exit 2"
run "$LOCUS" bench tlb --sizes 100T
is_rc 2 "working set beyond available memory: exit 2"
has_err "largest allowed" "the error names the largest allowed size"
run "$LOCUS" bench tlb --sizes 1K
is_rc 2 "a footprint under one page: exit 2"

done_testing
