/* The bus front end: service `api` (docs/API.md). Requests arrive on the
 * loop thread, which must not block, so they are queued to a few worker
 * threads that run the same request core as HTTP and answer with
 * sk_reply() (any thread). Watches are started from the worker and then
 * live on the loop (watch.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"
#include "json_mp.h"
#include "status.h"
#include "watch.h"

#define AP_BUS_WORKERS 4
#define AP_BUS_QUEUE_MAX 10000
#define AP_MAX_STRS 32

typedef struct job {
    struct job *next;
    sk_bus_req *req;
    char method[32];
    size_t len;
    uint8_t data[];
} job;

typedef struct ap_bus_front {
    ap_server *s;
    pthread_t thr[AP_BUS_WORKERS];
    int nthr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    size_t qlen;
    bool quit;
    bool serving;
} ap_bus_front;

/* Strings copied out of a request, freed together. */
typedef struct strs {
    char *v[AP_MAX_STRS];
    int n;
} strs;

static const char *keep(strs *k, sk_mp_view v)
{
    if (k->n == AP_MAX_STRS)
        return NULL;
    char *s = sk_mp_strdup(v);
    if (s)
        k->v[k->n++] = s;
    return s;
}

static void strs_free(strs *k)
{
    for (int i = 0; i < k->n; i++)
        free(k->v[i]);
}

static int opt_field(ap_opts *o, sk_mp_view key, sk_mp_view v, strs *k)
{
    static const struct {
        const char *name;
        size_t off;
    } str_opts[] = {
        {"labelSelector", offsetof(ap_opts, label_selector)},
        {"fieldSelector", offsetof(ap_opts, field_selector)},
        {"continue", offsetof(ap_opts, cont)},
        {"resourceVersion", offsetof(ap_opts, resource_version)},
        {"fieldManager", offsetof(ap_opts, field_manager)},
        {"propagationPolicy", offsetof(ap_opts, propagation)},
        {"fieldValidation", offsetof(ap_opts, field_validation)},
        {"container", offsetof(ap_opts, container)},
    };
    for (size_t i = 0; i < sizeof str_opts / sizeof str_opts[0]; i++)
        if (sk_mp_str_eq(key, str_opts[i].name)) {
            const char *s = keep(k, v);
            if (!s)
                return -1;
            *(const char **)((char *)o + str_opts[i].off) = s;
            return 0;
        }
    bool b;
    int64_t n;
    if (sk_mp_str_eq(key, "limit"))
        return sk_mp_get_int(v, &o->limit);
    if (sk_mp_str_eq(key, "timeoutSeconds"))
        return sk_mp_get_int(v, &o->timeout_s);
    if (sk_mp_str_eq(key, "gracePeriodSeconds")) {
        o->has_grace = true;
        return sk_mp_get_int(v, &o->grace);
    }
    if (sk_mp_str_eq(key, "allowWatchBookmarks"))
        return sk_mp_get_bool(v, &o->bookmarks);
    if (sk_mp_str_eq(key, "force"))
        return sk_mp_get_bool(v, &o->force);
    if (sk_mp_str_eq(key, "dryRun")) {
        if (sk_mp_get_bool(v, &b) == 0)
            o->dry_run = b;
        else
            o->dry_run = sk_mp_str_eq(v, "All");
        return 0;
    }
    if (sk_mp_str_eq(key, "tailLines"))
        return sk_mp_get_int(v, &o->tail_lines);
    (void)n;
    return 0; /* unknown options are ignored, as query parameters are */
}

static int patch_type(sk_mp_view v, ap_patch_type *t)
{
    if (sk_mp_str_eq(v, "merge"))
        *t = AP_PATCH_MERGE;
    else if (sk_mp_str_eq(v, "strategic"))
        *t = AP_PATCH_STRATEGIC;
    else if (sk_mp_str_eq(v, "json"))
        *t = AP_PATCH_JSON;
    else if (sk_mp_str_eq(v, "apply"))
        *t = AP_PATCH_APPLY;
    else
        return -1;
    return 0;
}

