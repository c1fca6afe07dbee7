/* JSON merge patch (RFC 7386). */
#include <errno.h>

#include <skiff/errors.h>

#include "patch.h"

/* Returns the merged value (new reference), or NULL on ENOMEM or depth. */
static json_t *merge(json_t *target, const json_t *patch, int depth)
{
    if (!json_is_object(patch))
        return json_deep_copy(patch);
    if (depth > SK_PATCH_MAX_DEPTH)
        return NULL;
    json_t *out = json_is_object(target) ? json_incref(target) : json_object();
    const char *k;
    size_t kl;
    json_t *v;
    json_object_keylen_foreach((json_t *)patch, k, kl, v)
    {
        if (json_is_null(v)) {
            json_object_deln(out, k, kl);
            continue;
        }
        json_t *m = merge(json_object_getn(out, k, kl), v, depth + 1);
        if (!m || json_object_setn_new(out, k, kl, m)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int sk_merge_patch(json_t **doc, const json_t *patch, sk_apierr *err)
{
    if (!patch)
        return sk_apierr_set(err, SK_EBADMSG, "merge patch: no patch document");
    /* work on a copy so a failure leaves *doc untouched */
    json_t *copy = json_deep_copy(*doc);
    if (*doc && !copy)
        return sk_apierr_set(err, -ENOMEM, "out of memory");
    json_t *out = merge(copy, patch, 0);
    json_decref(copy);
    if (!out)
        return sk_apierr_set(err, -ENOMEM, "merge patch: out of memory or nested too deeply");
    json_decref(*doc);
    *doc = out;
    return 0;
}
