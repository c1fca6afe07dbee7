/* Store core: puts, reads, ranges, deletes, txns and limits. */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

static char *dir;
static sk_store *st;

static void setup(const sk_store_opts *o)
{
    th_setup("kv", o, &dir, &st);
}

static void teardown(void)
{
    th_teardown(&dir, &st);
}

static sk_store_range_req span_req(const char *key, const char *end)
{
    return (sk_store_range_req){.span = th_span(key, end)};
}

static void test_put_get_revisions(void)
{
    setup(NULL);
    char buf[64];
    th_kv kv;
    CU_ASSERT_EQUAL(th_put(st, "a", "1"), 2); /* empty store is at revision 1 */
    CU_ASSERT_EQUAL(th_put(st, "b", "x"), 3);
    CU_ASSERT_EQUAL(th_put(st, "a", "2"), 4);
    CU_ASSERT_EQUAL(th_get(st, "a", 0, buf, sizeof buf, &kv), 1);
    CU_ASSERT_STRING_EQUAL(buf, "2");
    CU_ASSERT_EQUAL(kv.create_rev, 2);
    CU_ASSERT_EQUAL(kv.mod_rev, 4);
    CU_ASSERT_EQUAL(kv.version, 2);
    CU_ASSERT_EQUAL(th_get(st, "missing", 0, buf, sizeof buf, NULL), 0);
    /* reads at older revisions */
    CU_ASSERT_EQUAL(th_get(st, "a", 2, buf, sizeof buf, &kv), 1);
    CU_ASSERT_STRING_EQUAL(buf, "1");
    CU_ASSERT_EQUAL(kv.version, 1);
    CU_ASSERT_EQUAL(th_get(st, "a", 3, buf, sizeof buf, NULL), 1);
    CU_ASSERT_STRING_EQUAL(buf, "1");
    CU_ASSERT_EQUAL(th_get(st, "b", 2, buf, sizeof buf, NULL), 0);
    CU_ASSERT_EQUAL(th_get(st, "a", 99, buf, sizeof buf, NULL), -ERANGE);
    sk_store_status s;
    CU_ASSERT_EQUAL(sk_store_get_status(st, &s), 0);
    CU_ASSERT_EQUAL(s.rev, 4);
    CU_ASSERT_EQUAL(s.compact_rev, 0);
    CU_ASSERT(s.db_size > 0 && s.db_size_in_use > 0);
    teardown();
}

static void test_delete_and_recreate(void)
{
    setup(NULL);
    th_kv kv;
    CU_ASSERT_EQUAL(th_put(st, "k", "v1"), 2);
    CU_ASSERT_EQUAL(th_del(st, "k", NULL), 1);
    CU_ASSERT_EQUAL(th_get(st, "k", 0, NULL, 0, NULL), 0);
    CU_ASSERT_EQUAL(th_del(st, "k", NULL), 0); /* nothing deleted: no new revision */
    sk_store_status s;
    sk_store_get_status(st, &s);
    CU_ASSERT_EQUAL(s.rev, 3);
    CU_ASSERT_EQUAL(th_put(st, "k", "v2"), 4);
    CU_ASSERT_EQUAL(th_get(st, "k", 0, NULL, 0, &kv), 1);
    CU_ASSERT_EQUAL(kv.create_rev, 4); /* a new generation of the key */
    CU_ASSERT_EQUAL(kv.version, 1);
    CU_ASSERT_EQUAL(th_get(st, "k", 3, NULL, 0, NULL), 0);
    CU_ASSERT_EQUAL(th_get(st, "k", 2, NULL, 0, NULL), 1);
    teardown();
}

