#!/usr/bin/python3
"""bench-controllers: how long controllers.so takes, through the apiserver,
to bring a 1,000-replica Deployment into existence and to roll it.

A real host (etcd-store + apiserver + controllers) on a free port with a
temporary data dir; no kubelet, so pods are made Running/Ready through the
API (PATCH pods/<name>/status) by a pool of Python workers that watch the
namespace — the "kubelet stand-in" of the e2e tests (tests/e2e/ctlharness.py).

Prints:
  create -> all pods exist       POST of the Deployment until the 1,000th pod
                                 is seen on a pod watch
  create -> all pods ready       ... until the Deployment reports 1,000
                                 available (includes the marking by Python)
  rolling update                 PATCH of the template until the Deployment
                                 reports the rollout complete: 1,000 updated,
                                 available, old ReplicaSet at 0 with no pods
                                 (default strategy: 25 % surge, 25 % unavailable)

Run from a Release build (the CMake target configures the paths):
  <build>/bench/bench-controllers [--replicas N] [--timeout S] [--workers W]
The host is always stopped (SIGTERM, then SIGKILL), its temp dir removed
unless --keep.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.environ.get("SKIFF_BUILD_DIR"),
                    help="build tree with bin/skiff and lib/skiff/*.so")
    ap.add_argument("--source-dir", default=os.environ.get("SKIFF_SOURCE_DIR") or
                    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--replicas", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=8, help="concurrent readiness PATCHes")
    ap.add_argument("--timeout", type=float, default=600, help="bound of each phase, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (host log, data)")
    a = ap.parse_args()
    if not a.build_dir:
        ap.error("--build-dir (or SKIFF_BUILD_DIR) is required")
    os.environ["SKIFF_BUILD_DIR"] = os.path.abspath(a.build_dir)
    os.environ["SKIFF_SOURCE_DIR"] = os.path.abspath(a.source_dir)
    sys.path.insert(0, os.path.join(a.source_dir, "tests", "e2e"))
    import ctlharness as ch          # noqa: E402 - after the environment is set
    import skiffharness as sh        # noqa: E402

    sh.require_build(["controllers"])
    work = tempfile.mkdtemp(prefix="skiff-bench-ctl-")
    host = sh.Host(work, name="bench",
                   extra_sets=["plugins.1.config.watch_queue=1000000", "log.level=warn"],
                   plugins=[{"name": "controllers", "path": "controllers", "config": {}}])
    rc = 1
    try:
        host.start()
        rc = run(a, host, ch, sh)
    finally:
        st = host.stop()
        if st != 0:
            sys.stderr.write("host exited with %s on SIGTERM; log tail:\n%s\n" % (
                st, host.log_text()[-3000:]))
            rc = rc or 1
        if a.keep:
            sys.stderr.write("kept %s\n" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return rc


def run(a, host, ch, sh):
    rest = ch.Rest(host)
    ns, n = "bench", a.replicas
    rest.request("POST", "/api/v1/namespaces",
                 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    dpath = "/apis/apps/v1/namespaces/%s/deployments" % ns

    lock = threading.Lock()
    added = {"n": 0, "t_all": None}
    t = {}

    def on_pod(kind, p):
        if kind == "ADDED":
            with lock:
                added["n"] += 1
                if added["n"] == n:
                    added["t_all"] = time.monotonic()
    _, rv = rest.list(ch.pods_path(ns))
    watch = ch.Watch(rest, ch.pods_path(ns), rv, on_pod)
    marker = ch.ReadyMarker(rest, ns, workers=a.workers)

    def status():
        d = rest.get(dpath + "/web")
        return d, d.get("status") or {}

    def wait(pred, what):
        deadline = time.monotonic() + a.timeout
        while True:
            v = pred()
            if v:
                return time.monotonic()
            if watch.error or marker.watch.error:
                raise RuntimeError("watch broke: %s %s" % (watch.error, marker.watch.error))
            if time.monotonic() > deadline:
                raise RuntimeError("timed out after %.0fs waiting for %s" % (a.timeout, what))
            time.sleep(0.02)

    try:
        t["create"] = time.monotonic()
        rest.request("POST", dpath, ch.deployment("web", replicas=n, image="nginx:1.25"))
        wait(lambda: added["t_all"] is not None, "%d pods" % n)
        t["all_pods"] = added["t_all"]

        def complete(gen):
            d, st = status()
            return (st.get("observedGeneration", 0) >= gen and st.get("updatedReplicas") == n and
                    st.get("replicas") == n and st.get("availableReplicas") == n and
                    not st.get("unavailableReplicas"))
        t["all_ready"] = wait(lambda: complete(1), "%d available" % n)

        old_rs = [r["metadata"]["name"] for r in rest.list("/apis/apps/v1/namespaces/%s/replicasets" % ns)[0]]
        t["roll"] = time.monotonic()
        rest.request("PATCH", dpath + "/web", {"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "nginx:1.26"}]}}}}, ctype=ch.STRATEGIC)

        def rolled():
            if not complete(2):
                return False
            for name in old_rs:
                r = rest.get("/apis/apps/v1/namespaces/%s/replicasets/%s" % (ns, name))
                if r["spec"].get("replicas") or (r.get("status") or {}).get("replicas"):
                    return False
            return True
        t["rolled"] = wait(rolled, "the rolling update")
        pods = [p for p in rest.list(ch.pods_path(ns))[0] if not ch.is_terminating(p)]
    finally:
        marker.stop()
        watch.stop()
        rest.close()
    if marker.failures:
        sys.stderr.write("readiness PATCH failures: %s\n" % marker.failures[:5])
    images = {p["spec"]["containers"][0]["image"] for p in pods}
    print("bench-controllers: %d-replica Deployment through the apiserver (etcd-store + apiserver + "
          "controllers, one host; pods made ready by %d Python workers over HTTPS)" % (n, a.workers))
    print("  create -> all %d pods exist:      %8.2f s" % (n, t["all_pods"] - t["create"]))
    print("  create -> all %d pods available:  %8.2f s" % (n, t["all_ready"] - t["create"]))
    print("  rolling update (25%%/25%%) complete: %8.2f s" % (t["rolled"] - t["roll"]))
    print("  (%d pods now, images %s; %d pods created and %d readiness PATCHes in all)" % (
        len(pods), sorted(images), added["n"], marker.marked))
    return 0 if len(pods) == n and images == {"nginx:1.26"} else 1


if __name__ == "__main__":
    sys.exit(main())
