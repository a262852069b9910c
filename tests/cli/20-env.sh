#!/bin/bash
# SPDX-License-Identifier: MIT
# 20-env.sh — `locus env`: the fingerprint's groups, JSON shape, --sysroot honoured
# (the fixture's distinct values come back), text output, -o, help and bad options.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

SYSROOT="$FIXTURES/sysroot/basic"

# --- this machine
run "$LOCUS" env --json
is_rc 0 "env --json exits 0"
json_check 'all(k in d for k in ["cpu","kernel","memory","hugepages","cgroup","timer","counters","build","locus","host","time"])' \
	"env --json has every group"
json_check 'isinstance(d["kernel"]["release"], str) and d["kernel"]["release"] != ""' "kernel.release is read"
json_check 'd["memory"]["thp_enabled"] is None or d["memory"]["thp_enabled"] in ("always","madvise","never")' \
	"memory.thp_enabled is the selected word, not the bracket list"
json_check 'd["time"].endswith("Z") and "T" in d["time"]' "time is UTC ISO-8601"
json_check 'd["locus"]["version"] != "" and d["build"]["compiler"] != ""' "locus version and compiler recorded"
json_check 'isinstance(d["counters"]["backend"], str) and isinstance(d["counters"]["events"], dict)' \
	"counters group has backend and events"
json_check 'all(isinstance(v["available"], bool) and (v["available"] or (isinstance(v.get("reason"), str) and v["reason"])) for v in d["counters"]["events"].values())' \
	"every probed counter is available or has a reason"
json_check 'len(d["counters"]["events"]) == 12' "the probe covers 12 events"
json_check 'isinstance(d["timer"], dict) and d["timer"]["source"] in ("tsc","cntvct","clock_gettime(CLOCK_MONOTONIC_RAW)")' \
	"timer group comes from timer_json"

# --- the fixture sysroot: its distinct values prove every /proc and /sys read is redirected
run "$LOCUS" --sysroot "$SYSROOT" env --json
is_rc 0 "env under --sysroot exits 0"
json_check 'd["memory"]["swappiness"] == 33' "swappiness 33 from the fixture"
json_check 'd["memory"]["thp_enabled"] == "never"' "THP 'never' parsed from 'always madvise [never]'"
json_check 'd["memory"]["thp_defrag"] == "defer+madvise"' "THP defrag bracket parsed"
json_check 'd["memory"]["numa_balancing"] == 1 and d["memory"]["zone_reclaim_mode"] == 1' "numa_balancing and zone_reclaim_mode"
json_check 'd["memory"]["overcommit_memory"] == 2 and d["memory"]["overcommit_ratio"] == 75 and d["memory"]["overcommit_kbytes"] == 0' \
	"overcommit settings"
json_check 'd["memory"]["min_free_kbytes"] == 45056 and d["memory"]["watermark_scale_factor"] == 150' \
	"min_free_kbytes and watermark_scale_factor"
json_check 'd["memory"]["total_bytes"] == 16384000 * 1024 and d["memory"]["numa_nodes"] == 2' "MemTotal and node count"
json_check 'd["kernel"]["release"] == "6.1.0-fixture"' "kernel release from proc/sys/kernel/osrelease, not uname"
json_check 'd["kernel"]["perf_event_paranoid"] == 1' "perf_event_paranoid"
json_check 'd["host"] == "fixture-host"' "hostname from the fixture"
json_check 'd["cpu"]["model"].startswith("Fixture(R)") and d["cpu"]["family"] == 6 and d["cpu"]["model_number"] == 85 and d["cpu"]["stepping"] == 7' \
	"CPU identity from the fixture's cpuinfo"
json_check 'd["cpu"]["microcode"] == "0x5003604"' "microcode"
json_check 'd["cpu"]["virtualized"] is False and d["cpu"]["hypervisor_vendor"] == "none"' \
	"no hypervisor in the fixture (the host's CPUID is not consulted)"
json_check 'd["cpu"]["pus"] == 4 and d["cpu"]["cores"] == 2 and d["cpu"]["packages"] == 1 and d["cpu"]["threads_per_core"] == 2' \
	"packages, cores, PUs and threads per core from sysfs topology"
json_check 'd["cpu"]["smt_active"] is True' "smt active"
json_check 'd["cpu"]["governor"] == "performance" and d["cpu"]["no_turbo"] is True' "governor and no_turbo"
json_check 'd["cpu"]["boost"] is None' "boost is null when the file is absent"
json_check 'd["hugepages"]["default_kb"] == 2048' "default hugepage size"
json_check 'd["hugepages"]["pools"]["2048kB"]["nr_hugepages"] == 64 and d["hugepages"]["pools"]["2048kB"]["resv_hugepages"] == 2' \
	"2 MB pool"
