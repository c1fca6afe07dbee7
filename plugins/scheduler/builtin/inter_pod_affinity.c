/* InterPodAffinity: required pod affinity and anti-affinity (the pod's
 * own, and existing pods' anti-affinity against it) in Filter; preferred
 * terms of both sides, and existing pods' required affinity at
 * hardPodAffinityWeight, in Score — as kube-scheduler counts them per
 * topology pair. */
#include <stdio.h>
#include <stdlib.h>

#include "../cache.h"
#include "../strmap.h"
#include "builtin.h"

#define KEY "InterPodAffinity/"

typedef struct ipa {
    int64_t hard_weight;
    bool ignore_existing_preferred;
} ipa;

/* ---- topology pair -> count, keys "key\nvalue" owned by the map ---- */
static void pairs_free(sk_strmap *m)
{
    size_t i = 0;
    const char *k;
    while (sk_strmap_next(m, &i, &k, NULL))
        free((char *)k);
    sk_strmap_free(m);
}

static int64_t pair_get(const sk_strmap *m, const char *key, const char *value)
{
    char buf[640];
    snprintf(buf, sizeof(buf), "%s\n%s", key, value);
    return (int64_t)(intptr_t)sk_strmap_get(m, buf);
}

static int pair_add(sk_strmap *m, const char *key, const char *value, int64_t d)
{
    char buf[640];
    snprintf(buf, sizeof(buf), "%s\n%s", key, value);
    void **ref = sk_strmap_ref(m, buf);
    if (ref) {
        *ref = (void *)(intptr_t)((intptr_t)*ref + d);
        return 0;
    }
    int64_t n = d;
    char *k = strdup(buf);
    if (!k || sk_strmap_put(m, k, (void *)(intptr_t)n, NULL)) {
        free(k);
        return -ENOMEM;
    }
    return 0;
}

static int pairs_copy(sk_strmap *dst, const sk_strmap *src)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (sk_strmap_next(src, &i, &k, &v)) {
        char *kc = strdup(k);
        if (!kc || sk_strmap_put(dst, kc, v, NULL)) {
            free(kc);
            return -ENOMEM;
        }
    }
    return 0;
}

static bool matches_all(const sk_sched_pod_term *t, uint32_t n, const sk_sched_pod *p,
                        const sk_sched_snapshot *snap)
{
    if (n == 0)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!sk_pod_term_matches(&t[i], p, snap))
            return false;
    return true;
}

/* ---- Filter ---- */
typedef struct pf_state {
    sk_strmap existing_anti; /* existing pods' required anti-affinity matching the pod */
    sk_strmap affinity;      /* pods matching all the pod's required affinity terms */
    sk_strmap anti;          /* pods matching one of the pod's required anti terms */
    const sk_sched_snapshot *snap;
} pf_state;

static void pf_free(void *p)
{
    pf_state *s = p;
    pairs_free(&s->existing_anti);
    pairs_free(&s->affinity);
    pairs_free(&s->anti);
    free(s);
}

static void *pf_clone(const void *p)
{
    const pf_state *s = p;
    pf_state *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->snap = s->snap;
    if (pairs_copy(&n->existing_anti, &s->existing_anti) || pairs_copy(&n->affinity, &s->affinity) ||
        pairs_copy(&n->anti, &s->anti)) {
        pf_free(n);
        return NULL;
    }
    return n;
}

