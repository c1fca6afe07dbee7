/* The etcd-store plugin's state, shared by plugin.c (lifecycle),
 * service.c (the `store` service) and watch_glue.c (streamed watches). */
#ifndef SK_STORE_PLUGIN_INT_H
#define SK_STORE_PLUGIN_INT_H

#include <pthread.h>

#include "skiff/skiff.h"
#include "store.h"

typedef struct es_watch es_watch;

typedef struct es_conf {
    const char *service;
    int64_t max_value_bytes, quota_bytes, initial_map_bytes, max_watch_backlog, max_batch;
    int64_t retain_revisions, retain_ms, lease_check_ms;
} es_conf;

typedef struct es_metrics {
    sk_metric *requests, *errors, *revision, *db_bytes, *db_in_use, *watchers, *leases,
        *commits, *committed;
    uint64_t last_commits, last_committed;
} es_metrics;

typedef struct es_plugin {
    const sk_host *h;
    es_conf conf;
    sk_store *st;
    bool serving;
    int64_t lease_timer, maint_timer;
    es_metrics m;
    /* live watches, for cancellation from the bus (any thread) */
    pthread_mutex_t wmu;
    es_watch *watches;
} es_plugin;

/* service.c */
void es_serve(void *arg, sk_bus_req *req, const char *method, const void *data, size_t len);
int es_reply_buf(es_plugin *p, sk_bus_req *req, sk_mp_buf *b);

/* watch_glue.c */
void es_watch_start(es_plugin *p, sk_bus_req *req, const void *data, size_t len);

#endif
