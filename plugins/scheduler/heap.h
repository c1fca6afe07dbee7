/* A binary min-heap of pointers whose items remember their position, so
 * any item can be removed or re-sifted in O(log n). */
#ifndef SK_SCHED_HEAP_H
#define SK_SCHED_HEAP_H

#include <stdbool.h>
#include <stddef.h>

typedef bool (*sk_heap_less_fn)(void *ctx, const void *a, const void *b);

typedef struct sk_heap {
    void **items;
    size_t n, cap;
    sk_heap_less_fn less;
    void *ctx;
    size_t idx_off; /* offset of a size_t position field inside each item */
} sk_heap;

void sk_heap_init(sk_heap *h, sk_heap_less_fn less, void *ctx, size_t idx_off);
void sk_heap_free(sk_heap *h);
int sk_heap_push(sk_heap *h, void *item);
void *sk_heap_peek(const sk_heap *h);
void *sk_heap_pop(sk_heap *h);
void sk_heap_remove(sk_heap *h, void *item);
/* After item's key changed. */
void sk_heap_fix(sk_heap *h, void *item);

#endif
