"""Watches and waits with kubectl: `get -w` (table and json, for a list and
for one object) seeing changes made concurrently through the Python client,
`--output-watch-events`, and `kubectl wait --for=condition=Ready` /
`--for=delete` / a wait that times out. Each background kubectl runs with
-v=6 so the test can see in its log when the watch request is open before
it makes the change (no fixed sleeps).

Run: /usr/bin/python3 -m unittest -v test_watch_wait
"""

import json
import re

import yaml

from skiffharness import HostTestCase, main, manifest, poll, watch_open

WAIT = 60  # seconds any single wait may take


def pod_body(name, labels=None):
    with open(manifest("pod.yaml")) as f:
        d = yaml.safe_load(f)
    d["metadata"] = {"name": name, "labels": labels or {"app": "watched"}}
    return d


class WatchAndWait(HostTestCase):

    def test_get_watch_table_sees_concurrent_changes(self):
        ns = self.create_namespace("watch-table")
        v1 = self.core_v1()
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "before"}, "data": {"a": "1"}})
        w = self.kubectl_bg("get", "configmaps", "-n", ns, "-w", "-v=6")
        w.wait_for(lambda o, e: re.search(r"(?m)^before\s+1\s", o) and watch_open(o, e), WAIT,
                   "the initial table row and an open watch")
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "during"}, "data": {"a": "1", "b": "2"}})
        w.wait_for(lambda o, e: re.search(r"(?m)^during\s+2\s", o), WAIT, "the new configmap's row")
        v1.patch_namespaced_config_map("before", ns, {"data": {"c": "3"}})
        w.wait_for(lambda o, e: re.search(r"(?m)^before\s+2\s", o), WAIT, "the modified configmap's row")
        r = w.stop()
        lines = [l for l in r.out.splitlines() if l.strip()]
        self.assertRegex(lines[0], r"^NAME\s+DATA\s+AGE$")
        self.assertEqual(sum(1 for l in lines if l.startswith("NAME")), 1,
                         "one header only (later watch events carry no column definitions):\n%r" % r)
        self.assertEqual([l.split()[0] for l in lines[1:]], ["before", "during", "before"], r)

    def test_get_watch_output_watch_events(self):
        ns = self.create_namespace("watch-events")
        v1 = self.core_v1()
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "one"}, "data": {"a": "1"}})
        w = self.kubectl_bg("get", "cm", "-n", ns, "-w", "--output-watch-events", "-v=6")
        w.wait_for(lambda o, e: re.search(r"(?m)^ADDED\s+one\s", o) and watch_open(o, e), WAIT,
                   "the initial ADDED row and an open watch")
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "two"}})
        v1.patch_namespaced_config_map("one", ns, {"metadata": {"labels": {"x": "y"}}})
        v1.delete_namespaced_config_map("two", ns)
        w.wait_for(lambda o, e: re.search(r"(?m)^DELETED\s+two\s", o), WAIT, "DELETED two")
        r = w.stop()
        lines = [l for l in r.out.splitlines() if l.strip()]
        self.assertRegex(lines[0], r"^EVENT\s+NAME\s+DATA\s+AGE$")
        self.assertEqual([tuple(l.split()[:2]) for l in lines[1:]],
                         [("ADDED", "one"), ("ADDED", "two"), ("MODIFIED", "one"), ("DELETED", "two")], r)

    def test_get_watch_json_one_object(self):
        ns = self.create_namespace("watch-json")
        v1 = self.core_v1()
        v1.create_namespaced_pod(ns, pod_body("target"))
        v1.create_namespaced_pod(ns, pod_body("bystander"))
        w = self.kubectl_bg("get", "pod", "target", "-n", ns, "-w", "-o", "json", "-v=6")
        w.wait_for(lambda o, e: '"target"' in o and watch_open(o, e), WAIT, "the pod and an open watch")
        v1.patch_namespaced_pod("bystander", ns, {"metadata": {"labels": {"step": "1"}}})
        v1.patch_namespaced_pod("target", ns, {"metadata": {"labels": {"step": "2"}}})
        # ... and the end of that object (a "}" in column 0 after it)
        w.wait_for(lambda o, e: '"step": "2"' in o and "\n}" in o[o.rindex('"step": "2"'):], WAIT,
                   "the label change in the JSON stream")
        r = w.stop()
        docs = []
        for m in re.finditer(r"(?m)^\{", r.out):
            try:
                docs.append(json.JSONDecoder().raw_decode(r.out[m.start():])[0])
            except ValueError:
                self.assertGreater(m.start(), r.out.rindex('"step": "2"'), "only an object after the one "
                                   "we waited for may be cut short by stopping kubectl:\n%r" % r)
        self.assertGreaterEqual(len(docs), 2, r)
        self.assertTrue(all(d["kind"] == "Pod" and d["metadata"]["name"] == "target" for d in docs),
                        "only the watched pod may appear: %r" % [d["metadata"]["name"] for d in docs])
        self.assertEqual(docs[-1]["metadata"]["labels"].get("step"), "2")
        self.assertGreater(int(docs[-1]["metadata"]["resourceVersion"]), int(docs[0]["metadata"]["resourceVersion"]))

    def test_wait_for_condition_ready(self):
        ns = self.create_namespace("wait-ready")
        self.core_v1().create_namespaced_pod(ns, pod_body("p"))
        w = self.kubectl_bg("wait", "--for=condition=Ready", "pod/p", "-n", ns, "--timeout=%ds" % WAIT, "-v=6")
        w.wait_for(watch_open, WAIT, "kubectl wait's watch")
        self.assertIsNone(w.proc.poll(), "kubectl wait returned before the pod was ready:\n%s" % w.out)
        # No kubelet in this host: play its part through the status subresource.
        r = self.k("patch", "pod", "p", "-n", ns, "--subresource=status", "--type=merge", "-p",
                   json.dumps({"status": {"phase": "Running", "conditions": [
                       {"type": "Ready", "status": "True"}, {"type": "ContainersReady", "status": "True"}]}}))
        self.assertEqual(r.out.strip(), "pod/p patched")
        r = w.finish(WAIT + 10)
        self.assertOk(r)
        self.assertEqual(r.out.strip(), "pod/p condition met")
        heads, rows = self.k("get", "pod", "p", "-n", ns).table()
        self.assertEqual(rows[0]["STATUS"], "Running")
        # the status write did not touch the spec
        pod = self.k("get", "pod", "p", "-n", ns, "-o", "json").json()
        self.assertEqual(pod["spec"]["containers"][0]["image"], "nginx:1.25")

    def test_wait_for_delete(self):
        ns = self.create_namespace("wait-delete")
        v1 = self.core_v1()
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "doomed"}})
        v1.create_namespaced_pod(ns, pod_body("doomed-pod"))
        # one kubectl per object: kubectl waits for them one after the other
        # and says nothing about one already gone when it gets to it
        waits = {obj: self.kubectl_bg("wait", "--for=delete", obj, "-n", ns, "--timeout=%ds" % WAIT, "-v=6")
                 for obj in ("configmap/doomed", "pod/doomed-pod")}
        for obj, w in waits.items():
            w.wait_for(watch_open, WAIT, "kubectl wait's watch on " + obj)
            self.assertIsNone(w.proc.poll(), "kubectl wait returned before the delete:\n%s" % w.out)
        v1.delete_namespaced_config_map("doomed", ns)
        v1.delete_namespaced_pod("doomed-pod", ns)
        for obj, w in waits.items():
            r = w.finish(WAIT + 10)
            self.assertOk(r)
            self.assertEqual(r.out.strip(), obj + " condition met")

    def test_wait_times_out(self):
        ns = self.create_namespace("wait-timeout")
        self.core_v1().create_namespaced_pod(ns, pod_body("never"))
        r = self.kubectl("wait", "--for=condition=Ready", "pod/never", "-n", ns, "--timeout=3s")
        self.assertFails(r, r"timed out waiting for the condition on pods/never")

    def test_wait_label_selector(self):
        ns = self.create_namespace("wait-selector")
        v1 = self.core_v1()
        for n in ("s1", "s2"):
            v1.create_namespaced_pod(ns, pod_body(n, {"app": "sel"}))
        w = self.kubectl_bg("wait", "--for=jsonpath={.metadata.labels.done}=yes", "pods", "-l", "app=sel",
                            "-n", ns, "--timeout=%ds" % WAIT, "-v=6")
        w.wait_for(lambda o, e: len(re.findall(r"[?&]watch=true", e)) >= 1, WAIT, "kubectl wait's watches")
        for n in ("s1", "s2"):
            v1.patch_namespaced_pod(n, ns, {"metadata": {"labels": {"done": "yes"}}})
        r = w.finish(WAIT + 10)
        self.assertOk(r)
        self.assertEqual(sorted(r.lines()), ["pod/s1 condition met", "pod/s2 condition met"])


