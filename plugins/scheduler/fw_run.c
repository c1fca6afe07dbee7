/* Calling the plugins of one extension point in order, as kube-scheduler's
 * frameworkImpl does. */
#include <stdlib.h>
#include <string.h>

#include "cycle_state.h"
#include "framework.h"
#include "skiff/errors.h"

#define EACH(fw, pt, p)                                                        \
    for (uint32_t _i = 0, _n = (fw)->nlist[pt]; _i < _n; _i++)                 \
        for (sk_fw_plugin *p = &(fw)->plugins[(fw)->list[pt][_i]]; p; p = NULL)

static void attribute(sk_sched_status *st, const sk_fw_plugin *p, sk_sched_code code)
{
    st->code = code;
    st->plugin = p->d.name;
}

/* Codes a point may not return are the plugin's bug: an error, named. */
static sk_sched_code checked(sk_sched_code c, bool skip_ok, bool wait_ok)
{
    if (c == SK_SCHED_SKIP && !skip_ok)
        return SK_SCHED_ERROR;
    if (c == SK_SCHED_WAIT && !wait_ok)
        return SK_SCHED_ERROR;
    if ((unsigned)c > SK_SCHED_SKIP)
        return SK_SCHED_ERROR;
    return c;
}

sk_sched_code sk_fw_pre_enqueue(sk_sched_fw *fw, const sk_sched_pod *pod, sk_sched_status *st)
{
    EACH(fw, SK_PT_PRE_ENQUEUE, p) {
        sk_sched_code c = checked(p->d.pre_enqueue(p->self, pod, st), false, false);
        if (c != SK_SCHED_SUCCESS) {
            attribute(st, p, c);
            return c;
        }
    }
    return SK_SCHED_SUCCESS;
}

bool sk_fw_less(sk_sched_fw *fw, const sk_sched_queued_pod *a, const sk_sched_queued_pod *b)
{
    sk_fw_plugin *p = &fw->plugins[fw->list[SK_PT_QUEUE_SORT][0]];
    return p->d.queue_less(p->self, a, b);
}

sk_sched_code sk_fw_pre_filter(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                               sk_sched_status *st)
{
    EACH(fw, SK_PT_PRE_FILTER, p) {
        sk_sched_code code = checked(p->d.pre_filter(p->self, c, pod, c->snap, st), true, false);
        if (code == SK_SCHED_SKIP) {
            c->skip_filter |= 1ull << fw->list[SK_PT_PRE_FILTER][_i];
            continue;
        }
        if (code != SK_SCHED_SUCCESS) {
            attribute(st, p, code);
            return code;
        }
    }
    return SK_SCHED_SUCCESS;
}

sk_sched_code sk_fw_filter(sk_sched_fw *fw, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, sk_sched_status *st)
{
    EACH(fw, SK_PT_FILTER, p) {
        if (c->skip_filter & (1ull << fw->list[SK_PT_FILTER][_i]))
            continue;
        sk_sched_code code = checked(p->d.filter(p->self, c, pod, node, st), false, false);
        if (code != SK_SCHED_SUCCESS) {
            attribute(st, p, code);
            return code;
        }
    }
    return SK_SCHED_SUCCESS;
}

static sk_sched_code run_ext(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                             const sk_sched_pod *other, const sk_sched_node *node, bool add,
                             sk_sched_status *st)
{
    EACH(fw, SK_PT_PRE_FILTER, p) {
        if (c->skip_filter & (1ull << fw->list[SK_PT_PRE_FILTER][_i]))
            continue;
        sk_sched_code code = SK_SCHED_SUCCESS;
        if (add && p->d.pre_filter_add_pod)
            code = p->d.pre_filter_add_pod(p->self, c, pod, other, node, st);
        else if (!add && p->d.pre_filter_remove_pod)
            code = p->d.pre_filter_remove_pod(p->self, c, pod, other, node, st);
        if (checked(code, false, false) != SK_SCHED_SUCCESS) {
            attribute(st, p, SK_SCHED_ERROR);
            return SK_SCHED_ERROR;
        }
    }
    return SK_SCHED_SUCCESS;
}

sk_sched_code sk_fw_add_pod(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_pod *other, const sk_sched_node *node, sk_sched_status *st)
{
    return run_ext(fw, c, pod, other, node, true, st);
}

sk_sched_code sk_fw_remove_pod(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const sk_sched_pod *other, const sk_sched_node *node,
                               sk_sched_status *st)
{
    return run_ext(fw, c, pod, other, node, false, st);
}

sk_sched_code sk_fw_post_filter(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                                sk_sched_postfilter_result *res, sk_sched_status *st)
{
    sk_sched_code last = SK_SCHED_UNSCHEDULABLE;
    EACH(fw, SK_PT_POST_FILTER, p) {
        sk_status_init(st, fw->intern);
        sk_sched_code code = checked(p->d.post_filter(p->self, c, pod, c->snap, res, st), false, false);
        attribute(st, p, code);
        /* The first plugin that makes the pod schedulable (or fails)
         * ends the point; a rejection lets the next one try. */
        if (!sk_code_rejects(code))
            return code;
        last = code;
    }
    return last;
}

sk_sched_code sk_fw_pre_score(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                              const sk_sched_node *const *nodes, uint32_t n, sk_sched_status *st)
{
    EACH(fw, SK_PT_PRE_SCORE, p) {
        sk_sched_code code = checked(p->d.pre_score(p->self, c, pod, nodes, n, st), true, false);
        if (code == SK_SCHED_SKIP) {
            c->skip_score |= 1ull << fw->list[SK_PT_PRE_SCORE][_i];
            continue;
        }
        if (code != SK_SCHED_SUCCESS) {
            attribute(st, p, code);
            return code;
        }
    }
    return SK_SCHED_SUCCESS;
}

