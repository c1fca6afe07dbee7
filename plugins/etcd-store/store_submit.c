/* Turning callers' requests into queued writer requests: a private copy of
 * every byte, and the checks that need no data (sizes, shapes), so the
 * writer only applies. Also the blocking wrappers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "store_wreq.h"

static st_wreq *wreq_new(int kind, sk_store_done_fn done, void *arg)
{
    st_wreq *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->kind = kind;
    r->done = done;
    r->arg = arg;
    st_arena_init(&r->in);
    st_arena_init(&r->out);
    r->bytes = 64;
    return r;
}

static void refuse(st_wreq *r, int status, const char *msg)
{
    if (r->refused)
        return;
    r->refused = true;
    r->res.status = status;
    snprintf(r->res.err, sizeof r->res.err, "%s", msg);
}

static const uint8_t *dup_bytes(st_wreq *r, const uint8_t *p, size_t n, bool *oom)
{
    if (!p)
        return NULL;
    const uint8_t *d = st_arena_dup(&r->in, p, n);
    if (!d)
        *oom = true;
    r->bytes += n;
    return d;
}

static void check_op(sk_store *st, st_wreq *r, const sk_store_op *op)
{
    char err[SK_STORE_ERRLEN];
    int rc;
    switch (op->type) {
    case SK_STORE_OP_RANGE:
    case SK_STORE_OP_DELETE:
        if ((rc = st_span_check(&op->span, true, err, sizeof err)))
            refuse(r, rc, err);
        break;
    case SK_STORE_OP_PUT:
        if (op->span.end_len) {
            refuse(r, SK_EBADMSG, "put takes a single key, not a range");
        } else if ((rc = st_span_check(&op->span, true, err, sizeof err))) {
            refuse(r, rc, err);
        } else if (!op->ignore_value && op->value_len > st->o.max_value_bytes) {
            snprintf(err, sizeof err, "value of %zu bytes over the limit of %llu bytes",
                     op->value_len, (unsigned long long)st->o.max_value_bytes);
            refuse(r, SK_ETOOLARGE, err);
        } else if (op->lease < 0) {
            refuse(r, SK_EBADMSG, "negative lease id");
        }
        break;
    default:
        refuse(r, SK_EBADMSG, "unknown operation type");
    }
}

static sk_store_op *copy_ops(sk_store *st, st_wreq *r, const sk_store_op *src, size_t n,
                             bool *oom)
{
    if (n == 0)
        return NULL;
    sk_store_op *ops = st_arena_alloc(&r->in, n * sizeof *ops);
    if (!ops) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        ops[i] = src[i];
        ops[i].span.key = dup_bytes(r, src[i].span.key, src[i].span.key_len, oom);
        ops[i].span.end = dup_bytes(r, src[i].span.end, src[i].span.end_len, oom);
        ops[i].value = dup_bytes(r, src[i].value, src[i].value_len, oom);
        if (ops[i].value_len && !ops[i].value)
            ops[i].value_len = 0;
        check_op(st, r, &src[i]);
    }
    return ops;
}

static void check_cmp(st_wreq *r, const sk_store_cmp *c)
{
    char err[SK_STORE_ERRLEN];
    sk_store_span sp = {.key = c->key, .key_len = c->key_len};
    int rc = st_span_check(&sp, true, err, sizeof err);
    if (rc)
        refuse(r, rc, err);
    else if (c->target < SK_STORE_CMP_VERSION || c->target > SK_STORE_CMP_LEASE)
        refuse(r, SK_EBADMSG, "compare: unknown target");
    else if (c->result < SK_STORE_EQ || c->result > SK_STORE_GT)
        refuse(r, SK_EBADMSG, "compare: unknown result");
}

static st_wreq *build_txn(sk_store *st, const sk_store_txn *t, sk_store_done_fn done,
                          void *arg)
{
    st_wreq *r = wreq_new(ST_W_TXN, done, arg);
    if (!r)
        return NULL;
    bool oom = false;
    sk_store_cmp *cmps = t->ncmps ? st_arena_alloc(&r->in, t->ncmps * sizeof *cmps) : NULL;
    if (t->ncmps && !cmps)
        oom = true;
    for (size_t i = 0; cmps && i < t->ncmps; i++) {
        cmps[i] = t->cmps[i];
        cmps[i].key = dup_bytes(r, t->cmps[i].key, t->cmps[i].key_len, &oom);
        cmps[i].value = dup_bytes(r, t->cmps[i].value, t->cmps[i].value_len, &oom);
        check_cmp(r, &t->cmps[i]);
    }
    r->txn = (sk_store_txn){.cmps = cmps, .ncmps = t->ncmps,
                            .success = copy_ops(st, r, t->success, t->nsuccess, &oom),
                            .nsuccess = t->nsuccess,
                            .failure = copy_ops(st, r, t->failure, t->nfailure, &oom),
                            .nfailure = t->nfailure};
    if (oom) {
        st_wreq_free(r);
        return NULL;
    }
    return r;
}

static st_wreq *build_compact(int64_t rev, bool physical, sk_store_done_fn done, void *arg)
{
    st_wreq *r = wreq_new(ST_W_COMPACT, done, arg);
    if (!r)
        return NULL;
    r->num = rev;
    r->physical = physical;
    if (rev <= 0)
        refuse(r, SK_EBADMSG, "compact: revision must be positive");
    return r;
}

static st_wreq *build_grant(int64_t id, int64_t ttl, sk_store_done_fn done, void *arg)
{
    st_wreq *r = wreq_new(ST_W_GRANT, done, arg);
    if (!r)
        return NULL;
    r->num = id;
    r->ttl = ttl;
    if (ttl <= 0 || ttl > INT32_MAX)
        refuse(r, SK_EBADMSG, "lease_grant: ttl must be between 1 and 2^31-1 seconds");
    else if (id < 0)
        refuse(r, SK_EBADMSG, "lease_grant: negative id");
    return r;
}

static st_wreq *build_revoke(int64_t id, sk_store_done_fn done, void *arg)
{
    st_wreq *r = wreq_new(ST_W_REVOKE, done, arg);
    if (!r)
        return NULL;
    r->num = id;
    r->res.lease_id = id;
    if (id <= 0)
        refuse(r, SK_ENOTFOUND, "lease_revoke: no such lease");
    return r;
}

static int submit(sk_store *st, st_wreq *r)
{
    return r ? st_writer_enqueue(st, r) : -ENOMEM;
}

int sk_store_submit_txn(sk_store *st, const sk_store_txn *t, sk_store_done_fn done, void *arg)
{
    return submit(st, build_txn(st, t, done, arg));
}

int sk_store_submit_compact(sk_store *st, int64_t rev, bool physical, sk_store_done_fn done,
                            void *arg)
{
    return submit(st, build_compact(rev, physical, done, arg));
}

int sk_store_submit_lease_grant(sk_store *st, int64_t id, int64_t ttl, sk_store_done_fn done,
                                void *arg)
{
    return submit(st, build_grant(id, ttl, done, arg));
}

int sk_store_submit_lease_revoke(sk_store *st, int64_t id, sk_store_done_fn done, void *arg)
{
    return submit(st, build_revoke(id, done, arg));
}

/* ---- blocking forms ---- */

