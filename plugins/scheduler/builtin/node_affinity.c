/* NodeAffinity: nodeSelector and required node affinity in Filter; the
 * summed weights of matching preferred terms in Score. */
#include "builtin.h"

static sk_sched_code pre_filter(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                const sk_sched_snapshot *snap, sk_sched_status *st)
{
    (void)self, (void)c, (void)snap, (void)st;
    if (pod->node_selector.n == 0 && !pod->has_required_node_affinity)
        return SK_SCHED_SKIP;
    return SK_SCHED_SUCCESS;
}

static sk_sched_code filter(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)c;
    if (sk_node_affinity_matches(pod, node))
        return SK_SCHED_SUCCESS;
    sk_status_reason(st, "node(s) didn't match Pod's node affinity/selector");
    return SK_SCHED_UNRESOLVABLE;
}

static sk_sched_code pre_score(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const sk_sched_node *const *nodes, uint32_t n, sk_sched_status *st)
{
    (void)self, (void)c, (void)nodes, (void)n, (void)st;
    return pod->npreferred_node_terms ? SK_SCHED_SUCCESS : SK_SCHED_SKIP;
}

static sk_sched_code score(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)self, (void)c, (void)st;
    int64_t sum = 0;
    for (uint32_t i = 0; i < pod->npreferred_node_terms; i++)
        if (sk_node_term_matches(&pod->preferred_node_terms[i].term, node))
            sum += pod->preferred_node_terms[i].weight;
    *out = sum;
    return SK_SCHED_SUCCESS;
}

static sk_sched_code normalize(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               sk_sched_node_score *scores, uint32_t n, sk_sched_status *st)
{
    (void)self, (void)c, (void)pod, (void)st;
    sk_default_normalize(scores, n, false);
    return SK_SCHED_SUCCESS;
}

const sk_sched_plugin_desc sk_plugin_node_affinity = {
    BUILTIN_DESC,
    .name = "NodeAffinity",
    .description = "nodeSelector and node affinity",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE,
    .default_weight = 2,
    .pre_filter = pre_filter,
    .filter = filter,
    .pre_score = pre_score,
    .score = score,
    .normalize_score = normalize,
};
