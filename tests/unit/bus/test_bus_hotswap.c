/* Hot-swap support in the broker: hold, wait_idle, release, and the
 * takeover of a held service by a new route, with every request answered
 * exactly once by one generation or the other while clients keep calling. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus_harness.h"

static const sk_bus_api *B;

typedef struct gen {
    bt_node *node;
    const char *tag;
    const char *service;
    atomic_long served;
} gen;

static void answer(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    gen *g = arg;
    atomic_fetch_add(&g->served, 1);
    char buf[128];
    int n = snprintf(buf, sizeof buf, "%s:%.*s", g->tag, (int)(len < 64 ? len : 64),
                     (const char *)d);
    BT_CHECK((B->reply(g->node->ep, req, buf, (size_t)n)) == (0));
}

static void serve_gen(void *arg)
{
    gen *g = arg;
    CU_ASSERT_EQUAL(B->serve(g->node->ep, g->service, answer, g), 0);
}

static gen *gen_start(bt_bus *bus, const char *route, const char *tag, const char *service)
{
    gen *g = calloc(1, sizeof *g);
    g->tag = tag;
    g->service = service;
    g->node = bt_node_start(bus, route);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g->node);
    CU_ASSERT_EQUAL(bt_on_loop(g->node, serve_gen, g), 0);
    return g;
}

static void gen_stop(gen *g)
{
    bt_node_stop(&g->node);
}

/* ---- clients ---- */

typedef struct client {
    bt_node *via;
    int thread;
    atomic_bool *stop;
    long calls, ok, by_a, by_b, wrong;
    int first_error;
} client;

static void *client_main(void *arg)
{
    client *c = arg;
    while (!atomic_load(c->stop)) {
        char msg[32];
        int n = snprintf(msg, sizeof msg, "c%d-%ld", c->thread, c->calls);
        void *reply = NULL;
        size_t len = 0;
        int rc = B->call(c->via->ep, "svc", "", msg, (size_t)n, BT_WAIT_MS, &reply, &len, NULL, 0);
        c->calls++;
        if (rc == 0 && len == (size_t)n + 3 && memcmp((char *)reply + 3, msg, (size_t)n) == 0) {
            c->ok++;
            if (memcmp(reply, "A1:", 3) == 0)
                c->by_a++;
            else if (memcmp(reply, "A2:", 3) == 0)
                c->by_b++;
        } else {
            c->wrong++;
            if (!c->first_error)
                c->first_error = rc ? rc : 1;
        }
        free(reply);
    }
    return NULL;
}

static long total_calls(client *c, int n)
{
    long t = 0;
    for (int i = 0; i < n; i++)
        t += __atomic_load_n(&c[i].calls, __ATOMIC_RELAXED);
    return t;
}

static void wait_calls(client *c, int n, long target)
{
    uint64_t end = bt_now_ms() + BT_WAIT_MS;
    while (total_calls(c, n) < target && bt_now_ms() < end)
        bt_pause_ms(2);
}

/* ---- async requests that must wait in the hold queue ---- */

typedef struct queued {
    bt_node *node;
    const char *service;
    int sent, rc;
    int status[8];
    char from[8][4];
    bt_latch done;
} queued;

static void on_queued(void *arg, int status, const char *msg, const void *d, size_t len)
{
    (void)msg;
    queued *q = arg;
    long i = bt_latch_get(&q->done);
    q->status[i] = status;
    if (len >= 3)
        memcpy(q->from[i], d, 3);
    bt_latch_add(&q->done, 1);
}

static void send_queued(void *arg)
{
    queued *q = arg;
    for (int i = 0; i < 5; i++)
        q->rc |= B->request(q->node->ep, q->service, "", "q", 1, BT_WAIT_MS, on_queued, q, NULL);
    q->sent = 5;
}

