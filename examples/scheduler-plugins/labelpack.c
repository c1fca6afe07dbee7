/* LabelPack: a third-party scheduling plugin for skiff, built out of tree
 * against the installed SDK alone (sched.h; see Makefile).
 *
 * It packs pods onto a pool of nodes first: nodes carrying a label (for
 * example pool.example.com/pack, or lifecycle=reserved for prepaid
 * machines) score high, the fuller the better, so the pool fills up before
 * anything lands elsewhere; once the pool is full (Filter rejects it) pods
 * spill over to the other nodes. Useful to keep reserved capacity busy, or
 * to leave other nodes empty so an autoscaler can remove them.
 *
 * Args (pluginConfig of a profile):
 *   label:  node label key (required)
 *   value:  required label value (optional; any value when absent)
 *   fill:   true (default) ranks pool nodes by how full they would be
 *           (MostAllocated over cpu and memory), so pods pack onto the
 *           fullest pool node; false scores every pool node alike.
 *
 * Score only: 0 off the pool, 50..100 on it. PreScore skips Score when no
 * feasible node is in the pool, so the plugin costs nothing then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>
#include <skiff/sched.h>

#define LP_KEY "LabelPack/pool"

typedef struct labelpack {
    const sk_sched_api *api;
    char label[256];
    char value[256];
    bool has_value;
    bool fill;
} labelpack;

static int read_bool(const sk_sched_handle *h, const char *key, bool def, bool *out, char *err,
                     size_t errlen)
{
    const sk_cfg *n = h->args ? h->cfg->get(h->args, key) : NULL;
    int v = def;
    *out = def;
    if (!n)
        return 0;
    if (h->cfg->to_bool(n, &v) != 0) {
        snprintf(err, errlen, "%s: args.%s: expected true or false", h->cfg->where(n), key);
        return SK_ECONFIG;
    }
    *out = v != 0;
    return 0;
}

static int copy_arg(const sk_sched_handle *h, const char *key, char *dst, size_t size,
                    bool *present, char *err, size_t errlen)
{
    const sk_cfg *n = h->args ? h->cfg->get(h->args, key) : NULL;
    const char *s = n ? h->cfg->str(n) : NULL;
    *present = s != NULL;
    if (!s)
        return 0;
    if (strlen(s) >= size) {
        snprintf(err, errlen, "%s: args.%s: longer than %zu bytes", h->cfg->where(n), key, size - 1);
        return SK_ECONFIG;
    }
    snprintf(dst, size, "%s", s);
    return 0;
}

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    labelpack *p = calloc(1, sizeof(*p));
    if (!p)
        return SK_EINTERNAL;
    bool has_label = false;
    int rc = copy_arg(h, "label", p->label, sizeof(p->label), &has_label, err, errlen);
    if (!rc)
        rc = copy_arg(h, "value", p->value, sizeof(p->value), &p->has_value, err, errlen);
    if (!rc)
        rc = read_bool(h, "fill", true, &p->fill, err, errlen);
    if (!rc && (!has_label || !p->label[0])) {
        snprintf(err, errlen, "args.label: the node label of the pool is required");
        rc = SK_ECONFIG;
    }
    if (rc) {
        free(p);
        return rc;
    }
    p->api = h->api;
    *self = p;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

static bool in_pool(const labelpack *p, const sk_sched_node *node)
{
    const char *v = p->api->label_get(&node->labels, p->label);
    return v && (!p->has_value || strcmp(v, p->value) == 0);
}

/* Once per pod: is any feasible node in the pool? If not, every node
 * would score 0: skip Score altogether. */
static sk_sched_code pre_score(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const sk_sched_node *const *nodes, uint32_t n, sk_sched_status *st)
{
    (void)c, (void)pod, (void)st;
    const labelpack *p = self;
    for (uint32_t i = 0; i < n; i++)
        if (in_pool(p, nodes[i]))
            return SK_SCHED_SUCCESS;
    return SK_SCHED_SKIP;
}

/* Per mille of alloc that used + add would take (alloc 0: full). */
static int64_t permille(int64_t used, int64_t add, int64_t alloc)
{
    if (alloc <= 0)
        return 1000;
    int64_t u = used + add;
    if (u > alloc)
        u = alloc;
    return u < 0 ? 0 : u * 1000 / alloc;
}

static sk_sched_code score(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)c, (void)st;
    const labelpack *p = self;
    if (!in_pool(p, node)) {
        *out = SK_SCHED_MIN_NODE_SCORE;
        return SK_SCHED_SUCCESS;
    }
    if (!p->fill) {
        *out = SK_SCHED_MAX_NODE_SCORE;
        return SK_SCHED_SUCCESS;
    }
    /* 50 for being in the pool, up to 50 more for how full the node
     * would be with this pod: the fullest pool node wins. */
    int64_t cpu = permille(node->nonzero_milli_cpu, pod->nonzero_milli_cpu,
                           node->allocatable.milli_cpu);
    int64_t mem = permille(node->nonzero_memory, pod->nonzero_memory, node->allocatable.memory);
    *out = 50 + (cpu + mem) * 50 / 2000;
    return SK_SCHED_SUCCESS;
}

static const sk_sched_plugin_desc desc = {
    SK_SCHED_PLUGIN_DESC_INIT,
    .name = "LabelPack",
    .version = "0.1.0",
    .description = "packs pods onto the nodes carrying a given label first",
    .default_weight = 5,
    .create = create,
    .destroy = destroy,
    .pre_score = pre_score,
    .score = score,
};

SK_SCHED_PLUGIN_DEFINE(desc)
