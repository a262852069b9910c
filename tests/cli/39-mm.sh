#!/bin/bash
# SPDX-License-Identifier: MIT
# 39-mm.sh — the memory-management benches (pagefault, fork, malloc, overcommit): the
# shape of their measurements, their labels, the verification fields (page size from
# smaps, faults counted, residency, malloc path, overcommit tunables and predictions),
# hugetlb with an empty pool skipped with the reason and the command that reserves
# pages, and bad options refused with exit 2.  Small sizes and --reps 3: shape, never
# speed.  Never passes --reserve-hugepages and never writes a sysctl: tests must not
# change the host's settings.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

free2m=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo none)
FAST=(--reps 3 --warmup 0)
M='d["measurements"]'

for b in pagefault fork malloc overcommit; do
	run "$LOCUS" bench list
	has_out "^$b " "bench list shows $b"
done

# ---- pagefault
run "$LOCUS" bench pagefault --help
is_rc 0 "bench pagefault --help exits 0"
has_out '[-]-reserve-hugepages' "help lists --reserve-hugepages"

run "$LOCUS" bench pagefault --page-size 4K,THP --size 4M "${FAST[@]}" -o -
is_rc 0 "pagefault on 4K and THP exits 0"
json_check "len($M) == 12 and {m['metric'] for m in $M} == {'page_time', 'gib_time', 'minor_faults'}" \
	"12 measurements: 3 metrics x first/second x 2 page sizes"
json_check "all(set(m['labels']) in ({'page_size', 'touch'}, {'page_size', 'touch', 'page_size_asked'}) for m in $M)" \
	"labels are page_size, touch (+ page_size_asked when relabelled)"
json_check "sorted((m['verified']['page_size_asked'], m['labels']['touch']) for m in $M if m['metric'] == 'page_time') == [('4K', 'first'), ('4K', 'second'), ('THP', 'first'), ('THP', 'second')]" \
	"first and second touch for each page size"
json_check "all(m['labels']['page_size'] == '4K' and m['verified']['page_size_ok'] is True and m['verified']['page_bytes'] == 4096 for m in $M if m['verified']['page_size_asked'] == '4K')" \
	"4K asked: verified 4K from smaps"
json_check "all((m['labels']['page_size'] == 'THP' and m['verified']['page_size_ok'] is True) or (m['labels'].get('page_size_asked') == 'THP' and any('THP' in w for w in warnings)) for m in $M if m['verified']['page_size_asked'] == 'THP')" \
	"THP asked: verified THP, or relabelled with a warning"
json_check "all(m['verified']['minor_faults_per_sample'] >= m['verified']['pages'] * 0.9 and m['verified']['page_size_ok_every_sample'] in (True, False) and 3 <= m['verified']['samples_verified'] <= 6 for m in $M if m['labels']['touch'] == 'first' and m['labels']['page_size'] == m['verified']['page_size_asked'])" \
	"first touch: at least one minor fault per page (getrusage), every sample verified"
json_check "all(m['verified']['minor_faults_per_sample'] == 0 for m in $M if m['labels']['touch'] == 'second')" \
	"second touch: no fault"
json_check "all(m['unit'] == {'page_time': 'ns', 'gib_time': 'ms', 'minor_faults': 'faults/GiB'}[m['metric']] and m['higher_is_better'] is False and 3 <= len(m['samples']) <= 6 for m in $M)" \
	"units ns / ms / faults per GiB, lower is better, 3 samples each"
json_check "all(isinstance(m['counters']['perf::PAGE-FAULTS'], (int, float)) or (m['counters']['perf::PAGE-FAULTS'] is None and isinstance(m['counters_unavailable'].get('perf::PAGE-FAULTS'), str)) for m in $M if m['metric'] == 'page_time')" \
	"perf::PAGE-FAULTS is a number, or null with a reason"
json_check "all(m['verified']['region_bytes'] >= 4194304 and 'first touch' in m['verified']['placement_decided_by'] and m['verified']['first_touch_cpu'] >= 0 for m in $M)" \
	"region size, first-touch CPU and what decided the placement recorded"
json_check "all(m['verified']['local_fraction'] in (None, 1.0) for m in $M)" \
	"no policy: sampled pages on the touching CPU's node (or not checkable)"

run "$LOCUS" bench pagefault --page-size 4K --size 1M --touch second "${FAST[@]}" -o -
is_rc 0 "--touch second alone exits 0"
json_check "{m['labels']['touch'] for m in $M} == {'second'}" "--touch selects the touches"

