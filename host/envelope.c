/* The envelope codec. Decoding trusts nothing: sk_mp_check bounds the frame
 * first, then each field's type and length is checked before use, so a
 * hostile frame costs at most one pass over its bytes. */
#include "envelope.h"

#include <string.h>
#include <time.h>

#include "skiff/errors.h"

static int bad(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return SK_EBADMSG;
}

/* Strings become C strings on the other side, so an embedded NUL would
 * silently shorten a service or topic name. */
static int get_name(sk_mp_view v, char dst[SK_BUS_NAME_MAX + 1])
{
    const char *s;
    size_t n;
    if (sk_mp_get_str(v, &s, &n) || n > SK_BUS_NAME_MAX || memchr(s, 0, n))
        return SK_EBADMSG;
    memcpy(dst, s, n);
    dst[n] = 0;
    return 0;
}

static int get_route(sk_mp_view v, sk_env *e)
{
    sk_mp_iter it;
    sk_mp_view k, h;
    uint32_t n;
    if (sk_mp_type_of(v) != SK_MP_ARRAY || sk_mp_iter_init(v, &it, &n) || n > SK_ENV_MAX_HOPS)
        return SK_EBADMSG;
    for (uint32_t i = 0; i < n; i++) {
        const void *p;
        size_t len;
        if (sk_mp_iter_next(&it, &k, &h) != 1 || sk_mp_get_bin(h, &p, &len) || len == 0 ||
            len > SK_ENV_HOP_MAX)
            return SK_EBADMSG;
        e->hop[i].p = p;
        e->hop[i].len = len;
    }
    e->nhops = n;
    return 0;
}

static int next_field(sk_mp_iter *it, sk_mp_view *v)
{
    sk_mp_view k;
    return sk_mp_iter_next(it, &k, v) == 1 ? 0 : SK_EBADMSG;
}

static int decode_head(sk_mp_iter *it, sk_env *e, const char **why)
{
    sk_mp_view v;
    uint64_t u;
    if (next_field(it, &v) || sk_mp_get_uint(v, &u))
        return bad(why, "version is not an unsigned integer");
    if (u != SK_ENV_VERSION)
        return bad(why, "unsupported envelope version");
    if (next_field(it, &v) || sk_mp_get_uint(v, &u) || u < 1 || u > SK_ENV_KIND_MAX)
        return bad(why, "unknown kind");
    e->kind = (unsigned)u;
    if (next_field(it, &v) || sk_mp_get_uint(v, &e->id))
        return bad(why, "id is not an unsigned integer");
    if (next_field(it, &v) || get_name(v, e->name))
        return bad(why, "name is not a string of at most 255 bytes without NUL");
    if (next_field(it, &v) || get_name(v, e->method))
        return bad(why, "method is not a string of at most 255 bytes without NUL");
    if (next_field(it, &v) || sk_mp_get_int(v, &e->deadline_ms) || e->deadline_ms < 0)
        return bad(why, "deadline_ms is not a non-negative integer");
    return 0;
}

static int decode_tail(sk_mp_iter *it, sk_env *e, const char **why)
{
    sk_mp_view v;
    int64_t st;
    const void *p;
    if (next_field(it, &v) || get_route(v, e))
        return bad(why, "route is not an array of at most 8 bins of 1..255 bytes");
    if (next_field(it, &v) || sk_mp_get_int(v, &st) || st < INT32_MIN || st > INT32_MAX)
        return bad(why, "status is not a 32-bit integer");
    e->status = (int32_t)st;
    if (e->kind == SK_ENV_ERROR && e->status >= 0)
        return bad(why, "ERROR with a non-negative status");
    if (next_field(it, &v) || sk_mp_get_bin(v, &p, &e->payload_len))
        return bad(why, "payload is not a bin");
    e->payload = p;
    if (next_field(it, &v) || get_name(v, e->origin))
        return bad(why, "origin is not a string of at most 255 bytes without NUL");
    if (next_field(it, &v) || sk_mp_get_uint(v, &e->seq))
        return bad(why, "seq is not an unsigned integer");
    return 0;
}

/* Best effort on a frame that failed the whole-frame check: the kind and
 * id, if the array head and its first three items are intact, so the error
 * reply can still name the request it refuses. */
