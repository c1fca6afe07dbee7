/* In-process host for the store's bus tests (see store_bus.h). */
#include "store_bus.h"

#include <errno.h>
#include <limits.h>
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
#include "loader.h"
#include "loop.h"
#include "metrics.h"
#include "build_dir.h"

struct sb_env {
    void *zctx;
    sk_metrics *metrics;
    sk_broker *broker;
    sk_module *mod;
    sk_cfg *cfg;
    sk_instance *inst;
    unsigned gen;
    char root[PATH_MAX];
    /* client */
    pthread_t thr;
    sk_loop *loop;
    sk_endpoint *ep;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready;
    int rc;
};

uint64_t sb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sb_pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

const char *sb_build_dir(void)
{
    return th_build_dir();
}

static void *client_main(void *arg)
{
    sb_env *e = arg;
    int rc = sk_loop_new(&e->loop);
    if (!rc)
        rc = sk_endpoint_new(e->zctx, e->broker, e->loop, "test-client#1", "test-client", &e->ep);
    pthread_mutex_lock(&e->mu);
    e->rc = rc;
    e->ready = 1;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    if (!rc)
        sk_loop_run(e->loop);
    sk_endpoint_free(&e->ep);
    sk_loop_free(&e->loop);
    return NULL;
}

static int start_instance(sb_env *e)
{
    char err[1024];
    sk_inst_env ienv = {.zctx = e->zctx, .broker = e->broker, .metrics = e->metrics,
                        .node_name = "test-node", .data_root = e->root};
    int rc = sk_instance_new(&ienv, e->mod, "etcd-store", ++e->gen, e->cfg, &e->inst, err,
                             sizeof err);
    if (!rc)
        rc = sk_instance_init(e->inst, err, sizeof err);
    if (!rc)
        rc = sk_instance_start(e->inst, SB_WAIT_MS, err, sizeof err);
    if (rc)
        fprintf(stderr, "sb: store instance: %s\n", err);
    return rc;
}

static void stop_instance(sb_env *e)
{
    char err[512];
    if (!e->inst)
        return;
    if (sk_instance_stop(e->inst, SB_WAIT_MS, err, sizeof err))
        fprintf(stderr, "sb: stop: %s\n", err);
    sk_instance_free(&e->inst);
}

sb_env *sb_start(const char *root, const char *yaml)
{
    sb_env *e = calloc(1, sizeof *e);
    char err[1024], path[PATH_MAX];
    if (!e)
        return NULL;
    snprintf(e->root, sizeof e->root, "%s", root);
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    snprintf(path, sizeof path, "%s/lib/skiff/etcd-store.so", sb_build_dir());
    e->zctx = zmq_ctx_new();
    int rc = e->zctx ? sk_metrics_new(&e->metrics) : -ENOMEM;
    if (!rc)
        rc = sk_cfg_parse_string("store.yaml", yaml, strlen(yaml), &e->cfg, err, sizeof err);
    if (!rc && !*yaml) {
        sk_cfg_free(&e->cfg);
        rc = sk_cfg_parse_string("store.yaml", "{}", 2, &e->cfg, err, sizeof err);
    }
    if (!rc)
        rc = sk_broker_start(e->zctx, NULL, e->metrics, &e->broker, err, sizeof err);
    if (!rc)
        rc = sk_module_load("etcd-store", path, NULL, &e->mod, err, sizeof err);
    if (rc) {
        fprintf(stderr, "sb_start: %s\n", err);
        sb_stop(&e);
        return NULL;
    }
    if (start_instance(e) || pthread_create(&e->thr, NULL, client_main, e)) {
        sb_stop(&e);
        return NULL;
    }
    pthread_mutex_lock(&e->mu);
    while (!e->ready)
        pthread_cond_wait(&e->cv, &e->mu);
    pthread_mutex_unlock(&e->mu);
    if (e->rc) {
        fprintf(stderr, "sb_start: client endpoint: %s\n", sk_strerror(e->rc));
        sb_stop(&e);
        return NULL;
    }
    return e;
}

int sb_restart_store(sb_env *e)
{
    stop_instance(e);
    return start_instance(e);
}

void sb_stop(sb_env **ep)
{
    sb_env *e = *ep;
    if (!e)
        return;
    *ep = NULL;
    if (e->ready) {
        if (e->loop)
            sk_loop_quit(e->loop);
        pthread_join(e->thr, NULL);
    }
    stop_instance(e);
    sk_module_unload(&e->mod);
    sk_broker_stop(&e->broker);
    if (e->zctx)
        zmq_ctx_term(e->zctx);
    sk_metrics_free(&e->metrics);
    sk_cfg_free(&e->cfg);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
    free(e);
}

int sb_call(sb_env *e, const char *method, const sk_mp_buf *req, void **reply, size_t *len,
            char *err, size_t errlen)
{
    return sk_endpoint_bus_api.call(e->ep, "store", method, req ? req->data : NULL,
                                    req ? req->len : 0, SB_WAIT_MS, reply, len, err, errlen);
}

typedef struct on_loop {
    void (*fn)(void *);
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
} on_loop;

static void run_on_loop(void *arg)
{
    on_loop *o = arg;
    o->fn(o->arg);
    pthread_mutex_lock(&o->mu);
    o->done = 1;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

int sb_on_loop(sb_env *e, void (*fn)(void *), void *arg)
{
    on_loop *o = calloc(1, sizeof *o);
    if (!o)
        return -1;
    o->fn = fn;
    o->arg = arg;
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    if (sk_loop_api_impl.post(e->loop, run_on_loop, o)) {
        free(o);
        return -1;
    }
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += SB_WAIT_MS / 1000;
    int rc = 0;
    pthread_mutex_lock(&o->mu);
    while (!o->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&o->cv, &o->mu, &dl);
    int done = o->done;
    pthread_mutex_unlock(&o->mu);
    if (!done)
        return -1; /* leaked on purpose: the loop may still run it */
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o);
    return 0;
}

const sk_bus_api *sb_bus(sb_env *e)
{
    (void)e;
    return &sk_endpoint_bus_api;
}

void *sb_bus_ctx(sb_env *e)
{
    return e->ep;
}

char *sb_metrics_text(sb_env *e)
{
    char *out = NULL;
    size_t len = 0;
    if (sk_metrics_api_impl.render(e->metrics, &out, &len))
        return NULL;
    return out;
}
