/* NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods
 * tolerating the node.kubernetes.io/unschedulable:NoSchedule taint. */
#include "builtin.h"

static sk_sched_code filter(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)c;
    static const sk_sched_taint cordon = {"node.kubernetes.io/unschedulable", "",
                                          SK_SCHED_EFFECT_NO_SCHEDULE};
    if (!node->unschedulable || sk_tolerates(pod->tolerations, pod->ntolerations, &cordon))
        return SK_SCHED_SUCCESS;
    sk_status_reason(st, "node(s) were unschedulable");
    return SK_SCHED_UNRESOLVABLE;
}

const sk_sched_plugin_desc sk_plugin_node_unschedulable = {
    BUILTIN_DESC,
    .name = "NodeUnschedulable",
    .description = "keeps pods off cordoned nodes",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE,
    .filter = filter,
};
