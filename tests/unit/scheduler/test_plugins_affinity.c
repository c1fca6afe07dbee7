/* InterPodAffinity: required and preferred pod affinity and anti-affinity. */
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "test_main.h"

#define TERM(sel, key) "{labelSelector:{matchLabels:{" sel "}},topologyKey:" key "}"
#define REQ(kind, term) "affinity:{" kind ":{requiredDuringSchedulingIgnoredDuringExecution:[" term "]}}"
#define PREF(kind, w, term) \
    "affinity:{" kind ":{preferredDuringSchedulingIgnoredDuringExecution:[{weight:" w ",podAffinityTerm:" term "}]}}"

static void three_nodes(fx *f)
{
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z2", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "", "");
}

static void test_required_affinity(void)
{
    fx *f = fx_only("InterPodAffinity", NULL);
    char node[64], msg[512];
    three_nodes(f);
    fx_pod_res(f, "p", "", "", 0, "app:web", REQ("podAffinity", TERM("app:cache", "zone")));
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
    fx_pod_on(f, "a", "cache", "", "", 0, "app:cache");
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:q,labels:{app:web}},spec:{containers:[{name:c}],"
                                REQ("podAffinity", TERM("app:cache", "zone")) "}}"),
                    1);
    CU_ASSERT_STRING_EQUAL(f->names[0], "a");
    fx_free(f);

    /* The first of a group with affinity to itself may go anywhere that
     * has the topology label. */
    f = fx_only("InterPodAffinity", NULL);
    three_nodes(f);
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:q,labels:{app:cache}},spec:{containers:[{name:c}],"
                                REQ("podAffinity", TERM("app:cache", "zone")) "}}"),
                    2);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), -1);
    (void)node;
    fx_free(f);
}

static void test_anti_affinity_both_ways(void)
{
    fx *f = fx_only("InterPodAffinity", NULL);
    char node[64], msg[512];
    fx_node_res(f, "a", "4", "8Gi", 110, "", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "", "");
    fx_pod_on(f, "a", "web", "", "", 0, "app:web");
    fx_pod(f, "{metadata:{name:guard,uid:guard,namespace:default,labels:{app:guard}},spec:{nodeName:b,"
              "containers:[{name:c}]," REQ("podAntiAffinity", TERM("app:db", "kubernetes.io/hostname"))
              "},status:{phase:Running}}");
    fx_pod_res(f, "db", "", "", 0, "app:db", REQ("podAntiAffinity", TERM("app:web", "kubernetes.io/hostname")));
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "0/2 nodes are available: 1 node(s) didn't match pod anti-affinity rules, "
                                "1 node(s) didn't satisfy existing pods anti-affinity rules.");
    fx_node_res(f, "c", "4", "8Gi", 110, "", "");
    /* The node-add event moved the pod to the backoff queue; once its
     * 1 s backoff is over it is tried again. */
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_NONE);
    f->now += 1000;
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "c");
    fx_free(f);
}

static void test_preferred_affinity_score(void)
{
    fx *f = fx_only("InterPodAffinity", NULL);
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "zone:z2", "");
    fx_pod_on(f, "a", "cache", "", "", 0, "app:cache");
    fx_score(f, "{metadata:{name:q,uid:q},spec:{containers:[{name:c}],"
                PREF("podAffinity", "50", TERM("app:cache", "zone")) "}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 200);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 200);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 0);
    fx_score(f, "{metadata:{name:q,uid:q},spec:{containers:[{name:c}],"
                PREF("podAntiAffinity", "30", TERM("app:cache", "kubernetes.io/hostname")) "}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 0);
    CU_ASSERT_EQUAL(fx_score_of(f, "b"), 200);
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 200);
    fx_free(f);
}

static void test_existing_required_affinity_scores(void)
{
    fx *f = fx_only("InterPodAffinity", NULL);
    fx_node_res(f, "a", "4", "8Gi", 110, "zone:z1", "");
    fx_node_res(f, "c", "4", "8Gi", 110, "zone:z2", "");
    fx_pod(f, "{metadata:{name:fan,uid:fan,namespace:default,labels:{app:fan}},spec:{nodeName:c,"
              "containers:[{name:c}]," REQ("podAffinity", TERM("app:x", "zone")) "},status:{phase:Running}}");
    fx_score(f, "{metadata:{name:q,uid:q,labels:{app:x}},spec:{containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(fx_score_of(f, "c"), 200); /* hardPodAffinityWeight 1, normalized */
    CU_ASSERT_EQUAL(fx_score_of(f, "a"), 0);
    fx_free(f);
}

static void test_namespace_selector(void)
{
    fx *f = fx_only("InterPodAffinity", NULL);
    size_t len;
    char err[128];
    fx_node_res(f, "a", "4", "8Gi", 110, "", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "", "");
    uint8_t *ns = tj_mp("{metadata:{name:team1,labels:{team:one}}}", &len);
    CU_ASSERT(sk_scheduler_ns_upsert(f->s, ns, len, err, sizeof(err)) == 0);
    free(ns);
    fx_pod(f, "{metadata:{name:x,namespace:team1,uid:x,labels:{app:web}},spec:{nodeName:a,"
              "containers:[{name:c}]},status:{phase:Running}}");
    CU_ASSERT_EQUAL(fx_score(f, "{metadata:{name:q,uid:q},spec:{containers:[{name:c}],"
                                "affinity:{podAntiAffinity:{requiredDuringSchedulingIgnoredDuringExecution:"
                                "[{labelSelector:{matchLabels:{app:web}},namespaceSelector:{matchLabels:"
                                "{team:one}},topologyKey:kubernetes.io/hostname}]}}}}"),
                    1);
    CU_ASSERT_STRING_EQUAL(f->names[0], "b");
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"required affinity", test_required_affinity},
        {"anti-affinity, the pod's and existing pods'", test_anti_affinity_both_ways},
        {"preferred (anti-)affinity score", test_preferred_affinity_score},
        {"existing pods' required affinity scores", test_existing_required_affinity_scores},
        {"namespaceSelector", test_namespace_selector},
        {NULL, NULL},
    };
    return run_suite("plugins_affinity", tests);
}
