/* bench-scheduler, part 1: the framework alone (no bus) on the same
 * workload as kube-scheduler's scheduler_perf SchedulingBasic
 * 5000Nodes_10000Pods: 5,000 nodes, 10,000 pods of 100m / 128Mi each,
 * the default profile. Prints cycles per second, then the same with each
 * bound pod fed back as the informer would report it (the confirm path).
 *
 *   bench-scheduler [nodes] [pods]     (run a Release build) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"
#include "scheduler.h"
#include "skiff/errors.h"
#include "skiff/mp.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_kv(sk_mp_buf *b, const char *k, const char *v)
{
    sk_mp_put_str(b, k);
    sk_mp_put_str(b, v);
}

static int add_node(sk_scheduler *s, int i)
{
    char name[64], zone[32];
    snprintf(name, sizeof(name), "node-%05d", i);
    snprintf(zone, sizeof(zone), "zone-%d", i % 10);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 2);
    put_kv(&b, "name", name);
    sk_mp_put_str(&b, "labels");
    sk_mp_put_map(&b, 2);
    put_kv(&b, "kubernetes.io/hostname", name);
    put_kv(&b, "topology.kubernetes.io/zone", zone);
    sk_mp_put_str(&b, "status");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "allocatable");
    sk_mp_put_map(&b, 3);
    put_kv(&b, "cpu", "4");
    put_kv(&b, "memory", "32Gi");
    put_kv(&b, "pods", "110");
    char err[256] = "";
    int rc = b.err ? b.err : sk_scheduler_node_upsert(s, b.data, b.len, err, sizeof(err));
    if (rc)
        fprintf(stderr, "node %s: %s %s\n", name, sk_strerror(rc), err);
    sk_mp_buf_free(&b);
    return rc;
}

/* node NULL: pending; else as the informer reports it once bound. */
static int put_pod(sk_scheduler *s, int i, const char *node)
{
    char name[64], uid[64];
    snprintf(name, sizeof(name), "pod-%05d", i);
    snprintf(uid, sizeof(uid), "00000000-0000-0000-0000-%012d", i);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 4);
    put_kv(&b, "name", name);
    put_kv(&b, "namespace", "default");
    put_kv(&b, "uid", uid);
    put_kv(&b, "creationTimestamp", "2026-01-01T00:00:00Z");
    sk_mp_put_str(&b, "spec");
    sk_mp_put_map(&b, node ? 3 : 2);
    put_kv(&b, "schedulerName", "default-scheduler");
    if (node)
        put_kv(&b, "nodeName", node);
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
    char err[256] = "";
    int rc = b.err ? b.err : sk_scheduler_pod_upsert(s, b.data, b.len, err, sizeof(err));
    if (rc)
        fprintf(stderr, "pod %s: %s %s\n", name, sk_strerror(rc), err);
    sk_mp_buf_free(&b);
    return rc;
}

/* One run: returns pods bound per second, or -1. */
static double run(const sk_sched_registry *reg, int nnodes, int npods, int confirm)
{
    sk_sched_config cfg = {0};
    sk_sched_env env = {.seed = 42};
    sk_scheduler *s = NULL;
    char err[256] = "";
    if (sk_scheduler_new(reg, &cfg, &env, &s, err, sizeof(err))) {
        fprintf(stderr, "scheduler: %s\n", err);
        return -1;
    }
    int rc = 0;
    for (int i = 0; !rc && i < nnodes; i++)
        rc = add_node(s, i);
    for (int i = 0; !rc && i < npods; i++)
        rc = put_pod(s, i, NULL);
    int bound = 0, other = 0;
    double t0 = now_s();
    while (!rc) {
        sk_sched_outcome o;
        rc = sk_scheduler_schedule_next(s, &o);
        if (o.kind == SK_OUTCOME_NONE) {
            sk_outcome_clear(&o);
            break;
        }
        if (o.kind == SK_OUTCOME_BIND) {
            char node[256];
            snprintf(node, sizeof(node), "%s", o.node);
            int idx = atoi(o.pod->pod.name + 4);
            sk_scheduler_binding_done(s, &o.binding, SK_SCHED_SUCCESS, NULL);
            bound++;
            if (confirm)
                rc = put_pod(s, idx, node);
        } else {
            other++;
        }
        sk_outcome_clear(&o);
    }
    double dt = now_s() - t0;
    sk_scheduler_free(&s);
    if (rc || bound != npods) {
        fprintf(stderr, "bound %d of %d pods (%d other outcomes, rc %d)\n", bound, npods, other, rc);
        return -1;
    }
    return bound / dt;
}

int main(int argc, char **argv)
{
    int nnodes = argc > 1 ? atoi(argv[1]) : 5000;
    int npods = argc > 2 ? atoi(argv[2]) : 10000;
    if (nnodes <= 0 || npods <= 0 || nnodes > 1000000 || npods > 10000000) {
        fprintf(stderr, "usage: bench-scheduler [nodes] [pods]\n");
        return 2;
    }
    sk_sched_registry *reg = NULL;
    if (sk_registry_new(&reg)) {
        fprintf(stderr, "registry: out of memory\n");
        return 1;
    }
    double a = run(reg, nnodes, npods, 0);
    double b = a > 0 ? run(reg, nnodes, npods, 1) : -1;
    sk_registry_free(&reg);
    if (a <= 0 || b <= 0)
        return 1;
    printf("framework only, %d nodes, %d pods (default profile, one core):\n", nnodes, npods);
    printf("  scheduling cycles:            %8.0f pods/s\n", a);
    printf("  with informer confirmations:  %8.0f pods/s\n", b);
    return 0;
}
