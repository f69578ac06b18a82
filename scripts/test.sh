#!/usr/bin/env bash
# Installs the dependencies, builds Ferry with its tests, and runs the whole
# suite with ctest.
#   --sanitize (or FERRY_SANITIZE=1)   AddressSanitizer and UndefinedBehavior-
#                                      Sanitizer, in build-sanitize/
#   --sanitize=thread                  ThreadSanitizer, in build-tsan/: the
#                                      engine's and the scenario tests (the
#                                      connectors' client libraries are not
#                                      built for it)
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize="${FERRY_SANITIZE:-0}"
for arg in "$@"; do
  case "$arg" in
    --sanitize|--sanitize=address) sanitize=1 ;;
    --sanitize=thread) sanitize=thread ;;
    *) echo "usage: scripts/test.sh [--sanitize[=address|thread]]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh

# Every cache option is given, tests and all plugins included: a build
# directory configured otherwise before (an old cache, another script) must
# not leave them out. scripts/quickstart.sh builds in its own directory.
build=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_SANITIZE=OFF)
selection=()
if [ "$sanitize" = 1 ]; then
  build=build-sanitize
  flags=(-DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
elif [ "$sanitize" = thread ]; then
  build=build-tsan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_SANITIZE=thread)
  # Crash tests end `ferry` with _exit() from a plugin while its threads
  # run, as a power cut would; TSan calls those threads leaked. Races and
  # deadlocks still stop the test.
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:report_thread_leaks=0
  # Everything without a server, and the system tests of the engine itself.
  selection=(-E 'Postgres|Mysql|Maria|Elasticsearch|S3|Pg|Servers')
fi
flags+=(-DFERRY_WERROR=ON -DFERRY_BUILD_TESTS=ON -DFERRY_PLUGINS_SKIP=)

cmake -S . -B "$build" "${flags[@]}"
cmake --build "$build" -j"$(nproc)"
cd "$build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
ctest --output-on-failure --no-tests=error -j"$(nproc)" --timeout 900 "${selection[@]}" 2>&1 | tee "$log" || status=$?
# A run of no test is not a pass: a build configured without tests makes
# ctest say "No tests were found" and, by default, exit 0.
if grep -q "No tests were found" "$log" || ! grep -Eq "tests passed, [0-9]+ tests? failed out of [1-9][0-9]*" "$log"; then
  echo "test.sh: ctest ran no test; that is a failure" >&2
  [ "$status" = 0 ] && status=1
fi
# A test passes or fails. A test that did not run (skipped, or disabled)
# fails the suite too: no Ferry test skips itself.
if grep -q "tests did not run" "$log"; then
  echo "test.sh: some tests did not run (see 'The following tests did not run' above); that is a failure" >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
