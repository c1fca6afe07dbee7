/* Streamed replies: parts in order whatever thread sends them, the final
 * answer after every part, and cancellation seen by the service (requester
 * cancel(), requester timeout, call() meeting a stream, late on_cancel). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_harness.h"

static const sk_bus_api *B;
static bt_bus g_bus;
static bt_node *g_srv, *g_cli;

typedef struct kept {
    sk_bus_req *req[16];
    int n;
    bt_latch got, cancels;
} kept;
static kept g_kept;

/* ---- services ---- */

typedef struct streamer {
    sk_endpoint *ep;
    sk_bus_req *req;
    int from, to;
} streamer;

static void *send_parts(void *arg)
{
    streamer *s = arg;
    for (int i = s->from; i < s->to; i++) {
        char p[16];
        int n = snprintf(p, sizeof p, "p%d", i);
        BT_CHECK((B->stream_part(s->ep, s->req, p, (size_t)n)) == (0));
    }
    return NULL;
}

static void *watch_worker(void *arg)
{
    streamer *s = arg;
    send_parts(s);
    BT_CHECK((B->reply(s->ep, s->req, "end", 3)) == (0));
    free(s);
    return NULL;
}

/* Part 0 from the loop thread, the rest and the end from a worker: the
 * requester still sees them in order. */
static void watch(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    (void)d;
    (void)len;
    sk_endpoint *ep = arg;
    BT_CHECK((B->stream_part(ep, req, "p0", 2)) == (0));
    streamer *s = malloc(sizeof *s);
    *s = (streamer){ep, req, 1, 200};
    pthread_t t;
    BT_CHECK((pthread_create(&t, NULL, watch_worker, s)) == (0));
    pthread_detach(t);
}

