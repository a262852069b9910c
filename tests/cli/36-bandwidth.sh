#!/bin/bash
# SPDX-License-Identifier: MIT
# 36-bandwidth.sh — `locus bench bandwidth`: the shape of its measurements (every kernel
# with regular and non-temporal stores, both byte countings, the 1..N thread sweep),
# STREAM-style validation of the arrays (the expected values follow from the kernel
# sequence), the CPUs obtained, the nt/read skip, and bad options refused with exit 2.
# 1 MiB arrays, --reps 3: the test checks shape and verification, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

ncpu=$(nproc)
[ "$ncpu" -le 16 ] || skip_all "the 1..N sweep is checked on machines with at most 16 CPUs"
case "$(uname -m)" in
x86_64) nt=1 ;;
*) nt=0 ;;
esac

run "$LOCUS" bench list
has_out '^bandwidth ' "bench list shows bandwidth"

run "$LOCUS" bench bandwidth --help
is_rc 0 "bench bandwidth --help exits 0"
has_out '[-]-kernels' "help lists --kernels"
has_out '[-]-stores' "help lists --stores"

run "$LOCUS" bench bandwidth --size 1M --reps 3 --json
is_rc 0 "bandwidth --size 1M --reps 3 exits 0"
M='d["measurements"]'
B="[m for m in $M if m['metric'] == 'bandwidth']"
R="[m for m in $M if m['metric'] == 'bandwidth_rfo']"
KERNELS="('read', 'write', 'copy', 'scale', 'add', 'triad')"
json_check "all(m['bench'] == 'bandwidth' and m['unit'] == 'GB/s' and m['higher_is_better'] is True and m['metric'] in ('bandwidth', 'bandwidth_rfo') for m in $M)" \
	"metrics bandwidth and bandwidth_rfo in GB/s, higher is better"
json_check "all(set(m['labels']) == {'kernel', 'threads', 'stores', 'isa', 'array_bytes'} for m in $M)" \
	"labels are exactly kernel, threads, stores, isa, array_bytes"
json_check "len({m['labels']['isa'] for m in $M}) == 1" "one instruction set by default"
if [ $nt = 1 ]; then
	widest=sse2
	grep -qw avx2 /proc/cpuinfo && widest=avx2
	grep -qw avx512f /proc/cpuinfo && widest=avx512
	json_check "${M}[0]['labels']['isa'] == '$widest'" "the default is the widest the CPU has ($widest)"
fi
json_check "all(m['labels']['array_bytes'] == 1048576 for m in $M)" "array_bytes is the --size asked"
json_check "sorted({m['labels']['threads'] for m in $M}) == list(range(1, $ncpu + 1))" \
	"threads swept 1..$ncpu"
if [ $nt = 1 ]; then
	WANT="[(k, t, s) for k in $KERNELS for t in range(1, $ncpu + 1) for s in ('regular', 'nt') if not (k == 'read' and s == 'nt')]"
	json_check "any(s['labels'] == {'kernel': 'read', 'stores': 'nt'} and 'stores nothing' in s['reason'] for s in d['skipped'])" \
		"read with nt stores is skipped with the reason"
else
	WANT="[(k, t, 'regular') for k in $KERNELS for t in range(1, $ncpu + 1)]"
	json_check "any(s['labels'].get('stores') == 'nt' and 'unsupported' in s['reason'] for s in d['skipped'])" \
		"nt stores skipped off x86-64 with the reason"
fi
json_check "sorted((m['labels']['kernel'], m['labels']['threads'], m['labels']['stores']) for m in $B) == sorted($WANT)" \
	"bandwidth: every kernel x threads x stores"
json_check "sorted((m['labels']['kernel'], m['labels']['threads'], m['labels']['stores']) for m in $R) == sorted($WANT)" \
	"bandwidth_rfo: every kernel x threads x stores"
json_check "all(3 <= len(m['samples']) <= 6 and all(s > 0 for s in m['samples']) for m in $M)" "3 positive samples each"
json_check "all(m['verified']['ok'] is True for m in $M)" "every kernel's result validated"
json_check "all(m['verified']['check']['bad_elements'] == 0 for m in $M if m['labels']['kernel'] != 'read')" \
	"no element off its expected value"
json_check "all(m['verified']['check']['bad_sums'] == 0 and m['verified']['check']['expected_sum'] == 131072 for m in $M if m['labels']['kernel'] == 'read')" \
	"the read kernel's sum is n x 1.0"
# read, write (c=3), copy (c=a=1), scale (b=3c=3), add (c=a+b=4), triad (a=b+3c=15).
json_check "all(m['verified']['check']['expected'] == {'write': 3, 'copy': 1, 'scale': 3, 'add': 4, 'triad': 15}[m['labels']['kernel']] and m['verified']['check']['array'] == {'write': 'c', 'copy': 'c', 'scale': 'b', 'add': 'c', 'triad': 'a'}[m['labels']['kernel']] for m in $M if m['labels']['kernel'] != 'read')" \
	"the expected values follow STREAM's kernel sequence"
json_check "all(m['verified']['bytes_per_pass'] == {'read': 1, 'write': 1, 'copy': 2, 'scale': 2, 'add': 3, 'triad': 3}[m['labels']['kernel']] * 1048576 for m in $M)" \
	"bytes counted STREAM's way"
