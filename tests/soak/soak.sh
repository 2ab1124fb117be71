#!/bin/bash
# Start/stop cycles of sonde: each cycle ends one way — exit(), SIGINT,
# SIGTERM, the -c child killed, a broken output pipe — and checks the exit
# status, that sonde ended in time, and that every BPF program, map and
# link it held (read from its /proc/PID/fdinfo while it ran) is gone
# afterwards. Other processes' BPF objects are never looked at.
#
#   bash tests/soak/soak.sh [CYCLES] [SONDE]    default: 20 cycles, build/sonde
#
# As root. Prints one line per failed cycle and a summary; exit 1 if any
# cycle failed. The long run: bash tests/soak/soak.sh 200
set -uo pipefail

cycles=${1:-20}
sonde=${2:-$(dirname "${BASH_SOURCE[0]}")/../../build/sonde}
sonde=$(realpath "$sonde")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export __SONDE_NOTIFY_PROBES_ATTACHED=1
TIMEOUT=15 # seconds a cycle may take

# Ids ("prog 12", "map 7", "link 3") of the BPF objects process $1 holds.
held() {
	grep -h -E '^(prog|map|link)_id:' /proc/"$1"/fdinfo/* 2>/dev/null |
		sed -E 's/^(prog|map|link)_id:[[:space:]]*/\1 /' | sort -u
}

# Those of the ids in file $1 that still exist (ids are not reused soon:
# the kernel allocates them cyclically).
still_loaded() {
	local kind id
	while read -r kind id; do
		bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"
	done <"$1"
}

# The kernel frees programs and maps shortly after the last fd closes (after
# an RCU grace period, from a work queue): allow it 5 s.
left_after_exit() {
	local left
	for _ in $(seq 50); do
		left=$(still_loaded "$1")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo $left
}

# Wait for sonde (pid $1) to print the attach notification into $2.
wait_attached() {
	for _ in $(seq 200); do
		grep -q '^__SONDE_NOTIFY_PROBES_ATTACHED$' "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Wait up to TIMEOUT s for pid $1 to end; SIGKILL it otherwise.
wait_end() {
	for _ in $(seq $((TIMEOUT * 20))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	return 1
}

PROG='tracepoint:syscalls:sys_enter_getppid { @n = count(); } interval:ms:20 { @t = count(); printf("tick\n"); }'

# One cycle: $1 = how it ends. Sets `problem` on failure.
cycle() {
	local how=$1 out=$tmp/out err=$tmp/err pid rc want=0
	problem=
	: >"$out"
	: >"$err"
	case $how in
	exit)
		"$sonde" -e 'interval:ms:30 { @n = count(); if (@n == 3) { exit(7); } }' >"$out" 2>"$err" &
		pid=$!
		want=7 ;;
	sigint | sigterm)
		"$sonde" -e "$PROG" >"$out" 2>"$err" &
		pid=$! ;;
	child)
		"$sonde" -c '/bin/sleep 30' -e "$PROG" >"$out" 2>"$err" &
		pid=$! ;;
	pipe)
		# sonde's stdout is a FIFO the reader closes after a few lines
		rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
		"$sonde" -e "$PROG" >"$tmp/fifo" 2>"$err" &
		pid=$!
		# the reader keeps the pipe open a little while after its lines
		(head -n 3 >"$out"; sleep 0.5) <"$tmp/fifo" &
		want=141 ;;
	esac
	if [ "$how" = pipe ]; then
		sleep 0.3 # the notification goes into the pipe: wait for the Attached line instead
		for _ in $(seq 200); do grep -q '^Attached' "$err" && break; sleep 0.05; done
	elif ! wait_attached "$pid" "$out"; then
		problem="did not attach: $(head -c 300 "$err")"
	fi
	held "$pid" >"$tmp/held"
	[ -s "$tmp/held" ] || problem=${problem:-"no BPF objects seen"}
	case $how in
	sigint) kill -INT "$pid" ;;
	sigterm) kill -TERM "$pid" ;;
	child) pkill -KILL -P "$pid" -x sleep ;;
	esac
	if ! wait_end "$pid"; then
		problem="did not end within ${TIMEOUT}s"
	fi
	wait "$pid"
	rc=$?
	[ "$how" = pipe ] && wait
	[ -n "$problem" ] && return
	[ "$rc" -eq "$want" ] || { problem="exit status $rc, expected $want: $(head -c 300 "$err")"; return; }
	local left
	left=$(left_after_exit "$tmp/held")
	[ -z "$left" ] || problem="still loaded after exit: $(echo $left)"
}

kinds=(exit sigint sigterm child pipe)
failed=0
start=$(date +%s)
for ((i = 0; i < cycles; i++)); do
	how=${kinds[i % ${#kinds[@]}]}
	cycle "$how"
	if [ -n "$problem" ]; then
		echo "FAIL cycle $i ($how): $problem"
		failed=$((failed + 1))
	fi
done
echo "soak: $cycles cycles, $failed failed, $(($(date +%s) - start)) s"
[ "$failed" -eq 0 ]
