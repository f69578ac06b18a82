#!/usr/bin/env bash
# Rewrites docs/reference/plugins.md from the bundled plugins' descriptors
# (`ferry plugins --markdown`). Run after changing a plugin's options; the
# DocExamples test fails while the page and the plugins disagree.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
cmake --build "$build" --target ferry ferry_plugins >/dev/null
FERRY_PLUGIN_PATH= "$build/bin/ferry" --plugin-path "$build/lib/ferry/plugins" plugins --markdown \
  > "$root/docs/reference/plugins.md"
echo "wrote docs/reference/plugins.md"
