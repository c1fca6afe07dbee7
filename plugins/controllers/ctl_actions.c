/* Actions and the request maps they carry. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "skiff/errors.h"

const sk_api_kind ctl_k_pods = {"", "v1", "pods"};
const sk_api_kind ctl_k_rs = {"apps", "v1", "replicasets"};
const sk_api_kind ctl_k_deploy = {"apps", "v1", "deployments"};
const sk_api_kind ctl_k_svc = {"", "v1", "services"};
const sk_api_kind ctl_k_ep = {"", "v1", "endpoints"};
const sk_api_kind ctl_k_eps = {"discovery.k8s.io", "v1", "endpointslices"};
const sk_api_kind ctl_k_ns = {"", "v1", "namespaces"};
const sk_api_kind ctl_k_nodes = {"", "v1", "nodes"};
const sk_api_kind ctl_k_leases = {"coordination.k8s.io", "v1", "leases"};

void ctl_actions_init(ctl_actions *a)
{
    *a = (ctl_actions){0};
}

void ctl_actions_free(ctl_actions *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i].req);
    free(a->v);
    ctl_actions_init(a);
}

void ctl_actions_push(ctl_actions *a, const char *method, sk_mp_buf *b, const char *kind_res,
                      const char *ns, const char *name)
{
    if (b->err || a->err) {
        a->err = a->err ? a->err : b->err;
        sk_mp_buf_free(b);
        return;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        ctl_action *v = realloc(a->v, cap * sizeof(*v));
        if (!v) {
            a->err = -ENOMEM;
            sk_mp_buf_free(b);
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    ctl_action *x = &a->v[a->n];
    memset(x, 0, sizeof(*x));
    snprintf(x->method, sizeof x->method, "%s", method);
    snprintf(x->desc, sizeof x->desc, "%s %s %s%s%s", method, kind_res, ns && *ns ? ns : "",
             ns && *ns ? "/" : "", name ? name : "");
    x->req = sk_mp_buf_take(b, &x->len);
    if (!x->req) {
        a->err = -ENOMEM;
        return;
    }
    a->n++;
}

void ctl_requeue(ctl_actions *a, int64_t ms)
{
    if (ms > 0 && (a->requeue_ms <= 0 || ms < a->requeue_ms))
        a->requeue_ms = ms;
}

void ctl_req_begin(sk_mp_buf *b, const sk_api_kind *k, const char *ns, const char *name,
                   uint32_t extra)
{
    sk_api_put_request(b, k, ns, extra + (name ? 1 : 0));
    if (name) {
        sk_mp_put_str(b, "name");
        sk_mp_put_str(b, name);
    }
}

void ctl_patch_begin(sk_mp_buf *b, const sk_api_kind *k, const char *ns, const char *name,
                     const char *subresource)
{
    ctl_req_begin(b, k, ns, name, 2 + (subresource ? 1 : 0));
    if (subresource) {
        sk_mp_put_str(b, "subresource");
        sk_mp_put_str(b, subresource);
    }
    sk_mp_put_str(b, "patch_type");
    sk_mp_put_str(b, "merge");
    sk_mp_put_str(b, "body");
}

void ctl_delete(ctl_actions *a, const sk_api_kind *k, const char *ns, const char *name,
                const char *uid, const char *policy)
{
    if (uid && !*uid)
        uid = NULL;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_req_begin(&b, k, ns, name, 1);
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, (policy ? 1 : 0) + (uid ? 1 : 0));
    if (policy) {
        sk_mp_put_str(&b, "propagationPolicy");
        sk_mp_put_str(&b, policy);
    }
    if (uid) {
        sk_mp_put_str(&b, "preconditions");
        sk_mp_put_map(&b, 1);
        sk_mp_put_str(&b, "uid");
        sk_mp_put_str(&b, uid);
    }
    ctl_actions_push(a, "delete", &b, k->resource, ns, name);
}

bool ctl_controller_uid(sk_mp_view obj, char *uid, size_t size)
{
    sk_mp_view refs = ctl_get(obj, "metadata.ownerReferences"), ref;
    sk_mp_iter it;
    if (!refs.p || sk_mp_iter_init(refs, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, NULL, &ref) == 1) {
        if (ctl_bool(ref, "controller", false)) {
            ctl_str(ref, "uid", uid, size);
            return *uid != 0;
        }
    }
    return false;
}

bool ctl_owned_by(sk_mp_view obj, const char *uid)
{
    sk_mp_view refs = ctl_get(obj, "metadata.ownerReferences"), ref;
    sk_mp_iter it;
    if (!refs.p || sk_mp_iter_init(refs, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, NULL, &ref) == 1)
        if (ctl_eq(ctl_get(ref, "uid"), uid))
            return true;
    return false;
}

void ctl_put_owner_ref(sk_mp_buf *b, const char *api_version, const char *kind, sk_mp_view owner,
                       bool controller)
{
    char name[256], uid[128];
    sk_mp_put_map(b, controller ? 6 : 4);
    sk_mp_put_str(b, "apiVersion");
    sk_mp_put_str(b, api_version);
    sk_mp_put_str(b, "kind");
    sk_mp_put_str(b, kind);
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, ctl_str(owner, "metadata.name", name, sizeof name));
    sk_mp_put_str(b, "uid");
    sk_mp_put_str(b, ctl_str(owner, "metadata.uid", uid, sizeof uid));
    if (controller) {
        sk_mp_put_str(b, "controller");
        sk_mp_put_bool(b, true);
        sk_mp_put_str(b, "blockOwnerDeletion");
        sk_mp_put_bool(b, true);
    }
}

static void put_meta_preconditions(sk_mp_buf *b, sk_mp_view obj, uint32_t extra)
{
    char rv[64], uid[128];
    ctl_str(obj, "metadata.resourceVersion", rv, sizeof rv);
    ctl_str(obj, "metadata.uid", uid, sizeof uid);
    sk_mp_put_map(b, extra + (*rv ? 1 : 0) + (*uid ? 1 : 0));
    if (*rv) {
        sk_mp_put_str(b, "resourceVersion");
        sk_mp_put_str(b, rv);
    }
    if (*uid) {
        sk_mp_put_str(b, "uid");
        sk_mp_put_str(b, uid);
    }
}

void ctl_patch_owner_refs(ctl_actions *a, const sk_api_kind *k, sk_mp_view obj,
                          const char *drop_uid, sk_mp_view add)
{
    char ns[256], name[256];
    ctl_str(obj, "metadata.namespace", ns, sizeof ns);
    ctl_str(obj, "metadata.name", name, sizeof name);
    sk_mp_view refs = ctl_get(obj, "metadata.ownerReferences"), ref;
    sk_mp_iter it;
    uint32_t keep = 0;
    if (refs.p && sk_mp_iter_init(refs, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &ref) == 1)
            keep += !(drop_uid && ctl_eq(ctl_get(ref, "uid"), drop_uid));
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, k, ns, name, NULL);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "metadata");
    put_meta_preconditions(&b, obj, 1);
    sk_mp_put_str(&b, "ownerReferences");
    sk_mp_put_array(&b, keep + (add.p ? 1 : 0));
    if (refs.p && sk_mp_iter_init(refs, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &ref) == 1)
            if (!(drop_uid && ctl_eq(ctl_get(ref, "uid"), drop_uid)))
                sk_mp_put_raw(&b, ref);
    if (add.p)
        sk_mp_put_raw(&b, add);
    ctl_actions_push(a, "patch", &b, k->resource, ns, name);
}

bool ctl_has_finalizer(sk_mp_view obj, const char *f)
{
    sk_mp_view fins = ctl_get(obj, "metadata.finalizers"), v;
    sk_mp_iter it;
    if (!fins.p || sk_mp_iter_init(fins, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, NULL, &v) == 1)
        if (ctl_eq(v, f))
            return true;
    return false;
}

void ctl_patch_drop_finalizer(ctl_actions *a, const sk_api_kind *k, sk_mp_view obj,
                              const char *drop)
{
    char ns[256], name[256];
    ctl_str(obj, "metadata.namespace", ns, sizeof ns);
    ctl_str(obj, "metadata.name", name, sizeof name);
    sk_mp_view fins = ctl_get(obj, "metadata.finalizers"), v;
    sk_mp_iter it;
    uint32_t keep = 0;
    if (fins.p && sk_mp_iter_init(fins, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &v) == 1)
            keep += !ctl_eq(v, drop);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, k, ns, name, NULL);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "metadata");
    put_meta_preconditions(&b, obj, 1);
    sk_mp_put_str(&b, "finalizers");
    sk_mp_put_array(&b, keep);
    if (fins.p && sk_mp_iter_init(fins, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &v) == 1)
            if (!ctl_eq(v, drop))
                sk_mp_put_raw(&b, v);
    ctl_actions_push(a, "patch", &b, k->resource, ns, name);
}
