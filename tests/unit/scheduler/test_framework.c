/* The framework runner: profiles, percentageOfNodesToScore, the cache's
 * assume/forget, Reserve/Unreserve, Permit, third-party plugins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "scheduler_impl.h"
#include "skiff/errors.h"
#include "test_main.h"

static void test_nodes_to_find(void)
{
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(0, 50), 50);
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(0, 100), 100);
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(0, 1000), 420);  /* 50 - 1000/125 = 42% */
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(0, 5000), 500);  /* 10% */
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(0, 10000), 500); /* floor of 5% */
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(30, 1000), 300);
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(1, 1000), 100);  /* never fewer than 100 */
    CU_ASSERT_EQUAL(sk_num_feasible_to_find(100, 1000), 1000);
}

static void test_rotating_start(void)
{
    fx *f = fx_new("{profiles:[{percentageOfNodesToScore:50}]}");
    for (int i = 0; i < 300; i++) {
        char name[16];
        snprintf(name, sizeof(name), "n%03d", i);
        fx_node_res(f, name, "4", "8Gi", 110, "", "");
    }
    sk_sched_fw *fw = sk_scheduler_profile(f->s, "default-scheduler");
    for (int i = 0; i < 3; i++) {
        char pod[16];
        snprintf(pod, sizeof(pod), "p%d", i);
        fx_pod_res(f, pod, "", "", 0, "", "");
        sk_sched_outcome o;
        CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
        CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_BIND);
        CU_ASSERT_EQUAL(o.evaluated, 150); /* 50% of 300 */
        CU_ASSERT_EQUAL(o.feasible, 150);
        CU_ASSERT_EQUAL(fw->next_start, (uint32_t)((i + 1) * 150 % 300));
        sk_scheduler_binding_done(f->s, &o.binding, SK_SCHED_SUCCESS, NULL);
        sk_outcome_clear(&o);
    }
    fx_free(f);
}

static void test_zones_interleaved(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "a1", "4", "8Gi", 110, "topology.kubernetes.io/zone:a", "");
    fx_node_res(f, "a2", "4", "8Gi", 110, "topology.kubernetes.io/zone:a", "");
    fx_node_res(f, "a3", "4", "8Gi", 110, "topology.kubernetes.io/zone:a", "");
    fx_node_res(f, "b1", "4", "8Gi", 110, "topology.kubernetes.io/zone:b", "");
    fx_node_res(f, "c1", "4", "8Gi", 110, "topology.kubernetes.io/zone:c", "");
    fx_node_res(f, "b2", "4", "8Gi", 110, "topology.kubernetes.io/zone:b", "");
    const sk_sched_snapshot *snap = sk_cache_snapshot(sk_scheduler_cache(f->s));
    const char *want[] = {"a1", "b1", "c1", "a2", "b2", "a3"};
    CU_ASSERT_EQUAL_FATAL(snap->nnodes, 6);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_STRING_EQUAL(snap->nodes[i]->name, want[i]);
    fx_free(f);
}

static void test_assume_then_forget(void)
{
    fx *f = fx_new(NULL);
    char msg[256];
    fx_node_res(f, "n", "1", "1Gi", 110, "", "");
    fx_pod_res(f, "a", "1", "", 0, "", "");
    fx_pod_res(f, "b", "1", "", 0, "", "");
    sk_sched_outcome o;
    CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
    CU_ASSERT_EQUAL_FATAL(o.kind, SK_OUTCOME_BIND);
    /* a is assumed before its binding is even attempted: b sees no room. */
    CU_ASSERT(sk_cache_is_assumed(sk_scheduler_cache(f->s), "uid-a"));
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT(strncmp(msg, "0/1 nodes are available: 1 Insufficient cpu.", 44) == 0);
    /* The binding fails: a is forgotten and retried after its backoff,
     * and b, woken by the freed room, takes the node. */
    sk_scheduler_binding_done(f->s, &o.binding, SK_SCHED_ERROR, "apiserver unreachable");
    sk_outcome_clear(&o);
    CU_ASSERT(!sk_cache_is_assumed(sk_scheduler_cache(f->s), "uid-a"));
    CU_ASSERT_EQUAL(sk_cache_node(sk_scheduler_cache(f->s), "n")->node.requested.milli_cpu, 0);
    f->now += 1000;
    char node[64];
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_UNSCHEDULABLE);
    fx_free(f);
}

