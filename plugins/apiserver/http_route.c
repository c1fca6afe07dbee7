/* From an HTTP request to a core request: authentication, the resource
 * path (derived from the registry), the verb, query options and the
 * body's media type. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "json_mp.h"
#include "proto.h"
#include "query_params.h"
#include "status.h"
#include "yaml_json.h"

#define MAX_SEGS 10

static const ap_user anonymous = {"system:anonymous", "", "system:unauthenticated"};
static const ap_user loopback = {"system:admin", "", "system:masters,system:authenticated"};

static bool peer_is_loopback(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return false;
}

/* A presented token must be valid. Without one: kubectl never sends
 * credentials over plain HTTP, so with `tls: false` a loopback client is
 * the admin when loopback_admin is on, as kube-apiserver's old insecure
 * localhost port was; over TLS, or otherwise, anonymous only if allowed. */
static const ap_user *authenticate(ap_server *s, struct MHD_Connection *c)
{
    const char *h = ap_http_header(c, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        const char *tok = h + 7;
        while (*tok == ' ')
            tok++;
        return ap_auth_token(s, tok);
    }
    if (h)
        return NULL;
    if (s->conf.loopback_admin && !s->tls_cert && peer_is_loopback(c))
        return &loopback;
    return s->conf.allow_anonymous ? &anonymous : NULL;
}

/* Query parameters into o; a 400 Status on a bad value. */
static json_t *parse_opts(struct MHD_Connection *c, ap_opts *o, bool *watch)
{
    sk_apierr err = {{0}};
    const char *v;
    bool b;
    int64_t n;
    ap_opts_init(o);
    *watch = false;
#define BOOL_ARG(name, dst)                                                                  \
    if ((v = ap_http_arg(c, name)) && *v) {                                                  \
        if (sk_parse_bool(name, v, &b, &err))                                                \
            return sk_status_bad_request(err.msg);                                           \
        dst = b;                                                                             \
    }
#define INT_ARG(name, lo, hi, dst)                                                           \
    if ((v = ap_http_arg(c, name)) && *v) {                                                  \
        if (sk_parse_int(name, v, lo, hi, &n, &err))                                         \
            return sk_status_bad_request(err.msg);                                           \
        dst = n;                                                                             \
    }
    BOOL_ARG("watch", *watch);
    BOOL_ARG("allowWatchBookmarks", o->bookmarks);
    BOOL_ARG("force", o->force);
    BOOL_ARG("follow", o->follow);
    BOOL_ARG("previous", o->previous);
    BOOL_ARG("timestamps", o->timestamps);
    INT_ARG("limit", 0, INT64_MAX, o->limit);
    INT_ARG("timeoutSeconds", 0, 1000000000, o->timeout_s);
    INT_ARG("tailLines", 0, INT64_MAX, o->tail_lines);
    INT_ARG("sinceSeconds", 1, INT64_MAX, o->since_seconds);
    INT_ARG("limitBytes", 1, INT64_MAX, o->limit_bytes);
    if ((v = ap_http_arg(c, "gracePeriodSeconds")) && *v) {
        if (sk_parse_int("gracePeriodSeconds", v, -1, INT64_MAX, &o->grace, &err))
            return sk_status_bad_request(err.msg);
        o->has_grace = true;
    }
#undef BOOL_ARG
#undef INT_ARG
    o->label_selector = ap_http_arg(c, "labelSelector");
    o->field_selector = ap_http_arg(c, "fieldSelector");
    o->cont = ap_http_arg(c, "continue");
    o->resource_version = ap_http_arg(c, "resourceVersion");
    o->field_manager = ap_http_arg(c, "fieldManager");
    o->propagation = ap_http_arg(c, "propagationPolicy");
    o->container = ap_http_arg(c, "container");
    if ((v = ap_http_arg(c, "dryRun")) && *v) {
        if (strcmp(v, "All") != 0)
            return sk_status_bad_request("dryRun: Unsupported value: supported values: \"All\"");
        o->dry_run = true;
    }
    if ((v = ap_http_arg(c, "fieldValidation")) && *v) {
        if (strcmp(v, "Strict") && strcmp(v, "Warn") && strcmp(v, "Ignore"))
            return sk_status_bad_request("fieldValidation: Unsupported value: supported "
                                         "values: \"Ignore\", \"Strict\", \"Warn\"");
        o->field_validation = v;
    }
    if (sk_table_include_parse(ap_http_arg(c, "includeObject"), &o->include, &err))
        return sk_status_bad_request(err.msg);
    if (o->propagation && *o->propagation && strcmp(o->propagation, "Background") &&
        strcmp(o->propagation, "Foreground") && strcmp(o->propagation, "Orphan"))
        return sk_status_bad_request("propagationPolicy: Unsupported value: supported values: "
                                     "\"Background\", \"Foreground\", \"Orphan\"");
    return NULL;
}

