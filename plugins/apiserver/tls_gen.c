/* The default HTTPS listener's certificates, made with GnuTLS's x509 API
 * (the library libmicrohttpd serves TLS with). The cluster CA is created
 * once and kept, because every kubeconfig handed out carries it; the
 * serving certificate is issued anew at every start, so its names follow
 * the current config (address, node name, service range) and a stale one
 * never outlives a config change. Both keys are ECDSA P-256, signed with
 * SHA-256: what kubectl (Go), client-go and Python's ssl all accept. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tls_gen.h"

#define CA_DAYS 3650
#define SERVING_DAYS 365
#define DAY_S 86400
/* Back-dated so a client whose clock runs a little behind accepts a
 * certificate issued a moment ago. */
#define BACKDATE_S 3600
#define PATH_SIZE 4200

typedef struct tls_pair {
    gnutls_x509_crt_t crt;
    gnutls_x509_privkey_t key;
} tls_pair;

/* Logs a failed GnuTLS step and the file it was for; returns -EIO. */
static int gfail(const ap_server *s, const char *step, const char *path, int grc)
{
    sk_error(s->h, "apiserver: TLS: %s for %s: %s", step, path, gnutls_strerror(grc));
    return -EIO;
}

#define CHECK(call, step, path)                                                              \
    do {                                                                                     \
        int grc_ = (call);                                                                   \
        if (grc_ < 0)                                                                        \
            return gfail(s, step, path, grc_);                                               \
    } while (0)

static void data_path(const ap_server *s, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", s->h->data_dir, name);
}

static int pair_init(const ap_server *s, tls_pair *p)
{
    CHECK(gnutls_x509_crt_init(&p->crt), "gnutls_x509_crt_init", s->h->data_dir);
    CHECK(gnutls_x509_privkey_init(&p->key), "gnutls_x509_privkey_init", s->h->data_dir);
    return 0;
}

static void pair_deinit(tls_pair *p)
{
    if (p->crt)
        gnutls_x509_crt_deinit(p->crt);
    if (p->key)
        gnutls_x509_privkey_deinit(p->key);
    p->crt = NULL;
    p->key = NULL;
}

static int generate_key(const ap_server *s, gnutls_x509_privkey_t key, const char *path)
{
    CHECK(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
          "generating an ECDSA P-256 key", path);
    return 0;
}

/* RFC 5280's method 1 (SHA-1 of the public key): an identifier, not a
 * security property; it lets verifiers match the serving certificate's
 * authority key id to the CA. */
static int set_subject_key_id(const ap_server *s, gnutls_x509_crt_t crt, const char *path)
{
    unsigned char id[64];
    size_t n = sizeof id;
    CHECK(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &n),
          "computing the subject key id", path);
    CHECK(gnutls_x509_crt_set_subject_key_id(crt, id, n), "setting the subject key id", path);
    return 0;
}

/* What both certificates share: version 3, a random serial, the validity
 * window, the subject CN and the public key of key. */
static int set_basics(const ap_server *s, gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                      const char *cn, int days, const char *path)
{
    unsigned char serial[16];
    CHECK(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial), "drawing a random serial", path);
    /* A positive DER INTEGER without a leading zero octet (RFC 5280 4.1.2.2). */
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
    time_t now = time(NULL);
    CHECK(gnutls_x509_crt_set_version(crt, 3), "setting the version", path);
    CHECK(gnutls_x509_crt_set_serial(crt, serial, sizeof serial), "setting the serial", path);
    CHECK(gnutls_x509_crt_set_activation_time(crt, now - BACKDATE_S), "setting notBefore", path);
    CHECK(gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * DAY_S),
          "setting notAfter", path);
    CHECK(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                        (unsigned)strlen(cn)),
          "setting the subject CN", path);
    CHECK(gnutls_x509_crt_set_key(crt, key), "setting the public key", path);
    return set_subject_key_id(s, crt, path);
}

/* crt, or else key, as malloc'd NUL-terminated PEM into *out. */
static int export_pem(const ap_server *s, gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                      const char *path, char **out)
{
    gnutls_datum_t d = {NULL, 0};
    if (crt)
        CHECK(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d), "encoding PEM", path);
    else
        CHECK(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d), "encoding PEM", path);
    *out = strndup((const char *)d.data, d.size);
    gnutls_memset(d.data, 0, d.size);
    gnutls_free(d.data);
    return *out ? 0 : -ENOMEM;
}

/* Exports crt (or key) to path, mode 0600; its PEM into *pem. */
static int save(const ap_server *s, gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                const char *path, char **pem)
{
    int rc = export_pem(s, crt, key, path, pem);
    if (rc)
        return rc;
    rc = ap_write_private_file(path, *pem);
    if (rc) {
        sk_error(s->h, "apiserver: TLS: cannot write %s: %s", path, strerror(-rc));
        free(*pem);
        *pem = NULL;
    }
    return rc;
}

/* ---- the cluster CA ---- */

