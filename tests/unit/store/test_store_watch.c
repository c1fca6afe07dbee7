/* Store core: watches from the past, the present and a compacted
 * revision; prev_kv; ordering and exactly-once; slow watchers; cancel. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "helpers.h"

#define WAIT_MS 10000

typedef struct rec_ev {
    int type;
    int64_t rev, version;
    char key[64], val[64], prev[64];
    bool has_prev;
} rec_ev;

typedef struct tw {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rec_ev *evs;
    size_t n, cap;
    int created;
    int64_t created_rev;
    bool ended;
    int end_status;
    char end_msg[256];
    int64_t end_rev, end_compact;
    int refuse; /* events() answer while non-zero */
    int ends;   /* must stay 1 */
} tw;

static int on_events(void *arg, int64_t rev, const sk_store_event *const *evs, size_t n)
{
    tw *w = arg;
    pthread_mutex_lock(&w->mu);
    if (w->refuse) {
        int r = w->refuse;
        pthread_mutex_unlock(&w->mu);
        return r;
    }
    if (n == 0) {
        w->created++;
        w->created_rev = rev;
    }
    for (size_t i = 0; i < n; i++) {
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 64;
            w->evs = realloc(w->evs, w->cap * sizeof *w->evs);
        }
        rec_ev *e = &w->evs[w->n++];
        memset(e, 0, sizeof *e);
        e->type = evs[i]->type;
        e->rev = evs[i]->kv.mod_rev;
        e->version = evs[i]->kv.version;
        snprintf(e->key, sizeof e->key, "%.*s", (int)evs[i]->kv.key_len,
                 (const char *)evs[i]->kv.key);
        if (evs[i]->kv.value)
            snprintf(e->val, sizeof e->val, "%.*s", (int)evs[i]->kv.value_len,
                     (const char *)evs[i]->kv.value);
        e->has_prev = evs[i]->has_prev;
        if (e->has_prev)
            snprintf(e->prev, sizeof e->prev, "%.*s", (int)evs[i]->prev.value_len,
                     (const char *)evs[i]->prev.value);
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void on_end(void *arg, int status, const char *msg, int64_t rev, int64_t compact)
{
    tw *w = arg;
    pthread_mutex_lock(&w->mu);
    w->ended = true;
    w->ends++;
    w->end_status = status;
    snprintf(w->end_msg, sizeof w->end_msg, "%s", msg);
    w->end_rev = rev;
    w->end_compact = compact;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static const sk_store_watch_cbs cbs = {on_events, on_end};

static tw *tw_new(void)
{
    tw *w = calloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    return w;
}

static void tw_free(tw *w)
{
    free(w->evs);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

static bool deadline_passed(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000 > WAIT_MS;
}

/* Waits (bounded) until w has n events, or has ended when n < 0. */
static bool tw_wait(tw *w, long n)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&w->mu);
    while (!(n < 0 ? w->ended : (long)w->n >= n) && !deadline_passed(&t0))
        th_cond_wait_ms(&w->cv, &w->mu, 20);
    bool ok = n < 0 ? w->ended : (long)w->n >= n;
    pthread_mutex_unlock(&w->mu);
    return ok;
}

static char *dir;
static sk_store *st;

static void setup(const sk_store_opts *o)
{
    th_setup("watch", o, &dir, &st);
}

static void teardown(void)
{
    th_teardown(&dir, &st);
}

static uint64_t watch(tw *w, const char *key, const char *end, int64_t start, bool prev)
{
    sk_store_watch_req rq = {.span = th_span(key, end), .start_rev = start, .prev_kv = prev};
    uint64_t id = 0;
    int rc = sk_store_watch(st, &rq, &cbs, w, &id, NULL, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    return id;
}

static void test_watch_present(void)
{
    setup(NULL);
    th_put(st, "/w/old", "o");
    tw *w = tw_new();
    watch(w, "/w/", "/w0", 0, false);
    /* the created notification says the watch is live */
    pthread_mutex_lock(&w->mu);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < 20; i++) {
        char k[32], v[32];
        snprintf(k, sizeof k, "/w/%02d", i % 5);
        snprintf(v, sizeof v, "v%d", i);
        th_put(st, k, v);
        th_put(st, "/other", v);
    }
    th_del(st, "/w/00", NULL);
    CU_ASSERT_TRUE(tw_wait(w, 21));
    pthread_mutex_lock(&w->mu);
    CU_ASSERT_EQUAL(w->created, 1);
    CU_ASSERT_EQUAL(w->n, 21);
    for (size_t i = 1; i < w->n; i++)
        CU_ASSERT(w->evs[i].rev > w->evs[i - 1].rev);
    CU_ASSERT_STRING_EQUAL(w->evs[0].key, "/w/00");
    CU_ASSERT_STRING_EQUAL(w->evs[0].val, "v0");
    CU_ASSERT_EQUAL(w->evs[20].type, SK_STORE_EV_DELETE);
    CU_ASSERT_STRING_EQUAL(w->evs[20].key, "/w/00");
    pthread_mutex_unlock(&w->mu);
    teardown();
    CU_ASSERT_TRUE(w->ended);
    CU_ASSERT_EQUAL(w->ends, 1);
    CU_ASSERT_EQUAL(w->end_status, SK_ESTOPPED);
    tw_free(w);
}

static void test_watch_past_then_live(void)
{
    setup(NULL);
    for (int i = 0; i < 50; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        th_put(st, "/k", v); /* revisions 2..51 */
    }
    tw *w = tw_new();
    watch(w, "/k", NULL, 10, true);
    for (int i = 50; i < 60; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        th_put(st, "/k", v);
    }
    CU_ASSERT_TRUE(tw_wait(w, 52));
    pthread_mutex_lock(&w->mu);
    CU_ASSERT_EQUAL(w->n, 52); /* revisions 10..61, each once */
    for (size_t i = 0; i < w->n; i++) {
        CU_ASSERT_EQUAL(w->evs[i].rev, (int64_t)i + 10);
        char want[16], prev[16];
        snprintf(want, sizeof want, "%zu", i + 8);
        snprintf(prev, sizeof prev, "%zu", i + 7);
        CU_ASSERT_STRING_EQUAL(w->evs[i].val, want);
        CU_ASSERT_TRUE(w->evs[i].has_prev);
        CU_ASSERT_STRING_EQUAL(w->evs[i].prev, prev);
    }
    pthread_mutex_unlock(&w->mu);
    teardown();
    tw_free(w);
}

static void test_watch_compacted(void)
{
    setup(NULL);
    for (int i = 0; i < 10; i++)
        th_put(st, "/c", "v"); /* 2..11 */
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_compact_sync(st, 8, false, &r), 0);
    sk_store_result_free(&r);
    tw *w = tw_new();
    sk_store_watch_req rq = {.span = {.key = (const uint8_t *)"/c", .key_len = 2},
                             .start_rev = 8};
    uint64_t id;
    int64_t rev = 0, compact = 0;
    CU_ASSERT_EQUAL(sk_store_watch(st, &rq, &cbs, w, &id, &rev, &compact), SK_ECOMPACTED);
    CU_ASSERT_EQUAL(rev, 11);
    CU_ASSERT_EQUAL(compact, 8);
    /* just after the compaction point works, from history */
    rq.start_rev = 9;
    CU_ASSERT_EQUAL(sk_store_watch(st, &rq, &cbs, w, &id, &rev, &compact), 0);
    CU_ASSERT_TRUE(tw_wait(w, 3));
    CU_ASSERT_EQUAL(w->evs[0].rev, 9);
    teardown();
    CU_ASSERT_EQUAL(w->ends, 1);
    tw_free(w);
}

