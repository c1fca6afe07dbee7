/* apiserver core — small read/write helpers over jansson objects, by
 * dotted path of object keys ("metadata.name"). Getters never fail: a
 * missing or mistyped value reads as NULL / the default. */
#ifndef SK_JUTIL_H
#define SK_JUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* The value at path (borrowed), or NULL. */
json_t *sk_jget(const json_t *obj, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *sk_jstr(const json_t *obj, const char *path);
/* The integer at path, or def. */
int64_t sk_jint(const json_t *obj, const char *path, int64_t def);
/* The boolean at path, or def. */
bool sk_jbool(const json_t *obj, const char *path, bool def);
/* The object at path, creating empty objects along the way (and replacing
 * non-objects). NULL only on ENOMEM. */
json_t *sk_jobj(json_t *obj, const char *path);
/* Sets key in obj to v (stealing it) only when absent or null. */
void sk_jdefault(json_t *obj, const char *key, json_t *v);
/* Numeric-aware deep equality: 1 equals 1.0, as RFC 6902 `test` wants. */
bool sk_jequal(const json_t *a, const json_t *b);

#endif
