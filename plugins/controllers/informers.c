/* The manager's informers and how their events become work-queue keys for
 * each controller (k8s: each controller's add/update/delete handlers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr.h"

static const sk_api_kind *const kinds[I_COUNT] = {
    [I_PODS] = &ctl_k_pods, [I_RS] = &ctl_k_rs,     [I_DEPLOY] = &ctl_k_deploy,
    [I_SVC] = &ctl_k_svc,   [I_EP] = &ctl_k_ep,     [I_EPS] = &ctl_k_eps,
    [I_NS] = &ctl_k_ns,     [I_NODES] = &ctl_k_nodes, [I_LEASES] = &ctl_k_leases,
};

/* Kinds the garbage collector and the namespace controller look after. */
static bool namespaced_gc(int idx)
{
    return idx <= I_EPS;
}

void ctl_enqueue(ctl_mgr *m, int ctl, const char *key)
{
    if (!m->conf.enabled[ctl] || !m->loops[ctl].q || !key || !*key)
        return;
    int rc = sk_workqueue_add(m->loops[ctl].q, key);
    if (rc && rc != SK_ESTOPPED)
        sk_warn(m->h, "controllers: %s: cannot queue %s: %s", ctl_names[ctl], key,
                sk_strerror(rc));
}

static void enqueue_obj(ctl_mgr *m, int ctl, sk_mp_view obj)
{
    char key[600];
    if (sk_object_key(obj, key, sizeof key) == 0)
        ctl_enqueue(m, ctl, key);
}

/* The cache key of the object of informer idx whose uid is uid. */
static bool key_by_uid(ctl_mgr *m, int idx, const char *uid, char *key, size_t size)
{
    sk_mp_view *v;
    size_t n;
    if (!*uid || sk_informer_list(m->inf[idx], SK_INDEX_UID, uid, &v, &n) || !n)
        return false;
    int rc = sk_object_key(v[0], key, size);
    free(v);
    return rc == 0;
}

static void enqueue_owner(ctl_mgr *m, sk_mp_view obj, int owner_idx, int ctl)
{
    char uid[128], key[600];
    if (ctl_controller_uid(obj, uid, sizeof uid) && key_by_uid(m, owner_idx, uid, key, sizeof key))
        ctl_enqueue(m, ctl, key);
}

/* An orphan may be adopted by any owner in its namespace whose selector
 * matches it. */
static void enqueue_adopters(ctl_mgr *m, sk_mp_view obj, int owner_idx, int ctl)
{
    char uid[128], ns[256];
    if (ctl_controller_uid(obj, uid, sizeof uid) || ctl_deleting(obj))
        return;
    sk_mp_view *v, labels = ctl_get(obj, "metadata.labels");
    size_t n;
    ctl_str(obj, "metadata.namespace", ns, sizeof ns);
    if (sk_informer_list(m->inf[owner_idx], SK_INDEX_NAMESPACE, ns, &v, &n))
        return;
    for (size_t i = 0; i < n; i++)
        if (ctl_selector_matches(ctl_get(v[i], "spec.selector"), labels))
            enqueue_obj(m, ctl, v[i]);
    free(v);
}

static void enqueue_services(ctl_mgr *m, sk_mp_view pod)
{
    char ns[256];
    sk_mp_view *v, labels = ctl_get(pod, "metadata.labels");
    size_t n;
    ctl_str(pod, "metadata.namespace", ns, sizeof ns);
    if (!m->conf.enabled[C_EP] || sk_informer_list(m->inf[I_SVC], SK_INDEX_NAMESPACE, ns, &v, &n))
        return;
    for (size_t i = 0; i < n; i++)
        if (ctl_map_selector_matches(ctl_get(v[i], "spec.selector"), labels))
            enqueue_obj(m, C_EP, v[i]);
    free(v);
}

static void gc_enqueue(ctl_mgr *m, int idx, sk_mp_view obj)
{
    char key[600], gk[640];
    if (!m->conf.enabled[C_GC] || sk_object_key(obj, key, sizeof key))
        return;
    bool refs = ctl_has(obj, "metadata.ownerReferences.0");
    bool fin = ctl_deleting(obj) && (ctl_has_finalizer(obj, "foregroundDeletion") ||
                                     ctl_has_finalizer(obj, "orphan"));
    if (!refs && !fin)
        return;
    snprintf(gk, sizeof gk, "%d|%s", idx, key);
    ctl_enqueue(m, C_GC, gk);
}

