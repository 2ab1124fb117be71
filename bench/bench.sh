#!/bin/bash
# Start-up benchmark: sonde next to Debian's bpftrace on the same one-liners.
# Wall time is the median of RUNS runs (hyperfine when available, else a
# date +%s%N loop); peak RSS is the median of /usr/bin/time -f %M over a few runs.
#
#   bash bench/bench.sh [RUNS]        (root; default RUNS=20)
#   SONDE=/path/to/sonde bash bench/bench.sh
#
# Build sonde first (bash tests/run-all.sh --build-only). Not part of the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${1:-20}
SONDE=${SONDE:-$PWD/build/sonde}
BPFTRACE=${BPFTRACE:-/usr/bin/bpftrace}

PROGRAMS=(
	"begin|BEGIN { exit(); }"
	"tracepoint|tracepoint:syscalls:sys_enter_getpid { @ = count(); } interval:ms:100 { exit(); }"
)

if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: run as root (BPF needs it)" >&2
	exit 1
fi
if [ ! -x "$SONDE" ]; then
	echo "bench.sh: no sonde binary at $SONDE (build it: bash tests/run-all.sh --build-only)" >&2
	exit 1
fi

missing=()
[ -x "$BPFTRACE" ] || missing+=(bpftrace)
[ -x /usr/bin/time ] || missing+=(time)
command -v hyperfine >/dev/null || missing+=(hyperfine)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null ||
		echo "(could not install everything; carrying on with what is there)"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# wall_ms BINARY PROGRAM: median wall time in milliseconds
wall_ms() {
	if command -v hyperfine >/dev/null; then
		hyperfine -N --style none --warmup 2 --runs "$RUNS" --export-json "$TMP/h.json" \
			-- "$1 -e '$2'" >/dev/null 2>&1 || return 1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$TMP/h.json"
	else
		for _ in $(seq "$RUNS"); do
			local t0 t1
			t0=$(date +%s%N)
			"$1" -e "$2" >/dev/null 2>&1 || return 1
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000))
		done | median | awk '{ printf "%.1f\n", $1 / 1000 }'
	fi
}

# rss_mb BINARY PROGRAM: median peak RSS in MiB
rss_mb() {
	local n=$((RUNS < 5 ? RUNS : 5))
	for _ in $(seq "$n"); do
		/usr/bin/time -f %M -o "$TMP/rss" "$1" -e "$2" >/dev/null 2>&1 || return 1
		tail -1 "$TMP/rss"
	done | median | awk '{ printf "%.1f\n", $1 / 1024 }'
}

echo "sonde:    $("$SONDE" --version 2>&1 | head -1) ($SONDE)"
echo "bpftrace: $("$BPFTRACE" --version 2>&1 | head -1) ($BPFTRACE)"
echo "runs: $RUNS, kernel $(uname -r), $(nproc) CPUs"
echo
printf '%-12s %-10s %14s %14s\n' program tool "wall ms (med)" "peak RSS MiB"
for entry in "${PROGRAMS[@]}"; do
	name=${entry%%|*} prog=${entry#*|}
	for tool in sonde bpftrace; do
		bin=$SONDE
		[ $tool = bpftrace ] && bin=$BPFTRACE
		if [ ! -x "$bin" ]; then
			printf '%-12s %-10s %14s %14s\n' "$name" "$tool" missing missing
			continue
		fi
		wall=$(wall_ms "$bin" "$prog") || wall=fails
		rss=$(rss_mb "$bin" "$prog") || rss=fails
		printf '%-12s %-10s %14s %14s\n' "$name" "$tool" "$wall" "$rss"
	done
done
echo
for entry in "${PROGRAMS[@]}"; do
	echo "${entry%%|*}: ${entry#*|}"
done
