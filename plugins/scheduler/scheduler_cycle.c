/* Scheduling one pod end to end: the cycle, assuming it in the cache,
 * Reserve and Permit, the wait on Permit, and the end of its binding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler_impl.h"
#include "skiff/errors.h"

void sk_outcome_clear(sk_sched_outcome *o)
{
    sk_pod_unref(&o->pod);
    free(o->message);
    memset(o, 0, sizeof(*o));
}

static char *status_text(const sk_sched_status *st, const char *prefix)
{
    char m[768];
    sk_status_message(st, m, sizeof(m));
    size_t n = strlen(m) + strlen(prefix) + 80;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s%s%s", prefix, st->plugin ? st->plugin : "", st->plugin ? ": " : "",
                 m[0] ? m : sk_code_name(st->code));
    return out;
}

static uint64_t rejector_bit(sk_sched_fw *fw, const sk_sched_status *st)
{
    int i = sk_fw_plugin_index(fw, st->plugin ? st->plugin : "");
    return i >= 0 ? 1ull << i : 0;
}

static void ready_push(sk_scheduler *s, sk_sched_binding *b)
{
    b->next = NULL;
    if (s->ready_tail)
        s->ready_tail->next = b;
    else
        s->ready_head = b;
    s->ready_tail = b;
}

sk_sched_binding *sk_scheduler_take_ready(sk_scheduler *s)
{
    sk_sched_binding *b = s->ready_head;
    if (b) {
        s->ready_head = b->next;
        if (!s->ready_head)
            s->ready_tail = NULL;
        b->next = NULL;
    }
    return b;
}

/* Undo everything after assume: Unreserve, forget, back to the queue. */
static void unwind(sk_scheduler *s, sk_sched_binding *b, uint64_t rejectors, bool error)
{
    sk_fw_unreserve(b->fw, b->cycle, &b->pod->pod, b->node);
    /* SK_ENOTFOUND is fine: the informer may have confirmed or deleted it. */
    (void)sk_cache_forget(s->cache, b->pod->pod.uid);
    /* The cache freed room: others may fit now, as after a pod deletion. */
    sk_queue_on_event(&s->queue, SK_SCHED_EV_POD_DELETE);
    sk_qpod *qp = sk_queue_get(&s->queue, b->pod->pod.uid);
    if (qp && qp->where == SK_Q_INFLIGHT)
        sk_queue_requeue(&s->queue, qp, rejectors, error);
}

static void binding_free(sk_sched_binding *b)
{
    sk_cycle_free(&b->cycle);
    sk_pod_unref(&b->pod);
    free(b);
}

static sk_sched_binding *assume(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle **c,
                                sk_qpod *qp, const char *node)
{
    sk_sched_binding *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->pod = sk_pod_obj_on_node(qp->obj, node);
    if (!b->pod || sk_cache_assume(s->cache, b->pod) != 0) {
        sk_pod_unref(&b->pod);
        free(b);
        return NULL;
    }
    b->s = s;
    b->fw = fw;
    b->cycle = *c;
    *c = NULL;
    snprintf(b->node, sizeof(b->node), "%s", node);
    sk_pod_obj *nom = sk_strmap_del(&s->nominated, qp->obj->pod.uid);
    sk_pod_unref(&nom);
    return b;
}

/* Reserve and Permit for a pod assumed on b->node. */
static void reserve_permit(sk_scheduler *s, sk_sched_binding *b, sk_sched_outcome *out)
{
    sk_sched_status st;
    int64_t deadlines[SK_FW_MAX_PLUGINS] = {0};
    sk_status_init(&st, &s->intern);
    sk_sched_code code = sk_fw_reserve(b->fw, b->cycle, &b->pod->pod, b->node, &st);
    if (code == SK_SCHED_SUCCESS) {
        sk_status_init(&st, &s->intern);
        code = sk_fw_permit(b->fw, b->cycle, &b->pod->pod, b->node, &b->waiting, deadlines, &st);
    }
    if (code == SK_SCHED_SUCCESS || code == SK_SCHED_WAIT) {
        out->kind = code == SK_SCHED_WAIT ? SK_OUTCOME_WAIT : SK_OUTCOME_BIND;
        snprintf(out->node, sizeof(out->node), "%s", b->node);
        if (code == SK_SCHED_SUCCESS) {
            out->binding = b;
            return;
        }
        int64_t now = sk_scheduler_now(s);
        b->wait_start_ms = now;
        for (uint32_t i = 0; i < SK_FW_MAX_PLUGINS; i++)
            b->deadline[i] = now + deadlines[i];
        if (sk_strmap_put(&s->waiting, b->pod->pod.uid, b, NULL) == 0)
            return;
        code = SK_SCHED_ERROR;
    }
    out->kind = sk_code_rejects(code) ? SK_OUTCOME_UNSCHEDULABLE : SK_OUTCOME_ERROR;
    out->message = status_text(&st, "");
    unwind(s, b, rejector_bit(b->fw, &st), code == SK_SCHED_ERROR);
    binding_free(b);
}

