/* The manager's string map: fixed 1024 buckets with chains, enough for the
 * per-ReplicaSet expectations and per-node health it holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mgr.h"

static size_t bucket(const char *k)
{
    uint32_t h = 2166136261u;
    for (; *k; k++)
        h = (h ^ (uint8_t)*k) * 16777619u;
    return h % 1024;
}

void *kv_get(kvmap *m, const char *key)
{
    for (kv_ent *e = m->b[bucket(key)]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e->value;
    return NULL;
}

int kv_put(kvmap *m, const char *key, void *value)
{
    size_t i = bucket(key);
    for (kv_ent *e = m->b[i]; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            e->value = value;
            return 0;
        }
    }
    size_t n = strlen(key) + 1;
    kv_ent *e = malloc(sizeof(*e) + n);
    if (!e)
        return -ENOMEM;
    memcpy(e->key, key, n);
    e->value = value;
    e->next = m->b[i];
    m->b[i] = e;
    m->len++;
    return 0;
}

void *kv_del(kvmap *m, const char *key)
{
    for (kv_ent **pp = &m->b[bucket(key)]; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->key, key) == 0) {
            kv_ent *e = *pp;
            void *v = e->value;
            *pp = e->next;
            free(e);
            m->len--;
            return v;
        }
    }
    return NULL;
}

void kv_free(kvmap *m, void (*free_value)(void *))
{
    for (size_t i = 0; i < 1024; i++) {
        for (kv_ent *e = m->b[i], *n; e; e = n) {
            n = e->next;
            if (free_value)
                free_value(e->value);
            free(e);
        }
        m->b[i] = NULL;
    }
    m->len = 0;
}
