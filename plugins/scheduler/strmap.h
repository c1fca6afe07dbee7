/* A string-keyed hash map (open addressing, linear probing, backward-shift
 * deletion). Keys are borrowed: the caller keeps each key alive while it is
 * in the map (usually it points into the value). */
#ifndef SK_SCHED_STRMAP_H
#define SK_SCHED_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_strmap_slot {
    const char *key; /* NULL: empty */
    uint64_t hash;
    void *value;
} sk_strmap_slot;

typedef struct sk_strmap {
    sk_strmap_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t len;
} sk_strmap;

uint64_t sk_strhash(const char *s);
void sk_strmap_init(sk_strmap *m);
void sk_strmap_free(sk_strmap *m); /* frees the table, not keys or values */
void *sk_strmap_get(const sk_strmap *m, const char *key);
/* Where key's value is stored, to update it in place; NULL if absent. */
void **sk_strmap_ref(const sk_strmap *m, const char *key);
/* Inserts or replaces. 0 or -ENOMEM. *old (may be NULL) gets the replaced
 * value or NULL. */
int sk_strmap_put(sk_strmap *m, const char *key, void *value, void **old);
/* Removes and returns the value, or NULL. */
void *sk_strmap_del(sk_strmap *m, const char *key);
/* Iteration: for (size_t i = 0; sk_strmap_next(m, &i, &k, &v);) — the map
 * must not change meanwhile. */
int sk_strmap_next(const sk_strmap *m, size_t *i, const char **key, void **value);

#endif