static void test_range_prefix_limit(void)
{
    setup(NULL);
    const char *keys[] = {"/r/a", "/r/b", "/r/c", "/r/d", "/s/a", "/r", "/q/z"};
    for (size_t i = 0; i < 7; i++)
        CU_ASSERT(th_put(st, keys[i], keys[i]) > 0);
    uint8_t end[16];
    size_t el = sk_store_prefix_end((const uint8_t *)"/r/", 3, end);
    sk_store_range_req rq = {.span = {.key = (const uint8_t *)"/r/", .key_len = 3, .end = end,
                                      .end_len = el}};
    th_range *r = malloc(sizeof *r);
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 4);
    CU_ASSERT_EQUAL(r->res.count, 4);
    CU_ASSERT_FALSE(r->res.more);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[0].key, "/r/a", 4);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[3].key, "/r/d", 4);
    /* limit + continuation from the last key + "\0" */
    rq.limit = 3;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 3);
    CU_ASSERT_TRUE(r->res.more);
    CU_ASSERT_EQUAL(r->res.count, 4);
    char next[8] = "/r/c";
    rq.span.key = (const uint8_t *)next;
    rq.span.key_len = 5; /* "/r/c\0" */
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 1);
    CU_ASSERT_FALSE(r->res.more);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[0].key, "/r/d", 4);
    /* count_only and keys_only */
    rq = span_req("/", "");
    rq.count_only = true;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 0);
    CU_ASSERT_EQUAL(r->res.count, 7);
    rq.count_only = false;
    rq.keys_only = true;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 7);
    CU_ASSERT_EQUAL(r->kvs[0].val_len, 0);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[0].key, "/q/z", 4);
    /* [key, end) */
    rq = span_req("/r/b", "/r/d");
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 2);
    /* an empty or inverted range */
    rq = span_req("/r/d", "/r/b");
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 0);
    free(r);
    teardown();
}

static void test_range_at_old_revision(void)
{
    setup(NULL);
    th_put(st, "/p/1", "a");         /* 2 */
    th_put(st, "/p/2", "b");         /* 3 */
    th_put(st, "/p/1", "a2");        /* 4 */
    th_del(st, "/p/2", NULL);        /* 5 */
    th_put(st, "/p/3", "c");         /* 6 */
    th_range *r = malloc(sizeof *r);
    sk_store_range_req rq = span_req("/p/", "/p0");
    rq.rev = 3;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 2);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[0].val, "a", 1);
    CU_ASSERT_EQUAL(r->kvs[0].val_len, 1);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[1].val, "b", 1);
    rq.rev = 5;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 1);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[0].val, "a2", 2);
    CU_ASSERT_EQUAL(r->kvs[0].mod_rev, 4);
    CU_ASSERT_EQUAL(r->kvs[0].version, 2);
    rq.rev = 6;
    rq.limit = 1;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 1);
    CU_ASSERT_TRUE(r->res.more);
    CU_ASSERT_EQUAL(r->res.count, 2);
    free(r);
    teardown();
}

/* Long keys sharing their first 480+ bytes must still come back in byte
 * order, and be found, replaced and deleted individually. */
