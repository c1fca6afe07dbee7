/* Two `skiff run` processes bridged over loopback TCP with CURVE: a service
 * served by host A is called by name from host B, A's events reach B's
 * subscriber, and host C, whose key A does not authorize, gets nothing.
 * Observations come from fx-probe's stats file in each host's data dir. */
#include <CUnit/Basic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "sk_cunit.h"
#include "sk_testutil.h"

#define WAIT_MS 30000

static char tmp[SKT_PATH];

typedef struct keypair {
    char pub[41], sec[41];
} keypair;

typedef struct host {
    char dir[SKT_PATH], cfg[SKT_PATH], data[SKT_PATH], sock[SKT_PATH], err[SKT_PATH],
        stats[SKT_PATH];
    pid_t pid;
} host;

static void keygen(keypair *k)
{
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(k->pub, k->sec), 0);
}

static void host_paths(host *h, const char *name)
{
    skt_fmt(h->dir, sizeof h->dir, "%s/%s", tmp, name);
    CU_ASSERT_EQUAL_FATAL(mkdir(h->dir, 0700), 0);
    skt_fmt(h->cfg, sizeof h->cfg, "%s/cfg.yaml", h->dir);
    skt_fmt(h->data, sizeof h->data, "%s/data", h->dir);
    skt_fmt(h->sock, sizeof h->sock, "%s/data/admin.sock", h->dir);
    skt_fmt(h->err, sizeof h->err, "%s/host.err", h->dir);
    skt_fmt(h->stats, sizeof h->stats, "%s/data/probe/stats", h->dir);
}

static void start(host *h)
{
    char *argv[] = {(char *)skt_skiff(), "run", "-c", h->cfg, "--data-dir", h->data, NULL};
    h->pid = skt_spawn(argv, NULL, h->err);
    CU_ASSERT_FATAL(h->pid > 0);
    CU_ASSERT_TRUE_FATAL(skt_wait_socket(h->sock, WAIT_MS));
}

static void server_host(host *h, int port, const keypair *k, const keypair *client)
{
    host_paths(h, "a");
    char yaml[4 * SKT_PATH];
    skt_fmt(yaml, sizeof yaml,
             "node:\n  name: node-a\n"
             "bus:\n"
             "  bind: [\"tcp://127.0.0.1:%d\"]\n"
             "  curve:\n    public_key: \"%s\"\n    secret_key: \"%s\"\n"
             "  authorized_keys: [\"%s\"]\n"
             "plugins:\n"
             "  - name: echo\n    path: %s\n    config:\n      tick_ms: 50\n",
             port, k->pub, k->sec, client->pub, skt_plugin("fx-echo"));
    CU_ASSERT_EQUAL_FATAL(skt_write_file(h->cfg, yaml), 0);
}

static void client_host(host *h, const char *name, int port, const keypair *k,
                        const keypair *server)
{
    host_paths(h, name);
    char yaml[4 * SKT_PATH];
    skt_fmt(yaml, sizeof yaml,
             "node:\n  name: node-%s\n"
             "bus:\n"
             "  connect:\n    - endpoint: \"tcp://127.0.0.1:%d\"\n      server_key: \"%s\"\n"
             "  curve:\n    public_key: \"%s\"\n    secret_key: \"%s\"\n"
             "plugins:\n"
             "  - name: probe\n    path: %s\n    config:\n"
             "      call: echo\n      subscribe: \"echo.\"\n      inflight: 2\n"
             "      interval_ms: 20\n      timeout_ms: 1000\n      stats_ms: 20\n",
             name, port, server->pub, k->pub, k->sec, skt_plugin("fx-probe"));
    CU_ASSERT_EQUAL_FATAL(skt_write_file(h->cfg, yaml), 0);
}

typedef struct at_least {
    const char *stats, *key;
    int64_t n;
} at_least;

static int reached(void *arg)
{
    at_least *a = arg;
    return skt_stat(a->stats, a->key) >= a->n;
}

static int wait_stat(const host *h, const char *key, int64_t n)
{
    at_least a = {h->stats, key, n};
    return skt_wait_until(reached, &a, WAIT_MS);
}

static void stop(host *h)
{
    if (h->pid <= 0)
        return;
    CU_ASSERT_EQUAL(kill(h->pid, SIGTERM), 0);
    int rc = skt_wait(h->pid, WAIT_MS);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) {
        skt_kill(h->pid);
        char *s = skt_read_file(h->err);
        fprintf(stderr, "--- %s ---\n%s----\n", h->err, s ? s : "");
        free(s);
    }
    h->pid = 0;
}

static void dump_stats(const host *h)
{
    char *s = skt_read_file(h->stats);
    fprintf(stderr, "--- %s ---\n%s----\n", h->stats, s ? s : "(none)");
    free(s);
}

static void test_two_hosts_and_an_intruder(void)
{
    keypair ka, kb, kc;
    keygen(&ka);
    keygen(&kb);
    keygen(&kc);
    int port = skt_free_port();
    CU_ASSERT_FATAL(port > 0);
    host a, b, c;
    server_host(&a, port, &ka, &kb);
    client_host(&b, "b", port, &kb, &ka);
    client_host(&c, "c", port, &kc, &ka);
    start(&a);
    start(&b);
    start(&c);

    /* B calls A's service by name, and receives A's events. */
    CU_ASSERT_TRUE(wait_stat(&b, "ok", 5));
    CU_ASSERT_TRUE(wait_stat(&b, "events", 5));
    CU_ASSERT_TRUE(skt_file_contains(b.stats, "tags echo1"));

    /* C had as long as B and keeps trying: every call fails, no event. */
    int64_t c_sent = skt_stat(c.stats, "sent");
    CU_ASSERT_TRUE(wait_stat(&c, "sent", c_sent + 5));
    CU_ASSERT_EQUAL(skt_stat(c.stats, "ok"), 0);
    CU_ASSERT(skt_stat(c.stats, "err") >= 5);
    CU_ASSERT_EQUAL(skt_stat(c.stats, "events"), 0);
    if (skt_stat(c.stats, "ok") != 0 || skt_stat(b.stats, "ok") < 5) {
        dump_stats(&b);
        dump_stats(&c);
    }

    stop(&c);
    stop(&b);
    stop(&a);
}

int main(void)
{
    skt_mkdtemp(tmp, sizeof tmp);
    static const sk_cunit_case cases[] = {
        {"two hosts over CURVE, an unauthorized third refused", test_two_hosts_and_an_intruder},
        {NULL, NULL},
    };
    int failed = sk_cunit_run("tcp", NULL, NULL, cases);
    skt_cleanup();
    if (!failed)
        skt_rmrf(tmp);
    return failed ? 1 : 0;
}
