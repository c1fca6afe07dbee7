"""Shared harness for skiff's end-to-end tests.

Each test class starts its own `skiff run` host (etcd-store + apiserver) on a
free loopback port with its own temporary --data-dir, and stops it (SIGTERM,
then SIGKILL after a deadline) when the class is done, even on failure.

    from skiffharness import HostTestCase

    class MyTest(HostTestCase):
        def test_x(self):
            r = self.kubectl("get", "pods")            # the dispatcher on PATH
            r = self.kubectl("get", "pods", minor=29)  # kubectl.1.29 directly
            self.assertOk(r)
            v1 = self.core_v1()                        # python3-kubernetes

Environment:
    SKIFF_BUILD_DIR   build tree holding bin/skiff and lib/skiff/*.so
                      (CTest sets it; default <source>/build)
    SKIFF_SOURCE_DIR  the source tree (default: found from this file)
    SKIFF_KUBECTL_DIR folder holding kubectl.1.27 ... kubectl.1.33 (default:
                      next to the `kubectl` dispatcher on PATH, or
                      /usr/lib/google-cloud-sdk/bin)
    SKIFF_E2E_KEEP=1  keep the temporary directories (host logs, data dirs)

Run with Debian's python (/usr/bin/python3): python3-kubernetes lives there.
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("SKIFF_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.environ.get("SKIFF_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
SKIFF = os.path.join(BUILD_DIR, "bin", "skiff")
PLUGIN_DIR = os.path.join(BUILD_DIR, "lib", "skiff")
MANIFESTS = os.path.join(HERE, "manifests")
LOG_DIR = os.path.join(BUILD_DIR, "tests", "e2e-logs")

# kubectl minors the google-cloud-sdk ships beside its dispatcher.
MINORS = (27, 28, 29, 30, 31, 32, 33)

START_TIMEOUT = 90      # seconds for a host (under ASan, on a loaded box) to be ready
STOP_TIMEOUT = 30       # seconds between SIGTERM and SIGKILL
KUBECTL_TIMEOUT = 120   # seconds for one kubectl run


def manifest(name):
    """Absolute path of tests/e2e/manifests/<name>."""
    p = os.path.join(MANIFESTS, name)
    if not os.path.exists(p):
        raise FileNotFoundError(p)
    return p


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(fn, timeout, interval=0.05, what="condition"):
    """Call fn() until it returns a truthy value; return it. Raise
    AssertionError naming `what` (and fn's last exception) after timeout."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - reported below
            last_exc = e
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0fs waiting for %s%s" %
                                 (timeout, what, "" if last_exc is None else
                                  " (last error: %r)" % (last_exc,)))
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)


def kubectl_dir():
    d = os.environ.get("SKIFF_KUBECTL_DIR")
    if d:
        return d
    w = shutil.which("kubectl")
    if w:
        real = os.path.realpath(w)
        d = os.path.dirname(real)
        if any(os.path.exists(os.path.join(d, "kubectl.1.%d" % m)) for m in MINORS):
            return d
    return "/usr/lib/google-cloud-sdk/bin"


def kubectl_binary(minor=None):
    """The dispatcher (minor=None) or kubectl.1.<minor>; None if absent."""
    if minor is None:
        w = shutil.which("kubectl")
        return w
    p = os.path.join(kubectl_dir(), "kubectl.1.%d" % minor)
    return p if os.access(p, os.X_OK) else None


def plugin_path(path):
    """A plugin's .so: `path` itself when it names a file (has a slash),
    else <PLUGIN_DIR>/<path>.so."""
    return path if "/" in path else os.path.join(PLUGIN_DIR, path + ".so")


