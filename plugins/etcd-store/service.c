/* The `store` bus service: decodes each request, answers reads on the
 * loop thread at once (LMDB readers never wait for the writer) and queues
 * writes to the group-commit writer, whose thread answers them once they
 * are durable. Every answer carries the store's revision. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "plugin_int.h"

int es_reply_buf(es_plugin *p, sk_bus_req *req, sk_mp_buf *b)
{
    int rc = b->err;
    if (rc)
        rc = sk_reply_error(p->h, req, SK_EINTERNAL, "store: cannot encode the answer");
    else
        rc = sk_reply(p->h, req, b->data, b->len);
    sk_mp_buf_free(b);
    return rc;
}

static void fail(es_plugin *p, sk_bus_req *req, int rc, const char *msg)
{
    if (p->m.errors)
        p->h->metrics->add(p->m.errors, 1);
    int r = sk_reply_error(p->h, req, rc, msg && *msg ? msg : sk_strerror(rc));
    if (r)
        sk_warn(p->h, "store: error answer not delivered: %s", sk_strerror(r));
}

/* ---- writes: answered from the writer thread ---- */

typedef struct es_wctx {
    es_plugin *p;
    sk_bus_req *req;
    int kind;
} es_wctx;

static void on_done(void *arg, const sk_store_result *r)
{
    es_wctx *c = arg;
    if (r->status) {
        fail(c->p, c->req, r->status, r->err);
    } else {
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        es_enc_result(&b, c->kind, r);
        int rc = es_reply_buf(c->p, c->req, &b);
        if (rc)
            sk_warn(c->p->h, "store: answer not delivered: %s", sk_strerror(rc));
    }
    free(c);
}

static es_wctx *wctx(es_plugin *p, sk_bus_req *req, int kind)
{
    es_wctx *c = malloc(sizeof *c);
    if (c)
        *c = (es_wctx){.p = p, .req = req, .kind = kind};
    return c;
}

/* Queues a write; on failure to queue, answers at once. */
static void submitted(es_plugin *p, sk_bus_req *req, es_wctx *c, int rc)
{
    if (rc == 0)
        return;
    free(c);
    fail(p, req, rc, rc == SK_ESTOPPED ? "store is stopping" : "store: cannot queue the write");
}

static void do_write(es_plugin *p, sk_bus_req *req, int kind, es_dec *d, sk_mp_view v)
{
    sk_store_op op;
    sk_store_txn t = {0};
    int64_t a = 0, b = 0;
    bool flag = false;
    int rc;
    switch (kind) {
    case ES_PUT:
        rc = es_dec_put(d, v, &op);
        t = (sk_store_txn){.success = &op, .nsuccess = 1};
        break;
    case ES_DELETE:
        rc = es_dec_delete(d, v, &op);
        t = (sk_store_txn){.success = &op, .nsuccess = 1};
        break;
    case ES_TXN:
        rc = es_dec_txn(d, v, &t);
        break;
    case ES_COMPACT:
        rc = es_dec_compact(d, v, &a, &flag);
        break;
    default:
        rc = es_dec_lease(d, v, kind == ES_GRANT, &a, &b);
    }
    if (rc)
        return fail(p, req, rc, d->err);
    es_wctx *c = wctx(p, req, kind);
    if (!c)
        return fail(p, req, -ENOMEM, "store: out of memory");
    switch (kind) {
    case ES_COMPACT:
        rc = sk_store_submit_compact(p->st, a, flag, on_done, c);
        break;
    case ES_GRANT:
        rc = sk_store_submit_lease_grant(p->st, a, b, on_done, c);
        break;
    case ES_REVOKE:
        rc = sk_store_submit_lease_revoke(p->st, a, on_done, c);
        break;
    default:
        rc = sk_store_submit_txn(p->st, &t, on_done, c);
    }
    submitted(p, req, c, rc);
}

/* ---- reads: answered here ---- */

static void do_range(es_plugin *p, sk_bus_req *req, es_dec *d, sk_mp_view v)
{
    sk_store_range_req rq;
    int rc = es_dec_range(d, v, &rq);
    if (rc)
        return fail(p, req, rc, d->err);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    es_range_enc enc;
    es_range_begin(&enc, &b, rq.keys_only);
    sk_store_range_res res;
    char err[256] = "";
    rc = sk_store_range(p->st, &rq, es_range_kv, &enc, &res, err, sizeof err);
    if (rc) {
        sk_mp_buf_free(&b);
        return fail(p, req, rc, err);
    }
    es_range_end(&enc, &res);
    es_reply_buf(p, req, &b);
}

