/* Discovery documents and Accept negotiation. */
#include <string.h>

#include "discovery.h"
#include "query_params.h"
#include "test_util.h"

static const char *kubectl133 =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
static const char *kubectl127 =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";

static json_t *find_by(json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && strcmp(s, value) == 0)
            return v;
    }
    return NULL;
}

static void test_negotiate(void)
{
    CU_ASSERT_EQUAL(sk_discovery_negotiate(kubectl133), SK_DISC_V2);
    CU_ASSERT_EQUAL(sk_discovery_negotiate(kubectl127), SK_DISC_V2BETA1);
    CU_ASSERT_EQUAL(sk_discovery_negotiate("application/json"), SK_DISC_LEGACY);
    CU_ASSERT_EQUAL(sk_discovery_negotiate(NULL), SK_DISC_LEGACY);
    CU_ASSERT_EQUAL(sk_discovery_negotiate("application/json; g=apidiscovery.k8s.io ; "
                                           "v=v2;as=APIGroupDiscoveryList;q=0"),
                    SK_DISC_LEGACY);
    CU_ASSERT_STRING_EQUAL(sk_discovery_content_type(SK_DISC_V2),
                           "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    CU_ASSERT_STRING_EQUAL(sk_discovery_content_type(SK_DISC_V2BETA1),
                           "application/json;g=apidiscovery.k8s.io;v=v2beta1;as="
                           "APIGroupDiscoveryList");
    const char *table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;"
                        "v=v1beta1;g=meta.k8s.io,application/json";
    CU_ASSERT_EQUAL(sk_table_negotiate(table), SK_TABLE_V1);
    CU_ASSERT_EQUAL(sk_table_negotiate("application/json"), SK_TABLE_NONE);
    CU_ASSERT_EQUAL(sk_table_negotiate("application/vnd.kubernetes.protobuf,application/json"),
                    SK_TABLE_NONE);
    CU_ASSERT(sk_accept_has("*/*", NULL, NULL, NULL));
}

static void test_legacy_roots(void)
{
    json_t *api = sk_discovery_api_versions("127.0.0.1:6443");
    TJ_EQ(api, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
               "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:6443\"}]}");
    json_decref(api);

    json_t *apis = sk_discovery_group_list();
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(apis, "kind")), "APIGroupList");
    json_t *apps = find_by(json_object_get(apis, "groups"), "name", "apps");
    TJ_EQ(apps, "{\"name\":\"apps\",\"versions\":[{\"groupVersion\":\"apps/v1\",\"version\":"
                "\"v1\"}],\"preferredVersion\":{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}");
    CU_ASSERT_PTR_NOT_NULL(find_by(json_object_get(apis, "groups"), "name", "coordination.k8s.io"));
    CU_ASSERT_PTR_NOT_NULL(find_by(json_object_get(apis, "groups"), "name", "discovery.k8s.io"));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(apis, "groups")), 3);
    json_decref(apis);

    json_t *g = sk_discovery_group("apps");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(g, "kind")), "APIGroup");
    json_decref(g);
    CU_ASSERT_PTR_NULL(sk_discovery_group("batch"));
    CU_ASSERT_PTR_NULL(sk_discovery_group(""));
}

