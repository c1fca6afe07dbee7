/* skiff SDK — the scheduling framework, for scheduling plugins.
 *
 * Mirrors the Kubernetes scheduling framework: a plugin implements some of
 * the extension points below, the scheduler calls them for each pod in the
 * same order and with the same meaning as kube-scheduler does, and combines
 * the answers. Built-in plugins (NodeResourcesFit, TaintToleration, ...) use
 * exactly this interface; docs/SCHEDULER.md walks through writing one.
 *
 * A third-party plugin is a shared object exporting exactly one symbol,
 *     const sk_sched_plugin_desc *sk_sched_plugin_entry_v1(void);
 * (use SK_SCHED_PLUGIN_DEFINE). The scheduler checks the descriptor's size,
 * ABI major (must equal), minor (must not be newer than its own) and build
 * signature before calling anything, and reads only the fields within the
 * size the plugin declared, so a plugin built against an older minor keeps
 * loading. Tables and structs only ever grow at their end.
 *
 * One scheduling attempt of one pod:
 *   scheduling cycle (the scheduling thread, one pod at a time):
 *     PreFilter -> Filter (per node) -> [PostFilter when no node fits]
 *     -> PreScore -> Score (per node) -> NormalizeScore -> weighted sum
 *     -> select host -> Reserve -> Permit
 *   binding cycle (a binding thread, several pods concurrently):
 *     [wait for Permit] -> PreBind -> Bind -> PostBind
 *   Unreserve runs, in reverse order, whenever a Reserve succeeded and a
 *   later step fails.
 *   Queueing (the scheduling thread): PreEnqueue gates a pod before it
 *   enters the active queue; QueueSort orders that queue.
 *
 * Threading:
 *   - create/destroy: the scheduler's loop thread, never concurrently with
 *     any other call into the same instance.
 *   - PreEnqueue, QueueSort, PreFilter, PostFilter, PreScore, NormalizeScore,
 *     Reserve, Unreserve, Permit: the scheduling thread, one at a time.
 *   - Filter, Score and the PreFilter add/remove-pod extensions: the
 *     scheduling thread, but the scheduler may run them for different nodes
 *     of one cycle in parallel on worker threads. They must treat the cycle
 *     state and the instance as read-only (or lock what they change).
 *   - PreBind, Bind, PostBind: a binding thread; several pods may be in
 *     their binding cycles at once. They may block (e.g. a bus call()) but
 *     should bound the wait. Unreserve after a failed binding runs on the
 *     scheduling thread.
 *   - Filter and Score must not block: they run up to nodes x pods times.
 *
 * Ownership:
 *   - Every sk_sched_pod, sk_sched_node and sk_sched_snapshot a plugin is
 *     handed is owned by the scheduler and borrowed for the duration of the
 *     call. Within one scheduling cycle, the pod being scheduled and the
 *     snapshot stay valid and unchanged from PreFilter to Permit; a plugin
 *     may keep pointers into them in its cycle state, never beyond it. To
 *     keep something longer (e.g. a name), copy it.
 *   - The pod handed to the binding cycle stays valid until PostBind (or
 *     Unreserve) returns.
 *   - Values written to the cycle state belong to the cycle once written:
 *     the scheduler calls their free function when the cycle (scheduling
 *     and binding) ends or the key is overwritten.
 *   - Reason strings added to a status are copied.
 *   - Plugin state lives in the instance created by create(); no globals,
 *     so two generations of a plugin (hot swap) and several profiles can
 *     coexist in one process. */
#ifndef SKIFF_SCHED_H
#define SKIFF_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff/config.h"
#include "skiff/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SK_SCHED_ABI_MAJOR 1
#define SK_SCHED_ABI_MINOR 0
#define SK_SCHED_ENTRY_SYMBOL "sk_sched_plugin_entry_v1"

/* Scores a Score plugin returns after NormalizeScore are within [0, 100]. */
#define SK_SCHED_MAX_NODE_SCORE 100
#define SK_SCHED_MIN_NODE_SCORE 0

