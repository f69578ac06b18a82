#!/usr/bin/env bash
# Runs the scenario checker on random seeds for MINUTES minutes (default 10)
# and keeps every failing scenario (its directory, definition, state, sinks
# and a log) under soak-failures/seed-N, with the command that runs it
# again. Builds the checker first if needed.
#
#   scripts/soak.sh 60            an hour of random scenarios
#   scripts/soak.sh 10 build-tsan use another build directory
set -euo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-10}"
build="${2:-build}"
case "$minutes" in
  ''|*[!0-9.]*) echo "usage: scripts/soak.sh [MINUTES] [BUILD_DIR]" >&2; exit 2 ;;
esac

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_BUILD_TESTS=ON "-DFERRY_PLUGINS_SKIP=" >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target scenario_check ferry_test_fixtures ferry >/dev/null

keep="$(pwd)/soak-failures"
mkdir -p "$keep"
# One checker per core: each draws its own random seeds.
status=0
pids=()
for _ in $(seq "$(nproc)"); do
  "$build/bin/scenario_check" --minutes "$minutes" --keep "$keep" &
  pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
if [ "$status" != 0 ]; then
  echo "soak: failures kept in $keep (each seed-N/log.txt says what happened)" >&2
fi
exit "$status"