static void test_watch_prefix_and_txn(void)
{
    setup(NULL);
    tw *all = tw_new(), *one = tw_new();
    watch(all, "", "", 0, false); /* everything */
    watch(one, "/t/b", NULL, 0, true);
    sk_store_op ops[3] = {
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/t/a", .key_len = 4},
         .value = (const uint8_t *)"1", .value_len = 1},
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/t/b", .key_len = 4},
         .value = (const uint8_t *)"1", .value_len = 1},
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/t/c", .key_len = 4},
         .value = (const uint8_t *)"1", .value_len = 1},
    };
    sk_store_txn t = {.success = ops, .nsuccess = 3};
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
    sk_store_result_free(&r);
    th_put(st, "/t/b", "2");
    th_del(st, "/t/", "/t0");
    CU_ASSERT_TRUE(tw_wait(all, 7));
    CU_ASSERT_TRUE(tw_wait(one, 3));
    CU_ASSERT_EQUAL(all->evs[0].rev, all->evs[2].rev); /* one txn, one revision */
    CU_ASSERT_STRING_EQUAL(all->evs[1].key, "/t/b");
    CU_ASSERT_EQUAL(one->n, 3);
    CU_ASSERT_FALSE(one->evs[0].has_prev);
    CU_ASSERT_STRING_EQUAL(one->evs[1].prev, "1");
    CU_ASSERT_EQUAL(one->evs[2].type, SK_STORE_EV_DELETE);
    CU_ASSERT_STRING_EQUAL(one->evs[2].prev, "2");
    teardown();
    tw_free(all);
    tw_free(one);
}

