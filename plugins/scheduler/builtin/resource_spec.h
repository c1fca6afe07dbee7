/* The [{name, weight}] resource lists NodeResourcesFit and
 * NodeResourcesBalancedAllocation take as args. */
#ifndef SK_SCHED_RESOURCE_SPEC_H
#define SK_SCHED_RESOURCE_SPEC_H

#include <stddef.h>

#include "skiff/sched.h"

#define SK_RES_SPEC_MAX 16

typedef struct sk_res_spec {
    struct {
        char name[128];
        int64_t weight;
    } r[SK_RES_SPEC_MAX];
    size_t n;
} sk_res_spec;

/* Reads list (may be NULL: keeps the defaults already in spec). */
int sk_res_spec_read(const sk_cfg_api *cfg, const sk_cfg *list, sk_res_spec *spec, char *err,
                     size_t errlen);
void sk_res_spec_default(sk_res_spec *spec); /* cpu:1, memory:1 */

#endif
