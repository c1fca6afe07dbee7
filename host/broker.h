/* The bus broker: one thread per host owning a ROUTER socket that every
 * plugin endpoint connects to over inproc, the service registry, pub/sub
 * fan-out with per-topic sequence numbers, and the CURVE-secured TCP links
 * to other hosts. Envelope format: docs/BUS.md. */
#ifndef SKIFF_HOST_BROKER_H
#define SKIFF_HOST_BROKER_H

#include <stddef.h>

#include "host_config.h"
#include "metrics.h"

typedef struct sk_broker sk_broker;

/* Starts the broker thread on zctx (owned by the caller, outlives the
 * broker). Binds/connects the TCP links of conf. metrics may be NULL. */
int sk_broker_start(void *zctx, const sk_bus_conf *conf, sk_metrics *metrics,
                    sk_broker **out, char *err, size_t errlen);
/* Stops the thread, closes links; requests still queued get SK_ESTOPPED. */
void sk_broker_stop(sk_broker **b);

/* The inproc endpoint plugin endpoints connect to. */
const char *sk_broker_endpoint(const sk_broker *b);

/* Hot swap support (any thread, synchronous with the broker thread):
 * hold: requests for every service that `route` serves are queued instead of
 *   forwarded (until another route serves that name, which takes the queue,
 *   or conf.hold_timeout_ms passes, which fails them with SK_EUNAVAILABLE);
 * wait_idle: returns 0 once no request forwarded to route is unanswered,
 *   SK_ETIMEDOUT after timeout_ms;
 * release: ends a hold; queued requests go to the route that now serves the
 *   name, or fail with SK_ENOSERVICE. */
int sk_broker_hold(sk_broker *b, const char *route);
int sk_broker_wait_idle(sk_broker *b, const char *route, int timeout_ms);
int sk_broker_release(sk_broker *b, const char *route);

#endif
