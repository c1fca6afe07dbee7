/* JSON patch (RFC 6902). The operations apply to a copy, which replaces
 * the document only when all of them succeeded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "jutil.h"
#include "patch.h"

typedef struct jp {
    json_t *doc; /* the working copy; may be replaced by root operations */
    size_t op;   /* index of the operation, for messages */
    sk_apierr *err;
} jp;

static int jp_fail(jp *c, int code, const char *path, const char *what)
{
    return sk_apierr_set(c->err, code, "json patch operation %zu on \"%s\": %s", c->op, path,
                         what);
}

/* Index of token t in an array of size n; `-` means n when allow_end. */
static int jp_index(const char *t, size_t n, int allow_end, size_t *out)
{
    if (allow_end && strcmp(t, "-") == 0) {
        *out = n;
        return 0;
    }
    if (!*t || (t[0] == '0' && t[1]))
        return -1;
    size_t v = 0;
    for (const char *p = t; *p; p++) {
        if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
            return -1;
        v = v * 10 + (size_t)(*p - '0');
    }
    if (v > n || (!allow_end && v == n))
        return -1;
    *out = v;
    return 0;
}

/* The container holding the pointer's last token. */
static json_t *jp_parent(jp *c, const sk_jptr *p)
{
    sk_jptr up = {p->tok, p->n - 1};
    return sk_jptr_get(c->doc, &up);
}

/* Adds v (stolen) at path. */
static int jp_add(jp *c, const char *path, const sk_jptr *p, json_t *v)
{
    if (!p->n) {
        json_decref(c->doc);
        c->doc = v;
        return 0;
    }
    json_t *parent = jp_parent(c, p);
    const char *last = p->tok[p->n - 1];
    size_t idx;
    int rc = -1;
    if (json_is_object(parent))
        rc = json_object_set_new(parent, last, v);
    else if (json_is_array(parent) && jp_index(last, json_array_size(parent), 1, &idx) == 0)
        rc = json_array_insert_new(parent, idx, v);
    else
        json_decref(v);
    return rc ? jp_fail(c, -EINVAL, path, "no such parent or index out of range") : 0;
}

/* Replaces the existing value at path in place, keeping key order. */
static int jp_replace(jp *c, const char *path, const sk_jptr *p, json_t *v)
{
    if (!p->n)
        return jp_add(c, path, p, v);
    json_t *parent = jp_parent(c, p);
    const char *last = p->tok[p->n - 1];
    size_t idx;
    int rc = -1;
    if (json_is_object(parent))
        rc = json_object_set_new(parent, last, v);
    else if (json_is_array(parent) && jp_index(last, json_array_size(parent), 0, &idx) == 0)
        rc = json_array_set_new(parent, idx, v);
    else
        json_decref(v);
    return rc ? jp_fail(c, -ENOMEM, path, "out of memory") : 0;
}

/* Detaches and returns the value at path (new reference), or NULL. */
static json_t *jp_take(jp *c, const sk_jptr *p)
{
    if (!p->n)
        return NULL;
    json_t *parent = jp_parent(c, p);
    const char *last = p->tok[p->n - 1];
    json_t *v = NULL;
    size_t idx;
    if (json_is_object(parent)) {
        v = json_incref(json_object_get(parent, last));
        if (v)
            json_object_del(parent, last);
    } else if (json_is_array(parent) &&
               jp_index(last, json_array_size(parent), 0, &idx) == 0) {
        v = json_incref(json_array_get(parent, idx));
        json_array_remove(parent, idx);
    }
    return v;
}

static bool jp_is_prefix(const sk_jptr *a, const sk_jptr *b)
{
    if (a->n >= b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->tok[i], b->tok[i]) != 0)
            return false;
    return true;
}

static bool jp_equal(const sk_jptr *a, const sk_jptr *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->tok[i], b->tok[i]) != 0)
            return false;
    return true;
}

static int jp_apply(jp *c, const char *op, const char *path, const sk_jptr *p, const json_t *o)
{
    json_t *value = json_object_get(o, "value");
    const char *from_s = json_string_value(json_object_get(o, "from"));
    bool needs_value = !strcmp(op, "add") || !strcmp(op, "replace") || !strcmp(op, "test");
    bool needs_from = !strcmp(op, "move") || !strcmp(op, "copy");
    if (needs_value && !value)
        return jp_fail(c, SK_EBADMSG, path, "missing \"value\"");
    if (!strcmp(op, "add"))
        return jp_add(c, path, p, json_deep_copy(value));
    if (!strcmp(op, "remove")) {
        json_t *old = jp_take(c, p);
        if (!old)
            return jp_fail(c, -EINVAL, path, "path does not exist");
        json_decref(old);
        return 0;
    }
    if (!strcmp(op, "replace")) {
        if (!sk_jptr_get(c->doc, p))
            return jp_fail(c, -EINVAL, path, "path does not exist");
        return jp_replace(c, path, p, json_deep_copy(value));
    }
    if (!strcmp(op, "test")) {
        json_t *cur = sk_jptr_get(c->doc, p);
        if (!cur || !sk_jequal(cur, value))
            return jp_fail(c, -EINVAL, path, "test failed: value differs");
        return 0;
    }
    if (!needs_from)
        return jp_fail(c, SK_EBADMSG, path, "unknown operation");
    if (!from_s)
        return jp_fail(c, SK_EBADMSG, path, "missing \"from\"");
    sk_jptr from;
    int rc = sk_jptr_parse(from_s, &from, c->err);
    if (rc)
        return rc;
    json_t *src = sk_jptr_get(c->doc, &from);
    if (!src)
        rc = jp_fail(c, -EINVAL, from_s, "\"from\" path does not exist");
    else if (!strcmp(op, "copy"))
        rc = jp_add(c, path, p, json_deep_copy(src));
    else if (jp_is_prefix(&from, p))
        rc = jp_fail(c, -EINVAL, path, "cannot move a value into itself");
    else if (jp_equal(&from, p))
        rc = 0; /* moving onto itself */
    else
        rc = jp_add(c, path, p, jp_take(c, &from));
    sk_jptr_free(&from);
    return rc;
}

static int jp_op(jp *c, const json_t *o)
{
    const char *op = json_string_value(json_object_get(o, "op"));
    const char *path = json_string_value(json_object_get(o, "path"));
    if (!json_is_object(o) || !op || !path)
        return sk_apierr_set(c->err, SK_EBADMSG,
                             "json patch operation %zu: needs string \"op\" and \"path\"", c->op);
    sk_jptr p;
    int rc = sk_jptr_parse(path, &p, c->err);
    if (rc)
        return rc;
    rc = jp_apply(c, op, path, &p, o);
    sk_jptr_free(&p);
    return rc;
}

int sk_json_patch(json_t **doc, const json_t *ops, sk_apierr *err)
{
    if (!json_is_array(ops))
        return sk_apierr_set(err, SK_EBADMSG, "json patch must be an array of operations");
    if (json_array_size(ops) > SK_JSON_PATCH_MAX_OPS)
        return sk_apierr_set(err, SK_EBADMSG, "json patch has more than %d operations",
                             SK_JSON_PATCH_MAX_OPS);
    jp c = {.doc = json_deep_copy(*doc), .err = err};
    if (*doc && !c.doc)
        return sk_apierr_set(err, -ENOMEM, "out of memory");
    for (c.op = 0; c.op < json_array_size(ops); c.op++) {
        int rc = jp_op(&c, json_array_get(ops, c.op));
        if (rc) {
            json_decref(c.doc);
            return rc;
        }
    }
    json_decref(*doc);
    *doc = c.doc;
    return 0;
}
