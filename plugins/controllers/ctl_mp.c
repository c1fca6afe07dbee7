/* Reading, comparing, hashing and rewriting msgpack objects. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "skiff/errors.h"
#include "skiff/leader.h"

sk_mp_view ctl_get(sk_mp_view obj, const char *path)
{
    sk_mp_view v;
    if (!obj.p || sk_mp_find(obj, path, &v))
        return (sk_mp_view){NULL, 0};
    return v;
}

bool ctl_has(sk_mp_view obj, const char *path)
{
    sk_mp_view v = ctl_get(obj, path);
    return v.p && sk_mp_type_of(v) != SK_MP_NIL;
}

const char *ctl_str(sk_mp_view obj, const char *path, char *buf, size_t size)
{
    if (!size)
        return "";
    if (sk_mp_find_str(obj, path, buf, size))
        buf[0] = 0;
    return buf;
}

int64_t ctl_int(sk_mp_view obj, const char *path, int64_t def)
{
    sk_mp_view v = ctl_get(obj, path);
    int64_t x;
    return v.p && sk_mp_get_int(v, &x) == 0 ? x : def;
}

bool ctl_bool(sk_mp_view obj, const char *path, bool def)
{
    sk_mp_view v = ctl_get(obj, path);
    bool x;
    return v.p && sk_mp_get_bool(v, &x) == 0 ? x : def;
}

bool ctl_eq(sk_mp_view v, const char *s)
{
    return v.p && sk_mp_type_of(v) == SK_MP_STR && sk_mp_str_eq(v, s);
}

/* The value of key k (a view of a str) in map m, or invalid. */
static sk_mp_view map_lookup(sk_mp_view m, sk_mp_view k)
{
    sk_mp_iter it;
    sk_mp_view kk, vv;
    if (sk_mp_iter_init(m, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, &kk, &vv) == 1)
            if (kk.len == k.len && memcmp(kk.p, k.p, k.len) == 0)
                return vv;
    return (sk_mp_view){NULL, 0};
}

