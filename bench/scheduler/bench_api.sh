#!/usr/bin/env bash
# bench-scheduler, end to end: a host with etcd-store + apiserver +
# scheduler + bench-sched-driver.so (the load generator, over the bus),
# 5,000 nodes then 10,000 pods; prints pods bound per second from the first
# pod create to the last bind. Temp data dir, free port, bounded wait; the
# host is always stopped.
#
#   bench/scheduler/bench_api.sh BUILD_DIR [nodes] [pods] [timeout_s] [window]
# SCHED_EVENTS=false turns off the scheduler's "Scheduled" Events (one more
# write per pod; on by default, as in kube-scheduler).
set -euo pipefail
build=$(cd "${1:?usage: bench_api.sh BUILD_DIR [nodes] [pods] [timeout_s] [window]}" && pwd)
nodes=${2:-5000}
pods=${3:-10000}
timeout_s=${4:-300}
window=${5:-256}
lib=$build/lib/skiff
for f in "$build/bin/skiff" "$lib/etcd-store.so" "$lib/apiserver.so" "$lib/scheduler.so" \
         "$build/bench/bench-sched-driver.so"; do
  [[ -e $f ]] || { echo "not built: $f" >&2; exit 1; }
done
work=$(mktemp -d /tmp/skiff-bench-sched.XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [[ ${SKIFF_BENCH_KEEP:-0} == 1 ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
cat > "$work/host.yaml" <<EOF
node:
  name: bench
log:
  level: warn
stop_timeout: 20s
plugins:
  - name: etcd-store
    path: $lib/etcd-store.so
    config: {}
  - name: apiserver
    path: $lib/apiserver.so
    config: {port: 0, watch_queue: 1000000}
  - name: scheduler
    path: $lib/scheduler.so
    config: {scheduled_events: ${SCHED_EVENTS:-true}}
  - name: bench-sched-driver
    path: $build/bench/bench-sched-driver.so
    config: {nodes: $nodes, pods: $pods, window: $window, settle_ms: 1500, out: $work/result}
EOF
"$build/bin/skiff" run -c "$work/host.yaml" --data-dir "$work/data" > "$work/host.log" 2>&1 &
pid=$!
for _ in $(seq 1 $((timeout_s * 10))); do
  [[ -s $work/result ]] && break
  kill -0 "$pid" 2>/dev/null || { echo "host exited:" >&2; tail -30 "$work/host.log" >&2; exit 1; }
  sleep 0.1
done
[[ -s $work/result ]] || { echo "no result after ${timeout_s}s" >&2; tail -30 "$work/host.log" >&2; exit 1; }
result=$(cat "$work/result")
echo "through the apiserver (bus), $nodes nodes, $pods pods: $result"
[[ $result != error* ]]
