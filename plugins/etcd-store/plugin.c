/* The etcd-store plugin: config, lifecycle and timers around the store
 * core. init() only validates (a hot swap inits the new generation while
 * the old one still holds the LMDB environment); start() opens the store
 * and serves `store`; stop() closes it, which answers every queued write
 * and ends every watch with SK_ESTOPPED before returning. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_int.h"

#define MAINT_MS 1000

static const sk_option options[] = {
    {"service", SK_OPT_STRING, "store", "bus service name to serve"},
    {"max_value_bytes", SK_OPT_INT, "1536Ki", "largest value a put may store"},
    {"quota_bytes", SK_OPT_INT, "8Gi", "live data limit; writes beyond fail with SK_EQUOTA"},
    {"initial_map_bytes", SK_OPT_INT, "64Mi", "initial LMDB map; doubles when full"},
    {"max_watch_backlog", SK_OPT_INT, "10000",
     "undelivered events after which a slow watcher is cancelled"},
    {"max_batch", SK_OPT_INT, "4096", "most write requests per group commit"},
    {"compaction_retain_revisions", SK_OPT_INT, "0",
     "automatic compaction: keep the last N revisions (0: off)"},
    {"compaction_retain", SK_OPT_DURATION, "0",
     "automatic compaction: keep this much history, e.g. 1h (0: off)"},
    {"lease_check_interval", SK_OPT_DURATION, "500ms", "how often lease expiry is checked"},
    {NULL, 0, NULL, NULL},
};

static int range_check(const sk_host *h, const char *key, int64_t v, int64_t lo, int64_t hi)
{
    if (v >= lo && v <= hi)
        return 0;
    const sk_cfg *n = sk_cfg_get(h, key);
    sk_error(h, "%s: %s: %lld is out of range [%lld, %lld]", n ? h->cfg->where(n) : "config",
             key, (long long)v, (long long)lo, (long long)hi);
    return SK_ECONFIG;
}

static int read_conf(const sk_host *h, es_conf *c)
{
    c->service = sk_cfg_str(h, "service", "store");
    int rc = 0;
    rc |= sk_cfg_int(h, "max_value_bytes", 1536 * 1024, &c->max_value_bytes);
    rc |= sk_cfg_int(h, "quota_bytes", 8ll << 30, &c->quota_bytes);
    rc |= sk_cfg_int(h, "initial_map_bytes", 64ll << 20, &c->initial_map_bytes);
    rc |= sk_cfg_int(h, "max_watch_backlog", 10000, &c->max_watch_backlog);
    rc |= sk_cfg_int(h, "max_batch", 4096, &c->max_batch);
    rc |= sk_cfg_int(h, "compaction_retain_revisions", 0, &c->retain_revisions);
    rc |= sk_cfg_duration_ms(h, "compaction_retain", 0, &c->retain_ms);
    rc |= sk_cfg_duration_ms(h, "lease_check_interval", 500, &c->lease_check_ms);
    if (rc)
        return SK_ECONFIG;
    if (!*c->service || strlen(c->service) > SK_BUS_NAME_MAX) {
        sk_error(h, "config: service: must be 1 to %d bytes", SK_BUS_NAME_MAX);
        return SK_ECONFIG;
    }
    if (range_check(h, "quota_bytes", c->quota_bytes, 1 << 20, INT64_MAX) ||
        range_check(h, "max_value_bytes", c->max_value_bytes, 1, c->quota_bytes) ||
        range_check(h, "initial_map_bytes", c->initial_map_bytes, 1 << 20, 1ll << 40) ||
        range_check(h, "max_watch_backlog", c->max_watch_backlog, 1, 100000000) ||
        range_check(h, "max_batch", c->max_batch, 1, 65536) ||
        range_check(h, "compaction_retain_revisions", c->retain_revisions, 0, INT64_MAX) ||
        range_check(h, "compaction_retain", c->retain_ms, 0, INT64_MAX) ||
        range_check(h, "lease_check_interval", c->lease_check_ms, 10, 3600000))
        return SK_ECONFIG;
    return 0;
}

static int es_init(const sk_host *h, void **state)
{
    es_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->h = h;
    int rc = read_conf(h, &p->conf);
    if (rc) {
        free(p);
        return rc;
    }
    if (!h->data_dir || !*h->data_dir) {
        sk_error(h, "store: the host gave no data directory");
        free(p);
        return SK_ECONFIG;
    }
    pthread_mutex_init(&p->wmu, NULL);
    *state = p;
    return 0;
}

static void metrics_init(es_plugin *p)
{
    const sk_host *h = p->h;
    es_metrics *m = &p->m;
    m->requests = sk_counter(h, "skiff_store_requests_total", "requests to the store", NULL);
    m->errors = sk_counter(h, "skiff_store_errors_total", "requests answered with an error", NULL);
    m->revision = sk_gauge(h, "skiff_store_revision", "current store revision", NULL);
    m->db_bytes = sk_gauge(h, "skiff_store_db_bytes", "data file size in use", NULL);
    m->db_in_use = sk_gauge(h, "skiff_store_db_live_bytes", "live data (the quota's measure)", NULL);
    m->watchers = sk_gauge(h, "skiff_store_watchers", "open watches", NULL);
    m->leases = sk_gauge(h, "skiff_store_leases", "granted leases", NULL);
    m->commits = sk_counter(h, "skiff_store_commits_total", "group commits (one sync each)", NULL);
    m->committed = sk_counter(h, "skiff_store_committed_requests_total",
                              "write requests made durable", NULL);
}

static void metrics_update(es_plugin *p)
{
    const sk_metrics_api *M = p->h->metrics;
    es_metrics *m = &p->m;
    sk_store_status s;
    if (sk_store_get_status(p->st, &s) == 0) {
        if (m->revision)
            M->set(m->revision, (double)s.rev);
        if (m->db_bytes)
            M->set(m->db_bytes, (double)s.db_size);
        if (m->db_in_use)
            M->set(m->db_in_use, (double)s.db_size_in_use);
        if (m->watchers)
            M->set(m->watchers, (double)s.watchers);
        if (m->leases)
            M->set(m->leases, (double)s.leases);
    }
    sk_store_stats st;
    sk_store_get_stats(p->st, &st);
    if (m->commits)
        M->add(m->commits, (double)(st.commits - m->last_commits));
    if (m->committed)
        M->add(m->committed, (double)(st.requests - m->last_committed));
    m->last_commits = st.commits;
    m->last_committed = st.requests;
}

static void on_lease_timer(void *arg, uint64_t id)
{
    (void)id;
    es_plugin *p = arg;
    int n = sk_store_lease_expire(p->st);
    if (n > 0)
        sk_debug(p->h, "store: %d lease(s) expired", n);
}

static void on_maint_timer(void *arg, uint64_t id)
{
    (void)id;
    es_plugin *p = arg;
    sk_store_autocompact pol = {.retain_revisions = p->conf.retain_revisions,
                                .retain_ms = p->conf.retain_ms};
    if (pol.retain_revisions || pol.retain_ms) {
        int64_t rev = sk_store_autocompact_tick(p->st, &pol);
        if (rev > 0)
            sk_info(p->h, "store: automatic compaction at revision %lld", (long long)rev);
    }
    metrics_update(p);
}

/* Undoes a start once nothing is served: the timers first, as they use the
 * store. Closing answers queued writes and ends watches (SK_ESTOPPED) on
 * the store's threads, then joins them: nothing of ours runs after this. */
