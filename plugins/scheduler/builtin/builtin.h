/* Shared by the built-in plugins: they use the public framework ABI like
 * any third-party plugin, plus these few pure helpers. */
#ifndef SK_SCHED_BUILTIN_H
#define SK_SCHED_BUILTIN_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../match.h"
#include "../cycle_state.h"
#include "../status.h"
#include "skiff/errors.h"
#include "skiff/sched.h"

#define BUILTIN_DESC .size = sizeof(sk_sched_plugin_desc), .abi_major = SK_SCHED_ABI_MAJOR, \
                     .abi_minor = SK_SCHED_ABI_MINOR, .build_sig = SK_BUILD_SIG, .version = "1"

/* Built-ins reach the cycle state directly rather than through the api
 * table (same library). */
#define sk_cycle_write_builtin sk_cycle_write
#define sk_cycle_read_builtin sk_cycle_read
static inline const sk_sched_snapshot *sk_cycle_snapshot_builtin(const sk_sched_cycle *c)
{
    return c->snap;
}

/* A resource's amount by its API name ("cpu" in milli). */
static inline int64_t sk_res_value(const sk_sched_resources *r, const char *name)
{
    if (strcmp(name, "cpu") == 0)
        return r->milli_cpu;
    if (strcmp(name, "memory") == 0)
        return r->memory;
    if (strcmp(name, "ephemeral-storage") == 0)
        return r->ephemeral_storage;
    if (strcmp(name, "pods") == 0)
        return r->pods;
    for (uint32_t i = 0; i < r->nscalars; i++)
        if (strcmp(r->scalars[i].name, name) == 0)
            return r->scalars[i].value;
    return 0;
}

/* kube-scheduler's helper.DefaultNormalizeScore. */
static inline void sk_default_normalize(sk_sched_node_score *scores, uint32_t n, bool reverse)
{
    int64_t max = 0;
    for (uint32_t i = 0; i < n; i++)
        if (scores[i].score > max)
            max = scores[i].score;
    for (uint32_t i = 0; i < n; i++) {
        int64_t s = max ? SK_SCHED_MAX_NODE_SCORE * scores[i].score / max : 0;
        scores[i].score = reverse ? SK_SCHED_MAX_NODE_SCORE - s : s;
    }
}

#endif
