/* bench-apiserver: the apiserver over keep-alive plain HTTP (`tls: false`,
 * set by apisrv_host.c, to compare like with like) against a real store
 * in a child host, beside a bare libmicrohttpd handler returning a fixed
 * body in this process (the same MHD mode), measured by the same client
 * in the same run. Prints requests/s and p50/p99 for GET of one
 * pod, LIST of 1,000 pods and CREATE; watch events delivered to 100
 * watchers; and the host's RSS with 10,000 pods stored.
 *
 *   bench-apiserver [seconds-per-test]     (SKIFF_BUILD_DIR: the build tree) */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apisrv_host.h"
#include "http_client.h"

#define CLIENTS 4
#define MAX_SAMPLES 2000000

static double secs = 3;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- the bare handler ---- */

static char fixed_body[2048];

static enum MHD_Result bare(void *cls, struct MHD_Connection *c, const char *url,
                            const char *method, const char *version, const char *up,
                            size_t *up_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)up, (void)up_size;
    if (!*con_cls) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(fixed_body), fixed_body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

/* ---- a load run: CLIENTS threads, keep-alive, latencies per request ---- */

typedef struct run {
    int port;
    const char *method;
    const char *path;  /* for CREATE: a format with %d */
    const char *body;  /* for CREATE: a format with %s (name) */
    const char *headers;
    double seconds;
    int max_requests; /* per client; 0 = unlimited */
    atomic_int seq;
    atomic_int errors;
    uint64_t *lat;
    atomic_size_t nlat;
} run;

