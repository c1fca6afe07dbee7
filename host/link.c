/* TCP links between brokers: CURVE-secured ROUTER binds (clients checked by
 * zap.c) and DEALER connects, their socket monitors and their liveness.
 * ZeroMQ heartbeats keep the TCP connections honest and reconnect them;
 * HELLO and PING tell this broker which peer is behind a connection and
 * when it went away, so its services can be dropped and its requests
 * failed instead of waiting for their deadlines. */
#include "broker_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static int link_err(char *err, size_t errlen,
                                                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return SK_ECONFIG;
}

static int decode_key(const char *z85, uint8_t out[32])
{
    return z85 && strlen(z85) == 40 && zmq_z85_decode(out, z85) ? 0 : -1;
}

static int common_opts(void *s)
{
    int hwm = SK_BUS_HWM, zero = 0, ivl = 1000, tmo = 3000;
    int64_t max = SK_ENV_MAX_FRAME + 4096;
    return zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
           zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
           zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) ||
           zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof max) ||
           zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) ||
           zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo) ||
           zmq_setsockopt(s, ZMQ_HEARTBEAT_TTL, &tmo, sizeof tmo);
}

static void *open_monitor(sk_broker *b, void *sock, const char *tag, unsigned i, int events)
{
    char ep[96];
    snprintf(ep, sizeof ep, "inproc://skiff-mon-%p-%s%u", (void *)b, tag, i);
    if (zmq_socket_monitor(sock, ep, events))
        return NULL;
    void *mon = zmq_socket(b->zctx, ZMQ_PAIR);
    int zero = 0;
    if (!mon || zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof zero) || zmq_connect(mon, ep)) {
        if (mon)
            zmq_close(mon);
        zmq_socket_monitor(sock, NULL, 0);
        return NULL;
    }
    return mon;
}

