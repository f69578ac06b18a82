#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/; docs/architecture.md, Fuzzing) with Clang in
# build-fuzz/ and runs each for MINUTES minutes, one after the other; then
# prints what each did and exits non-zero if any of them crashed.
#
#   scripts/fuzz.sh MINUTES [TARGET...]    TARGET: fuzz_jsonl fuzz_csv fuzz_pipeline
#
# Each target starts from its working corpus, build-fuzz/corpus/<target>/:
# the seeds of fuzz/corpus/<target>/ plus what earlier runs found (delete
# the directory to start over); the repository is never written to. A crash,
# leak, timeout (10 s for one input) or out-of-memory (2 GiB) input is saved
# in build-fuzz/artifacts/<target>/ and the run of that target ends there.
# FERRY_FUZZ_JOBS sets the build's parallelism (default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_jsonl fuzz_csv fuzz_pipeline)
usage() {
  echo "usage: scripts/fuzz.sh MINUTES [TARGET...]   (TARGET: ${all_targets[*]})" >&2
  exit 2
}
[ $# -ge 1 ] || usage
minutes=$1
shift
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || usage
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t'" >&2; usage; }
done

# libFuzzer comes with Clang; say so plainly rather than fail in the build.
cc=$(command -v clang || true)
cxx=$(command -v clang++ || true)
if [ -z "$cc" ] || [ -z "$cxx" ]; then
  echo "fuzz.sh: clang and clang++ are needed (Debian: apt-get install clang)" >&2
  exit 1
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >"$probe/log" 2>&1; then
  cat "$probe/log" >&2
  echo "fuzz.sh: $cxx cannot link a libFuzzer target (Debian: apt-get install libclang-rt-dev, or the" \
       "libclang-common-NN-dev package of this clang)" >&2
  exit 1
fi

# Its own build directory, configured with Clang; every cache option is
# given so an old cache decides nothing. The targets compile the parser
# sources they need themselves: no plugin is configured, so none of their
# client libraries is needed either.
build=build-fuzz
skip=""
for dir in plugins/*/; do
  [ -f "$dir/CMakeLists.txt" ] && skip+="$(basename "$dir");"
done
echo "== configuring $build"
CC="$cc" CXX="$cxx" cmake -S . -B "$build" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFERRY_FUZZ=ON -DFERRY_BUILD_TESTS=OFF -DFERRY_SANITIZE=OFF -DFERRY_WERROR=OFF \
  "-DFERRY_PLUGINS_SKIP=${skip%;}" </dev/null >"$probe/configure.log" 2>&1 ||
  { cat "$probe/configure.log" >&2; echo "fuzz.sh: configuring $build failed" \
      "(missing packages? scripts/install-deps.sh --core installs most)" >&2; exit 1; }
echo "== building ${targets[*]}"
cmake --build "$build" --target "${targets[@]}" -j"${FERRY_FUZZ_JOBS:-$(nproc)}" </dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build/logs"
rows=()
failed=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  cp -R fuzz/corpus/"$t"/. "$corpus"/
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  stamp="$artifacts/.run-start"
  touch "$stamp"
  echo "== $t: $minutes min (log: $log)"
  start=$(date +%s)
  status=0
  "$build/fuzz/$t" -max_total_time=$((minutes * 60)) -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" \
    </dev/null >"$log" 2>&1 || status=$?
  seconds=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  mapfile -t found < <(find "$artifacts" -maxdepth 1 -type f -newer "$stamp" ! -name .run-start | sort)
  crashes=${#found[@]}
  if [ "$crashes" -gt 0 ]; then
    failed+=("$t")
    echo "!! $t crashed (exit status $status). The report, from $log:" >&2
    # The sanitizer's or libFuzzer's report, not the progress lines before it.
    sed -n '/^==[0-9]*==\|: runtime error: \|FUZZ_CHECK failed\|^ALARM: /,$p' "$log" | head -n 60 >&2 || true
    for f in "${found[@]}"; do
      echo "!! reproducer: $f   (run: $build/fuzz/$t $f)" >&2
    done
  elif [ "$status" -ne 0 ]; then
    # The fuzzer itself failed (a bad flag or dictionary): no input to blame.
    failed+=("$t")
    crashes=error
    echo "!! $t failed to run (exit status $status, no crash input saved); from $log:" >&2
    tail -n 20 "$log" >&2
  fi
  rows+=("$(printf '%-16s %14s %9s %8s' "$t" "${runs:--}" "$seconds" "$crashes")")
done

echo
printf '%-16s %14s %9s %8s\n' target runs seconds crashes
printf '%s\n' "${rows[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "fuzz.sh: failed: ${failed[*]}; reproducers in $build/artifacts/<target>/, logs in $build/logs/" >&2
  exit 1
fi
