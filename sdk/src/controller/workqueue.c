/* The work queue: a FIFO of items plus a map key -> item holding each key's
 * state (waiting, processing, failures, pending delayed add). An item lives
 * while any of that state is set and is freed as soon as none is. */
#include "skiff/workqueue.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "skiff/errors.h"

typedef struct wq_item {
    sk_workqueue *q;
    bool dirty;      /* waiting in the FIFO, or to be re-queued after done */
    bool processing; /* handed to a worker */
    unsigned failures;
    uint64_t timer;    /* pending delayed add, 0 if none */
    uint64_t ready_at; /* its due time (loop clock) */
    char key[];
} wq_item;

struct sk_workqueue {
    sk_workqueue_cfg cfg;
    char *name;
    skc_map items;
    wq_item **fifo;
    size_t head, n, cap;
    size_t nprocessing;
    uint64_t pump_timer;
    bool stopped;
};

static uint64_t wq_now(const sk_workqueue *q)
{
    return q->cfg.loop->now_ms(q->cfg.loop_ctx);
}

int sk_workqueue_new(const sk_workqueue_cfg *cfg, sk_workqueue **out)
{
    *out = NULL;
    if (!cfg || !cfg->loop || !cfg->loop->timer_add || !cfg->loop->now_ms)
        return -EINVAL;
    sk_workqueue *q = calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    q->cfg = *cfg;
    if (!q->cfg.workers)
        q->cfg.workers = 1;
    if (!q->cfg.base_delay_ms)
        q->cfg.base_delay_ms = 5;
    if (!q->cfg.max_delay_ms)
        q->cfg.max_delay_ms = 1000ULL * 1000;
    q->name = strdup(cfg->name ? cfg->name : "workqueue");
    if (!q->name) {
        free(q);
        return -ENOMEM;
    }
    q->cfg.name = q->name;
    skc_map_init(&q->items);
    *out = q;
    return 0;
}

static void wq_cancel_timers(sk_workqueue *q)
{
    skc_map_iter it = {0};
    void *v;
    while (skc_map_next(&q->items, &it, NULL, &v)) {
        wq_item *item = v;
        if (item->timer)
            (void)q->cfg.loop->timer_cancel(q->cfg.loop_ctx, item->timer);
        item->timer = 0;
    }
    if (q->pump_timer)
        (void)q->cfg.loop->timer_cancel(q->cfg.loop_ctx, q->pump_timer);
    q->pump_timer = 0;
}

void sk_workqueue_free(sk_workqueue **qp)
{
    sk_workqueue *q = qp ? *qp : NULL;
    if (!q)
        return;
    wq_cancel_timers(q);
    skc_map_iter it = {0};
    void *v;
    while (skc_map_next(&q->items, &it, NULL, &v))
        free(v);
    skc_map_free(&q->items);
    free(q->fifo);
    free(q->name);
    free(q);
    *qp = NULL;
}

void sk_workqueue_shutdown(sk_workqueue *q)
{
    if (!q)
        return;
    q->stopped = true;
    wq_cancel_timers(q);
}

/* Frees item once nothing refers to it any more. */
static void wq_gc(sk_workqueue *q, wq_item *item)
{
    if (item->dirty || item->processing || item->failures || item->timer)
        return;
    (void)skc_map_del(&q->items, item->key);
    free(item);
}

static wq_item *wq_item_get(sk_workqueue *q, const char *key, bool create)
{
    wq_item *item = skc_map_get(&q->items, key);
    if (item || !create)
        return item;
    size_t kl = strlen(key) + 1;
    item = calloc(1, sizeof(*item) + kl);
    if (!item)
        return NULL;
    item->q = q;
    memcpy(item->key, key, kl);
    if (skc_map_put(&q->items, item->key, item, NULL)) {
        free(item);
        return NULL;
    }
    return item;
}

static int wq_push(sk_workqueue *q, wq_item *item)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        wq_item **f = malloc(cap * sizeof(*f));
        if (!f)
            return -ENOMEM;
        for (size_t i = 0; i < q->n; i++)
            f[i] = q->fifo[(q->head + i) % q->cap];
        free(q->fifo);
        q->fifo = f;
        q->cap = cap;
        q->head = 0;
    }
    q->fifo[(q->head + q->n) % q->cap] = item;
    q->n++;
    return 0;
}

static void wq_pump(void *arg, uint64_t timer_id);

/* Dispatch happens from a zero-delay timer, never inside add(), so a
 * worker that adds keys is not re-entered. */
static void wq_schedule_pump(sk_workqueue *q)
{
    if (!q->cfg.process || q->pump_timer || q->stopped || !q->n ||
        q->nprocessing >= q->cfg.workers)
        return;
    int64_t id = q->cfg.loop->timer_add(q->cfg.loop_ctx, 0, 0, wq_pump, q);
    if (id > 0)
        q->pump_timer = (uint64_t)id;
}

static void wq_pump(void *arg, uint64_t timer_id)
{
    sk_workqueue *q = arg;
    (void)timer_id;
    q->pump_timer = 0;
    /* At most the keys waiting now: a worker that re-adds its own key
     * synchronously must not keep this callback spinning. */
    size_t budget = q->n;
    const char *key;
    while (budget-- && q->nprocessing < q->cfg.workers && sk_workqueue_get(q, &key) == 0)
        q->cfg.process(q->cfg.arg, q, key);
    wq_schedule_pump(q);
}

