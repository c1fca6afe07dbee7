/* NodeResourcesBalancedAllocation: prefers nodes whose resources would be
 * used in equal shares: (1 - standard deviation of the requested/allocatable
 * fractions) * 100, with the pod's actual requests; best-effort pods skip it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "resource_spec.h"

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    sk_res_spec *spec = calloc(1, sizeof(*spec));
    if (!spec)
        return -ENOMEM;
    sk_res_spec_default(spec);
    int rc = h->args && h->cfg ? sk_res_spec_read(h->cfg, h->cfg->get(h->args, "resources"), spec, err,
                                                  errlen)
                               : 0;
    if (rc) {
        free(spec);
        return rc;
    }
    *self = spec;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

static sk_sched_code pre_score(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const sk_sched_node *const *nodes, uint32_t n, sk_sched_status *st)
{
    (void)c, (void)nodes, (void)n, (void)st;
    const sk_res_spec *spec = self;
    for (size_t i = 0; i < spec->n; i++)
        if (sk_res_value(&pod->requests, spec->r[i].name) != 0)
            return SK_SCHED_SUCCESS;
    return SK_SCHED_SKIP; /* best effort: would pile up on one node otherwise */
}

static sk_sched_code score(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)c, (void)st;
    const sk_res_spec *spec = self;
    double fr[SK_RES_SPEC_MAX], total = 0;
    size_t n = 0;
    for (size_t i = 0; i < spec->n; i++) {
        const char *name = spec->r[i].name;
        int64_t alloc = sk_res_value(&node->allocatable, name);
        int64_t podreq = sk_res_value(&pod->requests, name);
        bool native = !strcmp(name, "cpu") || !strcmp(name, "memory") ||
                      !strcmp(name, "ephemeral-storage") || !strcmp(name, "pods");
        if (alloc == 0 || (!native && podreq == 0))
            continue;
        double f = (double)(sk_res_value(&node->requested, name) + podreq) / (double)alloc;
        if (f > 1)
            f = 1;
        fr[n++] = f;
        total += f;
    }
    double sd = 0;
    if (n == 2) {
        sd = fabs((fr[0] - fr[1]) / 2);
    } else if (n > 2) {
        double mean = total / (double)n, sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += (fr[i] - mean) * (fr[i] - mean);
        sd = sqrt(sum / (double)n);
    }
    *out = (int64_t)((1 - sd) * (double)SK_SCHED_MAX_NODE_SCORE);
    return SK_SCHED_SUCCESS;
}

const sk_sched_plugin_desc sk_plugin_balanced_allocation = {
    BUILTIN_DESC,
    .name = "NodeResourcesBalancedAllocation",
    .description = "prefers balanced resource use",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE | SK_SCHED_EV_POD_DELETE,
    .default_weight = 1,
    .create = create,
    .destroy = destroy,
    .pre_score = pre_score,
    .score = score,
};
