#!/bin/bash
# SPDX-License-Identifier: MIT
# 10-topo.sh — `locus topo`: text and JSON on this machine, the XML fixtures (node
# counts, CPUs, memory, distances, memoryless and CPU-less nodes), synthetic specs,
# output files, and one-line errors with exit 2 for bad topologies.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

TOPO=$FIXTURES/topo

run "$LOCUS" topo --help
is_rc 0 "topo --help exits 0"
has_out '^Usage: locus topo' "topo --help prints usage"
has_out '--json' "topo --help mentions --json"

run "$LOCUS" topo
is_rc 0 "topo on this machine exits 0"
has_out '^Topology: this machine' "text names the source"
has_out '^NUMA nodes:' "text lists NUMA nodes"
has_out '^  node [0-9]+: ' "text shows at least one node"
has_out '^Caches:' "text lists caches"

run "$LOCUS" topo --json
is_rc 0 "topo --json exits 0"
json_check 'all(k in d for k in ("numa_nodes", "caches", "packages", "cores", "pus", "hugepages", "source", "fake"))' \
	"JSON has the required keys"
json_check 'd["fake"] is False and d["source"] == "this machine"' "this machine is not fake"
json_check 'len(d["numa_nodes"]) >= 1 and d["pus"] >= 1' "at least one node and one PU"
json_check 'all(k in n for n in d["numa_nodes"] for k in ("os_index", "cpus", "memory_bytes", "distances"))' \
	"every node has os_index, cpus, memory_bytes, distances"
json_check 'all(k in c for c in d["caches"] for k in ("level", "type", "size_bytes", "line_size", "associativity", "cpus"))' \
	"every cache has level, type, size, line size, associativity, cpus"
json_check 'all(c["type"] in ("data", "instruction", "unified") for c in d["caches"])' "cache types are named"

# On this machine the huge page counts are live, read through the sysroot: point it at
# a tree with made-up pools and check they are what the JSON reports.
node=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
n = d["numa_nodes"][0]
print(n["os_index"] if any(h["size_bytes"] == 2097152 for h in n["hugepages"]) else "")' "$out")
if [ -n "$node" ]; then
	sr="$T_TMP/sysroot"
	d="$sr/sys/devices/system/node/node$node/hugepages/hugepages-2048kB"
	mkdir -p "$d" "$sr/sys/kernel/mm/hugepages/hugepages-2048kB"
	echo 12 >"$d/nr_hugepages"; echo 5 >"$d/free_hugepages"
	echo 40 >"$sr/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
	echo 30 >"$sr/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
	run "$LOCUS" --sysroot "$sr" topo --json
	is_rc 0 "topo --sysroot exits 0"
	json_check '[(h["total"], h["free"]) for h in d["numa_nodes"][0]["hugepages"] if h["size_bytes"] == 2097152] == [(12, 5)]' \
		"node huge page pool read from sysfs"
	json_check '[(h["total"], h["free"]) for h in d["hugepages"] if h["size_bytes"] == 2097152] == [(40, 30)]' \
		"global huge page pool read from sysfs"
else
	ok 0 "# SKIP this machine's node 0 lists no 2M huge page pool"
fi

# --- fixtures
run "$LOCUS" --topology "$TOPO/2node.xml" topo --json
is_rc 0 "2node fixture loads"
json_check 'd["fake"] is True and d["source"].startswith("XML ")' "a fixture is fake"
json_check 'len(d["numa_nodes"]) == 2 and d["pus"] == 16 and d["packages"] == 2' "2node: 2 nodes, 16 PUs, 2 packages"
json_check '[n["distances"] for n in d["numa_nodes"]] == [[10, 21], [21, 10]]' "2node: SLIT distances"
json_check '[n["cpus"] for n in d["numa_nodes"]] == ["0-7", "8-15"]' "2node: node cpus"
json_check '[h["size_bytes"] for h in d["hugepages"]] == [2097152, 1073741824]' "2node: 2M and 1G pools"
has_err 'nothing .*bound' "a fake topology says nothing is bound"

