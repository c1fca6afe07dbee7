/* The store core: etcd v3's data model on LMDB, with no bus dependency.
 * docs/STORE.md describes the semantics and the on-disk layout.
 *
 * Threading: reads (sk_store_range, sk_store_status, keepalive) run on the
 * calling thread, any thread, and never wait for writers. Writes are queued
 * to one writer thread that applies a whole batch in one LMDB transaction
 * and one sync (group commit); their completion callbacks run on that
 * thread after the batch is durable. Watch callbacks run on the store's
 * watch thread.
 *
 * Ownership: everything passed in is only read during the call (submit
 * copies what it keeps). Results handed to callbacks are borrowed until the
 * callback returns. */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Keys longer than LMDB's 511-byte limit are supported up to this size. */
#define SK_STORE_MAX_KEY 4096
#define SK_STORE_DEFAULT_MAX_VALUE (1536u * 1024u)
#define SK_STORE_ERRLEN 256

typedef struct sk_store sk_store;

typedef struct sk_store_opts {
    const char *dir;            /* existing directory; data.mdb lives there */
    uint64_t max_value_bytes;   /* 0: SK_STORE_DEFAULT_MAX_VALUE */
    uint64_t quota_bytes;       /* live data limit; 0: 8 GiB */
    uint64_t initial_map_bytes; /* 0: 64 MiB; grows by doubling when full */
    uint64_t max_watch_backlog; /* undelivered events per watcher; 0: 10000 */
    uint32_t max_batch;         /* write requests per commit; 0: 4096 */
    /* Monotonic clock for lease deadlines, in ms; NULL: CLOCK_MONOTONIC.
     * Tests pass a fake one. */
    uint64_t (*now_ms)(void *arg);
    void *now_arg;
} sk_store_opts;

/* Opens (or creates) the store in opts->dir and starts its threads.
 * Refuses, never wipes, a directory that is not a store of ours.
 * 0, or a negative code with the reason in err. */
int sk_store_open(const sk_store_opts *opts, sk_store **out, char *err, size_t errlen);
/* Stops the threads: queued writes complete with SK_ESTOPPED, watchers end
 * with SK_ESTOPPED. Closes LMDB and nulls *st. NULL-safe. */
void sk_store_close(sk_store **st);

/* ---- values ---- */

typedef struct sk_store_kv {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value; /* NULL when keys_only */
    size_t value_len;
    int64_t create_rev, mod_rev, version, lease;
} sk_store_kv;

/* A key range: end_len 0 means the single key; an end of one zero byte
 * means every key >= key (etcd's convention). */
typedef struct sk_store_span {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *end;
    size_t end_len;
} sk_store_span;

/* The end that makes [prefix, end) cover every key starting with prefix.
 * Writes into buf (len bytes, at least prefix_len); returns the end's
 * length, or 1 with buf[0] = 0 (everything) when prefix is empty or all
 * 0xff. */
size_t sk_store_prefix_end(const uint8_t *prefix, size_t prefix_len, uint8_t *buf);

/* ---- reads ---- */

typedef struct sk_store_range_req {
    sk_store_span span;
    int64_t rev;   /* 0: current */
    int64_t limit; /* 0: no limit */
    bool keys_only, count_only;
} sk_store_range_req;

typedef struct sk_store_range_res {
    int64_t rev;   /* the revision read */
    int64_t count; /* keys in the span at rev, beyond any limit */
    bool more;     /* limit cut the answer */
    int64_t compact_rev; /* set with SK_ECOMPACTED */
} sk_store_range_res;

/* Called for each key in order; the kv is borrowed until it returns.
 * Non-zero stops the range and becomes its return value. */
typedef int (*sk_store_kv_fn)(void *arg, const sk_store_kv *kv);

/* 0, SK_ECOMPACTED (rev below the compaction point; res->compact_rev and
 * res->rev say where things are), -ERANGE (rev in the future),
 * SK_EBADMSG (bad span), or an LMDB failure mapped to SK_EINTERNAL. */
