/* PodTopologySpread: hard constraints (DoNotSchedule) in Filter — the
 * pods matching the selector in the node's domain, plus the pod itself,
 * minus the global minimum, must not exceed maxSkew — and soft ones
 * (ScheduleAnyway) in Score, as kube-scheduler computes both. System
 * default constraints (which need Service/ReplicaSet selectors) are not
 * applied. */
#include <math.h>
#include <stdlib.h>

#include "../cache.h"
#include "../strmap.h"
#include "builtin.h"

#define KEY "PodTopologySpread/"
#define HOSTNAME "kubernetes.io/hostname"

/* Domain -> count maps store count + 1, so an empty domain is present. */
static int64_t get_count(const sk_strmap *m, const char *v)
{
    uintptr_t x = (uintptr_t)sk_strmap_get(m, v);
    return x ? (int64_t)x - 1 : 0;
}

static int add_count(sk_strmap *m, const char *v, int64_t d)
{
    uintptr_t x = (uintptr_t)sk_strmap_get(m, v);
    int64_t n = (x ? (int64_t)x - 1 : 0) + d;
    return sk_strmap_put(m, v, (void *)(uintptr_t)(n + 1), NULL);
}

static bool counts(const sk_sched_pod *p, const sk_sched_spread *c, const char *ns)
{
    return !p->terminating && strcmp(p->ns, ns) == 0 && sk_selector_matches(&c->selector, &p->labels);
}

static int64_t count_on(const sk_sched_node *node, const sk_sched_spread *c, const char *ns)
{
    int64_t n = 0;
    for (uint32_t i = 0; i < node->npods; i++)
        n += counts(node->pods[i], c, ns);
    return n;
}

static bool has_keys(const sk_sched_node *node, const sk_sched_spread *cs, uint32_t n, bool hard)
{
    for (uint32_t i = 0; i < n; i++)
        if (cs[i].do_not_schedule == hard && !sk_label_get(&node->labels, cs[i].topology_key))
            return false;
    return true;
}

static bool included(const sk_sched_pod *pod, const sk_sched_node *node, const sk_sched_spread *c)
{
    if (c->honor_node_affinity && !sk_node_affinity_matches(pod, node))
        return false;
    return !c->honor_node_taints || !sk_untolerated_taint(node, pod->tolerations, pod->ntolerations);
}

/* ---- Filter ---- */
typedef struct pf_state {
    uint32_t n; /* constraints: indices of the pod's hard ones */
    const sk_sched_spread *c[32];
    sk_strmap domains[32];
    int64_t min[32];
} pf_state;

static void pf_free(void *p)
{
    pf_state *s = p;
    for (uint32_t i = 0; i < s->n; i++)
        sk_strmap_free(&s->domains[i]);
    free(s);
}

static void recompute_min(pf_state *s, uint32_t i)
{
    int64_t min = INT64_MAX;
    size_t it = 0;
    void *v;
    while (sk_strmap_next(&s->domains[i], &it, NULL, &v))
        if ((int64_t)(uintptr_t)v - 1 < min)
            min = (int64_t)(uintptr_t)v - 1;
    s->min[i] = min;
}

static void *pf_clone(const void *p)
{
    const pf_state *s = p;
    pf_state *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->n = s->n;
    for (uint32_t i = 0; i < s->n; i++) {
        n->c[i] = s->c[i];
        n->min[i] = s->min[i];
        size_t it = 0;
        const char *k;
        void *v;
        while (sk_strmap_next(&s->domains[i], &it, &k, &v)) {
            if (sk_strmap_put(&n->domains[i], k, v, NULL)) {
                pf_free(n);
                return NULL;
            }
        }
    }
    return n;
}

static sk_sched_code pre_filter(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                                const sk_sched_snapshot *snap, sk_sched_status *st)
{
    (void)self, (void)st;
    pf_state *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_SCHED_ERROR;
    for (uint32_t i = 0; i < pod->nspread && s->n < 32; i++)
        if (pod->spread[i].do_not_schedule)
            s->c[s->n++] = &pod->spread[i];
    if (s->n == 0) {
        free(s);
        return SK_SCHED_SKIP;
    }
    for (uint32_t ni = 0; ni < snap->nnodes; ni++) {
        const sk_sched_node *node = snap->nodes[ni];
        if (!has_keys(node, pod->spread, pod->nspread, true))
            continue;
        for (uint32_t i = 0; i < s->n; i++) {
            if (!included(pod, node, s->c[i]))
                continue;
            const char *v = sk_label_get(&node->labels, s->c[i]->topology_key);
            if (add_count(&s->domains[i], v, count_on(node, s->c[i], pod->ns))) {
                pf_free(s);
                return SK_SCHED_ERROR;
            }
        }
    }
    for (uint32_t i = 0; i < s->n; i++)
        recompute_min(s, i);
    if (sk_cycle_write_builtin(cy, KEY "prefilter", s, pf_clone, pf_free))
        return SK_SCHED_ERROR;
    return SK_SCHED_SUCCESS;
}

