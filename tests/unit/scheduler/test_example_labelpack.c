/* The example third-party plugin (examples/scheduler-plugins/labelpack.c),
 * built as its own .so and loaded like any third-party plugin: its args
 * are checked, its PreScore skips Score off the pool, and it steers whole
 * scheduling cycles: the pool fills (fullest node first) before pods spill
 * over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "skiff/errors.h"
#include "test_main.h"

static sk_sched_code bind_ok(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                             const char *node, sk_sched_status *st)
{
    (void)self, (void)c, (void)pod, (void)node, (void)st;
    return SK_SCHED_SUCCESS;
}

/* Stands in for scheduler.so's DefaultBinder (which needs the bus). */
static const sk_sched_plugin_desc binder = {
    SK_SCHED_PLUGIN_DESC_INIT,
    .name = "DefaultBinder",
    .bind = bind_ok,
};

static sk_sched_registry *load(void)
{
    const char *dir = getenv("SKIFF_BUILD_DIR");
    char path[1024], err[256] = "";
    snprintf(path, sizeof(path), "%s/tests/plugins/example-labelpack.so", dir ? dir : ".");
    sk_sched_registry *reg = NULL;
    CU_ASSERT_FATAL(sk_registry_new(&reg) == 0);
    CU_ASSERT_FATAL(sk_registry_add(reg, &binder, err, sizeof(err)) == 0);
    int rc = sk_registry_load(reg, path, err, sizeof(err));
    if (rc)
        fprintf(stderr, "load %s: %s\n", path, err);
    CU_ASSERT_FATAL(rc == 0);
    return reg;
}

/* A scheduler whose default profile adds LabelPack with `args`; NULL and
 * the config error in err when the scheduler refuses it. */
static fx *pack_fx(const char *args, char *err, size_t errlen)
{
    fx *f = calloc(1, sizeof(*f));
    CU_ASSERT_FATAL(f != NULL);
    f->now = 1;
    f->reg = load();
    f->store = calloc(1, sizeof(*f->store));
    char cfg[512];
    snprintf(cfg, sizeof(cfg),
             "{profiles:[{plugins:{multiPoint:{enabled:[{name:LabelPack,weight:10}]}},"
             "pluginConfig:[{name:LabelPack,args:%s}]}]}",
             args);
    f->cfg = mpcfg_new(cfg);
    CU_ASSERT_FATAL(sk_sched_config_read(mpcfg_api(), mpcfg_root(f->cfg), f->store, err, errlen) == 0);
    sk_sched_env env = {.now_ms = fx_clock, .clock_arg = f, .seed = 7};
    if (sk_scheduler_new(f->reg, &f->store->cfg, &env, &f->s, err, errlen) != 0) {
        fx_free(f);
        return NULL;
    }
    return f;
}

static void test_args(void)
{
    char err[256] = "";
    CU_ASSERT(pack_fx("{}", err, sizeof(err)) == NULL);
    CU_ASSERT(strstr(err, "args.label") != NULL);
    CU_ASSERT(pack_fx("{label:pool, fill:maybe}", err, sizeof(err)) == NULL);
    CU_ASSERT(strstr(err, "args.fill") != NULL);
    fx *f = pack_fx("{label:pool}", err, sizeof(err));
    CU_ASSERT(f != NULL);
    fx_free(f);
}

static const char *pod1 = "{metadata:{name:p,uid:p},spec:{containers:[{name:c,"
                          "resources:{requests:{cpu:1,memory:'1Gi'}}}]}}";

static void test_scores(void)
{
    char err[256] = "";
    fx *f = pack_fx("{label:pool, value:'yes'}", err, sizeof(err));
    CU_ASSERT_FATAL(f != NULL);
    fx_node_res(f, "plain", "8", "16Gi", 110, "", "");
    fx_node_res(f, "other-value", "8", "16Gi", 110, "pool:'no'", "");
    fx_node_res(f, "empty-pool", "8", "16Gi", 110, "pool:'yes'", "");
    fx_node_res(f, "busy-pool", "8", "16Gi", 110, "pool:'yes'", "");
    fx_pod_on(f, "busy-pool", "old", "4", "8Gi", 0, "");
    CU_ASSERT_EQUAL(fx_score(f, pod1), 4);
    /* Weighted by 10: a pool node is >= 500 ahead; the busier one wins. */
    CU_ASSERT(fx_score_of(f, "empty-pool") > fx_score_of(f, "plain") + 400);
    CU_ASSERT(fx_score_of(f, "busy-pool") > fx_score_of(f, "empty-pool"));
    /* A different value is not the pool. */
    CU_ASSERT(fx_score_of(f, "other-value") < fx_score_of(f, "empty-pool") - 400);
    fx_free(f);
}

static void test_fills_pool_then_spills(void)
{
    char err[256] = "";
    fx *f = pack_fx("{label:pool}", err, sizeof(err));
    CU_ASSERT_FATAL(f != NULL);
    fx_node_res(f, "a", "4", "16Gi", 110, "", "");
    fx_node_res(f, "pool-1", "4", "16Gi", 110, "pool:'x'", "");
    fx_node_res(f, "pool-2", "4", "16Gi", 110, "pool:'x'", "");
    fx_node_res(f, "b", "4", "16Gi", 110, "", "");
    char node[64], first[64] = "";
    for (int i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof(name), "p%d", i);
        fx_pod_res(f, name, "1", "1Gi", 0, "", "");
        CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
        CU_ASSERT(strncmp(node, "pool-", 5) == 0);
        /* Packing: the first pool node fills before the second is used. */
        if (i == 0)
            snprintf(first, sizeof(first), "%s", node);
        if (i < 4)
            CU_ASSERT_STRING_EQUAL(node, first);
    }
    fx_pod_res(f, "spill", "1", "1Gi", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT(strcmp(node, "a") == 0 || strcmp(node, "b") == 0);
    fx_free(f);
}

static void test_no_pool_skips(void)
{
    char err[256] = "";
    fx *f = pack_fx("{label:pool, fill:false}", err, sizeof(err));
    CU_ASSERT_FATAL(f != NULL);
    fx_node_res(f, "a", "4", "16Gi", 110, "", "");
    fx_node_res(f, "b", "4", "16Gi", 110, "", "");
    fx_pod_on(f, "a", "old", "2", "4Gi", 0, "");
    /* No pool node: LabelPack skips; the defaults pick the emptier node. */
    char node[64];
    fx_pod_res(f, "p", "1", "1Gi", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "b");
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"args are checked", test_args},
        {"scores: pool first, fullest first, value matched", test_scores},
        {"fills the pool, then spills over", test_fills_pool_then_spills},
        {"no pool node: PreScore skips", test_no_pool_skips},
        {NULL, NULL},
    };
    return run_suite("example-labelpack", tests);
}
