/* The apiserver plugin's internal interfaces (docs/API.md).
 *
 * One request core (handle*.c) serves two front ends: HTTP through
 * libmicrohttpd (http*.c, one thread per connection) and the bus service
 * `api` (bus_front.c, a few worker threads). The core reaches the store
 * only with blocking sk_call()s, which are safe from any thread; watches
 * need streamed requests, which only the loop thread may issue, so
 * watch.c hops there with sk_post(). */
#ifndef AP_APISERVER_H
#define AP_APISERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <skiff/skiff.h>

#include "accept.h"
#include "api_err.h"
#include "registry.h"
#include "table.h"

#define AP_BODY_MAX ((size_t)3 << 20)
#define AP_MAX_TOKENS 4096
/* Read-modify-write attempts after store conflicts before giving up with
 * 409 (the real apiserver retries until its request deadline). */
#define AP_RETRIES 100

typedef struct ap_user {
    char name[128];
    char uid[64];
    char groups[256]; /* comma-separated */
} ap_user;

typedef struct ap_token {
    char *token;
    ap_user user;
} ap_token;

typedef enum ap_verb {
    AP_GET = 1,
    AP_LIST,
    AP_WATCH,
    AP_CREATE,
    AP_UPDATE,
    AP_PATCH,
    AP_DELETE,
    AP_DELETECOLLECTION,
} ap_verb;

typedef enum ap_patch_type {
    AP_PATCH_MERGE = 1,
    AP_PATCH_JSON,
    AP_PATCH_STRATEGIC,
    AP_PATCH_APPLY,
} ap_patch_type;

typedef struct ap_server ap_server;

/* Decides whether user may do verb on the resource; 0 allows, anything
 * else answers 403. The default allows every authenticated user (RBAC is
 * a later issue); tests install their own. */
typedef int (*ap_authorizer_fn)(void *arg, const ap_user *user, const char *verb,
                                const sk_resource *r, const char *ns, const char *name);

typedef struct ap_conf {
    const char *address;
    int64_t port;
    const char *service, *store_service;
    uint32_t svc_net, svc_mask; /* host order */
    int64_t np_lo, np_hi;
    const char *token_file;
    const char *tls_cert_file, *tls_key_file; /* both or neither: HTTPS */
    int tls; /* HTTPS with a generated certificate when no tls_cert_file */
    int allow_anonymous;
    int loopback_admin; /* plain HTTP: token-less loopback clients are the admin */
    const char *git_version; /* "v1.33.1" */
    char minor[8];
    int64_t timeout_ms;
    int64_t max_connections;
    int64_t watch_queue;
    int read_cache; /* serve single-object reads from the object cache (cache.h) */
} ap_conf;

typedef struct ap_metrics {
    sk_metric *watchers;
    sk_metric *latency;
} ap_metrics;

struct ap_server {
    const sk_host *h;
    ap_conf conf;
    ap_token *tokens;
    size_t ntokens;
    char admin_token[72];
    ap_authorizer_fn authorize;
    void *authorize_arg;
    int port; /* bound */
    char url[96];
    void *mhd; /* struct MHD_Daemon */
    atomic_bool stopping;
    ap_metrics m;
    char *tls_cert, *tls_key; /* PEM, read or generated at start; NULL: plain HTTP */
    char *tls_ca; /* PEM of the generated cluster CA, or NULL (kubeconfigs trust tls_cert) */
    /* cached documents */
    char *openapi_root;
    char *openapi_v2;
    size_t openapi_v2_len;
    pthread_mutex_t mu; /* guards watches and the allocator */
    struct ap_watch *watches;
    struct ap_log_stream *logs;
    struct ap_bus_front *busf;
    struct ap_cache *cache; /* NULL: every read goes to the store */
    uint64_t bootstrap_timer;
};

/* ---- the request, as both front ends hand it to the core ---- */
typedef struct ap_opts {
    const char *label_selector, *field_selector, *cont, *resource_version;
    const char *field_manager, *propagation, *field_validation;
    int64_t limit;           /* 0: no limit */
    int64_t timeout_s;       /* watch; 0: none */
    int64_t grace;           /* gracePeriodSeconds, when has_grace */
    bool has_grace, dry_run, bookmarks, force, has_rv;
    sk_include_object include;
    sk_table_format table;
    /* pods/log */
    const char *container;
    bool follow, previous, timestamps;
    int64_t tail_lines, since_seconds, limit_bytes; /* -1: unset */
} ap_opts;

