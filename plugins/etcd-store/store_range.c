/* Range requests: validation against the compaction point, limits, counts
 * and values, on top of the scans of store_read.c. */
#include <errno.h>
#include <stdio.h>

#include "skiff/errors.h"
#include "store_int.h"

typedef struct range_ctx {
    sk_store *st;
    MDB_txn *txn;
    const sk_store_range_req *rq;
    sk_store_kv_fn fn;
    void *arg;
    int64_t count, emitted;
    bool more;
    int fn_rc;
} range_ctx;

static int range_visit(void *arg, const st_ent *e)
{
    range_ctx *c = arg;
    c->count++;
    if (c->rq->count_only)
        return 0;
    if (c->rq->limit > 0 && c->emitted >= c->rq->limit) {
        c->more = true;
        return 0;
    }
    sk_store_kv kv = {.key = e->key, .key_len = e->key_len, .create_rev = e->create_rev,
                      .mod_rev = e->mod_rev, .version = e->version, .lease = e->lease};
    if (!c->rq->keys_only) {
        if (e->has_value) {
            kv.value = e->value;
            kv.value_len = e->value_len;
        } else {
            int rc = st_value_at(c->st, c->txn, e->ekey, e->elen, e->mod_rev, &kv.value,
                                 &kv.value_len);
            if (rc)
                return rc;
        }
    }
    c->emitted++;
    int r = c->fn(c->arg, &kv);
    if (r) {
        c->fn_rc = r;
        return r < 0 ? r : 1;
    }
    return 0;
}

int st_range_in(sk_store *st, MDB_txn *txn, const sk_store_range_req *rq, int64_t cur_rev,
                sk_store_kv_fn fn, void *arg, sk_store_range_res *res)
{
    uint64_t compact = 0;
    int64_t rev = rq->rev > 0 ? rq->rev : cur_rev;
    int rc = st_meta_get_u64(txn, st, "compact", &compact);
    if (rc)
        return rc;
    *res = (sk_store_range_res){.rev = cur_rev, .compact_rev = (int64_t)compact};
    if (rev > cur_rev)
        return -ERANGE;
    if (rev < (int64_t)compact)
        return SK_ECOMPACTED;
    bool current = rev == cur_rev;
    range_ctx c = {.st = st, .txn = txn, .rq = rq, .fn = fn, .arg = arg};
    if (rq->span.end_len == 0) {
        uint8_t ebuf[ST_EKEY_MAX];
        st_ent e;
        rc = current ? st_get_current(st, txn, rq->span.key, rq->span.key_len, &e, ebuf)
                     : st_get_at(st, txn, rq->span.key, rq->span.key_len, rev, &e, ebuf);
        if (rc == 0)
            rc = range_visit(&c, &e);
        else if (rc == SK_ENOTFOUND)
            rc = 0;
    } else {
        rc = st_scan(st, txn, &rq->span, rev, current, range_visit, &c);
    }
    if (c.fn_rc)
        return c.fn_rc;
    if (rc < 0)
        return rc;
    res->count = c.count;
    res->more = c.more;
    return 0;
}

int sk_store_range(sk_store *st, const sk_store_range_req *rq, sk_store_kv_fn fn, void *arg,
                   sk_store_range_res *res, char *err, size_t errlen)
{
    int rc = st_span_check(&rq->span, true, err, errlen);
    if (rc)
        return rc;
    MDB_txn *txn;
    if ((rc = st_read_begin(st, &txn))) {
        snprintf(err, errlen, "store: cannot begin a read transaction");
        return rc;
    }
    uint64_t cur = 0;
    rc = st_meta_get_u64(txn, st, "rev", &cur);
    if (rc == 0)
        rc = st_range_in(st, txn, rq, (int64_t)cur, fn, arg, res);
    st_read_end(st, txn);
    if (rc == SK_ECOMPACTED)
        snprintf(err, errlen, "revision %lld compacted: compact_revision=%lld revision=%lld",
                 (long long)rq->rev, (long long)res->compact_rev, (long long)res->rev);
    else if (rc == -ERANGE)
        snprintf(err, errlen, "revision %lld is in the future: revision=%lld",
                 (long long)rq->rev, (long long)res->rev);
    else if (rc < 0 && rc != SK_EBADMSG)
        snprintf(err, errlen, "store: range failed: %s", sk_strerror(rc));
    return rc;
}

int sk_store_get_status(sk_store *st, sk_store_status *out)
{
    MDB_txn *txn;
    int rc = st_read_begin(st, &txn);
    if (rc)
        return rc;
    uint64_t rev = 0, compact = 0;
    rc = st_meta_get_u64(txn, st, "rev", &rev);
    if (rc == 0)
        rc = st_meta_get_u64(txn, st, "compact", &compact);
    MDB_envinfo info;
    if (rc == 0 && (rc = mdb_env_info(st->env, &info)))
        rc = st_mdb_err(rc, "mdb_env_info", NULL, 0);
    if (rc) {
        st_read_end(st, txn);
        return rc;
    }
    *out = (sk_store_status){
        .rev = (int64_t)rev,
        .compact_rev = (int64_t)compact,
        .db_size = (uint64_t)(info.me_last_pgno + 1) * st->page_size,
        .db_size_in_use = st_env_in_use(txn, st),
        .map_size = info.me_mapsize,
        .leases = st_leases_count(st),
        .watchers = st_hub_count(st->hub),
    };
    st_read_end(st, txn);
    return rc;
}
