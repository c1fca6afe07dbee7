/* Internal to the SDK: decoding one msgpack header. The rest of the reader
 * is built on this one function so every bounds check lives in one place. */
#ifndef SKIFF_SDK_MP_HEAD_H
#define SKIFF_SDK_MP_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "skiff/mp.h"

/* Nesting the decoder can track without allocating; a larger max_depth is
 * clamped to this. 1024 levels cost 8 KiB of stack. */
#define SK_MP_DEPTH_CAP 1024

typedef struct sk_mp_head {
    sk_mp_type type;
    uint8_t tag; /* the first byte */
    size_t hdr;  /* header bytes; for nil/bool/int/float the whole object */
    uint64_t n;  /* str/bin/ext: payload bytes after hdr; array/map: entries */
} sk_mp_head;

/* Decodes the header at p (avail readable bytes). 0, or SK_EBADMSG when the
 * header is cut short or the tag is the reserved 0xc1. Whether a payload of
 * h->n bytes follows is the caller's check. */
int sk_mp_head_read(const uint8_t *p, size_t avail, sk_mp_head *h);

/* The one object at the start of [p, end), bounded by SK_MP_DEPTH_CAP:
 * readers use it to step over values without trusting their sizes. */
int sk_mp_skip(const uint8_t *p, const uint8_t *end, sk_mp_view *one);

static inline uint16_t sk_mp_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t sk_mp_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t sk_mp_be64(const uint8_t *p)
{
    return (uint64_t)sk_mp_be32(p) << 32 | sk_mp_be32(p + 4);
}

#endif