static void peek_head(const uint8_t *p, size_t len, sk_env *e)
{
    size_t k;
    if (len >= 1 && (p[0] & 0xf0) == 0x90)
        k = 1;
    else if (len >= 3 && p[0] == 0xdc)
        k = 3;
    else if (len >= 5 && p[0] == 0xdd)
        k = 5;
    else
        return;
    uint64_t v[3];
    for (int i = 0; i < 3; i++) {
        sk_mp_view item;
        size_t used;
        if (sk_mp_check_prefix(p + k, len - k, 1, &item, &used) || sk_mp_get_uint(item, &v[i]))
            return;
        k += used;
    }
    if (v[0] == SK_ENV_VERSION && v[1] >= 1 && v[1] <= SK_ENV_KIND_MAX) {
        e->kind = (unsigned)v[1];
        e->id = v[2];
    }
}

int sk_env_decode(const void *buf, size_t len, sk_env *e, const char **why)
{
    sk_mp_view root;
    sk_mp_iter it;
    uint32_t n;
    sk_env_init(e, 0, 0);
    if (!buf)
        return bad(why, "no frame");
    if (sk_mp_check(buf, len, 4, &root)) {
        peek_head(buf, len, e);
        return bad(why, "not exactly one well-formed msgpack object");
    }
    if (sk_mp_type_of(root) != SK_MP_ARRAY || sk_mp_iter_init(root, &it, &n))
        return bad(why, "not an array");
    if (n != SK_ENV_FIELDS)
        return bad(why, "not an array of 11 fields");
    int rc = decode_head(&it, e, why);
    return rc ? rc : decode_tail(&it, e, why);
}

static void put_name(sk_mp_buf *b, const char *s)
{
    sk_mp_put_strn(b, s, strnlen(s, SK_BUS_NAME_MAX));
}

void sk_env_encode(const sk_env *e, sk_mp_buf *b)
{
    sk_mp_put_array(b, SK_ENV_FIELDS);
    sk_mp_put_uint(b, SK_ENV_VERSION);
    sk_mp_put_uint(b, e->kind);
    sk_mp_put_uint(b, e->id);
    put_name(b, e->name);
    put_name(b, e->method);
    sk_mp_put_int(b, e->deadline_ms);
    sk_mp_put_array(b, e->nhops);
    for (unsigned i = 0; i < e->nhops; i++)
        sk_mp_put_bin(b, e->hop[i].p, e->hop[i].len);
    sk_mp_put_int(b, e->status);
    sk_mp_put_bin(b, e->payload_len ? (const void *)e->payload : "", e->payload_len);
    put_name(b, e->origin);
    sk_mp_put_uint(b, e->seq);
}

void sk_env_init(sk_env *e, unsigned kind, uint64_t id)
{
    e->kind = kind;
    e->id = id;
    e->name[0] = e->method[0] = e->origin[0] = 0;
    e->deadline_ms = 0;
    e->nhops = 0;
    e->status = 0;
    e->payload = NULL;
    e->payload_len = 0;
    e->seq = 0;
}

int sk_env_set(char dst[SK_BUS_NAME_MAX + 1], const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n > SK_BUS_NAME_MAX) {
        dst[0] = 0;
        return SK_ETOOLARGE;
    }
    memcpy(dst, src ? src : "", n + 1);
    return 0;
}

int sk_env_push(sk_env *e, const void *hop, size_t len)
{
    if (e->nhops >= SK_ENV_MAX_HOPS || len == 0 || len > SK_ENV_HOP_MAX)
        return SK_ETOOLARGE;
    e->hop[e->nhops].p = hop;
    e->hop[e->nhops].len = len;
    e->nhops++;
    return 0;
}

size_t sk_env_key(const sk_env *e, unsigned nhops, uint8_t *buf)
{
    size_t k = 0;
    for (unsigned i = 0; i < nhops && i < e->nhops; i++) {
        buf[k++] = (uint8_t)e->hop[i].len;
        memcpy(buf + k, e->hop[i].p, e->hop[i].len);
        k += e->hop[i].len;
    }
    memcpy(buf + k, &e->id, sizeof e->id);
    return k + sizeof e->id;
}

const char *sk_env_kind_name(unsigned kind)
{
    static const char *const names[] = {
        "?",      "REQUEST", "REPLY",     "ERROR",       "STREAM", "CANCEL", "PUBLISH",
        "EVENT",  "SERVE",   "UNSERVE",   "SUBSCRIBE",   "UNSUBSCRIBE", "HELLO", "PING"};
    return kind <= SK_ENV_KIND_MAX ? names[kind] : "?";
}

int64_t sk_env_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
