/* The cache's hash table (cache_table.h). One allocation per entry holds
 * the key and the value, so a replace is one malloc and one free. */
#include "cache_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ap_centry_ref(const ap_centry *e)
{
    atomic_fetch_add(&((ap_centry *)e)->refs, 1);
}

void ap_centry_unref(const ap_centry *e)
{
    ap_centry *m = (ap_centry *)e;
    if (atomic_fetch_sub(&m->refs, 1) == 1) {
        free(atomic_load(&m->json));
        free(m);
    }
}

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int ap_ctable_init(ap_ctable *t, size_t cap_hint)
{
    size_t cap = 64;
    while (cap < cap_hint)
        cap *= 2;
    memset(t, 0, sizeof *t);
    t->slot = calloc(cap, sizeof *t->slot);
    if (!t->slot)
        return -ENOMEM;
    t->cap = cap;
    return 0;
}

void ap_ctable_free(ap_ctable *t)
{
    for (size_t i = 0; t->slot && i < t->cap; i++) {
        for (ap_centry *e = t->slot[i], *n; e; e = n) {
            n = e->next;
            ap_centry_unref(e);
        }
    }
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static ap_centry **find_link(const ap_ctable *t, const char *key, size_t key_len, uint64_t h)
{
    ap_centry **l = &t->slot[h & (t->cap - 1)];
    for (; *l; l = &(*l)->next)
        if ((*l)->hash == h && (*l)->key_len == key_len && memcmp((*l)->key, key, key_len) == 0)
            return l;
    return l;
}

const ap_centry *ap_ctable_find(const ap_ctable *t, const char *key, size_t key_len)
{
    if (!t->slot)
        return NULL;
    return *find_link(t, key, key_len, hash_key(key, key_len));
}

/* Doubles the slots; a failed allocation only costs longer chains. */
static void grow(ap_ctable *t)
{
    size_t cap = t->cap * 2;
    ap_centry **slot = calloc(cap, sizeof *slot);
    if (!slot)
        return;
    for (size_t i = 0; i < t->cap; i++) {
        for (ap_centry *e = t->slot[i], *n; e; e = n) {
            n = e->next;
            e->next = slot[e->hash & (cap - 1)];
            slot[e->hash & (cap - 1)] = e;
        }
    }
    free(t->slot);
    t->slot = slot;
    t->cap = cap;
}

int ap_ctable_put(ap_ctable *t, const char *key, size_t key_len, const void *val,
                  size_t val_len, int64_t mod_rev, int64_t create_rev)
{
    uint64_t h = hash_key(key, key_len);
    ap_centry *e = malloc(sizeof *e + key_len + 1 + val_len);
    if (!e)
        return -ENOMEM;
    *e = (ap_centry){.hash = h, .mod_rev = mod_rev, .create_rev = create_rev,
                     .key_len = key_len, .val_len = val_len};
    atomic_init(&e->refs, 1);
    atomic_init(&e->json, NULL);
    memcpy(e->key, key, key_len);
    e->key[key_len] = '\0';
    e->val = (uint8_t *)e->key + key_len + 1;
    memcpy(e->val, val, val_len);
    ap_centry **l = find_link(t, key, key_len, h);
    if (*l) {
        ap_centry *old = *l;
        e->next = old->next;
        t->bytes -= old->key_len + old->val_len;
        ap_centry_unref(old);
    } else {
        e->next = NULL;
        t->n++;
    }
    *l = e;
    t->bytes += key_len + val_len;
    if (t->n > t->cap)
        grow(t);
    return 0;
}

void ap_ctable_del(ap_ctable *t, const char *key, size_t key_len)
{
    ap_centry **l = find_link(t, key, key_len, hash_key(key, key_len));
    ap_centry *e = *l;
    if (!e)
        return;
    *l = e->next;
    t->n--;
    t->bytes -= e->key_len + e->val_len;
    ap_centry_unref(e);
}

void ap_ctable_scan(const ap_ctable *t, const char *prefix, size_t plen,
                    void (*fn)(void *arg, const ap_centry *e), void *arg)
{
    for (size_t i = 0; t->slot && i < t->cap; i++)
        for (const ap_centry *e = t->slot[i]; e; e = e->next)
            if (e->key_len >= plen && memcmp(e->key, prefix, plen) == 0)
                fn(arg, e);
}
