/* controllers.so: options, lifecycle, leader election and the work-queue
 * workers. init() only reads the config; start() builds the informers and
 * queues (and, with leader election, acts only while leading); stop()
 * cancels everything, so a reloaded generation simply re-lists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgr.h"

const char *const ctl_names[C_COUNT] = {"replicaset", "deployment",      "endpoints",
                                        "namespace",  "garbagecollector", "nodelifecycle"};

static const sk_option options[] = {
    {"controllers", SK_OPT_LIST, "[\"*\"]",
     "controllers to run: replicaset, deployment, endpoints (with endpointslices), namespace, "
     "garbagecollector, nodelifecycle; \"*\" for all, \"-name\" to leave one out"},
    {"workers", SK_OPT_INT, "5", "keys each controller reconciles at once"},
    {"node_monitor_grace_period", SK_OPT_DURATION, "40s",
     "a node whose Lease is not renewed for this long becomes Ready=Unknown"},
    {"default_toleration_seconds", SK_OPT_INT, "300",
     "how long pods without their own toleration stay on an unreachable node"},
    {"burst", SK_OPT_INT, "500", "most pods a ReplicaSet creates or deletes per sync"},
    {"request_timeout", SK_OPT_DURATION, "10s", "timeout of each API write"},
    {"api_service", SK_OPT_STRING, "api", "bus service of the apiserver"},
    {"leader_elect", SK_OPT_BOOL, "true", "act only while holding the leader Lease"},
    {"leader_lease", SK_OPT_STRING, "kube-system/skiff-controllers", "namespace/name of it"},
    {"lease_duration", SK_OPT_DURATION, "15s", "leaseDurationSeconds"},
    {"renew_deadline", SK_OPT_DURATION, "10s", "a leader that cannot renew for this long stops"},
    {"retry_period", SK_OPT_DURATION, "2s", "between attempts to acquire or renew"},
    {NULL, 0, NULL, NULL},
};

uint64_t ctl_now_mono(const ctl_mgr *m)
{
    return m->h->loop->now_ms(m->h->loop_ctx);
}

int64_t ctl_now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conf_error(const sk_host *h, const char *key, const char *what)
{
    const sk_cfg *n = sk_cfg_get(h, key);
    sk_error(h, "%s: %s: %s", n ? h->cfg->where(n) : "config", key, what);
    return SK_ECONFIG;
}

static int ctl_index(const char *name)
{
    for (int i = 0; i < C_COUNT; i++)
        if (strcmp(ctl_names[i], name) == 0)
            return i;
    return -1;
}

static int read_enabled(const sk_host *h, ctl_conf *c)
{
    const sk_cfg *list = sk_cfg_get(h, "controllers");
    if (!list) {
        for (int i = 0; i < C_COUNT; i++)
            c->enabled[i] = true;
        return 0;
    }
    if (h->cfg->type(list) != SK_CFG_LIST)
        return conf_error(h, "controllers", "expected a list of controller names");
    for (size_t i = 0; i < h->cfg->len(list); i++) {
        const char *s = h->cfg->str(h->cfg->at(list, i));
        if (s && strcmp(s, "*") == 0) {
            for (int k = 0; k < C_COUNT; k++)
                c->enabled[k] = true;
            continue;
        }
        bool off = s && s[0] == '-';
        int k = s ? ctl_index(off ? s + 1 : s) : -1;
        if (k < 0) {
            sk_error(h, "%s: controllers: unknown controller \"%s\"",
                     h->cfg->where(h->cfg->at(list, i)), s ? s : "");
            return SK_ECONFIG;
        }
        c->enabled[k] = !off;
    }
    return 0;
}

static int read_conf(const sk_host *h, ctl_conf *c)
{
    int rc = read_enabled(h, c);
    rc |= sk_cfg_int(h, "workers", 5, &c->workers);
    rc |= sk_cfg_duration_ms(h, "node_monitor_grace_period", 40000, &c->grace_ms);
    rc |= sk_cfg_int(h, "default_toleration_seconds", 300, &c->toleration_s);
    rc |= sk_cfg_int(h, "burst", 500, &c->burst);
    rc |= sk_cfg_duration_ms(h, "request_timeout", 10000, &c->timeout_ms);
    rc |= sk_cfg_bool(h, "leader_elect", 1, &c->leader_elect);
    rc |= sk_cfg_duration_ms(h, "lease_duration", 15000, &c->lease_ms);
    rc |= sk_cfg_duration_ms(h, "renew_deadline", 10000, &c->renew_ms);
    rc |= sk_cfg_duration_ms(h, "retry_period", 2000, &c->retry_ms);
    c->service = sk_cfg_str(h, "api_service", "api");
    c->lease_ns = sk_cfg_str(h, "leader_lease", "kube-system/skiff-controllers");
    if (rc)
        return SK_ECONFIG;
    if (c->workers < 1 || c->workers > 1000)
        return conf_error(h, "workers", "must be 1 to 1000");
    if (c->grace_ms < 1000)
        return conf_error(h, "node_monitor_grace_period", "must be at least 1s");
    if (c->toleration_s < 0)
        return conf_error(h, "default_toleration_seconds", "must be >= 0");
    if (c->burst < 1 || c->burst > 100000)
        return conf_error(h, "burst", "must be 1 to 100000");
    if (c->timeout_ms < 100)
        return conf_error(h, "request_timeout", "must be at least 100ms");
    if (c->renew_ms >= c->lease_ms || c->retry_ms >= c->renew_ms || c->retry_ms < 100)
        return conf_error(h, "renew_deadline",
                          "need retry_period < renew_deadline < lease_duration");
    const char *slash = strchr(c->lease_ns, '/');
    if (!slash || slash == c->lease_ns || !slash[1] || strchr(slash + 1, '/'))
        return conf_error(h, "leader_lease", "expected namespace/name");
    return 0;
}

static int ctl_init(const sk_host *h, void **state)
{
    ctl_mgr *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->h = h;
    int rc = read_conf(h, &m->conf);
    if (rc) {
        free(m);
        return rc;
    }
    const char *slash = strchr(m->conf.lease_ns, '/');
    m->conf.lease_name = slash + 1;
    snprintf(m->identity, sizeof m->identity, "%s_%ld", h->node_name ? h->node_name : "skiff",
             (long)getpid());
    *state = m;
    return 0;
}

typedef int (*run_fn)(ctl_mgr *m, const char *key, ctl_actions *a);
static const run_fn runs[C_COUNT] = {ctl_run_rs, ctl_run_deploy, ctl_run_endpoints,
                                     ctl_run_ns, ctl_run_gc,     ctl_run_node};

/* A worker: reconcile key, send what it decided, finish when answered.
 * Before the caches are synced or while another host leads, keys are
 * dropped: ctl_resync_all() queues everything again at that moment. */
