/* A bump allocator for one request's results: pointers stay put until the
 * whole arena is freed, so results can point at each other freely. */
#ifndef SK_STORE_ARENA_H
#define SK_STORE_ARENA_H

#include <stddef.h>

typedef struct st_chunk st_chunk;
typedef struct st_arena {
    st_chunk *head;
} st_arena;

void st_arena_init(st_arena *a);
/* NULL on ENOMEM. Aligned for any type. */
void *st_arena_alloc(st_arena *a, size_t n);
/* Copy of p[0..n) (n may be 0: returns a valid pointer). */
void *st_arena_dup(st_arena *a, const void *p, size_t n);
void st_arena_free(st_arena *a);
/* Moves every allocation of src into dst (src ends empty). */
void st_arena_move(st_arena *dst, st_arena *src);

/* Not an arena, but the store's other way to hold many things: array v of
 * *cap elements of size bytes grown to hold need, doubling (from first) so
 * appends stay amortised O(1). NULL on ENOMEM with v and *cap unchanged. */
void *st_grow(void *v, size_t *cap, size_t need, size_t size, size_t first);

#endif
