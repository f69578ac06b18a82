#!/usr/bin/env bash
# Scale-out benchmark: a 16-partition pipeline (16 CSV files -> a PostgreSQL
# sink, PostgreSQL state) run by 1, 2 and 4 `ferry run` workers at once, on
# one throwaway server; and what the leases cost one worker, beside the same
# run holding the pipeline alone (`--exclusive`), in alternating pairs.
# The raw tool for scale: psql \copy of the 16 files, one after the other.
#
#   bench/scale_out.sh [ROWS]      (default 1,600,000)
#
# Environment: FERRY_BUILD_DIR (default build-bench), BENCH_PAIRS. On a
# 2-core machine the server and the workers share the cores: more workers
# than cores only add contention, and the table says so.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows="${1:-1600000}"
bench_build ferry_plugin_postgres ferry_plugin_file

bench_postgres_start scale
cd "$work"
psql_db postgres -c "CREATE DATABASE state" -c "CREATE DATABASE dst"

per_file=$((rows / 16))
mkdir -p in
for ((f = 0; f < 16; f++)); do
  psql_db postgres -c "\\copy (SELECT g AS id, 'name-' || g AS name, g * 0.25 AS amount
    FROM generate_series($((f * per_file + 1)), $(((f + 1) * per_file))) g) TO '$work/in/part$(printf %02d $f).csv' WITH (FORMAT csv, HEADER)"
done
total=$((per_file * 16))
psql_db dst -c "CREATE TABLE t (id bigint, name text, amount numeric)" -c "CREATE TABLE t_copy (id bigint, name text, amount numeric)"
cat > scale.json <<JSON
{"name": "bench_scale", "state": {"type": "postgres", "dsn": "$(dsn state)"},
 "source": {"plugin": "file", "config": {"paths": "in/*.csv", "columns_types": {"id": "int64"}}},
 "batch": {"max_records": 10000},
 "sinks": [{"name": "pg", "plugin": "postgres", "config": {"dsn": "$(dsn dst)", "table": "t", "create_table": false}}]}
JSON
reset_ferry() {
  psql_db dst -c "TRUNCATE t" -c "DROP TABLE IF EXISTS ferry_checkpoints"
  psql_db state -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public"
}
check_target() {
  local n
  n=$(psql_db dst -c "SELECT count(*) FROM t")
  [ "$n" = "$total" ] || { echo "scale_out.sh: target holds $n rows, not $total" >&2; exit 1; }
}
# N workers started together; wall seconds until the last one exits.
workers_once() {
  local n=$1 t0 t1 i pids=()
  reset_ferry
  t0=$(bench_now)
  for ((i = 0; i < n; i++)); do
    "$ferry" run --no-progress scale.json > "w$n.$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat w"$n".*.out >&2; exit 1; }; done
  t1=$(bench_now)
  check_target
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

bench_init "$work" "$ferry"
# Lease overhead: one worker with leases (Ferry) beside the same run alone.
bench_pairs leases reset_ferry "\"$ferry\" run --no-progress --exclusive scale.json && check_target" reset_ferry scale.json
check_target

declare -A wall
for n in 1 2 4; do
  : > "walls.$n"
  for ((i = 1; i <= BENCH_PAIRS; i++)); do workers_once "$n" >> "walls.$n"; done
  wall[$n]=$(bench_median < "walls.$n")
done
copy_s=$( { t0=$(bench_now); psql_db dst -c "TRUNCATE t_copy"
  for f in in/*.csv; do psql_db dst -c "\\copy t_copy FROM '$work/$f' WITH (FORMAT csv, HEADER)"; done
  t1=$(bench_now); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'; } )

bench_header "Lease overhead: one worker sharing the pipeline vs the same run with --exclusive ($total rows, 16 files)"
bench_row leases "CSV -> PG, 1 worker with leases" "ferry run --exclusive" "$total"
printf '\nScale-out: %s rows in 16 files -> PostgreSQL, PostgreSQL state, workers started together (median of %s)\n\n' \
  "$total" "$BENCH_PAIRS"
printf '| workers | wall s | rows/s | vs 1 worker |\n|---|---|---|---|\n'
for n in 1 2 4; do
  printf '| %s | %.2f | %.0f | %.2fx |\n' "$n" "${wall[$n]}" \
    "$(awk -v r="$total" -v s="${wall[$n]}" 'BEGIN { print r / s }')" \
    "$(awk -v a="${wall[1]}" -v b="${wall[$n]}" 'BEGIN { print a / b }')"
done
printf '| psql \\copy, 16 files in a row | %.2f | %.0f | |\n' "$copy_s" \
  "$(awk -v r="$total" -v s="$copy_s" 'BEGIN { print r / s }')"
printf '\n%s cores: the workers and the server share them.\n' "$(nproc)"
bench_footer
