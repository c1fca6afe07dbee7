/* A small chained hash map with byte-string keys (copied) and pointer
 * values, shared by the loop, the broker and the endpoints. Not thread-safe:
 * each map belongs to one thread or is guarded by its owner's mutex. */
#ifndef SKIFF_HOST_BROKER_MAP_H
#define SKIFF_HOST_BROKER_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_map_ent {
    struct sk_map_ent *next;
    uint64_t hash;
    void *val;
    size_t klen;
    uint8_t key[];
} sk_map_ent;

typedef struct sk_map {
    sk_map_ent **b;
    size_t nb; /* bucket count, a power of two (0 before the first put) */
    size_t n;
} sk_map;

/* Iteration that tolerates deleting the entry just returned. */
typedef struct sk_map_it {
    size_t b;
    sk_map_ent *next;
} sk_map_it;

void sk_map_init(sk_map *m);
/* Frees every entry; free_val (may be NULL) runs on each value. */
void sk_map_clear(sk_map *m, void (*free_val)(void *));
void *sk_map_get(const sk_map *m, const void *k, size_t klen);
/* Inserts or replaces. 0 or -ENOMEM (the map is unchanged then). */
int sk_map_put(sk_map *m, const void *k, size_t klen, void *val);
/* Removes and returns the value, or NULL when absent. */
void *sk_map_del(sk_map *m, const void *k, size_t klen);

void sk_map_it_init(sk_map_it *it);
/* The next entry or NULL at the end; the entry stays valid until deleted. */
sk_map_ent *sk_map_next(const sk_map *m, sk_map_it *it);

static inline void *sk_map_get_u64(const sk_map *m, uint64_t k)
{ return sk_map_get(m, &k, sizeof k); }
static inline int sk_map_put_u64(sk_map *m, uint64_t k, void *v)
{ return sk_map_put(m, &k, sizeof k, v); }
static inline void *sk_map_del_u64(sk_map *m, uint64_t k)
{ return sk_map_del(m, &k, sizeof k); }

#endif
