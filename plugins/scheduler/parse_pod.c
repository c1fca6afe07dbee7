/* Pod (msgpack, JSON field names) -> sk_pod_obj. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "pod_obj.h"
#include "pod_requests.h"
#include "skiff/errors.h"

/* Adds "key In/NotIn (pod's value)" for each key in keys the pod has a
 * label for: matchLabelKeys / mismatchLabelKeys. */
static int merge_label_keys(sk_mpx *x, sk_mp_view keys, bool mismatch, const sk_sched_labels *labels,
                            sk_sched_label_selector *sel)
{
    const char *const *names;
    uint32_t n;
    int rc = sk_mpx_strs(x, keys, &names, &n);
    if (rc || n == 0 || !sel->present)
        return rc;
    sk_sched_requirement *exprs = sk_arena_calloc(x->arena, sel->nexprs + n, sizeof(*exprs));
    if (!exprs)
        return x->arena->err;
    if (sel->nexprs)
        memcpy(exprs, sel->exprs, sel->nexprs * sizeof(*exprs));
    uint32_t w = sel->nexprs;
    for (uint32_t i = 0; i < n; i++) {
        const char *v = sk_label_get(labels, names[i]);
        if (!v)
            continue;
        const char **vals = sk_arena_calloc(x->arena, 1, sizeof(*vals));
        if (!vals)
            return x->arena->err;
        vals[0] = v;
        exprs[w++] = (sk_sched_requirement){names[i], mismatch ? SK_SCHED_OP_NOT_IN : SK_SCHED_OP_IN,
                                            vals, 1};
    }
    sel->exprs = exprs;
    sel->nexprs = w;
    return 0;
}

static int parse_pod_term(sk_mpx *x, sk_mp_view v, const sk_sched_pod *pod, sk_sched_pod_term *t)
{
    sk_mp_view sel, ns, nss, mlk, mmlk;
    memset(t, 0, sizeof(*t));
    int rc = sk_mpx_field(x, v, "labelSelector", &sel);
    if (!rc)
        rc = sk_mpx_selector(x, sel, &t->selector);
    if (!rc)
        rc = sk_mpx_field(x, v, "namespaces", &ns);
    if (!rc)
        rc = sk_mpx_strs(x, ns, &t->namespaces, &t->nnamespaces);
    if (!rc)
        rc = sk_mpx_field(x, v, "namespaceSelector", &nss);
    if (!rc)
        rc = sk_mpx_selector(x, nss, &t->ns_selector);
    if (!rc)
        rc = sk_mpx_str(x, v, "topologyKey", &t->topology_key);
    if (!rc)
        rc = sk_mpx_field(x, v, "matchLabelKeys", &mlk);
    if (!rc)
        rc = merge_label_keys(x, mlk, false, &pod->labels, &t->selector);
    if (!rc)
        rc = sk_mpx_field(x, v, "mismatchLabelKeys", &mmlk);
    if (!rc)
        rc = merge_label_keys(x, mmlk, true, &pod->labels, &t->selector);
    if (rc)
        return rc;
    if (t->nnamespaces == 0 && !t->ns_selector.present) {
        const char **own = sk_arena_calloc(x->arena, 1, sizeof(*own));
        if (!own)
            return x->arena->err;
        own[0] = pod->ns;
        t->namespaces = own;
        t->nnamespaces = 1;
    }
    return 0;
}

/* ctx is the pod the term belongs to. */
static int parse_pod_term_item(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    return parse_pod_term(x, item, ctx, elem);
}

static int parse_pod_terms(sk_mpx *x, sk_mp_view list, const sk_sched_pod *pod,
                           const sk_sched_pod_term **out, uint32_t *n)
{
    void *arr;
    int rc = sk_mpx_items(x, list, sizeof(sk_sched_pod_term), parse_pod_term_item, pod, &arr, n);
    *out = arr;
    return rc;
}

/* ctx is the pod the term belongs to. */
static int weighted_term_item(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    sk_sched_weighted_pod_term *t = elem;
    sk_mp_view term;
    int64_t w;
    int rc;
    if ((rc = sk_mpx_i64(x, item, "weight", 0, &w)) ||
        (rc = sk_mpx_field(x, item, "podAffinityTerm", &term)) ||
        (rc = parse_pod_term(x, term, ctx, &t->term)))
        return rc;
    if (w < INT32_MIN || w > INT32_MAX)
        return (x->what = "weight", SK_EBADMSG);
    t->weight = (int32_t)w;
    return 0;
}

