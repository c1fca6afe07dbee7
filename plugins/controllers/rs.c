/* ReplicaSet controller (k8s pkg/controller/replicaset): claim pods, then
 * create or delete toward spec.replicas, then report status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile.h"

typedef struct rs_pod {
    sk_mp_view v;
    int rank[4];
    int64_t created;
} rs_pod;

/* Which pods go first when scaling down (k8s ActivePodsWithRanks, in
 * short): unscheduled, then pending, then not ready, then the newest. */
static void rank_pod(rs_pod *p)
{
    char node[256];
    sk_mp_view phase = ctl_get(p->v, "status.phase");
    p->rank[0] = *ctl_str(p->v, "spec.nodeName", node, sizeof node) ? 1 : 0;
    p->rank[1] = ctl_eq(phase, "Pending") ? 0 : ctl_eq(phase, "Running") ? 2 : 1;
    p->rank[2] = ctl_pod_ready(p->v) ? 1 : 0;
    p->created = ctl_time(p->v, "metadata.creationTimestamp", 0);
}

static int cmp_rank(const void *a, const void *b)
{
    const rs_pod *x = a, *y = b;
    for (int i = 0; i < 3; i++)
        if (x->rank[i] != y->rank[i])
            return x->rank[i] - y->rank[i];
    return x->created > y->created ? -1 : x->created < y->created ? 1 : 0;
}

static void put_owner_ref_view(sk_mp_buf *b, sk_mp_view rs)
{
    ctl_put_owner_ref(b, "apps/v1", "ReplicaSet", rs, true);
}

/* A pod from the RS's template: generateName "<rs>-", the template's
 * labels and annotations, a controller reference. */
static void create_pod(ctl_actions *out, sk_mp_view rs, const char *ns, const char *name)
{
    char gen[300];
    snprintf(gen, sizeof gen, "%s-", name);
    sk_mp_view tmeta = ctl_get(rs, "spec.template.metadata");
    sk_mp_buf s, r, m1, m2;
    sk_mp_buf_init(&r);
    sk_mp_put_array(&r, 1);
    put_owner_ref_view(&r, rs);
    sk_mp_buf_init(&m1);
    ctl_put_override(&m1, tmeta, "generateName", ctl_mp_str(&s, gen));
    sk_mp_buf_free(&s);
    sk_mp_buf_init(&m2);
    ctl_put_override(&m2, sk_mp_buf_view(&m1), "ownerReferences", sk_mp_buf_view(&r));
    sk_mp_buf_free(&m1);
    sk_mp_buf_init(&m1);
    ctl_put_override(&m1, sk_mp_buf_view(&m2), "namespace", ctl_mp_str(&s, ns));
    sk_mp_buf_free(&s);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_req_begin(&b, &ctl_k_pods, ns, NULL, 1);
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, 4);
    sk_mp_put_str(&b, "apiVersion");
    sk_mp_put_str(&b, "v1");
    sk_mp_put_str(&b, "kind");
    sk_mp_put_str(&b, "Pod");
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_raw(&b, sk_mp_buf_view(&m1));
    sk_mp_put_str(&b, "spec");
    sk_mp_view spec = ctl_get(rs, "spec.template.spec");
    if (spec.p)
        sk_mp_put_raw(&b, spec);
    else
        sk_mp_put_map(&b, 0);
    if (r.err || m1.err || m2.err)
        b.err = r.err ? r.err : m1.err ? m1.err : m2.err;
    sk_mp_buf_free(&r);
    sk_mp_buf_free(&m1);
    sk_mp_buf_free(&m2);
    ctl_actions_push(out, "create", &b, "pods", ns, gen);
}

static void adopt(ctl_actions *out, sk_mp_view rs, sk_mp_view pod)
{
    sk_mp_buf r;
    sk_mp_buf_init(&r);
    put_owner_ref_view(&r, rs);
    if (r.err)
        out->err = r.err;
    else
        ctl_patch_owner_refs(out, &ctl_k_pods, pod, NULL, sk_mp_buf_view(&r));
    sk_mp_buf_free(&r);
}

/* Sorts the namespace's pods into owned-and-active (returned) after
 * issuing adoptions and releases. */
static size_t claim(const ctl_rs_in *in, const char *uid, ctl_actions *out, rs_pod *owned)
{
    sk_mp_view sel = ctl_get(in->rs, "spec.selector");
    bool rs_deleting = ctl_deleting(in->rs);
    size_t n = 0;
    for (size_t i = 0; i < in->npods; i++) {
        sk_mp_view pod = in->pods[i];
        char cuid[128];
        bool has_ctl = ctl_controller_uid(pod, cuid, sizeof cuid);
        bool match = ctl_selector_matches(sel, ctl_get(pod, "metadata.labels"));
        if (has_ctl && strcmp(cuid, uid) == 0) {
            if (!match) {
                if (!ctl_deleting(pod))
                    ctl_patch_owner_refs(out, &ctl_k_pods, pod, uid, (sk_mp_view){NULL, 0});
                continue;
            }
        } else if (!has_ctl && match && !rs_deleting && !ctl_deleting(pod)) {
            adopt(out, in->rs, pod);
        } else {
            continue;
        }
        if (ctl_pod_active(pod))
            owned[n++] = (rs_pod){.v = pod};
    }
    return n;
}

