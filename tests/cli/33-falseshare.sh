#!/bin/bash
# SPDX-License-Identifier: MIT
# 33-falseshare.sh — `locus bench falseshare`: the shape of its measurements (every
# layout with plain and atomic increments, both scopes, threads and placement labels),
# the per-sample counter check, the
# CPUs obtained, the workers' own counters, and every placement either measured or
# skipped with the topology's reason (here: no SMT, one package, one node).  1 ms
# samples, --reps 3: the test checks shape and verification, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || skip_all "falseshare needs at least 2 CPUs (have $ncpu)"

run "$LOCUS" bench list
has_out '^falseshare ' "bench list shows falseshare"

run "$LOCUS" bench falseshare --help
is_rc 0 "bench falseshare --help exits 0"
has_out '[-]-layouts' "help lists --layouts"
has_out '[-]-placements' "help lists --placements"

run "$LOCUS" bench falseshare --duration 1 --reps 3 --json
is_rc 0 "falseshare --duration 1 --reps 3 exits 0"
M='d["measurements"]'
S='d["skipped"]'
T='d["topology"]'
LAYOUTS="('packed', 'padded', 'padded2', 'shared')"
json_check "len($M) > 0 and all(m['bench'] == 'falseshare' and m['metric'] == 'ops_per_sec' and m['unit'] == 'ops/s' and m['higher_is_better'] is True for m in $M)" \
	"metric ops_per_sec in ops/s, higher is better"
json_check "all(set(m['labels']) == {'layout', 'increment', 'threads', 'placement', 'scope'} for m in $M)" \
	"labels are exactly layout, increment, threads, placement, scope"
json_check "all(m['labels']['threads'] == 2 for m in $M)" "threads label is 2 (the default)"
WANT="sorted((l, i, s) for l in $LAYOUTS for i in ('plain', 'atomic') for s in ('aggregate', 'thread') if not (l == 'shared' and i == 'plain'))"
json_check "all(sorted((m['labels']['layout'], m['labels']['increment'], m['labels']['scope']) for m in $M if m['labels']['placement'] == p) == $WANT for p in {m['labels']['placement'] for m in $M})" \
	"every measured placement has every layout x increment (shared: atomic), aggregate and per thread"
json_check "all((3 <= len(m['samples']) <= 6 if m['labels']['scope'] == 'aggregate' else len(m['samples']) % 2 == 0 and 6 <= len(m['samples']) <= 12) and all(s > 0 for s in m['samples']) for m in $M)" \
	"3 aggregate samples (up to 6 with disturbed ones replaced), 2 per-thread samples each, all positive"
json_check "all(m['verified']['counts_ok'] is True and m['verified']['ok'] is True for m in $M)" \
	"every counter held exactly its thread's count"
json_check "all(len(m['verified']['cpus']) == 2 and m['verified']['cpus'] == m['verified']['cpus_asked'] and len(set(m['verified']['cpus'])) == 2 for m in $M)" \
	"two distinct CPUs obtained, as asked"
json_check "all(m['verified']['moved_samples'] == 0 for m in $M)" "sched_getcpu() found no thread off its CPU"
LINE="${M}[0]['verified']['line_size']"
json_check "all(m['verified']['counter_stride_bytes'] == {'packed': 8, 'padded': $LINE, 'padded2': 2 * $LINE, 'shared': 0}[m['labels']['layout']] for m in $M)" \
	"counter strides: 8 bytes, one line, two lines, one counter"
json_check "all(m['verified']['lines_written'] == {'packed': 1, 'padded': 2, 'padded2': 2, 'shared': 1}[m['labels']['layout']] for m in $M)" \
	"packed and shared write one line, padded and padded2 one each"
EV="('perf::CONTEXT-SWITCHES', 'perf::CPU-MIGRATIONS')"
json_check "all(isinstance(m['verified']['worker_counters'][e], (int, float)) or (m['verified']['worker_counters'][e] is None and isinstance(m['verified']['worker_counters_unavailable'].get(e), str)) for m in $M for e in $EV)" \
	"the workers' context switches and migrations: a number, or null with a reason"
