/* sk_scheduler's lifecycle and its informer inputs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler_impl.h"
#include "skiff/errors.h"

static int64_t monotonic_ms(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sk_scheduler_now(sk_scheduler *s)
{
    return s->env.now_ms(s->env.clock_arg);
}

uint64_t sk_scheduler_rand(sk_scheduler *s)
{
    /* xorshift64*: cheap, and seeded per scheduler so tests repeat. */
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 2685821657736338717ull;
}

static int make_profiles(sk_scheduler *s, const sk_sched_config *cfg, char *err, size_t errlen)
{
    static const sk_profile_spec def = {.scheduler_name = "default-scheduler", .percentage = -1};
    const sk_profile_spec *profiles = cfg->nprofiles ? cfg->profiles : &def;
    uint32_t n = cfg->nprofiles ? cfg->nprofiles : 1;
    if (n > SK_SCHED_MAX_PROFILES)
        return snprintf(err, errlen, "too many profiles"), SK_ECONFIG;
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(s->fws[j]->scheduler_name, profiles[i].scheduler_name ? profiles[i].scheduler_name
                                                                              : "default-scheduler") == 0)
                return snprintf(err, errlen, "duplicate profile %s", s->fws[j]->scheduler_name),
                       SK_ECONFIG;
        }
        int rc = sk_fw_new(s, s->reg, &profiles[i], cfg->cfg, s->env.host, &s->intern, &s->fws[i],
                           err, errlen);
        if (rc)
            return rc;
        s->nfw = i + 1;
        /* One queue serves every profile, so they must sort alike. */
        const char *qs = s->fws[i]->plugins[s->fws[i]->list[SK_PT_QUEUE_SORT][0]].d.name;
        const char *q0 = s->fws[0]->plugins[s->fws[0]->list[SK_PT_QUEUE_SORT][0]].d.name;
        if (strcmp(qs, q0) != 0)
            return snprintf(err, errlen, "profiles must share one queueSort plugin"), SK_ECONFIG;
    }
    return 0;
}

int sk_scheduler_new(const sk_sched_registry *reg, const sk_sched_config *cfg,
                     const sk_sched_env *env, sk_scheduler **out, char *err, size_t errlen)
{
    char dummy[8];
    if (!err) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    sk_scheduler *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->reg = reg;
    if (env)
        s->env = *env;
    if (!s->env.now_ms)
        s->env.now_ms = monotonic_ms;
    s->rng = s->env.seed ? s->env.seed : 0x9e3779b97f4a7c15ull;
    s->percentage = cfg->percentage;
    sk_strmap_init(&s->nominated);
    sk_strmap_init(&s->waiting);
    sk_arena_init(&s->scratch);
    int rc = sk_intern_init(&s->intern) ? -ENOMEM : 0;
    s->intern_ok = rc == 0;
    if (!rc)
        rc = sk_cache_new(&s->cache);
    if (!rc)
        rc = make_profiles(s, cfg, err, errlen);
    if (rc) {
        sk_scheduler_free(&s);
        return rc;
    }
    sk_queue_init(&s->queue, s->fws[0], s->env.now_ms, s->env.clock_arg, cfg->initial_backoff_ms,
                  cfg->max_backoff_ms, &s->intern);
    *out = s;
    return 0;
}

static void binding_free(sk_sched_binding *b)
{
    sk_cycle_free(&b->cycle);
    sk_pod_unref(&b->pod);
    free(b);
}

void sk_scheduler_free(sk_scheduler **sp)
{
    sk_scheduler *s = *sp;
    *sp = NULL;
    if (!s)
        return;
    size_t i = 0;
    void *v;
    while (sk_strmap_next(&s->waiting, &i, NULL, &v))
        binding_free(v);
    for (sk_sched_binding *b = s->ready_head, *next; b; b = next) {
        next = b->next;
        binding_free(b);
    }
    i = 0;
    while (sk_strmap_next(&s->nominated, &i, NULL, &v)) {
        sk_pod_obj *o = v;
        sk_pod_unref(&o);
    }
    sk_strmap_free(&s->nominated);
    sk_strmap_free(&s->waiting);
    if (s->queue.sorter)
        sk_queue_free(&s->queue);
    sk_cache_free(&s->cache);
    for (uint32_t f = 0; f < s->nfw; f++)
        sk_fw_free(&s->fws[f]);
    if (s->intern_ok)
        sk_intern_free(&s->intern);
    sk_arena_free(&s->scratch);
    free(s->node_status);
    free(s);
}

sk_sched_cache *sk_scheduler_cache(sk_scheduler *s)
{
    return s->cache;
}

sk_sched_queue *sk_scheduler_queue(sk_scheduler *s)
{
    return &s->queue;
}