static void do_status(es_plugin *p, sk_bus_req *req, es_dec *d, sk_mp_view v)
{
    sk_store_status s;
    int rc = es_dec_empty(d, v);
    if (rc)
        return fail(p, req, rc, d->err);
    if ((rc = sk_store_get_status(p->st, &s)))
        return fail(p, req, rc, "store: status unavailable");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    es_enc_status(&b, &s);
    es_reply_buf(p, req, &b);
}

static void do_keepalive(es_plugin *p, sk_bus_req *req, es_dec *d, sk_mp_view v)
{
    int64_t id, ttl;
    int rc = es_dec_lease(d, v, false, &id, &ttl);
    if (rc)
        return fail(p, req, rc, d->err);
    if ((rc = sk_store_lease_keepalive(p->st, id, &ttl))) {
        char msg[64];
        snprintf(msg, sizeof msg, "lease %lld not found", (long long)id);
        return fail(p, req, rc, msg);
    }
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    sk_mp_put_str(&b, "revision");
    sk_mp_put_int(&b, sk_store_revision(p->st));
    sk_mp_put_str(&b, "id");
    sk_mp_put_int(&b, id);
    sk_mp_put_str(&b, "ttl");
    sk_mp_put_int(&b, ttl);
    es_reply_buf(p, req, &b);
}

static void do_lease_list(es_plugin *p, sk_bus_req *req, es_dec *d, sk_mp_view v)
{
    sk_store_lease_info *li;
    size_t n;
    int rc = es_dec_empty(d, v);
    if (rc)
        return fail(p, req, rc, d->err);
    if ((rc = sk_store_lease_list(p->st, &li, &n)))
        return fail(p, req, rc, "store: cannot list leases");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    sk_mp_put_str(&b, "revision");
    sk_mp_put_int(&b, sk_store_revision(p->st));
    sk_mp_put_str(&b, "leases");
    sk_mp_put_array(&b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        sk_mp_put_map(&b, 3);
        sk_mp_put_str(&b, "id");
        sk_mp_put_int(&b, li[i].id);
        sk_mp_put_str(&b, "ttl");
        sk_mp_put_int(&b, li[i].ttl);
        sk_mp_put_str(&b, "remaining_ms");
        sk_mp_put_int(&b, li[i].remaining_ms);
    }
    free(li);
    es_reply_buf(p, req, &b);
}

/* ---- dispatch ---- */

static const struct {
    const char *name;
    int write_kind; /* 0: a read handled by fn */
    void (*fn)(es_plugin *, sk_bus_req *, es_dec *, sk_mp_view);
} methods[] = {
    {"range", 0, do_range},
    {"put", ES_PUT, NULL},
    {"delete", ES_DELETE, NULL},
    {"txn", ES_TXN, NULL},
    {"compact", ES_COMPACT, NULL},
    {"lease_grant", ES_GRANT, NULL},
    {"lease_revoke", ES_REVOKE, NULL},
    {"lease_keepalive", 0, do_keepalive},
    {"lease_list", 0, do_lease_list},
    {"status", 0, do_status},
};

void es_serve(void *arg, sk_bus_req *req, const char *method, const void *data, size_t len)
{
    es_plugin *p = arg;
    if (p->m.requests)
        p->h->metrics->add(p->m.requests, 1);
    if (method && strcmp(method, "watch") == 0)
        return es_watch_start(p, req, data, len);
    for (size_t i = 0; method && i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(method, methods[i].name) != 0)
            continue;
        es_dec d;
        es_dec_init(&d);
        sk_mp_view v;
        int rc = es_dec_payload(&d, data, len, &v);
        if (rc)
            fail(p, req, rc, d.err);
        else if (methods[i].write_kind)
            do_write(p, req, methods[i].write_kind, &d, v);
        else
            methods[i].fn(p, req, &d, v);
        es_dec_free(&d);
        return;
    }
    char msg[SK_BUS_NAME_MAX + 64];
    snprintf(msg, sizeof msg, "store: unknown method '%.255s'", method ? method : "");
    fail(p, req, SK_EBADMSG, msg);
}
