/* Fixed binary layouts of the index and history records. Explicit byte
 * order so a data directory means the same thing on any machine. */
#include <string.h>

#include "skiff/errors.h"
#include "store_int.h"

void st_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

uint64_t st_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

void st_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

uint64_t st_get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int st_idx_decode(const MDB_val *v, st_idx_rec *r)
{
    const uint8_t *p = v->mv_data;
    if (v->mv_size < ST_IDX_HDR)
        return SK_EINTERNAL;
    r->create_rev = (int64_t)st_get_le64(p);
    r->mod_rev = (int64_t)st_get_le64(p + 8);
    r->version = (int64_t)st_get_le64(p + 16);
    r->lease = (int64_t)st_get_le64(p + 24);
    r->key_len = v->mv_size - ST_IDX_HDR;
    r->key = r->key_len ? p + ST_IDX_HDR : NULL;
    return 0;
}

void st_idx_encode(uint8_t *out, const st_idx_rec *r)
{
    st_put_le64(out, (uint64_t)r->create_rev);
    st_put_le64(out + 8, (uint64_t)r->mod_rev);
    st_put_le64(out + 16, (uint64_t)r->version);
    st_put_le64(out + 24, (uint64_t)r->lease);
    if (r->key_len)
        memcpy(out + ST_IDX_HDR, r->key, r->key_len);
}

int st_hist_decode(const MDB_val *v, st_hist_rec *r)
{
    const uint8_t *p = v->mv_data;
    if (v->mv_size < ST_HIST_HDR)
        return SK_EINTERNAL;
    r->create_rev = (int64_t)st_get_le64(p);
    r->version = (int64_t)st_get_le64(p + 8);
    r->lease = (int64_t)st_get_le64(p + 16);
    r->flags = p[24];
    r->key_len = (size_t)p[25] | (size_t)p[26] << 8 | (size_t)p[27] << 16 | (size_t)p[28] << 24;
    if (r->key_len > v->mv_size - ST_HIST_HDR)
        return SK_EINTERNAL;
    r->key = r->key_len ? p + ST_HIST_HDR : NULL;
    r->value = p + ST_HIST_HDR + r->key_len;
    r->value_len = v->mv_size - ST_HIST_HDR - r->key_len;
    return 0;
}

void st_hist_encode_head(uint8_t *out, const st_hist_rec *r)
{
    st_put_le64(out, (uint64_t)r->create_rev);
    st_put_le64(out + 8, (uint64_t)r->version);
    st_put_le64(out + 16, (uint64_t)r->lease);
    out[24] = (uint8_t)r->flags;
    out[25] = (uint8_t)r->key_len;
    out[26] = (uint8_t)(r->key_len >> 8);
    out[27] = (uint8_t)(r->key_len >> 16);
    out[28] = (uint8_t)(r->key_len >> 24);
    if (r->key_len)
        memcpy(out + ST_HIST_HDR, r->key, r->key_len);
}
