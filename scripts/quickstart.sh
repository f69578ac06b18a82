#!/usr/bin/env bash
# Builds Ferry and runs the quickstart: examples/data/orders.jsonl (3,000
# orders, 5 of them malformed) into a SQLite table, then shows what committed
# and what failed. Needs nothing but Debian 12 packages and no server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --core
# Its own build directory: this configuration (no tests, no server
# connectors) must not replace the one scripts/test.sh builds in build/.
# Every cache option is given, so an old cache decides nothing.
# The embedded plugins only: the server connectors need their client libraries.
build=build-quickstart
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF -DFERRY_SANITIZE=OFF -DFERRY_WERROR=OFF \
  "-DFERRY_PLUGINS_SKIP=postgres;postgres-cdc;mysql;mariadb-cdc;elasticsearch;s3" >/dev/null
cmake --build "$build" -j"$(nproc)"

ferry=$build/bin/ferry
rm -f examples/quickstart.db* examples/quickstart.state.db*
echo; echo "== ferry run examples/quickstart.json"
$ferry run examples/quickstart.json
echo; echo "== ferry run examples/quickstart.json (again: nothing new to move)"
$ferry run examples/quickstart.json
echo; echo "== ferry checkpoint show examples/quickstart.json"
$ferry checkpoint show examples/quickstart.json
echo; echo "== ferry dlq list examples/quickstart.json"
$ferry dlq list examples/quickstart.json
echo; echo "== rows in examples/quickstart.db"
sqlite3 examples/quickstart.db "SELECT count(*) AS orders, round(sum(amount), 2) AS total FROM orders;"
