/* Helpers shared by the store's CUnit suites. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

int64_t th_putn(sk_store *st, const void *key, size_t klen, const void *val, size_t vlen)
{
    sk_store_op op = {.type = SK_STORE_OP_PUT, .span = {.key = key, .key_len = klen},
                      .value = val, .value_len = vlen};
    sk_store_txn t = {.success = &op, .nsuccess = 1};
    sk_store_sync_res r;
    int rc = sk_store_txn_sync(st, &t, &r);
    int64_t rev = rc ? rc : r.r.rev;
    sk_store_result_free(&r);
    return rev;
}

int64_t th_put(sk_store *st, const char *key, const char *val)
{
    return th_putn(st, key, strlen(key), val, strlen(val));
}

int64_t th_put_lease(sk_store *st, const char *key, const char *val, int64_t lease)
{
    sk_store_op op = {.type = SK_STORE_OP_PUT,
                      .span = {.key = (const uint8_t *)key, .key_len = strlen(key)},
                      .value = (const uint8_t *)val, .value_len = strlen(val), .lease = lease};
    sk_store_txn t = {.success = &op, .nsuccess = 1};
    sk_store_sync_res r;
    int rc = sk_store_txn_sync(st, &t, &r);
    int64_t rev = rc ? rc : r.r.rev;
    sk_store_result_free(&r);
    return rev;
}

int64_t th_del(sk_store *st, const char *key, const char *end)
{
    sk_store_op op = {.type = SK_STORE_OP_DELETE,
                      .span = {.key = (const uint8_t *)key, .key_len = strlen(key),
                               .end = (const uint8_t *)end, .end_len = end ? strlen(end) : 0}};
    if (end && !*end) /* "" means everything after key */
        op.span.end = (const uint8_t *)"", op.span.end_len = 1;
    sk_store_txn t = {.success = &op, .nsuccess = 1};
    sk_store_sync_res r;
    int rc = sk_store_txn_sync(st, &t, &r);
    int64_t n = rc ? rc : r.r.ops[0].count;
    sk_store_result_free(&r);
    return n;
}

static int collect(void *arg, const sk_store_kv *kv)
{
    th_range *r = arg;
    if (r->n >= sizeof r->kvs / sizeof r->kvs[0])
        return 0;
    th_kv *d = &r->kvs[r->n++];
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
    if (c->kv) {
        th_kv *d = c->kv;
        d->key_len = kv->key_len < sizeof d->key ? kv->key_len : sizeof d->key - 1;
        memcpy(d->key, kv->key, d->key_len);
        d->val_len = kv->value_len < sizeof d->val ? kv->value_len : sizeof d->val - 1;
        if (d->val_len)
            memcpy(d->val, kv->value, d->val_len);
        d->create_rev = kv->create_rev;
        d->mod_rev = kv->mod_rev;
        d->version = kv->version;
        d->lease = kv->lease;
    }
    return 0;
}

int th_get(sk_store *st, const char *key, int64_t rev, char *buf, size_t len, th_kv *kv)
{
    sk_store_range_req rq = {.span = {.key = (const uint8_t *)key, .key_len = strlen(key)},
                             .rev = rev};
    one_ctx c = {.buf = buf, .len = len, .kv = kv};
    sk_store_range_res res;
    char err[256];
    int rc = sk_store_range(st, &rq, take_one, &c, &res, err, sizeof err);
    return rc ? rc : c.found;
}

int th_run_suite(const char *suite, const th_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (!s)
        return 2;
    for (const th_test *t = tests; t->name; t++)
        if (!CU_add_test(s, t->name, t->fn))
            return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
