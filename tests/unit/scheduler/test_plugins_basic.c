/* NodeName, NodeUnschedulable, TaintToleration, NodeAffinity: Filter
 * verdicts with their FailedScheduling messages, and Score. */
#include <string.h>

#include "fx.h"
#include "test_main.h"

static void test_node_name(void)
{
    fx *f = fx_only("NodeName", NULL);
    char node[64], msg[512];
    fx_node_res(f, "n1", "4", "8Gi", 110, "", "");
    fx_node_res(f, "n2", "4", "8Gi", 110, "", "");
    /* A pod naming a node is normally bound without the scheduler; the
     * plugin still has to agree. */
    fx_pod(f, "{metadata:{name:p,uid:u1},spec:{nodeName:'',containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), msg, sizeof(msg)), SK_OUTCOME_BIND);
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:u2},spec:{nodeName:n2,containers:[{name:c}]}}"), 1);
    CU_ASSERT_STRING_EQUAL(f->names[0], "n2");
    fx_free(f);
}

static void test_node_unschedulable(void)
{
    fx *f = fx_only("NodeUnschedulable", NULL);
    char msg[512];
    fx_node_res(f, "n1", "4", "8Gi", 110, "", "unschedulable:true");
    fx_pod_res(f, "p", "", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/1 nodes are available: 1 node(s) were unschedulable.");
    /* Tolerating the cordon taint is enough. */
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:u},spec:{tolerations:[{key:"
                                "node.kubernetes.io/unschedulable,operator:Exists,effect:NoSchedule}],"
                                "containers:[{name:c}]}}"),
                    1);
    fx_free(f);
}

static void test_taint_filter(void)
{
    fx *f = fx_only("TaintToleration", NULL);
    char node[64], msg[512];
    fx_node_res(f, "gpu1", "4", "8Gi", 110, "", "taints:[{key:dedicated,value:gpu,effect:NoSchedule}]");
    fx_node_res(f, "gpu2", "4", "8Gi", 110, "", "taints:[{key:dedicated,value:gpu,effect:NoExecute}]");
    fx_node_res(f, "cp", "4", "8Gi", 110, "",
                "taints:[{key:node-role.kubernetes.io/control-plane,effect:NoSchedule}]");
    fx_pod_res(f, "p", "", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/3 nodes are available: 1 node(s) had untolerated taint "
                                "{node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated "
                                "taint {dedicated: gpu}.");
    fx_pod_res(f, "q", "", "", 0, "",
               "tolerations:[{key:dedicated,operator:Equal,value:gpu}]");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT(strncmp(node, "gpu", 3) == 0);
    fx_free(f);
}

static void test_taint_score(void)
{
    fx *f = fx_only("TaintToleration", NULL);
    fx_node_res(f, "clean", "4", "8Gi", 110, "", "");
    fx_node_res(f, "one", "4", "8Gi", 110, "", "taints:[{key:a,value:x,effect:PreferNoSchedule}]");
    fx_node_res(f, "two", "4", "8Gi", 110, "",
                "taints:[{key:a,value:x,effect:PreferNoSchedule},{key:b,effect:PreferNoSchedule}]");
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:p,uid:u},spec:{containers:[{name:c}]}}"), 3);
    /* weight 3: 100 - 100*count/max, times 3 */
    CU_ASSERT_EQUAL(fx_score_of(f, "clean"), 300);
    CU_ASSERT_EQUAL(fx_score_of(f, "one"), 150);
    CU_ASSERT_EQUAL(fx_score_of(f, "two"), 0);
    /* A toleration for a NoSchedule effect does not count for scoring. */
    fx_score(f, "{metadata:{name:p,uid:u},spec:{tolerations:[{key:a,operator:Exists,effect:"
                "PreferNoSchedule}],containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "one"), 300);
    CU_ASSERT_EQUAL(fx_score_of(f, "two"), 0);
    fx_free(f);
}

static void test_node_affinity_filter(void)
{
    fx *f = fx_only("NodeAffinity", NULL);
    char node[64], msg[512];
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1,disk:ssd,gen:'5'", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z2,gen:'3'", "");
    fx_pod_res(f, "sel", "", "", 0, "", "nodeSelector:{disk:hdd}");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.");
    fx_pod_res(f, "gt", "", "", 0, "",
               "affinity:{nodeAffinity:{requiredDuringSchedulingIgnoredDuringExecution:{nodeSelectorTerms:"
               "[{matchExpressions:[{key:gen,operator:Gt,values:['4']}]},"
               "{matchFields:[{key:metadata.name,operator:In,values:[nowhere]}]}]}}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "a");
    fx_pod_res(f, "field", "", "", 0, "",
               "affinity:{nodeAffinity:{requiredDuringSchedulingIgnoredDuringExecution:{nodeSelectorTerms:"
               "[{matchFields:[{key:metadata.name,operator:In,values:[b]}]}]}}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "b");
    /* required with no terms matches nothing */
    fx_pod_res(f, "none", "", "", 0, "",
               "affinity:{nodeAffinity:{requiredDuringSchedulingIgnoredDuringExecution:{nodeSelectorTerms:[]}}}");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_UNSCHEDULABLE);
    fx_free(f);
}

static void test_node_affinity_score(void)
{
    fx *f = fx_only("NodeAffinity", NULL);
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1,disk:ssd", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z2,disk:ssd", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "zone:z3", "");
    fx_score(f, "{metadata:{name:p,uid:u},spec:{affinity:{nodeAffinity:{"
                "preferredDuringSchedulingIgnoredDuringExecution:["
                "{weight:80,preference:{matchExpressions:[{key:zone,operator:In,values:[z1]}]}},"
                "{weight:20,preference:{matchExpressions:[{key:disk,operator:Exists}]}}]}},"
                "containers:[{name:c}]}}");
    /* raw 100/20/0, normalized to max, weight 2 */
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 200);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 40);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 0);
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"NodeName", test_node_name},
        {"NodeUnschedulable", test_node_unschedulable},
        {"TaintToleration filter and message", test_taint_filter},
        {"TaintToleration score", test_taint_score},
        {"NodeAffinity filter", test_node_affinity_filter},
        {"NodeAffinity score", test_node_affinity_score},
        {NULL, NULL},
    };
    return run_suite("plugins_basic", tests);
}
