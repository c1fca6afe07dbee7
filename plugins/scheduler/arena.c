#include "arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sk_arena_chunk {
    sk_arena_chunk *next;
    size_t cap;
    _Alignas(max_align_t) unsigned char data[];
};

enum { ARENA_MIN_CHUNK = 4096 - sizeof(sk_arena_chunk) - 32 };

void sk_arena_init(sk_arena *a)
{
    memset(a, 0, sizeof(*a));
}

void sk_arena_free(sk_arena *a)
{
    sk_arena_chunk *c = a->head;
    while (c) {
        sk_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    sk_arena_init(a);
}

void sk_arena_reset(sk_arena *a)
{
    if (!a->head)
        return;
    sk_arena_chunk *keep = a->head;
    while (keep->next) {
        sk_arena_chunk *next = keep->next;
        free(keep);
        keep = next;
    }
    /* Keep the oldest (last) chunk: it is usually the only one. */
    a->head = keep;
    a->cap = keep->cap;
    a->used = 0;
    a->err = 0;
}

static int arena_grow(sk_arena *a, size_t need)
{
    size_t cap = need > ARENA_MIN_CHUNK ? need : ARENA_MIN_CHUNK;
    if (a->head && a->head->cap * 2 > cap && a->head->cap < (SIZE_MAX / 4))
        cap = a->head->cap * 2 > need ? a->head->cap * 2 : need;
    sk_arena_chunk *c = malloc(sizeof(*c) + cap);
    if (!c)
        return -ENOMEM;
    c->cap = cap;
    c->next = a->head;
    a->head = c;
    a->cap = cap;
    a->used = 0;
    return 0;
}

void *sk_arena_alloc(sk_arena *a, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    if (size > SIZE_MAX - align) {
        a->err = -ENOMEM;
        return NULL;
    }
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    if (!a->head || a->cap - a->used < size) {
        if (arena_grow(a, size) != 0) {
            a->err = -ENOMEM;
            return NULL;
        }
    }
    void *p = a->head->data + a->used;
    a->used += size;
    memset(p, 0, size);
    return p;
}

void *sk_arena_calloc(sk_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        a->err = -ENOMEM;
        return NULL;
    }
    return sk_arena_alloc(a, n * size);
}

char *sk_arena_strndup(sk_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        a->err = -ENOMEM;
        return NULL;
    }
    char *d = sk_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sk_arena_strdup(sk_arena *a, const char *s)
{
    return sk_arena_strndup(a, s, strlen(s));
}
