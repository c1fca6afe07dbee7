"""The same everyday kubectl session with every kubectl minor shipped beside
the dispatcher (kubectl.1.27 ... kubectl.1.33, run directly) and with the
dispatcher itself (`kubectl` on PATH, which picks kubectl.1.<minor> by the
server's /version).

What differs between minors and matters to the server: 1.27-1.29 understand
only aggregated discovery v2beta1 (1.30+ ask for v2 first), and 1.27/1.28
validate manifests only against /openapi/v2 (protobuf), which the issue does
not require; so while the server answers 404 there, create/apply/replace with
those two run with --validate=false and their `explain` (which needs v2 too)
is skipped (everything else is the same). Each minor works in its own
namespaces on one host per class.

Run: /usr/bin/python3 -m unittest -v test_kubectl_minors            (all)
     /usr/bin/python3 -m unittest -v test_kubectl_minors.Kubectl_1_29
"""

import json
import re

import yaml

from skiffharness import (AGE_RE, MINORS, HostTestCase, check_explain_containers, kubectl_binary, kubectl_dir,
                          main, manifest, watch_open)

# Minors whose create/apply validation needs /openapi/v2 (protobuf).
NEEDS_OPENAPI_V2 = (27, 28)

API_RESOURCES = [
    # NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND
    ("pods", "po", "v1", "true", "Pod"),
    ("namespaces", "ns", "v1", "false", "Namespace"),
    ("nodes", "no", "v1", "false", "Node"),
    ("services", "svc", "v1", "true", "Service"),
    ("configmaps", "cm", "v1", "true", "ConfigMap"),
    ("secrets", "", "v1", "true", "Secret"),
    ("endpoints", "ep", "v1", "true", "Endpoints"),
    ("events", "ev", "v1", "true", "Event"),
    ("serviceaccounts", "sa", "v1", "true", "ServiceAccount"),
    ("deployments", "deploy", "apps/v1", "true", "Deployment"),
    ("replicasets", "rs", "apps/v1", "true", "ReplicaSet"),
    ("leases", "", "coordination.k8s.io/v1", "true", "Lease"),
    ("endpointslices", "", "discovery.k8s.io/v1", "true", "EndpointSlice"),
]


