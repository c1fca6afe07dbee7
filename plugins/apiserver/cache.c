/* The object cache (cache.h).
 *
 * A sync thread lists /registry/ page by page at one revision R (blocking
 * store calls must stay off the loop thread, which serves the bus), swaps
 * the result in, and posts the loop thread a store watch from R+1; the
 * loop thread applies each watch part under the write lock. When the
 * watch ends (store stopped or swapped, compacted, too slow) the cache
 * stops answering and the sync thread lists again, backing off while the
 * store is away. Readers copy what they need under the read lock. */
#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_table.h"
#include "json_mp.h"
#include "objects.h"

#define PREFIX "/registry/"
#define PAGE 500
#define FRESH_WAIT_MS 500
#define RETRY_MIN_MS 200
#define RETRY_MAX_MS 5000

struct ap_cache {
    ap_server *s;
    pthread_rwlock_t lock;
    ap_ctable t;         /* under lock */
    atomic_llong rev;    /* every event up to rev is applied; written under lock */
    atomic_bool ready;   /* synced and watching; written under lock */
    atomic_llong seen;   /* the newest store revision this server has seen */
    atomic_int waiters;
    atomic_llong lag_logged; /* time() of the last "cache behind" warning */
    pthread_mutex_t mu;  /* with fresh (readers) and wake (sync thread) */
    pthread_cond_t fresh, wake;
    bool want_sync, quit; /* under mu */
    pthread_t thr;
    bool thr_started;
    atomic_llong watch_from; /* handed from the sync thread to the loop */
    /* loop thread */
    uint64_t req_id;
    bool req_active;
    sk_metric *hits, *misses, *objects;
};