def require_build(plugins=()):
    """Fail (not skip) when the pieces under test are not built: bin/skiff,
    etcd-store.so, apiserver.so and the named extra plugins (Host's
    `plugins` entries or bare names)."""
    extra = [plugin_path(p.get("path") or p["name"]) if isinstance(p, dict) else plugin_path(p)
             for p in plugins]
    missing = [p for p in [SKIFF, os.path.join(PLUGIN_DIR, "etcd-store.so"),
                           os.path.join(PLUGIN_DIR, "apiserver.so")] + extra
               if not os.path.exists(p)]
    if missing:
        raise AssertionError("not built: %s (SKIFF_BUILD_DIR=%s)" %
                             (", ".join(missing), BUILD_DIR))


class Result:
    """One finished command: args, rc, out, err."""

    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __repr__(self):
        return "$ %s\n[rc=%s]\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            " ".join(self.args), self.rc, _tail(self.out, 4000), _tail(self.err, 4000))

    def json(self):
        return json.loads(self.out)

    def yaml(self):
        return yaml.safe_load(self.out)

    def table(self):
        return parse_table(self.out)

    def lines(self):
        return [l for l in self.out.splitlines() if l.strip()]


def _tail(s, n):
    return s if len(s) <= n else "...[%d bytes cut]...\n%s" % (len(s) - n, s[-n:])