static int create_ca(const ap_server *s, tls_pair *ca, const char *crt_path,
                     const char *key_path, char **ca_pem)
{
    int rc = generate_key(s, ca->key, key_path);
    if (rc == 0)
        rc = set_basics(s, ca->crt, ca->key, "skiff-ca", CA_DAYS, crt_path);
    if (rc)
        return rc;
    CHECK(gnutls_x509_crt_set_basic_constraints(ca->crt, 1, -1),
          "setting basicConstraints CA:TRUE", crt_path);
    CHECK(gnutls_x509_crt_set_key_usage(ca->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
          "setting keyUsage certSign, cRLSign", crt_path);
    CHECK(gnutls_x509_crt_sign2(ca->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0),
          "self-signing the CA certificate", crt_path);
    /* The key first: an existing ca.crt means a complete CA to load. */
    char *key_pem = NULL;
    rc = save(s, NULL, ca->key, key_path, &key_pem);
    free(key_pem);
    if (rc == 0)
        rc = save(s, ca->crt, NULL, crt_path, ca_pem);
    if (rc == 0)
        sk_info(s->h, "apiserver: created the cluster CA %s", crt_path);
    return rc;
}

/* A kept CA must still be usable: its key matches and it has not expired
 * (a silent replacement would invalidate every kubeconfig, so say so). */
static int check_ca(const ap_server *s, const tls_pair *ca, const char *crt_path,
                    const char *key_path)
{
    unsigned char a[64], b[64];
    size_t na = sizeof a, nb = sizeof b;
    CHECK(gnutls_x509_crt_get_key_id(ca->crt, GNUTLS_KEYID_USE_SHA256, a, &na),
          "computing the key id", crt_path);
    CHECK(gnutls_x509_privkey_get_key_id(ca->key, GNUTLS_KEYID_USE_SHA256, b, &nb),
          "computing the key id", key_path);
    if (na != nb || memcmp(a, b, na) != 0) {
        sk_error(s->h, "apiserver: TLS: %s is not the key of %s; remove both to make a new CA",
                 key_path, crt_path);
        return -EINVAL;
    }
    time_t exp = gnutls_x509_crt_get_expiration_time(ca->crt);
    if (exp == (time_t)-1 || exp <= time(NULL)) {
        sk_error(s->h, "apiserver: TLS: the CA certificate %s has expired; remove it and %s to "
                 "make a new CA (kubeconfigs must then be fetched again)", crt_path, key_path);
        return -EINVAL;
    }
    return 0;
}

/* Reads a PEM file; the caller frees d->data with gnutls_free(). */
static int load_pem(const ap_server *s, const char *path, gnutls_datum_t *d)
{
    CHECK(gnutls_load_file(path, d), "reading the file", path);
    return 0;
}

static int load_ca(const ap_server *s, tls_pair *ca, const char *crt_path, const char *key_path,
                   char **ca_pem)
{
    gnutls_datum_t d = {NULL, 0};
    int rc = load_pem(s, key_path, &d);
    if (rc)
        return rc;
    int grc = gnutls_x509_privkey_import(ca->key, &d, GNUTLS_X509_FMT_PEM);
    gnutls_memset(d.data, 0, d.size);
    gnutls_free(d.data);
    if (grc < 0)
        return gfail(s, "parsing the PEM private key", key_path, grc);
    if ((rc = load_pem(s, crt_path, &d)))
        return rc;
    grc = gnutls_x509_crt_import(ca->crt, &d, GNUTLS_X509_FMT_PEM);
    if (grc >= 0)
        *ca_pem = strndup((const char *)d.data, d.size);
    gnutls_free(d.data);
    if (grc < 0)
        return gfail(s, "parsing the PEM certificate", crt_path, grc);
    if (!*ca_pem)
        return -ENOMEM;
    return check_ca(s, ca, crt_path, key_path);
}

static int ensure_ca(const ap_server *s, tls_pair *ca, char **ca_pem)
{
    char crt_path[PATH_SIZE], key_path[PATH_SIZE];
    data_path(s, "ca.crt", crt_path, sizeof crt_path);
    data_path(s, "ca.key", key_path, sizeof key_path);
    if (access(crt_path, F_OK) == 0)
        return load_ca(s, ca, crt_path, key_path, ca_pem);
    if (errno != ENOENT) {
        int e = errno;
        sk_error(s->h, "apiserver: TLS: cannot access %s: %s", crt_path, strerror(e));
        return -e;
    }
    return create_ca(s, ca, crt_path, key_path, ca_pem);
}

/* ---- the serving certificate ---- */

/* One subjectAltName: an IP address when name parses as one, else DNS. */
static int add_san(const ap_server *s, gnutls_x509_crt_t crt, const char *name,
                   const char *path)
{
    unsigned char ip[16];
    gnutls_x509_subject_alt_name_t type = GNUTLS_SAN_IPADDRESS;
    const void *data = ip;
    size_t len = 4;
    if (inet_pton(AF_INET, name, ip) != 1) {
        len = 16;
        if (inet_pton(AF_INET6, name, ip) != 1) {
            type = GNUTLS_SAN_DNSNAME;
            data = name;
            len = strlen(name);
        }
    }
    int grc = gnutls_x509_crt_set_subject_alt_name(crt, type, data, (unsigned)len,
                                                   GNUTLS_FSAN_APPEND);
    if (grc < 0) {
        sk_error(s->h, "apiserver: TLS: adding the subjectAltName %s for %s: %s", name, path,
                 gnutls_strerror(grc));
        return -EIO;
    }
    return 0;
}

static bool listed_before(const char *const *names, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (names[j] && strcmp(names[j], names[i]) == 0)
            return true;
    return false;
}

/* Every name a client may reach this apiserver by: loopback, the
 * `kubernetes` Service (its DNS names and ClusterIP, the first address of
 * service_cidr as bootstrap.c gives it), this node, and a specific listen
 * address (a wildcard one is no name). */
static int add_sans(const ap_server *s, gnutls_x509_crt_t crt, const char *path)
{
    char svc_ip[INET_ADDRSTRLEN];
    struct in_addr a = {htonl(s->conf.svc_net + 1)};
    inet_ntop(AF_INET, &a, svc_ip, sizeof svc_ip);
    const char *addr = s->conf.address;
    if (addr && (strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0))
        addr = NULL;
    const char *const names[] = {"127.0.0.1", "::1", "localhost", "kubernetes",
                                 "kubernetes.default", "kubernetes.default.svc",
                                 "kubernetes.default.svc.cluster.local", svc_ip,
                                 s->h->node_name, addr};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!names[i] || !*names[i] || listed_before(names, i))
            continue;
        int rc = add_san(s, crt, names[i], path);
        if (rc)
            return rc;
    }
    return 0;
}

