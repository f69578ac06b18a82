#!/usr/bin/env bash
# Builds the plugin and runs the conformance kit and a pipeline on it.
#   ./check.sh [FERRY_PREFIX]     (default: where find_package finds Ferry)
set -euo pipefail
cd "$(dirname "$0")"
prefix=()
[ $# -ge 1 ] && prefix=(-DCMAKE_PREFIX_PATH="$1")
cmake -S . -B build "${prefix[@]}" >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure
