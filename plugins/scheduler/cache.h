/* The scheduler's cache: every node with the pods placed on it and their
 * summed requests, kept up to date incrementally from informer events, so
 * taking the snapshot for a cycle costs nothing unless nodes came or went.
 * A pod the scheduler has reserved a node for is "assumed" onto it at
 * once, so the next pod sees the reduced capacity before the binding is
 * confirmed; it is forgotten if the binding fails. Scheduling thread only. */
#ifndef SK_SCHED_CACHE_H
#define SK_SCHED_CACHE_H

#include <stdbool.h>

#include "node_obj.h"
#include "pod_obj.h"
#include "strmap.h"

typedef struct sk_node_info {
    sk_sched_node node; /* the public view handed to plugins */
    sk_node_obj *obj;   /* NULL: known only from pods placed on it */
    char *name;
    const sk_sched_pod **views;
    sk_pod_obj **objs;
    uint32_t cap;
    sk_sched_scalar *req_scalars; /* node.requested.scalars, names owned */
    uint32_t req_cap;
    uint32_t index; /* position in the snapshot */
    uint64_t seq;   /* insertion order, for the node tree */
    bool listed;    /* in the insertion-order list */
} sk_node_info;

static inline sk_node_info *sk_node_info_of(const sk_sched_node *n)
{
    return (sk_node_info *)((char *)n - offsetof(sk_node_info, node));
}

typedef struct sk_sched_cache sk_sched_cache;

int sk_cache_new(sk_sched_cache **out);
void sk_cache_free(sk_sched_cache **c);

/* Takes obj. *existed (may be NULL) tells an update from an add. */
int sk_cache_node_upsert(sk_sched_cache *c, sk_node_obj *obj, bool *existed);
int sk_cache_node_delete(sk_sched_cache *c, const char *name);
/* An assigned pod (spec.nodeName set) as the API reports it; takes a
 * reference. Confirms an assumed pod of the same uid. Terminal pods
 * (Succeeded/Failed) are removed instead. */
int sk_cache_pod_upsert(sk_sched_cache *c, sk_pod_obj *obj);
int sk_cache_pod_delete(sk_sched_cache *c, const char *uid);
/* obj->pod.node_name names the node; takes a reference. */
int sk_cache_assume(sk_sched_cache *c, sk_pod_obj *obj);
/* Removes an assumed pod; SK_ENOTFOUND when not assumed. */
int sk_cache_forget(sk_sched_cache *c, const char *uid);
bool sk_cache_is_assumed(const sk_sched_cache *c, const char *uid);
const sk_sched_pod *sk_cache_pod(const sk_sched_cache *c, const char *uid);
int sk_cache_ns_upsert(sk_sched_cache *c, sk_ns_obj *obj);
int sk_cache_ns_delete(sk_sched_cache *c, const char *name);
sk_node_info *sk_cache_node(const sk_sched_cache *c, const char *name);
/* Valid until the next change to the cache. */
const sk_sched_snapshot *sk_cache_snapshot(sk_sched_cache *c);
uint32_t sk_cache_npods(const sk_sched_cache *c);

/* Summing a pod into / out of a node's aggregates (also used on private
 * copies of nodes for preemption's what-if). */
int sk_node_add_pod(sk_node_info *ni, sk_pod_obj *obj);
int sk_node_remove_pod(sk_node_info *ni, const char *uid);
void sk_node_info_clear(sk_node_info *ni);

#endif
