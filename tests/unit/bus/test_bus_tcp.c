/* Two brokers (two ZeroMQ contexts) bridged over loopback TCP with CURVE:
 * a service of one called from the other (plain, streamed, errors,
 * timeouts), events crossing both ways, local services winning, a peer
 * with an unknown key refused and logged, and a lost peer's services
 * dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus_harness.h"

static const sk_bus_api *B;

typedef struct keys {
    char pub[41], sec[41];
} keys;

static keys kA, kB, kC;
static char g_ep[64];
static bt_bus g_a, g_b;
static bt_node *g_asrv, *g_bcli;

/* ---- services on A ---- */

static sk_bus_req *g_hole_req;
static bt_latch g_hole_got, g_hole_cancel;

static void on_hole_cancel(void *arg, sk_bus_req *req)
{
    (void)arg;
    bt_latch_add(&g_hole_cancel, 1);
    BT_CHECK(B->reply_error(g_asrv->ep, req, SK_ECANCELED, "hole: cancelled") == 0);
    g_hole_req = NULL;
}

static void svc(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    sk_endpoint *ep = arg;
    if (strcmp(method, "fail") == 0) {
        BT_CHECK(B->reply_error(ep, req, SK_ECONFLICT, "alpha says no") == 0);
    } else if (strcmp(method, "stream") == 0) {
        for (int i = 0; i < 50; i++) {
            char p[16];
            int n = snprintf(p, sizeof p, "p%d", i);
            BT_CHECK(B->stream_part(ep, req, p, (size_t)n) == 0);
        }
        BT_CHECK(B->reply(ep, req, "end", 3) == 0);
    } else if (strcmp(method, "hole") == 0) {
        BT_CHECK(B->req_on_cancel(ep, req, on_hole_cancel, NULL) == 0);
        g_hole_req = req;
        bt_latch_add(&g_hole_got, 1);
    } else {
        char buf[128];
        int n = snprintf(buf, sizeof buf, "alpha:%.*s", (int)(len < 64 ? len : 64),
                         (const char *)d);
        BT_CHECK(B->reply(ep, req, buf, (size_t)n) == 0);
    }
}

static void serve_a(void *arg)
{
    (void)arg;
    CU_ASSERT_EQUAL(B->serve(g_asrv->ep, "remote", svc, g_asrv->ep), 0);
}

static int start_bus(bt_bus *bus, const char *node, const keys *k, const char *bind,
                     const char *server_key, const char *authorized)
{
    char *binds[1] = {(char *)bind};
    sk_peer_conf peer = {.endpoint = g_ep, .server_key = (char *)server_key};
    char *auth[1] = {(char *)authorized};
    sk_bus_conf conf = {
        .node_name = node,
        .bind = bind ? binds : NULL,
        .nbind = bind ? 1 : 0,
        .connect = server_key ? &peer : NULL,
        .nconnect = server_key ? 1 : 0,
        .public_key = (char *)k->pub,
        .secret_key = (char *)k->sec,
        .authorized_keys = authorized ? auth : NULL,
        .nauthorized = authorized ? 1 : 0,
        .hold_timeout_ms = 5000,
    };
    return bt_bus_start(bus, &conf, false);
}

/* Calls until the peer's services are known (its HELLO arrived). */
static int call_remote(bt_node *via, const char *method, char *out, size_t outlen)
{
    uint64_t end = bt_now_ms() + BT_WAIT_MS;
    for (;;) {
        void *reply = NULL;
        size_t len = 0;
        char err[256] = "";
        int rc = B->call(via->ep, "remote", method, "hi", 2, 5000, &reply, &len, err,
                         sizeof err);
        if (rc == 0)
            snprintf(out, outlen, "%.*s", (int)len, (const char *)reply);
        else
            snprintf(out, outlen, "%s", err);
        free(reply);
        if (rc != SK_ENOSERVICE || bt_now_ms() >= end)
            return rc;
        bt_pause_ms(20);
    }
}

static void test_setup(void)
{
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(kA.pub, kA.sec), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(kB.pub, kB.sec), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(kC.pub, kC.sec), 0);
    int port = bt_free_port();
    CU_ASSERT_FATAL(port > 0);
    snprintf(g_ep, sizeof g_ep, "tcp://127.0.0.1:%d", port);
    bt_latch_init(&g_hole_got);
    bt_latch_init(&g_hole_cancel);
    CU_ASSERT_EQUAL_FATAL(start_bus(&g_a, "alpha", &kA, g_ep, NULL, kB.pub), 0);
    CU_ASSERT_EQUAL_FATAL(start_bus(&g_b, "beta", &kB, NULL, kA.pub, NULL), 0);
    g_asrv = bt_node_start(&g_a, "asrv#1");
    g_bcli = bt_node_start(&g_b, "bcli#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_asrv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_bcli);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_asrv, serve_a, NULL), 0);
}

