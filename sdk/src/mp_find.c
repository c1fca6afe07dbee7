/* Walking containers: iterators and dotted-path lookup. Values are stepped
 * over with sk_mp_skip, which re-validates them, so a view that was never
 * checked cannot lead a walk outside its bytes. */
#include <string.h>

#include "mp_head.h"
#include "skiff/errors.h"

int sk_mp_iter_init(sk_mp_view v, sk_mp_iter *it, uint32_t *count)
{
    sk_mp_head h;
    if (!it)
        return SK_EBADMSG;
    *it = (sk_mp_iter){0};
    if (sk_mp_head_read(v.p, v.len, &h) || (h.type != SK_MP_ARRAY && h.type != SK_MP_MAP))
        return SK_EBADMSG;
    it->p = v.p + h.hdr;
    it->end = v.p + v.len;
    it->left = (uint32_t)h.n;
    it->is_map = h.type == SK_MP_MAP;
    if (count)
        *count = it->left;
    return 0;
}

static int fail(sk_mp_iter *it)
{
    it->left = 0;
    return SK_EBADMSG;
}

static int take(sk_mp_iter *it, sk_mp_view *one)
{
    if (sk_mp_skip(it->p, it->end, one))
        return SK_EBADMSG;
    it->p += one->len;
    return 0;
}

int sk_mp_iter_next(sk_mp_iter *it, sk_mp_view *key, sk_mp_view *val)
{
    sk_mp_view k = {0}, v;
    if (!it || it->left == 0)
        return 0;
    if (it->is_map && take(it, &k))
        return fail(it);
    if (take(it, &v))
        return fail(it);
    it->left--;
    if (key)
        *key = k;
    if (val)
        *val = v;
    return 1;
}

/* An array index: decimal digits only, so "01" or "+1" or "" never match. */
static bool parse_index(const char *s, size_t n, uint32_t *out)
{
    uint64_t i = 0;
    if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        i = i * 10 + (uint64_t)(s[k] - '0');
    }
    if (i > UINT32_MAX)
        return false;
    *out = (uint32_t)i;
    return true;
}

static bool key_is(sk_mp_view key, const char *seg, size_t n)
{
    const char *s;
    const void *b;
    size_t len;
    if (sk_mp_get_str(key, &s, &len) == 0)
        return len == n && memcmp(s, seg, n) == 0;
    if (sk_mp_get_bin(key, &b, &len) == 0)
        return len == n && memcmp(b, seg, n) == 0;
    return false;
}

/* The child of v named by one path segment. */
static int child(sk_mp_view v, const char *seg, size_t n, sk_mp_view *out)
{
    sk_mp_iter it;
    sk_mp_view key, val;
    uint32_t want = 0, i = 0, count = 0;
    int rc;
    sk_mp_type t = sk_mp_type_of(v);
    if (t == SK_MP_INVALID)
        return SK_EBADMSG;
    if (t != SK_MP_MAP && t != SK_MP_ARRAY)
        return SK_ENOTFOUND;
    if (t == SK_MP_ARRAY && !parse_index(seg, n, &want))
        return SK_ENOTFOUND;
    if (sk_mp_iter_init(v, &it, &count))
        return SK_EBADMSG;
    if (t == SK_MP_ARRAY && want >= count)
        return SK_ENOTFOUND;
    while ((rc = sk_mp_iter_next(&it, &key, &val)) == 1) {
        if (t == SK_MP_ARRAY ? i++ == want : key_is(key, seg, n)) {
            *out = val;
            return 0;
        }
    }
    return rc < 0 ? rc : SK_ENOTFOUND;
}

int sk_mp_find(sk_mp_view v, const char *path, sk_mp_view *out)
{
    sk_mp_view cur = v;
    if (sk_mp_type_of(v) == SK_MP_INVALID)
        return SK_EBADMSG;
    /* "" names v itself; after that every dot starts a segment, so "a." asks
     * for the key "" inside "a". */
    const char *seg = path ? path : "";
    for (bool more = *seg != '\0'; more;) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        int rc = child(cur, seg, n, &cur);
        if (rc)
            return rc;
        more = dot != NULL;
        seg = dot ? dot + 1 : seg;
    }
    *out = cur;
    return 0;
}
