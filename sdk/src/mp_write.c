/* The writer: msgpack-c's packers (header-only inline functions) emit the
 * encoding, and a write callback appends it to an sk_mp_buf. The first
 * failure sticks in b->err and turns every later put into a no-op, so a
 * caller checks once after building a whole message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack/pack.h>

#include "mp_head.h"
#include "skiff/errors.h"

#define SK_MP_BUF_MIN 64

void sk_mp_buf_init(sk_mp_buf *b)
{
    *b = (sk_mp_buf){0};
}

void sk_mp_buf_free(sk_mp_buf *b)
{
    if (!b)
        return;
    free(b->data);
    sk_mp_buf_init(b);
}

uint8_t *sk_mp_buf_take(sk_mp_buf *b, size_t *len)
{
    uint8_t *data = b->data;
    size_t n = b->len;
    if (b->err) {
        /* Half-written bytes are not a message; never hand them out. */
        free(data);
        data = NULL;
        n = 0;
    }
    sk_mp_buf_init(b);
    if (len)
        *len = n;
    return data;
}

sk_mp_view sk_mp_buf_view(const sk_mp_buf *b)
{
    return (sk_mp_view){.p = b->data, .len = b->len};
}

static int grow(sk_mp_buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : SK_MP_BUF_MIN;
    if (need > SIZE_MAX - b->len)
        return -ENOMEM;
    while (cap < b->len + need) {
        if (cap > SIZE_MAX / 2) {
            cap = b->len + need;
            break;
        }
        cap *= 2;
    }
    uint8_t *data = realloc(b->data, cap);
    if (!data)
        return -ENOMEM;
    b->data = data;
    b->cap = cap;
    return 0;
}

static void append(sk_mp_buf *b, const void *p, size_t n)
{
    if (b->err || n == 0)
        return;
    if (b->cap - b->len < n) {
        int rc = grow(b, n);
        if (rc) {
            b->err = rc;
            return;
        }
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static int write_cb(void *data, const char *p, size_t n)
{
    sk_mp_buf *b = data;
    append(b, p, n);
    return b->err ? -1 : 0;
}

/* A packer bound to b, or false when b already failed. */
static bool packer(sk_mp_buf *b, msgpack_packer *pk)
{
    if (b->err)
        return false;
    msgpack_packer_init(pk, b, write_cb);
    return true;
}

/* Lengths and counts travel as 32-bit numbers; anything larger cannot be
 * encoded, and saying so beats writing a truncated header. */
static bool fits32(sk_mp_buf *b, size_t n)
{
    if (n <= UINT32_MAX)
        return true;
    if (!b->err)
        b->err = SK_ETOOLARGE;
    return false;
}

/* A str or bin payload: NULL with a length is the caller's bug, which
 * fails the buffer (EINVAL) rather than the process. */
static bool bytes_ok(sk_mp_buf *b, const void *p, size_t n)
{
    if (!p && n) {
        b->err = b->err ? b->err : -EINVAL;
        return false;
    }
    return fits32(b, n);
}

void sk_mp_put_nil(sk_mp_buf *b)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)msgpack_pack_nil(&pk);
}

void sk_mp_put_bool(sk_mp_buf *b, bool v)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)(v ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk));
}

void sk_mp_put_int(sk_mp_buf *b, int64_t v)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)msgpack_pack_int64(&pk, v);
}

void sk_mp_put_uint(sk_mp_buf *b, uint64_t v)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)msgpack_pack_uint64(&pk, v);
}

void sk_mp_put_double(sk_mp_buf *b, double v)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)msgpack_pack_double(&pk, v);
}

void sk_mp_put_strn(sk_mp_buf *b, const char *s, size_t n)
{
    msgpack_packer pk;
    if (bytes_ok(b, s, n) && packer(b, &pk) && msgpack_pack_str(&pk, n) == 0)
        (void)msgpack_pack_str_body(&pk, s, n);
}

void sk_mp_put_str(sk_mp_buf *b, const char *s)
{
    if (s)
        sk_mp_put_strn(b, s, strlen(s));
    else
        sk_mp_put_nil(b);
}

void sk_mp_put_bin(sk_mp_buf *b, const void *p, size_t n)
{
    msgpack_packer pk;
    if (bytes_ok(b, p, n) && packer(b, &pk) && msgpack_pack_bin(&pk, n) == 0)
        (void)msgpack_pack_bin_body(&pk, p, n);
}

void sk_mp_put_array(sk_mp_buf *b, uint32_t n)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)msgpack_pack_array(&pk, n);
}

void sk_mp_put_map(sk_mp_buf *b, uint32_t n)
{
    msgpack_packer pk;
    if (packer(b, &pk))
        (void)msgpack_pack_map(&pk, n);
}

void sk_mp_put_raw(sk_mp_buf *b, sk_mp_view v)
{
    size_t used = 0;
    if (b->err)
        return;
    /* Copying bytes unseen would let one bad view corrupt a whole message;
     * checking is linear, like the copy itself. */
    if (sk_mp_check_prefix(v.p, v.len, SK_MP_DEPTH_CAP, NULL, &used) || used != v.len) {
        b->err = SK_EBADMSG;
        return;
    }
    append(b, v.p, v.len);
}
