#!/usr/bin/env bash
# Change data capture benchmark (mariadb-cdc), printed as a table. A
# workload of ROWS rows, each inserted, updated and deleted in transactions
# of ten changes (3 x ROWS changes; the table ends empty), is written once
# to the binary log; every round then reads all of it from the GTID position
# before it (a state store, and for route 2 a target, restored to the
# checkpoint a first run took there):
#
#   1. mariadb-cdc -> null beside mariadb-binlog reading the same binlog
#      range from the server and decoding its rows (--verbose) to /dev/null:
#      the cost of reading and decoding the stream.
#   2. mariadb-cdc -> mysql (upsert by key, position committed with the
#      rows): changes/s applied exactly-once, with no raw tool (the same
#      tool as 1 is shown for scale).
# Timed as bench/lib.sh says (BENCH_PAIRS rounds, median and range, peak RSS).
#
#   bench/mariadb_cdc.sh [ROWS]      (default 100,000: 300,000 changes)
#
# Not measured here: end-to-end lag at a fixed change rate.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows="${1:-100000}"
changes=$((rows * 3))
bench_build ferry_plugin_mysql ferry_plugin_mariadb-cdc ferry_plugin_null

BENCH_MARIADB_SETTINGS="--log-bin=mariadb-bin --binlog-format=ROW --server-id=1 --binlog-row-metadata=FULL
  --max-binlog-size=1G" bench_mariadb_start mariadb-cdc
cd "$work"
table="(id BIGINT PRIMARY KEY, name VARCHAR(64), amount DECIMAL(12,2), ts DATETIME(6)) ENGINE=InnoDB"
maria -e "CREATE DATABASE src CHARACTER SET utf8mb4; CREATE DATABASE dst CHARACTER SET utf8mb4"
maria src -e "CREATE TABLE t $table"
maria dst -e "CREATE TABLE t $table"
maria src <<'SQL'
DELIMITER //
CREATE PROCEDURE workload(n INT)
BEGIN
  DECLARE b INT DEFAULT 0;
  WHILE b < n / 10 DO
    INSERT INTO t SELECT b * 10 + seq, CONCAT('name-', b * 10 + seq), (b * 10 + seq) * 0.25,
                         '2024-01-01' + INTERVAL (b * 10 + seq) SECOND FROM seq_1_to_10;
    UPDATE t SET name = CONCAT(name, '!'), amount = amount + 1 WHERE id BETWEEN b * 10 + 1 AND b * 10 + 10;
    DELETE FROM t WHERE id BETWEEN b * 10 + 1 AND b * 10 + 10;
    SET b = b + 1;
  END WHILE;
END //
DELIMITER ;
SQL

pipeline() {
  cat > "$work/$1.json" <<JSON
{"name": "$1", "state": {"type": "sqlite", "path": "$work/$1.state.db"},
 "batch": {"max_records": 10000},
 "source": {"plugin": "mariadb-cdc", "config": {"socket": "$sock", "user": "root", "database": "src",
            "table": "t", "server_id": 7001, "follow": false}},
 "sinks": [$2]}
JSON
}
pipeline cdc_null '{"name": "out", "plugin": "null"}'
pipeline cdc_maria "{\"name\": \"db\", \"plugin\": \"mysql\", \"config\": {\"socket\": \"$sock\", \"user\": \"root\", \"database\": \"dst\", \"table\": \"t\", \"mode\": \"upsert\", \"key\": [\"id\"]}}"
# A first run of each copies the empty table and checkpoints the GTID
# position before the workload; every round starts from a copy of that.
for p in cdc_null cdc_maria; do
  "$ferry" run --no-progress "$work/$p.json" >/dev/null 2>&1
  cp "$work/$p.state.db" "$work/$p.state.template"
done
maria dst -e "CREATE TABLE ckpt_template AS SELECT * FROM ferry_checkpoints"

read -r file start _ < <(maria -e "SHOW MASTER STATUS")
maria src -e "CALL workload($rows)"
read -r end_file end _ < <(maria -e "SHOW MASTER STATUS")
[ "$file" = "$end_file" ] || { echo "the workload spans binlog files $file..$end_file" >&2; exit 1; }

binlog() {
  mariadb-binlog --no-defaults --read-from-remote-server --socket="$sock" -u root \
    --base64-output=decode-rows --verbose --start-position="$start" --stop-position="$end" "$file"
}
bench_init "$work" "$ferry"

reset_null='cp "$work/cdc_null.state.template" "$work/cdc_null.state.db"'
reset_maria='cp "$work/cdc_maria.state.template" "$work/cdc_maria.state.db";
  maria dst -e "TRUNCATE t; DELETE FROM ferry_checkpoints; INSERT INTO ferry_checkpoints SELECT * FROM ckpt_template"'
bench_pairs cdc_null : binlog "$reset_null" "$work/cdc_null.json"
bench_expect_read cdc_null "$changes"
bench_pairs cdc_maria : binlog "$reset_maria" "$work/cdc_maria.json"
bench_expect_read cdc_maria "$changes"
[ "$(maria dst -e 'SELECT COUNT(*) FROM t')" = "0" ] || { echo "the target is not empty as the source" >&2; exit 1; }

bench_header "mariadb-cdc, $changes changes ($rows rows inserted, updated and deleted; 10 per transaction)"
bench_row cdc_null "CDC -> null" "mariadb-binlog --verbose > /dev/null" "$changes"
bench_row cdc_maria "CDC -> MariaDB upsert, exactly-once" "mariadb-binlog --verbose > /dev/null (scale only)" "$changes"
bench_footer
