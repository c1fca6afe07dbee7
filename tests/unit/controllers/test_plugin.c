/* controllers.so's glue on a fake host: informers list and watch through
 * a recording bus, leader election gates the work, a Deployment becomes a
 * ReplicaSet becomes pods, and expectations stop a second creation while
 * the first pods are unobserved. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl_test.h"
#include "skiff/skiff.h"

const sk_plugin_desc *sk_plugin_entry_v1(void); /* plugin.c, linked in */

static fake_loop loop;
static fake_transport tr;
static int metric_dummy;

static void logv(void *ctx, sk_log_level lvl, const char *fmt, va_list ap)
{
    (void)ctx, (void)lvl, (void)fmt, (void)ap;
}
static int log_enabled(void *ctx, sk_log_level lvl) { (void)ctx, (void)lvl; return 0; }
static const sk_log_api log_api = {sizeof(sk_log_api), logv, log_enabled};

static const sk_cfg *cfg_get(const sk_cfg *n, const char *path) { (void)n, (void)path; return NULL; }
static const sk_cfg_api cfg_api = {.size = sizeof(sk_cfg_api), .get = cfg_get};

static sk_metric *counter(void *ctx, const char *n, const char *h, const char *l)
{
    (void)ctx, (void)n, (void)h, (void)l;
    return (sk_metric *)&metric_dummy;
}
static void madd(sk_metric *m, double v) { (void)m, (void)v; }
static const sk_metrics_api metrics_api = {.size = sizeof(sk_metrics_api), .counter = counter,
                                           .gauge = counter, .add = madd, .set = madd};

static int bus_request(void *ctx, const char *svc, const char *method, const void *d, size_t n,
                       int timeout_ms, sk_bus_reply_fn fn, void *arg, uint64_t *id)
{
    (void)ctx;
    CU_ASSERT_STRING_EQUAL(svc, "api");
    sk_api_transport t = fake_transport_api(&tr);
    return t.request(t.ctx, method, d, n, timeout_ms, fn, arg, id);
}
static int bus_cancel(void *ctx, uint64_t id)
{
    (void)ctx;
    sk_api_transport t = fake_transport_api(&tr);
    return t.cancel(t.ctx, id);
}
static int bus_call(void *ctx, const char *svc, const char *method, const void *d, size_t n,
                    int timeout_ms, void **reply, size_t *reply_len, char *err, size_t errlen)
{
    (void)ctx, (void)svc, (void)method, (void)d, (void)n, (void)timeout_ms, (void)err, (void)errlen;
    *reply = NULL;
    *reply_len = 0;
    return SK_ESTOPPED;
}
static const sk_bus_api bus_api = {.size = sizeof(sk_bus_api), .request = bus_request,
                                   .cancel = bus_cancel, .call = bus_call};

static sk_host host = {.size = sizeof(sk_host), .plugin_name = "controllers",
                       .node_name = "node-1", .cfg = &cfg_api, .log = &log_api,
                       .bus = &bus_api, .loop = &fake_loop_api, .loop_ctx = &loop,
                       .metrics = &metrics_api};

static bool req_is(fake_req *r, const char *method, const char *resource)
{
    sk_mp_view v;
    return r->open && strcmp(r->method, method) == 0 &&
           sk_mp_check(r->data, r->len, 32, &v) == 0 && ctl_eq(ctl_get(v, "resource"), resource);
}

static fake_req *open_req(const char *method, const char *resource)
{
    for (size_t i = tr.n; i-- > 0;)
        if (req_is(&tr.r[i], method, resource))
            return &tr.r[i];
    return NULL;
}

static size_t count_sent(const char *method, const char *resource)
{
    size_t n = 0;
    for (size_t i = 0; i < tr.n; i++) {
        sk_mp_view v;
        n += strcmp(tr.r[i].method, method) == 0 &&
             sk_mp_check(tr.r[i].data, tr.r[i].len, 32, &v) == 0 &&
             ctl_eq(ctl_get(v, "resource"), resource);
    }
    return n;
}

/* Answers every open request of method+resource with status/json. */
static void answer_all(const char *method, const char *resource, int status, const char *json)
{
    fake_req *r;
    while ((r = open_req(method, resource)))
        fake_reply(r, status, json);
}

static void list(const char *resource, const char *items)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "{\"metadata\":{\"resourceVersion\":\"100\"},\"items\":[%s]}", items);
    fake_req *r = open_req("list", resource);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    fake_reply(r, 0, buf);
}

static void event(const char *resource, const char *type, const char *obj)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "{\"type\":\"%s\",\"object\":%s}", type, obj);
    fake_req *w = open_req("watch", resource);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    fake_part(w, buf);
}

#define DEPLOY                                                                                  \
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"d1\",\"generation\":1," \
    "\"resourceVersion\":\"50\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"       \
    "{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"     \
    "{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}"

