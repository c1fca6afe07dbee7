/* The writer thread: group commit. Requests queue up while the previous
 * batch commits; the writer then takes them all, applies them in one LMDB
 * write transaction, commits it with one synchronous flush, and only then
 * completes every request and publishes the batch's events. A batch that
 * hits MDB_MAP_FULL is redone after the map doubles; one too big for a
 * single transaction is split. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "store_wreq.h"

#define BATCH_BYTES (64u << 20)
#define COMPACT_REVS_BUSY 256
#define COMPACT_REVS_IDLE 4096
/* Batches this small are answered by the writer itself. */
#define SMALL_BATCH 2

void st_wreq_free(st_wreq *r)
{
    if (!r)
        return;
    st_arena_free(&r->in);
    st_arena_free(&r->out);
    free(r);
}

void st_wreq_complete(st_wreq *r)
{
    if (r->kind == ST_W_REVOKE)
        r->res.lease_id = r->num; /* even when the batch failed as a whole */
    if (r->sync) {
        st_sync *s = r->sync;
        s->out->r = r->res;
        st_arena *keep = malloc(sizeof *keep);
        if (keep) {
            st_arena_init(keep);
            st_arena_move(keep, &r->out);
        } else {
            s->out->r.ops = NULL;
            s->out->r.nops = 0;
            if (s->out->r.status == 0)
                s->out->r.status = -ENOMEM;
        }
        s->out->mem = keep;
        st_wreq_free(r);
        pthread_mutex_lock(&s->mu);
        s->done = true;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        return;
    }
    if (r->done)
        r->done(r->arg, &r->res);
    st_wreq_free(r);
}

static void fail_req(sk_store *st, st_wreq *r, int status, const char *msg)
{
    r->res.status = status;
    snprintf(r->res.err, sizeof r->res.err, "%s", msg);
    st_complete_later(st, r, false);
}

int st_writer_enqueue(sk_store *st, st_wreq *r)
{
    pthread_mutex_lock(&st->wmu);
    if (st->stopping) {
        pthread_mutex_unlock(&st->wmu);
        st_wreq_free(r);
        return SK_ESTOPPED;
    }
    r->next = NULL;
    if (st->qtail)
        st->qtail->next = r;
    else
        st->qhead = r;
    st->qtail = r;
    st->qlen++;
    pthread_cond_signal(&st->wcv);
    pthread_mutex_unlock(&st->wmu);
    return 0;
}

/* ---- one batch ---- */

typedef struct batch {
    st_wreq **v;
    size_t n;
    bool compact_more; /* in: compaction pending; out: still pending */
    bool compacted;    /* a compaction request was applied */
} batch;

static void reset_results(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        st_wreq *r = b->v[i];
        if (r->refused)
            continue;
        st_arena_free(&r->out);
        memset(&r->res, 0, sizeof r->res);
    }
}

static int apply_one(st_apply *a, st_wreq *r, batch *b)
{
    if (r->refused)
        return 0;
    int rc;
    switch (r->kind) {
    case ST_W_TXN:
        rc = st_apply_txn(a, &r->txn, &r->res, &r->out);
        break;
    case ST_W_COMPACT:
        rc = st_apply_compact(a, r->num, &r->res);
        if (rc == 0 && r->res.status == 0)
            b->compacted = true;
        break;
    case ST_W_GRANT:
        rc = st_apply_lease_grant(a, r->num, r->ttl, &r->res);
        break;
    default:
        rc = st_apply_lease_revoke(a, r->num, &r->res);
        break;
    }
    if (rc == 0 && r->res.status)
        r->res.rev = a->rev;
    return rc;
}

static void apply_free(st_apply *a)
{
    if (a->txn)
        mdb_txn_abort(a->txn);
    a->txn = NULL;
    st_batch_free(a->events);
    a->events = NULL;
    free(a->lchg);
    a->lchg = NULL;
    a->nlchg = a->caplchg = 0;
    free(a->rl);
    a->rl = NULL;
    a->rl_len = a->rl_cap = 0;
}

/* Applies and commits; 0, or the batch's failure (ST_EMAPFULL etc.). */
static int try_batch(sk_store *st, batch *b, st_apply *a, char *err, size_t errlen)
{
    *a = (st_apply){.st = st, .rev = atomic_load(&st->rev), .lease_next = st->lease_next};
    if (st_hub_wants_events(st->hub) && !(a->events = st_batch_new()))
        return -ENOMEM;
    int rc = mdb_txn_begin(st->env, NULL, 0, &a->txn);
    if (rc)
        return st_mdb_err(rc, "begin write txn", err, errlen);
    for (size_t i = 0; i < b->n; i++)
        if ((rc = apply_one(a, b->v[i], b))) {
            snprintf(err, errlen, "apply: %s", sk_strerror(rc));
            return rc;
        }
    bool more = false;
    if (b->compact_more || b->compacted) {
        rc = st_compact_step(a, b->n ? COMPACT_REVS_BUSY : COMPACT_REVS_IDLE, err, errlen);
        if (rc < 0)
            return rc;
        more = rc == 1;
    }
    if (a->rev != atomic_load(&st->rev) &&
        (rc = st_meta_put_u64(a->txn, st, "rev", (uint64_t)a->rev)))
        return rc;
    rc = mdb_txn_commit(a->txn);
    a->txn = NULL;
    if (rc)
        return st_mdb_err(rc, "commit", err, errlen);
    b->compact_more = more;
    return 0;
}