run "$LOCUS" topo --topology "$TOPO/4node.xml" --json
is_rc 0 "4node fixture loads (--topology after the command)"
json_check 'len(d["numa_nodes"]) == 4' "4node: 4 nodes"
json_check 'd["numa_nodes"][0]["distances"] == [10, 12, 21, 21] and d["numa_nodes"][3]["distances"] == [21, 21, 12, 10]' \
	"4node: SLIT rows"

run "$LOCUS" --topology "$TOPO/8node.xml" topo --json
is_rc 0 "8node fixture loads"
json_check 'len(d["numa_nodes"]) == 8 and d["pus"] == 32' "8node: 8 nodes, 32 PUs"
json_check 'all(len(n["distances"]) == 8 and n["distances"][i] == 10 for i, n in enumerate(d["numa_nodes"]))' \
	"8node: 8x8 matrix with 10 on the diagonal"
json_check 'd["numa_nodes"][0]["distances"][7] == 32 and d["numa_nodes"][0]["distances"][1] == 12' \
	"8node: same package 12, other package 32"

run "$LOCUS" --topology "$TOPO/memoryless.xml" topo --json
is_rc 0 "memoryless fixture loads"
json_check 'd["numa_nodes"][1]["memory_bytes"] == 0 and d["numa_nodes"][1]["cpus"] == "8-15"' \
	"memoryless node: CPUs and memory_bytes 0"
json_check 'd["numa_nodes"][1]["memoryless"] is True and d["numa_nodes"][0]["memoryless"] is False' \
	"memoryless node is marked"

run "$LOCUS" --topology "$TOPO/cpuless.xml" topo --json
is_rc 0 "cpuless fixture loads"
json_check 'len(d["numa_nodes"]) == 3 and d["numa_nodes"][2]["cpus"] == "" and d["numa_nodes"][2]["cpuless"] is True' \
	"CPU-less node appears with cpus \"\""
json_check 'd["numa_nodes"][2]["memory_bytes"] == 137438953472' "CPU-less node memory"
json_check 'd["numa_nodes"][2]["distances"] == [24, 24, 10]' "CPU-less node distances"
json_check 'd["numa_nodes"][2]["attributes"]["bandwidth_mib_s"] == 30000 and d["numa_nodes"][2]["attributes"]["latency_ns"] == 250' \
	"CPU-less node bandwidth and latency attributes"

run "$LOCUS" --topology "$TOPO/cpuless.xml" topo
is_rc 0 "cpuless text"
has_out '^  node 2: no CPUs' "text marks the CPU-less node"
has_out '^ +2: +24 +24 +10$' "text shows the distance row"

# --- synthetic
run "$LOCUS" --topology "pack:2 numa:1 core:4 pu:2" topo --json
is_rc 0 "synthetic topology loads"
json_check 'len(d["numa_nodes"]) == 2 and d["pus"] == 16 and d["fake"] is True' "synthetic: 2 nodes, 16 PUs, fake"
json_check 'all(n["distances"] is None for n in d["numa_nodes"])' "synthetic: distances null"

# --- output file
f="$T_TMP/topo.json"
run "$LOCUS" --topology "$TOPO/2node.xml" topo --json -o "$f"
is_rc 0 "-o FILE exits 0"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(len(d["numa_nodes"]) != 2)' "$f"
ok $? "-o FILE holds the JSON"
run "$LOCUS" --topology "$TOPO/2node.xml" topo -o - --json
is_rc 0 "-o - is stdout"
json_check 'len(d["numa_nodes"]) == 2' "-o - writes JSON to stdout"
run "$LOCUS" topo -o "$T_TMP/no/such/dir/x"
is_rc 1 "-o into a missing directory fails"

