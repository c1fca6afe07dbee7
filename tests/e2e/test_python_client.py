"""The official Python client (Debian's python3-kubernetes) against a host:
version, typed CRUD across the declared kinds, all patch bodies, Status
errors (404, 409 AlreadyExists/Conflict, 422 with causes, 413, 400, 401),
scale and status subresources, finalizers, deletecollection, dryRun,
watches (initial ADDED events, resourceVersion, timeoutSeconds) and the
dynamic client (legacy discovery).

Run: /usr/bin/python3 -m unittest -v test_python_client
"""

import base64
import json
import os
import threading
import time

from skiffharness import HostTestCase, api_exception_body, main


def pod(name, image="nginx:1.25", labels=None):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"app": "py"}},
            "spec": {"containers": [{"name": "main", "image": image}]}}


def cm(name, data=None, **meta):
    md = {"name": name}
    md.update(meta)
    return {"metadata": md, "data": data or {}}


class PythonClient(HostTestCase):

    def setUp(self):
        from kubernetes import client
        from kubernetes.client.rest import ApiException
        self.client = client
        self.ApiException = ApiException
        self.v1 = self.core_v1()

    def ns(self, name):
        return self.create_namespace(name)

    def raises(self, status, fn, *args, **kw):
        """fn must raise ApiException with `status`; returns the Status dict."""
        with self.assertRaises(self.ApiException) as ctx:
            fn(*args, **kw)
        e = ctx.exception
        self.assertEqual(e.status, status, e.body)
        st = api_exception_body(e)
        self.assertEqual(st.get("kind"), "Status", e.body)
        self.assertEqual(st.get("code"), status, e.body)
        self.assertEqual(st.get("status"), "Failure", e.body)
        return st

    # -- basics ------------------------------------------------------------

    def test_version(self):
        v = self.client.VersionApi(self.api_client()).get_code()
        self.assertEqual(v.major, "1")
        self.assertRegex(v.git_version, r"^v1\.\d+\.\d+")
        self.assertEqual(v.minor.rstrip("+"), v.git_version.split(".")[1])

    def test_pod_crud_and_errors(self):
        ns = self.ns("py-crud")
        created = self.v1.create_namespaced_pod(ns, pod("a", labels={"app": "crud-a"}))
        self.assertEqual(created.metadata.name, "a")
        self.assertTrue(created.metadata.uid)
        self.assertIsNotNone(created.metadata.creation_timestamp)
        self.assertEqual(created.status.phase, "Pending")
        got = self.v1.read_namespaced_pod("a", ns)
        self.assertEqual(got.metadata.uid, created.metadata.uid)
        self.assertEqual(got.spec.containers[0].image, "nginx:1.25")
        st = self.raises(409, self.v1.create_namespaced_pod, ns, pod("a", labels={"app": "crud-a"}))
        self.assertEqual(st["reason"], "AlreadyExists")
        self.assertEqual(st["message"], 'pods "a" already exists')
        st = self.raises(404, self.v1.read_namespaced_pod, "zzz", ns)
        self.assertEqual(st["reason"], "NotFound")
        self.assertEqual(st["message"], 'pods "zzz" not found')
        self.assertEqual(st["details"]["name"], "zzz")
        self.assertEqual(st["details"]["kind"], "pods")
        # replace (PUT) with the current resourceVersion
        got.metadata.labels["v"] = "2"
        rep = self.v1.replace_namespaced_pod("a", ns, got)
        self.assertEqual(rep.metadata.labels["v"], "2")
        self.assertGreater(int(rep.metadata.resource_version), int(got.metadata.resource_version))
        # a stale resourceVersion conflicts
        got.metadata.labels["v"] = "3"
        st = self.raises(409, self.v1.replace_namespaced_pod, "a", ns, got)
        self.assertEqual(st["reason"], "Conflict")
        self.assertEqual(st["message"], 'Operation cannot be fulfilled on pods "a": the object has been modified; '
                                        'please apply your changes to the latest version and try again')
        # list with selectors
        self.v1.create_namespaced_pod(ns, pod("b", labels={"app": "crud-b"}))
        lst = self.v1.list_namespaced_pod(ns, label_selector="app=crud-a")
        self.assertEqual([p.metadata.name for p in lst.items], ["a"])
        self.assertRegex(lst.metadata.resource_version, r"^\d+$")
        lst = self.v1.list_namespaced_pod(ns, field_selector="metadata.name=b")
        self.assertEqual([p.metadata.name for p in lst.items], ["b"])
        lst = self.v1.list_namespaced_pod(ns, label_selector="app=none")
        self.assertEqual(lst.items, [])
        lst = self.v1.list_pod_for_all_namespaces(label_selector="app in (crud-a,crud-b)")
        self.assertEqual(sorted((p.metadata.namespace, p.metadata.name) for p in lst.items),
                         [(ns, "a"), (ns, "b")])
        # delete returns the object (or a Status); afterwards it is gone
        self.v1.delete_namespaced_pod("a", ns)
        self.raises(404, self.v1.read_namespaced_pod, "a", ns)
        self.raises(404, self.v1.delete_namespaced_pod, "a", ns)

    def test_patch_types(self):
        ns = self.ns("py-patch")
        d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                      "template": {"metadata": {"labels": {"app": "web"}},
                                   "spec": {"containers": [{"name": "web", "image": "nginx:1.25"},
                                                           {"name": "side", "image": "busybox:1.36"}]}}}}
        apps = self.apps_v1()
        apps.create_namespaced_deployment(ns, d)
        # a dict body is a strategic merge patch: containers merge by name
        apps.patch_namespaced_deployment("web", ns, {"spec": {"template": {"spec": {"containers": [
            {"name": "side", "image": "busybox:1.37"}]}}}})
        got = apps.read_namespaced_deployment("web", ns)
        self.assertEqual([(c.name, c.image) for c in got.spec.template.spec.containers],
                         [("web", "nginx:1.25"), ("side", "busybox:1.37")])
        # a list body is a JSON patch
        apps.patch_namespaced_deployment("web", ns, [{"op": "replace", "path": "/spec/replicas", "value": 3},
                                                     {"op": "remove", "path": "/spec/template/spec/containers/1"}])
        got = apps.read_namespaced_deployment("web", ns)
        self.assertEqual(got.spec.replicas, 3)
        self.assertEqual([c.name for c in got.spec.template.spec.containers], ["web"])
        # merge patch, explicitly
        st, body, _ = self.host.http("PATCH", "/apis/apps/v1/namespaces/%s/deployments/web" % ns,
                                     body={"metadata": {"labels": {"merged": "yes"}}},
                                     headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual(st, 200, body)
        self.assertEqual(apps.read_namespaced_deployment("web", ns).metadata.labels, {"merged": "yes"})
        # a JSON patch that fails its test leaves the object alone
        self.assertRaises(self.ApiException, apps.patch_namespaced_deployment, "web", ns,
                          [{"op": "replace", "path": "/spec/replicas", "value": 9},
                           {"op": "test", "path": "/metadata/name", "value": "other"}])
        self.assertEqual(apps.read_namespaced_deployment("web", ns).spec.replicas, 3)
        # malformed patch: 400 or 422, never 500
        with self.assertRaises(self.ApiException) as ctx:
            apps.patch_namespaced_deployment("web", ns, [{"op": "frobnicate", "path": "/spec"}])
        self.assertIn(ctx.exception.status, (400, 422), ctx.exception.body)

    def test_validation_causes(self):
        ns = self.ns("py-invalid")
        bad = pod("bad")
        bad["spec"]["containers"][0]["image"] = ""
        bad["spec"]["containers"].append({"name": "main", "image": "x"})
        st = self.raises(422, self.v1.create_namespaced_pod, ns, bad)
        self.assertEqual(st["reason"], "Invalid")
        self.assertEqual(st["details"]["name"], "bad")
        self.assertEqual(st["details"]["kind"], "Pod")
        fields = {c.get("field"): c.get("reason") for c in st["details"]["causes"]}
        self.assertEqual(fields.get("spec.containers[0].image"), "FieldValueRequired", st)
        self.assertEqual(fields.get("spec.containers[1].name"), "FieldValueDuplicate", st)
        self.assertTrue(st["message"].startswith('Pod "bad" is invalid: '), st["message"])
        self.assertIn("spec.containers[0].image: Required value", st["message"])
        st = self.raises(422, self.v1.create_namespaced_config_map, ns, cm("Not_Valid"))
        self.assertEqual([c.get("field") for c in st["details"]["causes"]], ["metadata.name"])
        # unknown fields: Strict is a 400, Warn a success with a warning
        st, body, hdrs = self.host.http("POST", "/api/v1/namespaces/%s/configmaps?fieldValidation=Strict" % ns,
                                        body={"metadata": {"name": "strict"}, "dataa": {}})
        self.assertEqual(st, 400, body)
        self.assertIn('unknown field "dataa"', json.loads(body)["message"])
        st, body, hdrs = self.host.http("POST", "/api/v1/namespaces/%s/configmaps?fieldValidation=Warn" % ns,
                                        body={"metadata": {"name": "warn"}, "dataa": {}})
        self.assertEqual(st, 201, body)
        # RFC 7234 warn-text is a quoted-string: inner quotes arrive escaped.
        self.assertEqual(hdrs.get("Warning", ""), '299 - "unknown field \\"dataa\\""')
        st, body, _ = self.host.http("GET", "/api/v1/namespaces/%s/configmaps/warn" % ns)
        self.assertEqual(st, 200, body)
        self.assertNotIn("dataa", json.loads(body), "Warn must drop the unknown field")

    def test_bad_requests(self):
        ns = self.ns("py-bad")
        st, body, _ = self.host.http("POST", "/api/v1/namespaces/%s/configmaps" % ns, body=b'{"metadata": ')
        self.assertEqual(st, 400, body)
        self.assertEqual(json.loads(body)["reason"], "BadRequest")
        big = {"metadata": {"name": "big"}, "data": {"k": "x" * (4 << 20)}}
        self.raises(413, self.v1.create_namespaced_config_map, ns, big)
        st, body, _ = self.host.http("DELETE", "/api/v1/namespaces/%s/configmaps/x/nosuchsub" % ns)
        self.assertEqual(st, 404, body)
        st, body, _ = self.host.http("PATCH", "/api/v1/namespaces/%s/configmaps/x" % ns, body=b"{}",
                                     headers={"Content-Type": "text/plain"})
        self.assertEqual(st, 415, body)
        self.assertEqual(json.loads(body)["reason"], "UnsupportedMediaType")
        # POST to a named object: 405
        st, body, _ = self.host.http("POST", "/api/v1/namespaces/%s/configmaps/x" % ns,
                                     body={"metadata": {"name": "x"}})
        self.assertEqual(st, 405, body)
        self.assertEqual(json.loads(body)["reason"], "MethodNotAllowed")
        # JSON nested far deeper than any object: a 4xx, not a crash
        deep = b'{"metadata":{"name":"deep"},"data":{"k":"v"},"x":' + b"[" * 5000 + b"]" * 5000 + b"}"
        st, body, _ = self.host.http("POST", "/api/v1/namespaces/%s/configmaps" % ns, body=deep)
        self.assertEqual(st, 400, body)
        # a watch parameter that is not a boolean
        st, body, _ = self.host.http("GET", "/api/v1/namespaces/%s/configmaps?watch=maybe" % ns)
        self.assertEqual(st, 400, body)
        # the host survived all of it
        self.assertEqual(self.host.http_get("/readyz")[0], 200)

    def test_terminating_namespace(self):
        """Deleting a namespace marks it Terminating (the namespace
        controller empties it; none runs here); creating in it is 403."""
        ns = self.ns("py-doomed-ns")
        self.v1.create_namespaced_config_map(ns, cm("inside"))
        self.v1.delete_namespace(ns)
        got = self.v1.read_namespace(ns)
        self.assertEqual(got.status.phase, "Terminating")
        self.assertIsNotNone(got.metadata.deletion_timestamp)
        st = self.raises(403, self.v1.create_namespaced_config_map, ns, cm("late"))
        self.assertEqual(st["reason"], "Forbidden")
        self.assertIn("because it is being terminated", st["message"])
        st = self.raises(404, self.v1.create_namespaced_config_map, "py-never-made", cm("x"))
        self.assertEqual(st["message"], 'namespaces "py-never-made" not found')

    def test_authentication(self):
        kc = self.host.read_kubeconfig()
        self.assertTrue(kc.get("token"), "the kubeconfig carries the admin's bearer token")
        st, body, _ = self.host.http("GET", "/api/v1/namespaces", kc=dict(kc, token="wrong-token"))
        self.assertEqual(st, 401, body)
        self.assertEqual(json.loads(body)["reason"], "Unauthorized")
        # over TLS (the default) a token is required, from loopback too
        self.assertTrue(kc["server"].startswith("https://"), kc["server"])
        st, body, _ = self.host.http("GET", "/api/v1/namespaces", kc=dict(kc, token=None))
        self.assertEqual(st, 401, body)

    def test_kinds(self):
        ns = self.ns("py-kinds")
        c = self.client
        sec = self.v1.create_namespaced_secret(ns, {"metadata": {"name": "s"}, "type": "Opaque",
                                                    "data": {"pw": base64.b64encode(b"hunter2").decode()}})
        self.assertEqual(base64.b64decode(self.v1.read_namespaced_secret("s", ns).data["pw"]), b"hunter2")
        self.assertEqual(sec.type, "Opaque")
        self.v1.create_namespaced_service_account(ns, {"metadata": {"name": "robot"}})
        self.assertEqual(self.v1.read_namespaced_service_account("robot", ns).metadata.name, "robot")
        node = self.v1.create_node({"metadata": {"name": "py-node", "labels": {"kubernetes.io/hostname": "py-node"}}})
        self.assertIsNone(node.metadata.namespace)
        self.v1.patch_node_status("py-node", {"status": {"addresses": [{"type": "InternalIP", "address": "10.1.2.3"}]}})
        self.assertEqual(self.v1.read_node("py-node").status.addresses[0].address, "10.1.2.3")
        svc = self.v1.create_namespaced_service(ns, {"metadata": {"name": "np"}, "spec": {
            "type": "NodePort", "selector": {"app": "x"}, "ports": [{"port": 80}]}})
        self.assertTrue(30000 <= svc.spec.ports[0].node_port <= 32767, svc.spec.ports[0])
        self.assertEqual(svc.spec.ports[0].target_port, 80)
        self.v1.create_namespaced_endpoints(ns, {"metadata": {"name": "np"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]})
        ev = self.v1.create_namespaced_event(ns, {"metadata": {"name": "ev1"}, "involvedObject": {
            "kind": "Pod", "name": "thing", "namespace": ns}, "reason": "Testing", "message": "hello", "type": "Normal"})
        self.assertEqual(ev.reason, "Testing")
        lst = self.v1.list_namespaced_event(ns, field_selector="involvedObject.name=thing,involvedObject.kind=Pod")
        self.assertEqual([e.metadata.name for e in lst.items], ["ev1"])
        lease = c.CoordinationV1Api(self.api_client()).create_namespaced_lease(ns, {
            "metadata": {"name": "l"}, "spec": {"holderIdentity": "me", "leaseDurationSeconds": 10}})
        self.assertEqual(lease.spec.holder_identity, "me")
        eps = c.DiscoveryV1Api(self.api_client()).create_namespaced_endpoint_slice(ns, {
            "metadata": {"name": "np-1", "labels": {"kubernetes.io/service-name": "np"}}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80, "name": "", "protocol": "TCP"}]})
        self.assertEqual(eps.address_type, "IPv4")
        rs = self.apps_v1().create_namespaced_replica_set(ns, {"metadata": {"name": "rs"}, "spec": {
            "replicas": 1, "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "m", "image": "x:1"}]}}}})
        self.assertEqual(rs.spec.replicas, 1)

    def test_secret_string_data(self):
        """stringData is write-only: merged into data (base64) on write."""
        ns = self.ns("py-secret")
        self.v1.create_namespaced_secret(ns, {"metadata": {"name": "s"}, "data": {"a": "QQ=="},
                                              "stringData": {"k": "v"}})
        s = self.v1.read_namespaced_secret("s", ns)
        self.assertEqual(s.data, {"a": "QQ==", "k": "dg=="})
        self.assertIsNone(s.string_data)

    def test_scale_and_status_subresources(self):
        ns = self.ns("py-sub")
        apps = self.apps_v1()
        apps.create_namespaced_deployment(ns, {"metadata": {"name": "web"}, "spec": {
            "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}})
        sc = apps.read_namespaced_deployment_scale("web", ns)
        self.assertEqual(sc.spec.replicas, 2)
        self.assertEqual(sc.status.selector, "app=web")
        apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 4}})
        self.assertEqual(apps.read_namespaced_deployment("web", ns).spec.replicas, 4)
        r = self.k("scale", "deployment", "web", "-n", ns, "--replicas=1")
        self.assertEqual(r.out.strip(), "deployment.apps/web scaled")
        self.assertEqual(apps.read_namespaced_deployment("web", ns).spec.replicas, 1)
        r = self.kubectl("scale", "deployment", "web", "-n", ns, "--current-replicas=3", "--replicas=5")
        self.assertFails(r, r"[Ee]xpected replicas to be 3, was 1")
        # status: written only through /status; spec writes keep it
        self.v1.create_namespaced_pod(ns, pod("p"))
        self.v1.patch_namespaced_pod_status("p", ns, {"status": {"phase": "Running", "podIP": "10.9.8.7"}})
        p = self.v1.read_namespaced_pod("p", ns)
        self.assertEqual((p.status.phase, p.status.pod_ip), ("Running", "10.9.8.7"))
        p.status.phase = "Failed"
        p.metadata.labels["x"] = "y"
        p = self.v1.replace_namespaced_pod("p", ns, p)
        self.assertEqual(p.status.phase, "Running", "a PUT of the main resource must ignore .status")
        self.assertEqual(p.metadata.labels["x"], "y")
        # spec changes through /status are ignored
        self.v1.patch_namespaced_pod_status("p", ns, {"metadata": {"labels": {"z": "1"}},
                                                     "spec": {"activeDeadlineSeconds": 5}})
        p = self.v1.read_namespaced_pod("p", ns)
        self.assertIsNone(p.spec.active_deadline_seconds)

    def test_finalizers_deletecollection_dryrun(self):
        ns = self.ns("py-delete")
        self.v1.create_namespaced_config_map(ns, cm("held", finalizers=["e2e.skiff.dev/hold"]))
        self.v1.delete_namespaced_config_map("held", ns)
        held = self.v1.read_namespaced_config_map("held", ns)
        self.assertIsNotNone(held.metadata.deletion_timestamp, "a finalizer keeps the object, marked for deletion")
        self.v1.patch_namespaced_config_map("held", ns, {"metadata": {"finalizers": None}})
        self.raises(404, self.v1.read_namespaced_config_map, "held", ns)
        # deletecollection by label
        for i in range(5):
            self.v1.create_namespaced_config_map(ns, cm("bulk-%d" % i, labels={"bulk": "yes"}))
        self.v1.create_namespaced_config_map(ns, cm("keep"))
        self.v1.delete_collection_namespaced_config_map(ns, label_selector="bulk=yes")
        self.assertEqual([x.metadata.name for x in self.v1.list_namespaced_config_map(ns).items], ["keep"])
        # dryRun=All validates and answers, stores nothing
        out = self.v1.create_namespaced_config_map(ns, cm("dry"), dry_run="All")
        self.assertEqual(out.metadata.name, "dry")
        self.raises(404, self.v1.read_namespaced_config_map, "dry", ns)
        self.v1.delete_namespaced_config_map("keep", ns, dry_run="All")
        self.assertEqual(self.v1.read_namespaced_config_map("keep", ns).metadata.name, "keep")
        # grace period 0 and a propagation policy are accepted
        self.v1.create_namespaced_pod(ns, pod("p"))
        self.v1.delete_namespaced_pod("p", ns, body=self.client.V1DeleteOptions(
            grace_period_seconds=0, propagation_policy="Background"))
        self.raises(404, self.v1.read_namespaced_pod, "p", ns)

    # -- watch -------------------------------------------------------------

    def test_watch_initial_and_live_events(self):
        from kubernetes import watch
        ns = self.ns("py-watch")
        self.v1.create_namespaced_config_map(ns, cm("a"))
        self.v1.create_namespaced_config_map(ns, cm("b"))
        w = watch.Watch()
        seen = []
        acted = False
        for ev in w.stream(self.v1.list_namespaced_config_map, ns, timeout_seconds=30, _request_timeout=60):
            if ev["type"] == "BOOKMARK":
                continue
            seen.append((ev["type"], ev["object"].metadata.name))
            if len(seen) == 2 and not acted:
                acted = True
                self.v1.create_namespaced_config_map(ns, cm("c"))
                self.v1.patch_namespaced_config_map("a", ns, {"data": {"k": "v"}})
                self.v1.delete_namespaced_config_map("b", ns)
            if seen[-1] == ("DELETED", "b"):
                w.stop()
        self.assertEqual(seen, [("ADDED", "a"), ("ADDED", "b"), ("ADDED", "c"), ("MODIFIED", "a"),
                                ("DELETED", "b")])

    def test_watch_from_resource_version(self):
        from kubernetes import watch
        ns = self.ns("py-watch-rv")
        self.v1.create_namespaced_config_map(ns, cm("old"))
        rv = self.v1.list_namespaced_config_map(ns).metadata.resource_version
        self.v1.create_namespaced_config_map(ns, cm("new"))
        self.v1.delete_namespaced_config_map("old", ns)
        w = watch.Watch()
        seen = []
        for ev in w.stream(self.v1.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=30,
                           _request_timeout=60):
            if ev["type"] == "BOOKMARK":
                continue
            seen.append((ev["type"], ev["object"].metadata.name, int(ev["object"].metadata.resource_version)))
            if len(seen) == 2:
                w.stop()
        self.assertEqual([s[:2] for s in seen], [("ADDED", "new"), ("DELETED", "old")])
        self.assertTrue(all(s[2] > int(rv) for s in seen), seen)
        self.assertLess(seen[0][2], seen[1][2])

    def test_watch_timeout_seconds(self):
        """The server ends a watch after timeoutSeconds."""
        from kubernetes import watch
        ns = self.ns("py-watch-timeout")
        start = time.monotonic()
        events = list(watch.Watch().stream(self.v1.list_namespaced_config_map, ns, timeout_seconds=2,
                                           _request_timeout=30))
        took = time.monotonic() - start
        self.assertEqual([e for e in events if e["type"] != "BOOKMARK"], [])
        self.assertGreaterEqual(took, 1.5)
        self.assertLess(took, 20)

    def test_watch_label_selector_cluster_wide(self):
        from kubernetes import watch
        ns1, ns2 = self.ns("py-watch-a"), self.ns("py-watch-b")
        got = []
        w = watch.Watch()
        ready = threading.Event()

        def writer():
            ready.wait(30)
            self.v1.create_namespaced_config_map(ns1, cm("skip", labels={"w": "no"}))
            self.v1.create_namespaced_config_map(ns2, cm("take", labels={"w": "yes"}))
        t = threading.Thread(target=writer)
        t.start()
        try:
            self.v1.create_namespaced_config_map(ns1, cm("first", labels={"w": "yes"}))
            for ev in w.stream(self.v1.list_config_map_for_all_namespaces, label_selector="w=yes",
                               timeout_seconds=30, _request_timeout=60):
                if ev["type"] == "BOOKMARK":
                    continue
                got.append((ev["type"], ev["object"].metadata.namespace, ev["object"].metadata.name))
                ready.set()
                if got[-1][2] == "take":
                    w.stop()
        finally:
            ready.set()
            t.join(60)
        self.assertEqual(got, [("ADDED", ns1, "first"), ("ADDED", ns2, "take")])

    # -- dynamic client ---------------------------------------------------------

    def test_dynamic_client(self):
        from kubernetes.dynamic import DynamicClient
        ns = self.ns("py-dyn")
        dyn = DynamicClient(self.api_client(), cache_file=os.path.join(self.tmp, "dynamic-discovery.json"))
        deps = dyn.resources.get(api_version="apps/v1", kind="Deployment")
        self.assertTrue(deps.namespaced)
        deps.create(namespace=ns, body={"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                                        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                                            "metadata": {"labels": {"a": "b"}},
                                            "spec": {"containers": [{"name": "m", "image": "x:1"}]}}}})
        lst = deps.get(namespace=ns)
        self.assertEqual([i.metadata.name for i in lst.items], ["d"])
        pods = dyn.resources.get(api_version="v1", kind="Pod")
        self.assertEqual(pods.name, "pods")
        self.assertIn("po", pods.short_names)
        nsres = dyn.resources.get(api_version="v1", kind="Namespace")
        self.assertFalse(nsres.namespaced)
        self.assertIn(ns, [i.metadata.name for i in nsres.get().items])


class PythonClientNoLoopbackAdmin(HostTestCase):
    """Plain HTTP (tls: false) with loopback_admin: false: only the bearer
    token authenticates."""

    host_sets = ("plugins.1.config.tls=false", "plugins.1.config.loopback_admin=false")

    def test_token_required(self):
        kc = self.host.read_kubeconfig()
        for token in (None, "wrong-token"):
            st, body, _ = self.host.http("GET", "/api/v1/namespaces", kc=dict(kc, token=token))
            self.assertEqual(st, 401, body)
            self.assertEqual(json.loads(body).get("reason"), "Unauthorized", body)
        for path in ("/version", "/readyz", "/healthz", "/livez"):
            st, body, _ = self.host.http("GET", path, kc=dict(kc, token=None))
            self.assertEqual(st, 200, "%s: %s" % (path, body))
        # the Python client sends the kubeconfig's token, over plain HTTP too
        self.assertTrue(kc["server"].startswith("http://"), kc["server"])
        names = [n.metadata.name for n in self.core_v1().list_namespace().items]
        self.assertIn("default", names)
        # kubectl sends no credentials over plain HTTP
        r = self.kubectl("get", "namespaces")
        self.assertFails(r, r"You must be logged in to the server")


if __name__ == "__main__":
    main()
