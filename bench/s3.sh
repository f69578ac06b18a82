#!/usr/bin/env bash
# S3 sink benchmark, measured in this run on this machine against s3rver
# (tests/s3), next to `curl --aws-sigv4` uploading the same bytes as the same
# objects.
#
#   bench/s3.sh [ROWS] [ROWS_PER_OBJECT]      (default 1,000,000 and 10,000)
#
# Ferry: generator -> s3 (JSONL, Content-MD5 + SHA-256 payload hash, state in
# SQLite as usual), so its time includes making, formatting, hashing and
# checkpointing the rows. curl: one `curl -K` with one transfer per object
# over a kept-alive connection, uploading the objects Ferry wrote (downloaded
# first) with the same headers; their SHA-256 and MD5 are computed before
# the clock starts, so curl only signs and sends. Figures are the median of 3
# runs; peak RSS from /usr/bin/time. Set FERRY_BUILD=<build dir> to use an
# existing build instead of building build-bench-s3 (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
rows="${1:-1000000}"
per_object="${2:-10000}"

command -v /usr/bin/time >/dev/null || { echo "bench/s3.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
command -v node >/dev/null || { echo "bench/s3.sh: needs node (s3rver)" >&2; exit 1; }
if [ ! -f tests/s3/node_modules/s3rver/package.json ]; then
  echo "bench/s3.sh: s3rver is not installed: run 'npm ci --prefix tests/s3'" >&2
  exit 1
fi
if [ -z "${FERRY_BUILD:-}" ]; then
  cmake -S . -B build-bench-s3 -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF >/dev/null
  cmake --build build-bench-s3 -j"$(nproc)" --target ferry ferry_plugin_s3 ferry_plugin_generator >/dev/null
  FERRY_BUILD="$root/build-bench-s3"
fi
ferry="$FERRY_BUILD/bin/ferry"
probe="$FERRY_BUILD/bin/ferry-s3-probe"
plugins="$FERRY_BUILD/lib/ferry/plugins"

work=$(mktemp -d /tmp/ferry-bench-s3-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

node "$root/tests/s3/server.js" --directory "$work/s3data" --bucket bench --port 0 > server.out 2> server.err &
server_pid=$!
for _ in $(seq 1 200); do grep -q "listening on" server.out 2>/dev/null && break; sleep 0.05; done
grep -q "listening on" server.out || { cat server.err >&2; exit 1; }
endpoint="http://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' server.out)"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
s3probe() { "$probe" --endpoint "$endpoint" --bucket bench "$@"; }

pipeline() {  # pipeline PREFIX
  cat <<JSON
{"name": "bench", "state": {"type": "sqlite", "path": "state.db"},
 "source": {"plugin": "generator", "config": {"count": $rows, "fields": 4}},
 "batch": {"max_records": $per_object, "max_bytes": 1073741824},
 "sinks": [{"name": "s3", "plugin": "s3",
            "config": {"endpoint": "$endpoint", "bucket": "bench", "prefix": "$1"}}]}
JSON
}

# median_of_3 PREPARE COMMAND...: prints "seconds rss_kb" of the median run
median_of_3() {
  local prepare="$1"; shift
  local results=() i
  for i in 1 2 3; do
    run_index=$i
    eval "$prepare"
    /usr/bin/time -f "%e %M" -o time.txt "$@" >/dev/null 2>run.err || { cat run.err >&2; exit 1; }
    results+=("$(cat time.txt)")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n 2p
}

# --- Ferry ------------------------------------------------------------------
read -r ferry_s ferry_rss < <(median_of_3 'rm -f state.db*; pipeline "ferry$run_index" > p.json' \
  "$ferry" --plugin-path "$plugins" run --no-progress p.json)
objects=$(s3probe list ferry1/ | wc -l)
expected=$(( (rows + per_object - 1) / per_object ))
test "$objects" = "$expected" || { echo "expected $expected objects, found $objects" >&2; exit 1; }

# --- The same objects, pre-generated, for curl --------------------------------
mkdir -p objects
: > curl.cfg
bytes=0
n=0
while read -r key; do
  n=$((n + 1))
  s3probe get "$key" > "objects/$n"
  size=$(stat -c %s "objects/$n")
  bytes=$((bytes + size))
  sha=$(sha256sum "objects/$n" | cut -d' ' -f1)
  md5=$(openssl dgst -md5 -binary "objects/$n" | base64)
  {
    echo "url = \"$endpoint/bench/curlRUN/${key#ferry1/}\""
    echo "upload-file = \"objects/$n\""
    echo "header = \"x-amz-content-sha256: $sha\""
    echo "header = \"Content-MD5: $md5\""
    echo "header = \"Content-Type: application/x-ndjson\""
    echo "aws-sigv4 = \"aws:amz:us-east-1:s3\""
    echo "user = \"S3RVER:S3RVER\""
    echo "silent"
    echo "fail"
    echo "output = \"/dev/null\""
    echo "next"
  } >> curl.cfg
done < <(s3probe list ferry1/)
sed -i '$ d' curl.cfg  # no "next" after the last transfer

read -r curl_s curl_rss < <(median_of_3 'sed "s/curlRUN/curl$run_index/" curl.cfg > run.cfg' curl -K run.cfg)
test "$(s3probe list curl1/ | wc -l)" = "$objects"
# Same keys (under their own prefix) and same bytes.
cmp <(s3probe cat ferry2/) <(s3probe cat curl2/) || { echo "curl and Ferry objects differ" >&2; exit 1; }

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }'; }
ferry_mbs=$(rate "$mb" "$ferry_s"); curl_mbs=$(rate "$mb" "$curl_s")
ferry_ops=$(rate "$objects" "$ferry_s"); curl_ops=$(rate "$objects" "$curl_s")
ratio=$(awk -v a="$ferry_mbs" -v b="$curl_mbs" 'BEGIN { printf "%.2f", a / b }')

echo
echo "S3 sink vs curl --aws-sigv4, s3rver 3.7.1 on loopback: $rows rows, $objects objects, $mb MiB (median of 3)"
printf '%-44s %8s %9s %10s %12s\n' "route" "seconds" "MiB/s" "objects/s" "peak RSS MB"
printf '%-44s %8s %9s %10s %12s\n' "ferry generator -> s3 (jsonl, md5)" "$ferry_s" "$ferry_mbs" "$ferry_ops" \
  "$((ferry_rss / 1024))"
printf '%-44s %8s %9s %10s %12s\n' "curl -K (same objects, hashes precomputed)" "$curl_s" "$curl_mbs" "$curl_ops" \
  "$((curl_rss / 1024))"
echo "ratio ferry / curl (MiB/s): $ratio (goal >= 0.8)"
