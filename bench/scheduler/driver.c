/* bench-sched-driver.so: bench-scheduler, part 2 — the end-to-end figure.
 * Loaded into a host after etcd-store, apiserver and scheduler, it creates
 * `nodes` Node objects through the bus service `api`, waits `settle_ms`,
 * then creates `pods` pods (at most `window` creates in flight) while
 * watching pods, and records the time from the first pod create to the
 * moment every pod was seen bound (spec.nodeName set). The result goes to
 * the file `out` as one line: "pods=N nodes=M seconds=S pods_per_s=R".
 * bench_api.sh runs it. (The bus, not HTTP: the scheduler and apiserver
 * are measured, not a client library.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skiff/informer.h"
#include "skiff/skiff.h"

typedef struct drv {
    const sk_host *h;
    int64_t nodes, pods, window, settle_ms;
    const char *out;
    int64_t next_node, nodes_done, next_pod, pods_done, inflight, bound;
    uint8_t *seen; /* per pod: bound already counted */
    uint64_t watch_id;
    bool watching, finished, settling;
    uint64_t t0, t_created;
    char rv[64];
} drv;

static const sk_option options[] = {
    {"nodes", SK_OPT_INT, "5000", "Node objects to create"},
    {"pods", SK_OPT_INT, "10000", "pods to create and wait for"},
    {"window", SK_OPT_INT, "256", "creates in flight"},
    {"settle_ms", SK_OPT_INT, "1000", "pause between nodes and pods"},
    {"out", SK_OPT_STRING, NULL, "result file"},
    {NULL, 0, NULL, NULL},
};

static void put_kv(sk_mp_buf *b, const char *k, const char *v)
{
    sk_mp_put_str(b, k);
    sk_mp_put_str(b, v);
}

static void pump(drv *d);

static void finish(drv *d, const char *err)
{
    if (d->finished)
        return;
    d->finished = true;
    double s = (double)(d->h->loop->now_ms(d->h->loop_ctx) - d->t0) / 1000.0;
    FILE *f = fopen(d->out, "w");
    if (!f) {
        sk_error(d->h, "bench: cannot write %s", d->out);
        return;
    }
    if (err)
        fprintf(f, "error=%s bound=%lld\n", err, (long long)d->bound);
    else
        fprintf(f, "pods=%lld nodes=%lld seconds=%.3f pods_per_s=%.0f created_in=%.3f\n",
                (long long)d->pods, (long long)d->nodes, s, (double)d->pods / s,
                (double)(d->t_created - d->t0) / 1000.0);
    fclose(f);
    sk_info(d->h, "bench: %s", err ? err : "done");
}

static void on_create(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    (void)data, (void)len;
    drv *d = arg;
    if (status == SK_BUS_MORE)
        return;
    d->inflight--;
    if (status != 0) {
        if (d->finished)
            return; /* stopping: the endpoint fails what is left */
        sk_error(d->h, "bench: create failed: %s %s", sk_strerror(status), errmsg);
        finish(d, "create failed");
        return;
    }
    if (d->nodes_done < d->nodes) /* every node is created before any pod */
        d->nodes_done++;
    else if (++d->pods_done == d->pods)
        d->t_created = d->h->loop->now_ms(d->h->loop_ctx);
    pump(d);
}

static int create_node(drv *d, int64_t i)
{
    char name[64], zone[32];
    snprintf(name, sizeof(name), "bench-node-%05lld", (long long)i);
    snprintf(zone, sizeof(zone), "zone-%lld", (long long)(i % 10));
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    put_kv(&b, "version", "v1");
    put_kv(&b, "resource", "nodes");
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, 4);
    put_kv(&b, "apiVersion", "v1");
    put_kv(&b, "kind", "Node");
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 2);
    put_kv(&b, "name", name);
    sk_mp_put_str(&b, "labels");
    sk_mp_put_map(&b, 2);
    put_kv(&b, "kubernetes.io/hostname", name);
    put_kv(&b, "topology.kubernetes.io/zone", zone);
    sk_mp_put_str(&b, "status");
    sk_mp_put_map(&b, 2);
    const char *keys[2] = {"capacity", "allocatable"};
    for (int k = 0; k < 2; k++) {
        sk_mp_put_str(&b, keys[k]);
        sk_mp_put_map(&b, 3);
        put_kv(&b, "cpu", "4");
        put_kv(&b, "memory", "32Gi");
        put_kv(&b, "pods", "110");
    }
    int rc = b.err ? b.err
                   : sk_request(d->h, "api", "create", b.data, b.len, 30000, on_create, d, NULL);
    sk_mp_buf_free(&b);
    return rc;
}

static int create_pod(drv *d, int64_t i)
{
    char name[64];
    snprintf(name, sizeof(name), "bench-pod-%05lld", (long long)i);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 4);
    put_kv(&b, "version", "v1");
    put_kv(&b, "resource", "pods");
    put_kv(&b, "namespace", "default");
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, 4);
    put_kv(&b, "apiVersion", "v1");
    put_kv(&b, "kind", "Pod");
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 1);
    put_kv(&b, "name", name);
    sk_mp_put_str(&b, "spec");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "containers");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 3);
    put_kv(&b, "name", "c");
    put_kv(&b, "image", "registry.k8s.io/pause:3.9");
    sk_mp_put_str(&b, "resources");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "requests");
    sk_mp_put_map(&b, 2);
    put_kv(&b, "cpu", "100m");
    put_kv(&b, "memory", "128Mi");
    int rc = b.err ? b.err
                   : sk_request(d->h, "api", "create", b.data, b.len, 30000, on_create, d, NULL);
    sk_mp_buf_free(&b);
    return rc;
}

