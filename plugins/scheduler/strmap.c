#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t sk_strhash(const char *s)
{
    /* FNV-1a, then a final mix so linear probing sees spread-out bits. */
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

void sk_strmap_init(sk_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void sk_strmap_free(sk_strmap *m)
{
    free(m->slots);
    sk_strmap_init(m);
}

static size_t find_slot(const sk_strmap *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = h & mask;
    while (m->slots[i].key) {
        if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

void *sk_strmap_get(const sk_strmap *m, const char *key)
{
    if (!m->cap || !key)
        return NULL;
    size_t i = find_slot(m, key, sk_strhash(key));
    return m->slots[i].key ? m->slots[i].value : NULL;
}

void **sk_strmap_ref(const sk_strmap *m, const char *key)
{
    if (!m->cap || !key)
        return NULL;
    size_t i = find_slot(m, key, sk_strhash(key));
    return m->slots[i].key ? &m->slots[i].value : NULL;
}

static int grow(sk_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    sk_strmap_slot *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        size_t j = m->slots[i].hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int sk_strmap_put(sk_strmap *m, const char *key, void *value, void **old)
{
    if (old)
        *old = NULL;
    if (!key)
        return -EINVAL;
    uint64_t h = sk_strhash(key);
    /* Replacing never allocates, so callers re-keying an entry cannot fail. */
    if (m->cap) {
        size_t i = find_slot(m, key, h);
        if (m->slots[i].key) {
            if (old)
                *old = m->slots[i].value;
            m->slots[i].key = key;
            m->slots[i].value = value;
            return 0;
        }
    }
    if ((m->len + 1) * 4 > m->cap * 3) {
        int rc = grow(m);
        if (rc)
            return rc;
    }
    size_t i = find_slot(m, key, h);
    m->slots[i] = (sk_strmap_slot){key, h, value};
    m->len++;
    return 0;
}

void *sk_strmap_del(sk_strmap *m, const char *key)
{
    if (!m->cap || !key)
        return NULL;
    size_t mask = m->cap - 1;
    size_t i = find_slot(m, key, sk_strhash(key));
    if (!m->slots[i].key)
        return NULL;
    void *v = m->slots[i].value;
    /* Backward shift: pull later entries of the run into the hole so
     * lookups never need tombstones. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].key)
            break;
        size_t home = m->slots[j].hash & mask;
        int between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (between)
            continue;
        m->slots[i] = m->slots[j];
        i = j;
    }
    m->slots[i].key = NULL;
    m->len--;
    return v;
}

int sk_strmap_next(const sk_strmap *m, size_t *i, const char **key, void **value)
{
    while (*i < m->cap) {
        const sk_strmap_slot *s = &m->slots[(*i)++];
        if (s->key) {
            if (key)
                *key = s->key;
            if (value)
                *value = s->value;
            return 1;
        }
    }
    return 0;
}
