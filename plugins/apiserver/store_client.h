/* The apiserver's side of the `store` protocol (docs/STORE.md): blocking
 * calls, safe from any thread, each bounded by the configured timeout.
 * Values are the objects' msgpack; revisions are etcd's. */
#ifndef AP_STORE_CLIENT_H
#define AP_STORE_CLIENT_H

#include "apiserver.h"

typedef struct ap_kv {
    const uint8_t *key;
    size_t key_len;
    sk_mp_view value; /* points into the reply that produced it */
    int64_t mod_rev, create_rev;
} ap_kv;

/* A range reply being read; buf is owned. */
typedef struct ap_range {
    void *buf;
    size_t len;
    int64_t rev;
    bool more;
    uint32_t n;
    sk_mp_iter it;
} ap_range;

/* One key. 0, SK_ENOTFOUND or a bus error; *buf owns kv's bytes. */
int ap_store_get(ap_server *s, const char *key, void **buf, ap_kv *kv, sk_apierr *err);
/* Keys in [start, end) at revision rev (0 = now), at most limit (0 = all). */
int ap_store_range(ap_server *s, const char *start, size_t start_len, const char *end,
                   size_t end_len, int64_t limit, int64_t rev, ap_range *out, sk_apierr *err);
/* 1 with the next kv, 0 at the end, SK_EBADMSG. */
int ap_range_next(ap_range *r, ap_kv *kv);
void ap_range_free(ap_range *r);

/* Create only if absent: SK_EEXISTS otherwise. *rev: the new revision. */
int ap_store_create(ap_server *s, const char *key, const void *val, size_t n, int64_t *rev,
                    sk_apierr *err);
/* Put only if the key's mod_revision is expect: SK_ECONFLICT when it
 * changed, SK_ENOTFOUND when the key is gone. */
int ap_store_update(ap_server *s, const char *key, const void *val, size_t n, int64_t expect,
                    int64_t *rev, sk_apierr *err);
/* Delete only if mod_revision is expect (0: whatever it is). */
int ap_store_delete(ap_server *s, const char *key, int64_t expect, int64_t *rev,
                    sk_apierr *err);
/* The prefix's end: prefix with its last byte incremented, into buf. */
size_t ap_prefix_end(const char *prefix, size_t n, char *buf);

#endif
