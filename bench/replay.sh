#!/usr/bin/env bash
# Replay throughput next to an ordinary run into the same sink, measured in
# alternating pairs on this machine, printed as a table.
#
#   bench/replay.sh [ROWS] [PAIRS]      (default 200,000 rows, 3 pairs)
#
# The run: generator -> validate (a rule every row meets) -> SQLite. The
# replay: the same rows, refused by a rule at first (so every one waits in
# the DLQ, stored as the validate stage received it), replayed with the rule
# fixed: through validate again and into the same kind of SQLite table.
# Both sides write the same rows through the same commit protocol; the
# replay also reads its rows back from the DLQ and settles each entry.
# A second run reads the same rows from a JSON-lines file (as the DLQ holds
# them, one JSON object per record), for a source that pays to read and
# parse its records as the replay does; the generator pays nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-200000}"
pairs="${2:-3}"

scripts/install-deps.sh --core >/dev/null
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
ferry="$PWD/build-bench/bin/ferry"

work=$(mktemp -d /tmp/ferry-bench-replay-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

pipeline() {  # NAME MIN_AMOUNT: every row has amount >= 0; min 1e12 refuses them all
  cat > "$1.json" <<JSON
{"name": "$1", "state": {"type": "sqlite", "path": "$1.state.db"},
 "source": {"plugin": "generator", "config": {"count": $rows, "fields": 4}},
 "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"min": $2}}}}],
 "batch": {"max_records": 1000},
 "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "$1.db", "table": "t"}}]}
JSON
}

file_pipeline() {
  cat > file.json <<JSON
{"name": "file", "state": {"type": "sqlite", "path": "file.state.db"},
 "source": {"plugin": "file", "config": {"paths": ["rows.jsonl"], "format": "jsonl"}},
 "transforms": [{"name": "check", "plugin": "validate", "config": {"rules": {"amount": {"min": 0}}}}],
 "batch": {"max_records": 1000},
 "sinks": [{"name": "db", "plugin": "sqlite", "config": {"path": "file.db", "table": "t"}}]}
JSON
}

run_times=()
file_times=()
replay_times=()
for pair in $(seq "$pairs"); do
  rm -f run.* rp.*
  pipeline run 0
  /usr/bin/time -f "%e" -o t.txt "$ferry" run --no-progress run.json >/dev/null
  run_times+=("$(cat t.txt)")
  [ "$(sqlite3 run.db 'SELECT count(*) FROM t')" = "$rows" ] || { echo "run lost rows" >&2; exit 1; }

  pipeline rp 1000000000000
  "$ferry" run --no-progress rp.json >/dev/null
  pending=$(sqlite3 rp.state.db "SELECT count(*) FROM dlq WHERE status = 'pending'")
  [ "$pending" = "$rows" ] || { echo "expected $rows refused rows, got $pending" >&2; exit 1; }
  [ -f rows.jsonl ] || sqlite3 rp.state.db "SELECT json_extract(record, '\$.values') FROM dlq ORDER BY id" > rows.jsonl
  rm -f file.*
  file_pipeline
  /usr/bin/time -f "%e" -o t.txt "$ferry" run --no-progress file.json >/dev/null
  file_times+=("$(cat t.txt)")
  [ "$(sqlite3 file.db 'SELECT count(*) FROM t')" = "$rows" ] || { echo "file run lost rows" >&2; exit 1; }

  pipeline rp 0
  /usr/bin/time -f "%e" -o t.txt "$ferry" replay --no-progress rp.json >/dev/null
  replay_times+=("$(cat t.txt)")
  [ "$(sqlite3 rp.db 'SELECT count(*) FROM t')" = "$rows" ] || { echo "replay lost rows" >&2; exit 1; }
  [ "$(sqlite3 rp.state.db "SELECT count(*) FROM dlq WHERE status = 'resolved'")" = "$rows" ] || {
    echo "replay left entries unresolved" >&2; exit 1; }
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
run_s=$(median "${run_times[@]}")
file_s=$(median "${file_times[@]}")
replay_s=$(median "${replay_times[@]}")
awk -v rows="$rows" -v r="$run_s" -v f="$file_s" -v p="$replay_s" -v pairs="$pairs" 'BEGIN {
  printf "%-48s %10s %12s\n", "route (" rows " rows, median of " pairs ")", "seconds", "records/s"
  printf "%-48s %10.2f %12.0f\n", "run: generator -> validate -> sqlite", r, rows / r
  printf "%-48s %10.2f %12.0f\n", "run: JSON lines file -> validate -> sqlite", f, rows / f
  printf "%-48s %10.2f %12.0f\n", "replay of the DLQ: validate -> sqlite", p, rows / p
  printf "%-48s %23.2f\n", "replay / run from the generator (throughput)", r / p
  printf "%-48s %23.2f\n", "replay / run from the file (throughput)", f / p
}'
