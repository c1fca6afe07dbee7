/* Typed readers over one sk_mp_view. Each re-checks that the bytes it
 * touches lie inside the view, so an unchecked or forged view yields
 * SK_EBADMSG rather than an out-of-bounds read. */
#include <stdlib.h>
#include <string.h>

#include "mp_head.h"
#include "skiff/errors.h"

/* The header of v, with its payload (if any) inside v. */
static int head_of(sk_mp_view v, sk_mp_head *h)
{
    if (sk_mp_head_read(v.p, v.len, h))
        return SK_EBADMSG;
    if (h->n > v.len - h->hdr && h->type != SK_MP_ARRAY && h->type != SK_MP_MAP)
        return SK_EBADMSG;
    return 0;
}

sk_mp_type sk_mp_type_of(sk_mp_view v)
{
    sk_mp_head h;
    return head_of(v, &h) ? SK_MP_INVALID : h.type;
}

/* An integer as sign + magnitude bits: *neg with *s, or !*neg with *u. */
typedef struct mp_integer {
    bool neg;
    int64_t s;
    uint64_t u;
} mp_integer;

static uint64_t raw_bits(const uint8_t *p, size_t width)
{
    switch (width) {
    case 1: return p[0];
    case 2: return sk_mp_be16(p);
    case 4: return sk_mp_be32(p);
    default: return sk_mp_be64(p);
    }
}

/* Sign-extends the width-byte two's complement value without relying on
 * implementation-defined unsigned-to-signed conversion. */
static int64_t sign_extend(uint64_t bits, size_t width)
{
    unsigned shift = (unsigned)(64 - 8 * width);
    uint64_t sign = (uint64_t)1 << (8 * width - 1);
    if (!(bits & sign))
        return (int64_t)bits;
    uint64_t mag = (~bits + 1) << shift >> shift; /* |value|, 1..2^(8w-1) */
    return mag == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)mag;
}

static int read_integer(sk_mp_view v, mp_integer *out)
{
    sk_mp_head h;
    if (head_of(v, &h) || (h.type != SK_MP_UINT && h.type != SK_MP_INT))
        return SK_EBADMSG;
    uint8_t t = h.tag;
    if (t <= 0x7f) {
        *out = (mp_integer){.neg = false, .u = t};
    } else if (t >= 0xe0) {
        *out = (mp_integer){.neg = true, .s = (int64_t)t - 256};
    } else if (t >= 0xcc && t <= 0xcf) {
        *out = (mp_integer){.neg = false, .u = raw_bits(v.p + 1, h.hdr - 1)};
    } else {
        int64_t s = sign_extend(raw_bits(v.p + 1, h.hdr - 1), h.hdr - 1);
        *out = (mp_integer){.neg = s < 0, .s = s, .u = s < 0 ? 0 : (uint64_t)s};
    }
    return 0;
}

int sk_mp_get_int(sk_mp_view v, int64_t *out)
{
    mp_integer i;
    if (read_integer(v, &i))
        return SK_EBADMSG;
    if (!i.neg && i.u > (uint64_t)INT64_MAX)
        return SK_EBADMSG;
    *out = i.neg ? i.s : (int64_t)i.u;
    return 0;
}

int sk_mp_get_uint(sk_mp_view v, uint64_t *out)
{
    mp_integer i;
    if (read_integer(v, &i) || i.neg)
        return SK_EBADMSG;
    *out = i.u;
    return 0;
}

static double read_float(const uint8_t *p, size_t width)
{
    if (width == 4) {
        uint32_t bits = sk_mp_be32(p);
        float f;
        memcpy(&f, &bits, sizeof f);
        return f;
    }
    uint64_t bits = sk_mp_be64(p);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

int sk_mp_get_double(sk_mp_view v, double *out)
{
    sk_mp_head h;
    mp_integer i;
    if (head_of(v, &h))
        return SK_EBADMSG;
    if (h.type == SK_MP_FLOAT) {
        *out = read_float(v.p + 1, h.hdr - 1);
        return 0;
    }
    if (read_integer(v, &i))
        return SK_EBADMSG;
    *out = i.neg ? (double)i.s : (double)i.u;
    return 0;
}

int sk_mp_get_bool(sk_mp_view v, bool *out)
{
    sk_mp_head h;
    if (head_of(v, &h) || h.type != SK_MP_BOOL)
        return SK_EBADMSG;
    *out = h.tag == 0xc3;
    return 0;
}

/* Payload of a str or bin. */
static int read_bytes(sk_mp_view v, sk_mp_type want, const void **p, size_t *len)
{
    sk_mp_head h;
    if (head_of(v, &h) || h.type != want)
        return SK_EBADMSG;
    *p = v.p + h.hdr;
    *len = (size_t)h.n;
    return 0;
}

int sk_mp_get_str(sk_mp_view v, const char **s, size_t *len)
{
    const void *p;
    if (read_bytes(v, SK_MP_STR, &p, len))
        return SK_EBADMSG;
    *s = p;
    return 0;
}

int sk_mp_get_bin(sk_mp_view v, const void **out, size_t *len)
{
    return read_bytes(v, SK_MP_BIN, out, len);
}

bool sk_mp_str_eq(sk_mp_view v, const char *s)
{
    const void *p;
    size_t n;
    if (!s)
        return false;
    if (read_bytes(v, SK_MP_STR, &p, &n) && read_bytes(v, SK_MP_BIN, &p, &n))
        return false;
    return strlen(s) == n && memcmp(p, s, n) == 0;
}

char *sk_mp_strdup(sk_mp_view v)
{
    const void *p;
    size_t n;
    if (read_bytes(v, SK_MP_STR, &p, &n))
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

int sk_mp_find_str(sk_mp_view v, const char *path, char *buf, size_t size)
{
    sk_mp_view at;
    const void *p;
    size_t n;
    int rc = sk_mp_find(v, path, &at);
    if (rc)
        return rc;
    if (read_bytes(at, SK_MP_STR, &p, &n))
        return SK_EBADMSG;
    if (!buf || n >= size)
        return SK_ETOOLARGE;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}
