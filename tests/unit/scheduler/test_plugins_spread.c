/* PodTopologySpread: maxSkew, topologyKey, whenUnsatisfiable, minDomains. */
#include <stdio.h>
#include <string.h>

#include "fx.h"
#include "test_main.h"

#define SPREAD(when, key, extra)                                                              \
    "topologySpreadConstraints:[{maxSkew:1,topologyKey:" key ",whenUnsatisfiable:" when       \
    ",labelSelector:{matchLabels:{app:web}}" extra "}]"

static void web_pods(fx *f, const char *node, int n)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%s-web%d", node, i);
        fx_pod_on(f, node, name, "", "", 0, "app:web");
    }
}

static void test_filter_picks_emptiest_domain(void)
{
    fx *f = fx_only("PodTopologySpread", NULL);
    char node[64];
    fx_node_res(f, "n1", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "n2", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "n3", "4", "8Gi", 110, "zone:z2", "");
    fx_node_res(f, "n4", "4", "8Gi", 110, "zone:z3", "");
    web_pods(f, "n1", 2);
    web_pods(f, "n2", 1);
    web_pods(f, "n3", 1);
    /* zone counts 3/1/0: only z3 keeps the skew within 1 */
    fx_pod_res(f, "p", "", "", 0, "app:web", SPREAD("DoNotSchedule", "zone", ""));
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "n4");
    /* Now 3/1/1: z2 and z3 both fit. */
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:q,labels:{app:web}},spec:{containers:[{name:c}],"
                                SPREAD("DoNotSchedule", "zone", "") "}}"),
                    2);
    CU_ASSERT(fx_score_of(f, "n3") >= 0 && fx_score_of(f, "n4") >= 0);
    /* A pod not matching its own selector does not count itself. */
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:q,labels:{app:db}},spec:{containers:[{name:c}],"
                                SPREAD("DoNotSchedule", "zone", "") "}}"),
                    2);
    fx_free(f);
}

static void test_filter_messages_and_min_domains(void)
{
    fx *f = fx_only("PodTopologySpread", NULL);
    char msg[512];
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z2", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "", "");
    web_pods(f, "a", 2);
    web_pods(f, "b", 1);
    /* Two domains but minDomains 3: the global minimum counts as 0. */
    fx_pod_res(f, "p", "", "", 0, "app:web", SPREAD("DoNotSchedule", "zone", ",minDomains:3"));
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/3 nodes are available: 1 node(s) didn't match pod topology spread "
                                "constraints (missing required label), 2 node(s) didn't match pod "
                                "topology spread constraints.");
    fx_free(f);
}

static void test_score_zone(void)
{
    fx *f = fx_only("PodTopologySpread", NULL);
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "zone:z2", "");
    fx_node_res(f, "d", "4", "8Gi", 110, "", "");
    web_pods(f, "a", 2);
    web_pods(f, "c", 1);
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:q,labels:{app:web}},spec:{containers:[{name:c}],"
                                SPREAD("ScheduleAnyway", "zone", "") "}}"),
                    4);
    /* counts z1=2, z2=1, weight log(2+2); normalized, times weight 2 */
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 66);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 66);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 200);
    CU_ASSERT_EQUAL(fx_score_of(f, "d"), 0); /* no zone label: ignored */
    fx_free(f);
}

static void test_score_hostname(void)
{
    fx *f = fx_only("PodTopologySpread", NULL);
    fx_node_res(f, "a", "4", "8Gi", 110, "", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "", "");
    web_pods(f, "a", 2);
    web_pods(f, "c", 1);
    fx_score(f, "{metadata:{name:q,uid:q,labels:{app:web}},spec:{containers:[{name:c}],"
                SPREAD("ScheduleAnyway", "kubernetes.io/hostname", "") "}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 0);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 200);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 66);
    fx_free(f);
}

static void test_other_namespaces_do_not_count(void)
{
    fx *f = fx_only("PodTopologySpread", NULL);
    char node[64];
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z2", "");
    fx_pod(f, "{metadata:{name:x,namespace:other,uid:x,labels:{app:web}},spec:{nodeName:b,"
              "containers:[{name:c}]},status:{phase:Running}}");
    fx_pod_on(f, "a", "w1", "", "", 0, "app:web");
    fx_pod_res(f, "p", "", "", 0, "app:web", SPREAD("DoNotSchedule", "zone", ""));
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "b");
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"filter picks the emptiest domain", test_filter_picks_emptiest_domain},
        {"filter messages and minDomains", test_filter_messages_and_min_domains},
        {"score by zone", test_score_zone},
        {"score by hostname", test_score_hostname},
        {"other namespaces do not count", test_other_namespaces_do_not_count},
        {NULL, NULL},
    };
    return run_suite("plugins_spread", tests);
}
