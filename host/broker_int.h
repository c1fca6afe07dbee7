/* Internals shared by the broker's files (broker*.c, link*.c, zap.c).
 * Everything here is touched by the broker thread only, except the fields
 * marked otherwise. */
#ifndef SKIFF_HOST_BROKER_INT_H
#define SKIFF_HOST_BROKER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <zmq.h>

#include "broker.h"
#include "broker_map.h"
#include "envelope.h"
#include "log.h"
#include "skiff/errors.h"

/* Stream parts a destination may have waiting at the broker before the
 * stream is failed with SK_EFULL (replies are always queued). */
#define BK_OVERFLOW_MAX 100000
/* Requests one held service may queue; the next gets SK_EFULL. */
#define BK_HELD_MAX 100000
/* Requests in flight through the broker; beyond, SK_EFULL. */
#define BK_FLIGHT_MAX 1000000
/* Messages read from one socket before looking at the others. */
#define BK_BATCH 256
/* Link liveness: a PING every BK_PING_MS, a peer silent for
 * BK_PEER_TIMEOUT_MS is lost. */
#define BK_PING_MS 1000
#define BK_PEER_TIMEOUT_MS 3500
#define BK_RETRY_MS 1   /* overflow queues are retried this often */
#define BK_TICK_MS 10   /* held queues and waiters are checked this often */
#define BK_LINK_TICK_MS 100 /* links are looked after this often */
/* An idle broker still looks at its sockets this often: a safety net, so a
 * lost wake-up could only ever delay it, never stall the host's bus. */
#define BK_IDLE_MS 1000

/* A hop names where a message came from, as seen by one broker:
 *   'L' + route name                  a local endpoint socket
 *   'B' + bind index (1 byte) + id    a peer connected to one of our binds
 *   'C' + connect index (2 bytes BE)  a peer we connected to */
#define BK_HOP_LOCAL 'L'
#define BK_HOP_BIND 'B'
#define BK_HOP_CONNECT 'C'

typedef struct bk_link bk_link;

typedef struct bk_qmsg {
    struct bk_qmsg *next;
    size_t len;
    uint8_t data[];
} bk_qmsg;

/* Somewhere the broker sends to: a local route or a link, keyed in
 * sk_broker.dests by its hop. */
typedef struct bk_dest {
    uint8_t hop[SK_ENV_HOP_MAX];
    size_t hop_len;
    bk_link *link;        /* NULL for a local route */
    bk_qmsg *qhead, *qtail; /* frames waiting for room in the pipe */
    size_t qlen;
    size_t inflight;      /* requests forwarded here, not yet finally answered */
    size_t nservices;     /* services it owns */
    bool held;            /* sk_broker_hold in effect */
    char **prefixes;      /* subscriptions */
    size_t nprefixes;
} bk_dest;

/* A request forwarded and not finally answered, keyed by sk_env_key of its
 * route stack (this broker's hop included) and id. */
typedef struct bk_flight {
    bk_dest *target;
    bool failed; /* the requester already got an error from the broker */
} bk_flight;

/* A request waiting for a held service. */
typedef struct bk_held {
    struct bk_held *next;
    int64_t deadline_ms;  /* realtime, 0 = none */
    uint64_t expires;     /* monotonic: hold_timeout_ms after queueing */
    size_t klen, len;
    uint8_t *key;         /* points into buf */
    uint8_t *frame;       /* the REQUEST with our hop pushed */
    uint8_t buf[];
} bk_held;

typedef struct bk_service {
    char name[SK_BUS_NAME_MAX + 1];
    bk_dest *owner;   /* local route serving it, NULL while swapping */
    bk_dest *held_by; /* route whose hold covers it, or NULL */
    bk_held *qhead, *qtail;
    size_t qlen;
} bk_service;

typedef enum bk_link_kind { BK_LINK_BIND = 1, BK_LINK_CONNECT = 2 } bk_link_kind;

struct bk_link {
    bk_link_kind kind;
    unsigned index;     /* into sk_broker.binds or .connects */
    void *sock;         /* bind: the shared ROUTER; connect: its own DEALER */
    uint8_t rid[SK_ENV_HOP_MAX]; /* bind: the peer's routing id */
    size_t rid_len;
    bk_dest *dest;
    char node[SK_BUS_NAME_MAX + 1];
    bool up;            /* HELLO received */
    bool connected;     /* connect: handshake done; bind: always */
    bool hello_due;     /* connect: a HELLO still has to go out */
    bool auth_logged;
    bool lost;          /* a send found it gone; taken down at the next tick */
    sk_map services;    /* names the peer serves */
    uint64_t last_seen, last_ping, last_hello; /* monotonic ms */
    /* connect only */
    void *mon;
    char *endpoint;
    uint8_t server_key[32];
};

