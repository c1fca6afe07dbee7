/* One scheduling cycle's algorithm (kube-scheduler's schedulePod):
 * PreFilter, the Filter walk from a rotating start until enough feasible
 * nodes are found, PostFilter when none is, then PreScore, Score and the
 * pick of the best node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_error.h"
#include "scheduler_impl.h"

/* kube-scheduler: minFeasibleNodesToFind, minFeasibleNodesPercentageToFind. */
#define MIN_FEASIBLE_NODES 100
#define MIN_FEASIBLE_PERCENT 5

uint32_t sk_num_feasible_to_find(int32_t percentage, uint32_t nnodes)
{
    if (nnodes < MIN_FEASIBLE_NODES)
        return nnodes;
    if (percentage <= 0) {
        int64_t adaptive = 50 - (int64_t)nnodes / 125;
        percentage = adaptive < MIN_FEASIBLE_PERCENT ? MIN_FEASIBLE_PERCENT : (int32_t)adaptive;
    }
    if (percentage > 100)
        percentage = 100;
    uint64_t n = (uint64_t)nnodes * (uint32_t)percentage / 100;
    return n < MIN_FEASIBLE_NODES ? MIN_FEASIBLE_NODES : (uint32_t)n;
}

typedef struct walk {
    const sk_sched_node **feasible;
    uint32_t nfeasible;
    uint32_t evaluated;
    uint64_t rejectors;
} walk;

static sk_sched_status *keep_status(sk_scheduler *s, const sk_sched_status *st)
{
    sk_sched_status *copy = sk_arena_alloc(&s->scratch, sizeof(*copy));
    if (copy)
        *copy = *st;
    return copy;
}

static int reject_node(sk_scheduler *s, sk_sched_fw *fw, const sk_sched_node *node,
                       const sk_sched_status *st, walk *w)
{
    uint32_t idx = sk_node_info_of(node)->index;
    const sk_sched_status *kept = keep_status(s, st);
    if (!kept)
        return -1;
    s->node_status[idx] = kept;
    int p = sk_fw_plugin_index(fw, st->plugin ? st->plugin : "");
    if (p >= 0)
        w->rejectors |= 1ull << p;
    return 0;
}

/* A pod nominated to a node (after preemption) tries that node first. */
static int try_nominated(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                         const sk_sched_pod *pod, walk *w)
{
    if (!pod->nominated_node_name[0])
        return 0;
    sk_node_info *ni = sk_cache_node(s->cache, pod->nominated_node_name);
    if (!ni || !ni->obj)
        return 0;
    sk_sched_status st;
    sk_status_init(&st, &s->intern);
    if (sk_filter_with_nominated(s, fw, c, pod, &ni->node, &st) != SK_SCHED_SUCCESS)
        return 0;
    w->feasible[w->nfeasible++] = &ni->node;
    w->evaluated = 1;
    return 1;
}

static sk_sched_code filter_walk(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                                 const sk_sched_pod *pod, walk *w)
{
    const sk_sched_snapshot *snap = c->snap;
    int32_t pct = fw->percentage >= 0 ? fw->percentage : s->percentage;
    uint32_t want = sk_num_feasible_to_find(pct, snap->nnodes);
    uint32_t start = snap->nnodes ? fw->next_start % snap->nnodes : 0, i;
    for (i = 0; i < snap->nnodes && w->nfeasible < want; i++) {
        const sk_sched_node *node = snap->nodes[(start + i) % snap->nnodes];
        sk_sched_status st;
        sk_status_init(&st, &s->intern);
        sk_sched_code code = sk_filter_with_nominated(s, fw, c, pod, node, &st);
        if (code == SK_SCHED_SUCCESS) {
            w->feasible[w->nfeasible++] = node;
            continue;
        }
        if (code == SK_SCHED_ERROR)
            return SK_SCHED_ERROR;
        if (reject_node(s, fw, node, &st, w))
            return SK_SCHED_ERROR;
    }
    w->evaluated = i;
    fw->next_start = snap->nnodes ? (start + i) % snap->nnodes : 0;
    return SK_SCHED_SUCCESS;
}

static char *fit_message(sk_scheduler *s, const sk_sched_cycle *c, const char *prefilter_msg,
                         const char *postfilter_msg)
{
    sk_fit_error fe;
    sk_fit_error_init(&fe, c->snap->nnodes);
    for (uint32_t i = 0; !prefilter_msg && i < c->snap->nnodes; i++) {
        const sk_sched_status *st = s->node_status[i];
        for (uint32_t r = 0; st && r < st->nreasons; r++)
            sk_fit_error_add(&fe, st->reasons[r], 1);
    }
    char *msg = sk_fit_error_format(&fe, prefilter_msg, postfilter_msg);
    sk_fit_error_free(&fe);
    return msg;
}

static sk_sched_code fail_fit(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                              const sk_sched_pod *pod, const char *prefilter_msg,
                              sk_schedule_result *r)
{
    sk_sched_postfilter_result pf;
    memset(&pf, 0, sizeof(pf));
    sk_sched_status st;
    char post[1024] = "";
    if (fw->nlist[SK_PT_POST_FILTER]) {
        sk_sched_code code = sk_fw_post_filter(fw, c, pod, &pf, &st);
        if (code == SK_SCHED_ERROR) {
            r->message = strdup("PostFilter failed");
            return SK_SCHED_ERROR;
        }
        sk_status_message(&st, post, sizeof(post));
        r->nominate = pf.nominate;
        pf.nominated_node[sizeof(pf.nominated_node) - 1] = '\0';
        snprintf(r->nominated, sizeof(r->nominated), "%s", pf.nominated_node);
    }
    r->message = fit_message(s, c, prefilter_msg, post);
    if (!r->message)
        return SK_SCHED_ERROR;
    return SK_SCHED_UNSCHEDULABLE;
}

