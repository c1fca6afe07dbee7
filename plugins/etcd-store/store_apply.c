/* Applying one txn request inside the batch's LMDB write transaction.
 * Everything that can refuse a request (compares aside) is checked before
 * its first write, so a refused request leaves no trace without needing a
 * nested transaction; an LMDB failure fails the whole batch instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "store_int.h"

#define ERR(...) snprintf(res->err, sizeof res->err, __VA_ARGS__)

int st_apply_begin_rev(st_apply *a, bool *bumped)
{
    if (!*bumped) {
        a->rev++;
        a->rl_len = 0;
        *bumped = true;
    }
    return 0;
}

int st_revlog_add(st_apply *a, int type, const uint8_t *key, size_t klen)
{
    size_t need = a->rl_len + 5 + klen;
    uint8_t *rl = st_grow(a->rl, &a->rl_cap, need, 1, 256);
    if (!rl)
        return -ENOMEM;
    a->rl = rl;
    uint8_t *p = a->rl + a->rl_len;
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)klen;
    p[2] = (uint8_t)(klen >> 8);
    p[3] = (uint8_t)(klen >> 16);
    p[4] = (uint8_t)(klen >> 24);
    memcpy(p + 5, key, klen);
    a->rl_len = need;
    return 0;
}

int st_revlog_flush(st_apply *a, char *err, size_t errlen)
{
    uint8_t kb[8];
    st_put_u64(kb, (uint64_t)a->rev);
    MDB_val k = {8, kb}, v = {a->rl_len, a->rl};
    int rc = mdb_put(a->txn, a->st->db_rev, &k, &v, MDB_APPEND);
    a->rl_len = 0;
    return rc ? st_mdb_err(rc, "write revlog", err, errlen) : 0;
}

static int lkey_put(st_apply *a, int64_t lease, const uint8_t *ekey, size_t elen, bool del)
{
    uint8_t kb[8 + ST_EKEY_MAX];
    st_put_u64(kb, (uint64_t)lease);
    memcpy(kb + 8, ekey, elen);
    MDB_val k = {8 + elen, kb}, v = {0, NULL};
    int rc = del ? mdb_del(a->txn, a->st->db_lkeys, &k, NULL)
                 : mdb_put(a->txn, a->st->db_lkeys, &k, &v, 0);
    if (rc == MDB_NOTFOUND && del)
        rc = 0;
    return rc ? st_mdb_err(rc, "write leasekeys", NULL, 0) : 0;
}

/* History record for ekey at a->rev: tombstone when val is NULL. */
static int hist_put(st_apply *a, const uint8_t *ekey, size_t elen, const st_hist_rec *r,
                    const uint8_t *val, size_t vlen)
{
    uint8_t hk[ST_HKEY_MAX];
    MDB_val k = {st_hkey(ekey, elen, (uint64_t)a->rev, hk), hk};
    MDB_val v = {ST_HIST_HDR + r->key_len + vlen, NULL};
    int rc = mdb_put(a->txn, a->st->db_hist, &k, &v, MDB_RESERVE);
    if (rc)
        return st_mdb_err(rc, "write hist", NULL, 0);
    st_hist_encode_head(v.mv_data, r);
    if (vlen)
        memcpy((uint8_t *)v.mv_data + ST_HIST_HDR + r->key_len, val, vlen);
    return 0;
}

static int idx_put(st_apply *a, const uint8_t *ekey, size_t elen, const st_idx_rec *r)
{
    MDB_val k = {elen, (void *)ekey}, v = {ST_IDX_HDR + r->key_len, NULL};
    int rc = mdb_put(a->txn, a->st->db_idx, &k, &v, MDB_RESERVE);
    if (rc)
        return st_mdb_err(rc, "write idx", NULL, 0);
    st_idx_encode(v.mv_data, r);
    return 0;
}

