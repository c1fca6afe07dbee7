"""Helpers for the controllers' end-to-end tests (test_controllers*.py) and
bench/controllers: a host with controllers.so beside etcd-store and
apiserver, a small keep-alive REST client for bulk work (marking pods ready
through pods/status, listing), a watch stream in a thread, and a "kubelet
stand-in" that marks every new pod of a namespace Running and Ready.

    from ctlharness import ControllersTestCase

    class T(ControllersTestCase):
        controllers_config = {"node_monitor_grace_period": "3s"}
        def test_x(self):
            ns = self.make_namespace("t-x")
            self.create_deployment(ns, "web", replicas=3)
            self.start_ready_marker(ns)
            self.wait_deployment_complete(ns, "web")

No kubelet exists yet, so pods never become ready by themselves: the tests
do it through the API (`PATCH .../pods/<name>/status`, strategic merge),
as docs/CONTROLLERS.md describes. Every wait polls with a deadline.
"""

import http.client
import itertools
import json
import queue
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from skiffharness import HostTestCase, poll

WAIT = 120          # seconds: default bound of a wait on the controllers (ASan, 2 busy cores)

STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ApiError(Exception):
    def __init__(self, method, path, status, body):
        super().__init__("%s %s -> %s: %s" % (method, path, status, str(body)[:600]))
        self.status, self.body = status, body


class Rest:
    """A minimal JSON client over keep-alive HTTP/1.1 connections (one per
    thread), authenticated like the kubeconfig. Much cheaper per request
    than python3-kubernetes' models, for the bulk work of these tests."""

    def __init__(self, host, timeout=60):
        kc = host.read_kubeconfig()
        u = urllib.parse.urlsplit(kc["server"])
        self.scheme, self.netloc = u.scheme, u.netloc
        self.ssl = kc.get("ssl")
        self.token = kc.get("token")
        self.timeout = timeout
        self._local = threading.local()
        self._all = []
        self._lock = threading.Lock()

    def connect(self, timeout=None):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.netloc, timeout=timeout or self.timeout,
                                               context=self.ssl)
        return http.client.HTTPConnection(self.netloc, timeout=timeout or self.timeout)

    def headers(self, ctype=None):
        h = {"Accept": "application/json"}
        if ctype:
            h["Content-Type"] = ctype
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        return h

    def _conn(self):
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._local.conn = self.connect()
            with self._lock:
                self._all.append(c)
        return c

    def _drop(self):
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
            self._local.conn = None

    def request(self, method, path, body=None, ctype="application/json", ok=(200, 201, 202)):
        """(status, parsed body). Raises ApiError when status is not in `ok`
        (pass ok=None to get any status back)."""
        data = None if body is None else json.dumps(body).encode()
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path, body=data, headers=self.headers(ctype if data is not None else None))
                r = c.getresponse()
                raw = r.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                # A keep-alive connection the server closed meanwhile: one
                # retry on a fresh one.
                self._drop()
                if attempt:
                    raise
        if r.getheader("Connection", "").lower() == "close":
            self._drop()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = raw.decode("utf-8", "replace")
        if ok is not None and r.status not in ok:
            raise ApiError(method, path, r.status, doc)
        return r.status, doc

    def get(self, path, ok=(200,)):
        return self.request("GET", path, ok=ok)[1]

    def list(self, path, selector=None):
        """Items of a list, and the list's resourceVersion."""
        if selector:
            path += ("&" if "?" in path else "?") + "labelSelector=" + urllib.parse.quote(selector)
        doc = self.get(path)
        return doc.get("items") or [], doc["metadata"].get("resourceVersion")

    def close(self):
        with self._lock:
            for c in self._all:
                try:
                    c.close()
                except OSError:
                    pass
            self._all.clear()


def pods_path(ns):
    return "/api/v1/namespaces/%s/pods" % ns


def is_ready(pod):
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def is_terminating(obj):
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def controller_ref(obj):
    """The ownerReference with controller: true, or None."""
    for r in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if r.get("controller"):
            return r
    return None


_ip_seq = itertools.count(1)
_ip_lock = threading.Lock()


def next_pod_ip():
    with _ip_lock:
        n = next(_ip_seq)
    return "10.%d.%d.%d" % (200 + (n >> 16) % 50, (n >> 8) & 255, n & 255)


