/* Namespace deletion and the garbage collector's propagation policies. */
#include <stdio.h>

#include "ctl_test.h"

static void test_namespace_empties_then_finalizes(void)
{
    sk_mp_view ns = tj("{\"metadata\":{\"name\":\"team\",\"deletionTimestamp\":"
                       "\"2025-11-24T10:00:00Z\"},\"spec\":{\"finalizers\":[\"kubernetes\"]},"
                       "\"status\":{\"phase\":\"Terminating\"}}");
    ctl_ns_item items[2] = {
        {&ctl_k_pods, tj("{\"metadata\":{\"name\":\"p\",\"namespace\":\"team\",\"uid\":\"1\"}}")},
        {&ctl_k_deploy, tj("{\"metadata\":{\"name\":\"d\",\"namespace\":\"team\",\"uid\":\"2\","
                           "\"deletionTimestamp\":\"2025-11-24T10:00:00Z\"}}")},
    };
    ctl_ns_in in = {.ns = ns, .items = items, .nitems = 2};
    ctl_actions a;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_ns_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(act_count(&a, "delete pods team/p"), 1);
    CU_ASSERT_EQUAL(act_count(&a, "delete deployments"), 0); /* already going */
    CU_ASSERT_EQUAL(act_count(&a, "patch namespaces"), 0);
    CU_ASSERT(a.requeue_ms > 0);
    ctl_actions_free(&a);
    in.nitems = 0;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_ns_sync(&in, &a), 0);
    const ctl_action *f = act_find(&a, "patch namespaces team", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_TRUE(ctl_has(act_req(f), "body.spec.finalizers"));
    CU_ASSERT_FALSE(ctl_has(act_req(f), "body.spec.finalizers.0"));
    ctl_actions_free(&a);
    /* not being deleted: nothing */
    in.ns = tj("{\"metadata\":{\"name\":\"team\"}}");
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_ns_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(a.n, 0);
    ctl_actions_free(&a);
    tjson_reset();
}

/* A tiny world for the GC: owners by uid, dependents by owner uid. */
typedef struct world {
    sk_mp_view owners[4];
    size_t nowners;
    ctl_ns_item deps[4];
    size_t ndeps;
} world;

static int lookup(void *arg, sk_mp_view ref, sk_mp_view *owner)
{
    world *w = arg;
    if (ctl_eq(ctl_get(ref, "kind"), "Unknown"))
        return -1;
    char uid[64];
    ctl_str(ref, "uid", uid, sizeof uid);
    for (size_t i = 0; i < w->nowners; i++)
        if (ctl_eq(ctl_get(w->owners[i], "metadata.uid"), uid)) {
            *owner = w->owners[i];
            return 1;
        }
    return 0;
}

static size_t dependents(void *arg, const char *uid, ctl_ns_item *out, size_t max)
{
    world *w = arg;
    size_t n = 0;
    for (size_t i = 0; i < w->ndeps && n < max; i++)
        if (ctl_owned_by(w->deps[i].obj, uid))
            out[n++] = w->deps[i];
    return n;
}

static sk_mp_view dep(const char *name, const char *owners)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"ns\",\"uid\":\"u-%s\","
             "\"resourceVersion\":\"3\",\"ownerReferences\":[%s]}}",
             name, name, owners);
    return tj(buf);
}

