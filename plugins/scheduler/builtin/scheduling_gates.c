/* SchedulingGates: a pod with spec.schedulingGates waits outside the
 * active queue until they are all removed. */
#include <stdio.h>

#include "builtin.h"

static sk_sched_code pre_enqueue(void *self, const sk_sched_pod *pod, sk_sched_status *st)
{
    (void)self;
    if (pod->nscheduling_gates == 0)
        return SK_SCHED_SUCCESS;
    char msg[512];
    size_t used = (size_t)snprintf(msg, sizeof(msg), "waiting for scheduling gates: [");
    for (uint32_t i = 0; i < pod->nscheduling_gates && used < sizeof(msg); i++)
        used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", i ? " " : "",
                                 pod->scheduling_gates[i]);
    if (used < sizeof(msg))
        snprintf(msg + used, sizeof(msg) - used, "]");
    sk_status_reason(st, msg);
    return SK_SCHED_UNRESOLVABLE;
}

const sk_sched_plugin_desc sk_plugin_scheduling_gates = {
    BUILTIN_DESC,
    .name = "SchedulingGates",
    .description = "holds pods back while they carry scheduling gates",
    .requeue_events = SK_SCHED_EV_POD_UPDATE,
    .pre_enqueue = pre_enqueue,
};
