#include "mpcfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "skiff/mp.h"
#include "tjson.h"

struct sk_cfg {
    mpcfg *tree;
    sk_mp_view v;
    char *text; /* scalar text, made on demand */
    struct sk_cfg *next;
};

struct mpcfg {
    uint8_t *bytes;
    size_t len;
    struct sk_cfg *nodes; /* every node handed out, freed with the tree */
    struct sk_cfg *root;
};

static struct sk_cfg *node(mpcfg *t, sk_mp_view v)
{
    struct sk_cfg *n = calloc(1, sizeof(*n));
    if (!n)
        abort();
    n->tree = t;
    n->v = v;
    n->next = t->nodes;
    t->nodes = n;
    return n;
}

mpcfg *mpcfg_new(const char *json)
{
    mpcfg *t = calloc(1, sizeof(*t));
    sk_mp_view v;
    t->bytes = tj_mp(json, &t->len);
    if (sk_mp_check(t->bytes, t->len, SK_MP_MAX_DEPTH, &v))
        abort();
    t->root = node(t, v);
    return t;
}

void mpcfg_free(mpcfg *t)
{
    if (!t)
        return;
    for (struct sk_cfg *n = t->nodes, *next; n; n = next) {
        next = n->next;
        free(n->text);
        free(n);
    }
    free(t->bytes);
    free(t);
}

const sk_cfg *mpcfg_root(mpcfg *t)
{
    return t->root;
}

static const sk_cfg *get(const sk_cfg *n, const char *path)
{
    sk_mp_view out;
    if (!n || sk_mp_find(n->v, path, &out))
        return NULL;
    return node(n->tree, out);
}

static sk_cfg_type type(const sk_cfg *n)
{
    switch (n ? sk_mp_type_of(n->v) : SK_MP_NIL) {
    case SK_MP_MAP: return SK_CFG_MAP;
    case SK_MP_ARRAY: return SK_CFG_LIST;
    case SK_MP_NIL: return SK_CFG_NULL;
    default: return SK_CFG_SCALAR;
    }
}

static const char *str(const sk_cfg *cn)
{
    struct sk_cfg *n = (struct sk_cfg *)cn;
    char buf[64];
    int64_t i;
    double d;
    bool b;
    if (!n)
        return NULL;
    if (n->text)
        return n->text;
    switch (sk_mp_type_of(n->v)) {
    case SK_MP_STR: n->text = sk_mp_strdup(n->v); break;
    case SK_MP_UINT:
    case SK_MP_INT:
        sk_mp_get_int(n->v, &i);
        snprintf(buf, sizeof(buf), "%lld", (long long)i);
        n->text = strdup(buf);
        break;
    case SK_MP_FLOAT:
        sk_mp_get_double(n->v, &d);
        snprintf(buf, sizeof(buf), "%g", d);
        n->text = strdup(buf);
        break;
    case SK_MP_BOOL:
        sk_mp_get_bool(n->v, &b);
        n->text = strdup(b ? "true" : "false");
        break;
    default: break;
    }
    return n->text;
}

static int to_int(const sk_cfg *n, int64_t *out)
{
    return n && sk_mp_get_int(n->v, out) == 0 ? 0 : SK_ECONFIG;
}

static int to_double(const sk_cfg *n, double *out)
{
    return n && sk_mp_get_double(n->v, out) == 0 ? 0 : SK_ECONFIG;
}

static int to_bool(const sk_cfg *n, int *out)
{
    bool b;
    if (!n || sk_mp_get_bool(n->v, &b))
        return SK_ECONFIG;
    *out = b;
    return 0;
}

static int to_duration_ms(const sk_cfg *n, int64_t *out)
{
    return to_int(n, out);
}

static size_t len(const sk_cfg *n)
{
    sk_mp_iter it;
    uint32_t c = 0;
    if (!n || (type(n) != SK_CFG_MAP && type(n) != SK_CFG_LIST) || sk_mp_iter_init(n->v, &it, &c))
        return 0;
    return c;
}

static int nth(const sk_cfg *n, size_t i, sk_mp_view *k, sk_mp_view *v)
{
    sk_mp_iter it;
    uint32_t c;
    if (!n || sk_mp_iter_init(n->v, &it, &c) || i >= c)
        return -1;
    for (size_t j = 0; j <= i; j++)
        if (sk_mp_iter_next(&it, k, v) != 1)
            return -1;
    return 0;
}

static const sk_cfg *at(const sk_cfg *n, size_t i)
{
    sk_mp_view k, v;
    return nth(n, i, &k, &v) ? NULL : node(n->tree, v);
}

static const char *key(const sk_cfg *n, size_t i)
{
    sk_mp_view k, v;
    if (type(n) != SK_CFG_MAP || nth(n, i, &k, &v))
        return NULL;
    return str(node(n->tree, k));
}

static const char *where(const sk_cfg *n)
{
    (void)n;
    return "test.yaml:1:1";
}

static const sk_cfg_api api = {
    .size = sizeof(sk_cfg_api), .get = get, .type = type, .str = str, .to_int = to_int,
    .to_double = to_double, .to_bool = to_bool, .to_duration_ms = to_duration_ms, .len = len,
    .at = at, .key = key, .where = where,
};

const sk_cfg_api *mpcfg_api(void)
{
    return &api;
}
