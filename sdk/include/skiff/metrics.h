/* skiff SDK — metrics the host exposes in Prometheus text format
 * (`skiff metrics`, the admin socket, and whatever plugin serves /metrics).
 *
 * A metric is identified by name plus a fixed label set, e.g.
 *   name "skiff_store_puts_total", labels "backend=\"lmdb\"" (or NULL).
 * Registering the same name+labels twice returns the same handle. Handles
 * are owned by the host and stay valid until the plugin's fini() returns;
 * updates are lock-free and allowed from any thread. */
#ifndef SKIFF_METRICS_H
#define SKIFF_METRICS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_metric sk_metric;

typedef struct sk_metrics_api {
    unsigned size;
    sk_metric *(*counter)(void *ctx, const char *name, const char *help, const char *labels);
    sk_metric *(*gauge)(void *ctx, const char *name, const char *help, const char *labels);
    /* bounds: ascending upper bounds, copied; +Inf is implied. */
    sk_metric *(*histogram)(void *ctx, const char *name, const char *help, const char *labels,
                            const double *bounds, size_t nbounds);
    void (*add)(sk_metric *m, double v);     /* counter or gauge */
    void (*set)(sk_metric *m, double v);     /* gauge */
    void (*observe)(sk_metric *m, double v); /* histogram */
    /* Render every metric of the host. *out is malloc'd; free it with free(). */
    int (*render)(void *ctx, char **out, size_t *len);
} sk_metrics_api;

#ifdef __cplusplus
}
#endif
#endif
