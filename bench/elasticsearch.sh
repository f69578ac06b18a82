#!/usr/bin/env bash
# Elasticsearch sink benchmark: Ferry's documents/s into the in-memory
# Elasticsearch stand-in (tests/es-server/es-test-server.js), beside `curl`
# posting the same NDJSON bulk bodies, byte for byte, to the same server in
# the same run. Both go one request at a time over one keep-alive connection,
# so the ratio shows what Ferry costs on top of the bulk requests themselves
# (reading, serialising, reading the responses, checkpointing).
#
#   bench/elasticsearch.sh [DOCS]      (default 500,000)
#
# Environment: FERRY_BUILD_DIR (default build-bench) is where Ferry is built
# in Release mode. Each figure is the median of 5 interleaved runs, each
# against a fresh server; peak RSS is the client's.
# The server (one Node.js process, restarted per run) is the bottleneck for
# both sides, so the ratio compares clients, not servers.
set -euo pipefail
cd "$(dirname "$0")/.."
docs="${1:-500000}"
per_request=1000
build="${FERRY_BUILD_DIR:-build-bench}"

scripts/install-deps.sh
need=()
command -v node >/dev/null || need+=(nodejs)
command -v curl >/dev/null || need+=(curl)
command -v /usr/bin/time >/dev/null || need+=(time)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed" || need+=(zlib1g-dev)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target ferry ferry_plugin_generator ferry_plugin_elasticsearch >/dev/null
ferry="$(cd "$build" && pwd)/bin/ferry"
server_js="$PWD/tests/es-server/es-test-server.js"