/* Counts other (on node) into s, times d. */
static int update(pf_state *s, const sk_sched_pod *pod, const sk_sched_pod *other,
                  const sk_sched_node *node, int64_t d)
{
    const sk_sched_labels *l = &node->labels;
    for (uint32_t i = 0; i < other->nanti_affinity_required; i++) {
        const sk_sched_pod_term *t = &other->anti_affinity_required[i];
        const char *v = sk_label_get(l, t->topology_key);
        if (v && sk_pod_term_matches(t, pod, s->snap) && pair_add(&s->existing_anti, t->topology_key, v, d))
            return -ENOMEM;
    }
    if (matches_all(pod->affinity_required, pod->naffinity_required, other, s->snap)) {
        for (uint32_t i = 0; i < pod->naffinity_required; i++) {
            const char *k = pod->affinity_required[i].topology_key, *v = sk_label_get(l, k);
            if (v && pair_add(&s->affinity, k, v, d))
                return -ENOMEM;
        }
    }
    for (uint32_t i = 0; i < pod->nanti_affinity_required; i++) {
        const sk_sched_pod_term *t = &pod->anti_affinity_required[i];
        const char *v = sk_label_get(l, t->topology_key);
        if (v && sk_pod_term_matches(t, other, s->snap) && pair_add(&s->anti, t->topology_key, v, d))
            return -ENOMEM;
    }
    return 0;
}

static sk_sched_code pre_filter(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                                const sk_sched_snapshot *snap, sk_sched_status *st)
{
    (void)self, (void)st;
    pf_state *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_SCHED_ERROR;
    s->snap = snap;
    bool own = pod->naffinity_required || pod->nanti_affinity_required;
    for (uint32_t n = 0; n < snap->nnodes; n++) {
        const sk_sched_node *node = snap->nodes[n];
        if (!own && node->npods_with_required_anti_affinity == 0)
            continue;
        for (uint32_t i = 0; i < node->npods; i++) {
            if (update(s, pod, node->pods[i], node, 1)) {
                pf_free(s);
                return SK_SCHED_ERROR;
            }
        }
    }
    if (!own && s->existing_anti.len == 0) {
        pf_free(s);
        return SK_SCHED_SKIP;
    }
    return sk_cycle_write_builtin(cy, KEY "prefilter", s, pf_clone, pf_free) ? SK_SCHED_ERROR
                                                                             : SK_SCHED_SUCCESS;
}

static sk_sched_code add_pod(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                             const sk_sched_pod *other, const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)st;
    pf_state *s = sk_cycle_read_builtin(cy, KEY "prefilter");
    return !s || !update(s, pod, other, node, 1) ? SK_SCHED_SUCCESS : SK_SCHED_ERROR;
}

static sk_sched_code remove_pod(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                                const sk_sched_pod *other, const sk_sched_node *node,
                                sk_sched_status *st)
{
    (void)self, (void)st;
    pf_state *s = sk_cycle_read_builtin(cy, KEY "prefilter");
    return !s || !update(s, pod, other, node, -1) ? SK_SCHED_SUCCESS : SK_SCHED_ERROR;
}

static bool affinity_ok(const pf_state *s, const sk_sched_pod *pod, const sk_sched_node *node)
{
    bool exist = true;
    for (uint32_t i = 0; i < pod->naffinity_required; i++) {
        const char *k = pod->affinity_required[i].topology_key, *v = sk_label_get(&node->labels, k);
        if (!v)
            return false; /* every topology label must be there */
        if (pair_get(&s->affinity, k, v) <= 0)
            exist = false;
    }
    if (exist)
        return true;
    /* The first of a group of pods with affinity to each other: allowed
     * when nothing matches yet and the pod matches its own terms. */
    int64_t total = 0;
    size_t it = 0;
    void *v;
    while (sk_strmap_next(&s->affinity, &it, NULL, &v))
        total += (int64_t)(intptr_t)v != 0;
    return total == 0 && matches_all(pod->affinity_required, pod->naffinity_required, pod, s->snap);
}

static bool anti_ok(const pf_state *s, const sk_sched_pod *pod, const sk_sched_node *node)
{
    for (uint32_t i = 0; i < pod->nanti_affinity_required; i++) {
        const char *k = pod->anti_affinity_required[i].topology_key, *v = sk_label_get(&node->labels, k);
        if (v && pair_get(&s->anti, k, v) > 0)
            return false;
    }
    return true;
}

static bool existing_ok(const pf_state *s, const sk_sched_node *node)
{
    if (s->existing_anti.len == 0)
        return true;
    for (uint32_t i = 0; i < node->labels.n; i++)
        if (pair_get(&s->existing_anti, node->labels.items[i].key, node->labels.items[i].value) > 0)
            return false;
    return true;
}

