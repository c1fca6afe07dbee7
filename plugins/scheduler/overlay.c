/* What-if evaluation on private copies of a node: with the pods nominated
 * to it added (so lower-priority pods do not take room a preemptor made),
 * or with preemption victims removed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler_impl.h"
#include "skiff/errors.h"

int sk_overlay_init(sk_node_info *tmp, const sk_sched_node *base)
{
    const sk_node_info *bi = sk_node_info_of(base);
    memset(tmp, 0, sizeof(*tmp));
    tmp->node = *base;
    tmp->index = bi->index;
    tmp->node.pods = NULL;
    tmp->node.npods = 0;
    tmp->node.requested.scalars = NULL;
    tmp->node.requested.nscalars = 0;
    uint32_t n = base->npods;
    uint32_t ns = base->requested.nscalars;
    tmp->objs = calloc(n + 1, sizeof(*tmp->objs));
    tmp->views = calloc(n + 1, sizeof(*tmp->views));
    tmp->req_scalars = calloc(ns + 1, sizeof(*tmp->req_scalars));
    if (!tmp->objs || !tmp->views || !tmp->req_scalars) {
        sk_node_info_clear(tmp);
        return -ENOMEM;
    }
    tmp->cap = n + 1;
    tmp->req_cap = ns + 1;
    for (uint32_t i = 0; i < ns; i++) {
        tmp->req_scalars[i].value = base->requested.scalars[i].value;
        if (!(tmp->req_scalars[i].name = strdup(base->requested.scalars[i].name))) {
            tmp->node.requested.nscalars = i;
            sk_node_info_clear(tmp);
            return -ENOMEM;
        }
        tmp->node.requested.nscalars = i + 1;
    }
    tmp->node.requested.scalars = tmp->req_scalars;
    for (uint32_t i = 0; i < n; i++) {
        tmp->objs[i] = sk_pod_ref(sk_pod_obj_of(base->pods[i]));
        tmp->views[i] = base->pods[i];
    }
    tmp->node.pods = tmp->views;
    tmp->node.npods = n;
    return 0;
}

/* A what-if run: filtering pod on a private copy of node, with a private
 * cycle state, after the caller has changed both. */
typedef struct what_if {
    sk_node_info tmp;
    sk_sched_cycle *clone;
} what_if;

/* False when the node copy could not be made (nothing to free). Else
 * *code says whether the cycle clone was made; close_filter must follow. */
static bool open_what_if(what_if *w, const sk_sched_cycle *c, const sk_sched_node *node,
                         sk_sched_code *code)
{
    if (sk_overlay_init(&w->tmp, node))
        return false;
    w->clone = sk_cycle_clone(c);
    *code = w->clone ? SK_SCHED_SUCCESS : SK_SCHED_ERROR;
    return true;
}

/* Filters (unless a change already failed) and frees the copies. */
static sk_sched_code close_filter(what_if *w, sk_sched_fw *fw, const sk_sched_pod *pod,
                                  sk_sched_code code, sk_sched_status *st)
{
    if (code == SK_SCHED_SUCCESS)
        code = sk_fw_filter(fw, w->clone, pod, &w->tmp.node, st);
    sk_cycle_free(&w->clone);
    sk_node_info_clear(&w->tmp);
    return code;
}

sk_sched_code sk_filter_without(sk_sched_fw *fw, const sk_sched_cycle *c, const sk_sched_pod *pod,
                                const sk_sched_node *node, const sk_sched_pod *const *removed,
                                uint32_t nremoved, sk_sched_status *st)
{
    what_if w;
    sk_sched_code code;
    if (!open_what_if(&w, c, node, &code))
        return SK_SCHED_ERROR;
    for (uint32_t i = 0; code == SK_SCHED_SUCCESS && i < nremoved; i++) {
        if (sk_node_remove_pod(&w.tmp, removed[i]->uid) != 0)
            continue; /* not on this node: nothing to take away */
        code = sk_fw_remove_pod(fw, w.clone, pod, removed[i], &w.tmp.node, st);
    }
    return close_filter(&w, fw, pod, code, st);
}

/* Pods nominated to node that would run before pod. */
static uint32_t nominated_for(sk_scheduler *s, const sk_sched_pod *pod, const char *node,
                              sk_pod_obj **out, uint32_t max)
{
    uint32_t n = 0;
    size_t i = 0;
    void *v;
    if (!s->nominated.len)
        return 0;
    while (n < max && sk_strmap_next(&s->nominated, &i, NULL, &v)) {
        sk_pod_obj *o = v;
        if (strcmp(o->pod.nominated_node_name, node) == 0 && o->pod.priority >= pod->priority &&
            strcmp(o->pod.uid, pod->uid) != 0)
            out[n++] = o;
    }
    return n;
}

sk_sched_code sk_filter_with_nominated(sk_scheduler *s, sk_sched_fw *fw, const sk_sched_cycle *c,
                                       const sk_sched_pod *pod, const sk_sched_node *node,
                                       sk_sched_status *st)
{
    sk_pod_obj *noms[64];
    uint32_t n = nominated_for(s, pod, node->name, noms, 64);
    if (n == 0)
        return sk_fw_filter(fw, c, pod, node, st);
    /* As kube-scheduler: the pod must fit both with the nominated pods
     * (they will land first) and without them (they may not). */
    what_if w;
    sk_sched_code code;
    if (!open_what_if(&w, c, node, &code))
        return SK_SCHED_ERROR;
    for (uint32_t i = 0; code == SK_SCHED_SUCCESS && i < n; i++) {
        if (sk_node_add_pod(&w.tmp, noms[i]))
            code = SK_SCHED_ERROR;
        else
            code = sk_fw_add_pod(fw, w.clone, pod, &noms[i]->pod, &w.tmp.node, st);
    }
    code = close_filter(&w, fw, pod, code, st);
    if (code != SK_SCHED_SUCCESS)
        return code;
    return sk_fw_filter(fw, c, pod, node, st);
}
