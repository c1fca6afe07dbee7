/* NodeName: a pod that names its node fits only there. */
#include "builtin.h"

static sk_sched_code filter(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)c;
    if (!pod->node_name[0] || strcmp(pod->node_name, node->name) == 0)
        return SK_SCHED_SUCCESS;
    sk_status_reason(st, "node(s) didn't match the requested node name");
    return SK_SCHED_UNRESOLVABLE;
}

const sk_sched_plugin_desc sk_plugin_node_name = {
    BUILTIN_DESC,
    .name = "NodeName",
    .description = "checks spec.nodeName against the node",
    .requeue_events = SK_SCHED_EV_NODE_ADD,
    .filter = filter,
};
