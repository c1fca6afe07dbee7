/* The garbage collector's reconcile: owners and dependents are looked up
 * across every watched kind through the uid and owner indexes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr.h"

static const sk_api_kind *const gc_kinds[] = {&ctl_k_pods, &ctl_k_rs, &ctl_k_deploy,
                                              &ctl_k_svc,  &ctl_k_ep, &ctl_k_eps};

static int lookup(void *arg, sk_mp_view ref, sk_mp_view *owner)
{
    ctl_mgr *m = arg;
    int idx = ctl_kind_index(ref);
    char uid[128];
    if (idx < 0 || !sk_informer_synced(m->inf[idx]) || !*ctl_str(ref, "uid", uid, sizeof uid))
        return -1; /* not ours to judge */
    sk_mp_view *v;
    size_t n;
    if (sk_informer_list(m->inf[idx], SK_INDEX_UID, uid, &v, &n))
        return -1;
    if (n)
        *owner = v[0];
    free(v);
    if (n)
        return 1;
    /* Absent from the cache proves nothing unless the cache has seen the
     * store at least up to the dependent's revision: the owner existed
     * before the dependent named its uid (k8s verifies with a live GET). */
    if (strtoull(sk_informer_rv(m->inf[idx]), NULL, 10) < m->gc_dep_rv) {
        m->gc_unsure = true;
        return -1;
    }
    return 0;
}

static size_t dependents(void *arg, const char *uid, ctl_ns_item *out, size_t max)
{
    ctl_mgr *m = arg;
    size_t at = 0;
    for (int i = 0; i <= I_EPS && at < max; i++) {
        sk_mp_view *v;
        size_t n;
        if (sk_informer_list(m->inf[i], SK_INDEX_OWNER, uid, &v, &n))
            continue;
        for (size_t k = 0; k < n && at < max; k++)
            out[at++] = (ctl_ns_item){gc_kinds[i], v[k]};
        free(v);
    }
    return at;
}

int ctl_run_gc(ctl_mgr *m, const char *key, ctl_actions *a)
{
    char *bar = strchr(key, '|');
    int idx = atoi(key);
    if (!bar || idx < 0 || idx > I_EPS)
        return 0;
    sk_mp_view obj;
    if (sk_informer_get_key(m->inf[idx], bar + 1, &obj))
        return 0;
    char rv[32];
    m->gc_dep_rv = strtoull(ctl_str(obj, "metadata.resourceVersion", rv, sizeof rv), NULL, 10);
    m->gc_unsure = false;
    ctl_gc_in in = {.kind = gc_kinds[idx], .obj = obj, .lookup = lookup,
                    .dependents = dependents, .arg = m};
    int rc = ctl_gc_sync(&in, a);
    if (m->gc_unsure)
        ctl_requeue(a, 1000);
    return rc;
}
