/* The control channel between the host's threads and the broker thread:
 * hold, wait_idle, release and stop. Each call opens its own DEALER to the
 * broker's control ROUTER, so calls from several threads never share a
 * socket and a long wait_idle blocks nobody else. Internal only: frames are
 * [command][route][int32 timeout_ms] and the answer is one int32. */
#include "broker_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CTL_GRACE_MS 10000

int bk_ctl_open(sk_broker *b)
{
    int zero = 0;
    b->ctl = zmq_socket(b->zctx, ZMQ_ROUTER);
    if (!b->ctl || zmq_setsockopt(b->ctl, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_bind(b->ctl, b->ctl_endpoint))
        return -1;
    return 0;
}

static int ctl_roundtrip(void *s, const char *cmd, const char *route, int timeout_ms)
{
    int32_t t = timeout_ms, rc = 0;
    if (sk_zsend(s, cmd, strlen(cmd), ZMQ_SNDMORE) < 0 ||
        sk_zsend(s, route, strlen(route), ZMQ_SNDMORE) < 0 || sk_zsend(s, &t, sizeof t, 0) < 0)
        return SK_EINTERNAL;
    zmq_pollitem_t it = {.socket = s, .events = ZMQ_POLLIN};
    int n;
    do
        n = zmq_poll(&it, 1, (long)timeout_ms + CTL_GRACE_MS);
    while (n < 0 && zmq_errno() == EINTR);
    if (n <= 0)
        return n == 0 ? SK_ETIMEDOUT : SK_EINTERNAL;
    zmq_msg_t m;
    zmq_msg_init(&m);
    int n2 = sk_zrecv(&m, s, ZMQ_DONTWAIT);
    if (n2 == (int)sizeof rc)
        memcpy(&rc, zmq_msg_data(&m), sizeof rc);
    zmq_msg_close(&m);
    if (n2 != (int)sizeof rc)
        return SK_EINTERNAL;
    return rc;
}

int bk_ctl_call(sk_broker *b, const char *cmd, const char *route, int timeout_ms)
{
    int zero = 0;
    void *s = zmq_socket(b->zctx, ZMQ_DEALER);
    if (!s)
        return SK_EINTERNAL;
    int rc = SK_EINTERNAL;
    if (zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) == 0 &&
        zmq_connect(s, b->ctl_endpoint) == 0)
        rc = ctl_roundtrip(s, cmd, route, timeout_ms < 0 ? 0 : timeout_ms);
    if (rc == SK_EINTERNAL || rc == SK_ETIMEDOUT)
        sk_hlog("bus", SK_LOG_ERROR, "bus: broker control '%s %s' failed: %s (%s)", cmd, route,
                sk_strerror(rc), zmq_strerror(zmq_errno()));
    zmq_close(s);
    return rc;
}

static bool valid_route(const char *route)
{
    return route && route[0] && strlen(route) + 1 <= SK_ENV_HOP_MAX;
}

int sk_broker_hold(sk_broker *b, const char *route)
{
    if (!b || !valid_route(route))
        return -EINVAL;
    return bk_ctl_call(b, "hold", route, 0);
}

int sk_broker_wait_idle(sk_broker *b, const char *route, int timeout_ms)
{
    if (!b || !valid_route(route) || timeout_ms < 0)
        return -EINVAL;
    return bk_ctl_call(b, "wait", route, timeout_ms);
}

int sk_broker_release(sk_broker *b, const char *route)
{
    if (!b || !valid_route(route))
        return -EINVAL;
    return bk_ctl_call(b, "release", route, 0);
}

/* ---- broker thread side ---- */