/* The status the pods give; patched only when it differs. */
static void sync_status(const ctl_rs_in *in, const rs_pod *pods, size_t n, ctl_actions *out,
                        ctl_rs_out *res)
{
    int64_t min_ready = ctl_int(in->rs, "spec.minReadySeconds", 0);
    sk_mp_view tlabels = ctl_get(in->rs, "spec.template.metadata.labels");
    int64_t labeled = 0, ready = 0, avail = 0, wait;
    for (size_t i = 0; i < n; i++) {
        labeled += !tlabels.p || ctl_map_selector_matches(tlabels, ctl_get(pods[i].v,
                                                                            "metadata.labels"));
        ready += ctl_pod_ready(pods[i].v);
        if (ctl_pod_available(pods[i].v, min_ready, in->now_ms, &wait))
            avail++;
        else
            ctl_requeue(out, wait);
    }
    int64_t gen = ctl_int(in->rs, "metadata.generation", 1);
    res->replicas = (int)n;
    res->ready = (int)ready;
    res->available = (int)avail;
    sk_mp_view st = ctl_get(in->rs, "status");
    if (ctl_int(st, "replicas", 0) == (int64_t)n && ctl_int(st, "readyReplicas", 0) == ready &&
        ctl_int(st, "availableReplicas", 0) == avail &&
        ctl_int(st, "fullyLabeledReplicas", 0) == labeled &&
        ctl_int(st, "observedGeneration", 0) == gen)
        return;
    char ns[256], name[256];
    ctl_str(in->rs, "metadata.namespace", ns, sizeof ns);
    ctl_str(in->rs, "metadata.name", name, sizeof name);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_rs, ns, name, "status");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "status");
    sk_mp_put_map(&b, 5);
    sk_mp_put_str(&b, "replicas");
    sk_mp_put_int(&b, (int64_t)n);
    sk_mp_put_str(&b, "fullyLabeledReplicas");
    sk_mp_put_int(&b, labeled);
    sk_mp_put_str(&b, "readyReplicas");
    sk_mp_put_int(&b, ready);
    sk_mp_put_str(&b, "availableReplicas");
    sk_mp_put_int(&b, avail);
    sk_mp_put_str(&b, "observedGeneration");
    sk_mp_put_int(&b, gen);
    ctl_actions_push(out, "patch", &b, "replicasets/status", ns, name);
}

int ctl_rs_sync(const ctl_rs_in *in, ctl_actions *out, ctl_rs_out *res)
{
    memset(res, 0, sizeof(*res));
    char uid[128], ns[256], name[256];
    ctl_str(in->rs, "metadata.uid", uid, sizeof uid);
    ctl_str(in->rs, "metadata.namespace", ns, sizeof ns);
    ctl_str(in->rs, "metadata.name", name, sizeof name);
    if (!*uid || !*name)
        return 0; /* not an object we can own anything for */
    rs_pod *pods = in->npods ? calloc(in->npods, sizeof(*pods)) : NULL;
    if (in->npods && !pods)
        return out->err = -ENOMEM;
    size_t n = claim(in, uid, out, pods);
    int64_t want = ctl_int(in->rs, "spec.replicas", 1);
    if (want < 0)
        want = 0;
    uint32_t burst = in->burst ? in->burst : 500;
    if (in->expectations_satisfied && !ctl_deleting(in->rs)) {
        int64_t diff = (int64_t)n - want;
        if (diff < 0) {
            int64_t k = -diff < burst ? -diff : burst;
            for (int64_t i = 0; i < k; i++)
                create_pod(out, in->rs, ns, name);
            res->creates = (int)k;
        } else if (diff > 0) {
            int64_t k = diff < burst ? diff : burst;
            for (size_t i = 0; i < n; i++)
                rank_pod(&pods[i]);
            if (n > 1)
                qsort(pods, n, sizeof(*pods), cmp_rank);
            for (int64_t i = 0; i < k; i++) {
                char pn[256], pu[128];
                ctl_delete(out, &ctl_k_pods, ns, ctl_str(pods[i].v, "metadata.name", pn, sizeof pn),
                           ctl_str(pods[i].v, "metadata.uid", pu, sizeof pu), NULL);
            }
            res->deletes = (int)k;
        }
    }
    sync_status(in, pods, n, out, res);
    free(pods);
    return out->err;
}
