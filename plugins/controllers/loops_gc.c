/* The garbage collector's reconcile: owners and dependents are looked up
 * across every watched kind through the uid and owner indexes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr.h"

static const sk_api_kind *const gc_kinds[] = {&ctl_k_pods, &ctl_k_rs, &ctl_k_deploy,
                                              &ctl_k_svc,  &ctl_k_ep, &ctl_k_eps};

#define GC_ABSENT_TTL_MS 60000

void ctl_gc_confirm_absent(ctl_mgr *m, const char *uid)
{
    if (m->gc_absent.len > 10000) /* bounded: stale entries are only a cache */
        kv_free(&m->gc_absent, free);
    uint64_t *t = kv_get(&m->gc_absent, uid);
    if (!t) {
        t = malloc(sizeof(*t));
        if (!t || kv_put(&m->gc_absent, uid, t)) {
            free(t);
            return;
        }
    }
    *t = ctl_now_mono(m);
}

/* One live read per owner the cache could not decide about. */
static void push_verifies(ctl_mgr *m, ctl_actions *a)
{
    for (size_t i = 0; i < m->ngc_verify; i++) {
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        const sk_api_kind *k = gc_kinds[m->gc_verify[i].idx];
        ctl_req_begin(&b, k, m->gc_verify[i].ns, m->gc_verify[i].name, 0);
        ctl_actions_push(a, "get", &b, k->resource, m->gc_verify[i].ns, m->gc_verify[i].name);
        if (!a->err && a->n)
            snprintf(a->v[a->n - 1].expect_uid, sizeof a->v[a->n - 1].expect_uid, "%s",
                     m->gc_verify[i].uid);
    }
    m->ngc_verify = 0;
}

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
    if (strtoull(sk_informer_rv(m->inf[idx]), NULL, 10) >= m->gc_dep_rv)
        return 0;
    uint64_t *seen = kv_get(&m->gc_absent, uid);
    if (seen && ctl_now_mono(m) - *seen < GC_ABSENT_TTL_MS)
        return 0;
    free(kv_del(&m->gc_absent, uid));
    /* Ask the apiserver (k8s does the same live GET before deleting). */
    m->gc_unsure = true;
    if (m->ngc_verify < sizeof m->gc_verify / sizeof *m->gc_verify) {
        size_t i = m->ngc_verify++;
        m->gc_verify[i].idx = idx;
        snprintf(m->gc_verify[i].ns, sizeof m->gc_verify[i].ns, "%s", m->gc_dep_ns);
        ctl_str(ref, "name", m->gc_verify[i].name, sizeof m->gc_verify[i].name);
        snprintf(m->gc_verify[i].uid, sizeof m->gc_verify[i].uid, "%s", uid);
    }
    return -1;
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
    ctl_str(obj, "metadata.namespace", m->gc_dep_ns, sizeof m->gc_dep_ns);
    m->gc_unsure = false;
    m->ngc_verify = 0;
    ctl_gc_in in = {.kind = gc_kinds[idx], .obj = obj, .lookup = lookup,
                    .dependents = dependents, .arg = m};
    int rc = ctl_gc_sync(&in, a);
    if (m->gc_unsure) {
        /* The key finishes only once the live reads answered: look again
         * right after, with their verdicts recorded. */
        ctl_requeue(a, m->ngc_verify ? 10 : 1000);
        push_verifies(m, a);
    }
    return rc;
}