static void process(void *arg, sk_workqueue *q, const char *key)
{
    ctl_loop *l = arg;
    ctl_mgr *m = l->m;
    if (!m->synced || !m->leading || !m->running) {
        (void)sk_workqueue_finish(q, key, 0);
        return;
    }
    ctl_actions a;
    ctl_actions_init(&a);
    int rc = runs[l->id](m, key, &a);
    if (rc && !a.err)
        a.err = rc;
    ctl_exec(l, key, &a);
}

static void leading_start(void *arg)
{
    ctl_mgr *m = arg;
    sk_info(m->h, "controllers: leading as %s", m->identity);
    m->leading = true;
    ctl_resync_all(m);
}

static void leading_stop(void *arg)
{
    ctl_mgr *m = arg;
    if (m->running)
        sk_warn(m->h, "controllers: lost leadership; standing by");
    else
        sk_info(m->h, "controllers: released leadership");
    m->leading = false;
}

static int start_leader(ctl_mgr *m)
{
    char ns[256];
    snprintf(ns, sizeof ns, "%.*s", (int)(m->conf.lease_name - 1 - m->conf.lease_ns),
             m->conf.lease_ns);
    sk_leader_cfg cfg = {.transport = m->tr, .loop = m->h->loop, .loop_ctx = m->h->loop_ctx,
                         .namespace_ = ns, .name = m->conf.lease_name, .identity = m->identity,
                         .lease_duration_ms = (uint32_t)m->conf.lease_ms,
                         .renew_deadline_ms = (uint32_t)m->conf.renew_ms,
                         .retry_period_ms = (uint32_t)m->conf.retry_ms,
                         .on_start = leading_start, .on_stop = leading_stop, .arg = m};
    int rc = sk_leader_new(&cfg, &m->leader);
    return rc ? rc : sk_leader_start(m->leader);
}

