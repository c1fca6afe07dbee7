/* Deployment status and its Progressing/Available conditions, with the
 * reasons kubectl's rollout status understands (k8s deployment/sync.go and
 * progress.go). */
#include <stdio.h>
#include <string.h>

#include "deploy_int.h"

typedef struct dp_counts {
    int64_t replicas, updated, ready, avail, unavail, spec_total;
} dp_counts;

static dp_counts counts(const dp_ctx *c)
{
    dp_counts k = {0};
    for (size_t i = 0; i < c->nrs; i++) {
        k.replicas += c->rs[i].actual;
        k.ready += c->rs[i].ready;
        k.avail += c->rs[i].avail;
        k.spec_total += c->rs[i].replicas;
    }
    if (c->cur && !c->just_created)
        k.updated = c->cur->actual;
    if (c->just_created)
        k.spec_total += c->cur->replicas;
    k.unavail = k.spec_total - k.avail > 0 ? k.spec_total - k.avail : 0;
    return k;
}

static sk_mp_view find_cond(sk_mp_view d, const char *type)
{
    sk_mp_view conds = ctl_get(d, "status.conditions"), x;
    sk_mp_iter it;
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &x) == 1)
            if (ctl_eq(ctl_get(x, "type"), type))
                return x;
    return (sk_mp_view){NULL, 0};
}

typedef struct dp_cond {
    const char *type, *status, *reason;
    char msg[400];
    bool touch; /* lastUpdateTime = now even when nothing else changed */
} dp_cond;

/* k8s SetDeploymentCondition: an unchanged status+reason keeps both
 * times (unless touched); a changed reason with the same status keeps
 * lastTransitionTime. */
static void put_cond(sk_mp_buf *b, const dp_cond *x, sk_mp_view prev, int64_t now)
{
    char ts[32], lu[40], lt[40];
    ctl_time_str(now, ts);
    bool same_status = prev.p && ctl_eq(ctl_get(prev, "status"), x->status);
    bool same_reason = same_status && ctl_eq(ctl_get(prev, "reason"), x->reason);
    ctl_str(prev, "lastUpdateTime", lu, sizeof lu);
    ctl_str(prev, "lastTransitionTime", lt, sizeof lt);
    sk_mp_put_map(b, 6);
    sk_mp_put_str(b, "type");
    sk_mp_put_str(b, x->type);
    sk_mp_put_str(b, "status");
    sk_mp_put_str(b, x->status);
    sk_mp_put_str(b, "reason");
    sk_mp_put_str(b, x->reason);
    sk_mp_put_str(b, "message");
    sk_mp_view m = ctl_get(prev, "message");
    if (same_reason && !x->touch && m.p)
        sk_mp_put_raw(b, m);
    else
        sk_mp_put_str(b, x->msg);
    sk_mp_put_str(b, "lastUpdateTime");
    sk_mp_put_str(b, same_reason && !x->touch && *lu ? lu : ts);
    sk_mp_put_str(b, "lastTransitionTime");
    sk_mp_put_str(b, same_status && *lt ? lt : ts);
}

static void available_cond(const dp_ctx *c, const dp_counts *k, dp_cond *x)
{
    x->type = "Available";
    if (k->avail >= c->replicas - c->unavail) {
        x->status = "True";
        x->reason = "MinimumReplicasAvailable";
        snprintf(x->msg, sizeof x->msg, "Deployment has minimum availability.");
    } else {
        x->status = "False";
        x->reason = "MinimumReplicasUnavailable";
        snprintf(x->msg, sizeof x->msg, "Deployment does not have minimum availability.");
    }
}

/* k8s DeploymentProgressing: any count moved in the right direction. */
static bool progressed(sk_mp_view d, const dp_counts *k)
{
    sk_mp_view st = ctl_get(d, "status");
    int64_t o_upd = ctl_int(st, "updatedReplicas", 0), o_rep = ctl_int(st, "replicas", 0);
    return k->updated > o_upd || k->ready > ctl_int(st, "readyReplicas", 0) ||
           k->avail > ctl_int(st, "availableReplicas", 0) ||
           (o_rep - o_upd) > (k->replicas - k->updated);
}

