/* Requests and their answers. A request pushes the hop it came from onto
 * its route stack and is remembered as a flight until its final answer;
 * an answer pops the top hop to find its way back. The flight table is
 * what wait_idle counts, what a CANCEL follows, and what a lost peer
 * fails. */
#include "broker_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t *encode(sk_broker *b, const sk_env *e, size_t *len)
{
    b->out.len = 0;
    b->out.err = 0;
    sk_env_encode(e, &b->out);
    *len = b->out.len;
    return b->out.err ? NULL : b->out.data;
}

void bk_fail(sk_broker *b, const sk_env *req, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sk_env err;
    sk_env_init(&err, SK_ENV_ERROR, req->id);
    memcpy(err.name, req->name, sizeof err.name);
    err.nhops = req->nhops;
    memcpy(err.hop, req->hop, sizeof err.hop);
    err.status = status;
    err.seq = SK_ENV_SEQ_NOW;
    err.payload = (const uint8_t *)msg;
    err.payload_len = strlen(msg);
    sk_hlog("bus", SK_LOG_DEBUG, "bus: request %llu for '%s' failed: %s: %s",
            (unsigned long long)req->id, req->name, sk_strerror(status), msg);
    bk_count_error(b, status);
    bk_on_answer(b, &err);
}

int bk_key_env(const uint8_t *key, size_t klen, sk_env *e)
{
    sk_env_init(e, SK_ENV_REQUEST, 0);
    size_t k = 0;
    while (klen - k > sizeof e->id) {
        size_t n = key[k++];
        if (n == 0 || n > klen - k - sizeof e->id || e->nhops == SK_ENV_MAX_HOPS)
            return SK_EBADMSG;
        e->hop[e->nhops].p = key + k;
        e->hop[e->nhops].len = n;
        e->nhops++;
        k += n;
    }
    if (klen - k != sizeof e->id)
        return SK_EBADMSG;
    memcpy(&e->id, key + k, sizeof e->id);
    return 0;
}

int bk_forward(sk_broker *b, bk_dest *to, const uint8_t *key, size_t klen, const void *frame,
               size_t len, const sk_env *req)
{
    if (b->flights.n >= BK_FLIGHT_MAX) {
        bk_fail(b, req, SK_EFULL, "bus broker of node %s has %d requests in flight", b->node,
                BK_FLIGHT_MAX);
        return SK_EFULL;
    }
    bk_flight *f = malloc(sizeof *f);
    if (!f || sk_map_put(&b->flights, key, klen, f)) {
        free(f);
        bk_fail(b, req, -ENOMEM, "bus broker of node %s is out of memory", b->node);
        return -ENOMEM;
    }
    int rc = bk_send(b, to, frame, len, false);
    if (rc) {
        free(sk_map_del(&b->flights, key, klen));
        if (rc == SK_EFULL)
            bk_fail(b, req, SK_EFULL, "service '%s' is not keeping up: its queue is full",
                    req->name);
        else
            bk_fail(b, req, rc == SK_ENOSERVICE ? SK_EUNAVAILABLE : rc,
                    "service '%s' could not be reached: %s", req->name, sk_strerror(rc));
        return rc;
    }
    f->target = to;
    f->failed = false;
    to->inflight++;
    return 0;
}

static void forward_request(sk_broker *b, bk_dest *to, sk_env *e)
{
    uint8_t key[SK_ENV_KEY_MAX];
    size_t klen = sk_env_key(e, e->nhops, key), len;
    if (sk_map_get(&b->flights, key, klen)) {
        bk_fail(b, e, SK_EBADMSG, "request id %llu is already in flight from this requester",
                (unsigned long long)e->id);
        return;
    }
    const uint8_t *frame = encode(b, e, &len);
    if (!frame) {
        bk_fail(b, e, -ENOMEM, "bus broker of node %s is out of memory", b->node);
        return;
    }
    bk_forward(b, to, key, klen, frame, len, e);
}

