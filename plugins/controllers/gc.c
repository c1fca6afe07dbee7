/* Garbage collector (k8s pkg/controller/garbagecollector, per object):
 * dependents whose owners are all gone are deleted; an owner deleted in the
 * foreground waits for its dependents; an orphaning owner lets go of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile.h"

#define GC_MAX_DEPS 1024

/* The dependent side. */
static void as_dependent(const ctl_gc_in *in, ctl_actions *out)
{
    sk_mp_view refs = ctl_get(in->obj, "metadata.ownerReferences"), ref, owner;
    sk_mp_iter it;
    uint32_t n = 0;
    if (!refs.p || sk_mp_iter_init(refs, &it, &n) || n == 0 || ctl_deleting(in->obj))
        return;
    uint32_t gone = 0, known = 0;
    char gone_uid[128] = "";
    while (sk_mp_iter_next(&it, NULL, &ref) == 1) {
        int r = in->lookup(in->arg, ref, &owner);
        if (r < 0)
            continue;
        known++;
        if (r == 0) {
            gone++;
            ctl_str(ref, "uid", gone_uid, sizeof gone_uid);
        }
    }
    if (!gone)
        return;
    char ns[256], name[256], uid[128];
    ctl_str(in->obj, "metadata.namespace", ns, sizeof ns);
    ctl_str(in->obj, "metadata.name", name, sizeof name);
    if (gone == n && known == n)
        ctl_delete(out, in->kind, ns, name, ctl_str(in->obj, "metadata.uid", uid, sizeof uid),
                   "Background");
    else /* some owners live: only drop one dangling reference per pass */
        ctl_patch_owner_refs(out, in->kind, in->obj, gone_uid, (sk_mp_view){NULL, 0});
}

/* The owner side, while it is being deleted with a GC finalizer. */
static void as_owner(const ctl_gc_in *in, ctl_actions *out)
{
    bool fg = ctl_has_finalizer(in->obj, "foregroundDeletion");
    bool orphan = ctl_has_finalizer(in->obj, "orphan");
    if (!ctl_deleting(in->obj) || (!fg && !orphan) || !in->dependents)
        return;
    char uid[128];
    ctl_str(in->obj, "metadata.uid", uid, sizeof uid);
    ctl_ns_item *deps = malloc(GC_MAX_DEPS * sizeof(*deps));
    if (!deps) {
        out->err = -ENOMEM;
        return;
    }
    size_t n = in->dependents(in->arg, uid, deps, GC_MAX_DEPS);
    if (orphan) {
        for (size_t i = 0; i < n; i++)
            ctl_patch_owner_refs(out, deps[i].kind, deps[i].obj, uid, (sk_mp_view){NULL, 0});
        if (!n)
            ctl_patch_drop_finalizer(out, in->kind, in->obj, "orphan");
        free(deps);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (ctl_deleting(deps[i].obj))
            continue;
        char ns[256], name[256], du[128];
        ctl_str(deps[i].obj, "metadata.namespace", ns, sizeof ns);
        ctl_str(deps[i].obj, "metadata.name", name, sizeof name);
        ctl_delete(out, deps[i].kind, ns, name,
                   ctl_str(deps[i].obj, "metadata.uid", du, sizeof du), "Foreground");
    }
    if (!n)
        ctl_patch_drop_finalizer(out, in->kind, in->obj, "foregroundDeletion");
    free(deps);
}

int ctl_gc_sync(const ctl_gc_in *in, ctl_actions *out)
{
    if (!in->obj.p || !in->lookup)
        return 0;
    as_owner(in, out);
    as_dependent(in, out);
    return out->err;
}
