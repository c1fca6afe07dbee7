/* msgpack header decoding (spec: github.com/msgpack/msgpack/blob/master/spec.md). */
#include "mp_head.h"

#include "skiff/errors.h"

/* Reads a big-endian length/count of `width` bytes stored after the tag. */
static uint64_t be_n(const uint8_t *p, size_t width)
{
    switch (width) {
    case 1: return p[0];
    case 2: return sk_mp_be16(p);
    default: return sk_mp_be32(p);
    }
}

static void set(sk_mp_head *h, sk_mp_type type, size_t hdr, uint64_t n)
{
    h->type = type;
    h->hdr = hdr;
    h->n = n;
}

/* Formats with a 1/2/4-byte length after the tag (str8.., bin8.., array16..). */
static int sized(const uint8_t *p, size_t avail, sk_mp_head *h, sk_mp_type type,
                 size_t width, size_t extra)
{
    if (avail < 1 + width + extra)
        return SK_EBADMSG;
    set(h, type, 1 + width + extra, be_n(p + 1, width));
    return 0;
}

static int fixed(const uint8_t *p, size_t avail, sk_mp_head *h, sk_mp_type type,
                 size_t size)
{
    if (avail < size)
        return SK_EBADMSG;
    /* int8..int64 holding a value >= 0 read as SK_MP_UINT, as the spec's
     * type system (and msgpack-c) classify by value, not by format. */
    if (type == SK_MP_INT && !(p[1] & 0x80))
        type = SK_MP_UINT;
    set(h, type, size, 0);
    return 0;
}

/* fixext: a type byte after the tag, then n data bytes. */
static int fixext(size_t avail, sk_mp_head *h, uint64_t n)
{
    if (avail < 2)
        return SK_EBADMSG;
    set(h, SK_MP_EXT, 2, n);
    return 0;
}

static int tagged(const uint8_t *p, size_t avail, sk_mp_head *h)
{
    switch (p[0]) {
    case 0xc0: return fixed(p, avail, h, SK_MP_NIL, 1);
    case 0xc2: case 0xc3: return fixed(p, avail, h, SK_MP_BOOL, 1);
    case 0xc4: return sized(p, avail, h, SK_MP_BIN, 1, 0);
    case 0xc5: return sized(p, avail, h, SK_MP_BIN, 2, 0);
    case 0xc6: return sized(p, avail, h, SK_MP_BIN, 4, 0);
    case 0xc7: return sized(p, avail, h, SK_MP_EXT, 1, 1);
    case 0xc8: return sized(p, avail, h, SK_MP_EXT, 2, 1);
    case 0xc9: return sized(p, avail, h, SK_MP_EXT, 4, 1);
    case 0xca: return fixed(p, avail, h, SK_MP_FLOAT, 5);
    case 0xcb: return fixed(p, avail, h, SK_MP_FLOAT, 9);
    case 0xcc: return fixed(p, avail, h, SK_MP_UINT, 2);
    case 0xcd: return fixed(p, avail, h, SK_MP_UINT, 3);
    case 0xce: return fixed(p, avail, h, SK_MP_UINT, 5);
    case 0xcf: return fixed(p, avail, h, SK_MP_UINT, 9);
    case 0xd0: return fixed(p, avail, h, SK_MP_INT, 2);
    case 0xd1: return fixed(p, avail, h, SK_MP_INT, 3);
    case 0xd2: return fixed(p, avail, h, SK_MP_INT, 5);
    case 0xd3: return fixed(p, avail, h, SK_MP_INT, 9);
    case 0xd4: return fixext(avail, h, 1);
    case 0xd5: return fixext(avail, h, 2);
    case 0xd6: return fixext(avail, h, 4);
    case 0xd7: return fixext(avail, h, 8);
    case 0xd8: return fixext(avail, h, 16);
    case 0xd9: return sized(p, avail, h, SK_MP_STR, 1, 0);
    case 0xda: return sized(p, avail, h, SK_MP_STR, 2, 0);
    case 0xdb: return sized(p, avail, h, SK_MP_STR, 4, 0);
    case 0xdc: return sized(p, avail, h, SK_MP_ARRAY, 2, 0);
    case 0xdd: return sized(p, avail, h, SK_MP_ARRAY, 4, 0);
    case 0xde: return sized(p, avail, h, SK_MP_MAP, 2, 0);
    case 0xdf: return sized(p, avail, h, SK_MP_MAP, 4, 0);
    default: return SK_EBADMSG; /* 0xc1: never used */
    }
}

int sk_mp_head_read(const uint8_t *p, size_t avail, sk_mp_head *h)
{
    if (!p || avail == 0)
        return SK_EBADMSG;
    uint8_t b = p[0];
    h->tag = b;
    if (b <= 0x7f)
        set(h, SK_MP_UINT, 1, 0);
    else if (b <= 0x8f)
        set(h, SK_MP_MAP, 1, b & 0x0f);
    else if (b <= 0x9f)
        set(h, SK_MP_ARRAY, 1, b & 0x0f);
    else if (b <= 0xbf)
        set(h, SK_MP_STR, 1, b & 0x1f);
    else if (b >= 0xe0)
        set(h, SK_MP_INT, 1, 0);
    else
        return tagged(p, avail, h);
    return 0;
}
