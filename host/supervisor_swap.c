/* Hot swap, load and unload of single plugins while the others keep running.
 *
 * reload follows nginx/PipeWire: the new generation is loaded, checked and
 * init()ed before the old one is touched, so most failures change nothing.
 * Only then is the old route held (the broker queues its requests), drained
 * (no request forwarded to it left unanswered), stopped and fini()ed; the
 * new one starts and its SERVE takes over the queue. If that start fails, a
 * fresh generation of the old module, still loaded, takes its place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "skiff/errors.h"
#include "supervisor_int.h"

static const char *version_of(const sk_module *m)
{
    return m->desc.version ? m->desc.version : "?";
}

/* Same rule as plugin names in the config (host_config.c): the name is a
 * directory under the data dir and part of the bus route. */
static int valid_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static sk_slot *running_slot(sk_supervisor *s, const char *name, char *err, size_t errlen)
{
    sk_slot *sl = sk_sup_find(s, name);
    if (!sl) {
        snprintf(err, errlen, "no plugin named '%s'", name);
        return NULL;
    }
    if (!sl->inst || sk_instance_state(sl->inst) != SK_INST_RUNNING) {
        snprintf(err, errlen, "plugin '%s' is not running (use: skiff plugin load %s)", name,
                 name);
        return NULL;
    }
    return sl;
}

/* (b)+(c): quiesce and retire the old generation. */
static void retire(sk_supervisor *s, sk_slot *sl, const char *route)
{
    int rc = sk_broker_hold(s->broker, route);
    if (rc)
        sk_hlog("host", SK_LOG_WARN, "%s: cannot hold its requests: %s", route,
                sk_strerror(rc));
    rc = sk_broker_wait_idle(s->broker, route, (int)s->drain_timeout_ms);
    if (rc == SK_ETIMEDOUT)
        sk_hlog("host", SK_LOG_WARN,
                "%s: requests still in flight after drain_timeout (%lld ms); stopping it anyway",
                route, (long long)s->drain_timeout_ms);
    else if (rc)
        sk_hlog("host", SK_LOG_WARN, "%s: waiting for in-flight requests: %s", route,
                sk_strerror(rc));
    sk_sup_stop_instance(s, &sl->inst);
}

/* The hold ends once a new route serves the names; releasing covers names
 * the new generation does not serve, which then fail with SK_ENOSERVICE. */
static void release(sk_supervisor *s, const char *route)
{
    int rc = sk_broker_release(s->broker, route);
    if (rc && rc != SK_ENOTFOUND)
        sk_hlog("host", SK_LOG_DEBUG, "%s: release: %s", route, sk_strerror(rc));
}

/* (e): the new generation failed to start; run the old module again. */
static int roll_back(sk_supervisor *s, sk_slot *sl, sk_module **old_mod, const char *old_route,
                     const char *why, char *err, size_t errlen)
{
    char e2[512] = "";
    sk_instance *inst = NULL;
    int rc = sk_sup_new_generation(s, sl, *old_mod, &inst, e2, sizeof e2);
    if (!rc)
        rc = sk_instance_start(inst, s->start_timeout_ms, e2, sizeof e2);
    release(s, old_route);
    if (rc) {
        sk_instance_free(&inst);
        sk_sup_drop_module(s, old_mod);
        sl->mod = NULL;
        snprintf(err, errlen, "%s; restarting the previous version failed too: %s", why, e2);
        sk_hlog("host", SK_LOG_ERROR, "reload %s: %s", sl->name, err);
        return rc;
    }
    sl->inst = inst;
    sl->mod = *old_mod;
    snprintf(err, errlen, "%s; the previous version (%s) runs again as %s", why,
             version_of(*old_mod), sk_instance_route(inst));
    sk_hlog("host", SK_LOG_ERROR, "reload %s: %s", sl->name, err);
    return 0;
}

static int set_path(sk_slot *sl, const char *path)
{
    if (!path)
        return 0;
    char *p = strdup(path);
    if (!p)
        return -ENOMEM;
    free(sl->path);
    sl->path = p;
    return 0;
}

static int swap_in(sk_supervisor *s, sk_slot *sl, sk_module *new_mod, sk_instance *new_inst,
                   const char *path, char *err, size_t errlen)
{
    sk_module *old_mod = sl->mod;
    char old_route[SK_BUS_NAME_MAX + 1];
    snprintf(old_route, sizeof old_route, "%s", sk_instance_route(sl->inst));
    retire(s, sl, old_route);
    char why[512];
    int rc = sk_instance_start(new_inst, s->start_timeout_ms, why, sizeof why);
    if (rc) {
        sk_instance_free(&new_inst);
        sk_sup_drop_module(s, &new_mod);
        sk_metrics_api_impl.add(sl->m_reload_failures, 1);
        int rb = roll_back(s, sl, &old_mod, old_route, why, err, errlen);
        return rb ? rb : rc;
    }
    release(s, old_route);
    sl->inst = new_inst;
    sl->mod = new_mod;
    sk_sup_drop_module(s, &old_mod);
    if (set_path(sl, path) != 0)
        sk_hlog("host", SK_LOG_WARN, "%s: out of memory remembering path %s", sl->name, path);
    sk_metrics_api_impl.add(sl->m_reloads, 1);
    sk_hlog("host", SK_LOG_INFO, "reloaded %s: %s -> %s (%s %s)", sl->name, old_route,
            sk_instance_route(new_inst), new_mod->desc.name, version_of(new_mod));
    return 0;
}