static void test_long_keys(void)
{
    setup(NULL);
    enum { N = 12, LEN = 800 };
    char keys[N][LEN + 1];
    for (int i = 0; i < N; i++) {
        memset(keys[i], 'k', LEN);
        keys[i][0] = '/';
        /* differ only far past the short limit, in an order unlike hashes */
        snprintf(keys[i] + LEN - 4, 5, "%04d", (i * 7) % N);
        keys[i][LEN] = 0;
    }
    for (int i = 0; i < N; i++)
        CU_ASSERT(th_putn(st, keys[i], LEN, keys[i] + LEN - 4, 4) > 0);
    /* a short key that is a prefix of them, and one after them */
    th_put(st, "/", "short");
    th_put(st, "/l", "after");
    th_range *r = malloc(sizeof *r);
    sk_store_range_req rq = span_req("/", "");
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL_FATAL(r->n, N + 2);
    CU_ASSERT_EQUAL(r->kvs[0].key_len, 1);
    for (int i = 1; i <= N; i++) {
        CU_ASSERT_EQUAL(r->kvs[i].key_len, LEN);
        char want[5];
        snprintf(want, sizeof want, "%04d", i - 1);
        CU_ASSERT_NSTRING_EQUAL(r->kvs[i].val, want, 4);
    }
    CU_ASSERT_NSTRING_EQUAL(r->kvs[N + 1].key, "/l", 2);
    /* a range starting and ending inside the run */
    char lo[LEN + 1], hi[LEN + 1];
    memcpy(lo, keys[0], LEN + 1);
    memcpy(hi, keys[0], LEN + 1);
    memcpy(lo + LEN - 4, "0003", 4);
    memcpy(hi + LEN - 4, "0007", 4);
    rq = (sk_store_range_req){.span = {.key = (const uint8_t *)lo, .key_len = LEN,
                                       .end = (const uint8_t *)hi, .end_len = LEN}};
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 4);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[0].val, "0003", 4);
    CU_ASSERT_NSTRING_EQUAL(r->kvs[3].val, "0006", 4);
    /* point get, overwrite, delete of one long key */
    CU_ASSERT_EQUAL(th_get(st, lo, 0, NULL, 0, NULL), 1);
    int64_t rev = th_putn(st, lo, LEN, "new", 3);
    CU_ASSERT(rev > 0);
    th_kv kv;
    char buf[16];
    CU_ASSERT_EQUAL(th_get(st, lo, 0, buf, sizeof buf, &kv), 1);
    CU_ASSERT_STRING_EQUAL(buf, "new");
    CU_ASSERT_EQUAL(kv.version, 2);
    CU_ASSERT_EQUAL(th_get(st, lo, rev - 1, buf, sizeof buf, NULL), 1);
    CU_ASSERT_STRING_EQUAL(buf, "0003");
    CU_ASSERT_EQUAL(th_del(st, lo, NULL), 1);
    CU_ASSERT_EQUAL(th_get(st, lo, 0, NULL, 0, NULL), 0);
    rq = span_req("/", "");
    rq.rev = rev;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, N + 2);
    rq.rev = 0;
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, N + 1);
    /* prefix delete across the run */
    CU_ASSERT_EQUAL(th_del(st, "/k", "/l"), N - 1);
    CU_ASSERT_EQUAL(th_range_get(st, &rq, r), 0);
    CU_ASSERT_EQUAL(r->n, 2);
    /* too long */
    char *huge = malloc(SK_STORE_MAX_KEY + 2);
    memset(huge, 'x', SK_STORE_MAX_KEY + 1);
    CU_ASSERT_EQUAL(th_putn(st, huge, SK_STORE_MAX_KEY + 1, "v", 1), SK_ETOOLARGE);
    CU_ASSERT(th_putn(st, huge, SK_STORE_MAX_KEY, "v", 1) > 0);
    free(huge);
    free(r);
    teardown();
}

static int64_t txn_cas(const char *key, int64_t mod, const char *val, bool *ok)
{
    sk_store_cmp c = {.key = (const uint8_t *)key, .key_len = strlen(key),
                      .target = SK_STORE_CMP_MOD, .result = SK_STORE_EQ, .num = mod};
    sk_store_op put = {.type = SK_STORE_OP_PUT,
                       .span = {.key = (const uint8_t *)key, .key_len = strlen(key)},
                       .value = (const uint8_t *)val, .value_len = strlen(val)};
    sk_store_op get = {.type = SK_STORE_OP_RANGE,
                       .span = {.key = (const uint8_t *)key, .key_len = strlen(key)}};
    sk_store_txn t = {.cmps = &c, .ncmps = 1, .success = &put, .nsuccess = 1,
                      .failure = &get, .nfailure = 1};
    sk_store_sync_res r;
    int rc = sk_store_txn_sync(st, &t, &r);
    *ok = r.r.succeeded;
    int64_t rev = rc ? rc : r.r.rev;
    if (!rc && !r.r.succeeded) {
        CU_ASSERT_EQUAL(r.r.nops, 1);
        CU_ASSERT_EQUAL(r.r.ops[0].type, SK_STORE_OP_RANGE);
        CU_ASSERT(r.r.ops[0].nkvs <= 1);
    }
    sk_store_result_free(&r);
    return rev;
}

