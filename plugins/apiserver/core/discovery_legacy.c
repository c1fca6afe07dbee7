/* Legacy discovery: /api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>. */
#include <stdio.h>
#include <string.h>

#include "discovery.h"
#include "discovery_util.h"
#include "registry.h"

json_t *sk_discovery_api_versions(const char *server_address)
{
    return json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", "v1",
                     "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
                     server_address ? server_address : "");
}

static json_t *group_version(const char *group, const char *version)
{
    char gv[128];
    snprintf(gv, sizeof gv, "%s/%s", group, version);
    return json_pack("{s:s, s:s}", "groupVersion", gv, "version", version);
}

static json_t *api_group(const char *group)
{
    const char *versions[8];
    size_t nv = sk_disc_group_versions(group, versions, 8);
    if (!nv)
        return NULL;
    json_t *vs = json_array();
    for (size_t i = 0; i < nv; i++)
        json_array_append_new(vs, group_version(group, versions[i]));
    return json_pack("{s:s, s:o, s:o}", "name", group, "versions", vs, "preferredVersion",
                     group_version(group, versions[0]));
}

json_t *sk_discovery_group_list(void)
{
    const char *groups[32];
    size_t ng = sk_disc_groups(groups, 32);
    json_t *arr = json_array();
    for (size_t i = 0; i < ng; i++)
        json_array_append_new(arr, api_group(groups[i]));
    return json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
                     arr);
}

json_t *sk_discovery_group(const char *group)
{
    if (!group || !*group)
        return NULL;
    json_t *g = api_group(group);
    if (!g)
        return NULL;
    json_t *head = json_pack("{s:s, s:s}", "kind", "APIGroup", "apiVersion", "v1");
    json_object_update(head, g);
    json_decref(g);
    return head;
}

static json_t *legacy_resource(const sk_resource *r)
{
    json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", r->plural, "singularName",
                          r->singular, "namespaced", r->namespaced, "kind", r->kind, "verbs",
                          sk_disc_verbs(r->verbs));
    if (r->short_names)
        json_object_set_new(o, "shortNames", sk_disc_strings(r->short_names));
    if (r->categories)
        json_object_set_new(o, "categories", sk_disc_strings(r->categories));
    return o;
}

static json_t *legacy_subresource(const sk_resource *r, const sk_subresource *s)
{
    char name[128];
    snprintf(name, sizeof name, "%s/%s", r->plural, s->name);
    json_t *o = json_pack("{s:s, s:s, s:b}", "name", name, "singularName", "", "namespaced",
                          r->namespaced);
    if (s->kind && (strcmp(s->group, r->group) != 0 || strcmp(s->version, r->version) != 0)) {
        json_object_set_new(o, "group", json_string(s->group));
        json_object_set_new(o, "version", json_string(s->version));
    }
    json_object_set_new(o, "kind", json_string(s->kind ? s->kind : r->kind));
    json_object_set_new(o, "verbs", sk_disc_verbs(s->verbs));
    return o;
}

json_t *sk_discovery_resource_list(const char *group, const char *version)
{
    size_t n;
    const sk_resource *const *all = sk_registry_all(&n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const sk_resource *r = all[i];
        if (strcmp(r->group, group) != 0 || strcmp(r->version, version) != 0)
            continue;
        json_array_append_new(arr, legacy_resource(r));
        for (const sk_subresource *s = r->subresources; s && s->name; s++)
            json_array_append_new(arr, legacy_subresource(r, s));
    }
    if (!json_array_size(arr)) {
        json_decref(arr);
        return NULL;
    }
    char gv[128];
    if (*group)
        snprintf(gv, sizeof gv, "%s/%s", group, version);
    else
        snprintf(gv, sizeof gv, "%s", version);
    return json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                     "groupVersion", gv, "resources", arr);
}
