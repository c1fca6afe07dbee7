/* Plugin instances. The main thread and the instance's thread meet only in
 * the start handshake (mutex+condvar) and in sk_loop_quit (guarded by the
 * same mutex because the thread frees its loop when it ends). A thread that
 * overruns a deadline cannot be killed safely, so its instance is set aside
 * with its module: never fini()ed or dlclosed while its code may run. */
#include "instance.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "endpoint.h"
#include "log.h"
#include "loop.h"
#include "paths.h"
#include "skiff/errors.h"

struct sk_instance {
    char *name;
    char *data_dir;
    char route[SK_BUS_NAME_MAX + 1];
    unsigned generation;
    sk_module *mod;
    sk_inst_env env;
    sk_host host;
    void *state;
    sk_inst_state st;

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t cv;
    bool start_reported;
    int start_rc;
    bool gave_up;     /* main thread stopped waiting: the thread cleans up alone */
    bool thread_done; /* the thread no longer runs any plugin or loop code */
    sk_loop *loop;    /* while the thread's loop exists */

    sk_instance *next_stuck;
};

/* Set-aside instances. A global so that they stay reachable (LeakSanitizer
 * must not report what is deliberately kept alive). Main thread only. */
static sk_instance *g_stuck;

const char *sk_inst_state_name(sk_inst_state s)
{
    static const char *const names[] = {"new",    "inited",  "running", "failed",
                                        "stopped", "finished", "stuck"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void fill_host(sk_instance *in)
{
    sk_host *h = &in->host;
    memset(h, 0, sizeof *h);
    h->size = sizeof *h;
    h->abi_major = SK_ABI_MAJOR;
    h->abi_minor = SK_ABI_MINOR;
    h->plugin_name = in->name;
    h->node_name = in->env.node_name ? in->env.node_name : "";
    h->data_dir = in->data_dir;
    h->cfg = &sk_cfg_api_impl;
    h->log = &sk_log_api_impl;
    h->log_ctx = in->name;
    h->bus = &sk_endpoint_bus_api;
    h->loop = &sk_loop_api_impl;
    h->metrics = &sk_metrics_api_impl;
    h->metrics_ctx = in->env.metrics;
}

static int make_data_dir(sk_instance *in, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    int rc = sk_path_join(dir, sizeof dir, "%s/%s", in->env.data_root, in->name);
    if (rc == 0)
        rc = sk_path_mkdirs(dir, 0700);
    if (rc == 0 && !(in->data_dir = strdup(dir)))
        rc = -ENOMEM;
    if (rc)
        sk_set_err(err, errlen, "plugin '%s': cannot create its data dir %s/%s: %s", in->name,
                in->env.data_root, in->name, strerror(-rc));
    return rc;
}

int sk_instance_new(const sk_inst_env *env, sk_module *mod, const char *name,
                    unsigned generation, const sk_cfg *config, sk_instance **out, char *err,
                    size_t errlen)
{
    if (!env || !env->data_root || !mod || !name || !*name || !out) {
        sk_set_err(err, errlen, "instance: missing argument");
        return -EINVAL;
    }
    sk_instance *in = calloc(1, sizeof *in);
    if (!in || !(in->name = strdup(name))) {
        free(in);
        sk_set_err(err, errlen, "plugin '%s': out of memory", name);
        return -ENOMEM;
    }
    in->env = *env;
    in->mod = mod;
    in->generation = generation;
    snprintf(in->route, sizeof in->route, "%s#%u", name, generation);
    if (pthread_mutex_init(&in->mu, NULL) != 0) {
        free(in->name);
        free(in);
        sk_set_err(err, errlen, "plugin '%s': cannot create a mutex", name);
        return SK_EINTERNAL;
    }
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (!rc)
        rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!rc)
        rc = pthread_cond_init(&in->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc) {
        pthread_mutex_destroy(&in->mu);
        free(in->name);
        free(in);
        sk_set_err(err, errlen, "plugin '%s': cannot create a condition variable", name);
        return SK_EINTERNAL;
    }
    rc = make_data_dir(in, err, errlen);
    fill_host(in);
    in->host.config = config ? config : sk_cfg_empty_map();
    if (rc) {
        sk_instance_free(&in);
        return rc;
    }
    *out = in;
    return 0;
}

int sk_instance_init(sk_instance *in, char *err, size_t errlen)
{
    if (in->st != SK_INST_NEW) {
        sk_set_err(err, errlen, "plugin '%s': already initialised", in->name);
        return -EALREADY;
    }
    const sk_plugin_desc *d = &in->mod->desc;
    if (d->options) {
        int rc = sk_cfg_check_options(in->host.config, d->options, in->name, err, errlen);
        if (rc)
            return rc < 0 ? rc : SK_ECONFIG;
    }
    void *state = NULL;
    int rc = d->init(&in->host, &state);
    if (rc) {
        sk_set_err(err, errlen, "plugin '%s' (%s): init failed: %s", in->name, in->mod->path,
                sk_strerror(rc));
        return rc < 0 ? rc : SK_EINTERNAL;
    }
    in->state = state;
    in->st = SK_INST_INITED;
    return 0;
}

/* ---- the instance's thread ---- */

static void report_start(sk_instance *in, int rc, bool *gave_up)
{
    pthread_mutex_lock(&in->mu);
    in->start_rc = rc;
    in->start_reported = true;
    *gave_up = in->gave_up;
    pthread_cond_broadcast(&in->cv);
    pthread_mutex_unlock(&in->mu);
}

static void thread_finish(sk_instance *in, sk_endpoint **ep, sk_loop **loop)
{
    if (*ep)
        sk_endpoint_free(ep);
    in->host.bus_ctx = NULL;
    pthread_mutex_lock(&in->mu);
    in->loop = NULL;
    pthread_mutex_unlock(&in->mu);
    if (*loop)
        sk_loop_free(loop);
    in->host.loop_ctx = NULL;
    pthread_mutex_lock(&in->mu);
    in->thread_done = true;
    pthread_mutex_unlock(&in->mu);
}

static int thread_setup(sk_instance *in, sk_loop **loop, sk_endpoint **ep)
{
    int rc = sk_loop_new(loop);
    if (rc) {
        sk_hlog(in->name, SK_LOG_ERROR, "cannot create its event loop: %s", sk_strerror(rc));
        return rc;
    }
    rc = sk_endpoint_new(in->env.zctx, in->env.broker, *loop, in->route, in->name, ep);
    if (rc) {
        sk_hlog(in->name, SK_LOG_ERROR, "cannot attach to the bus as %s: %s", in->route,
                sk_strerror(rc));
        return rc;
    }
    pthread_mutex_lock(&in->mu);
    in->loop = *loop;
    pthread_mutex_unlock(&in->mu);
    /* The plugin reads these through the host table it kept from init(). */
    in->host.loop_ctx = *loop;
    in->host.bus_ctx = *ep;
    return 0;
}

static void *thread_main(void *arg)
{
    sk_instance *in = arg;
    char tname[16];
    snprintf(tname, sizeof tname, "sk:%s", in->name);
    pthread_setname_np(pthread_self(), tname);

    sk_loop *loop = NULL;
    sk_endpoint *ep = NULL;
    const sk_plugin_desc *d = &in->mod->desc;
    int rc = thread_setup(in, &loop, &ep);
    if (rc == 0)
        rc = d->start(in->state);
    bool gave_up = false;
    report_start(in, rc, &gave_up);
    if (rc == 0 && !gave_up) {
        int lrc = sk_loop_run(loop);
        if (lrc)
            sk_hlog(in->name, SK_LOG_ERROR, "event loop failed: %s; stopping it",
                    sk_strerror(lrc));
    }
    if (rc == 0)
        d->stop(in->state);
    thread_finish(in, &ep, &loop);
    return NULL;
}

/* ---- start / stop ---- */

static struct timespec deadline_after(clockid_t clk, int64_t ms)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    if (ms < 0)
        ms = 0;
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static bool wait_start(sk_instance *in, int64_t timeout_ms)
{
    struct timespec dl = deadline_after(CLOCK_MONOTONIC, timeout_ms);
    pthread_mutex_lock(&in->mu);
    while (!in->start_reported) {
        if (pthread_cond_timedwait(&in->cv, &in->mu, &dl) == ETIMEDOUT && !in->start_reported) {
            in->gave_up = true;
            break;
        }
    }
    bool ok = in->start_reported;
    pthread_mutex_unlock(&in->mu);
    return ok;
}

int sk_instance_start(sk_instance *in, int64_t timeout_ms, char *err, size_t errlen)
{
    if (in->st != SK_INST_INITED) {
        sk_set_err(err, errlen, "plugin '%s': cannot start from state %s", in->name,
                sk_inst_state_name(in->st));
        return -EINVAL;
    }
    in->start_reported = false;
    int rc = pthread_create(&in->thread, NULL, thread_main, in);
    if (rc) {
        sk_set_err(err, errlen, "plugin '%s': cannot create its thread: %s", in->name,
                strerror(rc));
        return -rc;
    }
    in->thread_started = true;
    if (!wait_start(in, timeout_ms)) {
        in->st = SK_INST_STUCK;
        sk_set_err(err, errlen, "plugin '%s' (%s): start() did not return within %lld ms", in->name,
                in->mod->path, (long long)timeout_ms);
        return SK_ETIMEDOUT;
    }
    if (in->start_rc) {
        /* The thread only frees host objects now: the join is short. */
        pthread_join(in->thread, NULL);
        in->thread_started = false;
        in->st = SK_INST_FAILED;
        sk_set_err(err, errlen, "plugin '%s' (%s): start failed: %s", in->name, in->mod->path,
                sk_strerror(in->start_rc));
        return in->start_rc < 0 ? in->start_rc : SK_EINTERNAL;
    }
    in->st = SK_INST_RUNNING;
    return 0;
}

int sk_instance_stop(sk_instance *in, int64_t timeout_ms, char *err, size_t errlen)
{
    if (in->st != SK_INST_RUNNING)
        return 0;
    pthread_mutex_lock(&in->mu);
    if (in->loop)
        sk_loop_quit(in->loop);
    pthread_mutex_unlock(&in->mu);
    struct timespec dl = deadline_after(CLOCK_REALTIME, timeout_ms);
    int rc = pthread_timedjoin_np(in->thread, NULL, &dl);
    if (rc == ETIMEDOUT) {
        pthread_mutex_lock(&in->mu);
        in->gave_up = true;
        pthread_mutex_unlock(&in->mu);
        in->st = SK_INST_STUCK;
        sk_set_err(err, errlen, "plugin '%s' (%s): stop() did not return within %lld ms", in->name,
                in->mod->path, (long long)timeout_ms);
        return SK_ETIMEDOUT;
    }
    if (rc) {
        in->st = SK_INST_STUCK;
        sk_set_err(err, errlen, "plugin '%s': cannot join its thread: %s", in->name, strerror(rc));
        return -rc;
    }
    in->thread_started = false;
    in->st = SK_INST_STOPPED;
    return 0;
}

void sk_instance_fini(sk_instance *in)
{
    if (!in)
        return;
    if (in->st == SK_INST_INITED || in->st == SK_INST_FAILED || in->st == SK_INST_STOPPED) {
        in->mod->desc.fini(in->state);
        in->state = NULL;
        in->st = SK_INST_DONE;
    }
}

static void destroy(sk_instance *in)
{
    pthread_cond_destroy(&in->cv);
    pthread_mutex_destroy(&in->mu);
    free(in->data_dir);
    free(in->name);
    free(in);
}

void sk_instance_free(sk_instance **pin)
{
    if (!pin || !*pin)
        return;
    sk_instance *in = *pin;
    *pin = NULL;
    if (in->st == SK_INST_STUCK) {
        in->next_stuck = g_stuck;
        g_stuck = in;
        return;
    }
    if (in->st == SK_INST_RUNNING)
        sk_instance_stop(in, 0, NULL, 0);
    if (in->st == SK_INST_STUCK) {
        in->next_stuck = g_stuck;
        g_stuck = in;
        return;
    }
    sk_instance_fini(in);
    destroy(in);
}

size_t sk_instance_reap_stuck(void)
{
    size_t left = 0;
    for (sk_instance **pp = &g_stuck; *pp;) {
        sk_instance *in = *pp;
        pthread_mutex_lock(&in->mu);
        bool done = in->thread_done;
        pthread_mutex_unlock(&in->mu);
        if (!done) {
            left++;
            pp = &in->next_stuck;
            continue;
        }
        *pp = in->next_stuck;
        pthread_join(in->thread, NULL);
        /* Only an inited instance ever got a thread, so fini() is due; a
         * start() that overran had its stop() run by the thread itself. */
        in->st = SK_INST_STOPPED;
        sk_instance_fini(in);
        sk_hlog(in->name, SK_LOG_INFO, "late thread of %s finished; released", in->route);
        destroy(in);
    }
    return left;
}

int sk_instance_stuck_uses(const sk_module *mod)
{
    for (const sk_instance *in = g_stuck; in; in = in->next_stuck)
        if (in->mod == mod)
            return 1;
    return 0;
}

sk_inst_state sk_instance_state(const sk_instance *in) { return in->st; }
const char *sk_instance_name(const sk_instance *in) { return in->name; }
const char *sk_instance_route(const sk_instance *in) { return in->route; }
unsigned sk_instance_generation(const sk_instance *in) { return in->generation; }
sk_module *sk_instance_module(const sk_instance *in) { return in->mod; }