/* Decodes a request map into rq; a message in err when malformed. */
static int decode(const uint8_t *data, size_t len, ap_req *rq, strs *k, char *err, size_t errlen)
{
    sk_mp_view v, key, val, sub = {0};
    sk_mp_iter it;
    const char *group = "", *version = "v1", *resource = NULL;
    ap_opts_init(&rq->o);
    rq->ptype = AP_PATCH_MERGE;
    if (sk_mp_check(data, len, SK_MP_MAX_DEPTH, &v) || sk_mp_iter_init(v, &it, NULL) ||
        sk_mp_type_of(v) != SK_MP_MAP) {
        snprintf(err, errlen, "api: the request must be one msgpack map");
        return -1;
    }
    int rc;
    while ((rc = sk_mp_iter_next(&it, &key, &val)) == 1) {
        if (sk_mp_type_of(val) == SK_MP_NIL)
            continue;
        if (sk_mp_str_eq(key, "group"))
            group = keep(k, val);
        else if (sk_mp_str_eq(key, "version"))
            version = keep(k, val);
        else if (sk_mp_str_eq(key, "resource"))
            resource = keep(k, val);
        else if (sk_mp_str_eq(key, "namespace"))
            rq->ns = keep(k, val);
        else if (sk_mp_str_eq(key, "name"))
            rq->name = keep(k, val);
        else if (sk_mp_str_eq(key, "subresource"))
            sub = val;
        else if (sk_mp_str_eq(key, "patch_type")) {
            if (patch_type(val, &rq->ptype)) {
                snprintf(err, errlen, "api: patch_type must be merge, strategic, json or apply");
                return -1;
            }
        } else if (sk_mp_str_eq(key, "body")) {
            sk_apierr e = {{0}};
            if (sk_mp_to_json(val.p, val.len, NULL, &rq->body, &e)) {
                snprintf(err, errlen, "api: body: %s", e.msg);
                return -1;
            }
        } else if (sk_mp_str_eq(key, "options")) {
            sk_mp_iter oi;
            sk_mp_view ok, ov;
            if (sk_mp_type_of(val) != SK_MP_MAP || sk_mp_iter_init(val, &oi, NULL)) {
                snprintf(err, errlen, "api: options must be a map");
                return -1;
            }
            while (sk_mp_iter_next(&oi, &ok, &ov) == 1)
                if (sk_mp_type_of(ov) != SK_MP_NIL && opt_field(&rq->o, ok, ov, k)) {
                    snprintf(err, errlen, "api: options: a value has the wrong type");
                    return -1;
                }
        }
    }
    if (rc || !group || !version || !resource) {
        snprintf(err, errlen, "api: 'resource' (a string) is required; group, version, "
                              "namespace and name must be strings");
        return -1;
    }
    rq->res = sk_registry_find(group, version, resource);
    if (!rq->res) {
        snprintf(err, errlen, "404 NotFound: the server could not find the requested resource "
                 "(%s %s/%s)", resource, group, version);
        return SK_ENOTFOUND;
    }
    if (sub.p) {
        char name[64];
        const char *sv;
        size_t sn;
        if (sk_mp_get_str(sub, &sv, &sn) || sn >= sizeof name) {
            snprintf(err, errlen, "api: subresource must be a string");
            return -1;
        }
        memcpy(name, sv, sn);
        name[sn] = 0;
        rq->sub = sk_resource_subresource(rq->res, name);
        if (!rq->sub) {
            snprintf(err, errlen, "404 NotFound: %s has no subresource %s", resource, name);
            return SK_ENOTFOUND;
        }
    }
    return 0;
}

static int verb_of(const char *m, ap_req *rq)
{
    static const struct {
        const char *name;
        ap_verb verb;
    } verbs[] = {{"get", AP_GET},       {"list", AP_LIST},
                 {"watch", AP_WATCH},   {"create", AP_CREATE},
                 {"update", AP_UPDATE}, {"patch", AP_PATCH},
                 {"delete", AP_DELETE}, {"deletecollection", AP_DELETECOLLECTION}};
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(m, verbs[i].name) == 0) {
            rq->verb = verbs[i].verb;
            return 0;
        }
    if (strcmp(m, "bind") == 0) {
        rq->verb = AP_CREATE;
        rq->sub = sk_resource_subresource(rq->res, "binding");
        return rq->sub ? 0 : -1;
    }
    if (strcmp(m, "update_status") == 0) {
        rq->verb = AP_UPDATE;
        rq->sub = sk_resource_subresource(rq->res, "status");
        return rq->sub ? 0 : -1;
    }
    return -1;
}

