/* Pods, nodes and namespaces from the apiserver (SDK informers: list +
 * watch, relist on gaps) into the scheduler core's cache and queue. The
 * core parses each object itself, so handlers only hand it the bytes. */
#include <stdio.h>
#include <string.h>

#include "sp.h"

static const sk_api_kind k_pods = {.resource = "pods"};
static const sk_api_kind k_nodes = {.resource = "nodes"};
static const sk_api_kind k_nss = {.resource = "namespaces"};

typedef int (*upsert_fn)(sk_scheduler *, const void *, size_t, char *, size_t);

static void upsert(sp *s, upsert_fn fn, const char *kind, sk_mp_view obj)
{
    char err[256] = "", key[320] = "?";
    int rc = fn(s->sched, obj.p, obj.len, err, sizeof(err));
    if (rc) {
        (void)sk_object_key(obj, key, sizeof(key));
        /* A malformed object is the apiserver's problem: skip it, loudly. */
        sk_warn(s->h, "scheduler: ignoring %s %s: %s %s", kind, key, sk_strerror(rc), err);
        return;
    }
    sp_kick(s);
}

static void pod_add(void *arg, sk_mp_view obj)
{
    upsert(arg, sk_scheduler_pod_upsert, "pod", obj);
}

static bool same_at(sk_mp_view a, sk_mp_view b, const char *path)
{
    sk_mp_view x = {0}, y = {0};
    bool hx = sk_mp_find(a, path, &x) == 0, hy = sk_mp_find(b, path, &y) == 0;
    if (hx != hy)
        return false;
    return !hx || (x.len == y.len && memcmp(x.p, y.p, x.len) == 0);
}

/* kube-scheduler's isPodUpdated: an unassigned pod whose spec, labels,
 * annotations, deletion and nomination did not change (typically our own
 * PodScheduled=False patch) must not be requeued, or every report would
 * trigger another attempt. */
static bool pending_pod_unchanged(sk_mp_view old, sk_mp_view cur)
{
    static const char *const paths[] = {"spec", "metadata.labels", "metadata.annotations",
                                        "metadata.deletionTimestamp", "status.nominatedNodeName",
                                        "status.phase"};
    sk_mp_view node;
    const char *nn;
    size_t nlen = 0;
    if (sk_mp_find(cur, "spec.nodeName", &node) == 0 && sk_mp_get_str(node, &nn, &nlen) == 0 &&
        nlen > 0)
        return false; /* assigned pods always go to the cache */
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (!same_at(old, cur, paths[i]))
            return false;
    return true;
}

static void pod_update(void *arg, sk_mp_view old, sk_mp_view cur)
{
    if (pending_pod_unchanged(old, cur))
        return;
    upsert(arg, sk_scheduler_pod_upsert, "pod", cur);
}

static void pod_delete(void *arg, sk_mp_view obj)
{
    sp *s = arg;
    char uid[128];
    if (sk_mp_find_str(obj, "metadata.uid", uid, sizeof(uid)) == 0) {
        (void)sk_scheduler_pod_delete(s->sched, uid); /* always 0 */
        sp_kick(s);
    }
}

static void node_add(void *arg, sk_mp_view obj)
{
    upsert(arg, sk_scheduler_node_upsert, "node", obj);
}

static void node_update(void *arg, sk_mp_view old, sk_mp_view cur)
{
    (void)old;
    upsert(arg, sk_scheduler_node_upsert, "node", cur);
}

static void node_delete(void *arg, sk_mp_view obj)
{
    sp *s = arg;
    char name[256];
    if (sk_mp_find_str(obj, "metadata.name", name, sizeof(name)) == 0 &&
        sk_scheduler_node_delete(s->sched, name) == 0)
        sp_kick(s);
}

static void ns_add(void *arg, sk_mp_view obj)
{
    upsert(arg, sk_scheduler_ns_upsert, "namespace", obj);
}

static void ns_update(void *arg, sk_mp_view old, sk_mp_view cur)
{
    (void)old;
    upsert(arg, sk_scheduler_ns_upsert, "namespace", cur);
}

static void ns_delete(void *arg, sk_mp_view obj)
{
    sp *s = arg;
    char name[256];
    if (sk_mp_find_str(obj, "metadata.name", name, sizeof(name)) == 0)
        (void)sk_scheduler_ns_delete(s->sched, name); /* SK_ENOTFOUND is fine */
}

static void synced(void *arg)
{
    sp *s = arg;
    if (sp_synced(s))
        sp_kick(s);
}

bool sp_synced(const sp *s)
{
    return s->pods && s->nodes && s->nss && sk_informer_synced(s->pods) &&
           sk_informer_synced(s->nodes) && sk_informer_synced(s->nss);
}

static int make(sp *s, const sk_api_kind *kind, const sk_informer_handlers *hd, sk_informer **out)
{
    sk_informer_cfg cfg = {
        .kind = *kind,
        .transport = sk_api_transport_bus(&s->bus),
        .loop = s->h->loop,
        .loop_ctx = s->h->loop_ctx,
    };
    int rc = sk_informer_new(&cfg, out);
    if (!rc)
        rc = sk_informer_add_handlers(*out, hd);
    return rc;
}

int sp_informers_start(sp *s)
{
    s->bus.host = s->h;
    s->bus.service = s->api;
    const sk_informer_handlers hp = {pod_add, pod_update, pod_delete, synced, s};
    const sk_informer_handlers hn = {node_add, node_update, node_delete, synced, s};
    const sk_informer_handlers hs = {ns_add, ns_update, ns_delete, synced, s};
    int rc;
    /* Namespaces and nodes first: pods then parse against them. */
    if ((rc = make(s, &k_nss, &hs, &s->nss)) || (rc = make(s, &k_nodes, &hn, &s->nodes)) ||
        (rc = make(s, &k_pods, &hp, &s->pods)))
        return rc;
    /* A failed first list retries by itself: not a reason to fail start. */
    sk_informer *all[] = {s->nss, s->nodes, s->pods};
    for (size_t i = 0; i < 3; i++) {
        rc = sk_informer_start(all[i]);
        if (rc)
            sk_warn(s->h, "scheduler: first list failed (%s); retrying", sk_strerror(rc));
    }
    return 0;
}

void sp_informers_free(sp *s)
{
    sk_informer_free(&s->pods);
    sk_informer_free(&s->nodes);
    sk_informer_free(&s->nss);
}
