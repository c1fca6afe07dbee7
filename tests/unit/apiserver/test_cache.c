/* The apiserver's object cache (cache.c, cache_table.c): the table on its
 * own, then a child host: reads served from the cache, never stale for
 * the writer (concurrent read-your-writes on GET and LIST), a store
 * reload that cuts its watch (reads fall back to the store and the cache
 * resyncs), and `read_cache: false`. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apisrv_host.h"
#include "cache_table.h"
#include "http_client.h"
#include "test_util.h"

static ah_host host;

/* ---- the table ---- */

static int seen_keys;
static void count_key(void *arg, const ap_centry *e)
{
    (void)arg;
    CU_ASSERT_EQUAL(strncmp(e->key, "/registry/pods/a/", 17), 0);
    seen_keys++;
}

static void t_table(void)
{
    ap_ctable t;
    CU_ASSERT_EQUAL_FATAL(ap_ctable_init(&t, 0), 0);
    char key[64], val[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "/registry/pods/%s/p%d", i % 2 ? "a" : "b", i);
        snprintf(val, sizeof val, "v%d", i);
        CU_ASSERT_EQUAL(ap_ctable_put(&t, key, strlen(key), val, strlen(val), i + 1, i + 1), 0);
    }
    CU_ASSERT_EQUAL(t.n, 1000);
    CU_ASSERT(t.cap >= 1000); /* grew past its 64 slots */
    const ap_centry *e = ap_ctable_find(&t, "/registry/pods/a/p7", 19);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->mod_rev, 8);
    CU_ASSERT_EQUAL(memcmp(e->val, "v7", 2), 0);
    /* A reader's reference outlives the replace that drops the table's. */
    ap_centry_ref(e);
    CU_ASSERT_EQUAL(ap_ctable_put(&t, "/registry/pods/a/p7", 19, "new", 3, 2000, 8), 0);
    CU_ASSERT_EQUAL(memcmp(e->val, "v7", 2), 0);
    ap_centry_unref(e);
    e = ap_ctable_find(&t, "/registry/pods/a/p7", 19);
    CU_ASSERT_EQUAL(e->mod_rev, 2000);
    CU_ASSERT_EQUAL(e->create_rev, 8);
    CU_ASSERT_EQUAL(t.n, 1000);
    ap_ctable_del(&t, "/registry/pods/a/p7", 19);
    ap_ctable_del(&t, "/registry/pods/a/absent", 23);
    CU_ASSERT_PTR_NULL(ap_ctable_find(&t, "/registry/pods/a/p7", 19));
    CU_ASSERT_EQUAL(t.n, 999);
    /* A prefix ends with '/': namespace "a" is not "ab". */
    CU_ASSERT_EQUAL(ap_ctable_put(&t, "/registry/pods/ab/x", 19, "x", 1, 3000, 3000), 0);
    seen_keys = 0;
    ap_ctable_scan(&t, "/registry/pods/a/", 17, count_key, NULL);
    CU_ASSERT_EQUAL(seen_keys, 499);
    ap_ctable_free(&t);
}

/* ---- against a host ---- */

static int call(int port, const char *method, const char *path, const char *ctype,
                const char *body, hc_resp *r)
{
    char h[256] = "";
    if (ctype)
        snprintf(h, sizeof h, "Content-Type: %s\r\n", ctype);
    return hc_request(port, method, path, h, body, r, 10000);
}

