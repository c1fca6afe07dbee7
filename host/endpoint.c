/* An endpoint: a plugin instance's attachment to the bus. Its main DEALER
 * (identity = the route) belongs to the loop thread; other threads send
 * through a pool of DEALERs of their own (identity route/pN), because a
 * ZeroMQ socket must never be used by two threads at once. Stream parts
 * carry their index, so sending them from different sockets cannot
 * reorder them for the requester. */
#include "endpoint_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ep_on_loop(const sk_endpoint *e)
{
    return pthread_equal(pthread_self(), e->thread);
}

bool ep_valid_name(const char *s, bool allow_empty)
{
    if (!s)
        return false;
    size_t n = strnlen(s, SK_BUS_NAME_MAX + 1);
    return n <= SK_BUS_NAME_MAX && (allow_empty || n > 0);
}

void ep_errmsg(const sk_env *env, char *buf, size_t size)
{
    size_t n = env->payload_len < size - 1 ? env->payload_len : size - 1;
    if (n)
        memcpy(buf, env->payload, n);
    buf[n] = 0;
    /* The message is text for a C string: cut at an embedded NUL. */
}

/* ---- sockets ---- */

static void *open_socket(sk_endpoint *e, const char *identity)
{
    int hwm = SK_BUS_HWM, linger = 1000, sndtimeo = EP_SNDTIMEO_MS;
    void *s = zmq_socket(e->zctx, ZMQ_DEALER);
    if (!s)
        return NULL;
    if (zmq_setsockopt(s, ZMQ_ROUTING_ID, identity, strlen(identity)) ||
        zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo) ||
        zmq_connect(s, sk_broker_endpoint(e->broker))) {
        sk_hlog(e->who, SK_LOG_ERROR, "bus: cannot open socket %s to %s: %s", identity,
                sk_broker_endpoint(e->broker), zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    return s;
}

void *ep_pool_take(sk_endpoint *e)
{
    void *s = NULL;
    pthread_mutex_lock(&e->mu);
    if (e->npool_free) {
        s = e->pool_free[--e->npool_free];
        pthread_mutex_unlock(&e->mu);
        return s;
    }
    void **all = realloc(e->pool_all, (e->npool_all + 1) * sizeof *all);
    void **fr = all ? realloc(e->pool_free, (e->npool_all + 1) * sizeof *fr) : NULL;
    if (all)
        e->pool_all = all;
    if (fr)
        e->pool_free = fr;
    if (all && fr) {
        char id[SK_ENV_HOP_MAX + 16];
        snprintf(id, sizeof id, "%s/p%u", e->route, ++e->pool_seq);
        s = open_socket(e, id);
        if (s)
            e->pool_all[e->npool_all++] = s;
    }
    pthread_mutex_unlock(&e->mu);
    return s;
}

void ep_pool_put(sk_endpoint *e, void *sock)
{
    pthread_mutex_lock(&e->mu);
    e->pool_free[e->npool_free++] = sock;
    pthread_mutex_unlock(&e->mu);
}

int ep_send_on(sk_endpoint *e, void *sock, const sk_env *env, bool wait)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_env_encode(env, &b);
    if (b.err) {
        sk_mp_buf_free(&b);
        return b.err;
    }
    int rc = 0;
    if ((int64_t)b.len > SK_ENV_MAX_FRAME) {
        rc = SK_ETOOLARGE;
    } else if (sk_zsend(sock, b.data, b.len, wait ? 0 : ZMQ_DONTWAIT) < 0) {
        int err = zmq_errno();
        rc = err == EAGAIN ? SK_EFULL : err == ETERM ? SK_ESTOPPED : -err;
        if (wait || rc != SK_EFULL)
            sk_hlog(e->who, SK_LOG_ERROR, "bus: cannot send %s %llu: %s",
                    sk_env_kind_name(env->kind), (unsigned long long)env->id, sk_strerror(rc));
    }
    sk_mp_buf_free(&b);
    return rc;
}

