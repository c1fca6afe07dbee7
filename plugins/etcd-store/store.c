/* The store's lifetime: open (LMDB, then the watch and writer threads)
 * and close (threads first, so nothing touches LMDB while it closes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skiff/errors.h"
#include "store_int.h"

#define DEFAULT_QUOTA (8ull << 30)
#define DEFAULT_BACKLOG 10000
#define DEFAULT_BATCH 4096

uint64_t st_now_ms(const sk_store *st)
{
    if (st->o.now_ms)
        return st->o.now_ms(st->o.now_arg);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void apply_defaults(sk_store_opts *o)
{
    if (!o->max_value_bytes)
        o->max_value_bytes = SK_STORE_DEFAULT_MAX_VALUE;
    if (!o->quota_bytes)
        o->quota_bytes = DEFAULT_QUOTA;
    if (!o->max_watch_backlog)
        o->max_watch_backlog = DEFAULT_BACKLOG;
    if (!o->max_batch)
        o->max_batch = DEFAULT_BATCH;
}

int sk_store_open(const sk_store_opts *opts, sk_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!opts->dir || !*opts->dir) {
        snprintf(err, errlen, "store: no data directory given");
        return SK_ECONFIG;
    }
    sk_store *st = calloc(1, sizeof *st);
    if (!st || !(st->dir = strdup(opts->dir))) {
        free(st);
        snprintf(err, errlen, "store: out of memory");
        return -ENOMEM;
    }
    st->o = *opts;
    st->o.dir = st->dir;
    apply_defaults(&st->o);
    st->lock_fd = -1;
    pthread_rwlock_init(&st->map_lock, NULL);
    pthread_mutex_init(&st->wmu, NULL);
    pthread_cond_init(&st->wcv, NULL);
    pthread_mutex_init(&st->amu, NULL);
    pthread_mutex_init(&st->cmu, NULL);
    pthread_cond_init(&st->ccv, NULL);
    int rc = st_leases_new(&st->leases);
    if (rc == 0)
        rc = st_hub_new(st, &st->hub);
    if (rc) {
        snprintf(err, errlen, "store: out of memory");
    } else if ((rc = st_env_open(st, err, errlen)) == 0) {
        if ((rc = st_hub_start(st->hub)))
            snprintf(err, errlen, "store: cannot start the watch thread: %s", sk_strerror(rc));
        else if ((rc = st_completer_start(st, err, errlen)) == 0)
            rc = st_writer_start(st, err, errlen);
    }
    if (rc) {
        sk_store_close(&st);
        return rc;
    }
    *out = st;
    return 0;
}

void sk_store_close(sk_store **stp)
{
    sk_store *st = *stp;
    if (!st)
        return;
    st_writer_stop(st);
    st_completer_stop(st);
    if (st->hub)
        st_hub_stop(st->hub);
    st_env_close(st);
    st_hub_free(&st->hub);
    st_leases_free(&st->leases);
    pthread_rwlock_destroy(&st->map_lock);
    pthread_mutex_destroy(&st->wmu);
    pthread_cond_destroy(&st->wcv);
    pthread_mutex_destroy(&st->amu);
    pthread_mutex_destroy(&st->cmu);
    pthread_cond_destroy(&st->ccv);
    free(st->dir);
    free(st);
    *stp = NULL;
}

int64_t sk_store_revision(sk_store *st)
{
    return atomic_load(&st->rev);
}

void sk_store_get_stats(sk_store *st, sk_store_stats *out)
{
    out->commits = atomic_load(&st->commits);
    out->requests = atomic_load(&st->committed_reqs);
}
