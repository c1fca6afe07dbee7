/* Reading Kubernetes objects out of msgpack: optional fields, strings
 * copied into an arena, and the shared building blocks of pods and nodes
 * (labels, selectors, node selector terms, taints, tolerations). Absent
 * and nil fields read as their zero value; a field of the wrong type is
 * SK_EBADMSG with *what naming it. */
#ifndef SK_SCHED_MPX_H
#define SK_SCHED_MPX_H

#include <stdbool.h>

#include "arena.h"
#include "skiff/mp.h"
#include "skiff/sched.h"

typedef struct sk_mpx {
    sk_arena *arena;
    const char *what; /* the field that failed */
} sk_mpx;

/* Field `key` of a map; 0 with *out nil-typed (len 0) when absent or nil. */
int sk_mpx_field(sk_mpx *x, sk_mp_view map, const char *key, sk_mp_view *out);
bool sk_mpx_absent(sk_mp_view v);
/* String at path below v (arena copy), "" when absent. */
int sk_mpx_str(sk_mpx *x, sk_mp_view v, const char *path, const char **out);
int sk_mpx_bool(sk_mpx *x, sk_mp_view v, const char *path, bool *out);
int sk_mpx_i64(sk_mpx *x, sk_mp_view v, const char *path, int64_t def, int64_t *out);
/* A list of strings. */
int sk_mpx_strs(sk_mpx *x, sk_mp_view v, const char *const **out, uint32_t *n);
/* A map of string -> string, sorted by key. */
int sk_mpx_labels(sk_mpx *x, sk_mp_view v, sk_sched_labels *out);
int sk_mpx_selector(sk_mpx *x, sk_mp_view v, sk_sched_label_selector *out);
int sk_mpx_node_term(sk_mpx *x, sk_mp_view v, sk_sched_node_term *out);
int sk_mpx_taints(sk_mpx *x, sk_mp_view v, const sk_sched_taint **out, uint32_t *n);
int sk_mpx_tolerations(sk_mpx *x, sk_mp_view v, const sk_sched_toleration **out, uint32_t *n);
/* An RFC 3339 timestamp at path, Unix ms; 0 when absent. */
int sk_mpx_time(sk_mpx *x, sk_mp_view v, const char *path, int64_t *out);
/* Number of items of an array (0 when absent); SK_EBADMSG if not one. */
int sk_mpx_array(sk_mpx *x, sk_mp_view v, uint32_t *n);
/* Parses one array item into *elem; ctx is what the caller passed along. */
typedef int (*sk_mpx_item_fn)(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx);
/* A list field: an arena array of *n elements of size bytes, each parsed
 * by fn from one item of array v. *out is NULL when empty or on error. */
int sk_mpx_items(sk_mpx *x, sk_mp_view v, size_t size, sk_mpx_item_fn fn, const void *ctx,
                 void **out, uint32_t *n);

#endif