/* The value of apiserver_cache_reads_total{from="<from>"}, or -1. */
static long cache_reads(int port, const char *from)
{
    hc_resp r;
    if (hc_request(port, "GET", "/metrics", NULL, NULL, &r, 10000))
        return -1;
    char pat[96];
    snprintf(pat, sizeof pat, "apiserver_cache_reads_total{from=\"%s\"} ", from);
    const char *p = r.body ? strstr(r.body, pat) : NULL;
    long v = p ? atol(p + strlen(pat)) : -1;
    hc_resp_free(&r);
    return v;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* GETs path until the cache has answered one (the first sync is done). */
static int wait_cache_hit(int port, const char *path, int timeout_ms)
{
    long end = now_ms() + timeout_ms, before = cache_reads(port, "cache");
    while (now_ms() < end) {
        hc_resp r;
        if (call(port, "GET", path, NULL, NULL, &r) == 0)
            hc_resp_free(&r);
        if (cache_reads(port, "cache") > before)
            return 0;
        usleep(20000);
    }
    return -1;
}

static void t_hits(void)
{
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(call(host.port, "POST", "/api/v1/namespaces/default/configmaps",
                               "application/json", "{\"metadata\":{\"name\":\"hit\"}}", &r),
                          0);
    CU_ASSERT_EQUAL(r.code, 201);
    hc_resp_free(&r);
    const char *path = "/api/v1/namespaces/default/configmaps/hit";
    CU_ASSERT_EQUAL_FATAL(wait_cache_hit(host.port, path, 10000), 0);
    long before = cache_reads(host.port, "cache");
    for (int i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL_FATAL(call(host.port, "GET", path, NULL, NULL, &r), 0);
        CU_ASSERT_EQUAL(r.code, 200);
        hc_resp_free(&r);
    }
    CU_ASSERT(cache_reads(host.port, "cache") >= before + 20);
    /* The cached JSON text is byte for byte what the msgpack path renders
     * (a no-op patch answers the unchanged object through it). */
    hc_resp p;
    CU_ASSERT_EQUAL_FATAL(call(host.port, "PATCH", path, "application/merge-patch+json", "{}",
                               &p), 0);
    CU_ASSERT_EQUAL(p.code, 200);
    CU_ASSERT_EQUAL_FATAL(call(host.port, "GET", path, NULL, NULL, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.body, p.body);
    hc_resp_free(&r);
    hc_resp_free(&p);
    CU_ASSERT_EQUAL_FATAL(call(host.port, "GET",
                               "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name"
                               "%3Dhit", NULL, NULL, &p), 0); /* exact name: the store path */
    CU_ASSERT_EQUAL_FATAL(call(host.port, "GET",
                               "/api/v1/namespaces/default/configmaps?labelSelector=!nolabel",
                               NULL, NULL, &r), 0); /* the cache's JSON path */
    const char *item = strstr(p.body, "\"items\":[");
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    item += 9;
    char one[4096];
    snprintf(one, sizeof one, "%.*s", (int)(strlen(item) - 2), item); /* drop "]}" */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, one));
    hc_resp_free(&r);
    hc_resp_free(&p);
    /* Absent objects are answered by the cache too: 404. */
    CU_ASSERT_EQUAL_FATAL(
        call(host.port, "GET", "/api/v1/namespaces/default/configmaps/nope", NULL, NULL, &r), 0);
    CU_ASSERT_EQUAL(r.code, 404);
    hc_resp_free(&r);
}

/* ---- read-your-writes under concurrency ---- */

typedef struct writer {
    int id, errors, stale;
} writer;

static int data_value(const char *body)
{
    const char *p = body ? strstr(body, "\"v\":\"") : NULL;
    return p ? atoi(p + 5) : -1;
}

static int conn_call(hc_conn *c, const char *method, const char *path, const char *ctype,
                     const char *body, hc_resp *r)
{
    char h[256] = "";
    if (ctype)
        snprintf(h, sizeof h, "Content-Type: %s\r\n", ctype);
    return hc_do(c, method, path, h, body, body ? strlen(body) : 0, r);
}

/* One writer: patch its ConfigMap to i, then at once (same keep-alive
 * connection) GET and LIST it; both must show i — the write was
 * answered, so no later read may miss it. */