void bk_on_request(sk_broker *b, sk_env *e, const uint8_t *hop, size_t hop_len, bool from_link)
{
    if (sk_env_push(e, hop, hop_len)) {
        sk_hlog("bus", SK_LOG_WARN, "bus: request %llu from %.*s dropped: route stack full",
                (unsigned long long)e->id, (int)hop_len, hop);
        return;
    }
    if (!e->name[0]) {
        bk_fail(b, e, SK_EBADMSG, "REQUEST without a service name");
        return;
    }
    if (e->deadline_ms && e->deadline_ms <= sk_env_now_ms()) {
        bk_fail(b, e, SK_ETIMEDOUT, "deadline passed before '%s' was reached", e->name);
        return;
    }
    bk_service *s = bk_service_get(b, e->name);
    if (s && s->held_by) {
        uint8_t key[SK_ENV_KEY_MAX];
        size_t klen = sk_env_key(e, e->nhops, key);
        int rc = bk_hold_enqueue(b, s, e, key, klen);
        if (rc)
            bk_fail(b, e, rc, "service '%s' is being swapped and its queue is full", e->name);
        return;
    }
    if (s && s->owner) {
        forward_request(b, s->owner, e);
        return;
    }
    bk_link *l = from_link ? NULL : bk_link_for_service(b, e->name);
    if (l) {
        forward_request(b, l->dest, e);
        return;
    }
    bk_fail(b, e, SK_ENOSERVICE, "no service '%s' on node %s%s", e->name, b->node,
            from_link || !(b->nbinds || b->nconnects) ? "" : " or its peers");
}

/* The stream outgrew the requester's queue: the requester gets SK_EFULL
 * after the parts already queued, the service a CANCEL. */
static void fail_stream(sk_broker *b, bk_flight *f, sk_env *e, bk_dest *back)
{
    f->failed = true;
    sk_env c;
    sk_env_init(&c, SK_ENV_CANCEL, e->id);
    c.nhops = e->nhops + 1;
    memcpy(c.hop, e->hop, sizeof c.hop);
    int rc = bk_send_env(b, f->target, &c, true);
    if (rc)
        sk_hlog("bus", SK_LOG_DEBUG, "bus: CANCEL %llu of an overflowed stream lost: %s",
                (unsigned long long)e->id, sk_strerror(rc));
    sk_env err;
    sk_env_init(&err, SK_ENV_ERROR, e->id);
    memcpy(err.name, e->name, sizeof err.name);
    err.nhops = e->nhops;
    memcpy(err.hop, e->hop, sizeof err.hop);
    err.status = SK_EFULL;
    err.seq = SK_ENV_SEQ_NOW;
    static const char msg[] = "stream cancelled: the requester fell too far behind";
    err.payload = (const uint8_t *)msg;
    err.payload_len = sizeof msg - 1;
    bk_count_error(b, SK_EFULL);
    sk_hlog("bus", SK_LOG_WARN, "bus: request %llu to %.*s: %s", (unsigned long long)e->id,
            (int)back->hop_len, back->hop, msg);
    rc = bk_send_env(b, back, &err, true);
    if (rc)
        sk_hlog("bus", SK_LOG_DEBUG, "bus: SK_EFULL for request %llu not delivered: %s",
                (unsigned long long)e->id, sk_strerror(rc));
}

/* Returns the flight for e (NULL if none) and closes it on a final answer;
 * *drop says the answer must not be delivered. */
static bk_flight *settle_flight(sk_broker *b, const sk_env *e, bool *drop, bk_flight *tmp)
{
    uint8_t key[SK_ENV_KEY_MAX];
    size_t klen = sk_env_key(e, e->nhops, key);
    bk_flight *f = sk_map_get(&b->flights, key, klen);
    *drop = f && f->failed;
    if (!f || e->kind == SK_ENV_STREAM)
        return f;
    sk_map_del(&b->flights, key, klen);
    *tmp = *f;
    free(f);
    tmp->target->inflight--;
    bk_dest_gc(b, tmp->target);
    return NULL;
}