static void test_txn_compares(void)
{
    setup(NULL);
    bool ok;
    /* create only if absent (mod_revision 0) */
    CU_ASSERT_EQUAL(txn_cas("/c", 0, "1", &ok), 2);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(txn_cas("/c", 0, "x", &ok), 2);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_EQUAL(txn_cas("/c", 2, "2", &ok), 3);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(txn_cas("/c", 2, "x", &ok), 3); /* stale */
    CU_ASSERT_FALSE(ok);
    char buf[8];
    th_get(st, "/c", 0, buf, sizeof buf, NULL);
    CU_ASSERT_STRING_EQUAL(buf, "2");

    /* every target and result */
    struct { int target, result; int64_t num; const char *val; bool want; } cases[] = {
        {SK_STORE_CMP_VERSION, SK_STORE_EQ, 2, NULL, true},
        {SK_STORE_CMP_VERSION, SK_STORE_GT, 1, NULL, true},
        {SK_STORE_CMP_VERSION, SK_STORE_LT, 2, NULL, false},
        {SK_STORE_CMP_CREATE, SK_STORE_EQ, 2, NULL, true},
        {SK_STORE_CMP_CREATE, SK_STORE_NE, 2, NULL, false},
        {SK_STORE_CMP_MOD, SK_STORE_LT, 4, NULL, true},
        {SK_STORE_CMP_LEASE, SK_STORE_EQ, 0, NULL, true},
        {SK_STORE_CMP_VALUE, SK_STORE_EQ, 0, "2", true},
        {SK_STORE_CMP_VALUE, SK_STORE_GT, 0, "1", true},
        {SK_STORE_CMP_VALUE, SK_STORE_LT, 0, "1", false},
        {SK_STORE_CMP_VALUE, SK_STORE_NE, 0, "2", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_store_cmp c = {.key = (const uint8_t *)"/c", .key_len = 2, .target = cases[i].target,
                          .result = cases[i].result, .num = cases[i].num,
                          .value = (const uint8_t *)cases[i].val,
                          .value_len = cases[i].val ? strlen(cases[i].val) : 0};
        sk_store_txn t = {.cmps = &c, .ncmps = 1};
        sk_store_sync_res r;
        CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
        CU_ASSERT_EQUAL(r.r.succeeded, cases[i].want);
        if (r.r.succeeded != cases[i].want)
            fprintf(stderr, "compare case %zu failed\n", i);
        sk_store_result_free(&r);
    }
    /* value compare on a missing key is false, even for != */
    sk_store_cmp c = {.key = (const uint8_t *)"/none", .key_len = 5,
                      .target = SK_STORE_CMP_VALUE, .result = SK_STORE_NE,
                      .value = (const uint8_t *)"z", .value_len = 1};
    sk_store_txn t = {.cmps = &c, .ncmps = 1};
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
    CU_ASSERT_FALSE(r.r.succeeded);
    sk_store_result_free(&r);
    /* bad compare target */
    c.target = 99;
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), SK_EBADMSG);
    sk_store_result_free(&r);
    teardown();
}