static int wait_sync(sk_store *st, st_wreq *r, sk_store_sync_res *out)
{
    memset(out, 0, sizeof *out);
    if (!r) {
        out->r.status = -ENOMEM;
        return -ENOMEM;
    }
    st_sync s = {.out = out};
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    r->sync = &s;
    int rc = st_writer_enqueue(st, r);
    if (rc == 0) {
        pthread_mutex_lock(&s.mu);
        while (!s.done)
            pthread_cond_wait(&s.cv, &s.mu);
        pthread_mutex_unlock(&s.mu);
        rc = out->r.status;
    } else {
        out->r.status = rc;
        snprintf(out->r.err, sizeof out->r.err, "store: %s", sk_strerror(rc));
    }
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    return rc;
}

int sk_store_txn_sync(sk_store *st, const sk_store_txn *t, sk_store_sync_res *out)
{
    return wait_sync(st, build_txn(st, t, NULL, NULL), out);
}

int sk_store_compact_sync(sk_store *st, int64_t rev, bool physical, sk_store_sync_res *out)
{
    return wait_sync(st, build_compact(rev, physical, NULL, NULL), out);
}

int sk_store_lease_grant_sync(sk_store *st, int64_t id, int64_t ttl, sk_store_sync_res *out)
{
    return wait_sync(st, build_grant(id, ttl, NULL, NULL), out);
}

int sk_store_lease_revoke_sync(sk_store *st, int64_t id, sk_store_sync_res *out)
{
    return wait_sync(st, build_revoke(id, NULL, NULL), out);
}

void sk_store_result_free(sk_store_sync_res *res)
{
    if (!res)
        return;
    if (res->mem) {
        st_arena_free(res->mem);
        free(res->mem);
    }
    memset(res, 0, sizeof *res);
}
