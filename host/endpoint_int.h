/* Internals shared by endpoint*.c. Fields are touched by the endpoint's
 * loop thread only, except those marked "any thread". */
#ifndef SKIFF_HOST_ENDPOINT_INT_H
#define SKIFF_HOST_ENDPOINT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <zmq.h>

#include "broker_map.h"
#include "endpoint.h"
#include "envelope.h"
#include "log.h"
#include "skiff/errors.h"

/* How long a loop-thread control round trip (serve, subscribe, ...) and a
 * blocking send wait for the broker before giving up. */
#define EP_CONTROL_MS 5000
#define EP_SNDTIMEO_MS 5000
/* Out-of-order stream parts a requester buffers before failing. */
#define EP_REORDER_MAX 65536
#define EP_BATCH 256

/* An incoming request, owned by the plugin until answered. Memory is
 * reference-counted so a CANCEL racing a reply from another thread never
 * touches freed memory; the plugin's reply drops the owner's reference. */
struct sk_bus_req {
    atomic_int refs;
    atomic_bool answered;
    atomic_uint_fast64_t parts; /* stream parts sent so far */
    sk_endpoint *e;
    uint64_t id;
    int64_t deadline_ms;
    /* loop thread */
    void (*cancel_fn)(void *arg, sk_bus_req *req);
    void *cancel_arg;
    bool cancel_seen, cancel_fired, cancel_posted;
    char service[SK_BUS_NAME_MAX + 1];
    unsigned nhops;
    sk_env_hop hop[SK_ENV_MAX_HOPS]; /* point into key */
    size_t klen;
    uint8_t key[]; /* sk_env_key: the route stack and the id */
};

typedef struct ep_service {
    sk_bus_serve_fn fn;
    void *arg;
} ep_service;

typedef struct ep_sub {
    uint64_t sid;
    char *prefix;
    size_t plen;
    sk_bus_event_fn fn;
    void *arg;
} ep_sub;

typedef struct ep_part {
    struct ep_part *next;
    uint64_t seq;
    size_t len;
    uint8_t data[];
} ep_part;

/* A request this endpoint sent with request(). */
typedef struct ep_pending {
    sk_endpoint *e;
    uint64_t id;
    sk_bus_reply_fn fn;
    void *arg;
    int64_t timer; /* 0 = none */
    int timeout_ms;
    char service[SK_BUS_NAME_MAX + 1];
    uint64_t next_part; /* parts delivered so far */
    ep_part *parts;     /* early parts, by seq */
    size_t nparts;
    bool have_final;    /* the final answer came before some parts */
    int final_status;
    uint64_t final_seq;
    char *final_msg;
    ep_part *final_data;
} ep_pending;

typedef struct ep_backlog {
    struct ep_backlog *next;
    zmq_msg_t msg;
} ep_backlog;

struct sk_endpoint {
    void *zctx;
    sk_broker *broker;
    sk_loop *loop;
    pthread_t thread;
    char route[SK_ENV_HOP_MAX];
    char who[64];
    void *sock;
    atomic_uint_fast64_t next_id; /* any thread */

    /* loop thread */
    sk_map services; /* name -> ep_service */
    ep_sub *subs;
    size_t nsubs;
    uint64_t next_sid;
    sk_map pending;  /* id -> ep_pending */
    sk_map seqs;     /* origin "\0" topic -> uint64_t* last seq */
    ep_backlog *bl_head, *bl_tail;
    bool bl_posted;
    bool closing;

    /* any thread, under mu */
    pthread_mutex_t mu;
    sk_map open;     /* key -> sk_bus_req, requests not yet answered */
    void **pool_free;
    size_t npool_free;
    void **pool_all;
    size_t npool_all;
    unsigned pool_seq;
};

/* endpoint.c */
bool ep_on_loop(const sk_endpoint *e);
/* Encodes and sends env: from the loop thread on the main socket, from any
 * other on a pool socket. wait: block (up to EP_SNDTIMEO_MS) rather than
 * fail with SK_EFULL when the pipe is full. */
int ep_send(sk_endpoint *e, const sk_env *env, bool wait);
int ep_send_on(sk_endpoint *e, void *sock, const sk_env *env, bool wait);
void *ep_pool_take(sk_endpoint *e);
void ep_pool_put(sk_endpoint *e, void *sock);
/* Loop thread: SERVE/UNSERVE/SUBSCRIBE/UNSUBSCRIBE with the broker's
 * answer (0 or its error). */
int ep_control(sk_endpoint *e, unsigned kind, const char *name);
bool ep_valid_name(const char *s, bool allow_empty);
/* Copies an error payload into a NUL-terminated message. */
void ep_errmsg(const sk_env *env, char *buf, size_t size);

/* endpoint_client.c */
void ep_on_answer(sk_endpoint *e, const sk_env *env);
void ep_pending_stop(sk_endpoint *e);
int ep_call(void *ctx, const char *service, const char *method, const void *data, size_t len,
            int timeout_ms, void **reply, size_t *reply_len, char *err, size_t errlen);
int ep_request(void *ctx, const char *service, const char *method, const void *data,
               size_t len, int timeout_ms, sk_bus_reply_fn fn, void *arg, uint64_t *id);
int ep_cancel(void *ctx, uint64_t id);

/* endpoint_serve.c */
void ep_on_request(sk_endpoint *e, const sk_env *env);
void ep_on_cancel(sk_endpoint *e, const sk_env *env);
void ep_services_stop(sk_endpoint *e);
void ep_open_stop(sk_endpoint *e);
void ep_req_unref(sk_bus_req *r);
int ep_serve(void *ctx, const char *service, sk_bus_serve_fn fn, void *arg);
int ep_unserve(void *ctx, const char *service);
int ep_reply(void *ctx, sk_bus_req *req, const void *data, size_t len);
int ep_reply_error(void *ctx, sk_bus_req *req, int status, const char *msg);
int ep_stream_part(void *ctx, sk_bus_req *req, const void *data, size_t len);
int64_t ep_req_remaining_ms(void *ctx, const sk_bus_req *req);
int ep_req_on_cancel(void *ctx, sk_bus_req *req, void (*fn)(void *arg, sk_bus_req *req),
                     void *arg);
/* Answers a request envelope that never became an sk_bus_req. */
void ep_answer_env(sk_endpoint *e, const sk_env *req, int status, const char *msg);

/* endpoint_sub.c */
void ep_on_event(sk_endpoint *e, const sk_env *env);
void ep_subs_stop(sk_endpoint *e);
int ep_publish(void *ctx, const char *topic, const void *data, size_t len);
int ep_subscribe(void *ctx, const char *prefix, sk_bus_event_fn fn, void *arg);
int ep_unsubscribe(void *ctx, const char *prefix);

#endif