/* Records (or clears) the pod's nomination after PostFilter. */
static void renominate(sk_scheduler *s, sk_qpod *qp, const char *node)
{
    sk_pod_obj *old = sk_strmap_del(&s->nominated, qp->obj->pod.uid);
    sk_pod_unref(&old);
    sk_pod_obj *nom = sk_pod_obj_nominated(qp->obj, node);
    if (!nom)
        return;
    /* The next attempt tries the nominated node first (on ENOMEM it simply
     * keeps the old copy). */
    (void)sk_queue_add(&s->queue, qp->fw, nom);
    if (!node[0] || sk_strmap_put(&s->nominated, nom->pod.uid, nom, NULL))
        sk_pod_unref(&nom);
}

static void failed(sk_scheduler *s, sk_qpod *qp, sk_sched_code code, sk_schedule_result *r,
                   sk_sched_outcome *out)
{
    out->kind = code == SK_SCHED_UNSCHEDULABLE ? SK_OUTCOME_UNSCHEDULABLE : SK_OUTCOME_ERROR;
    out->message = r->message;
    r->message = NULL;
    out->nominate = r->nominate;
    snprintf(out->nominated, sizeof(out->nominated), "%s", r->nominated);
    if (r->nominate)
        renominate(s, qp, r->nominated);
    sk_queue_requeue(&s->queue, qp, r->rejectors, code != SK_SCHED_UNSCHEDULABLE);
}

int sk_scheduler_schedule_next(sk_scheduler *s, sk_sched_outcome *out)
{
    memset(out, 0, sizeof(*out));
    sk_queue_flush(&s->queue);
    sk_qpod *qp = sk_queue_pop(&s->queue);
    if (!qp)
        return 0;
    out->pod = sk_pod_ref(qp->obj);
    const sk_sched_snapshot *snap = sk_cache_snapshot(s->cache);
    sk_sched_cycle *c = snap ? sk_cycle_new(qp->fw, snap) : NULL;
    if (!c) {
        out->kind = SK_OUTCOME_ERROR;
        out->message = strdup("out of memory");
        sk_queue_requeue(&s->queue, qp, 0, true);
        return -ENOMEM;
    }
    sk_schedule_result r;
    sk_sched_code code = sk_schedule_pod(s, qp->fw, c, &qp->obj->pod, &r);
    out->evaluated = r.evaluated;
    out->feasible = r.feasible;
    if (code != SK_SCHED_SUCCESS) {
        failed(s, qp, code, &r, out);
        sk_cycle_free(&c);
        return 0;
    }
    sk_sched_binding *b = assume(s, qp->fw, &c, qp, r.node);
    if (!b) {
        sk_cycle_free(&c);
        out->kind = SK_OUTCOME_ERROR;
        out->message = strdup("could not assume the pod");
        sk_queue_requeue(&s->queue, qp, 0, true);
        return 0;
    }
    reserve_permit(s, b, out);
    return 0;
}

sk_sched_code sk_binding_run(sk_sched_binding *b, char *msg, size_t msglen)
{
    sk_sched_status st;
    sk_status_init(&st, &b->s->intern);
    if (msg && msglen)
        msg[0] = '\0';
    sk_sched_code code = sk_fw_pre_bind(b->fw, b->cycle, &b->pod->pod, b->node, &st);
    if (code == SK_SCHED_SUCCESS)
        code = sk_fw_bind(b->fw, b->cycle, &b->pod->pod, b->node, &st);
    if (code == SK_SCHED_SUCCESS) {
        sk_fw_post_bind(b->fw, b->cycle, &b->pod->pod, b->node);
        return code;
    }
    if (msg && msglen) {
        char m[512];
        sk_status_message(&st, m, sizeof(m));
        snprintf(msg, msglen, "%s: %s", st.plugin ? st.plugin : "binding", m[0] ? m : sk_code_name(code));
    }
    return code;
}

