/* Node lifecycle controller (k8s pkg/controller/nodelifecycle, with the
 * NoExecute taint manager): a node whose Lease stops being renewed gets
 * Ready=Unknown and the unreachable NoExecute taint; pods on it are
 * evicted once their toleration of that taint runs out. */
#include <stdio.h>
#include <string.h>

#include "reconcile.h"

static sk_mp_view node_cond(sk_mp_view node, const char *type)
{
    sk_mp_view conds = ctl_get(node, "status.conditions"), c;
    sk_mp_iter it;
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &c) == 1)
            if (ctl_eq(ctl_get(c, "type"), type))
                return c;
    return (sk_mp_view){NULL, 0};
}

static bool is_unreachable(sk_mp_view t)
{
    return ctl_eq(ctl_get(t, "key"), CTL_TAINT_UNREACHABLE) &&
           ctl_eq(ctl_get(t, "effect"), "NoExecute");
}

static sk_mp_view find_taint(sk_mp_view node)
{
    sk_mp_view taints = ctl_get(node, "spec.taints"), t;
    sk_mp_iter it;
    if (taints.p && sk_mp_iter_init(taints, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &t) == 1)
            if (is_unreachable(t))
                return t;
    return (sk_mp_view){NULL, 0};
}

static void put_unknown(sk_mp_buf *b, sk_mp_view c, const char *type, const char *ts)
{
    sk_mp_view hb = ctl_get(c, "lastHeartbeatTime");
    bool never = !c.p;
    sk_mp_put_map(b, hb.p ? 6 : 5);
    sk_mp_put_str(b, "type");
    sk_mp_put_str(b, type);
    sk_mp_put_str(b, "status");
    sk_mp_put_str(b, "Unknown");
    sk_mp_put_str(b, "reason");
    sk_mp_put_str(b, never ? "NodeStatusNeverUpdated" : "NodeStatusUnknown");
    sk_mp_put_str(b, "message");
    sk_mp_put_str(b, never ? "Kubelet never posted node status." : "Kubelet stopped posting node status.");
    sk_mp_put_str(b, "lastTransitionTime");
    sk_mp_put_str(b, ts);
    if (hb.p) {
        sk_mp_put_str(b, "lastHeartbeatTime");
        sk_mp_put_raw(b, hb);
    }
}

/* Every condition becomes Unknown (k8s tryUpdateNodeHealth). */
static void mark_unknown(const ctl_node_in *in, ctl_actions *out, const char *name)
{
    char ts[32];
    ctl_time_str(in->now_ms, ts);
    sk_mp_view conds = ctl_get(in->node, "status.conditions"), c;
    sk_mp_iter it;
    uint32_t n = 0;
    bool has_ready = node_cond(in->node, "Ready").p;
    if (conds.p)
        (void)sk_mp_iter_init(conds, &it, &n);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_nodes, NULL, name, "status");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "status");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "conditions");
    sk_mp_put_array(&b, n + (has_ready ? 0 : 1));
    if (!has_ready)
        put_unknown(&b, (sk_mp_view){NULL, 0}, "Ready", ts);
    if (conds.p && sk_mp_iter_init(conds, &it, NULL) == 0) {
        while (sk_mp_iter_next(&it, NULL, &c) == 1) {
            char type[64];
            ctl_str(c, "type", type, sizeof type);
            if (ctl_eq(ctl_get(c, "status"), "Unknown"))
                sk_mp_put_raw(&b, c);
            else
                put_unknown(&b, c, type, ts);
        }
    }
    ctl_actions_push(out, "patch", &b, "nodes/status", NULL, name);
}

