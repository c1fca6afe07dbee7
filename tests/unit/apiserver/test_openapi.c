/* OpenAPI v3 generation. */
#include <stdbool.h>
#include <string.h>

#include "openapi.h"
#include "test_util.h"

static json_t *get_path(json_t *doc, const char *path)
{
    return json_object_get(json_object_get(doc, "paths"), path);
}

static json_t *schema_of(json_t *doc, const char *id)
{
    return json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), id);
}

/* kubectl's check: a PATCH with the GVK and a fieldValidation parameter. */
static bool patch_validates(json_t *item, const char *g, const char *v, const char *k)
{
    json_t *patch = json_object_get(item, "patch");
    json_t *gvk = json_object_get(patch, "x-kubernetes-group-version-kind");
    if (!gvk || strcmp(json_string_value(json_object_get(gvk, "group")), g) ||
        strcmp(json_string_value(json_object_get(gvk, "version")), v) ||
        strcmp(json_string_value(json_object_get(gvk, "kind")), k))
        return false;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(patch, "parameters"), i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *in = json_string_value(json_object_get(p, "in"));
        if (name && in && !strcmp(name, "fieldValidation") && !strcmp(in, "query"))
            return true;
    }
    return false;
}

/* Every $ref points at a component that exists. */
static int bad_refs;
static void check_refs(json_t *doc, json_t *v, int depth)
{
    CU_ASSERT_FATAL(depth < 64);
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c)
        {
            if (!strcmp(k, "$ref")) {
                const char *ref = json_string_value(c);
                const char *prefix = "#/components/schemas/";
                if (!ref || strncmp(ref, prefix, strlen(prefix)) ||
                    !schema_of(doc, ref + strlen(prefix))) {
                    fprintf(stderr, "\n  dangling $ref %s", ref ? ref : "(null)");
                    bad_refs++;
                }
            } else {
                check_refs(doc, c, depth + 1);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            check_refs(doc, c, depth + 1);
        }
    }
}

