/* Lease-based leader election: a read-decide-write cycle per retry period,
 * with the decision in lease_decide(). */
#include "skiff/leader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skiff/errors.h"

static const sk_api_kind lease_kind = {"coordination.k8s.io", "v1", "leases"};

struct sk_leader {
    sk_leader_cfg cfg;
    char *ns, *name, *id;
    bool running, leader, inflight;
    uint64_t req_id, release_id, timer;
    uint64_t last_ok;      /* monotonic ms of our last successful write */
    uint64_t observed_at;  /* monotonic ms the record below was first seen */
    char holder[256], renew[40], acquire[40], rv[64];
    int64_t duration_s, transitions;
};

static uint64_t now_ms(const sk_leader *l)
{
    return l->cfg.loop->now_ms(l->cfg.loop_ctx);
}

static int64_t wall_ms(const sk_leader *l)
{
    if (l->cfg.wall_ms)
        return l->cfg.wall_ms(l->cfg.arg);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sk_leader_new(const sk_leader_cfg *cfg, sk_leader **out)
{
    *out = NULL;
    if (!cfg || !cfg->transport.request || !cfg->loop || !cfg->namespace_ || !cfg->name ||
        !cfg->identity || !*cfg->identity || strlen(cfg->identity) >= 256)
        return -EINVAL;
    sk_leader *l = calloc(1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    l->cfg = *cfg;
    l->ns = strdup(cfg->namespace_);
    l->name = strdup(cfg->name);
    l->id = strdup(cfg->identity);
    if (!l->ns || !l->name || !l->id) {
        sk_leader_free(&l);
        return -ENOMEM;
    }
    if (!l->cfg.lease_duration_ms)
        l->cfg.lease_duration_ms = 15000;
    if (!l->cfg.renew_deadline_ms)
        l->cfg.renew_deadline_ms = 10000;
    if (!l->cfg.retry_period_ms)
        l->cfg.retry_period_ms = 2000;
    if (!l->cfg.request_timeout_ms)
        l->cfg.request_timeout_ms = 5000;
    if (l->cfg.renew_deadline_ms >= l->cfg.lease_duration_ms) {
        sk_leader_free(&l);
        return -EINVAL;
    }
    *out = l;
    return 0;
}

static void tick(void *arg, uint64_t timer_id);

static void schedule(sk_leader *l, uint64_t delay)
{
    if (!l->running || l->timer)
        return;
    int64_t id = l->cfg.loop->timer_add(l->cfg.loop_ctx, delay, 0, tick, l);
    l->timer = id > 0 ? (uint64_t)id : 0;
}

static void set_leader(sk_leader *l, bool on)
{
    if (l->leader == on)
        return;
    l->leader = on;
    if (on && l->cfg.on_start)
        l->cfg.on_start(l->cfg.arg);
    else if (!on && l->cfg.on_stop)
        l->cfg.on_stop(l->cfg.arg);
}

/* A failed read or write: a leader gives up once it could not renew for
 * renew_deadline, well before others may consider the lease expired. */
static void failed(sk_leader *l)
{
    if (l->leader && now_ms(l) - l->last_ok >= l->cfg.renew_deadline_ms)
        set_leader(l, false);
    schedule(l, l->cfg.retry_period_ms);
}

static void put_lease(sk_leader *l, sk_mp_buf *b, const char *holder, int64_t dur_s,
                      const char *acquire, const char *renew, int64_t transitions)
{
    sk_mp_put_map(b, 4);
    sk_mp_put_str(b, "apiVersion");
    sk_mp_put_str(b, "coordination.k8s.io/v1");
    sk_mp_put_str(b, "kind");
    sk_mp_put_str(b, "Lease");
    sk_mp_put_str(b, "metadata");
    sk_mp_put_map(b, *l->rv ? 3 : 2);
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, l->name);
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, l->ns);
    if (*l->rv) {
        sk_mp_put_str(b, "resourceVersion");
        sk_mp_put_str(b, l->rv);
    }
    sk_mp_put_str(b, "spec");
    sk_mp_put_map(b, 5);
    sk_mp_put_str(b, "holderIdentity");
    sk_mp_put_str(b, holder);
    sk_mp_put_str(b, "leaseDurationSeconds");
    sk_mp_put_int(b, dur_s);
    sk_mp_put_str(b, "acquireTime");
    sk_mp_put_str(b, acquire);
    sk_mp_put_str(b, "renewTime");
    sk_mp_put_str(b, renew);
    sk_mp_put_str(b, "leaseTransitions");
    sk_mp_put_int(b, transitions);
}

