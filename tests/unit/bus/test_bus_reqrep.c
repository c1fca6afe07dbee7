/* Request/reply through the broker: blocking calls from any thread,
 * asynchronous requests on the loop, unknown services, remote errors,
 * timeouts with late replies, answers from worker threads, and what a
 * closing endpoint does to requests in both directions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_harness.h"

static const sk_bus_api *B;
static bt_bus g_bus;
static bt_node *g_srv, *g_cli;

/* ---- services ---- */

static void echo(void *arg, sk_bus_req *req, const char *method, const void *data, size_t len)
{
    sk_endpoint *ep = arg;
    if (strcmp(method, "fail") == 0) {
        BT_CHECK((B->reply_error(ep, req, SK_ECONFLICT, "echo: conflict as asked")) == (0));
        return;
    }
    if (strcmp(method, "remaining") == 0) {
        int64_t left = B->req_remaining_ms(ep, req);
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)left);
        BT_CHECK(B->reply(ep, req, buf, strlen(buf)) == 0);
        return;
    }
    BT_CHECK((B->reply(ep, req, data, len)) == (0));
}

/* Keeps requests unanswered until told to answer them. */
typedef struct hole {
    sk_bus_req *reqs[64];
    int n;
    bt_latch got, cancels;
} hole;
static hole g_hole;

static void on_hole_cancel(void *arg, sk_bus_req *req)
{
    (void)req;
    bt_latch_add(&((hole *)arg)->cancels, 1);
}

static void blackhole(void *arg, sk_bus_req *req, const char *method, const void *data,
                      size_t len)
{
    (void)method;
    (void)data;
    (void)len;
    sk_endpoint *ep = g_srv->ep;
    hole *h = arg;
    BT_CHECK((B->req_on_cancel(ep, req, on_hole_cancel, h)) == (0));
    h->reqs[h->n++] = req;
    bt_latch_add(&h->got, 1);
}

typedef struct work {
    sk_endpoint *ep;
    sk_bus_req *req;
    char data[64];
    size_t len;
} work;

static void *answer_later(void *arg)
{
    work *w = arg;
    BT_CHECK((B->reply(w->ep, w->req, w->data, w->len)) == (0));
    free(w);
    return NULL;
}

/* Answers from a thread of its own, as the store's commit thread does. */
static void threaded(void *arg, sk_bus_req *req, const char *method, const void *data,
                     size_t len)
{
    (void)method;
    work *w = calloc(1, sizeof *w);
    w->ep = arg;
    w->req = req;
    w->len = len < sizeof w->data ? len : sizeof w->data;
    memcpy(w->data, data, w->len);
    pthread_t t;
    BT_CHECK((pthread_create(&t, NULL, answer_later, w)) == (0));
    pthread_detach(t);
}

static void serve_all(void *arg)
{
    (void)arg;
    sk_endpoint *ep = g_srv->ep;
    CU_ASSERT_EQUAL(B->serve(ep, "echo", echo, ep), 0);
    CU_ASSERT_EQUAL(B->serve(ep, "hole", blackhole, &g_hole), 0);
    CU_ASSERT_EQUAL(B->serve(ep, "threaded", threaded, ep), 0);
    CU_ASSERT_EQUAL(B->serve(ep, "echo", echo, ep), SK_EEXISTS);
}

static void test_setup(void)
{
    B = bt_bus_api;
    bt_latch_init(&g_hole.got);
    bt_latch_init(&g_hole.cancels);
    CU_ASSERT_EQUAL_FATAL(bt_bus_start(&g_bus, NULL, false), 0);
    g_srv = bt_node_start(&g_bus, "srv#1");
    g_cli = bt_node_start(&g_bus, "cli#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_srv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_cli);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_srv, serve_all, NULL), 0);
}

/* ---- tests ---- */

static void test_call(void)
{
    void *reply = NULL;
    size_t len = 0;
    char err[128] = "x";
    int rc = B->call(g_cli->ep, "echo", "get", "hello", 5, BT_WAIT_MS, &reply, &len, err,
                     sizeof err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_EQUAL(memcmp(reply, "hello", 5), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    free(reply);
    /* An empty payload, and NULL outputs. */
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "echo", "", NULL, 0, BT_WAIT_MS, &reply, &len, NULL, 0),
                    0);
    CU_ASSERT_EQUAL(len, 0);
    free(reply);
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "echo", NULL, "x", 1, BT_WAIT_MS, NULL, NULL, NULL, 0), 0);
    /* Bad arguments. */
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "echo", "", "x", 1, 0, &reply, &len, NULL, 0), -EINVAL);
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "", "", "x", 1, 100, &reply, &len, NULL, 0), -EINVAL);
    CU_ASSERT_EQUAL(B->call(g_cli->ep, NULL, "", "x", 1, 100, &reply, &len, NULL, 0), -EINVAL);
}

static void test_remote_error(void)
{
    void *reply = (void *)1;
    size_t len = 9;
    char err[128];
    int rc = B->call(g_cli->ep, "echo", "fail", "", 0, BT_WAIT_MS, &reply, &len, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ECONFLICT);
    CU_ASSERT_STRING_EQUAL(err, "echo: conflict as asked");
    CU_ASSERT_PTR_NULL(reply);
    CU_ASSERT_EQUAL(len, 0);
}

