/* Strategic merge patch: JSON merge patch plus lists merged by key (from
 * the schema) and the $-directives kubectl generates. The patch applies
 * to a copy, which replaces the document only on success. */
#include <errno.h>
#include <string.h>

#include <skiff/errors.h>

#include "field_path.h"
#include "jutil.h"
#include "patch.h"
#include "smp_order.h"

#define SMP_DELETE 1 /* a map asked, with $patch: delete, to be removed */

static const char set_order_prefix[] = "$setElementOrder/";
static const char delete_prefix[] = "$deleteFromPrimitiveList/";

typedef struct smp {
    sk_fpath path;
    sk_apierr *err;
} smp;

static int smp_map(smp *c, json_t *orig, const json_t *patch, const sk_schema *s, int depth);

static int smp_bad(smp *c, const char *what)
{
    return sk_apierr_set(c->err, SK_EBADMSG, "strategic merge patch at %s: %s",
                         sk_fpath_str(&c->path), what);
}

static int smp_nomem(smp *c)
{
    return sk_apierr_set(c->err, -ENOMEM, "strategic merge patch: out of memory");
}

/* A list element's identity: its merge key value, or itself. */
static const json_t *elem_id(const json_t *e, const char *key)
{
    return key ? json_object_get(e, key) : e;
}

static size_t find_elem(const json_t *arr, const char *key, const json_t *id)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *other = elem_id(json_array_get(arr, i), key);
        if (other && sk_jequal(other, id))
            return i;
    }
    return (size_t)-1;
}

/* A {"$patch": "replace"} element replaces the whole list with the
 * patch's other elements. Returns 1 when it did that. */
static int list_replace_directive(smp *c, json_t *arr, const json_t *plist)
{
    size_t i;
    json_t *pe;
    bool replace = false;
    json_array_foreach(plist, i, pe)
    {
        const char *d = json_string_value(json_object_get(pe, "$patch"));
        replace |= d && strcmp(d, "replace") == 0;
    }
    if (!replace)
        return 0;
    json_array_clear(arr);
    json_array_foreach(plist, i, pe)
    {
        const char *d = json_string_value(json_object_get(pe, "$patch"));
        if (d && strcmp(d, "replace") == 0)
            continue;
        if (json_array_append_new(arr, json_deep_copy(pe)))
            return smp_nomem(c);
    }
    return 1;
}

static int keyed_elem(smp *c, json_t *arr, const json_t *pe, const sk_field *f, int depth)
{
    const json_t *id = json_is_object(pe) ? json_object_get(pe, f->merge_key) : NULL;
    if (!id)
        return smp_bad(c, json_is_object(pe) ? "list element does not contain its merge key"
                                             : "list element is not an object");
    const char *d = json_string_value(json_object_get(pe, "$patch"));
    size_t at = find_elem(arr, f->merge_key, id);
    if (d && strcmp(d, "delete") == 0) {
        while (at != (size_t)-1) {
            json_array_remove(arr, at);
            at = find_elem(arr, f->merge_key, id);
        }
        return 0;
    }
    json_t *target = at != (size_t)-1 ? json_array_get(arr, at) : json_object();
    if (!target)
        return smp_nomem(c);
    int rc = smp_map(c, target, pe, f->ref, depth + 1);
    if (at == (size_t)-1) {
        if (rc == 0 && json_array_append(arr, target))
            rc = smp_nomem(c);
        json_decref(target);
    } else if (rc == SMP_DELETE) {
        json_array_remove(arr, at);
    }
    return rc == SMP_DELETE ? 0 : rc;
}

