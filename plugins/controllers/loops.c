/* One reconcile per controller: the inputs come from the informer caches
 * (views valid during this loop callback), the logic from reconcile.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr.h"

/* "ns/name" -> ns and name. */
static void split_key(const char *key, char *ns, char *name, size_t size)
{
    const char *slash = strchr(key, '/');
    if (slash) {
        snprintf(ns, size, "%.*s", (int)(slash - key), key);
        snprintf(name, size, "%s", slash + 1);
    } else {
        ns[0] = 0;
        snprintf(name, size, "%s", key);
    }
}

static int list_ns(ctl_mgr *m, int idx, const char *ns, sk_mp_view **v, size_t *n)
{
    int rc = sk_informer_list(m->inf[idx], SK_INDEX_NAMESPACE, ns, v, n);
    return rc == -ENOMEM ? rc : 0;
}

int ctl_run_rs(ctl_mgr *m, const char *key, ctl_actions *a)
{
    sk_mp_view rs, *pods = NULL;
    size_t n = 0;
    char ns[256], name[256];
    if (sk_informer_get_key(m->inf[I_RS], key, &rs)) {
        free(kv_del(&m->expect, key));
        return 0;
    }
    split_key(key, ns, name, sizeof ns);
    int rc = list_ns(m, I_PODS, ns, &pods, &n);
    if (rc)
        return rc;
    ctl_rs_in in = {.rs = rs, .pods = pods, .npods = n,
                    .expectations_satisfied = ctl_expect_satisfied(m, key),
                    .now_ms = ctl_now_wall(), .burst = (uint32_t)m->conf.burst};
    ctl_rs_out out;
    rc = ctl_rs_sync(&in, a, &out);
    if (!rc && (out.creates || out.deletes))
        ctl_expect_set(m, key, out.creates, out.deletes);
    free(pods);
    return rc;
}

int ctl_run_deploy(ctl_mgr *m, const char *key, ctl_actions *a)
{
    sk_mp_view d, *rss = NULL;
    size_t n = 0;
    char ns[256], name[256];
    if (sk_informer_get_key(m->inf[I_DEPLOY], key, &d))
        return 0;
    split_key(key, ns, name, sizeof ns);
    int rc = list_ns(m, I_RS, ns, &rss, &n);
    if (rc)
        return rc;
    ctl_deploy_in in = {.d = d, .rss = rss, .nrss = n, .now_ms = ctl_now_wall()};
    ctl_deploy_out out;
    rc = ctl_deploy_sync(&in, a, &out);
    free(rss);
    return rc;
}

int ctl_run_endpoints(ctl_mgr *m, const char *key, ctl_actions *a)
{
    char ns[256], name[256], slice[300];
    split_key(key, ns, name, sizeof ns);
    ctl_slice_name(name, slice, sizeof slice);
    ctl_ep_in in = {.ns = ns, .name = name};
    if (sk_informer_get_key(m->inf[I_SVC], key, &in.svc))
        in.svc = (sk_mp_view){NULL, 0};
    if (sk_informer_get_key(m->inf[I_EP], key, &in.endpoints))
        in.endpoints = (sk_mp_view){NULL, 0};
    if (sk_informer_get(m->inf[I_EPS], ns, slice, &in.slice))
        in.slice = (sk_mp_view){NULL, 0};
    sk_mp_view *pods = NULL;
    size_t n = 0;
    int rc = in.svc.p ? list_ns(m, I_PODS, ns, &pods, &n) : 0;
    if (rc)
        return rc;
    in.pods = pods;
    in.npods = n;
    rc = ctl_endpoints_sync(&in, a);
    free(pods);
    return rc;
}

int ctl_run_ns(ctl_mgr *m, const char *key, ctl_actions *a)
{
    sk_mp_view ns;
    if (sk_informer_get_key(m->inf[I_NS], key, &ns) || !ctl_deleting(ns))
        return 0;
    static const int kinds[] = {I_DEPLOY, I_RS, I_PODS, I_SVC, I_EP, I_EPS};
    static const sk_api_kind *const apik[] = {&ctl_k_deploy, &ctl_k_rs, &ctl_k_pods,
                                              &ctl_k_svc, &ctl_k_ep, &ctl_k_eps};
    size_t total = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        sk_mp_view *v;
        size_t n;
        if (list_ns(m, kinds[k], key, &v, &n) == 0) {
            total += n;
            free(v);
        }
    }
    ctl_ns_item *items = total ? calloc(total, sizeof(*items)) : NULL;
    if (total && !items)
        return -ENOMEM;
    size_t at = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        sk_mp_view *v;
        size_t n;
        if (list_ns(m, kinds[k], key, &v, &n))
            continue;
        for (size_t i = 0; i < n && at < total; i++)
            items[at++] = (ctl_ns_item){apik[k], v[i]};
        free(v);
    }
    ctl_ns_in in = {.ns = ns, .items = items, .nitems = at};
    int rc = ctl_ns_sync(&in, a);
    free(items);
    return rc;
}

int ctl_run_node(ctl_mgr *m, const char *key, ctl_actions *a)
{
    sk_mp_view node, *pods = NULL;
    size_t n = 0;
    if (sk_informer_get_key(m->inf[I_NODES], key, &node))
        return 0;
    ctl_health *h = kv_get(&m->health, key);
    uint64_t now = ctl_now_mono(m);
    if (!h) { /* never seen a lease: counts from the first look */
        h = calloc(1, sizeof(*h));
        if (!h || kv_put(&m->health, key, h)) {
            free(h);
            return -ENOMEM;
        }
        h->probe = now;
    }
    int rc = sk_informer_list(m->inf[I_PODS], "node", key, &pods, &n);
    if (rc == -ENOMEM)
        return rc;
    ctl_node_in in = {.node = node, .pods = pods, .npods = n, .probe_mono = h->probe,
                      .now_mono = now, .now_ms = ctl_now_wall(), .grace_ms = m->conf.grace_ms,
                      .default_toleration_s = m->conf.toleration_s};
    rc = ctl_node_sync(&in, a);
    free(pods);
    return rc;
}
