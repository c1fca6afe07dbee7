/* Chained hashing keeps deletion during iteration trivial, which the
 * broker needs when a lost peer fails every request routed through it. */
#include "broker_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t map_hash(const void *k, size_t n)
{
    const uint8_t *p = k;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

void sk_map_init(sk_map *m)
{
    m->b = NULL;
    m->nb = 0;
    m->n = 0;
}

void sk_map_clear(sk_map *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->nb; i++) {
        sk_map_ent *e = m->b[i];
        while (e) {
            sk_map_ent *next = e->next;
            if (free_val)
                free_val(e->val);
            free(e);
            e = next;
        }
    }
    free(m->b);
    sk_map_init(m);
}

static sk_map_ent **map_slot(const sk_map *m, const void *k, size_t klen, uint64_t h)
{
    if (!m->nb)
        return NULL;
    sk_map_ent **pp = &m->b[h & (m->nb - 1)];
    while (*pp) {
        sk_map_ent *e = *pp;
        if (e->hash == h && e->klen == klen && (klen == 0 || memcmp(e->key, k, klen) == 0))
            return pp;
        pp = &e->next;
    }
    return pp;
}

void *sk_map_get(const sk_map *m, const void *k, size_t klen)
{
    sk_map_ent **pp = map_slot(m, k, klen, map_hash(k, klen));
    return pp && *pp ? (*pp)->val : NULL;
}

static int map_grow(sk_map *m)
{
    size_t nb = m->nb ? m->nb * 2 : 16;
    sk_map_ent **b = calloc(nb, sizeof *b);
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < m->nb; i++) {
        sk_map_ent *e = m->b[i];
        while (e) {
            sk_map_ent *next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

int sk_map_put(sk_map *m, const void *k, size_t klen, void *val)
{
    uint64_t h = map_hash(k, klen);
    sk_map_ent **pp = map_slot(m, k, klen, h);
    if (pp && *pp) {
        (*pp)->val = val;
        return 0;
    }
    if (m->n + 1 > m->nb * 3 / 4) {
        if (map_grow(m))
            return -ENOMEM;
        pp = map_slot(m, k, klen, h);
    }
    sk_map_ent *e = malloc(sizeof *e + klen);
    if (!e)
        return -ENOMEM;
    e->next = NULL;
    e->hash = h;
    e->val = val;
    e->klen = klen;
    if (klen)
        memcpy(e->key, k, klen);
    *pp = e;
    m->n++;
    return 0;
}

void *sk_map_del(sk_map *m, const void *k, size_t klen)
{
    sk_map_ent **pp = map_slot(m, k, klen, map_hash(k, klen));
    if (!pp || !*pp)
        return NULL;
    sk_map_ent *e = *pp;
    void *v = e->val;
    *pp = e->next;
    free(e);
    m->n--;
    return v;
}

void sk_map_it_init(sk_map_it *it)
{
    it->b = 0;
    it->next = NULL;
}

sk_map_ent *sk_map_next(const sk_map *m, sk_map_it *it)
{
    while (!it->next && it->b < m->nb)
        it->next = m->b[it->b++];
    sk_map_ent *e = it->next;
    if (e)
        it->next = e->next;
    return e;
}
