/* A Node (and a Namespace) parsed from msgpack: what the scheduler reads
 * of them, in one arena. Immutable; replaced whole on update. */
#ifndef SK_SCHED_NODE_OBJ_H
#define SK_SCHED_NODE_OBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "skiff/sched.h"

typedef struct sk_node_obj {
    sk_arena arena;
    const char *name;
    sk_sched_labels labels;
    const sk_sched_taint *taints;
    uint32_t ntaints;
    bool unschedulable;
    sk_sched_resources allocatable;
    /* "<region>\n<zone>" from the well-known topology labels: the node
     * tree interleaves zones with it. "" when neither is set. */
    const char *zone_key;
} sk_node_obj;

int sk_node_parse(const void *buf, size_t len, sk_node_obj **out, char *err, size_t errlen);
void sk_node_obj_free(sk_node_obj **n);

typedef struct sk_ns_obj {
    sk_arena arena;
    sk_sched_namespace ns;
} sk_ns_obj;

int sk_ns_parse(const void *buf, size_t len, sk_ns_obj **out, char *err, size_t errlen);
void sk_ns_obj_free(sk_ns_obj **n);

#endif
