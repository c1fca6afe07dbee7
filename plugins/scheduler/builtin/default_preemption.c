/* DefaultPreemption: when a pod fits nowhere, find the node where evicting
 * lower-priority pods lets it fit, choosing as kube-scheduler does (fewest
 * PDB violations — none are modelled yet —, then the lowest highest victim
 * priority, the smallest priority sum, the fewest victims, the latest
 * start among the most important victims), evict the victims and nominate
 * the node. */
#include <stdio.h>
#include <stdlib.h>

#include "../cache.h"
#include "../fit_error.h"
#include "builtin.h"

typedef struct preempt {
    const sk_sched_handle *h;
    int64_t min_pct, min_abs; /* minCandidateNodesPercentage / Absolute */
    uint64_t rng;
} preempt;

typedef struct candidate {
    const sk_sched_node *node;
    const sk_sched_pod **victims; /* most important first */
    uint32_t n;
} candidate;

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    preempt *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->h = h;
    p->min_pct = 10;
    p->min_abs = 100;
    p->rng = 0x2545f4914f6cdd1dull;
    if (h->args && h->cfg) {
        const sk_cfg *a = h->cfg->get(h->args, "minCandidateNodesPercentage");
        const sk_cfg *b = h->cfg->get(h->args, "minCandidateNodesAbsolute");
        if ((a && (h->cfg->to_int(a, &p->min_pct) || p->min_pct < 0 || p->min_pct > 100)) ||
            (b && (h->cfg->to_int(b, &p->min_abs) || p->min_abs < 0))) {
            snprintf(err, errlen, "minCandidateNodesPercentage must be 0..100, minCandidateNodesAbsolute >= 0");
            free(p);
            return SK_ECONFIG;
        }
    }
    *self = p;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

/* util.MoreImportantPod: higher priority, then longer running. */
static bool more_important(const sk_sched_pod *a, const sk_sched_pod *b)
{
    if (a->priority != b->priority)
        return a->priority > b->priority;
    int64_t sa = a->start_ms ? a->start_ms : INT64_MAX, sb = b->start_ms ? b->start_ms : INT64_MAX;
    return sa < sb;
}

static int cmp_importance(const void *a, const void *b)
{
    const sk_sched_pod *pa = *(const sk_sched_pod *const *)a, *pb = *(const sk_sched_pod *const *)b;
    return more_important(pa, pb) ? -1 : more_important(pb, pa) ? 1 : 0;
}

/* Puts back as many of removed[0..n) (most important first) as still let
 * pod fit; the rest become the victims, in importance order. */
static sk_sched_code reprieve(preempt *p, const sk_sched_cycle *c, const sk_sched_pod *pod,
                              const sk_sched_node *node, const sk_sched_pod **removed, uint32_t n,
                              candidate *out, const sk_sched_status *st)
{
    /* out_now[0..nout): the pods out of the node for the next what-if: the
     * victims so far, then the ones not yet considered. */
    const sk_sched_pod **out_now = calloc(n, sizeof(*out_now));
    const sk_sched_pod **victims = calloc(n, sizeof(*victims));
    uint32_t nvict = 0;
    if (!out_now || !victims) {
        free(out_now);
        free(victims);
        return SK_SCHED_ERROR;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t nout = 0;
        for (uint32_t v = 0; v < nvict; v++)
            out_now[nout++] = victims[v];
        for (uint32_t r = i + 1; r < n; r++)
            out_now[nout++] = removed[r];
        sk_sched_status tmp = *st;
        tmp.nreasons = 0;
        if (p->h->api->filter_without(p->h->fw, c, pod, node, out_now, nout, &tmp) != SK_SCHED_SUCCESS)
            victims[nvict++] = removed[i];
    }
    free(out_now);
    out->node = node;
    out->victims = victims;
    out->n = nvict;
    return SK_SCHED_SUCCESS;
}

/* SelectVictimsOnNode: all lower-priority pods out; if the pod then fits,
 * reprieve what can be reprieved. */
