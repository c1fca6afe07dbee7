/* Store calls: each builds one msgpack request, makes one blocking
 * sk_call() and reads the answer; compare-and-swap writes are txns whose
 * failure branch reads the key, so a failed compare says whether the key
 * changed (409) or vanished (404). */
#include "store_client.h"

#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int call(ap_server *s, const char *method, sk_mp_buf *b, void **rep, size_t *n,
                sk_apierr *err)
{
    if (b->err) {
        sk_mp_buf_free(b);
        return sk_apierr_set(err, b->err, "store %s: cannot encode the request", method);
    }
    char msg[256] = "";
    int rc = sk_call(s->h, s->conf.store_service, method, b->data, b->len,
                     (int)s->conf.timeout_ms, rep, n, msg, sizeof msg);
    sk_mp_buf_free(b);
    if (rc)
        return sk_apierr_set(err, rc, "store %s: %s", method, *msg ? msg : sk_strerror(rc));
    return 0;
}

static void put_key(sk_mp_buf *b, const char *k, const void *p, size_t n)
{
    sk_mp_put_str(b, k);
    sk_mp_put_bin(b, p, n);
}

size_t ap_prefix_end(const char *prefix, size_t n, char *buf)
{
    memcpy(buf, prefix, n);
    while (n > 0) {
        if ((unsigned char)buf[n - 1] < 0xff) {
            buf[n - 1]++;
            return n;
        }
        n--;
    }
    return 0;
}

int ap_store_range(ap_server *s, const char *start, size_t start_len, const char *end,
                   size_t end_len, int64_t limit, int64_t rev, ap_range *out, sk_apierr *err)
{
    memset(out, 0, sizeof *out);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1 + (end ? 1 : 0) + (limit > 0) + (rev > 0));
    put_key(&b, "key", start, start_len);
    if (end)
        put_key(&b, "range_end", end, end_len);
    if (limit > 0) {
        sk_mp_put_str(&b, "limit");
        sk_mp_put_int(&b, limit);
    }
    if (rev > 0) {
        sk_mp_put_str(&b, "revision");
        sk_mp_put_int(&b, rev);
    }
    int rc = call(s, "range", &b, &out->buf, &out->len, err);
    if (rc)
        return rc;
    sk_mp_view v, kvs, x;
    if (sk_mp_check(out->buf, out->len, 16, &v) || sk_mp_find(v, "kvs", &kvs) ||
        sk_mp_iter_init(kvs, &out->it, &out->n) || sk_mp_find(v, "revision", &x) ||
        sk_mp_get_int(x, &out->rev)) {
        ap_range_free(out);
        return sk_apierr_set(err, SK_EBADMSG, "store range: malformed answer");
    }
    if (sk_mp_find(v, "more", &x) == 0)
        sk_mp_get_bool(x, &out->more);
    ap_cache_saw(s, out->rev);
    return 0;
}

static int read_kv(sk_mp_view e, ap_kv *kv)
{
    sk_mp_view x;
    const void *p;
    memset(kv, 0, sizeof *kv);
    if (sk_mp_find(e, "key", &x) || sk_mp_get_bin(x, &p, &kv->key_len))
        return SK_EBADMSG;
    kv->key = p;
    if (sk_mp_find(e, "mod_revision", &x) || sk_mp_get_int(x, &kv->mod_rev))
        return SK_EBADMSG;
    if (sk_mp_find(e, "create_revision", &x) || sk_mp_get_int(x, &kv->create_rev))
        return SK_EBADMSG;
    if (sk_mp_find(e, "value", &x) == 0) {
        const void *vp;
        size_t vn;
        if (sk_mp_get_bin(x, &vp, &vn) || sk_mp_check(vp, vn, SK_MP_MAX_DEPTH, &kv->value))
            return SK_EBADMSG;
    }
    return 0;
}

int ap_range_next(ap_range *r, ap_kv *kv)
{
    sk_mp_view e;
    int rc = sk_mp_iter_next(&r->it, NULL, &e);
    if (rc != 1)
        return rc;
    return read_kv(e, kv) ? SK_EBADMSG : 1;
}

