#include "framework.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

const char *const sk_point_names[SK_PT_COUNT] = {
    "preEnqueue", "queueSort", "preFilter", "filter",  "postFilter", "preScore",
    "score",      "reserve",   "permit",    "preBind", "bind",       "postBind",
};

const sk_default_plugin sk_default_plugins[] = {
    {"SchedulingGates", 0},  {"PrioritySort", 0},     {"NodeUnschedulable", 0},
    {"NodeName", 0},         {"TaintToleration", 3},  {"NodeAffinity", 2},
    {"NodeResourcesFit", 1}, {"PodTopologySpread", 2}, {"InterPodAffinity", 2},
    {"DefaultPreemption", 0}, {"NodeResourcesBalancedAllocation", 1}, {"DefaultBinder", 0},
};
const size_t sk_ndefault_plugins = sizeof(sk_default_plugins) / sizeof(sk_default_plugins[0]);

bool sk_fw_implements(const sk_sched_plugin_desc *d, sk_point p)
{
    switch (p) {
    case SK_PT_PRE_ENQUEUE: return d->pre_enqueue != NULL;
    case SK_PT_QUEUE_SORT: return d->queue_less != NULL;
    case SK_PT_PRE_FILTER: return d->pre_filter != NULL;
    case SK_PT_FILTER: return d->filter != NULL;
    case SK_PT_POST_FILTER: return d->post_filter != NULL;
    case SK_PT_PRE_SCORE: return d->pre_score != NULL;
    case SK_PT_SCORE: return d->score != NULL;
    case SK_PT_RESERVE: return d->reserve != NULL || d->unreserve != NULL;
    case SK_PT_PERMIT: return d->permit != NULL;
    case SK_PT_PRE_BIND: return d->pre_bind != NULL;
    case SK_PT_BIND: return d->bind != NULL;
    case SK_PT_POST_BIND: return d->post_bind != NULL;
    case SK_PT_COUNT: break;
    }
    return false;
}

/* A plugin chosen for the profile before instantiation. */
typedef struct chosen {
    const sk_sched_plugin_desc *d;
    int32_t weight; /* 0: default */
} chosen;

typedef struct chosen_list {
    chosen items[SK_FW_MAX_PLUGINS];
    uint32_t n;
} chosen_list;

static int list_find(const chosen_list *l, const char *name)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].d->name, name) == 0)
            return (int)i;
    return -1;
}

static bool is_disabled(const sk_plugin_set *s, const char *name)
{
    for (uint32_t i = 0; i < s->ndisabled; i++)
        if (strcmp(s->disabled[i], name) == 0 || strcmp(s->disabled[i], "*") == 0)
            return true;
    return false;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *a, const char *b)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a, b);
    return rc;
}

/* Apply one set's enabled entries to l. point < 0: multiPoint. */
static int apply_enabled(const sk_sched_registry *reg, const sk_plugin_set *s, int point,
                         chosen_list *l, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < s->nenabled; i++) {
        const sk_plugin_ref *ref = &s->enabled[i];
        const sk_sched_plugin_desc *d = sk_registry_find(reg, ref->name);
        if (!d)
            return fail(err, errlen, SK_ECONFIG, "plugin %s%s is not registered", ref->name, "");
        if (point >= 0 && !sk_fw_implements(d, (sk_point)point))
            return fail(err, errlen, SK_ECONFIG, "plugin %s does not implement %s", ref->name,
                        sk_point_names[point]);
        int at = list_find(l, ref->name);
        if (at >= 0) {
            if (ref->weight)
                l->items[at].weight = ref->weight;
            continue;
        }
        if (l->n == SK_FW_MAX_PLUGINS)
            return fail(err, errlen, SK_ECONFIG, "too many plugins%s%s", "", "");
        l->items[l->n++] = (chosen){d, ref->weight};
    }
    return 0;
}

static int multi_point_list(const sk_sched_registry *reg, const sk_profile_spec *spec,
                            chosen_list *mp, char *err, size_t errlen)
{
    mp->n = 0;
    for (size_t i = 0; i < sk_ndefault_plugins; i++) {
        const sk_sched_plugin_desc *d = sk_registry_find(reg, sk_default_plugins[i].name);
        if (d && !is_disabled(&spec->multi_point, d->name))
            mp->items[mp->n++] = (chosen){d, sk_default_plugins[i].weight};
    }
    return apply_enabled(reg, &spec->multi_point, -1, mp, err, errlen);
}

static int point_list(const sk_sched_registry *reg, const sk_profile_spec *spec, const chosen_list *mp,
                      sk_point p, chosen_list *out, char *err, size_t errlen)
{
    const sk_plugin_set *s = &spec->points[p];
    out->n = 0;
    for (uint32_t i = 0; i < mp->n; i++)
        if (sk_fw_implements(mp->items[i].d, p) && !is_disabled(s, mp->items[i].d->name))
            out->items[out->n++] = mp->items[i];
    return apply_enabled(reg, s, (int)p, out, err, errlen);
}

