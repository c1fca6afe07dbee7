/* The serving side: services, the requests handed to the plugin, and their
 * answers, which may come from any thread. An open request sits in a
 * mutex-guarded table so a CANCEL can find it and the endpoint can answer
 * whatever the plugin left open when it stops. */
#include "endpoint_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sk_bus_req *req_new(sk_endpoint *e, const sk_env *env)
{
    uint8_t key[SK_ENV_KEY_MAX];
    size_t klen = sk_env_key(env, env->nhops, key);
    sk_bus_req *r = calloc(1, sizeof *r + klen);
    if (!r)
        return NULL;
    atomic_init(&r->refs, 1);
    atomic_init(&r->answered, false);
    atomic_init(&r->parts, 0);
    r->e = e;
    r->id = env->id;
    r->deadline_ms = env->deadline_ms;
    memcpy(r->service, env->name, sizeof r->service);
    r->klen = klen;
    memcpy(r->key, key, klen);
    size_t k = 0;
    for (unsigned i = 0; i < env->nhops; i++) {
        size_t n = r->key[k++];
        r->hop[i].p = r->key + k;
        r->hop[i].len = n;
        k += n;
    }
    r->nhops = env->nhops;
    return r;
}

void ep_req_unref(sk_bus_req *r)
{
    if (atomic_fetch_sub(&r->refs, 1) == 1)
        free(r);
}

void ep_answer_env(sk_endpoint *e, const sk_env *req, int status, const char *msg)
{
    sk_env env;
    sk_env_init(&env, SK_ENV_ERROR, req->id);
    memcpy(env.name, req->name, sizeof env.name);
    env.nhops = req->nhops;
    memcpy(env.hop, req->hop, sizeof env.hop);
    env.status = status;
    env.payload = (const uint8_t *)msg;
    env.payload_len = strlen(msg);
    int rc = ep_send(e, &env, true);
    if (rc)
        sk_hlog(e->who, SK_LOG_WARN, "bus: %s for request %llu not sent: %s",
                sk_strerror(status), (unsigned long long)req->id, sk_strerror(rc));
}

void ep_on_request(sk_endpoint *e, const sk_env *env)
{
    char msg[SK_BUS_NAME_MAX * 2 + 64];
    ep_service *s = sk_map_get(&e->services, env->name, strlen(env->name));
    if (e->closing || !s) {
        snprintf(msg, sizeof msg, "service '%s' %s at %s", env->name,
                 e->closing ? "is stopping" : "is not served", e->route);
        ep_answer_env(e, env, e->closing ? SK_ESTOPPED : SK_ENOSERVICE, msg);
        return;
    }
    sk_bus_req *r = req_new(e, env);
    int rc = r ? 0 : -ENOMEM;
    pthread_mutex_lock(&e->mu);
    if (r && sk_map_get(&e->open, r->key, r->klen))
        rc = SK_EBADMSG;
    else if (r && sk_map_put(&e->open, r->key, r->klen, r))
        rc = -ENOMEM;
    pthread_mutex_unlock(&e->mu);
    if (rc) {
        snprintf(msg, sizeof msg, "request %llu to '%s' at %s: %s", (unsigned long long)env->id,
                 env->name, e->route,
                 rc == SK_EBADMSG ? "the same id is already open" : "out of memory");
        ep_answer_env(e, env, rc, msg);
        free(r);
        return;
    }
    sk_bus_serve_fn fn = s->fn;
    fn(s->arg, r, env->method, env->payload, env->payload_len);
}

/* ---- answers (any thread) ---- */

static int answer(sk_endpoint *e, sk_bus_req *r, unsigned kind, int status, const void *data,
                  size_t len)
{
    if (atomic_exchange(&r->answered, true))
        return -EALREADY;
    pthread_mutex_lock(&e->mu);
    sk_map_del(&e->open, r->key, r->klen);
    pthread_mutex_unlock(&e->mu);
    sk_env env;
    sk_env_init(&env, kind, r->id);
    memcpy(env.name, r->service, sizeof env.name);
    env.nhops = r->nhops;
    memcpy(env.hop, r->hop, sizeof env.hop);
    env.status = status;
    env.payload = data;
    env.payload_len = len;
    env.seq = atomic_load(&r->parts);
    int rc = ep_send(e, &env, true);
    ep_req_unref(r);
    return rc;
}

int ep_reply(void *ctx, sk_bus_req *req, const void *data, size_t len)
{
    if (!ctx || !req || (!data && len))
        return -EINVAL;
    return answer(ctx, req, SK_ENV_REPLY, 0, data, len);
}

int ep_reply_error(void *ctx, sk_bus_req *req, int status, const char *msg)
{
    if (!ctx || !req)
        return -EINVAL;
    if (status >= 0) {
        sk_hlog(((sk_endpoint *)ctx)->who, SK_LOG_WARN,
                "bus: reply_error() with status %d >= 0 sent as SK_EINTERNAL", status);
        status = SK_EINTERNAL;
    }
    msg = msg ? msg : "";
    return answer(ctx, req, SK_ENV_ERROR, status, msg, strnlen(msg, 4096));
}

int ep_stream_part(void *ctx, sk_bus_req *req, const void *data, size_t len)
{
    sk_endpoint *e = ctx;
    if (!e || !req || (!data && len))
        return -EINVAL;
    if (atomic_load(&req->answered))
        return -EALREADY;
    sk_env env;
    sk_env_init(&env, SK_ENV_STREAM, req->id);
    memcpy(env.name, req->service, sizeof env.name);
    env.nhops = req->nhops;
    memcpy(env.hop, req->hop, sizeof env.hop);
    env.payload = data;
    env.payload_len = len;
    env.seq = atomic_fetch_add(&req->parts, 1);
    return ep_send(e, &env, true);
}

