/* Stored objects <-> what clients see (objects.h). */
#include "objects.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "json_mp.h"
#include "k8s_time.h"

static void put_rv(sk_mp_buf *out, int64_t rv)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRId64, rv);
    sk_mp_put_str(out, "resourceVersion");
    sk_mp_put_str(out, s);
}

/* Copies the metadata map m without its resourceVersion, plus rv. */
static int copy_meta(sk_mp_view m, int64_t rv, sk_mp_buf *out)
{
    sk_mp_iter it;
    uint32_t n;
    sk_mp_view k, v;
    if (sk_mp_type_of(m) != SK_MP_MAP || sk_mp_iter_init(m, &it, &n))
        return SK_EBADMSG;
    sk_mp_view x;
    bool had = sk_mp_find(m, "resourceVersion", &x) == 0;
    sk_mp_put_map(out, n - (had ? 1 : 0) + 1);
    int rc;
    while ((rc = sk_mp_iter_next(&it, &k, &v)) == 1) {
        if (sk_mp_str_eq(k, "resourceVersion"))
            continue;
        ap_mp_append(out, k.p, k.len);
        ap_mp_append(out, v.p, v.len);
    }
    put_rv(out, rv);
    return rc ? SK_EBADMSG : 0;
}

int ap_mp_with_rv(sk_mp_view obj, int64_t rv, sk_mp_buf *out)
{
    sk_mp_iter it;
    uint32_t n;
    sk_mp_view k, v, x;
    if (sk_mp_type_of(obj) != SK_MP_MAP || sk_mp_iter_init(obj, &it, &n))
        return SK_EBADMSG;
    bool has_meta = sk_mp_find(obj, "metadata", &x) == 0 && sk_mp_type_of(x) == SK_MP_MAP;
    sk_mp_put_map(out, n + (has_meta ? 0 : 1));
    int rc;
    while ((rc = sk_mp_iter_next(&it, &k, &v)) == 1) {
        ap_mp_append(out, k.p, k.len);
        if (has_meta && sk_mp_str_eq(k, "metadata")) {
            if (copy_meta(v, rv, out))
                return SK_EBADMSG;
        } else {
            ap_mp_append(out, v.p, v.len);
        }
    }
    if (rc)
        return SK_EBADMSG;
    if (!has_meta) {
        sk_mp_put_str(out, "metadata");
        sk_mp_put_map(out, 1);
        put_rv(out, rv);
    }
    return out->err;
}

void ap_json_set_rv(json_t *obj, int64_t rv)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRId64, rv);
    json_t *m = json_object_get(obj, "metadata");
    if (!json_is_object(m)) {
        m = json_object();
        json_object_set_new(obj, "metadata", m);
    }
    json_object_set_new(m, "resourceVersion", json_string(s));
}

int64_t ap_json_rv(const json_t *obj)
{
    const char *s = json_string_value(json_object_get(json_object_get(obj, "metadata"),
                                                      "resourceVersion"));
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return -1;
    return v;
}

int ap_kv_to_json(const ap_kv *kv, json_t **out, sk_apierr *err)
{
    int rc = sk_mp_to_json(kv->value.p, kv->value.len, NULL, out, err);
    if (rc)
        return rc;
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return sk_apierr_set(err, SK_EBADMSG, "stored value is not an object");
    }
    ap_json_set_rv(*out, kv->mod_rev);
    return 0;
}

int ap_json_to_stored(json_t *obj, sk_mp_buf *out, sk_apierr *err)
{
    json_t *m = json_object_get(obj, "metadata");
    if (json_is_object(m))
        json_object_del(m, "resourceVersion");
    return sk_json_to_mp(obj, out, NULL, err);
}

void ap_now_rfc3339(char *buf, size_t size)
{
    sk_time_format((int64_t)time(NULL), buf, size);
}

static void random_bytes(uint8_t *p, size_t n)
{
    ssize_t got = getrandom(p, n, 0);
    if (got == (ssize_t)n)
        return;
    /* getrandom cannot fail for small sizes after boot; this keeps the
     * uid unique anyway (time and address entropy) if it ever does. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uintptr_t)p;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = (uint8_t)x;
    }
}

void ap_new_uid(char *buf)
{
    uint8_t b[16];
    random_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(buf, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void ap_random_suffix(char *buf)
{
    /* Kubernetes' alphabet for generated names: no vowels, no 0/1/3. */
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    uint8_t b[5];
    random_bytes(b, sizeof b);
    for (int i = 0; i < 5; i++)
        buf[i] = alpha[b[i] % (sizeof alpha - 1)];
    buf[5] = 0;
}
