#include "pod_obj.h"

#include <stdlib.h>
#include <string.h>

sk_pod_obj *sk_pod_ref(sk_pod_obj *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    return p;
}

void sk_pod_unref(sk_pod_obj **pp)
{
    sk_pod_obj *p = *pp;
    *pp = NULL;
    if (!p || atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (p->base)
        sk_pod_unref(&p->base);
    else
        sk_arena_free(&p->arena);
    free(p);
}

static sk_pod_obj *copy_with(sk_pod_obj *base, const char *node)
{
    size_t n = strlen(node);
    sk_pod_obj *c = calloc(1, sizeof(*c) + n + 1);
    if (!c)
        return NULL;
    atomic_init(&c->refs, 1);
    /* Chained to base itself: base's strings may live in its own node_buf. */
    c->base = sk_pod_ref(base);
    c->pod = base->pod;
    c->terminal = base->terminal;
    c->has_affinity = base->has_affinity;
    c->has_required_anti = base->has_required_anti;
    memcpy(c->node_buf, node, n + 1);
    return c;
}

sk_pod_obj *sk_pod_obj_on_node(sk_pod_obj *base, const char *node)
{
    sk_pod_obj *c = copy_with(base, node);
    if (c)
        c->pod.node_name = c->node_buf;
    return c;
}

sk_pod_obj *sk_pod_obj_nominated(sk_pod_obj *base, const char *node)
{
    sk_pod_obj *c = copy_with(base, node);
    if (c)
        c->pod.nominated_node_name = c->node_buf;
    return c;
}