static void test_background_orphans_deleted(void)
{
    world w = {.owners = {tj("{\"metadata\":{\"uid\":\"alive\"}}")}, .nowners = 1};
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_gc_in in = {.kind = &ctl_k_pods,
                    .obj = dep("p", "{\"kind\":\"ReplicaSet\",\"uid\":\"gone\"}"),
                    .lookup = lookup, .dependents = dependents, .arg = &w};
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    const ctl_action *d = act_find(&a, "delete pods ns/p", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(d, "body.propagationPolicy", s, sizeof s), "Background");
    CU_ASSERT_STRING_EQUAL(act_str(d, "body.preconditions.uid", s, sizeof s), "u-p");
    ctl_actions_free(&a);
    /* one owner alive, one gone: only the dangling reference goes */
    ctl_actions_init(&a);
    in.obj = dep("q", "{\"kind\":\"ReplicaSet\",\"uid\":\"gone\"},{\"kind\":\"X\",\"uid\":\"alive\"}");
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    const ctl_action *p = act_find(&a, "patch pods ns/q", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(act_str(p, "body.metadata.ownerReferences.0.uid", s, sizeof s), "alive");
    CU_ASSERT_FALSE(ctl_has(act_req(p), "body.metadata.ownerReferences.1"));
    ctl_actions_free(&a);
    /* an owner of an unknown kind: never guess */
    ctl_actions_init(&a);
    in.obj = dep("r", "{\"kind\":\"Unknown\",\"uid\":\"gone\"}");
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(a.n, 0);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_foreground_and_orphan(void)
{
    sk_mp_view owner_fg = tj("{\"metadata\":{\"name\":\"rs\",\"namespace\":\"ns\",\"uid\":\"o1\","
                             "\"deletionTimestamp\":\"2025-11-24T10:00:00Z\","
                             "\"finalizers\":[\"foregroundDeletion\",\"other\"]}}");
    world w = {.owners = {owner_fg}, .nowners = 1,
               .deps = {{&ctl_k_pods, dep("p1", "{\"kind\":\"ReplicaSet\",\"uid\":\"o1\"}")}},
               .ndeps = 1};
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_gc_in in = {.kind = &ctl_k_rs, .obj = owner_fg, .lookup = lookup,
                    .dependents = dependents, .arg = &w};
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(act_count(&a, "delete pods ns/p1"), 1);
    CU_ASSERT_EQUAL(act_count(&a, "patch replicasets"), 0);
    ctl_actions_free(&a);
    w.ndeps = 0; /* dependents gone: the finalizer goes, "other" stays */
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    const ctl_action *f = act_find(&a, "patch replicasets ns/rs", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char s[64];
    CU_ASSERT_STRING_EQUAL(act_str(f, "body.metadata.finalizers.0", s, sizeof s), "other");
    CU_ASSERT_FALSE(ctl_has(act_req(f), "body.metadata.finalizers.1"));
    ctl_actions_free(&a);

    sk_mp_view owner_or = tj("{\"metadata\":{\"name\":\"rs\",\"namespace\":\"ns\",\"uid\":\"o2\","
                             "\"deletionTimestamp\":\"2025-11-24T10:00:00Z\","
                             "\"finalizers\":[\"orphan\"]}}");
    world v = {.owners = {owner_or}, .nowners = 1,
               .deps = {{&ctl_k_pods, dep("p2", "{\"kind\":\"ReplicaSet\",\"uid\":\"o2\"},"
                                               "{\"kind\":\"X\",\"uid\":\"keep\"}")}},
               .ndeps = 1};
    in = (ctl_gc_in){.kind = &ctl_k_rs, .obj = owner_or, .lookup = lookup,
                     .dependents = dependents, .arg = &v};
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    const ctl_action *p = act_find(&a, "patch pods ns/p2", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(act_str(p, "body.metadata.ownerReferences.0.uid", s, sizeof s), "keep");
    CU_ASSERT_EQUAL(act_count(&a, "delete"), 0);
    ctl_actions_free(&a);
    v.ndeps = 0;
    ctl_actions_init(&a);
    CU_ASSERT_EQUAL(ctl_gc_sync(&in, &a), 0);
    CU_ASSERT_EQUAL(act_count(&a, "patch replicasets ns/rs"), 1);
    ctl_actions_free(&a);
    tjson_reset();
}

SK_TEST_MAIN("controllers-namespace-gc", SK_TEST(test_namespace_empties_then_finalizes),
             SK_TEST(test_background_orphans_deleted), SK_TEST(test_foreground_and_orphan))