static sk_sched_code select_victims(preempt *p, const sk_sched_cycle *c, const sk_sched_pod *pod,
                                    const sk_sched_node *node, candidate *out, sk_sched_status *st)
{
    const sk_sched_pod **removed = calloc(node->npods + 1, sizeof(*removed));
    uint32_t n = 0;
    if (!removed)
        return SK_SCHED_ERROR;
    for (uint32_t i = 0; i < node->npods; i++)
        if (node->pods[i]->priority < pod->priority)
            removed[n++] = node->pods[i];
    sk_sched_code code;
    if (n == 0) {
        sk_status_reason(st, "No preemption victims found for incoming pod");
        code = SK_SCHED_UNRESOLVABLE;
    } else {
        code = p->h->api->filter_without(p->h->fw, c, pod, node, removed, n, st);
    }
    if (code == SK_SCHED_SUCCESS) {
        qsort(removed, n, sizeof(*removed), cmp_importance);
        code = reprieve(p, c, pod, node, removed, n, out, st);
    }
    free(removed);
    return code;
}

static int64_t sum_prio(const candidate *c)
{
    int64_t s = 0;
    for (uint32_t i = 0; i < c->n; i++)
        s += (int64_t)c->victims[i]->priority + INT32_MAX + 1;
    return s;
}

/* Earliest start among the victims of the highest priority. */
static int64_t earliest_top(const candidate *c)
{
    int64_t e = INT64_MAX;
    for (uint32_t i = 0; i < c->n; i++)
        if (c->victims[i]->priority == c->victims[0]->priority && c->victims[i]->start_ms &&
            c->victims[i]->start_ms < e)
            e = c->victims[i]->start_ms;
    return e == INT64_MAX ? INT64_MIN : e;
}

/* pickOneNodeForPreemption: each criterion keeps the best-scoring ties. */
static const candidate *pick(candidate *cs, uint32_t n)
{
    for (int crit = 0; crit < 4 && n > 1; crit++) {
        int64_t best = INT64_MIN;
        uint32_t w = 0;
        for (uint32_t i = 0; i < n; i++) {
            int64_t s = crit == 0 ? -(int64_t)cs[i].victims[0]->priority
                      : crit == 1 ? -sum_prio(&cs[i])
                      : crit == 2 ? -(int64_t)cs[i].n
                                  : earliest_top(&cs[i]);
            if (s > best) {
                best = s;
                w = 0;
            }
            if (s == best) {
                candidate t = cs[w];
                cs[w++] = cs[i];
                cs[i] = t;
            }
        }
        n = w;
    }
    return &cs[0];
}

static void message(char *buf, size_t len, const sk_fit_error *fe)
{
    char *m = sk_fit_error_format(fe, NULL, NULL);
    snprintf(buf, len, "preemption: %s", m ? m : "out of memory");
    free(m);
}

static bool terminating_victim_on_nominated(const sk_sched_api *api, const sk_sched_cycle *c,
                                            const sk_sched_pod *pod, const sk_sched_snapshot *snap)
{
    if (!pod->nominated_node_name[0])
        return false;
    const sk_sched_node *node = api->node_get(snap, pod->nominated_node_name);
    if (!node || api->node_filter_code(c, node) == SK_SCHED_UNRESOLVABLE)
        return false;
    for (uint32_t i = 0; i < node->npods; i++)
        if (node->pods[i]->priority < pod->priority && node->pods[i]->terminating)
            return true;
    return false;
}

static sk_sched_code finish(preempt *p, const sk_sched_pod *pod, candidate *cs, uint32_t ncand,
                            sk_sched_postfilter_result *res, sk_sched_status *st)
{
    const candidate *best = pick(cs, ncand);
    for (uint32_t i = 0; i < best->n; i++) {
        if (best->victims[i]->terminating)
            continue; /* already on its way out */
        if (p->h->api->evict(p->h->fw, best->victims[i], pod, best->node->name) != 0) {
            sk_status_reason(st, "preemption: could not evict a victim");
            return SK_SCHED_ERROR;
        }
    }
    res->nominate = true;
    snprintf(res->nominated_node, sizeof(res->nominated_node), "%s", best->node->name);
    return SK_SCHED_SUCCESS;
}

/* PodEligibleToPreemptOthers; false with a reason in st. */
static bool eligible(preempt *p, const sk_sched_cycle *c, const sk_sched_pod *pod,
                     const sk_sched_snapshot *snap, sk_sched_status *st)
{
    if (pod->preempt_never) {
        sk_status_reason(st, "preemption: not eligible due to preemptionPolicy=Never.");
        return false;
    }
    if (terminating_victim_on_nominated(p->h->api, c, pod, snap)) {
        sk_status_reason(st, "preemption: not eligible due to a terminating pod on the nominated node.");
        return false;
    }
    return true;
}

