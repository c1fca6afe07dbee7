/* Messages on the TCP links. A peer is trusted to be a skiff broker (CURVE
 * and ZAP saw to that) but its envelopes are still decoded strictly. What a
 * peer may send is narrower than what a local route may: it never
 * publishes (events arrive stamped) and its requests are only served
 * locally, so nothing is forwarded twice. */
#include "broker_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bk_link_send_raw(sk_broker *b, bk_link *l, const void *buf, size_t len)
{
    (void)b;
    int rc;
    if (l->kind == BK_LINK_BIND) {
        rc = sk_zsend(l->sock, l->rid, l->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (rc >= 0)
            rc = sk_zsend(l->sock, buf, len, ZMQ_DONTWAIT);
    } else {
        rc = sk_zsend(l->sock, buf, len, ZMQ_DONTWAIT);
    }
    if (rc >= 0)
        return 0;
    int e = zmq_errno();
    if (e == EHOSTUNREACH)
        l->lost = true;
    return -e;
}

void bk_links_announce(sk_broker *b, unsigned kind, const char *name)
{
    sk_env e;
    sk_env_init(&e, kind, 0);
    if (sk_env_set(e.name, name))
        return;
    size_t n;
    bk_link **all = bk_links_snapshot(b, &n);
    for (size_t i = 0; i < n; i++) {
        /* A failure means the link is going down: its next HELLO lists
         * the services anyway. */
        int rc = all[i]->up ? bk_send_env(b, all[i]->dest, &e, true) : 0;
        if (rc)
            sk_hlog("bus", SK_LOG_DEBUG, "bus: %s %s to %s not sent: %s", sk_env_kind_name(kind),
                    name, bk_link_name(all[i]), sk_strerror(rc));
    }
    free(all);
}

static void event_to(sk_broker *b, bk_link *l, const void *frame, size_t len)
{
    if (!l->up)
        return;
    int rc = bk_send(b, l->dest, frame, len, false);
    if (rc == SK_EFULL)
        bk_count_dropped_event(b);
}

void bk_links_event(sk_broker *b, const void *frame, size_t len)
{
    for (size_t i = 0; i < b->nconnects; i++)
        event_to(b, b->connects[i], frame, len);
    for (size_t i = 0; i < b->npeers; i++)
        event_to(b, b->peers[i], frame, len);
}

static int parse_services(const sk_env *e, sk_map *out)
{
    sk_mp_view v, k, item;
    sk_mp_iter it;
    uint32_t n;
    if (sk_mp_check(e->payload, e->payload_len, 2, &v) || sk_mp_type_of(v) != SK_MP_ARRAY ||
        sk_mp_iter_init(v, &it, &n))
        return SK_EBADMSG;
    for (uint32_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        if (sk_mp_iter_next(&it, &k, &item) != 1 || sk_mp_get_str(item, &s, &len) || len == 0 ||
            len > SK_BUS_NAME_MAX || memchr(s, 0, len))
            return SK_EBADMSG;
        if (sk_map_put(out, s, len, (void *)1))
            return -ENOMEM;
    }
    return 0;
}

/* A node reconnecting gets a new routing id: its old link is stale. */
static void drop_stale_peer(sk_broker *b, bk_link *fresh)
{
    for (size_t i = 0; i < b->npeers; i++) {
        bk_link *p = b->peers[i];
        if (p != fresh && p->up && strcmp(p->node, fresh->node) == 0) {
            bk_link_down(b, p, "replaced by a new connection");
            return;
        }
    }
}

void bk_link_on_hello(sk_broker *b, bk_link *l, const sk_env *e)
{
    if (!e->name[0] || strcmp(e->name, b->node) == 0) {
        sk_hlog("bus", SK_LOG_ERROR, "bus: peer HELLO ignored: node name '%s' is %s", e->name,
                e->name[0] ? "our own" : "empty");
        return;
    }
    sk_map svc;
    sk_map_init(&svc);
    int rc = parse_services(e, &svc);
    if (rc) {
        sk_map_clear(&svc, NULL);
        sk_hlog("bus", SK_LOG_WARN, "bus: HELLO from %s with a bad service list dropped: %s",
                e->name, sk_strerror(rc));
        return;
    }
    sk_map_clear(&l->services, NULL);
    l->services = svc;
    memcpy(l->node, e->name, sizeof l->node);
    if (!l->up)
        sk_hlog("bus", SK_LOG_INFO, "bus: peer %s is up (%zu services)", l->node, svc.n);
    l->up = true;
    l->lost = false;
    l->last_seen = l->last_ping = bk_mono_ms();
    if (l->kind == BK_LINK_BIND)
        drop_stale_peer(b, l);
    rc = e->status == BK_HELLO_GREET ? bk_link_send_hello(b, l, BK_HELLO_ANSWER) : 0;
    if (rc)
        sk_hlog("bus", SK_LOG_WARN, "bus: HELLO answer to %s not sent: %s", l->node,
                sk_strerror(rc));
}

static void on_link_env(sk_broker *b, bk_link *l, sk_env *e, const void *frame, size_t len)
{
    switch (e->kind) {
    case SK_ENV_PING: break;
    case SK_ENV_SERVE:
        if (e->name[0] && sk_map_put(&l->services, e->name, strlen(e->name), (void *)1))
            sk_hlog("bus", SK_LOG_ERROR, "bus: out of memory recording %s of %s", e->name,
                    l->node);
        break;
    case SK_ENV_UNSERVE: sk_map_del(&l->services, e->name, strlen(e->name)); break;
    case SK_ENV_REQUEST: bk_on_request(b, e, l->dest->hop, l->dest->hop_len, true); break;
    case SK_ENV_REPLY:
    case SK_ENV_ERROR:
    case SK_ENV_STREAM: bk_on_answer(b, e); break;
    case SK_ENV_CANCEL: bk_on_cancel(b, e, l->dest->hop, l->dest->hop_len); break;
    case SK_ENV_EVENT:
        if (e->origin[0] && e->name[0])
            bk_deliver_event(b, e, frame, len);
        break;
    default:
        sk_hlog("bus", SK_LOG_WARN, "bus: %s from peer %s is not accepted",
                sk_env_kind_name(e->kind), l->node);
    }
}

static bk_link *new_peer(sk_broker *b, unsigned idx, const zmq_msg_t *rid)
{
    size_t rlen = zmq_msg_size((zmq_msg_t *)rid);
    if (rlen == 0 || rlen + 2 > SK_ENV_HOP_MAX)
        return NULL;
    if (b->npeers == b->cappeers) {
        size_t cap = b->cappeers ? b->cappeers * 2 : 4;
        bk_link **p = realloc(b->peers, cap * sizeof *p);
        if (!p)
            return NULL;
        b->peers = p;
        b->cappeers = cap;
    }
    bk_link *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    uint8_t hop[SK_ENV_HOP_MAX] = {BK_HOP_BIND, (uint8_t)idx};
    memcpy(hop + 2, zmq_msg_data((zmq_msg_t *)rid), rlen);
    l->dest = bk_dest_get(b, hop, rlen + 2, true);
    if (!l->dest) {
        free(l);
        return NULL;
    }
    l->dest->link = l;
    l->kind = BK_LINK_BIND;
    l->index = idx;
    l->sock = b->binds[idx].sock;
    memcpy(l->rid, hop + 2, rlen);
    l->rid_len = rlen;
    l->connected = true;
    sk_map_init(&l->services);
    b->peers[b->npeers++] = l;
    return l;
}

static void on_link_frame(sk_broker *b, bk_link *l, unsigned idx, const zmq_msg_t *rid,
                          zmq_msg_t *body)
{
    sk_env e;
    const char *why;
    const void *frame = zmq_msg_data(body);
    size_t len = zmq_msg_size(body);
    if (sk_env_decode(frame, len, &e, &why)) {
        sk_hlog("bus", SK_LOG_WARN, "bus: %zu-byte message from peer %s dropped: %s", len,
                l ? bk_link_name(l) : "(unknown)", why);
        return;
    }
    if (!l && rid)
        l = new_peer(b, idx, rid);
    if (!l) {
        sk_hlog("bus", SK_LOG_DEBUG, "bus: %s from an unknown peer dropped",
                sk_env_kind_name(e.kind));
        return;
    }
    l->last_seen = bk_mono_ms();
    bk_count_kind(b, e.kind);
    if (e.kind == SK_ENV_HELLO) {
        bk_link_on_hello(b, l, &e);
        return;
    }
    if (!l->up) {
        /* The peer thinks we know it (we dropped it, or it spoke first):
         * ask it to introduce itself again. */
        sk_hlog("bus", SK_LOG_DEBUG, "bus: %s before HELLO from %s dropped",
                sk_env_kind_name(e.kind), bk_link_name(l));
        int rc = bk_link_send_hello(b, l, BK_HELLO_GREET);
        if (rc)
            sk_hlog("bus", SK_LOG_DEBUG, "bus: HELLO to %s not sent: %s", bk_link_name(l),
                    sk_strerror(rc));
        return;
    }
    on_link_env(b, l, &e, frame, len);
}

void bk_link_readable(sk_broker *b, void *sock, unsigned idx, bool is_bind)
{
    for (int i = 0; i < BK_BATCH; i++) {
        zmq_msg_t f[2];
        size_t nf = bk_recv_frames(sock, f, 2);
        if (nf == 0)
            return;
        if (nf != (is_bind ? 2u : 1u)) {
            sk_hlog("bus", SK_LOG_WARN, "bus: %zu-frame message from a peer dropped", nf);
        } else if (is_bind) {
            uint8_t hop[SK_ENV_HOP_MAX] = {BK_HOP_BIND, (uint8_t)idx};
            size_t rlen = zmq_msg_size(&f[0]);
            bk_dest *d = NULL;
            if (rlen + 2 <= SK_ENV_HOP_MAX) {
                memcpy(hop + 2, zmq_msg_data(&f[0]), rlen);
                d = bk_dest_get(b, hop, rlen + 2, false);
            }
            on_link_frame(b, d ? d->link : NULL, idx, &f[0], &f[1]);
        } else {
            on_link_frame(b, b->connects[idx], idx, NULL, &f[0]);
        }
        bk_close_frames(f, nf, 2);
    }
}
