/* apiserver core — JSON (jansson) <-> msgpack (skiff/mp.h).
 *
 * Objects cross the bus and sit in the store as msgpack; clients speak
 * JSON. The mapping keeps what JSON distinguishes: integers stay integers
 * (int64; msgpack uint above INT64_MAX only through the text writer, since
 * jansson cannot hold it), floats stay floats (1.0 is not 1), map key order
 * is kept, and null/bool/string/array/map map one to one. msgpack bin
 * becomes a base64 string, as Go encodes []byte; ext is refused.
 *
 * Every direction is bounded: nesting deeper than max_depth and output
 * larger than max_bytes fail with a message naming the field path. */
#ifndef SK_JSON_MP_H
#define SK_JSON_MP_H

#include <stddef.h>

#include <jansson.h>
#include <skiff/mp.h>

#include "api_err.h"

#define SK_CONV_MAX_DEPTH 100
#define SK_CONV_MAX_BYTES ((size_t)3 << 20) /* the apiserver's body limit */

typedef struct sk_conv_limits {
    int max_depth;    /* containers nested; a scalar alone is depth 0 */
    size_t max_bytes; /* input text (parse) or output bytes (encoders) */
} sk_conv_limits;

/* {SK_CONV_MAX_DEPTH, SK_CONV_MAX_BYTES}; used wherever lim is NULL. */
extern const sk_conv_limits sk_conv_default_limits;

/* Appends j to out. 0, SK_ETOOLARGE (depth or size; out->err is left
 * alone) or -ENOMEM. */
int sk_json_to_mp(const json_t *j, sk_mp_buf *out, const sk_conv_limits *lim,
                  sk_apierr *err);

/* Decodes one msgpack object of len bytes into a new jansson value (caller
 * json_decref()s). 0, SK_EBADMSG (malformed, non-string or duplicate map
 * key, ext, invalid UTF-8, NaN), SK_ETOOLARGE (depth, or an unsigned
 * integer above INT64_MAX) or -ENOMEM. */
int sk_mp_to_json(const void *buf, size_t len, const sk_conv_limits *lim, json_t **out,
                  sk_apierr *err);

/* As sk_mp_to_json but writes compact JSON text straight from msgpack
 * (no tree: the fast path for responses), keeping every uint64 exact and
 * writing floats in their shortest round-tripping form with a '.' or an
 * exponent. *out is malloc'd and NUL-terminated (caller frees). */
int sk_mp_to_json_text(const void *buf, size_t len, const sk_conv_limits *lim, char **out,
                       size_t *out_len, sk_apierr *err);

/* Parses a request body: at most max_bytes, any JSON value, nesting at
 * most max_depth. 0, SK_ETOOLARGE or SK_EBADMSG (with line and column). */
int sk_json_parse(const char *text, size_t len, const sk_conv_limits *lim, json_t **out,
                  sk_apierr *err);

/* Nesting depth of j, counting containers (stops counting past cap). */
int sk_json_depth(const json_t *j, int cap);

#endif
