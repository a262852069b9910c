#!/bin/bash
# SPDX-License-Identifier: MIT
# 37-numa.sh — the NUMA matrix benches numa-latency, numa-bandwidth and numa-loaded:
# the matrix shape (rows = nodes with CPUs, columns = nodes with memory: 1x1 on a
# one-node machine, and a warning saying so), the labels, every cell's placement
# verified by move_pages (fraction on the asked node 1.0), the derived remote/local
# ratios next to the SLIT distances, the policies of numa-bandwidth, the paired
# latency/bandwidth of numa-loaded, and bad options refused with exit 2.  Multi-node
# shapes are checked in the QEMU guests (tests/vm/run).  Tiny sizes, --reps 3: shape
# and verification only, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# Helpers for the checks, prepended to each expression: the expected rows and columns
# from the result's own topology, and the cells of a metric.
ROWS="sorted(n['os_index'] for n in d['topology']['numa_nodes'] if n['cpus'])"
COLS="sorted(n['os_index'] for n in d['topology']['numa_nodes'] if n['memory_bytes'] > 0)"
CELLS="sorted((r, c) for r in $ROWS for c in $COLS)"
ncpus_of() { # python expression: CPUs of node $1 in the topology
	echo "sum((lambda a, _, b: int(b or a) - int(a) + 1)(*p.partition('-')) for p in [n for n in d['topology']['numa_nodes'] if n['os_index'] == $1][0]['cpus'].split(',') if p)"
}
M='d["measurements"]'
one_node=$("$LOCUS" topo --json 2>/dev/null | python3 -c 'import json,sys; t=json.load(sys.stdin); print(int(len([n for n in t["numa_nodes"] if n["cpus"]]) == 1 and len([n for n in t["numa_nodes"] if n["memory_bytes"] > 0]) == 1))')

run "$LOCUS" bench list
has_out '^numa-latency ' "bench list shows numa-latency"
has_out '^numa-bandwidth ' "bench list shows numa-bandwidth"
has_out '^numa-loaded ' "bench list shows numa-loaded"

# ---------------------------------------------------------------- numa-latency
FAST=(--reps 3 --warmup 0 --sample-ms 1)
run "$LOCUS" bench numa-latency --size 256K --window 64,full "${FAST[@]}" -o -
is_rc 0 "numa-latency --size 256K exits 0"
L="[m for m in $M if m['metric'] == 'latency']"
R="[m for m in $M if m['metric'] == 'latency_ratio']"
json_check "all(set(m['labels']) == {'cpu_node', 'mem_node', 'page_size', 'window', 'footprint_bytes'} for m in $M)" \
	"labels are cpu_node, mem_node, page_size, window, footprint_bytes"
json_check "sorted((m['labels']['cpu_node'], m['labels']['mem_node'], m['labels']['window']) for m in $L) == sorted((r, c, w) for r, c in $CELLS for w in ('64', 'full'))" \
	"one latency per cell (rows: nodes with CPUs, columns: nodes with memory) and window"
json_check "d['skipped'] == []" "no cell skipped (no invalid placement)"
json_check "all(m['verified']['placement_valid'] is True and m['verified']['mem_node_fraction'] == 1.0 and m['verified']['placement_ok'] == 1.0 and m['verified']['nodes_asked'] == [m['labels']['mem_node']] and m['verified']['policy'] == 'bind' for m in $L)" \
	"every cell bound to its node, placement verified 1.0"
json_check "all(m['verified']['pages_sampled'] > 0 and m['verified']['placement_checked'] is True for m in $L)" \
	"placement checked with move_pages"
json_check "all(m['verified']['single_cycle'] is True and m['verified']['elements'] == 262144 // m['verified']['line_bytes'] for m in $L)" \
	"each chain verified as one cycle over the footprint"
json_check "all(m['verified']['cpu_ok'] is True and m['verified']['cpu_node'] == m['labels']['cpu_node'] for m in $L)" \
	"pinned to a CPU of the row's node, checked"
json_check "all(m['labels']['page_size'] == '4K' and m['verified']['page_size_ok'] is True for m in $L)" \
	"4K pages by default, verified"
json_check "sorted((m['labels']['cpu_node'], m['labels']['mem_node'], m['labels']['window']) for m in $R) == sorted((m['labels']['cpu_node'], m['labels']['mem_node'], m['labels']['window']) for m in $L)" \
	"a remote/local ratio for every cell"
json_check "all(m['samples'] == [1.0] and m['verified']['reference'] == 'local' for m in $R if m['labels']['cpu_node'] == m['labels']['mem_node'])" \
	"the local cells' ratio is 1"