static void test_deployment_to_pods(void)
{
    fake_loop_init(&loop);
    fake_transport_init(&tr);
    const sk_plugin_desc *d = sk_plugin_entry_v1();
    CU_ASSERT_STRING_EQUAL(d->name, "controllers");
    void *st = NULL;
    CU_ASSERT_EQUAL_FATAL(d->init(&host, &st), 0);
    CU_ASSERT_EQUAL_FATAL(d->start(st), 0);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 9);
    list("pods", "");
    list("replicasets", "");
    list("deployments", DEPLOY);
    const char *rest[] = {"services", "endpoints", "endpointslices", "namespaces", "nodes", "leases"};
    for (size_t i = 0; i < 6; i++)
        list(rest[i], "");
    fake_loop_advance(&loop, 0);
    /* Synced, but nothing acts before the Lease is ours. */
    CU_ASSERT_EQUAL(count_sent("create", "replicasets"), 0);
    answer_all("get", "leases", SK_ENOTFOUND, NULL);
    fake_req *c = open_req("create", "leases");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char id[128], lease[512];
    ctl_str(act_req(&(ctl_action){.req = c->data, .len = c->len}), "body.spec.holderIdentity", id,
            sizeof id);
    snprintf(lease, sizeof lease,
             "{\"metadata\":{\"name\":\"skiff-controllers\",\"namespace\":\"kube-system\","
             "\"resourceVersion\":\"101\"},\"spec\":{\"holderIdentity\":\"%s\",\"renewTime\":\"x\"}}",
             id);
    fake_reply(c, 0, lease);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(count_sent("create", "replicasets"), 1);
    fake_req *rc = open_req("create", "replicasets");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
    sk_mp_view body = ctl_get(act_req(&(ctl_action){.req = rc->data, .len = rc->len}), "body");
    char hash[16], rs[1024];
    ctl_str(body, "metadata.labels.pod-template-hash", hash, sizeof hash);
    snprintf(rs, sizeof rs,
             "{\"metadata\":{\"name\":\"web-%s\",\"namespace\":\"default\",\"uid\":\"rs1\","
             "\"resourceVersion\":\"102\",\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"%s\"},"
             "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"},"
             "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":"
             "\"web\",\"uid\":\"d1\",\"controller\":true}]},"
             "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\","
             "\"pod-template-hash\":\"%s\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":"
             "\"web\",\"pod-template-hash\":\"%s\"}},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}},"
             "\"status\":{\"replicas\":0}}",
             hash, hash, hash, hash);
    fake_reply(rc, 0, rs);
    answer_all("patch", "deployments", 0, "{}");
    event("replicasets", "ADDED", rs);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(count_sent("create", "pods"), 2);
    answer_all("create", "pods", 0, "{}");
    answer_all("patch", "replicasets", 0, "{}");
    answer_all("patch", "deployments", 0, "{}");
    fake_loop_advance(&loop, 0);
    /* The RS changes again before its pods are observed: no new pods. */
    char rs2[1100];
    snprintf(rs2, sizeof rs2, "%.*s\"status\":{\"replicas\":0,\"observedGeneration\":1}}",
             (int)(strstr(rs, "\"status\"") - rs), rs);
    event("replicasets", "MODIFIED", rs2);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(count_sent("create", "pods"), 2);
    /* The pods arrive: still exactly two. */
    for (int i = 0; i < 2; i++) {
        char pod[600];
        snprintf(pod, sizeof pod,
                 "{\"metadata\":{\"name\":\"web-%s-%d\",\"namespace\":\"default\",\"uid\":\"p%d\","
                 "\"resourceVersion\":\"%d\",\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"%s\"},"
                 "\"ownerReferences\":[{\"uid\":\"rs1\",\"controller\":true,\"kind\":\"ReplicaSet\","
                 "\"apiVersion\":\"apps/v1\",\"name\":\"web-%s\"}]},\"spec\":{},\"status\":"
                 "{\"phase\":\"Pending\"}}",
                 hash, i, i, 110 + i, hash, hash);
        event("pods", "ADDED", pod);
    }
    fake_loop_advance(&loop, 0);
    answer_all("patch", "replicasets", 0, "{}");
    answer_all("patch", "deployments", 0, "{}");
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(count_sent("create", "pods"), 2);
    CU_ASSERT_EQUAL(count_sent("delete", "pods"), 0);
    d->stop(st);
    for (size_t i = 0; i < tr.n; i++)
        CU_ASSERT_FALSE(tr.r[i].open && !tr.r[i].canceled && strcmp(tr.r[i].method, "update") != 0);
    CU_ASSERT_EQUAL(fake_loop_pending(&loop), 0);
    d->fini(st);
    fake_transport_free(&tr);
    tjson_reset();
}

SK_TEST_MAIN("controllers-plugin", SK_TEST(test_deployment_to_pods))
