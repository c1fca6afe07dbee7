/* One profile's framework: its plugin instances, which of them run at
 * each extension point and with what Score weight, and the runners that
 * call them in order (fw_run.c). */
#ifndef SK_SCHED_FRAMEWORK_H
#define SK_SCHED_FRAMEWORK_H

#include "registry.h"
#include "skiff/sched.h"
#include "status.h"

typedef enum sk_point {
    SK_PT_PRE_ENQUEUE,
    SK_PT_QUEUE_SORT,
    SK_PT_PRE_FILTER,
    SK_PT_FILTER,
    SK_PT_POST_FILTER,
    SK_PT_PRE_SCORE,
    SK_PT_SCORE,
    SK_PT_RESERVE,
    SK_PT_PERMIT,
    SK_PT_PRE_BIND,
    SK_PT_BIND,
    SK_PT_POST_BIND,
    SK_PT_COUNT
} sk_point;

/* Config names of the points ("preFilter", ...). */
extern const char *const sk_point_names[SK_PT_COUNT];

#define SK_FW_MAX_PLUGINS 64
#define SK_PERMIT_MAX_WAIT_MS (15 * 60 * 1000)

typedef struct sk_plugin_ref {
    const char *name;
    int32_t weight; /* 0: the plugin's default */
} sk_plugin_ref;

typedef struct sk_plugin_set {
    sk_plugin_ref enabled[SK_FW_MAX_PLUGINS];
    uint32_t nenabled;
    const char *disabled[SK_FW_MAX_PLUGINS]; /* "*": every default */
    uint32_t ndisabled;
} sk_plugin_set;

/* A KubeSchedulerProfile. Strings and cfg nodes are borrowed for the
 * duration of sk_fw_new. */
typedef struct sk_profile_spec {
    const char *scheduler_name;
    int32_t percentage; /* percentageOfNodesToScore, -1: the scheduler's */
    sk_plugin_set multi_point;
    sk_plugin_set points[SK_PT_COUNT];
    struct {
        const char *name;
        const sk_cfg *args;
    } args[SK_FW_MAX_PLUGINS];
    uint32_t nargs;
} sk_profile_spec;

typedef struct sk_fw_plugin {
    sk_sched_plugin_desc d; /* copy; zero beyond the size the plugin declared */
    void *self;
    int32_t weight;
    sk_sched_handle handle;
} sk_fw_plugin;

struct sk_scheduler;

struct sk_sched_fw {
    struct sk_scheduler *sched;
    char scheduler_name[256];
    int32_t percentage;
    sk_fw_plugin plugins[SK_FW_MAX_PLUGINS];
    uint32_t nplugins;
    uint8_t list[SK_PT_COUNT][SK_FW_MAX_PLUGINS]; /* plugin indices, in order */
    uint32_t nlist[SK_PT_COUNT];
    uint32_t next_start; /* rotating start of the Filter walk */
    sk_intern *intern;
};

/* The default plugins, in kube-scheduler's multiPoint order, with their
 * default weights; names not in the registry (DefaultBinder before the
 * bus exists) are left out. */
typedef struct sk_default_plugin {
    const char *name;
    int32_t weight;
} sk_default_plugin;
extern const sk_default_plugin sk_default_plugins[];
extern const size_t sk_ndefault_plugins;

int sk_fw_new(struct sk_scheduler *s, const sk_sched_registry *reg, const sk_profile_spec *spec,
              const sk_cfg_api *cfg, const sk_host *host, sk_intern *intern, sk_sched_fw **out,
              char *err, size_t errlen);
void sk_fw_free(sk_sched_fw **fw);
const sk_sched_api *sk_sched_api_table(void);
/* Index of a plugin by name, or -1. */
int sk_fw_plugin_index(const sk_sched_fw *fw, const char *name);
bool sk_fw_implements(const sk_sched_plugin_desc *d, sk_point p);

/* ---- runners (fw_run.c): each returns the combined code; st gets the
 * deciding plugin's status. ---- */
sk_sched_code sk_fw_pre_enqueue(sk_sched_fw *fw, const sk_sched_pod *pod, sk_sched_status *st);
bool sk_fw_less(sk_sched_fw *fw, const sk_sched_queued_pod *a, const sk_sched_queued_pod *b);
sk_sched_code sk_fw_pre_filter(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                               sk_sched_status *st);
sk_sched_code sk_fw_filter(sk_sched_fw *fw, const sk_sched_cycle *c, const sk_sched_pod *pod,
                           const sk_sched_node *node, sk_sched_status *st);
sk_sched_code sk_fw_add_pod(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                            const sk_sched_pod *other, const sk_sched_node *node, sk_sched_status *st);
sk_sched_code sk_fw_remove_pod(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                               const sk_sched_pod *other, const sk_sched_node *node,
                               sk_sched_status *st);
sk_sched_code sk_fw_post_filter(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                                sk_sched_postfilter_result *res, sk_sched_status *st);
sk_sched_code sk_fw_pre_score(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                              const sk_sched_node *const *nodes, uint32_t n, sk_sched_status *st);
/* Score + NormalizeScore + weights: totals[i] for nodes[i]. */
sk_sched_code sk_fw_score(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                          const sk_sched_node *const *nodes, uint32_t n, int64_t *totals,
                          sk_sched_status *st);
sk_sched_code sk_fw_reserve(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                            const char *node, sk_sched_status *st);
void sk_fw_unreserve(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node);
/* On WAIT, *waiting has a bit per plugin that asked to wait and
 * deadlines[i] (ms from now) for each. */
sk_sched_code sk_fw_permit(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                           const char *node, uint64_t *waiting, int64_t *deadlines,
                           sk_sched_status *st);
sk_sched_code sk_fw_pre_bind(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                             const char *node, sk_sched_status *st);
sk_sched_code sk_fw_bind(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod,
                         const char *node, sk_sched_status *st);
void sk_fw_post_bind(sk_sched_fw *fw, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node);

#endif
