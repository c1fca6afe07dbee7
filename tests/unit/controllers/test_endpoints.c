/* Endpoints and EndpointSlice reconcile. */
#include <stdio.h>

#include "ctl_test.h"

static const char *SVC =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"svc-uid\","
    "\"labels\":{\"tier\":\"front\"}},"
    "\"spec\":{\"selector\":{\"app\":\"web\"},\"ports\":[{\"name\":\"http\",\"port\":80,"
    "\"targetPort\":\"web\"},{\"name\":\"metrics\",\"port\":9100,\"targetPort\":9100,"
    "\"protocol\":\"TCP\"}]}}";

static sk_mp_view pod(const char *name, const char *ip, const char *app, int ready, int deleting)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"u-%s\","
             "\"labels\":{\"app\":\"%s\"}%s},"
             "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"ports\":"
             "[{\"name\":\"web\",\"containerPort\":8080}]}]},"
             "\"status\":{\"phase\":\"Running\",\"podIP\":\"%s\",\"conditions\":"
             "[{\"type\":\"Ready\",\"status\":\"%s\"}]}}",
             name, name, app,
             deleting ? ",\"deletionTimestamp\":\"2025-11-24T10:00:00Z\"" : "", ip,
             ready ? "True" : "False");
    return tj(buf);
}

static void test_ready_and_not_ready(void)
{
    sk_mp_view pods[5] = {pod("b", "10.0.0.2", "web", 1, 0), pod("a", "10.0.0.1", "web", 1, 0),
                          pod("c", "10.0.0.3", "web", 0, 0), pod("d", "10.0.0.4", "db", 1, 0),
                          pod("e", "10.0.0.5", "web", 1, 1)};
    ctl_ep_in in = {.svc = tj(SVC), .ns = "default", .name = "web", .pods = pods, .npods = 5};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &a), 0);
    const ctl_action *ep = act_find(&a, "create endpoints default/web", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ep);
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(ep, "body.subsets.0.addresses.0.ip", s, sizeof s), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(act_str(ep, "body.subsets.0.addresses.1.ip", s, sizeof s), "10.0.0.2");
    CU_ASSERT_FALSE(ctl_has(act_req(ep), "body.subsets.0.addresses.2"));
    CU_ASSERT_STRING_EQUAL(act_str(ep, "body.subsets.0.notReadyAddresses.0.ip", s, sizeof s),
                           "10.0.0.3");
    CU_ASSERT_STRING_EQUAL(act_str(ep, "body.subsets.0.addresses.0.targetRef.name", s, sizeof s),
                           "a");
    /* named targetPort resolved to the container port */
    CU_ASSERT_EQUAL(act_int(ep, "body.subsets.0.ports.0.port"), 8080);
    CU_ASSERT_EQUAL(act_int(ep, "body.subsets.0.ports.1.port"), 9100);
    CU_ASSERT_STRING_EQUAL(act_str(ep, "body.metadata.labels.tier", s, sizeof s), "front");
    const ctl_action *sl = act_find(&a, "create endpointslices default/web-skiff", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl);
    CU_ASSERT_STRING_EQUAL(ctl_str_key(act_req(sl), "body.metadata.labels",
                                       "kubernetes.io/service-name", s, sizeof s), "web");
    CU_ASSERT_STRING_EQUAL(act_str(sl, "body.addressType", s, sizeof s), "IPv4");
    CU_ASSERT_TRUE(ctl_bool(act_req(sl), "body.endpoints.0.conditions.ready", false));
    CU_ASSERT_FALSE(ctl_bool(act_req(sl), "body.endpoints.2.conditions.ready", true));
    CU_ASSERT_FALSE(ctl_has(act_req(sl), "body.endpoints.3"));
    CU_ASSERT_STRING_EQUAL(act_str(sl, "body.metadata.ownerReferences.0.uid", s, sizeof s),
                           "svc-uid");
    ctl_actions_free(&a);
    tjson_reset();
}

/* Feeding back what was written yields no action: the controller is
 * level-triggered and idempotent. */
static void test_no_change_no_write(void)
{
    sk_mp_view pods[1] = {pod("a", "10.0.0.1", "web", 1, 0)};
    ctl_ep_in in = {.svc = tj(SVC), .ns = "default", .name = "web", .pods = pods, .npods = 1};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(a.n, 2);
    sk_mp_view ep = ctl_get(act_req(&a.v[0]), "body"), sl = ctl_get(act_req(&a.v[1]), "body");
    in.endpoints = ep;
    in.slice = sl;
    ctl_actions b;
    ctl_actions_init(&b);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &b), 0);
    CU_ASSERT_EQUAL(b.n, 0);
    ctl_actions_free(&b);
    /* the pod goes unready: one update each */
    sk_mp_view pods2[1] = {pod("a", "10.0.0.1", "web", 0, 0)};
    in.pods = pods2;
    ctl_actions_init(&b);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &b), 0);
    CU_ASSERT_EQUAL(act_count(&b, "update endpoints default/web"), 1);
    CU_ASSERT_EQUAL(act_count(&b, "update endpointslices default/web-skiff"), 1);
    ctl_actions_free(&b);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_service_gone_or_no_selector(void)
{
    ctl_ep_in in = {.ns = "default", .name = "web", .endpoints = tj("{\"subsets\":[]}"),
                    .slice = tj("{}")};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(act_count(&a, "delete endpoints default/web"), 1);
    CU_ASSERT_EQUAL(act_count(&a, "delete endpointslices default/web-skiff"), 1);
    ctl_actions_free(&a);
    in.svc = tj("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{}}");
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(a.n, 0);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_no_pods_yet(void)
{
    ctl_ep_in in = {.svc = tj(SVC), .ns = "default", .name = "web"};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_endpoints_sync(&in, &a), 0);
    const ctl_action *ep = act_find(&a, "create endpoints default/web", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ep);
    CU_ASSERT_TRUE(ctl_has(act_req(ep), "body.subsets"));
    CU_ASSERT_FALSE(ctl_has(act_req(ep), "body.subsets.0"));
    const ctl_action *sl = act_find(&a, "create endpointslices default/web-skiff", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl);
    CU_ASSERT_EQUAL(act_int(sl, "body.ports.0.port"), 80); /* as declared */
    ctl_actions_free(&a);
    tjson_reset();
}

SK_TEST_MAIN("controllers-endpoints", SK_TEST(test_ready_and_not_ready),
             SK_TEST(test_no_change_no_write), SK_TEST(test_service_gone_or_no_selector),
             SK_TEST(test_no_pods_yet))
