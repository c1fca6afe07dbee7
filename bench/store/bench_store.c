/* bench-store: the etcd-store plugin through the bus of an in-process host,
 * against raw LMDB on the same disk. 1 KiB values. Prints:
 *   durable puts/s with 1, 16 and 64 requests in flight
 *   gets/s (16 in flight), prefix ranges of 10,000 keys per second
 *   watch events delivered per second to 1 and to 100 watchers
 *   raw LMDB: one synced txn per put, and 1,000 puts per synced txn
 * Each phase runs for a fixed time, so the whole run is bounded (~40 s). */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "store_bus.h"

#define VALUE_BYTES 1024
#define PHASE_MS 3000
/* Pause between write phases: the VM disk is rate-limited (see STORE.md). */
#define REST_MS 3000
#define RANGE_KEYS 10000

static sb_env *env;
static uint8_t value[VALUE_BYTES];

static char *mktmp(const char *tag);
static void rm_rf(const char *dir);

static uint64_t sb_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- async request pipelines on the client loop ---- */

typedef struct pipeline {
    const char *method;
    int inflight;
    uint64_t end_ms;
    /* loop thread */
    uint64_t done, errors, next_key;
    int active;
    int last_err;
    char last_msg[256];
    /* completion */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished;
    uint64_t key_space;
} pipeline;

/* A deadline s seconds from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(time_t s)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += s;
    return dl;
}

/* One txn putting value under prefix + (base .. base + 499): big enough
 * that the writer is not what the caller measures. */
static int put_500(const char *prefix, int base, char *err, size_t errlen)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "success");
    sk_mp_put_array(&b, 500);
    for (int i = base; i < base + 500; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s%06d", prefix, i);
        sk_mp_put_map(&b, 1);
        sk_mp_put_str(&b, "put");
        sk_mp_put_map(&b, 2);
        sk_mp_put_str(&b, "key");
        sk_mp_put_bin(&b, key, strlen(key));
        sk_mp_put_str(&b, "value");
        sk_mp_put_bin(&b, value, sizeof value);
    }
    void *r;
    size_t n;
    int rc = sb_call(env, "txn", &b, &r, &n, err, errlen);
    if (rc == 0)
        free(r);
    sk_mp_buf_free(&b);
    return rc;
}

static void build(pipeline *p, sk_mp_buf *b)
{
    char key[64];
    snprintf(key, sizeof key, "/bench/k/%08llu",
             (unsigned long long)(p->next_key++ % p->key_space));
    sk_mp_buf_init(b);
    if (strcmp(p->method, "put") == 0) {
        sk_mp_put_map(b, 2);
        sk_mp_put_str(b, "key");
        sk_mp_put_bin(b, key, strlen(key));
        sk_mp_put_str(b, "value");
        sk_mp_put_bin(b, value, sizeof value);
    } else {
        sk_mp_put_map(b, 1);
        sk_mp_put_str(b, "key");
        sk_mp_put_bin(b, key, strlen(key));
    }
}

static void issue(pipeline *p);

