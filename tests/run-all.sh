#!/bin/bash
# The single test command: installs what is missing (Debian 12, as root),
# builds, then runs the unit tests, our end-to-end suite, both again against
# a sanitizer build, and the shared acceptance suite, and ends with one line
# "N passed, M failed, K skipped".
#
#   bash tests/run-all.sh               everything
#   bash tests/run-all.sh --build-only  install + build, no tests
#
# Counting:
#   - the build counts as one check; so does the soak test (tests/soak, 20
#     start/stop cycles);
#   - the bounded fuzzing run (tests/fuzz/run.sh, 60 s per target) counts as
#     one; it is skipped when clang-19 cannot be installed;
#   - unit tests: every ctest test;
#   - end-to-end (tests/e2e): every case; a case named in
#     tests/e2e/known-failures.txt is run and reported, its failure not counted;
#   - sanitizer run: a second build with ASan and UBSan (build-asan/) counts
#     as one check, then its unit tests and end-to-end cases count like the
#     ones above; a sanitizer report fails the case (known failures too);
#   - acceptance (../shared/acceptance): only the cases named in
#     tests/acceptance-required.txt count (a required case that is missing from
#     the suite counts as failed); the others are run and reported only.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=$ROOT/build
ASAN_BUILD=$ROOT/build-asan
ACCEPTANCE=$ROOT/../shared/acceptance
PACKAGES=(llvm-19-dev libbpf-dev libelf-dev libdw-dev zlib1g-dev libzstd-dev flex bison pkg-config
          cmake gcc g++ make python3 systemtap-sdt-dev bpftool libmicrohttpd-dev)
# Only the fuzzing step needs these; when they cannot be installed it is skipped.
# bpftrace brings the tools (/usr/sbin/*.bt) the debian_tools test compiles.
FUZZ_PACKAGES=(clang-19 libclang-rt-19-dev bpftrace)
# The --metrics end-to-end case scrapes sonde with a real Prometheus server;
# without it that case is skipped (requires: cmd:prometheus).
OPTIONAL_TEST_PACKAGES=(prometheus)
FUZZ_SECONDS=${SONDE_FUZZ_SECONDS:-60}

build_only=0
for arg in "$@"; do
	case $arg in
	--build-only) build_only=1 ;;
	-h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-all.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

passed=0 failed=0 skipped=0
failures=()
LOGS=$BUILD/test-logs
rm -rf "$LOGS" && mkdir -p "$LOGS"

section() { printf '\n==== %s ====\n' "$*"; }

summary() {
	section "summary"
	for f in "${failures[@]}"; do echo "  failed: $f"; done
	echo "logs: $LOGS"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit $?
}

# ---------------------------------------------------------------- packages
section "packages"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "all present"
elif [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]} (run as root to install them)"
	failed=$((failed + 1)); failures+=("packages")
	summary
else
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$LOGS/apt.log" 2>&1; then
		tail -20 "$LOGS/apt.log"
		failed=$((failed + 1)); failures+=("packages")
		summary
	fi
fi
fuzz_missing=()
for p in "${FUZZ_PACKAGES[@]}" "${OPTIONAL_TEST_PACKAGES[@]}"; do
	installed "$p" || fuzz_missing+=("$p")
