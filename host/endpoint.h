/* A plugin instance's attachment to the bus: its DEALER socket to the
 * broker (identity = route), its services, subscriptions and pending
 * requests, plus a pool of sockets for calls from other threads. */
#ifndef SKIFF_HOST_ENDPOINT_H
#define SKIFF_HOST_ENDPOINT_H

#include "broker.h"
#include "loop.h"
#include "skiff/bus.h"

typedef struct sk_endpoint sk_endpoint;

/* Loop thread of the instance. route: unique per instance generation,
 * e.g. "store#2"; who: name for log lines. */
int sk_endpoint_new(void *zctx, sk_broker *b, sk_loop *loop, const char *route,
                    const char *who, sk_endpoint **out);
/* Loop thread. Unserves, unsubscribes, fails pending requests' callbacks
 * with SK_ESTOPPED, answers still-open incoming requests with SK_ESTOPPED
 * (logged), closes sockets. */
void sk_endpoint_free(sk_endpoint **e);

/* ctx = sk_endpoint* */
extern const sk_bus_api sk_endpoint_bus_api;

#endif