static void ctl_answer(sk_broker *b, const void *client, size_t len, int32_t rc)
{
    if (sk_zsend(b->ctl, client, len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        sk_zsend(b->ctl, &rc, sizeof rc, ZMQ_DONTWAIT) < 0)
        sk_hlog("bus", SK_LOG_WARN, "bus: control answer lost: %s", zmq_strerror(zmq_errno()));
}

static void add_waiter(sk_broker *b, const zmq_msg_t *client, const char *route, int32_t t)
{
    bk_waiter *w = calloc(1, sizeof *w);
    size_t n = strlen(route);
    if (!w || zmq_msg_size(client) > sizeof w->client) {
        free(w);
        ctl_answer(b, zmq_msg_data((zmq_msg_t *)client), zmq_msg_size(client), -ENOMEM);
        return;
    }
    w->client_len = zmq_msg_size(client);
    memcpy(w->client, zmq_msg_data((zmq_msg_t *)client), w->client_len);
    w->hop[0] = BK_HOP_LOCAL;
    memcpy(w->hop + 1, route, n);
    w->hop_len = n + 1;
    w->deadline = bk_mono_ms() + (uint64_t)(t < 0 ? 0 : t);
    w->next = b->waiters;
    b->waiters = w;
    bk_waiters_check(b);
}

static void on_command(sk_broker *b, zmq_msg_t *f, size_t nf)
{
    char cmd[16] = "", route[SK_ENV_HOP_MAX] = "";
    int32_t t = 0;
    if (nf != 4 || zmq_msg_size(&f[1]) >= sizeof cmd || zmq_msg_size(&f[2]) >= sizeof route ||
        zmq_msg_size(&f[3]) != sizeof t) {
        ctl_answer(b, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), -EINVAL);
        return;
    }
    memcpy(cmd, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]));
    memcpy(route, zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));
    memcpy(&t, zmq_msg_data(&f[3]), sizeof t);
    int rc = -EINVAL;
    if (strcmp(cmd, "hold") == 0)
        rc = bk_hold(b, route);
    else if (strcmp(cmd, "release") == 0)
        rc = bk_release(b, route);
    else if (strcmp(cmd, "wait") == 0 && route[0]) {
        add_waiter(b, &f[0], route, t);
        return;
    } else if (strcmp(cmd, "stop") == 0) {
        b->stopping = true;
        rc = 0;
    }
    ctl_answer(b, zmq_msg_data(&f[0]), zmq_msg_size(&f[0]), rc);
}

size_t bk_recv_frames(void *sock, zmq_msg_t *f, size_t max)
{
    size_t n = 0;
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (sk_zrecv(&m, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return n;
        }
        bool more = zmq_msg_more(&m);
        if (n < max) {
            zmq_msg_init(&f[n]);
            zmq_msg_move(&f[n], &m);
        }
        zmq_msg_close(&m);
        n++;
        if (!more)
            return n;
    }
}

void bk_close_frames(zmq_msg_t *f, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++)
        zmq_msg_close(&f[i]);
}

void bk_ctl_readable(sk_broker *b)
{
    for (int i = 0; i < BK_BATCH; i++) {
        zmq_msg_t f[4];
        size_t nf = bk_recv_frames(b->ctl, f, 4);
        if (nf == 0)
            return;
        if (nf >= 1)
            on_command(b, f, nf);
        bk_close_frames(f, nf, 4);
    }
}

void bk_waiters_check(sk_broker *b)
{
    uint64_t now = bk_mono_ms();
    bk_waiter **pp = &b->waiters;
    while (*pp) {
        bk_waiter *w = *pp;
        bk_dest *d = bk_dest_get(b, w->hop, w->hop_len, false);
        bool idle = !d || !d->inflight;
        if (!idle && now < w->deadline) {
            pp = &w->next;
            continue;
        }
        ctl_answer(b, w->client, w->client_len, idle ? 0 : SK_ETIMEDOUT);
        *pp = w->next;
        free(w);
    }
}

void bk_waiters_stop(sk_broker *b)
{
    while (b->waiters) {
        bk_waiter *w = b->waiters;
        b->waiters = w->next;
        ctl_answer(b, w->client, w->client_len, SK_ESTOPPED);
        free(w);
    }
}
