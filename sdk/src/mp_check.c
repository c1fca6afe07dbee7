/* Validation of untrusted msgpack without allocating or recursing.
 *
 * One counter per open container says how many items it still owes; their
 * sum (`pending`) is a lower bound on the bytes still needed, since every
 * object takes at least one byte. Comparing it with the bytes left after
 * each header rejects a hostile count (array32 of 2^32-1 in five bytes) at
 * once instead of after walking it. */
#include "mp_head.h"

#include "skiff/errors.h"

static int clamp_depth(int max_depth)
{
    if (max_depth < 0)
        return 0;
    return max_depth > SK_MP_DEPTH_CAP ? SK_MP_DEPTH_CAP : max_depth;
}

static bool is_container(sk_mp_type t)
{
    return t == SK_MP_ARRAY || t == SK_MP_MAP;
}

static int walk(const uint8_t *start, const uint8_t *end, int max_depth, size_t *used)
{
    uint64_t left[SK_MP_DEPTH_CAP + 1];
    int level = 0;
    uint64_t pending = 1;
    const uint8_t *p = start;
    left[0] = 1;
    for (;;) {
        sk_mp_head h;
        if (sk_mp_head_read(p, (size_t)(end - p), &h))
            return SK_EBADMSG;
        p += h.hdr;
        left[level]--;
        pending--;
        if (is_container(h.type)) {
            uint64_t items = h.type == SK_MP_MAP ? 2 * h.n : h.n;
            if (level >= max_depth)
                return SK_EBADMSG;
            pending += items;
            if (items)
                left[++level] = items;
        } else {
            if (h.n > (uint64_t)(end - p))
                return SK_EBADMSG;
            p += h.n;
        }
        if (pending > (uint64_t)(end - p))
            return SK_EBADMSG;
        while (level > 0 && left[level] == 0)
            level--;
        if (level == 0 && left[0] == 0)
            break;
    }
    *used = (size_t)(p - start);
    return 0;
}

int sk_mp_check_prefix(const void *buf, size_t len, int max_depth, sk_mp_view *out,
                       size_t *used)
{
    size_t n = 0;
    if (!buf || len == 0)
        return SK_EBADMSG;
    const uint8_t *p = buf;
    int rc = walk(p, p + len, clamp_depth(max_depth), &n);
    if (rc)
        return rc;
    if (out)
        *out = (sk_mp_view){.p = p, .len = n};
    if (used)
        *used = n;
    return 0;
}

int sk_mp_check(const void *buf, size_t len, int max_depth, sk_mp_view *out)
{
    size_t used = 0;
    sk_mp_view v;
    int rc = sk_mp_check_prefix(buf, len, max_depth, &v, &used);
    if (rc)
        return rc;
    if (used != len)
        return SK_EBADMSG;
    if (out)
        *out = v;
    return 0;
}

int sk_mp_skip(const uint8_t *p, const uint8_t *end, sk_mp_view *one)
{
    if (!p || p >= end)
        return SK_EBADMSG;
    return sk_mp_check_prefix(p, (size_t)(end - p), SK_MP_DEPTH_CAP, one, NULL);
}
