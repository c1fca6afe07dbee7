#include "registry.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

static const sk_sched_plugin_desc *const builtins[] = {
    &sk_plugin_priority_sort,       &sk_plugin_scheduling_gates,
    &sk_plugin_node_unschedulable,  &sk_plugin_node_name,
    &sk_plugin_taint_toleration,    &sk_plugin_node_affinity,
    &sk_plugin_node_resources_fit,  &sk_plugin_pod_topology_spread,
    &sk_plugin_inter_pod_affinity,  &sk_plugin_default_preemption,
    &sk_plugin_balanced_allocation,
};

int sk_registry_new(sk_sched_registry **out)
{
    sk_sched_registry *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        int rc = sk_registry_add(r, builtins[i], NULL, 0);
        if (rc) {
            sk_registry_free(&r);
            return rc;
        }
    }
    *out = r;
    return 0;
}

void sk_registry_free(sk_sched_registry **rp)
{
    sk_sched_registry *r = *rp;
    *rp = NULL;
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        if (r->dl[i])
            dlclose(r->dl[i]);
    free(r);
}

const sk_sched_plugin_desc *sk_registry_find(const sk_sched_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->descs[i]->name, name) == 0)
            return r->descs[i];
    return NULL;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg);
    return rc;
}

/* Only what fits in the size the plugin declared may be read, and the
 * fields up to the name are needed before anything else. */
static int check_desc(const sk_sched_plugin_desc *d, char *err, size_t errlen)
{
    const size_t min = offsetof(sk_sched_plugin_desc, create);
    if (!d || d->size < min)
        return fail(err, errlen, SK_EABI, "%s: descriptor too small", "plugin");
    if (d->abi_major != SK_SCHED_ABI_MAJOR)
        return fail(err, errlen, SK_EABI, "%s: scheduling ABI major differs", d->name ? d->name : "?");
    if (d->abi_minor > SK_SCHED_ABI_MINOR)
        return fail(err, errlen, SK_EABI, "%s: built for a newer scheduling ABI", d->name ? d->name : "?");
    if (d->build_sig != SK_BUILD_SIG)
        return fail(err, errlen, SK_EABI, "%s: build signature differs", d->name ? d->name : "?");
    if (!d->name || !d->name[0])
        return fail(err, errlen, SK_EABI, "%s: no name", "plugin");
    return 0;
}

int sk_registry_add(sk_sched_registry *r, const sk_sched_plugin_desc *d, char *err, size_t errlen)
{
    int rc = check_desc(d, err, errlen);
    if (rc)
        return rc;
    if (sk_registry_find(r, d->name))
        return fail(err, errlen, SK_EEXISTS, "%s: a plugin of that name is registered", d->name);
    if (r->n == SK_REGISTRY_MAX)
        return fail(err, errlen, SK_EFULL, "%s: too many plugins", d->name);
    r->descs[r->n] = d;
    r->dl[r->n++] = NULL;
    return 0;
}

int sk_registry_load(sk_sched_registry *r, const char *path, char *err, size_t errlen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return fail(err, errlen, SK_ENOTFOUND, "%s", dlerror());
    sk_sched_plugin_entry_fn entry;
    /* POSIX blesses converting dlsym's object pointer to a function one. */
    *(void **)&entry = dlsym(h, SK_SCHED_ENTRY_SYMBOL);
    if (!entry) {
        dlclose(h);
        return fail(err, errlen, SK_EABI, "%s: no " SK_SCHED_ENTRY_SYMBOL, path);
    }
    int rc = sk_registry_add(r, entry(), err, errlen);
    if (rc) {
        dlclose(h);
        return rc;
    }
    r->dl[r->n - 1] = h;
    return 0;
}
