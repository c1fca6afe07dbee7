/* The plugins a scheduler can enable by name: the built-ins, plus any
 * loaded from third-party shared objects (checked like host plugins:
 * size, ABI major/minor, build signature). */
#ifndef SK_SCHED_REGISTRY_H
#define SK_SCHED_REGISTRY_H

#include <stddef.h>

#include "skiff/sched.h"

#define SK_REGISTRY_MAX 128

typedef struct sk_sched_registry {
    const sk_sched_plugin_desc *descs[SK_REGISTRY_MAX];
    void *dl[SK_REGISTRY_MAX]; /* dlopen handle, NULL for built-ins */
    size_t n;
} sk_sched_registry;

/* A registry holding the built-in plugins. */
int sk_registry_new(sk_sched_registry **out);
void sk_registry_free(sk_sched_registry **r);
/* Validates d and adds it. SK_EABI (wrong size, version or signature),
 * SK_EEXISTS (name taken), SK_EFULL. err gets the reason. */
int sk_registry_add(sk_sched_registry *r, const sk_sched_plugin_desc *d, char *err, size_t errlen);
/* dlopen()s path (RTLD_NOW | RTLD_LOCAL), resolves sk_sched_plugin_entry_v1
 * and adds its descriptor. The object stays loaded until the registry is
 * freed. */
int sk_registry_load(sk_sched_registry *r, const char *path, char *err, size_t errlen);
const sk_sched_plugin_desc *sk_registry_find(const sk_sched_registry *r, const char *name);

/* Built-in descriptors (builtin/). */
extern const sk_sched_plugin_desc sk_plugin_priority_sort;
extern const sk_sched_plugin_desc sk_plugin_scheduling_gates;
extern const sk_sched_plugin_desc sk_plugin_node_name;
extern const sk_sched_plugin_desc sk_plugin_node_unschedulable;
extern const sk_sched_plugin_desc sk_plugin_node_resources_fit;
extern const sk_sched_plugin_desc sk_plugin_balanced_allocation;
extern const sk_sched_plugin_desc sk_plugin_node_affinity;
extern const sk_sched_plugin_desc sk_plugin_taint_toleration;
extern const sk_sched_plugin_desc sk_plugin_pod_topology_spread;
extern const sk_sched_plugin_desc sk_plugin_inter_pod_affinity;
extern const sk_sched_plugin_desc sk_plugin_default_preemption;

#endif
