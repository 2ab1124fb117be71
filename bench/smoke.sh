#!/bin/bash
# ctest bench_quick: the benchmark helpers build, and `bench.py --quick`
# (one run of each workload, small N) runs every measurement to completion.
# It checks that the benchmark works, not how fast anything is.
#   bash bench/smoke.sh BUILD_DIR SONDE
set -euo pipefail
build=$1 sonde=$2
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the benchmark needs root"
	exit 77
fi
cmake --build "$build" --target bench -j2
python3 "$(dirname "${BASH_SOURCE[0]}")/bench.py" --quick --sonde "$sonde" --helpers "$build/bench"