run "$LOCUS" bench pagefault --page-size 4K --size 1M --membind 0 "${FAST[@]}" -o -
is_rc 0 "pagefault with --membind 0 exits 0"
json_check "all(m['verified']['policy'] == 'bind' and m['verified']['nodes_asked'] == [0] and m['verified']['placement_ok'] in (None, 1.0) for m in $M)" \
	"--membind: the policy and the placement found are recorded"

if [ "$free2m" = 0 ]; then
	run "$LOCUS" bench pagefault --page-size 2M --size 4M "${FAST[@]}" -o -
	is_rc 3 "pagefault 2M with an empty pool: skipped, exit 3"
	json_check "len($M) == 0 and any(s['labels'].get('page_size') == '2M' and 'nr_hugepages' in s['reason'] for s in d['skipped'])" \
		"the skip names nr_hugepages and how to reserve"
else
	echo "# 2M pool not empty here ($free2m free): empty-pool skip not tested"
fi

run "$LOCUS" bench pagefault --page-size 3M
is_rc 2 "pagefault: unknown page size: exit 2"
one_line_err "3M" "the error names the bad value"
run "$LOCUS" bench pagefault --size 100T
is_rc 2 "pagefault: a region beyond available memory: exit 2"
has_err "largest allowed" "the error names the largest allowed size"
run "$LOCUS" bench pagefault --touch third
is_rc 2 "pagefault: unknown touch: exit 2"

# ---- fork
run "$LOCUS" bench fork --page-size 4K,THP --resident 2M,8M "${FAST[@]}" -o -
is_rc 0 "fork on 4K and THP exits 0"
json_check "len($M) == 4 and all(m['metric'] == 'fork_latency' and m['unit'] == 'ns' and m['higher_is_better'] is False and 3 <= len(m['samples']) <= 6 for m in $M)" \
	"4 fork_latency measurements in ns, 3 samples each"
json_check "all(set(m['labels']) in ({'page_size', 'resident_bytes'}, {'page_size', 'resident_bytes', 'page_size_asked'}) for m in $M)" \
	"labels are page_size, resident_bytes (+ page_size_asked when relabelled)"
json_check "sorted((m['verified']['page_size_asked'], m['labels']['resident_bytes']) for m in $M) == [('4K', 2097152), ('4K', 8388608), ('THP', 2097152), ('THP', 8388608)]" \
	"each page size at each resident size"
json_check "all(m['verified']['resident_ok'] is True and m['verified']['rss_bytes'] >= 0.9 * m['labels']['resident_bytes'] and m['verified']['children_failed'] == 0 for m in $M)" \
	"residency verified from smaps, every child exited 0"
json_check "all(m['labels']['page_size'] == '4K' and m['verified']['page_size_ok'] is True for m in $M if m['verified']['page_size_asked'] == '4K')" \
	"4K asked: verified 4K"
json_check "all((m['labels']['page_size'] == 'THP' and m['verified']['page_size_ok'] is True) or m['labels'].get('page_size_asked') == 'THP' for m in $M if m['verified']['page_size_asked'] == 'THP')" \
	"THP asked: verified THP, or relabelled"
json_check "all(m['counters_per'] == 'fork' and all(isinstance(v, (int, float)) or (v is None and isinstance(m['counters_unavailable'].get(e), str)) for e, v in m['counters'].items()) for m in $M)" \
	"counters per fork, each a number or null with a reason"
if [ "$free2m" = 0 ]; then
	run "$LOCUS" bench fork --page-size 4K,2M --resident 2M "${FAST[@]}" -o -
	is_rc 0 "fork: 4K runs while 2M is skipped"
	json_check "all(m['labels']['page_size'] == '4K' for m in $M) and any(s['labels'].get('page_size') == '2M' and 'nr_hugepages' in s['reason'] for s in d['skipped'])" \
		"fork: the empty 2M pool is a skip naming nr_hugepages"
	run "$LOCUS" bench fork --page-size 2M --resident 2M "${FAST[@]}" -o -
	is_rc 3 "fork: only 2M with an empty pool: exit 3"
fi
run "$LOCUS" bench fork --resident 100T
is_rc 2 "fork: resident beyond available memory: exit 2"
run "$LOCUS" bench fork --page-size 5K
is_rc 2 "fork: unknown page size: exit 2"

# ---- malloc
run "$LOCUS" bench malloc --sizes 64K,256K --thresholds 128K,1M --bytes-per-sample 4M "${FAST[@]}" -o -
is_rc 0 "malloc exits 0"
json_check "len($M) == 12 and {m['metric'] for m in $M} == {'pair_time', 'faults_per_op'}" \
	"12 measurements: 2 metrics x 2 sizes x 3 thresholds"