json_check 'd["hugepages"]["pools"]["2048kB"]["nodes"]["node1"]["free_hugepages"] == 22' "per-node pool"
json_check 'd["hugepages"]["pools"]["1048576kB"]["free_hugepages"] == 1 and "node1" not in d["hugepages"]["pools"]["1048576kB"]["nodes"]' \
	"1 GB pool, only on the node that has it"
json_check 'list(d["hugepages"]["pools"]) == ["2048kB", "1048576kB"]' "pools sorted by size"
json_check 'd["cgroup"]["mode"] == "v2" and d["cgroup"]["path"] == "/locus-test.slice"' "cgroup v2 path"
json_check 'd["cgroup"]["cpuset_cpus_effective"] == "0-1" and d["cgroup"]["cpuset_mems_effective"] == "0"' "cgroup cpuset"
json_check 'd["cgroup"]["memory_max"] == 4294967296 and d["cgroup"]["memory_high"] == "max" and d["cgroup"]["cpu_max"] == "200000 100000"' \
	"cgroup memory.max, memory.high and cpu.max"

# --- an empty sysroot: everything unreadable is null, nothing is guessed
mkdir -p "$T_TMP/empty"
run "$LOCUS" --sysroot "$T_TMP/empty" env --json
is_rc 0 "env under an empty sysroot exits 0"
json_check 'd["memory"]["swappiness"] is None and d["memory"]["thp_enabled"] is None and d["kernel"]["release"] is None' \
	"unreadable tunables are null"
json_check 'd["cpu"]["model"] is None and d["cpu"]["pus"] is None and d["hugepages"]["pools"] is None and d["cgroup"]["mode"] is None' \
	"unreadable CPU, hugepage and cgroup fields are null"

# --- text output
run "$LOCUS" --sysroot "$SYSROOT" env
is_rc 0 "env (text) exits 0"
has_out '^memory:$' "text output is grouped"
has_out '^  swappiness: 33$' "text shows swappiness 33"
has_out '^  thp_enabled: never$' "text shows THP mode"
has_out '^  boost: \(unknown\)$' "text shows unknown for null"
has_out '^    PAPI_TOT_CYC: (yes|no \(.+\))$' "text shows counter availability with reason"

# --- -o FILE
run "$LOCUS" --sysroot "$SYSROOT" env --json -o "$T_TMP/env.json"
is_rc 0 "env -o FILE exits 0"
[ ! -s "$out" ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["memory"]["swappiness"] != 33)' "$T_TMP/env.json"
ok $? "-o writes the JSON to the file, nothing on stdout"
run "$LOCUS" env -o "$T_TMP/no/such/dir/env.json"
is_rc 1 "unwritable -o FILE exits 1"
one_line_err 'no/such/dir/env.json' "unwritable -o names the file"

# --- help and usage errors
run "$LOCUS" env --help
is_rc 0 "env --help exits 0"
has_out '^Usage: locus env' "env --help prints usage"
has_out 'sysroot DIR' "env --help mentions the common options"
run "$LOCUS" env --bogus
is_rc 2 "env with a bad option exits 2"
# An Arm server's cpuinfo (no vendor_id or model name lines: the MIDR fields), read
# through a sysroot: named from lib/arm-cores.c whatever this machine's architecture.
cp -r "$FIXTURES/sysroot/basic" "$T_TMP/arm"
cat >"$T_TMP/arm/proc/cpuinfo" <<'CPUINFO'
processor	: 0
BogoMIPS	: 2100.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs paca pacg dcpodp svei8mm svebf16 i8mm bf16 dgh rng
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x1
CPU part	: 0xd40
CPU revision	: 1

CPUINFO
run "$LOCUS" --sysroot "$T_TMP/arm" env --json
is_rc 0 "env under an Arm sysroot: exit 0"
json_check 'd["cpu"]["vendor"] == "Arm" and d["cpu"]["model"] == "Neoverse V1 (Graviton3)"' \
	"Arm cpuinfo: vendor and core named from the MIDR fields"
json_check 'd["cpu"]["implementer"] == 0x41 and d["cpu"]["part"] == 0xd40 and d["cpu"]["variant"] == 1 and d["cpu"]["revision"] == 1 and d["cpu"]["family"] is None' \
	"Arm cpuinfo: implementer, part, variant, revision recorded; x86 fields null"
json_check 'd["cpu"]["identity"] == "/proc/cpuinfo"' "Arm cpuinfo: the identity's source is recorded"
sed -i 's/^CPU part.*/CPU part	: 0xfff/' "$T_TMP/arm/proc/cpuinfo"
run "$LOCUS" --sysroot "$T_TMP/arm" env --json
json_check 'd["cpu"]["vendor"] == "Arm" and d["cpu"]["model"] == "Arm part 0xfff"' \
	"an Arm part not on the table: named by its number, never guessed"

run "$LOCUS" env stray
is_rc 2 "env with a stray argument exits 2"
one_line_err "unexpected argument 'stray'" "the stray argument is named"

done_testing
