/* Cells of `kubectl get pods`: the same READY, STATUS and RESTARTS texts
 * the real apiserver computes, so clients show identical output. */
#include <stdio.h>
#include <string.h>

#include "jutil.h"
#include "k8s_time.h"
#include "printers.h"

static bool cond_true(const json_t *pod, const char *type)
{
    size_t i;
    json_t *c;
    json_array_foreach(sk_jget(pod, "status.conditions"), i, c)
    {
        const char *t = sk_jstr(c, "type");
        if (t && strcmp(t, type) == 0)
            return strcmp(sk_jstr(c, "status") ? sk_jstr(c, "status") : "", "True") == 0;
    }
    return false;
}

/* An init container with restartPolicy Always is a sidecar: it counts
 * towards READY like an app container. */
static bool is_sidecar(const json_t *pod, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(sk_jget(pod, "spec.initContainers"), i, c)
    {
        const char *n = sk_jstr(c, "name");
        if (n && name && strcmp(n, name) == 0) {
            const char *rp = sk_jstr(c, "restartPolicy");
            return rp && strcmp(rp, "Always") == 0;
        }
    }
    return false;
}

typedef struct pod_summary {
    char reason[128];
    long ready, total, restarts;
    int64_t last_restart; /* 0 = none */
} pod_summary;

static void note_restart(const json_t *cs, int64_t *last)
{
    int64_t t;
    const char *fin = sk_jstr(cs, "lastState.terminated.finishedAt");
    if (fin && sk_time_parse(fin, &t) && t > *last)
        *last = t;
}

static void terminated_reason(const json_t *term, const char *prefix, char *buf, size_t size)
{
    const char *r = sk_jstr(term, "reason");
    if (r && *r)
        snprintf(buf, size, "%s%s", prefix, r);
    else if (sk_jint(term, "signal", 0))
        snprintf(buf, size, "%sSignal:%lld", prefix, (long long)sk_jint(term, "signal", 0));
    else
        snprintf(buf, size, "%sExitCode:%lld", prefix, (long long)sk_jint(term, "exitCode", 0));
}

/* Returns true while init containers are still running (reason set). */
static bool summarize_init(const json_t *pod, pod_summary *s, long *sidecar_restarts,
                           int64_t *sidecar_last)
{
    size_t i;
    json_t *cs;
    size_t n_init = json_array_size(sk_jget(pod, "spec.initContainers"));
    json_array_foreach(sk_jget(pod, "status.initContainerStatuses"), i, cs)
    {
        const char *name = sk_jstr(cs, "name");
        bool sidecar = is_sidecar(pod, name);
        s->restarts += (long)sk_jint(cs, "restartCount", 0);
        note_restart(cs, &s->last_restart);
        if (sidecar) {
            *sidecar_restarts += (long)sk_jint(cs, "restartCount", 0);
            note_restart(cs, sidecar_last);
        }
        json_t *term = sk_jget(cs, "state.terminated");
        const char *wait = sk_jstr(cs, "state.waiting.reason");
        if (term && sk_jint(term, "exitCode", 0) == 0)
            continue;
        if (sidecar && sk_jbool(cs, "started", false)) {
            if (sk_jbool(cs, "ready", false))
                s->ready++;
            continue;
        }
        if (term)
            terminated_reason(term, "Init:", s->reason, sizeof s->reason);
        else if (wait && *wait && strcmp(wait, "PodInitializing") != 0)
            snprintf(s->reason, sizeof s->reason, "Init:%s", wait);
        else
            snprintf(s->reason, sizeof s->reason, "Init:%zu/%zu", i, n_init);
        return true;
    }
    return false;
}

static void summarize_main(const json_t *pod, pod_summary *s)
{
    json_t *list = sk_jget(pod, "status.containerStatuses");
    bool has_running = false;
    char error_reason[128] = "";
    /* last to first, so the first container's state wins, as upstream */
    for (size_t i = json_array_size(list); i-- > 0;) {
        json_t *cs = json_array_get(list, i);
        s->restarts += (long)sk_jint(cs, "restartCount", 0);
        note_restart(cs, &s->last_restart);
        const char *wait = sk_jstr(cs, "state.waiting.reason");
        json_t *term = sk_jget(cs, "state.terminated");
        if (wait && *wait) {
            snprintf(s->reason, sizeof s->reason, "%s", wait);
        } else if (term) {
            terminated_reason(term, "", s->reason, sizeof s->reason);
            if (sk_jint(term, "exitCode", 0) != 0)
                snprintf(error_reason, sizeof error_reason, "%s", s->reason);
        } else if (sk_jbool(cs, "ready", false) && sk_jget(cs, "state.running")) {
            has_running = true;
            s->ready++;
        }
    }
    if (strcmp(s->reason, "Completed") == 0) {
        if (has_running && cond_true(pod, "Ready"))
            snprintf(s->reason, sizeof s->reason, "Running");
        else if (*error_reason)
            snprintf(s->reason, sizeof s->reason, "%s", error_reason);
        else if (has_running)
            snprintf(s->reason, sizeof s->reason, "NotReady");
    }
}