void bk_on_answer(sk_broker *b, sk_env *e)
{
    if (e->nhops == 0) {
        sk_hlog("bus", SK_LOG_DEBUG, "bus: %s %llu without a route dropped",
                sk_env_kind_name(e->kind), (unsigned long long)e->id);
        return;
    }
    bool drop;
    bk_flight tmp;
    bk_flight *f = settle_flight(b, e, &drop, &tmp);
    if (drop)
        return;
    const sk_env_hop top = e->hop[e->nhops - 1];
    bk_dest *back = bk_dest_get(b, top.p, top.len, top.p[0] == BK_HOP_LOCAL);
    if (!back) {
        sk_hlog("bus", SK_LOG_DEBUG, "bus: %s %llu for a lost peer dropped",
                sk_env_kind_name(e->kind), (unsigned long long)e->id);
        return;
    }
    e->nhops--;
    if (f && back->qlen >= BK_OVERFLOW_MAX) {
        fail_stream(b, f, e, back);
        return;
    }
    int rc = bk_send_env(b, back, e, true);
    if (rc && rc != SK_ENOSERVICE)
        sk_hlog("bus", SK_LOG_ERROR, "bus: %s %llu to %.*s not delivered: %s",
                sk_env_kind_name(e->kind), (unsigned long long)e->id, (int)back->hop_len,
                back->hop, sk_strerror(rc));
    else if (rc)
        sk_hlog("bus", SK_LOG_DEBUG, "bus: %s %llu: requester %.*s is gone",
                sk_env_kind_name(e->kind), (unsigned long long)e->id, (int)back->hop_len,
                back->hop);
    bk_dest_gc(b, back);
}

void bk_on_cancel(sk_broker *b, sk_env *e, const uint8_t *hop, size_t hop_len)
{
    if (sk_env_push(e, hop, hop_len))
        return;
    uint8_t key[SK_ENV_KEY_MAX];
    size_t klen = sk_env_key(e, e->nhops, key);
    bk_flight *f = sk_map_get(&b->flights, key, klen);
    if (f) {
        int rc = bk_send_env(b, f->target, e, true);
        if (rc)
            sk_hlog("bus", SK_LOG_DEBUG, "bus: CANCEL %llu not delivered: %s",
                    (unsigned long long)e->id, sk_strerror(rc));
        return;
    }
    if (!bk_held_cancel(b, key, klen))
        sk_hlog("bus", SK_LOG_DEBUG, "bus: CANCEL for unknown request %llu from %.*s",
                (unsigned long long)e->id, (int)hop_len, hop);
}

static bool key_top_is(const uint8_t *key, size_t klen, const bk_dest *d)
{
    sk_env e;
    if (bk_key_env(key, klen, &e) || !e.nhops)
        return false;
    const sk_env_hop *t = &e.hop[e.nhops - 1];
    return t->len == d->hop_len && memcmp(t->p, d->hop, t->len) == 0;
}

void bk_fail_flights_to(sk_broker *b, bk_dest *d, int status, const char *why)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while (d->inflight && (ent = sk_map_next(&b->flights, &it))) {
        bk_flight *f = ent->val;
        if (f->target != d)
            continue;
        uint8_t key[SK_ENV_KEY_MAX];
        size_t klen = ent->klen;
        memcpy(key, ent->key, klen);
        sk_env e;
        if (bk_key_env(key, klen, &e) == 0) {
            bk_fail(b, &e, status, "%s", why);
        } else {
            free(sk_map_del(&b->flights, key, klen));
            d->inflight--;
        }
    }
}

void bk_cancel_flights_from(sk_broker *b, bk_dest *d)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&b->flights, &it))) {
        bk_flight *f = ent->val;
        if (f->failed || !key_top_is(ent->key, ent->klen, d))
            continue;
        f->failed = true;
        sk_env c;
        if (bk_key_env(ent->key, ent->klen, &c) == 0) {
            c.kind = SK_ENV_CANCEL;
            int rc = bk_send_env(b, f->target, &c, true);
            if (rc)
                sk_hlog("bus", SK_LOG_DEBUG, "bus: CANCEL %llu for a lost requester: %s",
                        (unsigned long long)c.id, sk_strerror(rc));
        }
    }
}