static void prefilter_rejects_all(sk_scheduler *s, sk_sched_cycle *c, const sk_sched_status *st)
{
    const sk_sched_status *kept = keep_status(s, st);
    for (uint32_t i = 0; i < c->snap->nnodes; i++)
        s->node_status[i] = kept;
    c->all_code = st->code;
}

static uint32_t select_host(sk_scheduler *s, const int64_t *totals, uint32_t n)
{
    uint32_t best = 0, ties = 1;
    for (uint32_t i = 1; i < n; i++) {
        if (totals[i] > totals[best]) {
            best = i;
            ties = 1;
        } else if (totals[i] == totals[best] && sk_scheduler_rand(s) % ++ties == 0) {
            best = i; /* reservoir sampling among equals */
        }
    }
    return best;
}

static sk_sched_code score_and_pick(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                                    const sk_sched_pod *pod, walk *w, sk_schedule_result *r)
{
    sk_sched_status st;
    sk_status_init(&st, &s->intern);
    uint32_t pick = 0;
    if (w->nfeasible > 1) {
        int64_t *totals = sk_arena_calloc(&s->scratch, w->nfeasible, sizeof(*totals));
        if (!totals)
            return SK_SCHED_ERROR;
        sk_sched_code code = sk_fw_pre_score(fw, c, pod, w->feasible, w->nfeasible, &st);
        if (code == SK_SCHED_SUCCESS)
            code = sk_fw_score(fw, c, pod, w->feasible, w->nfeasible, totals, &st);
        if (code != SK_SCHED_SUCCESS) {
            char m[512];
            sk_status_message(&st, m, sizeof(m));
            size_t n = strlen(m) + 64;
            if ((r->message = malloc(n)))
                snprintf(r->message, n, "%s: %s", st.plugin ? st.plugin : "score", m);
            return SK_SCHED_ERROR;
        }
        pick = select_host(s, totals, w->nfeasible);
    }
    snprintf(r->node, sizeof(r->node), "%s", w->feasible[pick]->name);
    return SK_SCHED_SUCCESS;
}

static int prepare(sk_scheduler *s, sk_sched_cycle *c)
{
    uint32_t n = c->snap->nnodes;
    sk_arena_reset(&s->scratch);
    if (n > s->node_status_cap) {
        const sk_sched_status **ns = realloc(s->node_status, n * sizeof(*ns));
        if (!ns)
            return -1;
        s->node_status = ns;
        s->node_status_cap = n;
    }
    if (n)
        memset(s->node_status, 0, n * sizeof(*s->node_status));
    c->node_status = s->node_status;
    c->nnode_status = n;
    return 0;
}

static sk_sched_code run(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                         const sk_sched_pod *pod, sk_schedule_result *r)
{
    sk_sched_status st;
    char msg[1024];
    walk w = {0};
    if (c->snap->nnodes == 0) {
        r->message = strdup("no nodes available to schedule pods");
        return SK_SCHED_UNSCHEDULABLE;
    }
    w.feasible = sk_arena_calloc(&s->scratch, c->snap->nnodes, sizeof(*w.feasible));
    if (!w.feasible)
        return SK_SCHED_ERROR;
    sk_status_init(&st, &s->intern);
    sk_sched_code code = sk_fw_pre_filter(fw, c, pod, &st);
    if (code == SK_SCHED_ERROR)
        return SK_SCHED_ERROR;
    if (code != SK_SCHED_SUCCESS) {
        int p = sk_fw_plugin_index(fw, st.plugin ? st.plugin : "");
        r->rejectors = p >= 0 ? 1ull << p : 0;
        prefilter_rejects_all(s, c, &st);
        sk_status_message(&st, msg, sizeof(msg));
        return fail_fit(s, fw, c, pod, msg, r);
    }
    if (!try_nominated(s, fw, c, pod, &w) && filter_walk(s, fw, c, pod, &w) != SK_SCHED_SUCCESS)
        return SK_SCHED_ERROR;
    r->evaluated = w.evaluated;
    r->feasible = w.nfeasible;
    r->rejectors = w.rejectors;
    if (w.nfeasible == 0)
        return fail_fit(s, fw, c, pod, NULL, r);
    return score_and_pick(s, fw, c, pod, &w, r);
}

sk_sched_code sk_schedule_pod(sk_scheduler *s, sk_sched_fw *fw, sk_sched_cycle *c,
                              const sk_sched_pod *pod, sk_schedule_result *r)
{
    memset(r, 0, sizeof(*r));
    if (prepare(s, c))
        return SK_SCHED_ERROR;
    sk_sched_code code = run(s, fw, c, pod, r);
    if (code == SK_SCHED_ERROR && !r->message)
        r->message = strdup("internal error while scheduling");
    /* The per-node verdicts live in scratch memory reused next cycle. */
    c->node_status = NULL;
    c->nnode_status = 0;
    return code;
}