static void test_takeover(void)
{
    bt_bus bus;
    sk_bus_conf conf = {.node_name = "swap-node", .hold_timeout_ms = BT_WAIT_MS};
    CU_ASSERT_EQUAL_FATAL(bt_bus_start(&bus, &conf, false), 0);
    gen *a1 = gen_start(&bus, "svc#1", "A1", "svc");
    bt_node *cli = bt_node_start(&bus, "client#1");
    bt_node *qn = bt_node_start(&bus, "queuer#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cli);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qn);

    atomic_bool stop = false;
    client c[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        c[i] = (client){.via = cli, .thread = i, .stop = &stop};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, client_main, &c[i]), 0);
    }
    wait_calls(c, 4, 100);

    /* The swap, as the supervisor does it. */
    CU_ASSERT_EQUAL(sk_broker_hold(bus.broker, "svc#1"), 0);
    CU_ASSERT_EQUAL(sk_broker_wait_idle(bus.broker, "svc#1", BT_WAIT_MS), 0);
    queued q = {.node = qn, .service = "svc"};
    bt_latch_init(&q.done);
    CU_ASSERT_EQUAL(bt_on_loop(qn, send_queued, &q), 0);
    CU_ASSERT_EQUAL(q.rc, 0);
    long a1_before_stop = atomic_load(&a1->served);
    gen_stop(a1);
    gen *a2 = gen_start(&bus, "svc#2", "A2", "svc"); /* takes the name and its queue */
    CU_ASSERT_EQUAL(sk_broker_release(bus.broker, "svc#1"), 0);

    CU_ASSERT(bt_latch_wait(&q.done, 5, BT_WAIT_MS));
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(q.status[i], 0);
        CU_ASSERT_EQUAL(memcmp(q.from[i], "A2:", 3), 0);
    }
    long at_swap = total_calls(c, 4);
    wait_calls(c, 4, at_swap + 100);
    atomic_store(&stop, true);
    long calls = 0, ok = 0, by_a = 0, by_b = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CU_ASSERT_EQUAL(c[i].wrong, 0);
        if (c[i].first_error)
            fprintf(stdout, "\n    client %d: first error %s\n", i, sk_strerror(c[i].first_error));
        calls += c[i].calls;
        ok += c[i].ok;
        by_a += c[i].by_a;
        by_b += c[i].by_b;
    }
    /* Exactly once: every call answered, by one generation, and the two
     * generations together served each request once. */
    CU_ASSERT_EQUAL(ok, calls);
    CU_ASSERT(by_a > 0 && by_b > 0);
    CU_ASSERT_EQUAL(by_a + by_b, calls);
    CU_ASSERT_EQUAL(a1_before_stop, by_a);
    CU_ASSERT_EQUAL(atomic_load(&a1->served) + atomic_load(&a2->served), calls + 5);
    fprintf(stdout, "\n    %ld calls: %ld by the old generation, %ld by the new\n", calls, by_a,
            by_b);
    gen_stop(a2);
    bt_node_stop(&cli);
    bt_node_stop(&qn);
    bt_latch_destroy(&q.done);
    free(a1);
    free(a2);
    bt_bus_stop(&bus);
}

/* ---- a second broker with a short hold ---- */

static bt_bus g_bus;
static gen *g_h;
static bt_node *g_cli;

static void test_setup_short_hold(void)
{
    sk_bus_conf conf = {.node_name = "hold-node", .hold_timeout_ms = 1000};
    CU_ASSERT_EQUAL_FATAL(bt_bus_start(&g_bus, &conf, false), 0);
    g_h = gen_start(&g_bus, "h#1", "H1", "held");
    g_cli = bt_node_start(&g_bus, "hcli#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_cli);
}

static void test_hold_timeout(void)
{
    char err[256];
    CU_ASSERT_EQUAL(sk_broker_hold(g_bus.broker, "h#1"), 0);
    int rc = B->call(g_cli->ep, "held", "", "x", 1, BT_WAIT_MS, NULL, NULL, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_EUNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "held"));
    CU_ASSERT_EQUAL(sk_broker_release(g_bus.broker, "h#1"), 0);
    CU_ASSERT_EQUAL(sk_broker_release(g_bus.broker, "h#1"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "held", "", "x", 1, BT_WAIT_MS, NULL, NULL, NULL, 0), 0);
}

static void test_cancelled_while_held(void)
{
    long served = atomic_load(&g_h->served);
    CU_ASSERT_EQUAL(sk_broker_hold(g_bus.broker, "h#1"), 0);
    /* The caller gives up first (100 ms < hold 1 s): its CANCEL takes
     * the request out of the queue, so the service never sees it. */
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "held", "", "x", 1, 100, NULL, NULL, NULL, 0),
                    SK_ETIMEDOUT);
    CU_ASSERT_EQUAL(sk_broker_release(g_bus.broker, "h#1"), 0);
    CU_ASSERT_EQUAL(B->call(g_cli->ep, "held", "", "x", 1, BT_WAIT_MS, NULL, NULL, NULL, 0), 0);
    CU_ASSERT_EQUAL(atomic_load(&g_h->served), served + 1);
}

