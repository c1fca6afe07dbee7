#include "bus_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <CUnit/Basic.h>

#include "metrics.h"

const sk_bus_api *const bt_bus_api = &sk_endpoint_bus_api;
atomic_int bt_async_failures;

uint64_t bt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void bt_pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

void bt_latch_init(bt_latch *l)
{
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &a);
    pthread_condattr_destroy(&a);
    l->n = 0;
}

void bt_latch_destroy(bt_latch *l)
{
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
}

void bt_latch_add(bt_latch *l, long k)
{
    pthread_mutex_lock(&l->mu);
    l->n += k;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

long bt_latch_get(bt_latch *l)
{
    pthread_mutex_lock(&l->mu);
    long n = l->n;
    pthread_mutex_unlock(&l->mu);
    return n;
}

bool bt_latch_wait(bt_latch *l, long target, int timeout_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&l->mu);
    int rc = 0;
    while (l->n < target && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&l->cv, &l->mu, &dl);
    bool ok = l->n >= target;
    pthread_mutex_unlock(&l->mu);
    return ok;
}

int bt_bus_start(bt_bus *bus, const sk_bus_conf *conf, bool with_metrics)
{
    memset(bus, 0, sizeof *bus);
    bus->zctx = zmq_ctx_new();
    if (!bus->zctx)
        return -1;
    if (with_metrics && sk_metrics_new(&bus->metrics))
        return -1;
    char err[512] = "";
    int rc = sk_broker_start(bus->zctx, conf, bus->metrics, &bus->broker, err, sizeof err);
    if (rc)
        fprintf(stderr, "bt_bus_start: %s\n", err);
    return rc;
}

void bt_bus_stop(bt_bus *bus)
{
    sk_broker_stop(&bus->broker);
    if (bus->zctx)
        zmq_ctx_term(bus->zctx);
    bus->zctx = NULL;
    sk_metrics_free(&bus->metrics);
}

static void *node_main(void *arg)
{
    bt_node *n = arg;
    n->rc = sk_loop_new(&n->loop);
    if (!n->rc)
        n->rc = sk_endpoint_new(n->bus->zctx, n->bus->broker, n->loop, n->route, n->route,
                                &n->ep);
    bt_latch_add(&n->ready, 1);
    if (!n->rc)
        sk_loop_run(n->loop);
    sk_endpoint_free(&n->ep);
    sk_loop_free(&n->loop);
    return NULL;
}

bt_node *bt_node_start(bt_bus *bus, const char *route)
{
    bt_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->bus = bus;
    snprintf(n->route, sizeof n->route, "%s", route);
    bt_latch_init(&n->ready);
    if (pthread_create(&n->thread, NULL, node_main, n)) {
        free(n);
        return NULL;
    }
    if (!bt_latch_wait(&n->ready, 1, BT_WAIT_MS) || n->rc) {
        pthread_join(n->thread, NULL);
        bt_latch_destroy(&n->ready);
        free(n);
        return NULL;
    }
    return n;
}

/* The pointer is cleared only after the join: the node's callbacks may
 * still reach it through the caller's variable until then. */
void bt_node_stop(bt_node **np)
{
    bt_node *n = *np;
    if (!n)
        return;
    sk_loop_quit(n->loop);
    pthread_join(n->thread, NULL);
    *np = NULL;
    bt_latch_destroy(&n->ready);
    free(n);
}

typedef struct on_loop {
    void (*fn)(void *);
    void *arg;
    bt_latch done;
} on_loop;

static void run_on_loop(void *arg)
{
    on_loop *o = arg;
    o->fn(o->arg);
    bt_latch_add(&o->done, 1);
}

int bt_on_loop(bt_node *n, void (*fn)(void *), void *arg)
{
    on_loop *o = calloc(1, sizeof *o);
    o->fn = fn;
    o->arg = arg;
    bt_latch_init(&o->done);
    if (sk_loop_api_impl.post(n->loop, run_on_loop, o)) {
        bt_latch_destroy(&o->done);
        free(o);
        return -1;
    }
    if (!bt_latch_wait(&o->done, 1, BT_WAIT_MS))
        return -1; /* leaked on purpose: the loop may still run it */
    bt_latch_destroy(&o->done);
    free(o);
    return 0;
}

int bt_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static char g_log_path[64];

void bt_capture_stderr(void)
{
    snprintf(g_log_path, sizeof g_log_path, "/tmp/skiff-bus-test-%d.log", (int)getpid());
    int fd = open(g_log_path, O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

static bool file_contains(const char *needle)
{
    FILE *f = fopen(g_log_path, "r");
    if (!f)
        return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

bool bt_log_contains(const char *needle, int timeout_ms)
{
    uint64_t end = bt_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        if (file_contains(needle))
            return true;
        if (bt_now_ms() >= end)
            return false;
        bt_pause_ms(10);
    }
}

static void dump_log(void)
{
    if (!g_log_path[0])
        return;
    FILE *f = fopen(g_log_path, "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    fclose(f);
    unlink(g_log_path);
}

int bt_run_suite(const char *suite, const bt_test *tests)
{
    unsigned failed = sk_cunit_run(suite, NULL, NULL, tests) != 0;
    if (atomic_load(&bt_async_failures)) {
        fprintf(stdout, "%d checks on other threads failed\n", atomic_load(&bt_async_failures));
        failed++;
    }
    if (failed)
        dump_log();
    else if (g_log_path[0])
        unlink(g_log_path);
    return failed ? 1 : 0;
}
