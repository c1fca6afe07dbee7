/* Deployment reconcile: the rolling-update math, checked on every state of
 * simulated rollouts, plus creation, Recreate, rollback, history, pause
 * and conditions. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl_test.h"

#define NOW 1764000000000LL

typedef struct sim_rs {
    char name[64], hash[16];
    int64_t replicas, actual, avail, revision, created;
} sim_rs;

typedef struct sim {
    int64_t n;
    const char *surge, *unavail, *image, *strategy;
    sim_rs rs[16];
    size_t nrs;
    const char *extra_status; /* deployment status JSON, or NULL */
    int paused, history;
} sim;

static sk_mp_view deployment(const sim *s)
{
    char buf[2048], strat[256];
    if (s->strategy && strcmp(s->strategy, "Recreate") == 0)
        snprintf(strat, sizeof strat, "{\"type\":\"Recreate\"}");
    else
        snprintf(strat, sizeof strat,
                 "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":%s,"
                 "\"maxUnavailable\":%s}}",
                 s->surge, s->unavail);
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"d-uid\","
             "\"generation\":3,\"annotations\":{\"kubernetes.io/change-cause\":\"because\"}},"
             "\"spec\":{\"replicas\":%lld,\"paused\":%s,\"revisionHistoryLimit\":%d,"
             "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"strategy\":%s,"
             "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
             "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"%s\"}]}}},"
             "\"status\":%s}",
             (long long)s->n, s->paused ? "true" : "false", s->history ? s->history : 10, strat,
             s->image, s->extra_status ? s->extra_status : "{}");
    return tj(buf);
}

static sk_mp_view rs_view(const sim_rs *r)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"uid-%s\","
             "\"creationTimestamp\":\"2025-11-24T10:00:%02lldZ\","
             "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"%s\"},"
             "\"annotations\":{\"deployment.kubernetes.io/revision\":\"%lld\"},"
             "\"ownerReferences\":[{\"uid\":\"d-uid\",\"controller\":true}]},"
             "\"spec\":{\"replicas\":%lld},\"status\":{\"replicas\":%lld,\"readyReplicas\":%lld,"
             "\"availableReplicas\":%lld,\"observedGeneration\":1}}",
             r->name, r->name, (long long)r->created, r->hash, (long long)r->revision,
             (long long)r->replicas, (long long)r->actual, (long long)r->avail,
             (long long)r->avail);
    return tj(buf);
}

static void sync(sim *s, ctl_actions *a, ctl_deploy_out *o)
{
    sk_mp_view rss[16];
    for (size_t i = 0; i < s->nrs; i++)
        rss[i] = rs_view(&s->rs[i]);
    ctl_deploy_in in = {.d = deployment(s), .rss = rss, .nrss = s->nrs, .now_ms = NOW};
    ctl_actions_init(a);
    CU_ASSERT_EQUAL(ctl_deploy_sync(&in, a, o), 0);
}

static sim_rs *find(sim *s, const char *name)
{
    for (size_t i = 0; i < s->nrs; i++)
        if (strcmp(s->rs[i].name, name) == 0)
            return &s->rs[i];
    return NULL;
}

/* What the apiserver would do with the actions. */
static void apply(sim *s, const ctl_actions *a)
{
    for (size_t i = 0; i < a->n; i++) {
        const ctl_action *x = &a->v[i];
        char name[64], res[32], rev[16];
        act_str(x, "resource", res, sizeof res);
        if (strcmp(res, "replicasets") != 0)
            continue;
        if (strcmp(x->method, "create") == 0 && s->nrs < 16) {
            sim_rs *r = &s->rs[s->nrs++];
            memset(r, 0, sizeof(*r));
            act_str(x, "body.metadata.name", r->name, sizeof r->name);
            act_str(x, "body.metadata.labels.pod-template-hash", r->hash, sizeof r->hash);
            r->replicas = act_int(x, "body.spec.replicas");
            r->revision = atoll(ctl_str_key(act_req(x), "body.metadata.annotations", "deployment.kubernetes.io/revision",
                                        rev, sizeof rev));
            r->created = (int64_t)s->nrs;
        } else if (strcmp(x->method, "patch") == 0) {
            sim_rs *r = find(s, act_str(x, "name", name, sizeof name));
            CU_ASSERT_PTR_NOT_NULL_FATAL(r);
            if (ctl_has(act_req(x), "body.spec.replicas"))
                r->replicas = act_int(x, "body.spec.replicas");
            if (ctl_get_key(act_req(x), "body.metadata.annotations", "deployment.kubernetes.io/revision").p)
                r->revision = atoll(ctl_str_key(act_req(x), "body.metadata.annotations", "deployment.kubernetes.io/revision", rev,
                    sizeof rev));
        } else if (strcmp(x->method, "delete") == 0) {
            sim_rs *r = find(s, act_str(x, "name", name, sizeof name));
            if (r)
                *r = s->rs[--s->nrs];
        }
    }
}

