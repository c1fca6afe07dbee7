"""Reads with the kubectl dispatcher: `get` in every output format (table,
-o wide, yaml, json, jsonpath, name, custom-columns, --show-labels, -L, -A,
-l, --field-selector, --sort-by), the tables of each kind, `describe`,
`explain` and `api-resources`/`api-versions`.

Fixtures (created once per class through the Python client from the
manifests): namespace `shop` holds pods alpha, bravo (2 containers, on node
node-b) and charlie; namespace `other` holds pod web, deployment web,
service web and configmap app-config.

Run: /usr/bin/python3 -m unittest -v test_kubectl_get
"""

import re

import yaml

from skiffharness import AGE_RE, HostTestCase, check_explain_containers, close_client, main, manifest

POD_HEADS = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
POD_WIDE_HEADS = POD_HEADS + ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]


def load_docs(name):
    with open(manifest(name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


class KubectlGet(HostTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from kubernetes import client
        api = cls.host.api_client()
        try:
            core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
            for ns in ("shop", "other"):
                core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            for d in load_docs("pods.yaml"):
                core.create_namespaced_pod("shop", d)
            for d in load_docs("pod.yaml"):
                core.create_namespaced_pod("other", d)
            apps.create_namespaced_deployment("other", load_docs("deployment.yaml")[0])
            core.create_namespaced_service("other", load_docs("service.yaml")[0])
            core.create_namespaced_config_map("other", load_docs("configmap.yaml")[0])
            core.create_node({"metadata": {"name": "node-b", "labels": {"node-role.kubernetes.io/worker": ""}}})
            core.patch_node_status("node-b", {"status": {
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                "message": "kubelet is posting ready status"}],
                "addresses": [{"type": "InternalIP", "address": "10.0.0.12"}],
                "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "kernelVersion": "6.1.0-test", "containerRuntimeVersion": "containerd://1.7.0",
                             "machineID": "", "systemUUID": "", "bootID": "", "kubeProxyVersion": "",
                             "operatingSystem": "linux", "architecture": "amd64"}}})
            core.create_namespaced_event("other", {
                "metadata": {"name": "web.1"}, "type": "Warning", "reason": "BackOff",
                "message": "Back-off pulling image", "count": 1,
                "involvedObject": {"kind": "Pod", "name": "web", "namespace": "other", "apiVersion": "v1"},
                "source": {"component": "kubelet"}})
        finally:
            close_client(api)

    def names(self, *args):
        return self.k("get", *args, "-o", "name").lines()

    # -- tables ------------------------------------------------------------

    def test_table(self):
        heads, rows = self.k("get", "pods", "-n", "shop").table()
        self.assertEqual(heads, POD_HEADS)
        self.assertEqual([r["NAME"] for r in rows], ["alpha", "bravo", "charlie"])
        by = {r["NAME"]: r for r in rows}
        self.assertEqual(by["alpha"]["READY"], "0/1")
        self.assertEqual(by["bravo"]["READY"], "0/2")
        for r in rows:
            self.assertEqual(r["STATUS"], "Pending")
            self.assertEqual(r["RESTARTS"], "0")
            self.assertRegex(r["AGE"], AGE_RE)
        # one object: a Table with one row too
        heads, rows = self.k("get", "pod", "bravo", "-n", "shop").table()
        self.assertEqual(heads, POD_HEADS)
        self.assertEqual([(r["NAME"], r["READY"]) for r in rows], [("bravo", "0/2")])

    def test_wide(self):
        heads, rows = self.k("get", "pods", "-n", "shop", "-o", "wide").table()
        self.assertEqual(heads, POD_WIDE_HEADS)
        by = {r["NAME"]: r for r in rows}
        self.assertEqual(by["bravo"]["NODE"], "node-b")
        self.assertEqual(by["alpha"]["NODE"], "<none>")
        self.assertEqual(by["alpha"]["IP"], "<none>")
        self.assertEqual(by["alpha"]["NOMINATED NODE"], "<none>")
        heads, rows = self.k("get", "pod", "bravo", "-n", "shop", "-o", "wide").table()
        self.assertEqual(heads, POD_WIDE_HEADS)
        self.assertEqual(rows[0]["NODE"], "node-b")

    def test_other_kinds(self):
        heads, rows = self.k("get", "deployments", "-n", "other").table()
        self.assertEqual(heads, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
        self.assertEqual((rows[0]["NAME"], rows[0]["READY"]), ("web", "0/2"))
        heads, rows = self.k("get", "deploy", "-n", "other", "-o", "wide").table()
        self.assertEqual(heads, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
                                 "CONTAINERS", "IMAGES", "SELECTOR"])
        self.assertEqual((rows[0]["CONTAINERS"], rows[0]["IMAGES"], rows[0]["SELECTOR"]),
                         ("web,sidecar", "nginx:1.25,busybox:1.36", "app=web"))
        heads, rows = self.k("get", "svc", "web", "-n", "other", "-o", "wide").table()
        self.assertEqual(heads, ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"])
        self.assertEqual((rows[0]["TYPE"], rows[0]["PORT(S)"], rows[0]["SELECTOR"]), ("ClusterIP", "80/TCP", "app=web"))
        heads, rows = self.k("get", "cm", "-n", "other").table()
        self.assertEqual(heads, ["NAME", "DATA", "AGE"])
        self.assertIn(("app-config", "3"), [(r["NAME"], r["DATA"]) for r in rows])
        heads, rows = self.k("get", "ns", "shop").table()
        self.assertEqual(heads, ["NAME", "STATUS", "AGE"])
        self.assertEqual((rows[0]["NAME"], rows[0]["STATUS"]), ("shop", "Active"))

    def test_nodes_and_events(self):
        heads, rows = self.k("get", "nodes").table()
        self.assertEqual(heads, ["NAME", "STATUS", "ROLES", "AGE", "VERSION"])
        row = [r for r in rows if r["NAME"] == "node-b"][0]
        self.assertEqual((row["STATUS"], row["ROLES"], row["VERSION"]), ("Ready", "worker", "v1.33.1"))
        heads, rows = self.k("get", "node", "node-b", "-o", "wide").table()
        self.assertEqual(heads, ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP",
                                 "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"])
        self.assertEqual((rows[0]["INTERNAL-IP"], rows[0]["EXTERNAL-IP"], rows[0]["OS-IMAGE"],
                          rows[0]["KERNEL-VERSION"], rows[0]["CONTAINER-RUNTIME"]),
                         ("10.0.0.12", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-test",
                          "containerd://1.7.0"))
        # describe node lists the pods bound to it (fieldSelector spec.nodeName)
        r = self.k("describe", "node", "node-b")
        self.assertRegex(r.out, r"(?m)^\s+shop\s+bravo\s")
        heads, rows = self.k("get", "events", "-n", "other").table()
        self.assertEqual(heads, ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        self.assertEqual([(r["TYPE"], r["REASON"], r["OBJECT"], r["MESSAGE"]) for r in rows],
                         [("Warning", "BackOff", "pod/web", "Back-off pulling image")])
        r = self.k("get", "events", "-A", "--field-selector", "involvedObject.name=web,type=Warning", "-o", "name")
        self.assertEqual(r.lines(), ["event/web.1"])

    def test_several_kinds(self):
        r = self.k("get", "cm,svc", "-n", "other", "-o", "name")
        self.assertIn("configmap/app-config", r.lines())
        self.assertIn("service/web", r.lines())
        r = self.k("get", "all", "-n", "other")
        for name in ("pod/web", "service/web", "deployment.apps/web"):
            self.assertRegex(r.out, r"(?m)^%s\s" % re.escape(name))

    # -- machine formats -----------------------------------------------------

    def test_yaml(self):
        pod = self.k("get", "pod", "alpha", "-n", "shop", "-o", "yaml").yaml()
        self.assertEqual((pod["apiVersion"], pod["kind"]), ("v1", "Pod"))
        self.assertEqual(pod["metadata"]["name"], "alpha")
        self.assertEqual(pod["metadata"]["annotations"]["rank"], "3")
        self.assertEqual(pod["spec"]["containers"][0]["image"], "nginx:1.25")
        lst = self.k("get", "pods", "-n", "shop", "-o", "yaml").yaml()
        self.assertEqual((lst["apiVersion"], lst["kind"]), ("v1", "List"))
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["alpha", "bravo", "charlie"])
        self.assertTrue(all(i["kind"] == "Pod" and i["apiVersion"] == "v1" for i in lst["items"]))

    def test_json(self):
        d = self.k("get", "deploy", "web", "-n", "other", "-o", "json").json()
        self.assertEqual((d["apiVersion"], d["kind"]), ("apps/v1", "Deployment"))
        self.assertEqual(d["spec"]["replicas"], 2)
        self.assertEqual(d["spec"]["selector"], {"matchLabels": {"app": "web"}})
        lst = self.k("get", "pods", "-n", "shop", "-o", "json").json()
        self.assertEqual(len(lst["items"]), 3)
        self.assertEqual([len(i["spec"]["containers"]) for i in lst["items"]], [1, 2, 1])

    def test_jsonpath_name_custom_columns(self):
        r = self.k("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].metadata.name}")
        self.assertEqual(r.out, "alpha bravo charlie")
        r = self.k("get", "pods", "-n", "shop", "-o",
                   'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[*].image}{"\\n"}{end}')
        self.assertEqual(r.lines(), ["alpha=nginx:1.25", "bravo=redis:7.2 oliver006/redis_exporter:v1.55.0",
                                     "charlie=busybox:1.36"])
        r = self.k("get", "pod", "bravo", "-n", "shop", "-o", "jsonpath={.spec.nodeName}")
        self.assertEqual(r.out, "node-b")
        self.assertEqual(self.names("pods", "-n", "shop"), ["pod/alpha", "pod/bravo", "pod/charlie"])
        heads, rows = self.k("get", "pods", "-n", "shop", "-o",
                             "custom-columns=NAME:.metadata.name,RANK:.metadata.annotations.rank,"
                             "IMAGE:.spec.containers[0].image").table()
        self.assertEqual(heads, ["NAME", "RANK", "IMAGE"])
        self.assertEqual([(r["NAME"], r["RANK"], r["IMAGE"]) for r in rows],
                         [("alpha", "3", "nginx:1.25"), ("bravo", "1", "redis:7.2"), ("charlie", "2", "busybox:1.36")])

    # -- labels, namespaces, selectors, sorting ----------------------------------

    def test_show_labels(self):
        heads, rows = self.k("get", "pods", "-n", "shop", "--show-labels").table()
        self.assertEqual(heads, POD_HEADS + ["LABELS"])
        self.assertEqual({r["NAME"]: r["LABELS"] for r in rows},
                         {"alpha": "app=shop,tier=frontend", "bravo": "app=shop,tier=backend", "charlie": "app=tools"})
        heads, rows = self.k("get", "pods", "-n", "shop", "-L", "tier").table()
        self.assertEqual(heads, POD_HEADS + ["TIER"])
        self.assertEqual({r["NAME"]: r["TIER"] for r in rows}, {"alpha": "frontend", "bravo": "backend", "charlie": ""})

    def test_all_namespaces(self):
        heads, rows = self.k("get", "pods", "-A").table()
        self.assertEqual(heads, ["NAMESPACE"] + POD_HEADS)
        pairs = [(r["NAMESPACE"], r["NAME"]) for r in rows]
        for p in (("other", "web"), ("shop", "alpha"), ("shop", "bravo"), ("shop", "charlie")):
            self.assertIn(p, pairs)
        self.assertEqual(pairs, sorted(pairs, key="/".join), "a cluster-wide list comes in namespace/name key order")
        heads, rows = self.k("get", "pods", "--all-namespaces", "-o", "wide").table()
        self.assertEqual(heads, ["NAMESPACE"] + POD_WIDE_HEADS)
        r = self.k("get", "pods", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}")
        for p in ("other/web", "shop/alpha", "shop/bravo", "shop/charlie"):
            self.assertIn(p, r.out.split())

    def test_label_selectors(self):
        cases = [
            ("app=shop", ["alpha", "bravo"]),
            ("app==shop", ["alpha", "bravo"]),
            ("app!=shop", ["charlie"]),
            ("app=shop,tier=backend", ["bravo"]),
            ("tier in (frontend,backend)", ["alpha", "bravo"]),
            ("app notin (shop)", ["charlie"]),
            ("tier", ["alpha", "bravo"]),
            ("!tier", ["charlie"]),
            ("app=nothing", []),
        ]
        for sel, want in cases:
            with self.subTest(selector=sel):
                self.assertEqual(self.names("pods", "-n", "shop", "-l", sel), ["pod/" + n for n in want])
        r = self.k("get", "pods", "-n", "shop", "-l", "app=nothing")
        self.assertIn("No resources found in shop namespace.", r.err)
        heads, rows = self.k("get", "pods", "-A", "-l", "app in (web,tools)").table()
        self.assertEqual([(r["NAMESPACE"], r["NAME"]) for r in rows], [("other", "web"), ("shop", "charlie")])

    def test_field_selectors(self):
        cases = [
            ("metadata.name=bravo", ["bravo"]),
            ("metadata.name!=bravo", ["alpha", "charlie"]),
            ("spec.nodeName=node-b", ["bravo"]),
            ("status.phase=Pending", ["alpha", "bravo", "charlie"]),
            ("status.phase!=Pending", []),
            ("status.phase=Pending,spec.nodeName!=node-b", ["alpha", "charlie"]),
        ]
        for sel, want in cases:
            with self.subTest(selector=sel):
                self.assertEqual(self.names("pods", "-n", "shop", "--field-selector", sel),
                                 ["pod/" + n for n in want])
        r = self.k("get", "pods", "-A", "--field-selector", "metadata.namespace!=shop", "-o", "name")
        self.assertEqual(r.lines(), ["pod/web"])
        r = self.k("get", "cm", "-A", "--field-selector", "metadata.namespace=other,metadata.name=app-config",
                   "-o", "name")
        self.assertEqual(r.lines(), ["configmap/app-config"])
        r = self.kubectl("get", "pods", "-n", "shop", "--field-selector", "spec.containers=x")
        self.assertFails(r, r"field label not supported: spec\.containers")

    def test_sort_by(self):
        self.assertEqual(self.names("pods", "-n", "shop", "--sort-by=.metadata.annotations.rank"),
                         ["pod/bravo", "pod/charlie", "pod/alpha"])
        heads, rows = self.k("get", "pods", "-n", "shop", "--sort-by={.metadata.annotations.rank}").table()
        self.assertEqual(heads, POD_HEADS)
        self.assertEqual([r["NAME"] for r in rows], ["bravo", "charlie", "alpha"])
        heads, rows = self.k("get", "pods", "-n", "shop", "--sort-by=.spec.containers[0].image", "-o", "wide").table()
        self.assertEqual([r["NAME"] for r in rows], ["charlie", "alpha", "bravo"])
        self.assertEqual(heads, POD_WIDE_HEADS)

    # -- errors ------------------------------------------------------------

    def test_not_found(self):
        r = self.kubectl("get", "pod", "nope", "-n", "shop")
        self.assertFails(r, r'^Error from server \(NotFound\): pods "nope" not found')
        self.assertEqual(r.rc, 1)
        r = self.kubectl("get", "deploy", "nope", "-n", "shop", "-o", "json")
        self.assertFails(r, r'deployments\.apps "nope" not found')
        r = self.kubectl("get", "frobnicators")
        self.assertFails(r, r'the server doesn\'t have a resource type "frobnicators"')

    # -- describe, explain, discovery ------------------------------------------

    def test_describe(self):
        r = self.k("describe", "pod", "bravo", "-n", "shop")
        self.assertRegex(r.out, r"(?m)^Name:\s+bravo$")
        self.assertRegex(r.out, r"(?m)^Namespace:\s+shop$")
        self.assertRegex(r.out, r"(?m)^Node:\s+node-b")
        self.assertRegex(r.out, r"(?m)^\s+Image:\s+redis:7\.2$")
        r = self.k("describe", "deployment", "web", "-n", "other")
        self.assertRegex(r.out, r"(?m)^Replicas:\s+2 desired")
        self.assertRegex(r.out, r"(?m)^Selector:\s+app=web$")

    def test_explain(self):
        check_explain_containers(self, self.kubectl("explain", "pod.spec.containers"))
        r = self.k("explain", "deployment.spec.replicas")
        self.assertRegex(r.out, r"(?m)^KIND:\s+Deployment$")
        self.assertRegex(r.out, r"(?m)^GROUP:\s+apps$")
        self.assertRegex(r.out, r"(?m)^VERSION:\s+v1$")
        self.assertRegex(r.out, r"(?m)^(FIELD|RESOURCE):\s+replicas\s+<integer>")
        r = self.k("explain", "services")
        self.assertRegex(r.out, r"(?m)^KIND:\s+Service$")
        self.assertRegex(r.out, r"(?m)^\s+spec\s+<ServiceSpec>")
        r = self.kubectl("explain", "pod.spec.nope")
        self.assertFails(r, r'field "nope" does not exist')

    def test_cluster_info_and_raw(self):
        r = self.k("cluster-info")
        self.assertIn("Kubernetes control plane is running at https://127.0.0.1:%d" % self.host.port, r.out)
        r = self.k("get", "--raw", "/api/v1/namespaces/shop/pods/alpha")
        self.assertEqual(r.json()["metadata"]["name"], "alpha")
        r = self.k("get", "--raw", "/metrics")
        self.assertRegex(r.out, r'(?m)^apiserver_request_total\{.*verb="(GET|LIST)".*\} \d+')
        self.assertRegex(r.out, r"(?m)^# TYPE apiserver_request_duration_seconds histogram$")
        r = self.k("get", "--raw", "/readyz")
        self.assertEqual(r.out.strip(), "ok")
        self.assertEqual(self.k("get", "svc", "kubernetes", "-n", "default", "-o",
                                "jsonpath={.spec.ports[0].port}").out, "443")

    def test_api_resources(self):
        r = self.k("api-resources", "--api-group=apps", "-o", "name")
        self.assertEqual(sorted(r.lines()), ["deployments.apps", "replicasets.apps"])
        r = self.k("api-resources", "--namespaced=false", "-o", "name")
        self.assertIn("namespaces", r.lines())
        self.assertIn("nodes", r.lines())
        self.assertNotIn("pods", r.lines())
        heads, rows = self.k("api-resources", "-o", "wide").table()
        self.assertEqual(heads[:6], ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS"])
        pods = [row for row in rows if row["NAME"] == "pods"][0]
        verbs = set(pods["VERBS"].strip("[]").replace(",", " ").split())
        self.assertTrue({"create", "delete", "deletecollection", "get", "list", "patch", "update",
                         "watch"} <= verbs, pods)
        r = self.k("api-versions")
        for gv in ("v1", "apps/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1"):
            self.assertIn(gv, r.lines())


if __name__ == "__main__":
    main()
