#include "profile_cfg.h"

#include <stdio.h>
#include <string.h>

#include "skiff/errors.h"

static int bad(const sk_cfg_api *api, const sk_cfg *n, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", n ? api->where(n) : "config", what);
    return SK_ECONFIG;
}

static int read_int(const sk_cfg_api *api, const sk_cfg *parent, const char *key, int64_t lo,
                    int64_t hi, int64_t *out, char *err, size_t errlen)
{
    const sk_cfg *n = api->get(parent, key);
    if (!n)
        return 0;
    if (api->to_int(n, out) || *out < lo || *out > hi)
        return bad(api, n, err, errlen, key);
    return 0;
}

static int read_set(const sk_cfg_api *api, const sk_cfg *set, sk_plugin_set *out, char *err,
                    size_t errlen)
{
    const sk_cfg *en = api->get(set, "enabled"), *dis = api->get(set, "disabled");
    size_t ne = en ? api->len(en) : 0, nd = dis ? api->len(dis) : 0;
    if (ne > SK_FW_MAX_PLUGINS || nd > SK_FW_MAX_PLUGINS)
        return bad(api, set, err, errlen, "too many plugins");
    for (size_t i = 0; i < ne; i++) {
        const sk_cfg *item = api->at(en, i);
        int64_t w = 0;
        const char *name = api->str(api->get(item, "name"));
        if (!name)
            return bad(api, item, err, errlen, "enabled: each needs a name");
        int rc = read_int(api, item, "weight", 0, 100, &w, err, errlen);
        if (rc)
            return rc;
        out->enabled[out->nenabled++] = (sk_plugin_ref){name, (int32_t)w};
    }
    for (size_t i = 0; i < nd; i++) {
        const char *name = api->str(api->get(api->at(dis, i), "name"));
        if (!name)
            return bad(api, api->at(dis, i), err, errlen, "disabled: each needs a name");
        out->disabled[out->ndisabled++] = name;
    }
    return 0;
}

static int read_plugins(const sk_cfg_api *api, const sk_cfg *plugins, sk_profile_spec *p, char *err,
                        size_t errlen)
{
    for (size_t i = 0; plugins && i < api->len(plugins); i++) {
        const char *key = api->key(plugins, i);
        const sk_cfg *set = api->at(plugins, i);
        int rc;
        if (key && strcmp(key, "multiPoint") == 0) {
            rc = read_set(api, set, &p->multi_point, err, errlen);
        } else {
            int pt = -1;
            for (int k = 0; k < SK_PT_COUNT; k++)
                if (key && strcmp(key, sk_point_names[k]) == 0)
                    pt = k;
            if (pt < 0)
                return bad(api, set, err, errlen, "unknown extension point");
            rc = read_set(api, set, &p->points[pt], err, errlen);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int read_profile(const sk_cfg_api *api, const sk_cfg *n, sk_profile_spec *p, char *err,
                        size_t errlen)
{
    int64_t pct = -1;
    memset(p, 0, sizeof(*p));
    p->scheduler_name = api->str(api->get(n, "schedulerName"));
    if (!p->scheduler_name)
        p->scheduler_name = "default-scheduler";
    int rc = read_int(api, n, "percentageOfNodesToScore", 0, 100, &pct, err, errlen);
    if (rc)
        return rc;
    p->percentage = (int32_t)pct;
    if ((rc = read_plugins(api, api->get(n, "plugins"), p, err, errlen)))
        return rc;
    const sk_cfg *pc = api->get(n, "pluginConfig");
    size_t npc = pc ? api->len(pc) : 0;
    if (npc > SK_FW_MAX_PLUGINS)
        return bad(api, pc, err, errlen, "too many pluginConfig entries");
    for (size_t i = 0; i < npc; i++) {
        const sk_cfg *item = api->at(pc, i);
        const char *name = api->str(api->get(item, "name"));
        if (!name)
            return bad(api, item, err, errlen, "pluginConfig: each needs a name");
        p->args[p->nargs].name = name;
        p->args[p->nargs++].args = api->get(item, "args");
    }
    return 0;
}

int sk_sched_config_read(const sk_cfg_api *api, const sk_cfg *root, sk_sched_config_store *out,
                         char *err, size_t errlen)
{
    int64_t pct = 0, ib = 1, mb = 10;
    memset(out, 0, sizeof(*out));
    out->cfg.cfg = api;
    int rc = 0;
    if (root && api) {
        if ((rc = read_int(api, root, "percentageOfNodesToScore", 0, 100, &pct, err, errlen)) ||
            (rc = read_int(api, root, "podInitialBackoffSeconds", 1, 3600, &ib, err, errlen)) ||
            (rc = read_int(api, root, "podMaxBackoffSeconds", 1, 3600, &mb, err, errlen)))
            return rc;
        if (mb < ib)
            return bad(api, root, err, errlen, "podMaxBackoffSeconds below podInitialBackoffSeconds");
        const sk_cfg *profiles = api->get(root, "profiles");
        size_t n = profiles ? api->len(profiles) : 0;
        if (n > SK_SCHED_MAX_PROFILES)
            return bad(api, profiles, err, errlen, "too many profiles");
        for (size_t i = 0; i < n; i++)
            if ((rc = read_profile(api, api->at(profiles, i), &out->profiles[i], err, errlen)))
                return rc;
        out->cfg.nprofiles = (uint32_t)n;
    }
    out->cfg.percentage = (int32_t)pct;
    out->cfg.initial_backoff_ms = ib * 1000;
    out->cfg.max_backoff_ms = mb * 1000;
    out->cfg.profiles = out->profiles;
    return 0;
}