/* The media type without parameters, lower-case, into buf. */
static const char *media_type(const char *ct, char *buf, size_t size)
{
    size_t n = 0;
    if (!ct)
        return NULL;
    while (*ct == ' ')
        ct++;
    while (ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < size) {
        buf[n] = (char)(ct[n] >= 'A' && ct[n] <= 'Z' ? ct[n] + 32 : ct[n]);
        n++;
    }
    buf[n] = 0;
    return buf;
}

/* Whether the body's first non-blank byte is `{`. */
static bool starts_with_brace(const ap_hctx *x)
{
    size_t i = 0;
    while (i < x->len && (x->body[i] == ' ' || x->body[i] == '\t' || x->body[i] == '\r' ||
                          x->body[i] == '\n'))
        i++;
    return i < x->len && x->body[i] == '{';
}

/* A JSON or YAML body into *out. A YAML body starting with `{` (what
 * kubectl and client-go send) goes to the JSON parser first: the fast
 * path, with JSON's messages; only when that fails is it read as YAML
 * (flow style such as {a: b}), and JSON's error is the one reported. */
static int decode_body(const ap_hctx *x, bool yaml, json_t **out, sk_apierr *err)
{
    if (yaml && !starts_with_brace(x))
        return sk_yaml_parse(x->body, x->len, NULL, out, err);
    int rc = sk_json_parse(x->body, x->len, NULL, out, err);
    if (rc == SK_EBADMSG && yaml) {
        sk_apierr ignored;
        if (sk_yaml_parse(x->body, x->len, NULL, out, &ignored) == 0)
            return 0;
    }
    return rc;
}

static json_t *parse_body(struct MHD_Connection *c, const char *method, ap_hctx *x,
                          ap_req *rq)
{
    bool yaml = false;
    char mt[128];
    const char *m = media_type(ap_http_header(c, "Content-Type"), mt, sizeof mt);
    bool patch = strcmp(method, "PATCH") == 0;
    if (patch) {
        if (!m)
            return sk_status_unsupported_media("");
        if (strcmp(m, "application/merge-patch+json") == 0)
            rq->ptype = AP_PATCH_MERGE;
        else if (strcmp(m, "application/json-patch+json") == 0)
            rq->ptype = AP_PATCH_JSON;
        else if (strcmp(m, "application/strategic-merge-patch+json") == 0)
            rq->ptype = AP_PATCH_STRATEGIC;
        else if (strcmp(m, "application/apply-patch+yaml") == 0) {
            rq->ptype = AP_PATCH_APPLY;
            yaml = true;
        } else
            return sk_status_unsupported_media(m);
    } else if (m && x->len && strcmp(m, "application/vnd.kubernetes.protobuf") == 0) {
        /* kubectl's imperative generators (typed clients) send protobuf. */
        sk_apierr perr = {{0}};
        int prc = sk_proto_decode(x->body, x->len, &rq->body, &perr);
        if (prc == -ENOTSUP)
            return sk_status_failure(415, "UnsupportedMediaType", perr.msg, NULL);
        return prc ? sk_status_bad_request(perr.msg) : NULL;
    } else if (m && x->len && strcmp(m, "application/yaml") == 0) {
        yaml = true; /* kubectl never sends it; curl --data-binary @x.yaml does */
    } else if (m && x->len && strcmp(m, "application/json") != 0 && strcmp(m, "*/*") != 0) {
        return sk_status_unsupported_media(m);
    }
    if (!x->len)
        return NULL;
    sk_apierr err = {{0}};
    int rc = decode_body(x, yaml, &rq->body, &err);
    if (rc == -ENOMEM)
        return sk_status_internal(err.msg);
    return rc ? sk_status_bad_request(err.msg) : NULL;
}

/* /api/v1/... or /apis/<g>/<v>/...: segments after the group/version. */
static json_t *parse_path(char **seg, int n, const char *group, const char *version,
                          ap_req *rq)
{
    const sk_resource *ns_res = sk_registry_find("", "v1", "namespaces");
    int i = 0;
    if (n >= 2 && strcmp(seg[0], "namespaces") == 0 && *group == 0) {
        if (n == 2) {
            rq->res = ns_res;
            rq->name = seg[1];
            return NULL;
        }
        const sk_resource *r = sk_registry_find(group, version, seg[2]);
        if (!r || !r->namespaced) {
            if (n != 3)
                return sk_status_not_found_path();
            rq->res = ns_res;
            rq->name = seg[1];
            rq->sub = sk_resource_subresource(ns_res, seg[2]);
            return rq->sub ? NULL : sk_status_not_found_path();
        }
        rq->ns = seg[1];
        i = 2;
    } else if (n >= 3 && strcmp(seg[0], "namespaces") == 0) {
        rq->ns = seg[1];
        i = 2;
    }
    if (i >= n || n - i > 3)
        return sk_status_not_found_path();
    rq->res = sk_registry_find(group, version, seg[i]);
    if (!rq->res || (rq->ns && !rq->res->namespaced))
        return sk_status_not_found_path();
    if (n - i >= 2)
        rq->name = seg[i + 1];
    if (n - i == 3) {
        rq->sub = sk_resource_subresource(rq->res, seg[i + 2]);
        if (!rq->sub)
            return sk_status_not_found_path();
    }
    if (rq->name && rq->res->namespaced && !rq->ns)
        return sk_status_not_found_path();
    return NULL;
}

