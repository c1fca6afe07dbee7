/* The `store` service's msgpack protocol (docs/STORE.md): requests decoded
 * into the core's structs, results encoded back. Decoding is zero-copy:
 * keys and values point into the request bytes, which must outlive the
 * decoded struct; anything derived (prefix ends, op arrays) lives in the
 * decoder's arena. Malformed input fails with SK_EBADMSG and a message
 * naming the field, never a crash. */
#ifndef SK_STORE_CODEC_H
#define SK_STORE_CODEC_H

#include "skiff/mp.h"
#include "store.h"
#include "store_arena.h"

#define ES_MAX_TXN_OPS 1024
#define ES_MAX_DEPTH 8

typedef struct es_dec {
    st_arena ar;
    char err[256];
} es_dec;

void es_dec_init(es_dec *d);
void es_dec_free(es_dec *d);

/* Checks the payload is one msgpack map (an empty payload counts as an
 * empty map). */
int es_dec_payload(es_dec *d, const void *data, size_t len, sk_mp_view *out);

int es_dec_range(es_dec *d, sk_mp_view v, sk_store_range_req *out);
int es_dec_put(es_dec *d, sk_mp_view v, sk_store_op *out);
int es_dec_delete(es_dec *d, sk_mp_view v, sk_store_op *out);
int es_dec_txn(es_dec *d, sk_mp_view v, sk_store_txn *out);
int es_dec_watch(es_dec *d, sk_mp_view v, sk_store_watch_req *out);
int es_dec_compact(es_dec *d, sk_mp_view v, int64_t *rev, bool *physical);
/* lease_grant: ttl (required), id; others: id (required). */
int es_dec_lease(es_dec *d, sk_mp_view v, bool grant, int64_t *id, int64_t *ttl);
/* Methods without arguments accept only an empty map. */
int es_dec_empty(es_dec *d, sk_mp_view v);

/* ---- encoding ---- */

/* What a write request was, to shape its answer. */
enum { ES_PUT = 1, ES_DELETE, ES_TXN, ES_COMPACT, ES_GRANT, ES_REVOKE };

void es_enc_kv(sk_mp_buf *b, const sk_store_kv *kv, bool with_value);
void es_enc_result(sk_mp_buf *b, int kind, const sk_store_result *r);
/* One watch part carrying events; prev_kv: include previous values. */
void es_enc_events(sk_mp_buf *b, int64_t rev, const sk_store_event *const *evs, size_t n,
                   bool prev_kv);
void es_enc_status(sk_mp_buf *b, const sk_store_status *s);

/* A range answer is written while the scan runs, so the number of kvs is
 * patched in at the end. */
typedef struct es_range_enc {
    sk_mp_buf *b;
    size_t count_at;
    uint32_t n;
    bool keys_only;
} es_range_enc;
void es_range_begin(es_range_enc *e, sk_mp_buf *b, bool keys_only);
int es_range_kv(void *arg, const sk_store_kv *kv); /* an sk_store_kv_fn */
void es_range_end(es_range_enc *e, const sk_store_range_res *res);

#endif
