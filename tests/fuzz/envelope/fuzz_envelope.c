/* libFuzzer target for the bus envelope.
 *
 * 1. The decoder alone: any input either fails with SK_EBADMSG or decodes
 *    to an envelope that re-encodes and decodes to the same fields.
 * 2. The broker and an endpoint behind it: the input, cut into frames at
 *    each "\xc1\xc1" (a byte msgpack never uses), is sent from a bare DEALER
 *    to a live broker, with a service endpoint attached. A PING and then a
 *    request to that service, both answered in order, prove the broker and
 *    the endpoint handled every frame before the next input; a hang aborts.
 *    The broker is rebuilt every few thousand inputs so its state (topics,
 *    services the input registered) stays bounded. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "endpoint.h"
#include "envelope.h"
#include "loop.h"
#include "log.h"
#include "skiff/errors.h"

#define RESTART_EVERY 4000
/* Below libFuzzer's -timeout=10 so a hang is reported with what was seen,
 * above what a loaded 2-core machine needs. */
#define SYNC_MS 8000

static void check_roundtrip(const uint8_t *data, size_t size)
{
    sk_env a, b;
    const char *why;
    if (sk_env_decode(data, size, &a, &why)) {
        if (!why)
            abort();
        return;
    }
    sk_mp_buf buf;
    sk_mp_buf_init(&buf);
    sk_env_encode(&a, &buf);
    if (buf.err || sk_env_decode(buf.data, buf.len, &b, &why))
        abort();
    if (a.kind != b.kind || a.id != b.id || strcmp(a.name, b.name) ||
        strcmp(a.method, b.method) || a.deadline_ms != b.deadline_ms || a.nhops != b.nhops ||
        a.status != b.status || a.payload_len != b.payload_len || strcmp(a.origin, b.origin) ||
        a.seq != b.seq || (a.payload_len && memcmp(a.payload, b.payload, a.payload_len)))
        abort();
    for (unsigned i = 0; i < a.nhops; i++)
        if (a.hop[i].len != b.hop[i].len || memcmp(a.hop[i].p, b.hop[i].p, a.hop[i].len))
            abort();
    sk_mp_buf_free(&buf);
}

/* ---- the live broker ---- */

typedef struct world {
    void *zctx;
    sk_broker *broker;
    void *raw;
    pthread_t thread;
    sk_loop *loop;
    sk_endpoint *ep;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready;
    uint64_t next_id;
} world;

static world W;
static size_t g_runs;

static void svc(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)arg;
    (void)method;
    if (len % 3 == 1)
        sk_endpoint_bus_api.stream_part(W.ep, req, d, len);
    if (len % 3 == 2)
        sk_endpoint_bus_api.reply_error(W.ep, req, SK_ECONFLICT, "fuzz");
    else
        sk_endpoint_bus_api.reply(W.ep, req, d, len);
}

static void on_event(void *arg, const char *topic, uint64_t seq, uint64_t missed,
                     const void *d, size_t len)
{
    (void)arg;
    (void)topic;
    (void)seq;
    (void)missed;
    (void)d;
    (void)len;
}

static void *node_main(void *arg)
{
    (void)arg;
    int rc = sk_loop_new(&W.loop);
    if (!rc)
        rc = sk_endpoint_new(W.zctx, W.broker, W.loop, "node#1", "fuzz", &W.ep);
    if (!rc)
        rc = sk_endpoint_bus_api.serve(W.ep, "svc", svc, NULL);
    if (!rc)
        rc = sk_endpoint_bus_api.subscribe(W.ep, "", on_event, NULL);
    if (rc)
        abort();
    pthread_mutex_lock(&W.mu);
    W.ready = 1;
    pthread_cond_broadcast(&W.cv);
    pthread_mutex_unlock(&W.mu);
    sk_loop_run(W.loop);
    sk_endpoint_free(&W.ep);
    sk_loop_free(&W.loop);
    return NULL;
}

