/* Chained hash map; grows at load 1 so lookups stay O(1) for caches of
 * hundreds of thousands of objects. */
#include "map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t map_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

void skc_map_init(skc_map *m)
{
    *m = (skc_map){0};
}

void skc_map_free(skc_map *m)
{
    for (size_t i = 0; i < m->nb; i++) {
        for (skc_map_ent *e = m->b[i], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    }
    free(m->b);
    skc_map_init(m);
}

static skc_map_ent **map_slot(const skc_map *m, const char *key, uint64_t h)
{
    if (!m->nb)
        return NULL;
    skc_map_ent **pp = &m->b[h & (m->nb - 1)];
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->hash == h && strcmp((*pp)->key, key) == 0)
            return pp;
    return pp;
}

void *skc_map_get(const skc_map *m, const char *key)
{
    skc_map_ent **pp = map_slot(m, key, map_hash(key));
    return pp && *pp ? (*pp)->value : NULL;
}

static int map_grow(skc_map *m)
{
    size_t nb = m->nb ? m->nb * 2 : 16;
    skc_map_ent **b = calloc(nb, sizeof(*b));
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < m->nb; i++) {
        for (skc_map_ent *e = m->b[i], *n; e; e = n) {
            n = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

int skc_map_put(skc_map *m, const char *key, void *value, void **old)
{
    uint64_t h = map_hash(key);
    if (old)
        *old = NULL;
    if (m->len >= m->nb) {
        int rc = map_grow(m);
        if (rc)
            return rc;
    }
    skc_map_ent **pp = map_slot(m, key, h);
    if (*pp) {
        if (old)
            *old = (*pp)->value;
        (*pp)->value = value;
        return 0;
    }
    size_t kl = strlen(key) + 1;
    skc_map_ent *e = malloc(sizeof(*e) + kl);
    if (!e)
        return -ENOMEM;
    e->next = NULL;
    e->hash = h;
    e->value = value;
    memcpy(e->key, key, kl);
    *pp = e;
    m->len++;
    return 0;
}

void *skc_map_del(skc_map *m, const char *key)
{
    skc_map_ent **pp = map_slot(m, key, map_hash(key));
    if (!pp || !*pp)
        return NULL;
    skc_map_ent *e = *pp;
    void *v = e->value;
    *pp = e->next;
    free(e);
    m->len--;
    return v;
}

int skc_map_next(const skc_map *m, skc_map_iter *it, const char **key, void **value)
{
    skc_map_ent *e = it->started ? it->next : NULL;
    if (!it->started) {
        it->started = 1;
        it->bucket = 0;
        e = m->nb ? m->b[0] : NULL;
    }
    while (!e) {
        if (++it->bucket >= m->nb)
            return 0;
        e = m->b[it->bucket];
    }
    it->next = e->next; /* read before the caller may delete e */
    if (key)
        *key = e->key;
    if (value)
        *value = e->value;
    return 1;
}
