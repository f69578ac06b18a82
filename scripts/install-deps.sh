#!/usr/bin/env bash
# Installs what Ferry needs to build and test, from Debian 12's archive.
# Safe to run again: packages already present are left alone.
#
#   scripts/install-deps.sh          everything: build, connectors, test servers
#   scripts/install-deps.sh --core   only what the core and the embedded
#                                    plugins need (the quickstart)
set -euo pipefail

core=0
[ "${1:-}" = "--core" ] && core=1

packages=(
  cmake g++ make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libsqlite3-dev sqlite3
  libcli11-dev
  libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev zlib1g-dev curl
  # The host's PostgreSQL state store links libpqxx (and libpq under it),
  # even in the core build.
  libpq-dev libpqxx-dev
  time
)
connector_packages=(
  # Connectors and the servers their tests start (never a system service).
  postgresql postgresql-client
  mariadb-server mariadb-client libmysqlcppconn7v5
  # MariaDB Connector/C with its replication client (mariadb_rpl.h), for
  # the mariadb-cdc source.
  libmariadb-dev
  # promtool checks the /metrics output.
  prometheus
  # Public data (big integers) for tests/system/real_data_test.cpp, and a
  # JSON Schema validator that checks what `ferry schema` prints.
  json-schema-test-suite python3-jsonschema
  # The status page's browser test drives Chromium, headless.
  chromium
)

if [ "$core" = 0 ]; then
  packages+=("${connector_packages[@]}")
  # Node.js runs the S3 and Elasticsearch test servers; a machine may already
  # have it from elsewhere, with npm included.
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
  # The Rust plugin example the tests build and run (examples/plugin-rust,
  # no crates): Debian's cargo, unless a Rust toolchain is already there.
  command -v cargo >/dev/null || [ -x "$HOME/.cargo/bin/cargo" ] || packages+=(cargo)
fi

# MySQL Connector/C++'s headers, unpacked into build-deps/ (its -dev package
# cannot be installed beside Boost 1.81).
fetch_mysql_headers() { "$(dirname "$0")/fetch-mysqlcppconn-headers.sh"; }
# npm packages the tests use, pinned by each directory's package-lock.json:
# s3rver for the S3 tests (tests/s3), public data sets for the real-data
# test (tests/realdata), playwright-core for the status page (tests/browser).
install_npm_dir() {
  local dir; dir="$(cd "$(dirname "$0")/.." && pwd)/tests/$1"
  [ -d "$dir/node_modules/$2" ] && return 0
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
}
after_install() {
  [ "$core" = 1 ] && return 0
  fetch_mysql_headers
  install_npm_dir s3 s3rver
  install_npm_dir realdata vega-datasets
  install_npm_dir browser playwright-core
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  after_install
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Package scripts may start the database services; the tests run their own
# servers, so stop the system ones (no error if there are none).
$SUDO service postgresql stop >/dev/null 2>&1 || true
$SUDO service mariadb stop >/dev/null 2>&1 || true
$SUDO service prometheus stop >/dev/null 2>&1 || true
after_install
