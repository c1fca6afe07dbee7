/* Internals shared by the store core's files. Not part of any API. */
#ifndef SK_STORE_INT_H
#define SK_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>

#include "store.h"
#include "store_arena.h"
#include "store_key.h"

/* Private codes that never leave the writer: the batch must be redone in a
 * bigger map, or in smaller pieces. */
#define ST_EMAPFULL (-31000)
#define ST_ETXNFULL (-31001)

typedef struct st_watch_hub st_watch_hub;
typedef struct st_lease_table st_lease_table;
typedef struct st_wreq st_wreq;

/* One batch's changes, handed from the writer to the watch thread. */
typedef struct st_event_obj {
    sk_store_event ev;
    int refs;
    bool prev_loaded;
    uint8_t *prev_mem;
    uint8_t data[]; /* key then value */
} st_event_obj;

typedef struct st_batch {
    struct st_batch *next;
    int64_t first_rev, last_rev;
    bool complete; /* false: events were not kept; watchers re-read LMDB */
    st_event_obj **evs;
    size_t nevs, cap;
} st_batch;

struct sk_store {
    sk_store_opts o;
    char *dir;
    MDB_env *env;
    MDB_dbi db_meta, db_idx, db_hist, db_rev, db_lease, db_lkeys;
    int lock_fd;
    unsigned page_size;
    /* Readers hold it shared around their LMDB txn; only growing the map
     * (which remaps it) takes it exclusively. */
    pthread_rwlock_t map_lock;
    uint64_t map_size;

    /* writer */
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    st_wreq *qhead, *qtail;
    size_t qlen;
    bool stopping;
    bool writer_started;
    pthread_t writer;
    st_wreq *compact_waiters; /* physical compactions waiting to finish */

    /* completions (store_complete.c) */
    pthread_mutex_t cmu;
    pthread_cond_t ccv;
    st_wreq *chead, *ctail;
    bool cstop, completer_started, cbusy;
    pthread_t completer;

    _Atomic int64_t rev;          /* last durable revision */
    _Atomic uint64_t commits, committed_reqs;
    _Atomic int64_t compact_rev;  /* reads below it fail */
    int64_t compact_done;         /* at open: history removed up to */
    int64_t lease_next;           /* writer only */

    st_lease_table *leases;
    st_watch_hub *hub;

    /* autocompaction samples (caller's timer thread) */
    pthread_mutex_t amu;
    struct { uint64_t at_ms; int64_t rev; } samples[64];
    size_t nsamples, sample_head;
    uint64_t last_sample_ms;
};

uint64_t st_now_ms(const sk_store *st);

/* ---- records (store_rec.c) ---- */

#define ST_REC_TOMB 1u

/* idx value: create, mod, version, lease, then the full key for long keys. */
typedef struct st_idx_rec {
    int64_t create_rev, mod_rev, version, lease;
    const uint8_t *key; /* full key when long, else NULL */
    size_t key_len;
} st_idx_rec;
#define ST_IDX_HDR 32

/* hist value: create, version, lease, flags, stored key length, key, value. */
typedef struct st_hist_rec {
    int64_t create_rev, version, lease;
    unsigned flags;
    const uint8_t *key; /* full key when long, else NULL */
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} st_hist_rec;
#define ST_HIST_HDR 29

int st_idx_decode(const MDB_val *v, st_idx_rec *r);
void st_idx_encode(uint8_t *out, const st_idx_rec *r); /* ST_IDX_HDR + key_len */
int st_hist_decode(const MDB_val *v, st_hist_rec *r);
/* Header and key into out (ST_HIST_HDR + key_len); the value follows. */
void st_hist_encode_head(uint8_t *out, const st_hist_rec *r);

void st_put_u64(uint8_t *p, uint64_t v);     /* big-endian: sorts as numbers */
uint64_t st_get_u64(const uint8_t *p);
void st_put_le64(uint8_t *p, uint64_t v);
uint64_t st_get_le64(const uint8_t *p);

/* ---- environment (store_env.c) ---- */

int st_env_open(sk_store *st, char *err, size_t errlen);
void st_env_close(sk_store *st);
/* Doubles the map. Writer thread, no write txn open. */
int st_env_grow(sk_store *st, char *err, size_t errlen);
int st_meta_get_u64(MDB_txn *txn, sk_store *st, const char *name, uint64_t *out);
int st_meta_put_u64(MDB_txn *txn, sk_store *st, const char *name, uint64_t v);
uint64_t st_env_in_use(MDB_txn *txn, sk_store *st);
/* Maps an LMDB code to ours, writing "what: lmdb message" into err. */
int st_mdb_err(int rc, const char *what, char *err, size_t errlen);

/* Read transactions, with the map lock held shared. */
int st_read_begin(sk_store *st, MDB_txn **txn);
void st_read_end(sk_store *st, MDB_txn *txn);

/* ---- reading (store_read.c) ---- */

/* One live key as a scan sees it. value is set only for history scans; use
 * st_value_at otherwise. */
typedef struct st_ent {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *ekey;
    size_t elen;
    int64_t create_rev, mod_rev, version, lease;
    const uint8_t *value;
    size_t value_len;
    bool has_value;
} st_ent;

/* Returns 0 to go on, 1 to stop the scan, < 0 to fail it. */
typedef int (*st_scan_fn)(void *arg, const st_ent *e);

