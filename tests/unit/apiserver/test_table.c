/* Table rendering and the printer cells behind it. */
#include <string.h>

#include "k8s_time.h"
#include "table.h"
#include "test_util.h"

/* 2025-01-10T00:00:00Z */
#define NOW 1736467200

static const sk_resource *res(const char *group, const char *plural)
{
    const sk_resource *r = sk_registry_find(group, "v1", plural);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

/* The cells of obj (a JSON literal) rendered for r, compared with expect. */
static void row_is(const sk_resource *r, const char *obj, const char *expect)
{
    json_t *o = tj(obj);
    sk_table_opts opts = {.now = NOW, .include = SK_INCLUDE_NONE};
    json_t *row = sk_table_row(r, o, &opts);
    TJ_EQ(json_object_get(row, "cells"), expect);
    json_decref(row);
    json_decref(o);
}

static void test_durations(void)
{
    static const struct {
        int64_t s;
        const char *text;
    } cases[] = {
        {-5, "<invalid>"}, {-1, "0s"},         {0, "0s"},          {119, "119s"},
        {125, "2m5s"},     {600, "10m"},       {179 * 60, "179m"}, {3 * 3600, "3h"},
        {12600, "3h30m"},  {8 * 3600, "8h"},   {50 * 3600, "2d2h"}, {4 * 86400, "4d"},
        {10 * 86400, "10d"}, {800 * 86400LL, "2y70d"}, {730 * 86400LL, "2y"},
        {3000 * 86400LL, "8y"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_human_duration(cases[i].s, buf, sizeof buf);
        if (strcmp(buf, cases[i].text))
            fprintf(stderr, "\n  %lld s: %s, want %s", (long long)cases[i].s, buf, cases[i].text);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].text);
    }
    int64_t t;
    CU_ASSERT(sk_time_parse("2025-01-10T00:00:00Z", &t));
    CU_ASSERT_EQUAL(t, NOW);
    CU_ASSERT(sk_time_parse("2025-01-10T01:00:00.123456+01:00", &t));
    CU_ASSERT_EQUAL(t, NOW);
    CU_ASSERT_FALSE(sk_time_parse("2025-01-10 00:00:00Z", &t));
    CU_ASSERT_FALSE(sk_time_parse("2025-13-10T00:00:00Z", &t));
    sk_time_format(NOW, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2025-01-10T00:00:00Z");
    sk_time_format(951782400, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2000-02-29T00:00:00Z");
    sk_age(NULL, NOW, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "<unknown>");
}

#define META(extra) "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"," \
                    "\"creationTimestamp\":\"2025-01-09T23:55:00Z\"" extra "}"

static void test_pod_rows(void)
{
    const sk_resource *pods = res("", "pods");
    row_is(pods,
           "{" META("") ",\"spec\":{\"nodeName\":\"node1\",\"containers\":[{\"name\":\"c\"}]},"
           "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.5\",\"podIPs\":[{\"ip\":"
           "\"10.0.0.5\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
           "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"restartCount\":0,\"state\":"
           "{\"running\":{}}}]}}",
           "[\"web\",\"1/1\",\"Running\",\"0\",\"5m\",\"10.0.0.5\",\"node1\",\"<none>\","
           "\"<none>\"]");
    row_is(pods,
           "{" META("") ",\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"d\"}]},"
           "\"status\":{\"phase\":\"Pending\"}}",
           "[\"web\",\"0/2\",\"Pending\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
           "\"<none>\"]");
    row_is(pods,
           "{" META("") ",\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":"
           "\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,\"restartCount\":3,"
           "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},\"lastState\":{\"terminated\":"
           "{\"exitCode\":1,\"finishedAt\":\"2025-01-09T23:58:00Z\"}}}]}}",
           "[\"web\",\"0/1\",\"CrashLoopBackOff\",\"3 (2m ago)\",\"5m\",\"<none>\",\"<none>\","
           "\"<none>\",\"<none>\"]");
    row_is(pods,
           "{" META("") ",\"spec\":{\"initContainers\":[{\"name\":\"i\"}],\"containers\":[{\"name\""
           ":\"c\"}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":\"i\","
           "\"ready\":false,\"restartCount\":0,\"state\":{\"running\":{}}}],\"containerStatuses\":"
           "[{\"name\":\"c\",\"ready\":false,\"restartCount\":0,\"state\":{\"waiting\":{\"reason\":"
           "\"PodInitializing\"}}}]}}",
           "[\"web\",\"0/1\",\"Init:0/1\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
           "\"<none>\"]");
    row_is(pods,
           "{" META("") ",\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":"
           "\"Succeeded\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,\"restartCount\":0,"
           "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}}",
           "[\"web\",\"0/1\",\"Completed\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
           "\"<none>\"]");
    row_is(pods,
           "{" META(",\"deletionTimestamp\":\"2025-01-10T00:00:30Z\"") ",\"spec\":{\"containers\":"
           "[{\"name\":\"c\"}],\"readinessGates\":[{\"conditionType\":\"x/ok\"}]},\"status\":{"
           "\"phase\":\"Running\",\"conditions\":[{\"type\":\"x/ok\",\"status\":\"True\"}],"
           "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"restartCount\":0,\"state\":"
           "{\"running\":{}}}]}}",
           "[\"web\",\"1/1\",\"Terminating\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
           "\"1/1\"]");
    row_is(pods,
           "{" META("") ",\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":"
           "\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,\"restartCount\":0,"
           "\"state\":{\"terminated\":{\"exitCode\":137,\"signal\":9}}}]}}",
           "[\"web\",\"0/1\",\"Signal:9\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
           "\"<none>\"]");
}

static void test_table_shape(void)
{
    const sk_resource *pods = res("", "pods");
    json_t *objs[2] = {
        tj("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"," META(",\"labels\":{\"app\":\"w\"}")
           ",\"spec\":{\"containers\":[]}}"),
        tj("{" META("") "}"),
    };
    sk_table_opts o = {.now = NOW, .resource_version = "104", .continue_token = "abc"};
    json_t *t = sk_table_render(pods, objs, 2, &o);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "kind")), "Table");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "apiVersion")), "meta.k8s.io/v1");
    TJ_EQ(json_object_get(t, "metadata"), "{\"resourceVersion\":\"104\",\"continue\":\"abc\"}");
    json_t *cols = json_object_get(t, "columnDefinitions");
    CU_ASSERT_EQUAL(json_array_size(cols), 9);
    static const char *const names[] = {"Name", "Ready", "Status", "Restarts", "Age", "IP",
                                        "Node", "Nominated Node", "Readiness Gates"};
    for (size_t i = 0; i < 9; i++) {
        json_t *c = json_array_get(cols, i);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "name")), names[i]);
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "priority")), i < 5 ? 0 : 1);
    }
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(cols, 0), "format")),
                           "name");
    json_t *row = json_array_get(json_object_get(t, "rows"), 0);
    TJ_EQ(json_object_get(row, "object"),
          "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":"
          "{\"name\":\"web\",\"namespace\":\"default\",\"creationTimestamp\":"
          "\"2025-01-09T23:55:00Z\",\"labels\":{\"app\":\"w\"}}}");
    json_decref(t);

    o.include = SK_INCLUDE_OBJECT;
    o.no_headers = true;
    o.format = SK_TABLE_V1BETA1;
    t = sk_table_render(pods, objs, 2, &o);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(t, "columnDefinitions")), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "apiVersion")),
                           "meta.k8s.io/v1beta1");
    json_t *full = json_object_get(json_array_get(json_object_get(t, "rows"), 1), "object");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(full, "kind")), "Pod");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(full, "apiVersion")), "v1");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(full, "metadata"));
    json_decref(t);

    o.include = SK_INCLUDE_NONE;
    t = sk_table_render(pods, NULL, 0, &o);
    TJ_EQ(json_object_get(t, "rows"), "[]");
    json_decref(t);
    json_decref(objs[0]);
    json_decref(objs[1]);

    sk_include_object inc;
    CU_ASSERT_EQUAL(sk_table_include_parse("Object", &inc, NULL), 0);
    CU_ASSERT_EQUAL(inc, SK_INCLUDE_OBJECT);
    CU_ASSERT_EQUAL(sk_table_include_parse(NULL, &inc, NULL), 0);
    CU_ASSERT_EQUAL(inc, SK_INCLUDE_METADATA);
    CU_ASSERT_NOT_EQUAL(sk_table_include_parse("All", &inc, NULL), 0);
}