static void *scatter_worker(void *arg)
{
    streamer *s = arg;
    pthread_t t[4];
    streamer part[4];
    for (int i = 0; i < 4; i++) {
        part[i] = (streamer){s->ep, s->req, i * 50, i * 50 + 50};
        pthread_create(&t[i], NULL, send_parts, &part[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    BT_CHECK((B->reply(s->ep, s->req, "end", 3)) == (0));
    free(s);
    return NULL;
}

/* 200 parts from 4 threads at once: no order among them, but every part
 * before the final answer. */
static void scatter(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    (void)d;
    (void)len;
    streamer *s = malloc(sizeof *s);
    *s = (streamer){arg, req, 0, 0};
    pthread_t t;
    BT_CHECK((pthread_create(&t, NULL, scatter_worker, s)) == (0));
    pthread_detach(t);
}

static void on_kept_cancel(void *arg, sk_bus_req *req)
{
    kept *k = arg;
    bt_latch_add(&k->cancels, 1);
    for (int i = 0; i < k->n; i++) {
        if (k->req[i] == req) {
            k->req[i] = k->req[--k->n];
            break;
        }
    }
    BT_CHECK((B->reply_error(g_srv->ep, req, SK_ECANCELED, "watch cancelled")) == (0));
}

/* Three parts, then silence until cancelled. */
static void forever(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)d;
    (void)len;
    sk_endpoint *ep = g_srv->ep;
    kept *k = arg;
    if (strcmp(method, "lazy") != 0)
        BT_CHECK((B->req_on_cancel(ep, req, on_kept_cancel, k)) == (0));
    for (int i = 0; i < 3; i++)
        BT_CHECK((B->stream_part(ep, req, "part", 4)) == (0));
    k->req[k->n++] = req;
    bt_latch_add(&k->got, 1);
}

static void echo(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    BT_CHECK(B->reply(arg, req, d, len) == 0);
}

static void serve_all(void *arg)
{
    (void)arg;
    sk_endpoint *ep = g_srv->ep;
    CU_ASSERT_EQUAL(B->serve(ep, "watch", watch, ep), 0);
    CU_ASSERT_EQUAL(B->serve(ep, "scatter", scatter, ep), 0);
    CU_ASSERT_EQUAL(B->serve(ep, "forever", forever, &g_kept), 0);
    CU_ASSERT_EQUAL(B->serve(ep, "echo", echo, ep), 0);
}

static void test_setup(void)
{
    B = bt_bus_api;
    bt_latch_init(&g_kept.got);
    bt_latch_init(&g_kept.cancels);
    CU_ASSERT_EQUAL_FATAL(bt_bus_start(&g_bus, NULL, false), 0);
    g_srv = bt_node_start(&g_bus, "watcher#1");
    g_cli = bt_node_start(&g_bus, "client#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_srv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_cli);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_srv, serve_all, NULL), 0);
}

/* ---- the requester ---- */

typedef struct stream_rx {
    const char *service, *method;
    int timeout_ms;
    int rc;
    uint64_t id;
    int parts, finals, final_status, out_of_order;
    int cancel_after; /* cancel() from the callback after this many parts */
    char last[16];
    bt_latch done, parts_latch;
} stream_rx;

static void on_part(void *arg, int status, const char *errmsg, const void *d, size_t len)
{
    stream_rx *r = arg;
    (void)errmsg;
    if (status == SK_BUS_MORE) {
        char want[16];
        snprintf(want, sizeof want, "p%d", r->parts);
        if (strcmp(r->service, "watch") == 0 &&
            (len != strlen(want) || memcmp(d, want, len) != 0))
            r->out_of_order++;
        r->parts++;
        bt_latch_add(&r->parts_latch, 1);
        if (r->cancel_after && r->parts == r->cancel_after)
            BT_CHECK((B->cancel(g_cli->ep, r->id)) == (0));
        return;
    }
    r->finals++;
    r->final_status = status;
    snprintf(r->last, sizeof r->last, "%.*s", (int)(len < 15 ? len : 15), (const char *)d);
    bt_latch_add(&r->done, 1);
}

static void start_stream(void *arg)
{
    stream_rx *r = arg;
    r->rc = B->request(g_cli->ep, r->service, r->method, "", 0, r->timeout_ms, on_part, r,
                       &r->id);
}

static stream_rx *rx_new(const char *service, const char *method, int timeout_ms)
{
    stream_rx *r = calloc(1, sizeof *r);
    r->service = service;
    r->method = method;
    r->timeout_ms = timeout_ms;
    bt_latch_init(&r->done);
    bt_latch_init(&r->parts_latch);
    return r;
}

static void rx_free(stream_rx *r)
{
    bt_latch_destroy(&r->done);
    bt_latch_destroy(&r->parts_latch);
    free(r);
}

static void test_stream_order(void)
{
    stream_rx *r = rx_new("watch", "", 0);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, r), 0);
    CU_ASSERT_EQUAL_FATAL(r->rc, 0);
    CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->parts, 200);
    CU_ASSERT_EQUAL(r->out_of_order, 0);
    CU_ASSERT_EQUAL(r->finals, 1);
    CU_ASSERT_EQUAL(r->final_status, 0);
    CU_ASSERT_STRING_EQUAL(r->last, "end");
    rx_free(r);
}

static void test_final_after_parts(void)
{
    for (int round = 0; round < 5; round++) {
        stream_rx *r = rx_new("scatter", "", BT_WAIT_MS);
        CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, r), 0);
        CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
        CU_ASSERT_EQUAL(r->parts, 200);
        CU_ASSERT_EQUAL(r->finals, 1);
        CU_ASSERT_EQUAL(r->final_status, 0);
        rx_free(r);
    }
}

static void test_cancel(void)
{
    long cancels = bt_latch_get(&g_kept.cancels);
    stream_rx *r = rx_new("forever", "", 0);
    r->cancel_after = 3;
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, r), 0);
    CU_ASSERT(bt_latch_wait(&g_kept.cancels, cancels + 1, BT_WAIT_MS));
    /* The service's ECANCELED answer went to a forgotten id: make sure it
     * was processed before looking. */
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "echo", "", "x", 1, BT_WAIT_MS, NULL, NULL, NULL, 0), 0);
    stream_rx *r2 = rx_new("watch", "", 0);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, r2), 0);
    CU_ASSERT(bt_latch_wait(&r2->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->parts, 3);
    CU_ASSERT_EQUAL(r->finals, 0);
    CU_ASSERT_EQUAL(bt_latch_get(&g_kept.got) > 0, 1);
    rx_free(r);
    rx_free(r2);
}