def ready_patch():
    return {"status": {"phase": "Running", "podIP": next_pod_ip(),
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": now_rfc3339()}]}}


def mark_ready(rest, ns, name):
    """Pod <ns>/<name> Running and Ready through pods/status. False when it
    is gone already."""
    st, _ = rest.request("PATCH", "%s/%s/status" % (pods_path(ns), name), ready_patch(),
                         ctype=STRATEGIC, ok=(200, 404))
    return st == 200


def mark_all_ready(rest, ns, selector=None, workers=4, pool=None):
    """Every pod of the namespace that is not Ready and not terminating,
    made Ready, concurrently. Returns how many were patched."""
    items, _ = rest.list(pods_path(ns), selector)
    todo = [p["metadata"]["name"] for p in items if not is_ready(p) and not is_terminating(p)]
    if not todo:
        return 0
    if pool is not None:
        return sum(pool.map(lambda n: mark_ready(rest, ns, n), todo))
    with ThreadPoolExecutor(workers) as ex:
        return sum(ex.map(lambda n: mark_ready(rest, ns, n), todo))


class Watch:
    """A watch stream read by a thread: `GET path?watch=1&resourceVersion=RV`
    (plus `params`), each event handed to on_event(type, object) in order,
    on that thread. `error` is set if the stream fails or ends before
    stop() (a test that relies on seeing every state must check it)."""

    def __init__(self, rest, path, rv, on_event, params=None, timeout_s=900):
        q = {"watch": "1", "resourceVersion": rv or "0", "timeoutSeconds": str(timeout_s),
             "allowWatchBookmarks": "true"}
        q.update(params or {})
        self.path = path + "?" + urllib.parse.urlencode(q)
        self.read_timeout = timeout_s + 60
        self.rest, self.on_event = rest, on_event
        self.error = None
        self.events = 0
        self.last_rv = rv
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self._opened.wait(60):
            self.error = self.error or "watch did not open within 60s"
        if self.error:
            raise AssertionError("watch %s: %s" % (self.path, self.error))

    def _run(self):
        try:
            # Bounded by the server's own timeoutSeconds, not the client's
            # default 60 s: a quiet namespace may see no event (bookmarks
            # come every 60 s) for longer than that.
            self._conn = c = self.rest.connect(timeout=self.read_timeout)
            c.request("GET", self.path, headers=self.rest.headers())
            r = c.getresponse()
            if r.status != 200:
                self.error = "status %s: %s" % (r.status, r.read()[:500])
                self._opened.set()
                return
            self._opened.set()
            while not self._stop.is_set():
                line = r.readline()
                if not line:
                    if not self._stop.is_set():
                        self.error = "stream ended after %d events" % self.events
                    return
                if not line.strip():
                    continue
                ev = json.loads(line)
                t, obj = ev.get("type"), ev.get("object") or {}
                if t == "ERROR":
                    self.error = "ERROR event: %s" % (obj,)
                    return
                rv = (obj.get("metadata") or {}).get("resourceVersion")
                if rv:
                    self.last_rv = rv
                if t == "BOOKMARK":
                    continue
                self.events += 1
                self.on_event(t, obj)
        except Exception as e:  # noqa: BLE001 - reported through .error
            if not self._stop.is_set():
                self.error = "%r" % (e,)
        finally:
            self._opened.set()

    def stop(self):
        self._stop.set()
        c = self._conn
        if c is not None:
            try:
                if c.sock is not None:
                    import socket
                    c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                c.close()
            except OSError:
                pass
        self.thread.join(10)


class ReadyMarker:
    """The kubelet stand-in: watches the pods of `ns` and makes every pod
    that appears (or changes) not Ready and not terminating Running and
    Ready through pods/status, with `workers` concurrent requests.
    Optional `accept(pod)` filters which pods to mark."""

    def __init__(self, rest, ns, workers=4, accept=None):
        self.rest, self.ns, self.accept = rest, ns, accept
        self.marked = 0
        self.failures = []
        self._seen = set()
        self._lock = threading.Lock()
        self._q = queue.Queue()
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for t in self._threads:
            t.start()
        items, rv = rest.list(pods_path(ns))
        for p in items:
            self._consider(p)
        self.watch = Watch(rest, pods_path(ns), rv, self._on_event)

    def _on_event(self, t, pod):
        if t in ("ADDED", "MODIFIED"):
            self._consider(pod)

    def _consider(self, pod):
        if is_ready(pod) or is_terminating(pod) or (self.accept and not self.accept(pod)):
            return
        uid = pod["metadata"]["uid"]
        with self._lock:
            if uid in self._seen:
                return
            self._seen.add(uid)
        self._q.put(pod["metadata"]["name"])

    def _work(self):
        while True:
            name = self._q.get()
            if name is None:
                return
            try:
                if mark_ready(self.rest, self.ns, name):
                    with self._lock:
                        self.marked += 1
            except Exception as e:  # noqa: BLE001
                with self._lock:
                    self.failures.append("%s: %r" % (name, e))

    def stop(self):
        self.watch.stop()
        for _ in self._threads:
            self._q.put(None)
        for t in self._threads:
            t.join(30)


def deployment(name, replicas=3, image="nginx:1.25", labels=None, strategy=None,
               annotations=None, tolerations=None, min_ready=None):
    labels = labels or {"app": name}
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": name},
         "spec": {"replicas": replicas,
                  "selector": {"matchLabels": dict(labels)},
                  "template": {"metadata": {"labels": dict(labels)},
                               "spec": {"containers": [{"name": "app", "image": image,
                                                        "ports": [{"name": "http",
                                                                   "containerPort": 80}]}]}}}}
    if annotations:
        d["metadata"]["annotations"] = dict(annotations)
    if strategy:
        d["spec"]["strategy"] = strategy
    if tolerations:
        d["spec"]["template"]["spec"]["tolerations"] = tolerations
    if min_ready is not None:
        d["spec"]["minReadySeconds"] = min_ready
    return d


class ControllersTestCase(HostTestCase):
    """A host with etcd-store, apiserver and controllers.so; the class
    attribute `controllers_config` is the controllers' `config:`."""

    controllers_config = {}

    @classmethod
    def setUpClass(cls):
        cls.host_plugins = ({"name": "controllers", "path": "controllers",
                             "config": dict(cls.controllers_config)},)
        super().setUpClass()
        cls.rest = Rest(cls.host)
        cls.addClassCleanup(cls.rest.close)

    # -- fixtures ---------------------------------------------------------

    def make_namespace(self, name):
        self.rest.request("POST", "/api/v1/namespaces",
                          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        return name

    def create_deployment(self, ns, name, **kw):
        d = deployment(name, **kw)
        return self.rest.request("POST", "/apis/apps/v1/namespaces/%s/deployments" % ns, d)[1]

    def start_ready_marker(self, ns, **kw):
        m = ReadyMarker(self.rest, ns, **kw)
        self.addCleanup(m.stop)
        self.__dict__.setdefault("_markers", []).append(m)
        return m

    def k(self, *args, **kw):
        """kubectl that must succeed; a timeout (e.g. `rollout status`) also
        reports the pods and the ready markers, to tell a pod never marked
        Ready from one the controllers did not count."""
        try:
            return super().k(*args, **kw)
        except AssertionError as e:
            if "timed out" not in str(e) or "-n" not in args:
                raise
            ns = args[args.index("-n") + 1]
            raise AssertionError("%s; pods (name, ready, terminating, rv): %s; ready markers: %s"
                                 % (e, [(p["metadata"]["name"], is_ready(p), is_terminating(p),
                                         p["metadata"]["resourceVersion"])
                                        for p in self.pods(ns, active_only=False)],
                                    self.markers_state())) from None

    def markers_state(self):
        """What the ready markers did, for a failure message."""
        return [{"ns": m.ns, "marked": m.marked, "failures": m.failures[:5],
                 "watch_error": m.watch.error, "watch_events": m.watch.events}
                for m in self.__dict__.get("_markers", [])]

    def watch(self, path, rv, on_event, **kw):
        w = Watch(self.rest, path, rv, on_event, **kw)
        self.addCleanup(w.stop)
        return w

    # -- reading ------------------------------------------------------------

    def pods(self, ns, selector=None, active_only=True):
        items, _ = self.rest.list(pods_path(ns), selector)
        return [p for p in items if not (active_only and is_terminating(p))]

    def replicasets(self, ns, selector=None):
        return self.rest.list("/apis/apps/v1/namespaces/%s/replicasets" % ns, selector)[0]

    def get_deployment(self, ns, name, ok=(200,)):
        return self.rest.request("GET", "/apis/apps/v1/namespaces/%s/deployments/%s" % (ns, name),
                                 ok=ok)[1]

    # -- waiting --------------------------------------------------------------

    def wait_pods(self, ns, n, selector=None, timeout=WAIT, pred=None):
        """Wait until exactly n active pods (matching pred) exist; returns them."""
        def check():
            ps = [p for p in self.pods(ns, selector) if pred is None or pred(p)]
            return (ps,) if len(ps) == n else None
        try:
            return poll(check, timeout, what="%d pods in %s" % (n, ns))[0]
        except AssertionError as e:
            raise AssertionError("%s; now: %s" % (e, sorted(
                (p["metadata"]["name"], p["status"].get("phase")) for p in self.pods(ns, selector))))

    def deployment_complete(self, ns, name):
        d = self.get_deployment(ns, name)
        st, n = d.get("status") or {}, d["spec"].get("replicas", 1)
        if (st.get("observedGeneration", 0) >= d["metadata"]["generation"] and
                st.get("updatedReplicas", 0) == n and st.get("replicas", 0) == n and
                st.get("availableReplicas", 0) == n and not st.get("unavailableReplicas")):
            return d
        return None

    def wait_deployment_complete(self, ns, name, timeout=WAIT):
        try:
            return poll(lambda: self.deployment_complete(ns, name), timeout,
                        what="deployment %s/%s to complete its rollout" % (ns, name))
        except AssertionError as e:
            raise AssertionError("%s; deployment status: %s; replicasets: %s; pods (name, ready, "
                                 "terminating, rv): %s; ready markers: %s" % (
                e, json.dumps(self.get_deployment(ns, name).get("status")),
                [(r["metadata"]["name"], r["spec"].get("replicas"), r.get("status"))
                 for r in self.replicasets(ns)],
                [(p["metadata"]["name"], is_ready(p), is_terminating(p),
                  p["metadata"]["resourceVersion"]) for p in self.pods(ns, active_only=False)],
                self.markers_state()))

    def wait_gone(self, path, timeout=WAIT):
        poll(lambda: self.rest.request("GET", path, ok=None)[0] == 404, timeout,
             what="%s to be gone" % path)