/* CLOCK_REALTIME ms from now, for pthread_cond_timedwait(). */
static struct timespec deadline_in(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

void ap_cache_saw(ap_server *s, int64_t rev)
{
    ap_cache *c = s->cache;
    if (!c)
        return;
    long long cur = atomic_load(&c->seen);
    while (rev > cur && !atomic_compare_exchange_weak(&c->seen, &cur, rev))
        ;
}

static void notify_fresh(ap_cache *c)
{
    if (atomic_load(&c->waiters) == 0)
        return;
    pthread_mutex_lock(&c->mu);
    pthread_cond_broadcast(&c->fresh);
    pthread_mutex_unlock(&c->mu);
}

static void want_sync(ap_cache *c)
{
    pthread_mutex_lock(&c->mu);
    c->want_sync = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
}

static void set_unready(ap_cache *c)
{
    pthread_rwlock_wrlock(&c->lock);
    atomic_store(&c->ready, false);
    pthread_rwlock_unlock(&c->lock);
    notify_fresh(c);
}

/* ---- applying the watch (loop thread) ---- */

static int apply_event(ap_cache *c, sk_mp_view ev, int64_t *rev)
{
    sk_mp_view x, kv;
    const void *key, *val;
    size_t klen, vlen;
    int64_t mod = 0, create = 0;
    if (sk_mp_find(ev, "kv", &kv) || sk_mp_find(kv, "key", &x) || sk_mp_get_bin(x, &key, &klen) ||
        sk_mp_find(kv, "mod_revision", &x) || sk_mp_get_int(x, &mod))
        return SK_EBADMSG;
    if (mod > *rev)
        *rev = mod;
    bool put = sk_mp_find(ev, "type", &x) == 0 && sk_mp_str_eq(x, "put");
    if (!put) {
        ap_ctable_del(&c->t, key, klen);
        return 0;
    }
    sk_mp_view obj;
    if (sk_mp_find(kv, "create_revision", &x) || sk_mp_get_int(x, &create) ||
        sk_mp_find(kv, "value", &x) || sk_mp_get_bin(x, &val, &vlen) ||
        sk_mp_check(val, vlen, SK_MP_MAX_DEPTH, &obj))
        return SK_EBADMSG;
    return ap_ctable_put(&c->t, key, klen, val, vlen, mod, create);
}

/* 0, or an error after which the cache no longer matches the store. */
static int apply_part(ap_cache *c, const void *data, size_t len)
{
    sk_mp_view v, evs, e;
    sk_mp_iter it;
    if (sk_mp_check(data, len, 32, &v))
        return SK_EBADMSG;
    if (sk_mp_find(v, "events", &evs))
        return 0; /* created, or the cancel notice */
    if (sk_mp_iter_init(evs, &it, NULL))
        return SK_EBADMSG;
    int rc = 0;
    pthread_rwlock_wrlock(&c->lock);
    int64_t rev = atomic_load(&c->rev);
    while (rc == 0 && sk_mp_iter_next(&it, NULL, &e) == 1)
        rc = apply_event(c, e, &rev);
    atomic_store(&c->rev, rev);
    if (rc) /* half applied: no reader may see it */
        atomic_store(&c->ready, false);
    size_t n = c->t.n;
    pthread_rwlock_unlock(&c->lock);
    if (c->objects)
        c->s->h->metrics->set(c->objects, (double)n);
    notify_fresh(c);
    return rc;
}

static void on_watch(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    ap_cache *c = arg;
    ap_server *s = c->s;
    if (status == SK_BUS_MORE) {
        int rc = apply_part(c, data, len);
        if (rc == 0)
            return;
        sk_warn(s->h, "apiserver: cache: cannot apply a store watch part (%s); resyncing",
                sk_strerror(rc));
        s->h->bus->cancel(s->h->bus_ctx, c->req_id);
        status = rc;
        errmsg = sk_strerror(rc);
    }
    c->req_active = false;
    if (atomic_load(&s->stopping))
        return;
    sk_info(s->h, "apiserver: cache: store watch ended (%s); reads go to the store until it "
                  "is synced again", errmsg);
    set_unready(c);
    want_sync(c);
}

static void start_watch(void *arg)
{
    ap_cache *c = arg;
    ap_server *s = c->s;
    if (atomic_load(&s->stopping) || c->req_active)
        return;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    sk_mp_put_str(&b, "key");
    sk_mp_put_bin(&b, PREFIX, strlen(PREFIX));
    sk_mp_put_str(&b, "prefix");
    sk_mp_put_bool(&b, true);
    sk_mp_put_str(&b, "start_revision");
    sk_mp_put_int(&b, atomic_load(&c->watch_from));
    int rc = b.err ? b.err
                   : sk_request(s->h, s->conf.store_service, "watch", b.data, b.len, 0,
                                on_watch, c, &c->req_id);
    sk_mp_buf_free(&b);
    if (rc) {
        sk_warn(s->h, "apiserver: cache: cannot watch the store: %s", sk_strerror(rc));
        set_unready(c);
        want_sync(c);
        return;
    }
    c->req_active = true;
}

/* ---- listing (sync thread) ---- */

static int load_page(ap_server *s, ap_ctable *t, char *from, size_t *from_len, int64_t *rev,
                     bool *more, sk_apierr *err)
{
    char end[64];
    size_t end_len = ap_prefix_end(PREFIX, strlen(PREFIX), end);
    ap_range r;
    int rc = ap_store_range(s, from, *from_len, end, end_len, PAGE, *rev, &r, err);
    if (rc)
        return rc;
    if (*rev <= 0)
        *rev = r.rev;
    ap_kv kv;
    while ((rc = ap_range_next(&r, &kv)) == 1) {
        if (kv.key_len >= 4096) {
            rc = sk_apierr_set(err, SK_EBADMSG, "store key too long");
            break;
        }
        if (kv.value.p && (rc = ap_ctable_put(t, (const char *)kv.key, kv.key_len, kv.value.p,
                                              kv.value.len, kv.mod_rev, kv.create_rev)))
            break;
        /* The next page starts just after this key. */
        memcpy(from, kv.key, kv.key_len);
        from[kv.key_len] = '\0';
        *from_len = kv.key_len + 1;
    }
    *more = r.more;
    ap_range_free(&r);
    return rc < 0 ? rc : 0;
}

static int load(ap_server *s, ap_ctable *t, int64_t *rev, sk_apierr *err)
{
    char from[4100];
    size_t from_len = strlen(PREFIX);
    memcpy(from, PREFIX, from_len);
    *rev = 0;
    int rc = ap_ctable_init(t, 1024);
    bool more = true;
    while (rc == 0 && more && !atomic_load(&s->stopping))
        rc = load_page(s, t, from, &from_len, rev, &more, err);
    if (rc == 0 && more)
        rc = SK_ESTOPPED;
    if (rc)
        ap_ctable_free(t);
    return rc;
}

static void install(ap_cache *c, ap_ctable *t, int64_t rev)
{
    pthread_rwlock_wrlock(&c->lock);
    ap_ctable old = c->t;
    c->t = *t;
    atomic_store(&c->rev, rev);
    atomic_store(&c->ready, true);
    pthread_rwlock_unlock(&c->lock);
    ap_ctable_free(&old);
    if (c->objects)
        c->s->h->metrics->set(c->objects, (double)t->n);
    notify_fresh(c);
}

/* Waits for a sync request (or quit, or ms passing when ms > 0); true to
 * go on syncing. */
static bool wait_wake(ap_cache *c, int ms)
{
    pthread_mutex_lock(&c->mu);
    if (ms > 0 && !c->quit) {
        struct timespec ts = deadline_in(ms);
        pthread_cond_timedwait(&c->wake, &c->mu, &ts);
    }
    while (!c->want_sync && !c->quit)
        pthread_cond_wait(&c->wake, &c->mu);
    c->want_sync = false;
    bool go = !c->quit;
    pthread_mutex_unlock(&c->mu);
    return go;
}

static void *sync_main(void *arg)
{
    ap_cache *c = arg;
    ap_server *s = c->s;
    int backoff = 0;
    while (wait_wake(c, backoff)) {
        ap_ctable t;
        int64_t rev;
        sk_apierr err = {{0}};
        int rc = load(s, &t, &rev, &err);
        if (rc) {
            if (backoff == 0 || backoff >= RETRY_MAX_MS)
                sk_info(s->h, "apiserver: cache: cannot list the store (%s); retrying",
                        *err.msg ? err.msg : sk_strerror(rc));
            backoff = backoff ? (backoff * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : backoff * 2)
                              : RETRY_MIN_MS;
            want_sync(c);
            continue;
        }
        backoff = 0;
        size_t n = t.n;
        install(c, &t, rev);
        atomic_store(&c->watch_from, rev + 1);
        sk_debug(s->h, "apiserver: cache: synced %zu objects at revision %lld", n, (long long)rev);
        if ((rc = sk_post(s->h, start_watch, c))) {
            sk_warn(s->h, "apiserver: cache: cannot reach the loop thread: %s", sk_strerror(rc));
            set_unready(c);
            backoff = RETRY_MIN_MS;
            want_sync(c);
        }
    }
    return NULL;
}

/* ---- lifecycle ---- */

int ap_cache_start(ap_server *s)
{
    ap_cache *c = s->cache;
    if (!c) {
        if (!(c = calloc(1, sizeof *c)))
            return -ENOMEM;
        c->s = s;
        /* Writers first: a stream of readers must not hold back the watch. */
        pthread_rwlockattr_t ra;
        pthread_rwlockattr_init(&ra);
        pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&c->lock, &ra);
        pthread_rwlockattr_destroy(&ra);
        pthread_mutex_init(&c->mu, NULL);
        pthread_cond_init(&c->fresh, NULL);
        pthread_cond_init(&c->wake, NULL);
        s->cache = c;
    }
    c->quit = false;
    c->want_sync = true;
    c->hits = sk_counter(s->h, "apiserver_cache_reads_total",
                         "Single-object reads, by where they were served from.",
                         "from=\"cache\"");
    c->misses = sk_counter(s->h, "apiserver_cache_reads_total",
                           "Single-object reads, by where they were served from.",
                           "from=\"store\"");
    c->objects = sk_gauge(s->h, "apiserver_cache_objects", "Objects held by the read cache.",
                          NULL);
    int rc = pthread_create(&c->thr, NULL, sync_main, c);
    if (rc) {
        sk_error(s->h, "apiserver: cache: cannot start its thread: %s", strerror(rc));
        return -rc;
    }
    c->thr_started = true;
    return 0;
}

