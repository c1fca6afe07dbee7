/* Running scheduling cycles on the loop without ever blocking it: a posted
 * "kick" runs at most `batch` cycles and posts itself again while pods
 * remain, so bus replies and informer events interleave with scheduling;
 * a periodic tick flushes backoff, times out Permit waits and picks up
 * bindings whose Permit wait ended. Bindings go out as asynchronous bus
 * requests; the core's assume/forget keeps the cache right meanwhile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

#define SP_TICK_MS 100

static void metric_inc(const sp *s, sk_metric *m)
{
    if (m)
        s->h->metrics->add(m, 1);
}

void sp_binding_finished(sp *s, sk_sched_binding *b, sk_sched_code code, const char *msg)
{
    const sk_sched_pod *pod = sk_binding_pod(b);
    if (code == SK_SCHED_SUCCESS) {
        s->bound++;
        metric_inc(s, s->m_bound);
        sp_report_scheduled(s, pod, sk_binding_node(b));
    } else if (!s->stopping) {
        s->failed++;
        metric_inc(s, s->m_errors);
        char m[600];
        snprintf(m, sizeof(m), "Binding rejected: %s", msg ? msg : "unknown error");
        sp_report_unschedulable(s, pod, "SchedulerError", m, false, NULL);
    }
    sk_scheduler_binding_done(s->sched, &b, code, msg);
    sp_kick(s); /* a failed binding freed room; a success may unblock nothing, cheaply */
}

static void bind_done(sp_req *r, int status, const char *errmsg, const void *data, size_t len)
{
    (void)data, (void)len;
    sp *s = r->sp;
    sk_sched_binding *b = r->binding;
    if (status == 0) {
        sk_binding_post_bind(b);
        sp_binding_finished(s, b, SK_SCHED_SUCCESS, NULL);
        return;
    }
    char msg[512];
    snprintf(msg, sizeof(msg), "%s: %s", sk_strerror(status), errmsg ? errmsg : "");
    if (status != SK_ESTOPPED)
        sk_warn(s->h, "scheduler: binding %s to %s failed: %s", r->what, sk_binding_node(b), msg);
    sp_binding_finished(s, b, SK_SCHED_ERROR, msg);
}

void sp_bind(sp *s, sk_sched_binding *b)
{
    const char *rejected = sk_binding_rejected(b);
    if (rejected) {
        /* Permit said no (or timed out): unschedulable this time. */
        const sk_sched_pod *pod = sk_binding_pod(b);
        sp_report_unschedulable(s, pod, "Unschedulable", rejected, false, NULL);
        s->unschedulable++;
        sk_scheduler_binding_done(s->sched, &b, SK_SCHED_UNSCHEDULABLE, rejected);
        return;
    }
    if (!sk_binding_bind_only(b, SP_BINDER)) {
        int rc = sp_bindthr_submit(s, b);
        if (rc)
            sp_binding_finished(s, b, SK_SCHED_ERROR, sk_strerror(rc));
        return;
    }
    const sk_sched_pod *pod = sk_binding_pod(b);
    sk_mp_buf req;
    sk_mp_buf_init(&req);
    sp_put_bind_request(&req, pod->ns, pod->name, pod->uid, sk_binding_node(b));
    char what[320];
    snprintf(what, sizeof(what), "pod %s/%s", pod->ns, pod->name);
    int rc = sp_request(s, "bind", &req, s->bind_timeout_ms, bind_done, b, what);
    sk_mp_buf_free(&req);
    if (rc)
        sp_binding_finished(s, b, SK_SCHED_ERROR, sk_strerror(rc));
}

static void handle(sp *s, sk_sched_outcome *o)
{
    switch (o->kind) {
    case SK_OUTCOME_BIND:
        s->scheduled++;
        sp_bind(s, o->binding);
        o->binding = NULL;
        break;
    case SK_OUTCOME_UNSCHEDULABLE:
        s->unschedulable++;
        metric_inc(s, s->m_unsched);
        sp_report_unschedulable(s, &o->pod->pod, "Unschedulable", o->message ? o->message : "",
                                o->nominate, o->nominated);
        break;
    case SK_OUTCOME_ERROR:
        metric_inc(s, s->m_errors);
        sp_report_unschedulable(s, &o->pod->pod, "SchedulerError", o->message ? o->message : "",
                                false, NULL);
        break;
    default: /* WAIT: Permit holds it; NONE / SKIPPED: nothing to do */
        break;
    }
}

static void run_ready(sp *s)
{
    sk_sched_binding *b;
    while ((b = sk_scheduler_take_ready(s->sched)) != NULL)
        sp_bind(s, b);
}

static void kick_cb(void *arg)
{
    sp *s = arg;
    s->kick_posted = false;
    if (s->stopping || !sp_synced(s))
        return;
    run_ready(s);
    for (int64_t i = 0; i < s->batch; i++) {
        sk_sched_outcome o;
        (void)sk_scheduler_schedule_next(s->sched, &o); /* -ENOMEM: outcome says ERROR */
        sk_outcome_kind kind = o.kind;
        handle(s, &o);
        sk_outcome_clear(&o);
        if (kind == SK_OUTCOME_NONE)
            return;
    }
    sp_kick(s); /* more may wait: yield to the loop first */
}

void sp_kick(sp *s)
{
    if (s->kick_posted || s->stopping)
        return;
    if (sk_post(s->h, kick_cb, s) == 0)
        s->kick_posted = true;
}

static void tick_cb(void *arg, uint64_t id)
{
    (void)id;
    sp *s = arg;
    if (s->stopping || !sp_synced(s))
        return;
    sk_scheduler_tick(s->sched);
    sp_kick(s);
}

int sp_drive_start(sp *s)
{
    int64_t id = sk_timer_add(s->h, SP_TICK_MS, SP_TICK_MS, tick_cb, s);
    if (id < 0)
        return (int)id;
    s->tick_timer = id;
    return 0;
}

void sp_drive_stop(sp *s)
{
    s->stopping = true;
    if (s->tick_timer > 0)
        (void)sk_timer_cancel(s->h, (uint64_t)s->tick_timer);
    s->tick_timer = 0;
}
