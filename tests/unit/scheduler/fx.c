#include "fx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_state.h"
#include "framework.h"

int fx_bind_fail;

static sk_sched_code fake_bind(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const char *node, sk_sched_status *st)
{
    (void)self, (void)c, (void)pod, (void)node, (void)st;
    return fx_bind_fail ? SK_SCHED_ERROR : SK_SCHED_SUCCESS;
}

static const sk_sched_plugin_desc fake_binder = {
    .size = sizeof(sk_sched_plugin_desc), .abi_major = SK_SCHED_ABI_MAJOR,
    .abi_minor = SK_SCHED_ABI_MINOR, .build_sig = SK_BUILD_SIG,
    .name = "DefaultBinder", .bind = fake_bind,
};

int64_t fx_clock(void *arg)
{
    return ((fx *)arg)->now;
}

static int evict_fn(void *arg, const sk_sched_pod *victim, const sk_sched_pod *preemptor,
                    const char *node)
{
    fx *f = arg;
    (void)preemptor, (void)node;
    if (f->nevicted < 64)
        snprintf(f->evicted[f->nevicted++], sizeof(f->evicted[0]), "%s", victim->name);
    return 0;
}

fx *fx_new(const char *config_json)
{
    char err[256] = "";
    fx *f = calloc(1, sizeof(*f));
    f->now = 1000000;
    f->store = calloc(1, sizeof(*f->store));
    CU_ASSERT_FATAL(sk_registry_new(&f->reg) == 0);
    CU_ASSERT_FATAL(sk_registry_add(f->reg, &fake_binder, err, sizeof(err)) == 0);
    f->cfg = mpcfg_new(config_json ? config_json : "{}");
    int rc = sk_sched_config_read(mpcfg_api(), mpcfg_root(f->cfg), f->store, err, sizeof(err));
    if (rc)
        fprintf(stderr, "config: %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    sk_sched_env env = {.now_ms = fx_clock, .clock_arg = f, .evict = evict_fn, .evict_arg = f, .seed = 42};
    rc = sk_scheduler_new(f->reg, &f->store->cfg, &env, &f->s, err, sizeof(err));
    if (rc)
        fprintf(stderr, "scheduler: %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    return f;
}

fx *fx_only(const char *plugin, const char *args_json)
{
    char cfg[2048];
    int n = snprintf(cfg, sizeof(cfg),
                     "{profiles:[{schedulerName:default-scheduler,plugins:{multiPoint:{disabled:"
                     "[{name:'*'}],enabled:[{name:PrioritySort},{name:DefaultBinder},{name:%s}]}}",
                     plugin);
    if (args_json)
        n += snprintf(cfg + n, sizeof(cfg) - (size_t)n, ",pluginConfig:[{name:%s,args:%s}]", plugin,
                      args_json);
    snprintf(cfg + n, sizeof(cfg) - (size_t)n, "}]}");
    return fx_new(cfg);
}

void fx_free(fx *f)
{
    sk_scheduler_free(&f->s);
    sk_registry_free(&f->reg);
    mpcfg_free(f->cfg);
    free(f->store);
    free(f);
}

static void upsert(fx *f, bool node, const char *fmt, va_list ap)
{
    char buf[8192], err[256] = "";
    size_t len;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    uint8_t *mp = tj_mp(buf, &len);
    int rc = node ? sk_scheduler_node_upsert(f->s, mp, len, err, sizeof(err))
                  : sk_scheduler_pod_upsert(f->s, mp, len, err, sizeof(err));
    if (rc)
        fprintf(stderr, "upsert: %s\n", err);
    CU_ASSERT(rc == 0);
    free(mp);
}

void fx_node(fx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    upsert(f, true, fmt, ap);
    va_end(ap);
}

void fx_pod(fx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    upsert(f, false, fmt, ap);
    va_end(ap);
}

void fx_node_res(fx *f, const char *name, const char *cpu, const char *mem, int pods,
                 const char *labels, const char *spec)
{
    fx_node(f,
            "{metadata:{name:%s,labels:{kubernetes.io/hostname:%s%s%s}},spec:{%s},"
            "status:{allocatable:{cpu:'%s',memory:'%s',pods:%d}}}",
            name, name, labels[0] ? "," : "", labels, spec, cpu, mem, pods);
}

static void pod_json(char *buf, size_t n, const char *node, const char *name, const char *cpu,
                     const char *mem, int prio, const char *labels, const char *spec)
{
    char req[256] = "";
    if (cpu[0] || mem[0])
        snprintf(req, sizeof(req), "resources:{requests:{%s%s%s%s%s%s%s}}", cpu[0] ? "cpu:'" : "", cpu,
                 cpu[0] ? "'" : "", cpu[0] && mem[0] ? "," : "", mem[0] ? "memory:'" : "", mem,
                 mem[0] ? "'" : "");
    snprintf(buf, n,
             "{metadata:{name:%s,namespace:default,uid:uid-%s,labels:{%s},"
             "creationTimestamp:'2024-01-01T00:00:00Z'},"
             "spec:{priority:%d,nodeName:'%s',containers:[{name:c,%s}]%s%s},"
             "status:{phase:%s,startTime:'2024-01-01T00:00:%02dZ'}}",
             name, name, labels, prio, node, req, spec[0] ? "," : "", spec,
             node[0] ? "Running" : "Pending", (int)(strlen(name) % 60));
}

void fx_pod_res(fx *f, const char *name, const char *cpu, const char *mem, int prio,
                const char *labels, const char *spec)
{
    char buf[4096];
    pod_json(buf, sizeof(buf), "", name, cpu, mem, prio, labels, spec);
    fx_pod(f, "%s", buf);
}

void fx_pod_on(fx *f, const char *node, const char *name, const char *cpu, const char *mem, int prio,
               const char *labels)
{
    char buf[4096];
    pod_json(buf, sizeof(buf), node, name, cpu, mem, prio, labels, "");
    fx_pod(f, "%s", buf);
}

sk_outcome_kind fx_schedule(fx *f, char *node, size_t nlen, char *msg, size_t mlen)
{
    sk_sched_outcome o;
    CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
    sk_outcome_kind k = o.kind;
    if (node && nlen)
        snprintf(node, nlen, "%s", o.node);
    if (msg && mlen)
        snprintf(msg, mlen, "%s", o.message ? o.message : "");
    if (k == SK_OUTCOME_BIND) {
        char m[256];
        sk_sched_code c = sk_binding_run(o.binding, m, sizeof(m));
        sk_scheduler_binding_done(f->s, &o.binding, c, m);
        if (c != SK_SCHED_SUCCESS) {
            k = SK_OUTCOME_ERROR;
            if (msg && mlen)
                snprintf(msg, mlen, "%s", m);
        }
    }
    sk_outcome_clear(&o);
    return k;
}

int fx_score(fx *f, const char *pod_json)
{
    size_t len;
    sk_pod_obj *pod;
    char err[256];
    uint8_t *mp = tj_mp(pod_json, &len);
    CU_ASSERT_FATAL(sk_pod_parse(mp, len, &pod, err, sizeof(err)) == 0);
    free(mp);
    sk_sched_fw *fw = sk_scheduler_profile(f->s, "default-scheduler");
    const sk_sched_snapshot *snap = sk_cache_snapshot(sk_scheduler_cache(f->s));
    sk_sched_cycle *c = sk_cycle_new(fw, snap);
    sk_sched_status st;
    sk_intern in;
    sk_intern_init(&in);
    sk_status_init(&st, &in);
    const sk_sched_node *feasible[64];
    int n = 0;
    f->nscores = 0;
    memset(f->scores, 0, sizeof(f->scores));
    if (sk_fw_pre_filter(fw, c, &pod->pod, &st) == SK_SCHED_SUCCESS) {
        for (uint32_t i = 0; i < snap->nnodes && n < 64; i++) {
            sk_status_init(&st, &in);
            if (sk_fw_filter(fw, c, &pod->pod, snap->nodes[i], &st) == SK_SCHED_SUCCESS)
                feasible[n++] = snap->nodes[i];
        }
        sk_status_init(&st, &in);
        if (n && sk_fw_pre_score(fw, c, &pod->pod, feasible, (uint32_t)n, &st) == SK_SCHED_SUCCESS) {
            CU_ASSERT(sk_fw_score(fw, c, &pod->pod, feasible, (uint32_t)n, f->scores, &st) ==
                      SK_SCHED_SUCCESS);
        }
        for (int i = 0; i < n; i++)
            snprintf(f->names[i], sizeof(f->names[0]), "%s", feasible[i]->name);
        f->nscores = n;
    }
    sk_cycle_free(&c);
    sk_pod_unref(&pod);
    sk_intern_free(&in);
    return n;
}

int64_t fx_score_of(fx *f, const char *node)
{
    for (int i = 0; i < f->nscores; i++)
        if (strcmp(f->names[i], node) == 0)
            return f->scores[i];
    return -1;
}