static void test_unknown_service(void)
{
    char err[256];
    void *reply;
    size_t len;
    /* With a deadline this long, only an immediate answer passes. */
    int rc = B->call(g_cli->ep, "nope", "", "", 0, 60000, &reply, &len, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ENOSERVICE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nope"));
}

/* ---- async ---- */

typedef struct result {
    bt_latch done;
    int status, calls;
    char data[64], msg[256];
    size_t len;
    uint64_t id;
    const char *service, *method;
    int timeout_ms;
    int rc;
} result;

static void on_reply(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    result *r = arg;
    BT_CHECK((errmsg) != NULL);
    r->status = status;
    r->calls++;
    snprintf(r->msg, sizeof r->msg, "%s", errmsg);
    r->len = len < sizeof r->data ? len : sizeof r->data;
    if (r->len)
        memcpy(r->data, data, r->len);
    bt_latch_add(&r->done, 1);
}

static void send_request(void *arg)
{
    result *r = arg;
    r->rc = B->request(g_cli->ep, r->service, r->method, "abc", 3, r->timeout_ms, on_reply, r,
                       &r->id);
}

static result *new_result(const char *service, const char *method, int timeout_ms)
{
    result *r = calloc(1, sizeof *r);
    bt_latch_init(&r->done);
    r->service = service;
    r->method = method;
    r->timeout_ms = timeout_ms;
    r->status = 99;
    return r;
}

static void free_result(result *r)
{
    bt_latch_destroy(&r->done);
    free(r);
}

static void test_request_async(void)
{
    result *r = new_result("echo", "get", BT_WAIT_MS);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, send_request, r), 0);
    CU_ASSERT_EQUAL(r->rc, 0);
    CU_ASSERT(r->id > 0);
    CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->status, 0);
    CU_ASSERT_EQUAL(r->len, 3);
    CU_ASSERT_EQUAL(memcmp(r->data, "abc", 3), 0);
    free_result(r);

    r = new_result("nope", "", 0);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, send_request, r), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->status, SK_ENOSERVICE);
    free_result(r);

    /* Off the loop thread, request() refuses instead of racing the loop. */
    r = new_result("echo", "", 100);
    send_request(r);
    CU_ASSERT_EQUAL(r->rc, -EPERM);
    free_result(r);
}

static void test_remaining(void)
{
    void *reply;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(
        B->call(g_cli->ep, "echo", "remaining", "", 0, 60000, &reply, &len, NULL, 0), 0);
    char buf[32] = "";
    memcpy(buf, reply, len < 31 ? len : 31);
    long long left = atoll(buf);
    CU_ASSERT(left > 0 && left <= 60000);
    free(reply);
    result *r = new_result("echo", "remaining", 0);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, send_request, r), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->len, 2);
    CU_ASSERT_EQUAL(memcmp(r->data, "-1", 2), 0);
    free_result(r);
}

/* ---- timeouts ---- */

static void answer_hole(void *arg)
{
    (void)arg;
    for (int i = 0; i < g_hole.n; i++)
        CU_ASSERT_EQUAL(B->reply(g_srv->ep, g_hole.reqs[i], "late", 4), 0);
    g_hole.n = 0;
}

static void test_timeout(void)
{
    char err[256];
    void *reply;
    size_t len;
    long got = bt_latch_get(&g_hole.got), cancels = bt_latch_get(&g_hole.cancels);
    int rc = B->call(g_cli->ep, "hole", "", "", 0, 200, &reply, &len, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ETIMEDOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "hole"));
    /* The service saw the request, then the CANCEL the caller sent. */
    CU_ASSERT(bt_latch_wait(&g_hole.got, got + 1, BT_WAIT_MS));
    CU_ASSERT(bt_latch_wait(&g_hole.cancels, cancels + 1, BT_WAIT_MS));

    result *r = new_result("hole", "", 200);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, send_request, r), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->status, SK_ETIMEDOUT);
    CU_ASSERT(bt_latch_wait(&g_hole.cancels, cancels + 2, BT_WAIT_MS));

    /* Late answers: dropped for the forgotten ids, and harmless to the
     * next call on the same sockets. */
    CU_ASSERT_EQUAL(bt_on_loop(g_srv, answer_hole, NULL), 0);
    rc = B->call(g_cli->ep, "echo", "", "after", 5, BT_WAIT_MS, &reply, &len, NULL, 0);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(len == 5 && memcmp(reply, "after", 5) == 0);
    free(reply);
    result *r2 = new_result("echo", "", BT_WAIT_MS);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, send_request, r2), 0);
    CU_ASSERT(bt_latch_wait(&r2->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->calls, 1);
    free_result(r);
    free_result(r2);
}

/* ---- threads ---- */

typedef struct caller {
    int thread, ok, bad;
} caller;

