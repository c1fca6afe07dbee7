/* Storage of the config tree (host/config_tree.h): the arena every node of
 * a tree lives in, freeing a tree, the shared empty map, and error text. */
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_tree.h"

#define CFG_BLOCK_BYTES ((size_t)64 << 10)

void cfg_put_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void *cfg_arena_alloc(cfg_block **head, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - sizeof(cfg_block) - align)
        return NULL;
    n = (n + align - 1) / align * align;
    cfg_block *b = *head;
    if (b && b->cap - b->used >= n) {
        void *p = (char *)b->mem + b->used;
        b->used += n;
        return p;
    }
    int own = n > CFG_BLOCK_BYTES / 4; /* big arrays get a block of their own */
    size_t cap = own ? n : CFG_BLOCK_BYTES;
    cfg_block *nb = malloc(sizeof *nb + cap);
    if (!nb)
        return NULL;
    nb->cap = cap;
    nb->used = n;
    if (own && b) { /* keep filling the current block */
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        *head = nb;
    }
    return nb->mem;
}

void cfg_arena_free(cfg_block *b)
{
    while (b) {
        cfg_block *next = b->next;
        free(b);
        b = next;
    }
}

char *cfg_arena_strndup(cfg_block **head, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = cfg_arena_alloc(head, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *cfg_arena_printf(cfg_block **head, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = cfg_arena_alloc(head, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void sk_cfg_free(sk_cfg **root)
{
    if (!root || !*root)
        return;
    cfg_arena_free((*root)->arena); /* the root itself lives in its arena */
    *root = NULL;
}

static const sk_cfg cfg_empty_map = {.type = SK_CFG_MAP, .where = "<no config>"};

const sk_cfg *sk_cfg_empty_map(void)
{
    return &cfg_empty_map;
}
