/* Entry points: defaulting, create and update validation per resource. */
#include <string.h>

#include "jutil.h"
#include "validate.h"

void sk_apply_defaults(const sk_resource *r, json_t *obj)
{
    if (r->defaults && json_is_object(obj))
        r->defaults(obj);
}

void sk_validate_create(const sk_resource *r, const json_t *obj, sk_causes *out)
{
    if (!json_is_object(obj)) {
        sk_causes_add(out, SK_CAUSE_TYPE_INVALID, "", "Invalid type: expected object");
        return;
    }
    sk_validate_meta(r, sk_jget(obj, "metadata"), out);
    sk_schema_check(obj, r->schema, SK_CHECK_VALUES, out);
    if (r->validate)
        r->validate(obj, out);
}

void sk_validate_update(const sk_resource *r, const json_t *obj, const json_t *old,
                        sk_causes *out)
{
    sk_validate_create(r, obj, out);
    if (!json_is_object(obj) || !json_is_object(old))
        return;
    sk_validate_immutable(sk_jget(obj, "metadata.name"), sk_jget(old, "metadata.name"),
                          "metadata.name", out);
    sk_validate_immutable(sk_jget(obj, "metadata.namespace"), sk_jget(old, "metadata.namespace"),
                          "metadata.namespace", out);
    if (r->validate_update)
        r->validate_update(obj, old, out);
}