static int64_t sum(const sim *s, int what)
{
    int64_t t = 0;
    for (size_t i = 0; i < s->nrs; i++)
        t += what == 0 ? s->rs[i].replicas : what == 1 ? s->rs[i].actual : s->rs[i].avail;
    return t;
}

/* The ReplicaSet controller and kubelets: pods appear at once; a new pod
 * is available one step after it appeared; scaling down removes
 * available pods last. */
static void pods_move(sim *s)
{
    for (size_t i = 0; i < s->nrs; i++) {
        sim_rs *r = &s->rs[i];
        int64_t was = r->actual;
        r->actual = r->replicas;
        if (r->avail > r->replicas)
            r->avail = r->replicas;
        else
            r->avail = was < r->replicas ? was : r->replicas;
    }
}

/* A v1 -> v2 rollout from a fully available v1; checks the bounds on
 * every observed state. Returns the number of steps. */
static int rollout(int64_t n, const char *surge, const char *unavail, int64_t max_total,
                   int64_t min_avail)
{
    sim s = {.n = n, .surge = surge, .unavail = unavail, .image = "v1"};
    ctl_actions a;
    ctl_deploy_out o;
    sync(&s, &a, &o);
    apply(&s, &a);
    ctl_actions_free(&a);
    CU_ASSERT_EQUAL_FATAL(s.nrs, 1);
    s.rs[0].actual = s.rs[0].avail = s.rs[0].replicas = n;
    s.image = "v2";
    int steps = 0;
    for (; steps < 200; steps++) {
        sync(&s, &a, &o);
        apply(&s, &a);
        ctl_actions_free(&a);
        CU_ASSERT(sum(&s, 0) <= max_total);
        pods_move(&s);
        CU_ASSERT(sum(&s, 1) <= max_total);
        CU_ASSERT(sum(&s, 2) >= min_avail);
        tjson_reset();
        sim_rs *cur = find(&s, o.new_rs);
        if (cur && cur->avail == n && sum(&s, 1) == n && s.nrs == 2)
            break;
    }
    CU_ASSERT(steps < 200);
    sim_rs *cur = find(&s, o.new_rs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
    CU_ASSERT_EQUAL(cur->revision, 2);
    CU_ASSERT_EQUAL(cur->replicas, n);
    return steps;
}

static void test_rolling_update_bounds(void)
{
    rollout(10, "\"25%\"", "\"25%\"", 13, 8);
    rollout(3, "1", "0", 4, 3);
    rollout(5, "0", "1", 5, 4);
    rollout(4, "\"50%\"", "\"50%\"", 6, 2);
    rollout(1, "\"25%\"", "\"25%\"", 2, 1);
    rollout(7, "\"0%\"", "\"0%\"", 7, 6); /* both 0: one may be unavailable */
    rollout(100, "\"10%\"", "0", 110, 100);
}

static void test_resolve(void)
{
    int64_t s, u;
    ctl_deploy_resolve(tj("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":\"25%\","
                          "\"maxUnavailable\":\"25%\"}}}}"),
                       10, &s, &u);
    CU_ASSERT_EQUAL(s, 3); /* rounds up */
    CU_ASSERT_EQUAL(u, 2); /* rounds down */
    ctl_deploy_resolve(tj("{}"), 1, &s, &u);
    CU_ASSERT_EQUAL(s, 1);
    CU_ASSERT_EQUAL(u, 0);
    ctl_deploy_resolve(tj("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":0,"
                          "\"maxUnavailable\":0}}}}"),
                       5, &s, &u);
    CU_ASSERT_EQUAL(s, 0);
    CU_ASSERT_EQUAL(u, 1);
    CU_ASSERT_EQUAL(ctl_int_or_percent(tj("\"x%\""), 10, true, 7), 7);
    CU_ASSERT_EQUAL(ctl_int_or_percent(tj("\"150%\""), 10, false, 0), 15);
    tjson_reset();
}

static void test_hash_stable(void)
{
    char a[16], b[16], c[16];
    ctl_template_hash(tj("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"x\":1}}"),
                      0, a);
    ctl_template_hash(tj("{\"spec\":{\"x\":1},\"metadata\":{\"labels\":{\"b\":\"2\",\"a\":\"1\"}}}"),
                      0, b);
    ctl_template_hash(tj("{\"spec\":{\"x\":2},\"metadata\":{\"labels\":{\"b\":\"2\",\"a\":\"1\"}}}"),
                      0, c);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
    ctl_template_hash(tj("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"x\":1}}"),
                      1, c);
    CU_ASSERT_STRING_NOT_EQUAL(a, c); /* collisionCount changes it */
    CU_ASSERT(strspn(a, "bcdfghjklmnpqrstvwxz2456789") == strlen(a));
    tjson_reset();
}

static void test_create_first_rs(void)
{
    sim s = {.n = 4, .surge = "1", .unavail = "0", .image = "v1"};
    ctl_actions a;
    ctl_deploy_out o;
    sync(&s, &a, &o);
    const ctl_action *c = act_find(&a, "create replicasets default/web-", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char v[64], name[64];
    snprintf(name, sizeof name, "web-%s", o.hash);
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.name", v, sizeof v), name);
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.labels.pod-template-hash", v, sizeof v), o.hash);
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.spec.selector.matchLabels.pod-template-hash", v, sizeof v),
                           o.hash);
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.spec.selector.matchLabels.app", v, sizeof v), "web");
    CU_ASSERT_STRING_EQUAL(
        act_str(c, "body.spec.template.metadata.labels.pod-template-hash", v, sizeof v), o.hash);
    CU_ASSERT_STRING_EQUAL(
        ctl_str_key(act_req(c), "body.metadata.annotations", "deployment.kubernetes.io/revision", v, sizeof v), "1");
    CU_ASSERT_STRING_EQUAL(
        ctl_str_key(act_req(c), "body.metadata.annotations", "kubernetes.io/change-cause", v, sizeof v), "because");
    CU_ASSERT_STRING_EQUAL(act_str(c, "body.metadata.ownerReferences.0.uid", v, sizeof v), "d-uid");
    CU_ASSERT_EQUAL(act_int(c, "body.spec.replicas"), 4);
    const ctl_action *st = act_find(&a, "patch deployments/status", 0);
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.1.reason", v, sizeof v),
                           "NewReplicaSetCreated");
    CU_ASSERT_EQUAL(act_int(st, "body.status.observedGeneration"), 3);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_recreate(void)
{
    ctl_actions a;
    ctl_deploy_out o;
    sim r = {.n = 3, .image = "v2", .strategy = "Recreate"};
    r.rs[0] = (sim_rs){.name = "web-old", .hash = "old", .replicas = 3, .actual = 3, .avail = 3,
                       .revision = 1};
    r.nrs = 1;
    /* the new template's RS exists with 0 replicas */
    char h[16];
    sk_mp_view d = deployment(&r);
    ctl_template_hash(ctl_get(d, "spec.template"), 0, h);
    r.rs[1] = (sim_rs){.replicas = 0, .revision = 2};
    snprintf(r.rs[1].name, sizeof r.rs[1].name, "web-%s", h);
    snprintf(r.rs[1].hash, sizeof r.rs[1].hash, "%s", h);
    r.nrs = 2;
    sync(&r, &a, &o);
    CU_ASSERT_EQUAL(act_count(&a, "patch replicasets default/web-old"), 1);
    CU_ASSERT_EQUAL(act_count(&a, "patch replicasets default/web-"), 1); /* only the old */
    apply(&r, &a);
    ctl_actions_free(&a);
    CU_ASSERT_EQUAL(r.rs[0].replicas, 0);
    /* Old pods still running: the new RS waits. */
    sync(&r, &a, &o);
    CU_ASSERT_EQUAL(find(&r, r.rs[1].name)->replicas, 0);
    CU_ASSERT_EQUAL(act_count(&a, "patch replicasets"), 0);
    ctl_actions_free(&a);
    r.rs[0].actual = r.rs[0].avail = 0;
    sync(&r, &a, &o);
    apply(&r, &a);
    ctl_actions_free(&a);
    CU_ASSERT_EQUAL(find(&r, r.rs[1].name)->replicas, 3);
    tjson_reset();
}

static void test_rollback_revision(void)
{
    /* The template is v1 again (kubectl rollout undo); its RS had rev 1. */
    sim s = {.n = 2, .surge = "1", .unavail = "0", .image = "v1"};
    char h1[16];
    ctl_template_hash(ctl_get(deployment(&s), "spec.template"), 0, h1);
    s.rs[0] = (sim_rs){.replicas = 0, .revision = 1, .created = 1};
    snprintf(s.rs[0].name, sizeof s.rs[0].name, "web-%s", h1);
    snprintf(s.rs[0].hash, sizeof s.rs[0].hash, "%s", h1);
    s.rs[1] = (sim_rs){.name = "web-v2", .hash = "v2hash", .replicas = 2, .actual = 2,
                       .avail = 2, .revision = 2, .created = 2};
    s.nrs = 2;
    ctl_actions a;
    ctl_deploy_out o;
    sync(&s, &a, &o);
    CU_ASSERT_STRING_EQUAL(o.new_rs, s.rs[0].name);
    char key[128], v[16];
    snprintf(key, sizeof key, "patch replicasets default/%s", s.rs[0].name);
    const ctl_action *ann = act_find(&a, key, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ann);
    CU_ASSERT_STRING_EQUAL(
        ctl_str_key(act_req(ann), "body.metadata.annotations", "deployment.kubernetes.io/revision", v, sizeof v), "3");
    const ctl_action *dr = act_find(&a, "patch deployments default/web", 0);
    CU_ASSERT_STRING_EQUAL(
        ctl_str_key(act_req(dr), "body.metadata.annotations", "deployment.kubernetes.io/revision", v, sizeof v), "3");
    /* and the old template's RS is scaled up again (rolling) */
    apply(&s, &a);
    CU_ASSERT_EQUAL(s.rs[0].replicas, 1);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_rollback_by_content(void)
{
    /* kubectl rollout undo copies the old RS's template, with a null
     * creationTimestamp: the old RS is recognised by content. */
    const char *d = "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"d\"},"
                    "\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                    "\"template\":{\"metadata\":{\"creationTimestamp\":null,\"labels\":"
                    "{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"image\":\"v1\"}]}}}}";
    const char *old = "{\"metadata\":{\"name\":\"web-abc\",\"namespace\":\"default\",\"uid\":\"r1\","
                      "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"abc\"},"
                      "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"},"
                      "\"ownerReferences\":[{\"uid\":\"d\",\"controller\":true}]},"
                      "\"spec\":{\"replicas\":0,\"template\":{\"metadata\":{\"labels\":"
                      "{\"pod-template-hash\":\"abc\",\"app\":\"web\"}},"
                      "\"spec\":{\"containers\":[{\"image\":\"v1\"}]}}}}";
    sk_mp_view rss[1] = {tj(old)};
    ctl_deploy_in in = {.d = tj(d), .rss = rss, .nrss = 1, .now_ms = NOW};
    ctl_actions a;
    ctl_actions_init(&a);
    ctl_deploy_out o;
    CU_ASSERT_EQUAL(ctl_deploy_sync(&in, &a, &o), 0);
    CU_ASSERT_STRING_EQUAL(o.new_rs, "web-abc");
    CU_ASSERT_EQUAL(act_count(&a, "create"), 0);
    CU_ASSERT_EQUAL(act_count(&a, "patch replicasets default/web-abc"), 1);
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_history_limit(void)
{
    sim s = {.n = 1, .surge = "1", .unavail = "0", .image = "v9", .history = 2};
    char h[16];
    ctl_template_hash(ctl_get(deployment(&s), "spec.template"), 0, h);
    for (int i = 0; i < 4; i++) {
        s.rs[i] = (sim_rs){.revision = i + 1, .created = i};
        snprintf(s.rs[i].name, sizeof s.rs[i].name, "web-old%d", i + 1);
        snprintf(s.rs[i].hash, sizeof s.rs[i].hash, "old%d", i + 1);
    }
    s.rs[4] = (sim_rs){.replicas = 1, .actual = 1, .avail = 1, .revision = 5, .created = 5};
    snprintf(s.rs[4].name, sizeof s.rs[4].name, "web-%s", h);
    snprintf(s.rs[4].hash, sizeof s.rs[4].hash, "%s", h);
    s.nrs = 5;
    ctl_actions a;
    ctl_deploy_out o;
    sync(&s, &a, &o);
    CU_ASSERT_EQUAL(act_count(&a, "delete replicasets"), 2);
    CU_ASSERT_PTR_NOT_NULL(act_find(&a, "delete replicasets default/web-old1", 0));
    CU_ASSERT_PTR_NOT_NULL(act_find(&a, "delete replicasets default/web-old2", 0));
    const ctl_action *st = act_find(&a, "patch deployments/status", 0);
    char v[64];
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.0.reason", v, sizeof v),
                           "MinimumReplicasAvailable");
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.1.reason", v, sizeof v),
                           "NewReplicaSetAvailable");
    ctl_actions_free(&a);
    tjson_reset();
}