def parse_table(text):
    """kubectl's human output (tabwriter: cells start under their header) ->
    (headers, rows as dicts). Header names may contain single spaces
    ("NOMINATED NODE"); columns are at least two spaces apart."""
    lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    if not lines:
        return [], []
    header = lines[0]
    cols = [(m.start(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", header)]
    heads = [c[1] for c in cols]
    rows = []
    for l in lines[1:]:
        row = {}
        for i, (start, name) in enumerate(cols):
            end = cols[i + 1][0] if i + 1 < len(cols) else None
            row[name] = (l[start:end] if end is not None else l[start:]).strip()
        rows.append(row)
    return heads, rows


AGE_RE = re.compile(r"^\d+(ms|s|m|h|d|y)(\d+(s|m|h|d))?$")


class Background:
    """A long-running command (kubectl get -w, kubectl wait) whose stdout and
    stderr are collected line by line while it runs."""

    def __init__(self, args, env):
        self.args = args
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self._out, self._err = [], []
        self._cv = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self._out), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self._err), daemon=True)]
        for t in self._threads:
            t.start()

    def _pump(self, f, sink):
        for raw in iter(f.readline, b""):
            with self._cv:
                sink.append(raw.decode("utf-8", "replace"))
                self._cv.notify_all()
        with self._cv:
            self._cv.notify_all()

    @property
    def out(self):
        with self._cv:
            return "".join(self._out)

    @property
    def err(self):
        with self._cv:
            return "".join(self._err)

    def wait_for(self, pred, timeout, what="output"):
        """Wait until pred(stdout, stderr) is truthy; AssertionError (with
        everything seen so far) after timeout or if the process ends first
        without satisfying it."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                out, err = "".join(self._out), "".join(self._err)
                if pred(out, err):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and
                                 not any(t.is_alive() for t in self._threads)):
                    raise AssertionError("%s: never saw %s (rc=%s)\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
                        " ".join(self.args), what, self.proc.poll(), _tail(out, 4000), _tail(err, 4000)))
                self._cv.wait(min(left, 0.2))

    def finish(self, timeout):
        """Wait for the process to exit by itself; kill it after timeout.
        Returns a Result."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
        self._close()
        return Result(self.args, self.proc.returncode, self.out, self.err)

    def stop(self):
        """Terminate (then kill) the process and its group; returns a Result."""
        if self.proc.poll() is None:
            _signal_group(self.proc, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc, signal.SIGKILL)
                self.proc.wait(10)
        self._close()
        return Result(self.args, self.proc.returncode, self.out, self.err)

    def _close(self):
        for t in self._threads:
            t.join(5)
        for f in (self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass


class Host:
    """One `skiff run` process with etcd-store and apiserver.

    `workdir` holds the config, the logs and (unless given) the data dir;
    restart() keeps the data dir and picks a new free port."""

    STORE_INDEX, API_INDEX = 0, 1

    def __init__(self, workdir, name="e2e", data_dir=None, extra_sets=(), plugins=()):
        """`plugins`: more plugin instances after etcd-store and apiserver,
        each a dict {"name": ..., "path": ..., "config": {...}}; a `path`
        without a slash (default: the name) is <PLUGIN_DIR>/<path>.so."""
        self.workdir = workdir
        self.name = name
        self.data_dir = data_dir or os.path.join(workdir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        # SKIFF_E2E_SET: more --set overrides for every host, e.g. to run a
        # suite with `plugins.1.config.read_cache=false`.
        self.extra_sets = list(extra_sets) + os.environ.get("SKIFF_E2E_SET", "").split()
        self.plugins = [dict(p) for p in plugins]
        self.config = os.path.join(workdir, "host.yaml")
        self.admin_socket = os.path.join(self.data_dir, "admin.sock")
        self.proc = None
        self.port = None
        self.generation = 0
        self.logs = []
        self.kubeconfig = os.path.join(self.data_dir, "kubeconfig")
        with open(self.config, "w") as f:
            f.write(
                "# generated by tests/e2e/skiffharness.py\n"
                "node:\n  name: %s\n"
                "log:\n  level: info\n"
                "stop_timeout: 20s\n"
                "plugins:\n"
                "  - name: etcd-store\n    path: %s\n    config: {}\n"
                "  - name: apiserver\n    path: %s\n    config: {}\n" % (
                    name, os.path.join(PLUGIN_DIR, "etcd-store.so"),
                    os.path.join(PLUGIN_DIR, "apiserver.so")))
            for p in self.plugins:
                f.write("  - name: %s\n    path: %s\n    config: %s\n" % (
                    p["name"], plugin_path(p.get("path") or p["name"]),
                    json.dumps(p.get("config") or {})))

    # -- lifecycle -------------------------------------------------------

    def start(self, timeout=START_TIMEOUT, attempts=3, port=None):
        """Start on a fresh free port (or on `port`, once); retry on another
        port when the one we picked was taken in the meantime. Waits for
        /readyz."""
        last = None
        for _ in range(1 if port else attempts):
            try:
                self._start_once(port or free_port(), timeout)
                return self
            except _PortTaken as e:
                last = e
        raise AssertionError("could not start the host: %s" % last)

    def _start_once(self, port, timeout):
        self.generation += 1
        self.port = port
        log = os.path.join(self.workdir, "host-%d.log" % self.generation)
        self.logs.append(log)
        args = [SKIFF, "run", "-c", self.config, "--data-dir", self.data_dir,
                "--set", "plugins.%d.config.port=%d" % (self.API_INDEX, port)]
        for s in self.extra_sets:
            args += ["--set", s]
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:strict_string_checks=1")
        env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        self.args = args
        with open(log, "wb") as lf:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=lf,
                                         stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)
        try:
            self._wait_ready(timeout)
        except BaseException:
            text = self.log_text()
            self.stop()
            if re.search(r"address already in use|EADDRINUSE", text, re.I):
                raise _PortTaken("port %d: %s" % (port, _tail(text, 500)))
            raise

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        interval = 0.05
        last = "no kubeconfig yet at %s" % self.kubeconfig
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise AssertionError("host exited with %s before it was ready:\n$ %s\n%s" % (
                    rc, " ".join(self.args), _tail(self.log_text(), 6000)))
            try:
                kc = self.read_kubeconfig()
                if kc and (":%d" % self.port) in kc["server"]:
                    st, body = self.http_get("/readyz", kc=kc, timeout=5)
                    if st == 200:
                        return
                    last = "/readyz answered %s: %s" % (st, body[:300])
                elif kc:
                    last = "kubeconfig names %s, not port %d" % (kc["server"], self.port)
            except Exception as e:  # noqa: BLE001
                last = repr(e)
            if time.monotonic() >= deadline:
                raise AssertionError("host not ready after %ds (%s); log:\n%s" % (
                    timeout, last, _tail(self.log_text(), 6000)))
            time.sleep(interval)
            interval = min(interval * 1.5, 0.5)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, then SIGKILL after timeout; reap. Returns the exit code
        (None if it was not running)."""
        p = self.proc
        if p is None:
            return None
        if p.poll() is None:
            _signal_group(p, signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(p, signal.SIGKILL)
                p.wait(30)
                self.proc = None
                return "killed after %ds" % timeout
        self.proc = None
        return p.returncode

    def restart(self, timeout=START_TIMEOUT, same_port=False):
        """Stop, then start on the same data dir: on a new free port, or on
        the old one (same_port) so an earlier kubeconfig still names it."""
        port = self.port if same_port else None
        rc = self.stop()
        if rc != 0:
            raise AssertionError("host exited with %s on SIGTERM; log:\n%s" % (rc, _tail(self.log_text(), 6000)))
        # The apiserver rewrites it on start; removing it makes sure we
        # read the new one (new port, maybe a new token).
        try:
            os.unlink(self.kubeconfig)
        except FileNotFoundError:
            pass
        return self.start(timeout, port=port)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.logs[-1], "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (IndexError, OSError):
            return ""

    # -- access ----------------------------------------------------------

    def read_kubeconfig(self):
        """{'server', 'token', 'ssl'} of the current context, or None."""
        if not os.path.exists(self.kubeconfig):
            return None
        with open(self.kubeconfig) as f:
            doc = yaml.safe_load(f)
        if not isinstance(doc, dict):
            return None
        ctx_name = doc.get("current-context")
        ctxs = {c["name"]: c["context"] for c in doc.get("contexts") or []}
        ctx = ctxs.get(ctx_name) or (next(iter(ctxs.values())) if ctxs else {})
        clusters = {c["name"]: c["cluster"] for c in doc.get("clusters") or []}
        users = {u["name"]: u.get("user") or {} for u in doc.get("users") or []}
        cluster = clusters.get(ctx.get("cluster")) or next(iter(clusters.values()))
        user = users.get(ctx.get("user")) or {}
        sslctx = None
        server = cluster["server"]
        if server.startswith("https:"):
            if cluster.get("insecure-skip-tls-verify"):
                sslctx = ssl._create_unverified_context()  # noqa: SLF001
            elif cluster.get("certificate-authority-data"):
                sslctx = ssl.create_default_context(
                    cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
            elif cluster.get("certificate-authority"):
                sslctx = ssl.create_default_context(cafile=cluster["certificate-authority"])
        return {"server": server.rstrip("/"), "token": user.get("token"), "ssl": sslctx}

    def http(self, method, path, body=None, headers=None, kc=None, timeout=30):
        """One raw HTTP request to the apiserver, authenticated as the
        kubeconfig's user. Returns (status, body text, headers)."""
        kc = kc or self.read_kubeconfig()
        data = None
        h = {"Accept": "application/json"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if kc.get("token"):
            h["Authorization"] = "Bearer " + kc["token"]
        h.update(headers or {})
        req = urllib.request.Request(kc["server"] + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=kc.get("ssl")) as r:
                return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)

    def skiff(self, *args, timeout=120):
        """Run the `skiff` CLI against this host's admin socket, e.g.
        host.skiff("plugin", "reload", "controllers"); `--admin <socket>`
        is appended. Returns a Result; never raises on a non-zero exit."""
        argv = [SKIFF] + [str(a) for a in args] + ["--admin", self.admin_socket]
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:strict_string_checks=1")
        env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        try:
            p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return Result(argv, "timeout after %ss" % timeout,
                          (e.stdout or b"").decode("utf-8", "replace"),
                          (e.stderr or b"").decode("utf-8", "replace"))
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))

    def http_get(self, path, kc=None, timeout=30):
        st, body, _ = self.http("GET", path, kc=kc, timeout=timeout)
        return st, body

    def api_client(self):
        """A fresh python3-kubernetes ApiClient from the host's kubeconfig."""
        from kubernetes import config as kconfig
        return kconfig.new_client_from_config(config_file=self.kubeconfig)


