/* Watches. The writer hands each committed batch's events to the hub
 * (st_hub_publish) and never waits for watchers. One watch thread then
 *   - fans live batches out to the watchers that are "synced",
 *   - replays history from LMDB's revision log for the others (new watches
 *     from the past, and watchers that missed a batch whose events were not
 *     kept), until they reach the live stream,
 *   - delivers each watcher's queue through its callback, retrying later
 *     when the consumer is full, and cancels a watcher whose queue exceeds
 *     max_watch_backlog instead of ever dropping one of its events.
 * A watcher is synced once its next revision lies beyond every batch the
 * thread has fanned out; batches are published in commit order, so from
 * then on each revision reaches it exactly once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skiff/errors.h"
#include "store_int.h"

#define PART_EVENTS 1000
#define PART_BYTES (1u << 20)
#define CATCHUP_EVENTS 1000
#define CATCHUP_REVS 10000
#define RETRY_MIN_MS 2
#define RETRY_MAX_MS 100
/* Beyond this many undelivered ring events, the writer stops keeping
 * event data and watchers re-read LMDB at their own pace. */
#define RING_MAX_EVENTS 200000

typedef struct st_watcher {
    struct st_watcher *next;
    uint64_t id;
    sk_store_span span;
    bool prev_kv;
    sk_store_watch_cbs cbs;
    void *arg;
    /* guarded by hub->mu */
    bool cancel_req;
    /* watch thread only */
    bool cancel_seen;
    int64_t next_rev;
    bool synced, created;
    bool ending;
    int end_status;
    char end_msg[200];
    int64_t end_rev, end_compact;
    st_event_obj **q;
    size_t qhead, qlen, qcap;
    uint64_t retry_at, retry_ms;
    uint8_t mem[];
} st_watcher;

struct st_watch_hub {
    sk_store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, kick, started;
    pthread_t thr;
    st_watcher *list;
    st_batch *rhead, *rtail;
    _Atomic size_t ring_events;
    _Atomic uint64_t count;
    uint64_t next_id;
    int64_t dispatched_rev; /* watch thread only */
    MDB_txn *rtxn;           /* watch thread: read txn of the current round */
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- events and batches ---- */

static st_event_obj *event_new(int type, const st_ent *e, const uint8_t *val, size_t vlen)
{
    st_event_obj *o = malloc(sizeof *o + e->key_len + vlen);
    if (!o)
        return NULL;
    memset(o, 0, sizeof *o);
    memcpy(o->data, e->key, e->key_len);
    if (vlen)
        memcpy(o->data + e->key_len, val, vlen);
    o->ev.type = type;
    o->ev.kv = (sk_store_kv){.key = o->data, .key_len = e->key_len,
                             .value = type == SK_STORE_EV_PUT ? o->data + e->key_len : NULL,
                             .value_len = vlen, .create_rev = e->create_rev,
                             .mod_rev = e->mod_rev, .version = e->version, .lease = e->lease};
    o->refs = 1;
    return o;
}

void st_event_unref(st_event_obj *o)
{
    if (o && --o->refs == 0) {
        free(o->prev_mem);
        free(o);
    }
}

st_batch *st_batch_new(void)
{
    st_batch *b = calloc(1, sizeof *b);
    if (b)
        b->complete = true;
    return b;
}

void st_batch_free(st_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nevs; i++)
        st_event_unref(b->evs[i]);
    free(b->evs);
    free(b);
}

int st_batch_add(st_batch *b, int type, const st_ent *e, const uint8_t *val, size_t vlen)
{
    st_event_obj **evs = st_grow(b->evs, &b->cap, b->nevs + 1, sizeof *evs, 64);
    if (!evs)
        return -ENOMEM;
    b->evs = evs;
    st_event_obj *o = event_new(type, e, val, vlen);
    if (!o)
        return -ENOMEM;
    b->evs[b->nevs++] = o;
    return 0;
}