static int copy_kv(st_arena *ar, sk_store_kv *kv, const st_ent *e, const uint8_t *val,
                   size_t vlen)
{
    *kv = (sk_store_kv){.key_len = e->key_len, .value_len = vlen, .create_rev = e->create_rev,
                        .mod_rev = e->mod_rev, .version = e->version, .lease = e->lease};
    kv->key = st_arena_dup(ar, e->key, e->key_len);
    kv->value = val ? st_arena_dup(ar, val, vlen) : NULL;
    return kv->key && (!val || kv->value) ? 0 : -ENOMEM;
}

/* The value of a current entry, copied: a write to the same txn may move
 * the page it lives in. */
static int prev_value(st_apply *a, const st_ent *e, st_arena *ar, const uint8_t **val,
                      size_t *vlen)
{
    const uint8_t *v;
    int rc = st_value_at(a->st, a->txn, e->ekey, e->elen, e->mod_rev, &v, vlen);
    if (rc)
        return rc;
    *val = st_arena_dup(ar, v, *vlen);
    return *val ? 0 : -ENOMEM;
}

int st_delete_key(st_apply *a, const st_ent *e, bool *bumped, char *err, size_t errlen)
{
    st_apply_begin_rev(a, bumped);
    MDB_val k = {e->elen, (void *)e->ekey};
    int rc = mdb_del(a->txn, a->st->db_idx, &k, NULL);
    if (rc)
        return st_mdb_err(rc, "delete idx", err, errlen);
    bool is_long = st_ekey_is_long(e->elen);
    st_hist_rec tomb = {.flags = ST_REC_TOMB, .key = is_long ? e->key : NULL,
                        .key_len = is_long ? e->key_len : 0};
    if ((rc = hist_put(a, e->ekey, e->elen, &tomb, NULL, 0)) ||
        (e->lease && (rc = lkey_put(a, e->lease, e->ekey, e->elen, true))) ||
        (rc = st_revlog_add(a, SK_STORE_EV_DELETE, e->key, e->key_len)))
        return rc;
    if (a->events) {
        st_ent de = {.key = e->key, .key_len = e->key_len, .mod_rev = a->rev};
        if ((rc = st_batch_add(a->events, SK_STORE_EV_DELETE, &de, NULL, 0)))
            return rc;
    }
    return 0;
}

static int lease_exists(st_apply *a, int64_t id, bool *yes)
{
    uint8_t kb[8];
    st_put_u64(kb, (uint64_t)id);
    MDB_val k = {8, kb}, v;
    int rc = mdb_get(a->txn, a->st->db_lease, &k, &v);
    *yes = rc == 0;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : st_mdb_err(rc, "read lease", NULL, 0);
}

/* ---- checks before the first write ---- */

static int key_cmp_op(const void *x, const void *y)
{
    const sk_store_op *a = *(const sk_store_op *const *)x, *b = *(const sk_store_op *const *)y;
    return st_key_cmp(a->span.key, a->span.key_len, b->span.key, b->span.key_len);
}

/* etcd's rule: a txn writes each key at most once. */
static int check_dups(const sk_store_op *ops, size_t n, sk_store_result *res)
{
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        np += ops[i].type == SK_STORE_OP_PUT;
    if (np == 0)
        return 0;
    const sk_store_op **puts = malloc(np * sizeof *puts);
    if (!puts)
        return -ENOMEM;
    np = 0;
    for (size_t i = 0; i < n; i++)
        if (ops[i].type == SK_STORE_OP_PUT)
            puts[np++] = &ops[i];
    qsort(puts, np, sizeof *puts, key_cmp_op);
    int rc = 0;
    for (size_t i = 1; i < np && !rc; i++)
        if (key_cmp_op(&puts[i - 1], &puts[i]) == 0)
            rc = SK_EBADMSG;
    for (size_t i = 0; i < n && !rc; i++) {
        if (ops[i].type != SK_STORE_OP_DELETE)
            continue;
        for (size_t j = 0; j < np && !rc; j++)
            if (st_span_contains(&ops[i].span, puts[j]->span.key, puts[j]->span.key_len))
                rc = SK_EBADMSG;
    }
    free(puts);
    if (rc)
        ERR("duplicate key given in txn request");
    return rc;
}