void ap_range_free(ap_range *r)
{
    free(r->buf);
    r->buf = NULL;
}

int ap_store_get(ap_server *s, const char *key, void **buf, ap_kv *kv, sk_apierr *err)
{
    ap_range r;
    *buf = NULL;
    int rc = ap_store_range(s, key, strlen(key), NULL, 0, 0, 0, &r, err);
    if (rc)
        return rc;
    rc = ap_range_next(&r, kv);
    if (rc != 1) {
        ap_range_free(&r);
        return rc == 0 ? SK_ENOTFOUND : sk_apierr_set(err, rc, "store range: malformed kv");
    }
    if (!kv->value.p) {
        ap_range_free(&r);
        return sk_apierr_set(err, SK_EBADMSG, "store range: kv without a value");
    }
    *buf = r.buf;
    return 0;
}

/* A txn: compare mod_revision of key with expect (op "=", or ">" 0 for
 * "exists"), then `op` on success and a read of the key on failure. */
static int txn(ap_server *s, const char *key, const char *cmp_op, int64_t expect, bool put,
               const void *val, size_t n, int64_t *rev, bool *exists, sk_apierr *err)
{
    size_t klen = strlen(key);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    sk_mp_put_str(&b, "compare");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 4);
    put_key(&b, "key", key, klen);
    sk_mp_put_str(&b, "target");
    sk_mp_put_str(&b, "mod");
    sk_mp_put_str(&b, "result");
    sk_mp_put_str(&b, cmp_op);
    sk_mp_put_str(&b, "mod_revision");
    sk_mp_put_int(&b, expect);
    sk_mp_put_str(&b, "success");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, put ? "put" : "delete");
    sk_mp_put_map(&b, put ? 2 : 1);
    put_key(&b, "key", key, klen);
    if (put)
        put_key(&b, "value", val, n);
    sk_mp_put_str(&b, "failure");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "range");
    sk_mp_put_map(&b, 2);
    put_key(&b, "key", key, klen);
    sk_mp_put_str(&b, "count_only");
    sk_mp_put_bool(&b, true);
    void *rep = NULL;
    size_t rn = 0;
    int rc = call(s, "txn", &b, &rep, &rn, err);
    if (rc)
        return rc;
    sk_mp_view v, x;
    bool ok = false;
    int64_t count = 0;
    if (sk_mp_check(rep, rn, 16, &v) || sk_mp_find(v, "succeeded", &x) ||
        sk_mp_get_bool(x, &ok) || sk_mp_find(v, "revision", &x) || sk_mp_get_int(x, rev)) {
        free(rep);
        return sk_apierr_set(err, SK_EBADMSG, "store txn: malformed answer");
    }
    ap_cache_saw(s, *rev);
    if (!ok && sk_mp_find(v, "responses.0.range.count", &x) == 0)
        sk_mp_get_int(x, &count);
    free(rep);
    *exists = ok || count > 0;
    return ok ? 0 : SK_ECONFLICT;
}

int ap_store_create(ap_server *s, const char *key, const void *val, size_t n, int64_t *rev,
                    sk_apierr *err)
{
    bool exists;
    int rc = txn(s, key, "=", 0, true, val, n, rev, &exists, err);
    return rc == SK_ECONFLICT ? SK_EEXISTS : rc;
}

int ap_store_update(ap_server *s, const char *key, const void *val, size_t n, int64_t expect,
                    int64_t *rev, sk_apierr *err)
{
    bool exists;
    int rc = txn(s, key, "=", expect, true, val, n, rev, &exists, err);
    return rc == SK_ECONFLICT && !exists ? SK_ENOTFOUND : rc;
}

int ap_store_delete(ap_server *s, const char *key, int64_t expect, int64_t *rev,
                    sk_apierr *err)
{
    bool exists;
    int rc = expect ? txn(s, key, "=", expect, false, NULL, 0, rev, &exists, err)
                    : txn(s, key, ">", 0, false, NULL, 0, rev, &exists, err);
    return rc == SK_ECONFLICT && !exists ? SK_ENOTFOUND : rc;
}
