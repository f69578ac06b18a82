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
# the clock starts, so curl only signs and sends. Timed as bench/lib.sh says
# (alternating rounds, the ratio per round, median and range), twice: with
# each object uploaded inside its batch's commit, with deferred commits
# (ABI 1.10: uploads overlap encoding the next batches), and deferred with
# `checksum: "sha256"` (curl then sends x-amz-checksum-sha256, precomputed). Set
# FERRY_BUILD=<build dir> to use an existing build instead of building
# build-bench-s3 (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
source bench/lib.sh
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

pipeline() {  # pipeline PREFIX UPLOAD_CONCURRENCY [CHECKSUM]
  cat <<JSON
{"name": "bench", "state": {"type": "sqlite", "path": "state.db"},
 "source": {"plugin": "generator", "config": {"count": $rows, "fields": 4}},
 "batch": {"max_records": $per_object, "max_bytes": 1073741824},
 "sinks": [{"name": "s3", "plugin": "s3",
            "config": {"endpoint": "$endpoint", "bucket": "bench", "prefix": "$1",
                       "upload_concurrency": $2, "checksum": "${3:-md5}"}}]}
JSON
}

# --- The objects, once, for curl ---------------------------------------------
pipeline ferry0 0 > p.json
"$ferry" --plugin-path "$plugins" run --no-progress p.json > first.out 2>&1 || { cat first.out >&2; exit 1; }
rm -f state.db*
objects=$(s3probe list ferry0/ | wc -l)
expected=$(( (rows + per_object - 1) / per_object ))
test "$objects" = "$expected" || { echo "expected $expected objects, found $objects" >&2; exit 1; }
mkdir -p objects
: > curl.cfg
: > curl-sha256.cfg
bytes=0
n=0
while read -r key; do
  n=$((n + 1))
  s3probe get "$key" > "objects/$n"
  size=$(stat -c %s "objects/$n")
  bytes=$((bytes + size))
  sha=$(sha256sum "objects/$n" | cut -d' ' -f1)
  md5=$(openssl dgst -md5 -binary "objects/$n" | base64)
  sha_b64=$(openssl dgst -sha256 -binary "objects/$n" | base64)
  transfer() {  # transfer CHECKSUM_HEADER
    echo "url = \"$endpoint/bench/curlRUN/${key#ferry0/}\""
    echo "upload-file = \"objects/$n\""
    echo "header = \"x-amz-content-sha256: $sha\""
    echo "header = \"$1\""
    echo "header = \"Content-Type: application/x-ndjson\""
    echo "aws-sigv4 = \"aws:amz:us-east-1:s3\""
    echo "user = \"S3RVER:S3RVER\""
    echo "silent"
    echo "fail"
    echo "output = \"/dev/null\""
    echo "next"
  }
  transfer "Content-MD5: $md5" >> curl.cfg
  transfer "x-amz-checksum-sha256: $sha_b64" >> curl-sha256.cfg
done < <(s3probe list ferry0/)
sed -i '$ d' curl.cfg curl-sha256.cfg  # no "next" after the last transfer

# --- Rounds: every run writes under a prefix of its own ----------------------
round=0
last_curl="" last_ferry=""
curl_reset='round=$((round + 1)); last_curl=curl$round; sed "s/curlRUN/$last_curl/" curl.cfg > run.cfg'
curl_sha256_reset='round=$((round + 1)); last_curl=curl$round; sed "s/curlRUN/$last_curl/" curl-sha256.cfg > run.cfg'
ferry_reset() {  # ferry_reset CONCURRENCY [CHECKSUM]
  round=$((round + 1)); last_ferry=ferry$round; rm -f state.db*; pipeline "$last_ferry" "$1" "${2:-md5}" > p.json
}
# Same keys (under their own prefix) and same bytes as the first run's.
same_objects() { cmp <(s3probe cat ferry0/) <(s3probe cat "$1/") || { echo "$1 differs from ferry0" >&2; exit 1; }; }
bench_init "$work/rounds" "$ferry"
mkdir -p "$work/rounds"
bench_pairs s3_inline "$curl_reset" 'curl -K run.cfg' 'ferry_reset 0' p.json
same_objects "$last_ferry"
bench_pairs s3_deferred "$curl_reset" 'curl -K run.cfg' 'ferry_reset 2' p.json
same_objects "$last_ferry"
same_objects "$last_curl"
bench_pairs s3_sha256 "$curl_sha256_reset" 'curl -K run.cfg' 'ferry_reset 2 sha256' p.json
same_objects "$last_ferry"
same_objects "$last_curl"

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
bench_header "S3 sink vs curl --aws-sigv4 (one kept-alive connection, hashes precomputed), s3rver on loopback: $rows rows in $objects objects, $mb MiB"
bench_row s3_inline "generator -> s3, upload inside each commit (upload_concurrency 0)" "curl -K" "$rows"
bench_row s3_deferred "generator -> s3, deferred commits (upload_concurrency 2, default)" "curl -K" "$rows"
bench_row s3_sha256 "the same with checksum sha256 (no MD5: the signed SHA-256 serves both)" "curl -K, x-amz-checksum-sha256" "$rows"
bench_footer