static void complete_batch(sk_store *st, batch *b, st_apply *a)
{
    int64_t old = atomic_load(&st->rev);
    st->lease_next = a->lease_next;
    for (size_t i = 0; i < b->n; i++) {
        st_wreq *r = b->v[i];
        if (r->kind == ST_W_COMPACT && !r->refused && r->res.status == 0)
            atomic_store(&st->compact_rev, r->res.compact_rev);
    }
    atomic_store(&st->rev, a->rev);
    atomic_fetch_add(&st->commits, 1);
    atomic_fetch_add(&st->committed_reqs, b->n);
    st_leases_commit(st, a);
    if (a->rev > old) {
        st_hub_publish(st->hub, a->events, old + 1, a->rev);
        a->events = NULL;
    }
    for (size_t i = 0; i < b->n; i++) {
        st_wreq *r = b->v[i];
        if (r->kind == ST_W_COMPACT && r->physical && r->res.status == 0 && b->compact_more) {
            r->next = st->compact_waiters;
            st->compact_waiters = r;
            continue;
        }
        st_complete_later(st, r, b->n <= SMALL_BATCH);
    }
    if (!b->compact_more) {
        while (st->compact_waiters) {
            st_wreq *r = st->compact_waiters;
            st->compact_waiters = r->next;
            st_complete_later(st, r, false);
        }
    }
}

static void run_batch(sk_store *st, batch *b);

/* Too many dirty pages for one LMDB transaction: halve the batch. */
static void split_batch(sk_store *st, batch *b)
{
    if (b->n <= 1) {
        for (size_t i = 0; i < b->n; i++)
            fail_req(st, b->v[i], SK_ETOOLARGE, "request too large for one transaction");
        return;
    }
    size_t h = b->n / 2;
    batch x = {.v = b->v, .n = h, .compact_more = b->compact_more};
    run_batch(st, &x);
    batch y = {.v = b->v + h, .n = b->n - h, .compact_more = x.compact_more};
    run_batch(st, &y);
    b->compact_more = y.compact_more;
}

static void run_batch(sk_store *st, batch *b)
{
    char err[SK_STORE_ERRLEN] = "";
    for (;;) {
        st_apply a;
        b->compacted = false;
        int rc = try_batch(st, b, &a, err, sizeof err);
        if (rc == 0) {
            complete_batch(st, b, &a);
            apply_free(&a);
            return;
        }
        apply_free(&a);
        reset_results(b);
        if (rc == ST_EMAPFULL && st_env_grow(st, err, sizeof err) == 0)
            continue;
        if (rc == ST_ETXNFULL)
            return split_batch(st, b);
        if (rc == ST_EMAPFULL)
            rc = SK_EQUOTA;
        for (size_t i = 0; i < b->n; i++)
            fail_req(st, b->v[i], rc, err[0] ? err : "store: write failed");
        b->n = 0;
        return;
    }
}

/* ---- the thread ---- */

static size_t take_batch(sk_store *st, st_wreq **v, size_t max)
{
    size_t n = 0, bytes = 0;
    while (st->qhead && n < max && (n == 0 || bytes + st->qhead->bytes <= BATCH_BYTES)) {
        st_wreq *r = st->qhead;
        st->qhead = r->next;
        if (!st->qhead)
            st->qtail = NULL;
        st->qlen--;
        bytes += r->bytes;
        v[n++] = r;
    }
    return n;
}

static void drain_stopped(sk_store *st)
{
    st_wreq *r = st->qhead;
    st->qhead = st->qtail = NULL;
    st->qlen = 0;
    pthread_mutex_unlock(&st->wmu);
    while (r) {
        st_wreq *n = r->next;
        fail_req(st, r, SK_ESTOPPED, "store stopping");
        r = n;
    }
    while (st->compact_waiters) {
        st_wreq *w = st->compact_waiters;
        st->compact_waiters = w->next;
        fail_req(st, w, SK_ESTOPPED, "store stopping before the compaction finished");
    }
}

static void *writer_main(void *arg)
{
    sk_store *st = arg;
    size_t max = st->o.max_batch;
    st_wreq **v = malloc(max * sizeof *v);
    batch b = {.compact_more = st->compact_done < atomic_load(&st->compact_rev)};
    pthread_mutex_lock(&st->wmu);
    while (v) {
        while (!st->qhead && !st->stopping && !b.compact_more)
            pthread_cond_wait(&st->wcv, &st->wmu);
        if (st->stopping)
            break;
        b.v = v;
        b.n = take_batch(st, v, max);
        pthread_mutex_unlock(&st->wmu);
        run_batch(st, &b);
        pthread_mutex_lock(&st->wmu);
    }
    if (!v)
        st->stopping = true;
    drain_stopped(st);
    free(v);
    return NULL;
}

int st_writer_start(sk_store *st, char *err, size_t errlen)
{
    int rc = pthread_create(&st->writer, NULL, writer_main, st);
    if (rc) {
        snprintf(err, errlen, "store: cannot start the writer thread: %s", strerror(rc));
        return -rc;
    }
    st->writer_started = true;
    return 0;
}

void st_writer_stop(sk_store *st)
{
    pthread_mutex_lock(&st->wmu);
    st->stopping = true;
    pthread_cond_signal(&st->wcv);
    pthread_mutex_unlock(&st->wmu);
    if (st->writer_started) {
        pthread_join(st->writer, NULL);
        st->writer_started = false;
    }
}
