/* Pod state as the workload controllers see it. */
#include <string.h>

#include "ctl.h"

bool ctl_deleting(sk_mp_view obj)
{
    return ctl_has(obj, "metadata.deletionTimestamp");
}

bool ctl_pod_active(sk_mp_view pod)
{
    sk_mp_view phase = ctl_get(pod, "status.phase");
    return !ctl_eq(phase, "Succeeded") && !ctl_eq(phase, "Failed") && !ctl_deleting(pod);
}

static sk_mp_view ready_condition(sk_mp_view pod)
{
    sk_mp_view conds = ctl_get(pod, "status.conditions"), c;
    sk_mp_iter it;
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &c) == 1)
            if (ctl_eq(ctl_get(c, "type"), "Ready"))
                return c;
    return (sk_mp_view){NULL, 0};
}

bool ctl_pod_ready(sk_mp_view pod)
{
    sk_mp_view c = ready_condition(pod);
    return c.p && ctl_eq(ctl_get(c, "status"), "True");
}

bool ctl_pod_available(sk_mp_view pod, int64_t min_ready_s, int64_t now_ms, int64_t *wait_ms)
{
    if (wait_ms)
        *wait_ms = 0;
    if (!ctl_pod_ready(pod))
        return false;
    if (min_ready_s <= 0)
        return true;
    int64_t since = ctl_time(ready_condition(pod), "lastTransitionTime", 0);
    int64_t due = since + min_ready_s * 1000;
    if (since > 0 && now_ms >= due)
        return true;
    if (wait_ms)
        *wait_ms = since > 0 ? due - now_ms : min_ready_s * 1000;
    return false;
}
