/* Namespace controller: a namespace being deleted is emptied, then its
 * "kubernetes" finalizer is dropped, which lets the apiserver remove it. */
#include <stdio.h>
#include <string.h>

#include "reconcile.h"

/* spec.finalizers without "kubernetes", as a merge patch. */
static void finalize(const ctl_ns_in *in, ctl_actions *out, const char *name)
{
    sk_mp_view fins = ctl_get(in->ns, "spec.finalizers"), v;
    sk_mp_iter it;
    uint32_t keep = 0;
    bool had = false;
    if (fins.p && sk_mp_iter_init(fins, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &v) == 1)
            ctl_eq(v, "kubernetes") ? (void)(had = true) : (void)keep++;
    if (!had)
        return;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_ns, NULL, name, NULL);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "spec");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "finalizers");
    sk_mp_put_array(&b, keep);
    if (sk_mp_iter_init(fins, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &v) == 1)
            if (!ctl_eq(v, "kubernetes"))
                sk_mp_put_raw(&b, v);
    ctl_actions_push(out, "patch", &b, "namespaces", NULL, name);
}

int ctl_ns_sync(const ctl_ns_in *in, ctl_actions *out)
{
    char name[256];
    ctl_str(in->ns, "metadata.name", name, sizeof name);
    if (!*name || !ctl_deleting(in->ns))
        return 0;
    size_t left = 0;
    for (size_t i = 0; i < in->nitems; i++) {
        sk_mp_view o = in->items[i].obj;
        left++;
        if (ctl_deleting(o))
            continue; /* already on its way (finalizers, graceful pods) */
        char on[256], uid[128];
        ctl_delete(out, in->items[i].kind, name, ctl_str(o, "metadata.name", on, sizeof on),
                   ctl_str(o, "metadata.uid", uid, sizeof uid), "Background");
    }
    if (left)
        ctl_requeue(out, 2000); /* deletions of what we cannot watch end by polling */
    else
        finalize(in, out, name);
    return out->err;
}
