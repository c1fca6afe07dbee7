/* Compaction. Logically it is one number: reads below compact_rev fail
 * from the commit that raises it. Physically, the writer then removes the
 * history nobody can read anymore a bounded slice at a time between
 * batches, so a big compaction never stalls writes; freed pages go back to
 * LMDB's free list and are reused by later writes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "skiff/errors.h"
#include "store_int.h"

int st_apply_compact(st_apply *a, int64_t rev, sk_store_result *res)
{
    uint64_t cur = 0;
    int rc = st_meta_get_u64(a->txn, a->st, "compact", &cur);
    if (rc)
        return rc;
    res->rev = a->rev;
    res->compact_rev = (int64_t)cur;
    if (rev > a->rev) {
        res->status = -ERANGE;
        snprintf(res->err, sizeof res->err,
                 "compact: revision %lld is in the future: revision=%lld", (long long)rev,
                 (long long)a->rev);
        return 0;
    }
    if (rev <= (int64_t)cur) {
        res->status = SK_ECOMPACTED;
        snprintf(res->err, sizeof res->err,
                 "revision %lld compacted: compact_revision=%lld revision=%lld",
                 (long long)rev, (long long)cur, (long long)a->rev);
        return 0;
    }
    if ((rc = st_meta_put_u64(a->txn, a->st, "compact", (uint64_t)rev)))
        return rc;
    res->compact_rev = rev;
    return 0;
}

/* Removes what no read at revision >= target can see of one key: every
 * version older than its latest one at target, and that one too when it
 * is a tombstone. */
static int compact_key(MDB_cursor *cur, const uint8_t *ekey, size_t elen,
                       int64_t target)
{
    uint8_t hk[ST_HKEY_MAX];
    MDB_val k = {st_hkey(ekey, elen, (uint64_t)target + 1, hk), hk}, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV)
                 : rc == MDB_NOTFOUND ? mdb_cursor_get(cur, &k, &v, MDB_LAST) : rc;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return st_mdb_err(rc, "compact: read hist", NULL, 0);
    if (st_hkey_elen(&k) != elen || memcmp(k.mv_data, ekey, elen) != 0)
        return 0;
    st_hist_rec r;
    if (st_hist_decode(&v, &r))
        return SK_EINTERNAL;
    uint64_t keep = st_hkey_rev(&k);
    uint64_t upto = r.flags & ST_REC_TOMB ? keep + 1 : keep;
    k = (MDB_val){st_hkey(ekey, elen, 0, hk), hk};
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && st_hkey_elen(&k) == elen && memcmp(k.mv_data, ekey, elen) == 0 &&
           st_hkey_rev(&k) < upto) {
        if ((rc = mdb_cursor_del(cur, 0)))
            return st_mdb_err(rc, "compact: delete hist", NULL, 0);
        /* After a delete the cursor already stands on the next record. */
        rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
    }
    return rc == 0 || rc == MDB_NOTFOUND || rc == EINVAL ? 0
                                                         : st_mdb_err(rc, "compact: scan", NULL, 0);
}

static int compact_revision(st_apply *a, MDB_cursor *hc, const MDB_val *rec, int64_t target)
{
    const uint8_t *p = rec->mv_data, *end = p + rec->mv_size;
    while (p + 5 <= end) {
        size_t klen = (size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24;
        if (klen > (size_t)(end - p - 5))
            return SK_EINTERNAL;
        uint8_t ekey[ST_EKEY_MAX];
        size_t elen;
        int rc = st_key_assign(a->st, a->txn, p + 5, klen, ekey, &elen);
        if (rc || (rc = compact_key(hc, ekey, elen, target)))
            return rc;
        p += 5 + klen;
    }
    return 0;
}

int st_compact_step(st_apply *a, int64_t max_revs, char *err, size_t errlen)
{
    uint64_t target = 0, done = 0;
    int rc = st_meta_get_u64(a->txn, a->st, "compact", &target);
    if (rc == 0)
        rc = st_meta_get_u64(a->txn, a->st, "compact_done", &done);
    if (rc)
        return rc;
    if (done >= target)
        return 0;
    MDB_cursor *rcur, *hcur;
    if ((rc = mdb_cursor_open(a->txn, a->st->db_rev, &rcur)))
        return st_mdb_err(rc, "compact: open revlog cursor", err, errlen);
    if ((rc = mdb_cursor_open(a->txn, a->st->db_hist, &hcur))) {
        mdb_cursor_close(rcur);
        return st_mdb_err(rc, "compact: open hist cursor", err, errlen);
    }
    uint8_t kb[8];
    st_put_u64(kb, done + 1);
    MDB_val k = {8, kb}, v;
    int64_t n = 0;
    int res = 0;
    rc = mdb_cursor_get(rcur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && n < max_revs) {
        uint64_t r = st_get_u64(k.mv_data);
        if (r > target)
            break;
        if ((res = compact_revision(a, hcur, &v, (int64_t)target)))
            break;
        if ((rc = mdb_cursor_del(rcur, 0)))
            break;
        done = r;
        n++;
        rc = mdb_cursor_get(rcur, &k, &v, MDB_GET_CURRENT);
    }
    mdb_cursor_close(hcur);
    mdb_cursor_close(rcur);
    if (res)
        return res;
    /* EINVAL: the cursor fell off the end with the last record deleted. */
    bool at_end = rc == MDB_NOTFOUND || rc == EINVAL;
    if (rc && !at_end)
        return st_mdb_err(rc, "compact: revlog", err, errlen);
    if (at_end || (rc == 0 && n < max_revs))
        done = target;
    if ((rc = st_meta_put_u64(a->txn, a->st, "compact_done", done)))
        return rc;
    return done < target;
}

int64_t sk_store_autocompact_tick(sk_store *st, const sk_store_autocompact *p)
{
    int64_t rev = atomic_load(&st->rev), compact = atomic_load(&st->compact_rev), target = 0;
    uint64_t now = st_now_ms(st);
    pthread_mutex_lock(&st->amu);
    if (p->retain_revisions > 0 && rev - p->retain_revisions > compact)
        target = rev - p->retain_revisions;
    if (p->retain_ms > 0) {
        /* Samples at a tenth of the window tell which revision was current
         * retain_ms ago, as etcd's periodic compactor does. */
        uint64_t every = (uint64_t)p->retain_ms / 10 ? (uint64_t)p->retain_ms / 10 : 1;
        size_t cap = sizeof st->samples / sizeof st->samples[0];
        if (st->nsamples == 0 || now - st->last_sample_ms >= every) {
            st->samples[(st->sample_head + st->nsamples) % cap].at_ms = now;
            st->samples[(st->sample_head + st->nsamples) % cap].rev = rev;
            if (st->nsamples < cap)
                st->nsamples++;
            else
                st->sample_head = (st->sample_head + 1) % cap;
            st->last_sample_ms = now;
        }
        int64_t t = 0;
        while (st->nsamples > 0) {
            size_t i = st->sample_head;
            if (now - st->samples[i].at_ms < (uint64_t)p->retain_ms)
                break;
            t = st->samples[i].rev;
            st->sample_head = (i + 1) % cap;
            st->nsamples--;
        }
        if (t > compact && t > target)
            target = t;
    }
    pthread_mutex_unlock(&st->amu);
    if (target <= compact)
        return 0;
    return sk_store_submit_compact(st, target, false, NULL, NULL) == 0 ? target : 0;
}
