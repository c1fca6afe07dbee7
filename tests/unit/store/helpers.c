/* Helpers shared by the store's CUnit suites. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *th_mkdtemp(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    char *p;
    if (asprintf(&p, "%s/skiff-store-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag) < 0)
        return NULL;
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    return p;
}

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *sub;
            if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
                continue;
            rm_rf(sub);
            free(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void th_rmdir(char *dir)
{
    if (!dir)
        return;
    rm_rf(dir);
    free(dir);
}

sk_store *th_open(const char *dir, const sk_store_opts *base)
{
    sk_store_opts o = base ? *base : (sk_store_opts){0};
    o.dir = dir;
    sk_store *st = NULL;
    char err[256];
    int rc = sk_store_open(&o, &st, err, sizeof err);
    if (rc)
        fprintf(stderr, "th_open(%s): %s\n", dir, err);
    return st;
}

void th_setup(const char *tag, const sk_store_opts *base, char **dir, sk_store **st)
{
    *dir = th_mkdtemp(tag);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*dir);
    *st = th_open(*dir, base);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*st);
}

void th_teardown(char **dir, sk_store **st)
{
    sk_store_close(st);
    th_rmdir(*dir);
    *dir = NULL;
}

sk_store_span th_span(const char *key, const char *end)
{
    sk_store_span sp = {.key = (const uint8_t *)key, .key_len = strlen(key)};
    if (end) {
        sp.end = (const uint8_t *)(*end ? end : ""); /* "" + its NUL: the end of the keys */
        sp.end_len = *end ? strlen(end) : 1;
    }
    return sp;
}

/* Runs op as a one-op txn: the deleted count (count) or the revision, or
 * the error. */
static int64_t one_op(sk_store *st, const sk_store_op *op, bool count)
{
    sk_store_txn t = {.success = op, .nsuccess = 1};
    sk_store_sync_res r;
    int rc = sk_store_txn_sync(st, &t, &r);
    int64_t v = rc ? rc : count ? r.r.ops[0].count : r.r.rev;
    sk_store_result_free(&r);
    return v;
}

static int64_t put_op(sk_store *st, const void *key, size_t klen, const void *val, size_t vlen,
                      int64_t lease)
{
    sk_store_op op = {.type = SK_STORE_OP_PUT, .span = {.key = key, .key_len = klen},
                      .value = val, .value_len = vlen, .lease = lease};
    return one_op(st, &op, false);
}

int64_t th_putn(sk_store *st, const void *key, size_t klen, const void *val, size_t vlen)
{
    return put_op(st, key, klen, val, vlen, 0);
}

int64_t th_put(sk_store *st, const char *key, const char *val)
{
    return th_putn(st, key, strlen(key), val, strlen(val));
}

int64_t th_put_lease(sk_store *st, const char *key, const char *val, int64_t lease)
{
    return put_op(st, key, strlen(key), val, strlen(val), lease);
}

int64_t th_del(sk_store *st, const char *key, const char *end)
{
    sk_store_op op = {.type = SK_STORE_OP_DELETE, .span = th_span(key, end)};
    return one_op(st, &op, true);
}

/* kv into d, cut to d's buffers and NUL-terminated. */
static void kv_copy(th_kv *d, const sk_store_kv *kv)
{
    memset(d, 0, sizeof *d);
    d->key_len = kv->key_len < sizeof d->key ? kv->key_len : sizeof d->key - 1;
    memcpy(d->key, kv->key, d->key_len);
    if (kv->value) {
        d->val_len = kv->value_len < sizeof d->val ? kv->value_len : sizeof d->val - 1;
        memcpy(d->val, kv->value, d->val_len);
    }
    d->create_rev = kv->create_rev;
    d->mod_rev = kv->mod_rev;
    d->version = kv->version;
    d->lease = kv->lease;
}

static int collect(void *arg, const sk_store_kv *kv)
{
    th_range *r = arg;
    if (r->n < sizeof r->kvs / sizeof r->kvs[0])
        kv_copy(&r->kvs[r->n++], kv);
    return 0;
}

int th_range_get(sk_store *st, const sk_store_range_req *rq, th_range *out)
{
    char err[256];
    memset(out, 0, sizeof *out);
    out->rc = sk_store_range(st, rq, collect, out, &out->res, err, sizeof err);
    return out->rc;
}

typedef struct one_ctx {
    char *buf;
    size_t len;
    th_kv *kv;
    int found;
} one_ctx;

static int take_one(void *arg, const sk_store_kv *kv)
{
    one_ctx *c = arg;
    c->found = 1;
    if (c->buf && c->len) {
        size_t n = kv->value_len < c->len - 1 ? kv->value_len : c->len - 1;
        if (n)
            memcpy(c->buf, kv->value, n);
        c->buf[n] = 0;
    }
    if (c->kv)
        kv_copy(c->kv, kv);
    return 0;
}

int th_get(sk_store *st, const char *key, int64_t rev, char *buf, size_t len, th_kv *kv)
{
    sk_store_range_req rq = {.span = th_span(key, NULL), .rev = rev};
    one_ctx c = {.buf = buf, .len = len, .kv = kv};
    sk_store_range_res res;
    char err[256];
    int rc = sk_store_range(st, &rq, take_one, &c, &res, err, sizeof err);
    return rc ? rc : c.found;
}

void th_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

int th_run_suite(const char *suite, const th_test *tests)
{
    return sk_cunit_run(suite, NULL, NULL, tests);
}