static void test_txn_atomic_multi(void)
{
    setup(NULL);
    th_put(st, "/x/old", "o");
    sk_store_op ops[3] = {
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/m/1", .key_len = 4},
         .value = (const uint8_t *)"v", .value_len = 1},
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/m/2", .key_len = 4},
         .value = (const uint8_t *)"v", .value_len = 1},
        {.type = SK_STORE_OP_DELETE, .span = {.key = (const uint8_t *)"/x/old", .key_len = 6},
         .prev_kv = true},
    };
    sk_store_txn t = {.success = ops, .nsuccess = 3};
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
    CU_ASSERT_EQUAL(r.r.rev, 3); /* one revision for all three */
    CU_ASSERT_EQUAL(r.r.ops[2].count, 1);
    CU_ASSERT_EQUAL_FATAL(r.r.ops[2].nkvs, 1);
    CU_ASSERT_NSTRING_EQUAL(r.r.ops[2].kvs[0].value, "o", 1);
    sk_store_result_free(&r);
    th_kv kv;
    CU_ASSERT_EQUAL(th_get(st, "/m/2", 0, NULL, 0, &kv), 1);
    CU_ASSERT_EQUAL(kv.mod_rev, 3);
    /* the same key twice, or put inside a delete: refused, nothing written */
    sk_store_op dup[2] = {ops[0], ops[0]};
    t = (sk_store_txn){.success = dup, .nsuccess = 2};
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.r.err, "duplicate"));
    sk_store_result_free(&r);
    sk_store_op pd[2] = {ops[0], {.type = SK_STORE_OP_DELETE,
                                  .span = {.key = (const uint8_t *)"/m/", .key_len = 3,
                                           .end = (const uint8_t *)"/m0", .end_len = 3}}};
    t = (sk_store_txn){.success = pd, .nsuccess = 2};
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), SK_EBADMSG);
    sk_store_result_free(&r);
    /* an over-limit value anywhere refuses the whole txn */
    size_t big = SK_STORE_DEFAULT_MAX_VALUE + 1;
    uint8_t *bv = calloc(1, big);
    sk_store_op bigops[2] = {
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/b/1", .key_len = 4},
         .value = (const uint8_t *)"v", .value_len = 1},
        {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/b/2", .key_len = 4},
         .value = bv, .value_len = big}};
    t = (sk_store_txn){.success = bigops, .nsuccess = 2};
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), SK_ETOOLARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.r.err, "limit"));
    sk_store_result_free(&r);
    CU_ASSERT_EQUAL(th_get(st, "/b/1", 0, NULL, 0, NULL), 0);
    /* exactly at the limit is fine */
    bigops[1].value_len = SK_STORE_DEFAULT_MAX_VALUE;
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
    sk_store_result_free(&r);
    free(bv);
    sk_store_status s;
    sk_store_get_status(st, &s);
    CU_ASSERT_EQUAL(s.rev, 4);
    teardown();
}

static void test_put_options(void)
{
    setup(NULL);
    th_put(st, "/o", "v1");
    sk_store_op op = {.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/o", .key_len = 2},
                      .value = (const uint8_t *)"v2", .value_len = 2, .prev_kv = true};
    sk_store_txn t = {.success = &op, .nsuccess = 1};
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
    CU_ASSERT_EQUAL_FATAL(r.r.ops[0].nkvs, 1);
    CU_ASSERT_NSTRING_EQUAL(r.r.ops[0].kvs[0].value, "v1", 2);
    CU_ASSERT_EQUAL(r.r.ops[0].kvs[0].mod_rev, 2);
    sk_store_result_free(&r);
    /* ignore_value keeps the value, bumps the version */
    op = (sk_store_op){.type = SK_STORE_OP_PUT, .span = {.key = (const uint8_t *)"/o", .key_len = 2},
                       .ignore_value = true};
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), 0);
    sk_store_result_free(&r);
    char buf[8];
    th_kv kv;
    th_get(st, "/o", 0, buf, sizeof buf, &kv);
    CU_ASSERT_STRING_EQUAL(buf, "v2");
    CU_ASSERT_EQUAL(kv.version, 3);
    op.span.key = (const uint8_t *)"/n";
    CU_ASSERT_EQUAL(sk_store_txn_sync(st, &t, &r), SK_ENOTFOUND);
    sk_store_result_free(&r);
    /* unknown lease */
    CU_ASSERT_EQUAL(th_put_lease(st, "/l", "v", 12345), SK_ENOTFOUND);
    /* a put needs a key */
    CU_ASSERT_EQUAL(th_put(st, "", "v"), SK_EBADMSG);
    teardown();
}

