#!/usr/bin/env bash
# Runs every libFuzzer target of a build for a bounded time each.
#   scripts/fuzz.sh BUILD_DIR [SECONDS]     (default: $SKIFF_FUZZ_SECONDS or 300)
# Targets and their corpora come from BUILD_DIR/fuzz/fuzzers.list, written
# by CMake (sk_add_fuzzer). New inputs are kept in BUILD_DIR/fuzz/<name>-corpus;
# a crash leaves its reproducer in BUILD_DIR/fuzz/artifacts/.
set -euo pipefail

build=${1:?usage: fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-${SKIFF_FUZZ_SECONDS:-300}}
list=$build/fuzz/fuzzers.list

if [[ ! -s $list ]]; then
  echo "fuzz: no fuzz targets in $build (configure with -DSKIFF_FUZZ=ON and clang)" >&2
  exit 1
fi

mkdir -p "$build/fuzz/artifacts"
failed=()
while IFS=$'\t' read -r name corpus seeds; do
  [[ -n $name ]] || continue
  echo "== fuzz $name for ${seconds}s"
  args=(-max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=256 -timeout=10
        -artifact_prefix="$build/fuzz/artifacts/$name-" -print_final_stats=1)
  dirs=("$corpus")
  [[ -n ${seeds:-} ]] && dirs+=("$seeds")
  if ! "$build/fuzz/$name" "${args[@]}" "${dirs[@]}"; then
    failed+=("$name")
  fi
done <"$list"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]} (reproducers in $build/fuzz/artifacts)" >&2
  exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a finding"
