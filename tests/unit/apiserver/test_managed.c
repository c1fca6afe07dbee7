/* managedFields (server-side apply bookkeeping), unknown-field pruning
 * under fieldValidation Ignore/Warn, Secret stringData and status that is
 * never required. */
#include <stdlib.h>
#include <string.h>

#include "jutil.h"
#include "managed_fields.h"
#include "test_util.h"
#include "validate.h"

static const sk_resource *res(const char *group, const char *plural)
{
    const sk_resource *r = sk_registry_find(group, "v1", plural);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

static void test_fieldset_of_applied(void)
{
    json_t *d = tj("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                   "\"metadata\":{\"name\":\"web\",\"namespace\":\"x\",\"labels\":{\"app\":\"web\"}},"
                   "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                   "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
                   "\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\","
                   "\"ports\":[{\"containerPort\":80}]}]}}},"
                   "\"status\":{\"replicas\":1}}");
    json_t *set = sk_fieldset_of(d, res("apps", "deployments")->schema, NULL);
    TJ_EQ(set, "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},"
               "\"f:spec\":{\"f:replicas\":{},\"f:selector\":{},"
               "\"f:template\":{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},"
               "\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},"
               "\"f:image\":{},\"f:name\":{},\"f:ports\":{"
               "\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
               "\"f:containerPort\":{}}}}}}}}}");
    json_decref(set);
    json_decref(d);
}

static void test_fieldset_changed(void)
{
    const sk_schema *s = res("", "configmaps")->schema;
    json_t *old = tj("{\"metadata\":{\"name\":\"c\",\"labels\":{\"a\":\"1\"}},"
                     "\"data\":{\"x\":\"1\",\"y\":\"2\"}}");
    json_t *now = tj("{\"metadata\":{\"name\":\"c\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},"
                     "\"annotations\":{\"n\":\"v\"},\"finalizers\":[\"f1\"]},"
                     "\"data\":{\"x\":\"1\",\"y\":\"3\"}}");
    json_t *set = sk_fieldset_changed(old, now, s, NULL);
    TJ_EQ(set, "{\"f:data\":{\"f:y\":{}},\"f:metadata\":{\"f:annotations\":{\".\":{},"
               "\"f:n\":{}},\"f:finalizers\":{\".\":{},\"v:\\\"f1\\\"\":{}},"
               "\"f:labels\":{\"f:b\":{}}}}");
    json_decref(set);
    /* a create: everything, with "." for maps */
    set = sk_fieldset_changed(NULL, old, s, NULL);
    TJ_EQ(set, "{\"f:data\":{\".\":{},\"f:x\":{},\"f:y\":{}},"
               "\"f:metadata\":{\"f:labels\":{\".\":{},\"f:a\":{}}}}");
    json_t *y = tj("{\"f:data\":{\"f:y\":{}}}");
    json_t *paths = sk_fieldset_intersect_paths(set, y);
    TJ_EQ(paths, "[\".data.y\"]");
    json_decref(paths);
    json_decref(y);
    json_t *xy = tj("{\"f:data\":{\"f:x\":{},\"f:y\":{}}}");
    sk_fieldset_subtract(set, xy);
    json_decref(xy);
    TJ_EQ(set, "{\"f:data\":{\".\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:a\":{}}}}");
    json_decref(set);
    json_decref(old);
    json_decref(now);
}

static json_t *entry(const json_t *obj, size_t i)
{
    return json_array_get(sk_jget(obj, "metadata.managedFields"), i);
}

static void test_record_entries(void)
{
    const sk_schema *s = res("", "configmaps")->schema;
    json_t *applied = tj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                         "\"c\"},\"data\":{\"color\":\"blue\"}}");
    json_t *obj = json_deep_copy(applied);
    sk_managed_write w = {.manager = "kubectl", .apply = true, .api_version = "v1",
                          .now = "2026-01-01T00:00:00Z", .applied = applied};
    json_t *cf = NULL;
    CU_ASSERT_EQUAL(sk_managed_fields_record(obj, NULL, s, &w, &cf), 0);
    TJ_EQ(sk_jget(obj, "metadata.managedFields"),
          "[{\"manager\":\"kubectl\",\"operation\":\"Apply\",\"apiVersion\":\"v1\","
          "\"time\":\"2026-01-01T00:00:00Z\",\"fieldsType\":\"FieldsV1\","
          "\"fieldsV1\":{\"f:data\":{\"f:color\":{}}}}]");

    /* another manager changes color with an update: it takes the field */
    json_t *upd = json_deep_copy(obj);
    json_object_set_new(sk_jobj(upd, "data"), "color", json_string("red"));
    sk_managed_write u = {.manager = "kubectl-edit", .api_version = "v1",
                          .now = "2026-01-01T00:01:00Z"};
    CU_ASSERT_EQUAL(sk_managed_fields_record(upd, obj, s, &u, &cf), 0);
    CU_ASSERT_EQUAL(json_array_size(sk_jget(upd, "metadata.managedFields")), 1);
    CU_ASSERT_STRING_EQUAL(sk_jstr(entry(upd, 0), "manager"), "kubectl-edit");
    CU_ASSERT_STRING_EQUAL(sk_jstr(entry(upd, 0), "operation"), "Update");
    TJ_EQ(json_object_get(entry(upd, 0), "fieldsV1"), "{\"f:data\":{\"f:color\":{}}}");

    /* applying blue again conflicts with kubectl-edit, unless forced */
    json_t *again = json_deep_copy(upd);
    json_object_set_new(sk_jobj(again, "data"), "color", json_string("blue"));
    CU_ASSERT_EQUAL(sk_managed_fields_record(again, upd, s, &w, &cf), -1);
    TJ_EQ(cf, "[{\"manager\":\"kubectl-edit\",\"apiVersion\":\"v1\",\"field\":\".data.color\"}]");
    json_decref(cf);
    w.force = true;
    CU_ASSERT_EQUAL(sk_managed_fields_record(again, upd, s, &w, &cf), 0);
    CU_ASSERT_EQUAL(json_array_size(sk_jget(again, "metadata.managedFields")), 1);
    CU_ASSERT_STRING_EQUAL(sk_jstr(entry(again, 0), "manager"), "kubectl");

    /* an update that changes nothing leaves the entries alone; no manager
     * keeps the old ones */
    json_t *same = json_deep_copy(again);
    CU_ASSERT_EQUAL(sk_managed_fields_record(same, again, s, &u, &cf), 0);
    CU_ASSERT(json_equal(sk_jget(same, "metadata.managedFields"),
                         sk_jget(again, "metadata.managedFields")));
    json_object_del(sk_jobj(same, "metadata"), "managedFields");
    sk_managed_write none = {.api_version = "v1", .now = "x"};
    CU_ASSERT_EQUAL(sk_managed_fields_record(same, again, s, &none, &cf), 0);
    CU_ASSERT_EQUAL(json_array_size(sk_jget(same, "metadata.managedFields")), 1);
    json_decref(same);
    json_decref(again);
    json_decref(upd);
    json_decref(obj);
    json_decref(applied);
}