/* The codes of kube-scheduler's framework.Status. */
typedef enum sk_sched_code {
    SK_SCHED_SUCCESS = 0,
    SK_SCHED_ERROR = 1,         /* internal failure: the pod is retried with backoff */
    SK_SCHED_UNSCHEDULABLE = 2, /* does not fit now; preemption may help */
    SK_SCHED_UNRESOLVABLE = 3,  /* UnschedulableAndUnresolvable: preemption cannot help */
    SK_SCHED_WAIT = 4,          /* Permit only: hold the pod until allowed or timed out */
    SK_SCHED_SKIP = 5           /* PreFilter/PreScore: skip this plugin's Filter/Score;
                                   Bind: let the next Bind plugin bind */
} sk_sched_code;

/* ---------------------------------------------------------------------
 * Read-only snapshot types.
 *
 * Structs marked FROZEN never change in ABI major 1 (the scheduler hands
 * arrays of them). The others may grow at their end and are always reached
 * through pointers. Strings are NUL-terminated UTF-8; counts are exact;
 * a pointer with a count of 0 may be NULL.
 * --------------------------------------------------------------------- */

/* FROZEN. A label, node selector entry or annotation. */
typedef struct sk_sched_kv {
    const char *key;
    const char *value;
} sk_sched_kv;

/* FROZEN. Sorted by key (bytewise), keys unique: use api->label_get. */
typedef struct sk_sched_labels {
    const sk_sched_kv *items;
    uint32_t n;
} sk_sched_labels;

/* FROZEN. One extended or hugepages resource ("nvidia.com/gpu"). */
typedef struct sk_sched_scalar {
    const char *name;
    int64_t value; /* Quantity.Value(): rounded up to an integer */
} sk_sched_scalar;

/* FROZEN. Resource amounts as kube-scheduler's framework.Resource. */
typedef struct sk_sched_resources {
    int64_t milli_cpu;         /* Quantity.MilliValue() of "cpu" */
    int64_t memory;            /* bytes */
    int64_t ephemeral_storage; /* bytes */
    int64_t pods;              /* allocatable: max pods; requested: pod count */
    const sk_sched_scalar *scalars; /* sorted by name */
    uint32_t nscalars;
} sk_sched_resources;

typedef enum sk_sched_op {
    SK_SCHED_OP_IN = 0,
    SK_SCHED_OP_NOT_IN = 1,
    SK_SCHED_OP_EXISTS = 2,
    SK_SCHED_OP_DOES_NOT_EXIST = 3,
    SK_SCHED_OP_GT = 4, /* node selectors only: integer comparison */
    SK_SCHED_OP_LT = 5
} sk_sched_op;

/* FROZEN. A label selector requirement or node selector requirement. */
typedef struct sk_sched_requirement {
    const char *key;
    sk_sched_op op;
    const char *const *values;
    uint32_t nvalues;
} sk_sched_requirement;

/* FROZEN. metav1.LabelSelector. A nil selector (present == false) matches
 * nothing; an empty one matches everything. */
typedef struct sk_sched_label_selector {
    bool present;
    sk_sched_labels match_labels;
    const sk_sched_requirement *exprs;
    uint32_t nexprs;
} sk_sched_label_selector;

/* FROZEN. A NodeSelectorTerm: expressions over labels and fields (the only
 * field is metadata.name), all ANDed. An empty term matches nothing. */
typedef struct sk_sched_node_term {
    const sk_sched_requirement *exprs;
    uint32_t nexprs;
    const sk_sched_requirement *fields;
    uint32_t nfields;
} sk_sched_node_term;

/* FROZEN. */
typedef struct sk_sched_pref_node_term {
    int32_t weight; /* 1..100 */
    sk_sched_node_term term;
} sk_sched_pref_node_term;

/* FROZEN. A PodAffinityTerm. Namespaces: when nnamespaces == 0 and
 * ns_selector is absent, the pod's own namespace (already filled in by the
 * scheduler, so nnamespaces >= 1 then). */