/* Returns false when the Progressing condition is to be left as it is. */
static bool progressing_cond(dp_ctx *c, const dp_counts *k, dp_cond *x)
{
    sk_mp_view d = c->in->d, prev = find_cond(d, "Progressing");
    const char *rs = c->cur ? c->cur->name : "";
    int64_t deadline = ctl_int(d, "spec.progressDeadlineSeconds", 600);
    x->type = "Progressing";
    if (ctl_bool(d, "spec.paused", false)) {
        x->status = "Unknown";
        x->reason = "DeploymentPaused";
        snprintf(x->msg, sizeof x->msg, "Deployment is paused");
        return true;
    }
    if (ctl_eq(ctl_get(prev, "reason"), "DeploymentPaused")) {
        x->status = "Unknown";
        x->reason = "DeploymentResumed";
        snprintf(x->msg, sizeof x->msg, "Deployment is resumed");
        return true;
    }
    x->status = "True";
    if (c->just_created) {
        x->reason = "NewReplicaSetCreated";
        snprintf(x->msg, sizeof x->msg, "Created new replica set \"%s\"", rs);
        return true;
    }
    if (c->cur && k->updated == c->replicas && k->replicas == c->replicas &&
        k->avail >= c->replicas) {
        x->reason = "NewReplicaSetAvailable";
        snprintf(x->msg, sizeof x->msg, "ReplicaSet \"%s\" has successfully progressed.", rs);
        return true;
    }
    if (c->cur && (progressed(d, k) || !prev.p)) {
        x->reason = "ReplicaSetUpdated";
        x->touch = true;
        snprintf(x->msg, sizeof x->msg, "ReplicaSet \"%s\" is progressing.", rs);
        return true;
    }
    int64_t last = ctl_time(prev, "lastUpdateTime", 0);
    if (prev.p && deadline > 0 && last > 0 && c->in->now_ms > last + deadline * 1000 &&
        !ctl_eq(ctl_get(prev, "reason"), "NewReplicaSetAvailable")) {
        x->status = "False";
        x->reason = "ProgressDeadlineExceeded";
        snprintf(x->msg, sizeof x->msg, "ReplicaSet \"%s\" has timed out progressing.", rs);
        return true;
    }
    if (prev.p && deadline > 0 && last > 0 && !ctl_eq(ctl_get(prev, "status"), "False"))
        ctl_requeue(c->out, last + deadline * 1000 - c->in->now_ms + 1000);
    return false;
}

static void put_conditions(dp_ctx *c, sk_mp_buf *b, const dp_counts *k)
{
    sk_mp_view d = c->in->d, conds = ctl_get(d, "status.conditions"), x;
    dp_cond av = {0}, pr = {0};
    available_cond(c, k, &av);
    bool set_pr = progressing_cond(c, k, &pr);
    sk_mp_view prev_pr = find_cond(d, "Progressing");
    uint32_t others = 0;
    sk_mp_iter it;
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &x) == 1)
            others += !ctl_eq(ctl_get(x, "type"), "Available") &&
                      !ctl_eq(ctl_get(x, "type"), "Progressing");
    sk_mp_put_array(b, others + 1 + (set_pr || prev_pr.p ? 1 : 0));
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &x) == 1)
            if (!ctl_eq(ctl_get(x, "type"), "Available") &&
                !ctl_eq(ctl_get(x, "type"), "Progressing"))
                sk_mp_put_raw(b, x);
    put_cond(b, &av, find_cond(d, "Available"), c->in->now_ms);
    if (set_pr)
        put_cond(b, &pr, prev_pr, c->in->now_ms);
    else if (prev_pr.p)
        sk_mp_put_raw(b, prev_pr);
}

void dp_status(dp_ctx *c)
{
    dp_counts k = counts(c);
    sk_mp_view d = c->in->d;
    int64_t coll = ctl_int(d, "status.collisionCount", -1);
    sk_mp_buf st;
    sk_mp_buf_init(&st);
    sk_mp_put_map(&st, 7 + (coll >= 0 ? 1 : 0));
    sk_mp_put_str(&st, "observedGeneration");
    sk_mp_put_int(&st, ctl_int(d, "metadata.generation", 1));
    sk_mp_put_str(&st, "replicas");
    sk_mp_put_int(&st, k.replicas);
    sk_mp_put_str(&st, "updatedReplicas");
    sk_mp_put_int(&st, k.updated);
    sk_mp_put_str(&st, "readyReplicas");
    sk_mp_put_int(&st, k.ready);
    sk_mp_put_str(&st, "availableReplicas");
    sk_mp_put_int(&st, k.avail);
    sk_mp_put_str(&st, "unavailableReplicas");
    sk_mp_put_int(&st, k.unavail);
    if (coll >= 0) {
        sk_mp_put_str(&st, "collisionCount");
        sk_mp_put_int(&st, coll);
    }
    sk_mp_put_str(&st, "conditions");
    put_conditions(c, &st, &k);
    if (st.err) {
        c->out->err = st.err;
        sk_mp_buf_free(&st);
        return;
    }
    if (!ctl_mp_equal(sk_mp_buf_view(&st), ctl_get(d, "status"))) {
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        ctl_patch_begin(&b, &ctl_k_deploy, c->ns, c->name, "status");
        sk_mp_put_map(&b, 1);
        sk_mp_put_str(&b, "status");
        sk_mp_put_raw(&b, sk_mp_buf_view(&st));
        ctl_actions_push(c->out, "patch", &b, "deployments/status", c->ns, c->name);
    }
    sk_mp_buf_free(&st);
}