static sk_sched_code score_one_plugin(sk_fw_plugin *p, sk_sched_cycle *c, const sk_sched_pod *pod,
                                      const sk_sched_node *const *nodes, uint32_t n,
                                      sk_sched_node_score *scores, sk_sched_status *st)
{
    for (uint32_t i = 0; i < n; i++) {
        scores[i].node = nodes[i];
        scores[i].score = 0;
        sk_sched_code code = checked(p->d.score(p->self, c, pod, nodes[i], &scores[i].score, st),
                                     false, false);
        if (code != SK_SCHED_SUCCESS)
            return code;
    }
    if (p->d.normalize_score) {
        sk_sched_code code = checked(p->d.normalize_score(p->self, c, pod, scores, n, st), false, false);
        if (code != SK_SCHED_SUCCESS)
            return code;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (scores[i].score < SK_SCHED_MIN_NODE_SCORE || scores[i].score > SK_SCHED_MAX_NODE_SCORE) {
            sk_status_reason(st, "plugin returned a score out of [0, 100] after normalizing");
            return SK_SCHED_ERROR;
        }
    }
    return SK_SCHED_SUCCESS;
}

sk_sched_code sk_fw_score(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                          const sk_sched_node *const *nodes, uint32_t n, int64_t *totals,
                          sk_sched_status *st)
{
    memset(totals, 0, n * sizeof(*totals));
    sk_sched_node_score *scores = calloc(n ? n : 1, sizeof(*scores));
    if (!scores)
        return SK_SCHED_ERROR;
    sk_sched_code rc = SK_SCHED_SUCCESS;
    EACH(fw, SK_PT_SCORE, p) {
        if (c->skip_score & (1ull << fw->list[SK_PT_SCORE][_i]))
            continue;
        rc = score_one_plugin(p, c, pod, nodes, n, scores, st);
        if (rc != SK_SCHED_SUCCESS) {
            attribute(st, p, SK_SCHED_ERROR);
            rc = SK_SCHED_ERROR;
            goto out; /* EACH is two loops: break would not leave it */
        }
        for (uint32_t i = 0; i < n; i++)
            totals[i] += scores[i].score * p->weight;
    }
out:
    free(scores);
    return rc;
}

void sk_fw_unreserve(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node)
{
    for (uint32_t i = fw->nlist[SK_PT_RESERVE]; i-- > 0;) {
        sk_fw_plugin *p = &fw->plugins[fw->list[SK_PT_RESERVE][i]];
        if (p->d.unreserve)
            p->d.unreserve(p->self, c, pod, node);
    }
}

sk_sched_code sk_fw_reserve(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                            const char *node, sk_sched_status *st)
{
    EACH(fw, SK_PT_RESERVE, p) {
        if (!p->d.reserve)
            continue;
        sk_sched_code code = checked(p->d.reserve(p->self, c, pod, node, st), false, false);
        if (code != SK_SCHED_SUCCESS) {
            attribute(st, p, code);
            return code;
        }
    }
    return SK_SCHED_SUCCESS;
}

sk_sched_code sk_fw_permit(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                           const char *node, uint64_t *waiting, int64_t *deadlines,
                           sk_sched_status *st)
{
    *waiting = 0;
    EACH(fw, SK_PT_PERMIT, p) {
        int64_t timeout = 0;
        uint32_t idx = fw->list[SK_PT_PERMIT][_i];
        sk_sched_code code = checked(p->d.permit(p->self, c, pod, node, &timeout, st), false, true);
        if (code == SK_SCHED_WAIT) {
            if (timeout < 0)
                timeout = 0;
            *waiting |= 1ull << idx;
            deadlines[idx] = timeout > SK_PERMIT_MAX_WAIT_MS ? SK_PERMIT_MAX_WAIT_MS : timeout;
            continue;
        }
        if (code != SK_SCHED_SUCCESS) {
            attribute(st, p, code);
            return code;
        }
    }
    return *waiting ? SK_SCHED_WAIT : SK_SCHED_SUCCESS;
}

sk_sched_code sk_fw_pre_bind(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                             const char *node, sk_sched_status *st)
{
    EACH(fw, SK_PT_PRE_BIND, p) {
        sk_sched_code code = checked(p->d.pre_bind(p->self, c, pod, node, st), false, false);
        if (code != SK_SCHED_SUCCESS) {
            attribute(st, p, code);
            return code;
        }
    }
    return SK_SCHED_SUCCESS;
}

sk_sched_code sk_fw_bind(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                         const char *node, sk_sched_status *st)
{
    EACH(fw, SK_PT_BIND, p) {
        sk_sched_code code = checked(p->d.bind(p->self, c, pod, node, st), true, false);
        if (code == SK_SCHED_SKIP)
            continue;
        if (code != SK_SCHED_SUCCESS)
            attribute(st, p, code);
        return code;
    }
    sk_status_reason(st, "no Bind plugin bound the pod");
    st->code = SK_SCHED_ERROR;
    return SK_SCHED_ERROR;
}

void sk_fw_post_bind(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node)
{
    EACH(fw, SK_PT_POST_BIND, p)
        p->d.post_bind(p->self, c, pod, node);
}
