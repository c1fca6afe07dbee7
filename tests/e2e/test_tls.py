"""HTTPS by default (docs/API.md, "HTTPS"): with no certificate in the config
the apiserver makes a cluster CA (kept in <data-dir>/apiserver) and a
serving certificate it signs, writes a kubeconfig that trusts the CA, and
checks bearer tokens on every request but /version and the health checks,
also from loopback. `tls: false` is plain HTTP, where loopback_admin still
serves token-less loopback clients as the admin.
"""

import base64
import json
import os
import shutil
import stat
import subprocess
import urllib.request

import yaml

from skiffharness import KUBECTL_TIMEOUT, HostTestCase, Result, kubectl_binary, main

PUBLIC = ("/version", "/healthz", "/livez", "/readyz")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class TLSTestCase(HostTestCase):
    def kubectl_with(self, kubeconfig, *args):
        """The kubectl dispatcher with another kubeconfig (its own HOME and
        --cache-dir, like every run here)."""
        env, cache = self.kubectl_env()
        argv = [kubectl_binary(), "--kubeconfig", kubeconfig, "--cache-dir", cache] + list(args)
        p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=KUBECTL_TIMEOUT)
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))


class TLSDefault(TLSTestCase):
    """The default config; loopback_admin is set on purpose: it must have
    no effect over TLS."""

    host_sets = ("plugins.1.config.loopback_admin=true",)

    def api_dir(self):
        return os.path.join(self.host.data_dir, "apiserver")

    def kubeconfig_doc(self):
        with open(self.host.kubeconfig) as f:
            return yaml.safe_load(f)

    def test_certificates_and_kubeconfig(self):
        d = self.api_dir()
        for name in ("ca.crt", "ca.key", "apiserver.crt", "apiserver.key"):
            st = os.stat(os.path.join(d, name))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o600, name)
        cluster = self.kubeconfig_doc()["clusters"][0]["cluster"]
        self.assertEqual(cluster["server"], "https://127.0.0.1:%d" % self.host.port)
        # the CA, not the serving certificate
        self.assertEqual(base64.b64decode(cluster["certificate-authority-data"]),
                         read_bytes(os.path.join(d, "ca.crt")))
        with open(os.path.join(d, "url")) as f:
            self.assertEqual(f.read().strip(), "https://127.0.0.1:%d" % self.host.port)
        self.assertIn("created the cluster CA", self.host.log_text())

    def test_kubectl_and_python_client(self):
        self.k("create", "namespace", "tls-ns")
        r = self.k("get", "namespaces")
        self.assertRegex(r.out, r"(?m)^tls-ns\s+Active")
        self.k("-n", "tls-ns", "create", "configmap", "tls-cm", "--from-literal=k=v")
        r = self.k("-n", "tls-ns", "get", "configmap", "tls-cm", "-o", "json")
        self.assertEqual(r.json()["data"], {"k": "v"})
        r = self.k("cluster-info")
        self.assertIn("running at https://127.0.0.1:%d" % self.host.port, r.out)
        cm = self.core_v1().read_namespaced_config_map("tls-cm", "tls-ns")
        self.assertEqual(cm.data, {"k": "v"})

    def test_token_required_from_loopback(self):
        kc = self.host.read_kubeconfig()
        for token in (None, "wrong-token"):
            st, body, _ = self.host.http("GET", "/api/v1/namespaces", kc=dict(kc, token=token))
            self.assertEqual(st, 401, "token %r: %s" % (token, body))
            self.assertEqual(json.loads(body).get("reason"), "Unauthorized", body)
        st, body, _ = self.host.http("GET", "/api", kc=dict(kc, token=None))
        self.assertEqual(st, 401, body)
        for path in PUBLIC:
            st, body, _ = self.host.http("GET", path, kc=dict(kc, token=None))
            self.assertEqual(st, 200, "%s: %s" % (path, body))
        st, _, _ = self.host.http("GET", "/api/v1/namespaces", kc=kc)
        self.assertEqual(st, 200)

    def test_kubectl_wrong_token(self):
        # (a kubeconfig with no credentials at all makes kubectl prompt for
        # a username instead of asking the server; the raw requests above
        # cover the token-less case)
        doc = self.kubeconfig_doc()
        doc["users"][0]["user"] = {"token": "wrong-token"}
        path = os.path.join(self.tmp, "kubeconfig-wrong-token")
        with open(path, "w") as f:
            yaml.safe_dump(doc, f)
        r = self.kubectl_with(path, "get", "namespaces")
        self.assertFails(r, r"You must be logged in to the server")

    def test_untrusted_without_ca(self):
        """The serving certificate is not trusted without the kubeconfig's CA."""
        doc = self.kubeconfig_doc()
        del doc["clusters"][0]["cluster"]["certificate-authority-data"]
        path = os.path.join(self.tmp, "kubeconfig-no-ca")
        with open(path, "w") as f:
            yaml.safe_dump(doc, f)
        r = self.kubectl_with(path, "get", "namespaces")
        self.assertFails(r, r"certificate signed by unknown authority|x509")

    def test_plain_http_refused(self):
        """The port speaks only TLS: a plain HTTP request gets no answer
        as HTTP (MHD drops the non-TLS handshake)."""
        url = "http://127.0.0.1:%d/version" % self.host.port
        with self.assertRaises(Exception):
            with urllib.request.urlopen(url, timeout=10) as r:
                r.read()