int ep_send(sk_endpoint *e, const sk_env *env, bool wait)
{
    if (ep_on_loop(e))
        return ep_send_on(e, e->sock, env, wait);
    void *s = ep_pool_take(e);
    if (!s)
        return -ENOMEM;
    int rc = ep_send_on(e, s, env, wait);
    ep_pool_put(e, s);
    return rc;
}

/* ---- receiving ---- */

static void dispatch(sk_endpoint *e, zmq_msg_t *m)
{
    sk_env env;
    const char *why;
    if (sk_env_decode(zmq_msg_data(m), zmq_msg_size(m), &env, &why)) {
        sk_hlog(e->who, SK_LOG_WARN, "bus: malformed %zu-byte message from the broker: %s",
                zmq_msg_size(m), why);
        return;
    }
    switch (env.kind) {
    case SK_ENV_REQUEST: ep_on_request(e, &env); break;
    case SK_ENV_REPLY:
    case SK_ENV_ERROR:
    case SK_ENV_STREAM: ep_on_answer(e, &env); break;
    case SK_ENV_CANCEL: ep_on_cancel(e, &env); break;
    case SK_ENV_EVENT: ep_on_event(e, &env); break;
    default:
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: unexpected %s from the broker ignored",
                sk_env_kind_name(env.kind));
    }
}

/* Messages that arrived while a control round trip waited, in order. */
static void run_backlog(sk_endpoint *e)
{
    while (e->bl_head) {
        ep_backlog *b = e->bl_head;
        e->bl_head = b->next;
        if (!e->bl_head)
            e->bl_tail = NULL;
        dispatch(e, &b->msg);
        zmq_msg_close(&b->msg);
        free(b);
    }
}

static void on_backlog_post(void *arg)
{
    sk_endpoint *e = arg;
    e->bl_posted = false;
    run_backlog(e);
}

/* A handler may make a control round trip, which stashes the messages
 * behind it in the backlog: those go first, before anything newer is read,
 * or an older event would look like a repeat of a newer one. */
