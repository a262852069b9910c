# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/vm/topo-cgroup2.sh — the asym4 layout again, with cgroup2 mounted (sourced by
# tests/vm/run, which provides ok, check (python3 checks of a guest output directory), refused,
# $GUEST, $LOCUS_BIN, $TMP and $FIXDIR).
#
# With cgroup2 mounted hwloc reads the root's cpuset.mems.effective, which the kernel
# never lets list a memoryless node (here "0-1,3": node 2 has CPUs but no memory).
# hwloc's default is to drop what the cpuset does not allow, so `locus topo` used to
# show 3 nodes with CPU 2 on node 3.  lib/topo.c now loads the whole machine
# (HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) and marks what is not allowed: this boot
# checks that the guest's topology is the same as without cgroup2 (the shape of
# tests/fixtures/topo/guest-asym4.json), that nothing is marked disallowed (a memoryless
# node has no memory to disallow), and that running on node 2's CPU and a NUMA matrix
# still work.  Then locus runs in a child cgroup limited to CPUs 0-1 and memory nodes
# 0-1: the topology is still whole, CPU 2 (node 2) and node 3's memory are marked not
# allowed, placement options naming them are refused saying so, and the NUMA matrix
# leaves them out with a warning.  Guest timings mean nothing (TCG): shapes and
# placement only.

topo_cgroup2_script() {
	cat <<'EOF'
mkdir -p /tmp/o && cd /tmp/o
r() { local n=$1; shift; "$@" >"$n.out" 2>"$n.err"; echo $? >"$n.rc"; }
grep -c ' /sys/fs/cgroup cgroup2 ' /proc/mounts >cgroup2-mounted.txt
cat /sys/fs/cgroup/cpuset.mems.effective >mems.txt 2>&1
r topo locus topo --json
r topo-text locus topo
r cpubind2-mem3 locus bench latency --reps 1 --warmup 0 --sample-ms 1 --sizes 256K -o cpubind2-mem3.json --cpunodebind 2 --membind 3
r numa-latency locus bench numa-latency --reps 1 --warmup 0 --sample-ms 1 --size 256K -o numa-latency.json
CG=/sys/fs/cgroup/locus-topo
if echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control && mkdir $CG &&
   echo 0-1 >$CG/cpuset.cpus && echo 0-1 >$CG/cpuset.mems; then
  cat $CG/cpuset.cpus.effective $CG/cpuset.mems.effective >cg-sets.txt
  in_cg() { sh -c 'echo $$ >/sys/fs/cgroup/locus-topo/cgroup.procs && exec "$@"' sh "$@"; }
  B="locus bench latency --reps 1 --warmup 0 --sample-ms 1 --sizes 64K"
  r cg-topo in_cg locus topo --json
  r cg-topo-text in_cg locus topo
  r cg-membind3 in_cg $B --membind 3
  r cg-cpus2 in_cg $B --cpus 2
  r cg-cpunodebind2 in_cg $B --cpunodebind 2
  r cg-numa-latency in_cg locus bench numa-latency --reps 1 --warmup 0 --sample-ms 1 --size 256K -o cg-numa-latency.json
  rmdir $CG
fi
cd /tmp && tar cf o.tar o
EOF
}

topo_cgroup2_boot() {
	local d=$TMP/asym4-cgroup2
	mkdir -p "$d"
	"$GUEST" --layout asym4 --cgroup2 --locus "$LOCUS_BIN" --timeout 240 \
		--fetch "/tmp/o.tar:$d/o.tar" -- "$(topo_cgroup2_script)" >"$d/guest.out" 2>"$d/guest.err"
	echo $? >"$d/guest.rc"
	[ -s "$d/o.tar" ] && tar xf "$d/o.tar" -C "$d" 2>/dev/null
	return 0
}

