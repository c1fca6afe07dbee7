/* apiserver core — what a YAML scalar means, as Kubernetes reads it.
 *
 * kube-apiserver turns YAML bodies into JSON with sigs.k8s.io/yaml, which
 * decodes with go-yaml v2 into interface{}; these functions reproduce
 * go-yaml v2's resolve() so a manifest means the same here:
 *  - null: "", ~, null, Null, NULL;
 *  - booleans (YAML 1.1): y Y yes Yes YES on On ON true True TRUE and
 *    n N no No NO off Off OFF false False FALSE;
 *  - integers as Go's strconv.ParseInt(s, 0, 64) after dropping every `_`:
 *    decimal, 0x hex, 0o and leading-0 octal (0755), 0b binary, a sign;
 *  - floats: [-+]?(.N|N[.N])[eE[-+]N], and .inf/.nan in their 3 spellings;
 *    one that overflows a double stays a string, as in Go;
 *  - everything else is a string. */
#ifndef SK_YAML_SCALAR_H
#define SK_YAML_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api_err.h"

typedef enum sk_ys_kind {
    SK_YS_STR,    /* the scalar's own text */
    SK_YS_NULL,
    SK_YS_BOOL,
    SK_YS_INT,
    SK_YS_FLOAT,  /* may be infinite or NaN */
    SK_YS_BIGINT, /* a valid integer outside int64 (JSON here cannot carry it) */
} sk_ys_kind;

typedef struct sk_yscalar {
    sk_ys_kind kind;
    bool b;
    int64_t i;
    double d;
} sk_yscalar;

/* The long form of `!!`, as libyaml reports tags. */
#define SK_YAML_TAG_PREFIX "tag:yaml.org,2002:"

/* Resolves an untagged plain scalar of len bytes. 0 or -ENOMEM. */
int sk_yaml_resolve_plain(const char *s, size_t len, sk_yscalar *out);

/* Resolves a scalar as go-yaml v2 decoding into interface{} does. tag is
 * the event's (long form) or NULL; plain: the scalar is plain and untagged
 * (a quoted or block scalar without a tag is a string). !!str, !!null,
 * !!bool, !!int, !!float (which takes integers) and !!timestamp (kept as
 * text) are checked against the text; !!binary is refused (send base64
 * text without the tag); other tags leave a string. 0, SK_EBADMSG (why in
 * err, without a position) or -ENOMEM. */
int sk_yaml_scalar(const char *tag, const char *s, size_t len, bool plain, sk_yscalar *out,
                   sk_apierr *err);

/* d as sigs.k8s.io/yaml names a float map key: Go's
 * strconv.FormatFloat(d, 'g', -1, 32) ("1.5", "1e+07"), with infinities
 * and NaN as ".inf", "-.inf" and ".nan". size >= 32. */
void sk_yaml_float_key(double d, char *buf, size_t size);

#endif
