/* Shared helpers of the store tests: scratch directories and one-line
 * forms of the core calls. */
#ifndef SK_STORE_TEST_HELPERS_H
#define SK_STORE_TEST_HELPERS_H

#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../sk_cunit.h"
#include "skiff/errors.h"
#include "build_dir.h"
#include "store.h"

/* A fresh directory under $TMPDIR; removed (recursively) by th_rmdir. */
char *th_mkdtemp(const char *tag);
void th_rmdir(char *dir);

sk_store *th_open(const char *dir, const sk_store_opts *base);
/* For suites with one store at a time: opens *st with base's options in a
 * fresh *dir named after tag, failing the test (fatally) if it cannot;
 * th_teardown closes and removes both. */
void th_setup(const char *tag, const sk_store_opts *base, char **dir, sk_store **st);
void th_teardown(char **dir, sk_store **st);

/* The span [key, end): end NULL is key alone, "" every key from key on. */
sk_store_span th_span(const char *key, const char *end);


/* put key=value; returns the revision or a negative code. */
int64_t th_put(sk_store *st, const char *key, const char *val);
int64_t th_put_lease(sk_store *st, const char *key, const char *val, int64_t lease);
int64_t th_putn(sk_store *st, const void *key, size_t klen, const void *val, size_t vlen);
/* delete [key, end) (end NULL: the key); returns deleted count or < 0. */
int64_t th_del(sk_store *st, const char *key, const char *end);

/* A collected range answer. */
typedef struct th_kv {
    char key[4200];
    size_t key_len;
    char val[256];
    size_t val_len;
    int64_t create_rev, mod_rev, version, lease;
} th_kv;
typedef struct th_range {
    th_kv kvs[64];
    size_t n;
    sk_store_range_res res;
    int rc;
} th_range;

int th_range_get(sk_store *st, const sk_store_range_req *rq, th_range *out);
/* Value of key at rev (0: current) into buf; returns 1 found, 0 absent, <0. */
int th_get(sk_store *st, const char *key, int64_t rev, char *buf, size_t len, th_kv *kv);

/* One bounded slice of waiting on cv (mu held): callers loop, re-checking
 * their condition and their own overall deadline. */
void th_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, long ms);

typedef sk_cunit_case th_test;
int th_run_suite(const char *suite, const th_test *tests);

#endif
