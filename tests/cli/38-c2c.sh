#!/bin/bash
# SPDX-License-Identifier: MIT
# 38-c2c.sh — `locus bench c2c`: the shape of its measurements (metric, labels cpu_a,
# cpu_b, relation), the relation each pair gets from the topology, the CPUs verified
# with sched_getcpu, every round trip answered, the relations the topology lacks
# skipped with a reason, the per-node numastat deltas every bench records, and bad
# options.  Few round trips and --reps 3: shape and verification, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || skip_all "c2c needs at least 2 CPUs (have $ncpu)"

run "$LOCUS" bench list
has_out '^c2c ' "bench list shows c2c"

run "$LOCUS" bench c2c --help
is_rc 0 "bench c2c --help exits 0"
has_out '[-]-max-pairs' "help lists --max-pairs"
has_out 'round-trip time / 2' "help states the definition"

run "$LOCUS" bench c2c --cpus 0,1 --round-trips 200 --reps 3 --json
is_rc 0 "c2c --cpus 0,1 --round-trips 200 --reps 3 exits 0"
M='d["measurements"]'
S='d["skipped"]'
T='d["topology"]'
json_check "len($M) == 1 and ${M}[0]['bench'] == 'c2c' and ${M}[0]['metric'] == 'latency' and ${M}[0]['unit'] == 'ns' and ${M}[0]['higher_is_better'] is False" \
	"one pair: metric latency in ns, lower is better"
json_check "set(${M}[0]['labels']) == {'cpu_a', 'cpu_b', 'relation'} and ${M}[0]['labels']['cpu_a'] == 0 and ${M}[0]['labels']['cpu_b'] == 1" \
	"labels are exactly cpu_a=0, cpu_b=1, relation"
# The relation this machine gives 0-1, from its hwloc topology (in the result): the
# smallest cache both share (L1: hardware threads of one core), else their nodes.
EXPECT="(lambda cl, t: (lambda lv: {1: 'smt', 2: 'l2', 3: 'l3'}[min(lv)] if lv else ('node' if any({0, 1} <= cl(n['cpus']) for n in t['numa_nodes']) else 'remote'))([c['level'] for c in t['caches'] if c['level'] in (1, 2, 3) and {0, 1} <= cl(c['cpus'])]))(lambda s: {x for p in s.split(',') if p for x in range(int(p.split('-')[0]), int(p.split('-')[-1]) + 1)}, $T)"
json_check "${M}[0]['labels']['relation'] == $EXPECT and ${M}[0]['verified']['relation'] == ${M}[0]['labels']['relation']" \
	"the relation is what CPUs 0 and 1 share in the topology"
json_check "${M}[0]['verified']['cpu_a'] == 0 and ${M}[0]['verified']['cpu_b'] == 1 and ${M}[0]['verified']['moved_samples'] == 0" \
	"both CPUs verified with sched_getcpu, nobody moved"
json_check "${M}[0]['verified']['round_trips_answered'] is True and ${M}[0]['verified']['ok'] is True and ${M}[0]['verified']['round_trips_per_sample'] == 200" \
	"every round trip answered"
json_check "'round trip' in ${M}[0]['verified']['definition']" "the definition is recorded"
json_check "3 <= len(${M}[0]['samples']) <= 6 and all(s > 0 for s in ${M}[0]['samples'])" "3 positive samples"
json_check "all(isinstance(${M}[0]['counters'][e], (int, float)) or (${M}[0]['counters'][e] is None and isinstance(${M}[0]['counters_unavailable'].get(e), str)) for e in ('perf::CONTEXT-SWITCHES', 'perf::CPU-MIGRATIONS'))" \
	"counters: a number, or null with a reason"
json_check "sorted([s['labels']['relation'] for s in $S] + [${M}[0]['labels']['relation']]) == sorted(['smt', 'l2', 'l3', 'node', 'remote']) and all(s['reason'] for s in $S)" \
	"every other relation skipped with a reason"
json_check "len(${T}['numa_nodes']) > 1 or any(s['labels']['relation'] == 'remote' and 'different NUMA nodes' in s['reason'] for s in $S)" \
	"one node: remote skipped, saying why"
json_check "isinstance(d.get('numastat', {}).get('c2c'), dict) and all(set(v) <= {'numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node', 'other_node'} and all(isinstance(x, int) and x >= 0 for x in v.values()) for v in d['numastat']['c2c'].values())" \
	"the result records per-node numastat deltas for the bench"
json_check "sorted(d['numastat']['c2c']) == sorted('node%d' % n['os_index'] for n in ${T}['numa_nodes'] if n['memory_bytes'] > 0) or sorted(d['numastat']['c2c']) == sorted('node%d' % n['os_index'] for n in ${T}['numa_nodes'])" \
	"numastat has one entry per node"

run "$LOCUS" bench c2c --cpus 0,1 --relations remote --round-trips 200 --reps 3 --json
is_rc 0 "--relations remote exits 0"
json_check "len($M) == 0 if len(${T}['numa_nodes']) == 1 else all(m['labels']['relation'] == 'remote' for m in $M)" \
	"--relations selects (one node: nothing measured)"

run "$LOCUS" bench c2c --relations far
is_rc 2 "an unknown relation exits 2"
one_line_err "'far'" "the bad relation is named"

run "$LOCUS" bench c2c --round-trips 1
is_rc 2 "--round-trips below the minimum exits 2"

run "$LOCUS" bench c2c --cpus 0 --reps 1 --json
is_rc 3 "one CPU: skipped, exit 3"
json_check "any('at least 2 CPUs' in s['reason'] for s in $S)" "the skip gives the reason"

done_testing
