/* Leader election against a fake Lease held by the test. */
#include <stdio.h>
#include <string.h>

#include "fake.h"
#include "skiff/errors.h"
#include "skiff/leader.h"
#include "test_main.h"

static fake_loop loop;
static fake_transport tr;
static int started, stopped;
static void on_start(void *a) { (void)a; started++; }
static void on_stop(void *a) { (void)a; stopped++; }
static int64_t wall(void *a) { (void)a; return 1764000000000LL + (int64_t)loop.now; }

static sk_leader *mk(const char *id)
{
    sk_leader_cfg cfg = {.transport = fake_transport_api(&tr), .loop = &fake_loop_api,
                         .loop_ctx = &loop, .namespace_ = "kube-system", .name = "ctl",
                         .identity = id, .lease_duration_ms = 15000,
                         .renew_deadline_ms = 10000, .retry_period_ms = 2000,
                         .wall_ms = wall, .on_start = on_start, .on_stop = on_stop};
    sk_leader *l = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_leader_new(&cfg, &l), 0);
    return l;
}

static void reset(void)
{
    fake_loop_init(&loop);
    fake_transport_init(&tr);
    started = stopped = 0;
}

static void body_str(fake_req *r, const char *path, char *buf, size_t n)
{
    sk_mp_view v;
    buf[0] = 0;
    if (sk_mp_check(r->data, r->len, 16, &v) == 0)
        (void)sk_mp_find_str(v, path, buf, n);
}

static void lease(fake_req *r, const char *holder, const char *renew, int transitions,
                  const char *rv)
{
    char j[512];
    snprintf(j, sizeof j,
             "{\"metadata\":{\"name\":\"ctl\",\"namespace\":\"kube-system\",\"resourceVersion\":"
             "\"%s\"},\"spec\":{\"holderIdentity\":\"%s\",\"leaseDurationSeconds\":15,"
             "\"renewTime\":\"%s\",\"acquireTime\":\"2025-11-24T16:00:00.000000Z\","
             "\"leaseTransitions\":%d}}",
             rv, holder, renew, transitions);
    fake_reply(r, 0, j);
}

static void test_acquire_absent_and_renew(void)
{
    reset();
    sk_leader *l = mk("me");
    CU_ASSERT_EQUAL(sk_leader_start(l), 0);
    fake_loop_advance(&loop, 0);
    fake_reply(fake_last(&tr, "get"), SK_ENOTFOUND, NULL);
    fake_req *c = fake_last(&tr, "create");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char s[64];
    body_str(c, "body.spec.holderIdentity", s, sizeof s);
    CU_ASSERT_STRING_EQUAL(s, "me");
    body_str(c, "body.spec.renewTime", s, sizeof s);
    CU_ASSERT_EQUAL(strlen(s), 27);
    CU_ASSERT_EQUAL(started, 0);
    lease(c, "me", "t1", 0, "1");
    CU_ASSERT_TRUE(sk_leader_is_leader(l));
    CU_ASSERT_EQUAL(started, 1);
    /* Renew every retry period, with the resourceVersion seen. */
    fake_loop_advance(&loop, 2000);
    lease(fake_last(&tr, "get"), "me", "t1", 0, "1");
    fake_req *u = fake_last(&tr, "update");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    body_str(u, "body.metadata.resourceVersion", s, sizeof s);
    CU_ASSERT_STRING_EQUAL(s, "1");
    lease(u, "me", "t2", 0, "2");
    CU_ASSERT_EQUAL(started, 1);
    /* Renewals fail (conflicts) past the renew deadline: stop leading. */
    for (int i = 0; i < 6; i++) {
        fake_loop_advance(&loop, 2000);
        fake_reply(fake_last(&tr, "get"), SK_EUNAVAILABLE, NULL);
    }
    CU_ASSERT_FALSE(sk_leader_is_leader(l));
    CU_ASSERT_EQUAL(stopped, 1);
    sk_leader_free(&l);
    fake_transport_free(&tr);
}

