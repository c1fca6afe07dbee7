/* libFuzzer target for the SDK's msgpack reader and writer.
 *
 * Unchecked bytes go straight to the readers (they must refuse, not crash);
 * checked ones are walked node by node through iterators and every getter,
 * re-encoded with the writer, and the copy must check and walk the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "skiff/mp.h"

/* What a walk saw; two walks of equal data see the same. */
typedef struct walk_sum {
    uint64_t nodes, hash;
} walk_sum;

static void mix(walk_sum *s, uint64_t x)
{
    s->hash = (s->hash ^ x) * 1099511628211u;
}

static void walk(sk_mp_view v, sk_mp_buf *out, walk_sum *s);

static void walk_scalar(sk_mp_view v, sk_mp_type t, sk_mp_buf *out, walk_sum *s)
{
    int64_t i;
    uint64_t u;
    double d;
    bool b;
    const char *str;
    const void *bin;
    size_t len;
    int rc_i = sk_mp_get_int(v, &i), rc_u = sk_mp_get_uint(v, &u);
    int rc_d = sk_mp_get_double(v, &d), rc_b = sk_mp_get_bool(v, &b);
    int rc_s = sk_mp_get_str(v, &str, &len), rc_bin = sk_mp_get_bin(v, &bin, &len);
    if ((t == SK_MP_UINT && rc_u) || (t == SK_MP_INT && rc_i) || (t == SK_MP_BOOL && rc_b) ||
        (t == SK_MP_STR && rc_s) || (t == SK_MP_BIN && rc_bin) || (t == SK_MP_FLOAT && rc_d))
        abort(); /* a checked node refused by its own getter */
    switch (t) {
    case SK_MP_NIL: sk_mp_put_nil(out); break;
    case SK_MP_BOOL: sk_mp_put_bool(out, b); mix(s, b); break;
    case SK_MP_UINT: sk_mp_put_uint(out, u); mix(s, u); break;
    case SK_MP_INT: sk_mp_put_int(out, i); mix(s, (uint64_t)i); break;
    case SK_MP_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        sk_mp_put_double(out, d);
        mix(s, bits);
        break;
    }
    case SK_MP_STR: {
        sk_mp_put_strn(out, str, len);
        char *dup = sk_mp_strdup(v);
        if (dup && (strlen(dup) > len || memcmp(dup, str, strlen(dup)) != 0))
            abort();
        free(dup);
        mix(s, len);
        break;
    }
    case SK_MP_BIN: sk_mp_put_bin(out, bin, len); mix(s, len); break;
    default: sk_mp_put_raw(out, v); mix(s, v.len); break; /* ext */
    }
}

/* A str key without dots or NULs names some value of its map by path
 * (the first of equal keys, so not necessarily this one). */
static void find_key_again(sk_mp_view map, sk_mp_view key)
{
    const char *s;
    size_t len;
    char path[64];
    sk_mp_view found;
    if (sk_mp_get_str(key, &s, &len) || len == 0 || len >= sizeof path ||
        memchr(s, '.', len) || memchr(s, '\0', len))
        return;
    memcpy(path, s, len);
    path[len] = '\0';
    if (sk_mp_find(map, path, &found) != 0)
        abort();
}

static void walk_container(sk_mp_view v, sk_mp_type t, sk_mp_buf *out, walk_sum *s)
{
    sk_mp_iter it;
    sk_mp_view k, val;
    uint32_t count = 0, seen = 0;
    int rc;
    if (sk_mp_iter_init(v, &it, &count))
        abort();
    if (t == SK_MP_MAP)
        sk_mp_put_map(out, count);
    else
        sk_mp_put_array(out, count);
    mix(s, count);
    while ((rc = sk_mp_iter_next(&it, &k, &val)) == 1) {
        seen++;
        if (t == SK_MP_MAP) {
            walk(k, out, s);
            find_key_again(v, k);
        }
        walk(val, out, s);
    }
    if (rc != 0 || seen != count)
        abort();
}

static void walk(sk_mp_view v, sk_mp_buf *out, walk_sum *s)
{
    sk_mp_type t = sk_mp_type_of(v);
    s->nodes++;
    mix(s, (uint64_t)t);
    if (t == SK_MP_INVALID)
        abort();
    if (t == SK_MP_ARRAY || t == SK_MP_MAP)
        walk_container(v, t, out, s);
    else
        walk_scalar(v, t, out, s);
}

/* Readers on bytes nobody checked: any answer but a crash is fine. */
static void poke_unchecked(const uint8_t *data, size_t size)
{
    sk_mp_view v = {data, size}, x, k;
    sk_mp_iter it;
    int64_t i;
    double d;
    char buf[16];
    (void)sk_mp_type_of(v);
    (void)sk_mp_get_int(v, &i);
    (void)sk_mp_get_double(v, &d);
    (void)sk_mp_str_eq(v, "abc");
    (void)sk_mp_find(v, "a.0.b", &x);
    (void)sk_mp_find(v, "0.0.0", &x);
    (void)sk_mp_find_str(v, "", buf, sizeof buf);
    free(sk_mp_strdup(v));
    if (sk_mp_iter_init(v, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, &k, &x) == 1)
            (void)sk_mp_type_of(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_mp_view v;
    size_t used = 0;
    poke_unchecked(data, size);
    if (sk_mp_check_prefix(data, size, SK_MP_MAX_DEPTH, &v, &used) != 0)
        return 0;
    if (used > size || v.len != used || v.p != data)
        abort();
    walk_sum a = {0, 14695981039346656037u}, b = a;
    sk_mp_buf out;
    sk_mp_buf_init(&out);
    walk(v, &out, &a);
    if (out.err == 0) {
        sk_mp_view copy;
        sk_mp_buf again;
        if (sk_mp_check(out.data, out.len, SK_MP_MAX_DEPTH, &copy) != 0)
            abort();
        sk_mp_buf_init(&again);
        walk(copy, &again, &b);
        if (a.nodes != b.nodes || a.hash != b.hash || again.len != out.len ||
            memcmp(again.data, out.data, out.len) != 0)
            abort();
        sk_mp_buf_free(&again);
    }
    sk_mp_buf_free(&out);
    return 0;
}
