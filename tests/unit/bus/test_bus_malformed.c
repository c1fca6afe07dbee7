/* Hostile frames straight at the broker's ROUTER from a bare DEALER: every
 * one gets an SK_EBADMSG error (or a clean drop), and the broker keeps
 * serving afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus_harness.h"

static const sk_bus_api *B;
static bt_bus g_bus;
static bt_node *g_srv;
static void *g_raw;

static void echo(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    BT_CHECK(B->reply(arg, req, d, len) == 0);
}

static void serve_echo(void *arg)
{
    (void)arg;
    CU_ASSERT_EQUAL(B->serve(g_srv->ep, "echo", echo, g_srv->ep), 0);
}

static void test_setup(void)
{
    B = bt_bus_api;
    CU_ASSERT_EQUAL_FATAL(bt_bus_start(&g_bus, NULL, false), 0);
    g_srv = bt_node_start(&g_bus, "echo#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_srv);
    CU_ASSERT_EQUAL_FATAL(bt_on_loop(g_srv, serve_echo, NULL), 0);
    g_raw = zmq_socket(g_bus.zctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_setsockopt(g_raw, ZMQ_ROUTING_ID, "raw#1", 5), 0);
    int zero = 0;
    zmq_setsockopt(g_raw, ZMQ_LINGER, &zero, sizeof zero);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(g_raw, sk_broker_endpoint(g_bus.broker)), 0);
}

/* The next envelope for the raw socket, decoded into e (frame kept in m). */
static bool next_env(zmq_msg_t *m, sk_env *e)
{
    zmq_pollitem_t it = {.socket = g_raw, .events = ZMQ_POLLIN};
    if (zmq_poll(&it, 1, BT_WAIT_MS) != 1)
        return false;
    zmq_msg_init(m);
    if (zmq_msg_recv(m, g_raw, 0) < 0)
        return false;
    const char *why;
    return sk_env_decode(zmq_msg_data(m), zmq_msg_size(m), e, &why) == 0;
}

static void expect_badmsg(const void *buf, size_t len, const char *what)
{
    CU_ASSERT_EQUAL(zmq_send(g_raw, buf, len, 0), (int)len);
    zmq_msg_t m;
    sk_env e;
    bool ok = next_env(&m, &e);
    if (!ok || e.kind != SK_ENV_ERROR || e.status != SK_EBADMSG)
        fprintf(stdout, "\n    no EBADMSG for: %s\n", what);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(e.kind, SK_ENV_ERROR);
    CU_ASSERT_EQUAL(e.status, SK_EBADMSG);
    zmq_msg_close(&m);
}

static size_t encode(const sk_env *e, uint8_t *out)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_env_encode(e, &b);
    memcpy(out, b.data, b.len);
    size_t n = b.len;
    sk_mp_buf_free(&b);
    return n;
}

static void request_echo(const char *payload)
{
    uint8_t buf[512];
    sk_env e;
    sk_env_init(&e, SK_ENV_REQUEST, 77);
    sk_env_set(e.name, "echo");
    e.payload = (const uint8_t *)payload;
    e.payload_len = strlen(payload);
    size_t n = encode(&e, buf);
    CU_ASSERT_EQUAL(zmq_send(g_raw, buf, n, 0), (int)n);
    zmq_msg_t m;
    sk_env r;
    CU_ASSERT_FATAL(next_env(&m, &r));
    CU_ASSERT_EQUAL(r.kind, SK_ENV_REPLY);
    CU_ASSERT_EQUAL(r.id, 77);
    CU_ASSERT_EQUAL(r.nhops, 0);
    CU_ASSERT(r.payload_len == strlen(payload) && !memcmp(r.payload, payload, r.payload_len));
    zmq_msg_close(&m);
}

static void test_garbage(void)
{
    expect_badmsg("", 0, "empty frame");
    expect_badmsg("hello world", 11, "text");
    expect_badmsg("\xc1", 1, "reserved byte");
    expect_badmsg("\x93\x01\x02\x03", 4, "short array");
    expect_badmsg("\xdd\xff\xff\xff\xff", 5, "array claiming 4G entries");
    expect_badmsg("\xdb\xff\xff\xff\xff", 5, "str claiming 4 GiB");
    expect_badmsg("\x9b\x02\x01\x07\xa1s\xa0\x00\x90\x00\xc4\x00\xa0\x00", 14, "version 2");
    expect_badmsg("\x9b\x01\x63\x07\xa1s\xa0\x00\x90\x00\xc4\x00\xa0\x00", 14, "kind 99");
    expect_badmsg("\x9b\x01\x01\x07\xa1\x00\xa0\x00\x90\x00\xc4\x00\xa0\x00", 14, "NUL name");

    uint8_t buf[512];
    sk_env e;
    /* Kinds only a peer broker may send. */
    sk_env_init(&e, SK_ENV_EVENT, 5);
    sk_env_set(e.name, "t");
    expect_badmsg(buf, encode(&e, buf), "EVENT from a local route");
    sk_env_init(&e, SK_ENV_HELLO, 6);
    sk_env_set(e.name, "evil");
    expect_badmsg(buf, encode(&e, buf), "HELLO from a local route");
    sk_env_init(&e, SK_ENV_REQUEST, 8);
    expect_badmsg(buf, encode(&e, buf), "REQUEST without a service");

    /* Two frames after the identity. */
    zmq_send(g_raw, "a", 1, ZMQ_SNDMORE);
    expect_badmsg("b", 1, "two frames");

    /* The id survives where it could be read, for the error reply. */
    CU_ASSERT_EQUAL(zmq_send(g_raw, "\x9b\x01\x01\x2a\xa1s\xa0\xff", 8, 0), 8);
    zmq_msg_t m;
    sk_env r;
    CU_ASSERT(next_env(&m, &r));
    CU_ASSERT_EQUAL(r.status, SK_EBADMSG);
    CU_ASSERT_EQUAL(r.id, 42);
    zmq_msg_close(&m);

    request_echo("still serving");
}