static void world_start(void)
{
    char err[256];
    memset(&W, 0, sizeof W);
    pthread_mutex_init(&W.mu, NULL);
    pthread_cond_init(&W.cv, NULL);
    W.zctx = zmq_ctx_new();
    if (!W.zctx || sk_broker_start(W.zctx, NULL, NULL, &W.broker, err, sizeof err))
        abort();
    W.raw = zmq_socket(W.zctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(W.raw, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(W.raw, ZMQ_ROUTING_ID, "fz#1", 4);
    if (zmq_connect(W.raw, sk_broker_endpoint(W.broker)))
        abort();
    pthread_create(&W.thread, NULL, node_main, NULL);
    pthread_mutex_lock(&W.mu);
    while (!W.ready)
        pthread_cond_wait(&W.cv, &W.mu);
    pthread_mutex_unlock(&W.mu);
    W.next_id = 1ull << 62;
}

static void world_stop(void)
{
    sk_loop_quit(W.loop);
    pthread_join(W.thread, NULL);
    zmq_close(W.raw);
    sk_broker_stop(&W.broker);
    zmq_ctx_term(W.zctx);
    pthread_cond_destroy(&W.cv);
    pthread_mutex_destroy(&W.mu);
}

static int send_raw(const void *buf, size_t len)
{
    int rc;
    do
        rc = zmq_send(W.raw, buf, len, 0);
    while (rc < 0 && zmq_errno() == EINTR);
    return rc < 0 ? -1 : 0;
}

static void send_env(unsigned kind, uint64_t id, const char *name)
{
    sk_env e;
    sk_env_init(&e, kind, id);
    sk_env_set(e.name, name);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_env_encode(&e, &b);
    if (b.err || send_raw(b.data, b.len))
        abort();
    sk_mp_buf_free(&b);
}

/* The input may have made the raw socket a service: answer whatever
 * requests reach it, so none stays in flight (and blocks an id) forever. */
static void answer_request(const sk_env *req)
{
    sk_env r;
    sk_env_init(&r, SK_ENV_REPLY, req->id);
    r.nhops = req->nhops;
    memcpy(r.hop, req->hop, sizeof r.hop);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_env_encode(&r, &b);
    if (b.err || send_raw(b.data, b.len))
        abort();
    sk_mp_buf_free(&b);
}

typedef struct seen {
    unsigned kind;
    uint64_t id;
    int status;
    unsigned nhops;
} seen;

static void report_hang(const seen *log, unsigned n, unsigned kind, uint64_t id)
{
    if (getenv("FUZZ_ENVELOPE_PAUSE_ON_HANG")) {
        /* Evidence first, untouched: which wake-up counters are pending. */
        for (int fd = 0; fd < 64; fd++) {
            char path[64], line[128];
            snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
            FILE *f = fopen(path, "r");
            while (f && fgets(line, sizeof line, f))
                if (strstr(line, "eventfd-count"))
                    fprintf(stderr, "fd %d %s", fd, line);
            if (f)
                fclose(f);
        }
        fprintf(stderr, "fuzz_envelope: hang, pid %d paused\n", (int)getpid());
        for (;;)
            pause();
    }
    fprintf(stderr, "fuzz_envelope: no %s %llu within %d ms; last messages seen:\n",
            sk_env_kind_name(kind), (unsigned long long)id, SYNC_MS);
    for (unsigned i = n > 16 ? n - 16 : 0; i < n; i++) {
        const seen *s = &log[i % 16];
        fprintf(stderr, "  %s id=%llu status=%d hops=%u\n", sk_env_kind_name(s->kind),
                (unsigned long long)s->id, s->status, s->nhops);
    }
    abort();
}

/* Reads until an answer to id (kind `kind`, or an ERROR); anything else is
 * the input's doing. Returns the answer's status. */
static int wait_for(unsigned kind, uint64_t id)
{
    seen log[16];
    unsigned n = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long waited = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (waited >= SYNC_MS)
            report_hang(log, n, kind, id);
        zmq_pollitem_t it = {.socket = W.raw, .events = ZMQ_POLLIN};
        /* libFuzzer's -timeout alarm interrupts polls: EINTR is no hang. */
        int pr = zmq_poll(&it, 1, SYNC_MS - waited);
        if (pr < 0 && zmq_errno() == EINTR)
            continue;
        if (pr != 1)
            report_hang(log, n, kind, id);
        zmq_msg_t m;
        zmq_msg_init(&m);
        int got;
        do
            got = zmq_msg_recv(&m, W.raw, ZMQ_DONTWAIT);
        while (got < 0 && zmq_errno() == EINTR);
        if (got < 0)
            abort();
        sk_env e;
        const char *why;
        int rc = sk_env_decode(zmq_msg_data(&m), zmq_msg_size(&m), &e, &why);
        if (rc == 0) {
            log[n++ % 16] = (seen){e.kind, e.id, e.status, e.nhops};
            if (e.kind == SK_ENV_REQUEST)
                answer_request(&e);
        }
        zmq_msg_close(&m);
        if (rc == 0 && e.id == id && e.nhops == 0 && (e.kind == kind || e.kind == SK_ENV_ERROR))
            return e.kind == SK_ENV_ERROR ? e.status : 0;
    }
}

static void feed_broker(const uint8_t *data, size_t size)
{
    size_t start = 0;
    for (size_t i = 0; i + 1 <= size; i++) {
        bool cut = i + 1 < size && data[i] == 0xc1 && data[i + 1] == 0xc1;
        if (!cut && i + 1 != size)
            continue;
        size_t end = cut ? i : size;
        if (send_raw(data + start, end - start))
            abort();
        start = end + 2;
        i = cut ? i + 1 : i;
    }
    uint64_t id = W.next_id++;
    send_env(SK_ENV_PING, id, "");
    wait_for(SK_ENV_PING, id);
    /* The endpoint's pipe is FIFO too: its answer comes after it handled
     * whatever the input sent its way. An error means the input had put
     * a request with this very id in flight: take the next id. */
    for (int tries = 0; tries < 100; tries++) {
        id = W.next_id++;
        send_env(SK_ENV_REQUEST, id, "svc");
        if (wait_for(SK_ENV_REPLY, id) == 0)
            return;
    }
    abort();
}

/* The broker of the last world must be stopped too, or its thread's
 * buffers look leaked at exit. */
static void world_exit(void)
{
    if (g_runs)
        world_stop();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(world_exit);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_roundtrip(data, size);
    if (g_runs % RESTART_EVERY == 0) {
        if (g_runs)
            world_stop();
        else
            sk_log_set_level(SK_LOG_ERROR); /* one line per bad frame is noise here */
        world_start();
    }
    g_runs++;
    feed_broker(data, size);
    return 0;
}
