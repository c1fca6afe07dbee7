/* The reconcile functions of each controller: pure functions from an input
 * (objects as msgpack views, the time) to actions (ctl.h). Each is
 * documented beside its input; none keeps state between calls — whatever a
 * controller must remember (expectations, node health) is passed in. */
#ifndef SK_CTL_RECONCILE_H
#define SK_CTL_RECONCILE_H

#include "ctl.h"

/* ---- ReplicaSet ---- */
typedef struct ctl_rs_in {
    sk_mp_view rs;
    const sk_mp_view *pods; /* every pod of the RS's namespace */
    size_t npods;
    /* False while creations/deletions this controller issued are still
     * unobserved: then no pods are created or deleted (only status). */
    bool expectations_satisfied;
    int64_t now_ms;  /* wall clock, for minReadySeconds */
    uint32_t burst;  /* most creations or deletions per sync; 0 -> 500 */
} ctl_rs_in;

typedef struct ctl_rs_out {
    int creates, deletes; /* expectations to record before sending */
    int replicas, ready, available; /* what the status says */
} ctl_rs_out;

/* Adopts matching orphans, releases owned pods that stopped matching,
 * creates or deletes pods toward spec.replicas, and patches status when it
 * changed. 0, or a build error (out->err). */
int ctl_rs_sync(const ctl_rs_in *in, ctl_actions *out, ctl_rs_out *res);

/* ---- Deployment ---- */
typedef struct ctl_deploy_in {
    sk_mp_view d;
    const sk_mp_view *rss; /* every ReplicaSet of the namespace */
    size_t nrss;
    int64_t now_ms;
} ctl_deploy_in;

typedef struct ctl_deploy_out {
    char new_rs[320];   /* name of the current ReplicaSet ("" when none yet) */
    char hash[16];      /* pod-template-hash of the template */
    int64_t new_replicas; /* spec.replicas the new RS will have */
    int64_t old_replicas; /* sum over old RSs after this step */
} ctl_deploy_out;

/* One step of a Deployment: adopt/release RSs, make sure the RS of the
 * current template exists (revision bookkeeping included), roll
 * (RollingUpdate or Recreate) or scale, clean up history, update status
 * and conditions. */
int ctl_deploy_sync(const ctl_deploy_in *in, ctl_actions *out, ctl_deploy_out *res);

/* Rolling-update math (k8s deployment/util), exposed for tests.
 * maxSurge rounds up, maxUnavailable rounds down; both 0 -> 1 unavailable. */
void ctl_deploy_resolve(sk_mp_view d, int64_t replicas, int64_t *surge, int64_t *unavail);
/* Value of an IntOrString ("25%" or 1) against total; round up or down. */
int64_t ctl_int_or_percent(sk_mp_view v, int64_t total, bool round_up, int64_t def);
/* Templates compare and hash without the pod-template-hash label and
 * without null values (k8s EqualIgnoreHash). */
bool ctl_template_equal(sk_mp_view a, sk_mp_view b);
void ctl_template_norm(sk_mp_buf *b, sk_mp_view tmpl);
/* The pod-template-hash of a template with collisionCount. */
void ctl_template_hash(sk_mp_view tmpl, int64_t collisions, char out[16]);

/* ---- Endpoints and EndpointSlices ---- */
typedef struct ctl_ep_in {
    sk_mp_view svc;        /* invalid (p NULL) when the Service is gone */
    const char *ns, *name; /* of the Service (needed when it is gone) */
    const sk_mp_view *pods; /* pods of the namespace */
    size_t npods;
    sk_mp_view endpoints;  /* current Endpoints, or invalid */
    sk_mp_view slice;      /* current EndpointSlice this controller manages, or invalid */
} ctl_ep_in;

int ctl_endpoints_sync(const ctl_ep_in *in, ctl_actions *out);
/* The name of the managed EndpointSlice of a Service. */
void ctl_slice_name(const char *svc, char *buf, size_t size);

/* ---- Namespace ---- */
typedef struct ctl_ns_item {
    const sk_api_kind *kind;
    sk_mp_view obj;
} ctl_ns_item;

typedef struct ctl_ns_in {
    sk_mp_view ns;
    const ctl_ns_item *items; /* every object known in the namespace */
    size_t nitems;
} ctl_ns_in;

/* For a namespace being deleted: delete what is in it; once nothing is
 * left, drop the "kubernetes" finalizer (which completes the deletion). */
int ctl_ns_sync(const ctl_ns_in *in, ctl_actions *out);

/* ---- Garbage collector ---- */
/* Looks an owner up by kind and uid: 1 found (*owner set), 0 absent,
 * -1 unknown (kind not watched or cache not synced: do nothing). */
typedef int (*ctl_owner_lookup)(void *arg, sk_mp_view ref, sk_mp_view *owner);
/* Lists the dependents of uid (any watched kind). */
typedef size_t (*ctl_dependents)(void *arg, const char *uid, ctl_ns_item *out, size_t max);

typedef struct ctl_gc_in {
    const sk_api_kind *kind; /* of obj */
    sk_mp_view obj;
    ctl_owner_lookup lookup;
    ctl_dependents dependents;
    void *arg;
} ctl_gc_in;

/* One object's part of garbage collection:
 *   - as a dependent: every owner gone -> delete it (Background); some gone
 *     -> drop the dangling references;
 *   - as an owner being deleted with the foregroundDeletion finalizer:
 *     delete its dependents, and drop the finalizer once none is left;
 *     with the orphan finalizer: remove its reference from each dependent,
 *     then drop the finalizer. */
int ctl_gc_sync(const ctl_gc_in *in, ctl_actions *out);

/* ---- Node lifecycle ---- */
typedef struct ctl_node_in {
    sk_mp_view node;
    const sk_mp_view *pods; /* pods bound to the node */
    size_t npods;
    /* Monotonic ms when the node's Lease (or Ready heartbeat) last changed
     * as observed by this controller; the node is healthy while
     * now_mono - probe_mono < grace_ms. */
    uint64_t probe_mono, now_mono;
    int64_t now_ms;           /* wall clock: taint timeAdded, tolerations */
    int64_t grace_ms;         /* 40 s */
    int64_t default_toleration_s; /* for pods without one: 300 */
} ctl_node_in;

#define CTL_TAINT_UNREACHABLE "node.kubernetes.io/unreachable"

/* Marks an unresponsive node Ready=Unknown with the unreachable NoExecute
 * taint, removes the taint once the node is Ready again, and evicts pods
 * whose toleration of the taint ran out. */
int ctl_node_sync(const ctl_node_in *in, ctl_actions *out);

#endif
