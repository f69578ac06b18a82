#!/usr/bin/env bash
# Installs what Ferry needs to build and test, from Debian 12's archive.
# Safe to run again: packages already present are left alone.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libsqlite3-dev sqlite3
  libcli11-dev
  libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev curl
  time
  # Connectors and the servers their tests start (never a system service).
  postgresql postgresql-client libpqxx-dev
  mariadb-server mariadb-client libmysqlcppconn7v5
  # promtool checks the /metrics output.
  prometheus
)

# Node.js runs the S3 and Elasticsearch test servers; a machine may already
# have it from elsewhere, with npm included.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
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