static int start_queues(ctl_mgr *m)
{
    for (int i = 0; i < C_COUNT; i++) {
        ctl_loop *l = &m->loops[i];
        char labels[64];
        *l = (ctl_loop){.m = m, .id = i};
        if (!m->conf.enabled[i])
            continue;
        snprintf(labels, sizeof labels, "controller=\"%s\"", ctl_names[i]);
        l->syncs = sk_counter(m->h, "skiff_controller_syncs_total",
                              "Reconciles run, by controller", labels);
        l->errors = sk_counter(m->h, "skiff_controller_sync_errors_total",
                               "Reconciles whose writes failed (retried with backoff)", labels);
        sk_workqueue_cfg qc = {.loop = m->h->loop, .loop_ctx = m->h->loop_ctx,
                               .workers = (uint32_t)m->conf.workers, .process = process,
                               .arg = l, .name = ctl_names[i]};
        int rc = sk_workqueue_new(&qc, &l->q);
        if (rc)
            return rc;
    }
    return 0;
}

static void ctl_stop(void *state);

static int ctl_start(void *state)
{
    ctl_mgr *m = state;
    m->bus = (sk_api_bus){.host = m->h, .service = m->conf.service};
    m->tr = sk_api_transport_bus(&m->bus);
    m->running = true;
    int rc = start_queues(m);
    if (!rc)
        rc = ctl_informers_start(m);
    if (!rc && m->conf.leader_elect)
        rc = start_leader(m);
    else if (!rc)
        m->leading = true;
    if (rc) {
        sk_error(m->h, "controllers: cannot start: %s", sk_strerror(rc));
        ctl_stop(m);
        return rc;
    }
    sk_info(m->h, "controllers: started (%s)", m->conf.leader_elect ? "leader election" : "leading");
    return 0;
}

/* Cancels every request and timer: after stop() no callback of ours runs
 * (the host fails what is left with SK_ESTOPPED without calling back). */
static void ctl_stop(void *state)
{
    ctl_mgr *m = state;
    m->running = false;
    sk_leader_free(&m->leader);
    for (int i = 0; i < I_COUNT; i++)
        sk_informer_stop(m->inf[i]);
    ctl_exec_cancel_all(m);
    for (int i = 0; i < C_COUNT; i++)
        sk_workqueue_shutdown(m->loops[i].q);
}

static void free_value(void *v)
{
    free(v);
}

static void ctl_fini(void *state)
{
    ctl_mgr *m = state;
    if (!m)
        return;
    ctl_informers_free(m);
    for (int i = 0; i < C_COUNT; i++)
        sk_workqueue_free(&m->loops[i].q);
    kv_free(&m->expect, free_value);
    kv_free(&m->health, free_value);
    kv_free(&m->gc_absent, free_value);
    free(m);
}

static const sk_plugin_desc desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "controllers",
    .version = SK_VERSION,
    .description = "ReplicaSet, Deployment, Endpoints/EndpointSlice, Namespace, garbage "
                   "collector and node lifecycle controllers",
    .options = options,
    .init = ctl_init,
    .start = ctl_start,
    .stop = ctl_stop,
    .fini = ctl_fini,
};

SK_PLUGIN_DEFINE(desc)
