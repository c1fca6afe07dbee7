/* tls_gen.c without a running host: the cluster CA and the serving
 * certificate it signs (fields, names, chain), the CA kept across starts
 * while the serving certificate is reissued, a broken CA refused, and the
 * kubeconfig trusting the CA. The host is a fake sk_host (data dir, node
 * name, a silent log). */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apiserver.h"
#include "base64.h"
#include "test_util.h"
#include "tls_gen.h"

static void fake_logv(void *ctx, sk_log_level l, const char *fmt, va_list ap)
{
    (void)ctx, (void)l, (void)fmt, (void)ap;
}
static int fake_enabled(void *ctx, sk_log_level l)
{
    (void)ctx, (void)l;
    return 0;
}

static sk_log_api log_api = {sizeof(sk_log_api), fake_logv, fake_enabled};
static char dir[64], data[128];
static sk_host host;
static ap_server srv;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sk-apitls-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(data, sizeof data, "%s/apiserver", dir);
    mkdir(data, 0700);
    host = (sk_host){.size = sizeof host, .plugin_name = "apiserver", .node_name = "node-7",
                     .data_dir = data, .log = &log_api};
    srv = (ap_server){.h = &host, .authorize = ap_authorize_default};
    srv.conf.address = "192.0.2.10";
    srv.conf.tls = 1;
    srv.conf.svc_net = 0x0a600000; /* 10.96.0.0/12 */
    srv.conf.svc_mask = 0xfff00000;
}

static void free_tls(void)
{
    free(srv.tls_cert);
    free(srv.tls_key);
    free(srv.tls_ca);
    srv.tls_cert = srv.tls_key = srv.tls_ca = NULL;
}

/* The whole of <data>/name, or NULL. */
static char *slurp(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", data, name);
    gnutls_datum_t d = {NULL, 0};
    if (gnutls_load_file(path, &d) < 0)
        return NULL;
    char *s = strndup((const char *)d.data, d.size);
    gnutls_free(d.data);
    return s;
}

static int file_mode(const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", data, name);
    return stat(path, &st) ? -1 : (int)(st.st_mode & 0777);
}

static gnutls_x509_crt_t parse(const char *pem)
{
    gnutls_x509_crt_t c = NULL;
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)strlen(pem)};
    if (gnutls_x509_crt_init(&c) < 0)
        return NULL;
    if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM) < 0) {
        gnutls_x509_crt_deinit(c);
        return NULL;
    }
    return c;
}

static void check_cn(gnutls_x509_crt_t c, const char *want)
{
    char cn[128];
    size_t n = sizeof cn;
    CU_ASSERT_EQUAL_FATAL(gnutls_x509_crt_get_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
                                                        cn, &n),
                          0);
    CU_ASSERT_STRING_EQUAL(cn, want);
}