int sk_workqueue_add(sk_workqueue *q, const char *key)
{
    if (!q || !key)
        return -EINVAL;
    if (q->stopped)
        return SK_ESTOPPED;
    wq_item *item = wq_item_get(q, key, true);
    if (!item)
        return -ENOMEM;
    if (item->dirty)
        return 0;
    if (!item->processing) {
        int rc = wq_push(q, item);
        if (rc) {
            wq_gc(q, item);
            return rc;
        }
    }
    item->dirty = true;
    wq_schedule_pump(q);
    return 0;
}

static void wq_timer_fire(void *arg, uint64_t timer_id)
{
    wq_item *item = arg;
    sk_workqueue *q = item->q;
    (void)timer_id;
    item->timer = 0;
    if (sk_workqueue_add(q, item->key) != 0)
        wq_gc(q, item);
}

int sk_workqueue_add_after(sk_workqueue *q, const char *key, uint64_t delay_ms)
{
    if (!q || !key)
        return -EINVAL;
    if (q->stopped)
        return SK_ESTOPPED;
    if (delay_ms == 0)
        return sk_workqueue_add(q, key);
    wq_item *item = wq_item_get(q, key, true);
    if (!item)
        return -ENOMEM;
    uint64_t ready = wq_now(q) + delay_ms;
    if (item->timer && item->ready_at <= ready)
        return 0;
    if (item->timer)
        (void)q->cfg.loop->timer_cancel(q->cfg.loop_ctx, item->timer);
    item->timer = 0;
    int64_t id = q->cfg.loop->timer_add(q->cfg.loop_ctx, delay_ms, 0, wq_timer_fire, item);
    if (id <= 0) {
        wq_gc(q, item);
        return id < 0 ? (int)id : SK_EINTERNAL;
    }
    item->timer = (uint64_t)id;
    item->ready_at = ready;
    return 0;
}

static uint64_t wq_backoff(const sk_workqueue *q, unsigned failures)
{
    uint64_t d = q->cfg.base_delay_ms;
    for (unsigned i = 0; i < failures && d < q->cfg.max_delay_ms; i++)
        d *= 2;
    return d < q->cfg.max_delay_ms ? d : q->cfg.max_delay_ms;
}

uint64_t sk_workqueue_backoff_ms(const sk_workqueue *q, const char *key)
{
    wq_item *item = q && key ? skc_map_get(&q->items, key) : NULL;
    return q ? wq_backoff(q, item ? item->failures : 0) : 0;
}

int sk_workqueue_add_rate_limited(sk_workqueue *q, const char *key)
{
    if (!q || !key)
        return -EINVAL;
    if (q->stopped)
        return SK_ESTOPPED;
    wq_item *item = wq_item_get(q, key, true);
    if (!item)
        return -ENOMEM;
    uint64_t d = wq_backoff(q, item->failures);
    if (item->failures < 1000)
        item->failures++;
    return sk_workqueue_add_after(q, key, d);
}

void sk_workqueue_forget(sk_workqueue *q, const char *key)
{
    wq_item *item = q && key ? skc_map_get(&q->items, key) : NULL;
    if (!item)
        return;
    item->failures = 0;
    wq_gc(q, item);
}

unsigned sk_workqueue_requeues(const sk_workqueue *q, const char *key)
{
    wq_item *item = q && key ? skc_map_get(&q->items, key) : NULL;
    return item ? item->failures : 0;
}

int sk_workqueue_get(sk_workqueue *q, const char **key)
{
    if (!q || !key)
        return -EINVAL;
    if (q->stopped)
        return SK_ESTOPPED;
    if (!q->n)
        return SK_ENOTFOUND;
    wq_item *item = q->fifo[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    item->dirty = false;
    item->processing = true;
    q->nprocessing++;
    *key = item->key;
    return 0;
}

int sk_workqueue_done(sk_workqueue *q, const char *key)
{
    wq_item *item = q && key ? skc_map_get(&q->items, key) : NULL;
    if (!item || !item->processing)
        return SK_ENOTFOUND;
    item->processing = false;
    q->nprocessing--;
    if (item->dirty && !q->stopped) {
        int rc = wq_push(q, item);
        if (rc) {
            item->dirty = false;
            wq_gc(q, item);
            return rc;
        }
    } else {
        item->dirty = false;
        wq_gc(q, item);
    }
    wq_schedule_pump(q);
    return 0;
}

int sk_workqueue_finish(sk_workqueue *q, const char *key, int rc)
{
    wq_item *item = q && key ? skc_map_get(&q->items, key) : NULL;
    if (!item || !item->processing)
        return SK_ENOTFOUND;
    /* Before done(): done may free the item that key points into. */
    int arc = 0;
    if (rc == 0)
        item->failures = 0;
    else if (!q->stopped)
        arc = sk_workqueue_add_rate_limited(q, item->key);
    int drc = sk_workqueue_done(q, item->key);
    return arc ? arc : drc;
}

size_t sk_workqueue_len(const sk_workqueue *q)
{
    return q ? q->n : 0;
}

size_t sk_workqueue_processing(const sk_workqueue *q)
{
    return q ? q->nprocessing : 0;
}
