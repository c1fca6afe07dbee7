/* Store core: compaction (explicit, physical, automatic) and leases. */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "helpers.h"

static char *dir;
static sk_store *st;
static uint64_t fake_now = 1000000;

static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

static void advance(uint64_t ms)
{
    __atomic_add_fetch(&fake_now, ms, __ATOMIC_SEQ_CST);
}

static const sk_store_opts fake_opts = {.now_ms = fake_clock};

static void setup(void)
{
    th_setup("compact", &fake_opts, &dir, &st);
}

static void teardown(void)
{
    th_teardown(&dir, &st);
}

/* Entries of one of the store's databases, with the store closed. */
static size_t db_entries(const char *name)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_stat ms = {0};
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 8);
    if (mdb_env_open(env, dir, MDB_RDONLY, 0600) == 0 &&
        mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
        if (mdb_dbi_open(txn, name, 0, &dbi) == 0)
            mdb_stat(txn, dbi, &ms);
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    return ms.ms_entries;
}

static void reopen_counting(size_t *hist, size_t *revlog)
{
    sk_store_close(&st);
    *hist = db_entries("hist");
    *revlog = db_entries("revlog");
    st = th_open(dir, &fake_opts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
}

static void test_compact_reads(void)
{
    setup();
    for (int i = 0; i < 10; i++) {
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        th_put(st, "/a", v); /* 2..11 */
    }
    th_put(st, "/gone", "x"); /* 12 */
    th_del(st, "/gone", NULL); /* 13 */
    th_put(st, "/b", "b");    /* 14 */
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_compact_sync(st, 13, true, &r), 0);
    CU_ASSERT_EQUAL(r.r.compact_rev, 13);
    sk_store_result_free(&r);
    char buf[8];
    CU_ASSERT_EQUAL(th_get(st, "/a", 12, buf, sizeof buf, NULL), SK_ECOMPACTED);
    CU_ASSERT_EQUAL(th_get(st, "/a", 13, buf, sizeof buf, NULL), 1);
    CU_ASSERT_STRING_EQUAL(buf, "9");
    CU_ASSERT_EQUAL(th_get(st, "/gone", 13, buf, sizeof buf, NULL), 0);
    CU_ASSERT_EQUAL(th_get(st, "/b", 13, buf, sizeof buf, NULL), 0);
    CU_ASSERT_EQUAL(th_get(st, "/b", 14, buf, sizeof buf, NULL), 1);
    th_range rr;
    sk_store_range_req rq = {.span = {.key = (const uint8_t *)"/a", .key_len = 2}, .rev = 5};
    CU_ASSERT_EQUAL(th_range_get(st, &rq, &rr), SK_ECOMPACTED);
    CU_ASSERT_EQUAL(rr.res.compact_rev, 13);
    CU_ASSERT_EQUAL(rr.res.rev, 14);
    /* older, equal and future compactions */
    CU_ASSERT_EQUAL(sk_store_compact_sync(st, 13, false, &r), SK_ECOMPACTED);
    sk_store_result_free(&r);
    CU_ASSERT_EQUAL(sk_store_compact_sync(st, 99, false, &r), -ERANGE);
    sk_store_result_free(&r);
    size_t hist, revlog;
    reopen_counting(&hist, &revlog);
    /* /a keeps its version at 11, /gone vanished, /b keeps 14 */
    CU_ASSERT_EQUAL(hist, 2);
    CU_ASSERT_EQUAL(revlog, 1);
    CU_ASSERT_EQUAL(th_get(st, "/a", 13, buf, sizeof buf, NULL), 1);
    /* life goes on after compaction */
    th_kv kv;
    CU_ASSERT_EQUAL(th_put(st, "/gone", "again"), 15);
    CU_ASSERT_EQUAL(th_get(st, "/gone", 0, buf, sizeof buf, &kv), 1);
    CU_ASSERT_EQUAL(kv.create_rev, 15);
    CU_ASSERT_EQUAL(th_put(st, "/a", "10"), 16);
    CU_ASSERT_EQUAL(th_get(st, "/a", 0, NULL, 0, &kv), 1);
    CU_ASSERT_EQUAL(kv.version, 11);
    CU_ASSERT_EQUAL(kv.create_rev, 2);
    teardown();
}

