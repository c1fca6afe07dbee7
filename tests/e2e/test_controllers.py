"""controllers.so end to end (issue 6): a host with etcd-store, apiserver
and controllers, driven through the apiserver with kubectl and Python. No
kubelet exists yet: pods are made Running/Ready through pods/status by the
tests (ctlharness.ReadyMarker), and nodes' Leases are renewed by a thread.

Covered: ReplicaSet scale up/down, adoption and release; Deployment rolling
updates checked on every observed state (watches on pods and ReplicaSets)
against maxSurge/maxUnavailable; rollout status/history/undo; Endpoints and
EndpointSlices; namespace deletion; the Background, Foreground and Orphan
propagation policies; node lifecycle (a node whose Lease is not renewed is
tainted and its pods evicted and replaced), with a 3 s grace and 4 s default
toleration from the controllers' config.
"""

import json
import threading
import time
import unittest

from ctlharness import (MERGE, WAIT, ControllersTestCase, controller_ref, is_ready,
                        is_terminating, pods_path)
from skiffharness import parse_table, poll

UNREACHABLE = "node.kubernetes.io/unreachable"


def micro_time():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)


def rs_path(ns, name=""):
    return "/apis/apps/v1/namespaces/%s/replicasets%s" % (ns, "/" + name if name else "")


def deploy_path(ns, name=""):
    return "/apis/apps/v1/namespaces/%s/deployments%s" % (ns, "/" + name if name else "")


