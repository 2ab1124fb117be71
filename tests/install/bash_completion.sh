#!/bin/bash
# The bash completion of sonde, called as bash calls it: COMP_WORDS split
# at COMP_WORDBREAKS (so "tracepoint:sched" arrives as three words),
# COMP_CWORD, then _sonde, whose COMPREPLY is checked. The -l cases list
# probes through the sonde binary given, as root only.
#   bash tests/install/bash_completion.sh completions/sonde.bash build/sonde
set -uo pipefail
completion=${1:?usage: bash_completion.sh COMPLETION_FILE SONDE}
sonde=${2:?usage: bash_completion.sh COMPLETION_FILE SONDE}
# shellcheck source=/dev/null
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }
failures=0 checks=0

# expect "WORDS..." "EXPECTED REPLY": completes the last word.
expect() {
	local words=$1 want=$2
	read -r -a COMP_WORDS <<<"$words"
	[[ $words == *' ' ]] && COMP_WORDS+=("")
	COMP_WORDS[0]=$sonde
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$words
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_sonde
	local got="${COMPREPLY[*]}"
	checks=$((checks + 1))
	if [ "$got" != "$want" ]; then
		echo "FAIL: '$words' completed to '$got', expected '$want'"
		failures=$((failures + 1))
	fi
}

expect "sonde --dry" "--dry-run"
expect "sonde --usdt" "--usdt-file-activation"
expect "sonde -f " "text json folded"
expect "sonde -f j" "json"
expect "sonde -B f" "full"
expect "sonde -d codegen-o" "codegen-opt"
expect "sonde -d ast,ty" "ast,types"
expect "sonde --debug v" "verifier"
expect "sonde --no-feature u" "uprobe_multi"
expect "sonde -l tr" "tracepoint:"
expect "sonde -l u" "uprobe: uretprobe: usdt:"
expect "sonde -l be" "begin bench:"
# option arguments that are files and directories
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/prog.bt"
mkdir "$dir/inc"
expect "sonde -o $dir/pr" "$dir/prog.bt"
expect "sonde -I $dir/i" "$dir/inc"
expect "sonde $dir/pr" "$dir/prog.bt"

if [ "$(id -u)" -eq 0 ]; then
	# lazily from `sonde -l`: bash replaces the part after the last ':'
	expect "sonde -l tracepoint : sched : sched_process_ex" "sched_process_exec sched_process_exit"
	expect "sonde -l software : cpu-c" "cpu-clock:"
	expect "sonde --list interval :" "$(printf '%s ' $("$sonde" -l 'interval:*' | sed 's/^interval://') | sed 's/ $//')"
else
	echo "SKIP: the -l completions list probes, which needs root"
fi
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
