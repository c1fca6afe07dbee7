/* Internal: the informer's state, shared by informer.c (life cycle),
 * informer_apply.c (lists and events into the cache) and informer_read.c. */
#ifndef SKC_INFORMER_INT_H
#define SKC_INFORMER_INT_H

#include <stdbool.h>

#include "cache.h"
#include "skiff/informer.h"

#define SKC_INF_MAX_HANDLERS 8

enum { SKC_INF_IDLE, SKC_INF_LISTING, SKC_INF_WATCHING };

struct sk_informer {
    sk_informer_cfg cfg; /* strings below own the copies */
    char *group, *version, *resource, *ns, *lsel, *fsel;
    sk_informer_handlers h[SKC_INF_MAX_HANDLERS];
    size_t nh;
    skc_cache cache;
    bool cache_ok;
    char rv[64];
    bool running, synced, req_active, watch_failed, watch_gone;
    int phase, next;
    uint64_t req_id, timer;
    uint32_t backoff_ms;
    uint64_t relists;
};

/* Schedules the next list or watch, after the backoff when backoff. */
void skc_inf_retry(sk_informer *inf, int what, bool backoff);
/* Applies a list answer: 0, or SK_EBADMSG / -ENOMEM (cache untouched on a
 * malformed answer). */
int skc_inf_apply_list(sk_informer *inf, const void *data, size_t len);
/* Applies one watch event; non-zero means the stream can no longer be
 * trusted (malformed, 410 ERROR event, or out of memory). */
int skc_inf_apply_event(sk_informer *inf, const void *data, size_t len);

#endif
