# Shared by the bench scripts (sourced, not run): how Ferry is timed beside
# the raw tool, and the table that reports it.
#
# Every route runs in BENCH_PAIRS rounds (default 5). A round runs the raw
# tool and Ferry back to back, the tool first in odd rounds and Ferry first
# in even ones, so that whatever else the machine does slows both alike.
# The ratio is Ferry's wall time over the tool's within each round (1.00:
# as fast; below 1: Ferry faster), reported as the median of the rounds
# and their range. Ferry's CPU time and peak RSS come from /usr/bin/time.
#
#   bench_init DIR FERRY        where the round files go; the ferry binary
#   bench_pairs NAME TOOL_RESET TOOL_CMD FERRY_RESET PIPELINE
#   bench_solo NAME FERRY_RESET PIPELINE         a route without a raw tool
#   bench_header TITLE / bench_row NAME ROUTE TOOL ROWS / bench_footer
#
# The RESET and TOOL_CMD strings are evaluated in the calling script, so
# they may call its functions.

BENCH_PAIRS="${BENCH_PAIRS:-5}"

bench_init() {
  BENCH_DIR="$1"
  BENCH_FERRY="$2"
  BENCH_LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
  command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
}

bench_now() { date +%s.%N; }

# A new directory for a database bench's servers and files, named after
# TAG: in memory (/dev/shm) when it is a tmpfs and both it and the free
# memory have 8 GiB to spare, else in /tmp; BENCH_TMPDIR chooses. With fsync
# off the servers still write their files back to disk, and a stalled
# write-back slows whichever client runs then, tool or Ferry: in memory
# the rounds compare the clients. bench_header says where.
bench_tmpdir() {
  local base="${BENCH_TMPDIR:-}"
  if [ -z "$base" ]; then
    base=/tmp
    local need_kib=$((8 * 1024 * 1024)) shm_kib mem_kib
    shm_kib=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }' || true)
    mem_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null || true)
    if [ "$(stat -f -c %T /dev/shm 2>/dev/null || true)" = tmpfs ] && [ "${shm_kib:-0}" -ge "$need_kib" ] &&
       [ "${mem_kib:-0}" -ge "$need_kib" ]; then
      base=/dev/shm
    fi
  fi
  mkdir -p "$base"
  base=$(cd "$base" && pwd)  # absolute: the scripts cd into the directory
  mktemp -d "$base/ferry-bench-$1-XXXXXX"
}

# Installs what the benches need and builds TARGETS in Release into
# FERRY_BUILD_DIR (default build-bench); sets `ferry` to its binary.
bench_build() {
  local build="${FERRY_BUILD_DIR:-build-bench}"
  scripts/install-deps.sh
  command -v /usr/bin/time >/dev/null || {
    local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends time >/dev/null
  }
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target ferry "$@" >/dev/null
  ferry="$(cd "$build" && pwd)/bin/ferry"
}

# A throwaway PostgreSQL 15 for a bench script, in a new directory named
# after TAG, on a random port, stopped and removed when the script exits
# (fsync off: the comparisons are between clients, not disks). Sets `work`
# and `port`; defines psql_db DB [psql args...] and dsn DB. BENCH_PG_SETTINGS
# adds server options ("-c wal_level=logical").
bench_postgres_start() {
  local tag=$1
  BENCH_PGBIN=/usr/lib/postgresql/15/bin
  work=$(bench_tmpdir "$tag")
  chown postgres "$work"
  port=$((20000 + RANDOM % 20000))
  trap 'runuser -u postgres -- "$BENCH_PGBIN/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  runuser -u postgres -- "$BENCH_PGBIN/initdb" --no-sync -A trust -U postgres -E UTF8 -D "$work/data" >/dev/null
  runuser -u postgres -- "$BENCH_PGBIN/pg_ctl" -w -D "$work/data" -l "$work/server.log" \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB -c max_wal_size=4GB ${BENCH_PG_SETTINGS:-}" \
    start >/dev/null
}
# A throwaway MariaDB 10.11 for a bench script, in a new directory named
# after TAG, on a free loopback port, killed and removed when the script
# exits (redo flushed once a second: a bench of clients, not of fsync).
# Sets `work`, `port` and `sock`; defines maria [mariadb args...].
# BENCH_MARIADB_SETTINGS adds server options ("--skip-log-bin").
bench_mariadb_start() {
  local tag=$1
  work=$(bench_tmpdir "$tag")
  chown mysql "$work"
  BENCH_MARIADB_PID=""
  trap 'if [ -n "$BENCH_MARIADB_PID" ]; then kill -9 "$BENCH_MARIADB_PID" 2>/dev/null; wait "$BENCH_MARIADB_PID" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
  while :; do  # a loopback port nobody answers on
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  sock="$work/mariadb.sock"
  mariadb-install-db --no-defaults --user=mysql --auth-root-authentication-method=normal \
    --skip-test-db --datadir="$work/data" >"$work/install.log" 2>&1
  # shellcheck disable=SC2086
  /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$work/data" --socket="$sock" \
    --port="$port" --bind-address=127.0.0.1 --pid-file="$work/mariadb.pid" \
    --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=1G ${BENCH_MARIADB_SETTINGS:-} \
    >"$work/server.log" 2>&1 &
  BENCH_MARIADB_PID=$!
  for _ in $(seq 600); do
    mariadb-admin --no-defaults -S "$sock" -u root ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: MariaDB did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
}
maria() { mariadb --no-defaults -S "$sock" -u root -N -B "$@"; }

