/* Host building blocks without a running host: metrics rendering, log
 * levels, key generation, paths and the admin socket protocol. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#include "admin.h"
#include "config.h"
#include "host_config.h"
#include "keygen.h"
#include "log.h"
#include "metrics.h"
#include "paths.h"
#include "sk_testutil.h"
#include "skt_suite.h"
#include "skiff/errors.h"

static char tmp[SKT_PATH];

static char *render(sk_metrics *m)
{
    char *out = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(sk_metrics_api_impl.render(m, &out, &len), 0);
    CU_ASSERT_EQUAL(strlen(out), len);
    return out;
}

static void test_metrics_render(void)
{
    const sk_metrics_api *api = &sk_metrics_api_impl;
    sk_metrics *m = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_metrics_new(&m), 0);
    sk_metric *c1 = api->counter(m, "t_requests_total", "Requests.\nSecond line", "code=\"200\"");
    sk_metric *c2 = api->counter(m, "t_requests_total", "ignored", "code=\"500\"");
    CU_ASSERT_PTR_EQUAL(api->counter(m, "t_requests_total", "x", "code=\"200\""), c1);
    sk_metric *g = api->gauge(m, "t_temp", "Temperature.", NULL);
    const double bounds[] = {0.1, 1, 10};
    sk_metric *h = api->histogram(m, "t_latency_seconds", "Latency.", NULL, bounds, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    api->add(c1, 2);
    api->add(c1, -5); /* ignored: counters only go up */
    api->add(c2, 1);
    api->set(g, 21.5);
    api->add(g, -1);
    api->observe(h, 0.05);
    api->observe(h, 0.5);
    api->observe(h, 100);
    char *out = render(m);
    const char *want =
        "# HELP t_requests_total Requests.\\nSecond line\n"
        "# TYPE t_requests_total counter\n"
        "t_requests_total{code=\"200\"} 2\n"
        "t_requests_total{code=\"500\"} 1\n"
        "# HELP t_temp Temperature.\n"
        "# TYPE t_temp gauge\n"
        "t_temp 20.5\n"
        "# HELP t_latency_seconds Latency.\n"
        "# TYPE t_latency_seconds histogram\n"
        "t_latency_seconds_bucket{le=\"0.1\"} 1\n"
        "t_latency_seconds_bucket{le=\"1\"} 2\n"
        "t_latency_seconds_bucket{le=\"10\"} 2\n"
        "t_latency_seconds_bucket{le=\"+Inf\"} 3\n"
        "t_latency_seconds_sum 100.55\n"
        "t_latency_seconds_count 3\n";
    CU_ASSERT_STRING_EQUAL(out, want);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "got:\n%s", out);
    free(out);
    sk_metrics_free(&m);
    CU_ASSERT_PTR_NULL(m);
}

static void test_metrics_refusals(void)
{
    const sk_metrics_api *api = &sk_metrics_api_impl;
    sk_metrics *m = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_metrics_new(&m), 0);
    CU_ASSERT_PTR_NOT_NULL(api->counter(m, "t_x", "x", NULL));
    CU_ASSERT_PTR_NULL(api->gauge(m, "t_x", "same name, other type", NULL));
    CU_ASSERT_PTR_NULL(api->counter(m, "0bad", "x", NULL));
    CU_ASSERT_PTR_NULL(api->counter(m, "t y", "x", NULL));
    CU_ASSERT_PTR_NULL(api->counter(m, "t_z", "x", "a=\"1\"\nfake 1"));
    const double unsorted[] = {2, 1};
    CU_ASSERT_PTR_NULL(api->histogram(m, "t_h", "x", NULL, unsorted, 2));
    /* NULL handles (a failed registration) are ignored, never a crash. */
    api->add(NULL, 1);
    api->set(NULL, 1);
    api->observe(NULL, 1);
    sk_metric *g = api->gauge(m, "t_g", "x", "a=\"b\"");
    api->observe(g, 1); /* wrong kind: ignored */
    api->set(g, INFINITY);
    char *out = render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "t_g{a=\"b\"} +Inf\n"));
    free(out);
    sk_metrics_free(&m);
}

typedef struct {
    sk_metrics *m;
    sk_metric *c;
} counter_arg;

static void *count_many(void *arg)
{
    counter_arg *a = arg;
    for (int i = 0; i < 100000; i++)
        sk_metrics_api_impl.add(a->c, 1);
    return NULL;
}

