/* Destinations: where the broker sends (a local route or a peer link) and
 * the overflow queue that keeps replies from being dropped when a pipe is
 * full. ROUTER_MANDATORY turns a full pipe into EAGAIN and a vanished
 * route into EHOSTUNREACH instead of a silent drop. */
#include "broker_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bk_dest *bk_dest_get(sk_broker *b, const void *hop, size_t len, bool create)
{
    if (len == 0 || len > SK_ENV_HOP_MAX)
        return NULL;
    bk_dest *d = sk_map_get(&b->dests, hop, len);
    if (d || !create)
        return d;
    d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    memcpy(d->hop, hop, len);
    d->hop_len = len;
    if (sk_map_put(&b->dests, hop, len, d)) {
        free(d);
        return NULL;
    }
    return d;
}

void bk_drop_queue(sk_broker *b, bk_dest *d)
{
    bk_qmsg *q = d->qhead;
    while (q) {
        bk_qmsg *next = q->next;
        free(q);
        q = next;
    }
    b->queued -= d->qlen;
    d->qhead = d->qtail = NULL;
    d->qlen = 0;
}

void bk_dest_free(sk_broker *b, bk_dest *d)
{
    bk_drop_queue(b, d);
    bk_subs_drop(b, d);
    sk_map_del(&b->dests, d->hop, d->hop_len);
    free(d);
}

void bk_dest_gc(sk_broker *b, bk_dest *d)
{
    if (d && !d->link && !d->qlen && !d->inflight && !d->nservices && !d->held && !d->nprefixes)
        bk_dest_free(b, d);
}

static int raw_send(sk_broker *b, bk_dest *d, const void *buf, size_t len)
{
    if (d->link)
        return bk_link_send_raw(b, d->link, buf, len);
    if (sk_zsend(b->router, d->hop + 1, d->hop_len - 1, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        sk_zsend(b->router, buf, len, ZMQ_DONTWAIT) < 0)
        return -zmq_errno();
    return 0;
}

static int enqueue(sk_broker *b, bk_dest *d, const void *buf, size_t len)
{
    bk_qmsg *q = malloc(sizeof *q + len);
    if (!q) {
        sk_hlog("bus", SK_LOG_ERROR, "bus: out of memory queueing %zu bytes for %.*s", len,
                (int)d->hop_len - 1, (const char *)d->hop + 1);
        return -ENOMEM;
    }
    q->next = NULL;
    q->len = len;
    memcpy(q->data, buf, len);
    if (d->qtail)
        d->qtail->next = q;
    else
        d->qhead = q;
    d->qtail = q;
    d->qlen++;
    b->queued++;
    return 0;
}

int bk_send(sk_broker *b, bk_dest *d, const void *buf, size_t len, bool queue)
{
    /* Behind a queue a direct send would overtake it. */
    if (queue && d->qlen)
        return enqueue(b, d, buf, len);
    int rc = raw_send(b, d, buf, len);
    if (rc == -EAGAIN)
        return queue ? enqueue(b, d, buf, len) : SK_EFULL;
    if (rc == -EHOSTUNREACH)
        return SK_ENOSERVICE;
    if (rc) {
        sk_hlog("bus", SK_LOG_ERROR, "bus: send to %.*s failed: %s", (int)d->hop_len, d->hop,
                zmq_strerror(-rc));
        return SK_EINTERNAL;
    }
    return 0;
}

int bk_send_env(sk_broker *b, bk_dest *d, const sk_env *e, bool queue)
{
    b->out.len = 0;
    b->out.err = 0;
    sk_env_encode(e, &b->out);
    if (b->out.err)
        return b->out.err;
    return bk_send(b, d, b->out.data, b->out.len, queue);
}

/* Returns true when d has been freed. */
static bool flush_one(sk_broker *b, bk_dest *d)
{
    while (d->qhead) {
        bk_qmsg *q = d->qhead;
        int rc = raw_send(b, d, q->data, q->len);
        if (rc == -EAGAIN)
            return false;
        if (rc) {
            sk_hlog("bus", SK_LOG_WARN,
                    "bus: %.*s is gone: dropping the %zu answers queued for it (%s)",
                    (int)d->hop_len, d->hop, d->qlen, zmq_strerror(-rc));
            bk_drop_queue(b, d);
            break;
        }
        d->qhead = q->next;
        if (!d->qhead)
            d->qtail = NULL;
        d->qlen--;
        b->queued--;
        free(q);
    }
    if (!d->qlen) {
        bool gone = !d->link && !d->inflight && !d->nservices && !d->held && !d->nprefixes;
        bk_dest_gc(b, d);
        return gone;
    }
    return false;
}

void bk_flush_queues(sk_broker *b)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *e;
    while (b->queued && (e = sk_map_next(&b->dests, &it))) {
        bk_dest *d = e->val;
        if (d->qlen)
            flush_one(b, d);
    }
}