static void on_reply(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    (void)data, (void)len;
    pipeline *p = arg;
    if (status < 0) {
        p->errors++;
        p->last_err = status;
        snprintf(p->last_msg, sizeof p->last_msg, "%s", errmsg);
    } else {
        p->done++;
    }
    if (sb_now_ms() < p->end_ms) {
        issue(p);
        return;
    }
    if (--p->active == 0) {
        pthread_mutex_lock(&p->mu);
        p->finished = 1;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

static void issue(pipeline *p)
{
    sk_mp_buf b;
    build(p, &b);
    int rc = sb_bus(env)->request(sb_bus_ctx(env), "store", p->method, b.data, b.len, 20000,
                                  on_reply, p, NULL);
    sk_mp_buf_free(&b);
    if (rc) {
        p->errors++;
        p->last_err = rc;
        if (--p->active == 0) {
            pthread_mutex_lock(&p->mu);
            p->finished = 1;
            pthread_cond_signal(&p->cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void start_pipeline(void *arg)
{
    pipeline *p = arg;
    p->active = p->inflight;
    for (int i = 0; i < p->inflight; i++)
        issue(p);
}

/* Runs method with `inflight` outstanding requests for PHASE_MS; ops/s. */
static double run_pipeline(const char *method, int inflight, uint64_t key_space, uint64_t *errors)
{
    pipeline p = {.method = method, .inflight = inflight, .key_space = key_space};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    uint64_t t0 = sb_now_ms();
    p.end_ms = t0 + PHASE_MS;
    if (sb_on_loop(env, start_pipeline, &p)) {
        fprintf(stderr, "bench: cannot start the clients\n");
        exit(1);
    }
    struct timespec dl = deadline_in(PHASE_MS / 1000 + 30);
    pthread_mutex_lock(&p.mu);
    int rc = 0;
    while (!p.finished && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p.cv, &p.mu, &dl);
    pthread_mutex_unlock(&p.mu);
    if (!p.finished) {
        fprintf(stderr, "bench: %s clients did not finish\n", method);
        exit(1);
    }
    double secs = (double)(sb_now_ms() - t0) / 1000.0;
    if (p.errors)
        fprintf(stderr, "bench: %s: %llu errors, last %s: %s\n", method,
                (unsigned long long)p.errors, sk_strerror(p.last_err), p.last_msg);
    *errors = p.errors;
    return (double)p.done / secs;
}

/* Commits and committed requests so far, from the plugin's metrics (they
 * refresh every second). */
static void commit_stats(double *commits, double *reqs)
{
    *commits = *reqs = 0;
    char *m = sb_metrics_text(env);
    for (char *l = m; l && *l;) {
        char *nl = strchr(l, '\n');
        if (strncmp(l, "skiff_store_commits_total ", 26) == 0)
            *commits = strtod(l + 26, NULL);
        else if (strncmp(l, "skiff_store_committed_requests_total ", 37) == 0)
            *reqs = strtod(l + 37, NULL);
        l = nl ? nl + 1 : NULL;
    }
    free(m);
}

/* Average fdatasync latency of one 4 KiB write in dir, in microseconds:
 * printed beside each write phase so a throttled disk shows. */
static double probe_sync_us(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/probe", dir);
    int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    uint8_t page[4096] = {0};
    uint64_t t0 = sb_now_us();
    int n = 50;
    for (int i = 0; i < n; i++)
        if (pwrite(fd, page, sizeof page, (off_t)(i % 8) * 4096) != (ssize_t)sizeof page ||
            fdatasync(fd) != 0)
            break;
    double us = (double)(sb_now_us() - t0) / n;
    close(fd);
    unlink(path);
    return us;
}

static const char *probe_dir;

static double put_phase(int clients, uint64_t *err)
{
    double c0, r0, c1, r1;
    sb_pause_ms(REST_MS);
    double sync_us = probe_sync_us(probe_dir);
    commit_stats(&c0, &r0);
    double rate = run_pipeline("put", clients, 100000, err);
    sb_pause_ms(1100);
    commit_stats(&c1, &r1);
    printf("  durable puts/s, %2d client%s   %10.0f  (%.1f requests per commit; disk fsync %.0f us)\n",
           clients, clients > 1 ? "s:" : ": ", rate, c1 > c0 ? (r1 - r0) / (c1 - c0) : 0.0,
           sync_us);
    return rate;
}

/* ---- the core alone, no bus ---- */

typedef struct core_pipe {
    sk_store *st;
    uint64_t end_ms, done, errors, next;
    int active;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} core_pipe;

static void core_issue(core_pipe *p);

static void core_done(void *arg, const sk_store_result *r)
{
    core_pipe *p = arg;
    if (r->status)
        p->errors++;
    else
        p->done++;
    if (sb_now_ms() < p->end_ms) {
        core_issue(p);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->active--;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Completions run on one store thread, so p's counters need no lock. */
static void core_issue(core_pipe *p)
{
    char key[64];
    snprintf(key, sizeof key, "/core/k/%08llu", (unsigned long long)(p->next++ % 100000));
    sk_store_op op = {.type = SK_STORE_OP_PUT,
                      .span = {.key = (const uint8_t *)key, .key_len = strlen(key)},
                      .value = value, .value_len = sizeof value};
    sk_store_txn t = {.success = &op, .nsuccess = 1};
    if (sk_store_submit_txn(p->st, &t, core_done, p)) {
        pthread_mutex_lock(&p->mu);
        p->errors++;
        p->active--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

static double core_puts(int inflight)
{
    char *dir = mktmp("core");
    sk_store_opts o = {.dir = dir, .quota_bytes = 4ull << 30, .initial_map_bytes = 256 << 20};
    char err[256];
    core_pipe p = {.active = inflight};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    if (sk_store_open(&o, &p.st, err, sizeof err)) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
    uint64_t t0 = sb_now_ms();
    p.end_ms = t0 + PHASE_MS;
    pthread_mutex_lock(&p.mu);
    for (int i = 0; i < inflight; i++)
        core_issue(&p); /* completions wait for the lock below before counting */
    pthread_mutex_unlock(&p.mu);
    struct timespec dl = deadline_in(PHASE_MS / 1000 + 30);
    int rc = 0;
    pthread_mutex_lock(&p.mu);
    while (p.active > 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p.cv, &p.mu, &dl);
    pthread_mutex_unlock(&p.mu);
    double rate = (double)p.done / ((double)(sb_now_ms() - t0) / 1000.0);
    sk_store_close(&p.st);
    rm_rf(dir);
    free(dir);
    return rate;
}

/* ---- ranges ---- */

static double bench_ranges(void)
{
    /* 10,000 keys under one prefix, written in big txns */
    for (int base = 0; base < RANGE_KEYS; base += 500) {
        char err[256];
        if (put_500("/bench/range/", base, err, sizeof err)) {
            fprintf(stderr, "bench: filling the range: %s\n", err);
            exit(1);
        }
    }
    sk_mp_buf q;
    sk_mp_buf_init(&q);
    sk_mp_put_map(&q, 2);
    sk_mp_put_str(&q, "key");
    sk_mp_put_bin(&q, "/bench/range/", 13);
    sk_mp_put_str(&q, "prefix");
    sk_mp_put_bool(&q, true);
    uint64_t t0 = sb_now_ms();
    int n_ranges = 0;
    while (sb_now_ms() - t0 < PHASE_MS) {
        void *r;
        size_t n;
        char err[256];
        if (sb_call(env, "range", &q, &r, &n, err, sizeof err)) {
            fprintf(stderr, "bench: range: %s\n", err);
            exit(1);
        }
        free(r);
        n_ranges++;
    }
    sk_mp_buf_free(&q);
    return n_ranges / ((double)(sb_now_ms() - t0) / 1000.0);
}

/* ---- watches ---- */

typedef struct watchers {
    int n;
    uint64_t want;
    uint64_t *got;       /* loop thread */
    uint64_t *ids;
    uint64_t complete;   /* watchers that got everything */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t start_rev;
    int created;
} watchers;

typedef struct wslot {
    watchers *w;
    int i;
} wslot;

static void on_watch(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    wslot *s = arg;
    watchers *w = s->w;
    if (status != SK_BUS_MORE) {
        if (status != SK_ECANCELED)
            fprintf(stderr, "bench: watch %d ended: %s\n", s->i, errmsg);
        return;
    }
    sk_mp_view v, evs;
    uint32_t n = 0;
    sk_mp_iter it;
    if (sk_mp_check(data, len, 16, &v) == 0 && sk_mp_find(v, "events", &evs) == 0 &&
        sk_mp_iter_init(evs, &it, &n) == 0) {
        w->got[s->i] += n;
        if (w->got[s->i] == w->want) {
            pthread_mutex_lock(&w->mu);
            w->complete++;
            pthread_cond_signal(&w->cv);
            pthread_mutex_unlock(&w->mu);
        }
    } else {
        pthread_mutex_lock(&w->mu);
        w->created++;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
}

static wslot *slots;

static void start_watchers(void *arg)
{
    watchers *w = arg;
    for (int i = 0; i < w->n; i++) {
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        sk_mp_put_map(&b, 3);
        sk_mp_put_str(&b, "key");
        sk_mp_put_bin(&b, "/bench/w/", 9);
        sk_mp_put_str(&b, "prefix");
        sk_mp_put_bool(&b, true);
        sk_mp_put_str(&b, "start_revision");
        sk_mp_put_int(&b, w->start_rev);
        slots[i] = (wslot){w, i};
        if (sb_bus(env)->request(sb_bus_ctx(env), "store", "watch", b.data, b.len, 0, on_watch,
                                 &slots[i], &w->ids[i]))
            fprintf(stderr, "bench: watch request failed\n");
        sk_mp_buf_free(&b);
    }
}

static void cancel_watchers(void *arg)
{
    watchers *w = arg;
    for (int i = 0; i < w->n; i++)
        sb_bus(env)->cancel(sb_bus_ctx(env), w->ids[i]);
}

static int64_t status_rev(void)
{
    void *r;
    size_t n;
    char err[256];
    sk_mp_view v, at;
    int64_t rev = -1;
    if (sb_call(env, "status", NULL, &r, &n, err, sizeof err) == 0) {
        if (sk_mp_check(r, n, 8, &v) == 0 && sk_mp_find(v, "revision", &at) == 0)
            sk_mp_get_int(at, &rev);
        free(r);
    }
    return rev;
}

/* Events delivered per second to nw established watchers of one prefix,
 * from the first write until every watcher has every event; the events
 * come from txns of 500 puts so the writer is not what is measured. */
static double bench_watch(int nw, int events)
{
    watchers w = {.n = nw, .want = (uint64_t)events};
    w.got = calloc((size_t)nw, sizeof *w.got);
    w.ids = calloc((size_t)nw, sizeof *w.ids);
    slots = calloc((size_t)nw, sizeof *slots);
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    w.start_rev = status_rev() + 1;
    sb_on_loop(env, start_watchers, &w);
    /* every watch established before the clock starts */
    struct timespec cdl = deadline_in(30);
    pthread_mutex_lock(&w.mu);
    int crc = 0;
    while (w.created < nw && crc != ETIMEDOUT)
        crc = pthread_cond_timedwait(&w.cv, &w.mu, &cdl);
    pthread_mutex_unlock(&w.mu);
    uint64_t t0 = sb_now_ms();
    for (int base = 0; base < events; base += 500) {
        char err[256];
        if (put_500("/bench/w/", base, err, sizeof err))
            fprintf(stderr, "bench: watch writes: %s\n", err);
    }
    struct timespec dl = deadline_in(120);
    pthread_mutex_lock(&w.mu);
    int rc = 0;
    while (w.complete < (uint64_t)nw && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w.cv, &w.mu, &dl);
    pthread_mutex_unlock(&w.mu);
    double secs = (double)(sb_now_ms() - t0) / 1000.0;
    if (w.complete < (uint64_t)nw)
        fprintf(stderr, "bench: only %llu of %d watchers got every event\n",
                (unsigned long long)w.complete, nw);
    sb_on_loop(env, cancel_watchers, &w);
    sb_pause_ms(200);
    double rate = (double)w.complete * events / secs;
    free(w.got);
    free(w.ids);
    /* slots stay: a cancelled request's callback never runs again, but
     * keep the memory for the rest of the run to be safe */
    return rate;
}

/* ---- raw LMDB ---- */

static double raw_lmdb(const char *dir, int per_txn, int total)
{
    MDB_env *e;
    MDB_txn *txn;
    MDB_dbi dbi;
    if (mdb_env_create(&e) || mdb_env_set_mapsize(e, 1ull << 30) ||
        mdb_env_open(e, dir, 0, 0600)) {
        fprintf(stderr, "bench: raw lmdb open failed in %s\n", dir);
        exit(1);
    }
    mdb_txn_begin(e, NULL, 0, &txn);
    mdb_dbi_open(txn, NULL, 0, &dbi);
    mdb_txn_commit(txn);
    uint64_t t0 = sb_now_ms();
    int done = 0;
    while (done < total) {
        if (mdb_txn_begin(e, NULL, 0, &txn))
            exit(1);
        for (int i = 0; i < per_txn; i++, done++) {
            char key[32];
            snprintf(key, sizeof key, "/raw/%08d", done % 10000);
            MDB_val k = {strlen(key), key}, v = {sizeof value, value};
            if (mdb_put(txn, dbi, &k, &v, 0))
                exit(1);
        }
        if (mdb_txn_commit(txn)) /* synchronous: LMDB's default */
            exit(1);
    }
    double secs = (double)(sb_now_ms() - t0) / 1000.0;
    mdb_env_close(e);
    return done / secs;
}

static char *mktmp(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    char *p = malloc(512);
    snprintf(p, 512, "%s/skiff-bench-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    if (!mkdtemp(p)) {
        perror("mkdtemp");
        exit(1);
    }
    return p;
}

static void rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
}

int main(void)
{
    for (size_t i = 0; i < sizeof value; i++)
        value[i] = (uint8_t)('a' + i % 26);
    if (getenv("BENCH_STORE_CORE_ONLY")) { /* for profiling the core */
        printf("core puts/s, 64 in flight: %.0f\n", core_puts(64));
        return 0;
    }
    char *root = mktmp("store");
    env = sb_start(root, "quota_bytes: 4Gi\ninitial_map_bytes: 256Mi\n");
    if (!env) {
        fprintf(stderr, "bench: cannot start the store\n");
        return 1;
    }
    uint64_t err = 0, errs = 0;
    printf("skiff etcd-store bench (1 KiB values, durable = fsynced before the reply)\n");
    printf("through the bus (in-process host: broker + etcd-store.so + client endpoint)\n");
    probe_dir = root;
    if (getenv("BENCH_STORE_PUTS_ONLY")) { /* for profiling the write path */
        put_phase(64, &err);
        sb_stop(&env);
        rm_rf(root);
        free(root);
        return 0;
    }
    probe_dir = root;
    double p64 = put_phase(64, &err);
    errs += err;
    double p16 = put_phase(16, &err);
    errs += err;
    double p1 = put_phase(1, &err);
    errs += err;
    double gets = run_pipeline("range", 16, 100000, &err);
    errs += err;
    printf("  gets/s (16 in flight):         %10.0f\n", gets);
    double ranges = bench_ranges();
    printf("  prefix range of 10,000 keys/s: %10.2f  (%.0f keys/s)\n", ranges, ranges * RANGE_KEYS);
    double w1 = bench_watch(1, 50000);
    printf("  watch events/s, 1 watcher:     %10.0f\n", w1);
    double w100 = bench_watch(100, 5000);
    printf("  watch events/s, 100 watchers:  %10.0f  (delivered, summed over watchers)\n", w100);
    sb_stop(&env);
    rm_rf(root);
    free(root);

    char *raw = mktmp("raw");
    sb_pause_ms(REST_MS);
    printf("raw LMDB on the same disk (%s; disk fsync %.0f us)\n", raw, probe_sync_us(raw));
    double r1 = raw_lmdb(raw, 1, 3000);
    printf("  one synced txn per put:        %10.0f puts/s\n", r1);
    double r1000 = raw_lmdb(raw, 1000, 200000);
    printf("  1,000 puts per synced txn:     %10.0f puts/s\n", r1000);
    rm_rf(raw);
    free(raw);
    sb_pause_ms(REST_MS);
    printf("the store core alone (no bus), for comparison\n");
    double c64 = core_puts(64);
    printf("  durable puts/s, 64 in flight:  %10.0f\n", c64);
    printf("ratios\n");
    printf("  store 64 clients / raw synced txn per put:  %8.1fx\n", p64 / r1);
    printf("  store 64 clients / raw 1,000 per txn:       %8.3f\n", p64 / r1000);
    printf("  store  1 client  / raw synced txn per put:  %8.3f\n", p1 / r1);
    printf("  store 16 clients / raw synced txn per put:  %8.1fx\n", p16 / r1);
    printf("target: >= 50,000 durable puts/s with 64 clients: %s\n",
           p64 >= 50000 ? "met" : "NOT met");
    return errs ? 2 : 0;
}