static void test_metrics_concurrent(void)
{
    sk_metrics *m = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_metrics_new(&m), 0);
    counter_arg a = {m, sk_metrics_api_impl.counter(m, "t_n", "n", NULL)};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, count_many, &a), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    char *out = render(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "t_n 400000\n"));
    free(out);
    sk_metrics_free(&m);
}

static void test_log_levels(void)
{
    sk_log_level l;
    CU_ASSERT_EQUAL(sk_log_parse_level("debug", &l), 0);
    CU_ASSERT_EQUAL(l, SK_LOG_DEBUG);
    CU_ASSERT_EQUAL(sk_log_parse_level("WARN", &l), 0);
    CU_ASSERT_EQUAL(l, SK_LOG_WARN);
    CU_ASSERT_EQUAL(sk_log_parse_level("loud", &l), -EINVAL);
    sk_log_set_level(SK_LOG_ERROR);
    CU_ASSERT_FALSE(sk_log_api_impl.enabled("t", SK_LOG_INFO));
    CU_ASSERT_TRUE(sk_log_api_impl.enabled("t", SK_LOG_ERROR));
    sk_log_set_level(SK_LOG_INFO);
    CU_ASSERT_EQUAL(sk_log_get_level(), SK_LOG_INFO);
}

static void test_keygen(void)
{
    char pub[SK_Z85_KEY_LEN], sec[SK_Z85_KEY_LEN], pub2[SK_Z85_KEY_LEN], sec2[SK_Z85_KEY_LEN];
    CU_ASSERT_EQUAL_FATAL(sk_keygen_pair(pub, sec), 0);
    CU_ASSERT_EQUAL_FATAL(sk_keygen_pair(pub2, sec2), 0);
    CU_ASSERT_EQUAL(strlen(pub), 40);
    CU_ASSERT_EQUAL(strlen(sec), 40);
    CU_ASSERT_STRING_NOT_EQUAL(pub, pub2);
    /* The secret key gives back its public key: a real pair. */
    char derived[SK_Z85_KEY_LEN];
    CU_ASSERT_EQUAL(zmq_curve_public(derived, sec), 0);
    CU_ASSERT_STRING_EQUAL(derived, pub);
}

static void test_paths(void)
{
    char dir[SKT_PATH], buf[SKT_PATH];
    skt_fmt(dir, sizeof dir, "%s/a/b/c", tmp);
    CU_ASSERT_EQUAL(sk_path_mkdirs(dir, 0700), 0);
    CU_ASSERT_EQUAL(sk_path_mkdirs(dir, 0700), 0);
    struct stat st;
    CU_ASSERT_EQUAL(stat(dir, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    skt_fmt(buf, sizeof buf, "%s/file", tmp);
    CU_ASSERT_EQUAL(skt_write_file(buf, "x"), 0);
    skt_fmt(dir, sizeof dir, "%s/file/sub", tmp);
    CU_ASSERT_EQUAL(sk_path_mkdirs(dir, 0700), -ENOTDIR);
    CU_ASSERT_EQUAL(sk_path_join(buf, 4, "%s", "toolong"), -ENAMETOOLONG);
    CU_ASSERT_EQUAL(sk_path_exe_dir(buf, sizeof buf), 0);
    CU_ASSERT_EQUAL(buf[0], '/');
    if (geteuid() != 0) {
        setenv("XDG_STATE_HOME", "/xdg", 1);
        CU_ASSERT_EQUAL(sk_path_default_data_dir(buf, sizeof buf), 0);
        CU_ASSERT_STRING_EQUAL(buf, "/xdg/skiff");
        unsetenv("XDG_STATE_HOME");
    } else {
        CU_ASSERT_EQUAL(sk_path_default_data_dir(buf, sizeof buf), 0);
        CU_ASSERT_STRING_EQUAL(buf, "/var/lib/skiff");
    }
}

/* ---- admin protocol ---- */

static int echo_cmd(void *arg, int argc, char **argv, sk_text *body, char *err, size_t errlen)
{
    (void)arg;
    if (strcmp(argv[0], "fail") == 0) {
        skt_fmt(err, errlen, "failing as asked\nwith a newline");
        return -1;
    }
    for (int i = 0; i < argc; i++)
        sk_text_printf(body, "[%s]", argv[i]);
    return 0;
}

typedef struct {
    const char *path;
    const char *argv[3];
    int argc, rc, ok;
    char *body;
    char err[256];
    atomic_int done;
} client_arg;

static void *client(void *p)
{
    client_arg *c = p;
    c->rc = sk_admin_request(c->path, c->argc, c->argv, 10000, &c->ok, &c->body, c->err,
                             sizeof c->err);
    atomic_store(&c->done, 1);
    return NULL;
}

/* Serves until the client got its answer: connections that only probed
 * the socket (sk_admin_open's liveness check) are served first. */
static void roundtrip(sk_admin *a, client_arg *c)
{
    pthread_t t;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, client, c), 0);
    uint64_t deadline = skt_now_ms() + 10000;
    while (!atomic_load(&c->done) && skt_now_ms() < deadline) {
        struct pollfd p = {.fd = sk_admin_fd(a), .events = POLLIN};
        if (poll(&p, 1, 50) == 1)
            sk_admin_serve_one(a, echo_cmd, NULL);
    }
    pthread_join(t, NULL);
}

