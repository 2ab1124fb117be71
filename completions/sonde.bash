# bash completion for sonde(8): options, option arguments, probe types, and
# the probes of `-l PATTERN`, which come from `sonde -l` itself once the word
# has a ':' (listing needs the privileges of a run: root).

# Options that take an argument, and the words each one completes to
# (_files, _dirs, _commands and _pids stand for what they say).
declare -gA _sonde_option_args=(
	[-e]='' [-c]=_commands [--cmd]=_commands [-p]=_pids [--pid]=_pids
	[-o]=_files [--output]=_files [-f]='text json folded' [-B]='line full none'
	[-d]='ast types codegen codegen-opt dis verifier libbpf all'
	[--debug]='ast types codegen codegen-opt dis verifier libbpf all'
	[--emit-elf]=_files [--emit-llvm]=_files [--probe-filter]=''
	[--no-feature]='uprobe_multi raw_syscalls kprobe_multi kprobe_session'
	[-I]=_dirs [--include]=_files [-b]=_files [--btf]=_files [--debuginfo]=_dirs
	[--traceable-functions]=_files [--dwarf-pid]=_pids [--aot]=_files
	[--mode]='test bench codegen compiler-bench format' [--flamegraph]=_files [--duration]=''
	[--metrics]=''
)
_sonde_options='-e -l --list -c --cmd -p --pid -o --output -f -B -q --quiet -v --verbose
	-d --debug --dry-run --no-cache --no-warnings -k --warnings --unsafe --emit-elf --emit-llvm
	--probe-filter --usdt-file-activation --no-feature -I --include -b --btf --debuginfo
	--traceable-functions --dwarf-pid --aot
	--verify-llvm-ir --info --test --bench --mode --fmt --flamegraph --duration --metrics
	-V --version -h --help'
# Probe types (canonical names); `sonde -l` lists the probes of each.
_sonde_probe_types='begin end self: test: bench: tracepoint: rawtracepoint: kprobe: kretprobe: fentry: fexit: uprobe:
	uretprobe: usdt: profile: interval: software: hardware: watchpoint: asyncwatchpoint: iter:'

# The words up to the cursor with the ':' splits of COMP_WORDBREAKS undone:
# "tracepoint", ":", "sys" is the one word "tracepoint:sys".
_sonde_join_words()
{
	_sonde_words=()
	local i w n
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		n=${#_sonde_words[@]}
		if ((n > 0)) && [[ $w == :* || ${_sonde_words[n - 1]} == *: ]] && ((i > 1)); then
			_sonde_words[n - 1]+=$w
		else
			_sonde_words+=("$w")
		fi
	done
}

# COMPREPLY from the words of $1 that start with $2.
_sonde_reply_words()
{
	local w
	for w in $1; do
		[[ $w == "$2"* ]] && COMPREPLY+=("$w")
	done
}

_sonde_probes()
{
	local cur=$1 p
	if [[ $cur != *:* ]]; then
		_sonde_reply_words "$_sonde_probe_types" "$cur"
	else
		while IFS= read -r p; do
			[[ $p == "$cur"* ]] && COMPREPLY+=("$p")
		done < <("${_sonde_binary:-sonde}" -l "$cur*" 2>/dev/null)
	fi
	# a probe type or an unfinished probe goes on without a space
	[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null
	# bash replaces only the part after the last ':'
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local prefix=${cur%"${cur##*:}"} i
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
		done
	fi
}

_sonde_option_arg()
{
	local what=$1 cur=$2
	case $what in
	_files) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	_dirs) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	_commands) mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
	_pids) mapfile -t COMPREPLY < <(cd /proc && compgen -G "$cur*" | grep -E '^[0-9]+$') ;;
	*)
		# -d takes a comma-separated list: complete its last item
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		local w
		for w in $what; do
			[[ $w == "${cur##*,}"* ]] && COMPREPLY+=("$head$w")
		done
		;;
	esac
}

_sonde()
{
	COMPREPLY=()
	local _sonde_words
	_sonde_join_words
	local n=${#_sonde_words[@]}
	local cur=${_sonde_words[n - 1]} prev=
	((n > 1)) && prev=${_sonde_words[n - 2]}
	local _sonde_binary=${COMP_WORDS[0]}

	if [[ $prev == -l || $prev == --list ]]; then
		_sonde_probes "$cur"
		return 0
	fi
	if [[ -v "_sonde_option_args[$prev]" ]]; then
		_sonde_option_arg "${_sonde_option_args[$prev]}" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		_sonde_reply_words "$_sonde_options" "$cur"
		return 0
	fi
	# a program file
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	compopt -o filenames 2>/dev/null
	return 0
}

complete -F _sonde sonde