static void test_last_applied_takeover(void)
{
    /* kubectl --server-side may take over what client-side apply set */
    const sk_schema *s = res("", "configmaps")->schema;
    json_t *old = tj("{\"metadata\":{\"name\":\"c\",\"annotations\":{"
                     "\"kubectl.kubernetes.io/last-applied-configuration\":"
                     "\"{\\\"data\\\":{\\\"color\\\":\\\"blue\\\"}}\"},"
                     "\"managedFields\":[{\"manager\":\"kubectl-client-side-apply\","
                     "\"operation\":\"Update\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\","
                     "\"fieldsV1\":{\"f:data\":{\".\":{},\"f:color\":{}}}}]},"
                     "\"data\":{\"color\":\"blue\"}}");
    json_t *applied = tj("{\"metadata\":{\"name\":\"c\"},\"data\":{\"color\":\"red\"}}");
    json_t *now = json_deep_copy(old);
    json_object_set_new(sk_jobj(now, "data"), "color", json_string("red"));
    sk_managed_write w = {.manager = "kubectl", .apply = true, .api_version = "v1",
                          .now = "t", .applied = applied};
    json_t *cf = NULL;
    CU_ASSERT_EQUAL(sk_managed_fields_record(now, old, s, &w, &cf), 0);
    CU_ASSERT_EQUAL(json_array_size(sk_jget(now, "metadata.managedFields")), 2);
    /* another manager name gets the conflict */
    w.manager = "other";
    CU_ASSERT_EQUAL(sk_managed_fields_record(now, old, s, &w, &cf), -1);
    json_decref(cf);
    json_decref(now);
    json_decref(applied);
    json_decref(old);
}