static void close_store(es_plugin *p)
{
    if (p->lease_timer)
        sk_timer_cancel(p->h, (uint64_t)p->lease_timer);
    if (p->maint_timer)
        sk_timer_cancel(p->h, (uint64_t)p->maint_timer);
    p->lease_timer = p->maint_timer = 0;
    sk_store_close(&p->st);
}

static int es_start(void *state)
{
    es_plugin *p = state;
    const sk_host *h = p->h;
    sk_store_opts o = {.dir = h->data_dir,
                       .max_value_bytes = (uint64_t)p->conf.max_value_bytes,
                       .quota_bytes = (uint64_t)p->conf.quota_bytes,
                       .initial_map_bytes = (uint64_t)p->conf.initial_map_bytes,
                       .max_watch_backlog = (uint64_t)p->conf.max_watch_backlog,
                       .max_batch = (uint32_t)p->conf.max_batch};
    char err[512];
    int rc = sk_store_open(&o, &p->st, err, sizeof err);
    if (rc) {
        sk_error(h, "store: %s", err);
        return rc;
    }
    metrics_init(p);
    int64_t t1 = sk_timer_add(h, (uint64_t)p->conf.lease_check_ms, (uint64_t)p->conf.lease_check_ms,
                              on_lease_timer, p);
    int64_t t2 = sk_timer_add(h, MAINT_MS, MAINT_MS, on_maint_timer, p);
    if (t1 < 0 || t2 < 0) {
        sk_error(h, "store: cannot add timers: %s", sk_strerror((int)(t1 < 0 ? t1 : t2)));
        rc = (int)(t1 < 0 ? t1 : t2);
    } else if ((rc = sk_serve(h, p->conf.service, es_serve, p))) {
        sk_error(h, "store: cannot serve '%s': %s", p->conf.service, sk_strerror(rc));
    }
    p->lease_timer = t1 > 0 ? t1 : 0;
    p->maint_timer = t2 > 0 ? t2 : 0;
    if (rc) {
        close_store(p);
        return rc;
    }
    p->serving = true;
    sk_info(h, "store: serving '%s' from %s at revision %lld", p->conf.service, h->data_dir,
            (long long)sk_store_revision(p->st));
    return 0;
}

static void es_stop(void *state)
{
    es_plugin *p = state;
    const sk_host *h = p->h;
    if (p->serving) {
        sk_unserve(h, p->conf.service);
        p->serving = false;
    }
    close_store(p);
}

static void es_fini(void *state)
{
    es_plugin *p = state;
    if (!p)
        return;
    pthread_mutex_destroy(&p->wmu);
    free(p);
}

static const sk_plugin_desc desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "etcd-store",
    .version = "0.1.0",
    .description = "etcd v3 semantics on LMDB, served on the bus as `store`",
    .options = options,
    .init = es_init,
    .start = es_start,
    .stop = es_stop,
    .fini = es_fini,
};

SK_PLUGIN_DEFINE(desc)