static void test_informer_confirms_assumed(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "n", "2", "1Gi", 110, "", "");
    fx_pod_res(f, "a", "1", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT(sk_cache_is_assumed(sk_scheduler_cache(f->s), "uid-a"));
    fx_pod_on(f, "n", "a", "1", "", 0, "");
    CU_ASSERT(!sk_cache_is_assumed(sk_scheduler_cache(f->s), "uid-a"));
    CU_ASSERT_EQUAL(sk_cache_node(sk_scheduler_cache(f->s), "n")->node.requested.milli_cpu, 1000);
    CU_ASSERT_EQUAL(sk_cache_node(sk_scheduler_cache(f->s), "n")->node.npods, 1);
    /* Deleting the node keeps the pod's accounting until the pod goes. */
    CU_ASSERT(sk_scheduler_node_delete(f->s, "n") == 0);
    CU_ASSERT_EQUAL(sk_cache_snapshot(sk_scheduler_cache(f->s))->nnodes, 0);
    CU_ASSERT(sk_scheduler_pod_delete(f->s, "uid-a") == 0);
    CU_ASSERT(sk_cache_node(sk_scheduler_cache(f->s), "n") == NULL);
    fx_free(f);
}

/* ---- a test plugin with Reserve/Unreserve and Permit ---- */
typedef struct gate {
    const sk_sched_handle *h;
    int reserved, unreserved, bound;
} gate;

static gate *the_gate;

static int gate_create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    gate *g = calloc(1, sizeof(*g));
    g->h = h;
    the_gate = g;
    *self = g;
    return 0;
}

static void gate_destroy(void *self)
{
    free(self);
}

static sk_sched_code gate_reserve(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                  const char *node, sk_sched_status *st)
{
    (void)c, (void)node;
    gate *g = self;
    g->reserved++;
    if (strcmp(pod->name, "refused") == 0) {
        g->h->api->status_reason(st, "reservation refused");
        return SK_SCHED_UNSCHEDULABLE;
    }
    return SK_SCHED_SUCCESS;
}

static void gate_unreserve(void *self, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node)
{
    (void)c, (void)pod, (void)node;
    ((gate *)self)->unreserved++;
}

static sk_sched_code gate_permit(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                 const char *node, int64_t *timeout, sk_sched_status *st)
{
    (void)self, (void)c, (void)node, (void)st;
    if (strncmp(pod->name, "wait", 4) != 0)
        return SK_SCHED_SUCCESS;
    *timeout = 5000;
    return SK_SCHED_WAIT;
}

static const sk_sched_plugin_desc gate_desc = {
    SK_SCHED_PLUGIN_DESC_INIT,
    .name = "Gate",
    .create = gate_create,
    .destroy = gate_destroy,
    .reserve = gate_reserve,
    .unreserve = gate_unreserve,
    .permit = gate_permit,
};

static fx *fx_with_gate(void)
{
    char err[256];
    fx *f = calloc(1, sizeof(*f));
    f->now = 1000000;
    f->store = calloc(1, sizeof(*f->store));
    CU_ASSERT_FATAL(sk_registry_new(&f->reg) == 0);
    CU_ASSERT_FATAL(sk_registry_add(f->reg, &gate_desc, err, sizeof(err)) == 0);
    f->cfg = mpcfg_new("{profiles:[{plugins:{multiPoint:{enabled:[{name:Gate}]}}}]}");
    CU_ASSERT_FATAL(sk_sched_config_read(mpcfg_api(), mpcfg_root(f->cfg), f->store, err, sizeof(err)) == 0);
    sk_sched_env env = {.now_ms = fx_clock, .clock_arg = f};
    CU_ASSERT_FATAL(sk_scheduler_new(f->reg, &f->store->cfg, &env, &f->s, err, sizeof(err)) == 0);
    return f;
}

static void test_reserve_unreserve(void)
{
    fx *f = fx_with_gate();
    char msg[256];
    fx_node_res(f, "n", "2", "2Gi", 110, "", "");
    fx_pod_res(f, "refused", "1", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "Gate: reservation refused");
    CU_ASSERT_EQUAL(the_gate->reserved, 1);
    CU_ASSERT_EQUAL(the_gate->unreserved, 1);
    CU_ASSERT(!sk_cache_is_assumed(sk_scheduler_cache(f->s), "uid-refused"));
    fx_free(f);
}

