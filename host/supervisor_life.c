/* Host startup and shutdown: load all, init all, start all in order; stop
 * all in reverse, fini all, unload all. Any failure on the way up unwinds
 * what was done, so the host never runs with part of its plugins. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "log.h"
#include "skiff/errors.h"
#include "skiff/skiff.h"
#include "supervisor_int.h"

sk_slot *sk_sup_find(sk_supervisor *s, const char *name)
{
    for (size_t i = 0; i < s->nslots; i++)
        if (strcmp(s->slots[i].name, name) == 0)
            return &s->slots[i];
    return NULL;
}

void sk_sup_update_running(sk_supervisor *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nslots; i++) {
        sk_slot *sl = &s->slots[i];
        int up = sl->inst && sk_instance_state(sl->inst) == SK_INST_RUNNING;
        n += (size_t)up;
        sk_metrics_api_impl.set(sl->m_up, up);
        if (up)
            sk_metrics_api_impl.set(sl->m_generation, sk_instance_generation(sl->inst));
    }
    sk_metrics_api_impl.set(s->m_running, (double)n);
}

void sk_sup_slot_metrics(sk_supervisor *s, sk_slot *slot)
{
    const sk_metrics_api *m = &sk_metrics_api_impl;
    char labels[128];
    snprintf(labels, sizeof labels, "plugin=\"%s\"", slot->name);
    slot->m_reloads = m->counter(s->metrics, "skiff_plugin_reloads_total",
                                 "Successful hot swaps of a plugin.", labels);
    slot->m_reload_failures =
        m->counter(s->metrics, "skiff_plugin_reload_failures_total",
                   "Hot swaps that failed (the previous version kept running).", labels);
    slot->m_generation = m->gauge(s->metrics, "skiff_plugin_generation",
                                  "Generation of the running instance of a plugin.", labels);
    slot->m_up = m->gauge(s->metrics, "skiff_plugin_up", "1 while the plugin runs.", labels);
}

static void host_metrics(sk_supervisor *s)
{
    const sk_metrics_api *m = &sk_metrics_api_impl;
    s->m_running = m->gauge(s->metrics, "skiff_plugins_running", "Plugin instances running.",
                            NULL);
    s->m_reloads = m->counter(s->metrics, "skiff_reloads_total",
                              "Hot swaps attempted through the admin socket.", NULL);
    s->m_admin_requests =
        m->counter(s->metrics, "skiff_admin_requests_total", "Admin socket requests.", NULL);
    char labels[64];
    snprintf(labels, sizeof labels, "version=\"%s\",abi=\"%d.%d\"", SK_VERSION, SK_ABI_MAJOR,
             SK_ABI_MINOR);
    m->set(m->gauge(s->metrics, "skiff_build_info", "Version of this host.", labels), 1);
    m->set(m->gauge(s->metrics, "skiff_start_time_seconds", "When this host started (Unix time).",
                    NULL),
           (double)time(NULL));
}

/* Modules a stuck instance may still run. Global, like the instances
 * themselves (instance.c), so they stay reachable after the supervisor is
 * freed and the process exits around a thread that is still inside one. */
static sk_module **g_kept;
static size_t g_nkept;

void sk_sup_drop_module(sk_supervisor *s, sk_module **mod)
{
    (void)s;
    if (!*mod)
        return;
    if (!sk_instance_stuck_uses(*mod)) {
        sk_module_unload(mod);
        return;
    }
    sk_module **k = realloc(g_kept, (g_nkept + 1) * sizeof *k);
    if (!k) {
        *mod = NULL; /* leaked rather than unloaded under a running thread */
        return;
    }
    g_kept = k;
    g_kept[g_nkept++] = *mod;
    *mod = NULL;
}

int sk_sup_new_generation(sk_supervisor *s, sk_slot *slot, sk_module *mod, sk_instance **out,
                          char *err, size_t errlen)
{
    int rc = sk_instance_new(&s->env, mod, slot->name, slot->next_gen++, slot->config, out, err,
                             errlen);
    if (rc)
        return rc;
    rc = sk_instance_init(*out, err, errlen);
    if (rc)
        sk_instance_free(out);
    return rc;
}

void sk_sup_stop_instance(sk_supervisor *s, sk_instance **inst)
{
    if (!*inst)
        return;
    char err[512];
    sk_hlog("host", SK_LOG_INFO, "stopping %s", sk_instance_route(*inst));
    if (sk_instance_stop(*inst, s->stop_timeout_ms, err, sizeof err) != 0) {
        sk_hlog("host", SK_LOG_ERROR, "%s", err);
        s->overran = true;
    }
    sk_instance_free(inst);
}

/* Signals arrive through a signalfd read by the main loop: blocked here,
 * before libzmq or any plugin creates a thread, so every thread inherits
 * the mask and none is interrupted by them. */
static int setup_signals(sk_supervisor *s, char *err, size_t errlen)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int rc = pthread_sigmask(SIG_BLOCK, &set, &s->oldmask);
    if (rc) {
        snprintf(err, errlen, "cannot block SIGINT/SIGTERM: %s", strerror(rc));
        return -rc;
    }
    s->masked = true;
    s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (s->sigfd < 0) {
        snprintf(err, errlen, "signalfd: %s", strerror(errno));
        return -errno;
    }
    /* A CLI that hangs up on the admin socket must not kill the host. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static int setup_bus(sk_supervisor *s, char *err, size_t errlen)
{
    int rc = sk_metrics_new(&s->metrics);
    if (rc) {
        snprintf(err, errlen, "metrics: %s", sk_strerror(rc));
        return rc;
    }
    host_metrics(s);
    s->zctx = zmq_ctx_new();
    if (!s->zctx) {
        snprintf(err, errlen, "zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
        return SK_EINTERNAL;
    }
    /* Terminating must not wait for messages nobody will read. */
    zmq_ctx_set(s->zctx, ZMQ_BLOCKY, 0);
    char e[512] = "";
    rc = sk_broker_start(s->zctx, &s->hc.bus, s->metrics, &s->broker, e, sizeof e);
    if (rc) {
        snprintf(err, errlen, "bus: %s", *e ? e : sk_strerror(rc));
        return rc;
    }
    s->env = (sk_inst_env){.zctx = s->zctx,
                           .broker = s->broker,
                           .metrics = s->metrics,
                           .node_name = s->hc.node_name,
                           .data_root = s->data_dir};
    return 0;
}

