/* The per-plugin event loop. zmq_poll is the only poller that can wait on
 * ZeroMQ sockets and plain fds together; posts and quit wake it through an
 * eventfd. Registrations live in an array that is only compacted between
 * dispatch rounds, so a callback may add or remove anything (itself
 * included) and the round in progress just skips what went away. */
#include "loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker_map.h"
#include "log.h"
#include "skiff/errors.h"

typedef struct loop_entry {
    void *zsock; /* NULL for a plain fd */
    int fd;
    int events;
    sk_fd_fn fn;
    void *arg;
    bool dead;
} loop_entry;

typedef struct loop_timer {
    uint64_t id, when, period, order;
    sk_timer_fn fn;
    void *arg;
    size_t idx; /* position in the heap */
    bool cancelled;
} loop_timer;

typedef struct loop_post {
    struct loop_post *next;
    sk_post_fn fn;
    void *arg;
} loop_post;

struct sk_loop {
    int efd;
    atomic_bool quit;

    loop_entry *ent;
    size_t nent, capent;
    bool dirty;
    zmq_pollitem_t *items;
    size_t *item_ent; /* items[i] belongs to ent[item_ent[i]] */
    size_t nitems, capitems;

    loop_timer **heap;
    size_t nheap, capheap;
    sk_map timers; /* id -> loop_timer, every timer not yet gone */
    uint64_t next_timer_id, next_order;
    loop_timer *firing;

    pthread_mutex_t mu; /* guards posts and stopped */
    loop_post *post_head, *post_tail;
    bool stopped;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int sk_loop_new(sk_loop **out)
{
    sk_loop *l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->efd < 0) {
        int rc = -errno;
        sk_hlog("loop", SK_LOG_ERROR, "loop: eventfd: %s", strerror(errno));
        free(l);
        return rc;
    }
    if (pthread_mutex_init(&l->mu, NULL)) {
        close(l->efd);
        free(l);
        return -ENOMEM;
    }
    sk_map_init(&l->timers);
    l->dirty = true;
    *out = l;
    return 0;
}

void sk_loop_free(sk_loop **lp)
{
    sk_loop *l = lp ? *lp : NULL;
    if (!l)
        return;
    *lp = NULL;
    loop_post *p = l->post_head;
    while (p) {
        loop_post *next = p->next;
        free(p);
        p = next;
    }
    for (size_t i = 0; i < l->nheap; i++)
        free(l->heap[i]);
    free(l->heap);
    sk_map_clear(&l->timers, NULL);
    free(l->ent);
    free(l->items);
    free(l->item_ent);
    pthread_mutex_destroy(&l->mu);
    close(l->efd);
    free(l);
}

static void wake(sk_loop *l)
{
    uint64_t one = 1;
    /* EAGAIN means the counter is already non-zero: the loop will wake. */
    if (write(l->efd, &one, sizeof one) < 0 && errno != EAGAIN)
        sk_hlog("loop", SK_LOG_ERROR, "loop: eventfd write: %s", strerror(errno));
}

/* ---- timers: a binary min-heap ordered by (when, order) ---- */