class Controllers(ControllersTestCase):
    controllers_config = {"node_monitor_grace_period": "3s", "default_toleration_seconds": 4}

    # -- helpers ------------------------------------------------------------

    def only_rs(self, ns, deploy_name):
        """The single ReplicaSet of a Deployment, checked to be owned by it."""
        d = self.get_deployment(ns, deploy_name)
        rss = [r for r in self.replicasets(ns)
               if (controller_ref(r) or {}).get("uid") == d["metadata"]["uid"]]
        self.assertEqual(len(rss), 1, [r["metadata"]["name"] for r in rss])
        return rss[0]

    def assert_owned(self, pods, rs):
        for p in pods:
            ref = controller_ref(p)
            self.assertIsNotNone(ref, "pod %s has no controller" % p["metadata"]["name"])
            self.assertEqual((ref["kind"], ref["name"], ref["uid"]),
                             ("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["uid"]))

    def wait_rs_status(self, ns, name, **want):
        def check():
            r = self.rest.get(rs_path(ns, name))
            st = r.get("status") or {}
            if all(st.get(k, 0) == v for k, v in want.items()):
                return r
            return None
        return poll(check, WAIT, what="replicaset %s/%s status %s (now %s)" % (
            ns, name, want, self.rest.get(rs_path(ns, name)).get("status")))

    # -- ReplicaSet and scaling --------------------------------------------

    def test_scale_up_and_down(self):
        ns = self.make_namespace("scale")
        self.create_deployment(ns, "web", replicas=3)
        pods = self.wait_pods(ns, 3)
        rs = self.only_rs(ns, "web")
        h = rs["metadata"]["labels"]["pod-template-hash"]
        self.assertEqual(rs["metadata"]["name"], "web-" + h)
        self.assertEqual(rs["spec"]["selector"]["matchLabels"], {"app": "web", "pod-template-hash": h})
        self.assert_owned(pods, rs)
        for p in pods:
            self.assertTrue(p["metadata"]["name"].startswith("web-%s-" % h), p["metadata"]["name"])
            self.assertEqual(p["metadata"]["labels"], {"app": "web", "pod-template-hash": h})

        marker = self.start_ready_marker(ns)
        self.wait_deployment_complete(ns, "web")

        self.k("scale", "-n", ns, "deployment/web", "--replicas=10")
        pods = self.wait_pods(ns, 10)
        self.assert_owned(pods, self.only_rs(ns, "web"))
        self.assertEqual(len({p["metadata"]["name"] for p in pods}), 10)
        d = self.wait_deployment_complete(ns, "web")
        self.assertEqual(d["status"]["readyReplicas"], 10)
        self.wait_rs_status(ns, rs["metadata"]["name"], replicas=10, readyReplicas=10,
                            availableReplicas=10, fullyLabeledReplicas=10)

        self.k("scale", "-n", ns, "deployment/web", "--replicas=2")
        self.wait_pods(ns, 2)
        d = self.wait_deployment_complete(ns, "web")
        self.assertEqual(d["status"]["availableReplicas"], 2)
        r = self.wait_rs_status(ns, rs["metadata"]["name"], replicas=2, readyReplicas=2)
        self.assertGreaterEqual(r["status"]["observedGeneration"], r["metadata"]["generation"])
        # The ReplicaSet's own scale subresource, through kubectl.
        self.k("scale", "-n", ns, "rs/" + rs["metadata"]["name"], "--replicas=0")
        # The Deployment owns the RS's replicas: it puts them back to 2.
        self.wait_pods(ns, 2)
        self.k("scale", "-n", ns, "deployment/web", "--replicas=0")
        self.wait_pods(ns, 0)
        self.wait_deployment_complete(ns, "web")
        self.assertEqual(self.only_rs(ns, "web")["metadata"]["name"], rs["metadata"]["name"])
        self.assertEqual(marker.failures, [])

    def test_replicaset_adopts_and_releases(self):
        ns = self.make_namespace("adopt")
        orphan = {"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": "orphan", "labels": {"app": "bare"}},
                  "spec": {"containers": [{"name": "app", "image": "nginx"}]}}
        self.rest.request("POST", pods_path(ns), orphan)
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "bare"},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "bare"}},
                       "template": {"metadata": {"labels": {"app": "bare"}},
                                    "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}
        rs = self.rest.request("POST", rs_path(ns), rs)[1]
        pods = self.wait_pods(ns, 3, pred=lambda p: controller_ref(p) is not None)
        self.assertIn("orphan", [p["metadata"]["name"] for p in pods], "orphan not adopted")
        self.assert_owned(pods, rs)
        self.assertEqual(len(self.pods(ns)), 3, "an orphan that matches is adopted, not duplicated")

        # A pod relabelled out of the selector is released and replaced.
        self.rest.request("PATCH", pods_path(ns) + "/orphan",
                          {"metadata": {"labels": {"app": "elsewhere"}}}, ctype=MERGE)
        poll(lambda: controller_ref(self.rest.get(pods_path(ns) + "/orphan")) is None, WAIT,
             what="the relabelled pod to be released")
        owned = self.wait_pods(ns, 3, selector="app=bare")
        self.assert_owned(owned, rs)
        self.assertNotIn("orphan", [p["metadata"]["name"] for p in owned])
        self.assertEqual(self.rest.get(pods_path(ns) + "/orphan")["metadata"].get("ownerReferences") or [], [])

    # -- Deployment ---------------------------------------------------------

    def rolling_update(self, ns, replicas, surge, unavail, max_total, min_ready):
        """Roll a ready Deployment to a new image while watching its pods and
        ReplicaSets, then replay both streams merged in resourceVersion
        order (store revisions: one global order) and check every state:

        * the ReplicaSets' spec.replicas add up to at most max_total
          (replicas + maxSurge: k8s counts the surge on ReplicaSet replicas);
        * at least min_ready (replicas - maxUnavailable) pods are Ready;
        * a ReplicaSet never has more pods than its spec.replicas when it
          creates one (so the pods stay within the surge too, up to the
          moment the scaled-down ReplicaSet deletes its extra ones).

        Returns extremes seen (max_rs, min_rs, max_pods, min_ready)."""
        strategy = {"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavail}}
        self.create_deployment(ns, "web", replicas=replicas, strategy=strategy)
        self.start_ready_marker(ns)
        self.wait_deployment_complete(ns, "web")
        old_rs = self.only_rs(ns, "web")

        lock = threading.Lock()
        events = []                      # (rv, order, kind, type, object)
        pod_items, prv = self.rest.list(pods_path(ns))
        rs_items, rrv = self.rest.list(rs_path(ns))
        live = {"pods": {p["metadata"]["uid"] for p in pod_items},
                "rs": {r["metadata"]["uid"]: r["spec"].get("replicas", 1) for r in rs_items}}

        def recorder(kind):
            def on(t, o):
                with lock:
                    uid = o["metadata"]["uid"]
                    if kind == "pods":
                        (live["pods"].discard if t == "DELETED" else live["pods"].add)(uid)
                    elif t == "DELETED":
                        live["rs"].pop(uid, None)
                    else:
                        live["rs"][uid] = o["spec"].get("replicas", 1)
                    events.append((int(o["metadata"]["resourceVersion"]), len(events), kind, t, o))
            return on
        pw = self.watch(pods_path(ns), prv, recorder("pods"))
        rw = self.watch(rs_path(ns), rrv, recorder("rs"))
        self.k("set", "image", "-n", ns, "deployment/web", "app=nginx:1.26")
        d = self.wait_deployment_complete(ns, "web")
        self.assertGreaterEqual(d["status"]["observedGeneration"], 2)
        new_pods = self.wait_pods(ns, replicas)
        new_rs = self.only_rs_by_image(ns, "nginx:1.26")

        def caught_up():      # the watches have seen the final state
            now_pods = {p["metadata"]["uid"] for p in self.pods(ns, active_only=False)}
            now_rs = {r["metadata"]["uid"]: r["spec"].get("replicas", 1) for r in self.replicasets(ns)}
            with lock:
                return live["pods"] == now_pods and live["rs"] == now_rs
        poll(caught_up, WAIT, what="the watches to catch up")
        pw.stop()
        rw.stop()
        self.assertIsNone(pw.error, "pod watch broke: observed states incomplete")
        self.assertIsNone(rw.error, "replicaset watch broke: observed states incomplete")

        # Replay.
        spec = {r["metadata"]["uid"]: r["spec"].get("replicas", 1) for r in rs_items}
        pods = {p["metadata"]["uid"]: ((controller_ref(p) or {}).get("uid"), is_ready(p))
                for p in pod_items if not is_terminating(p)}
        self.assertEqual((len(pods), sum(r for _, r in pods.values())), (replicas, replicas))
        bad, seen = [], {"max_rs": sum(spec.values()), "min_rs": sum(spec.values()),
                         "max_pods": len(pods), "min_ready": replicas}
        with lock:
            evs = sorted(events, key=lambda e: (e[0], e[1]))
        i = 0
        while i < len(evs):
            rv, created = evs[i][0], []
            while i < len(evs) and evs[i][0] == rv:        # one store revision
                _, _, kind, t, o = evs[i]
                uid = o["metadata"]["uid"]
                if kind == "rs":
                    if t == "DELETED":
                        spec.pop(uid, None)
                    else:
                        spec[uid] = o["spec"].get("replicas", 1)
                elif t == "DELETED" or is_terminating(o):
                    pods.pop(uid, None)
                else:
                    if t == "ADDED":
                        created.append(o)
                    pods[uid] = ((controller_ref(o) or {}).get("uid"), is_ready(o))
                i += 1
            total = sum(spec.values())
            ready = sum(r for _, r in pods.values())
            seen["max_rs"] = max(seen["max_rs"], total)
            seen["min_rs"] = min(seen["min_rs"], total)
            seen["max_pods"] = max(seen["max_pods"], len(pods))
            seen["min_ready"] = min(seen["min_ready"], ready)
            if total > max_total:
                bad.append("rv %d: ReplicaSets' replicas add up to %d" % (rv, total))
            if ready < min_ready:
                bad.append("rv %d: %d pods ready" % (rv, ready))
            for o in created:
                owner = (controller_ref(o) or {}).get("uid")
                have = sum(1 for ow, _ in pods.values() if ow == owner)
                if owner not in spec or have > spec[owner]:
                    bad.append("rv %d: pod %s makes %d pods of a ReplicaSet with replicas %s" % (
                        rv, o["metadata"]["name"], have, spec.get(owner)))
        self.assertEqual(bad, [], "rolling update left its bounds (max %d, min %d ready); seen %s" % (
            max_total, min_ready, seen))
        self.assertGreater(len(evs), 2 * replicas, "too few events observed")

        self.assertNotEqual(new_rs["metadata"]["name"], old_rs["metadata"]["name"])
        self.assert_owned(new_pods, new_rs)
        self.assertEqual(self.rest.get(rs_path(ns, old_rs["metadata"]["name"]))["spec"]["replicas"], 0)
        for p in new_pods:
            self.assertEqual(p["spec"]["containers"][0]["image"], "nginx:1.26")
        return seen

    def only_rs_by_image(self, ns, image):
        rss = [r for r in self.replicasets(ns)
               if r["spec"]["template"]["spec"]["containers"][0]["image"] == image]
        self.assertEqual(len(rss), 1)
        return rss[0]

    def test_rolling_update_surge_and_unavailable(self):
        # 30 replicas, maxSurge 30% -> 9 (rounds up), maxUnavailable 25% -> 7 (rounds down).
        seen = self.rolling_update(self.make_namespace("roll-a"), 30, "30%", "25%",
                                   max_total=39, min_ready=23)
        self.assertEqual(seen["max_rs"], 39, "the rollout did not use its surge: %s" % seen)

    def test_rolling_update_no_unavailable(self):
        # maxSurge 1, maxUnavailable 0: at most 6, never fewer than 5 ready.
        seen = self.rolling_update(self.make_namespace("roll-c"), 5, 1, 0, max_total=6, min_ready=5)
        self.assertEqual(seen["max_rs"], 6, seen)

    def test_rolling_update_no_surge(self):
        # maxSurge 0, maxUnavailable 1: at most 6, never fewer than 5 ready;
        # the old ReplicaSet must shrink before the new one grows.
        seen = self.rolling_update(self.make_namespace("roll-b"), 6, 0, 1, max_total=6, min_ready=5)
        self.assertEqual(seen["min_rs"], 5, seen)

    def test_rollout_status_history_undo(self):
        ns = self.make_namespace("undo")
        self.create_deployment(ns, "web", replicas=4, image="nginx:1.25",
                               annotations={"kubernetes.io/change-cause": "first"})
        self.start_ready_marker(ns)
        r = self.k("rollout", "status", "-n", ns, "deployment/web", "--timeout=%ds" % WAIT)
        self.assertIn("successfully rolled out", r.out)
        rs1 = self.only_rs(ns, "web")
        self.assertEqual(rs1["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1")

        self.k("patch", "-n", ns, "deployment/web", "-p", json.dumps(
            {"metadata": {"annotations": {"kubernetes.io/change-cause": "second"}},
             "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}}))
        r = self.k("rollout", "status", "-n", ns, "deployment/web", "--timeout=%ds" % WAIT)
        self.assertIn("successfully rolled out", r.out)

        rows = self.history(ns, "web")
        self.assertEqual([(x["REVISION"], x["CHANGE-CAUSE"]) for x in rows],
                         [("1", "first"), ("2", "second")])
        r = self.k("rollout", "history", "-n", ns, "deployment/web", "--revision=1")
        self.assertRegex(r.out, r"Image:\s+nginx:1\.25")

        r = self.k("rollout", "undo", "-n", ns, "deployment/web")
        self.assertIn("rolled back", r.out)
        r = self.k("rollout", "status", "-n", ns, "deployment/web", "--timeout=%ds" % WAIT)
        self.assertIn("successfully rolled out", r.out)
        d = self.wait_deployment_complete(ns, "web")
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.25")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        # The old ReplicaSet is reused (revision 1 became 3), not a new one made.
        rss = self.replicasets(ns)
        self.assertEqual(len(rss), 2, [r["metadata"]["name"] for r in rss])
        cur = self.rest.get(rs_path(ns, rs1["metadata"]["name"]))
        self.assertEqual(cur["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        self.assertEqual(cur["spec"]["replicas"], 4)
        pods = self.wait_pods(ns, 4)
        self.assert_owned(pods, cur)
        rows = self.history(ns, "web")
        self.assertEqual([x["REVISION"] for x in rows], ["2", "3"])

        r = self.k("rollout", "undo", "-n", ns, "deployment/web", "--to-revision=2")
        self.assertIn("rolled back", r.out)
        self.k("rollout", "status", "-n", ns, "deployment/web", "--timeout=%ds" % WAIT)
        d = self.wait_deployment_complete(ns, "web")
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.26")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "4")
        self.assertEqual(len(self.replicasets(ns)), 2)
        conds = {c["type"]: c for c in d["status"]["conditions"]}
        self.assertEqual((conds["Available"]["status"], conds["Available"]["reason"]),
                         ("True", "MinimumReplicasAvailable"))
        self.assertEqual((conds["Progressing"]["status"], conds["Progressing"]["reason"]),
                         ("True", "NewReplicaSetAvailable"))

    def history(self, ns, name):
        """`kubectl rollout history` rows (a title line, then a table)."""
        r = self.k("rollout", "history", "-n", ns, "deployment/" + name)
        lines = r.lines()
        self.assertEqual(lines[0].strip(), "deployment.apps/" + name, r)
        return parse_table("\n".join(lines[1:]))[1]

    # -- Endpoints ------------------------------------------------------------

    def test_endpoints_follow_ready_pods(self):
        ns = self.make_namespace("ep")
        self.create_deployment(ns, "web", replicas=3)
        pods = self.wait_pods(ns, 3)
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"},
                        "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}
        self.rest.request("POST", "/api/v1/namespaces/%s/services" % ns, svc)
        self.start_ready_marker(ns)
        self.wait_deployment_complete(ns, "web")

        def ep_ips():
            ep = self.rest.request("GET", "/api/v1/namespaces/%s/endpoints/web" % ns, ok=None)[1]
            subs = (ep or {}).get("subsets") or []
            return sorted(a["ip"] for s in subs for a in s.get("addresses") or []), subs
        ips = sorted(p["status"]["podIP"] for p in self.pods(ns))
        poll(lambda: ep_ips()[0] == ips, WAIT, what="endpoints with the pods' IPs %s" % ips)
        subs = ep_ips()[1]
        self.assertEqual([(p["name"], p["port"]) for p in subs[0]["ports"]], [("http", 80)])
        sl = self.rest.get("/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices" % ns)["items"]
        sl = [s for s in sl if s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == "web"]
        self.assertEqual(len(sl), 1)
        self.assertEqual(sorted(a for e in sl[0]["endpoints"] for a in e["addresses"]), ips)
        del pods

    # -- Namespace ----------------------------------------------------------

    def test_namespace_deletion(self):
        ns = self.make_namespace("doomed")
        self.create_deployment(ns, "web", replicas=3)
        self.rest.request("POST", pods_path(ns), {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
        self.rest.request("POST", "/api/v1/namespaces/%s/services" % ns, {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
        self.wait_pods(ns, 4)
        poll(lambda: self.rest.request("GET", "/api/v1/namespaces/%s/endpoints/web" % ns, ok=None)[0] == 200,
             WAIT, what="the service's endpoints")
        r = self.k("delete", "namespace", ns, "--timeout=%ds" % WAIT)
        self.assertIn('namespace "%s" deleted' % ns, r.out)
        self.wait_gone("/api/v1/namespaces/" + ns)
        # Nothing of it is left behind (lists across namespaces).
        for path in ("/api/v1/pods", "/api/v1/services", "/api/v1/endpoints",
                     "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets",
                     "/apis/discovery.k8s.io/v1/endpointslices"):
            left = [o["metadata"]["name"] for o in self.rest.get(path)["items"]
                    if o["metadata"].get("namespace") == ns]
            self.assertEqual(left, [], path)

    # -- garbage collection ---------------------------------------------------

    def deploy_with_pods(self, ns, n=3):
        self.create_deployment(ns, "web", replicas=n)
        pods = self.wait_pods(ns, n)
        rs = self.only_rs(ns, "web")
        self.assert_owned(pods, rs)
        return rs, pods

    def test_propagation_background(self):
        ns = self.make_namespace("gc-bg")
        rs, _ = self.deploy_with_pods(ns)
        self.k("delete", "-n", ns, "deployment/web", "--cascade=background", "--timeout=%ds" % WAIT)
        self.assertEqual(self.rest.request("GET", deploy_path(ns, "web"), ok=None)[0], 404)
        self.wait_gone(rs_path(ns, rs["metadata"]["name"]))
        poll(lambda: self.rest.list(pods_path(ns))[0] == [], WAIT, what="the pods to be collected")

    def test_propagation_foreground(self):
        ns = self.make_namespace("gc-fg")
        rs, _ = self.deploy_with_pods(ns)
        events = []
        d = self.get_deployment(ns, "web")
        w = self.watch(deploy_path(ns), d["metadata"]["resourceVersion"],
                       lambda t, o: events.append((t, o["metadata"].get("finalizers"),
                                                   bool(o["metadata"].get("deletionTimestamp")))))
        self.k("delete", "-n", ns, "deployment/web", "--cascade=foreground", "--timeout=%ds" % WAIT)
        self.assertEqual(self.rest.request("GET", deploy_path(ns, "web"), ok=None)[0], 404)
        # Foreground: the owner goes last, so its dependents are gone already.
        self.assertEqual(self.rest.list(pods_path(ns))[0], [])
        self.assertEqual(self.rest.list(rs_path(ns))[0], [])
        poll(lambda: events and events[-1][0] == "DELETED", WAIT, what="the DELETED event")
        w.stop()
        self.assertIsNone(w.error)
        marked = [e for e in events if e[0] == "MODIFIED" and e[2]]
        self.assertTrue(marked, "never saw the deployment marked for deletion: %s" % events)
        self.assertIn("foregroundDeletion", marked[0][1])

    def test_propagation_orphan(self):
        ns = self.make_namespace("gc-or")
        rs, pods = self.deploy_with_pods(ns)
        self.k("delete", "-n", ns, "deployment/web", "--cascade=orphan", "--timeout=%ds" % WAIT)
        self.assertEqual(self.rest.request("GET", deploy_path(ns, "web"), ok=None)[0], 404)
        # The orphan finalizer is removed only once every dependent let go.
        left = self.rest.get(rs_path(ns, rs["metadata"]["name"]))
        self.assertEqual(left["metadata"]["uid"], rs["metadata"]["uid"])
        self.assertEqual(left["metadata"].get("ownerReferences") or [], [])
        self.assertFalse(is_terminating(left))
        now = self.pods(ns)
        self.assertEqual(sorted(p["metadata"]["uid"] for p in now),
                         sorted(p["metadata"]["uid"] for p in pods))
        self.assert_owned(now, left)
        # The orphaned ReplicaSet still works on its own.
        self.k("scale", "-n", ns, "rs/" + rs["metadata"]["name"], "--replicas=4")
        self.assert_owned(self.wait_pods(ns, 4), left)

    # -- node lifecycle -------------------------------------------------------

    def node_fixture(self, name):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.rest.request("POST", "/api/v1/nodes", {
            "apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "ok", "lastHeartbeatTime": now,
                                       "lastTransitionTime": now}]}})
        self.rest.request("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro_time()}})

    def renewer(self, name, stop, errors):
        path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + name
        while not stop.wait(0.4):
            try:
                self.rest.request("PATCH", path, {"spec": {"renewTime": micro_time()}}, ctype=MERGE)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

    def start_renewer(self, name):
        stop, errors = threading.Event(), []
        t = threading.Thread(target=self.renewer, args=(name, stop, errors), daemon=True)
        t.start()

        def end():
            stop.set()
            t.join(10)
        self.addCleanup(end)
        return end, errors

    def bind(self, ns, pod, node):
        self.rest.request("POST", "%s/%s/binding" % (pods_path(ns), pod), {
            "apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}})

    def node_taints(self, name):
        return [t for t in (self.rest.get("/api/v1/nodes/" + name).get("spec") or {}).get("taints") or []
                if t["key"] == UNREACHABLE and t["effect"] == "NoExecute"]

    def node_ready(self, name):
        for c in self.rest.get("/api/v1/nodes/" + name)["status"].get("conditions") or []:
            if c["type"] == "Ready":
                return c
        return None

    def test_node_lease_expiry_evicts_and_replaces(self):
        ns = self.make_namespace("nodes")
        self.node_fixture("worker-1")
        self.node_fixture("worker-2")
        stop_w1, err1 = self.start_renewer("worker-1")
        _, err2 = self.start_renewer("worker-2")

        self.create_deployment(ns, "app", replicas=3)
        pods = self.wait_pods(ns, 3)
        for p in pods:
            self.bind(ns, p["metadata"]["name"], "worker-1")
        # A pod that tolerates the unreachable taint forever stays.
        self.rest.request("POST", pods_path(ns), {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stays"},
            "spec": {"nodeName": "worker-1", "containers": [{"name": "app", "image": "nginx"}],
                     "tolerations": [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}]}})
        # And one on the healthy node is left alone.
        self.rest.request("POST", pods_path(ns), {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "healthy"},
            "spec": {"nodeName": "worker-2", "containers": [{"name": "app", "image": "nginx"}]}})
        self.assertEqual(self.node_taints("worker-1"), [])
        old = {p["metadata"]["uid"] for p in pods}

        stop_w1()   # worker-1's kubelet "dies": its Lease is no longer renewed
        c = poll(lambda: (self.node_ready("worker-1") or {}).get("status") == "Unknown"
                 and self.node_ready("worker-1"), WAIT, what="worker-1 Ready=Unknown")
        self.assertEqual(c["reason"], "NodeStatusUnknown")
        taint = poll(lambda: self.node_taints("worker-1"), WAIT, what="the unreachable taint")[0]
        self.assertIn("timeAdded", taint)

        # Evicted after the default toleration (4 s here), replaced by the RS.
        def replaced():
            ps = [p for p in self.pods(ns) if controller_ref(p)]
            return ps if len(ps) == 3 and not old & {p["metadata"]["uid"] for p in ps} else None
        new = poll(replaced, WAIT, what="the deployment's pods replaced")
        for p in new:
            self.assertNotEqual(p["spec"].get("nodeName"), "worker-1")
        self.assertEqual(self.rest.get(pods_path(ns) + "/stays")["spec"]["nodeName"], "worker-1")
        self.assertEqual(self.rest.get(pods_path(ns) + "/healthy")["spec"]["nodeName"], "worker-2")
        self.assertEqual((self.node_ready("worker-2") or {}).get("status"), "True")
        self.assertEqual(self.node_taints("worker-2"), [])

        # The kubelet comes back: Ready again, the taint goes.
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.rest.request("PATCH", "/api/v1/nodes/worker-1/status", {"status": {"conditions": [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "back",
             "lastHeartbeatTime": now, "lastTransitionTime": now}]}}, ctype="application/strategic-merge-patch+json")
        self.start_renewer("worker-1")
        poll(lambda: not self.node_taints("worker-1"), WAIT, what="the taint removed")
        self.assertEqual(err1 + err2, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