static int send(sk_leader *l, const char *method, sk_mp_buf *b, sk_bus_reply_fn fn,
                uint64_t *id)
{
    int rc = b->err;
    if (!rc)
        rc = l->cfg.transport.request(l->cfg.transport.ctx, method, b->data, b->len,
                                      (int)l->cfg.request_timeout_ms, fn, l, id);
    sk_mp_buf_free(b);
    return rc;
}

static void on_write(void *arg, int status, const char *errmsg, const void *data, size_t len);

/* Writes the lease as ours: create when absent, else update. */
static void write_ours(sk_leader *l, bool create, bool takeover)
{
    char now[32];
    sk_format_micro_time(wall_ms(l), now);
    if (create || takeover || !*l->acquire)
        snprintf(l->acquire, sizeof l->acquire, "%s", now);
    int64_t transitions = l->transitions + (takeover ? 1 : 0);
    if (create)
        *l->rv = 0;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_api_put_request(&b, &lease_kind, l->ns, create ? 1 : 2);
    if (!create) {
        sk_mp_put_str(&b, "name");
        sk_mp_put_str(&b, l->name);
    }
    sk_mp_put_str(&b, "body");
    put_lease(l, &b, l->id, (l->cfg.lease_duration_ms + 999) / 1000, l->acquire, now,
              transitions);
    l->inflight = send(l, create ? "create" : "update", &b, on_write, &l->req_id) == 0;
    if (!l->inflight)
        failed(l);
}

static void observe(sk_leader *l, sk_mp_view lease)
{
    char holder[256] = "", renew[40] = "";
    sk_mp_view v;
    (void)sk_mp_find_str(lease, "spec.holderIdentity", holder, sizeof holder);
    (void)sk_mp_find_str(lease, "spec.renewTime", renew, sizeof renew);
    (void)sk_mp_find_str(lease, "spec.acquireTime", l->acquire, sizeof l->acquire);
    (void)sk_mp_find_str(lease, "metadata.resourceVersion", l->rv, sizeof l->rv);
    l->duration_s = 0;
    if (sk_mp_find(lease, "spec.leaseDurationSeconds", &v) == 0)
        (void)sk_mp_get_int(v, &l->duration_s);
    l->transitions = 0;
    if (sk_mp_find(lease, "spec.leaseTransitions", &v) == 0)
        (void)sk_mp_get_int(v, &l->transitions);
    if (strcmp(holder, l->holder) != 0 || strcmp(renew, l->renew) != 0 || !l->observed_at) {
        memcpy(l->holder, holder, sizeof holder);
        memcpy(l->renew, renew, sizeof renew);
        l->observed_at = now_ms(l);
    }
}

static void decide(sk_leader *l)
{
    uint64_t dur = l->duration_s > 0 ? (uint64_t)l->duration_s * 1000 : l->cfg.lease_duration_ms;
    if (strcmp(l->holder, l->id) == 0) {
        write_ours(l, false, false);
    } else if (!*l->holder || now_ms(l) - l->observed_at >= dur) {
        write_ours(l, false, true);
    } else {
        set_leader(l, false); /* someone else holds a live lease */
        schedule(l, l->cfg.retry_period_ms);
    }
}