bool sk_binding_bind_only(const sk_sched_binding *b, const char *binder)
{
    const sk_sched_fw *fw = b->fw;
    if (fw->nlist[SK_PT_PRE_BIND] != 0 || fw->nlist[SK_PT_BIND] == 0)
        return false;
    return strcmp(fw->plugins[fw->list[SK_PT_BIND][0]].d.name, binder) == 0;
}

void sk_binding_post_bind(sk_sched_binding *b)
{
    sk_fw_post_bind(b->fw, b->cycle, &b->pod->pod, b->node);
}

const sk_sched_pod *sk_binding_pod(const sk_sched_binding *b)
{
    return &b->pod->pod;
}

const char *sk_binding_node(const sk_sched_binding *b)
{
    return b->node;
}

const char *sk_binding_rejected(const sk_sched_binding *b)
{
    return b->rejected[0] ? b->rejected : NULL;
}

void sk_scheduler_binding_done(sk_scheduler *s, sk_sched_binding **bp, sk_sched_code code,
                               const char *msg)
{
    sk_sched_binding *b = *bp;
    *bp = NULL;
    if (!b)
        return;
    (void)msg; /* the owner reports it (Event, pod condition) */
    sk_qpod *qp = sk_queue_get(&s->queue, b->pod->pod.uid);
    if (code == SK_SCHED_SUCCESS && !b->rejected[0]) {
        /* Stays assumed until the informer reports it bound. */
        if (qp && qp->where == SK_Q_INFLIGHT)
            sk_queue_done(&s->queue, qp);
    } else {
        uint64_t rej = 0;
        unwind(s, b, rej, !sk_code_rejects(code) && !b->rejected[0]);
    }
    binding_free(b);
}

static int resolve(sk_scheduler *s, const char *uid, const char *plugin, const char *reject)
{
    sk_sched_binding *b = sk_strmap_get(&s->waiting, uid);
    if (!b)
        return SK_ENOTFOUND;
    if (reject) {
        snprintf(b->rejected, sizeof(b->rejected), "%s", reject[0] ? reject : "rejected");
        b->waiting = 0;
    } else {
        int i = sk_fw_plugin_index(b->fw, plugin ? plugin : "");
        if (i < 0)
            return SK_ENOTFOUND;
        b->waiting &= ~(1ull << i);
    }
    if (b->waiting == 0) {
        sk_strmap_del(&s->waiting, uid);
        ready_push(s, b);
    }
    return 0;
}

int sk_permit_allow(sk_scheduler *s, const char *uid, const char *plugin)
{
    return resolve(s, uid, plugin, NULL);
}

int sk_permit_reject(sk_scheduler *s, const char *uid, const char *plugin, const char *reason)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "%s%s%s", plugin ? plugin : "", plugin ? ": " : "", reason ? reason : "");
    return resolve(s, uid, plugin, msg);
}

void sk_scheduler_tick(sk_scheduler *s)
{
    int64_t now = sk_scheduler_now(s);
    sk_queue_flush(&s->queue);
    for (;;) {
        sk_sched_binding *late = NULL;
        int late_plugin = -1;
        size_t i = 0;
        void *v;
        while (!late && sk_strmap_next(&s->waiting, &i, NULL, &v)) {
            sk_sched_binding *b = v;
            for (uint32_t p = 0; p < b->fw->nplugins; p++) {
                if ((b->waiting & (1ull << p)) && b->deadline[p] <= now) {
                    late = b;
                    late_plugin = (int)p;
                    break;
                }
            }
        }
        if (!late)
            return;
        char msg[256];
        snprintf(msg, sizeof(msg), "rejected due to timeout after waiting %lldms at plugin %s",
                 (long long)(late->deadline[late_plugin] - late->wait_start_ms),
                 late->fw->plugins[late_plugin].d.name);
        resolve(s, late->pod->pod.uid, NULL, msg);
    }
}