/* An owner changed or went away: its dependents need a look. */
static void gc_dependents(ctl_mgr *m, sk_mp_view owner)
{
    char uid[128];
    if (!m->conf.enabled[C_GC] || !*ctl_str(owner, "metadata.uid", uid, sizeof uid))
        return;
    for (int i = 0; i < I_COUNT; i++) {
        sk_mp_view *v;
        size_t n;
        if (!namespaced_gc(i) || sk_informer_list(m->inf[i], SK_INDEX_OWNER, uid, &v, &n))
            continue;
        for (size_t k = 0; k < n; k++)
            gc_enqueue(m, i, v[k]);
        free(v);
    }
}

/* A dependent went away: an owner waiting for its dependents (foreground
 * deletion, orphaning) may now finish. */
static void gc_owners(ctl_mgr *m, sk_mp_view obj)
{
    sk_mp_view refs = ctl_get(obj, "metadata.ownerReferences"), ref;
    sk_mp_iter it;
    if (!m->conf.enabled[C_GC] || !refs.p || sk_mp_iter_init(refs, &it, NULL))
        return;
    while (sk_mp_iter_next(&it, NULL, &ref) == 1) {
        int idx = ctl_kind_index(ref);
        char uid[128];
        sk_mp_view *v;
        size_t n;
        if (idx < 0 || !*ctl_str(ref, "uid", uid, sizeof uid) ||
            sk_informer_list(m->inf[idx], SK_INDEX_UID, uid, &v, &n))
            continue;
        if (n && ctl_deleting(v[0]))
            gc_enqueue(m, idx, v[0]);
        free(v);
    }
}

static void ns_poke(ctl_mgr *m, sk_mp_view obj)
{
    char ns[256];
    sk_mp_view nso;
    if (*ctl_str(obj, "metadata.namespace", ns, sizeof ns) &&
        sk_informer_get(m->inf[I_NS], NULL, ns, &nso) == 0 && ctl_deleting(nso))
        ctl_enqueue(m, C_NS, ns);
}

static void rs_key_of_pod(ctl_mgr *m, sk_mp_view pod, char *key, size_t size)
{
    char uid[128];
    key[0] = 0;
    if (!ctl_controller_uid(pod, uid, sizeof uid) || !key_by_uid(m, I_RS, uid, key, size))
        key[0] = 0;
}

/* A pod bound to a tainted node is judged against the taint too. */
static void poke_tainted_node(ctl_mgr *m, sk_mp_view pod)
{
    char node[256];
    sk_mp_view n;
    if (m->conf.enabled[C_NODE] && *ctl_str(pod, "spec.nodeName", node, sizeof node) &&
        sk_informer_get(m->inf[I_NODES], NULL, node, &n) == 0 && ctl_has(n, "spec.taints.0"))
        ctl_enqueue(m, C_NODE, node);
}

static void on_pod(ctl_mgr *m, sk_mp_view old, sk_mp_view cur, bool deleted)
{
    char key[600];
    sk_mp_view obj = cur.p ? cur : old;
    rs_key_of_pod(m, obj, key, sizeof key);
    if (*key) {
        if (!old.p)
            ctl_expect_observed(m, key, true);
        else if (deleted ? !ctl_deleting(old) : (!ctl_deleting(old) && ctl_deleting(cur)))
            ctl_expect_observed(m, key, false);
        ctl_enqueue(m, C_RS, key);
    }
    if (old.p && cur.p) {
        rs_key_of_pod(m, old, key, sizeof key);
        ctl_enqueue(m, C_RS, key);
    }
    if (!deleted) {
        enqueue_adopters(m, obj, I_RS, C_RS);
        poke_tainted_node(m, obj);
    }
    enqueue_services(m, obj);
    if (old.p && cur.p && !ctl_mp_equal(ctl_get(old, "metadata.labels"),
                                        ctl_get(cur, "metadata.labels")))
        enqueue_services(m, old);
}