bool ctl_mp_equal(sk_mp_view a, sk_mp_view b)
{
    if (!a.p || !b.p)
        return !a.p && !b.p;
    sk_mp_type ta = sk_mp_type_of(a), tb = sk_mp_type_of(b);
    if (ta != tb) {
        int64_t x, y;
        /* 1 and 1u are the same number */
        return sk_mp_get_int(a, &x) == 0 && sk_mp_get_int(b, &y) == 0 && x == y;
    }
    if (ta == SK_MP_MAP) {
        uint32_t na, nb;
        sk_mp_iter it, jt;
        sk_mp_view k, v;
        if (sk_mp_iter_init(a, &it, &na) || sk_mp_iter_init(b, &jt, &nb) || na != nb)
            return false;
        while (sk_mp_iter_next(&it, &k, &v) == 1)
            if (!ctl_mp_equal(v, map_lookup(b, k)))
                return false;
        return true;
    }
    if (ta == SK_MP_ARRAY) {
        uint32_t na, nb;
        sk_mp_iter it, jt;
        sk_mp_view x, y;
        if (sk_mp_iter_init(a, &it, &na) || sk_mp_iter_init(b, &jt, &nb) || na != nb)
            return false;
        while (sk_mp_iter_next(&it, NULL, &x) == 1 && sk_mp_iter_next(&jt, NULL, &y) == 1)
            if (!ctl_mp_equal(x, y))
                return false;
        return true;
    }
    if (ta == SK_MP_UINT || ta == SK_MP_INT) {
        int64_t x, y;
        uint64_t ux, uy;
        if (sk_mp_get_int(a, &x) == 0 && sk_mp_get_int(b, &y) == 0)
            return x == y;
        return sk_mp_get_uint(a, &ux) == 0 && sk_mp_get_uint(b, &uy) == 0 && ux == uy;
    }
    if (ta == SK_MP_FLOAT) {
        double x, y;
        return sk_mp_get_double(a, &x) == 0 && sk_mp_get_double(b, &y) == 0 && x == y;
    }
    if (ta == SK_MP_STR || ta == SK_MP_BIN) {
        const char *x, *y;
        size_t nx, ny;
        if (ta == SK_MP_STR)
            return sk_mp_get_str(a, &x, &nx) == 0 && sk_mp_get_str(b, &y, &ny) == 0 &&
                   nx == ny && memcmp(x, y, nx) == 0;
    }
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

uint32_t ctl_mp_hash(sk_mp_view v, uint32_t seed)
{
    uint32_t h = seed ? seed : 2166136261u;
    sk_mp_type t = sk_mp_type_of(v);
    uint8_t tag = (uint8_t)t;
    int64_t i;
    if (t == SK_MP_UINT || t == SK_MP_INT) {
        tag = SK_MP_INT; /* one number, one hash, whatever its encoding */
        h = fnv(h, &tag, 1);
        if (sk_mp_get_int(v, &i) == 0)
            return fnv(h, &i, sizeof i);
        return fnv(h, v.p, v.len);
    }
    h = fnv(h, &tag, 1);
    sk_mp_iter it;
    sk_mp_view k, x;
    if (t == SK_MP_MAP && sk_mp_iter_init(v, &it, NULL) == 0) {
        uint32_t sum = 0; /* order-independent: entries are summed */
        while (sk_mp_iter_next(&it, &k, &x) == 1)
            sum += ctl_mp_hash(x, fnv(2166136261u, k.p, k.len));
        return fnv(h, &sum, sizeof sum);
    }
    if (t == SK_MP_ARRAY && sk_mp_iter_init(v, &it, NULL) == 0) {
        while (sk_mp_iter_next(&it, NULL, &x) == 1)
            h = ctl_mp_hash(x, h);
        return h;
    }
    return fnv(h, v.p, v.len);
}

static void put_override_at(sk_mp_buf *b, sk_mp_view src, const char *path, sk_mp_view val,
                            bool split)
{
    const char *dot = split ? strchr(path, '.') : NULL;
    size_t seglen = dot ? (size_t)(dot - path) : strlen(path);
    bool is_map = src.p && sk_mp_type_of(src) == SK_MP_MAP;
    sk_mp_iter it;
    sk_mp_view k, v, child = {NULL, 0};
    uint32_t n = 0;
    bool found = false;
    if (is_map && sk_mp_iter_init(src, &it, &n) == 0) {
        while (sk_mp_iter_next(&it, &k, &v) == 1) {
            const char *ks;
            size_t kl;
            if (sk_mp_get_str(k, &ks, &kl) == 0 && kl == seglen && memcmp(ks, path, kl) == 0) {
                found = true;
                child = v;
            }
        }
    } else {
        n = 0;
    }
    bool remove_leaf = !dot && !val.p;
    uint32_t out = n + (found ? 0 : 1) - (found && remove_leaf ? 1 : 0);
    if (!found && remove_leaf)
        out = n;
    sk_mp_put_map(b, out);
    if (is_map && sk_mp_iter_init(src, &it, NULL) == 0) {
        while (sk_mp_iter_next(&it, &k, &v) == 1) {
            const char *ks;
            size_t kl;
            if (sk_mp_get_str(k, &ks, &kl) == 0 && kl == seglen && memcmp(ks, path, kl) == 0) {
                if (remove_leaf)
                    continue;
                sk_mp_put_raw(b, k);
                if (dot)
                    put_override_at(b, v, dot + 1, val, true);
                else
                    sk_mp_put_raw(b, val);
            } else {
                sk_mp_put_raw(b, k);
                sk_mp_put_raw(b, v);
            }
        }
    }
    if (!found && !remove_leaf) {
        sk_mp_put_strn(b, path, seglen);
        if (dot)
            put_override_at(b, child, dot + 1, val, true);
        else
            sk_mp_put_raw(b, val);
    }
}

void ctl_put_override(sk_mp_buf *b, sk_mp_view src, const char *path, sk_mp_view val)
{
    put_override_at(b, src, path, val, true);
}

void ctl_put_set_key(sk_mp_buf *b, sk_mp_view src, const char *key, sk_mp_view val)
{
    put_override_at(b, src, key, val, false);
}

sk_mp_view ctl_get_key(sk_mp_view obj, const char *path, const char *key)
{
    sk_mp_view m = path && *path ? ctl_get(obj, path) : obj, k, v;
    sk_mp_iter it;
    size_t kl = strlen(key);
    if (!m.p || sk_mp_type_of(m) != SK_MP_MAP || sk_mp_iter_init(m, &it, NULL))
        return (sk_mp_view){NULL, 0};
    while (sk_mp_iter_next(&it, &k, &v) == 1) {
        const char *ks;
        size_t n;
        if (sk_mp_get_str(k, &ks, &n) == 0 && n == kl && memcmp(ks, key, n) == 0)
            return v;
    }
    return (sk_mp_view){NULL, 0};
}

const char *ctl_str_key(sk_mp_view obj, const char *path, const char *key, char *buf,
                        size_t size)
{
    sk_mp_view v = ctl_get_key(obj, path, key);
    const char *s;
    size_t n;
    if (!size)
        return "";
    buf[0] = 0;
    if (v.p && sk_mp_get_str(v, &s, &n) == 0 && n < size) {
        memcpy(buf, s, n);
        buf[n] = 0;
    }
    return buf;
}

sk_mp_view ctl_mp_str(sk_mp_buf *scratch, const char *s)
{
    sk_mp_buf_init(scratch);
    sk_mp_put_str(scratch, s);
    if (scratch->err)
        return (sk_mp_view){NULL, 0};
    return sk_mp_buf_view(scratch);
}

void ctl_time_str(int64_t wall_ms, char buf[32])
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (wall_ms < 0 || !gmtime_r(&t, &tm))
        t = 0, gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t ctl_time(sk_mp_view obj, const char *path, int64_t def)
{
    sk_mp_view v = ctl_get(obj, path);
    const char *s;
    size_t n;
    int64_t ms;
    if (!v.p || sk_mp_get_str(v, &s, &n) || sk_parse_time(s, n, &ms))
        return def;
    return ms;
}