class MinorSession:
    """Mixin: one kubectl minor (None: the dispatcher) through the usual
    commands. Subclasses set `minor`."""

    minor = None

    def ns(self, what):
        name = "m%s-%s" % ("d" if self.minor is None else self.minor, what)
        self.create_namespace(name)
        return name

    def kc(self, *args, **kw):
        return self.kubectl(*args, minor=self.minor, **kw)

    def kok(self, *args, **kw):
        r = self.kc(*args, **kw)
        self.assertOk(r)
        return r

    def serves_openapi_v2(self):
        st, _ = self.host.http_get("/openapi/v2")
        return st == 200

    def validate(self):
        if self.minor in NEEDS_OPENAPI_V2 and not self.serves_openapi_v2():
            return ["--validate=false"]
        return []

    def test_version(self):
        v = self.kok("version", "-o", "json").json()
        sv = v.get("serverVersion")
        self.assertIsNotNone(sv, "no serverVersion in %r" % v)
        self.assertEqual(sv["major"], "1")
        m = re.match(r"^v1\.(\d+)\.\d+", sv["gitVersion"])
        self.assertTrue(m, "gitVersion %r" % sv["gitVersion"])
        self.assertEqual(sv["minor"].rstrip("+"), m.group(1))
        cv = v["clientVersion"]
        if self.minor is not None:
            self.assertEqual(cv["minor"], str(self.minor))
        else:
            # The dispatcher execs kubectl.1.<server minor> when it has one.
            smin = int(m.group(1))
            if smin in MINORS:
                self.assertEqual(cv["minor"], str(smin),
                                 "dispatcher did not pick kubectl.1.%d: %r" % (smin, v))

    def test_api_resources(self):
        r = self.kok("api-resources")
        heads, rows = r.table()
        self.assertEqual(heads, ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"])
        have = {(row["NAME"], row["APIVERSION"]): row for row in rows}
        for name, short, gv, namespaced, kind in API_RESOURCES:
            row = have.get((name, gv))
            self.assertIsNotNone(row, "%s (%s) missing from api-resources:\n%r" % (name, gv, r))
            if short:
                self.assertIn(short, row["SHORTNAMES"].split(","), row)
            self.assertEqual(row["NAMESPACED"], namespaced, row)
            self.assertEqual(row["KIND"], kind, row)
        # Discovery through a short name and a category works too.
        ns = self.ns("disc")
        r = self.kc("get", "po", "-n", ns)
        self.assertOk(r)
        self.assertIn("No resources found in %s namespace." % ns, r.err)
        r = self.kc("get", "all", "-n", ns)
        self.assertOk(r)
        self.assertIn("No resources found in %s namespace." % ns, r.err)

    def test_create_get_delete(self):
        ns = self.ns("crud")
        r = self.kok("create", "-f", manifest("pod.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "pod/web created")
        heads, rows = self.kok("get", "pods", "-n", ns).table()
        self.assertEqual(heads, ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        self.assertEqual(len(rows), 1, rows)
        row = rows[0]
        self.assertEqual((row["NAME"], row["READY"], row["STATUS"], row["RESTARTS"]),
                         ("web", "0/1", "Pending", "0"))
        self.assertRegex(row["AGE"], AGE_RE)
        r = self.kok("get", "pod", "web", "-n", ns, "-o", "jsonpath={.spec.containers[0].image}")
        self.assertEqual(r.out, "nginx:1.25")
        r = self.kc("create", "-f", manifest("pod.yaml"), "-n", ns, *self.validate())
        self.assertFails(r, r'Error from server \(AlreadyExists\).*pods "web" already exists')
        r = self.kok("delete", "-f", manifest("pod.yaml"), "-n", ns)
        self.assertRegex(r.out, r'^pod "web" deleted')
        r = self.kc("get", "pod", "web", "-n", ns)
        self.assertFails(r, r'Error from server \(NotFound\): pods "web" not found')
        self.assertEqual(r.rc, 1)

    def test_apply_client_side(self):
        ns = self.ns("apply")
        r = self.kok("apply", "-f", manifest("configmap.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "configmap/app-config created")
        r = self.kok("apply", "-f", manifest("configmap-v2.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "configmap/app-config configured")
        cm = self.kok("get", "configmap", "app-config", "-n", ns, "-o", "json").json()
        self.assertEqual(cm["data"], {"color": "red", "size": "large"})
        self.assertEqual(cm["metadata"]["labels"], {"app": "web", "stage": "two"})
        last = json.loads(cm["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
        self.assertEqual(last["data"], {"color": "red", "size": "large"})
        r = self.kok("apply", "-f", manifest("configmap-v2.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "configmap/app-config unchanged")

    def test_apply_server_side(self):
        ns = self.ns("ssa")
        r = self.kok("apply", "--server-side", "-f", manifest("service.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "service/web serverside-applied")
        r = self.kok("apply", "--server-side", "-f", manifest("service-v2.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "service/web serverside-applied")
        svc = self.kok("get", "service", "web", "-n", ns, "-o", "json").json()
        self.assertEqual([(p["name"], p["port"]) for p in svc["spec"]["ports"]],
                         [("http", 80), ("metrics", 9090)])
        self.assertEqual(svc["metadata"]["labels"], {"app": "web", "version": "v2"})
        self.assertRegex(svc["spec"].get("clusterIP", ""), r"^\d+\.\d+\.\d+\.\d+$")

    def test_replace(self):
        ns = self.ns("replace")
        self.kok("create", "-f", manifest("configmap.yaml"), "-n", ns, *self.validate())
        r = self.kok("replace", "-f", manifest("configmap-replace.yaml"), "-n", ns, *self.validate())
        self.assertEqual(r.out.strip(), "configmap/app-config replaced")
        r = self.kok("get", "cm", "app-config", "-n", ns, "-o", "jsonpath={.data}")
        self.assertEqual(json.loads(r.out), {"replaced": "yes"})

    def test_patch_label_annotate(self):
        ns = self.ns("patch")
        self.kok("create", "-f", manifest("deployment.yaml"), "-n", ns, *self.validate())
        images = "jsonpath={.spec.template.spec.containers[*].image}"
        # strategic (kubectl's default): the sidecar is merged by name, web stays
        r = self.kok("patch", "deployment", "web", "-n", ns, "-p",
                     '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}')
        self.assertEqual(r.out.strip(), "deployment.apps/web patched")
        self.assertEqual(self.kok("get", "deploy", "web", "-n", ns, "-o", images).out,
                         "nginx:1.25 busybox:1.37")
        r = self.kok("patch", "deployment", "web", "-n", ns, "--type=merge", "-p", '{"spec":{"replicas":5}}')
        self.assertEqual(r.out.strip(), "deployment.apps/web patched")
        r = self.kok("patch", "deployment", "web", "-n", ns, "--type=json", "-p",
                     '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.26"}]')
        self.assertEqual(r.out.strip(), "deployment.apps/web patched")
        r = self.kok("label", "deployment", "web", "-n", ns, "env=test")
        self.assertEqual(r.out.strip(), "deployment.apps/web labeled")
        r = self.kok("annotate", "deployment", "web", "-n", ns, "owner=e2e")
        # kubectl 1.27 itself prints "annotate" (fixed in 1.28)
        self.assertRegex(r.out.strip(), r"^deployment\.apps/web annotated?$")
        d = self.kok("get", "deploy", "web", "-n", ns, "-o", "json").json()
        self.assertEqual(d["spec"]["replicas"], 5)
        self.assertEqual([c["image"] for c in d["spec"]["template"]["spec"]["containers"]],
                         ["nginx:1.26", "busybox:1.37"])
        self.assertEqual(d["metadata"]["labels"], {"app": "web", "env": "test"})
        self.assertEqual(d["metadata"]["annotations"].get("owner"), "e2e")

    def test_create_imperative(self):
        """`create namespace` / `create configmap`: kubectl >= 1.32 sends
        protobuf bodies for these."""
        ns = "m%s-imperative" % ("d" if self.minor is None else self.minor)
        r = self.kc("create", "namespace", ns)
        self.assertOk(r)
        self.assertEqual(r.out.strip(), "namespace/%s created" % ns)
        r = self.kok("create", "configmap", "lit", "--from-literal=a=1", "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/lit created")
        r = self.kok("get", "cm", "lit", "-n", ns, "-o", "jsonpath={.data.a}")
        self.assertEqual(r.out, "1")

    def test_get_formats(self):
        ns = self.ns("get")
        v1 = self.core_v1()
        with open(manifest("pods.yaml")) as f:
            for d in yaml.safe_load_all(f):
                v1.create_namespaced_pod(ns, d)
        heads, rows = self.kok("get", "pods", "-n", ns, "-o", "wide").table()
        self.assertEqual(heads, ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
                                 "READINESS GATES"])
        self.assertEqual([(r["NAME"], r["READY"], r["NODE"]) for r in rows],
                         [("alpha", "0/1", "<none>"), ("bravo", "0/2", "node-b"), ("charlie", "0/1", "<none>")])
        heads, rows = self.kok("get", "pods", "-n", ns, "--show-labels", "-l", "app=shop").table()
        self.assertEqual(heads[-1], "LABELS")
        self.assertEqual([(r["NAME"], r["LABELS"]) for r in rows],
                         [("alpha", "app=shop,tier=frontend"), ("bravo", "app=shop,tier=backend")])
        heads, rows = self.kok("get", "pods", "-A", "--field-selector", "spec.nodeName=node-b").table()
        self.assertEqual(heads[:2], ["NAMESPACE", "NAME"])
        self.assertEqual([(r["NAMESPACE"], r["NAME"]) for r in rows], [(ns, "bravo")])
        lst = self.kok("get", "pods", "-n", ns, "-o", "yaml").yaml()
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["alpha", "bravo", "charlie"])
        r = self.kok("get", "pods", "-n", ns, "--sort-by=.metadata.annotations.rank", "-o", "name")
        self.assertEqual(r.lines(), ["pod/bravo", "pod/charlie", "pod/alpha"])

    def test_get_watch(self):
        ns = self.ns("watch")
        v1 = self.core_v1()
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "first"}, "data": {"a": "1"}})
        w = self.kubectl_bg("get", "cm", "-n", ns, "-w", "-v=6", minor=self.minor)
        w.wait_for(lambda o, e: re.search(r"(?m)^first\s+1\s", o) and watch_open(o, e), 60,
                   "the first row and an open watch")
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "second"}, "data": {"a": "1", "b": "2"}})
        w.wait_for(lambda o, e: re.search(r"(?m)^second\s+2\s", o), 60, "the new configmap's row")
        r = w.stop()
        lines = [l for l in r.out.splitlines() if l.strip()]
        self.assertRegex(lines[0], r"^NAME\s+DATA\s+AGE$")
        self.assertEqual([l.split()[0] for l in lines[1:]], ["first", "second"], r)

    def test_explain(self):
        if self.minor in NEEDS_OPENAPI_V2 and not self.serves_openapi_v2():
            # 1.27/1.28 explain starts by fetching /openapi/v2 and stops at
            # its 404 ("Error from server (NotFound): the server could not
            # find the requested resource"), before it looks at v3.
            self.skipTest("kubectl 1.%d explain needs /openapi/v2, which the server does not serve" % self.minor)
        check_explain_containers(self, self.kc("explain", "pod.spec.containers"))


def _make(minor):
    name = "KubectlDispatcher" if minor is None else "Kubectl_1_%d" % minor
    cls = type(name, (MinorSession, HostTestCase), {"minor": minor, "__doc__":
               "kubectl %s against one host." % ("dispatcher" if minor is None else "1.%d" % minor)})
    globals()[name] = cls
    return cls


for _m in MINORS + (None,):
    _make(_m)
del _m


class DispatcherOlderServer(HostTestCase):
    """The dispatcher picks kubectl.1.29 when the server reports v1.29.x
    (apiserver option kubernetes_version), and that kubectl (aggregated
    discovery v2beta1 only) works against it."""

    host_sets = ("plugins.1.config.kubernetes_version=v1.29.14",)

    def test_dispatcher_picks_server_minor(self):
        if kubectl_binary(29) is None:
            self.skipTest("kubectl.1.29 is not installed in %s" % kubectl_dir())
        v = self.k("version", "-o", "json").json()
        self.assertEqual((v["serverVersion"]["major"], v["serverVersion"]["minor"]), ("1", "29"))
        self.assertEqual(v["serverVersion"]["gitVersion"], "v1.29.14")
        self.assertEqual(v["clientVersion"]["minor"], "29", v)
        ns = "older"
        self.create_namespace(ns)
        r = self.k("create", "-f", manifest("configmap.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/app-config created")
        heads, rows = self.k("get", "cm", "-n", ns).table()
        self.assertEqual(heads, ["NAME", "DATA", "AGE"])
        self.assertEqual([(r["NAME"], r["DATA"]) for r in rows], [("app-config", "3")])


if __name__ == "__main__":
    main()
