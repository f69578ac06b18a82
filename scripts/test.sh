#!/usr/bin/env bash
# Installs the dependencies, builds Ferry with its tests, and runs the whole
# suite with ctest. With --sanitize (or FERRY_SANITIZE=1) the build uses
# AddressSanitizer and UndefinedBehaviorSanitizer, in build-sanitize/.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize="${FERRY_SANITIZE:-0}"
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    *) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh

build=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_WERROR=ON)
if [ "$sanitize" = 1 ]; then
  build=build-sanitize
  flags=(-DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=ON -DFERRY_WERROR=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

cmake -S . -B "$build" "${flags[@]}"
cmake --build "$build" -j"$(nproc)"
cd "$build"
# A test passes or fails. GoogleTest reports a suite whose set-up failed (a
# server that did not start) by skipping its tests, and ctest counts skips
# as "not run" without failing; so any test that did not run fails the suite.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
ctest --output-on-failure -j"$(nproc)" --timeout 900 2>&1 | tee "$log" || status=$?
if grep -q "tests did not run" "$log"; then
  echo "test.sh: some tests did not run (see 'The following tests did not run' above); that is a failure" >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