static void test_root(void)
{
    json_t *root = sk_openapi_root();
    json_t *paths = json_object_get(root, "paths");
    CU_ASSERT_EQUAL(json_object_size(paths), 4);
    const char *url = json_string_value(
        json_object_get(json_object_get(paths, "apis/apps/v1"), "serverRelativeURL"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(url);
    json_t *doc = sk_openapi_document("apps", "v1");
    char hash[17], want[128];
    sk_openapi_hash(doc, hash);
    snprintf(want, sizeof want, "/openapi/v3/apis/apps/v1?hash=%s", hash);
    CU_ASSERT_STRING_EQUAL(url, want);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(paths, "api/v1"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(paths, "apis/coordination.k8s.io/v1"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(paths, "apis/discovery.k8s.io/v1"));
    json_decref(doc);
    json_decref(root);
    CU_ASSERT_PTR_NULL(sk_openapi_document("batch", "v1"));
    CU_ASSERT_PTR_NULL(sk_openapi_document("apps", "v2"));
}

static void test_apps_document(void)
{
    json_t *doc = sk_openapi_document("apps", "v1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "openapi")), "3.0.0");
    CU_ASSERT(patch_validates(get_path(doc, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"),
                              "apps", "v1", "Deployment"));
    CU_ASSERT(patch_validates(get_path(doc, "/apis/apps/v1/namespaces/{namespace}/replicasets/{name}"),
                              "apps", "v1", "ReplicaSet"));
    CU_ASSERT(patch_validates(
        get_path(doc, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"),
        "autoscaling", "v1", "Scale"));
    json_t *list = json_object_get(get_path(doc, "/apis/apps/v1/deployments"), "get");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(list, "x-kubernetes-action")), "list");
    CU_ASSERT_PTR_NULL(json_object_get(get_path(doc, "/apis/apps/v1/deployments"), "post"));
    json_t *d = schema_of(doc, "io.k8s.api.apps.v1.Deployment");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    TJ_EQ(json_object_get(d, "x-kubernetes-group-version-kind"),
          "[{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"}]");
    json_t *spec = json_object_get(json_object_get(d, "properties"), "spec");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(spec, "allOf"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(spec, "description"));
    json_t *ds = schema_of(doc, "io.k8s.api.apps.v1.DeploymentSpec");
    TJ_EQ(json_object_get(ds, "required"), "[\"selector\",\"template\"]");
    json_t *strategy = json_object_get(json_object_get(ds, "properties"), "strategy");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(strategy,
                                                             "x-kubernetes-patch-strategy")),
                           "retainKeys");
    CU_ASSERT_PTR_NOT_NULL(schema_of(doc, "io.k8s.api.autoscaling.v1.Scale"));
    CU_ASSERT_PTR_NOT_NULL(schema_of(doc, "io.k8s.api.apps.v1.DeploymentList"));
    CU_ASSERT_PTR_NOT_NULL(schema_of(doc, "io.k8s.api.core.v1.PodSpec"));
    bad_refs = 0;
    check_refs(doc, doc, 0);
    CU_ASSERT_EQUAL(bad_refs, 0);
    json_decref(doc);
}

static void test_core_document(void)
{
    json_t *doc = sk_openapi_document("", "v1");
    CU_ASSERT(patch_validates(get_path(doc, "/api/v1/namespaces/{namespace}/pods/{name}"), "",
                              "v1", "Pod"));
    CU_ASSERT(patch_validates(get_path(doc, "/api/v1/nodes/{name}"), "", "v1", "Node"));
    CU_ASSERT(patch_validates(get_path(doc, "/api/v1/namespaces/{name}"), "", "v1", "Namespace"));
    CU_ASSERT(patch_validates(get_path(doc, "/api/v1/namespaces/{namespace}/services/{name}/status"),
                              "", "v1", "Service"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(get_path(doc, "/api/v1/namespaces/{namespace}/pods/{name}/log"),
                                           "get"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(
        get_path(doc, "/api/v1/namespaces/{namespace}/pods/{name}/eviction"), "post"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(get_path(doc, "/api/v1/pods"), "get"));
    CU_ASSERT_PTR_NULL(get_path(doc, "/api/v1/namespaces/{namespace}/nodes"));
    json_t *ps = schema_of(doc, "io.k8s.api.core.v1.PodSpec");
    json_t *containers = json_object_get(json_object_get(ps, "properties"), "containers");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(containers,
                                                             "x-kubernetes-patch-merge-key")),
                           "name");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(containers, "type")), "array");
    json_t *c = schema_of(doc, "io.k8s.api.core.v1.Container");
    json_t *image = json_object_get(json_object_get(c, "properties"), "image");
    CU_ASSERT(json_string_length(json_object_get(image, "description")) > 10);
    json_t *rp = json_object_get(json_object_get(ps, "properties"), "restartPolicy");
    TJ_EQ(json_object_get(rp, "enum"), "[\"Always\",\"OnFailure\",\"Never\"]");
    json_t *pod = schema_of(doc, "io.k8s.api.core.v1.Pod");
    TJ_EQ(json_object_get(pod, "x-kubernetes-group-version-kind"),
          "[{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}]");
    json_t *ev = schema_of(doc, "io.k8s.api.policy.v1.Eviction");
    TJ_EQ(json_object_get(ev, "x-kubernetes-group-version-kind"),
          "[{\"group\":\"policy\",\"version\":\"v1\",\"kind\":\"Eviction\"}]");
    bad_refs = 0;
    check_refs(doc, doc, 0);
    CU_ASSERT_EQUAL(bad_refs, 0);
    /* operation ids are unique */
    const char *path;
    json_t *item;
    const char *ids[1024];
    size_t n = 0, dup = 0;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *m;
        json_t *op;
        json_object_foreach(item, m, op)
        {
            const char *id = json_string_value(json_object_get(op, "operationId"));
            if (!id)
                continue;
            for (size_t i = 0; i < n; i++)
                dup += strcmp(ids[i], id) == 0;
            if (n < 1024)
                ids[n++] = id;
        }
    }
    CU_ASSERT_EQUAL(dup, 0);
    CU_ASSERT(n > 40);
    json_decref(doc);
}

int main(void)
{
    static const tcase cases[] = {
        {"root", test_root},
        {"apps_document", test_apps_document},
        {"core_document", test_core_document},
        {NULL, NULL},
    };
    return trun("apiserver-openapi", cases);
}