static json_t *pick_verb(const char *method, bool watch, ap_req *rq, const char **mverb)
{
    bool named = rq->name && *rq->name;
    if (strcmp(method, "GET") == 0) {
        rq->verb = watch ? AP_WATCH : named ? AP_GET : AP_LIST;
        *mverb = watch ? "WATCH" : named ? "GET" : "LIST";
    } else if (strcmp(method, "POST") == 0 && (!named || rq->sub)) {
        rq->verb = AP_CREATE;
        *mverb = "POST";
    } else if (strcmp(method, "PUT") == 0 && named) {
        rq->verb = AP_UPDATE;
        *mverb = "PUT";
    } else if (strcmp(method, "PATCH") == 0 && named) {
        rq->verb = AP_PATCH;
        *mverb = "PATCH";
    } else if (strcmp(method, "DELETE") == 0) {
        rq->verb = named ? AP_DELETE : AP_DELETECOLLECTION;
        *mverb = named ? "DELETE" : "DELETECOLLECTION";
    } else {
        return sk_status_method_not_allowed();
    }
    return NULL;
}

static int split(char *path, char **seg)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (n == MAX_SEGS)
            return -1;
        seg[n++] = t;
    }
    return n;
}

static enum MHD_Result resource_request(ap_server *s, struct MHD_Connection *c, char **seg,
                                        int n, const char *method, ap_hctx *x,
                                        const ap_user *user)
{
    ap_req rq = {.user = user};
    const char *group = "", *version;
    int skip;
    if (strcmp(seg[0], "api") == 0) {
        version = seg[1];
        skip = 2;
    } else {
        group = seg[1];
        version = seg[2];
        skip = 3;
    }
    bool watch = false;
    json_t *st = parse_path(seg + skip, n - skip, group, version, &rq);
    if (!st)
        st = parse_opts(c, &rq.o, &watch);
    const char *mverb = method;
    if (!st)
        st = pick_verb(method, watch, &rq, &mverb);
    x->verb = mverb;
    x->resource = rq.res ? rq.res->plural : "";
    if (!st)
        st = parse_body(c, method, x, &rq);
    if (st) {
        ap_req_free(&rq);
        return ap_http_send_status(c, st);
    }
    rq.o.table = sk_table_negotiate(ap_http_header(c, "Accept"));
    rq.json_text = rq.o.table == SK_TABLE_NONE;
    enum MHD_Result rc;
    if (rq.verb == AP_WATCH) {
        rc = ap_http_watch(s, c, &rq);
    } else if (rq.verb == AP_GET && rq.sub && strcmp(rq.sub->name, "log") == 0 &&
               rq.o.follow) {
        rc = ap_http_log_follow(s, c, &rq);
    } else {
        ap_resp out;
        ap_resp_init(&out);
        ap_handle(s, &rq, &out);
        rc = ap_http_render(s, c, &rq, &out);
        ap_resp_free(&out);
    }
    ap_req_free(&rq);
    return rc;
}

static bool is_public(const char *url)
{
    static const char *const pub[] = {"/version", "/version/", "/healthz", "/livez", "/readyz",
                                      NULL};
    for (size_t i = 0; pub[i]; i++)
        if (strcmp(url, pub[i]) == 0)
            return true;
    return strncmp(url, "/healthz/", 9) == 0 || strncmp(url, "/livez/", 7) == 0 ||
           strncmp(url, "/readyz/", 8) == 0;
}

enum MHD_Result ap_http_dispatch(ap_server *s, struct MHD_Connection *c, const char *url,
                                 const char *method, ap_hctx *x)
{
    const ap_user *user = NULL;
    if (!is_public(url)) {
        user = authenticate(s, c);
        if (!user)
            return ap_http_send_status(c, sk_status_unauthorized());
    }
    int st = ap_http_static(s, c, url, method, x);
    if (st >= 0)
        return (enum MHD_Result)st;
    char path[2048];
    if (strlen(url) >= sizeof path)
        return ap_http_send_status(c, sk_status_not_found_path());
    strcpy(path, url);
    char *seg[MAX_SEGS];
    int n = split(path, seg);
    bool api = n >= 3 && strcmp(seg[0], "api") == 0;
    bool apis = n >= 4 && strcmp(seg[0], "apis") == 0;
    if (!api && !apis)
        return ap_http_send_status(c, sk_status_not_found_path());
    return resource_request(s, c, seg, n, method, x, user);
}
