/* The store on the bus: the real etcd-store.so in an in-process host.
 * 16 clients race compare-and-swap increments of one counter while a
 * watcher checks it sees every revision exactly once, in order; plus the
 * protocol's errors, malformed and mutated requests, leases, compacted
 * watches and stopping with watches open. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "helpers.h"
#include "store_bus.h"

static char *dir;
static sb_env *env;

static void up(const char *yaml)
{
    dir = th_mkdtemp("bus");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    env = sb_start(dir, yaml);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
}

static void down(void)
{
    sb_stop(&env);
    th_rmdir(dir);
}

/* ---- msgpack helpers ---- */

static void kv_str(sk_mp_buf *b, const char *k, const char *v)
{
    sk_mp_put_str(b, k);
    sk_mp_put_bin(b, v, strlen(v));
}

static int64_t find_int(const void *data, size_t len, const char *path)
{
    sk_mp_view v, at;
    int64_t n = -1;
    if (sk_mp_check(data, len, 16, &v) == 0 && sk_mp_find(v, path, &at) == 0)
        sk_mp_get_int(at, &n);
    return n;
}

static bool find_bool(const void *data, size_t len, const char *path)
{
    sk_mp_view v, at;
    bool b = false;
    if (sk_mp_check(data, len, 16, &v) == 0 && sk_mp_find(v, path, &at) == 0)
        sk_mp_get_bool(at, &b);
    return b;
}

static long find_num_bin(const void *data, size_t len, const char *path)
{
    sk_mp_view v, at;
    const void *p;
    size_t n;
    char buf[32];
    if (sk_mp_check(data, len, 16, &v) || sk_mp_find(v, path, &at) || sk_mp_get_bin(at, &p, &n) ||
        n >= sizeof buf)
        return -1;
    memcpy(buf, p, n);
    buf[n] = 0;
    return strtol(buf, NULL, 10);
}

static int call(const char *method, sk_mp_buf *b, void **reply, size_t *len, char *err,
                size_t errlen)
{
    int rc = sb_call(env, method, b, reply, len, err, errlen);
    if (b)
        sk_mp_buf_free(b);
    return rc;
}

static int64_t put(const char *key, const char *val)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    kv_str(&b, "key", key);
    kv_str(&b, "value", val);
    void *r;
    size_t n;
    char err[256];
    int rc = call("put", &b, &r, &n, err, sizeof err);
    if (rc)
        return rc;
    int64_t rev = find_int(r, n, "revision");
    free(r);
    return rev;
}

static int64_t current_rev(void)
{
    void *r;
    size_t n;
    char err[256];
    if (call("status", NULL, &r, &n, err, sizeof err))
        return -1;
    int64_t rev = find_int(r, n, "revision");
    free(r);
    return rev;
}

/* ---- a watcher over the bus ---- */

typedef struct wstate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t revs[4096];
    long vals[4096];
    size_t n;
    bool created, canceled_part, ended;
    int final_status;
    char msg[512];
    uint64_t id;
    const char *body_key;
    int64_t start;
} wstate;

