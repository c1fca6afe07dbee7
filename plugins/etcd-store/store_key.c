/* Key encoding for LMDB; the layout is explained in store_key.h. */
#include <string.h>

#include "store.h"
#include "store_int.h"
#include "store_key.h"

/* FNV-1a: only needs to spread keys; collisions are handled by the
 * collision number, so adversarial inputs cost a scan, never correctness. */
static uint64_t key_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void st_ekey_long(const uint8_t *key, size_t klen, uint8_t c, uint8_t *out)
{
    memcpy(out, key, ST_KEY_SHORT_MAX);
    st_put_u64(out + ST_KEY_SHORT_MAX, key_hash(key, klen));
    out[ST_KEY_SHORT_MAX + 8] = c;
}

size_t st_ekey_floor(const uint8_t *key, size_t klen, uint8_t *out)
{
    size_t n = klen < ST_KEY_SHORT_MAX ? klen : ST_KEY_SHORT_MAX;
    if (n)
        memcpy(out, key, n);
    return n;
}

size_t st_hkey(const uint8_t *ekey, size_t elen, uint64_t rev, uint8_t *out)
{
    if (elen)
        memcpy(out, ekey, elen);
    st_put_u64(out + elen, rev);
    return elen + 8;
}

uint64_t st_hkey_rev(const MDB_val *k)
{
    return st_get_u64((const uint8_t *)k->mv_data + k->mv_size - 8);
}

int st_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

int st_hkey_cmp(const MDB_val *a, const MDB_val *b)
{
    /* LMDB never stores keys shorter than 8 here; guard anyway so a bad
     * search key cannot read out of bounds. */
    if (a->mv_size < 8 || b->mv_size < 8)
        return st_key_cmp(a->mv_data, a->mv_size, b->mv_data, b->mv_size);
    const uint8_t *pa = a->mv_data, *pb = b->mv_data;
    int c = st_key_cmp(pa, a->mv_size - 8, pb, b->mv_size - 8);
    if (c)
        return c;
    return memcmp(pa + a->mv_size - 8, pb + b->mv_size - 8, 8);
}

size_t sk_store_prefix_end(const uint8_t *prefix, size_t prefix_len, uint8_t *buf)
{
    size_t n = prefix_len;
    while (n > 0 && prefix[n - 1] == 0xff)
        n--;
    if (n == 0) {
        buf[0] = 0;
        return 1;
    }
    memcpy(buf, prefix, n);
    buf[n - 1]++;
    return n;
}
