/* The inside of sk_scheduler, shared by the files that implement it. */
#ifndef SK_SCHED_SCHEDULER_IMPL_H
#define SK_SCHED_SCHEDULER_IMPL_H

#include "arena.h"
#include "cycle_state.h"
#include "scheduler.h"

struct sk_sched_binding {
    sk_scheduler *s;
    sk_sched_fw *fw;
    sk_sched_cycle *cycle;
    sk_pod_obj *pod; /* the assumed copy (node_name set) */
    char node[256];
    uint64_t waiting;                   /* Permit plugins still to allow */
    int64_t deadline[SK_FW_MAX_PLUGINS]; /* absolute ms */
    int64_t wait_start_ms;
    char rejected[256];                 /* Permit rejection, "" when none */
    sk_sched_binding *next;             /* ready list */
};

struct sk_scheduler {
    const sk_sched_registry *reg;
    sk_sched_fw *fws[SK_SCHED_MAX_PROFILES];
    uint32_t nfw;
    sk_sched_cache *cache;
    sk_sched_queue queue;
    sk_intern intern;
    bool intern_ok;
    sk_sched_env env;
    int32_t percentage;
    uint64_t rng;
    sk_strmap nominated; /* uid -> sk_pod_obj* (nominated_node_name set) */
    sk_strmap waiting;   /* uid -> sk_sched_binding* */
    sk_sched_binding *ready_head, *ready_tail;
    sk_arena scratch; /* per scheduling cycle */
    const sk_sched_status **node_status;
    uint32_t node_status_cap;
};

/* schedule_one.c */
typedef struct sk_schedule_result {
    char node[256];
    uint64_t rejectors;
    char *message; /* malloc'd on failure */
    bool nominate;
    char nominated[256];
    uint32_t evaluated, feasible;
} sk_schedule_result;

sk_sched_code sk_schedule_pod(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                              const sk_sched_pod *pod, sk_schedule_result *r);
uint32_t sk_num_feasible_to_find(int32_t percentage, uint32_t nnodes);

/* overlay.c: a private copy of a node to add or remove pods on. */
int sk_overlay_init(sk_node_info *tmp, const sk_sched_node *base);
sk_sched_code sk_filter_without(sk_sched_fw *fw, const sk_sched_cycle *c, const sk_sched_pod *pod,
                                const sk_sched_node *node, const sk_sched_pod *const *removed,
                                uint32_t nremoved, sk_sched_status *st);
/* Filter with the higher-or-equal priority pods nominated to node. */
sk_sched_code sk_filter_with_nominated(sk_scheduler *s, sk_sched_fw *fw, const sk_sched_cycle *c,
                                       const sk_sched_pod *pod, const sk_sched_node *node,
                                       sk_sched_status *st);

/* scheduler.c */
uint64_t sk_scheduler_rand(sk_scheduler *s);
int sk_permit_allow(sk_scheduler *s, const char *uid, const char *plugin);
int sk_permit_reject(sk_scheduler *s, const char *uid, const char *plugin, const char *reason);

#endif