static int set_serving_exts(const ap_server *s, gnutls_x509_crt_t crt, gnutls_x509_crt_t ca,
                            const char *path)
{
    CHECK(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "setting basicConstraints CA:FALSE",
          path);
    CHECK(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
          "setting keyUsage digitalSignature", path);
    CHECK(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
          "setting extendedKeyUsage serverAuth", path);
    unsigned char id[64];
    size_t n = sizeof id;
    unsigned critical;
    int grc = gnutls_x509_crt_get_subject_key_id(ca, id, &n, &critical);
    if (grc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return 0; /* a CA made elsewhere without one: verifiers match by name */
    CHECK(grc, "reading the CA's subject key id", path);
    CHECK(gnutls_x509_crt_set_authority_key_id(crt, id, n), "setting the authority key id",
          path);
    return 0;
}

static int issue_serving(const ap_server *s, const tls_pair *ca, tls_pair *srv,
                         const char *crt_path, const char *key_path)
{
    int rc = generate_key(s, srv->key, key_path);
    if (rc == 0)
        rc = set_basics(s, srv->crt, srv->key, "skiff-apiserver", SERVING_DAYS, crt_path);
    if (rc == 0)
        rc = set_serving_exts(s, srv->crt, ca->crt, crt_path);
    if (rc == 0)
        rc = add_sans(s, srv->crt, crt_path);
    if (rc)
        return rc;
    CHECK(gnutls_x509_crt_sign2(srv->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0),
          "signing with the cluster CA", crt_path);
    return 0;
}

static int make_serving(const ap_server *s, const tls_pair *ca, tls_pair *srv, char **cert,
                        char **key)
{
    char crt_path[PATH_SIZE], key_path[PATH_SIZE];
    data_path(s, "apiserver.crt", crt_path, sizeof crt_path);
    data_path(s, "apiserver.key", key_path, sizeof key_path);
    int rc = issue_serving(s, ca, srv, crt_path, key_path);
    if (rc == 0)
        rc = save(s, NULL, srv->key, key_path, key);
    if (rc == 0 && (rc = save(s, srv->crt, NULL, crt_path, cert))) {
        free(*key);
        *key = NULL;
    }
    return rc;
}

int ap_tls_generate(ap_server *s)
{
    free(s->tls_cert);
    free(s->tls_key);
    free(s->tls_ca);
    s->tls_cert = s->tls_key = s->tls_ca = NULL;
    tls_pair ca = {NULL, NULL}, srv = {NULL, NULL};
    char *ca_pem = NULL, *cert = NULL, *key = NULL;
    int rc = pair_init(s, &ca);
    if (rc == 0)
        rc = pair_init(s, &srv);
    if (rc == 0)
        rc = ensure_ca(s, &ca, &ca_pem);
    if (rc == 0)
        rc = make_serving(s, &ca, &srv, &cert, &key);
    pair_deinit(&ca);
    pair_deinit(&srv);
    if (rc) {
        free(ca_pem);
        return rc;
    }
    s->tls_ca = ca_pem;
    s->tls_cert = cert;
    s->tls_key = key;
    return 0;
}