typedef struct sk_sched_pod_term {
    sk_sched_label_selector selector;
    const char *const *namespaces;
    uint32_t nnamespaces;
    sk_sched_label_selector ns_selector; /* over namespace labels */
    const char *topology_key;
} sk_sched_pod_term;

/* FROZEN. */
typedef struct sk_sched_weighted_pod_term {
    int32_t weight; /* 1..100 */
    sk_sched_pod_term term;
} sk_sched_weighted_pod_term;

typedef enum sk_sched_effect {
    SK_SCHED_EFFECT_ALL = 0, /* a toleration with no effect: any effect */
    SK_SCHED_EFFECT_NO_SCHEDULE = 1,
    SK_SCHED_EFFECT_PREFER_NO_SCHEDULE = 2,
    SK_SCHED_EFFECT_NO_EXECUTE = 3
} sk_sched_effect;

/* FROZEN. */
typedef struct sk_sched_taint {
    const char *key;
    const char *value; /* "" when absent */
    sk_sched_effect effect;
} sk_sched_taint;

/* FROZEN. An empty key with exists == true tolerates every taint. */
typedef struct sk_sched_toleration {
    const char *key;   /* "" when absent */
    bool exists;       /* operator Exists (else Equal) */
    const char *value; /* "" when absent */
    sk_sched_effect effect;
} sk_sched_toleration;

/* FROZEN. A topologySpreadConstraint; matchLabelKeys are already merged
 * into selector (as "key In (the pod's value)"). */
typedef struct sk_sched_spread {
    int32_t max_skew;
    const char *topology_key;
    bool do_not_schedule; /* whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway) */
    sk_sched_label_selector selector;
    int32_t min_domains;      /* 1 when unset */
    bool honor_node_affinity; /* nodeAffinityPolicy: Honor (the default) */
    bool honor_node_taints;   /* nodeTaintsPolicy: Honor (default Ignore) */
} sk_sched_spread;

/* A pod as the scheduler sees it. Grows at its end. */
typedef struct sk_sched_pod {
    const char *name;
    const char *ns; /* metadata.namespace */
    const char *uid;
    sk_sched_labels labels;
    int32_t priority;
    bool preempt_never;       /* preemptionPolicy: Never */
    bool terminating;         /* metadata.deletionTimestamp is set */
    const char *node_name;    /* "" when unassigned */
    const char *scheduler_name;
    const char *nominated_node_name; /* status.nominatedNodeName, "" when none */
    int64_t creation_ms;      /* metadata.creationTimestamp, Unix ms (0: unknown) */
    int64_t start_ms;         /* status.startTime, Unix ms (0: unknown) */

    /* Effective requests as kube-scheduler computes them: the sum of the
     * containers', the max with each init container (sidecars counted),
     * plus overhead. pods is always 1. */
    sk_sched_resources requests;
    /* Requests where every container missing a cpu / memory request counts
     * 100m / 200Mi: what the scoring plugins use. */
    int64_t nonzero_milli_cpu;
    int64_t nonzero_memory;

    sk_sched_labels node_selector;
    const sk_sched_node_term *required_node_terms; /* ORed */
    uint32_t nrequired_node_terms;
    bool has_required_node_affinity; /* required present (possibly 0 terms) */
    const sk_sched_pref_node_term *preferred_node_terms;
    uint32_t npreferred_node_terms;

    const sk_sched_pod_term *affinity_required;
    uint32_t naffinity_required;
    const sk_sched_weighted_pod_term *affinity_preferred;
    uint32_t naffinity_preferred;
    const sk_sched_pod_term *anti_affinity_required;
    uint32_t nanti_affinity_required;
    const sk_sched_weighted_pod_term *anti_affinity_preferred;
    uint32_t nanti_affinity_preferred;

    const sk_sched_toleration *tolerations;
    uint32_t ntolerations;
    const sk_sched_spread *spread;
    uint32_t nspread;
    const char *const *scheduling_gates;
    uint32_t nscheduling_gates;
} sk_sched_pod;

