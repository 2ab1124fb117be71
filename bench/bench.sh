#!/bin/bash
# The benchmark of bench/README.md: sonde next to Debian's bpftrace and next
# to hand-written libbpf floor programs, interleaved, best of RUNS, with the
# ratios sonde/floor and the goals met or not.
#
#   bash bench/bench.sh [RUNS] [bench.py options]   (root; default RUNS=7)
#   bash bench/bench.sh --quick                      (1 run each, small N)
#   SONDE=/path/to/sonde bash bench/bench.sh
#
# Build sonde first (bash tests/run-all.sh --build-only); this script builds
# the helpers (cmake --build build --target bench). Not part of the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD=${BUILD:-$PWD/build}
args=()
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
	args+=(--runs "$1")
	shift
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: run as root (BPF needs it)" >&2
	exit 1
fi
if [ ! -d "$BUILD" ]; then
	echo "bench.sh: no build directory $BUILD (build sonde: bash tests/run-all.sh --build-only)" >&2
	exit 1
fi

missing=()
[ -x /usr/bin/bpftrace ] || missing+=(bpftrace)
command -v clang-19 >/dev/null || missing+=(clang-19)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null ||
		echo "(could not install everything; carrying on with what is there)"
	# A clang-19 installed just now: let CMake find it.
	cmake "$BUILD" >/dev/null
fi
cmake --build "$BUILD" --target bench -j2 >/dev/null

exec python3 bench/bench.py --sonde "${SONDE:-$BUILD/sonde}" --helpers "$BUILD/bench" "${args[@]}" "$@"
