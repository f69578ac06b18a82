#!/usr/bin/env bash
# Unpacks the headers of MySQL Connector/C++ 1.1 (Debian's libmysqlcppconn-dev)
# into a build-local prefix, without installing the package.
#
# Why: libmysqlcppconn-dev depends on libboost-dev (1.74), which conflicts
# with the libboost1.81-dev Ferry builds against. The runtime library
# (libmysqlcppconn7v5) installs fine; only its headers are missing. The
# JDBC-style headers (cppconn/*.h) do not use Boost, so unpacking the -dev
# package next to the build is enough.
#
# Usage: scripts/fetch-mysqlcppconn-headers.sh [PREFIX]
#   PREFIX defaults to <repo>/build-deps/mysqlcppconn. Afterwards the headers
#   are in PREFIX/include/cppconn and PREFIX/lib/libmysqlcppconn.so points at
#   the system's runtime library. Safe to run again: does nothing when the
#   headers are already there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$repo/build-deps/mysqlcppconn}"
# The runtime library's multiarch directory (/usr/lib/<arch>) on this machine.
arch_dir="/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)"
runtime_lib="$arch_dir/libmysqlcppconn.so.7"

if [ -f "$prefix/include/cppconn/driver.h" ]; then
  echo "fetch-mysqlcppconn-headers: headers already in $prefix"
  exit 0
fi

if [ ! -e "$runtime_lib" ]; then
  echo "fetch-mysqlcppconn-headers: $runtime_lib is missing; install libmysqlcppconn7v5" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download runs as the _apt user where it can: give it a directory
# it may write to, so it does not warn about an unsandboxed download.
chmod 0777 "$work"

download() { (cd "$work" && apt-get download -qq libmysqlcppconn-dev >/dev/null 2>"$work/apt.err"); }

lists_missing() {
  grep -qiE "unable to locate package|has no installation candidate|no candidate" "$work/apt.err" ||
    ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1
}

if ! download; then
  if ! lists_missing; then
    echo "fetch-mysqlcppconn-headers: apt-get download libmysqlcppconn-dev failed:" >&2
    cat "$work/apt.err" >&2
    exit 1
  fi
  # A fresh machine has no package lists yet: fetch them once and try again.
  echo "fetch-mysqlcppconn-headers: package lists missing, running apt-get update" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  if ! download; then
    echo "fetch-mysqlcppconn-headers: apt-get download libmysqlcppconn-dev failed:" >&2
    cat "$work/apt.err" >&2
    exit 1
  fi
fi

deb="$(ls "$work"/libmysqlcppconn-dev_*.deb)"
dpkg-deb -x "$deb" "$work/root"

# Assemble in a sibling directory and rename into place, so an interrupted
# run never leaves a half-filled prefix that the check above would accept.
mkdir -p "$(dirname "$prefix")"
staging="$(mktemp -d "$(dirname "$prefix")/.mysqlcppconn.XXXXXX")"
chmod 0755 "$staging"
mkdir -p "$staging/include" "$staging/lib"
cp -a "$work/root/usr/include/." "$staging/include/"
# The package's own libmysqlcppconn.so symlink is relative to /usr/lib and
# would dangle here; point ours at the installed runtime instead.
ln -sf "$runtime_lib" "$staging/lib/libmysqlcppconn.so"
echo "${deb##*/}" > "$staging/SOURCE"
rm -rf "$prefix"
mv "$staging" "$prefix"
echo "fetch-mysqlcppconn-headers: headers from ${deb##*/} in $prefix"
