/* apiserver core — field paths in Kubernetes' notation, built while
 * walking a document: `spec.containers[0].image`, `metadata.labels[app]`.
 *
 * Each push returns a mark; restoring it pops everything pushed since, so
 * recursive walkers need no allocation. A path longer than the buffer is
 * cut and ends in "..." rather than failing: it only ever labels errors. */
#ifndef SK_FIELD_PATH_H
#define SK_FIELD_PATH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sk_fpath {
    char buf[512];
    size_t len;
    bool cut;
} sk_fpath;

/* root may be NULL or "" (an empty path) or a prefix such as "spec". */
void sk_fpath_init(sk_fpath *p, const char *root);
/* `.name` (no dot at the start of an empty path). */
size_t sk_fpath_child(sk_fpath *p, const char *name);
/* `[i]` */
size_t sk_fpath_index(sk_fpath *p, size_t i);
/* `[key]`, for entries of maps such as labels. */
size_t sk_fpath_key(sk_fpath *p, const char *key);
void sk_fpath_restore(sk_fpath *p, size_t mark);
/* The path so far; "<root>" when empty, so messages never say "at ". */
const char *sk_fpath_str(const sk_fpath *p);

#endif
