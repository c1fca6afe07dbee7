/* controllers: shared vocabulary of the pure reconcile functions.
 *
 * Every controller is a function from a hand-buildable input (msgpack
 * objects as sk_mp_view, the current time) to a list of actions — the bus
 * requests of docs/API.md (create/update/patch/delete) that would move the
 * cluster toward the desired state. The plugin feeds them from informer
 * caches and sends the actions; tests feed them hand-built states. */
#ifndef SK_CTL_H
#define SK_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff/informer.h"
#include "skiff/mp.h"

/* ---- kinds ---- */
extern const sk_api_kind ctl_k_pods, ctl_k_rs, ctl_k_deploy, ctl_k_svc, ctl_k_ep, ctl_k_eps,
    ctl_k_ns, ctl_k_nodes, ctl_k_leases;

/* ---- actions ---- */
typedef struct ctl_action {
    char method[16];  /* create, update, patch, delete */
    uint8_t *req;     /* the msgpack request map; owned */
    size_t len;
    char desc[160];   /* "patch replicasets ns/name" for logs and tests */
    char expect_uid[128]; /* a "get" verifying an owner: the uid it must have */
} ctl_action;

typedef struct ctl_actions {
    ctl_action *v;
    size_t n, cap;
    int err;               /* sticky: the first failure while building */
    int64_t requeue_ms;    /* > 0: reconcile this key again after it */
} ctl_actions;

void ctl_actions_init(ctl_actions *a);
void ctl_actions_free(ctl_actions *a);
/* Takes b's bytes (b is reset). Records b->err or -ENOMEM in a->err. */
void ctl_actions_push(ctl_actions *a, const char *method, sk_mp_buf *b, const char *kind_res,
                      const char *ns, const char *name);
/* Keeps the earliest positive requeue. */
void ctl_requeue(ctl_actions *a, int64_t ms);

/* Building requests. Each starts the map with kind/namespace/name plus
 * `extra` pairs that the caller appends (usually "body"). */
void ctl_req_begin(sk_mp_buf *b, const sk_api_kind *k, const char *ns, const char *name,
                   uint32_t extra);
/* A merge patch: the caller writes the patch document next. */
void ctl_patch_begin(sk_mp_buf *b, const sk_api_kind *k, const char *ns, const char *name,
                     const char *subresource);
/* delete with propagationPolicy (NULL: server default) and a uid
 * precondition (NULL: none). */
void ctl_delete(ctl_actions *a, const sk_api_kind *k, const char *ns, const char *name,
                const char *uid, const char *policy);

/* ---- reading objects ---- */
/* The string at path into buf ("" when absent or not a string). */
const char *ctl_str(sk_mp_view obj, const char *path, char *buf, size_t size);
int64_t ctl_int(sk_mp_view obj, const char *path, int64_t def);
bool ctl_bool(sk_mp_view obj, const char *path, bool def);
/* The value at path, or an invalid view (p NULL) when absent. */
sk_mp_view ctl_get(sk_mp_view obj, const char *path);
bool ctl_has(sk_mp_view obj, const char *path);
/* The value of literal key in the map at path ("metadata.annotations"),
 * since such keys often contain dots; invalid when absent. */
sk_mp_view ctl_get_key(sk_mp_view obj, const char *path, const char *key);
const char *ctl_str_key(sk_mp_view obj, const char *path, const char *key, char *buf,
                        size_t size);
/* Whether a str view equals the C string. */
bool ctl_eq(sk_mp_view v, const char *s);
/* Deep equality; maps compare regardless of key order. */
bool ctl_mp_equal(sk_mp_view a, sk_mp_view b);
/* Order-independent 32-bit FNV-based hash of a value. */
uint32_t ctl_mp_hash(sk_mp_view v, uint32_t seed);

/* ---- writing objects ---- */
/* Copies map src (or an empty map when src is invalid) into b with the
 * value at dotted path replaced by val (a view) or removed (val.p NULL);
 * missing intermediate maps are created. */
void ctl_put_override(sk_mp_buf *b, sk_mp_view src, const char *path, sk_mp_view val);
/* As ctl_put_override for one key of map src, taken literally (label and
 * annotation keys contain dots). */
void ctl_put_set_key(sk_mp_buf *b, sk_mp_view src, const char *key, sk_mp_view val);
/* A string view written into a scratch buffer. */
sk_mp_view ctl_mp_str(sk_mp_buf *scratch, const char *s);

/* ---- time: metav1.Time text ---- */
void ctl_time_str(int64_t wall_ms, char buf[32]); /* "2006-01-02T15:04:05Z" */
/* ms since the epoch at path, or def. */
int64_t ctl_time(sk_mp_view obj, const char *path, int64_t def);

/* ---- selectors ---- */
/* A metav1.LabelSelector (matchLabels, matchExpressions) against a labels
 * map. An empty selector matches everything; an invalid one nothing. */
bool ctl_selector_matches(sk_mp_view selector, sk_mp_view labels);
/* A plain map selector (Service.spec.selector): every pair present. */
bool ctl_map_selector_matches(sk_mp_view sel, sk_mp_view labels);

/* ---- owners ---- */
/* The controller ownerReference's uid into buf, or false. */
bool ctl_controller_uid(sk_mp_view obj, char *uid, size_t size);
/* Whether obj has an ownerReference to uid. */
bool ctl_owned_by(sk_mp_view obj, const char *uid);
/* Writes an ownerReference map for owner. */
void ctl_put_owner_ref(sk_mp_buf *b, const char *api_version, const char *kind, sk_mp_view owner,
                       bool controller);
/* A merge patch of metadata.ownerReferences: obj's refs without the one to
 * drop_uid, plus add (a view of one ref, or invalid for none); carries
 * obj's resourceVersion and uid as preconditions. */
void ctl_patch_owner_refs(ctl_actions *a, const sk_api_kind *k, sk_mp_view obj,
                          const char *drop_uid, sk_mp_view add);
/* A merge patch setting metadata.finalizers to obj's minus `drop`. */
void ctl_patch_drop_finalizer(ctl_actions *a, const sk_api_kind *k, sk_mp_view obj,
                              const char *drop);
bool ctl_has_finalizer(sk_mp_view obj, const char *f);

/* ---- pods ---- */
bool ctl_pod_active(sk_mp_view pod); /* not Succeeded/Failed, not being deleted */
bool ctl_pod_ready(sk_mp_view pod);
/* Ready for at least min_ready_s at now (wall ms); *wait_ms (may be NULL)
 * gets the time left when ready but not yet available. */
bool ctl_pod_available(sk_mp_view pod, int64_t min_ready_s, int64_t now_ms, int64_t *wait_ms);
bool ctl_deleting(sk_mp_view obj); /* metadata.deletionTimestamp set */

#endif
