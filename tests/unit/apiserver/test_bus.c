/* The `api` bus service: an in-process host (broker, the real
 * etcd-store.so and apiserver.so, one client endpoint on its own loop
 * thread) driven with msgpack requests: CRUD, errors as skiff codes with
 * the Status text, bind, update_status and a streamed watch. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "config.h"
#include "endpoint.h"
#include "instance.h"
#include "http_client.h"
#include "json_mp.h"
#include "loader.h"
#include "loop.h"
#include "metrics.h"
#include "skiff/errors.h"
#include "test_util.h"

#define WAIT_MS 20000

static struct {
    void *zctx;
    sk_metrics *metrics;
    sk_broker *broker;
    sk_module *mods[2];
    sk_cfg *cfgs[2];
    sk_instance *inst[2];
    char root[PATH_MAX];
    pthread_t thr;
    sk_loop *loop;
    sk_endpoint *ep;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready, rc;
} E = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *client_main(void *arg)
{
    (void)arg;
    int rc = sk_loop_new(&E.loop);
    if (!rc)
        rc = sk_endpoint_new(E.zctx, E.broker, E.loop, "test-client#1", "test-client", &E.ep);
    pthread_mutex_lock(&E.mu);
    E.rc = rc;
    E.ready = 1;
    pthread_cond_broadcast(&E.cv);
    pthread_mutex_unlock(&E.mu);
    if (!rc)
        sk_loop_run(E.loop);
    sk_endpoint_free(&E.ep);
    sk_loop_free(&E.loop);
    return NULL;
}

static int start_plugin(int i, const char *name, const char *so, const char *yaml)
{
    char err[1024], path[PATH_MAX];
    const char *bd = getenv("SKIFF_BUILD_DIR");
    snprintf(path, sizeof path, "%s/lib/skiff/%s.so", bd ? bd : ".", so);
    int rc = sk_cfg_parse_string(name, yaml, strlen(yaml), &E.cfgs[i], err, sizeof err);
    if (!rc)
        rc = sk_module_load(so, path, NULL, &E.mods[i], err, sizeof err);
    sk_inst_env env = {.zctx = E.zctx, .broker = E.broker, .metrics = E.metrics,
                       .node_name = "node-1", .data_root = E.root};
    if (!rc)
        rc = sk_instance_new(&env, E.mods[i], name, 1, E.cfgs[i], &E.inst[i], err, sizeof err);
    if (!rc)
        rc = sk_instance_init(E.inst[i], err, sizeof err);
    if (!rc)
        rc = sk_instance_start(E.inst[i], WAIT_MS, err, sizeof err);
    if (rc)
        fprintf(stderr, "start %s: %s\n", name, err);
    return rc;
}

static int env_start(void)
{
    char err[512];
    snprintf(E.root, sizeof E.root, "/tmp/sk-apibus-XXXXXX");
    if (!mkdtemp(E.root))
        return -1;
    E.zctx = zmq_ctx_new();
    if (!E.zctx || sk_metrics_new(&E.metrics) ||
        sk_broker_start(E.zctx, NULL, E.metrics, &E.broker, err, sizeof err))
        return -1;
    if (start_plugin(0, "store", "etcd-store", "{}") ||
        start_plugin(1, "apiserver", "apiserver", "{port: 0, tls: false}"))
        return -1;
    if (pthread_create(&E.thr, NULL, client_main, NULL))
        return -1;
    pthread_mutex_lock(&E.mu);
    while (!E.ready)
        pthread_cond_wait(&E.cv, &E.mu);
    pthread_mutex_unlock(&E.mu);
    return E.rc;
}

static void env_stop(void)
{
    char err[512];
    if (E.ready) {
        if (E.loop)
            sk_loop_quit(E.loop);
        pthread_join(E.thr, NULL);
    }
    for (int i = 1; i >= 0; i--) {
        if (E.inst[i] && sk_instance_stop(E.inst[i], WAIT_MS, err, sizeof err))
            fprintf(stderr, "stop: %s\n", err);
        sk_instance_free(&E.inst[i]);
        sk_module_unload(&E.mods[i]);
        sk_cfg_free(&E.cfgs[i]);
    }
    sk_broker_stop(&E.broker);
    if (E.zctx)
        zmq_ctx_term(E.zctx);
    sk_metrics_free(&E.metrics);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", E.root);
    if (system(cmd) < 0)
        perror("system");
}

/* ---- requests ---- */