json_check "all(k in m['verified'] for k in ('slit_distance', 'slit_ratio', 'hwloc_latency_ns', 'hwloc_bandwidth_mib_s', 'reference_mem_node') for m in $R)" \
	"ratios recorded next to the SLIT distances and hwloc's memory attributes"
if [ "$one_node" = 1 ]; then
	json_check "len($L) == 2 and any('matrix is 1x1' in w for w in warnings)" "1 node: a 1x1 matrix, and a warning says so"
fi

run "$LOCUS" bench numa-latency --size 256K "${FAST[@]}" --membind 0 -o -
is_rc 0 "--membind 0 restricts the columns"
json_check "{m['labels']['mem_node'] for m in $M} == {0} and any('only chooses the memory nodes' in w for w in warnings)" \
	"only node 0 as a column, and a warning that cells stay bound"

run "$LOCUS" bench numa-latency --window 3
is_rc 2 "an unknown window exits 2"
one_line_err "'3'" "the bad window is named"

# ---------------------------------------------------------------- numa-bandwidth
run "$LOCUS" bench numa-bandwidth --size 1M --reps 3 --warmup 0 -o -
is_rc 0 "numa-bandwidth --size 1M exits 0"
B="[m for m in $M if m['metric'] == 'bandwidth']"
json_check "all(set(m['labels']) == {'cpu_node', 'policy', 'mem_node', 'kernel', 'threads', 'isa', 'array_bytes'} for m in $B if m['labels']['policy'] in ('bind', 'preferred')) and all(set(m['labels']) == {'cpu_node', 'policy', 'nodes', 'kernel', 'threads', 'isa', 'array_bytes'} for m in $B if 'interleave' in m['labels']['policy'])" \
	"labels cpu_node, policy, mem_node (bind/preferred) or nodes (interleave), kernel, threads, isa, array_bytes"
json_check "all(m['labels']['array_bytes'] == 1048576 for m in $B)" "array_bytes in the labels is the size used"
json_check "sorted((m['labels']['cpu_node'], m['labels']['mem_node'], m['labels']['kernel']) for m in $B if m['labels']['policy'] == 'bind') == sorted((r, c, k) for r, c in $CELLS for k in ('read', 'copy', 'triad'))" \
	"the bind matrix: every cell x read/copy/triad"
json_check "sorted((m['labels']['cpu_node'], m['labels']['mem_node'], m['labels']['kernel']) for m in $B if m['labels']['policy'] == 'preferred') == sorted((r, c, k) for r, c in $CELLS for k in ('read', 'copy', 'triad'))" \
	"preferred on every memory node, from every row"
json_check "sorted((m['labels']['cpu_node'], m['labels']['kernel']) for m in $B if m['labels']['policy'] == 'interleave') == sorted((r, k) for r in $ROWS for k in ('read', 'copy', 'triad')) and all(m['verified']['nodes_asked'] == $COLS for m in $B if m['labels']['policy'] == 'interleave')" \
	"interleave over all memory nodes, from every row"
json_check "sorted((m['labels']['cpu_node'], m['labels']['kernel']) for m in $B if m['labels']['policy'] == 'weighted-interleave') == sorted((r, k) for r in $ROWS for k in ('read', 'copy', 'triad')) or (not any(m['labels']['policy'] == 'weighted-interleave' for m in $B) and any(s['labels']['policy'] == 'weighted-interleave' and '6.9' in s['reason'] for s in d['skipped']))" \
	"weighted-interleave measured, or skipped with the reason where the kernel lacks it"
json_check "all(m['verified']['placement_valid'] is True and m['verified']['placement_ok'] == 1.0 and m['verified']['arrays_verified'] == 3 for m in $B)" \
	"the three arrays' placement verified in every configuration"
json_check "all(m['verified']['mem_node_fraction'] == 1.0 for m in $B if m['labels']['policy'] == 'bind')" \
	"bound cells: fraction on the node 1.0"
json_check "all(m['labels']['threads'] == $(ncpus_of 0) and m['verified']['cpus'] == m['verified']['cpus_asked'] for m in $B if m['labels']['cpu_node'] == 0)" \
	"all CPUs of the node by default, each pinned where asked"
json_check "all(m['verified']['ok'] is True and m['verified']['moved_threads'] == 0 for m in $B)" \
	"every kernel's result validated"