done
if [ ${#fuzz_missing[@]} -gt 0 ] && [ $build_only -eq 0 ] && [ "$(id -u)" -eq 0 ]; then
	echo "installing (for fuzzing, the bpftrace tools and the Prometheus case): ${fuzz_missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -q && apt-get install -y -q "${fuzz_missing[@]}"; } >"$LOGS/apt-fuzz.log" 2>&1 ||
		echo "could not install ${fuzz_missing[*]}: fuzzing, debian_tools or cli_metrics_prometheus will be skipped (log: $LOGS/apt-fuzz.log)"
fi

# ---------------------------------------------------------------- build
section "build"
if cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSONDE_WERROR=ON >"$LOGS/cmake.log" 2>&1 &&
	cmake --build "$BUILD" -j2 >>"$LOGS/cmake.log" 2>&1; then
	echo "PASS build"
	passed=$((passed + 1))
else
	grep -E 'error|Error' "$LOGS/cmake.log" | head -30
	echo "FAIL build (full log: $LOGS/cmake.log)"
	failed=$((failed + 1)); failures+=("build")
	summary
fi
if [ $build_only -eq 1 ]; then
	echo "built $BUILD/sonde"
	exit 0
fi

# Count the tests of a ctest log (LOG, WHAT names them in failures).
count_ctest() {
	local log=$1 what=$2 line nfail ntotal
	if line=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -1); then
		read -r nfail ntotal < <(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/' <<<"$line")
		passed=$((passed + ntotal - nfail))
		failed=$((failed + nfail))
		[ "$nfail" -eq 0 ] || failures+=("$what ($nfail)")
	elif grep -q 'No tests were found' "$log"; then
		echo "no $what"
	else
		failed=$((failed + 1)); failures+=("$what: ctest did not run")
	fi
}

# Count the cases of an e2e runner log ("N passed, M failed, K skipped").
count_e2e() {
	local log=$1 what=$2 line p f s
	if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1); then
		read -r p f s < <(sed -E 's/([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$line")
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
		[ "$f" -eq 0 ] || failures+=("$what ($f): see FAIL lines above")
	else
		failed=$((failed + 1)); failures+=("$what runner did not finish")
	fi
}

# ---------------------------------------------------------------- unit tests
section "unit tests (ctest)"
ctest --test-dir "$BUILD" --output-on-failure 2>&1 | tee "$LOGS/ctest.log"
count_ctest "$LOGS/ctest.log" "unit tests"

# ---------------------------------------------------------------- fuzzing
section "fuzzing (tests/fuzz, ${FUZZ_SECONDS} s per target)"
if ! command -v clang-19 >/dev/null || ! installed libclang-rt-19-dev; then
	echo "SKIP fuzzing: clang-19 and libclang-rt-19-dev are not installed"
	skipped=$((skipped + 1))
elif bash tests/fuzz/run.sh "$FUZZ_SECONDS" 2>&1 | tee "$LOGS/fuzz.log"; then
	echo "PASS fuzzing"
	passed=$((passed + 1))
else
	echo "FAIL fuzzing (log: $LOGS/fuzz.log)"
	failed=$((failed + 1)); failures+=("fuzzing: see tests/fuzz/README.md")
fi

# ---------------------------------------------------------------- kernel suites
if [ "$(id -u)" -ne 0 ]; then
	section "end-to-end, sanitizer run, soak and acceptance"
	echo "SKIP: all four need root (BPF); run as root"
	skipped=$((skipped + 4))
	summary
fi

section "end-to-end (tests/e2e)"
python3 tests/e2e/run.py --binary "$BUILD/sonde" \
	--known-failures tests/e2e/known-failures.txt 2>&1 | tee "$LOGS/e2e.log"
count_e2e "$LOGS/e2e.log" "e2e"

# ---------------------------------------------------------------- sanitizers
# The same tests against a build with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer. A report aborts the process (a crash status, so
# cases expecting an error status fail too), and --sanitizer-reports fails any
# case whose stderr has one. The options reach the golden cases run as user
# nobody: setpriv and the golden runner keep the environment. LLVM's static
# libraries are not instrumented, so ASan's ODR check (which only sees
# instrumented globals) needs no exception for them.
section "sanitizer run (build-asan: ASan, UBSan)"
export ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=abort_on_error=1:halt_on_error=1:print_stacktrace=1
asan_start=$SECONDS
if cmake -S . -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSONDE_WERROR=ON \
		-DSONDE_SANITIZE=ON >"$LOGS/asan-cmake.log" 2>&1 &&
	cmake --build "$ASAN_BUILD" -j2 >>"$LOGS/asan-cmake.log" 2>&1; then
	echo "PASS sanitizer build"
	passed=$((passed + 1))
	ctest --test-dir "$ASAN_BUILD" --output-on-failure 2>&1 | tee "$LOGS/asan-ctest.log"
	count_ctest "$LOGS/asan-ctest.log" "sanitizer unit tests"
	python3 tests/e2e/run.py --binary "$ASAN_BUILD/sonde" --sanitizer-reports \
		--known-failures tests/e2e/known-failures.txt 2>&1 | tee "$LOGS/asan-e2e.log"
	count_e2e "$LOGS/asan-e2e.log" "sanitizer e2e"
else
	grep -E 'error|Error' "$LOGS/asan-cmake.log" | head -30
	echo "FAIL sanitizer build (full log: $LOGS/asan-cmake.log)"
	failed=$((failed + 1)); failures+=("sanitizer build")
fi
unset ASAN_OPTIONS UBSAN_OPTIONS
echo "sanitizer run: $((SECONDS - asan_start)) s"

section "soak (tests/soak, 20 cycles)"
# start/stop cycles; one counted check. The long run: bash tests/soak/soak.sh 200
if bash tests/soak/soak.sh 20 "$BUILD/sonde" 2>&1 | tee "$LOGS/soak.log"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); failures+=("soak: see $LOGS/soak.log")
fi

section "acceptance (../shared/acceptance)"
if [ ! -f "$ACCEPTANCE/run.py" ]; then
	echo "SKIP: $ACCEPTANCE/run.py not found; the acceptance suite is not run"
	skipped=$((skipped + 1))
	summary
fi
python3 "$ACCEPTANCE/run.py" --binary "$BUILD/sonde" 2>&1 | tee "$LOGS/acceptance.log"
mapfile -t required < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' tests/acceptance-required.txt | grep -v '^$')
declare -A result=()
while read -r status name; do
	result[${name%:}]=$status
done < <(grep -E '^(PASS|FAIL|SKIP) ' "$LOGS/acceptance.log" | cut -d' ' -f1,2)
rp=0 rf=0 rs=0
for name in "${required[@]}"; do
	case ${result[$name]:-MISSING} in
	PASS) rp=$((rp + 1)) ;;
	SKIP) rs=$((rs + 1)) ;;
	*) rf=$((rf + 1)); failures+=("acceptance $name (${result[$name]:-missing from the suite})") ;;
	esac
done
op=0 of=0
for name in "${!result[@]}"; do
	[[ " ${required[*]} " == *" $name "* ]] && continue
	case ${result[$name]} in PASS) op=$((op + 1)) ;; FAIL) of=$((of + 1)) ;; esac
done
echo "acceptance, required cases (counted): $rp passed, $rf failed, $rs skipped"
echo "acceptance, other cases (not counted): $op passed, $of failed"
passed=$((passed + rp)) failed=$((failed + rf)) skipped=$((skipped + rs))

summary