static void test_permit_wait_allow_and_timeout(void)
{
    fx *f = fx_with_gate();
    sk_sched_outcome o;
    fx_node_res(f, "n", "2", "2Gi", 110, "", "");
    fx_pod_res(f, "wait1", "1", "", 0, "", "");
    fx_pod_res(f, "wait2", "1", "", 0, "", "");
    CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
    CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_WAIT);
    sk_outcome_clear(&o);
    CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
    CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_WAIT);
    sk_outcome_clear(&o);
    /* Both are assumed while they wait. */
    CU_ASSERT_EQUAL(sk_cache_node(sk_scheduler_cache(f->s), "n")->node.requested.milli_cpu, 2000);
    CU_ASSERT(sk_scheduler_take_ready(f->s) == NULL);
    sk_sched_fw *fw = sk_scheduler_profile(f->s, "default-scheduler");
    CU_ASSERT(the_gate->h->api->permit_allow(fw, "uid-wait1", "Gate") == 0);
    sk_sched_binding *b = sk_scheduler_take_ready(f->s);
    CU_ASSERT_FATAL(b != NULL);
    CU_ASSERT(sk_binding_rejected(b) == NULL);
    CU_ASSERT_STRING_EQUAL(sk_binding_pod(b)->name, "wait1");
    /* No Bind plugin in this registry: the binding fails and unwinds. */
    char msg[256];
    sk_sched_code c = sk_binding_run(b, msg, sizeof(msg));
    CU_ASSERT_EQUAL(c, SK_SCHED_ERROR);
    CU_ASSERT_STRING_EQUAL(msg, "binding: no Bind plugin bound the pod");
    sk_scheduler_binding_done(f->s, &b, c, msg);
    CU_ASSERT_EQUAL(the_gate->unreserved, 1);
    /* wait2 times out after 5 s. */
    f->now += 4999;
    sk_scheduler_tick(f->s);
    CU_ASSERT(sk_scheduler_take_ready(f->s) == NULL);
    f->now += 1;
    sk_scheduler_tick(f->s);
    b = sk_scheduler_take_ready(f->s);
    CU_ASSERT_FATAL(b != NULL);
    CU_ASSERT_STRING_EQUAL(sk_binding_rejected(b), "rejected due to timeout after waiting 5000ms at plugin Gate");
    sk_scheduler_binding_done(f->s, &b, SK_SCHED_UNSCHEDULABLE, NULL);
    CU_ASSERT_EQUAL(sk_cache_node(sk_scheduler_cache(f->s), "n")->node.requested.milli_cpu, 0);
    fx_free(f);
}

