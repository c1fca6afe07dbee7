/* apiserver core — field selectors (`?fieldSelector=`).
 *
 * Comma-separated terms `field=value`, `field==value` or `field!=value`;
 * `\,`, `\=` and `\\` escape those characters in values. Every resource
 * supports metadata.name and metadata.namespace; the rest come from its
 * declaration (sk_resource.field_labels). A missing field reads as "",
 * booleans as "true"/"false", integers in decimal, as Kubernetes does. */
#ifndef SK_FIELD_SELECTOR_H
#define SK_FIELD_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <skiff/mp.h>

#include "api_err.h"
#include "registry.h"

typedef struct sk_fs_req {
    char *field; /* as written, e.g. "source" */
    char *path;  /* where it lives in the object, e.g. "source.component" */
    bool neq;
    char *value;
} sk_fs_req;

typedef struct sk_field_selector {
    sk_fs_req *reqs;
    size_t n;
} sk_field_selector;

/* Parses text for resource r (NULL r allows only the metadata fields).
 * 0, SK_EBADMSG ("field label not supported: x", bad syntax) or -ENOMEM. */
int sk_field_selector_parse(const char *text, const sk_resource *r, sk_field_selector *out,
                            sk_apierr *err);
void sk_field_selector_free(sk_field_selector *s);
bool sk_field_selector_matches_mp(const sk_field_selector *s, sk_mp_view obj);
bool sk_field_selector_matches_json(const sk_field_selector *s, const json_t *obj);
/* The value an `=` term requires of field, or NULL: lets a caller turn
 * metadata.name=x into a single GET. */
const char *sk_field_selector_exact(const sk_field_selector *s, const char *field);

#endif