class _PortTaken(Exception):
    pass


class HostTestCase(unittest.TestCase):
    """Base class: one host per test class (setUpClass), stopped and reaped
    in a class cleanup that runs even when setUpClass fails. A host that
    does not exit 0 on SIGTERM (crash, sanitizer report, stuck stop) makes
    the class fail."""

    host_sets = ()          # extra --set KEY=VALUE for the host
    host_plugins = ()       # more plugins after etcd-store, apiserver (see Host)
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        require_build(cls.host_plugins)
        cls.tmp = tempfile.mkdtemp(prefix="skiff-e2e-%s-" % cls.__name__)
        cls._kubectl_runs = 0
        cls.addClassCleanup(cls._cleanup_tmp)
        cls.host = Host(cls.tmp, name="e2e", extra_sets=cls.host_sets, plugins=cls.host_plugins)
        cls.addClassCleanup(cls._stop_host)
        cls.host.start()

    @classmethod
    def _stop_host(cls):
        h = cls.host
        rc = h.stop()
        _save_logs(cls.__name__, h)
        if rc not in (0, None):
            raise AssertionError("host exited with %s on SIGTERM (crash, sanitizer report or stuck "
                                 "plugin); log tail:\n%s" % (rc, _tail(h.log_text(), 6000)))

    @classmethod
    def _cleanup_tmp(cls):
        if os.environ.get("SKIFF_E2E_KEEP") != "1":
            shutil.rmtree(cls.tmp, ignore_errors=True)
        else:
            sys.stderr.write("kept %s\n" % cls.tmp)

    # -- kubectl ---------------------------------------------------------

    @classmethod
    def kubectl_env(cls):
        """A fresh HOME and cache dir: nothing (discovery, the dispatcher's
        /version cache) leaks between runs. Returns (env, cache_dir)."""
        cls._kubectl_runs += 1
        d = os.path.join(cls.tmp, "kubectl-%04d" % cls._kubectl_runs)
        home = os.path.join(d, "home")
        cache = os.path.join(d, "cache")
        os.makedirs(home)
        os.makedirs(cache)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KUBE") and k not in ("HOME", "XDG_CACHE_HOME")}
        env.update(HOME=home, KUBECACHEDIR=cache)
        return env, cache

    def kubectl_args(self, args, minor=None):
        binary = kubectl_binary(minor)
        if binary is None:
            if minor is None:
                self.fail("no `kubectl` on PATH")
            self.skipTest("kubectl.1.%d is not installed in %s" % (minor, kubectl_dir()))
        env, cache = self.kubectl_env()
        return [binary, "--kubeconfig", self.host.kubeconfig, "--cache-dir", cache] + [str(a) for a in args], env

    def kubectl(self, *args, minor=None, input=None, timeout=KUBECTL_TIMEOUT):
        """Run kubectl (the dispatcher, or kubectl.1.<minor>) to completion;
        returns a Result. Never raises on a non-zero exit."""
        argv, env = self.kubectl_args(args, minor)
        try:
            p = subprocess.run(argv, env=env, input=None if input is None else input.encode(),
                               stdin=None if input is not None else subprocess.DEVNULL,
                               capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            self.fail("kubectl timed out after %ss: %s\n%s\n%s" % (
                timeout, " ".join(argv), (e.stdout or b"").decode("utf-8", "replace"),
                (e.stderr or b"").decode("utf-8", "replace")))
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))

    def kubectl_bg(self, *args, minor=None):
        """Start kubectl in the background (get -w, wait); it is stopped in
        the test's cleanup whatever happens."""
        argv, env = self.kubectl_args(args, minor)
        bg = Background(argv, env)
        self.addCleanup(bg.stop)
        return bg

    def k(self, *args, minor=None, input=None):
        """kubectl that must succeed; returns the Result."""
        r = self.kubectl(*args, minor=minor, input=input)
        self.assertOk(r)
        return r

    # -- assertions ------------------------------------------------------

    def assertOk(self, r, msg=None):
        if r.rc != 0:
            self.fail("%sexpected exit 0:\n%r" % (msg + ": " if msg else "", r))

    def assertFails(self, r, pattern, msg=None):
        """Non-zero exit and `pattern` (regex) in stderr."""
        if r.rc == 0:
            self.fail("%sexpected a failure matching %r:\n%r" % (msg + ": " if msg else "", pattern, r))
        if not re.search(pattern, r.err):
            self.fail("%sstderr does not match %r:\n%r" % (msg + ": " if msg else "", pattern, r))

    def assertOut(self, r, pattern, msg=None):
        """Exit 0 and `pattern` (regex, multiline) in stdout."""
        self.assertOk(r, msg)
        if not re.search(pattern, r.out, re.M):
            self.fail("%sstdout does not match %r:\n%r" % (msg + ": " if msg else "", pattern, r))

    # -- python client ---------------------------------------------------

    def api_client(self):
        c = self.host.api_client()
        self.addCleanup(_close_client, c)
        return c

    def core_v1(self):
        from kubernetes import client
        return client.CoreV1Api(self.api_client())

    def apps_v1(self):
        from kubernetes import client
        return client.AppsV1Api(self.api_client())

    def create_namespace(self, name):
        """Create a namespace through the Python client (fixture helper)."""
        from kubernetes import client
        self.core_v1().create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
        return name


