/* The resource registry and the schema tables behind it. */
#include <string.h>

#include "registry.h"
#include "test_util.h"

static void test_find(void)
{
    const sk_resource *r = sk_registry_find("", "v1", "pods");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->kind, "Pod");
    CU_ASSERT(r->namespaced);
    CU_ASSERT_PTR_NULL(sk_registry_find("apps", "v1", "pods"));
    CU_ASSERT_PTR_NULL(sk_registry_find("", "v2", "pods"));
    r = sk_registry_find("apps", "v1", "deployments");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->list_kind, "DeploymentList");
    CU_ASSERT_PTR_NOT_NULL(sk_registry_find("coordination.k8s.io", "v1", "leases"));
    CU_ASSERT_PTR_NOT_NULL(sk_registry_find("discovery.k8s.io", "v1", "endpointslices"));
    CU_ASSERT_FALSE(sk_registry_find("", "v1", "nodes")->namespaced);
    CU_ASSERT_FALSE(sk_registry_find("", "v1", "namespaces")->namespaced);
}

static void test_by_kind_and_gvk(void)
{
    CU_ASSERT_PTR_EQUAL(sk_registry_by_kind(NULL, "Service"),
                        sk_registry_find("", "v1", "services"));
    CU_ASSERT_PTR_EQUAL(sk_registry_by_kind("apps", "ReplicaSet"),
                        sk_registry_find("apps", "v1", "replicasets"));
    CU_ASSERT_PTR_NULL(sk_registry_by_kind("", "ReplicaSet"));
    CU_ASSERT_PTR_EQUAL(sk_registry_by_gvk("apps/v1", "Deployment"),
                        sk_registry_find("apps", "v1", "deployments"));
    CU_ASSERT_PTR_EQUAL(sk_registry_by_gvk("v1", "ConfigMap"),
                        sk_registry_find("", "v1", "configmaps"));
    CU_ASSERT_PTR_NULL(sk_registry_by_gvk("apps/v1", "ConfigMap"));
    CU_ASSERT_PTR_NULL(sk_registry_by_gvk("v1", "Deployment"));
    CU_ASSERT_PTR_NULL(sk_registry_by_gvk("app/v1", "Deployment"));
}

static void test_resolve(void)
{
    static const struct {
        const char *in, *plural;
    } cases[] = {
        {"po", "pods"},       {"pod", "pods"},           {"Pods", "pods"},
        {"deploy", "deployments"}, {"deployments.apps", "deployments"},
        {"rs", "replicasets"}, {"svc", "services"},       {"ns", "namespaces"},
        {"no", "nodes"},      {"cm", "configmaps"},       {"ev", "events"},
        {"sa", "serviceaccounts"}, {"ep", "endpoints"},   {"lease", "leases"},
        {"EndpointSlice", "endpointslices"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sk_resource *r = sk_registry_resolve(cases[i].in);
        CU_ASSERT_PTR_NOT_NULL(r);
        if (r)
            CU_ASSERT_STRING_EQUAL(r->plural, cases[i].plural);
    }
    CU_ASSERT_PTR_NULL(sk_registry_resolve("deployments.batch"));
    CU_ASSERT_PTR_NULL(sk_registry_resolve("nope"));
}

static void test_subresources(void)
{
    const sk_resource *pods = sk_registry_find("", "v1", "pods");
    const sk_subresource *s = sk_resource_subresource(pods, "eviction");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->group, "policy");
    CU_ASSERT_EQUAL(s->verbs, SK_VERB_CREATE);
    CU_ASSERT_PTR_NOT_NULL(sk_resource_subresource(pods, "log"));
    CU_ASSERT_PTR_NOT_NULL(sk_resource_subresource(pods, "binding"));
    CU_ASSERT_PTR_NOT_NULL(sk_resource_subresource(pods, "status"));
    CU_ASSERT_PTR_NULL(sk_resource_subresource(pods, "scale"));
    s = sk_resource_subresource(sk_registry_find("apps", "v1", "replicasets"), "scale");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->kind, "Scale");
    CU_ASSERT_PTR_NOT_NULL(sk_resource_subresource(sk_registry_find("", "v1", "nodes"),
                                                   "status"));
    CU_ASSERT_PTR_NOT_NULL(sk_resource_subresource(sk_registry_find("", "v1", "services"),
                                                   "status"));
}

static void test_names_and_keys(void)
{
    char buf[128];
    const sk_resource *d = sk_registry_find("apps", "v1", "deployments");
    const sk_resource *n = sk_registry_find("", "v1", "nodes");
    CU_ASSERT_STRING_EQUAL(sk_resource_api_version(d, buf, sizeof buf), "apps/v1");
    CU_ASSERT_STRING_EQUAL(sk_resource_qualified(d, buf, sizeof buf), "deployments.apps");
    CU_ASSERT_STRING_EQUAL(sk_resource_qualified(n, buf, sizeof buf), "nodes");
    CU_ASSERT(sk_resource_key(d, "default", "web", buf, sizeof buf) > 0);
    CU_ASSERT_STRING_EQUAL(buf, "/registry/deployments/default/web");
    CU_ASSERT(sk_resource_key(d, "default", "", buf, sizeof buf) > 0);
    CU_ASSERT_STRING_EQUAL(buf, "/registry/deployments/default/");
    CU_ASSERT(sk_resource_key(d, NULL, NULL, buf, sizeof buf) > 0);
    CU_ASSERT_STRING_EQUAL(buf, "/registry/deployments/");
    CU_ASSERT(sk_resource_key(n, "ignored", "node1", buf, sizeof buf) > 0);
    CU_ASSERT_STRING_EQUAL(buf, "/registry/nodes/node1");
    CU_ASSERT_EQUAL(sk_resource_key(d, "default", "web", buf, 10), -1);
    CU_ASSERT_EQUAL(sk_verb_from_name("deletecollection"), SK_VERB_DELETECOLLECTION);
    CU_ASSERT_EQUAL(sk_verb_from_name("nope"), 0);
    CU_ASSERT_STRING_EQUAL(sk_verb_name(7), "watch");
}