static void watch_reply(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    wstate *w = arg;
    pthread_mutex_lock(&w->mu);
    if (status == SK_BUS_MORE) {
        sk_mp_view v, evs, ev;
        if (find_bool(data, len, "created"))
            w->created = true;
        if (find_bool(data, len, "canceled"))
            w->canceled_part = true;
        sk_mp_iter it;
        if (sk_mp_check(data, len, 16, &v) == 0 && sk_mp_find(v, "events", &evs) == 0 &&
            sk_mp_iter_init(evs, &it, NULL) == 0) {
            while (sk_mp_iter_next(&it, NULL, &ev) == 1 && w->n < 4096) {
                sk_mp_view rv, vv;
                const void *p;
                size_t pl;
                char buf[32] = "";
                int64_t rev = -1;
                if (sk_mp_find(ev, "kv.mod_revision", &rv) == 0)
                    sk_mp_get_int(rv, &rev);
                if (sk_mp_find(ev, "kv.value", &vv) == 0 && sk_mp_get_bin(vv, &p, &pl) == 0 &&
                    pl < sizeof buf)
                    memcpy(buf, p, pl);
                w->revs[w->n] = rev;
                w->vals[w->n] = strtol(buf, NULL, 10);
                w->n++;
            }
        }
    } else {
        w->ended = true;
        w->final_status = status;
        snprintf(w->msg, sizeof w->msg, "%s", errmsg ? errmsg : "");
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void watch_begin(void *arg)
{
    wstate *w = arg;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    kv_str(&b, "key", w->body_key);
    sk_mp_put_str(&b, "start_revision");
    sk_mp_put_int(&b, w->start);
    int rc = sb_bus(env)->request(sb_bus_ctx(env), "store", "watch", b.data, b.len, 0,
                                  watch_reply, w, &w->id);
    CU_ASSERT_EQUAL(rc, 0);
    sk_mp_buf_free(&b);
}

static void watch_cancel(void *arg)
{
    wstate *w = arg;
    sb_bus(env)->cancel(sb_bus_ctx(env), w->id);
}

static wstate *watch_new(const char *key, int64_t start)
{
    wstate *w = calloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->body_key = key;
    w->start = start;
    CU_ASSERT_EQUAL(sb_on_loop(env, watch_begin, w), 0);
    return w;
}

/* Waits until w has n events (or ended when n < 0), bounded. */
static bool watch_wait(wstate *w, long n)
{
    uint64_t end = sb_now_ms() + SB_WAIT_MS;
    pthread_mutex_lock(&w->mu);
    while (!(n < 0 ? w->ended : (long)w->n >= n) && sb_now_ms() < end)
        th_cond_wait_ms(&w->cv, &w->mu, 50);
    bool ok = n < 0 ? w->ended : (long)w->n >= n;
    pthread_mutex_unlock(&w->mu);
    return ok;
}

static void watch_free(wstate *w)
{
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

/* ---- 16 clients, compare-and-swap ---- */

enum { CLIENTS = 16, EACH = 25 };

typedef struct client {
    pthread_t t;
    int successes, conflicts, errors;
} client;

static int cas(long *val, int64_t *mod)
{
    char nv[32];
    snprintf(nv, sizeof nv, "%ld", *val + 1);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    sk_mp_put_str(&b, "compare");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 4);
    kv_str(&b, "key", "/counter");
    sk_mp_put_str(&b, "target");
    sk_mp_put_str(&b, "mod");
    sk_mp_put_str(&b, "result");
    sk_mp_put_str(&b, "=");
    sk_mp_put_str(&b, "mod_revision");
    sk_mp_put_int(&b, *mod);
    sk_mp_put_str(&b, "success");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "put");
    sk_mp_put_map(&b, 2);
    kv_str(&b, "key", "/counter");
    kv_str(&b, "value", nv);
    sk_mp_put_str(&b, "failure");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "range");
    sk_mp_put_map(&b, 1);
    kv_str(&b, "key", "/counter");
    void *r;
    size_t n;
    char err[256];
    int rc = call("txn", &b, &r, &n, err, sizeof err);
    if (rc)
        return rc;
    bool ok = find_bool(r, n, "succeeded");
    if (ok) {
        *val += 1;
        *mod = find_int(r, n, "revision");
    } else {
        /* the failure branch read the counter: retry from what it saw */
        *mod = find_int(r, n, "responses.0.range.kvs.0.mod_revision");
        *val = find_num_bin(r, n, "responses.0.range.kvs.0.value");
        if (*mod < 0) {
            *mod = 0;
            *val = 0;
        }
    }
    free(r);
    return ok ? 1 : 0;
}

static void *client_main(void *arg)
{
    client *c = arg;
    long val = 0;
    int64_t mod = 0;
    while (c->successes < EACH && c->errors < 100) {
        int rc = cas(&val, &mod);
        if (rc == 1)
            c->successes++;
        else if (rc == 0)
            c->conflicts++;
        else
            c->errors++;
    }
    return NULL;
}