static void test_workload_rows(void)
{
    row_is(res("apps", "deployments"),
           "{" META("") ",\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
           "\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.27\"},"
           "{\"name\":\"log\",\"image\":\"busybox\"}]}}},\"status\":{\"readyReplicas\":2,"
           "\"updatedReplicas\":3,\"availableReplicas\":2}}",
           "[\"web\",\"2/3\",3,2,\"5m\",\"nginx,log\",\"nginx:1.27,busybox\",\"app=web\"]");
    row_is(res("apps", "deployments"), "{" META("") "}",
           "[\"web\",\"0/0\",0,0,\"5m\",\"\",\"\",\"<none>\"]");
    row_is(res("apps", "replicasets"),
           "{" META("") ",\"spec\":{\"replicas\":2,\"selector\":{\"matchExpressions\":[{\"key\":"
           "\"tier\",\"operator\":\"In\",\"values\":[\"b\",\"a\"]}]},\"template\":{\"spec\":{"
           "\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}},\"status\":{\"replicas\":2}}",
           "[\"web\",2,2,0,\"5m\",\"c\",\"i\",\"tier in (a,b)\"]");
}

static void test_service_rows(void)
{
    const sk_resource *svc = res("", "services");
    row_is(svc,
           "{" META("") ",\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.1\",\"ports\":"
           "[{\"port\":443,\"protocol\":\"TCP\"}],\"selector\":{\"b\":\"2\",\"a\":\"1\"}}}",
           "[\"web\",\"ClusterIP\",\"10.96.0.1\",\"<none>\",\"443/TCP\",\"5m\",\"a=1,b=2\"]");
    row_is(svc,
           "{" META("") ",\"spec\":{\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.2\",\"ports\":"
           "[{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"},{\"port\":53,\"protocol\":"
           "\"UDP\"}]}}",
           "[\"web\",\"NodePort\",\"10.96.0.2\",\"<none>\",\"80:30080/TCP,53/UDP\",\"5m\","
           "\"<none>\"]");
    row_is(svc,
           "{" META("") ",\"spec\":{\"type\":\"LoadBalancer\",\"clusterIP\":\"10.96.0.3\",\"ports\":"
           "[{\"port\":80,\"protocol\":\"TCP\"}]}}",
           "[\"web\",\"LoadBalancer\",\"10.96.0.3\",\"<pending>\",\"80/TCP\",\"5m\",\"<none>\"]");
    row_is(svc,
           "{" META("") ",\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}}",
           "[\"web\",\"ExternalName\",\"<none>\",\"example.com\",\"<none>\",\"5m\",\"<none>\"]");
    row_is(res("", "endpoints"),
           "{" META("") ",\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"10.0.0.2\"}"
           ",{\"ip\":\"fd00::3\"}],\"ports\":[{\"port\":80},{\"port\":81}]}]}",
           "[\"web\",\"10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 3 more...\",\"5m\"]");
    row_is(res("", "endpoints"), "{" META("") "}", "[\"web\",\"<none>\",\"5m\"]");
    row_is(res("discovery.k8s.io", "endpointslices"),
           "{" META("") ",\"addressType\":\"IPv4\",\"ports\":[{\"port\":80}],\"endpoints\":"
           "[{\"addresses\":[\"10.0.0.1\"]}]}",
           "[\"web\",\"IPv4\",\"80\",\"10.0.0.1\",\"5m\"]");
}