static sk_sched_code update(sk_sched_cycle *cy, const sk_sched_pod *pod, const sk_sched_pod *other,
                            const sk_sched_node *node, int64_t delta)
{
    pf_state *s = sk_cycle_read_builtin(cy, KEY "prefilter");
    if (!s || strcmp(other->ns, pod->ns) != 0 || !has_keys(node, pod->spread, pod->nspread, true))
        return SK_SCHED_SUCCESS;
    for (uint32_t i = 0; i < s->n; i++) {
        if (!sk_selector_matches(&s->c[i]->selector, &other->labels) || !included(pod, node, s->c[i]))
            continue;
        if (add_count(&s->domains[i], sk_label_get(&node->labels, s->c[i]->topology_key), delta))
            return SK_SCHED_ERROR;
        recompute_min(s, i);
    }
    return SK_SCHED_SUCCESS;
}

static sk_sched_code add_pod(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                             const sk_sched_pod *other, const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)st;
    return update(cy, pod, other, node, 1);
}

static sk_sched_code remove_pod(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                                const sk_sched_pod *other, const sk_sched_node *node,
                                sk_sched_status *st)
{
    (void)self, (void)st;
    return update(cy, pod, other, node, -1);
}

static sk_sched_code filter(void *self, const sk_sched_cycle *cy, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self;
    const pf_state *s = sk_cycle_read_builtin(cy, KEY "prefilter");
    if (!s)
        return SK_SCHED_SUCCESS;
    for (uint32_t i = 0; i < s->n; i++) {
        const sk_sched_spread *c = s->c[i];
        const char *v = sk_label_get(&node->labels, c->topology_key);
        if (!v) {
            sk_status_reason(st, "node(s) didn't match pod topology spread constraints (missing required label)");
            return SK_SCHED_UNRESOLVABLE;
        }
        int64_t min = (int64_t)s->domains[i].len < c->min_domains ? 0 : s->min[i];
        if (s->domains[i].len == 0)
            min = 0;
        int64_t self_match = sk_selector_matches(&c->selector, &pod->labels);
        if (get_count(&s->domains[i], v) + self_match - min > c->max_skew) {
            sk_status_reason(st, "node(s) didn't match pod topology spread constraints");
            return SK_SCHED_UNSCHEDULABLE;
        }
    }
    return SK_SCHED_SUCCESS;
}

/* ---- Score ---- */
typedef struct ps_state {
    uint32_t n;
    const sk_sched_spread *c[32];
    sk_strmap counts[32];
    double weight[32];
    bool *ignored; /* by snapshot index */
    uint32_t nignored_cap;
} ps_state;

static void ps_free(void *p)
{
    ps_state *s = p;
    for (uint32_t i = 0; i < s->n; i++)
        sk_strmap_free(&s->counts[i]);
    free(s->ignored);
    free(s);
}

static int ps_domains(ps_state *s, const sk_sched_pod *pod, const sk_sched_node *const *nodes,
                      uint32_t nn)
{
    uint32_t size[32] = {0}, nign = 0;
    for (uint32_t k = 0; k < nn; k++) {
        if (!has_keys(nodes[k], pod->spread, pod->nspread, false)) {
            s->ignored[sk_node_info_of(nodes[k])->index] = true;
            nign++;
            continue;
        }
        for (uint32_t i = 0; i < s->n; i++) {
            if (strcmp(s->c[i]->topology_key, HOSTNAME) == 0)
                continue;
            const char *v = sk_label_get(&nodes[k]->labels, s->c[i]->topology_key);
            if (sk_strmap_get(&s->counts[i], v))
                continue;
            if (sk_strmap_put(&s->counts[i], v, (void *)(uintptr_t)1, NULL))
                return -1;
            size[i]++;
        }
    }
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t sz = strcmp(s->c[i]->topology_key, HOSTNAME) == 0 ? nn - nign : size[i];
        s->weight[i] = log((double)sz + 2);
    }
    return 0;
}

