#!/usr/bin/env bash
# End-to-end lag of change data capture: how long after a change commits at
# the source it has committed at the sink, at a fixed change rate.
#
# For each CDC source a paced workload inserts RATE rows a second (ten per
# transaction) for SECONDS while a `ferry run` that follows the stream
# applies them to a table on the same server (so one clock stamps both
# ends): the source row records when its transaction ran (NOW(6) /
# clock_timestamp()), the sink row's default when the sink wrote it. The
# lag is the difference per row; the table reports its median, p99 and
# maximum, and the rate the workload reached.
#
#   bench/cdc_lag.sh [RATE] [SECONDS]     (default 10000 changes/s for 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rate="${1:-10000}"
seconds="${2:-20}"
bench_build ferry_plugin_postgres ferry_plugin_postgres-cdc ferry_plugin_mysql ferry_plugin_mariadb-cdc
transactions=$((rate * seconds / 10))

printf '\nCDC end-to-end lag at %s changes/s for %s s (10 changes per transaction), %s cores; load average (1 min): %s\n\n' \
  "$rate" "$seconds" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
printf '| route | changes | rate reached (changes/s) | lag p50 | lag p99 | lag max |\n|---|---|---|---|---|---|\n'

# Until the sink holds WANT rows (COUNT_CMD prints its count), then stops
# the run PID.
wait_landed() {
  local pid=$1 count_cmd=$2 want=$3 deadline=$((SECONDS + 300))
  until [ "$(eval "$count_cmd")" = "$want" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "the sink did not catch up:" >&2; kill "$pid"; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "ferry ended early" >&2; exit 1; }
    sleep 0.2
  done
  kill -TERM "$pid"
  wait "$pid" || true
}

# --- PostgreSQL -> PostgreSQL ---------------------------------------------
(
  BENCH_PG_SETTINGS="-c wal_level=logical" bench_postgres_start cdc-lag-pg
  cd "$work"
  psql_db postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst"
  psql_db src -c "CREATE TABLE t (id bigint PRIMARY KEY, payload text, committed timestamptz DEFAULT clock_timestamp())"
  psql_db dst -c "CREATE TABLE t (id bigint PRIMARY KEY, payload text, committed timestamptz,
                                  landed timestamptz DEFAULT clock_timestamp())"
  psql_db src -c "CREATE PROCEDURE paced(n int, per_second int) LANGUAGE plpgsql AS \$\$
  DECLARE began timestamptz := clock_timestamp(); ahead float8;
  BEGIN
    FOR b IN 0..n - 1 LOOP
      INSERT INTO t (id, payload) SELECT b * 10 + g, md5(g::text) FROM generate_series(1, 10) g;
      COMMIT;
      ahead := (b + 1) * 10.0 / per_second - extract(epoch FROM clock_timestamp() - began);
      IF ahead > 0 THEN PERFORM pg_sleep(ahead); END IF;
    END LOOP;
  END \$\$"
  cat > lag.json <<JSON
{"name": "lag", "state": {"type": "sqlite", "path": "$work/lag.state.db"},
 "source": {"plugin": "postgres-cdc", "config": {"dsn": "$(dsn src)", "table": "t", "slot": "lag",
            "publication": "lag", "idle_ms": 100}},
 "sinks": [{"name": "pg", "plugin": "postgres", "config": {"dsn": "$(dsn dst)", "table": "t", "mode": "upsert",
            "key": ["id"]}}]}
JSON
  "$ferry" run --no-progress "$work/lag.json" >"$work/lag.log" 2>&1 &
  pid=$!
  # The copy of the empty table is done once the sink has its checkpoint.
  until psql_db dst -c "SELECT count(*) FROM ferry_checkpoints" 2>/dev/null | grep -q 1; do sleep 0.1; done
  t0=$(bench_now)
  psql_db src -c "CALL paced($transactions, $rate)"
  t1=$(bench_now)
  wait_landed "$pid" "psql_db dst -c 'SELECT count(*) FROM t'" "$((transactions * 10))"
  psql_db dst -F ' ' -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l), percentile_cont(0.99) WITHIN GROUP (ORDER BY l),
                                max(l) FROM (SELECT extract(epoch FROM landed - committed) * 1000 AS l FROM t) x" |
    awk -v n="$((transactions * 10))" -v a="$t0" -v b="$t1" \
      '{ printf "| postgres-cdc -> postgres upsert | %d | %.0f | %.1f ms | %.1f ms | %.1f ms |\n", n, n / (b - a), $1, $2, $3 }'
)

