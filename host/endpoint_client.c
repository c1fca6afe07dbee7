/* The requesting side: asynchronous request() on the loop thread, blocking
 * call() from any thread on a pool socket, and the delivery of answers.
 * Stream parts are delivered in their index order whatever order they
 * arrive in, and the final answer only after every part it announced. */
#include "endpoint_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ep_part *part_new(uint64_t seq, const void *data, size_t len)
{
    ep_part *p = malloc(sizeof *p + len);
    if (!p)
        return NULL;
    p->next = NULL;
    p->seq = seq;
    p->len = len;
    if (len)
        memcpy(p->data, data, len);
    return p;
}

static void pending_free(sk_endpoint *e, ep_pending *p)
{
    if (p->timer > 0 && sk_loop_api_impl.timer_cancel(e->loop, (uint64_t)p->timer))
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: timer of request %llu already gone",
                (unsigned long long)p->id);
    while (p->parts) {
        ep_part *n = p->parts->next;
        free(p->parts);
        p->parts = n;
    }
    free(p->final_msg);
    free(p->final_data);
    free(p);
}

static void send_cancel(sk_endpoint *e, uint64_t id, const char *service)
{
    sk_env env;
    sk_env_init(&env, SK_ENV_CANCEL, id);
    sk_env_set(env.name, service);
    int rc = ep_send(e, &env, true);
    if (rc) /* the service then learns it only from its own deadline */
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: CANCEL %llu to '%s' not sent: %s",
                (unsigned long long)id, service, sk_strerror(rc));
}

/* Removes p and runs its final callback. */
static void finish(sk_endpoint *e, ep_pending *p, int status, const char *msg, const void *data,
                   size_t len)
{
    sk_map_del_u64(&e->pending, p->id);
    if (p->timer > 0) {
        if (sk_loop_api_impl.timer_cancel(e->loop, (uint64_t)p->timer))
            sk_hlog(e->who, SK_LOG_DEBUG, "bus: timer of request %llu already gone",
                    (unsigned long long)p->id);
        p->timer = 0;
    }
    p->fn(p->arg, status, msg ? msg : "", data, len);
    pending_free(e, p);
}

/* Delivers buffered parts (and the final answer) now in sequence. Returns
 * false when p is gone (a callback cancelled it, or it finished). */
static bool deliver_ready(sk_endpoint *e, uint64_t id)
{
    for (;;) {
        ep_pending *p = sk_map_get_u64(&e->pending, id);
        if (!p)
            return false;
        if (p->parts && p->parts->seq == p->next_part) {
            ep_part *part = p->parts;
            p->parts = part->next;
            p->nparts--;
            p->next_part++;
            p->fn(p->arg, SK_BUS_MORE, "", part->data, part->len);
            free(part);
            continue;
        }
        if (p->have_final && p->final_seq <= p->next_part) {
            ep_part *d = p->final_data;
            p->final_data = NULL;
            finish(e, p, p->final_status, p->final_msg, d ? d->data : NULL, d ? d->len : 0);
            free(d);
            return false;
        }
        return true;
    }
}

static int buffer_part(ep_pending *p, const sk_env *env)
{
    if (p->nparts >= EP_REORDER_MAX)
        return SK_EFULL;
    ep_part **pp = &p->parts;
    while (*pp && (*pp)->seq < env->seq)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == env->seq)
        return 0; /* a duplicate */
    ep_part *n = part_new(env->seq, env->payload, env->payload_len);
    if (!n)
        return -ENOMEM;
    n->next = *pp;
    *pp = n;
    p->nparts++;
    return 0;
}

static int keep_final(ep_pending *p, const sk_env *env)
{
    char msg[1024] = "";
    if (env->kind == SK_ENV_ERROR)
        ep_errmsg(env, msg, sizeof msg);
    p->final_msg = strdup(msg);
    p->final_data = part_new(env->seq, env->payload, env->payload_len);
    if (!p->final_msg || !p->final_data)
        return -ENOMEM;
    p->have_final = true;
    p->final_status = env->kind == SK_ENV_ERROR ? env->status : 0;
    p->final_seq = env->seq;
    return 0;
}

static void on_stream(sk_endpoint *e, ep_pending *p, const sk_env *env)
{
    if (env->seq < p->next_part)
        return; /* a duplicate */
    if (env->seq == p->next_part) {
        p->next_part++;
        p->fn(p->arg, SK_BUS_MORE, "", env->payload, env->payload_len);
        deliver_ready(e, env->id);
        return;
    }
    int rc = buffer_part(p, env);
    if (rc) {
        send_cancel(e, p->id, p->service);
        finish(e, p, rc, "stream parts arrived too far out of order", NULL, 0);
    }
}

