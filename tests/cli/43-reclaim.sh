#!/bin/bash
# SPDX-License-Identifier: MIT
# 43-reclaim.sh — bench reclaim on the host: the skip path and its reason, the reasons
# for every cgroup set-up (from --sysroot fixtures built here: v1 memory controller,
# no cgroup2, cgroup2 without memory, a usable cgroup2 that a fixture must never act
# on), bad options refused with exit 2 and one line, and the help.  Host tests never
# create swap or cgroups: the real run is exercised in the QEMU guest
# (tests/vm/reclaim.sh).  When this machine could really run the bench as root, the
# real-root checks are left out.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

M='d["measurements"]'

run "$LOCUS" bench list
has_out "^reclaim " "bench list shows reclaim"

run "$LOCUS" bench reclaim --help
is_rc 0 "bench reclaim --help exits 0"
has_out '[-]-swap' "help lists --swap"
has_out 'auto,zram,file,none' "help lists the swap kinds"
has_out '[-]-file-fraction' "help lists --file-fraction"
has_out 'memory\.max' "help explains the memory.max method"
has_out 'swappiness' "help names the swappiness label"
has_out 'SIGTERM' "help says what is given back on signals"

# ---- bad options: exit 2, one line, before anything is looked at
run "$LOCUS" bench reclaim --working-set 64M --limit 64M
is_rc 2 "--limit not below --working-set: exit 2"
one_line_err "--limit 64M is not below --working-set 64M" "the error names both values"
run "$LOCUS" bench reclaim --file-fraction 2
is_rc 2 "--file-fraction 2: exit 2"
one_line_err "'2' is not a fraction in 0..0.95" "the error names the value and the range"
run "$LOCUS" bench reclaim --file-fraction abc
is_rc 2 "--file-fraction abc: exit 2"
run "$LOCUS" bench reclaim --swap tape
is_rc 2 "--swap tape: exit 2"
one_line_err "auto,zram,file,none" "the error lists the swap kinds"
run "$LOCUS" bench reclaim --swap none --file-fraction 0
is_rc 2 "--swap none with an all-anonymous working set above 75% of the limit: exit 2"
one_line_err "75%" "the error says why (the cgroup would OOM-kill the workload)"
run "$LOCUS" bench reclaim --working-set 32M --chunk 16M
is_rc 2 "a --chunk leaving fewer than 4 anonymous chunks: exit 2"
run "$LOCUS" bench reclaim --limit 4M
is_rc 2 "--limit below 8M: exit 2"
run "$LOCUS" bench reclaim --working-set 1X
is_rc 2 "--working-set 1X: exit 2"
[ "$(grep -c . "$err")" -eq 1 ]
ok $? "one line of error"

# ---- the reasons, from fixtures (never acted on)
fx() { # NAME MOUNTS-LINES [CONTROLLERS]
	local r=$T_TMP/$1
	mkdir -p "$r/proc/self" "$r/sys/fs/cgroup/unified"
	printf '%b' "$2" >"$r/proc/self/mounts"
	[ -z "${3-}" ] || printf '%s\n' "$3" >"$r/sys/fs/cgroup/unified/cgroup.controllers"
	[ -z "${3-}" ] || printf '%s\n' "$3" >"$r/sys/fs/cgroup/cgroup.controllers"
	echo "$r"
}
V1='cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n'
U2='cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n'
F2='cgroup2 /sys/fs/cgroup cgroup2 rw,relatime 0 0\n'

r=$(fx v1 "$V1$U2" "hugetlb")
run "$LOCUS" --sysroot "$r" bench reclaim -o -
is_rc 3 "fixture: memory controller on cgroup v1: skipped, exit 3"
json_check "len($M) == 0 and len(d['skipped']) == 1 and 'the memory controller is bound to cgroup v1 (/sys/fs/cgroup/memory); needs cgroup v2' in d['skipped'][0]['reason'] and '/sys/fs/cgroup/unified has no memory controller' in d['skipped'][0]['reason']" \
	"the reason names the v1 hierarchy and the cgroup2 mount without memory"
r=$(fx v1only "$V1")
run "$LOCUS" --sysroot "$r" bench reclaim -o -
is_rc 3 "fixture: v1 only: exit 3"
json_check "'needs cgroup v2 (no cgroup2 is mounted)' in d['skipped'][0]['reason']" "the reason says no cgroup2 is mounted"
r=$(fx none 'proc /proc proc rw 0 0\n')
run "$LOCUS" --sysroot "$r" bench reclaim -o -
is_rc 3 "fixture: no cgroup at all: exit 3"
json_check "'no cgroup2 file system is mounted' in d['skipped'][0]['reason']" "the reason says how to mount cgroup2"
r=$(fx nomem "$F2" "cpuset cpu io pids")
run "$LOCUS" --sysroot "$r" bench reclaim -o -
is_rc 3 "fixture: cgroup2 without the memory controller: exit 3"
json_check "'cgroup2 at /sys/fs/cgroup has no memory controller' in d['skipped'][0]['reason'] and 'CONFIG_MEMCG' in d['skipped'][0]['reason']" \
	"the reason names the mount and the likely causes"
r=$(fx usable "$F2" "cpuset cpu io memory pids")
run "$LOCUS" --sysroot "$r" bench reclaim -o -
is_rc 3 "fixture: usable cgroup2 with memory: still skipped (a fixture is never acted on)"
json_check "'never acts on a fixture' in d['skipped'][0]['reason'] and len($M) == 0" "the reason says so"
[ "$(find "$r/sys/fs/cgroup" -mindepth 1 -maxdepth 1 -name '*locus*' 2>/dev/null | wc -l)" -eq 0 ]
ok $? "nothing was created in the fixture"

# ---- this machine, for real (only the paths that create nothing)
v1mem=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
v2mem=no
[ -n "$v2" ] && grep -qw memory "$v2/cgroup.controllers" 2>/dev/null && v2mem=yes
if [ "$v2mem" = yes ] && [ "$(id -u)" -eq 0 ]; then
	echo "# cgroup v2 with memory and root here: the real run is left to the guest tests"
elif [ "$v2mem" = yes ]; then
	run "$LOCUS" bench reclaim -o -
	is_rc 3 "not root: skipped, exit 3"
	json_check "'needs root' in d['skipped'][0]['reason']" "the reason says root is needed"
else
	run "$LOCUS" bench reclaim -o -
	is_rc 3 "this machine: skipped, exit 3"
	if [ -n "$v1mem" ]; then
		json_check "'the memory controller is bound to cgroup v1 ($v1mem)' in d['skipped'][0]['reason']" \
			"the reason names this machine's v1 memory hierarchy ($v1mem)"
	else
		json_check "'cgroup' in d['skipped'][0]['reason']" "the reason is about cgroup v2"
	fi
	json_check "len($M) == 0 and d['skipped'][0]['bench'] == 'reclaim'" "no measurement, one skip"
	run "$LOCUS" bench reclaim
	is_rc 3 "run alone with the text output: exit 3"
	has_err "skipped: .*cgroup" "the skip reason is printed on stderr"
fi

done_testing
