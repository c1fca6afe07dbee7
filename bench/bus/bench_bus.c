/* bench-bus: what the skiff bus costs over raw libzmq, in one run.
 *
 *   request/reply round trips per second, 1 client and 8 concurrent
 *     skiff: call() through the broker to a service endpoint and back
 *     raw:   REQ -> REP over inproc
 *   events per second to 1 subscriber
 *     skiff: publish() -> broker (sequence numbers) -> endpoint callback
 *     raw:   PUB -> SUB over inproc, same high-water mark
 *
 * Each figure is measured for SECONDS; the whole run takes about 15 s. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "broker.h"
#include "endpoint.h"
#include "envelope.h"
#include "log.h"
#include "loop.h"
#include "skiff/errors.h"

#define SECONDS 2.0
#define PAYLOAD 64

static const sk_bus_api *B = &sk_endpoint_bus_api;
static char g_payload[PAYLOAD];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench-bus: %s\n", what);
    exit(1);
}

/* ---- a node: a loop thread with an endpoint ---- */

typedef struct node {
    void *zctx;
    sk_broker *broker;
    const char *route;
    void (*on_start)(struct node *);
    pthread_t thread;
    sk_loop *loop;
    sk_endpoint *ep;
    atomic_int ready;
    /* subscriber counters (loop thread writes, others read) */
    atomic_ulong events, missed;
    atomic_ulong last_seq;
} node;

static void *node_main(void *arg)
{
    node *n = arg;
    if (sk_loop_new(&n->loop) ||
        sk_endpoint_new(n->zctx, n->broker, n->loop, n->route, n->route, &n->ep))
        die("cannot start a node");
    if (n->on_start)
        n->on_start(n);
    atomic_store(&n->ready, 1);
    sk_loop_run(n->loop);
    sk_endpoint_free(&n->ep);
    sk_loop_free(&n->loop);
    return NULL;
}

static void node_start(node *n)
{
    pthread_create(&n->thread, NULL, node_main, n);
    while (!atomic_load(&n->ready))
        sched_yield();
}

static void node_stop(node *n)
{
    sk_loop_quit(n->loop);
    pthread_join(n->thread, NULL);
}

static void echo(void *arg, sk_bus_req *req, const char *method, const void *d, size_t len)
{
    (void)method;
    B->reply(arg, req, d, len);
}

static void serve_echo(node *n)
{
    if (B->serve(n->ep, "echo", echo, n->ep))
        die("serve echo");
}

static void on_event(void *arg, const char *topic, uint64_t seq, uint64_t missed,
                     const void *d, size_t len)
{
    (void)topic;
    (void)d;
    (void)len;
    node *n = arg;
    atomic_fetch_add_explicit(&n->events, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&n->missed, missed, memory_order_relaxed);
    atomic_store_explicit(&n->last_seq, seq, memory_order_release);
}

static void subscribe_bench(node *n)
{
    if (B->subscribe(n->ep, "bench/", on_event, n))
        die("subscribe");
}

/* ---- skiff request/reply ---- */

typedef struct caller {
    sk_endpoint *ep;
    double end;
    long n, errors;
} caller;

static void *skiff_caller(void *arg)
{
    caller *c = arg;
    while (now_s() < c->end) {
        void *reply = NULL;
        size_t len;
        if (B->call(c->ep, "echo", "", g_payload, PAYLOAD, 5000, &reply, &len, NULL, 0))
            c->errors++;
        else
            c->n++;
        free(reply);
    }
    return NULL;
}

static double run_callers(void *(*fn)(void *), caller *c, int nclients)
{
    pthread_t th[8];
    double t0 = now_s();
    for (int i = 0; i < nclients; i++) {
        c[i].end = t0 + SECONDS;
        pthread_create(&th[i], NULL, fn, &c[i]);
    }
    long total = 0, errors = 0;
    for (int i = 0; i < nclients; i++) {
        pthread_join(th[i], NULL);
        total += c[i].n;
        errors += c[i].errors;
    }
    if (errors)
        fprintf(stderr, "bench-bus: %ld failed calls\n", errors);
    return (double)total / (now_s() - t0);
}