void ep_on_answer(sk_endpoint *e, const sk_env *env)
{
    ep_pending *p = sk_map_get_u64(&e->pending, env->id);
    if (!p || env->nhops) {
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: late %s for forgotten request %llu dropped",
                sk_env_kind_name(env->kind), (unsigned long long)env->id);
        return;
    }
    if (env->kind == SK_ENV_STREAM) {
        on_stream(e, p, env);
        return;
    }
    if (env->seq == SK_ENV_SEQ_NOW || env->seq <= p->next_part) {
        char msg[1024] = "";
        if (env->kind == SK_ENV_ERROR)
            ep_errmsg(env, msg, sizeof msg);
        finish(e, p, env->kind == SK_ENV_ERROR ? env->status : 0, msg, env->payload,
               env->payload_len);
        return;
    }
    int rc = keep_final(p, env);
    if (rc)
        finish(e, p, rc, "out of memory keeping an early final answer", NULL, 0);
}

/* ---- request / cancel ---- */

/* The timer lives exactly as long as p: pending_free cancels it. */
static void on_timeout(void *arg, uint64_t timer_id)
{
    (void)timer_id;
    ep_pending *p = arg;
    sk_endpoint *e = p->e;
    p->timer = 0; /* a one-shot timer is gone once it fired */
    char msg[SK_BUS_NAME_MAX + 64];
    snprintf(msg, sizeof msg, "no answer from '%s' within %d ms", p->service, p->timeout_ms);
    send_cancel(e, p->id, p->service);
    finish(e, p, SK_ETIMEDOUT, msg, NULL, 0);
}

static int check_request(const char *service, const char *method, const void *data, size_t len)
{
    if (!ep_valid_name(service, false) || !ep_valid_name(method ? method : "", true) ||
        (!data && len))
        return -EINVAL;
    return (int64_t)len > SK_ENV_MAX_FRAME - 4096 ? SK_ETOOLARGE : 0;
}

static void request_env(sk_env *env, uint64_t id, const char *service, const char *method,
                        const void *data, size_t len, int timeout_ms)
{
    sk_env_init(env, SK_ENV_REQUEST, id);
    sk_env_set(env->name, service);
    sk_env_set(env->method, method ? method : "");
    env->deadline_ms = timeout_ms > 0 ? sk_env_now_ms() + timeout_ms : 0;
    env->payload = data;
    env->payload_len = len;
}

int ep_request(void *ctx, const char *service, const char *method, const void *data,
               size_t len, int timeout_ms, sk_bus_reply_fn fn, void *arg, uint64_t *id)
{
    sk_endpoint *e = ctx;
    int rc = e && fn && timeout_ms >= 0 ? check_request(service, method, data, len) : -EINVAL;
    if (rc)
        return rc;
    if (!ep_on_loop(e) || e->closing) {
        sk_hlog(e->who, SK_LOG_ERROR, "bus: request() to '%s' %s", service,
                e->closing ? "while the endpoint closes" : "called off the loop thread");
        return e->closing ? SK_ESTOPPED : -EPERM;
    }
    ep_pending *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->e = e;
    p->id = atomic_fetch_add(&e->next_id, 1);
    p->fn = fn;
    p->arg = arg;
    p->timeout_ms = timeout_ms;
    sk_env_set(p->service, service);
    if (sk_map_put_u64(&e->pending, p->id, p)) {
        free(p);
        return -ENOMEM;
    }
    sk_env env;
    request_env(&env, p->id, service, method, data, len, timeout_ms);
    if (timeout_ms > 0) {
        int64_t t = sk_loop_api_impl.timer_add(e->loop, (uint64_t)timeout_ms, 0, on_timeout, p);
        rc = t > 0 ? 0 : (int)t;
        p->timer = t > 0 ? t : 0;
    }
    if (!rc)
        rc = ep_send_on(e, e->sock, &env, false);
    if (rc) {
        sk_map_del_u64(&e->pending, p->id);
        pending_free(e, p);
        return rc;
    }
    if (id)
        *id = p->id;
    return 0;
}

int ep_cancel(void *ctx, uint64_t id)
{
    sk_endpoint *e = ctx;
    if (!e)
        return -EINVAL;
    if (!ep_on_loop(e))
        return -EPERM;
    ep_pending *p = sk_map_del_u64(&e->pending, id);
    if (!p)
        return SK_ENOTFOUND;
    send_cancel(e, id, p->service);
    pending_free(e, p);
    return 0;
}

void ep_pending_stop(sk_endpoint *e)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    /* Callbacks may start new requests: those fail, as closing is set. */
    while ((ent = sk_map_next(&e->pending, &it))) {
        ep_pending *p = ent->val;
        send_cancel(e, p->id, p->service);
        finish(e, p, SK_ESTOPPED, "the plugin's bus endpoint is closing", NULL, 0);
    }
}

