/* A bump allocator: many small allocations freed at once. Parsed pods and
 * nodes live in one arena each, so freeing an object is one call and a
 * half-parsed object on bad input leaks nothing. */
#ifndef SK_SCHED_ARENA_H
#define SK_SCHED_ARENA_H

#include <stddef.h>

typedef struct sk_arena_chunk sk_arena_chunk;

typedef struct sk_arena {
    sk_arena_chunk *head;
    size_t used, cap; /* within head */
    int err;          /* sticky: -ENOMEM once an allocation failed */
} sk_arena;

void sk_arena_init(sk_arena *a);
/* Frees every chunk; the arena is empty and reusable afterwards. */
void sk_arena_free(sk_arena *a);
/* Keeps the first chunk for reuse (per-cycle scratch memory). */
void sk_arena_reset(sk_arena *a);
/* Zeroed memory aligned for any type, or NULL (and a->err set). */
void *sk_arena_alloc(sk_arena *a, size_t size);
/* n elements of size each, with overflow checked. */
void *sk_arena_calloc(sk_arena *a, size_t n, size_t size);
char *sk_arena_strndup(sk_arena *a, const char *s, size_t n);
char *sk_arena_strdup(sk_arena *a, const char *s);

#endif