static void test_random(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint8_t buf[256];
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(i % 64) + 1;
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[k] = (uint8_t)x;
        }
        if (i % 3 == 0)
            buf[0] = 0x9b; /* an 11-array head gets further into decoding */
        CU_ASSERT_EQUAL(zmq_send(g_raw, buf, n, 0), (int)n);
    }
    /* Every frame is answered (none of them decodes to a valid envelope
     * that would need a service), in order, then the echo. */
    int errors = 0;
    for (int i = 0; i < 2000; i++) {
        zmq_msg_t m;
        sk_env r;
        if (!next_env(&m, &r))
            break;
        if (r.kind == SK_ENV_ERROR)
            errors++;
        zmq_msg_close(&m);
    }
    CU_ASSERT_EQUAL(errors, 2000);
    request_echo("still serving after 2000 random frames");
}

static void test_ping_and_stray_answers(void)
{
    uint8_t buf[256];
    sk_env e;
    sk_env_init(&e, SK_ENV_PING, 9);
    size_t n = encode(&e, buf);
    CU_ASSERT_EQUAL(zmq_send(g_raw, buf, n, 0), (int)n);
    zmq_msg_t m;
    sk_env r;
    CU_ASSERT(next_env(&m, &r));
    CU_ASSERT_EQUAL(r.kind, SK_ENV_PING);
    CU_ASSERT_EQUAL(r.id, 9);
    zmq_msg_close(&m);

    /* Answers and cancels nobody asked for are dropped quietly. */
    sk_env_init(&e, SK_ENV_REPLY, 1234);
    zmq_send(g_raw, buf, encode(&e, buf), 0);
    sk_env_push(&e, "Lnobody#9", 9);
    zmq_send(g_raw, buf, encode(&e, buf), 0);
    sk_env_push(&e, "Bx", 2);
    zmq_send(g_raw, buf, encode(&e, buf), 0);
    sk_env_init(&e, SK_ENV_CANCEL, 55);
    zmq_send(g_raw, buf, encode(&e, buf), 0);
    sk_env_init(&e, SK_ENV_PUBLISH, 0);
    zmq_send(g_raw, buf, encode(&e, buf), 0);
    request_echo("after stray answers");
}

/* A requester that stops reading: the broker's answers to it wait in the
 * overflow queue (never dropped), then all arrive, in order. */
static void test_slow_reader(void)
{
    enum { N = 40000 }; /* about twice what the pipe to raw holds */
    uint8_t buf[128];
    sk_env e;
    for (uint64_t i = 1; i <= N; i++) {
        sk_env_init(&e, SK_ENV_PING, i);
        size_t n = encode(&e, buf);
        CU_ASSERT_EQUAL_FATAL(zmq_send(g_raw, buf, n, 0), (int)n);
    }
    uint64_t next = 1;
    while (next <= N) {
        zmq_msg_t m;
        sk_env r;
        if (!next_env(&m, &r))
            break;
        if (r.kind == SK_ENV_PING && r.id == next)
            next++;
        else
            CU_FAIL("answer out of order");
        zmq_msg_close(&m);
        if (r.kind != SK_ENV_PING)
            break;
    }
    CU_ASSERT_EQUAL(next, N + 1);
    request_echo("after the overflow");
}

static void test_teardown(void)
{
    zmq_close(g_raw);
    bt_node_stop(&g_srv);
    bt_bus_stop(&g_bus);
}

int main(void)
{
    bt_capture_stderr();
    static const bt_test tests[] = {{"setup", test_setup},
                                    {"garbage frames", test_garbage},
                                    {"2000 random frames", test_random},
                                    {"ping, stray answers", test_ping_and_stray_answers},
                                    {"answers wait for a slow reader", test_slow_reader},
                                    {"teardown", test_teardown},
                                    {NULL, NULL}};
    return bt_run_suite("bus malformed input", tests);
}