class Compaction(HostTestCase):
    """With the store compacting (keep the last 10 revisions), a watch or a
    continued list from a compacted resourceVersion gets 410 Expired."""

    host_sets = ("plugins.0.config.compaction_retain_revisions=10",)

    def test_expired_watch_and_continue(self):
        from kubernetes.client.rest import ApiException
        ns = self.create_namespace("compacted")
        v1 = self.core_v1()
        for i in range(3):
            v1.create_namespaced_config_map(ns, {"metadata": {"name": "c%d" % i}})
        first = v1.list_namespaced_config_map(ns, limit=1)
        old_rv, token = first.metadata.resource_version, first.metadata._continue
        self.assertTrue(token)
        n = [0]

        def expired():
            # more writes until the store has compacted past old_rv
            for _ in range(5):
                n[0] += 1
                v1.patch_namespaced_config_map("c0", ns, {"data": {"n": str(n[0])}})
            st, body, _ = self.host.http("GET", "/api/v1/namespaces/%s/configmaps?watch=1&resourceVersion=%s"
                                         "&timeoutSeconds=2" % (ns, old_rv), timeout=30)
            if st == 410:
                return json.loads(body)
            first_line = body.split("\n", 1)[0]
            if st == 200 and first_line:
                ev = json.loads(first_line)
                if ev["type"] == "ERROR":
                    return ev["object"]
            return None
        status = poll(expired, 60, what="a watch from a compacted resourceVersion to expire")
        self.assertEqual((status.get("code"), status.get("reason")), (410, "Expired"), status)
        self.assertRegex(status.get("message", ""), r"too old resource version")
        with self.assertRaises(ApiException) as ctx:
            v1.list_namespaced_config_map(ns, limit=1, _continue=token)
        self.assertEqual(ctx.exception.status, 410, ctx.exception.body)
        self.assertIn("continue parameter is too old", json.loads(ctx.exception.body)["message"])
        # kubectl's reflector relists after 410: wait still works
        r = self.k("wait", "--for=jsonpath={.data.n}=%d" % n[0], "cm/c0", "-n", ns, "--timeout=30s")
        self.assertEqual(r.out.strip(), "configmap/c0 condition met")


if __name__ == "__main__":
    main()
