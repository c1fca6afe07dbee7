/* Plugin option tables (skiff/config.h): a plugin that declares its options
 * gets unknown keys and wrongly typed values rejected, with their position,
 * before its init() runs. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_tree.h"
#include "skiff/errors.h"

static const char *opt_type_name(sk_opt_type t)
{
    switch (t) {
    case SK_OPT_STRING:
        return "a string";
    case SK_OPT_INT:
        return "an integer (suffixes k, M, G, Ki, Mi, Gi allowed)";
    case SK_OPT_DOUBLE:
        return "a number";
    case SK_OPT_BOOL:
        return "a boolean (true/false, yes/no, on/off)";
    case SK_OPT_MAP:
        return "a map";
    case SK_OPT_LIST:
        return "a list";
    case SK_OPT_DURATION:
        return "a duration (e.g. 250ms, 5s, 2m, 1h)";
    }
    return "an unknown type";
}

/* Same conversions a plugin reads its values with, so what passes here
 * also reads there. */
static int opt_matches(sk_opt_type t, const sk_cfg *v)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    int64_t i;
    double d;
    int b;
    switch (t) {
    case SK_OPT_STRING:
        return v->type == SK_CFG_SCALAR;
    case SK_OPT_INT:
        return api->to_int(v, &i) == 0;
    case SK_OPT_DOUBLE:
        return api->to_double(v, &d) == 0;
    case SK_OPT_BOOL:
        return api->to_bool(v, &b) == 0;
    case SK_OPT_MAP:
        return v->type == SK_CFG_MAP;
    case SK_OPT_LIST:
        return v->type == SK_CFG_LIST;
    case SK_OPT_DURATION:
        return api->to_duration_ms(v, &i) == 0;
    }
    return 0;
}

static const char *node_kind(const sk_cfg *v)
{
    static const char *const kinds[] = {
        [SK_CFG_NULL] = "null",
        [SK_CFG_SCALAR] = "a scalar",
        [SK_CFG_MAP] = "a map",
        [SK_CFG_LIST] = "a list",
    };
    size_t t = (size_t)v->type;
    return t < sizeof kinds / sizeof kinds[0] ? kinds[t] : "null";
}

static void known_keys(const sk_option *opts, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const sk_option *o = opts; o->key && used < size; o++) {
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", o->key);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (!buf[0])
        snprintf(buf, size, "none");
}

static int check_value(const sk_cfg *map, size_t i, const sk_option *opts, const char *plugin,
                       char *err, size_t errlen)
{
    const char *k = map->keys[i]->text;
    const sk_option *o = opts;
    while (o->key && strcmp(o->key, k) != 0)
        o++;
    if (!o->key) {
        char known[512];
        known_keys(opts, known, sizeof known);
        cfg_put_err(err, errlen, "%s: plugin '%s': unknown config key '%s' (known: %s)",
                    map->keys[i]->where, plugin, k, known);
        return SK_ECONFIG;
    }
    const sk_cfg *v = map->items[i];
    if (v->type == SK_CFG_NULL || opt_matches(o->type, v))
        return 0; /* null: unset, the plugin's default applies */
    if (v->type == SK_CFG_SCALAR)
        cfg_put_err(err, errlen, "%s: plugin '%s': config key '%s' must be %s, not '%s'",
                    v->where, plugin, k, opt_type_name(o->type), v->text);
    else
        cfg_put_err(err, errlen, "%s: plugin '%s': config key '%s' must be %s, not %s", v->where,
                    plugin, k, opt_type_name(o->type), node_kind(v));
    return SK_ECONFIG;
}

int sk_cfg_check_options(const sk_cfg *node, const sk_option *opts, const char *plugin,
                         char *err, size_t errlen)
{
    if (!plugin)
        plugin = "?";
    if (!node || node->type == SK_CFG_NULL || !opts)
        return 0; /* nothing to check, or the plugin checks its config itself */
    if (node->type != SK_CFG_MAP) {
        cfg_put_err(err, errlen, "%s: plugin '%s': config must be a map, not %s", node->where,
                    plugin, node_kind(node));
        return SK_ECONFIG;
    }
    for (size_t i = 0; i < node->n; i++) {
        int rc = check_value(node, i, opts, plugin, err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}