static int parse_weighted_terms(sk_mpx *x, sk_mp_view list, const sk_sched_pod *pod,
                                const sk_sched_weighted_pod_term **out, uint32_t *n)
{
    void *arr;
    int rc = sk_mpx_items(x, list, sizeof(sk_sched_weighted_pod_term), weighted_term_item, pod,
                          &arr, n);
    *out = arr;
    return rc;
}

static int node_term_item(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    (void)ctx;
    return sk_mpx_node_term(x, item, elem);
}

static int parse_node_affinity(sk_mpx *x, sk_mp_view na, sk_sched_pod *pod)
{
    sk_mp_view req, terms, pref, k, item, p;
    sk_mp_iter it;
    uint32_t n;
    int rc = sk_mpx_field(x, na, "requiredDuringSchedulingIgnoredDuringExecution", &req);
    if (!rc && !sk_mpx_absent(req)) {
        pod->has_required_node_affinity = true;
        void *t;
        if ((rc = sk_mpx_field(x, req, "nodeSelectorTerms", &terms)) ||
            (rc = sk_mpx_items(x, terms, sizeof(sk_sched_node_term), node_term_item, NULL, &t, &n)))
            return rc;
        pod->required_node_terms = t;
        pod->nrequired_node_terms = n;
    }
    if (rc || (rc = sk_mpx_field(x, na, "preferredDuringSchedulingIgnoredDuringExecution", &pref)) ||
        (rc = sk_mpx_array(x, pref, &n)) || n == 0)
        return rc;
    sk_sched_pref_node_term *pt = sk_arena_calloc(x->arena, n, sizeof(*pt));
    if (!pt)
        return x->arena->err;
    uint32_t w = 0;
    sk_mp_iter_init(pref, &it, &n);
    while (sk_mp_iter_next(&it, &k, &item) == 1) {
        int64_t weight;
        if ((rc = sk_mpx_i64(x, item, "weight", 0, &weight)) ||
            (rc = sk_mpx_field(x, item, "preference", &p)) ||
            (rc = sk_mpx_node_term(x, p, &pt[w].term)))
            return rc;
        /* A zero weight or an empty preference is a no-op upstream. */
        if (weight <= 0 || weight > 100 || (pt[w].term.nexprs == 0 && pt[w].term.nfields == 0))
            continue;
        pt[w++].weight = (int32_t)weight;
    }
    pod->preferred_node_terms = pt;
    pod->npreferred_node_terms = w;
    return 0;
}

static int parse_pod_affinity(sk_mpx *x, sk_mp_view aff, sk_sched_pod *pod, bool anti)
{
    sk_mp_view req, pref;
    int rc = sk_mpx_field(x, aff, "requiredDuringSchedulingIgnoredDuringExecution", &req);
    if (!rc)
        rc = sk_mpx_field(x, aff, "preferredDuringSchedulingIgnoredDuringExecution", &pref);
    if (rc)
        return rc;
    if (anti) {
        if ((rc = parse_pod_terms(x, req, pod, &pod->anti_affinity_required,
                                  &pod->nanti_affinity_required)))
            return rc;
        return parse_weighted_terms(x, pref, pod, &pod->anti_affinity_preferred,
                                    &pod->nanti_affinity_preferred);
    }
    if ((rc = parse_pod_terms(x, req, pod, &pod->affinity_required, &pod->naffinity_required)))
        return rc;
    return parse_weighted_terms(x, pref, pod, &pod->affinity_preferred, &pod->naffinity_preferred);
}