sk_sched_fw *sk_scheduler_profile(sk_scheduler *s, const char *name)
{
    for (uint32_t i = 0; i < s->nfw; i++)
        if (strcmp(s->fws[i]->scheduler_name, name) == 0)
            return s->fws[i];
    return NULL;
}

int sk_scheduler_node_upsert(sk_scheduler *s, const void *buf, size_t len, char *err, size_t errlen)
{
    sk_node_obj *obj;
    bool existed = false;
    int rc = sk_node_parse(buf, len, &obj, err, errlen);
    if (!rc)
        rc = sk_cache_node_upsert(s->cache, obj, &existed);
    if (!rc)
        sk_queue_on_event(&s->queue, existed ? SK_SCHED_EV_NODE_UPDATE : SK_SCHED_EV_NODE_ADD);
    return rc;
}

int sk_scheduler_node_delete(sk_scheduler *s, const char *name)
{
    int rc = sk_cache_node_delete(s->cache, name);
    if (!rc)
        sk_queue_on_event(&s->queue, SK_SCHED_EV_NODE_DELETE);
    return rc;
}

static void nominate(sk_scheduler *s, sk_pod_obj *obj)
{
    sk_pod_obj *old = sk_strmap_del(&s->nominated, obj->pod.uid);
    sk_pod_unref(&old);
    if (obj->pod.nominated_node_name[0] && !obj->pod.node_name[0]) {
        sk_pod_obj *ref = sk_pod_ref(obj);
        if (sk_strmap_put(&s->nominated, ref->pod.uid, ref, NULL))
            sk_pod_unref(&ref);
    }
}

static void unnominate(sk_scheduler *s, const char *uid)
{
    sk_pod_obj *old = sk_strmap_del(&s->nominated, uid);
    sk_pod_unref(&old);
}

static int assigned_pod(sk_scheduler *s, sk_pod_obj *obj)
{
    bool existed = sk_cache_pod(s->cache, obj->pod.uid) != NULL &&
                   !sk_cache_is_assumed(s->cache, obj->pod.uid);
    sk_queue_delete(&s->queue, obj->pod.uid);
    unnominate(s, obj->pod.uid);
    int rc = sk_cache_pod_upsert(s->cache, obj);
    if (!rc)
        sk_queue_on_event(&s->queue, obj->terminal ? SK_SCHED_EV_POD_DELETE
                                     : existed     ? SK_SCHED_EV_POD_UPDATE
                                                   : SK_SCHED_EV_POD_ADD);
    return rc;
}

int sk_scheduler_pod_upsert(sk_scheduler *s, const void *buf, size_t len, char *err, size_t errlen)
{
    sk_pod_obj *obj;
    int rc = sk_pod_parse(buf, len, &obj, err, errlen);
    if (rc)
        return rc;
    if (obj->pod.node_name[0]) {
        rc = assigned_pod(s, obj);
    } else if (obj->terminal || obj->pod.terminating) {
        sk_queue_delete(&s->queue, obj->pod.uid);
        unnominate(s, obj->pod.uid);
    } else {
        sk_sched_fw *fw = sk_scheduler_profile(s, obj->pod.scheduler_name);
        /* Pods for other schedulers still matter when nominated. */
        nominate(s, obj);
        if (fw && !sk_cache_is_assumed(s->cache, obj->pod.uid) &&
            !sk_strmap_get(&s->waiting, obj->pod.uid))
            rc = sk_queue_add(&s->queue, fw, obj);
    }
    sk_pod_unref(&obj);
    return rc;
}

int sk_scheduler_pod_delete(sk_scheduler *s, const char *uid)
{
    bool was_placed = sk_cache_pod(s->cache, uid) != NULL;
    sk_queue_delete(&s->queue, uid);
    unnominate(s, uid);
    sk_permit_reject(s, uid, NULL, "pod deleted");
    if (was_placed && sk_cache_pod_delete(s->cache, uid) == 0)
        sk_queue_on_event(&s->queue, SK_SCHED_EV_POD_DELETE);
    return 0;
}

int sk_scheduler_ns_upsert(sk_scheduler *s, const void *buf, size_t len, char *err, size_t errlen)
{
    sk_ns_obj *obj;
    int rc = sk_ns_parse(buf, len, &obj, err, errlen);
    if (!rc)
        rc = sk_cache_ns_upsert(s->cache, obj);
    if (!rc)
        sk_queue_on_event(&s->queue, SK_SCHED_EV_NAMESPACE);
    return rc;
}

int sk_scheduler_ns_delete(sk_scheduler *s, const char *name)
{
    return sk_cache_ns_delete(s->cache, name);
}