static void answer(ap_server *s, sk_bus_req *req, ap_resp *out)
{
    int rc;
    if (out->status) {
        const char *reason = json_string_value(json_object_get(out->status, "reason"));
        const char *msg = json_string_value(json_object_get(out->status, "message"));
        char text[1024];
        snprintf(text, sizeof text, "%d %s: %s", out->code, reason ? reason : "",
                 msg ? msg : "");
        rc = sk_reply_error(s->h, req, ap_code_to_sk(out->code, reason), text);
    } else if (out->raw) {
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        sk_mp_put_bin(&b, out->raw, out->raw_len);
        rc = b.err ? sk_reply_error(s->h, req, SK_EINTERNAL, "api: out of memory")
                   : sk_reply(s->h, req, b.data, b.len);
        sk_mp_buf_free(&b);
    } else if (out->mp.err) {
        rc = sk_reply_error(s->h, req, SK_EINTERNAL, "api: cannot encode the answer");
    } else {
        rc = sk_reply(s->h, req, out->mp.data, out->mp.len);
    }
    if (rc)
        sk_debug(s->h, "apiserver: api answer not delivered: %s", sk_strerror(rc));
}

static void run_job(ap_server *s, job *j)
{
    ap_req rq = {0};
    strs k = {0};
    char err[512] = "";
    int rc = decode(j->data, j->len, &rq, &k, err, sizeof err);
    if (rc == 0 && verb_of(j->method, &rq)) {
        snprintf(err, sizeof err, "api: unknown method '%.64s'", j->method);
        rc = -1;
    }
    if (rc) {
        sk_reply_error(s->h, j->req, rc == SK_ENOTFOUND ? SK_ENOTFOUND : SK_EBADMSG, err);
    } else {
        ap_resp out;
        ap_resp_init(&out);
        if (rq.verb == AP_WATCH) {
            ap_watch *w;
            if (ap_watch_open(s, &rq, j->req, &w, &out))
                answer(s, j->req, &out);
        } else {
            ap_handle(s, &rq, &out);
            answer(s, j->req, &out);
        }
        ap_resp_free(&out);
    }
    ap_req_free(&rq);
    strs_free(&k);
}

static void *worker(void *arg)
{
    ap_bus_front *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->head && !f->quit)
            pthread_cond_wait(&f->cv, &f->mu);
        job *j = f->head;
        if (!j)
            break;
        f->head = j->next;
        if (!f->head)
            f->tail = NULL;
        f->qlen--;
        pthread_mutex_unlock(&f->mu);
        if (f->quit)
            sk_reply_error(f->s->h, j->req, SK_ESTOPPED, "apiserver is stopping");
        else
            run_job(f->s, j);
        free(j);
        pthread_mutex_lock(&f->mu);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static void on_api(void *arg, sk_bus_req *req, const char *method, const void *data, size_t len)
{
    ap_bus_front *f = arg;
    size_t ml = method ? strlen(method) : 0;
    if (ml == 0 || ml >= sizeof ((job *)0)->method) {
        sk_reply_error(f->s->h, req, SK_EBADMSG, "api: unknown method");
        return;
    }
    job *j = malloc(sizeof *j + len);
    if (!j) {
        sk_reply_error(f->s->h, req, -ENOMEM, "api: out of memory");
        return;
    }
    j->next = NULL;
    j->req = req;
    memcpy(j->method, method, ml + 1);
    j->len = len;
    if (len)
        memcpy(j->data, data, len);
    pthread_mutex_lock(&f->mu);
    bool full = f->qlen >= AP_BUS_QUEUE_MAX || f->quit;
    if (!full) {
        if (f->tail)
            f->tail->next = j;
        else
            f->head = j;
        f->tail = j;
        f->qlen++;
        pthread_cond_signal(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (full) {
        free(j);
        sk_reply_error(f->s->h, req, SK_EFULL, "api: too many requests queued");
    }
}

int ap_bus_start(ap_server *s)
{
    ap_bus_front *f = calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    f->s = s;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    s->busf = f;
    for (int i = 0; i < AP_BUS_WORKERS; i++) {
        if (pthread_create(&f->thr[i], NULL, worker, f)) {
            sk_error(s->h, "apiserver: cannot start bus workers");
            ap_bus_stop(s);
            return -EAGAIN;
        }
        f->nthr++;
    }
    int rc = sk_serve(s->h, s->conf.service, on_api, f);
    if (rc) {
        sk_error(s->h, "apiserver: cannot serve '%s' on the bus: %s", s->conf.service,
                 sk_strerror(rc));
        ap_bus_stop(s);
        return rc;
    }
    f->serving = true;
    return 0;
}

void ap_bus_stop(ap_server *s)
{
    ap_bus_front *f = s->busf;
    if (!f)
        return;
    if (f->serving)
        sk_unserve(s->h, s->conf.service);
    pthread_mutex_lock(&f->mu);
    f->quit = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    for (int i = 0; i < f->nthr; i++)
        pthread_join(f->thr[i], NULL);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
    s->busf = NULL;
}