static void on_get(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    sk_leader *l = arg;
    sk_mp_view lease;
    (void)errmsg;
    if (status == SK_BUS_MORE)
        return;
    l->inflight = false;
    if (!l->running)
        return;
    if (status == SK_ENOTFOUND) {
        *l->acquire = 0;
        l->transitions = 0;
        write_ours(l, true, false);
    } else if (status == 0 && sk_mp_check(data, len, SK_MP_MAX_DEPTH, &lease) == 0) {
        observe(l, lease);
        decide(l);
    } else {
        failed(l);
    }
}

static void on_write(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    sk_leader *l = arg;
    sk_mp_view lease;
    (void)errmsg;
    if (status == SK_BUS_MORE)
        return;
    l->inflight = false;
    if (!l->running)
        return;
    if (status != 0 || sk_mp_check(data, len, SK_MP_MAX_DEPTH, &lease) != 0) {
        failed(l);
        return;
    }
    observe(l, lease);
    l->last_ok = now_ms(l);
    set_leader(l, true);
    schedule(l, l->cfg.retry_period_ms);
}

static void tick(void *arg, uint64_t timer_id)
{
    sk_leader *l = arg;
    (void)timer_id;
    l->timer = 0;
    if (!l->running || l->inflight)
        return;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_api_put_request(&b, &lease_kind, l->ns, 1);
    sk_mp_put_str(&b, "name");
    sk_mp_put_str(&b, l->name);
    l->inflight = send(l, "get", &b, on_get, &l->req_id) == 0;
    if (!l->inflight)
        failed(l);
}

int sk_leader_start(sk_leader *l)
{
    if (!l)
        return -EINVAL;
    if (l->running)
        return 0;
    l->running = true;
    schedule(l, 0);
    return l->timer ? 0 : SK_EINTERNAL;
}

static void on_release(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    sk_leader *l = arg;
    (void)status, (void)errmsg, (void)data, (void)len;
    if (status != SK_BUS_MORE)
        l->release_id = 0;
}

static void release(sk_leader *l)
{
    char now[32];
    sk_format_micro_time(wall_ms(l), now);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_api_put_request(&b, &lease_kind, l->ns, 2);
    sk_mp_put_str(&b, "name");
    sk_mp_put_str(&b, l->name);
    sk_mp_put_str(&b, "body");
    put_lease(l, &b, "", 1, l->acquire, now, l->transitions);
    if (l->cfg.transport.call && !b.err) {
        /* Synchronous when possible: the host may stop right after us and
         * fail a pending request, leaving others to wait out the lease. */
        void *rep = NULL;
        size_t n = 0;
        (void)l->cfg.transport.call(l->cfg.transport.ctx, "update", b.data, b.len,
                                    (int)l->cfg.request_timeout_ms, &rep, &n);
        free(rep);
        sk_mp_buf_free(&b);
        return;
    }
    if (send(l, "update", &b, on_release, &l->release_id) != 0)
        l->release_id = 0;
}

void sk_leader_stop(sk_leader *l)
{
    if (!l || !l->running)
        return;
    l->running = false;
    if (l->inflight && l->cfg.transport.cancel)
        (void)l->cfg.transport.cancel(l->cfg.transport.ctx, l->req_id);
    l->inflight = false;
    if (l->timer)
        (void)l->cfg.loop->timer_cancel(l->cfg.loop_ctx, l->timer);
    l->timer = 0;
    if (l->leader) {
        release(l);
        set_leader(l, false);
    }
}

void sk_leader_free(sk_leader **p)
{
    sk_leader *l = p ? *p : NULL;
    if (!l)
        return;
    sk_leader_stop(l);
    if (l->release_id && l->cfg.transport.cancel)
        (void)l->cfg.transport.cancel(l->cfg.transport.ctx, l->release_id);
    free(l->ns);
    free(l->name);
    free(l->id);
    free(l);
    *p = NULL;
}

bool sk_leader_is_leader(const sk_leader *l)
{
    return l && l->leader;
}

const char *sk_leader_holder(const sk_leader *l)
{
    return l ? l->holder : "";
}