static void test_prune_unknown(void)
{
    json_t *pod = tj("{\"metadata\":{\"name\":\"p\",\"bogus\":1},\"spec\":{\"containers\":"
                     "[{\"name\":\"c\",\"image\":\"i\",\"imagee\":\"x\"}]},\"dataa\":{}}");
    sk_causes c;
    sk_causes_init(&c);
    sk_schema_prune(pod, res("", "pods")->schema, &c);
    CU_ASSERT_EQUAL(c.n, 3);
    CU_ASSERT_PTR_NULL(json_object_get(pod, "dataa"));
    CU_ASSERT_PTR_NULL(sk_jget(pod, "metadata.bogus"));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(sk_jget(pod, "spec.containers"), 0),
                                       "imagee"));
    bool seen = false;
    for (size_t i = 0; i < c.n; i++)
        seen = seen || strcmp(c.v[i].message, "unknown field \"spec.containers[0].imagee\"") == 0;
    CU_ASSERT(seen);
    sk_causes_free(&c);
    json_decref(pod);
}

static void test_secret_string_data(void)
{
    const sk_resource *r = res("", "secrets");
    json_t *s = tj("{\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"eA==\",\"b\":\"eA==\"},"
                   "\"stringData\":{\"b\":\"hello\",\"c\":\"\"}}");
    sk_apply_defaults(r, s);
    TJ_EQ(s, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"eA==\",\"b\":\"aGVsbG8=\","
             "\"c\":\"\"},\"type\":\"Opaque\"}");
    json_decref(s);
}

static void test_status_never_required(void)
{
    sk_causes c;
    sk_causes_init(&c);
    json_t *rs = tj("{\"metadata\":{\"name\":\"r\",\"namespace\":\"d\"},\"spec\":{\"selector\":"
                    "{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":"
                    "{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}},"
                    "\"status\":{}}");
    const sk_resource *r = res("apps", "replicasets");
    sk_apply_defaults(r, rs);
    CU_ASSERT_EQUAL(sk_jint(rs, "status.replicas", -1), 0);
    json_object_set_new(rs, "status", json_object()); /* even without the default */
    sk_validate_create(r, rs, &c);
    CU_ASSERT_EQUAL(c.n, 0);
    sk_causes_free(&c);
    /* a node status written by a kubelet that leaves out nodeInfo fields */
    sk_causes_init(&c);
    json_t *node = tj("{\"metadata\":{\"name\":\"n\"},\"status\":{\"nodeInfo\":"
                      "{\"kubeletVersion\":\"v1.33.1\"},\"conditions\":[{\"type\":\"Ready\"}]}}");
    sk_validate_create(res("", "nodes"), node, &c);
    CU_ASSERT_EQUAL(c.n, 0);
    sk_causes_free(&c);
    json_decref(node);
    json_decref(rs);
}