void ap_cache_stop(ap_server *s)
{
    ap_cache *c = s->cache;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->quit = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    if (c->thr_started)
        pthread_join(c->thr, NULL);
    c->thr_started = false;
    if (c->req_active)
        s->h->bus->cancel(s->h->bus_ctx, c->req_id);
    c->req_active = false;
    set_unready(c);
}

void ap_cache_free(ap_server *s)
{
    ap_cache *c = s->cache;
    if (!c)
        return;
    ap_ctable_free(&c->t);
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->fresh);
    pthread_cond_destroy(&c->wake);
    free(c);
    s->cache = NULL;
}

/* ---- reading (any thread) ---- */

/* True once rev >= want, waiting up to FRESH_WAIT_MS. */
static bool wait_fresh(ap_cache *c, int64_t want)
{
    if (atomic_load(&c->rev) >= want)
        return true;
    struct timespec ts = deadline_in(FRESH_WAIT_MS);
    atomic_fetch_add(&c->waiters, 1);
    pthread_mutex_lock(&c->mu);
    int rc = 0;
    while (atomic_load(&c->ready) && atomic_load(&c->rev) < want && rc == 0)
        rc = pthread_cond_timedwait(&c->fresh, &c->mu, &ts);
    pthread_mutex_unlock(&c->mu);
    atomic_fetch_sub(&c->waiters, 1);
    if (atomic_load(&c->rev) >= want)
        return true;
    /* The store is slow to deliver, or a revision came without events:
     * reads go to the store meanwhile. Said at most every 10 s. */
    long long now = (long long)time(NULL), last = atomic_load(&c->lag_logged);
    if (atomic_load(&c->ready) && now - last >= 10 &&
        atomic_compare_exchange_strong(&c->lag_logged, &last, now))
        sk_warn(c->s->h, "apiserver: cache: at revision %lld, %lld wanted after %d ms; reading "
                         "from the store", (long long)atomic_load(&c->rev), (long long)want,
                FRESH_WAIT_MS);
    return false;
}

