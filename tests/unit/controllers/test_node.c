/* Node lifecycle: unreachable after the grace period, taint, eviction. */
#include <stdio.h>

#include "ctl_test.h"

#define NOW 1764000000000LL /* 2025-11-24T16:00:00Z */

static sk_mp_view node(const char *ready, const char *taint_added)
{
    char buf[1024], taints[256] = "[]";
    if (taint_added)
        snprintf(taints, sizeof taints,
                 "[{\"key\":\"dedicated\",\"effect\":\"NoSchedule\"},"
                 "{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\","
                 "\"timeAdded\":\"%s\"}]",
                 taint_added);
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"taints\":%s},"
             "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\","
             "\"lastHeartbeatTime\":\"2025-11-24T15:00:00Z\"},"
             "{\"type\":\"MemoryPressure\",\"status\":\"False\"}]}}",
             taints, ready);
    return tj(buf);
}

static sk_mp_view pod(const char *name, const char *tolerations)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"u-%s\"},"
             "\"spec\":{\"nodeName\":\"n1\",\"tolerations\":%s}}",
             name, name, tolerations);
    return tj(buf);
}

static void test_healthy_node_untouched(void)
{
    ctl_node_in in = {.node = node("True", NULL), .probe_mono = 1000, .now_mono = 30000,
                      .now_ms = NOW, .grace_ms = 40000, .default_toleration_s = 300};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_node_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(a.n, 0);
    CU_ASSERT_EQUAL(a.requeue_ms, 11000); /* look again when the grace ends */
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_unreachable_marked_and_tainted(void)
{
    ctl_node_in in = {.node = node("True", NULL), .probe_mono = 1000, .now_mono = 41000,
                      .now_ms = NOW, .grace_ms = 40000, .default_toleration_s = 300};
    sk_mp_view pods[1] = {pod("p", "[]")};
    in.pods = pods;
    in.npods = 1;
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_node_sync(&in, &a), 0);
    const ctl_action *st = act_find(&a, "patch nodes/status n1", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.0.status", s, sizeof s), "Unknown");
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.0.reason", s, sizeof s),
                           "NodeStatusUnknown");
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.1.status", s, sizeof s), "Unknown");
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.0.lastHeartbeatTime", s, sizeof s),
                           "2025-11-24T15:00:00Z");
    const ctl_action *t = act_find(&a, "patch nodes n1", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(act_str(t, "body.spec.taints.0.key", s, sizeof s),
                           "node.kubernetes.io/unreachable");
    CU_ASSERT_STRING_EQUAL(act_str(t, "body.spec.taints.0.effect", s, sizeof s), "NoExecute");
    CU_ASSERT_STRING_EQUAL(act_str(t, "body.spec.taints.0.timeAdded", s, sizeof s),
                           "2025-11-24T16:00:00Z");
    /* the pod gets the default 300 s */
    CU_ASSERT_EQUAL(act_count(&a, "delete pods"), 0);
    CU_ASSERT_EQUAL(a.requeue_ms, 300000);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_eviction_after_toleration(void)
{
    sk_mp_view pods[4] = {
        pod("default", "[]"),
        pod("short", "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                     "\"effect\":\"NoExecute\",\"tolerationSeconds\":60}]"),
        pod("forever", "[{\"operator\":\"Exists\"}]"),
        pod("long", "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                    "\"effect\":\"NoExecute\",\"tolerationSeconds\":1000}]"),
    };
    /* tainted 5 minutes ago (15:55) */
    ctl_node_in in = {.node = node("Unknown", "2025-11-24T15:55:00Z"), .pods = pods, .npods = 4,
                      .probe_mono = 0, .now_mono = 1000000, .now_ms = NOW, .grace_ms = 40000,
                      .default_toleration_s = 300};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_node_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(act_count(&a, "patch"), 0); /* already Unknown and tainted */
    CU_ASSERT_EQUAL(act_count(&a, "delete pods default/default"), 1);
    CU_ASSERT_EQUAL(act_count(&a, "delete pods default/short"), 1);
    CU_ASSERT_EQUAL(act_count(&a, "delete pods default/forever"), 0);
    CU_ASSERT_EQUAL(act_count(&a, "delete pods default/long"), 0);
    CU_ASSERT_EQUAL(a.requeue_ms, 700000);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_recovered_node_untainted(void)
{
    ctl_node_in in = {.node = node("True", "2025-11-24T15:55:00Z"), .probe_mono = 5000,
                      .now_mono = 6000, .now_ms = NOW, .grace_ms = 40000,
                      .default_toleration_s = 300};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_node_sync(&in, &a), 0);
    const ctl_action *t = act_find(&a, "patch nodes n1", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(t, "body.spec.taints.0.key", s, sizeof s), "dedicated");
    CU_ASSERT_FALSE(ctl_has(act_req(t), "body.spec.taints.1"));
    ctl_actions_free(&a);
    tjson_reset();
}

SK_TEST_MAIN("controllers-node-lifecycle", SK_TEST(test_healthy_node_untouched),
             SK_TEST(test_unreachable_marked_and_tainted), SK_TEST(test_eviction_after_toleration),
             SK_TEST(test_recovered_node_untainted))