static int keyed_list(smp *c, json_t *arr, const json_t *plist, const sk_field *f, int depth)
{
    int rc = list_replace_directive(c, arr, plist);
    if (rc)
        return rc < 0 ? rc : 0;
    size_t i;
    json_t *pe;
    json_array_foreach(plist, i, pe)
    {
        size_t mark = sk_fpath_index(&c->path, i);
        rc = keyed_elem(c, arr, pe, f, depth);
        sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    return 0;
}

/* A primitive list with merge strategy is a set: add what is missing. */
static int set_list(smp *c, json_t *arr, const json_t *plist)
{
    size_t i;
    json_t *pv;
    json_array_foreach(plist, i, pv)
    {
        if (find_elem(arr, NULL, pv) == (size_t)-1 && json_array_append_new(arr, json_deep_copy(pv)))
            return smp_nomem(c);
    }
    return 0;
}

static int merge_list(smp *c, json_t *orig, const char *k, size_t kl, const json_t *plist,
                      const sk_field *f, const json_t *order, int depth)
{
    json_t *arr = json_object_getn(orig, k, kl);
    if (!json_is_array(arr)) {
        arr = json_array();
        if (!arr || json_object_setn_new(orig, k, kl, arr))
            return smp_nomem(c);
    }
    json_t *before = json_copy(arr); /* shallow: element identities for ordering */
    if (!before)
        return smp_nomem(c);
    int rc = f->merge_key ? keyed_list(c, arr, plist, f, depth) : set_list(c, arr, plist);
    if (rc == 0 && order)
        rc = sk_smp_reorder(arr, before, plist, order, f->merge_key) ? smp_nomem(c) : 0;
    json_decref(before);
    return rc;
}

static int merge_object(smp *c, json_t *orig, const char *k, size_t kl, const json_t *pv,
                        const sk_schema *sub, int depth)
{
    json_t *ov = json_object_getn(orig, k, kl);
    json_t *target = json_is_object(ov) ? json_incref(ov) : json_object();
    if (!target)
        return smp_nomem(c);
    int rc = smp_map(c, target, pv, sub, depth + 1);
    if (rc == SMP_DELETE)
        json_object_deln(orig, k, kl);
    else if (rc == 0 && target != ov && json_object_setn(orig, k, kl, target))
        rc = smp_nomem(c);
    json_decref(target);
    return rc == SMP_DELETE ? 0 : rc;
}

static const json_t *order_for(const json_t *patch, const char *k, size_t kl)
{
    char key[256];
    if (kl + sizeof set_order_prefix > sizeof key)
        return NULL;
    memcpy(key, set_order_prefix, sizeof set_order_prefix - 1);
    memcpy(key + sizeof set_order_prefix - 1, k, kl);
    return json_object_getn(patch, key, sizeof set_order_prefix - 1 + kl);
}

static int smp_field(smp *c, json_t *orig, const char *k, size_t kl, const json_t *pv,
                     const json_t *patch, const sk_schema *s, int depth)
{
    const sk_field *f = sk_schema_field(s, k, kl);
    if (json_is_null(pv)) {
        json_object_deln(orig, k, kl);
        return 0;
    }
    if (json_is_object(pv))
        return merge_object(c, orig, k, kl, pv, f && f->type == SK_FT_OBJECT ? f->ref : NULL,
                            depth);
    if (json_is_array(pv) && f && f->type == SK_FT_ARRAY && (f->strategy & SK_PS_MERGE))
        return merge_list(c, orig, k, kl, pv, f, order_for(patch, k, kl), depth);
    json_t *copy = json_deep_copy(pv);
    if (!copy || json_object_setn_new(orig, k, kl, copy))
        return smp_nomem(c);
    return 0;
}

/* $patch on a map: replace its content, delete it, or merge (default). */
static int map_directive(smp *c, json_t *orig, const json_t *patch, bool *done)
{
    json_t *d = json_object_get(patch, "$patch");
    *done = false;
    if (!d)
        return 0;
    const char *s = json_string_value(d);
    if (s && strcmp(s, "merge") == 0)
        return 0;
    if (s && strcmp(s, "delete") == 0)
        return SMP_DELETE;
    if (!s || strcmp(s, "replace") != 0)
        return smp_bad(c, "$patch must be replace, delete or merge");
    *done = true;
    json_object_clear(orig);
    const char *k;
    size_t kl;
    json_t *v;
    json_object_keylen_foreach((json_t *)patch, k, kl, v)
    {
        if (strcmp(k, "$patch") != 0 && json_object_setn_new(orig, k, kl, json_deep_copy(v)))
            return smp_nomem(c);
    }
    return 0;
}

/* $retainKeys: drop every key of orig the list does not name. */
static int retain_keys(smp *c, json_t *orig, const json_t *keep)
{
    if (!keep)
        return 0;
    if (!json_is_array(keep))
        return smp_bad(c, "$retainKeys must be a list of strings");
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(orig, tmp, k, v)
    {
        bool kept = false;
        for (size_t i = 0; i < json_array_size(keep) && !kept; i++) {
            const char *s = json_string_value(json_array_get(keep, i));
            if (!s)
                return smp_bad(c, "$retainKeys must be a list of strings");
            kept = strcmp(s, k) == 0;
        }
        if (!kept)
            json_object_del(orig, k);
    }
    return 0;
}

static int delete_from_list(smp *c, json_t *orig, const char *field, const json_t *vals)
{
    if (!json_is_array(vals))
        return smp_bad(c, "$deleteFromPrimitiveList needs a list");
    json_t *arr = json_object_get(orig, field);
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr);) {
        if (find_elem(vals, NULL, json_array_get(arr, i)) != (size_t)-1)
            json_array_remove(arr, i);
        else
            i++;
    }
    return 0;
}