int ap_cache_ref(ap_server *s, const char *key, const ap_centry **out)
{
    ap_cache *c = s->cache;
    if (!c || !atomic_load(&c->ready) || !wait_fresh(c, atomic_load(&c->seen)))
        return SK_EUNAVAILABLE;
    int rc = SK_EUNAVAILABLE;
    pthread_rwlock_rdlock(&c->lock);
    if (atomic_load(&c->ready)) {
        const ap_centry *e = ap_ctable_find(&c->t, key, strlen(key));
        rc = e ? 0 : SK_ENOTFOUND;
        if (e) {
            ap_centry_ref(e);
            *out = e;
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

int ap_cache_get(ap_server *s, const char *key, void **buf, ap_kv *kv)
{
    const ap_centry *e;
    int rc = ap_cache_ref(s, key, &e);
    if (rc)
        return rc;
    uint8_t *b = malloc(e->val_len + e->key_len);
    if (b) {
        memcpy(b, e->val, e->val_len);
        memcpy(b + e->val_len, e->key, e->key_len);
        *kv = (ap_kv){.key = b + e->val_len, .key_len = e->key_len,
                      .value = {.p = b, .len = e->val_len},
                      .mod_rev = e->mod_rev, .create_rev = e->create_rev};
        *buf = b;
    }
    ap_centry_unref(e);
    return b ? 0 : SK_EUNAVAILABLE;
}

const ap_ctext *ap_centry_json(const ap_centry *e)
{
    ap_ctext *t = atomic_load(&((ap_centry *)e)->json);
    if (t)
        return t;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    char *text = NULL;
    size_t n = 0;
    sk_apierr err = {{0}};
    if (ap_mp_with_rv((sk_mp_view){.p = e->val, .len = e->val_len}, e->mod_rev, &b) == 0)
        sk_mp_to_json_text(b.data, b.len, NULL, &text, &n, &err);
    sk_mp_buf_free(&b);
    t = text ? malloc(sizeof *t + n + 1) : NULL;
    if (t) {
        t->len = n;
        memcpy(t->text, text, n + 1);
    }
    free(text);
    if (!t)
        return NULL;
    /* Two readers may race to render it: the first one's text stays. */
    ap_ctext *none = NULL;
    if (!atomic_compare_exchange_strong(&((ap_centry *)e)->json, &none, t)) {
        free(t);
        return none;
    }
    return t;
}

typedef struct collect {
    ap_cache_snap *sn;
    size_t cap;
    bool oom;
} collect;

static void collect_one(void *arg, const ap_centry *e)
{
    collect *c = arg;
    if (c->oom)
        return;
    if (c->sn->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        const ap_centry **p = realloc(c->sn->e, cap * sizeof *p);
        if (!p) {
            c->oom = true;
            return;
        }
        c->sn->e = p;
        c->cap = cap;
    }
    ap_centry_ref(e);
    c->sn->e[c->sn->n++] = e;
}

static int by_key(const void *a, const void *b)
{
    const ap_centry *x = *(const ap_centry *const *)a, *y = *(const ap_centry *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int d = memcmp(x->key, y->key, n);
    return d ? d : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

int ap_cache_list(ap_server *s, const char *prefix, size_t plen, ap_cache_snap *out)
{
    ap_cache *c = s->cache;
    memset(out, 0, sizeof *out);
    if (!c || !atomic_load(&c->ready) || !wait_fresh(c, atomic_load(&c->seen)))
        return SK_EUNAVAILABLE;
    collect col = {.sn = out};
    pthread_rwlock_rdlock(&c->lock);
    bool ready = atomic_load(&c->ready);
    if (ready) {
        ap_ctable_scan(&c->t, prefix, plen, collect_one, &col);
        out->rev = atomic_load(&c->rev);
    }
    pthread_rwlock_unlock(&c->lock);
    if (!ready || col.oom) {
        ap_cache_snap_free(out);
        return SK_EUNAVAILABLE;
    }
    if (out->n > 1)
        qsort(out->e, out->n, sizeof *out->e, by_key);
    return 0;
}

void ap_cache_snap_free(ap_cache_snap *sn)
{
    for (size_t i = 0; i < sn->n; i++)
        ap_centry_unref(sn->e[i]);
    free(sn->e);
    memset(sn, 0, sizeof *sn);
}

void ap_cache_count(ap_server *s, bool hit)
{
    ap_cache *c = s->cache;
    sk_metric *m = c ? (hit ? c->hits : c->misses) : NULL;
    if (m)
        s->h->metrics->add(m, 1);
}

int ap_object_get(ap_server *s, const char *key, void **buf, ap_kv *kv, sk_apierr *err)
{
    *buf = NULL;
    int rc = ap_cache_get(s, key, buf, kv);
    ap_cache_count(s, rc != SK_EUNAVAILABLE);
    return rc != SK_EUNAVAILABLE ? rc : ap_store_get(s, key, buf, kv, err);
}
