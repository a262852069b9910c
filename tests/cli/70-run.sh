#!/bin/bash
# SPDX-License-Identifier: MIT
# 70-run.sh — `locus run`: the program runs with the placement asked, its exit status
# comes back (128 + N for signal N, 127 when not found), nodes that do not exist are
# refused with exit 2 before anything runs, and --report (text and --json) says what
# the program got: its CPUs (last and allowed), its pages per node from numa_maps at
# exit, and the numastat deltas per node.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run "$LOCUS" run --help
is_rc 0 "run --help exits 0"
has_out '[-]-membind' "help lists the placement options"
has_out '[-]-report' "help lists --report"

run "$LOCUS" --help
has_out '^  run ' "locus --help lists run"

run "$LOCUS" run -- sh -c 'exit 7'
is_rc 7 "the program's exit status is propagated (7)"

run "$LOCUS" run sh -c 'exit 0'
is_rc 0 "without '--' too, and the program's options stay its own"

run "$LOCUS" run -- sh -c 'kill -TERM $$'
is_rc 143 "killed by SIGTERM: 128 + 15"

run "$LOCUS" run -- /nonexistent/program
is_rc 127 "a program that does not exist: 127"
one_line_err "/nonexistent/program" "the program is named"

run "$LOCUS" run -- sh -c 'echo hello; echo oops >&2'
has_out '^hello$' "the program's stdout passes through"
has_err '^oops$' "the program's stderr passes through"

run "$LOCUS" run
is_rc 2 "no program: exit 2"

run "$LOCUS" run --bogus -- true
is_rc 2 "an unknown option: exit 2"

bad=$(( $(find /sys/devices/system/node -maxdepth 1 -name 'node[0-9]*' 2>/dev/null | wc -l) + 7 ))
run "$LOCUS" run --membind $bad -- sh -c 'echo ran'
is_rc 2 "--membind $bad (no such node): exit 2"
one_line_err "$bad" "the bad node is named"
no_out 'ran' "the program did not run"

run "$LOCUS" run --cpunodebind $bad -- true
is_rc 2 "--cpunodebind $bad: exit 2"
run "$LOCUS" run --interleave 0,$bad -- true
is_rc 2 "--interleave 0,$bad: exit 2"
run "$LOCUS" run --membind 0 --preferred 0 -- true
is_rc 2 "two memory policies: exit 2"

ncpu=$(nproc)
last=$((ncpu - 1))
run "$LOCUS" run --cpus $last -- grep Cpus_allowed_list /proc/self/status
is_rc 0 "--cpus $last exits 0"
has_out "Cpus_allowed_list:[[:space:]]+$last\$" "the program is bound to CPU $last"

run "$LOCUS" run --membind 0 -- grep -c . /proc/self/numa_maps
if [ -r /proc/self/numa_maps ]; then
	is_rc 0 "--membind 0 runs the program"
	run "$LOCUS" run --membind 0 -- cat /proc/self/numa_maps
	has_out '^[0-9a-f]+ bind:0 ' "the program's memory policy is bind:0 (numa_maps)"
fi

run "$LOCUS" run --cpus $last --membind 0 --json -o - -- sh -c 'exit 3'
is_rc 3 "--json report: the exit status is still the program's"
json_check "d['command'] == ['sh', '-c', 'exit 3'] and d['exit_status'] == 3 and d['signal'] is None and d['pid'] > 0" \
	"report: command, exit status, pid"
json_check "d['asked'] == {'cpus': '$last', 'policy': 'bind', 'nodes': [0]}" "report: what was asked"
json_check "d['cpus']['last'] == $last and d['cpus']['allowed'] == '$last' and isinstance(d['cpus']['mems_allowed'], str)" \
	"report: the CPU it ran on and its allowed set"
if [ -r /proc/self/numa_maps ]; then
	json_check "d['pages']['sampled_at'] == 'exit' and d['pages']['nodes']['node0']['pages'] > 0 and d['pages']['total'] == sum(v['pages'] for v in d['pages']['nodes'].values())" \
		"report: its pages per node at exit, on node 0"
	json_check "set(d['pages']['nodes']) == {'node0'}" "report: no page on another node"
else
	json_check "d['pages']['nodes'] is None and d['pages']['unavailable']" "report: pages unavailable, with the reason"
fi
if ls /sys/devices/system/node/node0/numastat >/dev/null 2>&1; then
	json_check "set(d['numastat']['node0']) == {'numa_hit', 'numa_miss', 'numa_foreign', 'interleave_hit', 'local_node', 'other_node'} and all(isinstance(x, int) and x >= 0 for x in d['numastat']['node0'].values())" \
		"report: numastat deltas for node 0"
fi

run "$LOCUS" run --json -o - -- sh -c 'kill -KILL $$'
is_rc 137 "--report of a killed program: 128 + 9"
json_check "d['signal'] == 9 and d['exit_status'] == 137" "report: the signal"

run "$LOCUS" run --report -- sh -c 'echo out'
is_rc 0 "--report (text) exits 0"
has_out '^out$' "the program's output stays on stdout"
has_err '^locus run: sh exited with status 0' "the text report goes to stderr"
has_err 'last ran on CPU [0-9]+' "text report: the CPU"
has_err 'numastat|unavailable' "text report: numastat"

run "$LOCUS" run -o - -- true
is_rc 2 "--output without --report: exit 2"

done_testing
