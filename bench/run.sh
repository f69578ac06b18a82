#!/usr/bin/env bash
# Ferry benchmarks, printed as a table. Every figure is measured in this run,
# on this machine, next to the raw tool doing the same job where there is one.
#
#   bench/run.sh [ROWS]        (default 1,000,000)
#
# Rows: generator -> null (the ABI's overhead, state in SQLite as usual), JSONL -> SQLite next to
# `sqlite3 .import` of the same rows as CSV, JSONL -> file sink, each with
# its peak RSS. Results are the median of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
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

# median_run LABEL CLEANUP COMMAND...: prints "seconds rss_kb" (median by time)
median_run() {
  local cleanup="$1"; shift
  local results=()
  for _ in 1 2 3; do
    eval "$cleanup"
    /usr/bin/time -f "%e %M" -o time.txt "$@" >/dev/null 2>run.err || { cat run.err >&2; exit 1; }
    results+=("$(cat time.txt)")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n 2p
}

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

read -r gen_s gen_rss < <(median_run "rm -f gen.state.db*" "$ferry" run --no-progress gen.json)
read -r sq_s sq_rss < <(median_run "rm -f target.db* sqlite.state.db*" "$ferry" run --no-progress sqlite.json)
read -r imp_s imp_rss < <(median_run "rm -f import.db*" sqlite3 import.db \
  "CREATE TABLE t(id INTEGER, name TEXT, amount REAL, ts TEXT);" ".mode csv" ".import --skip 1 data.csv t")
read -r fs_s fs_rss < <(median_run "rm -rf out files.state.db*" "$ferry" run --no-progress files.json)

# Sanity: the targets hold every row.
test "$(sqlite3 target.db 'SELECT count(*) FROM t')" = "$rows"
test "$(sqlite3 import.db 'SELECT count(*) FROM t')" = "$rows"
test "$(cat out/*.jsonl | wc -l)" = "$rows"

gen_rate=$(rate "$gen_rows" "$gen_s"); sq_rate=$(rate "$rows" "$sq_s"); imp_rate=$(rate "$rows" "$imp_s")
ratio=$(awk -v a="$sq_rate" -v b="$imp_rate" 'BEGIN { printf "%.2f", a / b }')
fs_mbs=$(awk -v m="$mb" -v s="$fs_s" 'BEGIN { printf "%.1f", m / s }')

echo
echo "Ferry benchmarks: $rows rows of 4 fields ($gen_rows for the generator), $(nproc) cores, median of 3"
printf '%-36s %10s %14s %12s %10s\n' "route" "seconds" "records/s" "MB/s" "peak RSS"
printf '%-36s %10s %14s %12s %10s\n' "generator -> null (batches of 1000)" "$gen_s" "$gen_rate" "-" "$((gen_rss / 1024)) MB"
printf '%-36s %10s %14s %12s %10s\n' "JSONL -> sqlite sink" "$sq_s" "$sq_rate" "-" "$((sq_rss / 1024)) MB"
printf '%-36s %10s %14s %12s %10s\n' "CSV -> sqlite3 .import (raw tool)" "$imp_s" "$imp_rate" "-" "$((imp_rss / 1024)) MB"
printf '%-36s %10s %14s %12s %10s\n' "JSONL -> file sink ($mb MB)" "$fs_s" "$(rate "$rows" "$fs_s")" "$fs_mbs" "$((fs_rss / 1024)) MB"
echo
echo "ratio Ferry JSONL->sqlite / sqlite3 .import: $ratio (goal >= 0.8)"
