"""Data and watches across a restart of the host: objects written before a
SIGTERM are there after the host comes back on the same data dir (same
uid, same resourceVersion), new resourceVersions keep growing, and a
Python client watch resumed with the resourceVersion it saw before the
restart gets exactly the changes made while it was away and after, in
order. kubectl, pointed at the rewritten kubeconfig, sees the same state.

Run: /usr/bin/python3 -m unittest -v test_restart
"""

from skiffharness import HostTestCase, main, manifest

NS = "restart"


class Restart(HostTestCase):

    def watch(self, v1, rv, want, timeout=30):
        """Events of configmaps in NS after rv, until `want` of them."""
        from kubernetes import watch
        w = watch.Watch()
        got = []
        for ev in w.stream(v1.list_namespaced_config_map, NS, resource_version=rv,
                           timeout_seconds=timeout, _request_timeout=timeout + 30):
            if ev["type"] == "BOOKMARK":
                continue
            o = ev["object"]
            got.append((ev["type"], o.metadata.name, int(o.metadata.resource_version)))
            if len(got) >= want:
                w.stop()
        return got

    def test_watch_resumes_after_restart(self):
        v1 = self.core_v1()
        self.create_namespace(NS)
        a = v1.create_namespaced_config_map(NS, {"metadata": {"name": "a"}, "data": {"v": "1"}})
        v1.create_namespaced_config_map(NS, {"metadata": {"name": "b"}, "data": {"v": "1"}})
        self.k("create", "-f", manifest("deployment.yaml"), "-n", NS)
        # A watch from a's creation sees b; remember where it got to.
        before = self.watch(v1, a.metadata.resource_version, 1)
        self.assertEqual([e[:2] for e in before], [("ADDED", "b")])
        last_rv = before[-1][2]
        # A change the watcher will only learn about after the restart.
        v1.patch_namespaced_config_map("a", NS, {"data": {"v": "2"}})
        snapshot = {i.metadata.name: (i.metadata.uid, i.metadata.resource_version)
                    for i in v1.list_namespaced_config_map(NS).items}
        self.host.restart()

        v1 = self.core_v1()   # new kubeconfig (new port)
        after = {i.metadata.name: (i.metadata.uid, i.metadata.resource_version)
                 for i in v1.list_namespaced_config_map(NS).items}
        self.assertEqual(after, snapshot, "objects, uids and resourceVersions survive the restart")
        self.assertEqual(v1.read_namespaced_config_map("a", NS).data, {"v": "2"})
        # Changes after the restart get larger resourceVersions.
        c = v1.create_namespaced_config_map(NS, {"metadata": {"name": "c"}})
        self.assertGreater(int(c.metadata.resource_version), max(int(rv) for _, rv in snapshot.values()))
        v1.delete_namespaced_config_map("b", NS)
        # The resumed watch: exactly what happened since last_rv, in order.
        resumed = self.watch(v1, str(last_rv), 3)
        self.assertEqual([e[:2] for e in resumed], [("MODIFIED", "a"), ("ADDED", "c"), ("DELETED", "b")])
        rvs = [e[2] for e in resumed]
        self.assertEqual(rvs, sorted(rvs))
        self.assertGreater(rvs[0], last_rv)
        # kubectl with the rewritten kubeconfig sees the same state
        r = self.k("get", "cm", "-n", NS, "-o", "name")
        self.assertEqual(r.lines(), ["configmap/a", "configmap/c"])
        heads, rows = self.k("get", "deploy", "-n", NS).table()
        self.assertEqual([r["NAME"] for r in rows], ["web"])
        r = self.k("get", "deploy", "web", "-n", NS, "-o", "jsonpath={.metadata.generation}")
        self.assertEqual(r.out, "1")

    def test_restart_twice_namespaces_persist(self):
        v1 = self.core_v1()
        self.create_namespace("persist")
        v1.create_namespaced_secret("persist", {"metadata": {"name": "s"}, "data": {"k": "dg=="}})
        for _ in range(2):
            self.host.restart()
        v1 = self.core_v1()
        self.assertIn("persist", [n.metadata.name for n in v1.list_namespace().items])
        self.assertEqual(v1.read_namespaced_secret("s", "persist").data, {"k": "dg=="})


if __name__ == "__main__":
    main()
