#include "queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

/* kube-scheduler's podMaxInUnschedulablePodsDuration. */
#define SK_MAX_UNSCHED_MS (5 * 60 * 1000)

static bool active_less(void *ctx, const void *a, const void *b)
{
    sk_sched_queue *q = ctx;
    return sk_fw_less(q->sorter, &((const sk_qpod *)a)->q, &((const sk_qpod *)b)->q);
}

int64_t sk_queue_backoff_ms(const sk_sched_queue *q, uint32_t attempts)
{
    if (attempts == 0)
        return 0;
    int64_t d = q->initial_backoff_ms;
    for (uint32_t i = 1; i < attempts; i++) {
        if (d > q->max_backoff_ms - d)
            return q->max_backoff_ms;
        d += d;
    }
    return d > q->max_backoff_ms ? q->max_backoff_ms : d;
}

static int64_t backoff_end(const sk_sched_queue *q, const sk_qpod *p)
{
    return p->q.timestamp_ms + sk_queue_backoff_ms(q, p->q.attempts);
}

static bool backoff_less(void *ctx, const void *a, const void *b)
{
    return backoff_end(ctx, a) < backoff_end(ctx, b);
}

void sk_queue_init(sk_sched_queue *q, sk_sched_fw *sorter, sk_clock_fn now, void *now_arg,
                   int64_t initial_backoff_ms, int64_t max_backoff_ms, sk_intern *intern)
{
    memset(q, 0, sizeof(*q));
    sk_heap_init(&q->active, active_less, q, offsetof(sk_qpod, heap_idx));
    sk_heap_init(&q->backoff, backoff_less, q, offsetof(sk_qpod, heap_idx));
    sk_strmap_init(&q->pods);
    q->sorter = sorter;
    q->now = now;
    q->now_arg = now_arg;
    q->initial_backoff_ms = initial_backoff_ms > 0 ? initial_backoff_ms : 1000;
    q->max_backoff_ms = max_backoff_ms >= q->initial_backoff_ms ? max_backoff_ms : 10000;
    q->max_unsched_ms = SK_MAX_UNSCHED_MS;
    q->intern = intern;
}

static void qpod_free(sk_qpod *p)
{
    sk_pod_unref(&p->obj);
    free(p);
}

void sk_queue_free(sk_sched_queue *q)
{
    size_t i = 0;
    void *v;
    while (sk_strmap_next(&q->pods, &i, NULL, &v))
        qpod_free(v);
    sk_strmap_free(&q->pods);
    sk_heap_free(&q->active);
    sk_heap_free(&q->backoff);
}

static void detach(sk_sched_queue *q, sk_qpod *p)
{
    if (p->where == SK_Q_ACTIVE) {
        sk_heap_remove(&q->active, p);
    } else if (p->where == SK_Q_BACKOFF) {
        sk_heap_remove(&q->backoff, p);
    } else if (p->where == SK_Q_UNSCHED) {
        if (p->uprev)
            p->uprev->unext = p->unext;
        else
            q->unsched = p->unext;
        if (p->unext)
            p->unext->uprev = p->uprev;
        p->uprev = p->unext = NULL;
    }
    p->where = 0;
}

/* Inserted at the head, so a walk of the list that re-parks a pod does
 * not meet it again. */
static void to_unsched(sk_sched_queue *q, sk_qpod *p)
{
    detach(q, p);
    p->where = SK_Q_UNSCHED;
    p->unsched_since_ms = q->now(q->now_arg);
    p->uprev = NULL;
    p->unext = q->unsched;
    if (q->unsched)
        q->unsched->uprev = p;
    q->unsched = p;
}

/* Into the active queue through the PreEnqueue gate. */
static void to_active(sk_sched_queue *q, sk_qpod *p)
{
    sk_sched_status st;
    sk_status_init(&st, q->intern);
    detach(q, p);
    sk_sched_code c = sk_fw_pre_enqueue(p->fw, &p->obj->pod, &st);
    p->gated = c != SK_SCHED_SUCCESS;
    if (p->gated) {
        int idx = sk_fw_plugin_index(p->fw, st.plugin ? st.plugin : "");
        p->rejectors = idx >= 0 ? 1ull << idx : 0;
        sk_status_message(&st, p->gate_msg, sizeof(p->gate_msg));
        to_unsched(q, p);
        return;
    }
    if (sk_heap_push(&q->active, p) == 0)
        p->where = SK_Q_ACTIVE;
    else
        to_unsched(q, p); /* ENOMEM: the leftover flush retries it */
}

static void to_backoff(sk_sched_queue *q, sk_qpod *p)
{
    detach(q, p);
    if (sk_heap_push(&q->backoff, p) == 0)
        p->where = SK_Q_BACKOFF;
    else
        to_unsched(q, p);
}

