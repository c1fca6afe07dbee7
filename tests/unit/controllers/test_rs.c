/* ReplicaSet reconcile on hand-built states. */
#include <stdio.h>

#include "ctl_test.h"

#define NOW 1764000000000LL /* 2025-11-24T16:00:00Z */

static const char *RS =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"rs-uid\","
    "\"generation\":2,\"resourceVersion\":\"10\"},"
    "\"spec\":{\"replicas\":%d,\"minReadySeconds\":%d,"
    "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}},"
    "\"status\":{\"replicas\":0}}";

static sk_mp_view rs(int replicas, int min_ready)
{
    char buf[1024];
    snprintf(buf, sizeof buf, RS, replicas, min_ready);
    return tj(buf);
}

/* A pod: owner "" for an orphan; ready: 0 no, 1 since 10 s before NOW. */
static sk_mp_view pod(const char *name, const char *owner, const char *app, const char *phase,
                      const char *node, int ready, const char *created)
{
    char buf[1024], own[200] = "";
    if (*owner)
        snprintf(own, sizeof own,
                 ",\"ownerReferences\":[{\"uid\":\"%s\",\"controller\":true,\"kind\":\"ReplicaSet\","
                 "\"name\":\"x\",\"apiVersion\":\"apps/v1\"}]",
                 owner);
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"u-%s\","
             "\"resourceVersion\":\"5\",\"creationTimestamp\":\"%s\",\"labels\":{\"app\":\"%s\"}%s},"
             "\"spec\":{\"nodeName\":\"%s\"},\"status\":{\"phase\":\"%s\",\"conditions\":"
             "[{\"type\":\"Ready\",\"status\":\"%s\",\"lastTransitionTime\":"
             "\"2025-11-24T15:59:50Z\"}]}}",
             name, name, created, app, own, node, phase, ready ? "True" : "False");
    return tj(buf);
}