static void test_watch_cancel(void)
{
    setup(NULL);
    tw *w = tw_new();
    uint64_t id = watch(w, "/x", NULL, 0, false);
    th_put(st, "/x", "1");
    CU_ASSERT_TRUE(tw_wait(w, 1));
    CU_ASSERT_EQUAL(sk_store_watch_cancel(st, id), 0);
    CU_ASSERT_TRUE(tw_wait(w, -1));
    CU_ASSERT_EQUAL(w->end_status, SK_ECANCELED);
    CU_ASSERT_EQUAL(sk_store_watch_cancel(st, id), SK_ENOTFOUND);
    th_put(st, "/x", "2");
    teardown();
    CU_ASSERT_EQUAL(w->ends, 1);
    CU_ASSERT_EQUAL(w->n, 1);
    tw_free(w);
}

/* A consumer that never takes anything is cancelled once max_watch_backlog
 * events wait for it; writers and a healthy watcher carry on meanwhile. */
static void test_slow_watcher_cancelled(void)
{
    sk_store_opts o = {.max_watch_backlog = 100};
    setup(&o);
    tw *slow = tw_new(), *fast = tw_new();
    slow->refuse = SK_EFULL;
    watch(slow, "/s", NULL, 0, false);
    watch(fast, "/s", NULL, 0, false);
    for (int i = 0; i < 300; i++)
        CU_ASSERT(th_put(st, "/s", "v") > 0);
    CU_ASSERT_TRUE(tw_wait(slow, -1));
    CU_ASSERT_EQUAL(slow->end_status, SK_EFULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(slow->end_msg, "behind"));
    CU_ASSERT_TRUE(tw_wait(fast, 300));
    CU_ASSERT_FALSE(fast->ended);
    /* a consumer that is only temporarily full loses nothing */
    tw *blip = tw_new();
    blip->refuse = SK_EFULL;
    watch(blip, "/s", NULL, 0, false);
    for (int i = 0; i < 50; i++)
        th_put(st, "/s", "w");
    pthread_mutex_lock(&blip->mu);
    blip->refuse = 0;
    pthread_mutex_unlock(&blip->mu);
    CU_ASSERT_TRUE(tw_wait(blip, 50));
    CU_ASSERT_EQUAL(blip->n, 50);
    CU_ASSERT_FALSE(blip->ended);
    teardown();
    tw_free(slow);
    tw_free(fast);
    tw_free(blip);
}

/* Many watchers, some from the past, while writes continue: each sees
 * each revision of its key exactly once and in order. */
static void test_many_watchers(void)
{
    setup(NULL);
    enum { NW = 40, NPUT = 200 };
    tw *w[NW];
    for (int i = 0; i < NW; i++)
        w[i] = tw_new();
    for (int i = 0; i < NPUT; i++) {
        if (i % 5 == 0)
            watch(w[i / 5], "/m", NULL, 2, false);
        th_put(st, "/m", "v");
    }
    for (int i = 0; i < NW; i++) {
        CU_ASSERT_TRUE(tw_wait(w[i], NPUT));
        CU_ASSERT_EQUAL(w[i]->n, NPUT);
        for (size_t j = 0; j < w[i]->n; j++)
            CU_ASSERT_EQUAL(w[i]->evs[j].rev, (int64_t)j + 2);
    }
    teardown();
    for (int i = 0; i < NW; i++)
        tw_free(w[i]);
}

static void test_watch_bad(void)
{
    setup(NULL);
    tw *w = tw_new();
    uint64_t id;
    sk_store_watch_req rq = {.span = {.key = NULL, .key_len = 0}};
    CU_ASSERT_EQUAL(sk_store_watch(st, &rq, &cbs, w, &id, NULL, NULL), SK_EBADMSG);
    rq.span.key = (const uint8_t *)"a";
    rq.span.key_len = 1;
    rq.start_rev = -1;
    CU_ASSERT_EQUAL(sk_store_watch(st, &rq, &cbs, w, &id, NULL, NULL), SK_EBADMSG);
    /* a watch from the future waits for its revision */
    rq.start_rev = 5;
    CU_ASSERT_EQUAL(sk_store_watch(st, &rq, &cbs, w, &id, NULL, NULL), 0);
    for (int i = 0; i < 6; i++)
        th_put(st, "a", "v"); /* 2..7 */
    CU_ASSERT_TRUE(tw_wait(w, 3));
    CU_ASSERT_EQUAL(w->evs[0].rev, 5);
    teardown();
    tw_free(w);
}

int main(void)
{
    static const th_test tests[] = {
        {"watch from the present", test_watch_present},
        {"watch from the past, then live", test_watch_past_then_live},
        {"watch from a compacted revision", test_watch_compacted},
        {"prefix watch and txn events", test_watch_prefix_and_txn},
        {"cancel", test_watch_cancel},
        {"slow watcher cancelled, others unaffected", test_slow_watcher_cancelled},
        {"many watchers, exactly once", test_many_watchers},
        {"bad watch requests", test_watch_bad},
        {NULL, NULL},
    };
    return th_run_suite("store-watch", tests);
}