topo_cgroup2_checks() {
	local L=asym4-cgroup2 d=$TMP/asym4-cgroup2 s=1
	[ -f "$d/o/topo.rc" ] && s=0
	ok $s "$L: guest booted with --cgroup2 and ran locus (scripts/numa-guest exit $(cat "$d/guest.rc" 2>/dev/null))" \
		"$(tail -n 20 "$d/guest.err" 2>/dev/null)" "$(tail -n 20 "$d/guest.out" 2>/dev/null)"
	[ $s -eq 0 ] || return 0
	check $L "cgroup2 is mounted and cpuset.mems.effective leaves out memoryless node 2 (0-1,3)" \
		"o('cgroup2-mounted.txt').strip() == '1' and o('mems.txt').strip() == '0-1,3'"
	check $L "locus topo --json: all 4 nodes, the same shape and allowed marks as guest-asym4.json (CPU 2 on node 2)" \
		"rc('topo') == 0 and (lambda sh: sh(j('topo.out')) == sh(json.load(open('$FIXDIR/guest-asym4.json'))))(lambda t: [(n['os_index'], n['cpus'], n['memory_bytes'] == 0, n['cpuless'], n['memoryless'], n['distances'], n.get('allowed_cpus'), n.get('memory_allowed')) for n in t['numa_nodes']]) and cpus_of(j('topo.out'), 2) == {2}" topo
	check $L "locus topo --json: everything allowed (allowed_nodes 0-1,3; node 2's CPU allowed, memory_allowed null)" \
		"j('topo.out')['allowed_nodes'] == '0-1,3' and j('topo.out')['allowed_cpus'] == j('topo.out')['cpus'] and all(n['allowed_cpus'] == n['cpus'] for n in j('topo.out')['numa_nodes']) and [n['memory_allowed'] for n in j('topo.out')['numa_nodes']] == [True, True, None, True]" topo
	check $L "locus topo (text): 4 nodes, nothing marked not allowed" \
		"rc('topo-text') == 0 and all('node %d:' % n in o('topo-text.out') for n in range(4)) and 'not allowed' not in o('topo-text.out') and 'Allowed here' not in o('topo-text.out')" topo-text
	check $L "--cpunodebind 2 --membind 3: ran on node 2's CPU, pages on node 3" \
		"rc('cpubind2-mem3') == 0 and v('cpubind2-mem3')['cpu'] == 2 and v('cpubind2-mem3')['cpu_ok'] is True and near(v('cpubind2-mem3')['placement_ok'], 1.0) and set(frac('cpubind2-mem3')) == {3}" cpubind2-mem3
	check $L "numa-latency: exit 0, rows (0, 1, 2) x columns (0, 1, 3), no skipped cell" \
		"rc('numa-latency') == 0 and sorted((m['labels']['cpu_node'], m['labels']['mem_node']) for m in j('numa-latency.json')['measurements'] if m['metric'] == 'latency') == sorted((r, c) for r in (0, 1, 2) for c in (0, 1, 3)) and j('numa-latency.json')['skipped'] == []" numa-latency

	# In the child cgroup (CPUs 0-1, memory nodes 0-1).
	s=1
	[ -f "$d/o/cg-topo.rc" ] && s=0
	ok $s "$L: a child cgroup with cpuset.cpus 0-1 and cpuset.mems 0-1 was made and locus ran in it" \
		"$(tail -n 20 "$d/guest.out" 2>/dev/null)"
	[ $s -eq 0 ] || return 0
	check $L "child cgroup: effective sets are CPUs 0-1, nodes 0-1" "o('cg-sets.txt').split() == ['0-1', '0-1']"
	check $L "child cgroup: locus topo --json still has all 4 nodes with their CPUs" \
		"rc('cg-topo') == 0 and [(n['os_index'], n['cpus']) for n in j('cg-topo.out')['numa_nodes']] == [(0, '0'), (1, '1'), (2, '2'), (3, '')] and j('cg-topo.out')['cpus'] == '0-2'" cg-topo
	check $L "child cgroup: JSON marks CPU 2 and node 3's memory not allowed" \
		"j('cg-topo.out')['allowed_cpus'] == '0-1' and j('cg-topo.out')['allowed_nodes'] == '0-1' and [(n['allowed_cpus'], n['memory_allowed']) for n in j('cg-topo.out')['numa_nodes']] == [('0', True), ('1', True), ('', None), ('', False)]" cg-topo
	check $L "child cgroup: text says what is allowed and marks node 2's CPU and node 3's memory" \
		"rc('cg-topo-text') == 0 and 'Allowed here: CPUs 0-1, memory on nodes 0-1 ' in o('cg-topo-text.out') and any(l.startswith('  node 2: CPUs 2,') and l.endswith('[not allowed here: CPUs 2]') for l in o('cg-topo-text.out').splitlines()) and any(l.startswith('  node 3: no CPUs') and l.endswith('[not allowed here: memory]') for l in o('cg-topo-text.out').splitlines())" cg-topo-text
	refused $L cg-membind3 "memory of node 3 is not allowed to this process by its cgroup/cpuset" "child cgroup: --membind 3 refused: node 3's memory not allowed by the cgroup/cpuset"
	refused $L cg-cpus2 "CPU 2 is not allowed to this process by its cgroup/cpuset" "child cgroup: --cpus 2 refused: CPU 2 not allowed by the cgroup/cpuset"
	refused $L cg-cpunodebind2 "CPU 2 of node\\(s\\) 2 is not allowed" "child cgroup: --cpunodebind 2 refused: node 2's CPU not allowed"
	check $L "child cgroup: numa-latency is rows (0, 1) x columns (0, 1) and warns why node 2 is no row and node 3 no column" \
		"rc('cg-numa-latency') == 0 and sorted((m['labels']['cpu_node'], m['labels']['mem_node']) for m in j('cg-numa-latency.json')['measurements'] if m['metric'] == 'latency') == [(0, 0), (0, 1), (1, 0), (1, 1)] and any('node 2 is not a row' in w and 'cgroup/cpuset' in w for w in map(str, j('cg-numa-latency.json')['warnings'])) and any('node 3 is not a column' in w and 'cgroup/cpuset' in w for w in map(str, j('cg-numa-latency.json')['warnings']))" cg-numa-latency
}
