#!/usr/bin/env bash
# Change data capture benchmark (postgres-cdc), printed as a table. A
# workload of ROWS rows, each inserted, updated and deleted in transactions
# of ten changes (3 x ROWS changes; the table ends empty, so the snapshot
# copies nothing), is written once; every round then reads all of it from
# a fresh copy of the same logical replication slot
# (pg_copy_logical_replication_slot), so each reader sees the same changes:
#
#   1. postgres-cdc -> null beside pg_recvlogical (PostgreSQL's own client of
#      the same pgoutput stream) writing the changes to /dev/null: the cost
#      of reading and decoding the stream.
#   2. postgres-cdc -> postgres (upsert by key, position committed with the
#      rows): changes/s applied exactly-once, with no raw tool (the same
#      tool as 1 is shown for scale).
# Timed as bench/lib.sh says (BENCH_PAIRS rounds, median and range, peak RSS).
#
#   bench/postgres_cdc.sh [ROWS]      (default 100,000: 300,000 changes)
#
# Not measured here: end-to-end lag at a fixed change rate.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows="${1:-100000}"
changes=$((rows * 3))
bench_build ferry_plugin_postgres ferry_plugin_postgres-cdc ferry_plugin_null

BENCH_PG_SETTINGS="-c wal_level=logical" bench_postgres_start pgcdc
cd "$work"
psql_db postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst"
psql_db src -c "CREATE TABLE t (id bigint PRIMARY KEY, name text, amount numeric, ts timestamptz)" \
  -c "CREATE PUBLICATION pub FOR TABLE t" \
  -c "SELECT pg_create_logical_replication_slot('template', 'pgoutput')"
psql_db src -c "CREATE PROCEDURE workload(n int) LANGUAGE plpgsql AS \$\$
BEGIN
  FOR b IN 0..(n / 10 - 1) LOOP
    INSERT INTO t SELECT g, 'name-' || g, g * 0.25, '2024-01-01'::timestamptz + g * interval '1 s'
      FROM generate_series(b * 10 + 1, b * 10 + 10) g;
    COMMIT;
    UPDATE t SET name = name || '!', amount = amount + 1 WHERE id BETWEEN b * 10 + 1 AND b * 10 + 10;
    COMMIT;
    DELETE FROM t WHERE id BETWEEN b * 10 + 1 AND b * 10 + 10;
    COMMIT;
  END LOOP;
END \$\$" -c "CALL workload($rows)"
end_lsn=$(psql_db src -c "SELECT pg_current_wal_flush_lsn()")
psql_db dst -c "CREATE TABLE t (id bigint PRIMARY KEY, name text, amount numeric, ts timestamptz)"

# A fresh slot at the template's position, for whichever reader comes next.
fresh_slot() {
  psql_db src -c "SELECT pg_drop_replication_slot('$1') FROM pg_replication_slots WHERE slot_name = '$1'" \
    -c "SELECT pg_copy_logical_replication_slot('template', '$1')" >/dev/null
}
recvlogical() {
  pg_recvlogical -h 127.0.0.1 -p "$port" -U postgres -d src -S tool --start --endpos "$end_lsn" \
    -o proto_version=1 -o publication_names=pub -f /dev/null
}
pipeline() {
  cat > "$work/$1.json" <<JSON
{"name": "$1", "state": {"type": "sqlite", "path": "$work/$1.state.db"},
 "batch": {"max_records": 10000},
 "source": {"plugin": "postgres-cdc", "config": {"dsn": "$(dsn src)", "table": "t", "slot": "ferry",
            "publication": "pub", "follow": false}},
 "sinks": [$2]}
JSON
}
pipeline cdc_null '{"name": "out", "plugin": "null"}'
pipeline cdc_pg "{\"name\": \"pg\", \"plugin\": \"postgres\", \"config\": {\"dsn\": \"$(dsn dst)\", \"table\": \"t\", \"mode\": \"upsert\", \"key\": [\"id\"]}}"
bench_init "$work" "$ferry"

reset_tool='fresh_slot tool'
reset_null='fresh_slot ferry; rm -f "$work/cdc_null.state.db"'
reset_pg='fresh_slot ferry; rm -f "$work/cdc_pg.state.db"; psql_db dst -c "TRUNCATE t" -c "DROP TABLE IF EXISTS ferry_checkpoints"'
bench_pairs cdc_null "$reset_tool" recvlogical "$reset_null" "$work/cdc_null.json"
bench_expect_read cdc_null "$changes"
bench_pairs cdc_pg "$reset_tool" recvlogical "$reset_pg" "$work/cdc_pg.json"
bench_expect_read cdc_pg "$changes"
[ "$(psql_db dst -c 'SELECT count(*) FROM t')" = "0" ] || { echo "the target is not empty as the source" >&2; exit 1; }

bench_header "postgres-cdc, $changes changes ($rows rows inserted, updated and deleted; 10 per transaction)"
bench_row cdc_null "CDC -> null" "pg_recvlogical > /dev/null" "$changes"
bench_row cdc_pg "CDC -> PG upsert, exactly-once" "pg_recvlogical > /dev/null (scale only)" "$changes"
bench_footer
