#!/bin/bash
# Build the fuzz targets (if needed), seed them from the repository's scripts
# and run each for SECONDS (default 60); fails on a crash, a hang (10 s), an
# out-of-memory (2 GiB) or a failing regression input.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]
#
# Build directory: $SONDE_FUZZ_BUILD (default build-fuzz). Crashers are
# saved in BUILD/fuzz/crashers/TARGET/; the corpus grows in
# BUILD/fuzz/corpus/TARGET/ and is reused by the next run.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BUILD=${SONDE_FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_PER_TARGET=${1:-60}
TARGETS=(fuzz_parse fuzz_compile fuzz_usdt_args)
WORK=$BUILD/fuzz

if ! command -v clang-19 >/dev/null; then
	echo "fuzz: clang-19 is not installed (apt-get install clang-19 libclang-rt-19-dev)" >&2
	exit 2
fi
mkdir -p "$WORK"
echo "fuzz: building in $BUILD"
if ! { cmake -S . -B "$BUILD" -DSONDE_FUZZ=ON -DCMAKE_C_COMPILER=clang-19 &&
	cmake --build "$BUILD" -j2 --target "${TARGETS[@]}"; } >"$WORK/build.log" 2>&1; then
	grep -E 'error|Error' "$WORK/build.log" | head -20
	echo "fuzz: build failed (log: $WORK/build.log)"
	exit 1
fi

python3 tests/fuzz/seeds.py "$WORK/seeds" "$WORK/sonde.dict" || exit 1

status=0
for t in "${TARGETS[@]}"; do
	bin=$BUILD/tests/fuzz/$t
	if ! bash tests/fuzz/regress.sh "$bin" tests/fuzz/regressions/$t >"$WORK/$t.regress.log" 2>&1; then
		tail -30 "$WORK/$t.regress.log"
		echo "FAIL $t: a regression input fails (log: $WORK/$t.regress.log)"
		status=1
		continue
	fi
	mkdir -p "$WORK/corpus/$t" "$WORK/crashers/$t"
	# One process: the machine is shared. New inputs go to the first
	# directory only, so the seeds stay as generated.
	"$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-dict="$WORK/sonde.dict" -artifact_prefix="$WORK/crashers/$t/" -print_final_stats=1 \
		"$WORK/corpus/$t" "$WORK/seeds" >"$WORK/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$t.log")
	if [ $rc -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|^fuzz:' "$WORK/$t.log" | head -10
		echo "FAIL $t: exit $rc; reproducer in $WORK/crashers/$t/ (log: $WORK/$t.log)"
		echo "  minimize: $bin -minimize_crash=1 -runs=100000 -exact_artifact_path=OUT FILE"
		echo "  then add OUT to tests/fuzz/regressions/$t/ with the fix"
		status=1
	else
		echo "PASS $t: ${execs:-?} runs in ${SECONDS_PER_TARGET} s (${rate:-?} exec/s)"
	fi
done
exit $status