class TLSRestart(TLSTestCase):
    """The CA survives a restart byte for byte, so a kubeconfig handed out
    before still works; the serving certificate is issued again."""

    def test_restart_keeps_ca(self):
        d = os.path.join(self.host.data_dir, "apiserver")
        ca = read_bytes(os.path.join(d, "ca.crt"))
        ca_key = read_bytes(os.path.join(d, "ca.key"))
        serving = read_bytes(os.path.join(d, "apiserver.crt"))
        old = os.path.join(self.tmp, "kubeconfig-before")
        shutil.copyfile(self.host.kubeconfig, old)
        self.k("create", "namespace", "before-restart")
        self.host.restart(same_port=True)
        self.assertEqual(read_bytes(os.path.join(d, "ca.crt")), ca)
        self.assertEqual(read_bytes(os.path.join(d, "ca.key")), ca_key)
        self.assertNotEqual(read_bytes(os.path.join(d, "apiserver.crt")), serving)
        self.assertNotIn("created the cluster CA", self.host.log_text())
        r = self.kubectl_with(old, "get", "namespace", "before-restart", "-o", "name")
        self.assertOut(r, r"^namespace/before-restart$")
        self.assertEqual(read_bytes(self.host.kubeconfig), read_bytes(old))


class PlainHTTP(HostTestCase):
    """tls: false: plain HTTP, no certificates, and loopback_admin (on by
    default) serves a token-less loopback client as the admin, which is
    how kubectl (it sends no credentials over plain HTTP) gets in."""

    host_sets = ("plugins.1.config.tls=false",)

    def test_plain_http_loopback_admin(self):
        kc = self.host.read_kubeconfig()
        self.assertEqual(kc["server"], "http://127.0.0.1:%d" % self.host.port)
        with open(self.host.kubeconfig) as f:
            self.assertNotIn("certificate-authority-data", f.read())
        self.assertFalse(os.path.exists(os.path.join(self.host.data_dir, "apiserver", "ca.crt")))
        self.assertRegex(self.host.log_text(), r"WARN .*plain HTTP \(tls: false\) with loopback_admin")
        st, body, _ = self.host.http("GET", "/api/v1/namespaces", kc=dict(kc, token=None))
        self.assertEqual(st, 200, body)
        st, body, _ = self.host.http("GET", "/api/v1/namespaces", kc=dict(kc, token="wrong-token"))
        self.assertEqual(st, 401, body)
        self.k("create", "namespace", "plain-ns")
        r = self.k("get", "namespaces")
        self.assertRegex(r.out, r"(?m)^plain-ns\s+Active")
        names = [n.metadata.name for n in self.core_v1().list_namespace().items]
        self.assertIn("plain-ns", names)


class UserCertificate(HostTestCase):
    """tls_cert_file/tls_key_file: that certificate is served and is the
    kubeconfig's CA; nothing is generated."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.cert_dir = tempfile.mkdtemp(prefix="skiff-e2e-usercert-")
        key = os.path.join(cls.cert_dir, "tls.key")
        crt = os.path.join(cls.cert_dir, "tls.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "2", "-subj", "/CN=skiff-test",
                        "-addext", "subjectAltName=IP:127.0.0.1",
                        "-addext", "basicConstraints=critical,CA:TRUE"],
                       check=True, capture_output=True)
        cls.host_sets = ("plugins.1.config.tls_cert_file=" + crt,
                         "plugins.1.config.tls_key_file=" + key)
        try:
            super().setUpClass()
        finally:
            cls.addClassCleanup(shutil.rmtree, cls.cert_dir, True)

    def test_user_certificate(self):
        with open(self.host.kubeconfig) as f:
            doc = yaml.safe_load(f)
        ca = base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"])
        self.assertEqual(ca, read_bytes(os.path.join(self.cert_dir, "tls.crt")))
        self.assertFalse(os.path.exists(os.path.join(self.host.data_dir, "apiserver", "ca.crt")))
        self.k("create", "namespace", "user-cert-ns")
        r = self.k("get", "namespaces")
        self.assertRegex(r.out, r"(?m)^user-cert-ns\s+Active")
        st, _, _ = self.host.http("GET", "/api/v1/namespaces",
                                  kc=dict(self.host.read_kubeconfig(), token=None))
        self.assertEqual(st, 401)


if __name__ == "__main__":
    main()