int sk_store_range(sk_store *st, const sk_store_range_req *rq, sk_store_kv_fn fn, void *arg,
                   sk_store_range_res *res, char *err, size_t errlen);

typedef struct sk_store_status {
    int64_t rev, compact_rev;
    uint64_t db_size;        /* bytes of the data file in use (high-water) */
    uint64_t db_size_in_use; /* live pages, what the quota counts */
    uint64_t map_size;
    uint64_t leases, watchers;
} sk_store_status;
int sk_store_get_status(sk_store *st, sk_store_status *out);
/* The last durable revision, without touching LMDB. */
int64_t sk_store_revision(sk_store *st);

/* Writer counters for metrics: commits and the requests they carried. */
typedef struct sk_store_stats {
    uint64_t commits, requests;
} sk_store_stats;
void sk_store_get_stats(sk_store *st, sk_store_stats *out);

/* ---- writes ---- */

enum { SK_STORE_OP_RANGE = 1, SK_STORE_OP_PUT = 2, SK_STORE_OP_DELETE = 3 };

typedef struct sk_store_op {
    int type;
    sk_store_span span; /* put: key only */
    /* range */
    int64_t limit;
    bool keys_only, count_only;
    /* put */
    const uint8_t *value;
    size_t value_len;
    int64_t lease;
    bool ignore_value, ignore_lease;
    /* put and delete */
    bool prev_kv;
} sk_store_op;

enum {
    SK_STORE_CMP_VERSION = 1,
    SK_STORE_CMP_CREATE = 2,
    SK_STORE_CMP_MOD = 3,
    SK_STORE_CMP_VALUE = 4,
    SK_STORE_CMP_LEASE = 5
};
enum { SK_STORE_EQ = 1, SK_STORE_NE = 2, SK_STORE_LT = 3, SK_STORE_GT = 4 };

typedef struct sk_store_cmp {
    const uint8_t *key;
    size_t key_len;
    int target, result;
    int64_t num; /* version, create/mod revision or lease */
    const uint8_t *value;
    size_t value_len;
} sk_store_cmp;

/* A put, a delete or a txn: all compares hold -> success ops, else failure
 * ops; every write of it under one new revision. */
typedef struct sk_store_txn {
    const sk_store_cmp *cmps;
    size_t ncmps;
    const sk_store_op *success, *failure;
    size_t nsuccess, nfailure;
} sk_store_txn;

typedef struct sk_store_op_res {
    int type;
    /* range: kvs; put: prev kv (0 or 1); delete: prev kvs when asked */
    sk_store_kv *kvs;
    size_t nkvs;
    int64_t count; /* range: keys in span; delete: keys deleted */
    bool more;
} sk_store_op_res;

typedef struct sk_store_result {
    int status;                   /* 0 or a negative code */
    char err[SK_STORE_ERRLEN];    /* what went wrong, when status < 0 */
    int64_t rev;                  /* revision after the request */
    int64_t compact_rev;          /* compact: the new compaction point */
    bool succeeded;               /* txn: compares held */
    sk_store_op_res *ops;         /* the executed branch's results */
    size_t nops;
    int64_t lease_id, lease_ttl;  /* lease grant */
} sk_store_result;

/* Runs on the writer thread once the request is durable (or failed).
 * res is borrowed until it returns. */
typedef void (*sk_store_done_fn)(void *arg, const sk_store_result *res);

/* Queue a txn. Returns 0 (done will run exactly once) or a negative code
 * (SK_ESTOPPED, -ENOMEM; done is not called). */
int sk_store_submit_txn(sk_store *st, const sk_store_txn *txn, sk_store_done_fn done, void *arg);
/* rev: the new compaction point (<= current). physical: complete only once
 * the history below it is removed. */
int sk_store_submit_compact(sk_store *st, int64_t rev, bool physical, sk_store_done_fn done,
                            void *arg);
/* id 0: the store picks one. ttl in seconds, > 0. */
int sk_store_submit_lease_grant(sk_store *st, int64_t id, int64_t ttl, sk_store_done_fn done,
                                void *arg);