/* A node with what the scheduler has placed on it. Grows at its end. */
typedef struct sk_sched_node {
    const char *name;
    sk_sched_labels labels;
    const sk_sched_taint *taints;
    uint32_t ntaints;
    bool unschedulable; /* spec.unschedulable */
    sk_sched_resources allocatable;
    /* Sum of the requests of the pods on the node, including pods assumed
     * by this scheduler but not yet bound. requested.pods == npods. */
    sk_sched_resources requested;
    int64_t nonzero_milli_cpu; /* sum of the pods' nonzero_* */
    int64_t nonzero_memory;
    const sk_sched_pod *const *pods;
    uint32_t npods;
    /* How many of pods have any pod (anti-)affinity: lets InterPodAffinity
     * skip nodes that cannot matter. */
    uint32_t npods_with_affinity;
    uint32_t npods_with_required_anti_affinity;
} sk_sched_node;

/* FROZEN. Namespace labels, for namespaceSelector in pod affinity terms. */
typedef struct sk_sched_namespace {
    const char *name;
    sk_sched_labels labels;
} sk_sched_namespace;

/* Every node known to the scheduler, in the order the scheduler walks them
 * (zones interleaved, as kube-scheduler's node tree). Grows at its end. */
typedef struct sk_sched_snapshot {
    const sk_sched_node *const *nodes;
    uint32_t nnodes;
    const sk_sched_namespace *namespaces; /* sorted by name */
    uint32_t nnamespaces;
} sk_sched_snapshot;

/* A pod in the scheduling queue, for QueueSort. */
typedef struct sk_sched_queued_pod {
    const sk_sched_pod *pod;
    int64_t timestamp_ms;       /* when it was (re-)added to the queue */
    int64_t initial_attempt_ms; /* first time it was popped; 0 before */
    uint32_t attempts;
} sk_sched_queued_pod;

/* FROZEN. One node's score, for NormalizeScore. */
typedef struct sk_sched_node_score {
    const sk_sched_node *node;
    int64_t score;
} sk_sched_node_score;

/* What PostFilter may report. */
typedef struct sk_sched_postfilter_result {
    /* When nominate is set, the pod's status.nominatedNodeName becomes
     * nominated_node ("" clears it); otherwise it is left as it is. */
    bool nominate;
    char nominated_node[256];
} sk_sched_postfilter_result;

/* Opaque handles owned by the scheduler. */
typedef struct sk_sched_cycle sk_sched_cycle;   /* per-attempt state */
typedef struct sk_sched_status sk_sched_status; /* reasons of one answer */
typedef struct sk_sched_fw sk_sched_fw;         /* one profile's framework */

/* Cluster events, for requeueing: a pod a plugin rejected goes back to the
 * active queue only on an event that plugin declared. */
enum {
    SK_SCHED_EV_NODE_ADD = 1u << 0,
    SK_SCHED_EV_NODE_UPDATE = 1u << 1,
    SK_SCHED_EV_NODE_DELETE = 1u << 2,
    SK_SCHED_EV_POD_ADD = 1u << 3,    /* a pod was assigned to a node */
    SK_SCHED_EV_POD_UPDATE = 1u << 4, /* an assigned pod changed */
    SK_SCHED_EV_POD_DELETE = 1u << 5, /* an assigned pod went away */
    SK_SCHED_EV_NAMESPACE = 1u << 6,
    SK_SCHED_EV_ALL = 0xffffffffu
};

/* ---------------------------------------------------------------------
 * Services the scheduler offers plugins. Any thread, unless noted.
 * --------------------------------------------------------------------- */