# --- MariaDB -> MariaDB ----------------------------------------------------
(
  BENCH_MARIADB_SETTINGS="--log-bin=mariadb-bin --binlog-format=ROW --server-id=1 --binlog-row-metadata=FULL" \
    bench_mariadb_start cdc-lag-maria
  cd "$work"
  maria -e "CREATE DATABASE src CHARACTER SET utf8mb4; CREATE DATABASE dst CHARACTER SET utf8mb4"
  maria src -e "CREATE TABLE t (id BIGINT PRIMARY KEY, payload VARCHAR(64), committed DATETIME(6)) ENGINE=InnoDB"
  maria dst -e "CREATE TABLE t (id BIGINT PRIMARY KEY, payload VARCHAR(64), committed DATETIME(6),
                               landed DATETIME(6) DEFAULT NOW(6)) ENGINE=InnoDB"
  maria src <<'SQL'
DELIMITER //
CREATE PROCEDURE paced(n INT, per_second INT)
BEGIN
  DECLARE b INT DEFAULT 0;
  DECLARE began DATETIME(6) DEFAULT NOW(6);
  DECLARE ahead DOUBLE;
  WHILE b < n DO
    INSERT INTO t SELECT b * 10 + seq, MD5(seq), NOW(6) FROM seq_1_to_10;
    SET ahead = (b + 1) * 10.0 / per_second - TIMESTAMPDIFF(MICROSECOND, began, NOW(6)) / 1e6;
    IF ahead > 0 THEN DO SLEEP(ahead); END IF;
    SET b = b + 1;
  END WHILE;
END //
DELIMITER ;
SQL
  cat > lag.json <<JSON
{"name": "lag", "state": {"type": "sqlite", "path": "$work/lag.state.db"},
 "source": {"plugin": "mariadb-cdc", "config": {"socket": "$sock", "user": "root", "database": "src",
            "table": "t", "server_id": 7001, "idle_ms": 100}},
 "sinks": [{"name": "db", "plugin": "mysql", "config": {"socket": "$sock", "user": "root", "database": "dst",
            "table": "t", "mode": "upsert", "key": ["id"]}}]}
JSON
  "$ferry" run --no-progress "$work/lag.json" >"$work/lag.log" 2>&1 &
  pid=$!
  until maria dst -e "SELECT COUNT(*) FROM ferry_checkpoints" 2>/dev/null | grep -q 1; do sleep 0.1; done
  t0=$(bench_now)
  maria src -e "CALL paced($transactions, $rate)"
  t1=$(bench_now)
  wait_landed "$pid" "maria dst -e 'SELECT COUNT(*) FROM t'" "$((transactions * 10))"
  # Nearest-rank percentiles: MariaDB's PERCENTILE_CONT is a window
  # function, slow over every row.
  n=$((transactions * 10))
  pct() { maria dst -e "SELECT TIMESTAMPDIFF(MICROSECOND, committed, landed) / 1000 AS l FROM t
                          ORDER BY l LIMIT 1 OFFSET $(( (n * $1 + 99) / 100 - 1 ))"; }
  echo "$(pct 50) $(pct 99) $(pct 100)" |
    awk -v n="$n" -v a="$t0" -v b="$t1" \
      '{ printf "| mariadb-cdc -> mysql upsert | %d | %.0f | %.1f ms | %.1f ms | %.1f ms |\n", n, n / (b - a), $1, $2, $3 }'
)
printf '\nload average (1 min) at the end: %s\n' "$(cut -d' ' -f1 /proc/loadavg)"
