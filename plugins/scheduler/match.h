/* The matching rules of the Kubernetes API the scheduler relies on:
 * labels and label selectors, node selector terms (node affinity),
 * taints and tolerations, pod affinity terms. Pure functions. */
#ifndef SK_SCHED_MATCH_H
#define SK_SCHED_MATCH_H

#include <stdbool.h>

#include "skiff/sched.h"

const char *sk_label_get(const sk_sched_labels *l, const char *key);
bool sk_selector_matches(const sk_sched_label_selector *s, const sk_sched_labels *l);
bool sk_node_term_matches(const sk_sched_node_term *t, const sk_sched_node *node);
/* nodeSelector AND required node affinity. */
bool sk_node_affinity_matches(const sk_sched_pod *pod, const sk_sched_node *node);
bool sk_toleration_tolerates(const sk_sched_toleration *t, const sk_sched_taint *taint);
bool sk_tolerates(const sk_sched_toleration *tol, uint32_t ntol, const sk_sched_taint *taint);
/* The first taint of node with effect NoSchedule or NoExecute that no
 * toleration tolerates, or NULL. */
const sk_sched_taint *sk_untolerated_taint(const sk_sched_node *node, const sk_sched_toleration *tol,
                                           uint32_t ntol);
const sk_sched_namespace *sk_namespace_get(const sk_sched_snapshot *snap, const char *name);
bool sk_pod_term_matches(const sk_sched_pod_term *t, const sk_sched_pod *cand,
                         const sk_sched_snapshot *snap);

#endif