static int open_bind(sk_broker *b, unsigned i, const char *endpoint, char *err, size_t errlen)
{
    bk_bind *bb = &b->binds[i];
    int one = 1;
    b->nbinds = i + 1;
    bb->endpoint = strdup(endpoint);
    bb->sock = zmq_socket(b->zctx, ZMQ_ROUTER);
    if (!bb->endpoint || !bb->sock || common_opts(bb->sock) ||
        zmq_setsockopt(bb->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
        zmq_setsockopt(bb->sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(bb->sock, ZMQ_CURVE_SECRETKEY, b->secret_key, 32) ||
        zmq_setsockopt(bb->sock, ZMQ_ZAP_DOMAIN, "skiff", 5))
        return link_err(err, errlen, "bus: cannot set up the socket for bind %s: %s", endpoint,
                        zmq_strerror(zmq_errno()));
    bb->mon = open_monitor(b, bb->sock, "b", i, ZMQ_EVENT_DISCONNECTED);
    if (!bb->mon)
        return link_err(err, errlen, "bus: cannot monitor bind %s: %s", endpoint,
                        zmq_strerror(zmq_errno()));
    if (zmq_bind(bb->sock, endpoint))
        return link_err(err, errlen, "bus: cannot listen on %s: %s", endpoint,
                        zmq_strerror(zmq_errno()));
    return 0;
}

static int connect_opts(sk_broker *b, bk_link *l)
{
    int one = 1, ivl = 100, ivl_max = 2000;
    return common_opts(l->sock) || zmq_setsockopt(l->sock, ZMQ_IMMEDIATE, &one, sizeof one) ||
           zmq_setsockopt(l->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl) ||
           zmq_setsockopt(l->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max) ||
           zmq_setsockopt(l->sock, ZMQ_CURVE_SERVERKEY, l->server_key, 32) ||
           zmq_setsockopt(l->sock, ZMQ_CURVE_PUBLICKEY, b->public_key, 32) ||
           zmq_setsockopt(l->sock, ZMQ_CURVE_SECRETKEY, b->secret_key, 32);
}

static int open_connect(sk_broker *b, unsigned i, const sk_peer_conf *pc, char *err,
                        size_t errlen)
{
    bk_link *l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    b->connects[i] = l;
    b->nconnects = i + 1;
    l->kind = BK_LINK_CONNECT;
    l->index = i;
    sk_map_init(&l->services);
    const char *ep = pc->endpoint ? pc->endpoint : "";
    if (!(l->endpoint = strdup(ep)))
        return -ENOMEM;
    if (decode_key(pc->server_key, l->server_key))
        return link_err(err, errlen,
                        "bus: connect %s: server_key is not a 40-character Z85 CURVE key", ep);
    uint8_t hop[3] = {BK_HOP_CONNECT, (uint8_t)(i >> 8), (uint8_t)i};
    if (!(l->dest = bk_dest_get(b, hop, sizeof hop, true)))
        return -ENOMEM;
    l->dest->link = l;
    l->sock = zmq_socket(b->zctx, ZMQ_DEALER);
    if (!l->sock || connect_opts(b, l))
        return link_err(err, errlen, "bus: cannot set up the socket for %s: %s", ep,
                        zmq_strerror(zmq_errno()));
    l->mon = open_monitor(b, l->sock, "c", i,
                          ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                              ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                              ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                              ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    if (!l->mon)
        return link_err(err, errlen, "bus: cannot monitor %s: %s", ep, zmq_strerror(zmq_errno()));
    if (zmq_connect(l->sock, ep))
        return link_err(err, errlen, "bus: cannot connect to %s: %s", ep,
                        zmq_strerror(zmq_errno()));
    return 0;
}

static int open_keys(sk_broker *b, const sk_bus_conf *conf, char *err, size_t errlen)
{
    if (decode_key(conf->public_key, b->public_key) || decode_key(conf->secret_key, b->secret_key))
        return link_err(err, errlen,
                        "bus: TCP links need bus.public_key and bus.secret_key, 40-character "
                        "Z85 CURVE keys (make them with `skiff keygen`)");
    if (!conf->nauthorized)
        return 0;
    b->auth = calloc(conf->nauthorized, sizeof *b->auth);
    if (!b->auth)
        return -ENOMEM;
    for (size_t i = 0; i < conf->nauthorized; i++)
        if (decode_key(conf->authorized_keys[i], b->auth[i]))
            return link_err(err, errlen,
                            "bus: authorized_keys[%zu] is not a 40-character Z85 CURVE key", i);
    b->nauth = conf->nauthorized;
    return 0;
}

int bk_links_open(sk_broker *b, const sk_bus_conf *conf, char *err, size_t errlen)
{
    if (!conf->nbind && !conf->nconnect)
        return 0;
    int rc = open_keys(b, conf, err, errlen);
    if (rc)
        return rc;
    if (conf->nbind) {
        if ((rc = bk_zap_open(b, err, errlen)))
            return rc;
        if (!(b->binds = calloc(conf->nbind, sizeof *b->binds)))
            return -ENOMEM;
        for (unsigned i = 0; i < conf->nbind; i++)
            if ((rc = open_bind(b, i, conf->bind[i] ? conf->bind[i] : "", err, errlen)))
                return rc;
    }
    if (conf->nconnect) {
        if (conf->nconnect > 65535 || !(b->connects = calloc(conf->nconnect, sizeof *b->connects)))
            return -ENOMEM;
        for (unsigned i = 0; i < conf->nconnect; i++)
            if ((rc = open_connect(b, i, &conf->connect[i], err, errlen)))
                return rc;
    }
    b->next_link_tick = bk_mono_ms();
    return 0;
}

static void close_monitored(void *sock, void *mon)
{
    if (sock && mon)
        zmq_socket_monitor(sock, NULL, 0);
    if (mon)
        zmq_close(mon);
    if (sock)
        zmq_close(sock);
}

static void link_free(bk_link *l)
{
    sk_map_clear(&l->services, NULL);
    free(l->endpoint);
    free(l);
}

void bk_links_close(sk_broker *b)
{
    for (size_t i = 0; i < b->nconnects; i++) {
        bk_link *l = b->connects[i];
        if (!l)
            continue;
        close_monitored(l->sock, l->mon);
        if (l->dest)
            l->dest->link = NULL;
        link_free(l);
    }
    free(b->connects);
    b->connects = NULL;
    b->nconnects = 0;
    for (size_t i = 0; i < b->npeers; i++) {
        if (b->peers[i]->dest)
            b->peers[i]->dest->link = NULL;
        link_free(b->peers[i]);
    }
    free(b->peers);
    b->peers = NULL;
    b->npeers = 0;
    for (size_t i = 0; i < b->nbinds; i++) {
        close_monitored(b->binds[i].sock, b->binds[i].mon);
        free(b->binds[i].endpoint);
    }
    free(b->binds);
    b->binds = NULL;
    b->nbinds = 0;
}

bk_link **bk_links_snapshot(sk_broker *b, size_t *n)
{
    *n = b->nconnects + b->npeers;
    if (!*n)
        return NULL;
    bk_link **all = malloc(*n * sizeof *all);
    if (!all) {
        *n = 0;
        return NULL;
    }
    if (b->nconnects)
        memcpy(all, b->connects, b->nconnects * sizeof *all);
    if (b->npeers)
        memcpy(all + b->nconnects, b->peers, b->npeers * sizeof *all);
    return all;
}

const char *bk_link_name(const bk_link *l)
{
    return l->node[0] ? l->node : l->kind == BK_LINK_CONNECT ? l->endpoint : "(unnamed peer)";
}

void bk_link_down(sk_broker *b, bk_link *l, const char *why)
{
    char msg[SK_BUS_NAME_MAX + 128];
    snprintf(msg, sizeof msg, "peer %s was lost: %s", bk_link_name(l), why);
    if (l->up)
        sk_hlog("bus", SK_LOG_WARN, "bus: %s", msg);
    l->up = false;
    l->lost = false;
    sk_map_clear(&l->services, NULL);
    bk_fail_flights_to(b, l->dest, SK_EUNAVAILABLE, msg);
    bk_cancel_flights_from(b, l->dest);
    bk_drop_queue(b, l->dest);
    if (l->kind != BK_LINK_BIND)
        return;
    for (size_t i = 0; i < b->npeers; i++) {
        if (b->peers[i] == l) {
            b->peers[i] = b->peers[--b->npeers];
            break;
        }
    }
    l->dest->link = NULL;
    bk_dest_free(b, l->dest);
    link_free(l);
}

int bk_link_send_hello(sk_broker *b, bk_link *l, int status)
{
    sk_mp_buf svc;
    sk_mp_buf_init(&svc);
    bk_services_encode(b, &svc);
    if (svc.err) {
        sk_mp_buf_free(&svc);
        return svc.err;
    }
    sk_env e;
    sk_env_init(&e, SK_ENV_HELLO, 0);
    memcpy(e.name, b->node, sizeof e.name);
    memcpy(e.origin, b->node, sizeof e.origin);
    e.status = status;
    e.payload = svc.data;
    e.payload_len = svc.len;
    int rc = bk_send_env(b, l->dest, &e, status == BK_HELLO_ANSWER);
    sk_mp_buf_free(&svc);
    if (!rc) {
        l->hello_due = false;
        l->last_hello = bk_mono_ms();
    }
    return rc;
}

static void tick_link(sk_broker *b, bk_link *l, uint64_t now, bool probe, bk_link **down,
                      size_t *ndown)
{
    if (l->kind == BK_LINK_CONNECT && l->connected && !l->up &&
        (l->hello_due || now - l->last_hello >= BK_PING_MS) &&
        bk_link_send_hello(b, l, BK_HELLO_GREET))
        l->hello_due = true; /* the pipe is not attached yet: next tick */
    if (!l->up && l->kind == BK_LINK_BIND && now - l->last_seen > BK_PEER_TIMEOUT_MS)
        l->lost = true; /* spoke once, never said HELLO */
    if (!l->up && !l->lost)
        return;
    if (!l->lost && now - l->last_seen > BK_PEER_TIMEOUT_MS) {
        sk_hlog("bus", SK_LOG_DEBUG, "bus: peer %s silent for %llu ms", bk_link_name(l),
                (unsigned long long)(now - l->last_seen));
        l->lost = true;
    }
    if (!l->lost && (probe || now - l->last_ping >= BK_PING_MS)) {
        sk_env e;
        sk_env_init(&e, SK_ENV_PING, 0);
        if (bk_send_env(b, l->dest, &e, false)) /* unroutable also sets l->lost */
            sk_hlog("bus", SK_LOG_TRACE, "bus: PING to %s not sent", bk_link_name(l));
        l->last_ping = now;
    }
    if (l->lost)
        down[(*ndown)++] = l;
}

void bk_links_tick(sk_broker *b)
{
    uint64_t now = bk_mono_ms();
    b->next_link_tick = now + BK_LINK_TICK_MS;
    bool probe = b->probe_at && now >= b->probe_at;
    if (probe)
        b->probe_at = 0;
    size_t n, ndown = 0;
    bk_link **all = bk_links_snapshot(b, &n);
    bk_link **down = n ? calloc(n, sizeof *down) : NULL;
    if (n && !down) {
        free(all);
        return;
    }
    for (size_t i = 0; i < n; i++)
        tick_link(b, all[i], now, probe, down, &ndown);
    for (size_t i = 0; i < ndown; i++)
        bk_link_down(b, down[i], "not answering");
    free(down);
    free(all);
}

static void on_connect_event(sk_broker *b, bk_link *l, unsigned event)
{
    switch (event) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        sk_hlog("bus", SK_LOG_DEBUG, "bus: connected to %s", l->endpoint);
        l->connected = true;
        l->auth_logged = false;
        /* The pipe may not be attached yet; the tick retries while due. */
        l->hello_due = true;
        if (bk_link_send_hello(b, l, BK_HELLO_GREET))
            sk_hlog("bus", SK_LOG_DEBUG, "bus: HELLO to %s deferred", l->endpoint);
        break;
    case ZMQ_EVENT_DISCONNECTED:
        l->connected = false;
        if (l->up)
            bk_link_down(b, l, "disconnected");
        break;
    default:
        if (!l->auth_logged) {
            char z85[41] = "?";
            zmq_z85_encode(z85, b->public_key, 32);
            sk_hlog("bus", SK_LOG_WARN,
                    "bus: %s refused the CURVE handshake%s (our public key: %s)", l->endpoint,
                    event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                        ? ": is our key in its bus.authorized_keys, and its key right?"
                        : "",
                    z85);
            l->auth_logged = true;
        }
    }
}

void bk_link_monitor(sk_broker *b, void *mon, bk_link *l, unsigned bind_index)
{
    (void)bind_index;
    for (int i = 0; i < BK_BATCH; i++) {
        zmq_msg_t f[2];
        size_t nf = bk_recv_frames(mon, f, 2);
        if (nf == 0)
            return;
        uint16_t event = 0;
        if (zmq_msg_size(&f[0]) == 6)
            memcpy(&event, zmq_msg_data(&f[0]), sizeof event);
        bk_close_frames(f, nf, 2);
        if (l)
            on_connect_event(b, l, event);
        else if (event == ZMQ_EVENT_DISCONNECTED)
            /* Which peer left is not said; the ROUTER forgets its routing id
             * soon after, and a PING to it then fails. */
            b->probe_at = bk_mono_ms() + 20;
    }
}

bk_link *bk_link_for_service(sk_broker *b, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < b->nconnects; i++)
        if (b->connects[i]->up && sk_map_get(&b->connects[i]->services, name, n))
            return b->connects[i];
    for (size_t i = 0; i < b->npeers; i++)
        if (b->peers[i]->up && sk_map_get(&b->peers[i]->services, name, n))
            return b->peers[i];
    return NULL;
}
