/* A queued write request, between the submit functions and the writer. */
#ifndef SK_STORE_WREQ_H
#define SK_STORE_WREQ_H

#include "store_int.h"

enum { ST_W_TXN = 1, ST_W_COMPACT, ST_W_GRANT, ST_W_REVOKE };

typedef struct st_sync {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    sk_store_sync_res *out;
} st_sync;

struct st_wreq {
    st_wreq *next;
    int kind;
    sk_store_txn txn;   /* copy, in `in` */
    int64_t num, ttl;   /* compact revision / lease id; lease TTL */
    bool physical;
    bool refused;       /* failed validation: res says why, nothing to apply */
    size_t bytes;
    sk_store_done_fn done;
    void *arg;
    st_sync *sync;
    sk_store_result res;
    st_arena in, out;
};

/* Queues r (takes it) or fails with SK_ESTOPPED (r is freed). */
int st_writer_enqueue(sk_store *st, st_wreq *r);
void st_wreq_free(st_wreq *r);
/* Runs r's completion (callback or sync waiter) and frees it. */
void st_wreq_complete(st_wreq *r);

#endif