static void test_schema_lookup(void)
{
    const sk_resource *pods = sk_registry_find("", "v1", "pods");
    const sk_field *f = sk_schema_field_at(pods->schema, "spec.containers");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->type, SK_FT_ARRAY);
    CU_ASSERT_STRING_EQUAL(f->merge_key, "name");
    CU_ASSERT(f->flags & SK_FF_REQUIRED);
    f = sk_schema_field_at(pods->schema, "spec.containers.ports");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->merge_key, "containerPort");
    f = sk_schema_field_at(pods->schema, "spec.containers.volumeMounts");
    CU_ASSERT_STRING_EQUAL(f->merge_key, "mountPath");
    f = sk_schema_field_at(pods->schema, "metadata.finalizers");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->strategy, SK_PS_MERGE);
    CU_ASSERT_PTR_NULL(f->merge_key);
    const sk_resource *d = sk_registry_find("apps", "v1", "deployments");
    CU_ASSERT_PTR_EQUAL(sk_schema_at(d->schema, "spec.template.spec"), &sk_schema_pod_spec);
    f = sk_schema_field_at(d->schema, "spec.strategy");
    CU_ASSERT(f->strategy & SK_PS_RETAIN_KEYS);
    f = sk_schema_field_at(pods->schema, "spec.restartPolicy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->enums);
    CU_ASSERT_STRING_EQUAL(f->enums[0], "Always");
    CU_ASSERT_PTR_NULL(sk_schema_field_at(pods->schema, "spec.nope"));
    CU_ASSERT_PTR_NULL(sk_schema_field_at(pods->schema, "spec.restartPolicy.x"));
}

/* Every schema reachable from the registry is well formed: the tables are
 * data, and a typo in one would otherwise surface far away. */
static int schemas_checked;
static void check_schema(const sk_schema *s, int depth)
{
    CU_ASSERT_FATAL(depth < 20);
    CU_ASSERT_PTR_NOT_NULL(s->id);
    CU_ASSERT_PTR_NOT_NULL(s->desc);
    schemas_checked++;
    for (const sk_field *f = s->fields; f->name; f++) {
        CU_ASSERT_PTR_NOT_NULL(f->desc);
        CU_ASSERT(f->type != SK_FT_NONE);
        if (f->type == SK_FT_OBJECT)
            CU_ASSERT_PTR_NOT_NULL(f->ref);
        if (f->type == SK_FT_ARRAY || f->type == SK_FT_MAP) {
            CU_ASSERT(f->elem != SK_FT_NONE);
            CU_ASSERT((f->elem == SK_FT_OBJECT) == (f->ref != NULL));
        }
        if (f->merge_key) {
            CU_ASSERT_EQUAL(f->elem, SK_FT_OBJECT);
            CU_ASSERT_PTR_NOT_NULL(sk_schema_field(f->ref, f->merge_key, strlen(f->merge_key)));
        }
        for (const sk_field *g = f + 1; g->name; g++)
            CU_ASSERT(strcmp(f->name, g->name) != 0);
        if (f->ref)
            check_schema(f->ref, depth + 1);
    }
}

static void test_tables_consistent(void)
{
    size_t n;
    const sk_resource *const *all = sk_registry_all(&n);
    CU_ASSERT_EQUAL(n, 13);
    for (size_t i = 0; i < n; i++) {
        const sk_resource *r = all[i];
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->schema);
        check_schema(r->schema, 0);
        CU_ASSERT_PTR_NOT_NULL(sk_schema_field(r->schema, "metadata", 8));
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->columns);
        CU_ASSERT_PTR_NOT_NULL(r->columns[0].name);
        for (const sk_column *c = r->columns; c->name; c++)
            CU_ASSERT((c->path != NULL) != (c->cell != NULL));
        CU_ASSERT(r->verbs & SK_VERB_GET);
        CU_ASSERT_PTR_EQUAL(sk_registry_find(r->group, r->version, r->plural), r);
        for (size_t j = i + 1; j < n; j++)
            CU_ASSERT(strcmp(r->plural, all[j]->plural) != 0 ||
                      strcmp(r->group, all[j]->group) != 0);
    }
    CU_ASSERT(schemas_checked > 50);
}

int main(void)
{
    static const tcase cases[] = {
        {"find", test_find},
        {"by_kind_and_gvk", test_by_kind_and_gvk},
        {"resolve", test_resolve},
        {"subresources", test_subresources},
        {"names_and_keys", test_names_and_keys},
        {"schema_lookup", test_schema_lookup},
        {"tables_consistent", test_tables_consistent},
        {NULL, NULL},
    };
    return trun("apiserver-registry", cases);
}
