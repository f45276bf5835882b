#!/bin/bash
# Runs every test: unit and BPF selftest binaries from $BUILD/tests, then
# the integration scripts in tests/integration. Prints one line per test and
# a closing summary; exits non-zero if any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export VDPACTL=$BUILD/vdpactl
TIMEOUT=${TEST_TIMEOUT:-900}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
pass=0 fail=0 skip=0
failed=()

scripts/host-setup.sh || { echo "host setup failed"; exit 1; }

run_one() {
	local name=$1
	shift
	local log="$LOGDIR/$name.log" start rc
	start=$(date +%s)
	timeout --kill-after=10 "$TIMEOUT" "$@" >"$log" 2>&1
	rc=$?
	local secs=$(($(date +%s) - start))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(grep -m1 '^skip' "$log")" ;;
	*) fail=$((fail + 1)); failed+=("$name")
	   echo "FAIL $name (exit $rc, ${secs}s); last lines of $log:"
	   tail -40 "$log" | sed 's/^/    /' ;;
	esac
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
# Fuzz targets: a short run each (FUZZ_SECONDS), seeded from their corpus.
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=$BUILD/fuzz-corpus/$name
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	run_one "$name" "$f" -max_total_time="${FUZZ_SECONDS:-15}" \
		-timeout=10 -rss_limit_mb=2048 "$corpus"
done
for t in tests/integration/*.sh; do
	run_one "$(basename "$t" .sh)" bash "$t"
done

echo
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
# In CI every test must really run: a skip there is a failure.
[ "$fail" -eq 0 ] && { [ -z "${CI:-}" ] || [ "$skip" -eq 0 ]; }
