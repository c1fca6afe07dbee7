/* PrioritySort: higher priority first, then first come, first served. */
#include "builtin.h"

static bool less(void *self, const sk_sched_queued_pod *a, const sk_sched_queued_pod *b)
{
    (void)self;
    if (a->pod->priority != b->pod->priority)
        return a->pod->priority > b->pod->priority;
    return a->timestamp_ms < b->timestamp_ms;
}

const sk_sched_plugin_desc sk_plugin_priority_sort = {
    BUILTIN_DESC,
    .name = "PrioritySort",
    .description = "orders the active queue by pod priority, then arrival",
    .queue_less = less,
};
