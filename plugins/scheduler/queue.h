/* The scheduling queue, as kube-scheduler's PriorityQueue: an active queue
 * ordered by the QueueSort plugin, a backoff queue ordered by when each
 * pod's backoff ends (initial backoff doubling per attempt up to the max),
 * and the unschedulable pods, which go back when a cluster event may make
 * them fit (an event a plugin that rejected them declared), when they are
 * updated, or after sitting there too long. PreEnqueue plugins gate entry
 * to the active queue. Time comes from an injected clock. Scheduling
 * thread only. */
#ifndef SK_SCHED_QUEUE_H
#define SK_SCHED_QUEUE_H

#include "framework.h"
#include "heap.h"
#include "pod_obj.h"
#include "strmap.h"

typedef enum sk_q_where {
    SK_Q_ACTIVE = 1,
    SK_Q_BACKOFF,
    SK_Q_UNSCHED,
    SK_Q_INFLIGHT /* popped, being scheduled */
} sk_q_where;

typedef struct sk_qpod {
    sk_pod_obj *obj;
    sk_sched_fw *fw; /* the profile of its schedulerName */
    sk_sched_queued_pod q;
    sk_q_where where;
    size_t heap_idx;
    uint64_t rejectors; /* bit i: fw plugin i rejected it last time */
    bool gated;         /* held back by PreEnqueue */
    bool deleted;       /* deleted while in flight */
    uint64_t cycle;     /* scheduling cycle that popped it */
    int64_t unsched_since_ms;
    char gate_msg[256]; /* why PreEnqueue holds it */
    struct sk_qpod *uprev, *unext; /* the unschedulable list */
} sk_qpod;

typedef int64_t (*sk_clock_fn)(void *arg);

typedef struct sk_sched_queue {
    sk_heap active, backoff;
    sk_strmap pods; /* uid -> sk_qpod* */
    sk_sched_fw *sorter;
    sk_clock_fn now;
    void *now_arg;
    int64_t initial_backoff_ms, max_backoff_ms, max_unsched_ms;
    uint64_t cycle, move_request_cycle;
    sk_intern *intern;
    sk_qpod *unsched; /* head of the unschedulable pods' list */
    int64_t last_leftover_flush_ms;
} sk_sched_queue;

void sk_queue_init(sk_sched_queue *q, sk_sched_fw *sorter, sk_clock_fn now, void *now_arg,
                   int64_t initial_backoff_ms, int64_t max_backoff_ms, sk_intern *intern);
void sk_queue_free(sk_sched_queue *q);
/* A new or updated unassigned pod; takes a reference to obj. */
int sk_queue_add(sk_sched_queue *q, sk_sched_fw *fw, sk_pod_obj *obj);
/* The next pod to schedule, or NULL. It stays in flight until done() or
 * requeue(). */
sk_qpod *sk_queue_pop(sk_sched_queue *q);
/* A failed attempt: rejectors are the plugins that said no (0 with error
 * set for an internal error). Frees qp if it was deleted meanwhile. */
void sk_queue_requeue(sk_sched_queue *q, sk_qpod *qp, uint64_t rejectors, bool error);
/* The pod was assigned: forget it. */
void sk_queue_done(sk_sched_queue *q, sk_qpod *qp);
void sk_queue_delete(sk_sched_queue *q, const char *uid);
/* A cluster event (SK_SCHED_EV_*) happened. */
void sk_queue_on_event(sk_sched_queue *q, uint32_t ev);
/* Moves pods whose backoff ended to the active queue, and pods stuck in
 * unschedulable for longer than max_unsched_ms back. */
void sk_queue_flush(sk_sched_queue *q);
int64_t sk_queue_backoff_ms(const sk_sched_queue *q, uint32_t attempts);
uint32_t sk_queue_count(const sk_sched_queue *q, sk_q_where where);
sk_qpod *sk_queue_get(const sk_sched_queue *q, const char *uid);

#endif
