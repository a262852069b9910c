#!/bin/bash
# SPDX-License-Identifier: MIT
# 07-complete.sh — shell completion, driven in a real interactive bash.
#
# contrib/locus.bash-completion is loaded into `bash -i`, and its function is called
# as readline would call it (COMP_LINE, COMP_POINT, COMP_WORDS split the way bash
# splits them, at '=' too); COMPREPLY is compared with what the parsers accept.  When
# tmux is here, one more check types into a bash in a terminal and reads the screen.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

BIN=$(dirname "$LOCUS")
COMPL=$top_srcdir/contrib/locus.bash-completion
mkdir -p "$T_TMP/files/sub" && touch "$T_TMP/files/result.json"

# comp LINE -> the completions (one per line, sorted) into $out
comp() {
	local line=$1
	PATH=$BIN:$PATH HOME=$T_TMP bash --norc --noprofile -i -c '
		. "$1"
		line=$2
		COMP_LINE=$line; COMP_POINT=${#line}
		# split as readline does, "=" and ":" being word breaks
		read -ra COMP_WORDS < <(printf "%s" "$line" | sed -E "s/([=:])/ \\1 /g; s/ = $/ =/")
		[[ $line == *" " ]] && COMP_WORDS+=("")
		[[ $line == *= ]] && COMP_WORDS[${#COMP_WORDS[@]}-1]="="
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		cd "$3" && _locus
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMPL" "$line" "$T_TMP/files" >"$out" 2>"$err"
	rc=$?
}
# want LINE DESC WORD... : every WORD is offered (and nothing else when the list ends in '.')
want() {
	local line=$1 desc=$2 w s=0 exact=0
	shift 2
	comp "$line"
	[ "${!#}" = . ] && { exact=1; set -- "${@:1:$#-1}"; }
	for w in "$@"; do grep -qxF -- "$w" "$out" || { s=1; echo "#   missing '$w'"; }; done
	if [ $exact = 1 ] && [ "$(grep -c . "$out")" -ne $# ]; then
		s=1
		echo "#   more than asked: $(tr '\n' ' ' <"$out")"
	fi
	ok $s "'$line<TAB>': $desc"
}
none() { # LINE DESC: nothing offered
	comp "$1"
	[ ! -s "$out" ] || [ -z "$(tr -d '\n' <"$out")" ]
	local s=$?
	[ $s -eq 0 ] || echo "#   got: $(tr '\n' ' ' <"$out")"
	ok $s "'$1<TAB>': $2"
}

want "locus " "commands" topo env bench compare baseline gate report tune run .
want "locus be" "bench" bench .
want "locus bench " "benches, all, list" tlb latency bandwidth all list
want "locus bench lat" "latency" latency .
want "locus bench latency --win" "the bench's own option" --window .
want "locus bench tlb --page-size " "choices of the option, not benches" 4K THP 2M 1G .
want "locus bench tlb --page-size 4K,T" "the next item of a list" 4K,THP .
want "locus bench tlb --page-size=T" "the --opt=value form" THP .
want "locus bench tlb --qu" "common bench options and --quiet" --quick --quiet .
want "locus bench reclaim --dir " "a directory where one is expected" sub .
want "locus report --format svg,p" "report formats" svg,png svg,pdf .
want "locus compare --fail-on " "compare's choices" inconclusive missing blind .
want "locus bench tlb --progress " "--progress choices" auto always never .
want "locus compare -o res" "a file where one is expected" result.json .
want "locus compare " "result files" result.json sub .
none "locus bench latency --reps " "a number: no file names"
none "locus bench latency --cpus " "a CPU list: no file names"
want "locus tune " "tune subcommands" show set apply diff profiles revert
want "locus tune apply " "profile names" latency database throughput
mkdir -p "$T_TMP/myprof" && cp "$top_srcdir/tune/profiles/latency.conf" "$T_TMP/myprof/mine.conf"
LOCUS_PROFILES_DIR=$T_TMP/myprof want "locus tune apply " "a user's profile (LOCUS_PROFILES_DIR) and the shipped ones" mine latency
want "locus tune set vm.swap" "tunable names, NAME=" vm.swappiness= .
want "locus tune show vm.swap" "tunable names" vm.swappiness .
want "locus baseline " "baseline subcommands" save list id history .
want "locus gate --baseline b -- bench " "gate ... -- bench: benches" tlb latency all
want "locus gate --baseline b -- bench tlb --page-size " "gate ... -- bench: its choices" 4K THP 2M 1G .
want "locus gate bench lat" "gate bench (no --): benches" latency .
want "locus tune ab --profile latency -- bench " "tune ab ... -- bench: benches" tlb latency
want "locus --sysroot " "--sysroot: a directory" sub .
want "locus -q --topo" "common options before the command" --topology .
want "locus run -- " "run: a program" bash
if "$LOCUS" bench list | grep -q '^command '; then
	want "locus bench command -- " "bench command: a program" bash
	want "locus bench command --reps 3 " "bench command without --: a program" bash
	want "locus bench command -- true res" "bench command: then its files" result.json .
else
	for _ in 1 2 3; do echo "ok $((T_N += 1)) # SKIP no bench command here"; done
fi

# Choices offered must be choices the parsers accept (the tables cannot drift apart).
for f in $(PATH=$BIN:$PATH "$LOCUS" --complete-words -- report --format ""); do
	run "$LOCUS" report --format "$f" --text /dev/null
	! grep -q -- "--format" "$err"
	ok $? "report --format $f (offered) is accepted"
done
for f in $("$LOCUS" --complete-words -- compare --fail-on ""); do
	run "$LOCUS" compare --fail-on "$f" /dev/null /dev/null
	! grep -q -- "--fail-on" "$err"
	ok $? "compare --fail-on $f (offered) is accepted"
done
for b in $("$LOCUS" --complete-words -- bench ""); do
	run "$LOCUS" bench "$b" --help
	[ "$b" = list ] && run "$LOCUS" bench list
	is_rc 0 "bench $b (offered) exists"
done

# The same in a terminal: type, press TAB twice, read the screen.
if command -v tmux >/dev/null 2>&1; then
	S=locus-complete-$$
	tmux -L "$S" new-session -d -s "$S" -x 80 -y 24 \
		"env -i PATH=$BIN:/usr/bin:/bin TERM=xterm HOME=$T_TMP PS1='$ ' bash --norc --noprofile -i"
	sleep 0.5
	tmux -L "$S" send-keys -t "$S" ". $COMPL" Enter
	tmux -L "$S" send-keys -t "$S" "locus bench tlb --page-si" Tab
	sleep 1
	tmux -L "$S" send-keys -t "$S" Tab Tab
	sleep 1
	tmux -L "$S" capture-pane -p -t "$S" >"$T_TMP/screen"
	tmux -L "$S" kill-server 2>/dev/null
	grep -q -- "--page-size" "$T_TMP/screen" && grep -q "THP" "$T_TMP/screen" &&
		grep -q "1G" "$T_TMP/screen"
	s=$?
	[ $s -eq 0 ] || sed 's/^/#   /' "$T_TMP/screen"
	ok $s "tmux: 'locus bench tlb --page-si<TAB><TAB><TAB>' shows the page sizes"
else
	echo "ok $((T_N += 1)) # SKIP tmux is not installed (scripts/test installs it)"
fi

run "$LOCUS" --complete-words
is_rc 0 "--complete-words with no words offers commands"
has_out '^bench$' "... bench among them"

done_testing