static sk_sched_code filter(void *self, const sk_sched_cycle *cy, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self;
    const pf_state *s = sk_cycle_read_builtin(cy, KEY "prefilter");
    if (!s)
        return SK_SCHED_SUCCESS;
    if (pod->naffinity_required && !affinity_ok(s, pod, node)) {
        sk_status_reason(st, "node(s) didn't match pod affinity rules");
        return SK_SCHED_UNRESOLVABLE;
    }
    if (!anti_ok(s, pod, node)) {
        sk_status_reason(st, "node(s) didn't match pod anti-affinity rules");
        return SK_SCHED_UNSCHEDULABLE;
    }
    if (!existing_ok(s, node)) {
        sk_status_reason(st, "node(s) didn't satisfy existing pods anti-affinity rules");
        return SK_SCHED_UNSCHEDULABLE;
    }
    return SK_SCHED_SUCCESS;
}

/* ---- Score ---- */
typedef struct ps_state {
    sk_strmap score;     /* "key\nvalue" -> weight sum */
    const char *keys[64]; /* distinct topology keys in score */
    uint32_t nkeys;
} ps_state;

static void ps_free(void *p)
{
    ps_state *s = p;
    pairs_free(&s->score);
    free(s);
}

static int add_term(ps_state *s, const sk_sched_pod_term *t, int64_t w, const sk_sched_pod *cand,
                    const sk_sched_node *node, const sk_sched_snapshot *snap)
{
    const char *v = sk_label_get(&node->labels, t->topology_key);
    if (!v || !sk_pod_term_matches(t, cand, snap))
        return 0;
    uint32_t k = 0;
    while (k < s->nkeys && strcmp(s->keys[k], t->topology_key) != 0)
        k++;
    if (k == s->nkeys) {
        if (s->nkeys == 64)
            return 0; /* more distinct topology keys than anyone uses */
        s->keys[s->nkeys++] = t->topology_key;
    }
    return pair_add(&s->score, t->topology_key, v, w);
}

static int process_pod(const ipa *cfg, ps_state *s, const sk_sched_pod *pod, const sk_sched_pod *ex,
                       const sk_sched_node *node, const sk_sched_snapshot *snap)
{
    int rc = 0;
    for (uint32_t i = 0; !rc && i < pod->naffinity_preferred; i++)
        rc = add_term(s, &pod->affinity_preferred[i].term, pod->affinity_preferred[i].weight, ex, node, snap);
    for (uint32_t i = 0; !rc && i < pod->nanti_affinity_preferred; i++)
        rc = add_term(s, &pod->anti_affinity_preferred[i].term, -pod->anti_affinity_preferred[i].weight,
                      ex, node, snap);
    for (uint32_t i = 0; !rc && cfg->hard_weight > 0 && i < ex->naffinity_required; i++)
        rc = add_term(s, &ex->affinity_required[i], cfg->hard_weight, pod, node, snap);
    if (cfg->ignore_existing_preferred)
        return rc;
    for (uint32_t i = 0; !rc && i < ex->naffinity_preferred; i++)
        rc = add_term(s, &ex->affinity_preferred[i].term, ex->affinity_preferred[i].weight, pod, node, snap);
    for (uint32_t i = 0; !rc && i < ex->nanti_affinity_preferred; i++)
        rc = add_term(s, &ex->anti_affinity_preferred[i].term, -ex->anti_affinity_preferred[i].weight,
                      pod, node, snap);
    return rc;
}

static bool has_affinity(const sk_sched_pod *p)
{
    return p->naffinity_required || p->naffinity_preferred || p->nanti_affinity_required ||
           p->nanti_affinity_preferred;
}

