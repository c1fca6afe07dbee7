/* Leases: durable records (id -> TTL) plus an in-memory table of
 * deadlines. Keep-alives only touch the table: after a restart every lease
 * gets a full TTL again (etcd does the same on leader change), so a
 * keep-alive never costs a disk write. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "store_int.h"

typedef struct lnode {
    struct lnode *next;
    int64_t id, ttl;
    uint64_t deadline;
    bool revoking;
} lnode;

struct st_lease_table {
    pthread_mutex_t mu;
    lnode **b;
    size_t nb, n;
};

#define NBUCKETS 1024

int st_leases_new(st_lease_table **out)
{
    st_lease_table *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->nb = NBUCKETS;
    t->b = calloc(t->nb, sizeof *t->b);
    if (!t->b) {
        free(t);
        return -ENOMEM;
    }
    pthread_mutex_init(&t->mu, NULL);
    *out = t;
    return 0;
}

void st_leases_free(st_lease_table **tp)
{
    st_lease_table *t = *tp;
    if (!t)
        return;
    for (size_t i = 0; i < t->nb; i++)
        for (lnode *n = t->b[i], *nx; n; n = nx) {
            nx = n->next;
            free(n);
        }
    free(t->b);
    pthread_mutex_destroy(&t->mu);
    free(t);
    *tp = NULL;
}

static lnode **slot(st_lease_table *t, int64_t id)
{
    lnode **p = &t->b[(uint64_t)id * 0x9E3779B97F4A7C15ull >> 54 & (t->nb - 1)];
    while (*p && (*p)->id != id)
        p = &(*p)->next;
    return p;
}

static int table_put(st_lease_table *t, int64_t id, int64_t ttl, uint64_t now)
{
    lnode **p = slot(t, id);
    if (!*p) {
        *p = calloc(1, sizeof **p);
        if (!*p)
            return -ENOMEM;
        (*p)->id = id;
        t->n++;
    }
    (*p)->ttl = ttl;
    (*p)->deadline = now + (uint64_t)ttl * 1000;
    (*p)->revoking = false;
    return 0;
}

static void table_del(st_lease_table *t, int64_t id)
{
    lnode **p = slot(t, id);
    if (*p) {
        lnode *n = *p;
        *p = n->next;
        free(n);
        t->n--;
    }
}

int st_leases_load(sk_store *st, MDB_txn *txn, char *err, size_t errlen)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, st->db_lease, &cur);
    if (rc)
        return st_mdb_err(rc, "open lease cursor", err, errlen);
    MDB_val k, v;
    uint64_t now = st_now_ms(st);
    rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        if (k.mv_size != 8 || v.mv_size != 8) {
            mdb_cursor_close(cur);
            snprintf(err, errlen, "%s/data.mdb: corrupt lease record", st->dir);
            return SK_EINTERNAL;
        }
        if (table_put(st->leases, (int64_t)st_get_u64(k.mv_data),
                      (int64_t)st_get_u64(v.mv_data), now)) {
            mdb_cursor_close(cur);
            return -ENOMEM;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : st_mdb_err(rc, "load leases", err, errlen);
}

void st_leases_commit(sk_store *st, const st_apply *a)
{
    st_lease_table *t = st->leases;
    uint64_t now = st_now_ms(st);
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < a->nlchg; i++) {
        if (a->lchg[i].grant)
            table_put(t, a->lchg[i].id, a->lchg[i].ttl, now); /* ENOMEM: lease lives on disk, */
        else                                               /* returns at the next start */
            table_del(t, a->lchg[i].id);
    }
    pthread_mutex_unlock(&t->mu);
}

uint64_t st_leases_count(sk_store *st)
{
    pthread_mutex_lock(&st->leases->mu);
    uint64_t n = st->leases->n;
    pthread_mutex_unlock(&st->leases->mu);
    return n;
}

