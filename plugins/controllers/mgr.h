/* controllers.so internals: the manager that owns the informers, one work
 * queue per controller, expectations, node health and leader election.
 * Everything runs on the plugin's loop thread. */
#ifndef SK_CTL_MGR_H
#define SK_CTL_MGR_H

#include "reconcile.h"
#include "skiff/leader.h"
#include "skiff/skiff.h"
#include "skiff/workqueue.h"

enum { I_PODS, I_RS, I_DEPLOY, I_SVC, I_EP, I_EPS, I_NS, I_NODES, I_LEASES, I_COUNT };
enum { C_RS, C_DEPLOY, C_EP, C_NS, C_GC, C_NODE, C_COUNT };

extern const char *const ctl_names[C_COUNT];

/* A small string map for the manager's own bookkeeping (values owned by
 * the caller, keys copied). */
typedef struct kv_ent {
    struct kv_ent *next;
    void *value;
    char key[];
} kv_ent;
typedef struct kvmap {
    kv_ent *b[1024];
    size_t len;
} kvmap;
void *kv_get(kvmap *m, const char *key);
int kv_put(kvmap *m, const char *key, void *value); /* 0 or -ENOMEM; replaces */
void *kv_del(kvmap *m, const char *key);
void kv_free(kvmap *m, void (*free_value)(void *));

typedef struct ctl_conf {
    bool enabled[C_COUNT];
    int64_t workers, grace_ms, toleration_s, burst, timeout_ms;
    int leader_elect;
    const char *service, *lease_ns, *lease_name;
    int64_t lease_ms, renew_ms, retry_ms;
} ctl_conf;

typedef struct ctl_mgr ctl_mgr;

typedef struct ctl_loop {
    ctl_mgr *m;
    int id;
    sk_workqueue *q;
    sk_metric *syncs, *errors;
} ctl_loop;

typedef struct ctl_evsrc {
    ctl_mgr *m;
    int idx;
} ctl_evsrc;

typedef struct ctl_expect {
    int64_t adds, dels;
    uint64_t at;
} ctl_expect;

typedef struct ctl_health {
    char renew[64]; /* the Lease's spec.renewTime last seen */
    char hb[64];    /* the Ready condition's lastHeartbeatTime last seen */
    uint64_t probe;
} ctl_health;

struct ctl_mgr {
    const sk_host *h;
    ctl_conf conf;
    sk_api_bus bus;
    sk_api_transport tr;
    sk_informer *inf[I_COUNT];
    ctl_evsrc src[I_COUNT];
    ctl_loop loops[C_COUNT];
    sk_leader *leader;
    bool leading, synced, running;
    kvmap expect, health;
    char identity[300];
    size_t batches; /* action batches in flight */
    struct batch *batch_list;
    struct one *one_list;
    /* The GC's owner lookups: the resourceVersion of the dependent being
     * judged, and whether a lookup could not decide. */
    uint64_t gc_dep_rv;
    char gc_dep_ns[256];
    bool gc_unsure;
    /* Owners to look up live because the cache could not tell, and owner
     * uids such a lookup found absent (uid -> monotonic ms). */
    struct {
        int idx;
        char ns[256], name[256], uid[128];
    } gc_verify[8];
    size_t ngc_verify;
    kvmap gc_absent;
};

uint64_t ctl_now_mono(const ctl_mgr *m);
int64_t ctl_now_wall(void);

/* informers.c */
int ctl_informers_start(ctl_mgr *m);
void ctl_informers_free(ctl_mgr *m);
void ctl_enqueue(ctl_mgr *m, int ctl, const char *key);
/* Every key of every enabled controller (after sync, on leadership). */
void ctl_resync_all(ctl_mgr *m);
/* The informer index of an ownerReference's kind, or -1. */
int ctl_kind_index(sk_mp_view ref);

/* expectations (exec.c) */
bool ctl_expect_satisfied(ctl_mgr *m, const char *rs_key);
void ctl_expect_set(ctl_mgr *m, const char *rs_key, int adds, int dels);
void ctl_expect_observed(ctl_mgr *m, const char *rs_key, bool add);

/* exec.c: sends a's actions (consumed); finishes key on q when all have
 * answered, re-adding it after a->requeue_ms if asked. */
void ctl_exec(ctl_loop *l, const char *key, ctl_actions *a);
/* An owner uid confirmed absent by a live read (the GC's lookups). */
void ctl_gc_confirm_absent(ctl_mgr *m, const char *uid);
/* stop(): cancels every request in flight and drops their batches. */
void ctl_exec_cancel_all(ctl_mgr *m);

/* loops.c / loops_gc.c: one reconcile of key into a. */
int ctl_run_rs(ctl_mgr *m, const char *key, ctl_actions *a);
int ctl_run_deploy(ctl_mgr *m, const char *key, ctl_actions *a);
int ctl_run_endpoints(ctl_mgr *m, const char *key, ctl_actions *a);
int ctl_run_ns(ctl_mgr *m, const char *key, ctl_actions *a);
int ctl_run_node(ctl_mgr *m, const char *key, ctl_actions *a);
int ctl_run_gc(ctl_mgr *m, const char *key, ctl_actions *a);

#endif
