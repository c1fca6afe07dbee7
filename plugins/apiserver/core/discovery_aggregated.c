/* Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1): /api and
 * /apis in one request each. The two versions share one shape. */
#include <string.h>

#include "discovery.h"
#include "discovery_util.h"
#include "registry.h"

static json_t *response_kind(const char *g, const char *v, const char *k)
{
    return json_pack("{s:s, s:s, s:s}", "group", g, "version", v, "kind", k);
}

static json_t *agg_subresources(const sk_resource *r)
{
    json_t *arr = json_array();
    for (const sk_subresource *s = r->subresources; s && s->name; s++) {
        json_t *rk = s->kind ? response_kind(s->group, s->version, s->kind)
                             : response_kind(r->group, r->version, r->kind);
        json_array_append_new(arr, json_pack("{s:s, s:o, s:o}", "subresource", s->name,
                                             "responseKind", rk, "verbs",
                                             sk_disc_verbs(s->verbs)));
    }
    return arr;
}

static json_t *agg_resource(const sk_resource *r)
{
    json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:o}", "resource", r->plural, "responseKind",
                          response_kind(r->group, r->version, r->kind), "scope",
                          r->namespaced ? "Namespaced" : "Cluster", "singularResource",
                          r->singular, "verbs", sk_disc_verbs(r->verbs));
    if (r->short_names)
        json_object_set_new(o, "shortNames", sk_disc_strings(r->short_names));
    if (r->categories)
        json_object_set_new(o, "categories", sk_disc_strings(r->categories));
    if (r->subresources)
        json_object_set_new(o, "subresources", agg_subresources(r));
    return o;
}

static json_t *agg_version(const char *group, const char *version)
{
    size_t n;
    const sk_resource *const *all = sk_registry_all(&n);
    json_t *res = json_array();
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->group, group) == 0 && strcmp(all[i]->version, version) == 0)
            json_array_append_new(res, agg_resource(all[i]));
    return json_pack("{s:s, s:o, s:s}", "version", version, "resources", res, "freshness",
                     "Current");
}

static json_t *agg_group(const char *group)
{
    const char *versions[8];
    size_t nv = sk_disc_group_versions(group, versions, 8);
    json_t *vs = json_array();
    for (size_t i = 0; i < nv; i++)
        json_array_append_new(vs, agg_version(group, versions[i]));
    json_t *meta = json_pack("{s:n}", "creationTimestamp");
    if (*group)
        json_object_set_new(meta, "name", json_string(group));
    return json_pack("{s:o, s:o}", "metadata", meta, "versions", vs);
}

json_t *sk_discovery_aggregated(int core, sk_disc_format format)
{
    if (format != SK_DISC_V2 && format != SK_DISC_V2BETA1)
        return NULL;
    json_t *items = json_array();
    if (core) {
        json_array_append_new(items, agg_group(""));
    } else {
        const char *groups[32];
        size_t ng = sk_disc_groups(groups, 32);
        for (size_t i = 0; i < ng; i++)
            json_array_append_new(items, agg_group(groups[i]));
    }
    return json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
                     format == SK_DISC_V2 ? "apidiscovery.k8s.io/v2"
                                          : "apidiscovery.k8s.io/v2beta1",
                     "metadata", "items", items);
}
