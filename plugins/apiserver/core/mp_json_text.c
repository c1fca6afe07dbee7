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
#include "mp_head.h"
#include "strbuf.h"

typedef struct m2t {
    const sk_conv_limits *lim;
    sk_sbuf out;
    sk_fpath path;
    bool track; /* keep path: only on the second walk that words an error */
    sk_apierr *err;
} m2t;

static int m2t_value(m2t *c, const uint8_t **p, const uint8_t *end, int depth);

static int m2t_bad(m2t *c, const char *what)
{
    return sk_apierr_set(c->err, SK_EBADMSG, "%s at %s", what, sk_fpath_str(&c->path));
}

/* Decimal text of an integer without printf. */
static void put_u64(sk_sbuf *b, uint64_t u, bool neg)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do
        tmp[--n] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (neg)
        tmp[--n] = '-';
    sk_sbuf_putn(b, tmp + n, sizeof tmp - n);
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

/* The walk is single-pass (mp_head.h): each value is read once, at the
 * cursor *p, which ends up just past it. */
static int m2t_map(m2t *c, const uint8_t **p, const uint8_t *end, uint32_t n, int depth)
{
    sk_sbuf_putc(&c->out, '{');
    for (uint32_t i = 0; i < n; i++) {
        sk_mp_head k;
        if (sk_mp_head_next(p, end, &k))
            return m2t_bad(c, "malformed map");
        if (k.type != SK_MP_STR)
            return m2t_bad(c, "map key is not a string");
        if (i)
            sk_sbuf_putc(&c->out, ',');
        if (sk_json_text_string(&c->out, (const char *)k.data, k.n))
            return m2t_bad(c, "map key is not valid UTF-8");
        sk_sbuf_putc(&c->out, ':');
        size_t mark = 0;
        if (c->track) {
            char key[128];
            size_t kl = k.n < sizeof key - 1 ? k.n : sizeof key - 1;
            memcpy(key, k.data, kl);
            key[kl] = 0;
            mark = sk_fpath_child(&c->path, key);
        }
        int rc = m2t_value(c, p, end, depth + 1);
        if (c->track)
            sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    sk_sbuf_putc(&c->out, '}');
    return m2t_check(c);
}

static int m2t_array(m2t *c, const uint8_t **p, const uint8_t *end, uint32_t n, int depth)
{
    sk_sbuf_putc(&c->out, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            sk_sbuf_putc(&c->out, ',');
        size_t mark = c->track ? sk_fpath_index(&c->path, i) : 0;
        int rc = m2t_value(c, p, end, depth + 1);
        if (c->track)
            sk_fpath_restore(&c->path, mark);
        if (rc)
            return rc;
    }
    sk_sbuf_putc(&c->out, ']');
    return m2t_check(c);
}

static int m2t_bin(m2t *c, const uint8_t *data, size_t n)
{
    char *s = malloc(sk_base64_len(n) + 1);
    if (!s)
        return sk_apierr_set(c->err, -ENOMEM, "out of memory at %s", sk_fpath_str(&c->path));
    sk_base64_encode(data, n, s);
    sk_sbuf_putc(&c->out, '"');
    sk_sbuf_puts(&c->out, s);
    sk_sbuf_putc(&c->out, '"');
    free(s);
    return 0;
}

static int m2t_scalar(m2t *c, const sk_mp_head *h)
{
    switch (h->type) {
    case SK_MP_NIL:
        sk_sbuf_puts(&c->out, "null");
        return 0;
    case SK_MP_BOOL:
        sk_sbuf_puts(&c->out, h->u ? "true" : "false");
        return 0;
    case SK_MP_UINT:
        put_u64(&c->out, h->u, false);
        return 0;
    case SK_MP_INT:
        put_u64(&c->out, (uint64_t)0 - (uint64_t)h->i, true);
        return 0;
    case SK_MP_FLOAT:
        if (sk_json_text_double(&c->out, h->d))
            return m2t_bad(c, "NaN or infinity (not representable in JSON)");
        return 0;
    case SK_MP_STR:
        if (sk_json_text_string(&c->out, (const char *)h->data, h->n))
            return m2t_bad(c, "string is not valid UTF-8");
        return 0;
    case SK_MP_BIN:
        return m2t_bin(c, h->data, h->n);
    default:
        return m2t_bad(c, "msgpack ext or invalid type (no JSON equivalent)");
    }
}

static int m2t_value(m2t *c, const uint8_t **p, const uint8_t *end, int depth)
{
    sk_mp_head h;
    if (sk_mp_head_next(p, end, &h))
        return m2t_bad(c, "malformed msgpack (or an ext value, which has no JSON equivalent)");
    if (h.type != SK_MP_MAP && h.type != SK_MP_ARRAY) {
        int rc = m2t_scalar(c, &h);
        return rc ? rc : m2t_check(c);
    }
    if (depth >= c->lim->max_depth)
        return sk_apierr_set(c->err, SK_ETOOLARGE, "nesting deeper than %d at %s",
                             c->lim->max_depth, sk_fpath_str(&c->path));
    return h.type == SK_MP_MAP ? m2t_map(c, p, end, h.n, depth)
                               : m2t_array(c, p, end, h.n, depth);
}

/* One walk over buf; the walk itself bounds every read, so buf needs no
 * separate validation pass. */
static int m2t_walk(m2t *c, const uint8_t *buf, size_t len, char **out, size_t *out_len)
{
    sk_sbuf_init(&c->out, c->lim->max_bytes);
    sk_fpath_init(&c->path, NULL);
    const uint8_t *cur = buf;
    int rc = m2t_value(c, &cur, buf + len, 0);
    if (rc == 0 && cur != buf + len)
        rc = m2t_bad(c, "trailing bytes after the msgpack value");
    if (rc == 0) {
        *out = sk_sbuf_take(&c->out, out_len);
        rc = *out ? 0 : m2t_check(c);
    }
    sk_sbuf_free(&c->out);
    return rc;
}

int sk_mp_to_json_text(const void *buf, size_t len, const sk_conv_limits *lim, char **out,
                       size_t *out_len, sk_apierr *err)
{
    m2t c = {.lim = lim ? lim : &sk_conv_default_limits, .err = err};
    if (!buf || !out)
        return sk_apierr_set(err, -EINVAL, "mp_to_json_text: NULL argument");
    *out = NULL;
    int rc = m2t_walk(&c, buf, len, out, out_len);
    if (rc == 0 || rc == -ENOMEM)
        return rc;
    /* Failed: walk again keeping the path, so the message says where. */
    c.track = true;
    return m2t_walk(&c, buf, len, out, out_len);
}
