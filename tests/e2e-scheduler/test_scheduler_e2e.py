"""End-to-end tests of scheduler.so through the apiserver.

One host (etcd-store + apiserver + scheduler) with the example third-party
plugin examples/scheduler-plugins/labelpack.c, built out of tree against the
SDK installed into a scratch prefix (pkg-config only) and loaded by config
(`plugin_paths`, a `packer` profile enabling LabelPack). Node objects are
created over the API (there is no kubelet: the scheduler only needs their
allocatable, labels and taints), then pods, and the tests assert on
spec.nodeName, the PodScheduled condition and FailedScheduling Events.

Nodes are cluster-wide, so every case labels its nodes `e2e.skiff/case=<case>`
and gives its pods that nodeSelector: cases cannot steal each other's nodes.

Run: SKIFF_BUILD_DIR=<build> /usr/bin/python3 -m unittest -v test_scheduler_e2e
(from this folder; CTest does it as `sched-e2e`).
"""

import os
import shutil
import subprocess
import sys
import time
import json

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import skiffharness as sh  # noqa: E402

WAIT = 60  # seconds for one placement (ASan build, loaded 2-core box)
CASE = "e2e.skiff/case"
POOL = "pool.example.com/pack"


def build_labelpack(tmp):
    """Install the SDK alone into tmp/sdk, copy the example out of the tree
    and build it with its own Makefile and pkg-config; returns the .so."""
    prefix = os.path.join(tmp, "sdk")
    r = subprocess.run(["cmake", "--install", os.path.join(sh.BUILD_DIR, "sdk"), "--prefix", prefix],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError("SDK install failed:\n%s%s" % (r.stdout, r.stderr))
    src = os.path.join(tmp, "labelpack-src")
    shutil.copytree(os.path.join(sh.SOURCE_DIR, "examples", "scheduler-plugins"), src)
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
    r = subprocess.run(["make", "-C", src], capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise AssertionError("make labelpack.so failed:\n%s%s" % (r.stdout, r.stderr))
    return os.path.join(src, "labelpack.so")


class SchedHost(sh.Host):
    """Host with the scheduler after the apiserver, configured with two
    profiles: the default one and `packer` (defaults + LabelPack)."""

    def __init__(self, workdir, labelpack):
        super().__init__(workdir, name="e2e-sched")
        with open(self.config, "a") as f:
            f.write(
                "  - name: scheduler\n"
                "    path: %s\n"
                "    config:\n"
                "      podInitialBackoffSeconds: 1\n"
                "      podMaxBackoffSeconds: 2\n"
                "      plugin_paths: [%s]\n"
                "      profiles:\n"
                "        - schedulerName: default-scheduler\n"
                "        - schedulerName: packer\n"
                "          plugins:\n"
                "            multiPoint:\n"
                "              enabled: [{name: LabelPack, weight: 10}]\n"
                "          pluginConfig:\n"
                "            - name: LabelPack\n"
                "              args: {label: %s, fill: true}\n" % (
                    os.path.join(sh.PLUGIN_DIR, "scheduler.so"), labelpack, POOL))


class SchedulerE2E(sh.HostTestCase):

    @classmethod
    def setUpClass(cls):
        sh.require_build()
        so = os.path.join(sh.PLUGIN_DIR, "scheduler.so")
        if not os.path.exists(so):
            raise AssertionError("not built: %s" % so)
        import tempfile
        cls.tmp = tempfile.mkdtemp(prefix="skiff-e2e-sched-")
        cls._kubectl_runs = 0
        cls.addClassCleanup(cls._cleanup_tmp)
        cls.labelpack = build_labelpack(cls.tmp)
        cls.host = SchedHost(cls.tmp, cls.labelpack)
        cls.addClassCleanup(cls._stop_host)
        cls.host.start()

    # -- helpers ---------------------------------------------------------

    def req(self, method, path, body=None, ok=(200, 201)):
        st, text, _ = self.host.http(method, path, body=body)
        if st not in ok:
            raise AssertionError("%s %s -> %s: %s" % (method, path, st, text[:500]))
        return json.loads(text) if text else None

    def node(self, name, case, cpu="4", memory="8Gi", labels=None, taints=None):
        lab = {CASE: case, "kubernetes.io/hostname": name}
        lab.update(labels or {})
        alloc = {"cpu": cpu, "memory": memory, "pods": "110"}
        body = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": lab},
                "spec": {"taints": taints} if taints else {},
                "status": {"capacity": alloc, "allocatable": alloc,
                           "conditions": [{"type": "Ready", "status": "True"}]}}
        return self.req("POST", "/api/v1/nodes", body)

    def pod(self, name, case, cpu="100m", memory="64Mi", ns="default", labels=None,
            scheduler=None, **spec_extra):
        spec = {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9",
                                "resources": {"requests": {"cpu": cpu, "memory": memory}}}],
                "nodeSelector": {CASE: case}}
        if scheduler:
            spec["schedulerName"] = scheduler
        spec.update(spec_extra)
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "labels": labels or {}}, "spec": spec}
        return self.req("POST", "/api/v1/namespaces/%s/pods" % ns, body)

    def get_pod(self, name, ns="default"):
        st, text, _ = self.host.http("GET", "/api/v1/namespaces/%s/pods/%s" % (ns, name))
        return json.loads(text) if st == 200 else None

    def wait_bound(self, name, ns="default", timeout=WAIT):
        def bound():
            p = self.get_pod(name, ns)
            return p and p["spec"].get("nodeName")
        return sh.poll(bound, timeout, what="pod %s/%s bound (scheduler log:\n%s)" % (
            ns, name, sh._tail(self.host.log_text(), 3000)))

    def wait_unschedulable(self, name, ns="default", timeout=WAIT):
        def cond():
            p = self.get_pod(name, ns)
            for c in (p or {}).get("status", {}).get("conditions") or []:
                if c.get("type") == "PodScheduled" and c.get("status") == "False":
                    return c
            return None
        return sh.poll(cond, timeout, what="PodScheduled=False on %s/%s" % (ns, name))

    def wait_event(self, pod, reason, ns="default"):
        def find():
            evs = self.req("GET", "/api/v1/namespaces/%s/events" % ns)["items"]
            return [e for e in evs if e.get("reason") == reason and
                    (e.get("involvedObject") or {}).get("name") == pod]
        return sh.poll(find, WAIT, what="%s event for %s" % (reason, pod))[0]

    def finish_termination(self, name, ns="default"):
        """Play the kubelet for a pod deleted gracefully: once it is
        Terminating (or already gone), remove it with grace period 0."""
        def terminating_or_gone():
            p = self.get_pod(name, ns)
            return "gone" if p is None else p["metadata"].get("deletionTimestamp")
        if sh.poll(terminating_or_gone, WAIT, what="pod %s/%s terminating" % (ns, name)) != "gone":
            self.req("DELETE", "/api/v1/namespaces/%s/pods/%s?gracePeriodSeconds=0" % (ns, name),
                     ok=(200, 202, 404))
        sh.poll(lambda: self.get_pod(name, ns) is None, WAIT, what="pod %s/%s deleted" % (ns, name))

    def assert_stays_pending(self, name, seconds=2.0, ns="default"):
        time.sleep(seconds)
        p = self.get_pod(name, ns)
        self.assertFalse(p["spec"].get("nodeName"), "%s unexpectedly bound" % name)

    # -- cases -----------------------------------------------------------

    def test_resource_fit(self):
        self.node("fit-small", "fit", cpu="1")
        self.node("fit-big", "fit", cpu="4")
        self.pod("fit-3cpu", "fit", cpu="3")
        self.assertEqual(self.wait_bound("fit-3cpu"), "fit-big")
        self.assertEqual(self.wait_event("fit-3cpu", "Scheduled")["message"],
                         "Successfully assigned default/fit-3cpu to fit-big")
        # Nothing has 8 cpus: PodScheduled=False with the counted reasons,
        # and a FailedScheduling Event saying the same.
        self.pod("fit-8cpu", "fit", cpu="8")
        c = self.wait_unschedulable("fit-8cpu")
        self.assertEqual(c.get("reason"), "Unschedulable")
        self.assertIn("Insufficient cpu", c.get("message", ""))
        self.assertRegex(c["message"], r"^0/\d+ nodes are available: ")

        ev = self.wait_event("fit-8cpu", "FailedScheduling")
        self.assertEqual(ev["type"], "Warning")
        self.assertIn("Insufficient cpu", ev["message"])
        # What a user sees: kubectl describe lists the condition and the Event.
        r = self.kubectl("describe", "pod", "fit-8cpu")
        self.assertOk(r)
        self.assertRegex(r.out, r"PodScheduled\s+False")
        self.assertRegex(r.out, r"Warning\s+FailedScheduling\s+.*Insufficient cpu")

    def test_node_affinity(self):
        self.node("aff-z1", "aff", labels={"topology.kubernetes.io/zone": "z1"})
        self.node("aff-z2", "aff", labels={"topology.kubernetes.io/zone": "z2"})
        aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["z2"]}]}]}}}
        self.pod("aff-req", "aff", affinity=aff)
        self.assertEqual(self.wait_bound("aff-req"), "aff-z2")
        pref = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "preference": {"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["z1"]}]}}]}}
        self.pod("aff-pref", "aff", affinity=pref)
        self.assertEqual(self.wait_bound("aff-pref"), "aff-z1")
        self.pod("aff-none", "aff", affinity={"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In",
                                       "values": ["z9"]}]}]}}})
        c = self.wait_unschedulable("aff-none")
        self.assertIn("didn't match Pod's node affinity/selector", c["message"])

    def test_taints_tolerations(self):
        self.node("taint-gpu", "taint", taints=[{"key": "dedicated", "value": "gpu",
                                                 "effect": "NoSchedule"}])
        self.pod("taint-plain", "taint")
        c = self.wait_unschedulable("taint-plain")
        self.assertIn("untolerated taint {dedicated: gpu}", c["message"])
        self.pod("taint-tol", "taint", tolerations=[{"key": "dedicated", "operator": "Equal",
                                                     "value": "gpu", "effect": "NoSchedule"}])
        self.assertEqual(self.wait_bound("taint-tol"), "taint-gpu")
        self.assert_stays_pending("taint-plain", 1.0)

    def test_topology_spread(self):
        for z in ("a", "b", "c"):
            self.node("spread-" + z, "spread", labels={"topology.kubernetes.io/zone": "sz-" + z})
        tsc = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "spread"}}}]
        names = ["spread-%d" % i for i in range(6)]
        for n in names:
            self.pod(n, "spread", labels={"app": "spread"}, topologySpreadConstraints=tsc)
        placed = [self.wait_bound(n) for n in names]
        counts = {z: placed.count("spread-" + z) for z in ("a", "b", "c")}
        self.assertEqual(counts, {"a": 2, "b": 2, "c": 2}, placed)

    def test_pod_anti_affinity(self):
        for z in ("a", "b"):
            self.node("anti-" + z, "anti", labels={"topology.kubernetes.io/zone": "az-" + z})
        anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "anti"}},
             "topologyKey": "topology.kubernetes.io/zone"}]}}
        self.pod("anti-0", "anti", labels={"app": "anti", "idx": "0"}, affinity=anti)
        self.pod("anti-1", "anti", labels={"app": "anti", "idx": "1"}, affinity=anti)
        placed = {self.wait_bound("anti-0"), self.wait_bound("anti-1")}
        self.assertEqual(placed, {"anti-a", "anti-b"})
        # A third replica has no zone left.
        self.pod("anti-2", "anti", labels={"app": "anti"}, affinity=anti)
        c = self.wait_unschedulable("anti-2")
        self.assertIn("anti-affinity rules", c["message"])
        # Pod affinity: follows anti-0 (and only it) into its zone.
        aff = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "anti", "idx": "0"}},
             "topologyKey": "topology.kubernetes.io/zone"}]}}
        self.pod("follow", "anti", affinity=aff)
        self.assertEqual(self.wait_bound("follow"), self.get_pod("anti-0")["spec"]["nodeName"])

    def test_preemption(self):
        self.node("pre-a", "pre", cpu="2")
        self.pod("pre-low", "pre", cpu="2", priority=0)
        self.assertEqual(self.wait_bound("pre-low"), "pre-a")
        self.pod("pre-high", "pre", cpu="2", priority=1000)
        # The scheduler deletes its victim gracefully; with no kubelet here the
        # test finishes the termination as the node's kubelet would.
        self.finish_termination("pre-low")
        self.assertEqual(self.wait_bound("pre-high"), "pre-a")
        uid = self.get_pod("pre-high")["metadata"]["uid"]
        self.assertEqual(self.wait_event("pre-low", "Preempted")["message"],
                         "Preempted by pod %s on node pre-a" % uid)

    def test_unschedulable_until_node_added(self):
        self.pod("late-pod", "late", cpu="1")
        c = self.wait_unschedulable("late-pod")
        self.assertIn("0/", c["message"])
        self.assert_stays_pending("late-pod", 1.0)
        self.node("late-node", "late", cpu="2")
        self.assertEqual(self.wait_bound("late-pod"), "late-node")

    def test_labelpack_example_plugin(self):
        self.node("pack-a", "pack", cpu="4")
        self.node("pack-pool", "pack", cpu="4", labels={POOL: "yes"})
        self.node("pack-c", "pack", cpu="4")
        # The pool takes `packer` pods until it is full (4 x 900m)...
        self.pod("pack-0", "pack", cpu="900m", scheduler="packer")
        self.assertEqual(self.wait_bound("pack-0"), "pack-pool")
        # ...while the default profile spreads (LeastAllocated): the pool,
        # now the fullest node, is the last it would pick.
        self.pod("pack-default", "pack", cpu="900m")
        self.assertIn(self.wait_bound("pack-default"), ("pack-a", "pack-c"))
        for n in ("pack-1", "pack-2", "pack-3"):
            self.pod(n, "pack", cpu="900m", scheduler="packer")
            self.assertEqual(self.wait_bound(n), "pack-pool", n)
        # ...then they spill over.
        self.pod("pack-spill", "pack", cpu="900m", scheduler="packer")
        self.assertIn(self.wait_bound("pack-spill"), ("pack-a", "pack-c"))

    def test_zz_scheduler_logged_plugin(self):
        self.assertIn("loaded scheduling plugin LabelPack", self.host.log_text())


if __name__ == "__main__":
    import unittest
    unittest.main()
