#!/usr/bin/env bash
# sdk-install: the SDK as a plugin author gets it.
#   run.sh BUILD_DIR SOURCE_DIR C_COMPILER INSTRUMENTED(ON|OFF)
# 1. cmake --install into a scratch prefix; the expected files are there.
# 2. pkg-config finds skiff-sdk there; hello-plugin builds out of tree with it
#    alone and leaves no sk_* symbol undefined.
# 3. The installed skiff runs it: its start line appears, SIGTERM exits 0.
set -euo pipefail

build=$1 src=$2 cc=$3 instrumented=$4
start_timeout=60
stop_timeout=60

tmp=$(mktemp -d "${TMPDIR:-/tmp}/skiff-sdk-install.XXXXXX")
skiff_pid=
cleanup() {
  if [[ -n $skiff_pid ]] && kill -0 "$skiff_pid" 2>/dev/null; then
    kill -KILL "$skiff_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "sdk-install: FAIL: $*" >&2
  if [[ -f $tmp/skiff.log ]]; then
    echo "--- skiff output ---" >&2
    cat "$tmp/skiff.log" >&2
  fi
  exit 1
}

prefix=$tmp/prefix
echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" || {
  cat "$tmp/install.log" >&2
  fail "cmake --install failed"
}

echo "== installed files"
for f in bin/skiff lib/libskiff-sdk.a lib/pkgconfig/skiff-sdk.pc \
         include/skiff/skiff.h include/skiff/plugin.h include/skiff/mp.h; do
  [[ -e $prefix/$f ]] || fail "missing $prefix/$f"
done
[[ -x $prefix/bin/skiff ]] || fail "$prefix/bin/skiff is not executable"
for so in "$build"/lib/skiff/*.so; do
  [[ -e $so ]] || continue
  [[ -e $prefix/lib/skiff/$(basename "$so") ]] || fail "plugin $(basename "$so") not installed"
done
if grep -q -- '-fsanitize' "$prefix/lib/pkgconfig/skiff-sdk.pc"; then
  fail "skiff-sdk.pc carries sanitizer flags"
fi

echo "== pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs skiff-sdk) || fail "pkg-config --cflags --libs skiff-sdk failed"
echo "$flags"
real_prefix=$(cd "$prefix" && pwd -P)
includedir=$(pkg-config --variable=includedir skiff-sdk)
[[ $(cd "$includedir" && pwd -P) == "$real_prefix/include" ]] ||
  fail "includedir $includedir is not under $prefix"

echo "== build hello-plugin out of tree"
cp -r "$src/examples/hello-plugin" "$tmp/hello"
rm -f "$tmp/hello/hello.so"
make_args=(CC="$cc")
# An instrumented SDK refers to sanitizer runtimes that only the host
# executable provides, so the plugin cannot be linked with --no-undefined.
[[ $instrumented == ON ]] && make_args+=(PLUGIN_LDFLAGS=)
make -C "$tmp/hello" "${make_args[@]}" || fail "hello-plugin does not build"
so=$tmp/hello/hello.so
undefined=$(nm -D --undefined-only "$so" | awk '{print $NF}' | grep '^sk_' || true)
[[ -z $undefined ]] || fail "hello.so has undefined sk_* symbols: $undefined"
exported=$(nm -D --defined-only "$so" | awk '{print $NF}' | grep '^sk_' || true)
[[ $exported == sk_plugin_entry_v1 ]] || fail "hello.so exports sk_* symbols: $exported"

echo "== run it in the installed host"
mkdir -p "$tmp/data"
cat >"$tmp/hello.yaml" <<YAML
node:
  name: sdk-install-test
plugins:
  - name: hello
    path: $so
    config:
      greeting: howdy
YAML

coproc SKIFF { exec "$prefix/bin/skiff" run -c "$tmp/hello.yaml" --data-dir "$tmp/data" 2>&1; }
# shellcheck disable=SC2153 # set by coproc
skiff_pid=$SKIFF_PID
exec {out}<&"${SKIFF[0]}"

# Reads the host's output into skiff.log until a line contains $1 (0), EOF
# (1) or $2 seconds pass (2).
wait_line() {
  local pattern=$1 deadline=$((SECONDS + $2)) line left rc
  while left=$((deadline - SECONDS)); ((left > 0)); do
    rc=0
    IFS= read -r -t "$left" line <&"$out" || rc=$?
    # read's status is > 128 on a timeout, 1 at EOF (a last line without
    # a newline still counts).
    ((rc > 128)) && return 2
    if [[ $rc -ne 0 && -z $line ]]; then return 1; fi
    printf '%s\n' "$line" >>"$tmp/skiff.log"
    [[ -n $pattern && $line == *"$pattern"* ]] && return 0
    ((rc == 0)) || return 1
  done
  return 2
}

wait_line 'hello plugin started (greeting "howdy")' "$start_timeout" ||
  fail "no start line from the hello plugin within ${start_timeout}s"
kill -TERM "$skiff_pid"
# Keep draining so the host never blocks on a full pipe while stopping;
# an empty pattern reads to EOF, which comes when the host has exited.
drained=0
wait_line '' "$stop_timeout" || drained=$?
[[ $drained -eq 1 ]] || fail "skiff still running ${stop_timeout}s after SIGTERM"
rc=0
wait "$skiff_pid" || rc=$?
skiff_pid=
[[ $rc -eq 0 ]] || fail "skiff exited $rc after SIGTERM (expected 0)"
grep -q 'hello plugin stopped' "$tmp/skiff.log" || fail "the plugin's stop() did not run"
echo "sdk-install: OK"
