/* sk_scheduler: the bus-independent scheduler — profiles (one framework
 * each), the cache, the queue, nominated pods and pods waiting on Permit.
 * Its owner feeds it objects as msgpack (from informers, later), calls
 * schedule_next() to run one scheduling cycle, runs the binding cycle it
 * hands back on a binding thread and reports the result with
 * binding_done(). Every function but sk_binding_run is scheduling-thread
 * only. */
#ifndef SK_SCHED_SCHEDULER_H
#define SK_SCHED_SCHEDULER_H

#include "cache.h"
#include "framework.h"
#include "queue.h"

#define SK_SCHED_MAX_PROFILES 8

typedef struct sk_sched_env {
    sk_clock_fn now_ms; /* NULL: CLOCK_MONOTONIC */
    void *clock_arg;
    /* Preemption: delete victim (the owner calls the API). NULL: refuse. */
    int (*evict)(void *arg, const sk_sched_pod *victim, const sk_sched_pod *preemptor,
                 const char *node);
    void *evict_arg;
    const sk_host *host; /* handed to plugins; may be NULL */
    uint64_t seed;       /* tie-breaking between equal nodes */
} sk_sched_env;

typedef struct sk_sched_config {
    int32_t percentage; /* percentageOfNodesToScore; 0: adaptive */
    int64_t initial_backoff_ms, max_backoff_ms; /* 0: 1 s and 10 s */
    const sk_profile_spec *profiles; /* none: one default profile */
    uint32_t nprofiles;
    const sk_cfg_api *cfg; /* reads plugin args */
} sk_sched_config;

typedef struct sk_sched_binding sk_sched_binding;
typedef struct sk_scheduler sk_scheduler;

typedef enum sk_outcome_kind {
    SK_OUTCOME_NONE = 0,      /* nothing to schedule */
    SK_OUTCOME_BIND,          /* run sk_binding_run, then binding_done */
    SK_OUTCOME_WAIT,          /* assumed; waiting on Permit (take_ready later) */
    SK_OUTCOME_UNSCHEDULABLE, /* message: the FailedScheduling text */
    SK_OUTCOME_ERROR,         /* message: what failed; retried with backoff */
    SK_OUTCOME_SKIPPED        /* the pod went away meanwhile */
} sk_outcome_kind;

typedef struct sk_sched_outcome {
    sk_outcome_kind kind;
    sk_pod_obj *pod;       /* a reference; released by sk_outcome_clear */
    char node[256];        /* BIND / WAIT: the chosen node */
    bool nominate;         /* UNSCHEDULABLE: set status.nominatedNodeName... */
    char nominated[256];   /* ...to this ("" clears it) */
    char *message;         /* malloc'd; UNSCHEDULABLE / ERROR */
    sk_sched_binding *binding; /* BIND */
    uint32_t evaluated, feasible;
} sk_sched_outcome;

void sk_outcome_clear(sk_sched_outcome *o);

/* reg is borrowed and must outlive the scheduler. */
int sk_scheduler_new(const sk_sched_registry *reg, const sk_sched_config *cfg,
                     const sk_sched_env *env, sk_scheduler **out, char *err, size_t errlen);
void sk_scheduler_free(sk_scheduler **s);

/* Informer input: objects as msgpack, as the apiserver stores them. */
int sk_scheduler_node_upsert(sk_scheduler *s, const void *buf, size_t len, char *err, size_t errlen);
int sk_scheduler_node_delete(sk_scheduler *s, const char *name);
int sk_scheduler_pod_upsert(sk_scheduler *s, const void *buf, size_t len, char *err, size_t errlen);
int sk_scheduler_pod_delete(sk_scheduler *s, const char *uid);
int sk_scheduler_ns_upsert(sk_scheduler *s, const void *buf, size_t len, char *err, size_t errlen);
int sk_scheduler_ns_delete(sk_scheduler *s, const char *name);

/* One scheduling cycle for the next pod of the queue. */
int sk_scheduler_schedule_next(sk_scheduler *s, sk_sched_outcome *out);
/* Periodic work: backoff and leftover flushes, Permit timeouts. */
void sk_scheduler_tick(sk_scheduler *s);
/* A binding whose Permit wait ended (allowed or rejected), or NULL. */
sk_sched_binding *sk_scheduler_take_ready(sk_scheduler *s);

/* Binding cycle, any thread: waits for nothing (Permit is resolved),
 * runs PreBind, Bind and, on success, PostBind. msg gets the failure. */
sk_sched_code sk_binding_run(sk_sched_binding *b, char *msg, size_t msglen);
const sk_sched_pod *sk_binding_pod(const sk_sched_binding *b);
const char *sk_binding_node(const sk_sched_binding *b);
/* True when the binding cycle is just the named Bind plugin (no PreBind,
 * it binds first): the owner may then bind asynchronously itself and
 * finish with sk_binding_post_bind + binding_done, instead of running
 * sk_binding_run on a thread. */
bool sk_binding_bind_only(const sk_sched_binding *b, const char *binder);
/* PostBind plugins, after a binding the owner did itself succeeded. */
void sk_binding_post_bind(sk_sched_binding *b);
/* Non-NULL when Permit rejected the pod: the reason. */
const char *sk_binding_rejected(const sk_sched_binding *b);
/* Scheduling thread: the end of a binding. On failure the pod is
 * unreserved, forgotten by the cache and requeued with backoff. Frees b. */
void sk_scheduler_binding_done(sk_scheduler *s, sk_sched_binding **b, sk_sched_code code,
                               const char *msg);

/* Introspection for the owner and for tests. */
sk_sched_cache *sk_scheduler_cache(sk_scheduler *s);
sk_sched_queue *sk_scheduler_queue(sk_scheduler *s);
sk_sched_fw *sk_scheduler_profile(sk_scheduler *s, const char *scheduler_name);
int64_t sk_scheduler_now(sk_scheduler *s);

#endif