typedef struct ap_req {
    ap_verb verb;
    const sk_resource *res;
    const sk_subresource *sub; /* or NULL */
    const char *ns;            /* NULL/"" : cluster-scoped or all namespaces */
    const char *name;          /* NULL for collections */
    json_t *body;              /* owned; NULL when none */
    ap_patch_type ptype;
    ap_opts o;
    const ap_user *user;
    bool internal; /* a server-side change: lifecycle fields and status as given */
    bool json_text; /* the front end sends JSON text: GET/LIST may answer in raw */
    const json_t *applied; /* server-side apply creating: the body as sent */
} ap_req;

/* An answer: an error Status (status != NULL), an object or list as
 * msgpack (mp), or raw bytes (pods/log). */
typedef struct ap_resp {
    int code;
    json_t *status;
    sk_mp_buf mp;
    char *raw;
    size_t raw_len;
    const char *raw_type;
    json_t *warnings; /* array of strings (Warning: 299 headers), or NULL */
} ap_resp;

void ap_resp_init(ap_resp *r);
void ap_resp_free(ap_resp *r);
/* Empties r for another attempt of a retried write, keeping its warnings. */
void ap_resp_reset(ap_resp *r);
/* Adds a warning for the client (once per distinct text). */
void ap_resp_warn(ap_resp *r, const char *text);
/* Sets an error Status (stolen); returns its code. */
int ap_resp_status(ap_resp *r, json_t *st);
void ap_req_free(ap_req *r);
void ap_opts_init(ap_opts *o);

/* ---- the core ---- */
void ap_handle(ap_server *s, ap_req *rq, ap_resp *out);
/* The authorizer's verdict for rq (bus requests carry no user: allowed);
 * non-zero after setting a 403 in out. ap_handle() and the streams call it. */
int ap_authorize_req(ap_server *s, const ap_req *rq, ap_resp *out);
void ap_handle_get(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_list(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_create(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_update(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_patch(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_delete(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_deletecollection(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_scale(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_binding(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_eviction(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_log(ap_server *s, ap_req *rq, ap_resp *out);
void ap_handle_finalize(ap_server *s, ap_req *rq, ap_resp *out);
/* pods/log: the kubelet service ("kubelet/<node>") into svc and its
 * request into req; non-zero after setting a Status in out. */
int ap_log_prepare(ap_server *s, const ap_req *rq, bool follow, char *svc, size_t svc_size,
                   sk_mp_buf *req, ap_resp *out);
/* The log bytes of a kubelet answer or part (bin, str, or {log: ...}). */
int ap_log_bytes(const void *rep, size_t n, const void **p, size_t *len);
/* 503 "no kubelet for node X yet". */
void ap_log_unavailable(const char *svc, ap_resp *out);
/* Before retry `attempt` (1, 2, ...) of a read-modify-write: a short
 * random pause once contention is evident, so writers fall out of step. */
void ap_retry_pause(int attempt);
/* The 4xx/5xx Status for a store or bus error rc on resource r/name. */
json_t *ap_status_for(const sk_resource *r, const char *name, int rc, const char *msg);
/* Status HTTP code -> skiff error code, for the bus front end. */
int ap_code_to_sk(int http_code, const char *reason);

/* ---- authentication ---- */
int ap_auth_load(ap_server *s);
void ap_auth_free(ap_server *s);
/* The user for a bearer token, or NULL. */
const ap_user *ap_auth_token(const ap_server *s, const char *token);
int ap_write_kubeconfig(ap_server *s);
/* Writes text to path atomically (a temporary file renamed), mode 0600. */
int ap_write_private_file(const char *path, const char *text);
int ap_authorize_default(void *arg, const ap_user *user, const char *verb,
                         const sk_resource *r, const char *ns, const char *name);

/* ---- HTTP ---- */
int ap_http_start(ap_server *s);
void ap_http_stop(ap_server *s);
/* Records request metrics. */
void ap_metric_request(ap_server *s, const char *verb, const char *resource, int code,
                       double seconds);

/* ---- bus front end ---- */
int ap_bus_start(ap_server *s);
void ap_bus_stop(ap_server *s);

/* ---- bootstrap (namespaces, the kubernetes Service) ---- */
void ap_bootstrap(ap_server *s);

#endif