static void *client(void *arg)
{
    run *r = arg;
    hc_conn *c = malloc(sizeof *c);
    if (!c || hc_connect(c, r->port, 30000)) {
        free(c);
        atomic_fetch_add(&r->errors, 1);
        return NULL;
    }
    uint64_t end = now_us() + (uint64_t)(r->seconds * 1e6);
    char body[4096];
    for (int i = 0; (!r->max_requests || i < r->max_requests) && now_us() < end; i++) {
        const char *b = NULL;
        if (r->body) {
            char name[64];
            snprintf(name, sizeof name, "bench-%d", atomic_fetch_add(&r->seq, 1));
            snprintf(body, sizeof body, r->body, name);
            b = body;
        }
        hc_resp resp;
        uint64_t t0 = now_us();
        int rc = hc_do(c, r->method, r->path, r->headers, b, b ? strlen(b) : 0, &resp);
        uint64_t dt = now_us() - t0;
        if (rc || resp.code >= 300)
            atomic_fetch_add(&r->errors, 1);
        if (!rc)
            hc_resp_free(&resp);
        size_t k = atomic_fetch_add(&r->nlat, 1);
        if (k < MAX_SAMPLES)
            r->lat[k] = dt;
    }
    hc_close(c);
    free(c);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void measure(const char *label, run *r, int clients)
{
    r->lat = calloc(MAX_SAMPLES, sizeof *r->lat);
    atomic_store(&r->nlat, 0);
    atomic_store(&r->errors, 0);
    pthread_t t[16];
    uint64_t t0 = now_us();
    for (int i = 0; i < clients; i++)
        pthread_create(&t[i], NULL, client, r);
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    double el = (double)(now_us() - t0) / 1e6;
    size_t n = atomic_load(&r->nlat);
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    qsort(r->lat, n, sizeof *r->lat, cmp_u64);
    double p50 = n ? (double)r->lat[n / 2] / 1000 : 0;
    double p99 = n ? (double)r->lat[(size_t)((double)n * 0.99)] / 1000 : 0;
    printf("%-34s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  (%zu requests, %d clients, %d "
           "errors)\n",
           label, (double)n / el, p50, p99, n, clients, atomic_load(&r->errors));
    fflush(stdout);
    free(r->lat);
}

/* ---- watchers ---- */

typedef struct watchers {
    int fd[100];
    int n;
    atomic_long events;
    atomic_bool stop;
    char last[100];
} watchers;

static void *watch_reader(void *arg)
{
    watchers *w = arg;
    struct pollfd p[100];
    for (int i = 0; i < w->n; i++)
        p[i] = (struct pollfd){.fd = w->fd[i], .events = POLLIN};
    char buf[65536];
    while (!atomic_load(&w->stop)) {
        if (poll(p, (nfds_t)w->n, 100) <= 0)
            continue;
        for (int i = 0; i < w->n; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            ssize_t k = read(p[i].fd, buf, sizeof buf);
            if (k <= 0) {
                p[i].fd = -1;
                continue;
            }
            long ev = 0;
            for (ssize_t j = 0; j < k; j++) {
                if (buf[j] == '\n' && (j ? buf[j - 1] : w->last[i]) == '}')
                    ev++;
            }
            w->last[i] = buf[k - 1];
            atomic_fetch_add(&w->events, ev);
        }
    }
    return NULL;
}

static void bench_watch(int port, const char *auth)
{
    watchers *w = calloc(1, sizeof *w);
    char req[512];
    /* HTTP/1.0: close-delimited, so events are counted on the raw bytes. */
    snprintf(req, sizeof req,
             "GET /api/v1/namespaces/kube-public/configmaps?watch=1&resourceVersion=%s "
             "HTTP/1.0\r\n%s\r\n",
             "1", auth);
    for (int i = 0; i < 100; i++) {
        hc_conn c;
        if (hc_connect(&c, port, 30000))
            break;
        if (write(c.fd, req, strlen(req)) < 0)
            break;
        w->fd[w->n++] = c.fd;
    }
    pthread_t t;
    pthread_create(&t, NULL, watch_reader, w);
    usleep(300000);
    long base = atomic_load(&w->events);
    int writes = 500;
    run r = {.port = port, .method = "POST",
             .path = "/api/v1/namespaces/kube-public/configmaps",
             .body = "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"k\":\"v\"}}",
             .headers = auth, .seconds = 60, .max_requests = writes / 2};
    uint64_t t0 = now_us();
    measure("  (writes while 100 watch)", &r, 2);
    long want = base + (long)writes * w->n;
    while (atomic_load(&w->events) < want && now_us() - t0 < 30000000)
        usleep(1000);
    double el = (double)(now_us() - t0) / 1e6;
    long got = atomic_load(&w->events) - base;
    printf("%-34s %9.0f events/s delivered (%ld of %ld events to %d watchers in %.2f s)\n",
           "WATCH 100 watchers", (double)got / el, got, (long)writes * w->n, w->n, el);
    atomic_store(&w->stop, true);
    pthread_join(t, NULL);
    for (int i = 0; i < w->n; i++)
        close(w->fd[i]);
    free(w);
}

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static const char *pod_body =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"labels\":"
    "{\"app\":\"bench\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\","
    "\"ports\":[{\"containerPort\":80}]}]}}";

static void fill_pods(int port, const char *auth, const char *ns, int n)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods", ns);
    run r = {.port = port, .method = "POST", .path = path, .body = pod_body, .headers = auth,
             .seconds = 600, .max_requests = n / CLIENTS};
    char label[64];
    snprintf(label, sizeof label, "CREATE pod (filling %s)", ns);
    measure(label, &r, CLIENTS);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        secs = atof(argv[1]);
    ah_host h;
    if (ah_start(&h, NULL)) {
        fprintf(stderr, "bench-apiserver: cannot start the host (SKIFF_BUILD_DIR=%s)\n",
                getenv("SKIFF_BUILD_DIR") ? getenv("SKIFF_BUILD_DIR") : "unset");
        return 1;
    }
    char tok[128], auth[256];
    ah_token(&h, tok, sizeof tok);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", tok);
    printf("bench-apiserver: host pid %d, port %d, %d client threads, %.1f s per test\n",
           (int)h.pid, h.port, CLIENTS, secs);

    /* one pod to GET, and its JSON as the bare handler's body */
    hc_resp resp;
    char body[2048];
    snprintf(body, sizeof body, pod_body, "one");
    hc_request(h.port, "POST", "/api/v1/namespaces/default/pods", auth, body, &resp, 10000);
    hc_resp_free(&resp);
    hc_request(h.port, "GET", "/api/v1/namespaces/default/pods/one", auth, NULL, &resp, 10000);
    snprintf(fixed_body, sizeof fixed_body, "%s", resp.body ? resp.body : "{}");
    hc_resp_free(&resp);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, bare, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *di = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (di) {
        run b = {.port = di->port, .method = "GET", .path = "/x", .seconds = secs};
        measure("bare libmicrohttpd (same body)", &b, CLIENTS);
    }
    run g = {.port = h.port, .method = "GET", .path = "/api/v1/namespaces/default/pods/one",
             .headers = auth, .seconds = secs};
    measure("GET one pod", &g, CLIENTS);
    if (di) {
        run b = {.port = di->port, .method = "GET", .path = "/x", .seconds = secs};
        measure("bare libmicrohttpd (again)", &b, CLIENTS);
        run b16 = {.port = di->port, .method = "GET", .path = "/x", .seconds = secs};
        measure("bare libmicrohttpd, 16 clients", &b16, 16);
    }
    run g16 = {.port = h.port, .method = "GET", .path = "/api/v1/namespaces/default/pods/one",
               .headers = auth, .seconds = secs};
    measure("GET one pod, 16 clients", &g16, 16);
    if (d)
        MHD_stop_daemon(d);

    fill_pods(h.port, auth, "kube-system", 1000);
    run l = {.port = h.port, .method = "GET", .path = "/api/v1/namespaces/kube-system/pods",
             .headers = auth, .seconds = secs};
    measure("LIST 1,000 pods", &l, CLIENTS);
    run c = {.port = h.port, .method = "POST", .path = "/api/v1/namespaces/default/configmaps",
             .body = "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"k\":\"v\"}}", .headers = auth,
             .seconds = secs};
    measure("CREATE configmap", &c, CLIENTS);
    bench_watch(h.port, auth);

    fill_pods(h.port, auth, "default", 9000);
    printf("%-34s %9ld kB resident (host: store + apiserver) with 10,000 pods stored\n", "RSS",
           rss_kb(h.pid));
    /* Worst case for the read cache: every pod's JSON text memoized. */
    run all = {.port = h.port, .method = "GET", .path = "/api/v1/pods", .headers = auth,
               .seconds = 60, .max_requests = 3};
    measure("LIST 10,000 pods (all namespaces)", &all, 1);
    printf("%-34s %9ld kB resident, after listing all 10,000 pods\n", "RSS", rss_kb(h.pid));
    ah_stop(&h);
    return 0;
}