int sk_supervisor_reload(sk_supervisor *s, const char *name, const char *path, char *err,
                         size_t errlen)
{
    sk_slot *sl = running_slot(s, name, err, errlen);
    if (!sl)
        return SK_ENOTFOUND;
    sk_metrics_api_impl.add(s->m_reloads, 1);
    const char *src = path ? path : sl->mod->path;
    sk_hlog("host", SK_LOG_INFO, "reloading %s from %s", name, src);
    sk_module *new_mod = NULL;
    sk_instance *new_inst = NULL;
    int rc = sk_module_load(name, src, s->data_dir, &new_mod, err, errlen);
    if (!rc)
        rc = sk_sup_new_generation(s, sl, new_mod, &new_inst, err, errlen);
    if (rc) {
        sk_module_unload(&new_mod);
        sk_metrics_api_impl.add(sl->m_reload_failures, 1);
        sk_hlog("host", SK_LOG_ERROR, "reload %s: %s (the running version is unchanged)", name,
                err);
        return rc;
    }
    rc = swap_in(s, sl, new_mod, new_inst, path, err, errlen);
    sk_sup_update_running(s);
    return rc;
}

static sk_slot *add_slot(sk_supervisor *s, const char *name, char *err, size_t errlen)
{
    if (!valid_name(name)) {
        snprintf(err, errlen, "invalid plugin name '%s' (1 to 63 characters of a-z, 0-9, '-')",
                 name);
        return NULL;
    }
    sk_slot *slots = realloc(s->slots, (s->nslots + 1) * sizeof *slots);
    if (!slots) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->slots = slots;
    sk_slot *sl = &s->slots[s->nslots];
    memset(sl, 0, sizeof *sl);
    if (!(sl->name = strdup(name))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sl->config = sk_cfg_empty_map();
    sl->next_gen = 1;
    s->nslots++;
    sk_sup_slot_metrics(s, sl);
    return sl;
}

static int start_slot(sk_supervisor *s, sk_slot *sl, const char *path, char *err,
                      size_t errlen)
{
    const char *src = path ? path : sl->path;
    sk_instance *inst = NULL;
    int rc = sk_module_load(sl->name, src, s->data_dir, &sl->mod, err, errlen);
    if (!rc)
        rc = sk_sup_new_generation(s, sl, sl->mod, &inst, err, errlen);
    if (!rc)
        rc = sk_instance_start(inst, s->start_timeout_ms, err, errlen);
    if (rc) {
        sk_instance_free(&inst);
        sk_sup_drop_module(s, &sl->mod);
        return rc;
    }
    sl->inst = inst;
    if (set_path(sl, path) != 0)
        sk_hlog("host", SK_LOG_WARN, "%s: out of memory remembering path %s", sl->name, path);
    sk_hlog("host", SK_LOG_INFO, "started %s (%s %s)", sk_instance_route(inst),
            sl->mod->desc.name, version_of(sl->mod));
    return 0;
}

int sk_supervisor_load(sk_supervisor *s, const char *name, const char *path, char *err,
                       size_t errlen)
{
    sk_slot *sl = sk_sup_find(s, name);
    if (sl && sl->inst) {
        snprintf(err, errlen, "plugin '%s' is already %s (use: skiff plugin reload %s)", name,
                 sk_inst_state_name(sk_instance_state(sl->inst)), name);
        return SK_EEXISTS;
    }
    bool added = !sl;
    if (!sl && !(sl = add_slot(s, name, err, errlen)))
        return -EINVAL;
    int rc = start_slot(s, sl, path, err, errlen);
    if (rc && added) {
        /* A name that never ran leaves no trace; its metrics stay (they
         * cannot be unregistered) and read 0. */
        free(sl->name);
        free(sl->path);
        s->nslots--;
    }
    if (rc)
        sk_hlog("host", SK_LOG_ERROR, "load %s: %s", name, err);
    sk_sup_update_running(s);
    return rc;
}

int sk_supervisor_unload(sk_supervisor *s, const char *name, char *err, size_t errlen)
{
    sk_slot *sl = running_slot(s, name, err, errlen);
    if (!sl)
        return SK_ENOTFOUND;
    sk_sup_stop_instance(s, &sl->inst);
    sk_sup_drop_module(s, &sl->mod);
    sk_sup_update_running(s);
    sk_hlog("host", SK_LOG_INFO, "unloaded %s", name);
    return 0;
}
