/* apiserver core — validation problems as Kubernetes StatusCauses.
 *
 * Each problem is {reason, message, field}, exactly what an Invalid
 * Status carries in details.causes: reason is a cause type such as
 * FieldValueRequired, field a path like spec.containers[0].image, and
 * message the text the real apiserver uses ("Required value",
 * "Unsupported value: \"x\": supported values: ..."). */
#ifndef SK_CAUSES_H
#define SK_CAUSES_H

#include <stddef.h>

#include <jansson.h>

#define SK_CAUSE_REQUIRED "FieldValueRequired"
#define SK_CAUSE_INVALID "FieldValueInvalid"
#define SK_CAUSE_NOT_SUPPORTED "FieldValueNotSupported"
#define SK_CAUSE_DUPLICATE "FieldValueDuplicate"
#define SK_CAUSE_FORBIDDEN "FieldValueForbidden"
#define SK_CAUSE_TOO_LONG "FieldValueTooLong"
#define SK_CAUSE_TOO_MANY "FieldValueTooMany"
#define SK_CAUSE_NOT_FOUND "FieldValueNotFound"
#define SK_CAUSE_TYPE_INVALID "FieldValueTypeInvalid"
#define SK_CAUSE_UNKNOWN_FIELD "FieldValueUnknown" /* strict decoding only */

typedef struct sk_cause {
    char *reason, *message, *field;
} sk_cause;

typedef struct sk_causes {
    sk_cause *v;
    size_t n, cap;
    int err; /* -ENOMEM once an entry could not be recorded */
} sk_causes;

void sk_causes_init(sk_causes *c);
void sk_causes_free(sk_causes *c);
void sk_causes_add(sk_causes *c, const char *reason, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The real apiserver's wording for each cause type. value is rendered as
 * Go does: strings quoted, numbers and bools bare; NULL omits it. */
void sk_cause_required(sk_causes *c, const char *field, const char *detail);
void sk_cause_invalid(sk_causes *c, const char *field, const json_t *value,
                      const char *detail);
void sk_cause_invalid_str(sk_causes *c, const char *field, const char *value,
                          const char *detail);
void sk_cause_not_supported(sk_causes *c, const char *field, const json_t *value,
                            const char *const *allowed);
void sk_cause_duplicate(sk_causes *c, const char *field, const json_t *value);
void sk_cause_forbidden(sk_causes *c, const char *field, const char *detail);
void sk_cause_too_long(sk_causes *c, const char *field, size_t max);

/* "field: message" of cause i, as aggregated in Status messages (caller
 * frees). */
char *sk_cause_text(const sk_cause *c);
/* Renders v as Go's %v would inside error messages (caller frees). */
char *sk_value_text(const json_t *v);

#endif