static int check_put(st_apply *a, const sk_store_op *op, uint64_t *est, sk_store_result *res)
{
    *est += op->span.key_len * 3 + op->value_len + 96;
    if (op->ignore_value || op->ignore_lease) {
        uint8_t eb[ST_EKEY_MAX];
        st_ent e;
        int rc = st_get_current(a->st, a->txn, op->span.key, op->span.key_len, &e, eb);
        if (rc == SK_ENOTFOUND) {
            ERR("put with ignore_value/ignore_lease: key not found");
            return SK_ENOTFOUND;
        }
        if (rc)
            return rc;
    }
    if (op->lease && !op->ignore_lease) {
        bool yes;
        int rc = lease_exists(a, op->lease, &yes);
        if (rc)
            return rc;
        if (!yes) {
            ERR("lease %lld not found", (long long)op->lease);
            return SK_ENOTFOUND;
        }
    }
    return 0;
}

static int check_ops(st_apply *a, const sk_store_op *ops, size_t n, sk_store_result *res)
{
    int rc = check_dups(ops, n, res);
    uint64_t est = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (ops[i].type == SK_STORE_OP_PUT)
            rc = check_put(a, &ops[i], &est, res);
    if (rc || est == 0)
        return rc;
    uint64_t quota = a->st->o.quota_bytes;
    a->used = st_env_in_use(a->txn, a->st);
    if (a->used + est > quota) {
        ERR("quota of %llu bytes exceeded: %llu in use, request needs ~%llu",
            (unsigned long long)quota, (unsigned long long)a->used, (unsigned long long)est);
        return SK_EQUOTA;
    }
    return 0;
}

/* ---- compares ---- */

static bool cmp_result(int c, int result)
{
    switch (result) {
    case SK_STORE_EQ: return c == 0;
    case SK_STORE_NE: return c != 0;
    case SK_STORE_LT: return c < 0;
    case SK_STORE_GT: return c > 0;
    }
    return false;
}

static int eval_cmp(st_apply *a, const sk_store_cmp *c, bool *ok)
{
    uint8_t eb[ST_EKEY_MAX];
    st_ent e;
    int rc = st_get_current(a->st, a->txn, c->key, c->key_len, &e, eb);
    if (rc && rc != SK_ENOTFOUND)
        return rc;
    bool found = rc == 0;
    if (c->target == SK_STORE_CMP_VALUE) {
        /* etcd: a value compare against a missing key is false. */
        if (!found) {
            *ok = false;
            return 0;
        }
        const uint8_t *v;
        size_t vl;
        if ((rc = st_value_at(a->st, a->txn, e.ekey, e.elen, e.mod_rev, &v, &vl)))
            return rc;
        *ok = cmp_result(st_key_cmp(v, vl, c->value, c->value_len), c->result);
        return 0;
    }
    int64_t have = 0;
    if (found)
        have = c->target == SK_STORE_CMP_VERSION  ? e.version
               : c->target == SK_STORE_CMP_CREATE ? e.create_rev
               : c->target == SK_STORE_CMP_MOD    ? e.mod_rev
                                                  : e.lease;
    *ok = cmp_result(have < c->num ? -1 : have > c->num, c->result);
    return 0;
}

/* ---- operations ---- */

typedef struct kv_vec {
    sk_store_kv *v;
    size_t n, cap;
    st_arena *ar;
} kv_vec;

static int kv_vec_push(void *arg, const sk_store_kv *kv)
{
    kv_vec *vec = arg;
    sk_store_kv *v = st_grow(vec->v, &vec->cap, vec->n + 1, sizeof *v, 8);
    if (!v)
        return -ENOMEM;
    vec->v = v;
    sk_store_kv *d = &vec->v[vec->n++];
    *d = *kv;
    d->key = st_arena_dup(vec->ar, kv->key, kv->key_len);
    d->value = kv->value ? st_arena_dup(vec->ar, kv->value, kv->value_len) : NULL;
    return d->key && (d->value || !kv->value) ? 0 : -ENOMEM;
}

static int kv_vec_finish(kv_vec *vec, sk_store_op_res *or)
{
    or->nkvs = vec->n;
    or->kvs = vec->n ? st_arena_dup(vec->ar, vec->v, vec->n * sizeof *vec->v) : NULL;
    free(vec->v);
    vec->v = NULL;
    return vec->n && !or->kvs ? -ENOMEM : 0;
}