static void on_watch(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    drv *d = arg;
    if (status != SK_BUS_MORE) {
        d->watching = false;
        if (!d->finished)
            finish(d, "pod watch ended");
        sk_warn(d->h, "bench: watch ended: %s %s", sk_strerror(status), errmsg ? errmsg : "");
        return;
    }
    sk_mp_view ev, node;
    char name[64];
    const char *nn;
    size_t nlen = 0;
    if (sk_mp_check(data, len, SK_MP_MAX_DEPTH, &ev) ||
        sk_mp_find_str(ev, "object.metadata.name", name, sizeof(name)) ||
        strncmp(name, "bench-pod-", 10) != 0 || sk_mp_find(ev, "object.spec.nodeName", &node) ||
        sk_mp_get_str(node, &nn, &nlen) || nlen == 0)
        return;
    long long i = atoll(name + 10);
    if (i < 0 || i >= d->pods || d->seen[i])
        return;
    d->seen[i] = 1;
    if (++d->bound == d->pods)
        finish(d, NULL);
}

static void start_pods(void *arg, uint64_t id)
{
    (void)id;
    drv *d = arg;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 4);
    put_kv(&b, "version", "v1");
    put_kv(&b, "resource", "pods");
    put_kv(&b, "namespace", "default");
    sk_mp_put_str(&b, "options");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "timeoutSeconds");
    sk_mp_put_int(&b, 3600);
    int rc = b.err ? b.err
                   : sk_request(d->h, "api", "watch", b.data, b.len, 0, on_watch, d, &d->watch_id);
    sk_mp_buf_free(&b);
    if (rc) {
        finish(d, "cannot watch pods");
        return;
    }
    d->watching = true;
    d->t0 = d->h->loop->now_ms(d->h->loop_ctx);
    d->next_pod = 0;
    pump(d);
}

/* Keeps `window` creates in flight: nodes first, then (after settle) pods. */
static void pump(drv *d)
{
    while (!d->finished && d->inflight < d->window) {
        int rc;
        if (d->next_node < d->nodes) {
            rc = create_node(d, d->next_node++);
        } else if (d->nodes_done < d->nodes) {
            return; /* the last nodes are still being created */
        } else if (d->t0 == 0) {
            /* Give the scheduler's informer time to see every node. */
            if (!d->settling && sk_timer_add(d->h, (uint64_t)d->settle_ms, 0, start_pods, d) < 0)
                finish(d, "timer");
            d->settling = true;
            return;
        } else if (d->next_pod < d->pods) {
            rc = create_pod(d, d->next_pod++);
        } else {
            return;
        }
        if (rc) {
            finish(d, "request failed");
            return;
        }
        d->inflight++;
    }
}

static int drv_init(const sk_host *h, void **state)
{
    drv *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->h = h;
    int rc = sk_cfg_int(h, "nodes", 5000, &d->nodes);
    if (!rc)
        rc = sk_cfg_int(h, "pods", 10000, &d->pods);
    if (!rc)
        rc = sk_cfg_int(h, "window", 256, &d->window);
    if (!rc)
        rc = sk_cfg_int(h, "settle_ms", 1000, &d->settle_ms);
    d->out = sk_cfg_str(h, "out", NULL);
    if (!rc && (!d->out || d->nodes < 1 || d->pods < 1 || d->pods > 10000000 || d->window < 1 ||
                d->settle_ms < 0)) {
        sk_error(h, "bench: needs out, nodes >= 1, 1 <= pods <= 1e7, window >= 1");
        rc = SK_ECONFIG;
    }
    if (!rc && !(d->seen = calloc((size_t)d->pods, 1)))
        rc = -ENOMEM;
    if (rc) {
        free(d);
        return rc;
    }
    *state = d;
    return 0;
}

static void first_pump(void *arg, uint64_t id)
{
    (void)id;
    pump(arg);
}

static int drv_start(void *state)
{
    drv *d = state;
    /* After the other plugins' start: begin on the next loop turn. */
    return sk_timer_add(d->h, 100, 0, first_pump, d) < 0 ? SK_EINTERNAL : 0;
}

static void drv_stop(void *state)
{
    drv *d = state;
    if (d->watching)
        (void)d->h->bus->cancel(d->h->bus_ctx, d->watch_id);
    d->finished = true;
}

static void drv_fini(void *state)
{
    drv *d = state;
    free(d->seen);
    free(d);
}

static const sk_plugin_desc desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "bench-sched-driver",
    .version = SK_VERSION,
    .description = "bench-scheduler's load generator",
    .options = options,
    .init = drv_init,
    .start = drv_start,
    .stop = drv_stop,
    .fini = drv_fini,
};

SK_PLUGIN_DEFINE(desc)