static double skiff_reqrep(int nclients)
{
    void *ctx = zmq_ctx_new();
    sk_broker *b;
    char err[256];
    if (sk_broker_start(ctx, NULL, NULL, &b, err, sizeof err))
        die(err);
    node srv = {.zctx = ctx, .broker = b, .route = "echo#1", .on_start = serve_echo};
    node cli = {.zctx = ctx, .broker = b, .route = "client#1"};
    node_start(&srv);
    node_start(&cli);
    caller c[8] = {{0}};
    for (int i = 0; i < nclients; i++)
        c[i].ep = cli.ep;
    double rate = run_callers(skiff_caller, c, nclients);
    node_stop(&cli);
    node_stop(&srv);
    sk_broker_stop(&b);
    zmq_ctx_term(ctx);
    return rate;
}

/* ---- raw REQ/REP ---- */

typedef struct raw_srv {
    void *ctx;
    atomic_bool stop;
} raw_srv;

static void *raw_rep(void *arg)
{
    raw_srv *s = arg;
    void *rep = zmq_socket(s->ctx, ZMQ_REP);
    int tmo = 100;
    zmq_setsockopt(rep, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
    if (zmq_bind(rep, "inproc://bench-rep"))
        die("bind rep");
    char buf[PAYLOAD];
    while (!atomic_load(&s->stop)) {
        int n = zmq_recv(rep, buf, sizeof buf, 0);
        if (n >= 0)
            zmq_send(rep, buf, (size_t)n, 0);
    }
    zmq_close(rep);
    return NULL;
}

typedef struct raw_caller {
    caller c;
    void *ctx;
} raw_caller;

static void *raw_req(void *arg)
{
    caller *c = arg;
    void *req = zmq_socket(((raw_caller *)c)->ctx, ZMQ_REQ);
    if (zmq_connect(req, "inproc://bench-rep"))
        die("connect req");
    char buf[PAYLOAD];
    while (now_s() < c->end) {
        if (zmq_send(req, g_payload, PAYLOAD, 0) < 0 || zmq_recv(req, buf, sizeof buf, 0) < 0)
            c->errors++;
        else
            c->n++;
    }
    zmq_close(req);
    return NULL;
}

static double raw_reqrep(int nclients)
{
    raw_srv s = {.ctx = zmq_ctx_new()};
    pthread_t t;
    pthread_create(&t, NULL, raw_rep, &s);
    raw_caller rc[8];
    memset(rc, 0, sizeof rc);
    pthread_t th[8];
    double t0 = now_s();
    for (int i = 0; i < nclients; i++) {
        rc[i].ctx = s.ctx;
        rc[i].c.end = t0 + SECONDS;
        pthread_create(&th[i], NULL, raw_req, &rc[i]);
    }
    long total = 0;
    for (int i = 0; i < nclients; i++) {
        pthread_join(th[i], NULL);
        total += rc[i].c.n;
    }
    double rate = (double)total / (now_s() - t0);
    atomic_store(&s.stop, true);
    pthread_join(t, NULL);
    zmq_ctx_term(s.ctx);
    return rate;
}

/* ---- pub/sub ---- */

typedef struct pubsub_result {
    double rate;
    unsigned long delivered, missed, published;
} pubsub_result;

static pubsub_result skiff_pubsub(void)
{
    void *ctx = zmq_ctx_new();
    sk_broker *b;
    char err[256];
    if (sk_broker_start(ctx, NULL, NULL, &b, err, sizeof err))
        die(err);
    node sub = {.zctx = ctx, .broker = b, .route = "sub#1", .on_start = subscribe_bench};
    node pub = {.zctx = ctx, .broker = b, .route = "pub#1"};
    node_start(&sub);
    node_start(&pub);
    unsigned long published = 0;
    double t0 = now_s(), end = t0 + SECONDS;
    while (now_s() < end) {
        for (int i = 0; i < 256; i++) {
            int rc = B->publish(pub.ep, "bench/x", g_payload, PAYLOAD);
            if (rc == 0)
                published++;
            else if (rc == SK_EFULL)
                sched_yield();
            else
                die("publish");
        }
    }
    /* Drain: until the last event arrived or nothing moved for 200 ms. */
    unsigned long seen = 0;
    double last_move = now_s(), t1 = last_move;
    while (atomic_load(&sub.last_seq) < published && now_s() - last_move < 0.2) {
        unsigned long ev = atomic_load(&sub.events);
        if (ev != seen) {
            seen = ev;
            last_move = t1 = now_s();
        }
        sched_yield();
    }
    if (atomic_load(&sub.last_seq) >= published)
        t1 = now_s();
    pubsub_result r = {.delivered = atomic_load(&sub.events),
                       .missed = atomic_load(&sub.missed),
                       .published = published};
    r.rate = (double)r.delivered / (t1 - t0);
    node_stop(&pub);
    node_stop(&sub);
    sk_broker_stop(&b);
    zmq_ctx_term(ctx);
    return r;
}

typedef struct raw_sub {
    void *ctx;
    atomic_int ready;
    unsigned long n;
    double t_last;
} raw_sub;

static void *raw_sub_main(void *arg)
{
    raw_sub *s = arg;
    void *sock = zmq_socket(s->ctx, ZMQ_SUB);
    int hwm = SK_BUS_HWM, tmo = 200;
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
    zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "bench/", 6);
    if (zmq_connect(sock, "inproc://bench-pub"))
        die("connect sub");
    atomic_store(&s->ready, 1);
    char buf[PAYLOAD + 16];
    for (;;) {
        int n = zmq_recv(sock, buf, sizeof buf, 0);
        if (n < 0)
            break; /* 200 ms of silence: the publisher is done */
        s->n++;
        s->t_last = now_s();
    }
    zmq_close(sock);
    return NULL;
}