static void test_bad_config(void)
{
    bt_bus bus;
    keys bad = {"short", "short"};
    CU_ASSERT_NOT_EQUAL(start_bus(&bus, "x", &bad, "tcp://127.0.0.1:1", NULL, NULL), 0);
    bt_bus_stop(&bus);
    CU_ASSERT_NOT_EQUAL(start_bus(&bus, "x", &kC, "tcp://127.0.0.1:1", NULL, "not-a-key"), 0);
    bt_bus_stop(&bus);
    CU_ASSERT_NOT_EQUAL(start_bus(&bus, "x", &kC, "nonsense://", NULL, NULL), 0);
    bt_bus_stop(&bus);
}

static void test_call_across(void)
{
    char out[256];
    CU_ASSERT_EQUAL_FATAL(call_remote(g_bcli, "", out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "alpha:hi");
    CU_ASSERT_EQUAL(call_remote(g_bcli, "fail", out, sizeof out), SK_ECONFLICT);
    CU_ASSERT_STRING_EQUAL(out, "alpha says no");
    /* A name nobody serves is still refused at once. */
    CU_ASSERT_EQUAL(B->call(g_bcli->ep, "nobody", "", "", 0, 60000, NULL, NULL, NULL, 0),
                    SK_ENOSERVICE);
}

typedef struct rx {
    const char *method;
    int timeout_ms, parts, finals, status, bad;
    uint64_t id;
    bt_latch done;
} rx;

static void on_rx(void *arg, int status, const char *msg, const void *d, size_t len)
{
    (void)msg;
    rx *r = arg;
    if (status == SK_BUS_MORE) {
        char want[16];
        int n = snprintf(want, sizeof want, "p%d", r->parts++);
        if (len != (size_t)n || memcmp(d, want, len))
            r->bad++;
        return;
    }
    r->finals++;
    r->status = status;
    bt_latch_add(&r->done, 1);
}

static void start_rx(void *arg)
{
    rx *r = arg;
    CU_ASSERT_EQUAL(B->request(g_bcli->ep, "remote", r->method, "", 0, r->timeout_ms, on_rx, r,
                               &r->id),
                    0);
}

static void test_stream_across(void)
{
    rx r = {.method = "stream"};
    bt_latch_init(&r.done);
    CU_ASSERT_EQUAL(bt_on_loop(g_bcli, start_rx, &r), 0);
    CU_ASSERT(bt_latch_wait(&r.done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r.parts, 50);
    CU_ASSERT_EQUAL(r.bad, 0);
    CU_ASSERT_EQUAL(r.status, 0);
    bt_latch_destroy(&r.done);
}

static void test_timeout_across(void)
{
    long cancels = bt_latch_get(&g_hole_cancel);
    rx r = {.method = "hole", .timeout_ms = 300};
    bt_latch_init(&r.done);
    CU_ASSERT_EQUAL(bt_on_loop(g_bcli, start_rx, &r), 0);
    CU_ASSERT(bt_latch_wait(&r.done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r.status, SK_ETIMEDOUT);
    /* The CANCEL crossed the link too. */
    CU_ASSERT(bt_latch_wait(&g_hole_cancel, cancels + 1, BT_WAIT_MS));
    bt_latch_destroy(&r.done);
}

/* ---- events ---- */

typedef struct evs {
    long n;
    uint64_t seq, missed;
    char topic[64];
    bt_latch got;
} evs;

static void on_ev(void *arg, const char *topic, uint64_t seq, uint64_t missed, const void *d,
                  size_t len)
{
    (void)d;
    (void)len;
    evs *e = arg;
    e->n++;
    e->seq = seq;
    e->missed += missed;
    snprintf(e->topic, sizeof e->topic, "%s", topic);
    bt_latch_add(&e->got, 1);
}

typedef struct subreq {
    bt_node *n;
    const char *prefix;
    evs *e;
} subreq;

static void do_sub(void *arg)
{
    subreq *s = arg;
    CU_ASSERT_EQUAL(B->subscribe(s->n->ep, s->prefix, on_ev, s->e), 0);
}

static void test_events_cross(void)
{
    evs at_b = {0}, at_a = {0};
    bt_latch_init(&at_b.got);
    bt_latch_init(&at_a.got);
    subreq sb = {g_bcli, "x/", &at_b}, sa = {g_asrv, "y/", &at_a};
    CU_ASSERT_EQUAL(bt_on_loop(g_bcli, do_sub, &sb), 0);
    CU_ASSERT_EQUAL(bt_on_loop(g_asrv, do_sub, &sa), 0);
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(B->publish(g_asrv->ep, "x/pods", "a", 1), 0);
        CU_ASSERT_EQUAL(B->publish(g_bcli->ep, "y/nodes", "b", 1), 0);
    }
    CU_ASSERT(bt_latch_wait(&at_b.got, 10, BT_WAIT_MS));
    CU_ASSERT(bt_latch_wait(&at_a.got, 10, BT_WAIT_MS));
    CU_ASSERT_EQUAL(at_b.n, 10);
    CU_ASSERT_EQUAL(at_b.seq, 10);
    CU_ASSERT_STRING_EQUAL(at_b.topic, "x/pods");
    CU_ASSERT_EQUAL(at_a.n, 10);
    CU_ASSERT_STRING_EQUAL(at_a.topic, "y/nodes");
    CU_ASSERT_EQUAL(at_a.missed + at_b.missed, 0);
    bt_latch_destroy(&at_b.got);
    bt_latch_destroy(&at_a.got);
}

/* ---- local wins ---- */

static void local_svc(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    (void)d;
    (void)len;
    BT_CHECK(B->reply(arg, req, "local", 5) == 0);
}

static void serve_local(void *arg)
{
    bt_node *n = arg;
    CU_ASSERT_EQUAL(B->serve(n->ep, "remote", local_svc, n->ep), 0);
}

static void unserve_local(void *arg)
{
    bt_node *n = arg;
    CU_ASSERT_EQUAL(B->unserve(n->ep, "remote"), 0);
}

static void test_local_wins(void)
{
    bt_node *l = bt_node_start(&g_b, "blocal#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL(bt_on_loop(l, serve_local, l), 0);
    char out[64];
    CU_ASSERT_EQUAL(call_remote(g_bcli, "", out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "local");
    CU_ASSERT_EQUAL(bt_on_loop(l, unserve_local, l), 0);
    CU_ASSERT_EQUAL(call_remote(g_bcli, "", out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "alpha:hi");
    bt_node_stop(&l);
}

/* ---- refused peer ---- */

static void test_unknown_key_refused(void)
{
    bt_bus c;
    CU_ASSERT_EQUAL_FATAL(start_bus(&c, "gamma", &kC, NULL, kA.pub, NULL), 0);
    bt_node *n = bt_node_start(&c, "gcli#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    char needle[128];
    snprintf(needle, sizeof needle, "CURVE key %s is not in bus.authorized_keys", kC.pub);
    CU_ASSERT(bt_log_contains(needle, BT_WAIT_MS));
    CU_ASSERT(bt_log_contains("refused the CURVE handshake", BT_WAIT_MS));
    char err[256];
    CU_ASSERT_EQUAL(B->call(n->ep, "remote", "", "", 0, 5000, NULL, NULL, err, sizeof err),
                    SK_ENOSERVICE);
    bt_node_stop(&n);
    bt_bus_stop(&c);
}

/* ---- peer lost ---- */

static void test_peer_lost(void)
{
    /* An open request on A when A's plugin stops is answered SK_ESTOPPED,
     * across the link. */
    rx r = {.method = "hole", .timeout_ms = BT_WAIT_MS};
    bt_latch_init(&r.done);
    long got = bt_latch_get(&g_hole_got);
    CU_ASSERT_EQUAL(bt_on_loop(g_bcli, start_rx, &r), 0);
    CU_ASSERT(bt_latch_wait(&g_hole_got, got + 1, BT_WAIT_MS));
    bt_node_stop(&g_asrv);
    CU_ASSERT(bt_latch_wait(&r.done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r.status, SK_ESTOPPED);
    bt_latch_destroy(&r.done);
    /* A goes away altogether: B drops its services. */
    bt_bus_stop(&g_a);
    uint64_t end = bt_now_ms() + BT_WAIT_MS;
    int rc;
    do {
        rc = B->call(g_bcli->ep, "remote", "", "", 0, 5000, NULL, NULL, NULL, 0);
        if (rc != SK_ENOSERVICE)
            bt_pause_ms(20);
    } while (rc != SK_ENOSERVICE && bt_now_ms() < end);
    CU_ASSERT_EQUAL(rc, SK_ENOSERVICE);
    CU_ASSERT(bt_log_contains("peer alpha was lost", BT_WAIT_MS));
}

static void test_teardown(void)
{
    bt_node_stop(&g_asrv);
    bt_node_stop(&g_bcli);
    bt_bus_stop(&g_a);
    bt_bus_stop(&g_b);
    bt_latch_destroy(&g_hole_got);
    bt_latch_destroy(&g_hole_cancel);
}

int main(void)
{
    B = bt_bus_api;
    bt_capture_stderr();
    static const bt_test tests[] = {{"setup: alpha binds, beta connects", test_setup},
                                    {"bad TCP configuration", test_bad_config},
                                    {"call a service of the other host", test_call_across},
                                    {"streamed reply across", test_stream_across},
                                    {"timeout and CANCEL across", test_timeout_across},
                                    {"events cross both ways", test_events_cross},
                                    {"local services win", test_local_wins},
                                    {"a peer with an unknown key is refused",
                                     test_unknown_key_refused},
                                    {"a lost peer's services are dropped", test_peer_lost},
                                    {"teardown", test_teardown},
                                    {NULL, NULL}};
    return bt_run_suite("bus TCP + CURVE", tests);
}
