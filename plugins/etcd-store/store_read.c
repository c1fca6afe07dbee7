/* Reading: point lookups and ordered scans over the current index or over
 * history at an older revision, both in user-key order (long-key runs are
 * sorted here, see store_key.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "store_int.h"

typedef struct scan_ctx {
    sk_store *st;
    MDB_txn *txn;
    const sk_store_span *sp;
    bool inf;
    int64_t rev;
    st_scan_fn fn;
    void *arg;
    st_ent *run;
    size_t nrun, caprun;
} scan_ctx;

bool st_span_contains(const sk_store_span *sp, const uint8_t *key, size_t klen)
{
    if (sp->end_len == 0)
        return st_key_cmp(key, klen, sp->key, sp->key_len) == 0;
    if (st_key_cmp(key, klen, sp->key, sp->key_len) < 0)
        return false;
    if (sp->end_len == 1 && sp->end[0] == 0)
        return true;
    return st_key_cmp(key, klen, sp->end, sp->end_len) < 0;
}

int st_span_check(const sk_store_span *sp, bool single_ok, char *err, size_t errlen)
{
    if (sp->key_len > SK_STORE_MAX_KEY || sp->end_len > SK_STORE_MAX_KEY + 1) {
        snprintf(err, errlen, "key longer than %d bytes", SK_STORE_MAX_KEY);
        return SK_ETOOLARGE;
    }
    if ((sp->key_len && !sp->key) || (sp->end_len && !sp->end)) {
        snprintf(err, errlen, "key or range_end missing");
        return SK_EBADMSG;
    }
    if (sp->end_len == 0 && (!single_ok || sp->key_len == 0)) {
        snprintf(err, errlen, single_ok ? "empty key" : "a range is required");
        return SK_EBADMSG;
    }
    return 0;
}

/* <0 before the span, 0 inside, >0 at or past its end. */
static int span_pos(const scan_ctx *c, const uint8_t *k, size_t kl)
{
    if (st_key_cmp(k, kl, c->sp->key, c->sp->key_len) < 0)
        return -1;
    if (!c->inf && st_key_cmp(k, kl, c->sp->end, c->sp->end_len) >= 0)
        return 1;
    return 0;
}

static int emit(scan_ctx *c, const st_ent *e)
{
    int p = span_pos(c, e->key, e->key_len);
    if (p < 0)
        return 0;
    if (p > 0)
        return 1;
    return c->fn(c->arg, e);
}

static int run_push(scan_ctx *c, const st_ent *e)
{
    st_ent *run = st_grow(c->run, &c->caprun, c->nrun + 1, sizeof *run, 8);
    if (!run)
        return -ENOMEM;
    c->run = run;
    c->run[c->nrun++] = *e;
    return 0;
}

static int ent_key_cmp(const void *a, const void *b)
{
    const st_ent *x = a, *y = b;
    return st_key_cmp(x->key, x->key_len, y->key, y->key_len);
}

static int emit_run(scan_ctx *c)
{
    qsort(c->run, c->nrun, sizeof *c->run, ent_key_cmp);
    for (size_t i = 0; i < c->nrun; i++) {
        int r = emit(c, &c->run[i]);
        if (r)
            return r;
    }
    c->nrun = 0;
    return 0;
}

/* Where e is stored, and its key: a long key's ekey holds only part of it,
 * so its record (rkey) must carry the whole key. */
static int ent_set_key(st_ent *e, const uint8_t *ekey, size_t elen, const uint8_t *rkey,
                       size_t rkey_len)
{
    e->ekey = ekey;
    e->elen = elen;
    if (!st_ekey_is_long(elen)) {
        e->key = ekey;
        e->key_len = elen;
        return 0;
    }
    if (!rkey)
        return SK_EINTERNAL;
    e->key = rkey;
    e->key_len = rkey_len;
    return 0;
}

static int ent_from_idx(const MDB_val *k, const MDB_val *v, st_ent *e)
{
    st_idx_rec r;
    if (st_idx_decode(v, &r) || ent_set_key(e, k->mv_data, k->mv_size, r.key, r.key_len))
        return SK_EINTERNAL;
    e->create_rev = r.create_rev;
    e->mod_rev = r.mod_rev;
    e->version = r.version;
    e->lease = r.lease;
    e->value = NULL;
    e->value_len = 0;
    e->has_value = false;
    return 0;
}

