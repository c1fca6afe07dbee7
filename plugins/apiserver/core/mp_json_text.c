/* msgpack -> compact JSON text, without building a tree. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "base64.h"
#include "field_path.h"
#include "json_mp.h"
#include "json_text.h"
#include "strbuf.h"

typedef struct m2t {
    const sk_conv_limits *lim;
    sk_sbuf out;
    sk_fpath path;
    sk_apierr *err;
} m2t;

static int m2t_value(m2t *c, sk_mp_view v, int depth);

static int m2t_bad(m2t *c, const char *what)
{
    return sk_apierr_set(c->err, SK_EBADMSG, "%s at %s", what, sk_fpath_str(&c->path));
}

static int m2t_check(m2t *c)
{
    if (c->out.err == SK_ETOOLARGE)
        return sk_apierr_set(c->err, SK_ETOOLARGE, "JSON text exceeds %zu bytes (at %s)",
                             c->lim->max_bytes, sk_fpath_str(&c->path));
    if (c->out.err)
        return sk_apierr_set(c->err, c->out.err, "out of memory at %s",
                             sk_fpath_str(&c->path));
    return 0;
}

static int m2t_map(m2t *c, sk_mp_view v, int depth)
{
    sk_mp_iter it;
    sk_mp_view k, val;
    if (sk_mp_iter_init(v, &it, NULL))
        return m2t_bad(c, "malformed map");
    sk_sbuf_putc(&c->out, '{');
    for (int i = 0;; i++) {
        int rc = sk_mp_iter_next(&it, &k, &val);
        if (rc == 0)
            break;
        const char *ks;
        size_t kn;
        if (rc < 0 || sk_mp_get_str(k, &ks, &kn))
            return m2t_bad(c, rc < 0 ? "malformed map" : "map key is not a string");
        if (i)
            sk_sbuf_putc(&c->out, ',');
        if (sk_json_text_string(&c->out, ks, kn))
            return m2t_bad(c, "map key is not valid UTF-8");
        sk_sbuf_putc(&c->out, ':');
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(kn < 127 ? kn : 127), ks);
        size_t mark = sk_fpath_child(&c->path, key);
        rc = m2t_value(c, val, depth + 1);
        sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    sk_sbuf_putc(&c->out, '}');
    return m2t_check(c);
}

static int m2t_array(m2t *c, sk_mp_view v, int depth)
{
    sk_mp_iter it;
    sk_mp_view val;
    if (sk_mp_iter_init(v, &it, NULL))
        return m2t_bad(c, "malformed array");
    sk_sbuf_putc(&c->out, '[');
    for (size_t i = 0;; i++) {
        int rc = sk_mp_iter_next(&it, NULL, &val);
        if (rc == 0)
            break;
        if (rc < 0)
            return m2t_bad(c, "malformed array");
        if (i)
            sk_sbuf_putc(&c->out, ',');
        size_t mark = sk_fpath_index(&c->path, i);
        rc = m2t_value(c, val, depth + 1);
        sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    sk_sbuf_putc(&c->out, ']');
    return m2t_check(c);
}

static int m2t_bin(m2t *c, sk_mp_view v)
{
    const void *p;
    size_t n;
    if (sk_mp_get_bin(v, &p, &n))
        return m2t_bad(c, "malformed bin");
    char *s = malloc(sk_base64_len(n) + 1);
    if (!s)
        return sk_apierr_set(c->err, -ENOMEM, "out of memory at %s", sk_fpath_str(&c->path));
    sk_base64_encode(p, n, s);
    sk_sbuf_putc(&c->out, '"');
    sk_sbuf_puts(&c->out, s);
    sk_sbuf_putc(&c->out, '"');
    free(s);
    return 0;
}

static int m2t_scalar(m2t *c, sk_mp_view v)
{
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    size_t n;
    switch (sk_mp_type_of(v)) {
    case SK_MP_NIL:
        sk_sbuf_puts(&c->out, "null");
        return 0;
    case SK_MP_BOOL:
        if (sk_mp_get_bool(v, &b))
            return m2t_bad(c, "malformed bool");
        sk_sbuf_puts(&c->out, b ? "true" : "false");
        return 0;
    case SK_MP_UINT:
        if (sk_mp_get_uint(v, &u))
            return m2t_bad(c, "malformed integer");
        sk_sbuf_printf(&c->out, "%" PRIu64, u);
        return 0;
    case SK_MP_INT:
        if (sk_mp_get_int(v, &i))
            return m2t_bad(c, "malformed integer");
        sk_sbuf_printf(&c->out, "%" PRId64, i);
        return 0;
    case SK_MP_FLOAT:
        if (sk_mp_get_double(v, &d))
            return m2t_bad(c, "malformed float");
        if (sk_json_text_double(&c->out, d))
            return m2t_bad(c, "NaN or infinity (not representable in JSON)");
        return 0;
    case SK_MP_STR:
        if (sk_mp_get_str(v, &s, &n))
            return m2t_bad(c, "malformed string");
        if (sk_json_text_string(&c->out, s, n))
            return m2t_bad(c, "string is not valid UTF-8");
        return 0;
    case SK_MP_BIN:
        return m2t_bin(c, v);
    default:
        return m2t_bad(c, "msgpack ext or invalid type (no JSON equivalent)");
    }
}

static int m2t_value(m2t *c, sk_mp_view v, int depth)
{
    sk_mp_type t = sk_mp_type_of(v);
    int rc;
    if (t != SK_MP_MAP && t != SK_MP_ARRAY) {
        rc = m2t_scalar(c, v);
        return rc ? rc : m2t_check(c);
    }
    if (depth >= c->lim->max_depth)
        return sk_apierr_set(c->err, SK_ETOOLARGE, "nesting deeper than %d at %s",
                             c->lim->max_depth, sk_fpath_str(&c->path));
    return t == SK_MP_MAP ? m2t_map(c, v, depth) : m2t_array(c, v, depth);
}

int sk_mp_to_json_text(const void *buf, size_t len, const sk_conv_limits *lim, char **out,
                       size_t *out_len, sk_apierr *err)
{
    m2t c = {.lim = lim ? lim : &sk_conv_default_limits, .err = err};
    sk_mp_view v;
    if (!buf || !out)
        return sk_apierr_set(err, -EINVAL, "mp_to_json_text: NULL argument");
    *out = NULL;
    if (sk_mp_check(buf, len, c.lim->max_depth + 1, &v))
        return sk_apierr_set(err, SK_EBADMSG,
                             "malformed msgpack (truncated, trailing bytes or nesting deeper "
                             "than %d)",
                             c.lim->max_depth);
    sk_sbuf_init(&c.out, c.lim->max_bytes);
    sk_fpath_init(&c.path, NULL);
    int rc = m2t_value(&c, v, 0);
    if (rc == 0) {
        *out = sk_sbuf_take(&c.out, out_len);
        rc = *out ? 0 : m2t_check(&c);
    }
    sk_sbuf_free(&c.out);
    return rc;
}