static void test_quota(void)
{
    sk_store_opts o = {.quota_bytes = 2 << 20};
    setup(&o);
    char val[8192];
    memset(val, 'q', sizeof val);
    int64_t rc = 0;
    int n = 0;
    for (; n < 1000; n++) {
        char key[32];
        snprintf(key, sizeof key, "/q/%04d", n);
        rc = th_putn(st, key, strlen(key), val, sizeof val);
        if (rc < 0)
            break;
    }
    CU_ASSERT_EQUAL(rc, SK_EQUOTA);
    CU_ASSERT(n > 10);
    sk_store_status s;
    sk_store_get_status(st, &s);
    int64_t rev = s.rev;
    /* the refused put wrote nothing; deletes still work and free room */
    char key[32];
    snprintf(key, sizeof key, "/q/%04d", n);
    CU_ASSERT_EQUAL(th_get(st, key, 0, NULL, 0, NULL), 0);
    CU_ASSERT(th_del(st, "/q/", "/q0") > 0);
    CU_ASSERT_EQUAL(sk_store_get_status(st, &s), 0);
    CU_ASSERT_EQUAL(s.rev, rev + 1);
    sk_store_sync_res r;
    CU_ASSERT_EQUAL(sk_store_compact_sync(st, s.rev, true, &r), 0);
    sk_store_result_free(&r);
    CU_ASSERT(th_putn(st, "/q/again", 8, val, sizeof val) > 0);
    teardown();
}

static void test_map_grows(void)
{
    sk_store_opts o = {.initial_map_bytes = 1 << 20};
    setup(&o);
    sk_store_status s0, s1;
    sk_store_get_status(st, &s0);
    char *val = malloc(64 * 1024);
    memset(val, 'g', 64 * 1024);
    for (int i = 0; i < 64; i++) {
        char key[32];
        snprintf(key, sizeof key, "/g/%d", i);
        CU_ASSERT_FATAL(th_putn(st, key, strlen(key), val, 64 * 1024) > 0);
    }
    sk_store_get_status(st, &s1);
    CU_ASSERT(s1.map_size > s0.map_size);
    CU_ASSERT(th_get(st, "/g/63", 0, NULL, 0, NULL) == 1);
    free(val);
    teardown();
}