static void test_profiles_and_weights(void)
{
    fx *f = fx_new("{percentageOfNodesToScore:0,profiles:["
                   "{schedulerName:default-scheduler},"
                   "{schedulerName:packer,plugins:{score:{disabled:[{name:'*'}],enabled:"
                   "[{name:NodeResourcesFit,weight:5}]}},"
                   "pluginConfig:[{name:NodeResourcesFit,args:{scoringStrategy:{type:MostAllocated}}}]}]}");
    char node[64];
    fx_node_res(f, "a", "4", "8Gi", 110, "", "");
    fx_node_res(f, "b", "4", "8Gi", 110, "", "");
    fx_pod_on(f, "a", "old", "2", "4Gi", 0, "");
    /* The packer profile puts pods on the fuller node... */
    fx_pod(f, "{metadata:{name:p,uid:p},spec:{schedulerName:packer,containers:[{name:c,resources:"
              "{requests:{cpu:1,memory:'1Gi'}}}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "a");
    /* ...the default one on the emptier. */
    fx_pod(f, "{metadata:{name:q,uid:q},spec:{containers:[{name:c,resources:"
              "{requests:{cpu:1,memory:'1Gi'}}}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "b");
    sk_sched_fw *packer = sk_scheduler_profile(f->s, "packer");
    CU_ASSERT_FATAL(packer != NULL);
    CU_ASSERT_EQUAL(packer->nlist[SK_PT_SCORE], 1);
    CU_ASSERT_EQUAL(packer->plugins[packer->list[SK_PT_SCORE][0]].weight, 5);
    sk_sched_fw *def = sk_scheduler_profile(f->s, "default-scheduler");
    const char *scores[] = {"TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread",
                            "InterPodAffinity", "NodeResourcesBalancedAllocation"};
    const int weights[] = {3, 2, 1, 2, 2, 1};
    CU_ASSERT_EQUAL_FATAL(def->nlist[SK_PT_SCORE], 6);
    for (int i = 0; i < 6; i++) {
        const sk_fw_plugin *p = &def->plugins[def->list[SK_PT_SCORE][i]];
        CU_ASSERT_STRING_EQUAL(p->d.name, scores[i]);
        CU_ASSERT_EQUAL(p->weight, weights[i]);
    }
    fx_free(f);
}

static void test_config_errors(void)
{
    sk_sched_registry *reg;
    char err[256];
    CU_ASSERT_FATAL(sk_registry_new(&reg) == 0);
    const char *bad[] = {
        "{profiles:[{plugins:{score:{enabled:[{name:NoSuchPlugin}]}}}]}",
        "{profiles:[{plugins:{filter:{enabled:[{name:PrioritySort}]}}}]}",
        "{profiles:[{plugins:{queueSort:{disabled:[{name:'*'}]}}}]}",
        "{profiles:[{schedulerName:x},{schedulerName:x}]}",
        "{profiles:[{plugins:{sideways:{}}}]}",
        "{percentageOfNodesToScore:101}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mpcfg *c = mpcfg_new(bad[i]);
        sk_sched_config_store *st = calloc(1, sizeof(*st));
        sk_scheduler *s = NULL;
        err[0] = '\0';
        int rc = sk_sched_config_read(mpcfg_api(), mpcfg_root(c), st, err, sizeof(err));
        if (!rc)
            rc = sk_scheduler_new(reg, &st->cfg, NULL, &s, err, sizeof(err));
        CU_ASSERT(rc != 0);
        CU_ASSERT(err[0] != '\0');
        CU_ASSERT(s == NULL);
        free(st);
        mpcfg_free(c);
    }
    sk_registry_free(&reg);
}

static void test_third_party_plugin(void)
{
    const char *dir = getenv("SKIFF_BUILD_DIR");
    char path[1024], err[256];
    snprintf(path, sizeof(path), "%s/tests/plugins/sched-labelpack.so", dir ? dir : ".");
    fx *f = calloc(1, sizeof(*f));
    f->now = 1;
    f->store = calloc(1, sizeof(*f->store));
    CU_ASSERT_FATAL(sk_registry_new(&f->reg) == 0);
    int rc = sk_registry_load(f->reg, path, err, sizeof(err));
    if (rc)
        fprintf(stderr, "load: %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    /* The same descriptor twice is refused. */
    CU_ASSERT(sk_registry_load(f->reg, path, err, sizeof(err)) != 0);
    f->cfg = mpcfg_new("{profiles:[{plugins:{score:{enabled:[{name:LabelPack,weight:50}]}},"
                       "pluginConfig:[{name:LabelPack,args:{label:pool.example.com/pack}}]}]}");
    CU_ASSERT_FATAL(sk_sched_config_read(mpcfg_api(), mpcfg_root(f->cfg), f->store, err, sizeof(err)) == 0);
    CU_ASSERT_FATAL(sk_scheduler_new(f->reg, &f->store->cfg, NULL, &f->s, err, sizeof(err)) == 0);
    fx_node_res(f, "plain1", "8", "16Gi", 110, "", "");
    fx_node_res(f, "packed", "8", "16Gi", 110, "pool.example.com/pack:'yes'", "");
    fx_node_res(f, "plain2", "8", "16Gi", 110, "", "");
    fx_score(f, "{metadata:{name:p,uid:p},spec:{containers:[{name:c,resources:{requests:{cpu:1}}}]}}");
    CU_ASSERT(fx_score_of(f, "packed") > fx_score_of(f, "plain1") + 4000);
    fx_free(f);
}

static void test_abi_checks(void)
{
    sk_sched_registry *reg;
    char err[256];
    CU_ASSERT_FATAL(sk_registry_new(&reg) == 0);
    sk_sched_plugin_desc d = {SK_SCHED_PLUGIN_DESC_INIT, .name = "X"};
    d.abi_major = 2;
    CU_ASSERT_EQUAL(sk_registry_add(reg, &d, err, sizeof(err)), SK_EABI);
    d.abi_major = SK_SCHED_ABI_MAJOR;
    d.abi_minor = SK_SCHED_ABI_MINOR + 1;
    CU_ASSERT_EQUAL(sk_registry_add(reg, &d, err, sizeof(err)), SK_EABI);
    d.abi_minor = SK_SCHED_ABI_MINOR;
    d.build_sig ^= 1;
    CU_ASSERT_EQUAL(sk_registry_add(reg, &d, err, sizeof(err)), SK_EABI);
    d.build_sig = SK_BUILD_SIG;
    d.size = 8;
    CU_ASSERT_EQUAL(sk_registry_add(reg, &d, err, sizeof(err)), SK_EABI);
    d.size = sizeof(d);
    d.name = "PrioritySort";
    CU_ASSERT_EQUAL(sk_registry_add(reg, &d, err, sizeof(err)), SK_EEXISTS);
    CU_ASSERT(sk_registry_load(reg, "/nonexistent/plugin.so", err, sizeof(err)) != 0);
    sk_registry_free(&reg);
}

int main(void)
{
    static const test_case tests[] = {
        {"numFeasibleNodesToFind", test_nodes_to_find},
        {"rotating start index", test_rotating_start},
        {"zones interleaved in the node walk", test_zones_interleaved},
        {"assume, then forget on a failed binding", test_assume_then_forget},
        {"the informer confirms an assumed pod", test_informer_confirms_assumed},
        {"Reserve and Unreserve", test_reserve_unreserve},
        {"Permit: wait, allow, timeout", test_permit_wait_allow_and_timeout},
        {"profiles and score weights", test_profiles_and_weights},
        {"config errors", test_config_errors},
        {"a third-party plugin .so", test_third_party_plugin},
        {"ABI checks", test_abi_checks},
        {NULL, NULL},
    };
    return run_suite("framework", tests);
}