psql_db() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"; }
dsn() { echo "host=127.0.0.1 port=$port user=postgres dbname=$1"; }

# One run of the tool: its wall seconds, appended to NAME.tool.
bench_tool_once() {
  local name=$1 reset=$2 cmd=$3 t0 t1
  eval "$reset"
  t0=$(bench_now)
  eval "$cmd" >"$BENCH_DIR/$name.tool.out"
  t1=$(bench_now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$BENCH_DIR/$name.tool"
}

# One run of Ferry: "wall cpu rss_kb", appended to NAME.ferry.
bench_ferry_once() {
  local name=$1 reset=$2 pipeline=$3 t0 t1
  eval "$reset"
  t0=$(bench_now)
  /usr/bin/time -f "%U %S %M" -o "$BENCH_DIR/$name.time" "$BENCH_FERRY" run --no-progress "$pipeline" \
    >"$BENCH_DIR/$name.out" 2>&1 || { cat "$BENCH_DIR/$name.out" >&2; exit 1; }
  t1=$(bench_now)
  read -r user sys rss < "$BENCH_DIR/$name.time"
  awk -v a="$t0" -v b="$t1" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { printf "%.3f %.2f %d\n", b - a, u + s, r }' >> "$BENCH_DIR/$name.ferry"
}

bench_pairs() {
  local name=$1 tool_reset=$2 tool_cmd=$3 ferry_reset=$4 pipeline=$5 i
  : > "$BENCH_DIR/$name.tool"
  : > "$BENCH_DIR/$name.ferry"
  for ((i = 1; i <= BENCH_PAIRS; i++)); do
    if ((i % 2)); then
      bench_tool_once "$name" "$tool_reset" "$tool_cmd"
      bench_ferry_once "$name" "$ferry_reset" "$pipeline"
    else
      bench_ferry_once "$name" "$ferry_reset" "$pipeline"
      bench_tool_once "$name" "$tool_reset" "$tool_cmd"
    fi
  done
}

bench_solo() {
  local name=$1 ferry_reset=$2 pipeline=$3 i
  rm -f "$BENCH_DIR/$name.tool"
  : > "$BENCH_DIR/$name.ferry"
  for ((i = 1; i <= BENCH_PAIRS; i++)); do bench_ferry_once "$name" "$ferry_reset" "$pipeline"; done
}

# Fails the bench unless Ferry's last run of NAME read COUNT records
# (the summary line says "read COUNT,").
bench_expect_read() {
  local name=$1 count=$2
  grep -q "read $count," "$BENCH_DIR/$name.out" ||
    { echo "$name did not read $count records:" >&2; cat "$BENCH_DIR/$name.out" >&2; exit 1; }
}

# The median of a column of numbers on stdin.
bench_median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Where the bench's files (and servers) are, for the table's header.
bench_storage() {
  case "$BENCH_DIR" in
    /dev/shm/*) echo "memory (/dev/shm)" ;;
    *) echo "${BENCH_DIR%%/ferry-bench-*}" ;;
  esac
}

bench_header() {
  printf '\n%s\n' "$1"
  printf '%s rounds a route, %s cores; load average (1 min) at the start: %s; files and servers in %s\n\n' \
    "$BENCH_PAIRS" "$(nproc)" "$BENCH_LOAD_START" "$(bench_storage)"
  printf '| route | raw tool | tool s | Ferry s | Ferry / tool: median (range) | Ferry rows/s | rows per CPU-s | Ferry peak RSS |\n'
  printf '|---|---|---|---|---|---|---|---|\n'
}

# A table row of what bench_pairs or bench_solo measured as NAME.
bench_row() {
  local name=$1 route=$2 tool=$3 rows=$4 f="$BENCH_DIR/$1" ferry_s cpu rss tool_s ratio
  ferry_s=$(cut -d' ' -f1 "$f.ferry" | bench_median)
  cpu=$(cut -d' ' -f2 "$f.ferry" | bench_median)
  rss=$(cut -d' ' -f3 "$f.ferry" | sort -g | tail -1)
  if [ -f "$f.tool" ]; then
    tool_s=$(printf '%.2f' "$(bench_median < "$f.tool")")
    ratio=$(paste -d' ' "$f.ferry" "$f.tool" | awk '{ print $1 / $4 }' | sort -g |
      awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
                                printf "%.2f (%.2f-%.2f)", m, a[1], a[NR] }')
  else
    tool_s="-"
    ratio="-"
  fi
  printf '| %s | %s | %s | %.2f | %s | %.0f | %.0f | %.0f MiB |\n' "$route" "$tool" "$tool_s" "$ferry_s" "$ratio" \
    "$(awk -v n="$rows" -v s="$ferry_s" 'BEGIN { print n / s }')" \
    "$(awk -v n="$rows" -v c="$cpu" 'BEGIN { print (c > 0 ? n / c : 0) }')" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}

bench_footer() {
  printf '\nload average (1 min) at the end: %s\n' "$(cut -d' ' -f1 /proc/loadavg)"
}