typedef struct bk_bind {
    void *sock;
    void *mon;
    char *endpoint;
} bk_bind;

typedef struct bk_waiter {
    struct bk_waiter *next;
    uint8_t client[SK_ENV_HOP_MAX];
    size_t client_len;
    uint8_t hop[SK_ENV_HOP_MAX];
    size_t hop_len;
    uint64_t deadline; /* monotonic */
} bk_waiter;

typedef struct bk_metrics {
    const sk_metrics_api *api;
    sk_metric *kind[SK_ENV_KIND_MAX + 1];
    sk_metric *dropped_events;
    sk_metric *errors[-(SK_ELAST - SK_EBASE) + 1];
    sk_metric *errno_errors;
} bk_metrics;

struct sk_broker {
    /* set before the thread starts, then read-only */
    void *zctx;
    char node[SK_BUS_NAME_MAX + 1];
    char endpoint[64], ctl_endpoint[64];
    int64_t hold_timeout_ms;
    uint8_t public_key[32], secret_key[32];
    uint8_t (*auth)[32];
    size_t nauth;
    bk_metrics metrics;
    pthread_t thread;
    bool thread_started;

    /* broker thread */
    void *router, *ctl, *zap;
    bk_bind *binds;
    size_t nbinds;
    bk_link **connects;
    size_t nconnects;
    bk_link **peers; /* peers connected to our binds, after their HELLO */
    size_t npeers, cappeers;
    uint64_t probe_at; /* monotonic; 0 = no probe of bind peers due */
    sk_map dests;    /* hop -> bk_dest */
    sk_map services; /* name -> bk_service */
    sk_map flights;  /* key -> bk_flight */
    sk_map topics;   /* topic -> uint64_t* next seq */
    bk_dest **subs;  /* dests with subscriptions */
    size_t nsubs, capsubs;
    size_t queued;   /* frames in all overflow queues */
    size_t nheld;    /* requests in all held queues */
    bk_waiter *waiters;
    bool stopping;
    uint64_t next_link_tick;
    sk_mp_buf out;   /* scratch encoder */
    struct bk_poll_set *ps; /* built at start: the sockets never change */
    uint8_t refused[64][32]; /* keys whose refusal was logged */
    size_t nrefused;
};

/* broker.c */
uint64_t bk_mono_ms(void);
void bk_count_kind(sk_broker *b, unsigned kind);
void bk_count_error(sk_broker *b, int status);
void bk_count_dropped_event(sk_broker *b);

/* broker_dest.c: destinations and sending */
bk_dest *bk_dest_get(sk_broker *b, const void *hop, size_t len, bool create);
/* Frees d when nothing refers to it anymore. */
void bk_dest_gc(sk_broker *b, bk_dest *d);
void bk_dest_free(sk_broker *b, bk_dest *d);
/* Sends one encoded frame. queue: on a full pipe keep it for later (replies,
 * stream parts) instead of failing with SK_EFULL (requests, events).
 * SK_ENOSERVICE when the destination is gone. */
int bk_send(sk_broker *b, bk_dest *d, const void *buf, size_t len, bool queue);
int bk_send_env(sk_broker *b, bk_dest *d, const sk_env *e, bool queue);
/* Retries the overflow queues. */
void bk_flush_queues(sk_broker *b);
void bk_drop_queue(sk_broker *b, bk_dest *d);

/* broker_route.c: requests and answers */
/* hop: where e came from (pushed on its route stack). A request from a
 * peer is only served locally, so requests never bounce between hosts. */