static void test_resource_list(void)
{
    json_t *l = sk_discovery_resource_list("", "v1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "groupVersion")), "v1");
    json_t *res = json_object_get(l, "resources");
    TJ_EQ(find_by(res, "name", "pods"),
          "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
          "\"verbs\":[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\","
          "\"update\",\"watch\"],\"shortNames\":[\"po\"],\"categories\":[\"all\"]}");
    TJ_EQ(find_by(res, "name", "pods/log"),
          "{\"name\":\"pods/log\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"Pod\","
          "\"verbs\":[\"get\"]}");
    TJ_EQ(find_by(res, "name", "pods/eviction"),
          "{\"name\":\"pods/eviction\",\"singularName\":\"\",\"namespaced\":true,\"group\":"
          "\"policy\",\"version\":\"v1\",\"kind\":\"Eviction\",\"verbs\":[\"create\"]}");
    json_t *ns = find_by(res, "name", "namespaces");
    CU_ASSERT(json_is_false(json_object_get(ns, "namespaced")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(ns, "verbs")), 7);
    CU_ASSERT_PTR_NULL(json_object_get(find_by(res, "name", "secrets"), "shortNames"));
    CU_ASSERT_PTR_NULL(find_by(res, "name", "deployments"));
    json_decref(l);

    l = sk_discovery_resource_list("apps", "v1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "groupVersion")), "apps/v1");
    TJ_EQ(find_by(json_object_get(l, "resources"), "name", "deployments/scale"),
          "{\"name\":\"deployments/scale\",\"singularName\":\"\",\"namespaced\":true,\"group\":"
          "\"autoscaling\",\"version\":\"v1\",\"kind\":\"Scale\",\"verbs\":[\"get\",\"patch\","
          "\"update\"]}");
    json_decref(l);
    CU_ASSERT_PTR_NULL(sk_discovery_resource_list("apps", "v2"));
    CU_ASSERT_PTR_NULL(sk_discovery_resource_list("batch", "v1"));
}

static void test_aggregated(void)
{
    json_t *core = sk_discovery_aggregated(1, SK_DISC_V2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(core, "apiVersion")),
                           "apidiscovery.k8s.io/v2");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(core, "kind")),
                           "APIGroupDiscoveryList");
    json_t *items = json_object_get(core, "items");
    CU_ASSERT_EQUAL(json_array_size(items), 1);
    json_t *item = json_array_get(items, 0);
    TJ_EQ(json_object_get(item, "metadata"), "{\"creationTimestamp\":null}");
    json_t *v1 = json_array_get(json_object_get(item, "versions"), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v1, "freshness")), "Current");
    json_t *pods = find_by(json_object_get(v1, "resources"), "resource", "pods");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pods);
    TJ_EQ(json_object_get(pods, "responseKind"),
          "{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pods, "scope")), "Namespaced");
    TJ_EQ(json_object_get(pods, "shortNames"), "[\"po\"]");
    TJ_EQ(find_by(json_object_get(pods, "subresources"), "subresource", "log"),
          "{\"subresource\":\"log\",\"responseKind\":{\"group\":\"\",\"version\":\"v1\","
          "\"kind\":\"Pod\"},\"verbs\":[\"get\"]}");
    json_t *nodes = find_by(json_object_get(v1, "resources"), "resource", "nodes");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(nodes, "scope")), "Cluster");
    json_decref(core);

    json_t *apis = sk_discovery_aggregated(0, SK_DISC_V2BETA1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(apis, "apiVersion")),
                           "apidiscovery.k8s.io/v2beta1");
    items = json_object_get(apis, "items");
    CU_ASSERT_EQUAL(json_array_size(items), 3);
    item = json_array_get(items, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(item, "metadata"),
                                                             "name")),
                           "apps");
    json_t *deploy = find_by(json_object_get(json_array_get(json_object_get(item, "versions"), 0),
                                             "resources"),
                             "resource", "deployments");
    TJ_EQ(json_object_get(find_by(json_object_get(deploy, "subresources"), "subresource", "scale"),
                          "responseKind"),
          "{\"group\":\"autoscaling\",\"version\":\"v1\",\"kind\":\"Scale\"}");
    TJ_EQ(json_object_get(deploy, "categories"), "[\"all\"]");
    json_decref(apis);
    CU_ASSERT_PTR_NULL(sk_discovery_aggregated(1, SK_DISC_LEGACY));
}

static void test_query_params(void)
{
    bool b = false;
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(sk_parse_bool("watch", yes[i], &b, NULL), 0);
        CU_ASSERT(b);
    }
    CU_ASSERT_EQUAL(sk_parse_bool("watch", "False", &b, NULL), 0);
    CU_ASSERT_FALSE(b);
    sk_apierr err;
    CU_ASSERT_NOT_EQUAL(sk_parse_bool("watch", "yes", &b, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "watch"));
    CU_ASSERT_NOT_EQUAL(sk_parse_bool("watch", NULL, &b, &err), 0);
    int64_t v = 0;
    CU_ASSERT_EQUAL(sk_parse_int("limit", "500", 0, 1000000, &v, NULL), 0);
    CU_ASSERT_EQUAL(v, 500);
    CU_ASSERT_NOT_EQUAL(sk_parse_int("limit", "-1", 0, 10, &v, &err), 0);
    CU_ASSERT_NOT_EQUAL(sk_parse_int("limit", "5x", 0, 10, &v, &err), 0);
    CU_ASSERT_NOT_EQUAL(sk_parse_int("limit", "99999999999999999999", 0, 10, &v, &err), 0);
    CU_ASSERT_NOT_EQUAL(sk_parse_int("limit", "", 0, 10, &v, &err), 0);
    CU_ASSERT_NOT_EQUAL(sk_parse_int("limit", " 5", 0, 10, &v, &err), 0);
}

int main(void)
{
    static const tcase cases[] = {
        {"negotiate", test_negotiate},
        {"legacy_roots", test_legacy_roots},
        {"resource_list", test_resource_list},
        {"aggregated", test_aggregated},
        {"query_params", test_query_params},
        {NULL, NULL},
    };
    return trun("apiserver-discovery", cases);
}
