#!/bin/bash
# SPDX-License-Identifier: MIT
# 58-report-aarch64.sh — `locus report` renders an aarch64 result: the
# fixture is a real `bench all --quick` run of the aarch64 build under qemu-user as a
# Neoverse N1 (scripts/cross-test aarch64, step 5; QEMU_CPU=neoverse-n1), with its
# timings (meaningless under emulation) as they came.  The report must say what the
# result says: the architecture, the core named from its MIDR fields and where they
# were read, and the NEON kernels (isa=neon) — in text, HTML and Markdown.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

F=$FIXTURES/results/aarch64-quick.json

# The fixture is what it claims to be (a result of the aarch64 build, not an x86 one
# edited): checked first, so the report checks below test something.
python3 - "$F" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c, t = d["env"]["cpu"], d["env"]["timer"]
isas = {m["labels"].get("isa") for m in d["measurements"] if m["bench"] == "bandwidth"}
assert c["arch"] == "aarch64" and c["vendor"] == "Arm" and c["model"].startswith("Neoverse N1"), c
assert c["implementer"] == 0x41 and c["part"] == 0xd0c and c["identity"].startswith("midr_el1"), c
assert t["source"] == "cntvct" and isas == {"neon"}, (t, isas)
assert d["run"]["command"] == "all" and d["run"]["quick"], d["run"]
PY
ok $? "the fixture is an aarch64 quick suite: Arm Neoverse N1 from MIDR_EL1, cntvct, isa=neon"

run "$LOCUS" report --text "$F"
is_rc 0 "report --text: exit 0"
has_out '^ *Architecture:? +aarch64' "text: the architecture"
has_out '^ *CPU:? +Neoverse N1' "text: the core named from MIDR"
has_out 'CPU identity +Arm: MIDR implementer 0x41, part 0xd0c, variant [0-9]+,' \
	"text: the MIDR fields"
has_out 'read from midr_el1' "text: ... and where they were read (qemu-user: not /proc/cpuinfo)"
has_out 'neon' "text: the NEON kernels (isa=neon)"

run "$LOCUS" report --no-plots "$F" -o "$T_TMP/html"
is_rc 0 "report (HTML, no plots): exit 0"
H=$T_TMP/html/index.html
grep -q 'aarch64' "$H" && grep -q 'Neoverse N1' "$H" && grep -q 'MIDR implementer 0x41, part 0xd0c' "$H"
ok $? "HTML: the architecture, the core and its MIDR fields"
grep -q 'neon' "$H"
ok $? "HTML: the NEON kernels (isa=neon)"
M=$T_TMP/html/report.md
grep -q 'aarch64' "$M" && grep -q 'MIDR implementer 0x41, part 0xd0c' "$M" && grep -q 'neon' "$M"
ok $? "Markdown: the architecture, the MIDR fields and isa=neon"

done_testing