static bool same_run(const MDB_val *k, const uint8_t *prefix)
{
    return st_ekey_is_long(k->mv_size) && memcmp(k->mv_data, prefix, ST_KEY_SHORT_MAX) == 0;
}

static int scan_idx(scan_ctx *c, MDB_cursor *cur)
{
    uint8_t floor[ST_EKEY_MAX];
    MDB_val k = {st_ekey_floor(c->sp->key, c->sp->key_len, floor), floor}, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    int res = 0;
    while (rc == 0 && res == 0) {
        st_ent e;
        if (!st_ekey_is_long(k.mv_size)) {
            if ((res = ent_from_idx(&k, &v, &e)) || (res = emit(c, &e)))
                break;
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        const uint8_t *prefix = k.mv_data;
        do {
            if ((res = ent_from_idx(&k, &v, &e)) || (res = run_push(c, &e)))
                return res;
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        } while (rc == 0 && same_run(&k, prefix));
        res = emit_run(c);
    }
    if (res)
        return res;
    return rc == MDB_NOTFOUND ? 0 : st_mdb_err(rc, "scan idx", NULL, 0);
}

static int ent_from_hist(const MDB_val *k, const MDB_val *v, st_ent *e, bool *live)
{
    st_hist_rec r;
    if (st_hist_decode(v, &r) || ent_set_key(e, k->mv_data, st_hkey_elen(k), r.key, r.key_len))
        return SK_EINTERNAL;
    e->create_rev = r.create_rev;
    e->mod_rev = (int64_t)st_hkey_rev(k);
    e->version = r.version;
    e->lease = r.lease;
    e->value = r.value;
    e->value_len = r.value_len;
    e->has_value = true;
    *live = !(r.flags & ST_REC_TOMB);
    return 0;
}

static bool hkey_has_ekey(const MDB_val *k, const uint8_t *ekey, size_t elen)
{
    return st_hkey_elen(k) == elen && (elen == 0 || memcmp(k->mv_data, ekey, elen) == 0);
}

/* The latest entry of ekey with revision <= rev. Leaves the cursor
 * anywhere. 0 with *live, SK_ENOTFOUND, or < 0. */
static int hist_latest(MDB_cursor *cur, const uint8_t *ekey, size_t elen, uint64_t rev,
                       st_ent *e, bool *live)
{
    uint8_t hk[ST_HKEY_MAX];
    MDB_val k = {st_hkey(ekey, elen, rev + 1, hk), hk}, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
    else if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    if (rc == MDB_NOTFOUND)
        return SK_ENOTFOUND;
    if (rc)
        return st_mdb_err(rc, "read hist", NULL, 0);
    if (!hkey_has_ekey(&k, ekey, elen))
        return SK_ENOTFOUND;
    return ent_from_hist(&k, &v, e, live);
}

/* Moves the cursor to the first entry of the ekey after this one. */
static int hist_next_ekey(MDB_cursor *cur, const uint8_t *ekey, size_t elen, MDB_val *k,
                          MDB_val *v)
{
    uint8_t hk[ST_HKEY_MAX];
    k->mv_size = st_hkey(ekey, elen, UINT64_MAX, hk);
    k->mv_data = hk;
    return mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
}

static int scan_hist(scan_ctx *c, MDB_cursor *cur)
{
    uint8_t hk[ST_HKEY_MAX], e1[ST_EKEY_MAX];
    uint8_t floor[ST_EKEY_MAX];
    size_t fl = st_ekey_floor(c->sp->key, c->sp->key_len, floor);
    MDB_val k = {st_hkey(floor, fl, 0, hk), hk}, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    int res = 0;
    uint8_t prefix[ST_KEY_SHORT_MAX];
    while (rc == 0 && res == 0) {
        size_t elen = st_hkey_elen(&k);
        memcpy(e1, k.mv_data, elen);
        bool is_long = st_ekey_is_long(elen);
        if (!is_long && span_pos(c, e1, elen) > 0)
            return 0;
        if (is_long)
            memcpy(prefix, e1, ST_KEY_SHORT_MAX);
        st_ent e;
        bool live = false;
        res = hist_latest(cur, e1, elen, (uint64_t)c->rev, &e, &live);
        if (res == 0 && live)
            res = is_long ? run_push(c, &e) : emit(c, &e);
        else if (res == SK_ENOTFOUND)
            res = 0;
        if (res)
            break;
        rc = hist_next_ekey(cur, e1, elen, &k, &v);
        if (is_long && (rc != 0 || !same_run(&(MDB_val){st_hkey_elen(&k), k.mv_data}, prefix)))
            res = emit_run(c);
    }
    if (res)
        return res;
    return rc == MDB_NOTFOUND ? 0 : st_mdb_err(rc, "scan hist", NULL, 0);
}

int st_scan(sk_store *st, MDB_txn *txn, const sk_store_span *sp, int64_t rev, bool current,
            st_scan_fn fn, void *arg)
{
    scan_ctx c = {.st = st, .txn = txn, .sp = sp, .rev = rev, .fn = fn, .arg = arg};
    c.inf = sp->end_len == 1 && sp->end[0] == 0;
    if (!c.inf && st_key_cmp(sp->end, sp->end_len, sp->key, sp->key_len) <= 0)
        return 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, current ? st->db_idx : st->db_hist, &cur);
    if (rc)
        return st_mdb_err(rc, "open cursor", NULL, 0);
    rc = current ? scan_idx(&c, cur) : scan_hist(&c, cur);
    mdb_cursor_close(cur);
    free(c.run);
    return rc < 0 ? rc : 0;
}