json_check "all(set(m['labels']) == {'size_bytes', 'threshold'} and m['labels']['size_bytes'] in (65536, 262144) and m['labels']['threshold'] in ('default', '131072', '1048576') for m in $M)" \
	"labels size_bytes and threshold (default or bytes)"
json_check "all(m['verified']['steady_path'] == ('mmap' if m['labels']['size_bytes'] > 131072 else 'heap') for m in $M if m['labels']['threshold'] == '131072')" \
	"threshold 128K: 256K blocks mmapped, 64K from the heap (verified with mallinfo2)"
json_check "all(m['verified']['steady_path'] == 'heap' for m in $M if m['labels']['threshold'] == '1048576')" \
	"threshold 1M: both sizes from the heap"
json_check "[m['verified']['first_path'] for m in $M if m['labels'] == {'size_bytes': 262144, 'threshold': 'default'}] == ['mmap', 'mmap']" \
	"default: a cold 256K block is mmapped (above the initial 128K)"
json_check "all(m['samples'][0] >= 63 for m in $M if m['metric'] == 'faults_per_op' and m['verified']['steady_path'] == 'mmap' and m['labels']['size_bytes'] == 262144)" \
	"a mmapped 256K block faults at least once per page touched"
json_check "all(m['verified']['forked_child_per_sample'] is True and m['verified']['paths_consistent'] is True and m['verified']['ops_per_sample'] >= 16 for m in $M)" \
	"every sample in a child, same path in every sample"
json_check "all(m['unit'] == {'pair_time': 'ns', 'faults_per_op': 'faults'}[m['metric']] and 3 <= len(m['samples']) <= 6 for m in $M)" \
	"units ns and faults, 3 samples each"
run "$LOCUS" bench malloc --thresholds 64M
is_rc 2 "malloc: a threshold above glibc's 32 MiB maximum: exit 2"
run "$LOCUS" bench malloc --sizes 0
is_rc 2 "malloc: a zero size: exit 2"

# ---- overcommit (never touches memory, never writes a sysctl)
mode=$(cat /proc/sys/vm/overcommit_memory)
run "$LOCUS" bench overcommit "${FAST[@]}" -o -
is_rc 0 "overcommit exits 0"
json_check "len($M) == 2 and sorted(m['labels']['kind'] for m in $M) == ['single', 'total'] and all(m['labels']['mode'] == '$mode' for m in $M)" \
	"labels mode (the running kernel's overcommit_memory) and kind single/total"
json_check "all(m['metric'] == 'bytes' and m['unit'] == 'bytes' and m['higher_is_better'] is True and 3 <= len(m['samples']) <= 6 and m['samples'][0] > 0 for m in $M)" \
	"metric bytes, higher is better, 3 positive samples"
json_check "all(m['verified']['touched'] is False and m['verified']['overcommit_memory'] == $mode and isinstance(m['verified']['commit_limit_bytes'], int) and isinstance(m['verified']['committed_as_bytes'], int) and 'MAP_NORESERVE' in m['verified']['map_flags'] for m in $M)" \
	"verified: untouched, tunables, CommitLimit and Committed_AS recorded"
# (under mode 2 a little less: the kernel keeps min(total_vm/32, user_reserve_kbytes) back)
json_check "all(m['samples'][0] >= 0.9 * n['samples'][0] for m in $M for n in $M if m['labels']['kind'] == 'total' and n['labels']['kind'] == 'single')" \
	"the total is about at least the largest single mapping"
if [ "$mode" = 0 ]; then
	json_check "[m['verified']['found_over_predicted'] for m in $M if m['labels']['kind'] == 'single'][0] > 0.9" \
		"mode 0: the largest single mapping is about RAM + swap, as the heuristic predicts"
fi
run "$LOCUS" bench overcommit --upper-bound 64M "${FAST[@]}" -o -
is_rc 0 "overcommit with a small upper bound exits 0"
json_check "all(m['verified']['hit_upper_bound'] is True and m['samples'][0] == 67108864 and 'upper-bound' in m['verified']['limited_by'] for m in $M) and any('upper bound' in w for w in warnings)" \
	"a search stopped by the bound says so"
run "$LOCUS" --sysroot "$FIXTURES/sysroot/basic" bench overcommit --kind single --upper-bound 64M "${FAST[@]}" -o -
is_rc 0 "overcommit under a fixture sysroot exits 0"
json_check "all(m['labels']['mode'] == '$mode' and 'running kernel' in m['verified']['tunables_from'] for m in $M)" \
	"under --sysroot the mode is still the running kernel's"
run "$LOCUS" bench overcommit --kind half
is_rc 2 "overcommit: unknown kind: exit 2"

done_testing
