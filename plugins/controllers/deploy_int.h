/* Internal to the Deployment controller: one sync's working state. */
#ifndef SK_CTL_DEPLOY_INT_H
#define SK_CTL_DEPLOY_INT_H

#include "reconcile.h"

#define CTL_ANN_REVISION "deployment.kubernetes.io/revision"
#define CTL_ANN_DESIRED "deployment.kubernetes.io/desired-replicas"
#define CTL_ANN_MAX "deployment.kubernetes.io/max-replicas"
#define CTL_LABEL_HASH "pod-template-hash"

typedef struct dp_rs {
    sk_mp_view v;
    char name[320]; /* room for "<deployment>-<hash>" */
    int64_t replicas; /* spec.replicas, as this sync leaves it */
    int64_t actual, ready, avail; /* from status */
    int64_t revision, created;
} dp_rs;

typedef struct dp_ctx {
    const ctl_deploy_in *in;
    ctl_actions *out;
    char ns[256], name[256], uid[128], hash[16];
    int64_t replicas, surge, unavail;
    dp_rs *rs;       /* owned ReplicaSets; rs[0..nrs) */
    size_t nrs;
    dp_rs *cur;      /* the one of the current template, or NULL */
    dp_rs created;   /* storage when this sync creates it */
    bool just_created;
} dp_ctx;

/* deploy_roll.c */
void dp_scale(dp_ctx *c, dp_rs *r, int64_t replicas);
void dp_rolling(dp_ctx *c);
void dp_recreate(dp_ctx *c);
void dp_scale_paused(dp_ctx *c);
void dp_cleanup(dp_ctx *c);
bool dp_complete_counts(const dp_ctx *c);

/* deploy_status.c */
void dp_status(dp_ctx *c);

/* deploy.c */
void dp_create_rs(dp_ctx *c, int64_t replicas, int64_t revision);

#endif
