/* skiff SDK — msgpack helpers (libskiff-sdk.a; pure functions, any thread).
 *
 * Reading is zero-copy: an sk_mp_view points into bytes you own and is
 * valid as long as they are. Decoding is bounded: sk_mp_check() validates a
 * whole buffer without allocating, rejecting truncated input, nesting deeper
 * than max_depth and container sizes that the remaining bytes cannot hold,
 * so hostile size fields cost nothing. Readers below assume a checked view
 * and fail with SK_EBADMSG, never crash, on anything else.
 *
 * Writing appends to an sk_mp_buf that owns its memory; errors are sticky
 * (check sk_mp_buf.err once at the end). */
#ifndef SKIFF_MP_H
#define SKIFF_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sk_mp_type {
    SK_MP_INVALID = 0,
    SK_MP_NIL,
    SK_MP_BOOL,
    SK_MP_UINT, /* positive integer */
    SK_MP_INT,  /* negative integer */
    SK_MP_FLOAT,
    SK_MP_STR,
    SK_MP_BIN,
    SK_MP_ARRAY,
    SK_MP_MAP,
    SK_MP_EXT
} sk_mp_type;

/* One encoded object: p points at its first byte, len covers it exactly. */
typedef struct sk_mp_view {
    const uint8_t *p;
    size_t len;
} sk_mp_view;

#define SK_MP_MAX_DEPTH 64

/* Validates that buf holds exactly one well-formed object (nesting <=
 * max_depth) and returns its view in *out. 0 or SK_EBADMSG. */
int sk_mp_check(const void *buf, size_t len, int max_depth, sk_mp_view *out);
/* As sk_mp_check but allows trailing bytes; *used gets the object's size. */
int sk_mp_check_prefix(const void *buf, size_t len, int max_depth, sk_mp_view *out,
                       size_t *used);

sk_mp_type sk_mp_type_of(sk_mp_view v);

/* Dotted path lookup: map keys by name, array items by decimal index,
 * e.g. "spec.containers.0.image". 0, or SK_ENOTFOUND / SK_EBADMSG. */
int sk_mp_find(sk_mp_view v, const char *path, sk_mp_view *out);

/* Scalar readers: 0, or SK_EBADMSG when v is not of that type. Strings are
 * not NUL-terminated: use *len. sk_mp_get_int accepts any integer that fits;
 * sk_mp_get_double accepts floats and integers. */
int sk_mp_get_str(sk_mp_view v, const char **s, size_t *len);
int sk_mp_get_bin(sk_mp_view v, const void **p, size_t *len);
int sk_mp_get_int(sk_mp_view v, int64_t *out);
int sk_mp_get_uint(sk_mp_view v, uint64_t *out);
int sk_mp_get_double(sk_mp_view v, double *out);
int sk_mp_get_bool(sk_mp_view v, bool *out);
/* Compares a str (or bin) view with a C string. */
bool sk_mp_str_eq(sk_mp_view v, const char *s);
/* Copies a str view into a fresh malloc'd NUL-terminated string (caller
 * frees), or NULL when v is not a str or on ENOMEM. */
char *sk_mp_strdup(sk_mp_view v);
/* Convenience: the string at path, copied into buf (NUL-terminated).
 * 0, SK_ENOTFOUND, SK_EBADMSG (not a str) or SK_ETOOLARGE (buf too small). */
int sk_mp_find_str(sk_mp_view v, const char *path, char *buf, size_t size);

/* Iterating a map or an array. For arrays *key is left invalid. */
typedef struct sk_mp_iter {
    const uint8_t *p, *end;
    uint32_t left;
    bool is_map;
} sk_mp_iter;
int sk_mp_iter_init(sk_mp_view v, sk_mp_iter *it, uint32_t *count);
/* 1 with the next entry, 0 at the end, SK_EBADMSG on a bad buffer. */
int sk_mp_iter_next(sk_mp_iter *it, sk_mp_view *key, sk_mp_view *val);

/* ---- writing ---- */
typedef struct sk_mp_buf {
    uint8_t *data;
    size_t len, cap;
    int err; /* 0, or the first error (-ENOMEM) */
} sk_mp_buf;

void sk_mp_buf_init(sk_mp_buf *b);
void sk_mp_buf_free(sk_mp_buf *b);
/* Hands the bytes to the caller (free() them); the buffer is reset. */
uint8_t *sk_mp_buf_take(sk_mp_buf *b, size_t *len);
sk_mp_view sk_mp_buf_view(const sk_mp_buf *b);

void sk_mp_put_nil(sk_mp_buf *b);
void sk_mp_put_bool(sk_mp_buf *b, bool v);
void sk_mp_put_int(sk_mp_buf *b, int64_t v);
void sk_mp_put_uint(sk_mp_buf *b, uint64_t v);
void sk_mp_put_double(sk_mp_buf *b, double v);
void sk_mp_put_str(sk_mp_buf *b, const char *s); /* NUL-terminated; NULL -> nil */
void sk_mp_put_strn(sk_mp_buf *b, const char *s, size_t n);
void sk_mp_put_bin(sk_mp_buf *b, const void *p, size_t n);
void sk_mp_put_array(sk_mp_buf *b, uint32_t n); /* then n objects */
void sk_mp_put_map(sk_mp_buf *b, uint32_t n);   /* then n key/value pairs */
void sk_mp_put_raw(sk_mp_buf *b, sk_mp_view v); /* an already-encoded object */

#ifdef __cplusplus
}
#endif
#endif