static void *ryw_main(void *arg)
{
    writer *w = arg;
    char path[128], list[256], body[128];
    snprintf(path, sizeof path, "/api/v1/namespaces/default/configmaps/ryw%d", w->id);
    snprintf(list, sizeof list, "/api/v1/namespaces/default/configmaps?labelSelector=w%%3D%d",
             w->id);
    snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"ryw%d\",\"labels\":{\"w\":\"%d\"}},"
             "\"data\":{\"v\":\"0\"}}", w->id, w->id);
    hc_conn *c = malloc(sizeof *c);
    hc_resp r;
    if (!c || hc_connect(c, host.port, 10000)) {
        free(c);
        w->errors++;
        return NULL;
    }
    if (conn_call(c, "POST", "/api/v1/namespaces/default/configmaps", "application/json", body,
                  &r) || r.code != 201)
        w->errors++;
    else
        hc_resp_free(&r);
    for (int i = 1; i <= 300; i++) {
        snprintf(body, sizeof body, "{\"data\":{\"v\":\"%d\"}}", i);
        if (conn_call(c, "PATCH", path, "application/merge-patch+json", body, &r)) {
            w->errors++;
            continue;
        }
        w->errors += r.code != 200;
        hc_resp_free(&r);
        if (conn_call(c, "GET", path, NULL, NULL, &r) == 0) {
            w->stale += data_value(r.body) != i;
            hc_resp_free(&r);
        }
        if (i % 4 == 0 && conn_call(c, "GET", list, NULL, NULL, &r) == 0) {
            w->stale += data_value(r.body) != i;
            hc_resp_free(&r);
        }
    }
    hc_close(c);
    free(c);
    return NULL;
}

static void t_read_your_writes(void)
{
    enum { N = 4 };
    pthread_t t[N];
    writer w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (writer){.id = i};
        pthread_create(&t[i], NULL, ryw_main, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(w[i].errors, 0);
        CU_ASSERT_EQUAL(w[i].stale, 0);
    }
    CU_ASSERT(cache_reads(host.port, "cache") > 0);
}

/* ---- what a watch told a client, a read must show ---- */

typedef struct creator {
    int n, errors;
} creator;

static void *create_main(void *arg)
{
    creator *c = arg;
    hc_conn *conn = malloc(sizeof *conn);
    if (!conn || hc_connect(conn, host.port, 10000)) {
        free(conn);
        c->errors++;
        return NULL;
    }
    char body[128];
    for (int i = 0; i < c->n; i++) {
        snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"ev%d\"}}", i);
        hc_resp r;
        if (conn_call(conn, "POST", "/api/v1/namespaces/kube-public/configmaps",
                      "application/json", body, &r)) {
            c->errors++;
            continue;
        }
        c->errors += r.code != 201;
        hc_resp_free(&r);
    }
    hc_close(conn);
    free(conn);
    return NULL;
}

/* Reads watch lines from fd until n ADDED events came (or 60 s passed),
 * GETting each object at once; returns how many GETs missed it. */
static int get_each_added(int fd, int n, hc_conn *get, int *added)
{
    char buf[65536];
    size_t len = 0;
    int missed = 0;
    long end = now_ms() + 60000;
    while (*added < n && now_ms() < end) {
        ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
        buf[len] = '\0';
        char *line, *nl;
        for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
            *nl = '\0';
            const char *p = strstr(line, "\"type\":\"ADDED\"") ? strstr(line, "\"name\":\"")
                                                              : NULL;
            char name[64], path[160];
            if (!p || sscanf(p + 8, "%63[^\"]", name) != 1)
                continue;
            (*added)++;
            snprintf(path, sizeof path, "/api/v1/namespaces/kube-public/configmaps/%s", name);
            hc_resp r;
            if (conn_call(get, "GET", path, NULL, NULL, &r) == 0) {
                missed += r.code != 200;
                hc_resp_free(&r);
            }
        }
        len -= (size_t)(line - buf);
        memmove(buf, line, len);
    }
    return missed;
}

static void t_watch_then_read(void)
{
    enum { N = 300 };
    hc_conn w, get;
    CU_ASSERT_EQUAL_FATAL(hc_connect(&w, host.port, 10000), 0);
    CU_ASSERT_EQUAL_FATAL(hc_connect(&get, host.port, 10000), 0);
    /* HTTP/1.0: the events come unchunked, one per line. */
    const char *q = "GET /api/v1/namespaces/kube-public/configmaps?watch=1&resourceVersion=1 "
                    "HTTP/1.0\r\n\r\n";
    CU_ASSERT_FATAL(write(w.fd, q, strlen(q)) == (ssize_t)strlen(q));
    creator c = {.n = N};
    pthread_t t;
    pthread_create(&t, NULL, create_main, &c);
    int added = 0;
    int missed = get_each_added(w.fd, N, &get, &added);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(c.errors, 0);
    CU_ASSERT_EQUAL(added, N);
    CU_ASSERT_EQUAL(missed, 0);
    hc_close(&w);
    hc_close(&get);
}