/* ---- the hub's public side ---- */

bool st_hub_wants_events(st_watch_hub *h)
{
    return atomic_load(&h->count) > 0 && atomic_load(&h->ring_events) < RING_MAX_EVENTS;
}

uint64_t st_hub_count(st_watch_hub *h)
{
    return atomic_load(&h->count);
}

void st_hub_publish(st_watch_hub *h, st_batch *b, int64_t first_rev, int64_t last_rev)
{
    if (!b) {
        /* Without memory for the marker, nothing else can be kept either;
         * watchers notice the gap by revision and re-read LMDB. */
        b = calloc(1, sizeof *b);
        if (!b)
            return;
    }
    b->first_rev = first_rev;
    b->last_rev = last_rev;
    pthread_mutex_lock(&h->mu);
    if (h->rtail)
        h->rtail->next = b;
    else
        h->rhead = b;
    h->rtail = b;
    atomic_fetch_add(&h->ring_events, b->nevs);
    h->kick = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

int sk_store_watch(sk_store *st, const sk_store_watch_req *rq, const sk_store_watch_cbs *cbs,
                   void *arg, uint64_t *id, int64_t *rev, int64_t *compact_rev)
{
    char err[64];
    st_watch_hub *h = st->hub;
    if (st_span_check(&rq->span, true, err, sizeof err) || !cbs->events || !cbs->end)
        return SK_EBADMSG;
    int64_t cur = atomic_load(&st->rev), compact = atomic_load(&st->compact_rev);
    if (rev)
        *rev = cur;
    if (compact_rev)
        *compact_rev = compact;
    if (rq->start_rev < 0)
        return SK_EBADMSG;
    if (rq->start_rev > 0 && rq->start_rev <= compact)
        return SK_ECOMPACTED;
    st_watcher *w = calloc(1, sizeof *w + rq->span.key_len + rq->span.end_len + 1);
    if (!w)
        return -ENOMEM;
    if (rq->span.key_len)
        memcpy(w->mem, rq->span.key, rq->span.key_len);
    if (rq->span.end_len)
        memcpy(w->mem + rq->span.key_len, rq->span.end, rq->span.end_len);
    w->span = (sk_store_span){.key = w->mem, .key_len = rq->span.key_len,
                              .end = w->mem + rq->span.key_len, .end_len = rq->span.end_len};
    w->prev_kv = rq->prev_kv;
    w->cbs = *cbs;
    w->arg = arg;
    w->next_rev = rq->start_rev > 0 ? rq->start_rev : cur + 1;
    pthread_mutex_lock(&h->mu);
    if (h->stop) {
        pthread_mutex_unlock(&h->mu);
        free(w);
        return SK_ESTOPPED;
    }
    w->id = ++h->next_id;
    *id = w->id; /* before the watch thread can see it and call back */
    w->next = h->list;
    h->list = w;
    atomic_fetch_add(&h->count, 1);
    h->kick = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

int sk_store_watch_cancel(sk_store *st, uint64_t id)
{
    st_watch_hub *h = st->hub;
    int rc = SK_ENOTFOUND;
    pthread_mutex_lock(&h->mu);
    for (st_watcher *w = h->list; w; w = w->next)
        if (w->id == id && !w->cancel_req) {
            w->cancel_req = true;
            h->kick = true;
            pthread_cond_signal(&h->cv);
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* ---- the watch thread ---- */

static void end_watcher(st_watch_hub *h, st_watcher *w, int status, const char *msg)
{
    if (w->ending)
        return;
    w->ending = true;
    w->end_status = status;
    w->end_rev = atomic_load(&h->st->rev);
    w->end_compact = atomic_load(&h->st->compact_rev);
    snprintf(w->end_msg, sizeof w->end_msg, "%s", msg);
}

static int rtxn(st_watch_hub *h, MDB_txn **txn)
{
    if (!h->rtxn) {
        int rc = st_read_begin(h->st, &h->rtxn);
        if (rc)
            return rc;
    }
    *txn = h->rtxn;
    return 0;
}

static void rtxn_done(st_watch_hub *h)
{
    if (h->rtxn) {
        st_read_end(h->st, h->rtxn);
        h->rtxn = NULL;
    }
}

static int ekey_of(st_watch_hub *h, MDB_txn *txn, const uint8_t *key, size_t klen,
                   uint8_t *ekey, size_t *elen)
{
    return st_key_assign(h->st, txn, key, klen, ekey, elen);
}

/* Fills o's previous version from history. A missing one that should
 * exist means compaction overtook the watcher. */
static int load_prev(st_watch_hub *h, st_event_obj *o)
{
    if (o->prev_loaded)
        return 0;
    sk_store_kv *kv = &o->ev.kv;
    if (o->ev.type == SK_STORE_EV_PUT && kv->version <= 1) {
        o->prev_loaded = true;
        return 0;
    }
    MDB_txn *txn;
    uint8_t ekey[ST_EKEY_MAX];
    size_t elen;
    st_ent e;
    int rc = rtxn(h, &txn);
    if (rc == 0)
        rc = ekey_of(h, txn, kv->key, kv->key_len, ekey, &elen);
    if (rc == 0)
        rc = st_hist_before(h->st, txn, ekey, elen, kv->mod_rev, &e);
    if (rc == SK_ENOTFOUND)
        return atomic_load(&h->st->compact_rev) >= kv->mod_rev ? SK_ECOMPACTED : 0;
    if (rc)
        return rc;
    o->prev_mem = malloc(e.key_len + e.value_len + 1);
    if (!o->prev_mem)
        return -ENOMEM;
    memcpy(o->prev_mem, e.key, e.key_len);
    memcpy(o->prev_mem + e.key_len, e.value, e.value_len);
    o->ev.prev = (sk_store_kv){.key = o->prev_mem, .key_len = e.key_len,
                               .value = o->prev_mem + e.key_len, .value_len = e.value_len,
                               .create_rev = e.create_rev, .mod_rev = e.mod_rev,
                               .version = e.version, .lease = e.lease};
    o->ev.has_prev = true;
    o->prev_loaded = true;
    return 0;
}

static int q_push(st_watcher *w, st_event_obj *o)
{
    if (w->qhead + w->qlen == w->qcap) {
        if (w->qhead > 0) {
            memmove(w->q, w->q + w->qhead, w->qlen * sizeof *w->q);
            w->qhead = 0;
        } else {
            st_event_obj **q = st_grow(w->q, &w->qcap, w->qcap + 1, sizeof *q, 64);
            if (!q)
                return -ENOMEM;
            w->q = q;
        }
    }
    w->q[w->qhead + w->qlen++] = o;
    o->refs++;
    return 0;
}

/* Queues o for w when it matches; ends w on overflow or failure. */
static void offer(st_watch_hub *h, st_watcher *w, st_event_obj *o)
{
    if (!st_span_contains(&w->span, o->ev.kv.key, o->ev.kv.key_len))
        return;
    int rc = w->prev_kv ? load_prev(h, o) : 0;
    if (rc == SK_ECOMPACTED) {
        end_watcher(h, w, rc, "compacted while the watcher was behind");
        return;
    }
    if (rc == 0)
        rc = q_push(w, o);
    if (rc) {
        end_watcher(h, w, rc, "watch: cannot queue an event");
        return;
    }
    if (w->qlen > h->st->o.max_watch_backlog) {
        char msg[120];
        snprintf(msg, sizeof msg, "watcher fell behind: more than %llu undelivered events",
                 (unsigned long long)h->st->o.max_watch_backlog);
        end_watcher(h, w, SK_EFULL, msg);
    }
}

static void fan_out(st_watch_hub *h, st_watcher *list, st_batch *b)
{
    for (st_watcher *w = list; w; w = w->next) {
        if (w->ending || !w->synced || b->last_rev < w->next_rev)
            continue;
        if (!b->complete) {
            w->synced = false;
            continue;
        }
        for (size_t i = 0; i < b->nevs && !w->ending; i++)
            if (b->evs[i]->ev.kv.mod_rev >= w->next_rev)
                offer(h, w, b->evs[i]);
        w->next_rev = b->last_rev + 1;
    }
    h->dispatched_rev = b->last_rev;
}

/* One revision's changes from the revision log, as events for w. */
static int replay_rev(st_watch_hub *h, MDB_txn *txn, st_watcher *w, int64_t rev,
                      const MDB_val *rec, size_t *added)
{
    const uint8_t *p = rec->mv_data, *end = p + rec->mv_size;
    while (p + 5 <= end) {
        int type = p[0];
        size_t klen = (size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24;
        if (klen > (size_t)(end - p - 5))
            return SK_EINTERNAL;
        const uint8_t *key = p + 5;
        p += 5 + klen;
        if (!st_span_contains(&w->span, key, klen))
            continue;
        st_ent e = {.key = key, .key_len = klen, .mod_rev = rev};
        const uint8_t *val = NULL;
        size_t vlen = 0;
        if (type == SK_STORE_EV_PUT) {
            uint8_t ekey[ST_EKEY_MAX];
            size_t elen;
            st_ent he;
            int rc = ekey_of(h, txn, key, klen, ekey, &elen);
            if (rc || (rc = st_hist_before(h->st, txn, ekey, elen, rev + 1, &he)))
                return rc == SK_ENOTFOUND ? SK_EINTERNAL : rc;
            if (he.mod_rev != rev)
                return SK_EINTERNAL;
            e.create_rev = he.create_rev;
            e.version = he.version;
            e.lease = he.lease;
            val = he.value;
            vlen = he.value_len;
        }
        st_event_obj *o = event_new(type, &e, val, vlen);
        if (!o)
            return -ENOMEM;
        offer(h, w, o);
        st_event_unref(o);
        (*added)++;
        if (w->ending)
            return 0;
    }
    return 0;
}

static void catch_up(st_watch_hub *h, st_watcher *w)
{
    MDB_txn *txn;
    uint64_t cur = 0, compact = 0;
    int rc = rtxn(h, &txn);
    if (rc == 0 && (rc = st_meta_get_u64(txn, h->st, "rev", &cur)) == 0)
        rc = st_meta_get_u64(txn, h->st, "compact", &compact);
    if (rc) {
        end_watcher(h, w, rc, "watch: cannot read the store");
        return;
    }
    if (w->next_rev <= (int64_t)compact) {
        end_watcher(h, w, SK_ECOMPACTED, "compacted while the watcher was catching up");
        return;
    }
    MDB_cursor *cur_rl;
    if ((rc = mdb_cursor_open(txn, h->st->db_rev, &cur_rl))) {
        end_watcher(h, w, SK_EINTERNAL, "watch: cannot open the revision log");
        return;
    }
    uint8_t kb[8];
    st_put_u64(kb, (uint64_t)w->next_rev);
    MDB_val k = {8, kb}, v;
    size_t added = 0, revs = 0;
    rc = mdb_cursor_get(cur_rl, &k, &v, MDB_SET_RANGE);
    size_t room = h->st->o.max_watch_backlog / 2 + 1;
    while (rc == 0 && !w->ending && added < CATCHUP_EVENTS && revs < CATCHUP_REVS &&
           w->qlen < room) {
        int64_t r = (int64_t)st_get_u64(k.mv_data);
        if (r > (int64_t)cur)
            break;
        if ((rc = replay_rev(h, txn, w, r, &v, &added))) {
            end_watcher(h, w, rc, "watch: cannot replay history");
            break;
        }
        w->next_rev = r + 1;
        revs++;
        rc = mdb_cursor_get(cur_rl, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur_rl);
    if (w->ending)
        return;
    bool exhausted = rc == MDB_NOTFOUND || (rc == 0 && (int64_t)st_get_u64(k.mv_data) > (int64_t)cur);
    if (exhausted && w->next_rev <= (int64_t)cur)
        w->next_rev = (int64_t)cur + 1;
    if (w->next_rev > h->dispatched_rev)
        w->synced = true;
}

static bool is_retry(int rc)
{
    return rc == SK_EFULL || rc == -EAGAIN;
}

static void backoff(st_watcher *w, uint64_t now)
{
    w->retry_ms = w->retry_ms ? w->retry_ms * 2 : RETRY_MIN_MS;
    if (w->retry_ms > RETRY_MAX_MS)
        w->retry_ms = RETRY_MAX_MS;
    w->retry_at = now + w->retry_ms;
}

/* A part cut by the limits ends before the revision it would split, so
 * a consumer that has seen a part has every event of its revisions (a
 * cache may then serve them); only a revision larger than a whole part is
 * still split. */
static size_t whole_revisions(const st_watcher *w, const sk_store_event **part, size_t n)
{
    if (n == w->qlen)
        return n;
    int64_t next = w->q[w->qhead + n]->ev.kv.mod_rev;
    size_t k = n;
    while (k > 0 && part[k - 1]->kv.mod_rev == next)
        k--;
    return k > 0 ? k : n;
}

static void deliver(st_watch_hub *h, st_watcher *w, uint64_t now)
{
    if (w->ending || now < w->retry_at)
        return;
    int64_t rev = atomic_load(&h->st->rev);
    if (!w->created) {
        int rc = w->cbs.events(w->arg, rev, NULL, 0);
        if (is_retry(rc))
            return backoff(w, now);
        if (rc)
            return end_watcher(h, w, rc, "watch: consumer refused the stream");
        w->created = true;
    }
    while (w->qlen > 0 && !w->ending) {
        const sk_store_event *part[PART_EVENTS];
        size_t n = 0, bytes = 0;
        while (n < w->qlen && n < PART_EVENTS && (n == 0 || bytes < PART_BYTES)) {
            st_event_obj *o = w->q[w->qhead + n];
            part[n++] = &o->ev;
            bytes += o->ev.kv.key_len + o->ev.kv.value_len + o->ev.prev.value_len;
        }
        n = whole_revisions(w, part, n);
        int rc = w->cbs.events(w->arg, rev, part, n);
        if (is_retry(rc))
            return backoff(w, now);
        if (rc)
            return end_watcher(h, w, rc, "watch: consumer refused an event");
        for (size_t i = 0; i < n; i++)
            st_event_unref(w->q[w->qhead + i]);
        w->qhead += n;
        w->qlen -= n;
        w->retry_ms = 0;
    }
    if (w->qlen == 0)
        w->qhead = 0;
}

static void free_watcher(st_watch_hub *h, st_watcher *w)
{
    w->cbs.end(w->arg, w->end_status, w->end_msg, w->end_rev, w->end_compact);
    for (size_t i = 0; i < w->qlen; i++)
        st_event_unref(w->q[w->qhead + i]);
    free(w->q);
    free(w);
    atomic_fetch_sub(&h->count, 1);
}

/* Unlinks and ends every watcher marked ending. */
static void reap(st_watch_hub *h)
{
    st_watcher *dead = NULL;
    pthread_mutex_lock(&h->mu);
    for (st_watcher **p = &h->list; *p;) {
        st_watcher *w = *p;
        if (w->ending) {
            *p = w->next;
            w->next = dead;
            dead = w;
        } else {
            p = &w->next;
        }
    }
    pthread_mutex_unlock(&h->mu);
    while (dead) {
        st_watcher *n = dead->next;
        free_watcher(h, dead);
        dead = n;
    }
}

/* What the next round has to do: 1 now, 0 nothing until kicked, or the
 * earliest retry time through *wake. */
static bool pending_work(st_watch_hub *h, st_watcher *list, uint64_t now, uint64_t *wake)
{
    bool now_work = false;
    *wake = UINT64_MAX;
    for (st_watcher *w = list; w; w = w->next) {
        if (w->ending)
            return true;
        if (!w->synced && w->qlen < h->st->o.max_watch_backlog / 2 + 1)
            now_work = true;
        if (w->qlen || !w->created) {
            if (w->retry_at <= now)
                now_work = true;
            else if (w->retry_at < *wake)
                *wake = w->retry_at;
        }
    }
    return now_work;
}

static void round_once(st_watch_hub *h, st_batch *ring, st_watcher *list)
{
    while (ring) {
        st_batch *n = ring->next;
        atomic_fetch_sub(&h->ring_events, ring->nevs);
        fan_out(h, list, ring);
        st_batch_free(ring);
        ring = n;
    }
    for (st_watcher *w = list; w; w = w->next) {
        if (w->cancel_seen)
            end_watcher(h, w, SK_ECANCELED, "watch canceled");
        else if (!w->ending && !w->synced && w->qlen < h->st->o.max_watch_backlog / 2 + 1)
            catch_up(h, w);
    }
    rtxn_done(h);
    uint64_t now = mono_ms();
    for (st_watcher *w = list; w; w = w->next)
        deliver(h, w, now);
    reap(h);
}

static void wait_for_work(st_watch_hub *h, uint64_t wake)
{
    if (wake == UINT64_MAX) {
        pthread_cond_wait(&h->cv, &h->mu);
        return;
    }
    uint64_t now = mono_ms();
    if (wake <= now)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + (wake - now) * 1000000ull;
    ts.tv_sec += (time_t)(ns / 1000000000ull);
    ts.tv_nsec = (long)(ns % 1000000000ull);
    pthread_cond_timedwait(&h->cv, &h->mu, &ts);
}

static void *watch_main(void *arg)
{
    st_watch_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        uint64_t wake;
        while (!h->stop && !h->kick && !pending_work(h, h->list, mono_ms(), &wake))
            wait_for_work(h, wake);
        if (h->stop)
            break;
        h->kick = false;
        st_batch *ring = h->rhead;
        h->rhead = h->rtail = NULL;
        /* The list beyond its head is only unlinked by this thread, so it
         * can be walked without the lock; newer watchers wait a round. */
        st_watcher *list = h->list;
        for (st_watcher *w = list; w; w = w->next)
            w->cancel_seen = w->cancel_req;
        pthread_mutex_unlock(&h->mu);
        round_once(h, ring, list);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int st_hub_new(sk_store *st, st_watch_hub **out)
{
    st_watch_hub *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->st = st;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&h->mu, NULL);
    *out = h;
    return 0;
}

int st_hub_start(st_watch_hub *h)
{
    h->dispatched_rev = atomic_load(&h->st->rev);
    int rc = pthread_create(&h->thr, NULL, watch_main, h);
    if (rc)
        return -rc;
    h->started = true;
    return 0;
}

void st_hub_stop(st_watch_hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->started) {
        pthread_join(h->thr, NULL);
        h->started = false;
    }
    rtxn_done(h);
    /* The thread is gone: end what is left from here, same order. */
    for (st_watcher *w = h->list; w; w = w->next)
        end_watcher(h, w, SK_ESTOPPED, "store stopping");
    reap(h);
    for (st_batch *b = h->rhead, *n; b; b = n) {
        n = b->next;
        st_batch_free(b);
    }
    h->rhead = h->rtail = NULL;
}

void st_hub_free(st_watch_hub **hp)
{
    st_watch_hub *h = *hp;
    if (!h)
        return;
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
    *hp = NULL;
}
