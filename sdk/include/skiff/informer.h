/* skiff SDK — informers: a local, indexed cache of one kind of API object,
 * kept current by list + watch through the apiserver's bus service `api`
 * (docs/API.md), with add/update/delete handlers. Also the small transport
 * interface the controller runtime uses to reach the apiserver, so tests can
 * substitute a fake one.
 *
 * How it works (client-go's reflector + indexer): list; store the items;
 * watch from the list's resourceVersion and apply each event; when the watch
 * ends normally, watch again from the last resourceVersion seen; when it
 * ends with 410 Gone (SK_ECOMPACTED) or because it fell behind (SK_EFULL),
 * or on any list/watch failure, relist (with backoff on errors) and deliver
 * only the real differences between the cache and the new list: adds for
 * new keys, updates for keys whose resourceVersion changed, deletes for keys
 * that vanished. Objects are msgpack with the Kubernetes JSON shape.
 *
 * Threading: loop thread only (the thread of cfg.loop, which must be the
 * one the transport calls back on). Handlers run there, one at a time,
 * after the cache already reflects the change.
 *
 * Ownership: config strings are copied. An sk_mp_view handed to a handler
 * or returned by a get/list function points into the cache and is valid
 * only until control returns to the loop (the end of the current callback):
 * copy what you keep. Handlers must not stop or free the informer. */
#ifndef SKIFF_INFORMER_H
#define SKIFF_INFORMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff/bus.h"
#include "skiff/loop.h"
#include "skiff/mp.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sk_host;

/* ---- transport ---- */

/* An asynchronous request to the API service, as sk_bus_api.request() but
 * with the service fixed: method is "get", "list", "watch", "create", ...;
 * data is the msgpack request map of docs/API.md. fn runs on the loop
 * thread (SK_BUS_MORE for streamed parts, then once with a final status). */
typedef struct sk_api_transport {
    void *ctx;
    int (*request)(void *ctx, const char *method, const void *data, size_t len,
                   int timeout_ms, sk_bus_reply_fn fn, void *arg, uint64_t *id);
    int (*cancel)(void *ctx, uint64_t id);
    /* Optional (may be NULL): a blocking request, any thread, for the few
     * writes that must be done before returning (a leader's release in
     * stop()). *reply is malloc'd (free it). */
    int (*call)(void *ctx, const char *method, const void *data, size_t len, int timeout_ms,
                void **reply, size_t *reply_len);
} sk_api_transport;

/* The real transport: the bus service `service` of host h. The caller
 * owns *b and keeps it (and service) alive while the transport is used. */
typedef struct sk_api_bus {
    const struct sk_host *host;
    const char *service; /* NULL -> "api" */
} sk_api_bus;
sk_api_transport sk_api_transport_bus(sk_api_bus *b);

/* Which objects: group "" is core; version NULL -> "v1". */
typedef struct sk_api_kind {
    const char *group;
    const char *version;
    const char *resource; /* plural, e.g. "pods" */
} sk_api_kind;

/* Starts a request map for kind with room for `extra` more key/value pairs
 * the caller appends (e.g. "name", "body"). namespace_ may be NULL. */
void sk_api_put_request(sk_mp_buf *b, const sk_api_kind *kind, const char *namespace_,
                        uint32_t extra);

/* ---- informer ---- */

typedef struct sk_informer sk_informer;

typedef struct sk_informer_handlers {
    void (*on_add)(void *arg, sk_mp_view obj);
    void (*on_update)(void *arg, sk_mp_view old_obj, sk_mp_view new_obj);
    /* obj is the last state the cache knew. */
    void (*on_delete)(void *arg, sk_mp_view obj);
    /* After the initial list and after every relist was applied. */
    void (*on_synced)(void *arg);
    void *arg;
} sk_informer_handlers;

typedef struct sk_informer_cfg {
    sk_api_kind kind;
    const char *namespace_;     /* NULL: all namespaces */
    const char *label_selector; /* NULL: everything */
    const char *field_selector;
    sk_api_transport transport;
    const sk_loop_api *loop; /* timers for retries; required */
    void *loop_ctx;
    uint32_t list_timeout_ms;  /* 0 -> 30000 */
    uint32_t watch_timeout_s;  /* server-side watch length; 0 -> 300 */
    uint32_t retry_min_ms;     /* backoff after a failure; 0 -> 250 */
    uint32_t retry_max_ms;     /* 0 -> 30000 */
} sk_informer_cfg;

/* Built-in indexes. */
#define SK_INDEX_NAMESPACE "namespace" /* metadata.namespace */
#define SK_INDEX_OWNER "owner"         /* each metadata.ownerReferences[].uid */
#define SK_INDEX_UID "uid"             /* metadata.uid */

/* 0, -EINVAL or -ENOMEM. */
int sk_informer_new(const sk_informer_cfg *cfg, sk_informer **out);
/* Cancels its requests and timers, frees the cache; *inf becomes NULL. */
void sk_informer_free(sk_informer **inf);

/* Before start: up to 8 handler sets, called in registration order. */
int sk_informer_add_handlers(sk_informer *inf, const sk_informer_handlers *h);
/* Before start: an index named `name` on the string at dotted `path`
 * (e.g. "spec.nodeName"); objects without a string there are not indexed. */
int sk_informer_add_index(sk_informer *inf, const char *name, const char *path);

/* Starts listing. 0 or the transport's error (it then retries by itself). */
int sk_informer_start(sk_informer *inf);
/* Cancels the list/watch in flight; the cache stays readable. */
void sk_informer_stop(sk_informer *inf);

/* True once the first list was applied. */
bool sk_informer_synced(const sk_informer *inf);
/* resourceVersion of the last list or event ("" before the first list). */
const char *sk_informer_rv(const sk_informer *inf);
size_t sk_informer_len(const sk_informer *inf);
/* Relists done after the first (watch expiry, errors); for tests/metrics. */
uint64_t sk_informer_relists(const sk_informer *inf);

/* By namespace (NULL or "" for cluster-scoped) and name.
 * 0 or SK_ENOTFOUND. */
int sk_informer_get(const sk_informer *inf, const char *namespace_, const char *name,
                    sk_mp_view *out);
/* By cache key "namespace/name" (or "name"). */
int sk_informer_get_key(const sk_informer *inf, const char *key, sk_mp_view *out);
/* Every object (index NULL) or those whose index value equals value.
 * *items is malloc'd (free() it; NULL when *n is 0). 0, SK_ENOTFOUND (no
 * such index) or -ENOMEM. */
int sk_informer_list(const sk_informer *inf, const char *index, const char *value,
                     sk_mp_view **items, size_t *n);

/* The cache key of obj ("namespace/name" or "name") into buf.
 * 0, SK_EBADMSG (no metadata.name) or SK_ETOOLARGE. */
int sk_object_key(sk_mp_view obj, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