static void test_compact_big_and_long_keys(void)
{
    setup();
    char lk[701];
    memset(lk, 'L', 700);
    lk[700] = 0;
    for (int i = 0; i < 3000; i++) {
        char k[32];
        snprintf(k, sizeof k, "/big/%d", i % 100);
        th_put(st, k, "v");
        if (i % 100 == 0)
            th_putn(st, lk, 700, "l", 1);
    }
    sk_store_status s;
    sk_store_get_status(st, &s);
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_compact_sync(st, s.rev, true, &r), 0);
    sk_store_result_free(&r);
    size_t hist, revlog;
    reopen_counting(&hist, &revlog);
    CU_ASSERT_EQUAL(hist, 101);
    CU_ASSERT_EQUAL(revlog, 0);
    th_kv kv;
    CU_ASSERT_EQUAL(th_get(st, lk, 0, NULL, 0, &kv), 1);
    CU_ASSERT_EQUAL(kv.version, 30);
    teardown();
}

static void test_autocompact(void)
{
    setup();
    for (int i = 0; i < 50; i++)
        th_put(st, "/auto", "v"); /* 2..51 */
    sk_store_autocompact byrev = {.retain_revisions = 10};
    CU_ASSERT_EQUAL(sk_store_autocompact_tick(st, &byrev), 41);
    sk_store_status s;
    for (int i = 0; i < 1000; i++) { /* the compaction is asynchronous */
        sk_store_get_status(st, &s);
        if (s.compact_rev == 41)
            break;
        th_put(st, "/tick", "v");
    }
    CU_ASSERT_EQUAL(s.compact_rev, 41);
    /* nothing new to keep out of history: no second compaction */
    int64_t before = s.rev;
    int64_t again = sk_store_autocompact_tick(st, &byrev);
    CU_ASSERT(again == 0 || again == before - 10);
    teardown();

    setup();
    sk_store_autocompact bytime = {.retain_ms = 10000};
    th_put(st, "/t", "1"); /* 2 */
    CU_ASSERT_EQUAL(sk_store_autocompact_tick(st, &bytime), 0); /* sample rev 2 at t0 */
    advance(5000);
    th_put(st, "/t", "2"); /* 3 */
    CU_ASSERT_EQUAL(sk_store_autocompact_tick(st, &bytime), 0); /* sample rev 3 at t0+5s */
    advance(5000);
    th_put(st, "/t", "3"); /* 4 */
    /* t0 is now 10 s old: keep everything after what was current then */
    CU_ASSERT_EQUAL(sk_store_autocompact_tick(st, &bytime), 2);
    advance(5000);
    CU_ASSERT_EQUAL(sk_store_autocompact_tick(st, &bytime), 3);
    teardown();
}

/* ---- leases ---- */

static int64_t grant(int64_t id, int64_t ttl)
{
    sk_store_sync_res r;
    int rc = sk_store_lease_grant_sync(st, id, ttl, &r);
    int64_t got = rc ? rc : r.r.lease_id;
    sk_store_result_free(&r);
    return got;
}

