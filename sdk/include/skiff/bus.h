/* skiff SDK — the bus: named services (request/reply, streamed replies) and
 * publish/subscribe by topic prefix, over ZeroMQ with msgpack payloads.
 * The wire envelope is documented in docs/BUS.md.
 *
 * Ownership — one rule everywhere:
 *   - Bytes a callback receives (data/len, method, topic, errmsg) are borrowed
 *     until the callback returns. Copy what you keep.
 *   - Bytes you pass to a send function are only read during the call.
 *   - A buffer the bus returns to you (call()'s *reply) is malloc'd and yours:
 *     release it with free().
 *   - An sk_bus_req handed to a serve callback is yours until you answer it
 *     with reply() or reply_error(), which consume it whether they succeed or
 *     fail. Answer every request exactly once (possibly later, from any
 *     thread); stream_part() sends a partial answer and keeps it open.
 *
 * Threading:
 *   - serve/unserve/request/cancel/subscribe/unsubscribe: loop thread only;
 *     their callbacks run on the loop thread.
 *   - call, reply, reply_error, stream_part, publish: any thread.
 *
 * Failure is explicit: an unknown service fails at once with SK_ENOSERVICE,
 * a request past its deadline with SK_ETIMEDOUT, a malformed message with
 * SK_EBADMSG; a full queue returns SK_EFULL instead of dropping. Events can
 * be lost under overload (pub/sub never blocks a publisher), but never
 * silently: each event carries its topic's sequence number and the callback
 * is told how many it missed. */
#ifndef SKIFF_BUS_H
#define SKIFF_BUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status passed to a reply callback for each streamed part; the stream ends
 * with exactly one final callback whose status is 0 or a negative code. */
#define SK_BUS_MORE 1

/* Longest service, method or topic name, in bytes. */
#define SK_BUS_NAME_MAX 255

typedef struct sk_bus_req sk_bus_req;

/* Service side. method is the request's method name; data/len its payload. */
typedef void (*sk_bus_serve_fn)(void *arg, sk_bus_req *req, const char *method,
                                const void *data, size_t len);

/* Client side, for request(): status is 0 (final reply), SK_BUS_MORE (a
 * streamed part, more follow) or a negative code with errmsg (never NULL). */
typedef void (*sk_bus_reply_fn)(void *arg, int status, const char *errmsg,
                                const void *data, size_t len);

/* Subscriber side. seq is the topic's sequence number at its publisher's
 * host; missed > 0 says that many events of this topic were lost before this
 * one, so the subscriber must resynchronise (e.g. relist). */
typedef void (*sk_bus_event_fn)(void *arg, const char *topic, uint64_t seq,
                                uint64_t missed, const void *data, size_t len);

typedef struct sk_bus_api {
    unsigned size;
    /* Register this plugin as the provider of `service`. SK_EEXISTS when
     * another plugin of the same host serves it. */
    int (*serve)(void *ctx, const char *service, sk_bus_serve_fn fn, void *arg);
    int (*unserve)(void *ctx, const char *service);

    /* Answer a request (final). Consumes req. */
    int (*reply)(void *ctx, sk_bus_req *req, const void *data, size_t len);
    /* Answer with an error: status < 0, msg says what and where. Consumes req. */
    int (*reply_error)(void *ctx, sk_bus_req *req, int status, const char *msg);
    /* Send one part of a streamed answer; req stays open. */
    int (*stream_part)(void *ctx, sk_bus_req *req, const void *data, size_t len);
    /* Remaining time before the requester gives up, in ms (-1: no deadline). */
    int64_t (*req_remaining_ms)(void *ctx, const sk_bus_req *req);
    /* Loop thread: fn(arg, req) runs on the loop thread if the requester
     * cancels or its deadline passes while req is still open (e.g. a watch
     * whose client went away). The plugin still answers req, typically with
     * reply_error(SK_ECANCELED), to release it. */
    int (*req_on_cancel)(void *ctx, sk_bus_req *req,
                         void (*fn)(void *arg, sk_bus_req *req), void *arg);

    /* Blocking request/reply. timeout_ms > 0 required. On 0, *reply and *reply_len
     * hold the answer (malloc'd, caller frees). On a remote error, err gets
     * the peer's message (may be NULL/0 to ignore it). Streamed parts are
     * not supported here: use request(). */
    int (*call)(void *ctx, const char *service, const char *method,
                const void *data, size_t len, int timeout_ms,
                void **reply, size_t *reply_len, char *err, size_t errlen);

    /* Asynchronous request; fn runs on the loop thread, exactly once with a
     * final status (after any SK_BUS_MORE parts). timeout_ms 0 means no
     * deadline (streams such as watches). *id (may be NULL) identifies it for
     * cancel(). Returns 0 or a negative code (then fn is never called). */
    int (*request)(void *ctx, const char *service, const char *method,
                   const void *data, size_t len, int timeout_ms,
                   sk_bus_reply_fn fn, void *arg, uint64_t *id);
    /* Forget a pending request: fn is not called again. */
    int (*cancel)(void *ctx, uint64_t id);

    /* Publish to every subscriber whose prefix matches topic, in this host
     * and in bridged hosts. Never blocks. */
    int (*publish)(void *ctx, const char *topic, const void *data, size_t len);
    int (*subscribe)(void *ctx, const char *prefix, sk_bus_event_fn fn, void *arg);
    int (*unsubscribe)(void *ctx, const char *prefix);
} sk_bus_api;

#ifdef __cplusplus
}
#endif
#endif