static void test_other_rows(void)
{
    row_is(res("", "nodes"),
           "{\"metadata\":{\"name\":\"node1\",\"creationTimestamp\":\"2025-01-01T00:00:00Z\","
           "\"labels\":{\"node-role.kubernetes.io/control-plane\":\"\"}},\"spec\":"
           "{\"unschedulable\":true},\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":"
           "\"True\"}],\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"192.168.1.5\"}],"
           "\"nodeInfo\":{\"kubeletVersion\":\"v1.33.1\",\"osImage\":\"Debian\",\"kernelVersion\":"
           "\"6.1\",\"containerRuntimeVersion\":\"skiff://0.1\"}}}",
           "[\"node1\",\"Ready,SchedulingDisabled\",\"control-plane\",\"9d\",\"v1.33.1\","
           "\"192.168.1.5\",\"<none>\",\"Debian\",\"6.1\",\"skiff://0.1\"]");
    row_is(res("", "nodes"), "{\"metadata\":{\"name\":\"n\"}}",
           "[\"n\",\"Unknown\",\"<none>\",\"<unknown>\",\"\",\"<none>\",\"<none>\",\"<unknown>\","
           "\"<unknown>\",\"<unknown>\"]");
    row_is(res("", "namespaces"), "{" META("") ",\"status\":{\"phase\":\"Active\"}}",
           "[\"web\",\"Active\",\"5m\"]");
    row_is(res("", "configmaps"), "{" META("") ",\"data\":{\"a\":\"1\",\"b\":\"2\"},"
           "\"binaryData\":{\"c\":\"\"}}", "[\"web\",3,\"5m\"]");
    row_is(res("", "secrets"), "{" META("") ",\"type\":\"Opaque\",\"data\":{\"a\":\"\"}}",
           "[\"web\",\"Opaque\",1,\"5m\"]");
    row_is(res("", "serviceaccounts"), "{" META("") "}", "[\"web\",0,\"5m\"]");
    row_is(res("coordination.k8s.io", "leases"),
           "{" META("") ",\"spec\":{\"holderIdentity\":\"node1\"}}", "[\"web\",\"node1\",\"5m\"]");
    row_is(res("", "events"),
           "{\"metadata\":{\"name\":\"web.1\",\"namespace\":\"default\"},\"involvedObject\":"
           "{\"kind\":\"Pod\",\"name\":\"web\",\"fieldPath\":\"spec.containers{c}\"},\"reason\":"
           "\"Pulled\",\"message\":\"ok\",\"type\":\"Normal\",\"source\":{\"component\":"
           "\"kubelet\",\"host\":\"node1\"},\"firstTimestamp\":\"2025-01-09T23:00:00Z\","
           "\"lastTimestamp\":\"2025-01-09T23:59:00Z\",\"count\":4}",
           "[\"60s\",\"Normal\",\"Pulled\",\"pod/web\",\"spec.containers{c}\",\"kubelet, node1\","
           "\"ok\",\"60m\",4,\"web.1\"]");
}

