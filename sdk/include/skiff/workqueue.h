/* skiff SDK — a controller work queue (client-go's rate-limited queue).
 *
 * Keys (usually "namespace/name") wait in FIFO order. A key added while it
 * is already waiting is not added twice (de-duplication); a key added while
 * it is being processed is remembered and handed out again only after the
 * current processing is done, so a key is never processed by two workers at
 * once. Failed keys come back after a per-key exponential backoff
 * (base_delay_ms * 2^failures, capped at max_delay_ms) until forgotten.
 * Delayed adds and the dispatch of keys run on the plugin's loop timers.
 *
 * Workers: the queue hands keys to cfg.process on the loop thread, at most
 * cfg.workers keys at a time. A key stays "processing" until the worker
 * calls sk_workqueue_finish() (or _done()) for it — immediately, or later
 * once its asynchronous bus requests answered — so "workers" bounds the
 * keys in flight. Without cfg.process the caller pulls keys itself with
 * sk_workqueue_get().
 *
 * Threading: every function runs on the loop thread only (the thread of
 * cfg.loop); process is called there too.
 * Ownership: keys passed in are copied. The key handed to process (or
 * returned by get) is owned by the queue and valid until done/finish for
 * that key returns. */
#ifndef SKIFF_WORKQUEUE_H
#define SKIFF_WORKQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "skiff/loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_workqueue sk_workqueue;

typedef void (*sk_workqueue_fn)(void *arg, sk_workqueue *q, const char *key);

typedef struct sk_workqueue_cfg {
    const sk_loop_api *loop; /* timers and now_ms; required */
    void *loop_ctx;
    uint32_t workers;       /* keys processed at once; 0 -> 1 */
    uint64_t base_delay_ms; /* first retry delay; 0 -> 5 ms */
    uint64_t max_delay_ms;  /* retry delay cap; 0 -> 1000 s (client-go's) */
    sk_workqueue_fn process; /* NULL: pull with sk_workqueue_get() */
    void *arg;
    const char *name;       /* for logs and metrics; may be NULL; copied */
} sk_workqueue_cfg;

/* 0, -EINVAL or -ENOMEM. */
int sk_workqueue_new(const sk_workqueue_cfg *cfg, sk_workqueue **out);
/* Cancels its timers and frees everything; *q becomes NULL. Must not be
 * called from inside process. */
void sk_workqueue_free(sk_workqueue **q);
/* Stops handing out keys; adds become no-ops (SK_ESTOPPED). */
void sk_workqueue_shutdown(sk_workqueue *q);

/* Queue key now (no-op when it already waits). 0, SK_ESTOPPED, -ENOMEM. */
int sk_workqueue_add(sk_workqueue *q, const char *key);
/* Queue key after delay_ms; when it is already waiting for a later time
 * the earlier time wins. */
int sk_workqueue_add_after(sk_workqueue *q, const char *key, uint64_t delay_ms);
/* Queue key after its backoff delay, and count one more failure. */
int sk_workqueue_add_rate_limited(sk_workqueue *q, const char *key);
/* The delay add_rate_limited would use next for key (no side effect). */
uint64_t sk_workqueue_backoff_ms(const sk_workqueue *q, const char *key);
/* Clear key's failure count (after a success). */
void sk_workqueue_forget(sk_workqueue *q, const char *key);
/* Failures counted for key. */
unsigned sk_workqueue_requeues(const sk_workqueue *q, const char *key);

/* Pull mode: the next key, now marked processing; SK_ENOTFOUND when none
 * is ready, SK_ESTOPPED after shutdown. */
int sk_workqueue_get(sk_workqueue *q, const char **key);
/* Processing of key ended; if it was added meanwhile it waits again.
 * SK_ENOTFOUND when key was not processing. */
int sk_workqueue_done(sk_workqueue *q, const char *key);
/* done() plus the usual follow-up: rc == 0 forgets key's failures, rc < 0
 * re-adds it rate-limited. */
int sk_workqueue_finish(sk_workqueue *q, const char *key, int rc);

/* Keys waiting (not processing, not delayed). */
size_t sk_workqueue_len(const sk_workqueue *q);
/* Keys being processed. */
size_t sk_workqueue_processing(const sk_workqueue *q);

#ifdef __cplusplus
}
#endif
#endif