void bk_on_request(sk_broker *b, sk_env *e, const uint8_t *hop, size_t hop_len, bool from_link);
/* REPLY, ERROR or STREAM: pops the top hop and delivers. */
void bk_on_answer(sk_broker *b, sk_env *e);
void bk_on_cancel(sk_broker *b, sk_env *e, const uint8_t *hop, size_t hop_len);
/* Answers a request (hops as the broker forwarded it) with an error. */
void bk_fail(sk_broker *b, const sk_env *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Forwards an already-encoded request to its service's route. */
int bk_forward(sk_broker *b, bk_dest *to, const uint8_t *key, size_t klen, const void *frame,
               size_t len, const sk_env *req);
/* Rebuilds a request's route stack and id from its flight key. */
int bk_key_env(const uint8_t *key, size_t klen, sk_env *e);
void bk_fail_flights_to(sk_broker *b, bk_dest *d, int status, const char *why);
void bk_cancel_flights_from(sk_broker *b, bk_dest *d);

/* broker_service.c: the registry, hold and takeover */
int bk_serve(sk_broker *b, bk_dest *d, const char *name);
int bk_unserve(sk_broker *b, bk_dest *d, const char *name);
bk_service *bk_service_get(sk_broker *b, const char *name);
int bk_hold_enqueue(sk_broker *b, bk_service *s, const sk_env *req, const uint8_t *key,
                    size_t klen);
bool bk_held_cancel(sk_broker *b, const uint8_t *key, size_t klen);
void bk_held_expire(sk_broker *b);
int bk_hold(sk_broker *b, const char *route);
int bk_release(sk_broker *b, const char *route);
void bk_services_stop(sk_broker *b);
/* Names of local services as a msgpack array (HELLO payload). */
void bk_services_encode(sk_broker *b, sk_mp_buf *out);

/* broker_pubsub.c */
int bk_subscribe(sk_broker *b, bk_dest *d, const char *prefix);
int bk_unsubscribe(sk_broker *b, bk_dest *d, const char *prefix);
void bk_subs_drop(sk_broker *b, bk_dest *d);
void bk_on_publish(sk_broker *b, sk_env *e);
/* Delivers an EVENT (already stamped) to local subscribers. */
void bk_deliver_event(sk_broker *b, const sk_env *ev, const void *frame, size_t len);

/* broker_local.c: the inproc ROUTER */
void bk_local_readable(sk_broker *b);

/* broker_ctl.c */
/* Any thread: one command to the broker thread, waiting for its answer. */
int bk_ctl_call(sk_broker *b, const char *cmd, const char *route, int timeout_ms);
int bk_ctl_open(sk_broker *b);
void bk_ctl_readable(sk_broker *b);
/* Receives one whole multipart message without blocking: the first max
 * frames land in f, the rest are discarded. Returns the frame count (0 when
 * nothing was waiting). Close with bk_close_frames(f, n, max). */
size_t bk_recv_frames(void *sock, zmq_msg_t *f, size_t max);
void bk_close_frames(zmq_msg_t *f, size_t n, size_t max);
void bk_waiters_check(sk_broker *b);
void bk_waiters_stop(sk_broker *b);

/* link.c, link_io.c: TCP peers. HELLO status: 0 asks for the peer's HELLO
 * in return, 1 is that answer. */
#define BK_HELLO_GREET 0
#define BK_HELLO_ANSWER 1
int bk_links_open(sk_broker *b, const sk_bus_conf *conf, char *err, size_t errlen);
void bk_links_close(sk_broker *b);
void bk_links_tick(sk_broker *b);
void bk_link_readable(sk_broker *b, void *sock, unsigned bind_index, bool is_bind);
void bk_link_monitor(sk_broker *b, void *mon, bk_link *l, unsigned bind_index);
void bk_link_down(sk_broker *b, bk_link *l, const char *why);
/* Node name, else endpoint: for log lines. */
const char *bk_link_name(const bk_link *l);
/* Remote provider of a service, or NULL. */
bk_link *bk_link_for_service(sk_broker *b, const char *name);
/* Sends SERVE/UNSERVE of a local name to every peer. */
void bk_links_announce(sk_broker *b, unsigned kind, const char *name);
/* Forwards an EVENT to every peer (never re-forwarded by them). */
void bk_links_event(sk_broker *b, const void *frame, size_t len);
int bk_link_send_raw(sk_broker *b, bk_link *l, const void *buf, size_t len);
int bk_link_send_hello(sk_broker *b, bk_link *l, int status);
void bk_link_on_hello(sk_broker *b, bk_link *l, const sk_env *e);
/* A malloc'd copy of the list of every link (connect side first), so the
 * caller may take links down while walking it; NULL when there are none. */
bk_link **bk_links_snapshot(sk_broker *b, size_t *n);

/* zap.c */
int bk_zap_open(sk_broker *b, char *err, size_t errlen);
void bk_zap_readable(sk_broker *b);

#endif