# --- restricted allowed sets (what a cgroup/cpuset leaves a process): the whole machine
# is shown, with what is not allowed marked, and placement refuses it saying why.
# restricted-memoryless is the cgroup2 case: memoryless node 1 is never in cpuset.mems,
# and hwloc by default would drop it and give its CPUs to node 0.
run "$LOCUS" --topology "$TOPO/restricted-memoryless.xml" topo --json
is_rc 0 "restricted-memoryless fixture loads"
json_check '[(n["os_index"], n["cpus"], n["allowed_cpus"], n["memory_allowed"]) for n in d["numa_nodes"]] == [(0, "0-7", "0-7", True), (1, "8-15", "8-14", None)]' \
	"restricted-memoryless: both nodes with their CPUs; node 1's CPU 15 not allowed, memory_allowed null"
json_check 'd["cpus"] == "0-15" and d["allowed_cpus"] == "0-14" and d["allowed_nodes"] == "0" and d["pus"] == 16' \
	"restricted-memoryless: all 16 CPUs, allowed_cpus 0-14, allowed_nodes 0"
run "$LOCUS" --topology "$TOPO/restricted-cpuless.xml" topo
is_rc 0 "restricted-cpuless text exits 0"
has_out '^Allowed here: CPUs 0-14, memory on nodes 0-1 ' "text says what is allowed"
has_out '^  node 1: CPUs 8-15, .*\[not allowed here: CPUs 15\]' "text marks node 1's disallowed CPU"
has_out '^  node 2: no CPUs .*\[not allowed here: memory\]' "text marks node 2's disallowed memory"
run "$LOCUS" --topology "$TOPO/cpuless.xml" topo
no_out 'not allowed|^Allowed here' "an unrestricted topology marks nothing"
run "$LOCUS" --topology "$TOPO/restricted-cpuless.xml" topo --json
json_check 'd["allowed_nodes"] == "0-1" and [n["memory_allowed"] for n in d["numa_nodes"]] == [True, True, False]' \
	"restricted-cpuless: node 2's memory not allowed"
for a in "--cpus 15:CPU 15 is not allowed" "--cpunodebind 1:CPU 15 of node\(s\) 1 is not allowed" \
	 "--membind 2:memory of node 2 is not allowed" "--interleave 0,2:memory of node 2 is not allowed"; do
	# shellcheck disable=SC2086  # ${a%%:*} is an option and its value, split on purpose
	run "$LOCUS" --topology "$TOPO/restricted-cpuless.xml" bench latency --sizes 64K ${a%%:*}
	is_rc 2 "${a%%:*} outside the allowed sets exits 2"
	has_err "^locus: bench: --[a-z]+: ${a#*:} to this process by its cgroup/cpuset" "${a%%:*}: says it is not allowed by the cgroup/cpuset"
done

# --- bad input: one line naming the value, exit 2
run "$LOCUS" --topology "$T_TMP/missing.xml" topo
is_rc 2 "missing XML file exits 2"
one_line_err "missing\.xml: no such file" "missing file is named"
[ "$(wc -l <"$err")" -eq 1 ]
ok $? "missing file: exactly one line on stderr"

printf '<?xml version="1.0"?>\n<topology version="2.0"><object type="Mach' >"$T_TMP/bad.xml"
run "$LOCUS" --topology "$T_TMP/bad.xml" topo
is_rc 2 "malformed XML exits 2"
one_line_err "bad\.xml: not a valid hwloc XML topology" "malformed XML is named"
[ "$(wc -l <"$err")" -eq 1 ]
ok $? "malformed XML: exactly one line on stderr (hwloc's parser is silent)"

run "$LOCUS" --topology "pack:2 bogus:3" topo
is_rc 2 "bad synthetic description exits 2"
one_line_err "'pack:2 bogus:3' is not a valid hwloc synthetic description" "bad synthetic is named"
has_err 'e\.g\. "pack:2 numa:1 core:4 pu:2"' "bad synthetic shows an example"

run "$LOCUS" topo extra
is_rc 2 "a stray argument exits 2"

run "$LOCUS" topo --bogus
is_rc 2 "an unknown option exits 2"

done_testing
