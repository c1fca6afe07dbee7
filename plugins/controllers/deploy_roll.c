/* The strategies, as in k8s deployment/rolling.go and recreate.go: every
 * step keeps the sum of spec.replicas at most replicas + maxSurge and the
 * available pods at least replicas - maxUnavailable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy_int.h"

void dp_scale(dp_ctx *c, dp_rs *r, int64_t replicas)
{
    if (r->replicas == replicas)
        return;
    char num[32];
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_rs, c->ns, r->name, NULL);
    sk_mp_put_map(&b, 2);
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "annotations");
    sk_mp_put_map(&b, 2);
    sk_mp_put_str(&b, CTL_ANN_DESIRED);
    snprintf(num, sizeof num, "%lld", (long long)c->replicas);
    sk_mp_put_str(&b, num);
    sk_mp_put_str(&b, CTL_ANN_MAX);
    snprintf(num, sizeof num, "%lld", (long long)(c->replicas + c->surge));
    sk_mp_put_str(&b, num);
    sk_mp_put_str(&b, "spec");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "replicas");
    sk_mp_put_int(&b, replicas);
    ctl_actions_push(c->out, "patch", &b, "replicasets", c->ns, r->name);
    r->replicas = replicas;
}

/* Old ReplicaSets, oldest first (by creation, then name). */
static int cmp_old(const void *a, const void *b)
{
    const dp_rs *x = *(dp_rs *const *)a, *y = *(dp_rs *const *)b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return strcmp(x->name, y->name);
}

static size_t olds(dp_ctx *c, dp_rs **v)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nrs; i++)
        if (&c->rs[i] != c->cur)
            v[n++] = &c->rs[i];
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_old);
    return n;
}

static int64_t sum_spec(dp_ctx *c)
{
    int64_t t = c->just_created ? c->cur->replicas : 0;
    for (size_t i = 0; i < c->nrs; i++)
        t += c->rs[i].replicas;
    return t;
}

/* reconcileNewReplicaSet: scale the new RS up within maxSurge. */
static bool scale_new(dp_ctx *c)
{
    dp_rs *n = c->cur;
    if (n->replicas == c->replicas)
        return false;
    if (n->replicas > c->replicas) {
        dp_scale(c, n, c->replicas);
        return true;
    }
    int64_t room = c->replicas + c->surge - sum_spec(c);
    if (room <= 0)
        return false;
    int64_t want = c->replicas - n->replicas;
    dp_scale(c, n, n->replicas + (room < want ? room : want));
    return true;
}

/* reconcileOldReplicaSets: first drop unhealthy old pods, then scale old
 * RSs down as far as availability allows. */
static bool scale_old(dp_ctx *c)
{
    dp_rs **old = malloc((c->nrs + 1) * sizeof(*old));
    if (!old) {
        c->out->err = -ENOMEM;
        return false;
    }
    size_t nold = olds(c, old);
    int64_t old_pods = 0, all = sum_spec(c), min_avail = c->replicas - c->unavail;
    for (size_t i = 0; i < nold; i++)
        old_pods += old[i]->replicas;
    bool did = false;
    int64_t new_unavail = c->cur->replicas - c->cur->avail;
    if (new_unavail < 0)
        new_unavail = 0;
    int64_t max_down = all - min_avail - new_unavail;
    if (old_pods > 0 && max_down > 0) {
        int64_t cleaned = 0;
        for (size_t i = 0; i < nold && cleaned < max_down; i++) {
            dp_rs *r = old[i];
            int64_t unhealthy = r->replicas - r->avail;
            if (r->replicas == 0 || unhealthy <= 0)
                continue;
            int64_t k = max_down - cleaned < unhealthy ? max_down - cleaned : unhealthy;
            dp_scale(c, r, r->replicas - k);
            cleaned += k;
            did = true;
        }
        int64_t avail = c->cur->avail;
        for (size_t i = 0; i < nold; i++)
            avail += old[i]->avail < old[i]->replicas ? old[i]->avail : old[i]->replicas;
        int64_t total_down = avail - min_avail, done = 0;
        for (size_t i = 0; i < nold && done < total_down; i++) {
            dp_rs *r = old[i];
            if (r->replicas == 0)
                continue;
            int64_t k = r->replicas < total_down - done ? r->replicas : total_down - done;
            dp_scale(c, r, r->replicas - k);
            done += k;
            did = true;
        }
    }
    free(old);
    return did;
}

bool dp_complete_counts(const dp_ctx *c)
{
    if (!c->cur || c->just_created)
        return false;
    int64_t total = 0;
    for (size_t i = 0; i < c->nrs; i++)
        total += c->rs[i].actual;
    return c->cur->replicas == c->replicas && c->cur->actual == c->replicas &&
           total == c->replicas && c->cur->avail >= c->replicas;
}

void dp_rolling(dp_ctx *c)
{
    if (!c->cur)
        return;
    if (scale_new(c))
        return;
    if (scale_old(c))
        return;
    if (dp_complete_counts(c))
        dp_cleanup(c);
}

/* Paused: no rollout, but a lone active RS still follows spec.replicas
 * (k8s sync() scales paused Deployments too). */
void dp_scale_paused(dp_ctx *c)
{
    dp_rs *active = NULL;
    for (size_t i = 0; i < c->nrs; i++) {
        if (c->rs[i].replicas == 0)
            continue;
        if (active)
            return; /* several: wait for the rollout to resume */
        active = &c->rs[i];
    }
    if (!active)
        active = c->cur;
    if (active && !c->just_created)
        dp_scale(c, active, c->replicas);
}

void dp_recreate(dp_ctx *c)
{
    bool scaled = false, running = false;
    for (size_t i = 0; i < c->nrs; i++) {
        dp_rs *r = &c->rs[i];
        if (r == c->cur)
            continue;
        if (r->replicas > 0) {
            dp_scale(c, r, 0);
            scaled = true;
        }
        running |= r->actual > 0;
    }
    if (scaled || running)
        return; /* new pods only once every old one is gone */
    if (!c->cur)
        return;
    dp_scale(c, c->cur, c->replicas);
    if (dp_complete_counts(c))
        dp_cleanup(c);
}

static int cmp_rev(const void *a, const void *b)
{
    const dp_rs *x = *(dp_rs *const *)a, *y = *(dp_rs *const *)b;
    return x->revision < y->revision ? -1 : x->revision > y->revision;
}

/* revisionHistoryLimit: delete the oldest empty old RSs beyond it. */
void dp_cleanup(dp_ctx *c)
{
    int64_t limit = ctl_int(c->in->d, "spec.revisionHistoryLimit", 10);
    dp_rs **old = malloc((c->nrs + 1) * sizeof(*old));
    if (!old) {
        c->out->err = -ENOMEM;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < c->nrs; i++)
        if (&c->rs[i] != c->cur && !ctl_deleting(c->rs[i].v))
            old[n++] = &c->rs[i];
    if (n > 1)
        qsort(old, n, sizeof(*old), cmp_rev);
    int64_t diff = (int64_t)n - (limit < 0 ? 0 : limit);
    for (size_t i = 0; i < n && diff > 0; i++) {
        dp_rs *r = old[i];
        if (r->replicas != 0 || r->actual != 0 ||
            ctl_int(r->v, "metadata.generation", 1) > ctl_int(r->v, "status.observedGeneration", 0))
            continue;
        char uid[128];
        ctl_delete(c->out, &ctl_k_rs, c->ns, r->name,
                   ctl_str(r->v, "metadata.uid", uid, sizeof uid), NULL);
        diff--;
    }
    free(old);
}