static void summarize_pod(const json_t *pod, pod_summary *s)
{
    memset(s, 0, sizeof *s);
    const char *phase = sk_jstr(pod, "status.phase");
    const char *reason = sk_jstr(pod, "status.reason");
    snprintf(s->reason, sizeof s->reason, "%s", reason && *reason ? reason : phase ? phase : "");
    size_t i;
    json_t *c;
    json_array_foreach(sk_jget(pod, "status.conditions"), i, c)
    {
        const char *t = sk_jstr(c, "type"), *r = sk_jstr(c, "reason");
        if (t && r && strcmp(t, "PodScheduled") == 0 && strcmp(r, "SchedulingGated") == 0)
            snprintf(s->reason, sizeof s->reason, "SchedulingGated");
    }
    s->total = (long)json_array_size(sk_jget(pod, "spec.containers"));
    json_array_foreach(sk_jget(pod, "spec.initContainers"), i, c)
    {
        if (is_sidecar(pod, sk_jstr(c, "name")))
            s->total++;
    }
    long sidecar_restarts = 0;
    int64_t sidecar_last = 0;
    bool initializing = summarize_init(pod, s, &sidecar_restarts, &sidecar_last);
    if (!initializing || cond_true(pod, "Initialized")) {
        s->restarts = sidecar_restarts;
        s->last_restart = sidecar_last;
        summarize_main(pod, s);
    }
    bool deleting = sk_jget(pod, "metadata.deletionTimestamp") &&
                    !json_is_null(sk_jget(pod, "metadata.deletionTimestamp"));
    if (deleting && reason && strcmp(reason, "NodeLost") == 0)
        snprintf(s->reason, sizeof s->reason, "Unknown");
    else if (deleting && !(phase && (strcmp(phase, "Succeeded") == 0 ||
                                     strcmp(phase, "Failed") == 0)))
        snprintf(s->reason, sizeof s->reason, "Terminating");
}

json_t *sk_cell_pod_ready(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    pod_summary s;
    char buf[48];
    summarize_pod(obj, &s);
    snprintf(buf, sizeof buf, "%ld/%ld", s.ready, s.total);
    return json_string(buf);
}

json_t *sk_cell_pod_status(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    pod_summary s;
    summarize_pod(obj, &s);
    return json_string(s.reason);
}

json_t *sk_cell_pod_restarts(const json_t *obj, const sk_cell_ctx *ctx)
{
    pod_summary s;
    char buf[64], age[32];
    summarize_pod(obj, &s);
    if (s.restarts && s.last_restart) {
        sk_human_duration(ctx->now - s.last_restart, age, sizeof age);
        snprintf(buf, sizeof buf, "%ld (%s ago)", s.restarts, age);
    } else {
        snprintf(buf, sizeof buf, "%ld", s.restarts);
    }
    return json_string(buf);
}

static json_t *str_or_none(const char *s)
{
    return json_string(s && *s ? s : "<none>");
}

json_t *sk_cell_pod_ip(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *ip = sk_jstr(json_array_get(sk_jget(obj, "status.podIPs"), 0), "ip");
    return str_or_none(ip ? ip : sk_jstr(obj, "status.podIP"));
}

json_t *sk_cell_pod_node(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return str_or_none(sk_jstr(obj, "spec.nodeName"));
}

json_t *sk_cell_pod_nominated(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return str_or_none(sk_jstr(obj, "status.nominatedNodeName"));
}

json_t *sk_cell_pod_gates(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    json_t *gates = sk_jget(obj, "spec.readinessGates");
    size_t n = json_array_size(gates), i, ok = 0;
    json_t *g;
    if (!n)
        return json_string("<none>");
    json_array_foreach(gates, i, g)
    {
        const char *t = sk_jstr(g, "conditionType");
        if (t && cond_true(obj, t))
            ok++;
    }
    char buf[48];
    snprintf(buf, sizeof buf, "%zu/%zu", ok, n);
    return json_string(buf);
}
