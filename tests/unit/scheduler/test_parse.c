/* Pods and nodes from msgpack: the fields the scheduler reads, effective
 * requests, and hostile input. */
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "node_obj.h"
#include "pod_obj.h"
#include "skiff/errors.h"
#include "test_main.h"
#include "tjson.h"

static sk_pod_obj *pod(const char *json)
{
    size_t len;
    char err[256] = "";
    sk_pod_obj *o = NULL;
    uint8_t *mp = tj_mp(json, &len);
    int rc = sk_pod_parse(mp, len, &o, err, sizeof(err));
    if (rc)
        fprintf(stderr, "%s\n", err);
    CU_ASSERT_EQUAL(rc, 0);
    free(mp);
    return o;
}

static void test_pod_fields(void)
{
    sk_pod_obj *o = pod(
        "{metadata:{name:web,namespace:prod,uid:u1,labels:{app:web,tier:front},"
        "creationTimestamp:'2024-05-01T10:00:00Z'},"
        "spec:{priority:1000,preemptionPolicy:Never,schedulerName:my-sched,nodeSelector:{disk:ssd},"
        "tolerations:[{key:dedicated,operator:Equal,value:gpu,effect:NoSchedule},{operator:Exists}],"
        "schedulingGates:[{name:g1}],containers:[{name:c}]},"
        "status:{nominatedNodeName:n3,phase:Pending}}");
    CU_ASSERT_FATAL(o != NULL);
    const sk_sched_pod *p = &o->pod;
    CU_ASSERT_STRING_EQUAL(p->name, "web");
    CU_ASSERT_STRING_EQUAL(p->ns, "prod");
    CU_ASSERT_STRING_EQUAL(p->uid, "u1");
    CU_ASSERT_STRING_EQUAL(sk_label_get(&p->labels, "tier"), "front");
    CU_ASSERT_EQUAL(p->priority, 1000);
    CU_ASSERT(p->preempt_never);
    CU_ASSERT_STRING_EQUAL(p->scheduler_name, "my-sched");
    CU_ASSERT_STRING_EQUAL(p->nominated_node_name, "n3");
    CU_ASSERT_EQUAL(p->creation_ms, 1714557600000LL);
    CU_ASSERT_EQUAL(p->ntolerations, 2);
    CU_ASSERT(p->tolerations[1].exists && p->tolerations[1].key[0] == '\0');
    CU_ASSERT_EQUAL(p->tolerations[0].effect, SK_SCHED_EFFECT_NO_SCHEDULE);
    CU_ASSERT_EQUAL(p->nscheduling_gates, 1);
    CU_ASSERT_EQUAL(p->requests.pods, 1);
    sk_pod_unref(&o);
}

static void test_requests_as_kube_scheduler(void)
{
    /* containers 2+1 cpu, 1G+1G mem; init IC1 2/1G, IC2 2/3G -> cpu 3, mem 3G */
    sk_pod_obj *o = pod(
        "{metadata:{name:p,uid:u},spec:{"
        "initContainers:[{name:i1,resources:{requests:{cpu:2,memory:'1G'}}},"
        "{name:i2,resources:{requests:{cpu:2,memory:'3G'}}}],"
        "containers:[{name:a,resources:{requests:{cpu:2,memory:'1G'}}},"
        "{name:b,resources:{requests:{cpu:1,memory:'1G'}}}]}}");
    CU_ASSERT_EQUAL(o->pod.requests.milli_cpu, 3000);
    CU_ASSERT_EQUAL(o->pod.requests.memory, 3000000000LL);
    sk_pod_unref(&o);

    /* A sidecar (restartPolicy Always) adds to the running total and to
     * every later init container; limits stand in for requests; overhead
     * comes on top. */
    o = pod("{metadata:{name:p,uid:u},spec:{overhead:{cpu:'100m'},"
            "initContainers:[{name:side,restartPolicy:Always,resources:{requests:{cpu:'500m'}}},"
            "{name:init,resources:{requests:{cpu:'2'}}}],"
            "containers:[{name:a,resources:{limits:{cpu:'1',memory:'1Gi','example.com/gpu':2}}}]}}");
    CU_ASSERT_EQUAL(o->pod.requests.milli_cpu, 2600); /* max(1+0.5, 2+0.5) + 0.1 */
    CU_ASSERT_EQUAL(o->pod.requests.memory, 1073741824LL);
    CU_ASSERT_EQUAL(o->pod.requests.nscalars, 1);
    CU_ASSERT_STRING_EQUAL(o->pod.requests.scalars[0].name, "example.com/gpu");
    CU_ASSERT_EQUAL(o->pod.requests.scalars[0].value, 2);
    sk_pod_unref(&o);
}

static void test_nonzero_requests(void)
{
    sk_pod_obj *o = pod("{metadata:{name:p,uid:u},spec:{containers:[{name:a},"
                        "{name:b,resources:{requests:{cpu:'300m'}}}]}}");
    CU_ASSERT_EQUAL(o->pod.requests.milli_cpu, 300);
    CU_ASSERT_EQUAL(o->pod.requests.memory, 0);
    CU_ASSERT_EQUAL(o->pod.nonzero_milli_cpu, 400);                  /* 100m default + 300m */
    CU_ASSERT_EQUAL(o->pod.nonzero_memory, 2 * 200LL * 1024 * 1024); /* both default */
    sk_pod_unref(&o);
}

