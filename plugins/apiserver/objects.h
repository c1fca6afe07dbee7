/* Stored objects: msgpack without metadata.resourceVersion (the store's
 * mod_revision is the version, so it is never stale inside the value);
 * clients see it put back on every read. */
#ifndef AP_OBJECTS_H
#define AP_OBJECTS_H

#include "apiserver.h"
#include "store_client.h"

/* Appends obj to out with metadata.resourceVersion set to rv (as a
 * string); any stored resourceVersion is dropped. obj must be a view
 * sk_mp_check() accepted: its parts are copied without re-checking (the
 * hot path of every GET, LIST and watch event). 0 or SK_EBADMSG. */
int ap_mp_with_rv(sk_mp_view obj, int64_t rv, sk_mp_buf *out);
/* A kv's object as JSON with its resourceVersion (caller decrefs). */
int ap_kv_to_json(const ap_kv *kv, json_t **out, sk_apierr *err);
/* The msgpack to store for obj (resourceVersion left out). */
int ap_json_to_stored(json_t *obj, sk_mp_buf *out, sk_apierr *err);
/* Sets metadata.resourceVersion of obj. */
void ap_json_set_rv(json_t *obj, int64_t rv);
/* The decimal resourceVersion in obj's metadata: 0 when absent, -1 when
 * not a number. */
int64_t ap_json_rv(const json_t *obj);
/* "2024-05-01T10:00:00Z" for now into buf (>= 21). */
void ap_now_rfc3339(char *buf, size_t size);
/* A new RFC 4122 v4 uid into buf (>= 37). */
void ap_new_uid(char *buf);
/* A 5-character suffix for generateName. */
void ap_random_suffix(char *buf);

/* Appends n raw bytes (already-encoded objects) to b. */
void ap_mp_append(sk_mp_buf *b, const void *p, size_t n);

struct sk_label_selector;
struct sk_field_selector;
/* Parses rq's labelSelector and fieldSelector; on error *st gets a 400. */
int ap_selectors_parse(const ap_req *rq, struct sk_label_selector *ls,
                       struct sk_field_selector *fs, json_t **st);

#endif