static void test_persistence(void)
{
    setup(NULL);
    th_put(st, "/p", "1");
    th_put(st, "/p", "2");
    sk_store_close(&st);
    st = th_open(dir, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    char buf[8];
    th_kv kv;
    CU_ASSERT_EQUAL(th_get(st, "/p", 0, buf, sizeof buf, &kv), 1);
    CU_ASSERT_STRING_EQUAL(buf, "2");
    CU_ASSERT_EQUAL(kv.version, 2);
    CU_ASSERT_EQUAL(th_put(st, "/p", "3"), 4);
    teardown();
}

static void test_refuse_bad_dirs(void)
{
    char err[256];
    sk_store *s = NULL;
    sk_store_opts o = {.dir = "/nonexistent/skiff/store"};
    CU_ASSERT(sk_store_open(&o, &s, err, sizeof err) < 0);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent"));

    /* a data.mdb that is not LMDB: refused, left untouched */
    char *d = th_mkdtemp("bad");
    char path[512];
    snprintf(path, sizeof path, "%s/data.mdb", d);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 1000; i++)
        fputs("this is not an lmdb file at all. ", f);
    fclose(f);
    o.dir = d;
    CU_ASSERT_EQUAL(sk_store_open(&o, &s, err, sizeof err), SK_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "refusing"));
    f = fopen(path, "r");
    char head[8] = {0};
    CU_ASSERT_EQUAL(fread(head, 1, 7, f), 7);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(head, "this is");
    th_rmdir(d);

    /* an LMDB environment of someone else */
    d = th_mkdtemp("foreign");
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    mdb_env_create(&env);
    CU_ASSERT_EQUAL(mdb_env_open(env, d, 0, 0600), 0);
    mdb_txn_begin(env, NULL, 0, &txn);
    mdb_dbi_open(txn, NULL, 0, &dbi);
    MDB_val k = {3, "abc"}, v = {3, "xyz"};
    mdb_put(txn, dbi, &k, &v, 0);
    mdb_txn_commit(txn);
    mdb_env_close(env);
    o.dir = d;
    CU_ASSERT_EQUAL(sk_store_open(&o, &s, err, sizeof err), SK_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a skiff store"));
    if (!strstr(err, "not a skiff store"))
        fprintf(stderr, "foreign env: %s\n", err);
    th_rmdir(d);

    /* the same directory twice */
    d = th_mkdtemp("twice");
    o.dir = d;
    CU_ASSERT_EQUAL(sk_store_open(&o, &s, err, sizeof err), 0);
    sk_store *s2 = NULL;
    CU_ASSERT_EQUAL(sk_store_open(&o, &s2, err, sizeof err), SK_EEXISTS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "in use"));
    sk_store_close(&s);
    CU_ASSERT_EQUAL(sk_store_open(&o, &s2, err, sizeof err), 0);
    sk_store_close(&s2);
    th_rmdir(d);
}

static void test_concurrent_writers(void);

int main(void)
{
    static const th_test tests[] = {
        {"put/get and revisions", test_put_get_revisions},
        {"delete and recreate", test_delete_and_recreate},
        {"range, prefix, limit, count", test_range_prefix_limit},
        {"range at an old revision", test_range_at_old_revision},
        {"long keys keep their order", test_long_keys},
        {"txn compares", test_txn_compares},
        {"txn applies atomically", test_txn_atomic_multi},
        {"put options", test_put_options},
        {"quota", test_quota},
        {"map grows when full", test_map_grows},
        {"data survives reopen", test_persistence},
        {"refuses foreign or bad data dirs", test_refuse_bad_dirs},
        {"concurrent CAS through the core", test_concurrent_writers},
        {NULL, NULL},
    };
    return th_run_suite("store-kv", tests);
}

/* Group commit under contention: 8 threads CAS one counter. */
#include <pthread.h>

enum { CAS_THREADS = 8, CAS_EACH = 50 };

static void *cas_thread(void *arg)
{
    int *fails = arg;
    for (int done = 0; done < CAS_EACH;) {
        th_kv kv = {0};
        char buf[32];
        int f = th_get(st, "/counter", 0, buf, sizeof buf, &kv);
        long v = f == 1 ? strtol(buf, NULL, 10) : 0;
        char nv[32];
        snprintf(nv, sizeof nv, "%ld", v + 1);
        bool ok;
        txn_cas("/counter", f == 1 ? kv.mod_rev : 0, nv, &ok);
        if (ok)
            done++;
        else
            (*fails)++;
    }
    return NULL;
}

static void test_concurrent_writers(void)
{
    setup(NULL);
    pthread_t t[CAS_THREADS];
    int fails[CAS_THREADS] = {0};
    for (int i = 0; i < CAS_THREADS; i++)
        pthread_create(&t[i], NULL, cas_thread, &fails[i]);
    for (int i = 0; i < CAS_THREADS; i++)
        pthread_join(t[i], NULL);
    char buf[32];
    th_kv kv;
    CU_ASSERT_EQUAL(th_get(st, "/counter", 0, buf, sizeof buf, &kv), 1);
    CU_ASSERT_EQUAL(strtol(buf, NULL, 10), CAS_THREADS * CAS_EACH);
    CU_ASSERT_EQUAL(kv.version, CAS_THREADS * CAS_EACH);
    teardown();
}
