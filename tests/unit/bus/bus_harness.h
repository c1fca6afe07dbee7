/* Test harness for the bus suites: a broker on its own ZeroMQ context, and
 * "nodes" (a thread running an sk_loop with one endpoint), plus latches
 * for bounded waits. Everything waits with a timeout; nothing sleeps where
 * a wait belongs. */
#ifndef SKIFF_TEST_BUS_HARNESS_H
#define SKIFF_TEST_BUS_HARNESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "../sk_cunit.h"
#include "broker.h"
#include "endpoint.h"
#include "envelope.h"
#include "loop.h"
#include "skiff/errors.h"

/* Waits are generous: under ASan on two shared cores things crawl. */
#define BT_WAIT_MS 20000

typedef struct bt_latch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long n;
} bt_latch;

void bt_latch_init(bt_latch *l);
void bt_latch_destroy(bt_latch *l);
void bt_latch_add(bt_latch *l, long k);
long bt_latch_get(bt_latch *l);
/* true once the count reached target, false after timeout_ms. */
bool bt_latch_wait(bt_latch *l, long target, int timeout_ms);

typedef struct bt_bus {
    void *zctx;
    sk_broker *broker;
    sk_metrics *metrics;
} bt_bus;

/* conf may be NULL (inproc only); with_metrics registers counters. */
int bt_bus_start(bt_bus *bus, const sk_bus_conf *conf, bool with_metrics);
void bt_bus_stop(bt_bus *bus);

typedef struct bt_node {
    bt_bus *bus;
    char route[64];
    pthread_t thread;
    sk_loop *loop;
    sk_endpoint *ep;
    int rc;
    bt_latch ready;
} bt_node;

bt_node *bt_node_start(bt_bus *bus, const char *route);
/* Quits the loop, frees the endpoint on its thread, joins. */
void bt_node_stop(bt_node **n);
/* Runs fn(arg) on n's loop thread and waits for it. 0, or -1 on timeout. */
int bt_on_loop(bt_node *n, void (*fn)(void *), void *arg);

extern const sk_bus_api *const bt_bus_api;

/* Monotonic ms. */
uint64_t bt_now_ms(void);
/* A short pause inside a retry loop that is itself bounded. */
void bt_pause_ms(int ms);
/* A TCP port free on 127.0.0.1 right now. */
int bt_free_port(void);

/* Redirects stderr into a temp file, so a test can look for a log line. */
void bt_capture_stderr(void);
/* Whether the captured log contains needle, waiting up to timeout_ms. */
bool bt_log_contains(const char *needle, int timeout_ms);

/* Checks made on threads other than the test's own (service handlers,
 * workers), which may run after the test function returned: CUnit is not
 * thread-safe, so they are counted here and the suite fails at its end. */
extern atomic_int bt_async_failures;
#define BT_CHECK(cond)                                                                  \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            atomic_fetch_add(&bt_async_failures, 1);                                    \
            fprintf(stdout, "\n    async check failed: %s (%s:%d)\n", #cond, __FILE__,   \
                    __LINE__);                                                          \
        }                                                                               \
    } while (0)

typedef sk_cunit_case bt_test;
/* Runs one suite; the process exit code. */
int bt_run_suite(const char *suite, const bt_test *tests);

#endif