static bool timer_before(const loop_timer *a, const loop_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

static void heap_set(sk_loop *l, size_t i, loop_timer *t)
{
    l->heap[i] = t;
    t->idx = i;
}

static void heap_up(sk_loop *l, size_t i)
{
    loop_timer *t = l->heap[i];
    while (i > 0 && timer_before(t, l->heap[(i - 1) / 2])) {
        heap_set(l, i, l->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(l, i, t);
}

static void heap_down(sk_loop *l, size_t i)
{
    loop_timer *t = l->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->nheap)
            break;
        if (c + 1 < l->nheap && timer_before(l->heap[c + 1], l->heap[c]))
            c++;
        if (!timer_before(l->heap[c], t))
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

static int heap_push(sk_loop *l, loop_timer *t)
{
    if (l->nheap == l->capheap) {
        size_t cap = l->capheap ? l->capheap * 2 : 16;
        loop_timer **h = realloc(l->heap, cap * sizeof *h);
        if (!h)
            return -ENOMEM;
        l->heap = h;
        l->capheap = cap;
    }
    t->order = l->next_order++;
    heap_set(l, l->nheap++, t);
    heap_up(l, t->idx);
    return 0;
}

static void heap_remove(sk_loop *l, loop_timer *t)
{
    size_t i = t->idx;
    loop_timer *last = l->heap[--l->nheap];
    if (i == l->nheap)
        return;
    heap_set(l, i, last);
    heap_down(l, i);
    heap_up(l, last->idx);
}

static int64_t loop_timer_add(void *ctx, uint64_t delay_ms, uint64_t period_ms, sk_timer_fn fn,
                              void *arg)
{
    sk_loop *l = ctx;
    if (!l || !fn)
        return -EINVAL;
    loop_timer *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->id = ++l->next_timer_id;
    t->when = mono_ms() + delay_ms;
    t->period = period_ms;
    t->fn = fn;
    t->arg = arg;
    if (heap_push(l, t)) {
        free(t);
        return -ENOMEM;
    }
    if (sk_map_put_u64(&l->timers, t->id, t)) {
        heap_remove(l, t);
        free(t);
        return -ENOMEM;
    }
    return (int64_t)t->id;
}

static int loop_timer_cancel(void *ctx, uint64_t id)
{
    sk_loop *l = ctx;
    loop_timer *t = l ? sk_map_del_u64(&l->timers, id) : NULL;
    if (!t)
        return SK_ENOTFOUND;
    if (t == l->firing) {
        /* Out of the heap while it runs; run_timers frees it afterwards. */
        t->cancelled = true;
        return 0;
    }
    heap_remove(l, t);
    free(t);
    return 0;
}

static void run_timers(sk_loop *l)
{
    uint64_t now = mono_ms();
    /* Timers re-armed during this round are due later than now, so the
     * round always ends. */
    while (l->nheap && l->heap[0]->when <= now && !atomic_load(&l->quit)) {
        loop_timer *t = l->heap[0];
        heap_remove(l, t);
        if (!t->period)
            sk_map_del_u64(&l->timers, t->id);
        l->firing = t;
        t->fn(t->arg, t->id);
        l->firing = NULL;
        if (!t->period || t->cancelled) {
            free(t);
            continue;
        }
        t->when = now + t->period;
        if (heap_push(l, t)) {
            sk_hlog("loop", SK_LOG_ERROR, "loop: out of memory re-arming timer %llu",
                    (unsigned long long)t->id);
            sk_map_del_u64(&l->timers, t->id);
            free(t);
        }
    }
}

/* ---- fds and sockets ---- */

static loop_entry *find_entry(sk_loop *l, void *zsock, int fd)
{
    for (size_t i = 0; i < l->nent; i++) {
        loop_entry *e = &l->ent[i];
        if (!e->dead && e->zsock == zsock && (zsock || e->fd == fd))
            return e;
    }
    return NULL;
}

static int add_entry(sk_loop *l, void *zsock, int fd, int events, sk_fd_fn fn, void *arg)
{
    if (!fn || (!zsock && fd < 0))
        return -EINVAL;
    if (find_entry(l, zsock, fd))
        return SK_EEXISTS;
    if (l->nent == l->capent) {
        size_t cap = l->capent ? l->capent * 2 : 8;
        loop_entry *ent = realloc(l->ent, cap * sizeof *ent);
        if (!ent)
            return -ENOMEM;
        l->ent = ent;
        l->capent = cap;
    }
    l->ent[l->nent++] = (loop_entry){zsock, zsock ? -1 : fd, events, fn, arg, false};
    l->dirty = true;
    return 0;
}

static int remove_entry(sk_loop *l, void *zsock, int fd)
{
    loop_entry *e = find_entry(l, zsock, fd);
    if (!e)
        return SK_ENOTFOUND;
    e->dead = true;
    l->dirty = true;
    return 0;
}

int sk_loop_zsock_add(sk_loop *l, void *zsock, sk_fd_fn fn, void *arg)
{
    return zsock ? add_entry(l, zsock, -1, SK_LOOP_READ, fn, arg) : -EINVAL;
}

int sk_loop_zsock_remove(sk_loop *l, void *zsock)
{
    return zsock ? remove_entry(l, zsock, -1) : -EINVAL;
}

static int loop_fd_add(void *ctx, int fd, int events, sk_fd_fn fn, void *arg)
{
    if (!ctx || fd < 0 || !(events & (SK_LOOP_READ | SK_LOOP_WRITE)))
        return -EINVAL;
    return add_entry(ctx, NULL, fd, events, fn, arg);
}

static int loop_fd_remove(void *ctx, int fd)
{
    return ctx && fd >= 0 ? remove_entry(ctx, NULL, fd) : -EINVAL;
}

static int rebuild_items(sk_loop *l)
{
    size_t live = 0;
    for (size_t i = 0; i < l->nent; i++)
        if (!l->ent[i].dead)
            l->ent[live++] = l->ent[i];
    l->nent = live;
    if (live + 1 > l->capitems) {
        size_t cap = live + 8;
        zmq_pollitem_t *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        l->items = items;
        size_t *map = realloc(l->item_ent, cap * sizeof *map);
        if (!map)
            return -ENOMEM;
        l->item_ent = map;
        l->capitems = cap;
    }
    l->items[0] = (zmq_pollitem_t){.socket = NULL, .fd = l->efd, .events = ZMQ_POLLIN};
    for (size_t i = 0; i < live; i++) {
        loop_entry *e = &l->ent[i];
        short ev = (short)((e->events & SK_LOOP_READ ? ZMQ_POLLIN : 0) |
                           (e->events & SK_LOOP_WRITE ? ZMQ_POLLOUT : 0));
        l->items[i + 1] = (zmq_pollitem_t){.socket = e->zsock, .fd = e->fd, .events = ev};
        l->item_ent[i + 1] = i;
    }
    l->nitems = live + 1;
    l->dirty = false;
    return 0;
}

static void dispatch_items(sk_loop *l)
{
    for (size_t i = 1; i < l->nitems && !atomic_load(&l->quit); i++) {
        short rev = l->items[i].revents;
        if (!rev)
            continue;
        loop_entry *e = &l->ent[l->item_ent[i]];
        if (e->dead)
            continue;
        int ev = (rev & ZMQ_POLLIN ? SK_LOOP_READ : 0) | (rev & ZMQ_POLLOUT ? SK_LOOP_WRITE : 0) |
                 (rev & ZMQ_POLLERR ? SK_LOOP_ERROR : 0);
        e->fn(e->arg, e->fd, ev);
    }
}

/* ---- posts ---- */

static int loop_post_fn(void *ctx, sk_post_fn fn, void *arg)
{
    sk_loop *l = ctx;
    if (!l || !fn)
        return -EINVAL;
    loop_post *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    p->next = NULL;
    p->fn = fn;
    p->arg = arg;
    pthread_mutex_lock(&l->mu);
    if (l->stopped) {
        pthread_mutex_unlock(&l->mu);
        free(p);
        return SK_ESTOPPED;
    }
    bool was_empty = !l->post_head;
    if (l->post_tail)
        l->post_tail->next = p;
    else
        l->post_head = p;
    l->post_tail = p;
    pthread_mutex_unlock(&l->mu);
    if (was_empty)
        wake(l);
    return 0;
}

/* Runs the posts queued so far; posts they make wait for the next round,
 * so a self-reposting callback cannot starve the sockets. */
static void run_posts(sk_loop *l)
{
    uint64_t n;
    while (read(l->efd, &n, sizeof n) > 0) {
    }
    pthread_mutex_lock(&l->mu);
    loop_post *p = l->post_head;
    l->post_head = l->post_tail = NULL;
    pthread_mutex_unlock(&l->mu);
    while (p) {
        loop_post *next = p->next;
        if (atomic_load(&l->quit)) {
            /* Keep the rest, in order, for the drain at the end of run. */
            pthread_mutex_lock(&l->mu);
            loop_post *tail = p;
            while (tail->next)
                tail = tail->next;
            tail->next = l->post_head;
            if (!l->post_head)
                l->post_tail = tail;
            l->post_head = p;
            pthread_mutex_unlock(&l->mu);
            return;
        }
        p->fn(p->arg);
        free(p);
        p = next;
    }
}

/* After quit, posts already accepted still run (a poster was told they
 * would), then the loop refuses new ones until it runs again. */
static void drain_posts(sk_loop *l)
{
    for (;;) {
        pthread_mutex_lock(&l->mu);
        loop_post *p = l->post_head;
        l->post_head = l->post_tail = NULL;
        if (!p)
            l->stopped = true;
        pthread_mutex_unlock(&l->mu);
        if (!p)
            return;
        while (p) {
            loop_post *next = p->next;
            p->fn(p->arg);
            free(p);
            p = next;
        }
    }
}

static long poll_timeout(sk_loop *l)
{
    if (!l->nheap)
        return -1;
    uint64_t now = mono_ms(), when = l->heap[0]->when;
    return when <= now ? 0 : (long)(when - now);
}

int sk_loop_run(sk_loop *l)
{
    if (!l)
        return -EINVAL;
    pthread_mutex_lock(&l->mu);
    l->stopped = false;
    pthread_mutex_unlock(&l->mu);
    int rc = 0;
    while (!atomic_load(&l->quit)) {
        if (l->dirty && rebuild_items(l)) {
            rc = -ENOMEM;
            sk_hlog("loop", SK_LOG_ERROR, "loop: out of memory building the poll set");
            break;
        }
        int n = zmq_poll(l->items, (int)l->nitems, poll_timeout(l));
        if (n < 0) {
            if (zmq_errno() == EINTR)
                continue;
            rc = -zmq_errno();
            sk_hlog("loop", SK_LOG_ERROR, "loop: zmq_poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (l->items[0].revents)
            run_posts(l);
        run_timers(l);
        if (n > 0)
            dispatch_items(l);
    }
    atomic_store(&l->quit, false);
    drain_posts(l);
    return rc;
}

void sk_loop_quit(sk_loop *l)
{
    if (!l)
        return;
    atomic_store(&l->quit, true);
    wake(l);
}

static uint64_t loop_now_ms(void *ctx)
{
    (void)ctx;
    return mono_ms();
}

const sk_loop_api sk_loop_api_impl = {
    .size = sizeof(sk_loop_api),
    .timer_add = loop_timer_add,
    .timer_cancel = loop_timer_cancel,
    .fd_add = loop_fd_add,
    .fd_remove = loop_fd_remove,
    .post = loop_post_fn,
    .now_ms = loop_now_ms,
};
