#include "mpx.h"

#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "timeparse.h"

static int bad(sk_mpx *x, const char *what)
{
    x->what = what;
    return SK_EBADMSG;
}

bool sk_mpx_absent(sk_mp_view v)
{
    return v.len == 0 || sk_mp_type_of(v) == SK_MP_NIL;
}

static int find(sk_mp_view v, const char *path, sk_mp_view *out)
{
    int rc = sk_mp_find(v, path, out);
    if (rc == SK_ENOTFOUND) {
        out->p = NULL;
        out->len = 0;
        return 0;
    }
    return rc;
}

int sk_mpx_field(sk_mpx *x, sk_mp_view map, const char *key, sk_mp_view *out)
{
    if (sk_mpx_absent(map)) {
        out->p = NULL;
        out->len = 0;
        return 0;
    }
    if (sk_mp_type_of(map) != SK_MP_MAP)
        return bad(x, key);
    return find(map, key, out) ? bad(x, key) : 0;
}

static int dup_str(sk_mpx *x, sk_mp_view v, const char *what, const char **out)
{
    const char *s;
    size_t n;
    if (sk_mpx_absent(v)) {
        *out = "";
        return 0;
    }
    if (sk_mp_get_str(v, &s, &n) || memchr(s, '\0', n))
        return bad(x, what);
    *out = sk_arena_strndup(x->arena, s, n);
    return *out ? 0 : x->arena->err;
}

int sk_mpx_str(sk_mpx *x, sk_mp_view v, const char *path, const char **out)
{
    sk_mp_view f;
    if (!sk_mpx_absent(v) && find(v, path, &f))
        return bad(x, path);
    if (sk_mpx_absent(v))
        f = v;
    return dup_str(x, f, path, out);
}

int sk_mpx_bool(sk_mpx *x, sk_mp_view v, const char *path, bool *out)
{
    sk_mp_view f = {0};
    *out = false;
    if (!sk_mpx_absent(v) && find(v, path, &f))
        return bad(x, path);
    if (sk_mpx_absent(f))
        return 0;
    return sk_mp_get_bool(f, out) ? bad(x, path) : 0;
}

int sk_mpx_i64(sk_mpx *x, sk_mp_view v, const char *path, int64_t def, int64_t *out)
{
    sk_mp_view f = {0};
    *out = def;
    if (!sk_mpx_absent(v) && find(v, path, &f))
        return bad(x, path);
    if (sk_mpx_absent(f))
        return 0;
    return sk_mp_get_int(f, out) ? bad(x, path) : 0;
}

int sk_mpx_time(sk_mpx *x, sk_mp_view v, const char *path, int64_t *out)
{
    sk_mp_view f = {0};
    const char *s;
    size_t n;
    *out = 0;
    if (!sk_mpx_absent(v) && find(v, path, &f))
        return bad(x, path);
    if (sk_mpx_absent(f))
        return 0;
    if (sk_mp_get_str(f, &s, &n) || sk_rfc3339_ms(s, n, out))
        return bad(x, path);
    return 0;
}

int sk_mpx_array(sk_mpx *x, sk_mp_view v, uint32_t *n)
{
    sk_mp_iter it;
    *n = 0;
    if (sk_mpx_absent(v))
        return 0;
    if (sk_mp_type_of(v) != SK_MP_ARRAY || sk_mp_iter_init(v, &it, n))
        return bad(x, "array");
    return 0;
}

int sk_mpx_items(sk_mpx *x, sk_mp_view v, size_t size, sk_mpx_item_fn fn, const void *ctx,
                 void **out, uint32_t *n)
{
    sk_mp_iter it;
    sk_mp_view k, item;
    *out = NULL;
    if (sk_mpx_array(x, v, n))
        return SK_EBADMSG;
    if (*n == 0)
        return 0;
    char *arr = sk_arena_calloc(x->arena, *n, size);
    if (!arr)
        return x->arena->err;
    sk_mp_iter_init(v, &it, n);
    for (uint32_t i = 0; i < *n && sk_mp_iter_next(&it, &k, &item) == 1; i++) {
        int rc = fn(x, item, arr + (size_t)i * size, ctx);
        if (rc)
            return rc;
    }
    *out = arr;
    return 0;
}

