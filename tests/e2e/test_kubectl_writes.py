"""Writes with the kubectl dispatcher (the `kubectl` on PATH) from the YAML
manifests in manifests/: create (multi-document, generateName,
--dry-run=server, defaults), imperative create/run/expose (kubectl >= 1.32
sends these as protobuf), apply client-side (three-way merge, strategic
merge directives) and --server-side (managedFields), diff, edit, replace
(and --force), patch (strategic, merge, json), set image and generation,
label/annotate, delete (by file, by label, graceful delete of a scheduled
pod), conflicts (409 on a stale resourceVersion) and validation errors (422
with the field path; 400 for unknown fields under Strict; dropped under
Ignore; immutable fields; a missing namespace).

Run: /usr/bin/python3 -m unittest -v test_kubectl_writes
"""

import json
import re
import subprocess

from skiffharness import HostTestCase, main, manifest

CONFLICT_MSG = (r'Operation cannot be fulfilled on configmaps "%s": the object has been modified; '
                r'please apply your changes to the latest version and try again')


class KubectlWrites(HostTestCase):

    def get_json(self, *args):
        return self.k("get", *args, "-o", "json").json()

    def test_namespace_from_manifest(self):
        r = self.k("create", "-f", manifest("namespace.yaml"))
        self.assertEqual(r.out.strip(), "namespace/e2e-manifests created")
        ns = self.get_json("namespace", "e2e-manifests")
        self.assertEqual(ns["metadata"]["labels"].get("team"), "e2e")
        self.assertEqual(ns.get("status", {}).get("phase"), "Active")
        r = self.kubectl("create", "-f", manifest("namespace.yaml"))
        self.assertFails(r, r'Error from server \(AlreadyExists\): error when creating ".*namespace\.yaml": '
                            r'namespaces "e2e-manifests" already exists')
        heads, rows = self.k("get", "namespaces").table()
        self.assertEqual(heads, ["NAME", "STATUS", "AGE"])
        names = {row["NAME"]: row["STATUS"] for row in rows}
        self.assertEqual(names.get("e2e-manifests"), "Active", rows)
        self.assertEqual(names.get("default"), "Active", rows)

    def test_create_sets_metadata_and_defaults(self):
        ns = self.create_namespace("w-create")
        self.k("create", "-f", manifest("pod.yaml"), "-n", ns)
        pod = self.get_json("pod", "web", "-n", ns)
        md = pod["metadata"]
        self.assertEqual(md["namespace"], ns)
        self.assertRegex(md.get("uid", ""), r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertRegex(md.get("creationTimestamp", ""), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(md.get("resourceVersion", ""), r"^\d+$")
        spec = pod["spec"]
        self.assertEqual(spec.get("restartPolicy"), "Always")
        self.assertEqual(spec.get("dnsPolicy"), "ClusterFirst")
        self.assertEqual(spec.get("terminationGracePeriodSeconds"), 30)
        c = spec["containers"][0]
        self.assertEqual(c.get("imagePullPolicy"), "IfNotPresent")
        self.assertEqual(c["ports"][0].get("protocol"), "TCP")
        self.assertEqual(pod.get("status", {}).get("phase"), "Pending")
        # the Deployment and Service defaults of the real API
        self.k("create", "-f", manifest("deployment.yaml"), "-f", manifest("service.yaml"), "-n", ns)
        d = self.get_json("deploy", "web", "-n", ns)["spec"]
        self.assertEqual(d["strategy"], {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        self.assertEqual((d.get("revisionHistoryLimit"), d.get("progressDeadlineSeconds")), (10, 600))
        self.assertEqual(d["template"]["spec"].get("restartPolicy"), "Always")
        s = self.get_json("svc", "web", "-n", ns)["spec"]
        self.assertEqual((s.get("type"), s.get("sessionAffinity")), ("ClusterIP", "None"))
        self.assertEqual(s["ports"][0].get("protocol"), "TCP")
        self.assertEqual(s.get("clusterIPs"), [s.get("clusterIP")])
        # multi-document file
        r = self.k("create", "-f", manifest("pods.yaml"), "-n", ns)
        self.assertEqual(r.lines(), ["pod/alpha created", "pod/bravo created", "pod/charlie created"])

    def test_generate_name(self):
        ns = self.create_namespace("w-gen")
        r1 = self.k("create", "-f", manifest("pod-generatename.yaml"), "-n", ns)
        r2 = self.k("create", "-f", manifest("pod-generatename.yaml"), "-n", ns)
        m1 = re.fullmatch(r"pod/(gen-[a-z0-9]{5}) created", r1.out.strip())
        m2 = re.fullmatch(r"pod/(gen-[a-z0-9]{5}) created", r2.out.strip())
        self.assertTrue(m1 and m2, (r1, r2))
        self.assertNotEqual(m1.group(1), m2.group(1))
        r = self.k("get", "pods", "-n", ns, "-l", "app=gen", "-o", "name")
        self.assertEqual(sorted(r.lines()), sorted(["pod/" + m1.group(1), "pod/" + m2.group(1)]))

    def test_dry_run_server(self):
        ns = self.create_namespace("w-dry")
        r = self.k("create", "-f", manifest("pod.yaml"), "-n", ns, "--dry-run=server")
        self.assertEqual(r.out.strip(), "pod/web created (server dry run)")
        r = self.kubectl("get", "pod", "web", "-n", ns)
        self.assertFails(r, r'pods "web" not found')

    def test_apply_client_side_three_way(self):
        ns = self.create_namespace("w-apply")
        r = self.k("apply", "-f", manifest("configmap.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/app-config created")
        cm = self.get_json("cm", "app-config", "-n", ns)
        last = json.loads(cm["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
        self.assertEqual(last["data"], {"color": "blue", "size": "large", "mode": "fast"})
        # A change made by someone else survives the next apply (three-way merge).
        self.k("patch", "cm", "app-config", "-n", ns, "--type=merge", "-p", '{"data":{"extra":"kept"}}')
        r = self.k("apply", "-f", manifest("configmap-v2.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/app-config configured")
        cm = self.get_json("cm", "app-config", "-n", ns)
        self.assertEqual(cm["data"], {"color": "red", "size": "large", "extra": "kept"})
        self.assertEqual(cm["metadata"]["labels"], {"app": "web", "stage": "two"})
        r = self.k("apply", "-f", manifest("configmap-v2.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/app-config unchanged")

    def test_apply_deployment_strategic_directives(self):
        """Client-side apply of deployment-v2.yaml sends $setElementOrder and
        $patch: delete for the removed container and env var; a server that
        treats it as a merge patch corrupts the lists."""
        ns = self.create_namespace("w-smp")
        r = self.k("apply", "-f", manifest("deployment.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web created")
        d = self.get_json("deploy", "web", "-n", ns)
        self.assertEqual(d["metadata"].get("generation"), 1)
        r = self.k("apply", "-f", manifest("deployment-v2.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web configured")
        d = self.get_json("deploy", "web", "-n", ns)
        cs = d["spec"]["template"]["spec"]["containers"]
        self.assertEqual([c["name"] for c in cs], ["web"], cs)
        self.assertEqual(cs[0]["image"], "nginx:1.27")
        self.assertEqual(cs[0]["env"], [{"name": "A", "value": "1"}])
        self.assertEqual([p["containerPort"] for p in cs[0]["ports"]], [80])
        self.assertEqual(d["spec"]["replicas"], 3)
        self.assertEqual(d["metadata"]["generation"], 2, "generation must be bumped by a spec change")
        text = json.dumps(d)
        self.assertNotIn("$patch", text)
        self.assertNotIn("$setElementOrder", text)

    def test_apply_server_side(self):
        ns = self.create_namespace("w-ssa")
        r = self.k("apply", "--server-side", "-f", manifest("service.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "service/web serverside-applied")
        svc = self.get_json("svc", "web", "-n", ns, "--show-managed-fields")
        ip = svc["spec"].get("clusterIP", "")
        self.assertRegex(ip, r"^\d+\.\d+\.\d+\.\d+$")
        self.assertEqual(svc["spec"].get("type"), "ClusterIP")
        self.assertEqual(svc["spec"]["ports"][0].get("protocol"), "TCP")
        self.assertEqual(svc["spec"]["ports"][0].get("targetPort"), 8080)
        r = self.k("apply", "--server-side", "-f", manifest("service-v2.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "service/web serverside-applied")
        svc = self.get_json("svc", "web", "-n", ns)
        self.assertEqual([(p["name"], p["port"]) for p in svc["spec"]["ports"]], [("http", 80), ("metrics", 9090)])
        self.assertEqual(svc["spec"]["clusterIP"], ip, "clusterIP is immutable and must be kept")
        heads, rows = self.k("get", "svc", "web", "-n", ns).table()
        self.assertEqual(heads, ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
        self.assertEqual((rows[0]["NAME"], rows[0]["TYPE"], rows[0]["CLUSTER-IP"], rows[0]["EXTERNAL-IP"],
                          rows[0]["PORT(S)"]), ("web", "ClusterIP", ip, "<none>", "80/TCP,9090/TCP"))
        # apply --server-side on an object created by apply keeps working
        self.k("apply", "-f", manifest("configmap.yaml"), "-n", ns)
        r = self.k("apply", "--server-side", "-f", manifest("configmap-v2.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/app-config serverside-applied")
        cm = self.get_json("cm", "app-config", "-n", ns)
        self.assertEqual(cm["data"]["color"], "red")

    def test_apply_server_side_managed_fields(self):
        ns = self.create_namespace("w-ssa-mf")
        self.k("apply", "--server-side", "-f", manifest("configmap.yaml"), "-n", ns)
        cm = self.get_json("cm", "app-config", "-n", ns, "--show-managed-fields")
        managers = [(m.get("manager"), m.get("operation")) for m in cm["metadata"].get("managedFields") or []]
        self.assertIn(("kubectl", "Apply"), managers, cm["metadata"])
        mf = [m for m in cm["metadata"]["managedFields"] if m.get("manager") == "kubectl"][0]
        self.assertEqual(mf.get("fieldsType"), "FieldsV1")
        self.assertIn("f:data", mf.get("fieldsV1", {}))
        # without --show-managed-fields kubectl hides them
        cm = self.get_json("cm", "app-config", "-n", ns)
        self.assertNotIn("managedFields", cm["metadata"])

    def test_replace(self):
        ns = self.create_namespace("w-replace")
        self.k("create", "-f", manifest("configmap.yaml"), "-n", ns)
        rv0 = self.get_json("cm", "app-config", "-n", ns)["metadata"]["resourceVersion"]
        r = self.k("replace", "-f", manifest("configmap-replace.yaml"), "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/app-config replaced")
        cm = self.get_json("cm", "app-config", "-n", ns)
        self.assertEqual(cm["data"], {"replaced": "yes"})
        self.assertGreater(int(cm["metadata"]["resourceVersion"]), int(rv0))
        r = self.kubectl("replace", "-f", manifest("pod.yaml"), "-n", ns)
        self.assertFails(r, r'pods "web" not found')

    def test_replace_force(self):
        ns = self.create_namespace("w-replace-force")
        self.k("create", "-f", manifest("configmap.yaml"), "-n", ns)
        uid0 = self.get_json("cm", "app-config", "-n", ns)["metadata"]["uid"]
        r = self.k("replace", "--force", "-f", manifest("configmap-replace.yaml"), "-n", ns)
        self.assertRegex(r.lines()[0], r'^configmap "app-config" deleted')
        self.assertEqual(r.lines()[-1], "configmap/app-config replaced")
        cm = self.get_json("cm", "app-config", "-n", ns)
        self.assertNotEqual(cm["metadata"]["uid"], uid0, "replace --force deletes and recreates")
        self.assertEqual(cm["data"], {"replaced": "yes"})

    def test_replace_stale_resource_version_conflicts(self):
        ns = self.create_namespace("w-conflict")
        self.k("create", "-f", manifest("configmap.yaml"), "-n", ns)
        stale = self.k("get", "cm", "app-config", "-n", ns, "-o", "yaml").out
        self.k("label", "cm", "app-config", "-n", ns, "touched=yes")
        r = self.kubectl("replace", "-f", "-", "-n", ns, input=stale)
        self.assertFails(r, r'Error from server \(Conflict\).*' + CONFLICT_MSG % "app-config")
        # the winning write is intact
        cm = self.get_json("cm", "app-config", "-n", ns)
        self.assertEqual(cm["metadata"]["labels"].get("touched"), "yes")

    def test_patch_types(self):
        ns = self.create_namespace("w-patch")
        self.k("create", "-f", manifest("deployment.yaml"), "-n", ns)
        # strategic (default): containers merge by name; env merges by name
        r = self.k("patch", "deploy", "web", "-n", ns, "-p",
                   '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"C","value":"3"}]}]}}}}')
        self.assertEqual(r.out.strip(), "deployment.apps/web patched")
        d = self.get_json("deploy", "web", "-n", ns)
        cs = d["spec"]["template"]["spec"]["containers"]
        self.assertEqual([c["name"] for c in cs], ["web", "sidecar"])
        self.assertEqual(sorted(e["name"] for e in cs[0]["env"]), ["A", "B", "C"])
        self.assertEqual(cs[0]["image"], "nginx:1.25")
        # strategic $patch: delete of one list element
        self.k("patch", "deploy", "web", "-n", ns, "--type=strategic", "-p",
               '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}')
        cs = self.get_json("deploy", "web", "-n", ns)["spec"]["template"]["spec"]["containers"]
        self.assertEqual([c["name"] for c in cs], ["web"])
        # merge patch: null deletes a key, lists are replaced whole
        self.k("label", "deploy", "web", "-n", ns, "gone=soon")
        r = self.k("patch", "deploy", "web", "-n", ns, "--type=merge", "-p",
                   '{"metadata":{"labels":{"gone":null}},"spec":{"replicas":4}}')
        self.assertEqual(r.out.strip(), "deployment.apps/web patched")
        d = self.get_json("deploy", "web", "-n", ns)
        self.assertNotIn("gone", d["metadata"]["labels"])
        self.assertEqual(d["spec"]["replicas"], 4)
        # JSON patch, with a failing test op: nothing applied, 422 from the server
        r = self.k("patch", "deploy", "web", "-n", ns, "--type=json", "-p",
                   '[{"op":"add","path":"/metadata/labels/j","value":"k"},'
                   '{"op":"replace","path":"/spec/replicas","value":1}]')
        self.assertEqual(r.out.strip(), "deployment.apps/web patched")
        d = self.get_json("deploy", "web", "-n", ns)
        self.assertEqual(d["metadata"]["labels"].get("j"), "k")
        self.assertEqual(d["spec"]["replicas"], 1)
        r = self.kubectl("patch", "deploy", "web", "-n", ns, "--type=json", "-p",
                         '[{"op":"add","path":"/metadata/labels/x","value":"y"},'
                         '{"op":"test","path":"/spec/replicas","value":99}]')
        self.assertNotEqual(r.rc, 0, r)
        self.assertNotIn("x", self.get_json("deploy", "web", "-n", ns)["metadata"]["labels"])
        # patch of a missing object
        r = self.kubectl("patch", "deploy", "nope", "-n", ns, "--type=merge", "-p", '{"spec":{"replicas":1}}')
        self.assertFails(r, r'Error from server \(NotFound\): deployments\.apps "nope" not found')

    def test_set_image_and_generation(self):
        ns = self.create_namespace("w-setimage")
        self.k("create", "-f", manifest("deployment.yaml"), "-n", ns)
        gen = self.get_json("deploy", "web", "-n", ns)["metadata"]["generation"]
        r = self.k("set", "image", "deployment/web", "web=nginx:1.27", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/web image updated")
        d = self.get_json("deploy", "web", "-n", ns)
        self.assertEqual([c["image"] for c in d["spec"]["template"]["spec"]["containers"]],
                         ["nginx:1.27", "busybox:1.36"])
        self.assertEqual(d["metadata"]["generation"], gen + 1)
        # metadata-only changes leave generation alone
        self.k("label", "deploy", "web", "-n", ns, "x=y")
        self.k("annotate", "deploy", "web", "-n", ns, "note=hello")
        self.assertEqual(self.get_json("deploy", "web", "-n", ns)["metadata"]["generation"], gen + 1)

    def test_label_annotate(self):
        ns = self.create_namespace("w-label")
        self.k("create", "-f", manifest("pod.yaml"), "-n", ns)
        r = self.k("label", "pod", "web", "-n", ns, "env=dev")
        self.assertEqual(r.out.strip(), "pod/web labeled")
        r = self.kubectl("label", "pod", "web", "-n", ns, "env=prod")
        self.assertFails(r, r"'env' already has a value \(dev\), and --overwrite is false")
        self.k("label", "pod", "web", "-n", ns, "env=prod", "--overwrite")
        r = self.k("label", "pod", "web", "-n", ns, "tier-")
        self.assertEqual(r.out.strip(), "pod/web unlabeled")
        pod = self.get_json("pod", "web", "-n", ns)
        self.assertEqual(pod["metadata"]["labels"], {"app": "web", "env": "prod"})
        r = self.k("annotate", "pod", "web", "-n", ns, "description=my web pod", "owner=e2e")
        self.assertEqual(r.out.strip(), "pod/web annotated")
        self.k("annotate", "pod", "web", "-n", ns, "owner-")
        ann = self.get_json("pod", "web", "-n", ns)["metadata"].get("annotations") or {}
        self.assertEqual(ann.get("description"), "my web pod")
        self.assertNotIn("owner", ann)
        # label several objects through a selector
        self.k("create", "-f", manifest("pods.yaml"), "-n", ns)
        r = self.k("label", "pods", "-l", "app=shop", "-n", ns, "sale=yes")
        self.assertEqual(sorted(r.lines()), ["pod/alpha labeled", "pod/bravo labeled"])
        r = self.k("get", "pods", "-n", ns, "-l", "sale=yes", "-o", "name")
        self.assertEqual(r.lines(), ["pod/alpha", "pod/bravo"])

    def test_delete(self):
        ns = self.create_namespace("w-delete")
        self.k("create", "-f", manifest("configmap.yaml"), "-f", manifest("service.yaml"),
               "-f", manifest("pod.yaml"), "-n", ns)
        r = self.k("delete", "-f", manifest("configmap.yaml"), "-f", manifest("service.yaml"), "-n", ns)
        self.assertRegex(r.lines()[0], r'^configmap "app-config" deleted')
        self.assertRegex(r.lines()[1], r'^service "web" deleted')
        r = self.kubectl("get", "cm", "app-config", "-n", ns)
        self.assertFails(r, r'configmaps "app-config" not found')
        # a pod never scheduled goes at once, even with the default grace period
        r = self.k("delete", "pod", "web", "-n", ns, "--timeout=60s")
        self.assertRegex(r.out, r'^pod "web" deleted')
        self.assertFails(self.kubectl("get", "pod", "web", "-n", ns), r'pods "web" not found')
        # by label selector
        self.k("create", "-f", manifest("pods.yaml"), "-n", ns)
        self.k("delete", "pods", "-l", "app=shop", "-n", ns, "--grace-period=0", "--force")
        r = self.k("get", "pods", "-n", ns, "-o", "name")
        self.assertEqual(r.lines(), ["pod/charlie"])
        r = self.kubectl("delete", "pod", "nope", "-n", ns)
        self.assertFails(r, r'Error from server \(NotFound\): pods "nope" not found')
        r = self.k("delete", "pod", "nope", "-n", ns, "--ignore-not-found")
        self.assertEqual(r.out.strip(), "")

    def test_graceful_delete_of_scheduled_pod(self):
        """A pod bound to a node is only marked for deletion (its kubelet
        finishes the job); --grace-period=0 --force removes it at once."""
        ns = self.create_namespace("w-graceful")
        self.k("create", "-f", manifest("pods.yaml"), "-n", ns)
        r = self.k("delete", "pod", "bravo", "-n", ns, "--wait=false")
        self.assertRegex(r.out, r'^pod "bravo" deleted')
        pod = self.get_json("pod", "bravo", "-n", ns)
        self.assertRegex(pod["metadata"].get("deletionTimestamp", ""), r"^\d{4}-\d\d-\d\dT")
        self.assertEqual(pod["metadata"].get("deletionGracePeriodSeconds"), 30)
        heads, rows = self.k("get", "pod", "bravo", "-n", ns).table()
        self.assertEqual(rows[0]["STATUS"], "Terminating")
        r = self.k("delete", "pod", "bravo", "-n", ns, "--grace-period=0", "--force")
        self.assertIn("Immediate deletion does not wait for confirmation", r.err)
        self.assertFails(self.kubectl("get", "pod", "bravo", "-n", ns), r'pods "bravo" not found')

    def test_validation_errors(self):
        ns = self.create_namespace("w-invalid")
        r = self.kubectl("create", "-f", manifest("invalid/pod-no-image.yaml"), "-n", ns)
        self.assertFails(r, r'The Pod "no-image" is invalid: .*spec\.containers\[0\]\.image: Required value')
        r = self.kubectl("create", "-f", manifest("invalid/deployment-bad-selector.yaml"), "-n", ns)
        self.assertFails(r, r'The Deployment "mismatch" is invalid: .*spec\.template\.metadata\.labels: '
                            r'Invalid value: .*`selector` does not match template `labels`')
        r = self.kubectl("create", "-f", manifest("invalid/configmap-bad-name.yaml"), "-n", ns)
        self.assertFails(r, r'The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": '
                            r'a lowercase RFC 1123 subdomain')
        # unknown field: rejected by the server under fieldValidation=Strict
        r = self.kubectl("create", "-f", manifest("invalid/pod-unknown-field.yaml"), "-n", ns)
        self.assertFails(r, r'unknown field "spec\.containers\[0\]\.imagee"')
        # an update that breaks validation is refused the same way
        self.k("create", "-f", manifest("pod.yaml"), "-n", ns)
        r = self.kubectl("patch", "pod", "web", "-n", ns, "--type=json", "-p",
                         '[{"op":"replace","path":"/spec/containers/0/image","value":""}]')
        self.assertFails(r, r'is invalid: .*spec\.containers\[0\]\.image')
        # immutable fields
        self.k("create", "-f", manifest("service.yaml"), "-n", ns)
        r = self.kubectl("patch", "svc", "web", "-n", ns, "--type=merge", "-p", '{"spec":{"clusterIP":"10.0.0.99"}}')
        self.assertFails(r, r'(?s)The Service "web" is invalid: .*spec\.clusterIP: Invalid value: "10\.0\.0\.99"')
        # nothing half-created
        r = self.k("get", "pods", "-n", ns, "-o", "name")
        self.assertEqual(r.lines(), ["pod/web"])

    def test_unknown_field_ignored(self):
        """--validate=false sends fieldValidation=Ignore: the object is
        created and the unknown field dropped, as Kubernetes decodes into
        its types."""
        ns = self.create_namespace("w-ignore")
        r = self.k("create", "-f", manifest("invalid/pod-unknown-field.yaml"), "-n", ns, "--validate=false")
        self.assertEqual(r.out.strip(), "pod/typo created")
        pod = self.get_json("pod", "typo", "-n", ns)
        self.assertEqual(pod["spec"]["containers"][0]["image"], "nginx:1.25")
        self.assertNotIn("imagee", pod["spec"]["containers"][0])

    def test_imperative_create(self):
        """kubectl >= 1.32 sends these bodies as protobuf
        (Content-Type: application/vnd.kubernetes.protobuf)."""
        r = self.kubectl("create", "namespace", "w-imperative")
        self.assertOk(r)
        self.assertEqual(r.out.strip(), "namespace/w-imperative created")
        ns = "w-imperative"
        r = self.k("create", "configmap", "lit", "--from-literal=a=1", "--from-literal=b=2", "-n", ns)
        self.assertEqual(r.out.strip(), "configmap/lit created")
        self.assertEqual(self.get_json("cm", "lit", "-n", ns)["data"], {"a": "1", "b": "2"})
        r = self.k("create", "secret", "generic", "creds", "--from-literal=user=admin", "-n", ns)
        self.assertEqual(r.out.strip(), "secret/creds created")
        r = self.k("get", "secret", "creds", "-n", ns, "-o", "jsonpath={.data.user}")
        self.assertEqual(r.out, "YWRtaW4=")
        r = self.k("create", "deployment", "api", "--image=nginx:1.25", "--replicas=2", "--port=80", "-n", ns)
        self.assertEqual(r.out.strip(), "deployment.apps/api created")
        d = self.get_json("deploy", "api", "-n", ns)
        self.assertEqual(d["spec"]["selector"], {"matchLabels": {"app": "api"}})
        r = self.k("create", "service", "clusterip", "s1", "--tcp=80:8080", "-n", ns)
        self.assertEqual(r.out.strip(), "service/s1 created")

    def test_run_and_expose(self):
        ns = self.create_namespace("w-run")
        r = self.k("run", "one-off", "--image=busybox:1.36", "--restart=Never", "--labels=app=api", "-n", ns,
                   "--", "sleep", "10")
        self.assertEqual(r.out.strip(), "pod/one-off created")
        pod = self.get_json("pod", "one-off", "-n", ns)
        self.assertEqual(pod["spec"]["restartPolicy"], "Never")
        self.assertEqual(pod["spec"]["containers"][0]["args"], ["sleep", "10"])
        r = self.k("expose", "pod", "one-off", "--port=8080", "--target-port=80", "--name=api", "-n", ns)
        self.assertEqual(r.out.strip(), "service/api exposed")
        svc = self.get_json("svc", "api", "-n", ns)
        self.assertEqual(svc["spec"]["selector"], {"app": "api"})
        self.assertEqual((svc["spec"]["ports"][0]["port"], svc["spec"]["ports"][0]["targetPort"]), (8080, 80))

    def test_edit(self):
        ns = self.create_namespace("w-edit")
        self.k("create", "-f", manifest("configmap.yaml"), "-n", ns)
        argv, env = self.kubectl_args(["edit", "cm", "app-config", "-n", ns])
        env["KUBE_EDITOR"] = "sed -i -e s/blue/green/"
        p = subprocess.run(argv, env=env, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p)
        self.assertEqual(p.stdout.decode().strip(), "configmap/app-config edited")
        self.assertEqual(self.get_json("cm", "app-config", "-n", ns)["data"]["color"], "green")

    def test_diff(self):
        ns = self.create_namespace("w-diff")
        self.k("apply", "-f", manifest("configmap.yaml"), "-n", ns)
        rv = self.get_json("cm", "app-config", "-n", ns)["metadata"]["resourceVersion"]
        r = self.kubectl("diff", "-f", manifest("configmap-v2.yaml"), "-n", ns)
        self.assertEqual(r.rc, 1, "kubectl diff exits 1 when there are differences:\n%r" % r)
        self.assertRegex(r.out, r"(?m)^-\s+color: blue$")
        self.assertRegex(r.out, r"(?m)^\+\s+color: red$")
        self.assertRegex(r.out, r"(?m)^-\s+mode: fast$")
        # a server-side dry run: nothing changed
        self.assertEqual(self.get_json("cm", "app-config", "-n", ns)["metadata"]["resourceVersion"], rv)
        r = self.kubectl("diff", "-f", manifest("configmap.yaml"), "-n", ns)
        self.assertEqual((r.rc, r.out), (0, ""), r)

    def test_missing_namespace(self):
        r = self.kubectl("create", "-f", manifest("configmap.yaml"), "-n", "no-such-ns")
        self.assertFails(r, r'Error from server \(NotFound\).*namespaces "no-such-ns" not found')


if __name__ == "__main__":
    main()