static void test_admin(void)
{
    char path[SKT_PATH], err[512];
    skt_fmt(path, sizeof path, "%s/admin.sock", tmp);
    sk_admin *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_admin_open(path, &a, err, sizeof err), 0);
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    /* A live host on the socket: refused. */
    CU_ASSERT_EQUAL(sk_admin_open(path, &b, err, sizeof err), SK_EEXISTS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "another skiff host"));

    client_arg c = {.path = path, .argv = {"reload", "store", "/x y.so"}, .argc = 3};
    roundtrip(a, &c);
    CU_ASSERT_EQUAL(c.rc, 0);
    CU_ASSERT_EQUAL(c.ok, 1);
    CU_ASSERT_STRING_EQUAL(c.body, "[reload][store][/x y.so]");
    free(c.body);

    client_arg f = {.path = path, .argv = {"fail"}, .argc = 1};
    roundtrip(a, &f);
    CU_ASSERT_EQUAL(f.rc, 0);
    CU_ASSERT_EQUAL(f.ok, 0);
    CU_ASSERT_STRING_EQUAL(f.err, "failing as asked with a newline");
    free(f.body);

    sk_admin_close(&a);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    int ok;
    char *body;
    CU_ASSERT(sk_admin_request(path, 1, (const char *[]){"list"}, 1000, &ok, &body, err,
                               sizeof err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no skiff host is running"));

    /* A socket file left by a host that died: replaced. */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    skt_fmt(sa.sun_path, sizeof sa.sun_path, "%s", path);
    CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd);
    CU_ASSERT_EQUAL(sk_admin_open(path, &a, err, sizeof err), 0);
    sk_admin_close(&a);

    /* Not a socket: left alone. */
    CU_ASSERT_EQUAL(skt_write_file(path, "x"), 0);
    CU_ASSERT_EQUAL(sk_admin_open(path, &a, err, sizeof err), -EEXIST);
    unlink(path);
}

/* The shipped examples stay valid against the schema; the TCP ones only
 * fail on their placeholder keys, which must be replaced with keygen's. */
static int parse_example(const char *name, char *err, size_t errlen)
{
    const char *src = getenv("SKIFF_SOURCE_DIR");
    char path[SKT_PATH];
    skt_fmt(path, sizeof path, "%s/examples/%s", src ? src : ".", name);
    sk_cfg *root = NULL;
    sk_host_config hc;
    int rc = sk_cfg_parse_file(path, &root, err, errlen);
    if (!rc)
        rc = sk_host_config_parse(root, &hc, err, errlen);
    if (!rc)
        sk_host_config_free(&hc);
    sk_cfg_free(&root);
    return rc;
}

static void test_examples(void)
{
    char err[1024] = "";
    CU_ASSERT_EQUAL(parse_example("all-in-one.yaml", err, sizeof err), 0);
    if (*err)
        fprintf(stderr, "all-in-one.yaml: %s\n", err);
    CU_ASSERT_NOT_EQUAL(parse_example("master.yaml", err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bus.curve.public_key"));
    CU_ASSERT_NOT_EQUAL(parse_example("worker.yaml", err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "key"));
}

int main(void)
{
    static const skt_case cases[] = {
        {"metrics render", test_metrics_render},
        {"metrics refusals", test_metrics_refusals},
        {"metrics concurrent updates", test_metrics_concurrent},
        {"log levels", test_log_levels},
        {"keygen", test_keygen},
        {"paths", test_paths},
        {"admin socket", test_admin},
        {"examples", test_examples},
        {NULL, NULL},
    };
    skt_mkdtemp(tmp, sizeof tmp);
    int failed = skt_run_suite("host parts", cases);
    skt_rmrf(tmp);
    return failed ? 1 : 0;
}