/* The Ready condition's lastHeartbeatTime, "" when none. */
static void ready_heartbeat(sk_mp_view node, char *buf, size_t size)
{
    sk_mp_view conds = ctl_get(node, "status.conditions"), c;
    sk_mp_iter it;
    buf[0] = 0;
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &c) == 1)
            if (ctl_eq(ctl_get(c, "type"), "Ready"))
                ctl_str(c, "lastHeartbeatTime", buf, size);
}

/* Node health is probed by its Lease and, as in k8s, by the Ready
 * heartbeat of its status. A node first seen gets the full grace period
 * from now (k8s does the same with its probe timestamps after a restart). */
static void node_seen(ctl_mgr *m, sk_mp_view node, bool deleted)
{
    char name[256], hb[64];
    ctl_str(node, "metadata.name", name, sizeof name);
    if (!*name)
        return;
    if (deleted) {
        free(kv_del(&m->health, name));
        return;
    }
    ready_heartbeat(node, hb, sizeof hb);
    ctl_health *h = kv_get(&m->health, name);
    if (h && strcmp(h->hb, hb) == 0)
        return;
    if (!h) {
        h = calloc(1, sizeof(*h));
        if (!h || kv_put(&m->health, name, h)) {
            free(h);
            return;
        }
    }
    snprintf(h->hb, sizeof h->hb, "%s", hb);
    h->probe = ctl_now_mono(m);
}

static void on_lease(ctl_mgr *m, sk_mp_view lease)
{
    char name[256], renew[64];
    ctl_str(lease, "metadata.name", name, sizeof name);
    ctl_str(lease, "spec.renewTime", renew, sizeof renew);
    ctl_health *h = kv_get(&m->health, name);
    if (!h) {
        h = calloc(1, sizeof(*h));
        if (!h || kv_put(&m->health, name, h)) {
            free(h);
            return;
        }
        h->probe = ctl_now_mono(m);
        snprintf(h->renew, sizeof h->renew, "%s", renew);
    } else if (strcmp(h->renew, renew) != 0) {
        snprintf(h->renew, sizeof h->renew, "%s", renew);
        h->probe = ctl_now_mono(m);
    }
    ctl_enqueue(m, C_NODE, name);
}

static void on_event(ctl_evsrc *s, sk_mp_view old, sk_mp_view cur, bool deleted)
{
    ctl_mgr *m = s->m;
    sk_mp_view obj = cur.p ? cur : old;
    switch (s->idx) {
    case I_PODS:
        on_pod(m, old, cur, deleted);
        break;
    case I_RS:
        enqueue_obj(m, C_RS, obj);
        enqueue_owner(m, obj, I_DEPLOY, C_DEPLOY);
        if (!deleted)
            enqueue_adopters(m, obj, I_DEPLOY, C_DEPLOY);
        break;
    case I_DEPLOY:
        enqueue_obj(m, C_DEPLOY, obj);
        break;
    case I_SVC:
    case I_EP:
        enqueue_obj(m, C_EP, obj);
        break;
    case I_EPS: {
        char ns[256], svc[256], key[600];
        ctl_str(obj, "metadata.namespace", ns, sizeof ns);
        ctl_str_key(obj, "metadata.labels", "kubernetes.io/service-name", svc, sizeof svc);
        snprintf(key, sizeof key, "%s/%s", ns, svc);
        if (*svc)
            ctl_enqueue(m, C_EP, key);
        break;
    }
    case I_NS:
        enqueue_obj(m, C_NS, obj);
        break;
    case I_NODES:
        node_seen(m, obj, deleted);
        enqueue_obj(m, C_NODE, obj);
        break;
    case I_LEASES:
        if (!deleted)
            on_lease(m, obj);
        break;
    }
    if (namespaced_gc(s->idx)) {
        if (!deleted)
            gc_enqueue(m, s->idx, obj);
        if (deleted || ctl_deleting(obj))
            gc_dependents(m, obj);
        if (deleted) {
            gc_owners(m, obj);
            ns_poke(m, obj);
        }
    }
}