static int wait_absent(const char *key)
{
    for (int i = 0; i < 500; i++) {
        int f = th_get(st, key, 0, NULL, 0, NULL);
        if (f != 1)
            return f;
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    return 1;
}

static void test_lease_expiry(void)
{
    setup();
    int64_t l1 = grant(0, 10), l2 = grant(0, 30);
    CU_ASSERT(l1 > 0 && l2 > 0 && l1 != l2);
    CU_ASSERT(th_put_lease(st, "/ev/1", "a", l1) > 0);
    CU_ASSERT(th_put_lease(st, "/ev/2", "b", l1) > 0);
    CU_ASSERT(th_put_lease(st, "/ev/3", "c", l2) > 0);
    th_kv kv;
    CU_ASSERT_EQUAL(th_get(st, "/ev/1", 0, NULL, 0, &kv), 1);
    CU_ASSERT_EQUAL(kv.lease, l1);
    advance(9000);
    CU_ASSERT_EQUAL(sk_store_lease_expire(st), 0);
    int64_t ttl = 0;
    CU_ASSERT_EQUAL(sk_store_lease_keepalive(st, l2, &ttl), 0);
    CU_ASSERT_EQUAL(ttl, 30);
    advance(2000);
    sk_store_status before;
    sk_store_get_status(st, &before);
    CU_ASSERT_EQUAL(sk_store_lease_expire(st), 1);
    CU_ASSERT_EQUAL(wait_absent("/ev/1"), 0);
    CU_ASSERT_EQUAL(th_get(st, "/ev/2", 0, NULL, 0, NULL), 0);
    CU_ASSERT_EQUAL(th_get(st, "/ev/3", 0, NULL, 0, NULL), 1);
    sk_store_status after;
    sk_store_get_status(st, &after);
    CU_ASSERT_EQUAL(after.rev, before.rev + 1); /* both keys in one revision */
    CU_ASSERT_EQUAL(after.leases, 1);
    CU_ASSERT_EQUAL(sk_store_lease_keepalive(st, l1, &ttl), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(th_put_lease(st, "/ev/4", "d", l1), SK_ENOTFOUND);
    sk_store_lease_info *li;
    size_t n;
    CU_ASSERT_EQUAL(sk_store_lease_list(st, &li, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(li[0].id, l2);
    free(li);
    teardown();
}

static void test_lease_revoke_and_move(void)
{
    setup();
    CU_ASSERT_EQUAL(grant(77, 60), 77);
    CU_ASSERT_EQUAL(grant(77, 60), SK_EEXISTS);
    CU_ASSERT_EQUAL(grant(0, 0), SK_EBADMSG);
    CU_ASSERT_EQUAL(grant(-5, 10), SK_EBADMSG);
    int64_t other = grant(0, 60);
    CU_ASSERT(other > 77); /* fresh ids never collide with given ones */
    th_put_lease(st, "/l/a", "1", 77);
    th_put_lease(st, "/l/b", "1", 77);
    th_put_lease(st, "/l/b", "2", other); /* moves to the other lease */
    th_put(st, "/l/c", "plain");
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_lease_revoke_sync(st, 77, &r), 0);
    sk_store_result_free(&r);
    CU_ASSERT_EQUAL(th_get(st, "/l/a", 0, NULL, 0, NULL), 0);
    CU_ASSERT_EQUAL(th_get(st, "/l/b", 0, NULL, 0, NULL), 1);
    CU_ASSERT_EQUAL(sk_store_lease_revoke_sync(st, 77, &r), SK_ENOTFOUND);
    sk_store_result_free(&r);
    /* a put without lease detaches */
    th_put(st, "/l/b", "3");
    CU_ASSERT_EQUAL(sk_store_lease_revoke_sync(st, other, &r), 0);
    sk_store_result_free(&r);
    CU_ASSERT_EQUAL(th_get(st, "/l/b", 0, NULL, 0, NULL), 1);
    CU_ASSERT_EQUAL(th_get(st, "/l/c", 0, NULL, 0, NULL), 1);
    teardown();
}

static void test_lease_durable(void)
{
    setup();
    int64_t l = grant(0, 20);
    th_put_lease(st, "/d/1", "x", l);
    advance(15000);
    sk_store_close(&st);
    st = th_open(dir, &fake_opts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    /* a restart grants a full TTL again */
    advance(15000);
    CU_ASSERT_EQUAL(sk_store_lease_expire(st), 0);
    int64_t ttl;
    CU_ASSERT_EQUAL(sk_store_lease_keepalive(st, l, &ttl), 0);
    advance(21000);
    CU_ASSERT_EQUAL(sk_store_lease_expire(st), 1);
    CU_ASSERT_EQUAL(wait_absent("/d/1"), 0);
    int64_t l2 = grant(0, 5);
    CU_ASSERT(l2 > l);
    teardown();
}

int main(void)
{
    static const th_test tests[] = {
        {"compaction and reads", test_compact_reads},
        {"compaction of many revisions and long keys", test_compact_big_and_long_keys},
        {"automatic compaction", test_autocompact},
        {"lease expiry deletes its keys", test_lease_expiry},
        {"lease revoke and moving keys", test_lease_revoke_and_move},
        {"leases are durable", test_lease_durable},
        {NULL, NULL},
    };
    return th_run_suite("store-compact-lease", tests);
}
