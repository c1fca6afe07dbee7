/* The work queue: de-duplication, one worker per key, backoff, delays. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake.h"
#include "skiff/errors.h"
#include "skiff/workqueue.h"
#include "test_main.h"

static fake_loop loop;

static sk_workqueue *mkq(sk_workqueue_fn fn, void *arg, uint32_t workers)
{
    fake_loop_init(&loop);
    sk_workqueue_cfg cfg = {.loop = &fake_loop_api, .loop_ctx = &loop, .workers = workers,
                            .base_delay_ms = 5, .max_delay_ms = 1000, .process = fn, .arg = arg};
    sk_workqueue *q = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_workqueue_new(&cfg, &q), 0);
    return q;
}

static void test_dedup(void)
{
    sk_workqueue *q = mkq(NULL, NULL, 1);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "ns/a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "ns/b"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "ns/a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 2);
    const char *k;
    CU_ASSERT_EQUAL(sk_workqueue_get(q, &k), 0);
    CU_ASSERT_STRING_EQUAL(k, "ns/a");
    CU_ASSERT_EQUAL(sk_workqueue_done(q, k), 0);
    CU_ASSERT_EQUAL(sk_workqueue_get(q, &k), 0);
    CU_ASSERT_STRING_EQUAL(k, "ns/b");
    CU_ASSERT_EQUAL(sk_workqueue_done(q, k), 0);
    CU_ASSERT_EQUAL(sk_workqueue_get(q, &k), SK_ENOTFOUND);
    sk_workqueue_free(&q);
    CU_ASSERT_PTR_NULL(q);
}

static void test_no_concurrent_key(void)
{
    sk_workqueue *q = mkq(NULL, NULL, 2);
    const char *k, *k2;
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_get(q, &k), 0);
    /* Added again while processing: remembered, but not handed out. */
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 0);
    CU_ASSERT_EQUAL(sk_workqueue_get(q, &k2), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(sk_workqueue_done(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 1);
    CU_ASSERT_EQUAL(sk_workqueue_get(q, &k2), 0);
    CU_ASSERT_STRING_EQUAL(k2, "a");
    CU_ASSERT_EQUAL(sk_workqueue_done(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_done(q, "a"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 0);
    sk_workqueue_free(&q);
}

static void test_backoff(void)
{
    sk_workqueue *q = mkq(NULL, NULL, 1);
    CU_ASSERT_EQUAL(sk_workqueue_backoff_ms(q, "a"), 5);
    CU_ASSERT_EQUAL(sk_workqueue_add_rate_limited(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_requeues(q, "a"), 1);
    CU_ASSERT_EQUAL(sk_workqueue_backoff_ms(q, "a"), 10);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 0);
    fake_loop_advance(&loop, 4);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 0);
    fake_loop_advance(&loop, 1);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 1);
    for (int i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(sk_workqueue_add_rate_limited(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_backoff_ms(q, "a"), 1000); /* capped */
    sk_workqueue_forget(q, "a");
    CU_ASSERT_EQUAL(sk_workqueue_requeues(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_backoff_ms(q, "a"), 5);
    sk_workqueue_free(&q);
}

static void test_add_after_earliest_wins(void)
{
    sk_workqueue *q = mkq(NULL, NULL, 1);
    CU_ASSERT_EQUAL(sk_workqueue_add_after(q, "a", 100), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add_after(q, "a", 50), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add_after(q, "a", 200), 0);
    fake_loop_advance(&loop, 49);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 0);
    fake_loop_advance(&loop, 1);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 1);
    fake_loop_advance(&loop, 500);
    CU_ASSERT_EQUAL(sk_workqueue_len(q), 1);
    CU_ASSERT_EQUAL(fake_loop_pending(&loop), 0);
    sk_workqueue_free(&q);
}

/* Dispatch mode: a worker that finishes later. */
typedef struct seen {
    char keys[64][16];
    int n, fail_first;
    sk_workqueue *q;
} seen;

static void worker(void *arg, sk_workqueue *q, const char *key)
{
    seen *s = arg;
    snprintf(s->keys[s->n++ % 64], 16, "%s", key);
    (void)q;
}

static void test_dispatch_workers(void)
{
    seen s = {0};
    sk_workqueue *q = mkq(worker, &s, 2);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "a"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "b"), 0);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "c"), 0);
    CU_ASSERT_EQUAL(s.n, 0); /* never inside add() */
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(s.n, 2); /* two workers */
    CU_ASSERT_EQUAL(sk_workqueue_processing(q), 2);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "a"), 0);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(s.n, 2);
    /* a fails: retried after backoff, and its pending re-add is kept. */
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, "a", SK_ECONFLICT), 0);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(s.n, 3);
    CU_ASSERT_STRING_EQUAL(s.keys[2], "c");
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, "b", 0), 0);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(s.n, 4);
    CU_ASSERT_STRING_EQUAL(s.keys[3], "a");
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, "a", 0), 0);
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, "c", 0), 0);
    fake_loop_advance(&loop, 100); /* the delayed retry of a */
    CU_ASSERT_EQUAL(s.n, 5);
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, "a", 0), 0);
    CU_ASSERT_EQUAL(sk_workqueue_requeues(q, "a"), 0);
    sk_workqueue_shutdown(q);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "z"), SK_ESTOPPED);
    sk_workqueue_free(&q);
}

static void reader(void *arg, sk_workqueue *q, const char *key)
{
    seen *s = arg;
    s->n++;
    /* Re-adding itself while processing: handed out again after finish,
     * by a later pump (each pump takes at most the keys waiting then). */
    if (s->n < 50)
        CU_ASSERT_EQUAL(sk_workqueue_add(q, key), 0);
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, key, 0), 0);
}

static void test_self_readd_bounded(void)
{
    seen s = {0};
    sk_workqueue *q = mkq(reader, &s, 1);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, "a"), 0);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(s.n, 50);
    CU_ASSERT_EQUAL(fake_loop_pending(&loop), 0);
    sk_workqueue_free(&q);
}

static void test_bad_input(void)
{
    sk_workqueue *q = NULL;
    CU_ASSERT_EQUAL(sk_workqueue_new(&(sk_workqueue_cfg){0}, &q), -EINVAL);
    CU_ASSERT_EQUAL(sk_workqueue_add(NULL, "a"), -EINVAL);
    q = mkq(NULL, NULL, 1);
    CU_ASSERT_EQUAL(sk_workqueue_add(q, NULL), -EINVAL);
    CU_ASSERT_EQUAL(sk_workqueue_done(q, "nope"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(sk_workqueue_finish(q, "nope", 0), SK_ENOTFOUND);
    sk_workqueue_forget(q, "nope");
    sk_workqueue_free(&q);
    sk_workqueue_free(&q);
}

SK_TEST_MAIN("workqueue", SK_TEST(test_dedup), SK_TEST(test_no_concurrent_key),
             SK_TEST(test_backoff), SK_TEST(test_add_after_earliest_wins),
             SK_TEST(test_dispatch_workers), SK_TEST(test_self_readd_bounded),
             SK_TEST(test_bad_input))