static pubsub_result raw_pubsub(void)
{
    raw_sub s = {.ctx = zmq_ctx_new()};
    void *pub = zmq_socket(s.ctx, ZMQ_PUB);
    int hwm = SK_BUS_HWM;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(pub, "inproc://bench-pub"))
        die("bind pub");
    pthread_t t;
    pthread_create(&t, NULL, raw_sub_main, &s);
    while (!atomic_load(&s.ready))
        sched_yield();
    /* Let the subscription reach the PUB socket before timing. */
    for (int i = 0; i < 100; i++)
        zmq_send(pub, "warmup", 6, ZMQ_DONTWAIT);
    char msg[PAYLOAD + 8];
    memcpy(msg, "bench/x ", 8);
    memcpy(msg + 8, g_payload, PAYLOAD);
    unsigned long published = 0;
    unsigned long warm = s.n;
    double t0 = now_s(), end = t0 + SECONDS;
    while (now_s() < end) {
        for (int i = 0; i < 256; i++)
            if (zmq_send(pub, msg, sizeof msg, ZMQ_DONTWAIT) >= 0)
                published++;
    }
    pthread_join(t, NULL);
    pubsub_result r = {.delivered = s.n - warm, .published = published};
    r.missed = published > r.delivered ? published - r.delivered : 0;
    r.rate = (double)r.delivered / (s.t_last - t0);
    zmq_close(pub);
    zmq_ctx_term(s.ctx);
    return r;
}

/* argv[1]: "skiff-reqrep" runs only the skiff 1-client figure (for a
 * profiler); nothing else is accepted. */
int main(int argc, char **argv)
{
    sk_log_set_level(SK_LOG_ERROR);
    if (argc > 1 && strcmp(argv[1], "skiff-reqrep") == 0) {
        memset(g_payload, 'x', sizeof g_payload);
        printf("skiff req/rep, 1 client: %.0f/s\n", skiff_reqrep(1));
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: bench-bus [skiff-reqrep]\n");
        return 2;
    }
    memset(g_payload, 'x', sizeof g_payload);
    printf("bench-bus: %d-byte payloads, %.0f s per figure, inproc, one process\n\n", PAYLOAD,
           SECONDS);
    printf("%-36s %14s %14s %8s\n", "", "skiff bus", "raw libzmq", "ratio");
    for (int clients = 1; clients <= 8; clients *= 8) {
        double s = skiff_reqrep(clients), r = raw_reqrep(clients);
        char label[64];
        snprintf(label, sizeof label, "req/rep round trips/s, %d client%s", clients,
                 clients > 1 ? "s" : "");
        printf("%-36s %14.0f %14.0f %7.2f%%\n", label, s, r, 100.0 * s / r);
        fflush(stdout);
    }
    pubsub_result s = skiff_pubsub(), r = raw_pubsub();
    printf("%-36s %14.0f %14.0f %7.2f%%\n", "events/s delivered, 1 subscriber", s.rate, r.rate,
           100.0 * s.rate / r.rate);
    printf("\n  skiff: %lu published, %lu delivered, %lu reported missed (sequence gaps)\n",
           s.published, s.delivered, s.missed);
    printf("  raw:   %lu published, %lu delivered, %lu dropped silently\n", r.published,
           r.delivered, r.missed);
    return 0;
}
