/* Paths that are not resources: /version, health, /metrics, discovery
 * and OpenAPI, all derived from the registry. Aggregated discovery is
 * chosen by the Accept header and labelled with the exact Content-Type
 * (kubectl decides the format from it alone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "http_int.h"
#include "openapi.h"
#include "status.h"

static enum MHD_Result version(ap_server *s, struct MHD_Connection *c)
{
    const ap_conf *k = &s->conf;
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "major", "1", "minor", k->minor, "emulationMajor", "1",
                          "emulationMinor", k->minor, "minCompatibilityMajor", "1",
                          "minCompatibilityMinor", k->minor, "gitVersion", k->git_version,
                          "gitCommit", "0000000000000000000000000000000000000000",
                          "gitTreeState", "clean", "buildDate", "2026-01-01T00:00:00Z",
                          "goVersion", "skiff-c11", "compiler", "gc", "platform",
                          "linux/amd64");
    return ap_http_send_json(c, 200, NULL, v);
}

static enum MHD_Result metrics(ap_server *s, struct MHD_Connection *c)
{
    char *text = NULL;
    size_t n = 0;
    if (s->h->metrics->render(s->h->metrics_ctx, &text, &n)) {
        free(text);
        return ap_http_send_status(c, sk_status_internal("cannot render metrics"));
    }
    enum MHD_Result rc = ap_http_send(c, 200, "text/plain; version=0.0.4; charset=utf-8",
                                      text ? text : "", text ? n : 0);
    free(text);
    return rc;
}

static enum MHD_Result discovery_root(ap_server *s, struct MHD_Connection *c, bool core)
{
    sk_disc_format f = sk_discovery_negotiate(ap_http_header(c, "Accept"));
    if (f != SK_DISC_LEGACY)
        return ap_http_send_json(c, 200, sk_discovery_content_type(f),
                                 sk_discovery_aggregated(core, f));
    if (core) {
        char addr[128];
        snprintf(addr, sizeof addr, "%s:%d", s->conf.address, s->port);
        return ap_http_send_json(c, 200, NULL, sk_discovery_api_versions(addr));
    }
    return ap_http_send_json(c, 200, NULL, sk_discovery_group_list());
}

static enum MHD_Result not_found(struct MHD_Connection *c)
{
    return ap_http_send_status(c, sk_status_not_found_path());
}

/* The root hashes every group/version document: built once, then cached
 * (the registry never changes while the plugin runs). */
static enum MHD_Result openapi_root(ap_server *s, struct MHD_Connection *c)
{
    pthread_mutex_lock(&s->mu);
    if (!s->openapi_root) {
        json_t *root = sk_openapi_root();
        s->openapi_root = root ? json_dumps(root, JSON_COMPACT) : NULL;
        json_decref(root);
    }
    char *text = s->openapi_root;
    pthread_mutex_unlock(&s->mu);
    if (!text)
        return ap_http_send_status(c, sk_status_internal("cannot build the OpenAPI root"));
    return ap_http_send(c, 200, "application/json", text, strlen(text));
}

/* kubectl 1.27/1.28 ask only for the protobuf form of v2. */
static enum MHD_Result openapi_v2(ap_server *s, struct MHD_Connection *c)
{
    const char *accept = ap_http_header(c, "Accept");
    if (!accept || !strstr(accept, "protobuf"))
        return not_found(c);
    pthread_mutex_lock(&s->mu);
    if (!s->openapi_v2 && sk_openapi_v2_proto(&s->openapi_v2, &s->openapi_v2_len)) {
        free(s->openapi_v2);
        s->openapi_v2 = NULL;
    }
    char *doc = s->openapi_v2;
    size_t n = s->openapi_v2_len;
    pthread_mutex_unlock(&s->mu);
    if (!doc)
        return ap_http_send_status(c, sk_status_internal("cannot build the OpenAPI v2 document"));
    return ap_http_send(c, 200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", doc,
                        n);
}

static enum MHD_Result openapi(ap_server *s, struct MHD_Connection *c, const char *rest)
{
    if (!*rest || strcmp(rest, "/") == 0)
        return openapi_root(s, c);
    char g[128] = "", v[64] = "";
    json_t *doc = NULL;
    if (sscanf(rest, "/api/%63[^/]", v) == 1 && strchr(rest + 5, '/') == NULL)
        doc = sk_openapi_document("", v);
    else if (sscanf(rest, "/apis/%127[^/]/%63[^/]", g, v) == 2)
        doc = sk_openapi_document(g, v);
    return doc ? ap_http_send_json(c, 200, NULL, doc) : not_found(c);
}

/* /apis/<g> and /apis/<g>/<v>, /api/v1: discovery below the roots. */
static int group_docs(struct MHD_Connection *c, const char *url)
{
    char g[128], v[64], extra[8];
    int n;
    if (strcmp(url, "/api/v1") == 0 || strcmp(url, "/api/v1/") == 0) {
        json_t *d = sk_discovery_resource_list("", "v1");
        return d ? ap_http_send_json(c, 200, NULL, d) : not_found(c);
    }
    n = sscanf(url, "/apis/%127[^/]/%63[^/]%7s", g, v, extra);
    if (n == 2 || (n == 3 && strcmp(extra, "/") == 0)) {
        json_t *d = sk_discovery_resource_list(g, v);
        return d ? ap_http_send_json(c, 200, NULL, d) : not_found(c);
    }
    n = sscanf(url, "/apis/%127[^/]%7s", g, extra);
    if (n == 1 || (n == 2 && strcmp(extra, "/") == 0)) {
        json_t *d = sk_discovery_group(g);
        return d ? ap_http_send_json(c, 200, NULL, d) : not_found(c);
    }
    return -1;
}

int ap_http_static(ap_server *s, struct MHD_Connection *c, const char *url,
                   const char *method, ap_hctx *x)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strcmp(url, "/version") == 0 || strcmp(url, "/version/") == 0)
        return get ? version(s, c) : ap_http_send_status(c, sk_status_method_not_allowed());
    if (!strcmp(url, "/healthz") || !strcmp(url, "/livez") || !strcmp(url, "/readyz") ||
        !strncmp(url, "/healthz/", 9) || !strncmp(url, "/livez/", 7) ||
        !strncmp(url, "/readyz/", 8)) {
        bool ready = !atomic_load(&s->stopping);
        return ready ? ap_http_send(c, 200, "text/plain; charset=utf-8", "ok", 2)
                     : ap_http_send(c, 503, "text/plain; charset=utf-8", "stopping", 8);
    }
    if (!get)
        return -1;
    x->verb = "GET";
    if (strcmp(url, "/metrics") == 0)
        return metrics(s, c);
    if (strcmp(url, "/api") == 0 || strcmp(url, "/api/") == 0)
        return discovery_root(s, c, true);
    if (strcmp(url, "/apis") == 0 || strcmp(url, "/apis/") == 0)
        return discovery_root(s, c, false);
    if (strncmp(url, "/openapi/v3", 11) == 0)
        return openapi(s, c, url + 11);
    if (strcmp(url, "/openapi/v2") == 0)
        return openapi_v2(s, c);
    if (strncmp(url, "/openapi/", 9) == 0 || strncmp(url, "/swagger", 8) == 0)
        return not_found(c);
    return group_docs(c, url);
}
