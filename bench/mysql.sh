#!/usr/bin/env bash
# CSV -> MariaDB: Ferry (file source -> mysql sink, append, exactly-once
# checkpointing on) beside `LOAD DATA LOCAL INFILE` of the same file, in the
# same run on the same machine, with Ferry's peak RSS.
#
#   bench/mysql.sh [ROWS]        (default 1,000,000)
#
# FERRY_BUILD_DIR=DIR uses an existing build (bin/ferry and its plugins)
# instead of building build-bench in Release.
#
# Starts a throwaway MariaDB 10.11 in a temporary directory on a free
# loopback port (like tests/support/servers.h) and stops it by PID at the
# end. Rows: id, ts, name, amount into a table with a primary key on id.
# Timed as bench/lib.sh says: BENCH_PAIRS alternating rounds (default 5),
# each into an emptied table, the ratio to LOAD DATA per round, median and
# range.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows="${1:-1000000}"

scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
command -v mariadbd >/dev/null || command -v /usr/sbin/mariadbd >/dev/null ||
  apt-get install -y -qq mariadb-server >/dev/null
if [ -z "${FERRY_BUILD_DIR:-}" ]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
  cmake --build build-bench -j"$(nproc)" --target ferry ferry_plugin_file ferry_plugin_mysql >/dev/null
fi
ferry="$(cd "${FERRY_BUILD_DIR:-build-bench}" && pwd)/bin/ferry"

BENCH_MARIADB_SETTINGS="--skip-log-bin --local-infile=1" bench_mariadb_start mysql
cd "$work"
sql() { mariadb --no-defaults -S "$sock" -u root -N -B --local-infile=1 "$@"; }
sql -e "CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY 'bench-pw';
        CREATE USER 'ferry'@'localhost' IDENTIFIED BY 'bench-pw';
        GRANT ALL ON *.* TO 'ferry'@'127.0.0.1'; GRANT ALL ON *.* TO 'ferry'@'localhost';
        CREATE DATABASE b CHARACTER SET utf8mb4;"
table_ddl="(id BIGINT NOT NULL PRIMARY KEY, ts DATETIME(6) NOT NULL, name VARCHAR(64) NOT NULL,
            amount DECIMAL(12,2) NOT NULL) ENGINE=InnoDB"
sql b -e "CREATE TABLE t_ferry $table_ddl; CREATE TABLE t_load $table_ddl;"

awk -v n="$rows" 'BEGIN { print "id,ts,name,amount"; for (i = 1; i <= n; i++)
  printf "%d,2026-01-01T%02d:%02d:%02dZ,name-%d,%.2f\n", i, (i / 3600) % 24, (i / 60) % 60, i % 60, i, i * 0.25 }' > data.csv
mb=$(awk -v b="$(stat -c %s data.csv)" 'BEGIN { printf "%.1f", b / 1048576 }')

cat > ferry.json <<JSON
{"name": "bench-mysql", "state": {"type": "sqlite", "path": "state.db"},
 "source": {"plugin": "file", "config": {"paths": "data.csv",
            "columns_types": {"id": "int64", "ts": "timestamp"}}},
 "batch": {"max_records": 10000},
 "sinks": [{"name": "db", "plugin": "mysql", "config": {"host": "127.0.0.1", "port": $port,
            "user": "ferry", "password": "bench-pw", "database": "b", "table": "t_ferry",
            "create_table": false}}]}
JSON

ferry_reset='sql b -e "TRUNCATE t_ferry; DROP TABLE IF EXISTS ferry_checkpoints"; rm -f state.db*'
load_reset='sql b -e "TRUNCATE t_load"'
load_data() {
  mariadb --no-defaults -S "$sock" -u root --local-infile=1 b -e "LOAD DATA LOCAL INFILE '$work/data.csv'
    INTO TABLE t_load FIELDS TERMINATED BY ',' IGNORE 1 LINES (id, @ts, name, amount)
    SET ts = REPLACE(REPLACE(@ts, 'T', ' '), 'Z', '')"
}
bench_init "$work" "$ferry"
bench_pairs my "$load_reset" load_data "$ferry_reset" ferry.json
[ "$(sql b -e 'SELECT COUNT(*) FROM t_ferry')" = "$rows" ] || { echo "ferry wrote the wrong row count" >&2; exit 1; }
[ "$(sql b -e 'SELECT COUNT(*) FROM t_load')" = "$rows" ] || { echo "LOAD DATA wrote the wrong row count" >&2; exit 1; }
# Same data both ways, or the comparison means nothing.
same=$(sql b -e "SELECT (SELECT SUM(CRC32(CONCAT_WS('|', id, ts, name, amount))) FROM t_ferry) =
                        (SELECT SUM(CRC32(CONCAT_WS('|', id, ts, name, amount))) FROM t_load)")
[ "$same" = "1" ] || { echo "ferry and LOAD DATA loaded different data" >&2; exit 1; }

bench_header "CSV -> MariaDB 10.11, $rows rows (id, ts, name, amount; primary key), $mb MiB CSV"
bench_row my "file (CSV) -> mysql sink, append" "LOAD DATA LOCAL INFILE (mariadb client)" "$rows"
bench_footer