/* Long keys: the entries of db whose ekey shares key's prefix and hash,
 * one per collision number. For idx the record holds the whole key; for
 * hist any entry of the ekey does. *c_free gets the lowest unused number. */
static int long_find(sk_store *st, MDB_txn *txn, bool hist, const uint8_t *key, size_t klen,
                     uint8_t *ekey, bool *found, int *c_free)
{
    uint8_t hk[ST_HKEY_MAX];
    uint8_t used[256] = {0};
    st_ekey_long(key, klen, 0, ekey);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, hist ? st->db_hist : st->db_idx, &cur);
    if (rc)
        return st_mdb_err(rc, "open cursor", NULL, 0);
    MDB_val k = {hist ? st_hkey(ekey, ST_EKEY_LONG, 0, hk) : ST_EKEY_LONG, hist ? hk : ekey}, v;
    *found = false;
    int res = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0) {
        size_t elen = hist ? st_hkey_elen(&k) : k.mv_size;
        if (elen != ST_EKEY_LONG || memcmp(k.mv_data, ekey, ST_EKEY_LONG - 1) != 0)
            break;
        const uint8_t *fk;
        size_t fkl;
        if (hist) {
            st_hist_rec r;
            res = st_hist_decode(&v, &r);
            fk = r.key, fkl = r.key_len;
        } else {
            st_idx_rec r;
            res = st_idx_decode(&v, &r);
            fk = r.key, fkl = r.key_len;
        }
        if (res)
            break;
        uint8_t c = ((const uint8_t *)k.mv_data)[ST_EKEY_LONG - 1];
        used[c] = 1;
        if (fkl == klen && memcmp(fk, key, klen) == 0) {
            ekey[ST_EKEY_LONG - 1] = c;
            *found = true;
            break;
        }
        uint8_t cur_e[ST_EKEY_MAX];
        memcpy(cur_e, k.mv_data, ST_EKEY_LONG);
        rc = hist ? hist_next_ekey(cur, cur_e, ST_EKEY_LONG, &k, &v)
                  : mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (res)
        return res;
    if (rc && rc != MDB_NOTFOUND)
        return st_mdb_err(rc, "find long key", NULL, 0);
    *c_free = -1;
    for (int i = 0; i < 256; i++)
        if (!used[i]) {
            *c_free = i;
            break;
        }
    return 0;
}

/* The ekey an existing key is stored under: the key itself when short,
 * else its long form as found in idx (or in history, with hist). */
