/* apiserver core — reading msgpack one head at a time, in a single pass.
 *
 * The SDK's iterators find each value's end by scanning it, so walking a
 * document with them re-scans every nested level: cost grows with size
 * times depth. The encoders that turn whole stored objects into JSON text
 * (every GET, LIST and watch event) walk once with this cursor instead.
 * Every read is bounds-checked: a truncated buffer fails, never overreads. */
#ifndef SK_MP_HEAD_H
#define SK_MP_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include <skiff/mp.h>

typedef struct sk_mp_head {
    sk_mp_type type;
    uint32_t n;          /* MAP: pairs; ARRAY: items; STR/BIN: bytes */
    const uint8_t *data; /* STR/BIN: the bytes */
    uint64_t u;          /* UINT (and BOOL: 0/1) */
    int64_t i;           /* INT */
    double d;            /* FLOAT */
} sk_mp_head;

/* Reads the head at *p (before end) and advances past it; for STR/BIN
 * also past the payload. 0, or SK_EBADMSG (truncated, ext, 0xc1). */
int sk_mp_head_next(const uint8_t **p, const uint8_t *end, sk_mp_head *h);

#endif
