#!/usr/bin/env bash
# PostgreSQL connector benchmarks, printed as a table. Every figure is
# measured in this run, on this machine, beside the raw tool doing the same
# job on the same throwaway server:
#
#   1. PG -> PG append, N rows of (id bigint, ts timestamptz, name text,
#      amount numeric) into an empty table, exactly-once on (checkpoint in the
#      target, same transaction): Ferry beside
#      psql -c "COPY t TO STDOUT" | psql -c "COPY t2 FROM STDIN".
#   2. CSV file -> PG: Ferry (file source -> postgres sink) beside psql \copy
#      and pgloader, on the same file.
#   3. Upsert into a table with a primary key already holding half the rows:
#      Ferry (COPY to staging + INSERT .. ON CONFLICT) beside the same done by
#      hand in psql.
# Timed as bench/lib.sh says: BENCH_PAIRS alternating rounds (default 5),
# the ratio to the raw tool per round, median and range; Ferry's peak RSS.
# pgloader runs once, for scale.
#
#   bench/postgres.sh [ROWS]      (default 2,000,000)
#
# Environment: FERRY_BUILD_DIR (default build-bench), BENCH_PAIRS. The
# server runs with fsync=off, like the tests: the comparison is between
# clients, not disks.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows="${1:-2000000}"
build="${FERRY_BUILD_DIR:-build-bench}"

scripts/install-deps.sh
need=()
command -v pgloader >/dev/null || need+=(pgloader)
command -v /usr/bin/time >/dev/null || need+=(time)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target ferry ferry_plugin_postgres ferry_plugin_file >/dev/null
ferry="$(cd "$build" && pwd)/bin/ferry"

bench_postgres_start pg
cd "$work"

psql_db postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst"
psql_db src -c "CREATE TABLE t (id bigint PRIMARY KEY, ts timestamptz NOT NULL, name text, amount numeric)" \
  -c "INSERT INTO t SELECT g, '2024-01-01'::timestamptz + g * interval '1.5 s', 'name-' || g, g * 0.25
      FROM generate_series(1, $rows) g" -c "VACUUM ANALYZE t"
psql_db src -c "\\copy t TO '$work/data.csv' WITH (FORMAT csv, HEADER)"
ddl="(id bigint, ts timestamptz, name text, amount numeric)"

