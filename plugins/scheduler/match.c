#include "match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *sk_label_get(const sk_sched_labels *l, const char *key)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->items[mid].key, key);
        if (c == 0)
            return l->items[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool in_values(const sk_sched_requirement *r, const char *v)
{
    for (uint32_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0)
            return true;
    return false;
}

static bool parse_i64(const char *s, long long *out)
{
    char *end;
    if (!s || !*s)
        return false;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/* value is the label's value, or NULL when the label is absent. */
static bool requirement_matches(const sk_sched_requirement *r, const char *value)
{
    long long have, want;
    switch (r->op) {
    case SK_SCHED_OP_IN:
        return value && in_values(r, value);
    case SK_SCHED_OP_NOT_IN:
        return !value || !in_values(r, value);
    case SK_SCHED_OP_EXISTS:
        return value != NULL;
    case SK_SCHED_OP_DOES_NOT_EXIST:
        return value == NULL;
    case SK_SCHED_OP_GT:
    case SK_SCHED_OP_LT:
        if (r->nvalues != 1 || !parse_i64(value, &have) || !parse_i64(r->values[0], &want))
            return false;
        return r->op == SK_SCHED_OP_GT ? have > want : have < want;
    }
    return false;
}

bool sk_selector_matches(const sk_sched_label_selector *s, const sk_sched_labels *l)
{
    if (!s->present)
        return false;
    for (uint32_t i = 0; i < s->match_labels.n; i++) {
        const char *v = sk_label_get(l, s->match_labels.items[i].key);
        if (!v || strcmp(v, s->match_labels.items[i].value) != 0)
            return false;
    }
    for (uint32_t i = 0; i < s->nexprs; i++)
        if (!requirement_matches(&s->exprs[i], sk_label_get(l, s->exprs[i].key)))
            return false;
    return true;
}

bool sk_node_term_matches(const sk_sched_node_term *t, const sk_sched_node *node)
{
    if (t->nexprs == 0 && t->nfields == 0)
        return false;
    for (uint32_t i = 0; i < t->nexprs; i++)
        if (!requirement_matches(&t->exprs[i], sk_label_get(&node->labels, t->exprs[i].key)))
            return false;
    for (uint32_t i = 0; i < t->nfields; i++) {
        const sk_sched_requirement *r = &t->fields[i];
        if (strcmp(r->key, "metadata.name") != 0)
            return false;
        if (r->op != SK_SCHED_OP_IN && r->op != SK_SCHED_OP_NOT_IN)
            return false;
        if (!requirement_matches(r, node->name))
            return false;
    }
    return true;
}

bool sk_node_affinity_matches(const sk_sched_pod *pod, const sk_sched_node *node)
{
    for (uint32_t i = 0; i < pod->node_selector.n; i++) {
        const char *v = sk_label_get(&node->labels, pod->node_selector.items[i].key);
        if (!v || strcmp(v, pod->node_selector.items[i].value) != 0)
            return false;
    }
    if (!pod->has_required_node_affinity)
        return true;
    for (uint32_t i = 0; i < pod->nrequired_node_terms; i++)
        if (sk_node_term_matches(&pod->required_node_terms[i], node))
            return true;
    return false;
}

bool sk_toleration_tolerates(const sk_sched_toleration *t, const sk_sched_taint *taint)
{
    if (t->effect != SK_SCHED_EFFECT_ALL && t->effect != taint->effect)
        return false;
    if (t->key[0] && strcmp(t->key, taint->key) != 0)
        return false;
    return t->exists || strcmp(t->value, taint->value) == 0;
}

bool sk_tolerates(const sk_sched_toleration *tol, uint32_t ntol, const sk_sched_taint *taint)
{
    for (uint32_t i = 0; i < ntol; i++)
        if (sk_toleration_tolerates(&tol[i], taint))
            return true;
    return false;
}

const sk_sched_taint *sk_untolerated_taint(const sk_sched_node *node, const sk_sched_toleration *tol,
                                           uint32_t ntol)
{
    for (uint32_t i = 0; i < node->ntaints; i++) {
        const sk_sched_taint *t = &node->taints[i];
        if (t->effect != SK_SCHED_EFFECT_NO_SCHEDULE && t->effect != SK_SCHED_EFFECT_NO_EXECUTE)
            continue;
        if (!sk_tolerates(tol, ntol, t))
            return t;
    }
    return NULL;
}

const sk_sched_namespace *sk_namespace_get(const sk_sched_snapshot *snap, const char *name)
{
    if (!snap)
        return NULL;
    uint32_t lo = 0, hi = snap->nnamespaces;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(snap->namespaces[mid].name, name);
        if (c == 0)
            return &snap->namespaces[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool term_namespace_matches(const sk_sched_pod_term *t, const sk_sched_pod *cand,
                                   const sk_sched_snapshot *snap)
{
    for (uint32_t i = 0; i < t->nnamespaces; i++)
        if (strcmp(t->namespaces[i], cand->ns) == 0)
            return true;
    if (!t->ns_selector.present)
        return false;
    if (t->ns_selector.match_labels.n == 0 && t->ns_selector.nexprs == 0)
        return true; /* {} selects every namespace */
    const sk_sched_namespace *ns = sk_namespace_get(snap, cand->ns);
    return ns && sk_selector_matches(&t->ns_selector, &ns->labels);
}

bool sk_pod_term_matches(const sk_sched_pod_term *t, const sk_sched_pod *cand,
                         const sk_sched_snapshot *snap)
{
    return term_namespace_matches(t, cand, snap) && sk_selector_matches(&t->selector, &cand->labels);
}