/* A request map from a JSON literal (fields as in docs/API.md). */
static int api(const char *method, const char *json, json_t **out, char *err, size_t errlen)
{
    json_t *j = tj(json);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_json_to_mp(j, &b, NULL, NULL);
    json_decref(j);
    void *rep = NULL;
    size_t n = 0;
    int rc = sk_endpoint_bus_api.call(E.ep, "api", method, b.data, b.len, WAIT_MS, &rep, &n, err,
                                      errlen);
    sk_mp_buf_free(&b);
    if (out)
        *out = NULL;
    if (rc == 0 && out && sk_mp_to_json(rep, n, NULL, out, NULL))
        rc = -1;
    free(rep);
    return rc;
}

static const char *path_str(const json_t *j, const char *a, const char *b)
{
    json_t *x = json_object_get(j, a);
    return json_string_value(b ? json_object_get(x, b) : x);
}

#define POD_BODY                                                                              \
    "{\"metadata\":{\"name\":\"b1\",\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":"    \
    "[{\"name\":\"c\",\"image\":\"busybox\"}]}}"

static void t_crud(void)
{
    json_t *o;
    char err[512] = "";
    CU_ASSERT_EQUAL_FATAL(api("create",
                              "{\"resource\":\"pods\",\"namespace\":\"default\",\"body\":" POD_BODY
                              "}",
                              &o, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(path_str(o, "metadata", "name"), "b1");
    CU_ASSERT_PTR_NOT_NULL(path_str(o, "metadata", "resourceVersion"));
    json_decref(o);
    int rc = api("create", "{\"resource\":\"pods\",\"namespace\":\"default\",\"body\":" POD_BODY "}",
                 NULL, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_EEXISTS);
    CU_ASSERT_STRING_EQUAL(err, "409 AlreadyExists: pods \"b1\" already exists");
    CU_ASSERT_EQUAL_FATAL(api("get", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                     "\"b1\"}", &o, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(path_str(o, "kind", NULL), "Pod");
    json_decref(o);
    rc = api("get", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"zz\"}", NULL, err,
             sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err, "404 NotFound: pods \"zz\" not found");
    CU_ASSERT_EQUAL_FATAL(api("list", "{\"resource\":\"pods\",\"options\":{\"labelSelector\":"
                                      "\"app=x\"}}", &o, err, sizeof err), 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(o, "items")), 1);
    CU_ASSERT_STRING_EQUAL(path_str(o, "kind", NULL), "PodList");
    json_decref(o);
    rc = api("update", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"b1\",\"body\":"
                       "{\"metadata\":{\"name\":\"b1\",\"resourceVersion\":\"1\"},\"spec\":"
                       "{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}",
             NULL, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ECONFLICT);
    CU_ASSERT_EQUAL_FATAL(api("patch", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                       "\"b1\",\"body\":{\"metadata\":{\"labels\":{\"p\":\"q\"}}}}",
                              &o, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
                               json_object_get(json_object_get(o, "metadata"), "labels"), "p")),
                           "q");
    json_decref(o);
    CU_ASSERT_EQUAL(api("get", "\"not a map\"", NULL, err, sizeof err), SK_EBADMSG);
    CU_ASSERT_EQUAL(api("get", "{\"resource\":\"widgets\",\"name\":\"a\"}", NULL, err, sizeof err),
                    SK_ENOTFOUND);
    CU_ASSERT_EQUAL(api("frob", "{\"resource\":\"pods\"}", NULL, err, sizeof err), SK_EBADMSG);
    /* mutated requests: answered (any code), never a crash or a hang */
    json_t *good = tj("{\"resource\":\"pods\",\"namespace\":\"default\",\"options\":"
                      "{\"labelSelector\":\"app=x\",\"limit\":5},\"body\":" POD_BODY "}");
    sk_mp_buf gb;
    sk_mp_buf_init(&gb);
    sk_json_to_mp(good, &gb, NULL, NULL);
    json_decref(good);
    static const char *const methods[] = {"get", "list", "create", "patch", "delete"};
    uint32_t x = 777;
    for (int i = 0; i < 150; i++) {
        uint8_t *m = malloc(gb.len);
        memcpy(m, gb.data, gb.len);
        x = x * 1103515245u + 12345u;
        m[(x >> 8) % gb.len] = (uint8_t)(x >> 16);
        void *rep = NULL;
        size_t n = 0;
        int rc = sk_endpoint_bus_api.call(E.ep, "api", methods[i % 5], m, gb.len, WAIT_MS, &rep,
                                          &n, err, sizeof err);
        CU_ASSERT(rc != SK_ETIMEDOUT);
        free(rep);
        free(m);
    }
    sk_mp_buf_free(&gb);
}

static void t_bind_status(void)
{
    json_t *o;
    char err[512] = "";
    CU_ASSERT_EQUAL_FATAL(api("bind", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                      "\"b1\",\"body\":{\"target\":{\"kind\":\"Node\",\"name\":"
                                      "\"node-1\"}}}", &o, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(path_str(o, "status", NULL), "Success");
    json_decref(o);
    CU_ASSERT_EQUAL_FATAL(api("get", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                     "\"b1\"}", &o, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(path_str(o, "spec", "nodeName"), "node-1");
    json_object_set_new(o, "status", json_pack("{s:s}", "phase", "Running"));
    json_t *req = json_pack("{s:s, s:s, s:s, s:O}", "resource", "pods", "namespace", "default",
                            "name", "b1", "body", o);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    json_decref(o);
    CU_ASSERT_EQUAL_FATAL(api("update_status", text, &o, err, sizeof err), 0);
    free(text);
    CU_ASSERT_STRING_EQUAL(path_str(o, "status", "phase"), "Running");
    json_decref(o);
}

/* ---- a streamed watch from the client's loop ---- */

typedef struct wstate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int added, modified, deleted, errors, final_seen, final_status;
} wstate;

static void on_part(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    wstate *w = arg;
    (void)errmsg;
    pthread_mutex_lock(&w->mu);
    if (status == SK_BUS_MORE) {
        json_t *ev = NULL;
        if (sk_mp_to_json(data, len, NULL, &ev, NULL) == 0) {
            const char *t = json_string_value(json_object_get(ev, "type"));
            w->added += t && !strcmp(t, "ADDED");
            w->modified += t && !strcmp(t, "MODIFIED");
            w->deleted += t && !strcmp(t, "DELETED");
            w->errors += t && !strcmp(t, "ERROR");
        }
        json_decref(ev);
    } else {
        w->final_seen = 1;
        w->final_status = status;
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

typedef struct start_arg {
    wstate *w;
    sk_mp_buf *b;
    int rc;
} start_arg;

static void start_watch(void *arg)
{
    start_arg *a = arg;
    a->rc = sk_endpoint_bus_api.request(E.ep, "api", "watch", a->b->data, a->b->len, 0, on_part,
                                        a->w, NULL);
}

typedef struct on_loop {
    void (*fn)(void *);
    void *arg;
    int done;
} on_loop;

static void run_posted(void *arg)
{
    on_loop *o = arg;
    o->fn(o->arg);
    pthread_mutex_lock(&E.mu);
    o->done = 1;
    pthread_cond_broadcast(&E.cv);
    pthread_mutex_unlock(&E.mu);
}

static int on_client_loop(void (*fn)(void *), void *arg)
{
    on_loop o = {fn, arg, 0};
    if (sk_loop_api_impl.post(E.loop, run_posted, &o))
        return -1;
    pthread_mutex_lock(&E.mu);
    while (!o.done) /* posts always run (the loop drains them even when quitting) */
        pthread_cond_wait(&E.cv, &E.mu);
    pthread_mutex_unlock(&E.mu);
    return 0;
}

static void t_watch(void)
{
    wstate w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    json_t *j = tj("{\"resource\":\"pods\",\"namespace\":\"default\",\"options\":"
                   "{\"timeoutSeconds\":2}}");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_json_to_mp(j, &b, NULL, NULL);
    json_decref(j);
    start_arg a = {&w, &b, -1};
    CU_ASSERT_EQUAL_FATAL(on_client_loop(start_watch, &a), 0);
    CU_ASSERT_EQUAL_FATAL(a.rc, 0);
    char err[256];
    json_t *o;
    usleep(200000);
    CU_ASSERT_EQUAL(api("patch", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                 "\"b1\",\"body\":{\"metadata\":{\"labels\":{\"w\":\"1\"}}}}",
                        &o, err, sizeof err), 0);
    json_decref(o);
    CU_ASSERT_EQUAL(api("delete", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                  "\"b1\",\"options\":{\"gracePeriodSeconds\":0}}",
                        &o, err, sizeof err), 0);
    json_decref(o);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 10;
    pthread_mutex_lock(&w.mu);
    while (!w.final_seen && pthread_cond_timedwait(&w.cv, &w.mu, &dl) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&w.mu);
    sk_mp_buf_free(&b);
    CU_ASSERT_EQUAL(w.added, 1);
    CU_ASSERT_EQUAL(w.modified, 1);
    CU_ASSERT_EQUAL(w.deleted, 1);
    CU_ASSERT_EQUAL(w.final_seen, 1);
    CU_ASSERT_EQUAL(w.final_status, 0); /* ended by timeoutSeconds */
}

/* Compacted history: a watch from an old resourceVersion gets an ERROR
 * event with a 410 Expired Status, on the bus and over HTTP. */
static void t_expired(void)
{
    json_t *l;
    char err[512] = "";
    CU_ASSERT_EQUAL_FATAL(api("list", "{\"resource\":\"namespaces\"}", &l, err, sizeof err), 0);
    long long rev = atoll(path_str(l, "metadata", "resourceVersion"));
    json_decref(l);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "revision");
    sk_mp_put_int(&b, rev);
    void *rep = NULL;
    size_t n;
    CU_ASSERT_EQUAL_FATAL(sk_endpoint_bus_api.call(E.ep, "store", "compact", b.data, b.len,
                                                   WAIT_MS, &rep, &n, err, sizeof err), 0);
    free(rep);
    sk_mp_buf_free(&b);
    wstate w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    json_t *j = tj("{\"resource\":\"namespaces\",\"options\":{\"resourceVersion\":\"1\"}}");
    sk_mp_buf_init(&b);
    sk_json_to_mp(j, &b, NULL, NULL);
    json_decref(j);
    start_arg a = {&w, &b, -1};
    CU_ASSERT_EQUAL_FATAL(on_client_loop(start_watch, &a), 0);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 10;
    pthread_mutex_lock(&w.mu);
    while (!w.final_seen && pthread_cond_timedwait(&w.cv, &w.mu, &dl) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&w.mu);
    sk_mp_buf_free(&b);
    CU_ASSERT_EQUAL(w.final_seen, 1);
    CU_ASSERT_EQUAL(w.final_status, SK_ECOMPACTED);
    CU_ASSERT_EQUAL(w.errors, 1);
    /* the same over HTTP */
    char url[PATH_MAX + 32];
    snprintf(url, sizeof url, "%s/apiserver/url", E.root);
    int port = hc_port_from_url_file(url);
    CU_ASSERT_FATAL(port > 0);
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(hc_request(port, "GET", "/api/v1/namespaces?watch=1&resourceVersion=1",
                                     NULL, NULL, &r, 10000), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"type\":\"ERROR\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"reason\":\"Expired\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"code\":410"));
    hc_resp_free(&r);
}

/* ---- a fake kubelet on the client endpoint: pods/log ---- */

static void kubelet_serve(void *arg, sk_bus_req *req, const char *method, const void *data,
                          size_t len)
{
    (void)arg;
    json_t *q = NULL;
    sk_mp_to_json(data, len, NULL, &q, NULL);
    if (strcmp(method, "log") != 0) {
        sk_endpoint_bus_api.reply(E.ep, req, "\x80", 1);
    } else if (json_is_true(json_object_get(q, "follow"))) {
        static const char *const lines[] = {"\xa6" "first\n", "\xa7" "second\n"};
        for (int i = 0; i < 2; i++)
            sk_endpoint_bus_api.stream_part(E.ep, req, lines[i], strlen(lines[i]));
        sk_endpoint_bus_api.reply(E.ep, req, "\x80", 1);
    } else {
        char text[128];
        snprintf(text, sizeof text, "log of %s/%s\n",
                 json_string_value(json_object_get(q, "name")),
                 json_string_value(json_object_get(q, "container")));
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        sk_mp_put_bin(&b, text, strlen(text));
        sk_endpoint_bus_api.reply(E.ep, req, b.data, b.len);
        sk_mp_buf_free(&b);
    }
    json_decref(q);
}

static void serve_kubelet(void *arg)
{
    *(int *)arg = sk_endpoint_bus_api.serve(E.ep, "kubelet/node-1", kubelet_serve, NULL);
}

static void t_logs(void)
{
    char err[512];
    json_t *o;
    CU_ASSERT_EQUAL_FATAL(api("create",
                              "{\"resource\":\"pods\",\"namespace\":\"default\",\"body\":"
                              "{\"metadata\":{\"name\":\"lg\"},\"spec\":{\"containers\":"
                              "[{\"name\":\"main\",\"image\":\"busybox\"}]}}}",
                              &o, err, sizeof err), 0);
    json_decref(o);
    char url[PATH_MAX + 32];
    snprintf(url, sizeof url, "%s/apiserver/url", E.root);
    int port = hc_port_from_url_file(url);
    CU_ASSERT_FATAL(port > 0);
    hc_resp r;
    /* not bound yet: 400; bound, no kubelet: 503 */
    CU_ASSERT_EQUAL_FATAL(hc_request(port, "GET", "/api/v1/namespaces/default/pods/lg/log", NULL,
                                     NULL, &r, 10000), 0);
    CU_ASSERT_EQUAL(r.code, 400);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(api("bind", "{\"resource\":\"pods\",\"namespace\":\"default\","
                                      "\"name\":\"lg\",\"body\":{\"target\":{\"name\":"
                                      "\"node-1\"}}}", &o, err, sizeof err), 0);
    json_decref(o);
    CU_ASSERT_EQUAL_FATAL(hc_request(port, "GET", "/api/v1/namespaces/default/pods/lg/log?follow=1",
                                     NULL, NULL, &r, 10000), 0);
    CU_ASSERT_EQUAL(r.code, 503);
    hc_resp_free(&r);
    int rc = -1;
    CU_ASSERT_EQUAL_FATAL(on_client_loop(serve_kubelet, &rc), 0);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(hc_request(port, "GET", "/api/v1/namespaces/default/pods/lg/log", NULL,
                                     NULL, &r, 10000), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_STRING_EQUAL(r.body, "log of lg/main\n");
    CU_ASSERT_STRING_EQUAL(r.ctype, "text/plain");
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(hc_request(port, "GET",
                                     "/api/v1/namespaces/default/pods/lg/log?follow=true", NULL,
                                     NULL, &r, 10000), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_STRING_EQUAL(r.body, "first\nsecond\n");
    hc_resp_free(&r);
    CU_ASSERT_EQUAL(api("delete", "{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":"
                                  "\"lg\",\"options\":{\"gracePeriodSeconds\":0}}",
                        &o, err, sizeof err), 0);
    json_decref(o);
}

int main(void)
{
    static const tcase cases[] = {
        {"create/get/list/update/patch and errors", t_crud},
        {"bind and update_status", t_bind_status},
        {"streamed watch", t_watch},
        {"watch from a compacted revision", t_expired},
        {"pods/log through a kubelet", t_logs},
        {NULL, NULL},
    };
    if (env_start()) {
        fprintf(stderr, "cannot start the in-process host\n");
        env_stop();
        return 1;
    }
    /* the bootstrap creates namespace default shortly after start */
    for (int i = 0; i < 200; i++) {
        char err[128];
        if (api("get", "{\"resource\":\"namespaces\",\"name\":\"default\"}", NULL, err,
                sizeof err) == 0)
            break;
        usleep(50000);
    }
    int rc = trun("apiserver-bus", cases);
    env_stop();
    return rc;
}