work=$(mktemp -d /tmp/ferry-bench-es-XXXXXX)
server_pid=""
port=0
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# A fresh server for every measurement, on one port: no run inherits the
# heap (and garbage) of the one before.
start_server() {  # start_server PORT
  rm -f server.out
  node "$server_js" --port "$1" > server.out 2> server.err &
  server_pid=$!
  for _ in $(seq 200); do grep -q '^listening ' server.out 2>/dev/null && break; sleep 0.05; done
  port=$(awk '/^listening /{print $2}' server.out)
  [ -n "$port" ] || { cat server.err >&2; exit 1; }
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
start_server 0
stop_server
es="http://127.0.0.1:$port"

# The bodies Ferry sends for the generator's rows (id, name, amount, ts),
# written by the same rules: _id = key, shortest double text, ISO-8601 with
# microseconds. The byte totals are compared below to prove they are equal.
mkdir bodies
node - "$docs" "$per_request" <<'JS'
const fs = require('fs');
const [docs, per] = process.argv.slice(2).map(Number);
const pad = (n, w) => String(n).padStart(w, '0');
const iso = (micros) => {
  const d = new Date(Math.floor(micros / 1000));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T` +
         `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.` +
         `${pad(micros % 1000000, 6)}Z`;
};
let file = 0;
for (let first = 1; first <= docs; first += per) {
  const lines = [];
  for (let id = first; id < Math.min(first + per, docs + 1); ++id) {
    lines.push(`{"index":{"_id":"${id}"}}`);
    const amount = id % 4 === 0 ? `${id / 4}.0` : String(id * 0.25);  // integral doubles keep ".0"
    lines.push(`{"id":${id},"name":"name-${id}","amount":${amount},"ts":"${iso(1700000000000000 + id * 1000)}"}`);
  }
  fs.writeFileSync(`bodies/${pad(file++, 6)}.ndjson`, lines.join('\n') + '\n');
}
JS
# One curl process, one connection; "next" separates the requests (a
# trailing one would start an empty request).
first=1
for f in bodies/*.ndjson; do
  [ "$first" = 1 ] || echo "next"
  first=0
  printf 'url = "%s/orders/_bulk"\ndata-binary = "@%s"\nheader = "Content-Type: application/x-ndjson"\noutput = "/dev/null"\n' \
    "$es" "$PWD/$f"
done > curl.config
body_bytes=$(cat bodies/*.ndjson | wc -c)

pipeline() {  # pipeline NAME CONCURRENCY
  cat > "$1.json" <<JSON
{"name": "$1", "state": {"type": "sqlite", "path": "$1.state.db"},
 "source": {"plugin": "generator", "config": {"count": $docs}},
 "batch": {"max_records": $per_request},
 "sinks": [{"name": "es", "plugin": "elasticsearch",
            "config": {"url": "$es", "index": "orders", "max_bulk_records": $per_request,
                       "concurrency": $2}}]}
JSON
}
pipeline ferry1 1
pipeline ferry2 2

count() { curl -s "$es/orders/_count" | sed -E 's/.*"count":([0-9]+).*/\1/'; }
stat_of() { curl -s "$es/_test/stats" | sed -E "s/.*\"$1\":([0-9]+).*/\1/"; }

# measure CLEANUP COMMAND...: prints "seconds rss_kb cpu_s body_bytes" of one run
# against a fresh server.
measure() {
  local cleanup="$1"; shift
  eval "$cleanup"
  start_server "$port"
  /usr/bin/time -f "%e %M %U %S" -o time.txt "$@" >/dev/null 2>run.err || { cat run.err >&2; exit 1; }
  test "$(count)" = "$docs" || { echo "expected $docs documents, found $(count)" >&2; exit 1; }
  read -r secs rss user sys < time.txt
  echo "$secs $rss $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $(stat_of bulk_bytes)"
  stop_server
}

# The machine may be shared: rounds interleave the contenders so that a busy
# moment hurts all of them alike, and each figure is the median of its runs.
rounds=5
: > curl.runs; : > ferry1.runs; : > ferry2.runs
for _ in $(seq "$rounds"); do
  measure ":" curl -s --fail -K curl.config >> curl.runs
  measure "rm -f ferry1.state.db*" "$ferry" run --no-progress ferry1.json >> ferry1.runs
  measure "rm -f ferry2.state.db*" "$ferry" run --no-progress ferry2.json >> ferry2.runs
done
median() { sort -n "$1" | sed -n "$(( (rounds + 1) / 2 ))p"; }

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

read -r curl_s curl_rss curl_cpu curl_bytes < <(median curl.runs)
read -r f1_s f1_rss f1_cpu f1_bytes < <(median ferry1.runs)
read -r f2_s f2_rss f2_cpu f2_bytes < <(median ferry2.runs)

test "$f1_bytes" = "$curl_bytes" || echo "warning: Ferry sent $f1_bytes body bytes, curl $curl_bytes" >&2

curl_rate=$(rate "$docs" "$curl_s"); f1_rate=$(rate "$docs" "$f1_s"); f2_rate=$(rate "$docs" "$f2_s")
mb=$(awk -v b="$body_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')

echo
echo "Elasticsearch sink: $docs documents in bulk requests of $per_request ($mb MB of NDJSON)," \
     "test server tests/es-server, $(nproc) cores, median of $rounds interleaved runs"
printf '%-46s %8s %10s %11s %9s\n' "route" "seconds" "docs/s" "client CPU" "peak RSS"
printf '%-46s %8s %10s %10ss %9s\n' "curl -K (same bodies, one connection)" "$curl_s" "$curl_rate" "$curl_cpu" "$((curl_rss / 1024)) MB"
printf '%-46s %8s %10s %10ss %9s\n' "ferry generator -> elasticsearch, 1 in flight" "$f1_s" "$f1_rate" "$f1_cpu" "$((f1_rss / 1024)) MB"
printf '%-46s %8s %10s %10ss %9s\n' "ferry generator -> elasticsearch, 2 in flight" "$f2_s" "$f2_rate" "$f2_cpu" "$((f2_rss / 1024)) MB"
echo
echo "body bytes: ferry $f1_bytes, curl $curl_bytes ($( [ "$f1_bytes" = "$curl_bytes" ] && echo identical || echo DIFFERENT))"
echo "client CPU: what generating, serialising and reading responses cost Ferry (curl only sends files)"
echo "ratio Ferry (1 in flight) / curl: $(awk -v a="$f1_rate" -v b="$curl_rate" 'BEGIN { printf "%.2f", a / b }') (goal >= 0.8)"
