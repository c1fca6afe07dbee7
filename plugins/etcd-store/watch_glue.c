/* Watches on the bus: one streamed request per watch. Parts come from the
 * store's watch thread (stream_part is any-thread); the final answer is an
 * error (SK_ECANCELED, SK_ECOMPACTED, SK_EFULL, SK_ESTOPPED), preceded by
 * a last part saying why, so a client that only reads parts learns it too.
 *
 * Lifetime: an es_watch is freed by the store's end() callback. The bus's
 * cancel callback may run concurrently on the loop thread, so it never
 * dereferences its argument blindly: it finds the watch by its request in
 * the live list, under the lock end() also takes before freeing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "plugin_int.h"

struct es_watch {
    es_watch *prev, *next;
    es_plugin *p;
    sk_bus_req *req;
    uint64_t id;
    bool prev_kv;
};

static void unlink_watch(es_plugin *p, es_watch *w)
{
    pthread_mutex_lock(&p->wmu);
    if (w->prev)
        w->prev->next = w->next;
    else if (p->watches == w)
        p->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
    pthread_mutex_unlock(&p->wmu);
}

static int send_part(es_plugin *p, sk_bus_req *req, sk_mp_buf *b)
{
    int rc = b->err;
    if (rc == 0)
        rc = sk_stream_part(p->h, req, b->data, b->len);
    sk_mp_buf_free(b);
    return rc;
}

static int w_events(void *arg, int64_t rev, const sk_store_event *const *evs, size_t n)
{
    es_watch *w = arg;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    if (n == 0) {
        sk_mp_put_map(&b, 3);
        sk_mp_put_str(&b, "revision");
        sk_mp_put_int(&b, rev);
        sk_mp_put_str(&b, "created");
        sk_mp_put_bool(&b, true);
        sk_mp_put_str(&b, "watch_id");
        sk_mp_put_uint(&b, w->id);
    } else {
        es_enc_events(&b, rev, evs, n, w->prev_kv);
    }
    return send_part(w->p, w->req, &b);
}

/* The last part, then the error: "compacted: compact_revision=C
 * revision=R" lets a client that only sees the error parse both. */
static void finish(es_plugin *p, sk_bus_req *req, int status, const char *msg, int64_t rev,
                   int64_t compact)
{
    char text[320];
    if (status == SK_ECOMPACTED)
        snprintf(text, sizeof text, "compacted: compact_revision=%lld revision=%lld: %s",
                 (long long)compact, (long long)rev, msg);
    else
        snprintf(text, sizeof text, "watch ended: %s", msg);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 5);
    sk_mp_put_str(&b, "revision");
    sk_mp_put_int(&b, rev);
    sk_mp_put_str(&b, "canceled");
    sk_mp_put_bool(&b, true);
    sk_mp_put_str(&b, "status");
    sk_mp_put_int(&b, status);
    sk_mp_put_str(&b, "compact_revision");
    sk_mp_put_int(&b, compact);
    sk_mp_put_str(&b, "reason");
    sk_mp_put_str(&b, text);
    send_part(p, req, &b); /* best effort: the error below says it all */
    int rc = sk_reply_error(p->h, req, status, text);
    if (rc)
        sk_warn(p->h, "store: watch: final answer not delivered: %s", sk_strerror(rc));
}

static void w_end(void *arg, int status, const char *msg, int64_t rev, int64_t compact)
{
    es_watch *w = arg;
    unlink_watch(w->p, w);
    finish(w->p, w->req, status, msg, rev, compact);
    free(w);
}

static void w_on_cancel(void *arg, sk_bus_req *req)
{
    es_plugin *p = arg;
    pthread_mutex_lock(&p->wmu);
    for (es_watch *w = p->watches; w; w = w->next)
        if (w->req == req) {
            sk_store_watch_cancel(p->st, w->id);
            break;
        }
    pthread_mutex_unlock(&p->wmu);
}

static const sk_store_watch_cbs cbs = {w_events, w_end};

void es_watch_start(es_plugin *p, sk_bus_req *req, const void *data, size_t len)
{
    es_dec d;
    es_dec_init(&d);
    sk_mp_view v;
    sk_store_watch_req rq;
    int rc = es_dec_payload(&d, data, len, &v);
    if (rc == 0)
        rc = es_dec_watch(&d, v, &rq);
    if (rc) {
        sk_reply_error(p->h, req, rc, d.err[0] ? d.err : sk_strerror(rc));
        es_dec_free(&d);
        return;
    }
    es_watch *w = calloc(1, sizeof *w);
    if (!w) {
        sk_reply_error(p->h, req, -ENOMEM, "store: watch: out of memory");
        es_dec_free(&d);
        return;
    }
    *w = (es_watch){.p = p, .req = req, .prev_kv = rq.prev_kv};
    int64_t rev = 0, compact = 0;
    /* Listed before the store can call end(), which unlinks it. */
    pthread_mutex_lock(&p->wmu);
    rc = sk_store_watch(p->st, &rq, &cbs, w, &w->id, &rev, &compact);
    if (rc == 0) {
        w->next = p->watches;
        if (p->watches)
            p->watches->prev = w;
        p->watches = w;
    }
    pthread_mutex_unlock(&p->wmu);
    es_dec_free(&d);
    if (rc) {
        free(w);
        char msg[128];
        snprintf(msg, sizeof msg, "start_revision %lld", (long long)rq.start_rev);
        if (rc == SK_ECOMPACTED)
            finish(p, req, rc, msg, rev, compact);
        else
            sk_reply_error(p->h, req, rc, rc == SK_EBADMSG ? "watch: bad key range"
                                                           : sk_strerror(rc));
        return;
    }
    rc = p->h->bus->req_on_cancel(p->h->bus_ctx, req, w_on_cancel, p);
    if (rc && rc != -EALREADY)
        sk_warn(p->h, "store: watch %llu: no cancel notification: %s",
                (unsigned long long)w->id, sk_strerror(rc));
}