def close_client(c):
    """Close a python3-kubernetes ApiClient and its connection pool."""
    try:
        c.close()
        c.rest_client.pool_manager.clear()
    except Exception:  # noqa: BLE001
        pass


_close_client = close_client


def _save_logs(label, host):
    try:
        os.makedirs(LOG_DIR, exist_ok=True)
        for i, p in enumerate(host.logs, 1):
            shutil.copyfile(p, os.path.join(LOG_DIR, "%s-host-%d.log" % (label, i)))
    except OSError:
        pass


def api_exception_body(e):
    """The Status of a kubernetes.client ApiException as a dict ({} if the
    body is not JSON)."""
    try:
        return json.loads(e.body)
    except (TypeError, ValueError):
        return {}


# -- checks shared by several test files ------------------------------------

def watch_open(out, err):
    """kubectl -v=6 logs each response; a watch's arrives when it opens."""
    return re.search(r"[?&]watch=true\S* (\"?status=\"?)?\"?200 OK", err) is not None or \
        re.search(r'url="[^"]*[?&]watch=true[^"]*" status="200 OK"', err) is not None


def check_explain_containers(tc, r):
    """`kubectl explain pod.spec.containers` printed real documentation."""
    tc.assertOk(r)
    out = r.out
    for pat in (r"^KIND:\s+Pod$", r"^VERSION:\s+v1$",
                r"^(FIELD|RESOURCE):\s+containers\s+<\[\]Container>",
                r"^DESCRIPTION:", r"^FIELDS:",
                r"^\s+image\s+<string>", r"^\s+name\s+<string>\s+-required-",
                r"^\s+ports\s+<\[\]ContainerPort>", r"^\s+env\s+<\[\]EnvVar>"):
        if not re.search(pat, out, re.M):
            tc.fail("explain output does not match %r:\n%r" % (pat, r))
    # The description is prose from the schema, not an empty placeholder.
    desc = out.split("DESCRIPTION:", 1)[1].split("FIELDS:", 1)[0]
    tc.assertGreater(len(desc.split()), 5, "explain printed no real description:\n%r" % r)


def main():
    unittest.main(verbosity=2)