/* ---- the store goes away under the cache ---- */

static int reload_store(void)
{
    char skiff[600], sock[400];
    const char *b = getenv("SKIFF_BUILD_DIR");
    snprintf(skiff, sizeof skiff, "%s/bin/skiff", b && *b ? b : ".");
    snprintf(sock, sizeof sock, "%s/data/admin.sock", host.dir);
    pid_t pid = fork();
    if (pid == 0) {
        execl(skiff, skiff, "plugin", "reload", "store", "--admin", sock, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void t_store_reload(void)
{
    const char *path = "/api/v1/namespaces/default/configmaps/rl";
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(call(host.port, "POST", "/api/v1/namespaces/default/configmaps",
                               "application/json",
                               "{\"metadata\":{\"name\":\"rl\"},\"data\":{\"v\":\"1\"}}", &r),
                          0);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(reload_store(), 0);
    /* The write after the reload must be seen at once, whether the cache
     * has resynced yet or the read goes to the store. */
    int code = 0;
    for (long end = now_ms() + 20000; now_ms() < end && code != 200; usleep(50000)) {
        if (call(host.port, "PATCH", path, "application/merge-patch+json",
                 "{\"data\":{\"v\":\"2\"}}", &r) == 0) {
            code = r.code;
            hc_resp_free(&r);
        }
    }
    CU_ASSERT_EQUAL_FATAL(code, 200);
    CU_ASSERT_EQUAL_FATAL(call(host.port, "GET", path, NULL, NULL, &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_EQUAL(data_value(r.body), 2);
    hc_resp_free(&r);
    /* and the cache comes back: reads are served from it again */
    CU_ASSERT_EQUAL(wait_cache_hit(host.port, path, 20000), 0);
    CU_ASSERT_EQUAL_FATAL(call(host.port, "GET", path, NULL, NULL, &r), 0);
    CU_ASSERT_EQUAL(data_value(r.body), 2);
    hc_resp_free(&r);
}

/* ---- read_cache: false ---- */

static void t_disabled(void)
{
    ah_host h2;
    CU_ASSERT_EQUAL_FATAL(ah_start(&h2, "      read_cache: false\n"), 0);
    hc_resp r;
    CU_ASSERT_EQUAL(call(h2.port, "POST", "/api/v1/namespaces/default/configmaps",
                         "application/json", "{\"metadata\":{\"name\":\"nc\"}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 201);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL(call(h2.port, "GET", "/api/v1/namespaces/default/configmaps/nc", NULL, NULL,
                         &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL(call(h2.port, "GET", "/api/v1/namespaces/default/configmaps", NULL, NULL,
                         &r), 0);
    CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "\"name\":\"nc\"") : NULL);
    hc_resp_free(&r);
    CU_ASSERT(cache_reads(h2.port, "cache") <= 0);
    CU_ASSERT_EQUAL(ah_stop(&h2), 0);
}

static int suite_init(void)
{
    return ah_start(&host, NULL) ? -1 : 0;
}

static int suite_clean(void)
{
    return ah_stop(&host) == 0 ? 0 : -1;
}

int main(void)
{
    static const sk_cunit_case cases[] = {
        {"table", t_table},
        {"reads come from the cache", t_hits},
        {"read your writes, 4 writers", t_read_your_writes},
        {"a read shows what a watch told", t_watch_then_read},
        {"store reload: fallback, then resync", t_store_reload},
        {"read_cache: false", t_disabled},
        {NULL, NULL},
    };
    return sk_cunit_run("apiserver-cache", suite_init, suite_clean, cases);
}