rate() { awk -v n="$rows" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
bench_init "$work" "$ferry"

# --- 1. PG -> PG append ------------------------------------------------------
cat > pg2pg.json <<JSON
{"name": "bench_pg", "state": {"type": "sqlite", "path": "$work/state_pg.db"},
 "source": {"plugin": "postgres", "config": {"dsn": "$(dsn src)", "table": "t", "cursor": ["id"]}},
 "batch": {"max_records": 50000, "max_bytes": 268435456},
 "sinks": [{"name": "pg", "plugin": "postgres",
            "config": {"dsn": "$(dsn dst)", "table": "t_ferry", "create_table": false}}]}
JSON
psql_db dst -c "CREATE TABLE t_ferry $ddl" -c "CREATE TABLE t_pipe $ddl" -c "CREATE TABLE t_csv_ferry $ddl" \
  -c "CREATE TABLE t_csv_copy $ddl" -c "CREATE TABLE t_pgl $ddl"
reset_ferry='psql_db dst -c "TRUNCATE t_ferry" -c "DROP TABLE IF EXISTS ferry_checkpoints"; rm -f "$work/state_pg.db"'
pipe_pg() { psql_db src -c "COPY t TO STDOUT" | psql_db dst -c "COPY t_pipe FROM STDIN"; }
bench_pairs pg 'psql_db dst -c "TRUNCATE t_pipe"' pipe_pg "$reset_ferry" "$work/pg2pg.json"
[ "$(psql_db dst -c 'SELECT count(*) FROM t_ferry')" = "$rows" ] || { echo "t_ferry is incomplete" >&2; exit 1; }

# --- 2. CSV -> PG ----------------------------------------------------------
cat > csv2pg.json <<JSON
{"name": "bench_csv", "state": {"type": "sqlite", "path": "$work/state_csv.db"},
 "source": {"plugin": "file", "config": {"paths": "$work/data.csv", "columns_types": {"id": "int64"}}},
 "batch": {"max_records": 50000, "max_bytes": 268435456},
 "sinks": [{"name": "pg", "plugin": "postgres",
            "config": {"dsn": "$(dsn dst)", "table": "t_csv_ferry", "create_table": false}}]}
JSON
cat > load.pgl <<PGL
LOAD CSV FROM '$work/data.csv' (id, ts, name, amount)
  INTO postgresql://postgres@127.0.0.1:$port/dst
  TARGET TABLE t_pgl
  WITH skip header = 1, fields terminated by ',', fields optionally enclosed by '"';
PGL
reset_csv='psql_db dst -c "TRUNCATE t_csv_ferry" -c "DROP TABLE IF EXISTS ferry_checkpoints"; rm -f "$work/state_csv.db"'
copy_csv() { psql_db dst -c "\\copy t_csv_copy FROM '$work/data.csv' WITH (FORMAT csv, HEADER)"; }
pgloader_csv() { pgloader --quiet load.pgl >"$work/pgloader.out" 2>&1 || { cat "$work/pgloader.out" >&2; exit 1; }; }
bench_pairs csv 'psql_db dst -c "TRUNCATE t_csv_copy"' copy_csv "$reset_csv" "$work/csv2pg.json"
psql_db dst -c "TRUNCATE t_pgl"
t0=$(bench_now)
pgloader_csv
s_pgl=$(awk -v a="$t0" -v b="$(bench_now)" 'BEGIN { printf "%.2f", b - a }')
[ "$(psql_db dst -c 'SELECT count(*) FROM t_pgl')" = "$rows" ] || echo "warning: pgloader loaded $(psql_db dst -c 'SELECT count(*) FROM t_pgl') rows" >&2

# --- 3. Upsert into a table with a primary key ----------------------------
half=$((rows / 2))
cat > upsert.json <<JSON
{"name": "bench_up", "state": {"type": "sqlite", "path": "$work/state_up.db"},
 "source": {"plugin": "postgres", "config": {"dsn": "$(dsn src)", "table": "t", "cursor": ["id"]}},
 "batch": {"max_records": 50000, "max_bytes": 268435456},
 "sinks": [{"name": "pg", "plugin": "postgres", "config": {"dsn": "$(dsn dst)", "table": "t_up_ferry",
            "mode": "upsert", "key": ["id"], "create_table": false}}]}
JSON
psql_db dst -c "CREATE TABLE t_up_ferry (id bigint PRIMARY KEY, ts timestamptz, name text, amount numeric)" \
  -c "CREATE TABLE t_up_psql (LIKE t_up_ferry INCLUDING ALL)"
prefill="SELECT g, '2000-01-01'::timestamptz, 'old', 0 FROM generate_series(1, $rows, 2) g"
reset_up='psql_db dst -c "TRUNCATE t_up_ferry" -c "INSERT INTO t_up_ferry $prefill" -c "VACUUM ANALYZE t_up_ferry" -c "DROP TABLE IF EXISTS ferry_checkpoints"; rm -f "$work/state_up.db"'
reset_up_psql='psql_db dst -c "TRUNCATE t_up_psql" -c "INSERT INTO t_up_psql $prefill" -c "VACUUM ANALYZE t_up_psql"'
upsert_psql() {
  psql_db src -c "COPY t TO STDOUT" | psql_db dst -c "BEGIN" \
    -c "CREATE TEMP TABLE s (LIKE t_up_psql) ON COMMIT DROP" -c "COPY s FROM STDIN" \
    -c "INSERT INTO t_up_psql SELECT * FROM s ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts,
        name = EXCLUDED.name, amount = EXCLUDED.amount" -c "COMMIT"
}
bench_pairs up "$reset_up_psql" upsert_psql "$reset_up" "$work/upsert.json"
[ "$(psql_db dst -c "SELECT count(*) FROM t_up_ferry WHERE name = 'name-' || id")" = "$rows" ] ||
  { echo "t_up_ferry does not hold the source rows" >&2; exit 1; }

# --- table -----------------------------------------------------------------
bench_header "PostgreSQL benchmarks: $rows rows of (bigint, timestamptz, text, numeric)"
bench_row pg "PG -> PG append, exactly-once" 'psql COPY TO \| COPY FROM' "$rows"
bench_row csv "CSV -> PG" 'psql \copy' "$rows"
bench_row up "PG -> PG upsert (PK, half present)" "psql COPY to staging + ON CONFLICT" "$rows"
s_csv=$(cut -d' ' -f1 "$work/csv.ferry" | bench_median)
printf '
pgloader, one run of CSV -> PG: %s s (%s rows/s); Ferry took %.2f of its time
' "$s_pgl" "$(rate "$s_pgl")" \
  "$(awk -v a="$s_csv" -v b="$s_pgl" 'BEGIN { print a / b }')"
bench_footer