static void check_ca(gnutls_x509_crt_t ca)
{
    check_cn(ca, "skiff-ca");
    unsigned critical = 0, usage = 0;
    CU_ASSERT_EQUAL(gnutls_x509_crt_get_basic_constraints(ca, &critical, NULL, NULL), 1);
    CU_ASSERT_EQUAL(critical, 1);
    CU_ASSERT_EQUAL(gnutls_x509_crt_get_key_usage(ca, &usage, &critical), 0);
    CU_ASSERT_EQUAL(usage, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
    CU_ASSERT_EQUAL(gnutls_x509_crt_get_pk_algorithm(ca, NULL), GNUTLS_PK_ECDSA);
}

/* The serving certificate names exactly these (IPs as text). */
static void check_sans(gnutls_x509_crt_t c, const char *const *want, size_t nwant)
{
    size_t found = 0;
    for (unsigned i = 0;; i++) {
        char buf[256], text[64];
        size_t n = sizeof buf;
        int type = gnutls_x509_crt_get_subject_alt_name(c, i, buf, &n, NULL);
        if (type < 0)
            break;
        const char *name = buf;
        if (type == GNUTLS_SAN_IPADDRESS) {
            inet_ntop(n == 4 ? AF_INET : AF_INET6, buf, text, sizeof text);
            name = text;
        } else {
            buf[n] = 0;
        }
        bool listed = false;
        for (size_t j = 0; j < nwant; j++)
            listed |= strcmp(want[j], name) == 0;
        if (!listed)
            fprintf(stderr, "\n  unexpected subjectAltName %s\n", name);
        CU_ASSERT(listed);
        found += listed;
    }
    CU_ASSERT_EQUAL(found, nwant);
}

static void check_serving(gnutls_x509_crt_t c, gnutls_x509_crt_t ca)
{
    check_cn(c, "skiff-apiserver");
    unsigned critical = 0, status = ~0u;
    CU_ASSERT_EQUAL(gnutls_x509_crt_get_basic_constraints(c, &critical, NULL, NULL), 0);
    char oid[64];
    size_t n = sizeof oid;
    CU_ASSERT_EQUAL(gnutls_x509_crt_get_key_purpose_oid(c, 0, oid, &n, NULL), 0);
    CU_ASSERT_STRING_EQUAL(oid, GNUTLS_KP_TLS_WWW_SERVER);
    CU_ASSERT_EQUAL(gnutls_x509_crt_verify(c, &ca, 1, 0, &status), 0);
    CU_ASSERT_EQUAL(status, 0);
    time_t now = time(NULL);
    CU_ASSERT(gnutls_x509_crt_get_activation_time(c) <= now - 3000);
    time_t exp = gnutls_x509_crt_get_expiration_time(c);
    CU_ASSERT(exp > now + 364 * 86400 && exp < now + 366 * 86400);
    static const char *const sans[] = {"127.0.0.1",
                                       "::1",
                                       "localhost",
                                       "kubernetes",
                                       "kubernetes.default",
                                       "kubernetes.default.svc",
                                       "kubernetes.default.svc.cluster.local",
                                       "10.96.0.1",
                                       "node-7",
                                       "192.0.2.10"};
    check_sans(c, sans, sizeof sans / sizeof sans[0]);
}

static void t_generate(void)
{
    CU_ASSERT_EQUAL_FATAL(ap_tls_generate(&srv), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv.tls_ca);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv.tls_cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(srv.tls_key);
    const char *files[] = {"ca.crt", "ca.key", "apiserver.crt", "apiserver.key"};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(file_mode(files[i]), 0600);
    char *ca_file = slurp("ca.crt"), *crt_file = slurp("apiserver.crt");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca_file);
    CU_ASSERT_PTR_NOT_NULL_FATAL(crt_file);
    CU_ASSERT_STRING_EQUAL(ca_file, srv.tls_ca);
    CU_ASSERT_STRING_EQUAL(crt_file, srv.tls_cert);
    CU_ASSERT_PTR_NOT_NULL(strstr(srv.tls_key, "PRIVATE KEY-----"));
    gnutls_x509_crt_t ca = parse(srv.tls_ca), c = parse(srv.tls_cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    check_ca(ca);
    check_serving(c, ca);
    gnutls_x509_crt_deinit(ca);
    gnutls_x509_crt_deinit(c);
    free(ca_file);
    free(crt_file);
}

/* A second start keeps the CA (same bytes) and issues a new serving
 * certificate, for the current names: a wildcard address is none. */
static void t_restart_keeps_ca(void)
{
    char *ca_before = slurp("ca.crt"), *crt_before = slurp("apiserver.crt");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca_before);
    CU_ASSERT_PTR_NOT_NULL_FATAL(crt_before);
    srv.conf.address = "0.0.0.0";
    CU_ASSERT_EQUAL_FATAL(ap_tls_generate(&srv), 0);
    srv.conf.address = "192.0.2.10";
    char *ca_after = slurp("ca.crt");
    CU_ASSERT_STRING_EQUAL(ca_after, ca_before);
    CU_ASSERT_STRING_EQUAL(srv.tls_ca, ca_before);
    CU_ASSERT_STRING_NOT_EQUAL(srv.tls_cert, crt_before);
    gnutls_x509_crt_t ca = parse(srv.tls_ca), c = parse(srv.tls_cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    unsigned status = ~0u;
    CU_ASSERT_EQUAL(gnutls_x509_crt_verify(c, &ca, 1, 0, &status), 0);
    CU_ASSERT_EQUAL(status, 0);
    static const char *const sans[] = {"127.0.0.1",
                                       "::1",
                                       "localhost",
                                       "kubernetes",
                                       "kubernetes.default",
                                       "kubernetes.default.svc",
                                       "kubernetes.default.svc.cluster.local",
                                       "10.96.0.1",
                                       "node-7"};
    check_sans(c, sans, sizeof sans / sizeof sans[0]);
    gnutls_x509_crt_deinit(ca);
    gnutls_x509_crt_deinit(c);
    free(ca_before);
    free(crt_before);
    free(ca_after);
}

/* The kubeconfig names the https URL and carries the CA, not the serving
 * certificate. */
static void t_kubeconfig(void)
{
    CU_ASSERT_EQUAL_FATAL(ap_auth_load(&srv), 0);
    snprintf(srv.url, sizeof srv.url, "https://127.0.0.1:6443");
    CU_ASSERT_EQUAL_FATAL(ap_write_kubeconfig(&srv), 0);
    ap_auth_free(&srv);
    char path[128];
    snprintf(path, sizeof path, "%s/kubeconfig", dir);
    gnutls_datum_t d = {NULL, 0};
    CU_ASSERT_EQUAL_FATAL(gnutls_load_file(path, &d), 0);
    char *kc = strndup((const char *)d.data, d.size);
    gnutls_free(d.data);
    size_t n = strlen(srv.tls_ca);
    char *b64 = malloc(sk_base64_len(n) + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b64);
    sk_base64_encode(srv.tls_ca, n, b64);
    char want[2048];
    snprintf(want, sizeof want, "    certificate-authority-data: %s\n", b64);
    CU_ASSERT_PTR_NOT_NULL(strstr(kc, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(kc, "    server: https://127.0.0.1:6443\n"));
    free(b64);
    free(kc);
}

/* A CA whose key is another one's, or unreadable, stops the start: making
 * a new CA silently would invalidate every kubeconfig. */
static void t_broken_ca(void)
{
    char ca_key[256], srv_key[256], saved[256];
    snprintf(ca_key, sizeof ca_key, "%s/ca.key", data);
    snprintf(srv_key, sizeof srv_key, "%s/apiserver.key", data);
    snprintf(saved, sizeof saved, "%s/ca.key.saved", dir);
    CU_ASSERT_EQUAL_FATAL(rename(ca_key, saved), 0);
    char *other = slurp("apiserver.key");
    CU_ASSERT_EQUAL_FATAL(ap_write_private_file(ca_key, other), 0);
    CU_ASSERT(ap_tls_generate(&srv) < 0);
    CU_ASSERT_PTR_NULL(srv.tls_cert);
    CU_ASSERT_PTR_NULL(srv.tls_ca);
    CU_ASSERT_EQUAL_FATAL(ap_write_private_file(ca_key, "not a key\n"), 0);
    CU_ASSERT(ap_tls_generate(&srv) < 0);
    CU_ASSERT_EQUAL_FATAL(rename(saved, ca_key), 0);
    CU_ASSERT_EQUAL(ap_tls_generate(&srv), 0);
    free(other);
}

int main(void)
{
    static const tcase cases[] = {
        {"CA and serving certificate", t_generate},
        {"restart keeps the CA, reissues the serving certificate", t_restart_keeps_ca},
        {"kubeconfig trusts the CA", t_kubeconfig},
        {"a broken CA is refused", t_broken_ca},
        {NULL, NULL},
    };
    setup();
    int rc = trun("apiserver-tls", cases);
    free_tls();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) < 0)
        perror("system");
    return rc;
}
