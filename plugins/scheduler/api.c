/* The sk_sched_api table plugins call back through. */
#include "cycle_state.h"
#include "match.h"
#include "scheduler_impl.h"
#include "skiff/errors.h"

#include <string.h>

static int api_cycle_write(sk_sched_cycle *c, const char *key, void *value,
                           void *(*clone_fn)(const void *), void (*free_fn)(void *))
{
    return sk_cycle_write(c, key, value, clone_fn, free_fn);
}

static void *api_cycle_read(const sk_sched_cycle *c, const char *key)
{
    return sk_cycle_read(c, key);
}

static const sk_sched_snapshot *api_cycle_snapshot(const sk_sched_cycle *c)
{
    return c ? c->snap : NULL;
}

static const char *api_label_get(const sk_sched_labels *l, const char *key)
{
    return sk_label_get(l, key);
}

static const sk_sched_node *api_node_get(const sk_sched_snapshot *s, const char *name)
{
    /* Snapshots come from the cache, whose nodes know their index. */
    for (uint32_t i = 0; s && i < s->nnodes; i++)
        if (strcmp(s->nodes[i]->name, name) == 0)
            return s->nodes[i];
    return NULL;
}

static sk_sched_code api_node_filter_code(const sk_sched_cycle *c, const sk_sched_node *node)
{
    if (c->all_code != SK_SCHED_SUCCESS)
        return c->all_code;
    uint32_t idx = sk_node_info_of(node)->index;
    if (!c->node_status || idx >= c->nnode_status || !c->node_status[idx])
        return SK_SCHED_SUCCESS;
    return c->node_status[idx]->code;
}

static int api_permit_allow(sk_sched_fw *fw, const char *uid, const char *plugin)
{
    return sk_permit_allow(fw->sched, uid, plugin);
}

static int api_permit_reject(sk_sched_fw *fw, const char *uid, const char *plugin, const char *reason)
{
    return sk_permit_reject(fw->sched, uid, plugin, reason);
}

static int api_evict(sk_sched_fw *fw, const sk_sched_pod *victim, const sk_sched_pod *preemptor,
                     const char *node)
{
    sk_scheduler *s = fw->sched;
    if (!s || !s->env.evict)
        return SK_EDENIED;
    return s->env.evict(s->env.evict_arg, victim, preemptor, node);
}

static int64_t api_now_ms(sk_sched_fw *fw)
{
    return fw->sched ? sk_scheduler_now(fw->sched) : 0;
}

static const sk_sched_api api = {
    .size = sizeof(sk_sched_api),
    .cycle_write = api_cycle_write,
    .cycle_read = api_cycle_read,
    .cycle_snapshot = api_cycle_snapshot,
    .status_reason = sk_status_reason,
    .label_get = api_label_get,
    .selector_matches = sk_selector_matches,
    .node_affinity_matches = sk_node_affinity_matches,
    .node_term_matches = sk_node_term_matches,
    .tolerates = sk_tolerates,
    .pod_term_matches = sk_pod_term_matches,
    .node_get = api_node_get,
    .node_filter_code = api_node_filter_code,
    .permit_allow = api_permit_allow,
    .permit_reject = api_permit_reject,
    .evict = api_evict,
    .filter_without = sk_filter_without,
    .now_ms = api_now_ms,
};

const sk_sched_api *sk_sched_api_table(void)
{
    return &api;
}
