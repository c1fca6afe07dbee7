/* A third-party scheduling plugin built as its own .so against the public
 * header only: Score prefers nodes that carry the label named in its
 * args ("label: <key>"), so pods pack onto them first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "skiff/sched.h"

typedef struct labelpack {
    const sk_sched_api *api;
    char label[128];
} labelpack;

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    const char *label = h->args ? h->cfg->str(h->cfg->get(h->args, "label")) : NULL;
    if (!label || !label[0] || strlen(label) >= sizeof(((labelpack *)0)->label)) {
        snprintf(err, errlen, "args.label: the node label to pack on is required");
        return SK_ECONFIG;
    }
    labelpack *p = calloc(1, sizeof(*p));
    if (!p)
        return SK_EINTERNAL;
    p->api = h->api;
    snprintf(p->label, sizeof(p->label), "%s", label);
    *self = p;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

static sk_sched_code score(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *out, sk_sched_status *st)
{
    (void)c, (void)pod, (void)st;
    const labelpack *p = self;
    *out = p->api->label_get(&node->labels, p->label) ? SK_SCHED_MAX_NODE_SCORE : 0;
    return SK_SCHED_SUCCESS;
}

static const sk_sched_plugin_desc desc = {
    SK_SCHED_PLUGIN_DESC_INIT,
    .name = "LabelPack",
    .version = "0.1.0",
    .description = "prefers nodes carrying a given label",
    .default_weight = 1,
    .create = create,
    .destroy = destroy,
    .score = score,
};

SK_SCHED_PLUGIN_DEFINE(desc)
