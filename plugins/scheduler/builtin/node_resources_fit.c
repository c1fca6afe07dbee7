/* NodeResourcesFit: Filter checks the pod's requests against what the
 * node has left (pods, cpu, memory, ephemeral-storage, extended
 * resources); Score is LeastAllocated (default) or MostAllocated over the
 * configured resources, as kube-scheduler computes them. */
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "resource_spec.h"

typedef struct fit {
    bool most; /* MostAllocated */
    sk_res_spec res;
} fit;

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    fit *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    sk_res_spec_default(&f->res);
    if (h->args && h->cfg) {
        const char *type = h->cfg->str(h->cfg->get(h->args, "scoringStrategy.type"));
        if (type && strcmp(type, "MostAllocated") == 0) {
            f->most = true;
        } else if (type && strcmp(type, "LeastAllocated") != 0) {
            snprintf(err, errlen, "scoringStrategy.type %s: want LeastAllocated or MostAllocated", type);
            free(f);
            return SK_ECONFIG;
        }
        int rc = sk_res_spec_read(h->cfg, h->cfg->get(h->args, "scoringStrategy.resources"), &f->res,
                                  err, errlen);
        if (rc) {
            free(f);
            return rc;
        }
    }
    *self = f;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

static bool short_of(int64_t want, int64_t alloc, int64_t used)
{
    return want > 0 && want > alloc - used;
}

static sk_sched_code filter(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st)
{
    (void)self, (void)c;
    const sk_sched_resources *req = &pod->requests, *al = &node->allocatable, *used = &node->requested;
    bool bad = false;
    if ((int64_t)node->npods + 1 > al->pods) {
        sk_status_reason(st, "Too many pods");
        bad = true;
    }
    if (short_of(req->milli_cpu, al->milli_cpu, used->milli_cpu) && (bad = true))
        sk_status_reason(st, "Insufficient cpu");
    if (short_of(req->memory, al->memory, used->memory) && (bad = true))
        sk_status_reason(st, "Insufficient memory");
    if (short_of(req->ephemeral_storage, al->ephemeral_storage, used->ephemeral_storage) && (bad = true))
        sk_status_reason(st, "Insufficient ephemeral-storage");
    for (uint32_t i = 0; i < req->nscalars; i++) {
        const char *name = req->scalars[i].name;
        if (!short_of(req->scalars[i].value, sk_res_value(al, name), sk_res_value(used, name)))
            continue;
        char msg[300];
        snprintf(msg, sizeof(msg), "Insufficient %s", name);
        sk_status_reason(st, msg);
        bad = true;
    }
    return bad ? SK_SCHED_UNSCHEDULABLE : SK_SCHED_SUCCESS;
}

/* What scoring counts as requested on node with pod added: cpu and memory
 * with the non-zero defaults, as kube-scheduler's resourceAllocationScorer
 * does when useRequested is false. */
static void alloc_and_req(const sk_sched_pod *pod, const sk_sched_node *node, const char *name,
                          int64_t *alloc, int64_t *req)
{
    *alloc = sk_res_value(&node->allocatable, name);
    if (strcmp(name, "cpu") == 0) {
        *req = node->nonzero_milli_cpu + pod->nonzero_milli_cpu;
    } else if (strcmp(name, "memory") == 0) {
        *req = node->nonzero_memory + pod->nonzero_memory;
    } else {
        int64_t podreq = sk_res_value(&pod->requests, name);
        bool native = strcmp(name, "ephemeral-storage") == 0 || strcmp(name, "pods") == 0;
        if (!native && podreq == 0) {
            *alloc = *req = 0; /* extended resources the pod does not use do not count */
            return;
        }
        *req = sk_res_value(&node->requested, name) + podreq;
    }
}

static sk_sched_code score(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)c, (void)st;
    const fit *f = self;
    int64_t sum = 0, wsum = 0;
    for (size_t i = 0; i < f->res.n; i++) {
        int64_t alloc, req, s;
        alloc_and_req(pod, node, f->res.r[i].name, &alloc, &req);
        if (alloc == 0)
            continue;
        if (f->most)
            s = (req > alloc ? alloc : req) * SK_SCHED_MAX_NODE_SCORE / alloc;
        else
            s = req > alloc ? 0 : (alloc - req) * SK_SCHED_MAX_NODE_SCORE / alloc;
        sum += s * f->res.r[i].weight;
        wsum += f->res.r[i].weight;
    }
    *out = wsum ? sum / wsum : 0;
    return SK_SCHED_SUCCESS;
}

const sk_sched_plugin_desc sk_plugin_node_resources_fit = {
    BUILTIN_DESC,
    .name = "NodeResourcesFit",
    .description = "resource requests against node allocatable; Least/MostAllocated scoring",
    .requeue_events = SK_SCHED_EV_NODE_ADD | SK_SCHED_EV_NODE_UPDATE | SK_SCHED_EV_POD_DELETE,
    .default_weight = 1,
    .create = create,
    .destroy = destroy,
    .filter = filter,
    .score = score,
};