static void test_respects_live_holder_then_takes_over(void)
{
    reset();
    sk_leader *l = mk("me");
    CU_ASSERT_EQUAL(sk_leader_start(l), 0);
    /* The other holder renews for a while: never ours. */
    for (int i = 0; i < 10; i++) {
        char renew[16];
        snprintf(renew, sizeof renew, "r%d", i);
        fake_loop_advance(&loop, i ? 2000 : 0);
        lease(fake_last(&tr, "get"), "other", renew, 3, "7");
        CU_ASSERT_PTR_NULL(fake_last(&tr, "update"));
    }
    CU_ASSERT_STRING_EQUAL(sk_leader_holder(l), "other");
    /* It stops renewing: after leaseDurationSeconds of OUR clock, take over. */
    int tries = 0;
    while (!fake_last(&tr, "update") && tries++ < 20) {
        fake_loop_advance(&loop, 2000);
        lease(fake_last(&tr, "get"), "other", "r9", 3, "7");
    }
    CU_ASSERT(tries >= 7 && tries <= 8);
    fake_req *u = fake_last(&tr, "update");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    sk_mp_view v, t;
    CU_ASSERT_EQUAL(sk_mp_check(u->data, u->len, 16, &v), 0);
    int64_t tr_n = 0;
    CU_ASSERT_EQUAL(sk_mp_find(v, "body.spec.leaseTransitions", &t), 0);
    CU_ASSERT_EQUAL(sk_mp_get_int(t, &tr_n), 0);
    CU_ASSERT_EQUAL(tr_n, 4);
    /* A conflict (someone else won the race) keeps us follower. */
    fake_reply(u, SK_ECONFLICT, NULL);
    CU_ASSERT_FALSE(sk_leader_is_leader(l));
    CU_ASSERT_EQUAL(started, 0);
    sk_leader_free(&l);
    fake_transport_free(&tr);
}

static void test_release_on_stop(void)
{
    reset();
    sk_leader *l = mk("me");
    CU_ASSERT_EQUAL(sk_leader_start(l), 0);
    fake_loop_advance(&loop, 0);
    lease(fake_last(&tr, "get"), "", "", 2, "5");
    lease(fake_last(&tr, "update"), "me", "x", 3, "6");
    CU_ASSERT_TRUE(sk_leader_is_leader(l));
    sk_leader_stop(l);
    CU_ASSERT_EQUAL(stopped, 1);
    fake_req *u = fake_last(&tr, "update");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    char s[64];
    body_str(u, "body.spec.holderIdentity", s, sizeof s);
    CU_ASSERT_STRING_EQUAL(s, "");
    sk_leader_stop(l);
    CU_ASSERT_EQUAL(stopped, 1);
    sk_leader_free(&l);
    CU_ASSERT_EQUAL(fake_loop_pending(&loop), 0);
    fake_transport_free(&tr);
}

static void test_time_format(void)
{
    char buf[32];
    sk_format_micro_time(1764000000123LL, buf);
    CU_ASSERT_STRING_EQUAL(buf, "2025-11-24T16:00:00.123000Z");
    int64_t ms = 0;
    CU_ASSERT_EQUAL(sk_parse_time(buf, strlen(buf), &ms), 0);
    CU_ASSERT_EQUAL(ms, 1764000000123LL);
    CU_ASSERT_EQUAL(sk_parse_time("2025-11-24T17:00:00+01:00", 25, &ms), 0);
    CU_ASSERT_EQUAL(ms, 1764000000000LL);
    CU_ASSERT_EQUAL(sk_parse_time("2025-11-24", 10, &ms), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_parse_time("2025-13-24T17:00:00Z", 20, &ms), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_parse_time("2025-11-24T17:00:00Zjunk", 24, &ms), SK_EBADMSG);
}

SK_TEST_MAIN("leader", SK_TEST(test_acquire_absent_and_renew),
             SK_TEST(test_respects_live_holder_then_takes_over), SK_TEST(test_release_on_stop),
             SK_TEST(test_time_format))
