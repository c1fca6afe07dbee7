/* Chunked bump allocator (see store_arena.h). */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_arena.h"

#define CHUNK_MIN 4096

struct st_chunk {
    st_chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char mem[];
};

void st_arena_init(st_arena *a)
{
    a->head = NULL;
}

void *st_arena_alloc(st_arena *a, size_t n)
{
    size_t al = alignof(max_align_t);
    if (n > SIZE_MAX - al - sizeof(st_chunk) - CHUNK_MIN)
        return NULL;
    n = (n + al - 1) / al * al;
    if (n == 0)
        n = al;
    st_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        st_chunk *nc = malloc(sizeof(*nc) + cap);
        if (!nc)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        /* A big allocation goes behind the current chunk so the current
         * one keeps serving small ones. */
        if (c && cap == n) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->mem + c->used;
    c->used += n;
    return p;
}

void *st_arena_dup(st_arena *a, const void *p, size_t n)
{
    void *d = st_arena_alloc(a, n);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

void st_arena_free(st_arena *a)
{
    st_chunk *c = a->head;
    while (c) {
        st_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}

void st_arena_move(st_arena *dst, st_arena *src)
{
    if (!src->head)
        return;
    st_chunk *last = src->head;
    while (last->next)
        last = last->next;
    last->next = dst->head;
    dst->head = src->head;
    src->head = NULL;
}

void *st_grow(void *v, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return v;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    void *n = realloc(v, c * size);
    if (n)
        *cap = c;
    return n;
}