typedef struct sk_sched_api {
    uint32_t size;

    /* Cycle state: a key -> value store for one scheduling attempt.
     * write() takes value (free_fn(value) runs when the cycle ends or the
     * key is overwritten; may be NULL). clone_fn makes an independent copy
     * for preemption's what-if runs; NULL means the value is never changed
     * after PreFilter/PreScore and may be shared. Keys are copied; use your
     * plugin's name as a prefix. write: scheduling thread only. */
    int (*cycle_write)(sk_sched_cycle *c, const char *key, void *value,
                       void *(*clone_fn)(const void *value), void (*free_fn)(void *value));
    void *(*cycle_read)(const sk_sched_cycle *c, const char *key);
    /* The snapshot of the cycle (valid until the cycle's scheduling part ends). */
    const sk_sched_snapshot *(*cycle_snapshot)(const sk_sched_cycle *c);

    /* Adds a reason to a status (copied; at most 8 per status). Reasons
     * are what FailedScheduling counts per node, so keep them short and
     * free of node names: "Insufficient cpu". */
    void (*status_reason)(sk_sched_status *st, const char *reason);

    /* Label helpers. */
    const char *(*label_get)(const sk_sched_labels *l, const char *key);
    bool (*selector_matches)(const sk_sched_label_selector *s, const sk_sched_labels *l);
    /* nodeSelector and required node affinity of pod, against node. */
    bool (*node_affinity_matches)(const sk_sched_pod *pod, const sk_sched_node *node);
    bool (*node_term_matches)(const sk_sched_node_term *t, const sk_sched_node *node);
    bool (*tolerates)(const sk_sched_toleration *tol, uint32_t ntol, const sk_sched_taint *taint);
    /* A pod affinity term against a candidate pod (namespaces + selector). */
    bool (*pod_term_matches)(const sk_sched_pod_term *t, const sk_sched_pod *candidate,
                             const sk_sched_snapshot *snap);
    /* Node by name in a snapshot, or NULL. Linear: not for Filter/Score. */
    const sk_sched_node *(*node_get)(const sk_sched_snapshot *s, const char *name);
    /* Status code the Filter phase gave node in this cycle (PostFilter). */
    sk_sched_code (*node_filter_code)(const sk_sched_cycle *c, const sk_sched_node *node);

    /* Permit: resolve a pod waiting on this plugin (by uid). Scheduling
     * thread only (e.g. from another pod's Permit). SK_ENOTFOUND if not
     * waiting. */
    int (*permit_allow)(sk_sched_fw *fw, const char *pod_uid, const char *plugin);
    int (*permit_reject)(sk_sched_fw *fw, const char *pod_uid, const char *plugin,
                         const char *reason);

    /* Preemption: ask the scheduler's owner to delete victim so preemptor
     * can take its place on node. Scheduling thread. */
    int (*evict)(sk_sched_fw *fw, const sk_sched_pod *victim, const sk_sched_pod *preemptor,
                 const char *node);
    /* Preemption's what-if: the Filter verdict of the profile's Filter
     * plugins for pod on node with the pods in removed taken away (the
     * PreFilter remove-pod extensions see each removal on a private copy
     * of the cycle state; c is left unchanged). Scheduling thread. */
    sk_sched_code (*filter_without)(sk_sched_fw *fw, const sk_sched_cycle *c,
                                    const sk_sched_pod *pod, const sk_sched_node *node,
                                    const sk_sched_pod *const *removed, uint32_t nremoved,
                                    sk_sched_status *st);

    /* The scheduler's clock, in ms (tests inject their own). */
    int64_t (*now_ms)(sk_sched_fw *fw);
} sk_sched_api;

/* What create() receives. Valid from create() until destroy() returns:
 * keep the pointer (PreEnqueue and QueueSort get no other way to the api). */
typedef struct sk_sched_handle {
    uint32_t size;
    const sk_sched_api *api;
    sk_sched_fw *fw;
    const char *profile;    /* the profile's schedulerName */
    const sk_cfg_api *cfg;  /* read args with it */
    const sk_cfg *args;     /* pluginConfig args of this plugin; NULL when none */
    const sk_host *host;    /* log, bus, metrics; NULL in unit tests */
} sk_sched_handle;

/* ---------------------------------------------------------------------
 * The descriptor. NULL function pointers mean "not implemented here".
 * Every function gets the instance pointer create() made.
 * --------------------------------------------------------------------- */
