"""Pagination over 1,200 ConfigMaps: `kubectl get configmaps --chunk-size=100`
(checked in kubectl's -v=6 request log: 12 requests, 11 with a continue
token), table output across chunks, and the Python client's limit/continue
(page sizes, tokens, a consistent snapshot while objects change between
pages, a bad token).

Run: /usr/bin/python3 -m unittest -v test_pagination
"""

import concurrent.futures
import re

from skiffharness import HostTestCase, api_exception_body, close_client, main

N = 1200
NS = "page"
NAMES = ["cm-%04d" % i for i in range(N)]


class Pagination(HostTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from kubernetes import client
        api = cls.host.api_client()
        try:
            core = client.CoreV1Api(api)
            core.create_namespace({"metadata": {"name": NS}})

            def mk(name):
                core.create_namespaced_config_map(NS, {"metadata": {"name": name, "labels": {"set": "page"}},
                                                       "data": {"n": name[3:]}})
            with concurrent.futures.ThreadPoolExecutor(4) as ex:
                list(ex.map(mk, NAMES))
            # a few in another namespace, for the cluster-wide list
            core.create_namespace({"metadata": {"name": "page-other"}})
            for i in range(5):
                core.create_namespaced_config_map("page-other", {"metadata": {"name": "x-%d" % i}})
        finally:
            close_client(api)

    def test_kubectl_chunk_size_names(self):
        r = self.k("get", "configmaps", "-n", NS, "--chunk-size=100", "-o", "name", "-v=6")
        got = r.lines()
        self.assertEqual(len(got), N, "%d names" % len(got))
        self.assertEqual(got, ["configmap/" + n for n in NAMES])
        reqs = re.findall(r"/api/v1/namespaces/%s/configmaps\?(\S*?limit=100)\S*?\"? (?:status=\")?200 OK" % NS, r.err)
        self.assertEqual(len(reqs), 12, "kubectl should need 12 chunked requests:\n%s" % "\n".join(reqs))
        self.assertEqual(sum(1 for q in reqs if "continue=" in q), 11, reqs)

    def test_kubectl_chunk_size_table(self):
        heads, rows = self.k("get", "cm", "-n", NS, "--chunk-size=100").table()
        self.assertEqual(heads, ["NAME", "DATA", "AGE"])
        self.assertEqual([r["NAME"] for r in rows], NAMES)
        self.assertTrue(all(r["DATA"] == "1" for r in rows))

    def test_kubectl_default_chunks_and_all_namespaces(self):
        # kubectl's default chunk size is 500: 3 requests for 1,200
        r = self.k("get", "cm", "-n", NS, "-o", "name", "-v=6")
        self.assertEqual(len(r.lines()), N)
        self.assertEqual(len(re.findall(r"/configmaps\?\S*limit=500", r.err)), 3, r.err[-3000:])
        r = self.k("get", "cm", "-A", "--chunk-size=100", "-o",
                   "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}")
        got = [l for l in r.lines() if l.startswith(NS + "/") or l.startswith("page-other/")]
        # key order (/registry/configmaps/<ns>/<name>): "page-other/" < "page/"
        self.assertEqual(got, ["page-other/x-%d" % i for i in range(5)] + ["page/" + n for n in NAMES])
        r = self.k("get", "cm", "-n", NS, "--chunk-size=100", "-l", "set=page", "-o", "name")
        self.assertEqual(len(r.lines()), N)

    def test_python_limit_continue(self):
        v1 = self.core_v1()
        pages, names, token = [], [], None
        while True:
            kw = {"limit": 100}
            if token:
                kw["_continue"] = token
            lst = v1.list_namespaced_config_map(NS, **kw)
            pages.append(len(lst.items))
            names += [i.metadata.name for i in lst.items]
            token = lst.metadata._continue
            if not token:
                break
            self.assertLess(len(pages), 50, "continue tokens never end")
        self.assertEqual(pages, [100] * 12)
        self.assertEqual(names, NAMES)
        # remainingItemCount, when given, counts what is left after a page
        first = v1.list_namespaced_config_map(NS, limit=250)
        self.assertEqual(len(first.items), 250)
        if first.metadata.remaining_item_count is not None:
            self.assertEqual(first.metadata.remaining_item_count, N - 250)
        # limit with a selector: pages are filled from matching objects
        lst = v1.list_namespaced_config_map(NS, limit=7, label_selector="set=page")
        self.assertEqual(len(lst.items), 7)
        self.assertTrue(lst.metadata._continue)

    def test_python_snapshot_across_pages(self):
        """Pages after the first are read at the first page's resourceVersion:
        a create and a delete in between do not show up in them."""
        v1 = self.core_v1()
        first = v1.list_namespaced_config_map(NS, limit=100)
        rv = first.metadata.resource_version
        self.assertRegex(rv or "", r"^\d+$")
        v1.create_namespaced_config_map(NS, {"metadata": {"name": "zz-late"}})
        self.addCleanup(v1.delete_namespaced_config_map, "zz-late", NS)
        v1.delete_namespaced_config_map("cm-1199", NS)
        self.addCleanup(v1.create_namespaced_config_map, NS, {"metadata": {"name": "cm-1199",
                                                                         "labels": {"set": "page"}},
                                                            "data": {"n": "1199"}})
        names = [i.metadata.name for i in first.items]
        rvs = set()
        token = first.metadata._continue
        while token:
            lst = v1.list_namespaced_config_map(NS, limit=100, _continue=token)
            rvs.add(lst.metadata.resource_version)
            names += [i.metadata.name for i in lst.items]
            token = lst.metadata._continue
        self.assertEqual(names, NAMES, "pages after the first must not see later writes")
        self.assertEqual(rvs, {rv}, "a continued list keeps the first page's resourceVersion")
        now = [i.metadata.name for i in v1.list_namespaced_config_map(NS).items]
        self.assertIn("zz-late", now)
        self.assertNotIn("cm-1199", now)

    def test_python_bad_continue(self):
        from kubernetes.client.rest import ApiException
        v1 = self.core_v1()
        with self.assertRaises(ApiException) as cm:
            v1.list_namespaced_config_map(NS, limit=10, _continue="not-a-token")
        self.assertIn(cm.exception.status, (400, 410))
        st = api_exception_body(cm.exception)
        self.assertEqual(st.get("kind"), "Status")
        self.assertIn(st.get("reason"), ("BadRequest", "Expired"))


if __name__ == "__main__":
    main()