static int parse_value(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    (void)ctx;
    return dup_str(x, item, "values", elem);
}

int sk_mpx_strs(sk_mpx *x, sk_mp_view v, const char *const **out, uint32_t *n)
{
    void *arr;
    int rc = sk_mpx_items(x, v, sizeof(const char *), parse_value, NULL, &arr, n);
    *out = arr;
    return rc;
}

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const sk_sched_kv *)a)->key, ((const sk_sched_kv *)b)->key);
}

int sk_mpx_labels(sk_mpx *x, sk_mp_view v, sk_sched_labels *out)
{
    sk_mp_iter it;
    sk_mp_view k, val;
    uint32_t n;
    out->items = NULL;
    out->n = 0;
    if (sk_mpx_absent(v))
        return 0;
    if (sk_mp_type_of(v) != SK_MP_MAP || sk_mp_iter_init(v, &it, &n))
        return bad(x, "labels");
    sk_sched_kv *items = sk_arena_calloc(x->arena, n ? n : 1, sizeof(*items));
    if (!items)
        return x->arena->err;
    uint32_t i = 0;
    while (i < n && sk_mp_iter_next(&it, &k, &val) == 1) {
        int rc = dup_str(x, k, "labels", &items[i].key);
        if (!rc)
            rc = dup_str(x, val, "labels", &items[i].value);
        if (rc)
            return rc;
        i++;
    }
    qsort(items, i, sizeof(*items), cmp_kv);
    /* msgpack maps may repeat a key; keep the last, as JSON decoders do. */
    uint32_t w = 0;
    for (uint32_t r = 0; r < i; r++) {
        if (w > 0 && strcmp(items[w - 1].key, items[r].key) == 0)
            items[w - 1] = items[r];
        else
            items[w++] = items[r];
    }
    out->items = items;
    out->n = w;
    return 0;
}

static int parse_op(sk_mpx *x, sk_mp_view v, bool node_selector, sk_sched_op *op)
{
    static const char *const names[] = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"};
    size_t nops = node_selector ? 6 : 4;
    for (size_t i = 0; i < nops; i++) {
        if (sk_mp_str_eq(v, names[i])) {
            *op = (sk_sched_op)i;
            return 0;
        }
    }
    return bad(x, "operator");
}

/* ctx points at a bool: node selectors also allow Gt and Lt. */
static int parse_requirement(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    sk_sched_requirement *req = elem;
    sk_mp_view opv, vals;
    int rc = sk_mpx_str(x, item, "key", &req->key);
    if (!rc)
        rc = sk_mpx_field(x, item, "operator", &opv);
    if (!rc)
        rc = parse_op(x, opv, *(const bool *)ctx, &req->op);
    if (!rc)
        rc = sk_mpx_field(x, item, "values", &vals);
    if (!rc)
        rc = sk_mpx_strs(x, vals, &req->values, &req->nvalues);
    return rc;
}

static int parse_requirements(sk_mpx *x, sk_mp_view v, bool node_selector,
                              const sk_sched_requirement **out, uint32_t *n)
{
    void *arr;
    int rc = sk_mpx_items(x, v, sizeof(sk_sched_requirement), parse_requirement, &node_selector,
                         &arr, n);
    *out = arr;
    return rc;
}

