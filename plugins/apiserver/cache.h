/* The object cache: a copy of every object under /registry/, kept by one
 * store watch, so reads of single objects need no store round trip.
 *
 * Reads stay linearizable for this server's clients: every store revision
 * the server learns (a write's or a read's answer) is noted, and the cache
 * answers only once it has applied the store's events up to that revision
 * (waiting briefly, else the read goes to the store). This holds because
 * the apiserver is the store's only writer; several apiservers sharing one
 * store would each need `read_cache: false` (docs/API.md). */
#ifndef AP_CACHE_H
#define AP_CACHE_H

#include "cache_table.h"
#include "store_client.h"

typedef struct ap_cache ap_cache;

/* start(): begins the first sync in the background. */
int ap_cache_start(ap_server *s);
/* stop() on the loop thread: ends the watch, joins the sync thread. */
void ap_cache_stop(ap_server *s);
/* fini(). */
void ap_cache_free(ap_server *s);

/* A store revision this server has seen (any thread). */
void ap_cache_saw(ap_server *s, int64_t rev);

/* The object at key as ap_store_get() gives it: from the cache when it is
 * synced and fresh, else from the store. */
int ap_object_get(ap_server *s, const char *key, void **buf, ap_kv *kv, sk_apierr *err);

/* The cache's own answer: 0, SK_ENOTFOUND, or SK_EUNAVAILABLE when it cannot
 * answer (not synced, or still behind after a short wait). */
int ap_cache_get(ap_server *s, const char *key, void **buf, ap_kv *kv);

/* Counts a single-object read served by the cache (hit) or the store. */
void ap_cache_count(ap_server *s, bool hit);

/* The entry at key, referenced (drop it with ap_centry_unref()): 0,
 * SK_ENOTFOUND or SK_EUNAVAILABLE as ap_cache_get(). */
int ap_cache_ref(ap_server *s, const char *key, const ap_centry **e);
/* e's JSON text with its resourceVersion, rendered on first use and kept
 * with the (immutable) entry; NULL only when out of memory. */
const ap_ctext *ap_centry_json(const ap_centry *e);

/* A consistent snapshot of the objects under a prefix, sorted by key as
 * the store orders them; the entries are referenced until freed. */
typedef struct ap_cache_snap {
    const ap_centry **e;
    size_t n;
    int64_t rev;
} ap_cache_snap;

/* 0, or SK_EUNAVAILABLE as ap_cache_get(). */
int ap_cache_list(ap_server *s, const char *prefix, size_t plen, ap_cache_snap *out);
void ap_cache_snap_free(ap_cache_snap *sn);

#endif
