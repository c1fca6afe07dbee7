#include "registry.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

extern const sk_resource sk_res_namespaces, sk_res_nodes, sk_res_pods, sk_res_services,
    sk_res_endpoints, sk_res_configmaps, sk_res_secrets, sk_res_events,
    sk_res_serviceaccounts, sk_res_deployments, sk_res_replicasets, sk_res_leases,
    sk_res_endpointslices;

/* Discovery order: core first, then groups; resources alphabetically
 * within a group version, as the real apiserver lists them. */
static const sk_resource *const registry[] = {
    &sk_res_configmaps, &sk_res_endpoints, &sk_res_events,          &sk_res_namespaces,
    &sk_res_nodes,      &sk_res_pods,      &sk_res_secrets,         &sk_res_serviceaccounts,
    &sk_res_services,   &sk_res_deployments, &sk_res_replicasets,   &sk_res_leases,
    &sk_res_endpointslices,
};

static const char *const verb_names[SK_VERB_COUNT] = {
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
};

const char *sk_verb_name(int bit)
{
    return bit >= 0 && bit < SK_VERB_COUNT ? verb_names[bit] : NULL;
}

unsigned sk_verb_from_name(const char *name)
{
    for (int i = 0; i < SK_VERB_COUNT; i++)
        if (strcmp(verb_names[i], name) == 0)
            return 1u << i;
    return 0;
}

const sk_resource *const *sk_registry_all(size_t *n)
{
    *n = sizeof registry / sizeof registry[0];
    return registry;
}

const sk_resource *sk_registry_find(const char *group, const char *version, const char *plural)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        const sk_resource *r = registry[i];
        if (strcmp(r->group, group) == 0 && strcmp(r->version, version) == 0 &&
            strcmp(r->plural, plural) == 0)
            return r;
    }
    return NULL;
}

const sk_resource *sk_registry_by_kind(const char *group, const char *kind)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        const sk_resource *r = registry[i];
        if ((!group || strcmp(r->group, group) == 0) && strcmp(r->kind, kind) == 0)
            return r;
    }
    return NULL;
}

const sk_resource *sk_registry_by_gvk(const char *api_version, const char *kind)
{
    if (!api_version || !kind)
        return NULL;
    const char *slash = strchr(api_version, '/');
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        const sk_resource *r = registry[i];
        bool gv_ok = slash ? strlen(r->group) == (size_t)(slash - api_version) &&
                                 strncmp(r->group, api_version, (size_t)(slash - api_version)) ==
                                     0 &&
                                 strcmp(r->version, slash + 1) == 0
                           : !*r->group && strcmp(r->version, api_version) == 0;
        if (gv_ok && strcmp(r->kind, kind) == 0)
            return r;
    }
    return NULL;
}

static bool resource_answers_to(const sk_resource *r, const char *name, size_t n)
{
    if ((strlen(r->plural) == n && strncasecmp(r->plural, name, n) == 0) ||
        (strlen(r->singular) == n && strncasecmp(r->singular, name, n) == 0) ||
        (strlen(r->kind) == n && strncasecmp(r->kind, name, n) == 0))
        return true;
    for (const char *const *s = r->short_names; s && *s; s++)
        if (strlen(*s) == n && strncasecmp(*s, name, n) == 0)
            return true;
    return false;
}

const sk_resource *sk_registry_resolve(const char *name)
{
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        const sk_resource *r = registry[i];
        if (dot && strcasecmp(r->group, dot + 1) != 0)
            continue;
        if (resource_answers_to(r, name, n))
            return r;
    }
    return NULL;
}

const sk_subresource *sk_resource_subresource(const sk_resource *r, const char *name)
{
    for (const sk_subresource *s = r->subresources; s && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

const char *sk_resource_api_version(const sk_resource *r, char *buf, size_t size)
{
    if (*r->group)
        snprintf(buf, size, "%s/%s", r->group, r->version);
    else
        snprintf(buf, size, "%s", r->version);
    return buf;
}

const char *sk_resource_qualified(const sk_resource *r, char *buf, size_t size)
{
    if (*r->group)
        snprintf(buf, size, "%s.%s", r->plural, r->group);
    else
        snprintf(buf, size, "%s", r->plural);
    return buf;
}

int sk_resource_key(const sk_resource *r, const char *ns, const char *name, char *buf,
                    size_t size)
{
    int n;
    if (r->namespaced && ns && *ns)
        n = snprintf(buf, size, "/registry/%s/%s/%s", r->plural, ns, name ? name : "");
    else
        n = snprintf(buf, size, "/registry/%s/%s", r->plural, name ? name : "");
    return n < 0 || (size_t)n >= size ? -1 : n;
}
