#!/bin/bash
# SPDX-License-Identifier: MIT
# 32-branch.sh — `locus bench branch`: the shape of its measurements (labels data,
# variant, n), the verification (branchy and branchless agree with the reference sum on
# the same data), counters and the derived mispredict rate null with a reason where they
# cannot be counted, bad options refused with exit 2, and — the point of the bench —
# the built binary's branchy kernel really contains a conditional jump inside its loop
# and no cmov, while the branchless kernel has none.  Shape and code, never speed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

skip_one() { # DESC REASON
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

run "$LOCUS" bench list
has_out '^branch ' "bench list shows branch"

run "$LOCUS" bench branch --help
is_rc 0 "bench branch --help exits 0"
has_out 'period-2' "help lists the periodic data sets"

run "$LOCUS" bench branch --n 4096 --data sorted,random,period-2,period-8 --reps 3 --json
is_rc 0 "branch with tiny data exits 0"
M='d["measurements"]'
json_check "d['schema'] == 'locus-result/1' and len($M) == 8" "8 measurements: 4 data sets x 2 variants"
json_check "all(m['bench'] == 'branch' and m['metric'] == 'time_per_element' and m['unit'] == 'ns' for m in $M)" \
	"metric time_per_element in ns"
json_check "sorted((m['labels']['data'], m['labels']['variant']) for m in $M) == sorted((x, v) for x in ('sorted', 'random', 'period-2', 'period-8') for v in ('branchy', 'branchless'))" \
	"labels data x variant cover the request"
json_check "all(set(m['labels']) == {'data', 'variant', 'n'} and m['labels']['n'] == 4096 for m in $M)" \
	"labels are exactly data, variant, n"
json_check "all(3 <= len(m['samples']) <= 6 and all(s > 0 for s in m['samples']) for m in $M)" "3 positive samples each"
json_check "all(m['verified']['variants_agree'] is True and m['verified']['sum_ok'] is True for m in $M)" \
	"both variants agree on every data set"
json_check "all(m['verified']['branchy_sum'] == m['verified']['branchless_sum'] == m['verified']['sum'] for m in $M)" \
	"branchy and branchless sums equal the reference"
json_check "len({m['verified']['sum'] for m in $M if m['labels']['data'] in ('sorted', 'random')}) == 1" \
	"sorted data is the random data sorted (same sum)"
json_check "all(m['verified']['selected_fraction'] == 0.5 and m['verified']['period'] == int(m['labels']['data'][7:]) for m in $M if m['labels']['data'].startswith('period-'))" \
	"periodic data selects exactly half the elements"
json_check "all(m['verified']['threshold'] == 128 and m['verified']['cpu_ok'] is True for m in $M)" \
	"threshold 128 and the pinned CPU recorded"
EV="('PAPI_BR_INS', 'PAPI_BR_MSP')"
json_check "all(isinstance(m['counters'][e], (int, float)) or (m['counters'][e] is None and isinstance(m['counters_unavailable'].get(e), str)) for m in $M for e in $EV)" \
	"branch counters are numbers, or null with a reason"
json_check "all((m['counters']['mispredict_rate'] is None and isinstance(m['counters_unavailable'].get('mispredict_rate'), str)) or 0 <= m['counters']['mispredict_rate'] <= 1 for m in $M)" \
	"mispredict rate derived, or null with a reason"
json_check "all(m['counters_per'] == 'element' for m in $M)" "counters are per element"

run "$LOCUS" bench branch --n 2048 --data random --variant branchless --threshold 200 --seed 7 --reps 3 --json
is_rc 0 "one variant, another threshold and seed"
json_check "len($M) == 1 and ${M}[0]['labels']['variant'] == 'branchless' and ${M}[0]['verified']['threshold'] == 200 and ${M}[0]['verified']['seed'] == 7" \
	"--variant, --threshold and --seed honoured"
json_check "${M}[0]['verified']['variants_agree'] is True" "the unmeasured variant is still checked"

run "$LOCUS" bench branch --n 4096 --data period-8192
is_rc 2 "a period longer than the array exits 2"
one_line_err 'period-8192' "the period is named"

run "$LOCUS" bench branch --data zigzag
is_rc 2 "an unknown data set exits 2"
one_line_err "'zigzag'" "the bad data set is named"

run "$LOCUS" bench branch --threshold 0
is_rc 2 "--threshold 0 exits 2"

run "$LOCUS" bench branch --n 12
is_rc 2 "--n below 1024 exits 2"

# The disassembly check: the branchy kernel must have a data-dependent conditional jump
# inside its loop (two conditional jumps in the loop: the data's and the loop's own) and
# no cmov, setcc or vector code; the branchless one only the loop's own conditional jump.
# Cross builds (scripts/cross-test) name their objdump and the binary itself, since
# $LOCUS is then a wrapper that runs it under qemu-user.
OBJDUMP=${OBJDUMP:-objdump}
LOCUS_ELF=${LOCUS_ELF:-$LOCUS}
if ! command -v "$OBJDUMP" >/dev/null 2>&1; then
	for t in "kernels found" "branchy: data-dependent conditional jump" \
		 "branchy: no cmov, setcc or vector code" "branchless: no data-dependent jump"; do
		skip_one "$t" "$OBJDUMP not installed"
	done
	done_testing
fi
"$OBJDUMP" -d --no-show-raw-insn "$LOCUS_ELF" >"$T_TMP/dis" 2>/dev/null
python3 - "$T_TMP/dis" >"$T_TMP/kern" <<'PY'
import re, sys
txt = open(sys.argv[1]).read()

def body(name):
    m = re.search(r'^[0-9a-f]+ <%s(?:\.[a-z_]+\.\d+)*>:\n(.*?)(?:\n\s*\n|\Z)' % name, txt, re.S | re.M)
    return m.group(1) if m else None

def analyze(b):
    """(conditional jumps inside the loop, cmov/setcc-like or vector instructions).  The loop is
    the range spanned by the backward jumps (conditional or not); a loop needs one
    conditional jump to end it, so a second one inside the loop is a data branch."""
    jumps, cmov = [], 0
    for line in b.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\s+(.*)$', line)
        if not m:
            continue
        # aarch64 objdump appends "// b.lo, b.ul, b.last" comments after the target.
        text = m.group(2).split('//')[0]
        addr, ins = int(m.group(1), 16), text.split()
        while ins and ins[0] in ('bnd', 'notrack', 'ds', 'cs', 'rex', 'data16'):
            ins = ins[1:]
        if len(ins) < 2:
            continue
        op = ins[0]
        if re.match(r'(cmov|set)[a-z]+$', op) or op in ('csel', 'csinc', 'csneg', 'cset', 'csetm'):
            cmov += 1
        if re.search(r'%[xyz]mm|\bv[0-9]+\.', text):
            cmov += 1
        cond = (re.fullmatch(r'j[a-z]+', op) and op not in ('jmp', 'jmpq')) or \
            re.fullmatch(r'b\.[a-z]+|cbn?z|tbn?z', op)
        uncond = op in ('jmp', 'jmpq', 'b')
        if not (cond or uncond):
            continue
        tgt = ins[-2] if ins[-1].startswith('<') and len(ins) > 2 else ins[-1]
        t = re.fullmatch(r'(?:0x)?([0-9a-f]+)', tgt.split(',')[-1])
        if t:
            jumps.append((addr, int(t.group(1), 16), bool(cond)))
    back = [(a, t) for a, t, c in jumps if t <= a]
    if not back:
        return 0, cmov
    lo, hi = min(t for a, t in back), max(a for a, t in back)
    return sum(1 for a, t, c in jumps if c and lo <= a <= hi), cmov

for name in ('branch_sum_branchy', 'branch_sum_branchless'):
    b = body(name)
    if b is None:
        print(name, 'missing')
    else:
        print(name, *analyze(b))
PY
read -r _ by_inner by_cmov < <(grep '^branch_sum_branchy ' "$T_TMP/kern")
read -r _ bl_inner bl_cmov < <(grep '^branch_sum_branchless ' "$T_TMP/kern")
if [ -z "${by_inner:-}" ] || [ -z "${bl_inner:-}" ] || [ "$by_inner" = missing ] || [ "$bl_inner" = missing ]; then
	for t in "branchy: data-dependent conditional jump" \
		 "branchy: no cmov, setcc or vector code" "branchless: no data-dependent jump"; do
		skip_one "$t" "kernel symbols not in $LOCUS (stripped?)"
	done
	done_testing
fi
[ "$by_inner" -ge 2 ]
ok $? "branchy: a conditional jump inside the loop besides the loop's own ($by_inner in all)"
[ "$by_cmov" -eq 0 ]
ok $? "branchy: no cmov, setcc or vector code ($by_cmov)"
[ "$bl_inner" -le 1 ]
ok $? "branchless: no conditional jump inside the loop but its own ($bl_inner in all; cmov/setcc/vector $bl_cmov)"

done_testing