static void test_affinity_and_spread(void)
{
    sk_pod_obj *o = pod(
        "{metadata:{name:p,namespace:ns1,uid:u,labels:{app:db,ver:v2}},spec:{affinity:{"
        "nodeAffinity:{requiredDuringSchedulingIgnoredDuringExecution:{nodeSelectorTerms:["
        "{matchExpressions:[{key:zone,operator:In,values:[a,b]}]}]},"
        "preferredDuringSchedulingIgnoredDuringExecution:[{weight:5,preference:{matchExpressions:"
        "[{key:disk,operator:Exists}]}},{weight:0,preference:{matchExpressions:[{key:x,operator:Exists}]}}]},"
        "podAntiAffinity:{requiredDuringSchedulingIgnoredDuringExecution:[{labelSelector:"
        "{matchLabels:{app:db}},topologyKey:kubernetes.io/hostname,matchLabelKeys:[ver]}]}},"
        "topologySpreadConstraints:[{maxSkew:2,topologyKey:zone,whenUnsatisfiable:ScheduleAnyway,"
        "labelSelector:{matchLabels:{app:db}},matchLabelKeys:[ver]}],containers:[{name:c}]}}");
    const sk_sched_pod *p = &o->pod;
    CU_ASSERT(p->has_required_node_affinity);
    CU_ASSERT_EQUAL(p->nrequired_node_terms, 1);
    CU_ASSERT_EQUAL(p->npreferred_node_terms, 1); /* weight 0 dropped */
    CU_ASSERT_EQUAL(p->nanti_affinity_required, 1);
    const sk_sched_pod_term *t = &p->anti_affinity_required[0];
    CU_ASSERT_EQUAL(t->nnamespaces, 1);
    CU_ASSERT_STRING_EQUAL(t->namespaces[0], "ns1"); /* own namespace by default */
    CU_ASSERT_EQUAL(t->selector.nexprs, 1);          /* ver In (v2) merged */
    CU_ASSERT_EQUAL(p->nspread, 1);
    CU_ASSERT(!p->spread[0].do_not_schedule);
    CU_ASSERT(p->spread[0].honor_node_affinity && !p->spread[0].honor_node_taints);
    CU_ASSERT_EQUAL(p->spread[0].selector.nexprs, 1);
    sk_pod_unref(&o);
}

static void test_node_fields(void)
{
    size_t len;
    char err[256];
    sk_node_obj *n;
    uint8_t *mp = tj_mp("{metadata:{name:n1,labels:{topology.kubernetes.io/zone:z1}},"
                        "spec:{unschedulable:true,taints:[{key:dedicated,value:gpu,effect:NoSchedule}]},"
                        "status:{allocatable:{cpu:'3800m',memory:'15Gi',pods:110,"
                        "ephemeral-storage:'100Gi',nvidia.com/gpu:4}}}",
                        &len);
    CU_ASSERT_FATAL(sk_node_parse(mp, len, &n, err, sizeof(err)) == 0);
    CU_ASSERT_STRING_EQUAL(n->name, "n1");
    CU_ASSERT(n->unschedulable);
    CU_ASSERT_EQUAL(n->ntaints, 1);
    CU_ASSERT_STRING_EQUAL(n->taints[0].value, "gpu");
    CU_ASSERT_EQUAL(n->allocatable.milli_cpu, 3800);
    CU_ASSERT_EQUAL(n->allocatable.memory, 15LL << 30);
    CU_ASSERT_EQUAL(n->allocatable.pods, 110);
    CU_ASSERT_EQUAL(n->allocatable.nscalars, 1);
    CU_ASSERT_STRING_EQUAL(n->zone_key, "\nz1");
    sk_node_obj_free(&n);
    free(mp);
}

static void test_bad_input_never_crashes(void)
{
    size_t len;
    char err[256];
    uint8_t *mp = tj_mp("{metadata:{name:p,uid:u,labels:{a:b}},spec:{priority:5,affinity:{podAffinity:"
                        "{requiredDuringSchedulingIgnoredDuringExecution:[{labelSelector:{matchExpressions:"
                        "[{key:a,operator:In,values:[b]}]},topologyKey:z}]}},containers:[{name:c,"
                        "resources:{requests:{cpu:'1',memory:'1Gi'}}}]}}",
                        &len);
    /* Every truncation and every single-byte corruption must fail or parse,
     * never crash (ASan watches). */
    for (size_t cut = 0; cut < len; cut++) {
        sk_pod_obj *o = NULL;
        CU_ASSERT(sk_pod_parse(mp, cut, &o, err, sizeof(err)) != 0);
        CU_ASSERT(o == NULL);
    }
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t *copy = malloc(len);
            memcpy(copy, mp, len);
            copy[i] ^= (uint8_t)(1u << bit);
            sk_pod_obj *o = NULL;
            if (sk_pod_parse(copy, len, &o, err, sizeof(err)) == 0)
                sk_pod_unref(&o);
            sk_node_obj *n = NULL;
            if (sk_node_parse(copy, len, &n, err, sizeof(err)) == 0)
                sk_node_obj_free(&n);
            free(copy);
        }
    }
    free(mp);
    /* Wrong types are reported with the field. */
    mp = tj_mp("{metadata:{name:p,uid:u},spec:{priority:'high'}}", &len);
    sk_pod_obj *o = NULL;
    CU_ASSERT_EQUAL(sk_pod_parse(mp, len, &o, err, sizeof(err)), SK_EBADMSG);
    CU_ASSERT(strstr(err, "priority") != NULL);
    free(mp);
}

int main(void)
{
    static const test_case tests[] = {
        {"pod fields", test_pod_fields},
        {"requests as kube-scheduler computes them", test_requests_as_kube_scheduler},
        {"non-zero requests for scoring", test_nonzero_requests},
        {"affinity terms and spread constraints", test_affinity_and_spread},
        {"node fields", test_node_fields},
        {"bad input never crashes", test_bad_input_never_crashes},
        {NULL, NULL},
    };
    return run_suite("parse", tests);
}