json_check "all(len(m['verified']['thread_median_ops_per_sec']) == 2 for m in $M)" "per-thread medians recorded"

# Every placement is measured or skipped with a reason, as the topology allows.
json_check "all((p in {m['labels']['placement'] for m in $M}) != any(s['labels'].get('placement') == p and s['reason'] for s in $S) for p in ('smt', 'core', 'package', 'node'))" \
	"each placement is either measured or skipped with a reason"
json_check "('smt' in {m['labels']['placement'] for m in $M}) == (${T}['pus'] > ${T}['cores'])" \
	"smt measured exactly when cores have several hardware threads"
json_check "('package' in {m['labels']['placement'] for m in $M}) == (${T}['packages'] > 1)" \
	"package measured exactly when there are several packages"
json_check "('node' in {m['labels']['placement'] for m in $M}) == (len(${T}['numa_nodes']) > 1)" \
	"node measured exactly when there are several NUMA nodes"
json_check "${T}['cores'] < 2 or 'core' in {m['labels']['placement'] for m in $M}" "core measured when there are 2 cores"
json_check "${T}['pus'] > ${T}['cores'] or any(s['labels'].get('placement') == 'smt' and 'no SMT' in s['reason'] for s in $S)" \
	"without SMT the smt skip says so"
json_check "${T}['packages'] > 1 or any(s['labels'].get('placement') == 'package' and 'only 1 package' in s['reason'] for s in $S)" \
	"with one package the package skip says so"
json_check "len(${T}['numa_nodes']) > 1 or any(s['labels'].get('placement') == 'node' and 'only 1 NUMA node' in s['reason'] for s in $S)" \
	"with one node the node skip says so"
json_check "all(m['verified']['shared_cache'] in (None, 'L1', 'L2', 'L3', 'L4') for m in $M)" "the shared cache is named"

run "$LOCUS" bench falseshare --layouts packed,shared --placements core --duration 1 --reps 3 -o -
is_rc 0 "--layouts and --placements select"
json_check "sorted({m['labels']['layout'] for m in $M}) == ['packed', 'shared'] and {m['labels']['placement'] for m in $M} <= {'core'}" \
	"only the layouts and placement asked for"

run "$LOCUS" bench falseshare --increment plain --layouts padded,shared --duration 1 --reps 3 --json
is_rc 0 "--increment plain exits 0"
json_check "{(m['labels']['layout'], m['labels']['increment']) for m in $M} == {('padded', 'plain')}" \
	"plain increments only: shared is not measured"
json_check "any(s['labels'] == {'layout': 'shared', 'increment': 'plain'} and 'atomic' in s['reason'] for s in $S)" \
	"shared with plain increments is skipped with the reason"
json_check "all(m['verified']['worker_on_cpu_fraction'] > 0 for m in $M)" "the workers' on-CPU share is recorded"

run "$LOCUS" bench falseshare --threads $((ncpu + 1)) --reps 1
is_rc 2 "more threads than CPUs exits 2"
one_line_err "threads $((ncpu + 1)) is more than the $ncpu CPUs" "the thread count and the CPUs are named"

run "$LOCUS" bench falseshare --threads 1
is_rc 2 "--threads 1 exits 2"

run "$LOCUS" bench falseshare --layouts striped
is_rc 2 "an unknown layout exits 2"
one_line_err "'striped'" "the bad layout is named"

run "$LOCUS" bench falseshare --placements socket
is_rc 2 "an unknown placement exits 2"

run "$LOCUS" bench falseshare --cpus 0 --reps 1 --json
is_rc 3 "one CPU: skipped, exit 3"
json_check "any('at least 2 CPUs' in s['reason'] for s in $S)" "the skip gives the reason"

done_testing
