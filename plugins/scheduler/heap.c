#include "heap.h"

#include <errno.h>
#include <stdlib.h>

static size_t *pos(const sk_heap *h, void *item)
{
    return (size_t *)((char *)item + h->idx_off);
}

static void put(sk_heap *h, size_t i, void *item)
{
    h->items[i] = item;
    *pos(h, item) = i;
}

static void up(sk_heap *h, size_t i)
{
    void *x = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!h->less(h->ctx, x, h->items[parent]))
            break;
        put(h, i, h->items[parent]);
        i = parent;
    }
    put(h, i, x);
}

static void down(sk_heap *h, size_t i)
{
    void *x = h->items[i];
    for (;;) {
        size_t l = 2 * i + 1, best = i;
        void *bv = x;
        if (l < h->n && h->less(h->ctx, h->items[l], bv)) {
            best = l;
            bv = h->items[l];
        }
        if (l + 1 < h->n && h->less(h->ctx, h->items[l + 1], bv))
            best = l + 1;
        if (best == i)
            break;
        put(h, i, h->items[best]);
        i = best;
    }
    put(h, i, x);
}

void sk_heap_init(sk_heap *h, sk_heap_less_fn less, void *ctx, size_t idx_off)
{
    *h = (sk_heap){.less = less, .ctx = ctx, .idx_off = idx_off};
}

void sk_heap_free(sk_heap *h)
{
    free(h->items);
    h->items = NULL;
    h->n = h->cap = 0;
}

int sk_heap_push(sk_heap *h, void *item)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        void **it = realloc(h->items, cap * sizeof(*it));
        if (!it)
            return -ENOMEM;
        h->items = it;
        h->cap = cap;
    }
    put(h, h->n++, item);
    up(h, h->n - 1);
    return 0;
}

void *sk_heap_peek(const sk_heap *h)
{
    return h->n ? h->items[0] : NULL;
}

void *sk_heap_pop(sk_heap *h)
{
    if (!h->n)
        return NULL;
    void *top = h->items[0];
    sk_heap_remove(h, top);
    return top;
}

void sk_heap_remove(sk_heap *h, void *item)
{
    size_t i = *pos(h, item);
    if (i >= h->n || h->items[i] != item)
        return;
    void *last = h->items[--h->n];
    if (i == h->n)
        return;
    put(h, i, last);
    sk_heap_fix(h, last);
}

void sk_heap_fix(sk_heap *h, void *item)
{
    size_t i = *pos(h, item);
    up(h, i);
    down(h, *pos(h, item));
}