int sk_mpx_selector(sk_mpx *x, sk_mp_view v, sk_sched_label_selector *out)
{
    sk_mp_view ml, me;
    memset(out, 0, sizeof(*out));
    if (sk_mpx_absent(v))
        return 0;
    if (sk_mp_type_of(v) != SK_MP_MAP)
        return bad(x, "labelSelector");
    out->present = true;
    int rc = sk_mpx_field(x, v, "matchLabels", &ml);
    if (!rc)
        rc = sk_mpx_labels(x, ml, &out->match_labels);
    if (!rc)
        rc = sk_mpx_field(x, v, "matchExpressions", &me);
    if (!rc)
        rc = parse_requirements(x, me, false, &out->exprs, &out->nexprs);
    return rc;
}

int sk_mpx_node_term(sk_mpx *x, sk_mp_view v, sk_sched_node_term *out)
{
    sk_mp_view me, mf;
    memset(out, 0, sizeof(*out));
    if (sk_mpx_absent(v))
        return 0;
    int rc = sk_mpx_field(x, v, "matchExpressions", &me);
    if (!rc)
        rc = parse_requirements(x, me, true, &out->exprs, &out->nexprs);
    if (!rc)
        rc = sk_mpx_field(x, v, "matchFields", &mf);
    if (!rc)
        rc = parse_requirements(x, mf, true, &out->fields, &out->nfields);
    return rc;
}

static int parse_effect(sk_mpx *x, sk_mp_view v, sk_sched_effect *out)
{
    const char *s;
    size_t n;
    *out = SK_SCHED_EFFECT_ALL;
    if (sk_mpx_absent(v))
        return 0;
    if (sk_mp_get_str(v, &s, &n))
        return bad(x, "effect");
    if (n == 0)
        return 0;
    if (sk_mp_str_eq(v, "NoSchedule"))
        *out = SK_SCHED_EFFECT_NO_SCHEDULE;
    else if (sk_mp_str_eq(v, "PreferNoSchedule"))
        *out = SK_SCHED_EFFECT_PREFER_NO_SCHEDULE;
    else if (sk_mp_str_eq(v, "NoExecute"))
        *out = SK_SCHED_EFFECT_NO_EXECUTE;
    else
        return bad(x, "effect");
    return 0;
}

static int parse_taint(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    sk_sched_taint *t = elem;
    sk_mp_view ef;
    (void)ctx;
    int rc = sk_mpx_str(x, item, "key", &t->key);
    if (!rc)
        rc = sk_mpx_str(x, item, "value", &t->value);
    if (!rc)
        rc = sk_mpx_field(x, item, "effect", &ef);
    if (!rc)
        rc = parse_effect(x, ef, &t->effect);
    return rc;
}

int sk_mpx_taints(sk_mpx *x, sk_mp_view v, const sk_sched_taint **out, uint32_t *n)
{
    void *arr;
    int rc = sk_mpx_items(x, v, sizeof(sk_sched_taint), parse_taint, NULL, &arr, n);
    *out = arr;
    return rc;
}

static int parse_toleration(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    sk_sched_toleration *t = elem;
    sk_mp_view ef;
    const char *op;
    (void)ctx;
    int rc = sk_mpx_str(x, item, "key", &t->key);
    if (!rc)
        rc = sk_mpx_str(x, item, "value", &t->value);
    if (!rc)
        rc = sk_mpx_str(x, item, "operator", &op);
    if (!rc && strcmp(op, "Exists") != 0 && strcmp(op, "Equal") != 0 && op[0])
        rc = bad(x, "operator");
    if (!rc)
        rc = sk_mpx_field(x, item, "effect", &ef);
    if (!rc)
        rc = parse_effect(x, ef, &t->effect);
    if (!rc)
        t->exists = strcmp(op, "Exists") == 0;
    return rc;
}

int sk_mpx_tolerations(sk_mpx *x, sk_mp_view v, const sk_sched_toleration **out, uint32_t *n)
{
    void *arr;
    int rc = sk_mpx_items(x, v, sizeof(sk_sched_toleration), parse_toleration, NULL, &arr, n);
    *out = arr;
    return rc;
}
