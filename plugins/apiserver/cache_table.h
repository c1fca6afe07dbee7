/* The cache's table: key -> (revisions, msgpack value), chained hashing.
 * Not thread-safe: cache.c guards it with its rwlock. Entries are
 * immutable and reference-counted (the table holds one reference), so a
 * reader can take references under the lock and use them after it. */
#ifndef AP_CACHE_TABLE_H
#define AP_CACHE_TABLE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* An object's JSON text, resourceVersion included, rendered once. */
typedef struct ap_ctext {
    size_t len;
    char text[];
} ap_ctext;

typedef struct ap_centry {
    struct ap_centry *next;
    atomic_int refs;
    _Atomic(ap_ctext *) json; /* NULL until a reader needs it */
    uint64_t hash;
    int64_t mod_rev, create_rev;
    size_t key_len, val_len;
    uint8_t *val; /* points past key in the same allocation */
    char key[];   /* NUL-terminated */
} ap_centry;

typedef struct ap_ctable {
    ap_centry **slot;
    size_t cap, n;
    size_t bytes; /* keys + values held */
} ap_ctable;

int ap_ctable_init(ap_ctable *t, size_t cap_hint);
void ap_ctable_free(ap_ctable *t);
const ap_centry *ap_ctable_find(const ap_ctable *t, const char *key, size_t key_len);
/* Inserts or replaces; -ENOMEM leaves the table as it was. */
int ap_ctable_put(ap_ctable *t, const char *key, size_t key_len, const void *val,
                  size_t val_len, int64_t mod_rev, int64_t create_rev);
void ap_ctable_del(ap_ctable *t, const char *key, size_t key_len);
/* Takes / drops a reference (any thread). */
void ap_centry_ref(const ap_centry *e);
void ap_centry_unref(const ap_centry *e);
/* Calls fn for every entry whose key starts with prefix (any order). */
void ap_ctable_scan(const ap_ctable *t, const char *prefix, size_t plen,
                    void (*fn)(void *arg, const ap_centry *e), void *arg);

#endif