static sk_sched_code pre_score(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                               const sk_sched_node *const *nodes, uint32_t nn, sk_sched_status *st)
{
    (void)self, (void)st;
    const sk_sched_snapshot *snap = sk_cycle_snapshot_builtin(cy);
    ps_state *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_SCHED_ERROR;
    for (uint32_t i = 0; i < pod->nspread && s->n < 32; i++)
        if (!pod->spread[i].do_not_schedule)
            s->c[s->n++] = &pod->spread[i];
    if (s->n == 0 || !snap || snap->nnodes == 0) {
        ps_free(s);
        return SK_SCHED_SKIP;
    }
    s->ignored = calloc(snap->nnodes, sizeof(*s->ignored));
    if (!s->ignored || ps_domains(s, pod, nodes, nn)) {
        ps_free(s);
        return SK_SCHED_ERROR;
    }
    for (uint32_t k = 0; k < snap->nnodes; k++) {
        const sk_sched_node *node = snap->nodes[k];
        if (!has_keys(node, pod->spread, pod->nspread, false))
            continue;
        for (uint32_t i = 0; i < s->n; i++) {
            const char *v = sk_label_get(&node->labels, s->c[i]->topology_key);
            if (!included(pod, node, s->c[i]) || !sk_strmap_get(&s->counts[i], v))
                continue;
            if (add_count(&s->counts[i], v, count_on(node, s->c[i], pod->ns))) {
                ps_free(s);
                return SK_SCHED_ERROR;
            }
        }
    }
    if (sk_cycle_write_builtin(cy, KEY "prescore", s, NULL, ps_free))
        return SK_SCHED_ERROR;
    return SK_SCHED_SUCCESS;
}

static sk_sched_code score(void *self, const sk_sched_cycle *cy, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)self, (void)st;
    const ps_state *s = sk_cycle_read_builtin(cy, KEY "prescore");
    *out = 0;
    if (!s || s->ignored[sk_node_info_of(node)->index])
        return SK_SCHED_SUCCESS;
    double sum = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        const char *v = sk_label_get(&node->labels, s->c[i]->topology_key);
        if (!v)
            continue;
        int64_t cnt = strcmp(s->c[i]->topology_key, HOSTNAME) == 0 ? count_on(node, s->c[i], pod->ns)
                                                                    : get_count(&s->counts[i], v);
        sum += (double)cnt * s->weight[i] + (double)(s->c[i]->max_skew - 1);
    }
    *out = (int64_t)round(sum);
    return SK_SCHED_SUCCESS;
}

static sk_sched_code normalize(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                               sk_sched_node_score *sc, uint32_t n, sk_sched_status *st)
{
    (void)self, (void)pod, (void)st;
    const ps_state *s = sk_cycle_read_builtin(cy, KEY "prescore");
    int64_t min = INT64_MAX, max = 0;
    if (!s)
        return SK_SCHED_SUCCESS;
    for (uint32_t i = 0; i < n; i++) {
        if (s->ignored[sk_node_info_of(sc[i].node)->index])
            continue;
        min = sc[i].score < min ? sc[i].score : min;
        max = sc[i].score > max ? sc[i].score : max;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (s->ignored[sk_node_info_of(sc[i].node)->index])
            sc[i].score = 0;
        else if (max == 0)
            sc[i].score = SK_SCHED_MAX_NODE_SCORE;
        else
            sc[i].score = SK_SCHED_MAX_NODE_SCORE * (max + min - sc[i].score) / max;
    }
    return SK_SCHED_SUCCESS;
}

const sk_sched_plugin_desc sk_plugin_pod_topology_spread = {
    BUILTIN_DESC,
    .name = "PodTopologySpread",
    .description = "topology spread constraints",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE | SK_SCHED_EV_NODE_DELETE |
                      SK_SCHED_EV_POD_ADD | SK_SCHED_EV_POD_UPDATE | SK_SCHED_EV_POD_DELETE,
    .default_weight = 2,
    .pre_filter = pre_filter,
    .pre_filter_add_pod = add_pod,
    .pre_filter_remove_pod = remove_pod,
    .filter = filter,
    .pre_score = pre_score,
    .score = score,
    .normalize_score = normalize,
};
