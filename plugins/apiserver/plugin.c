/* The apiserver plugin: options, lifecycle. init() only validates (a hot
 * swap inits the new generation while the old one still holds the port);
 * start() binds HTTP, serves `api` and bootstraps the system objects;
 * stop() ends every watch and joins every thread before returning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "apiserver.h"
#include "cache.h"
#include "openapi.h"
#include "log_stream.h"
#include "watch.h"

#define BOOTSTRAP_RETRY_MS 2000

int ap_bootstrap_once(ap_server *s);

static const sk_option options[] = {
    {"address", SK_OPT_STRING, "127.0.0.1", "HTTP listen address"},
    {"port", SK_OPT_INT, "6443", "HTTP listen port; 0 picks a free one"},
    {"service", SK_OPT_STRING, "api", "bus service served (msgpack API)"},
    {"store_service", SK_OPT_STRING, "store", "bus service of the store"},
    {"service_cidr", SK_OPT_STRING, "10.96.0.0/12", "Service ClusterIP range"},
    {"node_port_range", SK_OPT_STRING, "30000-32767", "Service NodePort range"},
    {"token_file", SK_OPT_STRING, NULL,
     "static bearer tokens, CSV: token,user,uid,\"group1,group2\""},
    {"tls", SK_OPT_BOOL, "true",
     "serve HTTPS; without tls_cert_file a cluster CA (kept) and a serving certificate "
     "(reissued at every start) are generated in the data dir. false: plain HTTP, for tests "
     "and local development"},
    {"tls_cert_file", SK_OPT_STRING, NULL,
     "PEM certificate: serve HTTPS (with tls_key_file); the kubeconfig trusts it as its CA"},
    {"tls_key_file", SK_OPT_STRING, NULL, "PEM private key of tls_cert_file"},
    {"allow_anonymous", SK_OPT_BOOL, "false", "serve requests without a token"},
    {"loopback_admin", SK_OPT_BOOL, "true",
     "tls: false only (tests, benchmarks, local development): a loopback client sending no "
     "token is the admin, since kubectl never sends credentials over plain HTTP"},
    {"kubernetes_version", SK_OPT_STRING, SK_OPENAPI_K8S_VERSION,
     "gitVersion reported by /version (kubectl's dispatcher picks its minor from it)"},
    {"request_timeout", SK_OPT_DURATION, "5s", "timeout of each store call"},
    {"max_connections", SK_OPT_INT, "1024", "concurrent HTTP connections"},
    {"watch_queue", SK_OPT_INT, "4096",
     "undelivered events after which a slow watcher is disconnected"},
    {"read_cache", SK_OPT_BOOL, "true",
     "serve single-object reads from a watched copy of the store (only while this apiserver "
     "is the store's one writer)"},
    {NULL, 0, NULL, NULL},
};

static int conf_error(const sk_host *h, const char *key, const char *what)
{
    const sk_cfg *n = sk_cfg_get(h, key);
    sk_error(h, "%s: %s: %s", n ? h->cfg->where(n) : "config", key, what);
    return SK_ECONFIG;
}

static int read_conf(const sk_host *h, ap_conf *c)
{
    int rc = 0;
    c->address = sk_cfg_str(h, "address", "127.0.0.1");
    c->service = sk_cfg_str(h, "service", "api");
    c->store_service = sk_cfg_str(h, "store_service", "store");
    c->token_file = sk_cfg_str(h, "token_file", NULL);
    c->tls_cert_file = sk_cfg_str(h, "tls_cert_file", NULL);
    c->tls_key_file = sk_cfg_str(h, "tls_key_file", NULL);
    c->git_version = sk_cfg_str(h, "kubernetes_version", SK_OPENAPI_K8S_VERSION);
    rc |= sk_cfg_int(h, "port", 6443, &c->port);
    rc |= sk_cfg_bool(h, "allow_anonymous", 0, &c->allow_anonymous);
    rc |= sk_cfg_bool(h, "loopback_admin", 1, &c->loopback_admin);
    rc |= sk_cfg_bool(h, "tls", 1, &c->tls);
    rc |= sk_cfg_duration_ms(h, "request_timeout", 5000, &c->timeout_ms);
    rc |= sk_cfg_int(h, "max_connections", 1024, &c->max_connections);
    rc |= sk_cfg_int(h, "watch_queue", 4096, &c->watch_queue);
    rc |= sk_cfg_bool(h, "read_cache", 1, &c->read_cache);
    if (rc)
        return SK_ECONFIG;
    if (!c->tls_cert_file != !c->tls_key_file)
        return conf_error(h, c->tls_cert_file ? "tls_key_file" : "tls_cert_file",
                          "tls_cert_file and tls_key_file go together");
    if (c->tls_cert_file && !c->tls)
        return conf_error(h, "tls", "false contradicts tls_cert_file; drop one of them");
    if (c->tls_cert_file && (access(c->tls_cert_file, R_OK) || access(c->tls_key_file, R_OK)))
        return conf_error(h, "tls_cert_file", "certificate or key file is not readable");
    if (c->port < 0 || c->port > 65535)
        return conf_error(h, "port", "must be 0 to 65535");
    if (c->timeout_ms < 100 || c->timeout_ms > 600000)
        return conf_error(h, "request_timeout", "must be 100ms to 10m");
    if (c->max_connections < 4 || c->max_connections > 100000)
        return conf_error(h, "max_connections", "must be 4 to 100000");
    if (c->watch_queue < 16 || c->watch_queue > 10000000)
        return conf_error(h, "watch_queue", "must be 16 to 10000000");
    if (ap_parse_cidr(sk_cfg_str(h, "service_cidr", "10.96.0.0/12"), &c->svc_net, &c->svc_mask))
        return conf_error(h, "service_cidr", "expected an IPv4 CIDR with a /8 to /30 prefix");
    const char *np = sk_cfg_str(h, "node_port_range", "30000-32767");
    long long lo, hi;
    char extra;
    if (sscanf(np, "%lld-%lld%c", &lo, &hi, &extra) != 2 || lo < 1 || hi > 65535 || lo > hi)
        return conf_error(h, "node_port_range", "expected LOW-HIGH within 1-65535");
    c->np_lo = lo;
    c->np_hi = hi;
    /* "v1.33.1" -> minor "33" */
    unsigned maj, min;
    if (sscanf(c->git_version, "v%u.%u", &maj, &min) != 2 || maj != 1 || min > 999)
        return conf_error(h, "kubernetes_version", "expected v1.MINOR.PATCH");
    snprintf(c->minor, sizeof c->minor, "%u", min);
    return 0;
}

