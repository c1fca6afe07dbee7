/* Reading the scheduler's configuration from the host config, shaped like
 * KubeSchedulerConfiguration:
 *   percentageOfNodesToScore: 0          # 0: adaptive
 *   podInitialBackoffSeconds: 1
 *   podMaxBackoffSeconds: 10
 *   profiles:
 *     - schedulerName: default-scheduler
 *       percentageOfNodesToScore: 50
 *       plugins:
 *         multiPoint: {enabled: [{name: X, weight: 2}], disabled: [{name: Y}]}
 *         score:      {enabled: [...], disabled: [{name: "*"}]}
 *       pluginConfig:
 *         - name: NodeResourcesFit
 *           args: {scoringStrategy: {type: MostAllocated}}
 * Strings and nodes are borrowed from the config tree. */
#ifndef SK_SCHED_PROFILE_CFG_H
#define SK_SCHED_PROFILE_CFG_H

#include "scheduler.h"

typedef struct sk_sched_config_store {
    sk_sched_config cfg;
    sk_profile_spec profiles[SK_SCHED_MAX_PROFILES];
} sk_sched_config_store;

/* root may be NULL (all defaults). SK_ECONFIG with err "file:line:col: ..." */
int sk_sched_config_read(const sk_cfg_api *api, const sk_cfg *root, sk_sched_config_store *out,
                         char *err, size_t errlen);

#endif