static void test_paused_and_deadline(void)
{
    sim s = {.n = 2, .surge = "1", .unavail = "0", .image = "v1", .paused = 1};
    ctl_actions a;
    ctl_deploy_out o;
    sync(&s, &a, &o);
    CU_ASSERT_EQUAL(act_count(&a, "create"), 0);
    char v[64];
    const ctl_action *st = act_find(&a, "patch deployments/status", 0);
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.1.reason", v, sizeof v),
                           "DeploymentPaused");
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.0.reason", v, sizeof v),
                           "MinimumReplicasUnavailable");
    ctl_actions_free(&a);
    /* Paused with one active RS: scaling still applies. */
    sim p = {.n = 5, .surge = "1", .unavail = "0", .image = "v2", .paused = 1};
    p.rs[0] = (sim_rs){.name = "web-old", .hash = "old", .replicas = 2, .actual = 2, .avail = 2,
                       .revision = 1};
    p.nrs = 1;
    sync(&p, &a, &o);
    CU_ASSERT_EQUAL(act_count(&a, "create"), 0);
    apply(&p, &a);
    CU_ASSERT_EQUAL(p.rs[0].replicas, 5);
    ctl_actions_free(&a);
    /* Stuck for longer than progressDeadlineSeconds (600 s default). */
    sim t = {.n = 2, .surge = "1", .unavail = "0", .image = "v1",
             .extra_status = "{\"replicas\":1,\"updatedReplicas\":1,\"availableReplicas\":0,"
                             "\"conditions\":[{\"type\":\"Progressing\",\"status\":\"True\","
                             "\"reason\":\"ReplicaSetUpdated\",\"lastUpdateTime\":"
                             "\"2025-11-24T15:40:00Z\",\"lastTransitionTime\":\"2025-11-24T15:40:00Z\"}]}"};
    char h[16];
    ctl_template_hash(ctl_get(deployment(&t), "spec.template"), 0, h);
    t.rs[0] = (sim_rs){.replicas = 2, .actual = 1, .avail = 0, .revision = 1};
    snprintf(t.rs[0].name, sizeof t.rs[0].name, "web-%s", h);
    snprintf(t.rs[0].hash, sizeof t.rs[0].hash, "%s", h);
    t.nrs = 1;
    sync(&t, &a, &o);
    st = act_find(&a, "patch deployments/status", 0);
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.1.reason", v, sizeof v),
                           "ProgressDeadlineExceeded");
    CU_ASSERT_STRING_EQUAL(act_str(st, "body.status.conditions.1.status", v, sizeof v), "False");
    ctl_actions_free(&a);
    tjson_reset();
}

SK_TEST_MAIN("controllers-deployment", SK_TEST(test_resolve), SK_TEST(test_hash_stable),
             SK_TEST(test_create_first_rs), SK_TEST(test_rolling_update_bounds),
             SK_TEST(test_recreate), SK_TEST(test_rollback_revision), SK_TEST(test_rollback_by_content),
             SK_TEST(test_history_limit), SK_TEST(test_paused_and_deadline))
