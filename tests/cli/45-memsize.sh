#!/bin/bash
# SPDX-License-Identifier: MIT
# 45-memsize.sh — never a cache reported as memory: under --quick every bench with a
# memory figure sizes its buffers from this machine's last-level cache (bandwidth
# arrays and traffic >= 4x, chase footprints >= 2x), records the bytes in its labels,
# and a user's smaller --size is warned about.  The LLC is the one the result's own
# topology names.  --reps 1: shape and sizing only, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

LLC="max([c['size_bytes'] for c in d['topology']['caches']] or [0])"
M='d["measurements"]'

run "$LOCUS" bench bandwidth --quick --reps 1 --warmup 0 --kernels read --threads 1 --json
is_rc 0 "bandwidth --quick runs"
json_check "$LLC == 0 or all(m['labels']['array_bytes'] >= 4 * $LLC for m in $M)" \
	"bandwidth --quick: arrays >= 4x the LLC, in the labels"

run "$LOCUS" bench numa-bandwidth --quick --reps 1 --warmup 0 --kernels read --policies bind --threads 1 --json
is_rc 0 "numa-bandwidth --quick runs"
json_check "len($M) > 0 and ($LLC == 0 or all(m['labels']['array_bytes'] >= 4 * $LLC for m in $M))" \
	"numa-bandwidth --quick: arrays >= 4x the LLC, in the labels"

run "$LOCUS" bench numa-latency --quick --reps 1 --warmup 0 --window 64 --json
is_rc 0 "numa-latency --quick runs"
json_check "len($M) > 0 and ($LLC == 0 or all(m['labels']['footprint_bytes'] >= 2 * $LLC for m in $M if 'footprint_bytes' in m['labels'])) and all('footprint_bytes' in m['labels'] for m in $M if m['metric'] == 'latency')" \
	"numa-latency --quick: footprint >= 2x the LLC, in the labels"

run "$LOCUS" bench numa-loaded --quick --reps 1 --warmup 0 --delays 0 --json
is_rc 0 "numa-loaded --quick runs"
json_check "len($M) > 0 and ($LLC == 0 or all(m['labels']['footprint_bytes'] >= 2 * $LLC and m['labels']['traffic_bytes'] >= 4 * $LLC for m in $M))" \
	"numa-loaded --quick: chase >= 2x, traffic >= 4x the LLC, both in the labels"

run "$LOCUS" bench latency --quick --reps 1 --warmup 0 --min-size 16M --json
is_rc 0 "latency --quick runs"
json_check "$LLC == 0 or max(m['labels']['footprint_bytes'] for m in $M if 'footprint_bytes' in m['labels']) >= 2 * $LLC" \
	"latency --quick: the sweep reaches 2x the LLC (its DRAM level is memory)"

# A user's size below the rule is measured as asked, and warned about.
run "$LOCUS" bench numa-latency --quick --reps 1 --warmup 0 --window 64 --size 1M --json
json_check "$LLC < 1048576 or any('less than twice the last-level cache' in w for w in warnings)" \
	"numa-latency --size below 2x the LLC: warned"
run "$LOCUS" bench bandwidth --quick --reps 1 --warmup 0 --kernels read --threads 1 --size 1M --json
json_check "$LLC * 4 <= 1048576 or any('smaller than 4x the last-level cache' in w for w in warnings)" \
	"bandwidth --quick --size below 4x the LLC: warned (quick no longer hides it)"

done_testing