static int parse_affinity(sk_mpx *x, sk_mp_view spec, sk_sched_pod *pod)
{
    sk_mp_view aff, na, pa, paa;
    int rc = sk_mpx_field(x, spec, "affinity", &aff);
    if (!rc)
        rc = sk_mpx_field(x, aff, "nodeAffinity", &na);
    if (!rc)
        rc = parse_node_affinity(x, na, pod);
    if (!rc)
        rc = sk_mpx_field(x, aff, "podAffinity", &pa);
    if (!rc)
        rc = parse_pod_affinity(x, pa, pod, false);
    if (!rc)
        rc = sk_mpx_field(x, aff, "podAntiAffinity", &paa);
    if (!rc)
        rc = parse_pod_affinity(x, paa, pod, true);
    return rc;
}

static int parse_one_spread(sk_mpx *x, sk_mp_view v, const sk_sched_pod *pod, sk_sched_spread *c)
{
    sk_mp_view sel, mlk;
    const char *when, *nap, *ntp;
    int64_t skew, mind;
    int rc;
    if ((rc = sk_mpx_i64(x, v, "maxSkew", 1, &skew)) ||
        (rc = sk_mpx_str(x, v, "topologyKey", &c->topology_key)) ||
        (rc = sk_mpx_str(x, v, "whenUnsatisfiable", &when)) ||
        (rc = sk_mpx_field(x, v, "labelSelector", &sel)) ||
        (rc = sk_mpx_selector(x, sel, &c->selector)) ||
        (rc = sk_mpx_i64(x, v, "minDomains", 1, &mind)) ||
        (rc = sk_mpx_str(x, v, "nodeAffinityPolicy", &nap)) ||
        (rc = sk_mpx_str(x, v, "nodeTaintsPolicy", &ntp)) ||
        (rc = sk_mpx_field(x, v, "matchLabelKeys", &mlk)) ||
        (rc = merge_label_keys(x, mlk, false, &pod->labels, &c->selector)))
        return rc;
    if (skew < 1 || skew > INT32_MAX || mind < 1 || mind > INT32_MAX || !c->topology_key[0])
        return (x->what = "topologySpreadConstraints", SK_EBADMSG);
    c->max_skew = (int32_t)skew;
    c->min_domains = (int32_t)mind;
    c->do_not_schedule = strcmp(when, "ScheduleAnyway") != 0;
    c->honor_node_affinity = strcmp(nap, "Ignore") != 0;
    c->honor_node_taints = strcmp(ntp, "Honor") == 0;
    return 0;
}

/* ctx is the pod the constraint belongs to. */
static int spread_item(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    return parse_one_spread(x, item, ctx, elem);
}

static int parse_spread(sk_mpx *x, sk_mp_view spec, sk_sched_pod *pod)
{
    sk_mp_view list;
    void *c = NULL; /* on error the whole pod is dropped, counts and all */
    int rc = sk_mpx_field(x, spec, "topologySpreadConstraints", &list);
    if (!rc)
        rc = sk_mpx_items(x, list, sizeof(sk_sched_spread), spread_item, pod, &c, &pod->nspread);
    pod->spread = c;
    return rc;
}

static int gate_item(sk_mpx *x, sk_mp_view item, void *elem, const void *ctx)
{
    (void)ctx;
    return sk_mpx_str(x, item, "name", elem);
}

static int parse_gates(sk_mpx *x, sk_mp_view spec, sk_sched_pod *pod)
{
    sk_mp_view list;
    void *g = NULL;
    int rc = sk_mpx_field(x, spec, "schedulingGates", &list);
    if (!rc)
        rc = sk_mpx_items(x, list, sizeof(const char *), gate_item, NULL, &g, &pod->nscheduling_gates);
    pod->scheduling_gates = g;
    return rc;
}

static int parse_metadata(sk_mpx *x, sk_mp_view root, sk_sched_pod *pod)
{
    sk_mp_view md, labels, del;
    int rc;
    if ((rc = sk_mpx_field(x, root, "metadata", &md)) ||
        (rc = sk_mpx_str(x, md, "name", &pod->name)) ||
        (rc = sk_mpx_str(x, md, "namespace", &pod->ns)) ||
        (rc = sk_mpx_str(x, md, "uid", &pod->uid)) ||
        (rc = sk_mpx_field(x, md, "labels", &labels)) ||
        (rc = sk_mpx_labels(x, labels, &pod->labels)) ||
        (rc = sk_mpx_field(x, md, "deletionTimestamp", &del)) ||
        (rc = sk_mpx_time(x, md, "creationTimestamp", &pod->creation_ms)))
        return rc;
    pod->terminating = !sk_mpx_absent(del);
    if (!pod->name[0] || !pod->uid[0])
        return (x->what = "metadata.name/uid", SK_EBADMSG);
    if (!pod->ns[0])
        pod->ns = "default";
    return 0;
}