static int make_slots(sk_supervisor *s, char *err, size_t errlen)
{
    s->slots = calloc(s->hc.nplugins ? s->hc.nplugins : 1, sizeof *s->slots);
    if (!s->slots) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < s->hc.nplugins; i++) {
        const sk_plugin_conf *pc = &s->hc.plugins[i];
        sk_slot *sl = &s->slots[s->nslots];
        sl->name = strdup(pc->name);
        sl->path = pc->path ? strdup(pc->path) : NULL;
        if (!sl->name || (pc->path && !sl->path)) {
            free(sl->name);
            free(sl->path);
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        sl->config = pc->config;
        sl->next_gen = 1;
        s->nslots++;
        sk_sup_slot_metrics(s, sl);
    }
    return 0;
}

static int load_all(sk_supervisor *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->nslots; i++) {
        sk_slot *sl = &s->slots[i];
        int rc = sk_module_load(sl->name, sl->path, s->data_dir, &sl->mod, err, errlen);
        if (rc)
            return rc;
        sk_hlog("host", SK_LOG_DEBUG, "loaded %s %s from %s", sl->mod->desc.name,
                sl->mod->desc.version ? sl->mod->desc.version : "?", sl->mod->path);
    }
    return 0;
}

static int init_all(sk_supervisor *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->nslots; i++) {
        sk_slot *sl = &s->slots[i];
        int rc = sk_sup_new_generation(s, sl, sl->mod, &sl->inst, err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}

static int start_all(sk_supervisor *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->nslots; i++) {
        sk_slot *sl = &s->slots[i];
        int rc = sk_instance_start(sl->inst, s->start_timeout_ms, err, errlen);
        if (rc) {
            if (rc == SK_ETIMEDOUT)
                s->overran = true;
            return rc;
        }
        sk_hlog("host", SK_LOG_INFO, "started %s (%s %s)", sk_instance_route(sl->inst),
                sl->mod->desc.name, sl->mod->desc.version ? sl->mod->desc.version : "?");
    }
    return 0;
}

int sk_supervisor_start(sk_supervisor *s, char *err, size_t errlen)
{
    int rc = setup_signals(s, err, errlen);
    if (!rc)
        rc = setup_bus(s, err, errlen);
    if (!rc)
        rc = make_slots(s, err, errlen);
    if (!rc)
        rc = load_all(s, err, errlen);
    if (!rc)
        rc = init_all(s, err, errlen);
    if (!rc)
        rc = start_all(s, err, errlen);
    if (rc) {
        sk_hlog("host", SK_LOG_ERROR, "%s", err);
        sk_supervisor_shutdown(s);
        return rc;
    }
    sk_sup_update_running(s);
    return 0;
}

/* What a stuck plugin thread may still use is left to the process exit;
 * kept here so that it stays reachable rather than reported as leaked. */
static sk_metrics *g_left_metrics;
static void *g_left_zctx;

/* Stuck threads may still hold a socket, and zmq_ctx_term would wait for
 * it forever: then the context is left to the process exit. */
static size_t close_bus(sk_supervisor *s)
{
    if (s->broker)
        sk_broker_stop(&s->broker);
    size_t stuck = sk_instance_reap_stuck();
    for (size_t i = 0; i < g_nkept; i++)
        if (!stuck || !sk_instance_stuck_uses(g_kept[i]))
            sk_module_unload(&g_kept[i]);
    if (!stuck) {
        free(g_kept);
        g_kept = NULL;
        g_nkept = 0;
    }
    if (s->zctx && stuck) {
        sk_hlog("host", SK_LOG_ERROR,
                "%zu plugin thread(s) still running: leaving libzmq's context open", stuck);
        g_left_zctx = s->zctx;
    } else if (s->zctx) {
        while (zmq_ctx_term(s->zctx) != 0 && zmq_errno() == EINTR) {
        }
    }
    s->zctx = NULL;
    return stuck;
}

int sk_supervisor_shutdown(sk_supervisor *s)
{
    sk_admin_close(&s->admin);
    for (size_t i = s->nslots; i-- > 0;)
        if (s->slots[i].inst && sk_instance_state(s->slots[i].inst) == SK_INST_RUNNING)
            sk_sup_stop_instance(s, &s->slots[i].inst);
    for (size_t i = s->nslots; i-- > 0;) {
        sk_slot *sl = &s->slots[i];
        if (sl->inst && sk_instance_state(sl->inst) == SK_INST_STUCK)
            s->overran = true;
        sk_instance_free(&sl->inst);
    }
    for (size_t i = s->nslots; i-- > 0;)
        sk_sup_drop_module(s, &s->slots[i].mod);
    for (size_t i = 0; i < s->nslots; i++) {
        free(s->slots[i].name);
        free(s->slots[i].path);
    }
    free(s->slots);
    s->slots = NULL;
    s->nslots = 0;
    if (close_bus(s) && s->metrics) {
        g_left_metrics = s->metrics;
        s->metrics = NULL;
    }
    sk_metrics_free(&s->metrics);
    return s->overran ? SK_ETIMEDOUT : 0;
}