int64_t ep_req_remaining_ms(void *ctx, const sk_bus_req *req)
{
    (void)ctx;
    if (!req || !req->deadline_ms)
        return -1;
    int64_t left = req->deadline_ms - sk_env_now_ms();
    return left > 0 ? left : 0;
}

/* ---- cancellation (loop thread) ---- */

static void fire_cancel(sk_bus_req *r)
{
    if (!r->cancel_fn || r->cancel_fired || atomic_load(&r->answered))
        return;
    r->cancel_fired = true;
    r->cancel_fn(r->cancel_arg, r);
}

static void fire_cancel_post(void *arg)
{
    sk_bus_req *r = arg;
    fire_cancel(r);
    ep_req_unref(r);
}

int ep_req_on_cancel(void *ctx, sk_bus_req *req, void (*fn)(void *arg, sk_bus_req *req),
                     void *arg)
{
    sk_endpoint *e = ctx;
    if (!e || !req || !fn)
        return -EINVAL;
    if (!ep_on_loop(e))
        return -EPERM;
    if (atomic_load(&req->answered))
        return -EALREADY;
    req->cancel_fn = fn;
    req->cancel_arg = arg;
    /* Cancelled before anyone listened: tell fn soon, not from inside this
     * call, which the plugin may be making with half-built state. */
    if (req->cancel_seen && !req->cancel_fired && !req->cancel_posted) {
        atomic_fetch_add(&req->refs, 1);
        if (sk_loop_api_impl.post(e->loop, fire_cancel_post, req) == 0)
            req->cancel_posted = true;
        else
            ep_req_unref(req);
    }
    return 0;
}

void ep_on_cancel(sk_endpoint *e, const sk_env *env)
{
    uint8_t key[SK_ENV_KEY_MAX];
    size_t klen = sk_env_key(env, env->nhops, key);
    pthread_mutex_lock(&e->mu);
    sk_bus_req *r = sk_map_get(&e->open, key, klen);
    if (r)
        atomic_fetch_add(&r->refs, 1);
    pthread_mutex_unlock(&e->mu);
    if (!r) {
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: CANCEL for request %llu, already answered",
                (unsigned long long)env->id);
        return;
    }
    r->cancel_seen = true;
    fire_cancel(r);
    ep_req_unref(r);
}

/* ---- services (loop thread) ---- */

int ep_serve(void *ctx, const char *service, sk_bus_serve_fn fn, void *arg)
{
    sk_endpoint *e = ctx;
    if (!e || !fn || !ep_valid_name(service, false))
        return -EINVAL;
    if (!ep_on_loop(e) || e->closing)
        return e->closing ? SK_ESTOPPED : -EPERM;
    size_t n = strlen(service);
    if (sk_map_get(&e->services, service, n))
        return SK_EEXISTS;
    ep_service *s = malloc(sizeof *s);
    if (!s || sk_map_put(&e->services, service, n, s)) {
        free(s);
        return -ENOMEM;
    }
    s->fn = fn;
    s->arg = arg;
    /* Registered first: requests may follow the broker's answer at once. */
    int rc = ep_control(e, SK_ENV_SERVE, service);
    if (rc) {
        free(sk_map_del(&e->services, service, n));
        if (rc != SK_EEXISTS)
            sk_hlog(e->who, SK_LOG_ERROR, "bus: serve '%s': %s", service, sk_strerror(rc));
    }
    return rc;
}

int ep_unserve(void *ctx, const char *service)
{
    sk_endpoint *e = ctx;
    if (!e || !ep_valid_name(service, false))
        return -EINVAL;
    if (!ep_on_loop(e))
        return -EPERM;
    size_t n = strlen(service);
    if (!sk_map_get(&e->services, service, n))
        return SK_ENOTFOUND;
    int rc = ep_control(e, SK_ENV_UNSERVE, service);
    free(sk_map_del(&e->services, service, n));
    /* ENOTFOUND: a new generation took the name over; ours is gone. */
    return rc == SK_ENOTFOUND ? 0 : rc;
}

void ep_services_stop(sk_endpoint *e)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&e->services, &it))) {
        char name[SK_BUS_NAME_MAX + 1];
        memcpy(name, ent->key, ent->klen);
        name[ent->klen] = 0;
        int rc = ep_control(e, SK_ENV_UNSERVE, name);
        if (rc && rc != SK_ENOTFOUND)
            sk_hlog(e->who, SK_LOG_WARN, "bus: unserve '%s' at close: %s", name,
                    sk_strerror(rc));
        free(sk_map_del(&e->services, ent->key, ent->klen));
    }
}

void ep_open_stop(sk_endpoint *e)
{
    pthread_mutex_lock(&e->mu);
    size_t n = e->open.n, k = 0;
    sk_bus_req **list = n ? calloc(n, sizeof *list) : NULL;
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while (list && (ent = sk_map_next(&e->open, &it))) {
        list[k] = ent->val;
        atomic_fetch_add(&list[k]->refs, 1);
        k++;
    }
    pthread_mutex_unlock(&e->mu);
    if (n && !list)
        sk_hlog(e->who, SK_LOG_ERROR, "bus: out of memory failing %zu open requests", n);
    for (size_t i = 0; i < k; i++) {
        sk_bus_req *r = list[i];
        sk_hlog(e->who, SK_LOG_WARN,
                "bus: request %llu to '%s' was still open at stop: answered with SK_ESTOPPED",
                (unsigned long long)r->id, r->service);
        answer(e, r, SK_ENV_ERROR, SK_ESTOPPED, "the plugin stopped before answering",
               strlen("the plugin stopped before answering"));
        ep_req_unref(r);
    }
    free(list);
}
