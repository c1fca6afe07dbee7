/* Single-pass msgpack head reader (mp_head.h). */
#include "mp_head.h"

#include <string.h>

#include <skiff/errors.h>

static int need(const uint8_t *p, const uint8_t *end, size_t n)
{
    return (size_t)(end - p) >= n ? 0 : SK_EBADMSG;
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++)
        v = v << 8 | p[k];
    return v;
}

/* A sized head: n bytes of length/value after the tag. */
static int sized(const uint8_t **p, const uint8_t *end, int n, uint64_t *v)
{
    if (need(*p, end, (size_t)n))
        return SK_EBADMSG;
    *v = be(*p, n);
    *p += n;
    return 0;
}

static int payload(const uint8_t **p, const uint8_t *end, sk_mp_head *h, sk_mp_type t,
                   uint64_t n)
{
    if (n > UINT32_MAX || need(*p, end, (size_t)n))
        return SK_EBADMSG;
    h->type = t;
    h->n = (uint32_t)n;
    h->data = *p;
    *p += n;
    return 0;
}

static int scalar(const uint8_t **p, const uint8_t *end, uint8_t tag, sk_mp_head *h)
{
    uint64_t v = 0;
    static const int width[] = {1, 2, 4, 8};
    if (tag >= 0xcc && tag <= 0xcf) {
        if (sized(p, end, width[tag - 0xcc], &v))
            return SK_EBADMSG;
        h->type = SK_MP_UINT;
        h->u = v;
        return 0;
    }
    if (tag >= 0xd0 && tag <= 0xd3) {
        int w = width[tag - 0xd0];
        if (sized(p, end, w, &v))
            return SK_EBADMSG;
        int shift = 64 - 8 * w;
        int64_t s = (int64_t)(v << shift) >> shift; /* sign-extend */
        h->type = s < 0 ? SK_MP_INT : SK_MP_UINT;
        h->i = s;
        h->u = (uint64_t)s;
        return 0;
    }
    if (tag == 0xca || tag == 0xcb) {
        if (sized(p, end, tag == 0xca ? 4 : 8, &v))
            return SK_EBADMSG;
        h->type = SK_MP_FLOAT;
        if (tag == 0xca) {
            uint32_t b = (uint32_t)v;
            float f;
            memcpy(&f, &b, sizeof f);
            h->d = f;
        } else {
            memcpy(&h->d, &v, sizeof h->d);
        }
        return 0;
    }
    return SK_EBADMSG;
}

int sk_mp_head_next(const uint8_t **p, const uint8_t *end, sk_mp_head *h)
{
    if (need(*p, end, 1))
        return SK_EBADMSG;
    uint8_t tag = *(*p)++;
    uint64_t v;
    memset(h, 0, sizeof *h);
    if (tag <= 0x7f) {
        h->type = SK_MP_UINT;
        h->u = tag;
        h->i = tag;
        return 0;
    }
    if (tag >= 0xe0) {
        h->type = SK_MP_INT;
        h->i = (int8_t)tag;
        return 0;
    }
    if (tag <= 0x8f || (tag >= 0x90 && tag <= 0x9f)) {
        h->type = tag <= 0x8f ? SK_MP_MAP : SK_MP_ARRAY;
        h->n = tag & 0x0f;
        return 0;
    }
    if (tag >= 0xa0 && tag <= 0xbf)
        return payload(p, end, h, SK_MP_STR, tag & 0x1f);
    switch (tag) {
    case 0xc0:
        h->type = SK_MP_NIL;
        return 0;
    case 0xc2:
    case 0xc3:
        h->type = SK_MP_BOOL;
        h->u = tag == 0xc3;
        return 0;
    case 0xc4: case 0xc5: case 0xc6:
        return sized(p, end, 1 << (tag - 0xc4), &v) ? SK_EBADMSG
                                                    : payload(p, end, h, SK_MP_BIN, v);
    case 0xd9: case 0xda: case 0xdb:
        return sized(p, end, 1 << (tag - 0xd9), &v) ? SK_EBADMSG
                                                    : payload(p, end, h, SK_MP_STR, v);
    case 0xdc: case 0xdd: case 0xde: case 0xdf:
        if (sized(p, end, (tag & 1) ? 4 : 2, &v))
            return SK_EBADMSG;
        h->type = tag <= 0xdd ? SK_MP_ARRAY : SK_MP_MAP;
        h->n = (uint32_t)v;
        return 0;
    default:
        return scalar(p, end, tag, h);
    }
}
