/* skiff SDK — leader election on a coordination.k8s.io/v1 Lease, so that
 * several hosts can run the same controllers and only one acts
 * (client-go's leaderelection with a LeaseLock).
 *
 * Every retry_period the elector reads the Lease and, when it may, writes
 * it with an optimistic resourceVersion check:
 *   - absent: create it with holderIdentity = identity;
 *   - held by us: renew (renewTime = now);
 *   - held by another: take it over only when its record (holder,
 *     renewTime) has not changed for leaseDurationSeconds as measured on
 *     OUR monotonic clock since we first saw that record, so clock skew
 *     between hosts never matters; a takeover sets acquireTime and bumps
 *     leaseTransitions.
 * A leader that fails to renew for renew_deadline_ms stops leading
 * (on_stop) before the lease can expire for others. sk_leader_stop()
 * releases a held lease (holderIdentity "" and leaseDurationSeconds 1) so
 * a successor need not wait for it to expire.
 *
 * Threading: loop thread only; on_start/on_stop run on the loop thread.
 * Ownership: cfg strings are copied. */
#ifndef SKIFF_LEADER_H
#define SKIFF_LEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "skiff/informer.h"
#include "skiff/loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_leader sk_leader;

typedef struct sk_leader_cfg {
    sk_api_transport transport;
    const sk_loop_api *loop; /* timers and the monotonic clock; required */
    void *loop_ctx;
    const char *namespace_; /* of the Lease, e.g. "kube-system" */
    const char *name;       /* of the Lease, e.g. "skiff-controllers" */
    const char *identity;   /* unique per candidate, e.g. node name + pid */
    uint32_t lease_duration_ms; /* 0 -> 15000 */
    uint32_t renew_deadline_ms; /* 0 -> 10000; must be < lease duration */
    uint32_t retry_period_ms;   /* 0 -> 2000 */
    uint32_t request_timeout_ms; /* 0 -> 5000 */
    /* Wall clock for the Lease's timestamps, ms since the epoch; NULL uses
     * CLOCK_REALTIME. Only written, never compared. */
    int64_t (*wall_ms)(void *arg);
    void (*on_start)(void *arg); /* became leader */
    void (*on_stop)(void *arg);  /* no longer leader */
    void *arg;
} sk_leader_cfg;

/* 0, -EINVAL or -ENOMEM. */
int sk_leader_new(const sk_leader_cfg *cfg, sk_leader **out);
/* Begins trying to acquire (first attempt at once). */
int sk_leader_start(sk_leader *l);
/* Stops trying; if leading, calls on_stop and releases the lease (with the
 * transport's blocking call when it has one, else a request not awaited).
 * Idempotent. */
void sk_leader_stop(sk_leader *l);
/* Stops, cancels everything and frees; *l becomes NULL. */
void sk_leader_free(sk_leader **l);
bool sk_leader_is_leader(const sk_leader *l);
/* The holder the elector last observed ("" when none). */
const char *sk_leader_holder(const sk_leader *l);

/* RFC 3339 with microseconds, as metav1.MicroTime: "2006-01-02T15:04:05.000000Z".
 * buf needs 28 bytes. */
void sk_format_micro_time(int64_t wall_ms, char buf[32]);
/* Parses RFC 3339 ("...Z", optional fraction, or "+hh:mm") into ms since
 * the epoch. 0 or SK_EBADMSG. */
int sk_parse_time(const char *s, size_t len, int64_t *wall_ms);

#ifdef __cplusplus
}
#endif
#endif