/* Deletes the lease and every key attached to it. */
int sk_store_submit_lease_revoke(sk_store *st, int64_t id, sk_store_done_fn done, void *arg);

/* Blocking forms for tests and tools: *res is filled (its arrays malloc'd;
 * release with sk_store_result_free). Return res->status. */
typedef struct sk_store_sync_res {
    sk_store_result r;
    void *mem;
} sk_store_sync_res;
int sk_store_txn_sync(sk_store *st, const sk_store_txn *txn, sk_store_sync_res *res);
int sk_store_compact_sync(sk_store *st, int64_t rev, bool physical, sk_store_sync_res *res);
int sk_store_lease_grant_sync(sk_store *st, int64_t id, int64_t ttl, sk_store_sync_res *res);
int sk_store_lease_revoke_sync(sk_store *st, int64_t id, sk_store_sync_res *res);
void sk_store_result_free(sk_store_sync_res *res);

/* ---- leases ---- */

/* Resets the lease's deadline to now + ttl; *ttl gets it. SK_ENOTFOUND. */
int sk_store_lease_keepalive(sk_store *st, int64_t id, int64_t *ttl);
typedef struct sk_store_lease_info {
    int64_t id, ttl;
    int64_t remaining_ms;
} sk_store_lease_info;
/* Snapshot of the leases; *out malloc'd (free()). */
int sk_store_lease_list(sk_store *st, sk_store_lease_info **out, size_t *n);
/* Submits a revoke for every lease past its deadline at now_ms (the clock
 * of opts.now_ms). Returns how many. Call it from a periodic timer. */
int sk_store_lease_expire(sk_store *st);

/* ---- automatic compaction ---- */

typedef struct sk_store_autocompact {
    int64_t retain_revisions; /* keep the last N revisions; 0: off */
    int64_t retain_ms;        /* keep this much history; 0: off */
} sk_store_autocompact;
/* Call periodically: samples the revision and submits a compaction when
 * the policy says so. Returns the revision submitted, or 0. */
int64_t sk_store_autocompact_tick(sk_store *st, const sk_store_autocompact *policy);

/* ---- watches ---- */

enum { SK_STORE_EV_PUT = 1, SK_STORE_EV_DELETE = 2 };

typedef struct sk_store_event {
    int type;
    sk_store_kv kv;   /* delete: key and mod_rev only */
    sk_store_kv prev; /* valid when has_prev */
    bool has_prev;
} sk_store_event;

typedef struct sk_store_watch_req {
    sk_store_span span;
    int64_t start_rev; /* 0: changes after the current revision */
    bool prev_kv;
} sk_store_watch_req;

typedef struct sk_store_watch_cbs {
    /* Watch thread. n == 0 once first: the watch is established at rev.
     * Then batches of events in revision order. Return 0 when taken;
     * SK_EFULL or -EAGAIN to be called again later with the same events;
     * any other code ends the watch with it. */
    int (*events)(void *arg, int64_t rev, const sk_store_event *const *evs, size_t n);
    /* Exactly once, last, on the watch thread: status SK_ECANCELED (after
     * sk_store_watch_cancel), SK_ECOMPACTED (with both revisions),
     * SK_EFULL (fell behind by max_watch_backlog events), SK_ESTOPPED,
     * or the code events() returned. */
    void (*end)(void *arg, int status, const char *msg, int64_t rev, int64_t compact_rev);
} sk_store_watch_cbs;

/* 0 with *id; or SK_ECOMPACTED (start_rev <= compaction point; *rev and
 * *compact_rev filled; no callback runs), SK_EBADMSG, SK_ESTOPPED. */
int sk_store_watch(sk_store *st, const sk_store_watch_req *rq, const sk_store_watch_cbs *cbs,
                   void *arg, uint64_t *id, int64_t *rev, int64_t *compact_rev);
/* Any thread, never blocks: end() follows with SK_ECANCELED unless the
 * watch already ended. SK_ENOTFOUND for an unknown or ended id. */
int sk_store_watch_cancel(sk_store *st, uint64_t id);

#endif
