/* A pod the scheduler holds: the public sk_sched_pod plus the arena its
 * strings and arrays live in, reference-counted so the queue, the cache,
 * an assumed copy and a binding cycle can share one parse. Immutable once
 * built. */
#ifndef SK_SCHED_POD_OBJ_H
#define SK_SCHED_POD_OBJ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "skiff/sched.h"

typedef struct sk_pod_obj {
    atomic_int refs;
    struct sk_pod_obj *base; /* shares base's arena when not NULL */
    sk_arena arena;
    sk_sched_pod pod;
    bool terminal;           /* status.phase Succeeded or Failed */
    bool has_affinity;       /* any pod (anti-)affinity term */
    bool has_required_anti;
    char node_buf[];         /* node_name of a copy made by sk_pod_obj_on_node */
} sk_pod_obj;

/* Parses a Pod (msgpack map, JSON field names). *out has one reference.
 * err gets "field: reason" on SK_EBADMSG. */
int sk_pod_parse(const void *buf, size_t len, sk_pod_obj **out, char *err, size_t errlen);
/* A copy of base with spec.nodeName set (sharing base's memory). */
sk_pod_obj *sk_pod_obj_on_node(sk_pod_obj *base, const char *node);
/* A copy of base with status.nominatedNodeName set ("" clears). */
sk_pod_obj *sk_pod_obj_nominated(sk_pod_obj *base, const char *node);
sk_pod_obj *sk_pod_ref(sk_pod_obj *p);
void sk_pod_unref(sk_pod_obj **p);

static inline sk_pod_obj *sk_pod_obj_of(const sk_sched_pod *pod)
{
    return (sk_pod_obj *)((char *)pod - offsetof(sk_pod_obj, pod));
}

#endif