/* spec.taints with the unreachable taint added (add) or removed. */
static void set_taint(const ctl_node_in *in, ctl_actions *out, const char *name, bool add)
{
    sk_mp_view taints = ctl_get(in->node, "spec.taints"), t;
    sk_mp_iter it;
    uint32_t keep = 0;
    if (taints.p && sk_mp_iter_init(taints, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &t) == 1)
            keep += !is_unreachable(t);
    char ts[32];
    ctl_time_str(in->now_ms, ts);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_nodes, NULL, name, NULL);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "spec");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "taints");
    sk_mp_put_array(&b, keep + (add ? 1 : 0));
    if (taints.p && sk_mp_iter_init(taints, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &t) == 1)
            if (!is_unreachable(t))
                sk_mp_put_raw(&b, t);
    if (add) {
        sk_mp_put_map(&b, 3);
        sk_mp_put_str(&b, "key");
        sk_mp_put_str(&b, CTL_TAINT_UNREACHABLE);
        sk_mp_put_str(&b, "effect");
        sk_mp_put_str(&b, "NoExecute");
        sk_mp_put_str(&b, "timeAdded");
        sk_mp_put_str(&b, ts);
    }
    ctl_actions_push(out, "patch", &b, "nodes", NULL, name);
}

/* Seconds the pod tolerates the taint: -1 forever, else the bound (the
 * cluster default when it has no matching toleration at all, as the
 * DefaultTolerationSeconds admission plugin would have given it). */
static int64_t tolerated_s(sk_mp_view pod, int64_t def)
{
    sk_mp_view tols = ctl_get(pod, "spec.tolerations"), t;
    sk_mp_iter it;
    if (tols.p && sk_mp_iter_init(tols, &it, NULL) == 0) {
        while (sk_mp_iter_next(&it, NULL, &t) == 1) {
            sk_mp_view key = ctl_get(t, "key"), eff = ctl_get(t, "effect");
            bool key_ok = ctl_eq(key, CTL_TAINT_UNREACHABLE) ||
                          ((!key.p || ctl_eq(key, "")) && ctl_eq(ctl_get(t, "operator"), "Exists"));
            bool eff_ok = !eff.p || ctl_eq(eff, "") || ctl_eq(eff, "NoExecute");
            if (key_ok && eff_ok)
                return ctl_has(t, "tolerationSeconds") ? ctl_int(t, "tolerationSeconds", 0) : -1;
        }
    }
    return def;
}

static void evict(const ctl_node_in *in, ctl_actions *out, int64_t tainted_at)
{
    for (size_t i = 0; i < in->npods; i++) {
        sk_mp_view pod = in->pods[i];
        if (ctl_deleting(pod))
            continue;
        int64_t s = tolerated_s(pod, in->default_toleration_s);
        if (s < 0)
            continue;
        int64_t due = tainted_at + (s > 0 ? s : 0) * 1000;
        if (in->now_ms >= due) {
            char ns[256], name[256], uid[128];
            ctl_delete(out, &ctl_k_pods, ctl_str(pod, "metadata.namespace", ns, sizeof ns),
                       ctl_str(pod, "metadata.name", name, sizeof name),
                       ctl_str(pod, "metadata.uid", uid, sizeof uid), NULL);
        } else {
            ctl_requeue(out, due - in->now_ms);
        }
    }
}

int ctl_node_sync(const ctl_node_in *in, ctl_actions *out)
{
    char name[256];
    if (!*ctl_str(in->node, "metadata.name", name, sizeof name))
        return 0;
    uint64_t age = in->now_mono > in->probe_mono ? in->now_mono - in->probe_mono : 0;
    bool healthy = (int64_t)age < in->grace_ms;
    sk_mp_view ready = node_cond(in->node, "Ready"), taint = find_taint(in->node);
    if (healthy) {
        ctl_requeue(out, in->grace_ms - (int64_t)age);
        if (taint.p && ctl_eq(ctl_get(ready, "status"), "True"))
            set_taint(in, out, name, false);
        else if (taint.p)
            evict(in, out, ctl_time(taint, "timeAdded", in->now_ms));
        return out->err;
    }
    if (!ctl_eq(ctl_get(ready, "status"), "Unknown"))
        mark_unknown(in, out, name);
    if (!taint.p)
        set_taint(in, out, name, true);
    evict(in, out, taint.p ? ctl_time(taint, "timeAdded", in->now_ms) : in->now_ms);
    return out->err;
}
