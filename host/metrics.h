/* The host's metric registry (Prometheus text). Handles live until
 * sk_metrics_free, so counters survive a plugin's hot swap. */
#ifndef SKIFF_HOST_METRICS_H
#define SKIFF_HOST_METRICS_H

#include "skiff/metrics.h"

typedef struct sk_metrics sk_metrics;

int sk_metrics_new(sk_metrics **out);
void sk_metrics_free(sk_metrics **m);

/* ctx = sk_metrics* */
extern const sk_metrics_api sk_metrics_api_impl;

#endif