static void on_readable(void *arg, int fd, int revents)
{
    (void)fd;
    (void)revents;
    sk_endpoint *e = arg;
    for (int i = 0; i < EP_BATCH; i++) {
        run_backlog(e);
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (sk_zrecv(&m, e->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        dispatch(e, &m);
        zmq_msg_close(&m);
    }
    run_backlog(e);
}

static void backlog_push(sk_endpoint *e, zmq_msg_t *m)
{
    ep_backlog *b = malloc(sizeof *b);
    if (!b) {
        sk_hlog(e->who, SK_LOG_ERROR, "bus: out of memory: a message from the broker is lost");
        zmq_msg_close(m);
        return;
    }
    b->next = NULL;
    zmq_msg_init(&b->msg);
    zmq_msg_move(&b->msg, m);
    zmq_msg_close(m);
    if (e->bl_tail)
        e->bl_tail->next = b;
    else
        e->bl_head = b;
    e->bl_tail = b;
}

/* True (and the broker's status in *rc) when m answers control id. */
static bool control_answer(zmq_msg_t *m, uint64_t id, int *rc)
{
    sk_env env;
    const char *why;
    if (sk_env_decode(zmq_msg_data(m), zmq_msg_size(m), &env, &why) || env.id != id ||
        env.nhops || (env.kind != SK_ENV_REPLY && env.kind != SK_ENV_ERROR))
        return false;
    *rc = env.status;
    return true;
}

static int control_wait(sk_endpoint *e, uint64_t id)
{
    uint64_t deadline = sk_loop_api_impl.now_ms(e->loop) + EP_CONTROL_MS;
    for (;;) {
        uint64_t now = sk_loop_api_impl.now_ms(e->loop);
        if (now >= deadline)
            return SK_ETIMEDOUT;
        zmq_pollitem_t it = {.socket = e->sock, .events = ZMQ_POLLIN};
        int n = zmq_poll(&it, 1, (long)(deadline - now));
        if (n < 0 && zmq_errno() != EINTR)
            return zmq_errno() == ETERM ? SK_ESTOPPED : SK_EINTERNAL;
        if (n <= 0)
            continue;
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (sk_zrecv(&m, e->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            continue;
        }
        int rc;
        if (control_answer(&m, id, &rc)) {
            zmq_msg_close(&m);
            return rc;
        }
        backlog_push(e, &m);
    }
}

int ep_control(sk_endpoint *e, unsigned kind, const char *name)
{
    sk_env env;
    sk_env_init(&env, kind, atomic_fetch_add(&e->next_id, 1));
    sk_env_set(env.name, name);
    int rc = ep_send_on(e, e->sock, &env, true);
    if (!rc)
        rc = control_wait(e, env.id);
    if (rc == SK_ETIMEDOUT)
        sk_hlog(e->who, SK_LOG_ERROR, "bus: %s '%s': the broker did not answer within %d ms",
                sk_env_kind_name(kind), name, EP_CONTROL_MS);
    /* The loop may find the socket quiet while messages wait here. */
    if (e->bl_head && !e->bl_posted && !e->closing &&
        sk_loop_api_impl.post(e->loop, on_backlog_post, e) == 0)
        e->bl_posted = true;
    return rc;
}

/* ---- lifecycle ---- */

int sk_endpoint_new(void *zctx, sk_broker *b, sk_loop *loop, const char *route, const char *who,
                    sk_endpoint **out)
{
    if (!zctx || !b || !loop || !route || !out || !route[0] ||
        strlen(route) + 1 + 12 > SK_ENV_HOP_MAX || strchr(route, '/'))
        return -EINVAL;
    sk_endpoint *e = calloc(1, sizeof *e);
    if (!e)
        return -ENOMEM;
    e->zctx = zctx;
    e->broker = b;
    e->loop = loop;
    e->thread = pthread_self();
    snprintf(e->route, sizeof e->route, "%s", route);
    snprintf(e->who, sizeof e->who, "%s", who ? who : route);
    atomic_init(&e->next_id, 1);
    sk_map_init(&e->services);
    sk_map_init(&e->pending);
    sk_map_init(&e->seqs);
    sk_map_init(&e->open);
    if (pthread_mutex_init(&e->mu, NULL)) {
        free(e);
        return -ENOMEM;
    }
    e->sock = open_socket(e, route);
    int rc = e->sock ? sk_loop_zsock_add(loop, e->sock, on_readable, e) : SK_EINTERNAL;
    if (rc) {
        if (e->sock)
            zmq_close(e->sock);
        pthread_mutex_destroy(&e->mu);
        free(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* Requests still in the pipe get SK_ESTOPPED; anything else is moot. */
static void drain_inbox(sk_endpoint *e)
{
    for (;;) {
        run_backlog(e);
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (sk_zrecv(&m, e->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        dispatch(e, &m);
        zmq_msg_close(&m);
    }
}

void sk_endpoint_free(sk_endpoint **ep)
{
    sk_endpoint *e = ep ? *ep : NULL;
    if (!e)
        return;
    *ep = NULL;
    e->closing = true;
    ep_services_stop(e);
    ep_subs_stop(e);
    ep_pending_stop(e);
    drain_inbox(e);
    ep_open_stop(e);
    if (sk_loop_zsock_remove(e->loop, e->sock))
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: endpoint socket was not registered with the loop");
    zmq_close(e->sock);
    for (size_t i = 0; i < e->npool_all; i++)
        zmq_close(e->pool_all[i]);
    free(e->pool_all);
    free(e->pool_free);
    sk_map_clear(&e->services, free);
    sk_map_clear(&e->pending, NULL);
    sk_map_clear(&e->seqs, free);
    sk_map_clear(&e->open, NULL);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

const sk_bus_api sk_endpoint_bus_api = {
    .size = sizeof(sk_bus_api),
    .serve = ep_serve,
    .unserve = ep_unserve,
    .reply = ep_reply,
    .reply_error = ep_reply_error,
    .stream_part = ep_stream_part,
    .req_remaining_ms = ep_req_remaining_ms,
    .req_on_cancel = ep_req_on_cancel,
    .call = ep_call,
    .request = ep_request,
    .cancel = ep_cancel,
    .publish = ep_publish,
    .subscribe = ep_subscribe,
    .unsubscribe = ep_unsubscribe,
};