json_check "all(m['verified']['check']['expected'] == {'copy': 1, 'triad': 5}[m['labels']['kernel']] for m in $B if m['labels']['kernel'] != 'read') and all(m['verified']['check']['bad_sums'] == 0 for m in $B if m['labels']['kernel'] == 'read')" \
	"copy leaves c = 1, triad a = 2 + 3 x 1"

run "$LOCUS" bench numa-bandwidth --size 1M --reps 3 --warmup 0 --kernels triad --policies bind --threads 1 -o -
is_rc 0 "--kernels, --policies and --threads select"
json_check "sorted({(m['labels']['kernel'], m['labels']['policy'], m['labels']['threads']) for m in $M}) == [('triad', 'bind', 1)]" \
	"only triad, bound, one thread"
json_check "all(m['verified']['check']['expected'] == 2 for m in $M)" "triad without copy: a = 2 + 3 x 0"

run "$LOCUS" bench numa-bandwidth --threads 4096 --size 1M --reps 1
is_rc 2 "more threads than any node has CPUs exits 2"
one_line_err "threads 4096" "the thread count is named"

run "$LOCUS" bench numa-bandwidth --policies local
is_rc 2 "an unknown policy exits 2"

# ---------------------------------------------------------------- numa-loaded
run "$LOCUS" bench numa-loaded --size 256K --traffic-size 256K --delays 0,100 "${FAST[@]}" -o -
is_rc 0 "numa-loaded exits 0"
L="[m for m in $M if m['metric'] == 'latency']"
B="[m for m in $M if m['metric'] == 'bandwidth']"
json_check "all(set(m['labels']) == {'cpu_node', 'mem_node', 'delay', 'footprint_bytes', 'traffic_bytes'} for m in $M)" "labels are cpu_node, mem_node, delay, footprint_bytes, traffic_bytes"
json_check "sorted((tuple(sorted(m['labels'].items())), len(m['samples'])) for m in $L if m['labels']['delay'] in [b['labels']['delay'] for b in $B]) == sorted((tuple(sorted(m['labels'].items())), len(m['samples'])) for m in $B) and all('same interval' in m['verified']['pairing'] for m in $M)" \
	"each bandwidth pairs with the latency of the same labels, sample for sample"
json_check "all(m['verified']['placement_valid'] is True and m['verified']['mem_node_fraction'] == 1.0 and m['verified']['single_cycle'] is True for m in $M)" \
	"the chase buffer placement verified 1.0, chain one cycle"
json_check "all(m['verified']['traffic_memory'] is None if m['verified']['traffic_threads'] == 0 else m['verified']['traffic_memory']['mem_node_fraction'] == 1.0 for m in $M)" \
	"the traffic buffer placement verified 1.0"
json_check "all(sorted((m['labels']['cpu_node'], m['labels']['mem_node'], m['labels']['delay']) for m in $L if m['labels']['cpu_node'] == r) == sorted((r, c, x) for c in $COLS for x in ((0, 100) if $(ncpus_of 0) > 1 or r != 0 else (0,))) for r in $ROWS)" \
	"a latency per cell and delay"
json_check "sorted(m['labels'].items() for m in $B) == sorted(m['labels'].items() for m in $L if m['verified']['traffic_threads'] > 0)" \
	"a bandwidth paired with every loaded latency"
# Bandwidth may be 0 in a sample when the traffic thread was not scheduled: not asserted.
json_check "all(3 <= len(m['samples']) <= 6 for m in $M) and all(all(s >= 0 for s in m['samples']) for m in $B) and all(all(s > 0 for s in m['samples']) for m in $L)" \
	"3 samples each: latencies positive, bandwidths not negative"
json_check "all(m['verified']['traffic_threads'] == len(m['verified']['traffic_cpus']) == $(ncpus_of 0) - 1 for m in $M if m['labels']['cpu_node'] == 0)" \
	"the node's other CPUs generate the traffic"

run "$LOCUS" bench numa-loaded --size 256K --traffic-size 256K --delays 0,100 --traffic-threads 0 "${FAST[@]}" -o -
is_rc 0 "--traffic-threads 0 exits 0"
json_check "[m['labels']['delay'] for m in $M if m['metric'] == 'latency'] == [0] * len([m for m in $M if m['metric'] == 'latency']) and not any(m['metric'] == 'bandwidth' for m in $M) and any('no traffic threads' in s['reason'] for s in d['skipped'])" \
	"no traffic: the unloaded latency only, bandwidth skipped with the reason"

run "$LOCUS" bench numa-loaded --delays 7
is_rc 2 "a delay outside the list exits 2"
one_line_err "'7'" "the bad delay is named"

done_testing