typedef struct search {
    candidate *cs;
    uint32_t ncand, evaluated;
    sk_fit_error fe; /* why the nodes tried were no candidates */
} search;

/* DryRunPreemption over the nodes Filter found merely Unschedulable, from
 * a random offset, until enough candidates are found. */
static sk_sched_code find_candidates(preempt *p, const sk_sched_cycle *c, const sk_sched_pod *pod,
                                     const sk_sched_snapshot *snap, search *sr,
                                     const sk_sched_status *st)
{
    const sk_sched_node **pot = calloc(snap->nnodes + 1, sizeof(*pot));
    uint32_t npot = 0;
    if (!pot)
        return SK_SCHED_ERROR;
    for (uint32_t i = 0; i < snap->nnodes; i++)
        if (p->h->api->node_filter_code(c, snap->nodes[i]) == SK_SCHED_UNSCHEDULABLE)
            pot[npot++] = snap->nodes[i];
    int64_t want = (int64_t)npot * p->min_pct / 100;
    want = want < p->min_abs ? p->min_abs : want;
    p->rng = p->rng * 6364136223846793005ull + 1;
    uint32_t offset = npot ? (uint32_t)(p->rng >> 33) % npot : 0;
    sk_sched_code rc = SK_SCHED_SUCCESS;
    for (uint32_t i = 0; rc == SK_SCHED_SUCCESS && i < npot && sr->ncand < want; i++) {
        sk_sched_status nst = *st;
        nst.nreasons = 0;
        candidate *cand = &sr->cs[sr->ncand];
        sk_sched_code code = select_victims(p, c, pod, pot[(offset + i) % npot], cand, &nst);
        sr->evaluated++;
        if (code == SK_SCHED_SUCCESS && cand->n > 0) {
            sr->ncand++;
            continue;
        }
        free(cand->victims);
        cand->victims = NULL;
        if (code == SK_SCHED_ERROR)
            rc = SK_SCHED_ERROR;
        for (uint32_t r = 0; r < nst.nreasons; r++)
            sk_fit_error_add(&sr->fe, nst.reasons[r], 1);
    }
    free(pot);
    return rc;
}

static sk_sched_code post_filter(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                 const sk_sched_snapshot *snap, sk_sched_postfilter_result *res,
                                 sk_sched_status *st)
{
    preempt *p = self;
    if (!eligible(p, c, pod, snap, st))
        return SK_SCHED_UNSCHEDULABLE;
    search sr = {.cs = calloc(snap->nnodes + 1, sizeof(candidate))};
    sk_fit_error_init(&sr.fe, snap->nnodes);
    sk_sched_code rc = sr.cs ? find_candidates(p, c, pod, snap, &sr, st) : SK_SCHED_ERROR;
    if (rc == SK_SCHED_SUCCESS && sr.ncand) {
        rc = finish(p, pod, sr.cs, sr.ncand, res, st);
    } else if (rc == SK_SCHED_SUCCESS) {
        char buf[1024];
        /* Nodes not tried: Filter ruled preemption out on them. */
        if (snap->nnodes > sr.evaluated)
            sk_fit_error_add(&sr.fe, "Preemption is not helpful for scheduling",
                             snap->nnodes - sr.evaluated);
        message(buf, sizeof(buf), &sr.fe);
        sk_status_reason(st, buf);
        /* Preemption cannot help: a stale nomination is cleared. */
        res->nominate = true;
        res->nominated_node[0] = '\0';
        rc = SK_SCHED_UNSCHEDULABLE;
    }
    for (uint32_t i = 0; sr.cs && i < sr.ncand; i++)
        free(sr.cs[i].victims);
    sk_fit_error_free(&sr.fe);
    free(sr.cs);
    return rc;
}

const sk_sched_plugin_desc sk_plugin_default_preemption = {
    BUILTIN_DESC,
    .name = "DefaultPreemption",
    .description = "evicts lower-priority pods so a pod that fits nowhere can run",
    .create = create,
    .destroy = destroy,
    .post_filter = post_filter,
};