/* A $setElementOrder for a list the patch does not otherwise touch. */
static int reorder_only(smp *c, json_t *orig, const char *field, const json_t *order,
                        const json_t *patch, const sk_schema *s)
{
    json_t *arr = json_object_get(orig, field);
    if (!json_is_array(order))
        return smp_bad(c, "$setElementOrder needs a list");
    if (json_object_get(patch, field) || !json_is_array(arr))
        return 0;
    const sk_field *f = sk_schema_field(s, field, strlen(field));
    json_t *before = json_copy(arr), *none = json_array();
    int rc = before && none ? sk_smp_reorder(arr, before, none, order, f ? f->merge_key : NULL)
                            : -ENOMEM;
    json_decref(before);
    json_decref(none);
    return rc ? smp_nomem(c) : 0;
}

static int map_directives_after(smp *c, json_t *orig, const json_t *patch, const sk_schema *s)
{
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach((json_t *)patch, k, v)
    {
        if (!strncmp(k, delete_prefix, sizeof delete_prefix - 1))
            rc = delete_from_list(c, orig, k + sizeof delete_prefix - 1, v);
        else if (!strncmp(k, set_order_prefix, sizeof set_order_prefix - 1))
            rc = reorder_only(c, orig, k + sizeof set_order_prefix - 1, v, patch, s);
        if (rc)
            return rc;
    }
    return 0;
}

static int smp_map(smp *c, json_t *orig, const json_t *patch, const sk_schema *s, int depth)
{
    bool done;
    if (depth > SK_PATCH_MAX_DEPTH)
        return smp_bad(c, "nested too deeply");
    if (!json_is_object(patch))
        return smp_bad(c, "expected an object");
    int rc = map_directive(c, orig, patch, &done);
    if (rc || done)
        return rc;
    if ((rc = retain_keys(c, orig, json_object_get(patch, "$retainKeys"))))
        return rc;
    const char *k;
    size_t kl;
    json_t *v;
    json_object_keylen_foreach((json_t *)patch, k, kl, v)
    {
        if (*k == '$') {
            if (strcmp(k, "$patch") && strcmp(k, "$retainKeys") &&
                strncmp(k, set_order_prefix, sizeof set_order_prefix - 1) &&
                strncmp(k, delete_prefix, sizeof delete_prefix - 1))
                return smp_bad(c, "unknown $ directive");
            continue;
        }
        size_t mark = sk_fpath_child(&c->path, k);
        rc = smp_field(c, orig, k, kl, v, patch, s, depth);
        sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    return map_directives_after(c, orig, patch, s);
}

int sk_strategic_patch(json_t **doc, const json_t *patch, const sk_schema *schema,
                       sk_apierr *err)
{
    smp c = {.err = err};
    sk_fpath_init(&c.path, NULL);
    if (!json_is_object(patch))
        return sk_apierr_set(err, SK_EBADMSG, "strategic merge patch must be a JSON object");
    json_t *work = json_is_object(*doc) ? json_deep_copy(*doc) : json_object();
    if (!work)
        return smp_nomem(&c);
    int rc = smp_map(&c, work, patch, schema, 0);
    if (rc == SMP_DELETE) {
        json_object_clear(work);
        rc = 0;
    }
    if (rc) {
        json_decref(work);
        return rc;
    }
    json_decref(*doc);
    *doc = work;
    return 0;
}
