/* apiserver core — validation and defaulting of declared kinds.
 *
 * The order the request core follows, as the real apiserver does:
 *   1. sk_schema_check(obj, SK_CHECK_DECODE [| SK_CHECK_UNKNOWN]): what
 *      decoding would reject (wrong JSON types; unknown fields under
 *      fieldValidation=Strict). Causes here make a 400 BadRequest.
 *   2. sk_apply_defaults(): fills in defaults like the real API.
 *   3. sk_validate_create() / sk_validate_update(): names, required
 *      fields, enum values, per-kind rules and immutable fields. Causes
 *      here make a 422 Invalid Status.
 * Paths in causes start at the object root: spec.containers[0].image. */
#ifndef SK_VALIDATE_H
#define SK_VALIDATE_H

#include "causes.h"
#include "registry.h"

enum {
    SK_CHECK_DECODE = 1 << 0,  /* JSON types, int32 ranges, times, base64, quantities */
    SK_CHECK_UNKNOWN = 1 << 1, /* fields the schema does not declare */
    SK_CHECK_VALUES = 1 << 2,  /* required fields and enum values */
    SK_CHECK_PRUNE = 1 << 3,   /* drop undeclared fields (obj is modified) */
};

void sk_schema_check(const json_t *obj, const sk_schema *s, unsigned flags, sk_causes *out);
/* Removes the fields the schema does not declare (as decoding into the
 * real API's Go types drops them, under fieldValidation Ignore and Warn),
 * with one SK_CAUSE_UNKNOWN_FIELD cause per dropped field in dropped
 * (message `unknown field "spec.containers[0].imagee"`). */
void sk_schema_prune(json_t *obj, const sk_schema *s, sk_causes *dropped);
void sk_apply_defaults(const sk_resource *r, json_t *obj);
void sk_validate_create(const sk_resource *r, const json_t *obj, sk_causes *out);
void sk_validate_update(const sk_resource *r, const json_t *obj, const json_t *old,
                        sk_causes *out);

/* Pieces shared by the per-kind validators (validate_*.c). */
void sk_validate_meta(const sk_resource *r, const json_t *meta, sk_causes *out);
void sk_validate_labels(const json_t *labels, const char *field, sk_causes *out);
/* A pod spec at path `at` (e.g. "spec" or "spec.template.spec"). */
void sk_validate_pod_spec(const json_t *spec, const char *at, sk_causes *out);
void sk_validate_port(const json_t *v, const char *field, bool zero_ok, sk_causes *out);
bool sk_ip_valid(const char *s);
bool sk_quantity_valid(const char *s);
/* field: Invalid value ...: field is immutable, when old and new differ. */
void sk_validate_immutable(const json_t *now, const json_t *old, const char *field,
                           sk_causes *out);
/* "a.b" + ".c" style path building into buf. */
const char *sk_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
