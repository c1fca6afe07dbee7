/* NodeResourcesFit (Filter, LeastAllocated, MostAllocated) and
 * NodeResourcesBalancedAllocation, with kube-scheduler's numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "test_main.h"

static void test_fit_filter_reasons(void)
{
    fx *f = fx_only("NodeResourcesFit", NULL);
    char msg[512];
    fx_node_res(f, "n1", "1", "1Gi", 1, "", "");
    fx_pod_on(f, "n1", "old", "", "", 0, "");
    fx_pod_res(f, "big", "2", "2Gi", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, "
                                "1 Too many pods.");
    fx_free(f);
}

static void test_fit_extended_and_ephemeral(void)
{
    fx *f = fx_only("NodeResourcesFit", NULL);
    char msg[512], node[64];
    fx_node(f, "{metadata:{name:g},status:{allocatable:{cpu:4,memory:'8Gi',pods:10,"
               "ephemeral-storage:'10Gi',nvidia.com/gpu:1}}}");
    fx_pod(f, "{metadata:{name:p,uid:p},spec:{containers:[{name:c,resources:{requests:"
              "{nvidia.com/gpu:2,ephemeral-storage:'20Gi'}}}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/1 nodes are available: 1 Insufficient ephemeral-storage, "
                                "1 Insufficient nvidia.com/gpu.");
    fx_pod(f, "{metadata:{name:q,uid:q},spec:{containers:[{name:c,resources:{requests:"
              "{nvidia.com/gpu:1}}}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    /* The assumed pod holds the GPU: the next one finds none. */
    fx_pod(f, "{metadata:{name:r,uid:r},spec:{containers:[{name:c,resources:{requests:"
              "{nvidia.com/gpu:1}}}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/1 nodes are available: 1 Insufficient nvidia.com/gpu.");
    fx_free(f);
}

static void two_nodes(fx *f)
{
    fx_node_res(f, "a", "4", "8Gi", 110, "", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "", "");
    fx_pod_on(f, "a", "old", "1", "2Gi", 0, "");
}

#define POD_1CPU_2GI "{metadata:{name:p,uid:p},spec:{containers:[{name:c,resources:{requests:{cpu:1,memory:'2Gi'}}}]}}"

static void test_least_allocated(void)
{
    fx *f = fx_only("NodeResourcesFit", NULL);
    two_nodes(f);
    CU_ASSERT_EQUAL(fx_score(f, POD_1CPU_2GI), 2);
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 50);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 75);
    /* No requests: 100m and 200Mi count for scoring. */
    fx_score(f, "{metadata:{name:p,uid:p},spec:{containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 97);
    fx_free(f);
}

static void test_most_allocated(void)
{
    fx *f = fx_only("NodeResourcesFit", "{scoringStrategy:{type:MostAllocated,resources:"
                                        "[{name:cpu,weight:3},{name:memory,weight:1}]}}");
    two_nodes(f);
    fx_score(f, POD_1CPU_2GI);
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 50);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 25);
    fx_free(f);
}

static void test_fit_bad_args(void)
{
    sk_sched_registry *reg;
    CU_ASSERT_FATAL(sk_registry_new(&reg) == 0);
    mpcfg *c = mpcfg_new("{profiles:[{pluginConfig:[{name:NodeResourcesFit,args:"
                         "{scoringStrategy:{type:Random}}}]}]}");
    sk_sched_config_store *st = calloc(1, sizeof(*st));
    char err[256];
    CU_ASSERT(sk_sched_config_read(mpcfg_api(), mpcfg_root(c), st, err, sizeof(err)) == 0);
    sk_scheduler *s = NULL;
    CU_ASSERT(sk_scheduler_new(reg, &st->cfg, NULL, &s, err, sizeof(err)) != 0);
    CU_ASSERT(strstr(err, "NodeResourcesFit") != NULL);
    CU_ASSERT(s == NULL);
    free(st);
    mpcfg_free(c);
    sk_registry_free(&reg);
}

static void test_balanced_allocation(void)
{
    fx *f = fx_only("NodeResourcesBalancedAllocation", NULL);
    fx_node_res(f, "a", "4", "8Gi", 110, "", "");
    fx_node_res(f, "c", "4", "4Gi", 110, "", "");
    fx_pod_on(f, "a", "old", "1", "2Gi", 0, "");
    fx_score(f, POD_1CPU_2GI);
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 100); /* 0.5 and 0.5 */
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 87);  /* 0.25 and 0.5: (1 - 0.125) * 100 */
    /* Best-effort pods skip the plugin. */
    fx_score(f, "{metadata:{name:p,uid:p},spec:{containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 0);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 0);
    fx_free(f);
}

static void test_default_profile_message(void)
{
    fx *f = fx_new(NULL);
    char msg[1024];
    for (int i = 0; i < 3; i++) {
        char name[8];
        snprintf(name, sizeof(name), "cpu%d", i);
        fx_node_res(f, name, "1", "8Gi", 110, "", "");
    }
    fx_node_res(f, "gpu0", "8", "8Gi", 110, "", "taints:[{key:dedicated,value:gpu,effect:NoSchedule}]");
    fx_node_res(f, "gpu1", "8", "8Gi", 110, "", "taints:[{key:dedicated,value:gpu,effect:NoSchedule}]");
    fx_pod_res(f, "p", "2", "1Gi", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    /* Sorted as kube-scheduler sorts the "<count> <reason>" strings. */
    CU_ASSERT_STRING_EQUAL(msg, "0/5 nodes are available: 2 node(s) had untolerated taint "
                                "{dedicated: gpu}, 3 Insufficient cpu. preemption: 0/5 nodes are "
                                "available: 2 Preemption is not helpful for scheduling, 3 No preemption "
                                "victims found for incoming pod.");
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"Fit filter reasons", test_fit_filter_reasons},
        {"Fit extended resources and ephemeral storage", test_fit_extended_and_ephemeral},
        {"LeastAllocated", test_least_allocated},
        {"MostAllocated with weights", test_most_allocated},
        {"Fit rejects bad args", test_fit_bad_args},
        {"BalancedAllocation", test_balanced_allocation},
        {"default profile FailedScheduling message", test_default_profile_message},
        {NULL, NULL},
    };
    return run_suite("plugins_resources", tests);
}