/* Where a pod leaving the unschedulable pods goes. */
static void move_back(sk_sched_queue *q, sk_qpod *p)
{
    if (!p->gated && backoff_end(q, p) > q->now(q->now_arg))
        to_backoff(q, p);
    else
        to_active(q, p);
}

int sk_queue_add(sk_sched_queue *q, sk_sched_fw *fw, sk_pod_obj *obj)
{
    sk_qpod *p = sk_strmap_get(&q->pods, obj->pod.uid);
    if (p) {
        /* The map's key points into the object: re-key before letting the
         * old one go. */
        sk_pod_obj *old = p->obj;
        p->obj = sk_pod_ref(obj);
        (void)sk_strmap_put(&q->pods, obj->pod.uid, p, NULL); /* a replace: cannot fail */
        sk_pod_unref(&old);
        p->q.pod = &obj->pod;
        p->fw = fw;
        if (p->where == SK_Q_ACTIVE)
            sk_heap_fix(&q->active, p);
        else if (p->where == SK_Q_UNSCHED)
            move_back(q, p); /* an updated pod may fit now */
        return 0;
    }
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->obj = sk_pod_ref(obj);
    p->fw = fw;
    p->q.pod = &obj->pod;
    p->q.timestamp_ms = q->now(q->now_arg);
    int rc = sk_strmap_put(&q->pods, obj->pod.uid, p, NULL);
    if (rc) {
        qpod_free(p);
        return rc;
    }
    to_active(q, p);
    return 0;
}

sk_qpod *sk_queue_pop(sk_sched_queue *q)
{
    sk_qpod *p = sk_heap_pop(&q->active);
    if (!p)
        return NULL;
    p->where = SK_Q_INFLIGHT;
    p->q.attempts++;
    if (!p->q.initial_attempt_ms)
        p->q.initial_attempt_ms = q->now(q->now_arg);
    p->cycle = ++q->cycle;
    return p;
}

static void forget(sk_sched_queue *q, sk_qpod *p)
{
    detach(q, p);
    sk_strmap_del(&q->pods, p->obj->pod.uid);
    qpod_free(p);
}

void sk_queue_requeue(sk_sched_queue *q, sk_qpod *p, uint64_t rejectors, bool error)
{
    if (p->deleted) {
        forget(q, p);
        return;
    }
    p->where = 0;
    p->gated = false;
    p->rejectors = rejectors;
    p->q.timestamp_ms = q->now(q->now_arg);
    /* An event that arrived while the pod was being scheduled may have
     * made it fit: do not park it where only another event wakes it. */
    if (error || q->move_request_cycle >= p->cycle)
        to_backoff(q, p);
    else
        to_unsched(q, p);
}

void sk_queue_done(sk_sched_queue *q, sk_qpod *p)
{
    forget(q, p);
}

void sk_queue_delete(sk_sched_queue *q, const char *uid)
{
    sk_qpod *p = sk_strmap_get(&q->pods, uid);
    if (!p)
        return;
    if (p->where == SK_Q_INFLIGHT)
        p->deleted = true;
    else
        forget(q, p);
}

static bool wakes(const sk_qpod *p, uint32_t ev)
{
    if (!p->rejectors)
        return true;
    for (uint32_t i = 0; i < p->fw->nplugins; i++) {
        if (!(p->rejectors & (1ull << i)))
            continue;
        uint32_t mask = p->fw->plugins[i].d.requeue_events;
        if (mask == 0 || (mask & ev))
            return true;
    }
    return false;
}

void sk_queue_on_event(sk_sched_queue *q, uint32_t ev)
{
    q->move_request_cycle = q->cycle;
    for (sk_qpod *p = q->unsched, *next; p; p = next) {
        next = p->unext;
        if (wakes(p, ev))
            move_back(q, p);
    }
}

void sk_queue_flush(sk_sched_queue *q)
{
    int64_t now = q->now(q->now_arg);
    sk_qpod *p;
    while ((p = sk_heap_peek(&q->backoff)) && backoff_end(q, p) <= now)
        to_active(q, p);
    /* As kube-scheduler, the leftover sweep runs at a slower pace. */
    if (now - q->last_leftover_flush_ms < 1000)
        return;
    q->last_leftover_flush_ms = now;
    for (sk_qpod *it = q->unsched, *next; it; it = next) {
        next = it->unext;
        if (now - it->unsched_since_ms >= q->max_unsched_ms)
            move_back(q, it);
    }
}

uint32_t sk_queue_count(const sk_sched_queue *q, sk_q_where where)
{
    uint32_t n = 0;
    size_t i = 0;
    void *v;
    while (sk_strmap_next(&q->pods, &i, NULL, &v))
        n += ((sk_qpod *)v)->where == where;
    return n;
}

sk_qpod *sk_queue_get(const sk_sched_queue *q, const char *uid)
{
    return sk_strmap_get(&q->pods, uid);
}