static int parse_spec(sk_mpx *x, sk_mp_view spec, sk_sched_pod *pod)
{
    sk_mp_view ns, tol;
    const char *policy;
    int64_t prio;
    int rc;
    if ((rc = sk_mpx_i64(x, spec, "priority", 0, &prio)) ||
        (rc = sk_mpx_str(x, spec, "preemptionPolicy", &policy)) ||
        (rc = sk_mpx_str(x, spec, "nodeName", &pod->node_name)) ||
        (rc = sk_mpx_str(x, spec, "schedulerName", &pod->scheduler_name)) ||
        (rc = sk_mpx_field(x, spec, "nodeSelector", &ns)) ||
        (rc = sk_mpx_labels(x, ns, &pod->node_selector)) ||
        (rc = sk_mpx_field(x, spec, "tolerations", &tol)) ||
        (rc = sk_mpx_tolerations(x, tol, &pod->tolerations, &pod->ntolerations)) ||
        (rc = parse_affinity(x, spec, pod)) || (rc = parse_spread(x, spec, pod)) ||
        (rc = parse_gates(x, spec, pod)) || (rc = sk_pod_requests(x, spec, pod)))
        return rc;
    if (prio < INT32_MIN || prio > INT32_MAX)
        return (x->what = "spec.priority", SK_EBADMSG);
    pod->priority = (int32_t)prio;
    pod->preempt_never = strcmp(policy, "Never") == 0;
    if (!pod->scheduler_name[0])
        pod->scheduler_name = "default-scheduler";
    return 0;
}

static int parse_status(sk_mpx *x, sk_mp_view root, sk_pod_obj *o)
{
    sk_mp_view st;
    const char *phase;
    int rc;
    if ((rc = sk_mpx_field(x, root, "status", &st)) ||
        (rc = sk_mpx_str(x, st, "nominatedNodeName", &o->pod.nominated_node_name)) ||
        (rc = sk_mpx_time(x, st, "startTime", &o->pod.start_ms)) ||
        (rc = sk_mpx_str(x, st, "phase", &phase)))
        return rc;
    o->terminal = strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0;
    return 0;
}

static int parse_into(sk_mpx *x, sk_mp_view root, sk_pod_obj *o)
{
    sk_mp_view spec;
    sk_sched_pod *pod = &o->pod;
    int rc;
    if (sk_mp_type_of(root) != SK_MP_MAP)
        return (x->what = "pod", SK_EBADMSG);
    if ((rc = parse_metadata(x, root, pod)) || (rc = sk_mpx_field(x, root, "spec", &spec)) ||
        (rc = parse_spec(x, spec, pod)) || (rc = parse_status(x, root, o)))
        return rc;
    o->has_affinity = pod->naffinity_required || pod->naffinity_preferred ||
                      pod->nanti_affinity_required || pod->nanti_affinity_preferred;
    o->has_required_anti = pod->nanti_affinity_required > 0;
    return 0;
}

int sk_pod_parse(const void *buf, size_t len, sk_pod_obj **out, char *err, size_t errlen)
{
    sk_mp_view root;
    *out = NULL;
    if (sk_mp_check(buf, len, SK_MP_MAX_DEPTH, &root)) {
        if (err && errlen)
            snprintf(err, errlen, "pod: malformed msgpack");
        return SK_EBADMSG;
    }
    sk_pod_obj *o = calloc(1, sizeof(*o));
    if (!o)
        return -ENOMEM;
    atomic_init(&o->refs, 1);
    sk_arena_init(&o->arena);
    sk_mpx x = {&o->arena, NULL};
    int rc = parse_into(&x, root, o);
    if (rc) {
        if (err && errlen)
            snprintf(err, errlen, "pod: %s: %s", x.what ? x.what : "?", sk_strerror(rc));
        sk_pod_unref(&o);
        return rc;
    }
    *out = o;
    return 0;
}