static void test_path_eval(void)
{
    json_t *o = tj("{\"a\":{\"b\":[{\"c\":1},{\"c\":\"x\"},{\"d\":2}]},\"s\":\"v\"}");
    json_t *v = sk_table_path_eval(o, ".a.b[*].c");
    TJ_EQ(v, "\"1,x\"");
    json_decref(v);
    v = sk_table_path_eval(o, ".a.b[0].c");
    TJ_EQ(v, "1");
    json_decref(v);
    v = sk_table_path_eval(o, ".s");
    TJ_EQ(v, "\"v\"");
    json_decref(v);
    CU_ASSERT_PTR_NULL(sk_table_path_eval(o, ".a.b[7].c"));
    CU_ASSERT_PTR_NULL(sk_table_path_eval(o, ".nope"));
    CU_ASSERT_PTR_NULL(sk_table_path_eval(o, ".a.b[x"));
    json_decref(o);
}

int main(void)
{
    static const tcase cases[] = {
        {"durations", test_durations},
        {"pod_rows", test_pod_rows},
        {"table_shape", test_table_shape},
        {"workload_rows", test_workload_rows},
        {"service_rows", test_service_rows},
        {"other_rows", test_other_rows},
        {"path_eval", test_path_eval},
        {NULL, NULL},
    };
    return trun("apiserver-table", cases);
}
