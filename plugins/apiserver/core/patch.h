/* apiserver core — the PATCH document types, applied to JSON objects.
 *
 *   application/merge-patch+json           sk_merge_patch      (RFC 7386)
 *   application/json-patch+json            sk_json_patch       (RFC 6902)
 *   application/strategic-merge-patch+json sk_strategic_patch  (Kubernetes)
 *
 * Each takes *doc (owned by the caller, possibly replaced, e.g. when a
 * patch replaces the root) and leaves it unchanged on failure. Return
 * codes map to HTTP statuses: SK_EBADMSG when the patch document itself
 * is malformed (400), -EINVAL when it is well formed but cannot apply to
 * this object, e.g. a failed `test` or a missing path (422), -ENOMEM. */
#ifndef SK_PATCH_H
#define SK_PATCH_H

#include <jansson.h>

#include "api_err.h"
#include "schema.h"

#define SK_PATCH_MAX_DEPTH 128
#define SK_JSON_PATCH_MAX_OPS 10000

int sk_merge_patch(json_t **doc, const json_t *patch, sk_apierr *err);
int sk_json_patch(json_t **doc, const json_t *ops, sk_apierr *err);
/* schema describes *doc (e.g. sk_schema_pod): it supplies list merge keys
 * and strategies. Unknown fields and schema-less parts merge as in RFC
 * 7386 (lists replaced). Directives: $patch (replace|delete|merge),
 * $retainKeys, $setElementOrder/<list>, $deleteFromPrimitiveList/<list>. */
int sk_strategic_patch(json_t **doc, const json_t *patch, const sk_schema *schema,
                       sk_apierr *err);

/* JSON pointers (RFC 6901), shared with json_patch. */
typedef struct sk_jptr {
    char **tok;
    size_t n;
} sk_jptr;
/* SK_EBADMSG when ptr is not "" and does not start with '/', or has a bad
 * ~ escape. */
int sk_jptr_parse(const char *ptr, sk_jptr *out, sk_apierr *err);
void sk_jptr_free(sk_jptr *p);
/* The value at the pointer (borrowed), or NULL. */
json_t *sk_jptr_get(json_t *doc, const sk_jptr *p);

#endif