static void h_add(void *arg, sk_mp_view obj)
{
    on_event(arg, (sk_mp_view){NULL, 0}, obj, false);
}

static void h_update(void *arg, sk_mp_view old, sk_mp_view cur)
{
    on_event(arg, old, cur, false);
}

static void h_delete(void *arg, sk_mp_view obj)
{
    on_event(arg, obj, (sk_mp_view){NULL, 0}, true);
}

static void h_synced(void *arg)
{
    ctl_evsrc *s = arg;
    ctl_mgr *m = s->m;
    if (m->synced)
        return;
    for (int i = 0; i < I_COUNT; i++)
        if (!sk_informer_synced(m->inf[i]))
            return;
    m->synced = true;
    sk_info(m->h, "controllers: caches synced");
    ctl_resync_all(m);
}

void ctl_resync_all(ctl_mgr *m)
{
    if (!m->synced || !m->leading)
        return;
    static const int owner_of[C_COUNT] = {[C_RS] = I_RS, [C_DEPLOY] = I_DEPLOY, [C_EP] = I_SVC,
                                          [C_NS] = I_NS, [C_GC] = -1, [C_NODE] = I_NODES};
    for (int c = 0; c < C_COUNT; c++) {
        sk_mp_view *v;
        size_t n;
        if (!m->conf.enabled[c])
            continue;
        if (c == C_GC) {
            for (int i = 0; i < I_COUNT; i++) {
                if (!namespaced_gc(i) || sk_informer_list(m->inf[i], NULL, NULL, &v, &n))
                    continue;
                for (size_t k = 0; k < n; k++)
                    gc_enqueue(m, i, v[k]);
                free(v);
            }
            continue;
        }
        if (sk_informer_list(m->inf[owner_of[c]], NULL, NULL, &v, &n))
            continue;
        for (size_t k = 0; k < n; k++)
            enqueue_obj(m, c, v[k]);
        free(v);
    }
}

int ctl_kind_index(sk_mp_view ref)
{
    sk_mp_view kind = ctl_get(ref, "kind"), av = ctl_get(ref, "apiVersion");
    bool apps = ctl_eq(av, "apps/v1"), core = ctl_eq(av, "v1") || !av.p;
    if (apps && ctl_eq(kind, "ReplicaSet"))
        return I_RS;
    if (apps && ctl_eq(kind, "Deployment"))
        return I_DEPLOY;
    if (core && ctl_eq(kind, "Pod"))
        return I_PODS;
    if (core && ctl_eq(kind, "Service"))
        return I_SVC;
    if (core && ctl_eq(kind, "Endpoints"))
        return I_EP;
    if (ctl_eq(av, "discovery.k8s.io/v1") && ctl_eq(kind, "EndpointSlice"))
        return I_EPS;
    return -1;
}

int ctl_informers_start(ctl_mgr *m)
{
    for (int i = 0; i < I_COUNT; i++) {
        sk_informer_cfg cfg = {.kind = *kinds[i], .transport = m->tr, .loop = m->h->loop,
                               .loop_ctx = m->h->loop_ctx,
                               .namespace_ = i == I_LEASES ? "kube-node-lease" : NULL};
        m->src[i] = (ctl_evsrc){m, i};
        sk_informer_handlers hs = {h_add, h_update, h_delete, h_synced, &m->src[i]};
        int rc = sk_informer_new(&cfg, &m->inf[i]);
        if (!rc)
            rc = sk_informer_add_handlers(m->inf[i], &hs);
        if (!rc && i == I_PODS)
            rc = sk_informer_add_index(m->inf[i], "node", "spec.nodeName");
        if (rc)
            return rc;
    }
    for (int i = 0; i < I_COUNT; i++) {
        int rc = sk_informer_start(m->inf[i]);
        if (rc) /* it retries by itself; the apiserver may come up later */
            sk_warn(m->h, "controllers: %s: list failed (%s), retrying", kinds[i]->resource,
                    sk_strerror(rc));
    }
    return 0;
}

void ctl_informers_free(ctl_mgr *m)
{
    for (int i = 0; i < I_COUNT; i++)
        sk_informer_free(&m->inf[i]);
}