static void test_cas_16_clients(void)
{
    up("max_batch: 256\n");
    int64_t start = current_rev();
    CU_ASSERT_FATAL(start > 0);
    wstate *w = watch_new("/counter", start + 1);
    client cl[CLIENTS] = {0};
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&cl[i].t, NULL, client_main, &cl[i]);
    int total = 0, conflicts = 0, errors = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(cl[i].t, NULL);
        total += cl[i].successes;
        conflicts += cl[i].conflicts;
        errors += cl[i].errors;
    }
    CU_ASSERT_EQUAL(errors, 0);
    CU_ASSERT_EQUAL(total, CLIENTS * EACH);
    fprintf(stderr, "\n    cas: %d successes, %d conflicts\n", total, conflicts);
    /* the counter holds exactly the number of successful swaps */
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    kv_str(&b, "key", "/counter");
    void *r;
    size_t n;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(call("range", &b, &r, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(find_num_bin(r, n, "kvs.0.value"), total);
    CU_ASSERT_EQUAL(find_int(r, n, "kvs.0.version"), total);
    int64_t last = find_int(r, n, "kvs.0.mod_revision");
    free(r);
    /* the watcher saw each revision once, in order, with each value */
    CU_ASSERT_TRUE(watch_wait(w, total));
    pthread_mutex_lock(&w->mu);
    CU_ASSERT_TRUE(w->created);
    CU_ASSERT_EQUAL(w->n, (size_t)total);
    for (size_t i = 0; i < w->n; i++) {
        CU_ASSERT_EQUAL(w->revs[i], start + 1 + (int64_t)i);
        CU_ASSERT_EQUAL(w->vals[i], (long)i + 1);
    }
    CU_ASSERT_EQUAL(w->revs[w->n - 1], last);
    pthread_mutex_unlock(&w->mu);
    /* stopping the store ends the open watch with SK_ESTOPPED */
    CU_ASSERT_EQUAL(sb_restart_store(env), 0);
    CU_ASSERT_TRUE(watch_wait(w, -1));
    CU_ASSERT_EQUAL(w->final_status, SK_ESTOPPED);
    /* and the data is still there */
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    kv_str(&b, "key", "/counter");
    CU_ASSERT_EQUAL_FATAL(call("range", &b, &r, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(find_num_bin(r, n, "kvs.0.value"), total);
    free(r);
    down();
    watch_free(w);
}

/* ---- protocol errors ---- */

static int raw_call(const char *method, const void *data, size_t len, void **r, size_t *n,
                    char *err, size_t errlen)
{
    return sb_bus(env)->call(sb_bus_ctx(env), "store", method, data, len, SB_WAIT_MS, r, n, err,
                             errlen);
}

static void expect_badmsg(const char *method, const void *data, size_t len, const char *needle)
{
    void *r = NULL;
    size_t n;
    char err[512] = "";
    int rc = raw_call(method, data, len, &r, &n, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_EBADMSG);
    if (needle && !strstr(err, needle)) {
        fprintf(stderr, "%s: message '%s' lacks '%s'\n", method, err, needle);
        CU_FAIL("error message");
    }
    free(r);
}


static void test_malformed(void)
{
    up("");
    expect_badmsg("range", "\xc1", 1, "well-formed");
    expect_badmsg("range", "\x93\x01\x02\x03", 4, "map");
    expect_badmsg("range", "\x81\xa3key\x05", 6, "bin or str");
    expect_badmsg("range", "\x80", 1, "key");
    expect_badmsg("range", "\x81\xa4kez_\xa1x", 8, "unknown field");
    expect_badmsg("frobnicate", "\x80", 1, "unknown method");
    expect_badmsg("put", "\x81\xa3key\xa1x", 7, "value");
    expect_badmsg("txn", "\x81\xa7success\x91\x81\xa4nope\x80", 17, "range, put or delete");
    expect_badmsg("compact", "\x80", 1, "revision");
    expect_badmsg("lease_grant", "\x80", 1, "ttl");
    expect_badmsg("status", "\x81\xa1x\x01", 4, "unknown field");
    /* truncated map */
    expect_badmsg("put", "\x82\xa3key\xa1x", 7, NULL);
    /* deep nesting */
    uint8_t deep[64];
    memset(deep, 0x91, sizeof deep);
    deep[63] = 0x01;
    expect_badmsg("txn", deep, sizeof deep, NULL);
    /* limits come back as their own codes */
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    kv_str(&b, "key", "/big");
    sk_mp_put_str(&b, "value");
    size_t big = 1536 * 1024 + 1;
    uint8_t *bv = calloc(1, big);
    sk_mp_put_bin(&b, bv, big);
    free(bv);
    void *r;
    size_t n;
    char err[256];
    CU_ASSERT_EQUAL(call("put", &b, &r, &n, err, sizeof err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "limit"));
    /* the service is still fine */
    CU_ASSERT(put("/ok", "1") > 0);
    down();
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Valid requests with random bytes changed, sent to random methods: each
 * gets an answer, none crashes the store. */
static void test_mutated_requests(void)
{
    up("");
    static const char *methods[] = {"range", "put", "delete", "txn", "compact",
                                    "lease_grant", "lease_revoke", "lease_keepalive",
                                    "status", "lease_list"};
    sk_mp_buf seeds[4];
    for (int i = 0; i < 4; i++)
        sk_mp_buf_init(&seeds[i]);
    sk_mp_put_map(&seeds[0], 3);
    kv_str(&seeds[0], "key", "/f/a");
    kv_str(&seeds[0], "value", "x");
    sk_mp_put_str(&seeds[0], "prev_kv");
    sk_mp_put_bool(&seeds[0], true);
    sk_mp_put_map(&seeds[1], 3);
    kv_str(&seeds[1], "key", "/f/");
    sk_mp_put_str(&seeds[1], "prefix");
    sk_mp_put_bool(&seeds[1], true);
    sk_mp_put_str(&seeds[1], "limit");
    sk_mp_put_int(&seeds[1], 2);
    sk_mp_put_map(&seeds[2], 2);
    sk_mp_put_str(&seeds[2], "compare");
    sk_mp_put_array(&seeds[2], 1);
    sk_mp_put_map(&seeds[2], 4);
    kv_str(&seeds[2], "key", "/f/a");
    sk_mp_put_str(&seeds[2], "target");
    sk_mp_put_str(&seeds[2], "value");
    sk_mp_put_str(&seeds[2], "result");
    sk_mp_put_str(&seeds[2], "!=");
    kv_str(&seeds[2], "value", "y");
    sk_mp_put_str(&seeds[2], "success");
    sk_mp_put_array(&seeds[2], 2);
    sk_mp_put_map(&seeds[2], 1);
    sk_mp_put_str(&seeds[2], "put");
    sk_mp_put_map(&seeds[2], 2);
    kv_str(&seeds[2], "key", "/f/b");
    kv_str(&seeds[2], "value", "z");
    sk_mp_put_map(&seeds[2], 1);
    sk_mp_put_str(&seeds[2], "delete");
    sk_mp_put_map(&seeds[2], 1);
    kv_str(&seeds[2], "key", "/f/c");
    sk_mp_put_map(&seeds[3], 2);
    sk_mp_put_str(&seeds[3], "ttl");
    sk_mp_put_int(&seeds[3], 30);
    sk_mp_put_str(&seeds[3], "id");
    sk_mp_put_int(&seeds[3], 5);
    int answered = 0;
    enum { ROUNDS = 1500 };
    for (int i = 0; i < ROUNDS; i++) {
        sk_mp_buf *s = &seeds[rnd() % 4];
        uint8_t buf[256];
        size_t len = s->len < sizeof buf ? s->len : sizeof buf;
        memcpy(buf, s->data, len);
        int flips = 1 + (int)(rnd() % 4);
        for (int f = 0; f < flips; f++)
            buf[rnd() % len] = (uint8_t)rnd();
        if (rnd() % 5 == 0)
            len = rnd() % len;
        void *r = NULL;
        size_t n;
        char err[256];
        int rc = raw_call(methods[rnd() % 10], buf, len, &r, &n, err, sizeof err);
        free(r);
        if (rc != SK_ETIMEDOUT && rc != SK_ENOSERVICE)
            answered++;
    }
    CU_ASSERT_EQUAL(answered, ROUNDS);
    for (int i = 0; i < 4; i++)
        sk_mp_buf_free(&seeds[i]);
    CU_ASSERT(current_rev() > 0);
    down();
}

/* ---- watches from a compacted revision, leases ---- */

static void test_compacted_watch(void)
{
    up("");
    for (int i = 0; i < 5; i++)
        put("/cw", "v");
    int64_t rev = current_rev();
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "revision");
    sk_mp_put_int(&b, rev - 1);
    void *r;
    size_t n;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(call("compact", &b, &r, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(find_int(r, n, "compact_revision"), rev - 1);
    free(r);
    wstate *w = watch_new("/cw", 2);
    CU_ASSERT_TRUE(watch_wait(w, -1));
    CU_ASSERT_EQUAL(w->final_status, SK_ECOMPACTED);
    CU_ASSERT_TRUE(w->canceled_part);
    char want[64];
    snprintf(want, sizeof want, "compact_revision=%lld revision=%lld", (long long)(rev - 1),
             (long long)rev);
    CU_ASSERT_PTR_NOT_NULL(strstr(w->msg, want));
    watch_free(w);
    /* a read below the compaction point */
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    kv_str(&b, "key", "/cw");
    sk_mp_put_str(&b, "revision");
    sk_mp_put_int(&b, 2);
    CU_ASSERT_EQUAL(call("range", &b, &r, &n, err, sizeof err), SK_ECOMPACTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "compact_revision="));
    /* a watch from the present, cancelled by the client, frees its slot */
    w = watch_new("/cw", 0);
    CU_ASSERT_TRUE(watch_wait(w, 0));
    put("/cw", "w");
    CU_ASSERT_TRUE(watch_wait(w, 1));
    CU_ASSERT_EQUAL(sb_on_loop(env, watch_cancel, w), 0);
    bool gone = false;
    for (uint64_t end = sb_now_ms() + SB_WAIT_MS; !gone && sb_now_ms() < end;) {
        CU_ASSERT_EQUAL_FATAL(call("status", NULL, &r, &n, err, sizeof err), 0);
        gone = find_int(r, n, "watchers") == 0;
        free(r);
        if (!gone)
            sb_pause_ms(20);
    }
    CU_ASSERT_TRUE(gone);
    down();
    watch_free(w);
}

static void test_lease_over_bus(void)
{
    up("lease_check_interval: 50ms\n");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "ttl");
    sk_mp_put_int(&b, 1);
    void *r;
    size_t n;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(call("lease_grant", &b, &r, &n, err, sizeof err), 0);
    int64_t id = find_int(r, n, "id");
    free(r);
    CU_ASSERT(id > 0);
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    kv_str(&b, "key", "/events/e1");
    kv_str(&b, "value", "v");
    sk_mp_put_str(&b, "lease");
    sk_mp_put_int(&b, id);
    CU_ASSERT_EQUAL(call("put", &b, &r, &n, err, sizeof err), 0);
    free(r);
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "id");
    sk_mp_put_int(&b, id);
    CU_ASSERT_EQUAL(call("lease_keepalive", &b, &r, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(find_int(r, n, "ttl"), 1);
    free(r);
    bool gone = false;
    for (uint64_t end = sb_now_ms() + SB_WAIT_MS; !gone && sb_now_ms() < end;) {
        sk_mp_buf_init(&b);
        sk_mp_put_map(&b, 2);
        kv_str(&b, "key", "/events/");
        sk_mp_put_str(&b, "prefix");
        sk_mp_put_bool(&b, true);
        CU_ASSERT_EQUAL_FATAL(call("range", &b, &r, &n, err, sizeof err), 0);
        gone = find_int(r, n, "count") == 0;
        free(r);
        if (!gone)
            sb_pause_ms(50);
    }
    CU_ASSERT_TRUE(gone);
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "id");
    sk_mp_put_int(&b, id);
    CU_ASSERT_EQUAL(call("lease_revoke", &b, &r, &n, err, sizeof err), SK_ENOTFOUND);
    down();
}

int main(void)
{
    static const th_test tests[] = {
        {"16 clients CAS one counter, watcher sees every revision", test_cas_16_clients},
        {"malformed requests get SK_EBADMSG", test_malformed},
        {"mutated requests never crash", test_mutated_requests},
        {"compacted watch and client cancel", test_compacted_watch},
        {"lease expiry over the bus", test_lease_over_bus},
        {NULL, NULL},
    };
    return th_run_suite("store-bus", tests);
}