/* ---- call ---- */

typedef struct call_out {
    void **reply;
    size_t *reply_len;
    char *err;
    size_t errlen;
} call_out;

static void set_err(const call_out *o, const char *msg)
{
    if (o->err && o->errlen)
        snprintf(o->err, o->errlen, "%s", msg);
}

/* 1 when m answered id (rc set), 0 when it was something else. */
static int call_answer(zmq_msg_t *m, uint64_t id, const call_out *o, int *rc)
{
    sk_env env;
    const char *why;
    if (sk_env_decode(zmq_msg_data(m), zmq_msg_size(m), &env, &why) || env.id != id ||
        env.nhops)
        return 0;
    char msg[1024];
    switch (env.kind) {
    case SK_ENV_REPLY:
        *rc = 0;
        if (o->reply) {
            *o->reply = malloc(env.payload_len ? env.payload_len : 1);
            if (!*o->reply) {
                *rc = -ENOMEM;
                return 1;
            }
            if (env.payload_len)
                memcpy(*o->reply, env.payload, env.payload_len);
        }
        if (o->reply_len)
            *o->reply_len = env.payload_len;
        return 1;
    case SK_ENV_ERROR:
        ep_errmsg(&env, msg, sizeof msg);
        set_err(o, msg);
        *rc = env.status;
        return 1;
    case SK_ENV_STREAM:
        set_err(o, "the service answered with a stream: use request(), not call()");
        *rc = SK_EBADMSG;
        return 2;
    default: return 0;
    }
}

/* *cancel: the service must be told we stopped listening. */
static int call_wait(void *s, uint64_t id, int timeout_ms, const call_out *o, bool *cancel)
{
    *cancel = false;
    uint64_t deadline = sk_loop_api_impl.now_ms(NULL) + (uint64_t)timeout_ms;
    for (;;) {
        uint64_t now = sk_loop_api_impl.now_ms(NULL);
        if (now >= deadline) {
            *cancel = true;
            return SK_ETIMEDOUT;
        }
        zmq_pollitem_t it = {.socket = s, .events = ZMQ_POLLIN};
        int n = zmq_poll(&it, 1, (long)(deadline - now));
        if (n < 0 && zmq_errno() == ETERM)
            return SK_ESTOPPED;
        if (n <= 0)
            continue;
        zmq_msg_t m;
        zmq_msg_init(&m);
        int rc = 0, got = 0;
        if (sk_zrecv(&m, s, ZMQ_DONTWAIT) >= 0)
            got = call_answer(&m, id, o, &rc);
        zmq_msg_close(&m);
        if (got)
            *cancel = got == 2;
        if (got)
            return rc;
    }
}

/* Late answers to earlier calls on this socket are stale. */
static void drain_stale(void *s)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (sk_zrecv(&m, s, ZMQ_DONTWAIT) >= 0) {
        zmq_msg_close(&m);
        zmq_msg_init(&m);
    }
    zmq_msg_close(&m);
}

int ep_call(void *ctx, const char *service, const char *method, const void *data, size_t len,
            int timeout_ms, void **reply, size_t *reply_len, char *err, size_t errlen)
{
    sk_endpoint *e = ctx;
    call_out o = {reply, reply_len, err, errlen};
    if (reply)
        *reply = NULL;
    if (reply_len)
        *reply_len = 0;
    set_err(&o, "");
    int rc = e && timeout_ms > 0 ? check_request(service, method, data, len) : -EINVAL;
    if (rc)
        return rc;
    void *s = ep_pool_take(e);
    if (!s)
        return -ENOMEM;
    drain_stale(s);
    sk_env env;
    request_env(&env, atomic_fetch_add(&e->next_id, 1), service, method, data, len, timeout_ms);
    bool cancel = false;
    rc = ep_send_on(e, s, &env, false);
    if (!rc)
        rc = call_wait(s, env.id, timeout_ms, &o, &cancel);
    if (cancel) {
        sk_env c;
        sk_env_init(&c, SK_ENV_CANCEL, env.id);
        sk_env_set(c.name, service);
        if (ep_send_on(e, s, &c, false))
            sk_hlog(e->who, SK_LOG_DEBUG, "bus: CANCEL of call %llu to '%s' not sent",
                    (unsigned long long)env.id, service);
    }
    if (rc == SK_ETIMEDOUT) {
        char msg[SK_BUS_NAME_MAX + 64];
        snprintf(msg, sizeof msg, "no answer from '%s' within %d ms", service, timeout_ms);
        set_err(&o, msg);
    }
    ep_pool_put(e, s);
    return rc;
}