static int apply_range(st_apply *a, const sk_store_op *op, sk_store_op_res *or, st_arena *ar,
                       sk_store_result *res)
{
    sk_store_range_req rq = {.span = op->span, .limit = op->limit, .keys_only = op->keys_only,
                             .count_only = op->count_only};
    sk_store_range_res rr;
    kv_vec vec = {.ar = ar};
    int rc = st_range_in(a->st, a->txn, &rq, a->rev, kv_vec_push, &vec, &rr);
    int rc2 = kv_vec_finish(&vec, or);
    if (rc) {
        ERR("range in txn: %s", sk_strerror(rc));
        return rc;
    }
    or->count = rr.count;
    or->more = rr.more;
    return rc2;
}

static int apply_put(st_apply *a, const sk_store_op *op, sk_store_op_res *or, st_arena *ar,
                     bool *bumped)
{
    uint8_t ekey[ST_EKEY_MAX];
    size_t elen;
    int rc = st_key_assign(a->st, a->txn, op->span.key, op->span.key_len, ekey, &elen);
    if (rc)
        return rc;
    st_ent old = {0};
    MDB_val k = {elen, ekey}, v;
    bool had = false;
    rc = mdb_get(a->txn, a->st->db_idx, &k, &v);
    if (rc == 0) {
        st_idx_rec r;
        if (st_idx_decode(&v, &r))
            return SK_EINTERNAL;
        old = (st_ent){.key = op->span.key, .key_len = op->span.key_len, .ekey = ekey,
                       .elen = elen, .create_rev = r.create_rev, .mod_rev = r.mod_rev,
                       .version = r.version, .lease = r.lease};
        had = true;
    } else if (rc != MDB_NOTFOUND) {
        return st_mdb_err(rc, "read idx", NULL, 0);
    }
    const uint8_t *val = op->value, *oldval = NULL;
    size_t vlen = op->value_len, oldlen = 0;
    if (had && (op->prev_kv || op->ignore_value) &&
        (rc = prev_value(a, &old, ar, &oldval, &oldlen)))
        return rc;
    if (op->ignore_value)
        val = oldval, vlen = oldlen;
    if (had && op->prev_kv) {
        or->kvs = st_arena_alloc(ar, sizeof *or->kvs);
        if (!or->kvs || copy_kv(ar, or->kvs, &old, oldval, oldlen))
            return -ENOMEM;
        or->nkvs = 1;
    }
    int64_t lease = op->ignore_lease ? old.lease : op->lease;
    st_apply_begin_rev(a, bumped);
    bool is_long = st_ekey_is_long(elen);
    st_idx_rec ir = {.create_rev = had ? old.create_rev : a->rev, .mod_rev = a->rev,
                     .version = had ? old.version + 1 : 1, .lease = lease,
                     .key = is_long ? op->span.key : NULL,
                     .key_len = is_long ? op->span.key_len : 0};
    st_hist_rec hr = {.create_rev = ir.create_rev, .version = ir.version, .lease = lease,
                      .key = ir.key, .key_len = ir.key_len};
    if ((rc = idx_put(a, ekey, elen, &ir)) || (rc = hist_put(a, ekey, elen, &hr, val, vlen)))
        return rc;
    if (had && old.lease && old.lease != lease && (rc = lkey_put(a, old.lease, ekey, elen, true)))
        return rc;
    if (lease && (!had || old.lease != lease) && (rc = lkey_put(a, lease, ekey, elen, false)))
        return rc;
    if ((rc = st_revlog_add(a, SK_STORE_EV_PUT, op->span.key, op->span.key_len)))
        return rc;
    if (a->events) {
        st_ent ne = {.key = op->span.key, .key_len = op->span.key_len, .create_rev = ir.create_rev,
                     .mod_rev = a->rev, .version = ir.version, .lease = lease};
        if ((rc = st_batch_add(a->events, SK_STORE_EV_PUT, &ne, val, vlen)))
            return rc;
    }
    return 0;
}