static int ap_init(const sk_host *h, void **state)
{
    ap_server *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->h = h;
    int rc = read_conf(h, &s->conf);
    if (rc) {
        free(s);
        return rc;
    }
    s->authorize = ap_authorize_default;
    pthread_mutex_init(&s->mu, NULL);
    *state = s;
    return 0;
}

static void bootstrap_timer(void *arg, uint64_t id)
{
    ap_server *s = arg;
    (void)id;
    if (atomic_load(&s->stopping))
        return;
    s->bootstrap_timer = 0;
    if (ap_bootstrap_once(s) == 0) {
        sk_info(s->h, "apiserver: system namespaces and services are in place");
        return;
    }
    int64_t t = sk_timer_add(s->h, BOOTSTRAP_RETRY_MS, 0, bootstrap_timer, s);
    if (t > 0)
        s->bootstrap_timer = (uint64_t)t;
}

static void register_metrics(ap_server *s)
{
    static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    s->m.watchers = sk_gauge(s->h, "apiserver_watchers", "Open watch streams.", NULL);
    s->m.latency = sk_histogram(s->h, "apiserver_request_duration_seconds",
                                "Request latency, all verbs.", NULL, bounds,
                                sizeof bounds / sizeof bounds[0]);
}

static int ap_start(void *state)
{
    ap_server *s = state;
    atomic_store(&s->stopping, false);
    register_metrics(s);
    int rc = ap_auth_load(s);
    if (rc)
        return rc;
    if (s->conf.read_cache && (rc = ap_cache_start(s)))
        return rc;
    if ((rc = ap_http_start(s))) {
        ap_cache_stop(s);
        return rc;
    }
    if ((rc = ap_bus_start(s))) {
        ap_http_stop(s);
        ap_cache_stop(s);
        return rc;
    }
    if ((rc = ap_write_kubeconfig(s))) {
        ap_bus_stop(s);
        ap_http_stop(s);
        ap_cache_stop(s);
        return rc;
    }
    int64_t t = sk_timer_add(s->h, 0, 0, bootstrap_timer, s);
    if (t > 0)
        s->bootstrap_timer = (uint64_t)t;
    return 0;
}

static void ap_stop(void *state)
{
    ap_server *s = state;
    atomic_store(&s->stopping, true);
    if (s->bootstrap_timer)
        sk_timer_cancel(s->h, s->bootstrap_timer);
    s->bootstrap_timer = 0;
    ap_watch_stop_all(s);
    ap_log_stream_stop_all(s);
    ap_bus_stop(s);
    ap_http_stop(s);
    ap_watch_stop_all(s);
    ap_log_stream_stop_all(s);
    ap_cache_stop(s);
}

static void ap_fini(void *state)
{
    ap_server *s = state;
    if (!s)
        return;
    ap_auth_free(s);
    ap_cache_free(s);
    free(s->openapi_root);
    free(s->openapi_v2);
    free(s->tls_cert);
    free(s->tls_key);
    free(s->tls_ca);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static const sk_plugin_desc desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "apiserver",
    .version = "0.1.0",
    .description = "Kubernetes API server: HTTP/JSON for kubectl, msgpack on the bus (api)",
    .options = options,
    .init = ap_init,
    .start = ap_start,
    .stop = ap_stop,
    .fini = ap_fini,
};

SK_PLUGIN_DEFINE(desc)
