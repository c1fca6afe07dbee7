/* How user keys become LMDB keys (docs/STORE.md, "Long keys").
 *
 * LMDB keys are at most 511 bytes; Kubernetes keys reach ~800. A key of at
 * most ST_KEY_SHORT_MAX bytes is stored as itself. A longer one is stored
 * under its first ST_KEY_SHORT_MAX bytes, then an 8-byte hash of the whole
 * key, then a 1-byte collision number; the record keeps the whole key.
 * Byte order between keys that differ in their first ST_KEY_SHORT_MAX
 * bytes is unchanged, so only long keys sharing that prefix ("a run") come
 * out of LMDB in hash order: scans sort each run by the whole key. */
#ifndef SK_STORE_KEY_H
#define SK_STORE_KEY_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_KEY_SHORT_MAX 480
#define ST_EKEY_LONG (ST_KEY_SHORT_MAX + 8 + 1)
#define ST_EKEY_MAX ST_EKEY_LONG
/* history keys: ekey then the revision, big-endian */
#define ST_HKEY_MAX (ST_EKEY_MAX + 8)

static inline bool st_ekey_is_long(size_t elen) { return elen == ST_EKEY_LONG; }

/* The long-key form with collision number c; out has ST_EKEY_LONG bytes. */
void st_ekey_long(const uint8_t *key, size_t klen, uint8_t c, uint8_t *out);
/* Where a scan for keys >= key starts: key itself, cut to the short max. */
size_t st_ekey_floor(const uint8_t *key, size_t klen, uint8_t *out);
/* ekey || rev into out (ST_HKEY_MAX); returns the length. */
size_t st_hkey(const uint8_t *ekey, size_t elen, uint64_t rev, uint8_t *out);
/* Split a history key. */
static inline size_t st_hkey_elen(const MDB_val *k) { return k->mv_size - 8; }
uint64_t st_hkey_rev(const MDB_val *k);

/* LMDB comparator of the history db: (ekey, rev) pairs in order. */
int st_hkey_cmp(const MDB_val *a, const MDB_val *b);
/* memcmp order with shorter-is-smaller: the order of keys. */
int st_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
