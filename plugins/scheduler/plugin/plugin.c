/* scheduler.so: the plugin descriptor and its lifecycle. init() checks the
 * configuration (KubeSchedulerConfiguration shape, read by the core);
 * start() loads third-party scheduling plugins, builds the scheduler and
 * starts the informers on the loop thread, where plugins' create() must
 * run; stop() cancels everything in flight and frees it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

static const sk_option options[] = {
    {"percentageOfNodesToScore", SK_OPT_INT, "0", "percent of nodes to find feasible (0: adaptive)"},
    {"podInitialBackoffSeconds", SK_OPT_INT, "1", "first retry delay of an unschedulable pod"},
    {"podMaxBackoffSeconds", SK_OPT_INT, "10", "retry delay cap"},
    {"profiles", SK_OPT_LIST, NULL, "KubeSchedulerProfiles (docs/SCHEDULER.md)"},
    {"plugin_paths", SK_OPT_LIST, NULL, "third-party scheduling plugin .so files to load"},
    {"api_service", SK_OPT_STRING, "api", "bus service of the apiserver"},
    {"bind_timeout", SK_OPT_DURATION, "10s", "deadline of one binding request"},
    {"batch", SK_OPT_INT, "256", "scheduling cycles per loop turn before yielding"},
    {"scheduled_events", SK_OPT_BOOL, "true", "a Normal Event \"Scheduled\" for every pod bound"},
    {NULL, 0, NULL, NULL},
};

static int read_paths(sp *s)
{
    const sk_cfg_api *c = s->h->cfg;
    const sk_cfg *list = sk_cfg_get(s->h, "plugin_paths");
    size_t n = list ? c->len(list) : 0;
    if (list && c->type(list) != SK_CFG_LIST) {
        sk_error(s->h, "%s: plugin_paths: expected a list of paths", c->where(list));
        return SK_ECONFIG;
    }
    if (n > SP_MAX_PATHS) {
        sk_error(s->h, "%s: plugin_paths: at most %d", c->where(list), SP_MAX_PATHS);
        return SK_ECONFIG;
    }
    for (size_t i = 0; i < n; i++) {
        const sk_cfg *item = c->at(list, i);
        const char *p = c->str(item);
        if (!p || !p[0]) {
            sk_error(s->h, "%s: plugin_paths: expected a path", c->where(item));
            return SK_ECONFIG;
        }
        s->paths[s->npaths++] = p;
    }
    return 0;
}

static int read_options(sp *s)
{
    const char *api = sk_cfg_str(s->h, "api_service", "api");
    if (!api[0] || strlen(api) >= sizeof(s->api)) {
        sk_error(s->h, "scheduler: api_service: expected a bus service name");
        return SK_ECONFIG;
    }
    snprintf(s->api, sizeof(s->api), "%s", api);
    int rc = sk_cfg_duration_ms(s->h, "bind_timeout", 10000, &s->bind_timeout_ms);
    if (!rc)
        rc = sk_cfg_int(s->h, "batch", 256, &s->batch);
    int ev = 1;
    if (!rc)
        rc = sk_cfg_bool(s->h, "scheduled_events", 1, &ev);
    s->scheduled_events = ev != 0;
    if (rc)
        return rc;
    if (s->bind_timeout_ms <= 0 || s->bind_timeout_ms > 600000 || s->batch < 1 ||
        s->batch > 100000) {
        sk_error(s->h, "scheduler: bind_timeout must be in (0, 10m], batch in [1, 100000]");
        return SK_ECONFIG;
    }
    char err[512] = "";
    rc = sk_sched_config_read(s->h->cfg, s->h->config, &s->conf, err, sizeof(err));
    if (rc) {
        sk_error(s->h, "scheduler: %s", err);
        return rc;
    }
    return read_paths(s);
}

static int sp_init(const sk_host *h, void **state)
{
    sp *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->h = h;
    int rc = read_options(s);
    if (rc) {
        free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int build(sp *s)
{
    char err[512] = "";
    int rc = sk_registry_new(&s->reg);
    if (!rc)
        rc = sk_registry_add(s->reg, &sp_default_binder, err, sizeof(err));
    for (uint32_t i = 0; !rc && i < s->npaths; i++) {
        rc = sk_registry_load(s->reg, s->paths[i], err, sizeof(err));
        if (!rc)
            sk_info(s->h, "scheduler: loaded scheduling plugin %s (%s)",
                    s->reg->descs[s->reg->n - 1]->name, s->paths[i]);
    }
    if (!rc) {
        sk_sched_env env = {.evict = sp_evict, .evict_arg = s, .host = s->h,
                            .seed = (uint64_t)(uintptr_t)s ^ s->h->loop->now_ms(s->h->loop_ctx)};
        rc = sk_scheduler_new(s->reg, &s->conf.cfg, &env, &s->sched, err, sizeof(err));
    }
    if (rc)
        sk_error(s->h, "scheduler: %s%s%s", sk_strerror(rc), err[0] ? ": " : "", err);
    return rc;
}

static void metrics(sp *s)
{
    s->m_bound = sk_counter(s->h, "scheduler_pods_bound_total", "pods bound to a node", NULL);
    s->m_unsched = sk_counter(s->h, "scheduler_unschedulable_total",
                              "scheduling attempts that found no node", NULL);
    s->m_errors = sk_counter(s->h, "scheduler_errors_total",
                             "scheduling or binding attempts that failed with an error", NULL);
    s->m_ev_dropped = sk_counter(s->h, "scheduler_events_dropped_total",
                                 "Events not written because too many were queued", NULL);
}

static void teardown(sp *s)
{
    sp_drive_stop(s);
    sp_informers_free(s);
    sp_bindthr_stop(s);
    sp_requests_cancel_all(s);
    sp_events_free(s);
    sk_scheduler_free(&s->sched);
    sk_registry_free(&s->reg);
}

static int sp_start(void *state)
{
    sp *s = state;
    s->stopping = false;
    metrics(s);
    int rc = build(s);
    if (!rc)
        rc = sp_bindthr_start(s);
    if (!rc)
        rc = sp_drive_start(s);
    if (!rc)
        rc = sp_informers_start(s);
    if (rc) {
        sk_error(s->h, "scheduler: start failed: %s", sk_strerror(rc));
        teardown(s);
        return rc;
    }
    sk_info(s->h, "scheduler: started (%u third-party plugin(s), api service %s)", s->npaths,
            s->api);
    return 0;
}

static void sp_stop(void *state)
{
    sp *s = state;
    sk_info(s->h,
            "scheduler: stopping (bound %llu, unschedulable attempts %llu, errors %llu, "
            "events dropped %llu)",
            (unsigned long long)s->bound, (unsigned long long)s->unschedulable,
            (unsigned long long)s->failed, (unsigned long long)s->ev_dropped);
    teardown(s);
}

static void sp_fini(void *state)
{
    free(state);
}

static const sk_plugin_desc desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "scheduler",
    .version = SK_VERSION,
    .description = "assigns pods to nodes: the Kubernetes scheduling framework",
    .options = options,
    .init = sp_init,
    .start = sp_start,
    .stop = sp_stop,
    .fini = sp_fini,
};

SK_PLUGIN_DEFINE(desc)