static int existing_ekey(sk_store *st, MDB_txn *txn, bool hist, const uint8_t *key, size_t klen,
                         uint8_t *ekey_buf, const uint8_t **ekey, size_t *elen)
{
    *ekey = key;
    *elen = klen;
    if (klen <= ST_KEY_SHORT_MAX)
        return 0;
    bool found;
    int cfree, rc = long_find(st, txn, hist, key, klen, ekey_buf, &found, &cfree);
    if (rc)
        return rc;
    if (!found)
        return SK_ENOTFOUND;
    *ekey = ekey_buf;
    *elen = ST_EKEY_LONG;
    return 0;
}

int st_get_current(sk_store *st, MDB_txn *txn, const uint8_t *key, size_t klen, st_ent *e,
                   uint8_t *ekey_buf)
{
    const uint8_t *ekey;
    size_t elen;
    int rc = existing_ekey(st, txn, false, key, klen, ekey_buf, &ekey, &elen);
    return rc ? rc : st_get_by_ekey(st, txn, ekey, elen, e);
}

/* The ekey a write of key uses: the existing one, or a fresh collision
 * number for a long key never seen (in history) before. */
int st_key_assign(sk_store *st, MDB_txn *txn, const uint8_t *key, size_t klen, uint8_t *ekey,
                  size_t *elen)
{
    if (klen <= ST_KEY_SHORT_MAX) {
        memcpy(ekey, key, klen);
        *elen = klen;
        return 0;
    }
    bool found;
    int cfree, rc = long_find(st, txn, true, key, klen, ekey, &found, &cfree);
    if (rc)
        return rc;
    if (!found) {
        if (cfree < 0)
            return SK_EINTERNAL;
        ekey[ST_EKEY_LONG - 1] = (uint8_t)cfree;
    }
    *elen = ST_EKEY_LONG;
    return 0;
}

/* The live entry of ekey at rev in history: 0, SK_ENOTFOUND (none, or a
 * tombstone), or < 0. */
static int hist_live_at(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, uint64_t rev,
                        st_ent *e)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, st->db_hist, &cur);
    if (rc)
        return st_mdb_err(rc, "open cursor", NULL, 0);
    bool live = false;
    rc = hist_latest(cur, ekey, elen, rev, e, &live);
    mdb_cursor_close(cur);
    if (rc == 0 && !live)
        rc = SK_ENOTFOUND;
    return rc;
}

int st_get_at(sk_store *st, MDB_txn *txn, const uint8_t *key, size_t klen, int64_t rev,
              st_ent *e, uint8_t *ekey_buf)
{
    const uint8_t *ekey;
    size_t elen;
    int rc = existing_ekey(st, txn, true, key, klen, ekey_buf, &ekey, &elen);
    return rc ? rc : hist_live_at(st, txn, ekey, elen, (uint64_t)rev, e);
}

int st_hist_before(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, int64_t rev,
                   st_ent *e)
{
    return rev > 0 ? hist_live_at(st, txn, ekey, elen, (uint64_t)rev - 1, e) : SK_ENOTFOUND;
}

int st_value_at(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, int64_t mod_rev,
                const uint8_t **val, size_t *vlen)
{
    uint8_t hk[ST_HKEY_MAX];
    MDB_val k = {st_hkey(ekey, elen, (uint64_t)mod_rev, hk), hk}, v;
    int rc = mdb_get(txn, st->db_hist, &k, &v);
    if (rc)
        return rc == MDB_NOTFOUND ? SK_EINTERNAL : st_mdb_err(rc, "read value", NULL, 0);
    st_hist_rec r;
    if (st_hist_decode(&v, &r))
        return SK_EINTERNAL;
    *val = r.value;
    *vlen = r.value_len;
    return 0;
}

int st_get_by_ekey(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, st_ent *e)
{
    MDB_val k = {elen, (void *)ekey}, v;
    int rc = mdb_get(txn, st->db_idx, &k, &v);
    if (rc == MDB_NOTFOUND)
        return SK_ENOTFOUND;
    if (rc)
        return st_mdb_err(rc, "read idx", NULL, 0);
    return ent_from_idx(&k, &v, e);
}