static void *call_many(void *arg)
{
    caller *c = arg;
    for (int i = 0; i < 200; i++) {
        char msg[32];
        int n = snprintf(msg, sizeof msg, "t%d-%d", c->thread, i);
        void *reply = NULL;
        size_t len = 0;
        const char *svc = i % 2 ? "threaded" : "echo";
        int rc = B->call(g_cli->ep, svc, "", msg, (size_t)n, BT_WAIT_MS, &reply, &len, NULL, 0);
        if (rc == 0 && len == (size_t)n && memcmp(reply, msg, len) == 0)
            c->ok++;
        else
            c->bad++;
        free(reply);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t th[4];
    caller c[4] = {{0}};
    for (int i = 0; i < 4; i++) {
        c[i].thread = i;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, call_many, &c[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CU_ASSERT_EQUAL(c[i].ok, 200);
        CU_ASSERT_EQUAL(c[i].bad, 0);
    }
}

/* ---- serve / unserve ---- */

static void try_serve(void *arg)
{
    bt_node *n = arg;
    CU_ASSERT_EQUAL(B->serve(n->ep, "echo", echo, n->ep), SK_EEXISTS);
    CU_ASSERT_EQUAL(B->serve(n->ep, "echo2", echo, n->ep), 0);
    CU_ASSERT_EQUAL(B->unserve(n->ep, "echo2"), 0);
    CU_ASSERT_EQUAL(B->unserve(n->ep, "echo2"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(B->serve(n->ep, "", echo, n->ep), -EINVAL);
}

static void test_serve_exists(void)
{
    bt_node *n = bt_node_start(&g_bus, "other#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_EQUAL(bt_on_loop(n, try_serve, n), 0);
    bt_node_stop(&n);
    /* Off the loop thread. */
    CU_ASSERT_EQUAL(B->serve(g_cli->ep, "x", echo, NULL), -EPERM);
}

/* ---- closing endpoints ---- */

static void serve_hole_on(void *arg)
{
    bt_node *n = arg;
    CU_ASSERT_EQUAL(B->serve(n->ep, "hole2", blackhole, &g_hole), 0);
}

static void test_close(void)
{
    /* A requester closing: its pending callback gets SK_ESTOPPED and the
     * service hears a CANCEL. */
    bt_node *c = bt_node_start(&g_bus, "cli#2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    long got = bt_latch_get(&g_hole.got), cancels = bt_latch_get(&g_hole.cancels);
    result *r = new_result("hole", "", 0);
    bt_node *saved = g_cli;
    g_cli = c;
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(c, send_request, r), 0);
    g_cli = saved;
    CU_ASSERT(bt_latch_wait(&g_hole.got, got + 1, BT_WAIT_MS));
    bt_node_stop(&c);
    CU_ASSERT_EQUAL(r->calls, 1);
    CU_ASSERT_EQUAL(r->status, SK_ESTOPPED);
    CU_ASSERT(bt_latch_wait(&g_hole.cancels, cancels + 1, BT_WAIT_MS));
    free_result(r);
    CU_ASSERT_EQUAL(bt_on_loop(g_srv, answer_hole, NULL), 0);

    /* A service closing with a request open: the requester gets
     * SK_ESTOPPED from the endpoint, and the name is free again. */
    bt_node *s = bt_node_start(&g_bus, "srv#2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bt_node *saved_srv = g_srv;
    g_srv = s;
    CU_ASSERT_EQUAL(bt_on_loop(s, serve_hole_on, s), 0);
    got = bt_latch_get(&g_hole.got);
    r = new_result("hole2", "", BT_WAIT_MS);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, send_request, r), 0);
    CU_ASSERT(bt_latch_wait(&g_hole.got, got + 1, BT_WAIT_MS));
    g_hole.n = 0; /* the endpoint answers it, not us */
    bt_node_stop(&s);
    g_srv = saved_srv;
    CU_ASSERT(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->status, SK_ESTOPPED);
    free_result(r);
    char err[128];
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "hole2", "", "", 0, BT_WAIT_MS, NULL, NULL, err,
                            sizeof err),
                    SK_ENOSERVICE);
}

static void test_teardown(void)
{
    CU_ASSERT_EQUAL(bt_on_loop(g_srv, answer_hole, NULL), 0);
    bt_node_stop(&g_cli);
    bt_node_stop(&g_srv);
    bt_bus_stop(&g_bus);
    bt_latch_destroy(&g_hole.got);
    bt_latch_destroy(&g_hole.cancels);
}

int main(void)
{
    bt_capture_stderr();
    static const bt_test tests[] = {{"setup", test_setup},
                                    {"blocking call", test_call},
                                    {"remote error", test_remote_error},
                                    {"unknown service fails at once", test_unknown_service},
                                    {"async request", test_request_async},
                                    {"remaining time", test_remaining},
                                    {"timeouts, cancel, late replies", test_timeout},
                                    {"calls and answers from other threads", test_threads},
                                    {"serve conflicts", test_serve_exists},
                                    {"closing endpoints", test_close},
                                    {"teardown", test_teardown},
                                    {NULL, NULL}};
    return bt_run_suite("bus request/reply", tests);
}