static void test_scale_up_creates_from_template(void)
{
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_rs_out o;
    ctl_rs_in in = {.rs = rs(3, 0), .expectations_satisfied = true, .now_ms = NOW};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(o.creates, 3);
    CU_ASSERT_EQUAL(act_count(&a, "create pods default/web-"), 3);
    const ctl_action *c = act_find(&a, "create pods", 0);
    char s[128];
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.generateName", s, sizeof s), "web-");
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.namespace", s, sizeof s), "default");
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.labels.app", s, sizeof s), "web");
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.ownerReferences.0.uid", s, sizeof s), "rs-uid");
    CU_ASSERT_TRUE(ctl_bool(act_req(c), "body.metadata.ownerReferences.0.controller", false));
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.spec.containers.0.image", s, sizeof s), "nginx");
    CU_ASSERT_STRING_EQUAL(act_str(c, "resource", s, sizeof s), "pods");
    /* status: observedGeneration follows the RS. */
    const ctl_action *st = act_find(&a, "patch replicasets/status", 0);
    CU_ASSERT_EQUAL(act_int(st, "body.status.observedGeneration"), 2);
    CU_ASSERT_STRING_EQUAL(act_str(st, "subresource", s, sizeof s), "status");
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_expectations_block_double_create(void)
{
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_rs_out o;
    ctl_rs_in in = {.rs = rs(3, 0), .expectations_satisfied = false, .now_ms = NOW};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(o.creates, 0);
    CU_ASSERT_EQUAL(act_count(&a, "create"), 0);
    ctl_actions_free(&a);
    /* burst bounds a single sync */
    ctl_actions_init(&a);
    in = (ctl_rs_in){.rs = rs(50, 0), .expectations_satisfied = true, .burst = 10};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(o.creates, 10);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_scale_down_ranks(void)
{
    sk_mp_view pods[5] = {
        pod("running-ready-old", "rs-uid", "web", "Running", "n1", 1, "2025-11-24T10:00:00Z"),
        pod("running-ready-new", "rs-uid", "web", "Running", "n1", 1, "2025-11-24T11:00:00Z"),
        pod("pending", "rs-uid", "web", "Pending", "n1", 0, "2025-11-24T10:00:00Z"),
        pod("unscheduled", "rs-uid", "web", "Pending", "", 0, "2025-11-24T10:00:00Z"),
        pod("running-notready", "rs-uid", "web", "Running", "n1", 0, "2025-11-24T10:00:00Z"),
    };
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_rs_out o;
    ctl_rs_in in = {.rs = rs(1, 0), .pods = pods, .npods = 5, .expectations_satisfied = true,
                    .now_ms = NOW};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(o.deletes, 4);
    CU_ASSERT_PTR_NOT_NULL(act_find(&a, "delete pods default/unscheduled", 0));
    CU_ASSERT_PTR_NOT_NULL(act_find(&a, "delete pods default/pending", 0));
    CU_ASSERT_PTR_NOT_NULL(act_find(&a, "delete pods default/running-notready", 0));
    CU_ASSERT_PTR_NOT_NULL(act_find(&a, "delete pods default/running-ready-new", 0));
    CU_ASSERT_PTR_NULL(act_find(&a, "delete pods default/running-ready-old", 0));
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(act_find(&a, "delete pods default/pending", 0),
                                   "body.preconditions.uid", s, sizeof s), "u-pending");
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_adopt_release_ignore(void)
{
    sk_mp_view pods[5] = {
        pod("orphan", "", "web", "Running", "n1", 1, "2025-11-24T10:00:00Z"),
        pod("other", "other-uid", "web", "Running", "n1", 1, "2025-11-24T10:00:00Z"),
        pod("relabeled", "rs-uid", "db", "Running", "n1", 1, "2025-11-24T10:00:00Z"),
        pod("mine", "rs-uid", "web", "Running", "n1", 1, "2025-11-24T10:00:00Z"),
        pod("failed", "rs-uid", "web", "Failed", "n1", 0, "2025-11-24T10:00:00Z"),
    };
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_rs_out o;
    ctl_rs_in in = {.rs = rs(2, 0), .pods = pods, .npods = 5, .expectations_satisfied = true,
                    .now_ms = NOW};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    const ctl_action *adopt = act_find(&a, "patch pods default/orphan", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(adopt);
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(adopt, "body.metadata.ownerReferences.0.uid", s, sizeof s),
                           "rs-uid");
    CU_ASSERT_STRING_EQUAL(act_str(adopt, "body.metadata.resourceVersion", s, sizeof s), "5");
    const ctl_action *rel = act_find(&a, "patch pods default/relabeled", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rel);
    CU_ASSERT_EQUAL(ctl_get(act_req(rel), "body.metadata.ownerReferences.0").p, NULL);
    CU_ASSERT_EQUAL(act_count(&a, "patch pods default/other"), 0);
    /* orphan (adopted) + mine = 2: nothing to create or delete; failed is
     * not counted. */
    CU_ASSERT_EQUAL(o.creates, 0);
    CU_ASSERT_EQUAL(o.deletes, 0);
    CU_ASSERT_EQUAL(o.replicas, 2);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_status_min_ready(void)
{
    sk_mp_view pods[2] = {
        pod("a", "rs-uid", "web", "Running", "n1", 1, "2025-11-24T10:00:00Z"),
        pod("b", "rs-uid", "web", "Running", "n1", 0, "2025-11-24T10:00:00Z"),
    };
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_rs_out o;
    /* ready since 10 s; minReadySeconds 30 -> not available, requeue 20 s */
    ctl_rs_in in = {.rs = rs(2, 30), .pods = pods, .npods = 2, .expectations_satisfied = true,
                    .now_ms = NOW};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(o.ready, 1);
    CU_ASSERT_EQUAL(o.available, 0);
    CU_ASSERT_EQUAL(a.requeue_ms, 20000);
    const ctl_action *st = act_find(&a, "patch replicasets/status", 0);
    CU_ASSERT_EQUAL(act_int(st, "body.status.replicas"), 2);
    CU_ASSERT_EQUAL(act_int(st, "body.status.readyReplicas"), 1);
    CU_ASSERT_EQUAL(act_int(st, "body.status.availableReplicas"), 0);
    ctl_actions_free(&a);
    ctl_actions_init(&a);
    in.now_ms = NOW + 20000;
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(o.available, 1);
    ctl_actions_free(&a);
    /* Unchanged status: no patch at all. */
    const char *same =
        "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"rs-uid\","
        "\"generation\":1},\"spec\":{\"replicas\":0,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}},"
        "\"status\":{\"replicas\":0,\"readyReplicas\":0,\"availableReplicas\":0,"
        "\"fullyLabeledReplicas\":0,\"observedGeneration\":1}}";
    ctl_actions_init(&a);
    in = (ctl_rs_in){.rs = tj(same), .expectations_satisfied = true, .now_ms = NOW};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(a.n, 0);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_garbage_input(void)
{
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_rs_out o;
    sk_mp_view junk[2] = {tj("[1,2]"), tj("{\"metadata\":7}")};
    ctl_rs_in in = {.rs = tj("{\"metadata\":{\"name\":\"x\",\"uid\":\"u\"},\"spec\":\"no\"}"),
                    .pods = junk, .npods = 2, .expectations_satisfied = true};
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    ctl_actions_free(&a);
    ctl_actions_init(&a);
    in.rs = tj("42");
    CU_ASSERT_EQUAL(ctl_rs_sync(&in, &a, &o), 0);
    CU_ASSERT_EQUAL(a.n, 0);
    ctl_actions_free(&a);
    tjson_reset();
}

SK_TEST_MAIN("controllers-replicaset", SK_TEST(test_scale_up_creates_from_template),
             SK_TEST(test_expectations_block_double_create), SK_TEST(test_scale_down_ranks),
             SK_TEST(test_adopt_release_ignore), SK_TEST(test_status_min_ready),
             SK_TEST(test_garbage_input))