typedef struct sk_sched_plugin_desc {
    uint32_t size; /* sizeof(sk_sched_plugin_desc) as the plugin built it */
    uint16_t abi_major, abi_minor;
    uint32_t build_sig; /* SK_BUILD_SIG */
    const char *name;   /* as used in profiles, e.g. "NodeResourcesFit" */
    const char *version;
    const char *description;
    /* Events after which pods this plugin rejected may fit (SK_SCHED_EV_*);
     * 0 means every event. */
    uint32_t requeue_events;
    /* Default Score weight when a profile enables the plugin without one. */
    int32_t default_weight;

    /* Validate args, allocate. 0 or a negative code; *err (may be NULL)
     * gets a message for the config error. */
    int (*create)(const sk_sched_handle *h, void **self, char *err, size_t errlen);
    void (*destroy)(void *self);

    /* Queue. PreEnqueue: SUCCESS lets the pod into the active queue;
     * anything else keeps it parked until an event re-checks it. */
    sk_sched_code (*pre_enqueue)(void *self, const sk_sched_pod *pod, sk_sched_status *st);
    /* Strict weak order: true when a must be scheduled before b. */
    bool (*queue_less)(void *self, const sk_sched_queued_pod *a, const sk_sched_queued_pod *b);

    /* Scheduling cycle. */
    sk_sched_code (*pre_filter)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                const sk_sched_snapshot *snap, sk_sched_status *st);
    /* Keep PreFilter's state right when the scheduler evaluates pod on node
     * with other_pod added or removed (preemption, nominated pods). */
    sk_sched_code (*pre_filter_add_pod)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                        const sk_sched_pod *other, const sk_sched_node *node,
                                        sk_sched_status *st);
    sk_sched_code (*pre_filter_remove_pod)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                           const sk_sched_pod *other, const sk_sched_node *node,
                                           sk_sched_status *st);
    sk_sched_code (*filter)(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_node *node, sk_sched_status *st);
    /* Runs only when no node passed Filter. */
    sk_sched_code (*post_filter)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                 const sk_sched_snapshot *snap, sk_sched_postfilter_result *res,
                                 sk_sched_status *st);
    /* nodes: the ones that passed Filter. */
    sk_sched_code (*pre_score)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const sk_sched_node *const *nodes, uint32_t nnodes,
                               sk_sched_status *st);
    /* *score: any int64; NormalizeScore (or the plugin itself, if it has
     * none) must bring it within [0, 100]. */
    sk_sched_code (*score)(void *self, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, int64_t *score, sk_sched_status *st);
    sk_sched_code (*normalize_score)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                                     sk_sched_node_score *scores, uint32_t n, sk_sched_status *st);
    sk_sched_code (*reserve)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                             const char *node, sk_sched_status *st);
    void (*unreserve)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node);
    /* SUCCESS, UNSCHEDULABLE/UNRESOLVABLE (reject), ERROR, or WAIT with
     * *timeout_ms set (capped at 15 minutes). */
    sk_sched_code (*permit)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                            const char *node, int64_t *timeout_ms, sk_sched_status *st);

    /* Binding cycle. */
    sk_sched_code (*pre_bind)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                              const char *node, sk_sched_status *st);
    /* SKIP hands the pod to the next Bind plugin. */
    sk_sched_code (*bind)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod,
                          const char *node, sk_sched_status *st);
    void (*post_bind)(void *self, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node);
} sk_sched_plugin_desc;

typedef const sk_sched_plugin_desc *(*sk_sched_plugin_entry_fn)(void);

#define SK_SCHED_PLUGIN_DESC_INIT                                              \
    .size = sizeof(sk_sched_plugin_desc), .abi_major = SK_SCHED_ABI_MAJOR,     \
    .abi_minor = SK_SCHED_ABI_MINOR, .build_sig = SK_BUILD_SIG

/* Defines the entry point for a descriptor variable `desc`. */
#define SK_SCHED_PLUGIN_DEFINE(desc)                                           \
    __attribute__((visibility("default"))) const sk_sched_plugin_desc *       \
    sk_sched_plugin_entry_v1(void);                                            \
    const sk_sched_plugin_desc *sk_sched_plugin_entry_v1(void) { return &(desc); }

#ifdef __cplusplus
}
#endif
#endif
