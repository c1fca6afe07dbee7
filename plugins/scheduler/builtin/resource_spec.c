#include "resource_spec.h"

#include <stdio.h>
#include <string.h>

#include "skiff/errors.h"

void sk_res_spec_default(sk_res_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    snprintf(spec->r[0].name, sizeof(spec->r[0].name), "cpu");
    snprintf(spec->r[1].name, sizeof(spec->r[1].name), "memory");
    spec->r[0].weight = spec->r[1].weight = 1;
    spec->n = 2;
}

int sk_res_spec_read(const sk_cfg_api *cfg, const sk_cfg *list, sk_res_spec *spec, char *err,
                     size_t errlen)
{
    if (!list || !cfg)
        return 0;
    size_t n = cfg->len(list);
    if (cfg->type(list) != SK_CFG_LIST || n == 0 || n > SK_RES_SPEC_MAX) {
        snprintf(err, errlen, "%s: resources: expected a list of 1..%d {name, weight}",
                 cfg->where(list), SK_RES_SPEC_MAX);
        return SK_ECONFIG;
    }
    spec->n = 0;
    for (size_t i = 0; i < n; i++) {
        const sk_cfg *item = cfg->at(list, i);
        const char *name = cfg->str(cfg->get(item, "name"));
        int64_t w = 1;
        const sk_cfg *wn = cfg->get(item, "weight");
        if (!name || !name[0] || strlen(name) >= sizeof(spec->r[0].name) ||
            (wn && (cfg->to_int(wn, &w) || w < 1 || w > 100))) {
            snprintf(err, errlen, "%s: resources: each needs a name and a weight in 1..100",
                     cfg->where(item));
            return SK_ECONFIG;
        }
        snprintf(spec->r[spec->n].name, sizeof(spec->r[0].name), "%s", name);
        spec->r[spec->n++].weight = w;
    }
    return 0;
}
