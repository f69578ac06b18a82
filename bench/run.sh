#!/usr/bin/env bash
# Ferry benchmarks, printed as a table. Every figure is measured in this run,
# on this machine, next to the raw tool doing the same job where there is one.
#
#   bench/run.sh [ROWS]        (default 1,000,000)
#
# Rows: generator -> null (the ABI's overhead, state in SQLite as usual, and
# again with the state in memory: what is left is the host's own cost per
# batch, without the state file's writes and locks), JSONL -> SQLite next to
# `sqlite3 .import` of the same rows as CSV, JSONL -> file sink, each with
# Ferry's peak RSS. Timed as bench/lib.sh says: BENCH_PAIRS alternating
# rounds (default 5), the ratio to the raw tool per round, median and range.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows="${1:-1000000}"
gen_rows=$((rows * 10))  # the generator is fast: more rows for a measurable time

scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
ferry="$PWD/build-bench/bin/ferry"

work=$(mktemp -d /tmp/ferry-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The same rows as JSON Lines and as CSV: id, name, amount, ts.
awk -v n="$rows" 'BEGIN { for (i = 1; i <= n; i++)
  printf "{\"id\":%d,\"name\":\"name-%d\",\"amount\":%.2f,\"ts\":\"2026-01-01T00:00:%02dZ\"}\n", i, i, i * 0.25, i % 60 }' > data.jsonl
awk -v n="$rows" 'BEGIN { print "id,name,amount,ts"; for (i = 1; i <= n; i++)
  printf "%d,name-%d,%.2f,2026-01-01T00:00:%02dZ\n", i, i, i * 0.25, i % 60 }' > data.csv
mb=$(awk -v b="$(stat -c %s data.jsonl)" 'BEGIN { printf "%.1f", b / 1048576 }')

cat > gen.json <<JSON
{"name": "bench-gen", "state": {"type": "sqlite", "path": "gen.state.db"},
 "source": {"plugin": "generator", "config": {"count": $gen_rows, "fields": 4}},
 "batch": {"max_records": 1000},
 "sinks": [{"name": "null", "plugin": "null"}]}
JSON
sed 's/"type": "sqlite", "path": "gen.state.db"/"type": "memory"/' gen.json > gen-memory.json
grep -q '"memory"' gen-memory.json
cat > sqlite.json <<JSON
{"name": "bench-sqlite", "state": {"type": "sqlite", "path": "sqlite.state.db"},
 "source": {"plugin": "file", "config": {"paths": "data.jsonl"}},
 "batch": {"max_records": 10000},
 "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "target.db", "table": "t"}}]}
JSON
cat > files.json <<JSON
{"name": "bench-files", "state": {"type": "sqlite", "path": "files.state.db"},
 "source": {"plugin": "file", "config": {"paths": "data.jsonl"}},
 "batch": {"max_records": 10000},
 "sinks": [{"name": "files", "plugin": "file", "config": {"directory": "out"}}]}
JSON

bench_init "$work" "$ferry"
bench_solo gen "rm -f gen.state.db*" gen.json
bench_solo gen_memory "" gen-memory.json
bench_pairs sqlite "rm -f import.db*" \
  "sqlite3 import.db 'CREATE TABLE t(id INTEGER, name TEXT, amount REAL, ts TEXT);' '.mode csv' '.import --skip 1 data.csv t'" \
  "rm -f target.db* sqlite.state.db*" sqlite.json
bench_solo files "rm -rf out files.state.db*" files.json

# Sanity: the targets hold every row.
test "$(sqlite3 target.db 'SELECT count(*) FROM t')" = "$rows"
test "$(sqlite3 import.db 'SELECT count(*) FROM t')" = "$rows"
test "$(cat out/*.jsonl | wc -l)" = "$rows"

bench_header "Ferry benchmarks: $rows rows of 4 fields ($gen_rows for the generator), $mb MiB of JSON Lines"
bench_row gen "generator -> null, batches of 1,000 (goal: 15 M rows per CPU-s)" "-" "$gen_rows"
bench_row gen_memory "the same, state in memory (no state file)" "-" "$gen_rows"
bench_row sqlite "JSON Lines -> sqlite sink" "sqlite3 .import of the same rows as CSV" "$rows"
bench_row files "JSON Lines -> file sink" "-" "$rows"
bench_footer