static sk_sched_code pre_score(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                               const sk_sched_node *const *nodes, uint32_t nn, sk_sched_status *st)
{
    (void)nodes, (void)st;
    const ipa *cfg = self;
    const sk_sched_snapshot *snap = sk_cycle_snapshot_builtin(cy);
    bool own = pod->naffinity_preferred || pod->nanti_affinity_preferred;
    if (nn == 0 || (cfg->ignore_existing_preferred && !own))
        return SK_SCHED_SKIP;
    ps_state *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_SCHED_ERROR;
    for (uint32_t n = 0; n < snap->nnodes; n++) {
        const sk_sched_node *node = snap->nodes[n];
        if ((!own && node->npods_with_affinity == 0) || node->labels.n == 0)
            continue;
        for (uint32_t i = 0; i < node->npods; i++) {
            if (!own && !has_affinity(node->pods[i]))
                continue;
            if (process_pod(cfg, s, pod, node->pods[i], node, snap)) {
                ps_free(s);
                return SK_SCHED_ERROR;
            }
        }
    }
    if (s->score.len == 0) {
        ps_free(s);
        return SK_SCHED_SKIP;
    }
    return sk_cycle_write_builtin(cy, KEY "prescore", s, NULL, ps_free) ? SK_SCHED_ERROR
                                                                          : SK_SCHED_SUCCESS;
}

static sk_sched_code score(void *self, const sk_sched_cycle *cy, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)self, (void)pod, (void)st;
    const ps_state *s = sk_cycle_read_builtin(cy, KEY "prescore");
    int64_t sum = 0;
    for (uint32_t k = 0; s && k < s->nkeys; k++) {
        const char *v = sk_label_get(&node->labels, s->keys[k]);
        if (v)
            sum += pair_get(&s->score, s->keys[k], v);
    }
    *out = sum;
    return SK_SCHED_SUCCESS;
}

static sk_sched_code normalize(void *self, sk_sched_cycle *cy, const sk_sched_pod *pod,
                               sk_sched_node_score *sc, uint32_t n, sk_sched_status *st)
{
    (void)self, (void)cy, (void)pod, (void)st;
    int64_t min = INT64_MAX, max = INT64_MIN;
    for (uint32_t i = 0; i < n; i++) {
        min = sc[i].score < min ? sc[i].score : min;
        max = sc[i].score > max ? sc[i].score : max;
    }
    for (uint32_t i = 0; i < n; i++) {
        double f = 0;
        if (max - min > 0)
            f = (double)SK_SCHED_MAX_NODE_SCORE * ((double)(sc[i].score - min) / (double)(max - min));
        sc[i].score = (int64_t)f;
    }
    return SK_SCHED_SUCCESS;
}

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    ipa *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->hard_weight = 1;
    if (h->args && h->cfg) {
        const sk_cfg *w = h->cfg->get(h->args, "hardPodAffinityWeight");
        const sk_cfg *ig = h->cfg->get(h->args, "ignorePreferredTermsOfExistingPods");
        int b = 0;
        if ((w && (h->cfg->to_int(w, &p->hard_weight) || p->hard_weight < 0 || p->hard_weight > 100)) ||
            (ig && h->cfg->to_bool(ig, &b))) {
            snprintf(err, errlen, "hardPodAffinityWeight must be 0..100, ignorePreferredTermsOfExistingPods a bool");
            free(p);
            return SK_ECONFIG;
        }
        p->ignore_existing_preferred = b;
    }
    *self = p;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

const sk_sched_plugin_desc sk_plugin_inter_pod_affinity = {
    BUILTIN_DESC,
    .name = "InterPodAffinity",
    .description = "pod affinity and anti-affinity",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE | SK_SCHED_EV_POD_ADD |
                      SK_SCHED_EV_POD_UPDATE | SK_SCHED_EV_POD_DELETE | SK_SCHED_EV_NAMESPACE,
    .default_weight = 2,
    .create = create,
    .destroy = destroy,
    .pre_filter = pre_filter,
    .pre_filter_add_pod = add_pod,
    .pre_filter_remove_pod = remove_pod,
    .filter = filter,
    .pre_score = pre_score,
    .score = score,
    .normalize_score = normalize,
};