static void test_apply_removes_unapplied(void)
{
    const sk_schema *s = res("", "configmaps")->schema;
    json_t *v1 = tj("{\"metadata\":{\"name\":\"c\",\"labels\":{\"x\":\"1\"}},"
                    "\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
    json_t *obj = json_deep_copy(v1);
    sk_managed_write w = {.manager = "kubectl", .apply = true, .api_version = "v1",
                          .now = "t", .applied = v1};
    CU_ASSERT_EQUAL(sk_managed_fields_record(obj, NULL, s, &w, NULL), 0);
    /* someone else adds c */
    json_t *upd = json_deep_copy(obj);
    json_object_set_new(sk_jobj(upd, "data"), "c", json_string("3"));
    sk_managed_write u = {.manager = "editor", .api_version = "v1", .now = "t"};
    CU_ASSERT_EQUAL(sk_managed_fields_record(upd, obj, s, &u, NULL), 0);
    /* applying without b and without the label: b and the labels go, c stays */
    json_t *v2 = tj("{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}");
    json_t *cur = json_deep_copy(upd);
    sk_managed_remove_unapplied(cur, upd, s, "kubectl", v2, NULL);
    TJ_EQ(json_object_get(cur, "data"), "{\"a\":\"1\",\"c\":\"3\"}");
    CU_ASSERT_PTR_NULL(sk_jget(cur, "metadata.labels"));
    json_decref(cur);
    json_decref(v2);
    json_decref(upd);
    json_decref(obj);
    json_decref(v1);

    /* keyed lists: a container left out goes, one kept loses a field */
    const sk_schema *ds = res("apps", "deployments")->schema;
    json_t *d1 = tj("{\"spec\":{\"template\":{\"spec\":{\"containers\":["
                    "{\"name\":\"a\",\"image\":\"x\",\"args\":[\"1\"]},"
                    "{\"name\":\"b\",\"image\":\"y\"}]}}}}");
    json_t *live = json_deep_copy(d1);
    json_object_set_new(sk_jobj(live, "metadata"), "name", json_string("d"));
    w.applied = d1;
    CU_ASSERT_EQUAL(sk_managed_fields_record(live, NULL, ds, &w, NULL), 0);
    json_t *d2 = tj("{\"spec\":{\"template\":{\"spec\":{\"containers\":["
                    "{\"name\":\"a\",\"image\":\"x\"}]}}}}");
    json_t *c2 = json_deep_copy(live);
    sk_managed_remove_unapplied(c2, live, ds, "kubectl", d2, NULL);
    TJ_EQ(sk_jget(c2, "spec.template.spec.containers"), "[{\"name\":\"a\",\"image\":\"x\"}]");
    json_decref(c2);
    /* when another manager changed b's image, b stays with it */
    json_t *ed = json_deep_copy(live);
    json_object_set_new(json_array_get(sk_jget(ed, "spec.template.spec.containers"), 1), "image",
                        json_string("z"));
    CU_ASSERT_EQUAL(sk_managed_fields_record(ed, live, ds, &u, NULL), 0);
    c2 = json_deep_copy(ed);
    sk_managed_remove_unapplied(c2, ed, ds, "kubectl", d2, NULL);
    TJ_EQ(sk_jget(c2, "spec.template.spec.containers"),
          "[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"z\"}]");
    json_decref(c2);
    json_decref(ed);
    json_decref(d2);
    json_decref(live);
    json_decref(d1);
}

int main(void)
{
    static const tcase cases[] = {
        {"fieldset_of_applied", test_fieldset_of_applied},
        {"fieldset_changed", test_fieldset_changed},
        {"record_entries", test_record_entries},
        {"last_applied_takeover", test_last_applied_takeover},
        {"apply_removes_unapplied", test_apply_removes_unapplied},
        {"prune_unknown", test_prune_unknown},
        {"secret_string_data", test_secret_string_data},
        {"status_never_required", test_status_never_required},
        {NULL, NULL},
    };
    return trun("apiserver-managed", cases);
}
