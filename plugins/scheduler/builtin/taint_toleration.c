/* TaintToleration: Filter rejects nodes with a NoSchedule/NoExecute taint
 * the pod does not tolerate; Score prefers nodes with fewer untolerated
 * PreferNoSchedule taints (counted, then normalized in reverse). */
#include <stdio.h>

#include "builtin.h"

static sk_sched_code filter(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)c;
    const sk_sched_taint *t = sk_untolerated_taint(node, pod->tolerations, pod->ntolerations);
    if (!t)
        return SK_SCHED_SUCCESS;
    char msg[600];
    snprintf(msg, sizeof(msg), "node(s) had untolerated taint {%s: %s}", t->key, t->value);
    sk_status_reason(st, msg);
    return SK_SCHED_UNRESOLVABLE;
}

static sk_sched_code score(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)self, (void)c, (void)st;
    int64_t n = 0;
    for (uint32_t i = 0; i < node->ntaints; i++) {
        const sk_sched_taint *t = &node->taints[i];
        if (t->effect != SK_SCHED_EFFECT_PREFER_NO_SCHEDULE)
            continue;
        bool tolerated = false;
        /* Only tolerations for PreferNoSchedule (or any effect) count. */
        for (uint32_t j = 0; j < pod->ntolerations && !tolerated; j++) {
            const sk_sched_toleration *tol = &pod->tolerations[j];
            if (tol->effect == SK_SCHED_EFFECT_ALL || tol->effect == SK_SCHED_EFFECT_PREFER_NO_SCHEDULE)
                tolerated = sk_toleration_tolerates(tol, t);
        }
        n += !tolerated;
    }
    *out = n;
    return SK_SCHED_SUCCESS;
}

static sk_sched_code normalize(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               sk_sched_node_score *scores, uint32_t n, sk_sched_status *st)
{
    (void)self, (void)c, (void)pod, (void)st;
    sk_default_normalize(scores, n, true);
    return SK_SCHED_SUCCESS;
}

const sk_sched_plugin_desc sk_plugin_taint_toleration = {
    BUILTIN_DESC,
    .name = "TaintToleration",
    .description = "taints and tolerations",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE,
    .default_weight = 3,
    .filter = filter,
    .score = score,
    .normalize_score = normalize,
};
