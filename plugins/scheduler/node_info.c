/* A node's aggregates: the pods on it and what they request. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "skiff/errors.h"

static int64_t add_sat(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    return a + b;
}

static sk_sched_scalar *req_scalar(sk_node_info *ni, const char *name, bool create)
{
    uint32_t n = ni->node.requested.nscalars;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(ni->req_scalars[i].name, name) == 0)
            return &ni->req_scalars[i];
    if (!create)
        return NULL;
    if (n == ni->req_cap) {
        uint32_t cap = ni->req_cap ? ni->req_cap * 2 : 4;
        sk_sched_scalar *s = realloc(ni->req_scalars, cap * sizeof(*s));
        if (!s)
            return NULL;
        ni->req_scalars = s;
        ni->req_cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    /* Keep the array sorted, as the snapshot types promise. */
    uint32_t at = 0;
    while (at < n && strcmp(ni->req_scalars[at].name, name) < 0)
        at++;
    memmove(&ni->req_scalars[at + 1], &ni->req_scalars[at], (n - at) * sizeof(ni->req_scalars[0]));
    ni->req_scalars[at] = (sk_sched_scalar){copy, 0};
    ni->node.requested.nscalars = n + 1;
    ni->node.requested.scalars = ni->req_scalars;
    return &ni->req_scalars[at];
}

static int apply(sk_node_info *ni, const sk_sched_pod *p, int sign)
{
    sk_sched_resources *r = &ni->node.requested;
    r->milli_cpu = add_sat(r->milli_cpu, sign * p->requests.milli_cpu);
    r->memory = add_sat(r->memory, sign * p->requests.memory);
    r->ephemeral_storage = add_sat(r->ephemeral_storage, sign * p->requests.ephemeral_storage);
    ni->node.nonzero_milli_cpu = add_sat(ni->node.nonzero_milli_cpu, sign * p->nonzero_milli_cpu);
    ni->node.nonzero_memory = add_sat(ni->node.nonzero_memory, sign * p->nonzero_memory);
    for (uint32_t i = 0; i < p->requests.nscalars; i++) {
        sk_sched_scalar *s = req_scalar(ni, p->requests.scalars[i].name, sign > 0);
        if (!s && sign > 0)
            return -ENOMEM;
        if (s)
            s->value = add_sat(s->value, sign * p->requests.scalars[i].value);
    }
    return 0;
}

static void count_affinity(sk_node_info *ni, const sk_pod_obj *o, int sign)
{
    if (o->has_affinity)
        ni->node.npods_with_affinity += (uint32_t)sign;
    if (o->has_required_anti)
        ni->node.npods_with_required_anti_affinity += (uint32_t)sign;
}

int sk_node_add_pod(sk_node_info *ni, sk_pod_obj *obj)
{
    if (ni->node.npods == ni->cap) {
        uint32_t cap = ni->cap ? ni->cap * 2 : 8;
        const sk_sched_pod **v = realloc(ni->views, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        ni->views = v;
        sk_pod_obj **o = realloc(ni->objs, cap * sizeof(*o));
        if (!o)
            return -ENOMEM;
        ni->objs = o;
        ni->cap = cap;
    }
    int rc = apply(ni, &obj->pod, 1);
    if (rc)
        return rc;
    ni->objs[ni->node.npods] = sk_pod_ref(obj);
    ni->views[ni->node.npods] = &obj->pod;
    ni->node.npods++;
    ni->node.requested.pods = ni->node.npods;
    ni->node.pods = ni->views;
    count_affinity(ni, obj, 1);
    return 0;
}

int sk_node_remove_pod(sk_node_info *ni, const char *uid)
{
    for (uint32_t i = 0; i < ni->node.npods; i++) {
        if (strcmp(ni->objs[i]->pod.uid, uid) != 0)
            continue;
        sk_pod_obj *o = ni->objs[i];
        apply(ni, &o->pod, -1);
        count_affinity(ni, o, -1);
        /* Order matters to nobody but tests; keep it stable anyway. */
        uint32_t tail = ni->node.npods - i - 1;
        memmove(&ni->objs[i], &ni->objs[i + 1], tail * sizeof(ni->objs[0]));
        memmove(&ni->views[i], &ni->views[i + 1], tail * sizeof(ni->views[0]));
        ni->node.npods--;
        ni->node.requested.pods = ni->node.npods;
        sk_pod_unref(&o);
        return 0;
    }
    return SK_ENOTFOUND;
}

void sk_node_info_clear(sk_node_info *ni)
{
    for (uint32_t i = 0; i < ni->node.npods; i++)
        sk_pod_unref(&ni->objs[i]);
    for (uint32_t i = 0; i < ni->node.requested.nscalars; i++)
        free((char *)ni->req_scalars[i].name);
    free(ni->objs);
    free(ni->views);
    free(ni->req_scalars);
    sk_node_obj_free(&ni->obj);
    free(ni->name);
    memset(ni, 0, sizeof(*ni));
}