static void test_timeout_cancels(void)
{
    long cancels = bt_latch_get(&g_kept.cancels);
    stream_rx *r = rx_new("forever", "", 300);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, r), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&r->done, 1, BT_WAIT_MS));
    /* On a loaded machine the deadline may beat some parts: no count. */
    CU_ASSERT(r->parts <= 3);
    CU_ASSERT_EQUAL(r->finals, 1);
    CU_ASSERT_EQUAL(r->final_status, SK_ETIMEDOUT);
    CU_ASSERT(bt_latch_wait(&g_kept.cancels, cancels + 1, BT_WAIT_MS));
    rx_free(r);
}

static void test_call_meets_stream(void)
{
    long cancels = bt_latch_get(&g_kept.cancels);
    char err[128];
    void *reply = NULL;
    size_t len;
    int rc = B->call(g_cli->ep, "forever", "", "", 0, BT_WAIT_MS, &reply, &len, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "stream"));
    CU_ASSERT_PTR_NULL(reply);
    CU_ASSERT(bt_latch_wait(&g_kept.cancels, cancels + 1, BT_WAIT_MS));
}

/* on_cancel registered after the CANCEL arrived still runs, soon. */
static void register_late(void *arg)
{
    (void)arg;
    CU_ASSERT_EQUAL_FATAL(g_kept.n, 1);
    CU_ASSERT_EQUAL(B->req_on_cancel(g_srv->ep, g_kept.req[0], on_kept_cancel, &g_kept), 0);
}

static void cancel_it(void *arg)
{
    stream_rx *r = arg;
    CU_ASSERT_EQUAL(B->cancel(g_cli->ep, r->id), 0);
    CU_ASSERT_EQUAL(B->cancel(g_cli->ep, r->id), SK_ENOTFOUND);
}

static void test_late_on_cancel(void)
{
    long got = bt_latch_get(&g_kept.got), cancels = bt_latch_get(&g_kept.cancels);
    stream_rx *r = rx_new("forever", "lazy", 0);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, r), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&g_kept.got, got + 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(bt_on_loop(g_cli, cancel_it, r), 0);
    /* Same socket, same pipe: this request reaches the service after the
     * CANCEL, so its answer proves the CANCEL was processed. */
    stream_rx *ping = rx_new("echo", "", BT_WAIT_MS);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_cli, start_stream, ping), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&ping->done, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(bt_latch_get(&g_kept.cancels), cancels);
    CU_ASSERT_EQUAL(bt_on_loop(g_srv, register_late, NULL), 0);
    CU_ASSERT(bt_latch_wait(&g_kept.cancels, cancels + 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(r->finals, 0);
    rx_free(r);
    rx_free(ping);
}

static void test_teardown(void)
{
    bt_node_stop(&g_cli);
    bt_node_stop(&g_srv);
    bt_bus_stop(&g_bus);
    bt_latch_destroy(&g_kept.got);
    bt_latch_destroy(&g_kept.cancels);
}

int main(void)
{
    bt_capture_stderr();
    static const bt_test tests[] = {{"setup", test_setup},
                                    {"parts in order from two threads", test_stream_order},
                                    {"final answer after every part", test_final_after_parts},
                                    {"cancel() reaches the service", test_cancel},
                                    {"requester timeout cancels", test_timeout_cancels},
                                    {"call() meeting a stream", test_call_meets_stream},
                                    {"on_cancel registered late", test_late_on_cancel},
                                    {"teardown", test_teardown},
                                    {NULL, NULL}};
    return bt_run_suite("bus streams", tests);
}
