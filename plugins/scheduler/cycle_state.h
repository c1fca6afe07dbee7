/* sk_sched_cycle: the state of one scheduling attempt — the plugins'
 * key/value store, which plugins asked to be skipped, and the Filter
 * verdict per node that PostFilter reads. A clone (for preemption's
 * what-if runs) copies values that have a clone function and shares the
 * rest by reference count. */
#ifndef SK_SCHED_CYCLE_STATE_H
#define SK_SCHED_CYCLE_STATE_H

#include <stdatomic.h>

#include "skiff/sched.h"
#include "strmap.h"

typedef struct sk_cycle_val {
    atomic_int refs;
    void *value;
    void *(*clone_fn)(const void *value);
    void (*free_fn)(void *value);
} sk_cycle_val;

struct sk_sched_cycle {
    sk_sched_fw *fw;
    const sk_sched_snapshot *snap;
    sk_strmap kv; /* owned key copy -> sk_cycle_val* */
    uint64_t skip_filter; /* bit i: fw plugin i skips Filter */
    uint64_t skip_score;
    /* Filter diagnosis: per snapshot node index, NULL for passed or not
     * evaluated nodes; all_code applies to every node when PreFilter
     * rejected the pod (SUCCESS otherwise). Owned by the framework. */
    const sk_sched_status *const *node_status;
    uint32_t nnode_status;
    sk_sched_code all_code;
};

sk_sched_cycle *sk_cycle_new(sk_sched_fw *fw, const sk_sched_snapshot *snap);
void sk_cycle_free(sk_sched_cycle **c);
/* NULL on ENOMEM or when a clone function fails. */
sk_sched_cycle *sk_cycle_clone(const sk_sched_cycle *c);
int sk_cycle_write(sk_sched_cycle *c, const char *key, void *value,
                   void *(*clone_fn)(const void *), void (*free_fn)(void *));
void *sk_cycle_read(const sk_sched_cycle *c, const char *key);

#endif