/* Keys to delete, copied: deleting moves LMDB's pages under any pointer
 * into them. */
typedef struct del_ctx {
    st_ent *v;
    size_t n, cap;
    st_arena tmp;
} del_ctx;

static int del_collect(void *arg, const st_ent *e)
{
    del_ctx *d = arg;
    st_ent *v = st_grow(d->v, &d->cap, d->n + 1, sizeof *v, 16);
    if (!v)
        return -ENOMEM;
    d->v = v;
    st_ent *c = &d->v[d->n++];
    *c = *e;
    c->key = st_arena_dup(&d->tmp, e->key, e->key_len);
    c->ekey = st_arena_dup(&d->tmp, e->ekey, e->elen);
    c->value = NULL;
    c->has_value = false;
    return c->key && c->ekey ? 0 : -ENOMEM;
}

static int apply_delete(st_apply *a, const sk_store_op *op, sk_store_op_res *or, st_arena *ar,
                        bool *bumped)
{
    del_ctx d = {0};
    st_arena_init(&d.tmp);
    int rc;
    if (op->span.end_len == 0) {
        uint8_t eb[ST_EKEY_MAX];
        st_ent e;
        rc = st_get_current(a->st, a->txn, op->span.key, op->span.key_len, &e, eb);
        if (rc == 0)
            rc = del_collect(&d, &e);
        else if (rc == SK_ENOTFOUND)
            rc = 0;
    } else {
        rc = st_scan(a->st, a->txn, &op->span, a->rev, true, del_collect, &d);
    }
    if (rc == 0 && op->prev_kv && d.n) {
        or->kvs = st_arena_alloc(ar, d.n * sizeof *or->kvs);
        rc = or->kvs ? 0 : -ENOMEM;
    }
    for (size_t i = 0; i < d.n && rc == 0; i++) {
        if (op->prev_kv) {
            const uint8_t *val;
            size_t vlen;
            rc = prev_value(a, &d.v[i], ar, &val, &vlen);
            if (rc == 0)
                rc = copy_kv(ar, &or->kvs[i], &d.v[i], val, vlen);
            or->nkvs = i + 1;
        }
        if (rc == 0)
            rc = st_delete_key(a, &d.v[i], bumped, NULL, 0);
    }
    or->count = (int64_t)d.n;
    free(d.v);
    st_arena_free(&d.tmp);
    return rc;
}

static int apply_ops(st_apply *a, const sk_store_op *ops, size_t n, sk_store_result *res,
                     st_arena *ar, bool *bumped)
{
    res->ops = n ? st_arena_alloc(ar, n * sizeof *res->ops) : NULL;
    if (n && !res->ops)
        return -ENOMEM;
    res->nops = n;
    for (size_t i = 0; i < n; i++) {
        sk_store_op_res *or = &res->ops[i];
        *or = (sk_store_op_res){.type = ops[i].type};
        int rc = ops[i].type == SK_STORE_OP_RANGE ? apply_range(a, &ops[i], or, ar, res)
                 : ops[i].type == SK_STORE_OP_PUT ? apply_put(a, &ops[i], or, ar, bumped)
                                                  : apply_delete(a, &ops[i], or, ar, bumped);
        if (rc)
            return rc;
    }
    return 0;
}

int st_apply_txn(st_apply *a, const sk_store_txn *t, sk_store_result *res, st_arena *ar)
{
    bool ok = true;
    int rc = 0;
    for (size_t i = 0; i < t->ncmps && ok; i++)
        if ((rc = eval_cmp(a, &t->cmps[i], &ok)))
            return rc;
    const sk_store_op *ops = ok ? t->success : t->failure;
    size_t n = ok ? t->nsuccess : t->nfailure;
    res->succeeded = ok;
    if ((rc = check_ops(a, ops, n, res))) {
        res->status = rc;
        return 0;
    }
    bool bumped = false;
    if ((rc = apply_ops(a, ops, n, res, ar, &bumped)))
        return rc;
    if (bumped && (rc = st_revlog_flush(a, NULL, 0)))
        return rc;
    res->rev = a->rev;
    return 0;
}