int sk_store_lease_keepalive(sk_store *st, int64_t id, int64_t *ttl)
{
    st_lease_table *t = st->leases;
    int rc = SK_ENOTFOUND;
    pthread_mutex_lock(&t->mu);
    lnode *n = *slot(t, id);
    if (n && !n->revoking) {
        n->deadline = st_now_ms(st) + (uint64_t)n->ttl * 1000;
        *ttl = n->ttl;
        rc = 0;
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}

int sk_store_lease_list(sk_store *st, sk_store_lease_info **out, size_t *count)
{
    st_lease_table *t = st->leases;
    uint64_t now = st_now_ms(st);
    pthread_mutex_lock(&t->mu);
    sk_store_lease_info *v = malloc((t->n ? t->n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < t->nb; i++)
        for (lnode *n = t->b[i]; n; n = n->next)
            v[k++] = (sk_store_lease_info){
                .id = n->id, .ttl = n->ttl,
                .remaining_ms = n->deadline > now ? (int64_t)(n->deadline - now) : 0};
    pthread_mutex_unlock(&t->mu);
    if (!v)
        return -ENOMEM;
    *out = v;
    *count = k;
    return 0;
}

static void expire_done(void *arg, const sk_store_result *res)
{
    sk_store *st = arg;
    if (res->status == 0 || res->status == SK_ENOTFOUND)
        return;
    /* Not revoked (e.g. stopping): let the next tick try again. */
    pthread_mutex_lock(&st->leases->mu);
    lnode *n = *slot(st->leases, res->lease_id);
    if (n)
        n->revoking = false;
    pthread_mutex_unlock(&st->leases->mu);
}

int sk_store_lease_expire(sk_store *st)
{
    st_lease_table *t = st->leases;
    uint64_t now = st_now_ms(st);
    int64_t due[256];
    size_t n = 0;
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->nb && n < 256; i++)
        for (lnode *l = t->b[i]; l && n < 256; l = l->next)
            if (!l->revoking && l->deadline <= now) {
                l->revoking = true;
                due[n++] = l->id;
            }
    pthread_mutex_unlock(&t->mu);
    int submitted = 0;
    for (size_t i = 0; i < n; i++) {
        if (sk_store_submit_lease_revoke(st, due[i], expire_done, st) == 0) {
            submitted++;
            continue;
        }
        pthread_mutex_lock(&t->mu);
        lnode *l = *slot(t, due[i]);
        if (l)
            l->revoking = false;
        pthread_mutex_unlock(&t->mu);
    }
    return submitted;
}

/* ---- writer side ---- */

static int lchg_add(st_apply *a, int64_t id, int64_t ttl, bool grant)
{
    void *n = st_grow(a->lchg, &a->caplchg, a->nlchg + 1, sizeof *a->lchg, 8);
    if (!n)
        return -ENOMEM;
    a->lchg = n;
    a->lchg[a->nlchg++] = (struct st_lease_change){.id = id, .ttl = ttl, .grant = grant};
    return 0;
}

int st_apply_lease_grant(st_apply *a, int64_t id, int64_t ttl, sk_store_result *res)
{
    uint8_t kb[8], vb[8];
    MDB_val k = {8, kb}, v;
    int rc;
    if (id == 0) {
        do {
            id = a->lease_next++;
            st_put_u64(kb, (uint64_t)id);
            rc = mdb_get(a->txn, a->st->db_lease, &k, &v);
        } while (rc == 0);
    } else {
        st_put_u64(kb, (uint64_t)id);
        rc = mdb_get(a->txn, a->st->db_lease, &k, &v);
        if (rc == 0) {
            res->status = SK_EEXISTS;
            snprintf(res->err, sizeof res->err, "lease %lld already exists", (long long)id);
            return 0;
        }
        if (id >= a->lease_next)
            a->lease_next = id + 1;
    }
    if (rc != MDB_NOTFOUND)
        return st_mdb_err(rc, "read lease", NULL, 0);
    st_put_u64(vb, (uint64_t)ttl);
    v = (MDB_val){8, vb};
    if ((rc = mdb_put(a->txn, a->st->db_lease, &k, &v, 0)))
        return st_mdb_err(rc, "write lease", NULL, 0);
    if ((rc = st_meta_put_u64(a->txn, a->st, "lease_next", (uint64_t)a->lease_next)) ||
        (rc = lchg_add(a, id, ttl, true)))
        return rc;
    res->lease_id = id;
    res->lease_ttl = ttl;
    res->rev = a->rev;
    return 0;
}

/* The ekeys attached to a lease, copied before deleting moves pages. */
static int lease_ekeys(st_apply *a, int64_t id, uint8_t **buf, size_t *len)
{
    uint8_t kb[8];
    st_put_u64(kb, (uint64_t)id);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(a->txn, a->st->db_lkeys, &cur);
    if (rc)
        return st_mdb_err(rc, "open leasekeys cursor", NULL, 0);
    MDB_val k = {8, kb}, v;
    size_t cap = 0;
    *buf = NULL;
    *len = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size > 8 && memcmp(k.mv_data, kb, 8) == 0) {
        size_t elen = k.mv_size - 8;
        uint8_t *n = st_grow(*buf, &cap, *len + elen + 2, 1, 4096);
        if (!n) {
            rc = -ENOMEM;
            break;
        }
        *buf = n;
        (*buf)[*len] = (uint8_t)elen;
        (*buf)[*len + 1] = (uint8_t)(elen >> 8);
        memcpy(*buf + *len + 2, (uint8_t *)k.mv_data + 8, elen);
        *len += elen + 2;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == -ENOMEM)
        return rc;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : st_mdb_err(rc, "read leasekeys", NULL, 0);
}

int st_apply_lease_revoke(st_apply *a, int64_t id, sk_store_result *res)
{
    uint8_t kb[8];
    st_put_u64(kb, (uint64_t)id);
    MDB_val k = {8, kb};
    res->lease_id = id;
    int rc = mdb_del(a->txn, a->st->db_lease, &k, NULL);
    if (rc == MDB_NOTFOUND) {
        res->status = SK_ENOTFOUND;
        snprintf(res->err, sizeof res->err, "lease %lld not found", (long long)id);
        return 0;
    }
    if (rc)
        return st_mdb_err(rc, "delete lease", NULL, 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    if ((rc = lease_ekeys(a, id, &buf, &len))) {
        free(buf);
        return rc;
    }
    bool bumped = false;
    for (size_t off = 0; off + 2 <= len && rc == 0;) {
        size_t elen = (size_t)buf[off] | (size_t)buf[off + 1] << 8;
        st_ent e;
        rc = st_get_by_ekey(a->st, a->txn, buf + off + 2, elen, &e);
        if (rc == 0) {
            /* e points into the page the delete rewrites: keep copies. */
            uint8_t key[SK_STORE_MAX_KEY], ek[ST_EKEY_MAX];
            memcpy(key, e.key, e.key_len);
            memcpy(ek, e.ekey, e.elen);
            e.key = key;
            e.ekey = ek;
            rc = st_delete_key(a, &e, &bumped, NULL, 0);
        } else if (rc == SK_ENOTFOUND) {
            rc = 0;
        }
        off += 2 + elen;
    }
    free(buf);
    if (rc == 0 && bumped)
        rc = st_revlog_flush(a, NULL, 0);
    if (rc == 0)
        rc = lchg_add(a, id, 0, false);
    res->rev = a->rev;
    return rc;
}