/* Visits the live keys of a range span (end != NULL) in key order at rev;
 * current selects the index instead of history. */
int st_scan(sk_store *st, MDB_txn *txn, const sk_store_span *sp, int64_t rev, bool current,
            st_scan_fn fn, void *arg);
/* The current entry of one key: 0, SK_ENOTFOUND, or < 0. */
int st_get_current(sk_store *st, MDB_txn *txn, const uint8_t *key, size_t klen, st_ent *e,
                   uint8_t *ekey_buf);
/* The current entry stored under ekey. */
int st_get_by_ekey(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, st_ent *e);
/* The live entry of one key at rev (history). 0, SK_ENOTFOUND, < 0. */
int st_get_at(sk_store *st, MDB_txn *txn, const uint8_t *key, size_t klen, int64_t rev,
              st_ent *e, uint8_t *ekey_buf);
/* The ekey a write of key uses (ekey has ST_EKEY_MAX bytes). */
int st_key_assign(sk_store *st, MDB_txn *txn, const uint8_t *key, size_t klen, uint8_t *ekey,
                  size_t *elen);
/* Value of ekey at exactly mod_rev. */
int st_value_at(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, int64_t mod_rev,
                const uint8_t **val, size_t *vlen);
/* The latest history entry of ekey strictly below rev (a tombstone yields
 * SK_ENOTFOUND). */
int st_hist_before(sk_store *st, MDB_txn *txn, const uint8_t *ekey, size_t elen, int64_t rev,
                   st_ent *e);
/* Checks a span: key non-empty unless a range, lengths within limits. */
int st_span_check(const sk_store_span *sp, bool single_ok, char *err, size_t errlen);
bool st_span_contains(const sk_store_span *sp, const uint8_t *key, size_t klen);
/* Range read inside any txn (used by txn range ops too). */
int st_range_in(sk_store *st, MDB_txn *txn, const sk_store_range_req *rq, int64_t cur_rev,
                sk_store_kv_fn fn, void *arg, sk_store_range_res *res);

/* ---- writing (store_apply.c) ---- */

/* The state of a batch being applied. */
typedef struct st_apply {
    sk_store *st;
    MDB_txn *txn;
    int64_t rev;          /* revision of the last applied write */
    uint64_t used;        /* live bytes, for the quota */
    int64_t lease_next;
    st_batch *events;     /* NULL when no watcher wants them */
    uint8_t *rl;          /* this revision's revlog record being built */
    size_t rl_len, rl_cap;
    /* lease table changes to apply after commit */
    struct st_lease_change { int64_t id, ttl; bool grant; } *lchg;
    size_t nlchg, caplchg;
} st_apply;

int st_apply_txn(st_apply *a, const sk_store_txn *t, sk_store_result *res, st_arena *ar);
int st_apply_lease_grant(st_apply *a, int64_t id, int64_t ttl, sk_store_result *res);
int st_apply_lease_revoke(st_apply *a, int64_t id, sk_store_result *res);
int st_apply_compact(st_apply *a, int64_t rev, sk_store_result *res);
/* Removes history up to the compaction point, at most max_revs revisions
 * of it. Returns 1 when more is left. */
int st_compact_step(st_apply *a, int64_t max_revs, char *err, size_t errlen);
/* Deletes one key (already resolved) at a->rev's next revision. */
int st_delete_key(st_apply *a, const st_ent *e, bool *bumped, char *err, size_t errlen);
int st_apply_begin_rev(st_apply *a, bool *bumped);
int st_revlog_add(st_apply *a, int type, const uint8_t *key, size_t klen);
int st_revlog_flush(st_apply *a, char *err, size_t errlen);

/* ---- leases (store_lease.c) ---- */

int st_leases_new(st_lease_table **out);
void st_leases_free(st_lease_table **t);
int st_leases_load(sk_store *st, MDB_txn *txn, char *err, size_t errlen);
void st_leases_commit(sk_store *st, const st_apply *a);
uint64_t st_leases_count(sk_store *st);

/* ---- writer (store_writer.c) ---- */

int st_writer_start(sk_store *st, char *err, size_t errlen);
void st_writer_stop(sk_store *st);

/* ---- completions (store_complete.c) ---- */

int st_completer_start(sk_store *st, char *err, size_t errlen);
/* Completes everything queued, then joins. After st_writer_stop. */
void st_completer_stop(sk_store *st);
/* Runs r's completion on the completion thread, or here when there is
 * none, or when small (a batch of a few) and nothing waits before it. */
void st_complete_later(sk_store *st, st_wreq *r, bool small);

/* ---- watches (store_watch.c) ---- */

int st_hub_new(sk_store *st, st_watch_hub **out);
int st_hub_start(st_watch_hub *h);
void st_hub_stop(st_watch_hub *h);
void st_hub_free(st_watch_hub **h);
bool st_hub_wants_events(st_watch_hub *h);
/* Takes the batch (NULL: a batch with no events kept for first..last). */
void st_hub_publish(st_watch_hub *h, st_batch *b, int64_t first_rev, int64_t last_rev);
uint64_t st_hub_count(st_watch_hub *h);
st_batch *st_batch_new(void);
void st_batch_free(st_batch *b);
int st_batch_add(st_batch *b, int type, const st_ent *e, const uint8_t *val, size_t vlen);
void st_event_unref(st_event_obj *o);

#endif
