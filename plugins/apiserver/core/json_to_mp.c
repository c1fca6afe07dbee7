/* jansson tree -> msgpack. */
#include <errno.h>

#include <skiff/errors.h>

#include "field_path.h"
#include "json_mp.h"

const sk_conv_limits sk_conv_default_limits = {SK_CONV_MAX_DEPTH, SK_CONV_MAX_BYTES};

typedef struct j2m {
    sk_mp_buf *out;
    const sk_conv_limits *lim;
    size_t start; /* out->len before we began: the limit counts our bytes only */
    sk_fpath path;
    sk_apierr *err;
} j2m;

static int j2m_value(j2m *c, const json_t *j, int depth);

static int j2m_check(j2m *c)
{
    if (c->out->err)
        return sk_apierr_set(c->err, c->out->err, "msgpack encoding failed at %s",
                             sk_fpath_str(&c->path));
    if (c->out->len - c->start > c->lim->max_bytes)
        return sk_apierr_set(c->err, SK_ETOOLARGE,
                             "encoded object exceeds %zu bytes (at %s)", c->lim->max_bytes,
                             sk_fpath_str(&c->path));
    return 0;
}

static int j2m_object(j2m *c, const json_t *j, int depth)
{
    const char *key;
    size_t key_len;
    json_t *val;
    sk_mp_put_map(c->out, (uint32_t)json_object_size(j));
    json_object_keylen_foreach((json_t *)j, key, key_len, val)
    {
        sk_mp_put_strn(c->out, key, key_len);
        size_t mark = sk_fpath_child(&c->path, key);
        int rc = j2m_value(c, val, depth + 1);
        sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    return j2m_check(c);
}

static int j2m_array(j2m *c, const json_t *j, int depth)
{
    size_t i;
    json_t *val;
    sk_mp_put_array(c->out, (uint32_t)json_array_size(j));
    json_array_foreach(j, i, val)
    {
        size_t mark = sk_fpath_index(&c->path, i);
        int rc = j2m_value(c, val, depth + 1);
        sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    return j2m_check(c);
}

static int j2m_value(j2m *c, const json_t *j, int depth)
{
    if ((json_is_object(j) || json_is_array(j)) && depth >= c->lim->max_depth)
        return sk_apierr_set(c->err, SK_ETOOLARGE, "nesting deeper than %d at %s",
                             c->lim->max_depth, sk_fpath_str(&c->path));
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return j2m_object(c, j, depth);
    case JSON_ARRAY:
        return j2m_array(c, j, depth);
    case JSON_STRING:
        sk_mp_put_strn(c->out, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        sk_mp_put_int(c->out, (int64_t)json_integer_value(j));
        break;
    case JSON_REAL:
        sk_mp_put_double(c->out, json_real_value(j));
        break;
    case JSON_TRUE:
        sk_mp_put_bool(c->out, true);
        break;
    case JSON_FALSE:
        sk_mp_put_bool(c->out, false);
        break;
    case JSON_NULL:
        sk_mp_put_nil(c->out);
        break;
    }
    return j2m_check(c);
}

int sk_json_to_mp(const json_t *j, sk_mp_buf *out, const sk_conv_limits *lim, sk_apierr *err)
{
    if (!j || !out)
        return sk_apierr_set(err, -EINVAL, "json_to_mp: NULL argument");
    if (out->err)
        return sk_apierr_set(err, out->err, "json_to_mp: output buffer already failed");
    j2m c = {.out = out, .lim = lim ? lim : &sk_conv_default_limits, .start = out->len,
             .err = err};
    sk_fpath_init(&c.path, NULL);
    return j2m_value(&c, j, 0);
}