json_check "all(m['verified']['bytes_per_pass_rfo'] == m['verified']['bytes_per_pass'] + (1048576 if m['labels']['stores'] == 'regular' and m['labels']['kernel'] != 'read' else 0) for m in $M)" \
	"write-allocate adds one array for regular stores only"
json_check "all(abs(r['samples'][i] / b['samples'][i] - r['verified']['bytes_per_pass_rfo'] / r['verified']['bytes_per_pass']) < 1e-9 for b in $B for r in $R if r['labels'] == b['labels'] for i in range(3))" \
	"bandwidth_rfo comes from the same passes"
json_check "all(len(m['verified']['cpus']) == m['labels']['threads'] and m['verified']['cpus'] == m['verified']['cpus_asked'] for m in $M)" \
	"every thread got the CPU it was pinned to"
json_check "all(m['verified']['moved_threads'] == 0 for m in $M)" "no thread found off its CPU"
json_check "all(m['verified']['start_skew_ns_median'] >= 0 and 0 < m['verified']['slowest_worker_share_median'] <= 1.0 + 1e-9 for m in $M) and all(m['verified']['start_skew_ns_median'] == 0 for m in $M if m['labels']['threads'] == 1)" \
	"per-pass timing checked against the workers' own intervals (start skew, slowest worker's share)"
json_check "all(m['verified']['memory']['page_size_ok'] is True and m['verified']['memory_ok'] is True for m in $M)" \
	"the arrays' memory is verified"
json_check "all(m['verified']['stream_rule_4x_llc'] == (m['verified']['llc_bytes'] == 0 or 1048576 >= 4 * m['verified']['llc_bytes']) for m in $M)" \
	"whether the arrays follow STREAM's 4x LLC rule is recorded"
json_check "${M}[0]['verified']['llc_bytes'] * 4 <= 1048576 or any('smaller than 4x the last-level cache' in w for w in warnings)" \
	"arrays below 4x the LLC are warned about"

run "$LOCUS" bench bandwidth --size 1M --kernels triad,copy --stores regular --threads 1 --reps 3 -o -
is_rc 0 "--kernels, --stores and --threads select"
json_check "sorted((m['labels']['kernel'], m['labels']['stores'], m['labels']['threads']) for m in $B) == [('copy', 'regular', 1), ('triad', 'regular', 1)]" \
	"only the kernels, store kind and thread count asked for"
json_check "[(m['labels']['kernel'], m['verified']['check']['expected']) for m in $B] == [('copy', 1), ('triad', 5)]" \
	"kernels run in STREAM's order and the check follows them: c=a=1, then a=b+3c=5"

if [ $nt = 1 ]; then
	run "$LOCUS" bench bandwidth --size 1M --isa all --kernels read,copy,triad --threads 1 --reps 2 --warmup 0 -o -
	is_rc 0 "--isa all sweeps the instruction sets"
	have="['sse2'] + (['avx2'] if $(grep -qw avx2 /proc/cpuinfo && echo True || echo False) else []) + (['avx512'] if $(grep -qw avx512f /proc/cpuinfo && echo True || echo False) else [])"
	json_check "sorted({m['labels']['isa'] for m in $M}) == sorted($have)" \
		"every instruction set this CPU has is measured"
	json_check "all(m['verified']['ok'] is True for m in $M) and len($B) == 5 * len($have)" \
		"each ISA's kernels (regular and nt) validated"
	run "$LOCUS" bench bandwidth --size 1M --isa sse2 --kernels copy --threads 1 --reps 2 --warmup 0 -o -
	is_rc 0 "--isa sse2 picks one"
	json_check "{m['labels']['isa'] for m in $M} == {'sse2'}" "only sse2 measured"
fi
run "$LOCUS" bench bandwidth --isa mmx --size 1M --reps 1
is_rc 2 "an unknown instruction set exits 2"
one_line_err "'mmx'" "the bad instruction set is named with the allowed ones"

# The crosscheck scripts a user reruns (their runs take minutes: only their options here).
for x in bandwidth latency; do
	run "$top_srcdir/scripts/crosscheck/$x" --rounds x
	is_rc 2 "crosscheck/$x: a bad --rounds exits 2"
	run "$top_srcdir/scripts/crosscheck/$x" --help
	has_out 'interleaved' "crosscheck/$x --help says what it does"
done

run "$LOCUS" bench bandwidth --threads $((ncpu + 1)) --size 1M --reps 1
is_rc 2 "more threads than CPUs exits 2"
one_line_err "threads $((ncpu + 1)) is more than the $ncpu CPUs" "the thread count and the CPUs are named"

run "$LOCUS" bench bandwidth --kernels daxpy
is_rc 2 "an unknown kernel exits 2"
one_line_err "'daxpy'" "the bad kernel is named"

run "$LOCUS" bench bandwidth --stores streaming
is_rc 2 "an unknown store kind exits 2"

run "$LOCUS" bench bandwidth --size 100K
is_rc 2 "arrays below 1M exit 2"

run "$LOCUS" bench bandwidth --size 64T --reps 1
is_rc 2 "arrays beyond the memory budget exit 2"
has_err 'largest allowed' "the largest allowed size is named"

done_testing
