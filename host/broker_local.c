/* Messages from local endpoints: [route identity][envelope] on the inproc
 * ROUTER. The identity is trusted (only this process can reach inproc);
 * the envelope is not, and a bad one costs its sender an error reply. */
#include "broker_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* An answer addressed to the sender itself, not through a route stack. */
static void reply_to(sk_broker *b, bk_dest *d, unsigned kind, uint64_t id, int status,
                     const char *msg)
{
    sk_env e;
    sk_env_init(&e, kind, id);
    e.status = status;
    e.seq = SK_ENV_SEQ_NOW;
    if (msg) {
        e.payload = (const uint8_t *)msg;
        e.payload_len = strlen(msg);
    }
    if (status)
        bk_count_error(b, status);
    int rc = bk_send_env(b, d, &e, true);
    if (rc) /* SK_ENOSERVICE: the sender left before its answer */
        sk_hlog("bus", SK_LOG_DEBUG, "bus: %s %llu to %.*s not delivered: %s",
                sk_env_kind_name(kind), (unsigned long long)id, (int)d->hop_len - 1,
                (const char *)d->hop + 1, sk_strerror(rc));
}

static void reply_direct(sk_broker *b, const uint8_t *hop, size_t hop_len, unsigned kind,
                         uint64_t id, int status, const char *msg)
{
    bk_dest *d = bk_dest_get(b, hop, hop_len, true);
    if (!d)
        return;
    reply_to(b, d, kind, id, status, msg);
    bk_dest_gc(b, d);
}

static void on_control(sk_broker *b, sk_env *e, const uint8_t *hop, size_t hop_len)
{
    bk_dest *d = bk_dest_get(b, hop, hop_len, true);
    if (!d) {
        reply_direct(b, hop, hop_len, SK_ENV_ERROR, e->id, -ENOMEM, "bus broker out of memory");
        return;
    }
    int rc;
    switch (e->kind) {
    case SK_ENV_SERVE: rc = bk_serve(b, d, e->name); break;
    case SK_ENV_UNSERVE: rc = bk_unserve(b, d, e->name); break;
    case SK_ENV_SUBSCRIBE: rc = bk_subscribe(b, d, e->name); break;
    default: rc = bk_unsubscribe(b, d, e->name); break;
    }
    char msg[2 * SK_BUS_NAME_MAX + 96] = "";
    if (rc == SK_EEXISTS)
        snprintf(msg, sizeof msg, "service '%s' is already served on node %s", e->name, b->node);
    else if (rc)
        snprintf(msg, sizeof msg, "%s '%s': %s", sk_env_kind_name(e->kind), e->name,
                 sk_strerror(rc));
    sk_hlog("bus", SK_LOG_DEBUG, "bus: %.*s %s '%s': %s", (int)hop_len - 1,
            (const char *)hop + 1, sk_env_kind_name(e->kind), e->name, sk_strerror(rc));
    reply_to(b, d, rc ? SK_ENV_ERROR : SK_ENV_REPLY, e->id, rc, msg);
    bk_dest_gc(b, d);
}

static void on_envelope(sk_broker *b, const uint8_t *hop, size_t hop_len, sk_env *e)
{
    bk_count_kind(b, e->kind);
    switch (e->kind) {
    case SK_ENV_REQUEST: bk_on_request(b, e, hop, hop_len, false); break;
    case SK_ENV_REPLY:
    case SK_ENV_ERROR:
    case SK_ENV_STREAM: bk_on_answer(b, e); break;
    case SK_ENV_CANCEL: bk_on_cancel(b, e, hop, hop_len); break;
    case SK_ENV_PUBLISH: bk_on_publish(b, e); break;
    case SK_ENV_SERVE:
    case SK_ENV_UNSERVE:
    case SK_ENV_SUBSCRIBE:
    case SK_ENV_UNSUBSCRIBE: on_control(b, e, hop, hop_len); break;
    case SK_ENV_PING: reply_direct(b, hop, hop_len, SK_ENV_PING, e->id, 0, NULL); break;
    default:
        sk_hlog("bus", SK_LOG_WARN, "bus: %s from local route %.*s is not accepted",
                sk_env_kind_name(e->kind), (int)hop_len - 1, (const char *)hop + 1);
        reply_direct(b, hop, hop_len, SK_ENV_ERROR, e->id, SK_EBADMSG,
                     "this kind is only accepted from a peer broker");
    }
}

static void on_frames(sk_broker *b, zmq_msg_t *id, zmq_msg_t *body, bool extra)
{
    uint8_t hop[SK_ENV_HOP_MAX];
    size_t rlen = zmq_msg_size(id);
    if (rlen == 0 || rlen + 1 > SK_ENV_HOP_MAX) {
        sk_hlog("bus", SK_LOG_WARN, "bus: message from a route with a %zu-byte identity dropped",
                rlen);
        return;
    }
    hop[0] = BK_HOP_LOCAL;
    memcpy(hop + 1, zmq_msg_data(id), rlen);
    sk_env e;
    const char *why = "more than one frame after the identity";
    int rc = extra ? SK_EBADMSG : sk_env_decode(zmq_msg_data(body), zmq_msg_size(body), &e, &why);
    if (extra)
        sk_env_init(&e, 0, 0);
    if (rc) {
        char msg[160];
        snprintf(msg, sizeof msg, "malformed envelope: %s", why);
        sk_hlog("bus", SK_LOG_WARN, "bus: %zu-byte message from local route %.*s: %s",
                zmq_msg_size(body), (int)rlen, (const char *)hop + 1, msg);
        reply_direct(b, hop, rlen + 1, SK_ENV_ERROR, e.id, SK_EBADMSG, msg);
        return;
    }
    on_envelope(b, hop, rlen + 1, &e);
}

static bool drain_more(void *sock, zmq_msg_t *m)
{
    bool extra = false;
    while (zmq_msg_more(m)) {
        extra = true;
        zmq_msg_close(m);
        zmq_msg_init(m);
        if (sk_zrecv(m, sock, ZMQ_DONTWAIT) < 0)
            break;
    }
    return extra;
}

void bk_local_readable(sk_broker *b)
{
    for (int i = 0; i < BK_BATCH; i++) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        if (sk_zrecv(&id, b->router, ZMQ_DONTWAIT) < 0) {
            if (zmq_errno() != EAGAIN)
                sk_hlog("bus", SK_LOG_ERROR, "bus: broker recv: %s", zmq_strerror(zmq_errno()));
            zmq_msg_close(&id);
            return;
        }
        zmq_msg_init(&body);
        if (!zmq_msg_more(&id) || sk_zrecv(&body, b->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            zmq_msg_close(&body);
            continue;
        }
        zmq_msg_t rest;
        zmq_msg_init(&rest);
        bool extra = false;
        if (zmq_msg_more(&body)) {
            sk_zrecv(&rest, b->router, ZMQ_DONTWAIT);
            extra = true;
            drain_more(b->router, &rest);
        }
        on_frames(b, &id, &body, extra);
        zmq_msg_close(&rest);
        zmq_msg_close(&body);
        zmq_msg_close(&id);
    }
}