static void test_deadline_while_held(void)
{
    /* A requester that does not time out itself: the broker fails the
     * queued request when its deadline passes. */
    void *raw = zmq_socket(g_bus.zctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(raw, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(raw, ZMQ_ROUTING_ID, "raw#1", 5);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(raw, sk_broker_endpoint(g_bus.broker)), 0);
    CU_ASSERT_EQUAL(sk_broker_hold(g_bus.broker, "h#1"), 0);
    sk_env e;
    sk_env_init(&e, SK_ENV_REQUEST, 3);
    sk_env_set(e.name, "held");
    e.deadline_ms = sk_env_now_ms() + 100;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_env_encode(&e, &b);
    CU_ASSERT_EQUAL(zmq_send(raw, b.data, b.len, 0), (int)b.len);
    sk_mp_buf_free(&b);
    zmq_pollitem_t it = {.socket = raw, .events = ZMQ_POLLIN};
    CU_ASSERT_EQUAL_FATAL(zmq_poll(&it, 1, BT_WAIT_MS), 1);
    zmq_msg_t m;
    zmq_msg_init(&m);
    CU_ASSERT(zmq_msg_recv(&m, raw, 0) > 0);
    sk_env r;
    const char *why;
    CU_ASSERT_EQUAL(sk_env_decode(zmq_msg_data(&m), zmq_msg_size(&m), &r, &why), 0);
    CU_ASSERT_EQUAL(r.kind, SK_ENV_ERROR);
    CU_ASSERT_EQUAL(r.status, SK_ETIMEDOUT);
    CU_ASSERT_EQUAL(r.id, 3);
    zmq_msg_close(&m);
    zmq_close(raw);
    CU_ASSERT_EQUAL(sk_broker_release(g_bus.broker, "h#1"), 0);
}

static void test_release_without_successor(void)
{
    gen *r = gen_start(&g_bus, "r#1", "R1", "gone");
    CU_ASSERT_EQUAL(sk_broker_hold(g_bus.broker, "r#1"), 0);
    queued q = {.node = g_cli, .service = "gone"};
    bt_latch_init(&q.done);
    CU_ASSERT_EQUAL(bt_on_loop(g_cli, send_queued, &q), 0);
    gen_stop(r);
    CU_ASSERT_EQUAL(sk_broker_release(g_bus.broker, "r#1"), 0);
    CU_ASSERT(bt_latch_wait(&q.done, 5, BT_WAIT_MS));
    for (int i = 0; i < 5; i++)
        CU_ASSERT(q.status[i] == SK_ENOSERVICE || q.status[i] == SK_EUNAVAILABLE);
    CU_ASSERT_EQUAL(atomic_load(&r->served), 0);
    bt_latch_destroy(&q.done);
    free(r);
}

/* ---- wait_idle ---- */

static sk_bus_req *g_slow_req;
static bt_latch g_slow_got;

static void slow(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)arg;
    (void)method;
    (void)d;
    (void)len;
    g_slow_req = req;
    bt_latch_add(&g_slow_got, 1);
}

static void serve_slow(void *arg)
{
    bt_node *n = arg;
    CU_ASSERT_EQUAL(B->serve(n->ep, "slow", slow, NULL), 0);
}

static void answer_slow(void *arg)
{
    bt_node *n = arg;
    CU_ASSERT_EQUAL(B->reply(n->ep, g_slow_req, "done", 4), 0);
}

typedef struct bg_call {
    bt_node *via;
    int rc;
} bg_call;

static void *call_slow(void *arg)
{
    bg_call *c = arg;
    c->rc = B->call(c->via->ep, "slow", "", "", 0, BT_WAIT_MS, NULL, NULL, NULL, 0);
    return NULL;
}

static void test_wait_idle(void)
{
    bt_latch_init(&g_slow_got);
    bt_node *s = bt_node_start(&g_bus, "slow#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(bt_on_loop(s, serve_slow, s), 0);
    CU_ASSERT_EQUAL(sk_broker_wait_idle(g_bus.broker, "slow#1", 100), 0);
    bg_call c = {.via = g_cli, .rc = 99};
    pthread_t t;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, call_slow, &c), 0);
    CU_ASSERT_FATAL(bt_latch_wait(&g_slow_got, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(sk_broker_wait_idle(g_bus.broker, "slow#1", 100), SK_ETIMEDOUT);
    CU_ASSERT_EQUAL(bt_on_loop(s, answer_slow, s), 0);
    CU_ASSERT_EQUAL(sk_broker_wait_idle(g_bus.broker, "slow#1", BT_WAIT_MS), 0);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(c.rc, 0);
    bt_node_stop(&s);
    bt_latch_destroy(&g_slow_got);
    CU_ASSERT_EQUAL(sk_broker_hold(g_bus.broker, NULL), -EINVAL);
    CU_ASSERT_EQUAL(sk_broker_hold(g_bus.broker, ""), -EINVAL);
    CU_ASSERT_EQUAL(sk_broker_release(g_bus.broker, "nobody#1"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(sk_broker_wait_idle(g_bus.broker, "nobody#1", 10), 0);
}

static void test_teardown(void)
{
    bt_node_stop(&g_cli);
    gen_stop(g_h);
    free(g_h);
    bt_bus_stop(&g_bus);
}

int main(void)
{
    B = bt_bus_api;
    bt_capture_stderr();
    static const bt_test tests[] = {
        {"takeover of a held service, exactly once", test_takeover},
        {"setup: a broker with a 1 s hold", test_setup_short_hold},
        {"hold timeout fails with SK_EUNAVAILABLE", test_hold_timeout},
        {"a request cancelled while held is never delivered", test_cancelled_while_held},
        {"a held request past its deadline", test_deadline_while_held},
        {"release with no successor", test_release_without_successor},
        {"wait_idle", test_wait_idle},
        {"teardown", test_teardown},
        {NULL, NULL}};
    return bt_run_suite("bus hot swap", tests);
}