static const sk_cfg *args_of(const sk_profile_spec *spec, const char *name)
{
    for (uint32_t i = 0; i < spec->nargs; i++)
        if (strcmp(spec->args[i].name, name) == 0)
            return spec->args[i].args;
    return NULL;
}

static int instantiate(sk_sched_fw *fw, const sk_profile_spec *spec, const sk_cfg_api *cfg,
                       const sk_host *host, const sk_sched_plugin_desc *d, char *err, size_t errlen)
{
    int at = sk_fw_plugin_index(fw, d->name);
    if (at >= 0)
        return at;
    if (fw->nplugins == SK_FW_MAX_PLUGINS)
        return fail(err, errlen, SK_ECONFIG, "too many plugins%s%s", "", "");
    sk_fw_plugin *p = &fw->plugins[fw->nplugins];
    memset(p, 0, sizeof(*p));
    memcpy(&p->d, d, d->size < sizeof(p->d) ? d->size : sizeof(p->d));
    p->handle = (sk_sched_handle){
        .size = sizeof(sk_sched_handle), .api = sk_sched_api_table(), .fw = fw,
        .profile = fw->scheduler_name, .cfg = cfg, .args = args_of(spec, d->name), .host = host,
    };
    p->weight = p->d.default_weight > 0 ? p->d.default_weight : 1;
    if (p->d.create) {
        char perr[200] = "";
        int rc = p->d.create(&p->handle, &p->self, perr, sizeof(perr));
        if (rc)
            return fail(err, errlen, rc < 0 ? rc : SK_ECONFIG, "plugin %s: %s", d->name,
                        perr[0] ? perr : sk_strerror(rc));
    }
    return (int)fw->nplugins++;
}

static int build_point(sk_sched_fw *fw, const sk_sched_registry *reg, const sk_profile_spec *spec,
                       const sk_cfg_api *cfg, const sk_host *host, const chosen_list *mp, sk_point p,
                       char *err, size_t errlen)
{
    chosen_list l;
    int rc = point_list(reg, spec, mp, p, &l, err, errlen);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < l.n; i++) {
        int idx = instantiate(fw, spec, cfg, host, l.items[i].d, err, errlen);
        if (idx < 0)
            return idx;
        if (p == SK_PT_SCORE && l.items[i].weight > 0)
            fw->plugins[idx].weight = l.items[i].weight;
        fw->list[p][fw->nlist[p]++] = (uint8_t)idx;
    }
    return 0;
}

int sk_fw_new(struct sk_scheduler *s, const sk_sched_registry *reg, const sk_profile_spec *spec,
              const sk_cfg_api *cfg, const sk_host *host, sk_intern *intern, sk_sched_fw **out,
              char *err, size_t errlen)
{
    chosen_list *mp = malloc(sizeof(*mp));
    sk_sched_fw *fw = calloc(1, sizeof(*fw));
    int rc = (!mp || !fw) ? -ENOMEM : 0;
    if (!rc) {
        fw->sched = s;
        fw->intern = intern;
        fw->percentage = spec->percentage;
        snprintf(fw->scheduler_name, sizeof(fw->scheduler_name), "%s",
                 spec->scheduler_name ? spec->scheduler_name : "default-scheduler");
        rc = multi_point_list(reg, spec, mp, err, errlen);
    }
    for (int p = 0; !rc && p < SK_PT_COUNT; p++)
        rc = build_point(fw, reg, spec, cfg, host, mp, (sk_point)p, err, errlen);
    if (!rc && fw->nlist[SK_PT_QUEUE_SORT] != 1)
        rc = fail(err, errlen, SK_ECONFIG, "profile %s needs exactly one queueSort plugin%s",
                  fw->scheduler_name, "");
    free(mp);
    if (rc) {
        sk_fw_free(&fw);
        return rc;
    }
    *out = fw;
    return 0;
}

void sk_fw_free(sk_sched_fw **fwp)
{
    sk_sched_fw *fw = *fwp;
    *fwp = NULL;
    if (!fw)
        return;
    for (uint32_t i = fw->nplugins; i-- > 0;)
        if (fw->plugins[i].d.destroy)
            fw->plugins[i].d.destroy(fw->plugins[i].self);
    free(fw);
}

int sk_fw_plugin_index(const sk_sched_fw *fw, const char *name)
{
    for (uint32_t i = 0; i < fw->nplugins; i++)
        if (strcmp(fw->plugins[i].d.name, name) == 0)
            return (int)i;
    return -1;
}
